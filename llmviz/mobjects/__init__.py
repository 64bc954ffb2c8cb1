"""Mobjects that show trace values (numpy only: no torch imports here)."""

from llmviz.mobjects.attention import AttentionGrid
from llmviz.mobjects.bars import ProbabilityBars
from llmviz.mobjects.matrices import NumericMatrix, WeightMatrix
from llmviz.mobjects.neurons import NeuronColumn
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.mobjects.tokens import TokenStrip
from llmviz.mobjects.vectors import Bracket, NumericVector

__all__ = [
    "FastNumber",
    "FastText",
    "NumericVector",
    "Bracket",
    "NumericMatrix",
    "WeightMatrix",
    "TokenStrip",
    "AttentionGrid",
    "NeuronColumn",
    "ProbabilityBars",
]

"""Mobjects that show trace values (numpy only: no torch imports here)."""

from llmviz.mobjects.attention import AttentionGrid
from llmviz.mobjects.bars import ProbabilityBars
from llmviz.mobjects.matrices import MatrixShape, NumericMatrix, WeightMatrix
from llmviz.mobjects.neurons import NeuronColumn
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.mobjects.plane import VectorPlane
from llmviz.mobjects.table import Column, ValueTable
from llmviz.mobjects.tokens import TokenStrip
from llmviz.mobjects.vectors import Bracket, NumericVector

__all__ = [
    "FastNumber",
    "FastText",
    "NumericVector",
    "Bracket",
    "NumericMatrix",
    "WeightMatrix",
    "MatrixShape",
    "TokenStrip",
    "AttentionGrid",
    "NeuronColumn",
    "ProbabilityBars",
    "ValueTable",
    "Column",
    "VectorPlane",
]

"""Animations of transformer operations on real values.

One concept per module; each class is a manim Animation that never calls ``scene.play`` itself
and exposes ``.result``, the mobject it leaves on screen with the real computed values.
"""

from llmviz.animations.light_up import LightUp
from llmviz.animations.mask import CausalMask
from llmviz.animations.matvec import MatrixVectorProduct
from llmviz.animations.relu import ReLUGate
from llmviz.animations.residual import ResidualAdd
from llmviz.animations.softmax import Softmax, softmax_columns
from llmviz.animations.unembed import Unembed
from llmviz.animations.weighted_sum import WeightedSum

__all__ = [
    "MatrixVectorProduct",
    "Softmax",
    "CausalMask",
    "ReLUGate",
    "ResidualAdd",
    "WeightedSum",
    "Unembed",
    "softmax_columns",
    "LightUp",
]

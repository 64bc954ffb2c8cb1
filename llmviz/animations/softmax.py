"""Softmax: scores to probabilities, on a vector or column by column on a grid."""

from __future__ import annotations

import numpy as np
from manim import (
    AnimationGroup,
    ReplacementTransform,
)

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_decimals, check_size, real_array
from llmviz.mobjects.attention import AttentionGrid
from llmviz.mobjects.vectors import NumericVector
from llmviz.model.trace import probabilities

__all__ = ["Softmax", "softmax_columns"]


def softmax_columns(values: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over keys for each query of a ``[query, key]`` array; ``-inf`` entries become 0."""
    v = real_array(values, 2, "softmax_columns", "values", "[query, key]")
    out = np.zeros_like(v)
    for q in range(v.shape[0]):
        ok = np.isfinite(v[q])
        if ok.any():
            out[q, ok] = probabilities(v[q, ok], temperature)
    return out


class Softmax(AnimationGroup):
    """Scores to probabilities, ``softmax(x / T)``: a vector, or a grid column by column.

    For an :class:`AttentionGrid` each query's column is normalised over its keys; masked
    (``-inf``) cells become 0. ``.result`` holds the probabilities.

    Examples
    --------
    >>> from llmviz.mobjects import NumericVector
    >>> from llmviz.animations import Softmax
    >>> Softmax(NumericVector([1.0, 2.0, 8.0]), decimals=3).result.values.round(3).tolist()
    [0.001, 0.002, 0.997]

    .. manim:: SoftmaxExample
        :save_last_frame:

        from manim import Scene
        from llmviz.animations import Softmax
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class SoftmaxExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                scores = trace[hook_name("attn_scores", 0)][0][-1]  # the last query's scores, head 0
                vector = NumericVector(scores, font_size=32)
                self.add(vector)
                self.play(Softmax(vector, run_time=0.5))
    """

    def __init__(
        self,
        target: NumericVector | AttentionGrid,
        temperature: float = 1.0,
        decimals: int | None = None,
        run_time: float = 1.5,
        **kwargs,
    ) -> None:
        if decimals is not None:
            check_decimals(decimals, "Softmax")
        check_size(run_time, "run_time", "Softmax", zero=True)
        if isinstance(target, AttentionGrid):
            self.values = softmax_columns(target.values, temperature)
            self.result = target.copy_with(self.values, normalize="global")
        elif isinstance(target, NumericVector):
            self.values = probabilities(target.values, temperature)
            opts = {} if decimals is None else {"decimals": decimals}
            self.result = target.copy_with(self.values, saturation=1.0, **opts)
        else:
            raise LLMVizError(
                "Softmax: target must be a NumericVector or an AttentionGrid, not "
                f"{type(target).__name__}"
            )
        super().__init__(ReplacementTransform(target, self.result), run_time=run_time, **kwargs)

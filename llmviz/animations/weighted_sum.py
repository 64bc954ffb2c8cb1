"""Value vectors scaled by attention weights and summed into dE."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UP,
    AnimationGroup,
    FadeIn,
    FadeOut,
    ReplacementTransform,
    Succession,
    Transform,
    VGroup,
)

from llmviz.animations._common import expect
from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import real_array
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.mobjects.vectors import NumericVector
from llmviz.style import PALETTE

__all__ = ["WeightedSum"]


class WeightedSum(Succession):
    """Value vectors scaled by attention weights and summed: ``ΔE = Σ_k w_k v_k``.

    Parameters
    ----------
    vectors
        One :class:`NumericVector` per key position (the value vectors).
    weights
        The attention weights of one query over those keys (a column of the pattern), or any
        other weights, such as neuron activations for a down-projection.
    label
        Text written beside the sum.

    Examples
    --------
    >>> from llmviz.mobjects import NumericVector
    >>> from llmviz.animations import WeightedSum
    >>> vs = [NumericVector([1.0, 0.0]), NumericVector([0.0, 2.0])]
    >>> WeightedSum(vs, [0.25, 0.75]).result.values.tolist()
    [0.25, 1.5]

    .. manim:: WeightedSumExample
        :save_last_frame:

        from manim import RIGHT, UP, Scene, VGroup
        from llmviz.animations import WeightedSum
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class WeightedSumExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                values = trace[hook_name("v", 0)][:, 0]  # head 0's value vector at each key
                weights = trace[hook_name("pattern", 0)][0][-1]  # the last query's weights over keys
                vectors = [NumericVector(v, max_entries=4, font_size=20) for v in values]
                VGroup(*vectors).arrange(RIGHT, buff=0.3).shift(1.5 * UP)
                self.add(*vectors)
                self.play(WeightedSum(vectors, weights))
    """

    def __init__(
        self,
        vectors: Sequence[NumericVector],
        weights: Sequence[float],
        label: str = "ΔE",
        **kwargs,
    ) -> None:
        if isinstance(vectors, (str, bytes)) or not len(vectors):
            raise LLMVizError("WeightedSum: vectors must be a non-empty list of NumericVector")
        for i, v in enumerate(vectors):
            expect(v, NumericVector, f"vectors[{i}]", "WeightedSum")
        w = real_array(weights, 1, "WeightedSum", "weights", f"({len(vectors)},)")
        if w.shape != (len(vectors),):
            raise LLMVizError(
                f"WeightedSum needs one weight per vector: {len(vectors)} vectors, weights {w.shape}"
            )
        shapes = {v.values.shape for v in vectors}
        if len(shapes) != 1:
            raise LLMVizError(f"value vectors must all have the same shape, got {sorted(shapes)}")
        self.weights = w
        self.values = np.einsum("k,kd->d", w, np.stack([v.values for v in vectors]))
        self.weight_labels = VGroup(
            *(
                FastNumber(wk, decimals=2, font_size=22, color=PALETTE["highlight"]).next_to(
                    v, UP, buff=0.15
                )
                for wk, v in zip(w, vectors, strict=True)
            )
        )
        scaled = [v.copy_with(v.values * wk) for v, wk in zip(vectors, w, strict=True)]
        self.result = vectors[0].copy_with(self.values, label=None)  # not the first value's label
        row = VGroup(*vectors)
        self.result.next_to(row, DOWN, buff=0.6)
        self.result.set_x(row.get_x())
        label = FastText(label, font_size=28, color=PALETTE["text"]).next_to(
            self.result, LEFT, buff=0.3
        )
        self.label = label
        # copies of the scaled vectors flow together into the sum: they start unseen (a copy
        # drawn from the first frame would sit over the vector it copies) and stay see-through
        # as they meet, so that they never read as numbers over numbers
        ghosts = [s.copy().set_opacity(0) for s in scaled]
        self._ghosts = ghosts
        meeting = self.result.copy().set_opacity(0.5)
        super().__init__(
            FadeIn(self.weight_labels, lag_ratio=0.1),
            AnimationGroup(
                *(ReplacementTransform(v, s) for v, s in zip(vectors, scaled, strict=True)),
                run_time=1.2,
            ),
            AnimationGroup(
                *(Transform(g, meeting.copy()) for g in ghosts), FadeIn(label), run_time=1.5
            ),
            AnimationGroup(FadeIn(self.result), FadeOut(VGroup(*ghosts)), run_time=0.3),
            **kwargs,
        )
        self.scaled = scaled

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        # The scene holds this animation's whole group; the FadeOut above removes only its own
        # wrapper, so the ghosts (each now shaped like the sum) would stay under the result.
        scene.remove(*self._ghosts)

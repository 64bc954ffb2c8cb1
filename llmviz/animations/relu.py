"""ReLU as a gate: negatives collapse to zero, positives pass."""

from __future__ import annotations

import numpy as np
from manim import (
    AnimationGroup,
    Indicate,
    ReplacementTransform,
    Succession,
    Wait,
)

from llmviz.errors import LLMVizError
from llmviz.mobjects.neurons import NeuronColumn
from llmviz.mobjects.vectors import NumericVector
from llmviz.style import PALETTE

__all__ = ["ReLUGate"]


class ReLUGate(Succession):
    """ReLU as a gate: negative values collapse to zero, positive ones pass unchanged.

    Works on a :class:`NumericVector` or a :class:`NeuronColumn` (which switches to its "post"
    look). ``.result`` holds ``max(x, 0)``.

    Examples
    --------
    >>> from llmviz.mobjects import NeuronColumn
    >>> from llmviz.animations import ReLUGate
    >>> ReLUGate(NeuronColumn([-1.0, 2.0], state="pre")).result.values.tolist()
    [0.0, 2.0]

    .. manim:: ReLUGateExample
        :save_last_frame:

        from manim import Scene
        from llmviz.animations import ReLUGate
        from llmviz.mobjects import NeuronColumn
        from llmviz.model import hook_name, load_model

        class ReLUGateExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                pre = trace[hook_name("pre", 0)][-1]  # layer 0, last token, before ReLU
                column = NeuronColumn(pre, state="pre", max_neurons=8, radius=0.24, font_size=30)
                self.add(column)
                self.play(ReLUGate(column))
    """

    def __init__(self, target: NumericVector | NeuronColumn, **kwargs) -> None:
        if not isinstance(target, (NumericVector, NeuronColumn)):
            raise LLMVizError(
                "ReLUGate: target must be a NumericVector or a NeuronColumn, not "
                f"{type(target).__name__}"
            )
        self.values = np.maximum(target.values, 0.0)
        if isinstance(target, NeuronColumn):
            self.result = target.copy_with(self.values, state="post")
            closing = [m for m in target.numbers if m.value < 0] + [
                c for c in target.neurons if target.values[c.source_index] < 0
            ]
        elif isinstance(target, NumericVector):
            self.result = target.copy_with(self.values)
            closing = [e for e in target.entries if e.value < 0]
        else:
            raise LLMVizError(
                f"ReLUGate works on a NumericVector or a NeuronColumn, not {type(target).__name__}"
            )
        self._target = target
        flash = [Indicate(m, color=PALETTE["negative"], scale_factor=1.0) for m in closing]
        super().__init__(
            AnimationGroup(*flash, run_time=0.8) if flash else Wait(0.4),
            ReplacementTransform(target, self.result, run_time=1.0),
            **kwargs,
        )

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        # The flashed numbers also sit in the flash's group, which the scene holds: without this
        # they would stay, reshaped like the zeros, under the result.
        scene.remove(*self._target.get_family())

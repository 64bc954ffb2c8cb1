"""Lighting something up: a flash of colour, a small wave through it and a line drawn once around
it, with no growth."""

from __future__ import annotations

import numpy as np
from manim import UP, Animation, AnimationGroup, Circumscribe, Indicate, Mobject

from llmviz.errors import ArgumentError
from llmviz.style import PALETTE

__all__ = ["LightUp"]


class LightUp(AnimationGroup):
    """Draw the eye to ``mobject``: it flashes ``color`` (default the theme's highlight), a wave
    of ``amplitude`` (frame units) runs through it, and a line runs once around it. Unlike
    manim's ``Indicate`` with a ``scale_factor``, nothing grows, so what is lit never covers its
    neighbours; the wave makes the moment read as motion, which a change of colour alone does not
    at 480p. ``.result`` is ``mobject``, unchanged.

    Examples
    --------
    >>> from llmviz.mobjects import FastNumber
    >>> from llmviz.animations import LightUp
    >>> n = FastNumber(1.44)
    >>> LightUp(n).result is n
    True

    .. manim:: LightUpExample
        :save_last_frame:

        from manim import Scene
        from llmviz.animations import LightUp
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class LightUpExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                vector = NumericVector(trace[hook_name("resid_post", 0)][-1], max_entries=6)
                self.add(vector)
                self.play(LightUp(vector.entries[0]))
    """

    def __init__(
        self,
        mobject: Mobject,
        color: str | None = None,
        buff: float = 0.06,
        amplitude: float = 0.05,
        **kwargs,
    ) -> None:
        if not isinstance(mobject, Mobject):
            raise ArgumentError(
                f"LightUp needs a mobject to light up, not {type(mobject).__name__}"
            )
        if isinstance(buff, bool) or not isinstance(buff, int | float) or not 0 <= buff <= 1:
            raise ArgumentError(f"LightUp: buff must be a number from 0 to 1, not {buff!r}")
        bad = isinstance(amplitude, bool) or not isinstance(amplitude, int | float)
        if bad or not 0 <= amplitude <= 0.2:
            raise ArgumentError(
                f"LightUp: amplitude must be a number from 0 to 0.2, not {amplitude!r}"
            )
        color = PALETTE["highlight"] if color is None else color
        self.result = mobject
        parts = [
            Indicate(mobject, scale_factor=1.0, color=color),
            Circumscribe(mobject, color=color, buff=buff, stroke_width=3),
        ]
        if amplitude and mobject.width > 1e-3:  # a wave runs along the width: none without one
            parts.insert(1, _Wave(mobject, amplitude=amplitude, run_time=1.0))
        super().__init__(*parts, **kwargs)


class _Wave(Animation):
    """One bump of height ``amplitude`` running from the left edge of ``mobject`` to its right,
    as manim's ``ApplyWave`` with one ripple draws it, computed on whole point arrays at once
    (``ApplyWave`` calls a Python function for every point of every frame: on a 64-token
    attention grid that was 105 of the 130 seconds a 43-second step took at 1080p)."""

    def __init__(self, mobject: Mobject, amplitude: float, **kwargs) -> None:
        self._left = float(mobject.get_left()[0])
        self._width = max(float(mobject.width), 1e-9)
        self._amplitude = float(amplitude)
        super().__init__(mobject, **kwargs)

    def interpolate_submobject(self, submobject, starting_submobject, alpha: float) -> None:
        start = starting_submobject.points
        if not len(start):
            return
        # the bump's window, one mobject wide, slides from before the left edge to past the
        # right one; inside it the height rises and falls smoothly (0 at both ends)
        phase = (start[:, 0] - self._left) / self._width - (2.0 * alpha - 1.0)
        phase = np.clip(phase, 0.0, 1.0)
        rise = np.where(phase < 0.5, 2.0 * phase, 2.0 - 2.0 * phase)
        height = self._amplitude * rise * rise * (3.0 - 2.0 * rise)  # smoothstep
        submobject.points = start + height[:, None] * UP

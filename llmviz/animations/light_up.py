"""Lighting something up: a flash of colour and a line drawn once around it, with no growth."""

from __future__ import annotations

from manim import AnimationGroup, Circumscribe, Indicate, Mobject

from llmviz.errors import ArgumentError
from llmviz.style import PALETTE

__all__ = ["LightUp"]


class LightUp(AnimationGroup):
    """Draw the eye to ``mobject``: it flashes ``color`` (default the theme's highlight) while a
    line runs once around it. Unlike manim's ``Indicate`` with a ``scale_factor``, nothing grows,
    so what is lit never covers its neighbours. ``.result`` is ``mobject``, unchanged.

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
        self, mobject: Mobject, color: str | None = None, buff: float = 0.06, **kwargs
    ) -> None:
        if not isinstance(mobject, Mobject):
            raise ArgumentError(
                f"LightUp needs a mobject to light up, not {type(mobject).__name__}"
            )
        if isinstance(buff, bool) or not isinstance(buff, int | float) or not 0 <= buff <= 1:
            raise ArgumentError(f"LightUp: buff must be a number from 0 to 1, not {buff!r}")
        color = PALETTE["highlight"] if color is None else color
        self.result = mobject
        super().__init__(
            Indicate(mobject, scale_factor=1.0, color=color),
            Circumscribe(mobject, color=color, buff=buff, stroke_width=3),
            **kwargs,
        )

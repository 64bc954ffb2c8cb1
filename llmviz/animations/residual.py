"""The residual add: E + dE = E', entry by entry."""

from __future__ import annotations

from manim import (
    RIGHT,
    Add,
    AnimationGroup,
    FadeIn,
    Succession,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations._common import expect, symbol
from llmviz.errors import LLMVizError
from llmviz.mobjects.vectors import NumericVector

__all__ = ["ResidualAdd"]


class ResidualAdd(Succession):
    """``E + ΔE = E′`` entry by entry: the sum appears to the right, each entry the real sum.

    The result keeps ``E``'s format but not its label; give ``result_label`` (e.g. ``"E′"``) to
    write one under it.

    Examples
    --------
    >>> from llmviz.mobjects import NumericVector
    >>> from llmviz.animations import ResidualAdd
    >>> ResidualAdd(NumericVector([1.0, 2.0]), NumericVector([0.5, -3.0])).result.values.tolist()
    [1.5, -1.0]

    .. manim:: ResidualAddExample
        :save_last_frame:

        from manim import LEFT, Scene
        from llmviz.animations import ResidualAdd
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class ResidualAddExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                E = NumericVector(trace[hook_name("resid_pre", 0)][-1], max_entries=6).shift(3 * LEFT)
                dE = NumericVector(trace[hook_name("attn_out", 0)][-1], max_entries=6)
                self.add(E, dE)
                self.play(ResidualAdd(E, dE, run_time_per_entry=0.1, result_label="E′"))
    """

    def __init__(
        self,
        E: NumericVector,
        dE: NumericVector,
        run_time_per_entry: float = 0.35,
        result_label: str | None = None,
        **kwargs,
    ) -> None:
        expect(E, NumericVector, "E", "ResidualAdd")
        expect(dE, NumericVector, "dE", "ResidualAdd")
        if E.values.shape != dE.values.shape:
            raise LLMVizError(
                f"ResidualAdd: E has shape {E.values.shape} but dE (ΔE) has {dE.values.shape}; "
                "they must match"
            )
        self.values = E.values + dE.values
        self.result = E.copy_with(self.values, saturation=None, label=result_label)
        # layout: E + ΔE = E′ in one row, level with E (ΔE slides into place if it is elsewhere)
        self.plus = symbol("+").next_to(E, RIGHT, buff=0.3)
        slot = dE.copy().next_to(self.plus, RIGHT, buff=0.3).match_y(E)
        self.equals = symbol("=").next_to(slot, RIGHT, buff=0.3)
        self.result.next_to(self.equals, RIGHT, buff=0.3).match_y(E)
        steps = [
            AnimationGroup(
                FadeIn(self.plus),
                dE.animate.move_to(slot),
                FadeIn(self.equals),
                FadeIn(self.result.brackets),
            )
        ]
        for entry in self.result.entries:
            i = entry.source_index
            steps.append(
                AnimationGroup(
                    TransformFromCopy(VGroup(E.get_entry(i), dE.get_entry(i)), entry),
                    run_time=run_time_per_entry,
                )
            )
        if self.result.ellipsis is not None:
            steps.append(FadeIn(self.result.ellipsis, run_time=0.2))
        if self.result.label is not None:
            steps.append(FadeIn(self.result.label, run_time=0.2))
        steps.append(Add(self.result))  # the whole result stays on screen as one mobject
        super().__init__(*steps, **kwargs)

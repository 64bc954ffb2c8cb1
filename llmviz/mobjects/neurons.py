"""A column of MLP neurons whose fill shows their activation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import RIGHT, Circle, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_choice, check_count, check_decimals, check_size
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.mobjects.vectors import as_array, color_scale, constructor_options, shown_indices
from llmviz.style import DEFAULTS, PALETTE, value_to_color

__all__ = ["NeuronColumn"]


class NeuronColumn(VGroup):
    """Neurons as circles, filled by activation, with ellipses for thousands of neurons.

    The column copies ``values`` when it is built: what it shows and reports (:attr:`values`,
    read-only) are the values at construction; the caller's array is never frozen, changed or
    kept.

    Parameters
    ----------
    values
        One real value per neuron: pre-activations (any sign) or activations after ReLU.
    state
        ``"pre"``: fill colour by sign (blue positive, orange negative), strength by magnitude;
        ``"post"``: the brightness of an active neuron, dark for zero.
    max_neurons, head, tail
        How many to draw before an ellipsis (first ``head``, "⋮", last ``tail``).
    highlight
        Indices of neurons to ring in the highlight colour (they are always drawn: pass
        ``head``/``tail`` or a larger ``max_neurons`` if needed, else an error says which).
    show_values
        Write each value beside its neuron.

    Examples
    --------
    >>> from llmviz.mobjects import NeuronColumn
    >>> col = NeuronColumn([-1.0, 0.5, 2.0], state="pre", highlight=[2])
    >>> [n.text for n in col.numbers], col.highlighted
    (['-1.00', '0.50', '2.00'], [2])

    .. manim:: NeuronColumnExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import NeuronColumn
        from llmviz.model import hook_name, load_model

        class NeuronColumnExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                post = trace[hook_name("post", 0)][-1]  # layer 0's neurons after ReLU, last token
                self.add(NeuronColumn(post, max_neurons=8, radius=0.24, font_size=30))
                self.wait(0.1)
    """

    def __init__(
        self,
        values: Sequence[float] | np.ndarray,
        state: str = "post",
        max_neurons: int = 10,
        head: int | None = None,
        tail: int | None = None,
        highlight: Sequence[int] = (),
        show_values: bool = True,
        decimals: int | None = None,
        saturation: float | None = None,
        radius: float = 0.16,
        font_size: float = 20,
        buff: float = 0.1,
        **kwargs,
    ) -> None:
        options = constructor_options(locals(), "values")
        what = "NeuronColumn"
        decimals = check_decimals(DEFAULTS["decimals"] if decimals is None else decimals, what)
        check_choice(state, "state", what, ("pre", "post"))
        max_neurons = check_count(max_neurons, "max_neurons", what)
        head = check_count(head, "head", what, minimum=0, optional=True)
        tail = check_count(tail, "tail", what, minimum=0, optional=True)
        check_size(saturation, "saturation", what, optional=True)
        check_size(radius, "radius", what)
        check_size(font_size, "font_size", what)
        check_size(buff, "buff", what, zero=True)
        column_values = as_array(values, 1, what, "(n_neurons,)")  # our own copy
        super().__init__(**kwargs)
        self._options = options
        self.values = column_values
        self.values.setflags(write=False)
        self.state = state
        self.indices = shown_indices(len(self.values), max_neurons, head, tail)
        missing = [i for i in highlight if i not in self.indices]
        if missing:
            raise LLMVizError(
                f"highlighted neurons {missing} are hidden behind the ellipsis; "
                f"shown: {[i for i in self.indices if i is not None]} (raise max_neurons or set head/tail)"
            )
        self.highlighted = list(highlight)
        shown = np.array([self.values[i] for i in self.indices if i is not None])
        self.saturation = saturation if saturation is not None else color_scale(shown)
        self.neurons, self.numbers, self.rings = VGroup(), VGroup(), VGroup()
        self.ellipsis = None
        y = 0.0
        for i in self.indices:
            if i is None:
                self.ellipsis = FastText(
                    "⋮", font_size=font_size * 1.2, color=PALETTE["muted"]
                ).move_to([0, y, 0])
                self.add(self.ellipsis)
                y -= 2 * radius + buff
                continue
            v = float(self.values[i])
            c = Circle(radius=radius, stroke_color=PALETTE["muted"], stroke_width=2)
            c.set_fill(*self._fill(v)).move_to([0, y, 0])
            c.source_index = i
            self.neurons.add(c)
            if show_values:
                n = FastNumber(
                    v,
                    decimals=decimals,
                    font_size=font_size,
                    color=value_to_color(v, self.saturation) if state == "pre" else PALETTE["text"],
                )
                n.next_to(c, RIGHT, buff=0.15)
                n.source_index = i
                self.numbers.add(n)
            if i in self.highlighted:
                self.rings.add(
                    Circle(
                        radius=radius * 1.35, stroke_color=PALETTE["highlight"], stroke_width=4
                    ).move_to(c)
                )
            y -= 2 * radius + buff
        self.add(self.neurons, self.numbers, self.rings)
        self.center()

    def _fill(self, v: float) -> tuple[str, float]:
        if not np.isfinite(v):
            return PALETTE["highlight"], 1.0
        strength = min(1.0, abs(v) / self.saturation) if self.saturation > 0 else 0.0
        if self.state == "post":
            return PALETTE["positive"] if v > 0 else PALETTE["box"], (
                0.15 + 0.85 * strength
            ) if v > 0 else 1.0
        return value_to_color(v, self.saturation), 0.25 + 0.75 * strength

    def neuron(self, index: int) -> Circle:
        for c in self.neurons:
            if c.source_index == index:
                return c
        raise LLMVizError(
            f"neuron {index} is not shown; shown: {[i for i in self.indices if i is not None]}"
        )

    def number(self, index: int) -> FastNumber:
        for n in self.numbers:
            if n.source_index == index:
                return n
        raise LLMVizError(f"neuron {index} has no value shown")

    def copy_with(self, values, **overrides) -> NeuronColumn:
        """A column of the same style with other values, its first neuron where this one's is."""
        new = NeuronColumn(values, **{**self._options, **overrides})
        if len(self.neurons) and len(new.neurons):
            new.shift(self.neurons[0].get_center() - new.neurons[0].get_center())
        return new

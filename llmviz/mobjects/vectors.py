"""Columns and rows of numbers in brackets, coloured by sign and magnitude."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import UP, VGroup, VMobject

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import (
    check_choice,
    check_count,
    check_decimals,
    check_size,
    real_array,
)
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.style import DEFAULTS, PALETTE, value_to_color

__all__ = [
    "NumericVector",
    "Bracket",
    "as_array",
    "shown_indices",
    "color_scale",
    "bounds",
    "recenter",
    "brackets_around",
    "constructor_options",
]


def as_array(values, ndim: int, what: str, shape_hint: str, arg: str = "values") -> np.ndarray:
    """A float64 copy of ``values`` with ``ndim`` dimensions (real numbers only), or a clear
    error naming the argument and the shape. The caller's array is never kept or changed."""
    return real_array(values, ndim, what, arg, shape_hint)


def shown_indices(
    n: int, max_shown: int, head: int | None = None, tail: int | None = None
) -> list[int | None]:
    """Which entries to draw: all of them, or the first ``head``, an ellipsis (None), the last ``tail``.

    Examples
    --------
    >>> shown_indices(5, 8)
    [0, 1, 2, 3, 4]
    >>> shown_indices(100, 6)
    [0, 1, 2, 3, None, 99]
    >>> shown_indices(100, 6, head=2, tail=2)
    [0, 1, None, 98, 99]
    """
    if n <= max_shown:
        return list(range(n))
    if head is None or tail is None:
        tail = tail if tail is not None else max(1, (max_shown - 1) // 3)
        head = head if head is not None else max(1, max_shown - 1 - tail)
    head, tail = min(head, n), min(tail, max(0, n - head))
    return [*range(head), None, *range(n - tail, n)]


def color_scale(values: np.ndarray) -> float:
    """The magnitude at which colours saturate: the largest finite absolute value (1 if none)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def constructor_options(arguments: dict, *exclude: str) -> dict:
    """The constructor's keyword arguments, from ``locals()`` taken first thing in ``__init__``,
    so that ``copy_with`` can build the same kind of mobject with other values."""
    skip = {"self", "kwargs", "__class__", *exclude}
    return {k: v for k, v in arguments.items() if k not in skip}


def bounds(mobject) -> tuple[np.ndarray, np.ndarray]:
    """Lower-left and upper-right corners of all points of ``mobject``'s family (numpy only;
    manim's ``get_critical_point`` costs far more per call)."""
    pts = [m.points for m in mobject.get_family() if len(m.points)]
    allpts = np.concatenate(pts) if pts else np.zeros((1, 3))
    return allpts.min(0), allpts.max(0)


def recenter(mobject) -> None:
    """Shift ``mobject`` so that the centre of its bounding box is the origin (like ``center()``)."""
    lo, hi = bounds(mobject)
    mobject.shift(-(lo + hi) / 2)


def brackets_around(
    lo: np.ndarray, hi: np.ndarray, buff: float = 0.1, min_height: float = 0.5, arm: float = 0.12
) -> VGroup:
    """A "[" and a "]" enclosing the box from ``lo`` to ``hi``, ``buff`` away from it."""
    height = max(hi[1] - lo[1] + 0.2, min_height)
    cy = (lo[1] + hi[1]) / 2
    left = Bracket(height, "left", arm=arm).shift([lo[0] - buff - arm, cy, 0])
    right = Bracket(height, "right", arm=arm).shift([hi[0] + buff + arm, cy, 0])
    return VGroup(left, right)


class Bracket(VMobject):
    """A square bracket of a given height; ``side="left"`` draws "[", ``"right"`` draws "]".

    Examples
    --------
    .. manim:: BracketExample
        :save_last_frame:

        from manim import LEFT, RIGHT, Scene
        from llmviz.mobjects import Bracket, FastText
        from llmviz.model import load_model

        class BracketExample(Scene):
            def construct(self):
                d_model = load_model().cfg.d_model
                self.add(
                    Bracket(2.0, "left").shift(1.2 * LEFT),
                    FastText(f"{d_model} numbers", font_size=36),
                    Bracket(2.0, "right").shift(1.2 * RIGHT),
                )
                self.wait(0.1)
    """

    def __init__(
        self,
        height: float,
        side: str = "left",
        arm: float = 0.12,
        color: str | None = None,
        stroke_width: float = 2.5,
        **kwargs,
    ) -> None:
        check_choice(side, "side", "Bracket", ("left", "right"))
        check_size(height, "height", "Bracket", zero=True)
        check_size(arm, "arm", "Bracket", zero=True)
        super().__init__(color=color or PALETTE["muted"], stroke_width=stroke_width, **kwargs)
        s = 1 if side == "left" else -1
        h = height / 2
        self.set_points_as_corners([[s * arm, h, 0], [0, h, 0], [0, -h, 0], [s * arm, -h, 0]])


class NumericVector(VGroup):
    """A column (or row) of real values in brackets, with ellipses for long vectors.

    The vector copies ``values`` when it is built: the numbers it shows and reports
    (:attr:`values`, read-only) are those at construction, and the caller's array is never
    frozen, changed or kept.

    Parameters
    ----------
    values
        A 1-D array of real numbers (not complex, bool or text). NaN shows as "NaN" in the
        highlight colour, infinities as "∞".
    max_entries
        Vectors longer than this show their first ``head`` entries, an ellipsis, the last ``tail``.
    head, tail
        Override how many entries are shown before and after the ellipsis.
    decimals, sign, thousands
        Number format (see :class:`~llmviz.mobjects.FastNumber`): ``thousands`` groups the digits
        of large entries ("2,980.96").
    direction
        ``"column"`` (default) or ``"row"``.
    color_by_value
        Colour each entry by sign and magnitude (``llmviz.style.value_to_color``).
    saturation
        Magnitude at which colours saturate (default: the largest shown magnitude).
    label
        Optional text under the vector, e.g. ``"12,288"``; ``True`` writes the length.
    font_size
        Size of the numbers.
    label_size
        Size of the label (default: three quarters of ``font_size``).

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import NumericVector
    >>> v = NumericVector(np.arange(100) / 10, max_entries=6, label=True)
    >>> [e.text for e in v.entries], v.indices
    (['0.00', '0.10', '0.20', '0.30', '9.90'], [0, 1, 2, 3, None, 99])

    .. manim:: NumericVectorExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class NumericVectorExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                residual = trace[hook_name("resid_post", 0)][-1]  # the last token's vector, [d_model]
                self.add(NumericVector(residual, max_entries=8, label=True, font_size=32))
                self.wait(0.1)
    """

    def __init__(
        self,
        values: Sequence[float] | np.ndarray,
        max_entries: int = 8,
        head: int | None = None,
        tail: int | None = None,
        decimals: int | None = None,
        sign: bool = False,
        direction: str = "column",
        color_by_value: bool = True,
        thousands: bool = False,
        saturation: float | None = None,
        label: str | bool | None = None,
        font_size: float = 24,
        entry_buff: float = 0.1,
        label_size: float | None = None,
        **kwargs,
    ) -> None:
        options = constructor_options(locals(), "values")
        what = "NumericVector"
        decimals = check_decimals(DEFAULTS["decimals"] if decimals is None else decimals, what)
        check_choice(direction, "direction", what, ("column", "row"))
        max_entries = check_count(max_entries, "max_entries", what)
        head = check_count(head, "head", what, minimum=0, optional=True)
        tail = check_count(tail, "tail", what, minimum=0, optional=True)
        check_size(font_size, "font_size", what)
        check_size(label_size, "label_size", what, optional=True)
        check_size(saturation, "saturation", what, optional=True)
        check_size(entry_buff, "entry_buff", what, zero=True)
        self.values = as_array(values, 1, what, "(n,)")  # our own copy
        super().__init__(**kwargs)
        self._options = options
        self.values.setflags(write=False)  # our copy is frozen, never the caller's array
        self.direction, self.decimals = direction, decimals
        self.indices = shown_indices(len(self.values), max_entries, head, tail)
        shown = np.array([self.values[i] for i in self.indices if i is not None])
        self.saturation = saturation if saturation is not None else color_scale(shown)
        self.entries = VGroup()
        cells = VGroup()
        self.ellipsis = None
        for i in self.indices:
            if i is None:
                self.ellipsis = FastText(
                    "⋮" if direction == "column" else "⋯",
                    font_size=font_size,
                    color=PALETTE["muted"],
                )
                cells.add(self.ellipsis)
                continue
            v = float(self.values[i])
            color = value_to_color(v, self.saturation) if color_by_value else PALETTE["text"]
            entry = FastNumber(
                v,
                decimals=decimals,
                sign=sign,
                thousands=thousands,
                font_size=font_size,
                color=color,
            )
            entry.source_index = i
            self.entries.add(entry)
            cells.add(entry)
        if direction == "column":  # right-aligned, so the decimal points line up
            row_h = font_size / 48 * 0.62
            width = max((e.width for e in self.entries), default=0.3)
            for k, c in enumerate(cells):
                y = -k * (row_h + entry_buff)
                if c is self.ellipsis:
                    c.place(-width / 2, y)
                else:
                    c.place(0, y, "right")
        else:
            x = 0.0
            for c in cells:
                c.place(x + c.width / 2, 0)
                x += c.width + 3 * entry_buff
        self.cells = cells
        lo, hi = bounds(cells) if len(cells) else (np.array([0, -0.2, 0]), np.array([0.4, 0.2, 0]))
        self.brackets = brackets_around(lo, hi, buff=0.1, min_height=0.6)
        self.add(self.brackets, cells)
        self.label = None
        if label:
            text = f"{len(self.values):,}" if label is True else str(label)
            size = font_size * 0.75 if label_size is None else label_size
            self.label = FastText(text, font_size=size, color=PALETTE["muted"])
            blo, bhi = bounds(self.brackets)
            if direction == "column":
                self.label.place((blo[0] + bhi[0]) / 2, blo[1] - 0.15 - self.label.height / 2)
            else:
                self.label.place(bhi[0] + 0.15, (blo[1] + bhi[1]) / 2, "left")
            self.add(self.label)
        recenter(self)

    def get_entry(self, index: int) -> FastNumber:
        """The mobject that shows ``values[index]`` (an error if it is hidden behind the ellipsis)."""
        for e in self.entries:
            if e.source_index == index:
                return e
        raise LLMVizError(
            f"entry {index} is not shown; shown entries: {[i for i in self.indices if i is not None]}"
        )

    def copy_with(self, values, **overrides) -> NumericVector:
        """A vector of the same style holding ``values``, placed where this one is."""
        opts = {**self._options, **overrides}
        return NumericVector(values, **opts).move_to(
            self.cells.get_center() if len(self.cells) else self
        )

    @property
    def shown_values(self) -> list[float]:
        return [e.value for e in self.entries]

    def entry_rows(self) -> dict[int, float]:
        """Index -> y (or x for rows) of each shown entry, for aligning other mobjects with it."""
        axis = 1 if self.direction == "column" else 0
        return {e.source_index: float(e.get_center()[axis]) for e in self.entries}

    def bracket_top(self):
        return self.brackets.get_edge_center(UP)

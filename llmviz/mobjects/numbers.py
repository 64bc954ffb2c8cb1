"""Fast, LaTeX-free numbers: glyph outlines laid out once, then reused as point arrays.

Building a :class:`FastNumber` copies a few cached numpy arrays; it never calls LaTeX or Pango
after the first use of each character, which makes it far cheaper than ``DecimalNumber`` or
``Text`` (see ``python -m llmviz.bench``).
"""

from __future__ import annotations

import math

import numpy as np
from manim import VMobject

from llmviz.errors import ArgumentError
from llmviz.mobjects._checks import check_decimals, check_size, real_number
from llmviz.style import DEFAULTS, FONTS, MONO_FONT, PALETTE, format_number

__all__ = ["FastNumber", "FastText", "glyph"]

_BASE_SIZE = 48  # glyphs are cached at this font size and scaled
_GLYPHS: dict[tuple[str, str], tuple[np.ndarray, float]] = {}
_DISPLAY = str.maketrans({"-": "\u2212"})  # a real minus sign, as wide as "+"


def _zero_advance(font: str) -> float:
    from manim import Text

    key = (font, "\0advance")
    if key not in _GLYPHS:
        z = Text("00", font=font, font_size=_BASE_SIZE)
        _GLYPHS[key] = (np.zeros((0, 3)), float(z[1].get_center()[0] - z[0].get_center()[0]))
    return _GLYPHS[key][1]


def glyph(char: str, font: str = MONO_FONT) -> tuple[np.ndarray, float]:
    """Outline points of one character at font size 48, relative to its cell's left edge on the
    baseline, and the cell's width. Measured once per (font, character) between two zeros."""
    key = (font, char)
    if key in _GLYPHS:
        return _GLYPHS[key]
    from manim import Text

    adv0 = _zero_advance(font)
    if char.isspace():  # the distance between two zeros with the space between them
        t = Text(f"0{char}0", font=font, font_size=_BASE_SIZE)
        width = float(t[-1].get_center()[0] - t[0].get_center()[0]) - adv0
        _GLYPHS[key] = (np.zeros((0, 3)), width if width > 0 else adv0 / 2)
        return _GLYPHS[key]
    t = Text(f"0{char}0", font=font, font_size=_BASE_SIZE)
    xs = [m.get_center()[0] for m in t.submobjects]
    if len(xs) not in (2, 3) or xs[0] != min(xs) or xs[-1] != max(xs):
        # no font draws it (Pango would show a box of hex digits) or it reorders the line
        # (right-to-left letters, bidi controls): drawn as its name, <U+05E9>
        _GLYPHS[key] = _layout(stand_in_name(char), font, _BASE_SIZE)
        return _GLYPHS[key]
    first, last = t.submobjects[0], t.submobjects[-1]
    middle = t.submobjects[1:-1]
    left = first.get_center()[0] + adv0 / 2
    width = (last.get_center()[0] - adv0 / 2) - left
    baseline = first.get_bottom()[1]
    pts = np.concatenate([m.points for m in middle]) if middle else np.zeros((0, 3))
    _GLYPHS[key] = (pts - np.array([left, baseline, 0.0]), float(width))
    return _GLYPHS[key]


def stand_in_name(char: str) -> str:
    """What FastText draws for a character that no installed font draws, or that Pango would
    reorder (right-to-left letters, bidi controls): its code point.

    Examples
    --------
    >>> stand_in_name("ש")
    '<U+05E9>'
    """
    return f"<U+{ord(char):04X}>"


def _layout(text: str, font: str, font_size: float) -> tuple[np.ndarray, float]:
    parts, x = [], 0.0
    for ch in text:
        pts, adv = glyph(ch, font)
        if len(pts):
            parts.append(pts + np.array([x, 0.0, 0.0]))
        x += adv
    scale = font_size / _BASE_SIZE
    pts = np.concatenate(parts) * scale if parts else np.zeros((0, 3))
    return pts, x * scale


_PROTOTYPES: dict[str, dict] = {}
_ARRAYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas", "sheen_direction")


def _fast_vmobject_init(mob: VMobject, color, **kwargs) -> None:
    """Initialise ``mob`` as a filled, stroke-less VMobject of ``color``.

    Running ``VMobject.__init__`` (colour parsing, rgba arrays) costs more than laying out a
    number, so the attributes of one fully initialised prototype per colour are copied instead;
    mutable ones (arrays, lists) are copied so that instances stay independent. Any extra
    keyword argument takes the ordinary path.
    """
    if kwargs:
        VMobject.__init__(mob, fill_opacity=1.0, stroke_width=0, color=color, **kwargs)
        return
    key = str(color)
    proto = _PROTOTYPES.get(key)
    if proto is None:
        proto = VMobject(fill_opacity=1.0, stroke_width=0, color=color).__dict__
        _PROTOTYPES[key] = proto
    mob.__dict__.update(proto)
    for name in _ARRAYS:
        setattr(mob, name, proto[name].copy())
    mob.submobjects, mob.updaters = [], []
    mob.name = type(mob).__name__


class FastText(VMobject):
    """A short string drawn from cached glyph outlines (one VMobject, no Pango call after warm-up).

    Parameters
    ----------
    text
        The characters to draw.
    font_size
        Size as in manim's ``Text``.
    font
        A font installed on the system (default: the prose font, ``FONTS["text"]``; tokens and
        code pass ``FONTS["mono"]``).

    Examples
    --------
    >>> from llmviz.mobjects.numbers import FastText
    >>> FastText("−∞").text
    '−∞'

    .. manim:: FastTextExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import FastText
        from llmviz.model import load_model

        class FastTextExample(Scene):
            def construct(self):
                tokens = load_model().run("Michael Jordan plays the sport of").tokens
                self.add(FastText(" | ".join(tokens), font_size=36))
                self.wait(0.1)
    """

    def __init__(
        self,
        text: str,
        font_size: float = 24,
        font: str | None = None,
        color: str | None = None,
        **kwargs,
    ) -> None:
        if not isinstance(text, str):
            raise ArgumentError(
                f"{type(self).__name__}: text must be a str, not {type(text).__name__} {text!r:.40}"
            )
        check_size(font_size, "font_size", type(self).__name__)
        _fast_vmobject_init(self, color or PALETTE["text"], **kwargs)
        self.font, self.font_size = font or FONTS["text"], font_size
        self._set_text(text)
        self.points -= (self.points.min(0) + self.points.max(0)) / 2  # like Text: at the origin

    def _set_text(self, text: str) -> None:
        self.text = text
        pts, self.advance = _layout(text, self.font, self.font_size)
        if len(pts) == 0:  # keep an invisible anchor so that the mobject has a position and width
            pts = np.array([[0, 0, 0], [self.advance, 0, 0]] * 2, dtype=float)[:4]
            self.set_fill(opacity=0)
        self.set_points(pts)

    @property
    def baseline(self) -> float:
        """The y of the line the letters sit on (descenders such as "p" reach below it).

        Texts side by side line up when their baselines agree, not their bottoms:

        >>> from llmviz.mobjects.numbers import FastText
        >>> a, p = FastText("HI"), FastText("sleeps")
        >>> bool(abs(a.baseline - a.get_bottom()[1]) < 0.01), bool(p.baseline > p.get_bottom()[1] + 0.02)
        (True, True)
        """
        pts, _ = _layout(self.text, self.font, self.font_size)  # cached glyphs, baseline at y = 0
        if len(pts) == 0:
            return float(self.get_bottom()[1])
        lo, hi = pts[:, 1].min(), pts[:, 1].max()
        share = -lo / (hi - lo) if hi > lo else 0.0  # how much of the height lies below it
        return float(self.get_bottom()[1] + share * self.height)

    def place(self, x: float, y: float, align: str = "center") -> FastText:
        """Move so that the centre (or the ``"left"``/``"right"`` edge) sits at ``(x, y)``.

        The same as ``move_to`` with ``aligned_edge``, computed directly on the points (fast).
        """
        lo, hi = self.points.min(0), self.points.max(0)
        ref_x = {"center": (lo[0] + hi[0]) / 2, "left": lo[0], "right": hi[0]}[align]
        self.points += np.array([x - ref_x, y - (lo[1] + hi[1]) / 2, 0.0])
        return self


class FastNumber(FastText):
    """A signed number drawn without LaTeX, with fixed decimals, sign, thousands separators and
    explicit renderings of -inf, +inf and NaN.

    Parameters
    ----------
    value
        The real number to show (not text, bool or complex). ``float("-inf")`` renders as "−∞"
        (a masked cell), NaN as "NaN".
    decimals
        Digits after the decimal point, a whole number from 0 to 6 (default: the ``decimals``
        setting, 2 unless changed).
    sign
        Always show the sign ("+0.50").
    thousands
        Group digits ("175,181,291,520").
    suffix
        Text after the number, such as "%".
    font_size, font, color
        As for :class:`FastText`; the default font is ``FONTS["numbers"]``, whose digits all
        have the same width, so that numbers with the same decimals line up in a column.

    Examples
    --------
    >>> from llmviz.mobjects import FastNumber
    >>> n = FastNumber(-1.23456, decimals=3)
    >>> n.text, n.value
    ('-1.235', -1.23456)
    >>> n.set_value(2.0).text
    '2.000'

    .. manim:: FastNumberExample
        :save_last_frame:

        from manim import DOWN, Scene
        from llmviz.mobjects import FastNumber, FastText
        from llmviz.model import load_model

        class FastNumberExample(Scene):
            def construct(self):
                best = load_model().run("Michael Jordan plays the sport of").top_k(1)[0]
                number = FastNumber(100 * best.prob, decimals=1, suffix="%", font_size=96)
                self.add(number, FastText(f"P({best.token.strip()})").next_to(number, DOWN))
                self.wait(0.1)
    """

    def __init__(
        self,
        value: float,
        decimals: int | None = None,
        sign: bool = False,
        thousands: bool = False,
        font_size: float = 24,
        font: str | None = None,
        color: str | None = None,
        suffix: str = "",
        **kwargs,
    ) -> None:
        decimals = check_decimals(
            DEFAULTS["decimals"] if decimals is None else decimals, "FastNumber"
        )
        self.decimals, self.sign, self.thousands, self.suffix = decimals, sign, thousands, suffix
        self.value = real_number(value, "FastNumber")
        super().__init__(
            self._format(self.value),
            font_size=font_size,
            font=font or FONTS["numbers"],
            color=color,
            **kwargs,
        )

    def _format(self, value: float) -> str:
        return format_number(value, self.decimals, self.sign, self.thousands) + self.suffix

    def _set_text(self, text: str) -> None:
        # keep the formatted string in .text; draw it with a real minus sign
        super()._set_text(text.translate(_DISPLAY))
        self.text = text

    def set_value(self, value: float) -> FastNumber:
        """Show ``value`` instead, keeping the number's centre where it was."""
        center = self.get_center()
        self.value = real_number(value, "FastNumber.set_value")
        self._set_text(self._format(self.value))
        self.move_to(center)
        return self

    def get_value(self) -> float:
        return self.value

    @property
    def is_finite(self) -> bool:
        return math.isfinite(self.value)

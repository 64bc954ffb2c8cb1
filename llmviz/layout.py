"""Text and layout helpers for lecture scenes: prose, tokens and code, typeset math, numbers,
and fitting, keeping in frame and stacking apart. Numbers never go through LaTeX."""

from __future__ import annotations

import re

import numpy as np
from manim import DL, DOWN, LEFT, ORIGIN, RIGHT, UP, UR, Axes, MathTex, VGroup, config

from llmviz.errors import ArgumentError, LLMVizError, escape_controls
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.style import FONTS, PALETTE

__all__ = [
    "text",
    "caption",
    "code",
    "math",
    "prose",
    "in_frame",
    "lines",
    "title",
    "number",
    "plain_axes",
    "fit_width",
    "fill_frame",
    "safe_area",
    "stack_apart",
    "place_label",
    "backdrop",
    "READABLE_TEXT",
]


def text(s: str, size: float = 24, color: str | None = None) -> FastText:
    """Prose in the theme's proportional font and text colour (numbers never go through LaTeX);
    control characters (ESC, BEL, a tab) are shown as escapes.

    Examples
    --------
    >>> text("softmax", 30).text
    'softmax'
    """
    return FastText(
        escape_controls(s, keep_newlines=True), font_size=size, color=color or PALETTE["text"]
    )


def code(s: str, size: float = 24, color: str | None = None) -> FastText:
    """A token or a code name, in the monospace font (a leading space shows as '␣' only when
    the caller passes it through :func:`~llmviz.style.display_token`)."""
    return FastText(
        escape_controls(s, keep_newlines=True),
        font_size=size,
        font=FONTS["mono"],
        color=color or PALETTE["text"],
    )


def math(tex: str, size: float = 32, color: str | None = None) -> MathTex:
    r"""A formula typeset by LaTeX (manim caches each one), for static labels such as
    ``math(r"W_{\text{up}}\,x + b")``: real subscripts, Σ, √, exp. Numbers from the model
    are :class:`~llmviz.mobjects.FastNumber`, never LaTeX."""
    m = MathTex(tex, font_size=size, color=color or PALETTE["text"])
    m.text = tex  # what the frame checks and tests call it
    return m


def prose(s: str, size: float = 24, color: str | None = None) -> VGroup:
    r"""A line of prose with math inside ``$...$`` typeset (``"queries  $W_Q x$"``): the prose
    parts are :func:`text` (so numbers in them never go through LaTeX), the math parts
    :func:`math`, side by side on one baseline. ``.text`` is the line without the dollars.

    Examples
    --------
    >>> import logging
    >>> logging.getLogger("manim").setLevel(logging.WARNING)  # no "Writing ... .tex" lines
    >>> line = prose("keys  $W_K x$", 20)
    >>> line.text, [type(p).__name__ for p in line]
    ('keys  W_K x', ['FastText', 'MathTex'])
    """
    parts = [p for p in re.split(r"(\$[^$]+\$)", s) if p.strip()]
    if not parts:
        raise ArgumentError(f"prose needs some text, got {s!r}")
    # LaTeX's capitals at a given font size are smaller than the prose font's: scale the math so
    # that a W in it stands as tall as a W in the text beside it
    scale = text("W", size).height / math("W", size).height
    pieces = [
        math(p[1:-1], size * scale, color) if p.startswith("$") else text(p.strip(), size, color)
        for p in parts
    ]
    line = VGroup(*pieces).arrange(RIGHT, buff=0.22 * size / 24)
    base = _baseline(pieces[0])
    for piece in pieces[1:]:
        piece.shift(UP * (base - _baseline(piece)))
    line.text = s.replace("$", "")
    return line


def _baseline(m) -> float:
    """The y a text sits on: a FastText's own, a formula's first glyph's bottom."""
    if isinstance(m, FastText):
        return m.baseline
    return float(m.family_members_with_points()[0].get_bottom()[1])


#: The smallest font size :func:`fit_width` shrinks a line of text to (readable at 480p).
READABLE_TEXT = 19.5


def in_frame(mobject, margin: float = 0.3):
    """Keep ``mobject`` inside the frame, ``margin`` from its edges: shrink it to the frame's
    width if it is wider, then shift it back in across whichever edges it reaches past (many
    decimals, a long token's label beside an arrow near the edge). Returns it.

    Examples
    --------
    >>> from manim import config
    >>> from llmviz.mobjects.numbers import FastText
    >>> t = in_frame(FastText("far right").move_to([8.0, 5.0, 0.0]), margin=0.3)
    >>> right, top = config.frame_width / 2 - 0.3, config.frame_height / 2 - 0.3
    >>> bool(abs(t.get_right()[0] - right) < 1e-9 and abs(t.get_top()[1] - top) < 1e-9)
    True
    """
    half_w = config.frame_width / 2 - margin
    half_h = config.frame_height / 2 - margin
    if mobject.width > 2 * half_w:
        mobject.scale_to_fit_width(2 * half_w)
    lo, hi = mobject.get_corner(DL), mobject.get_corner(UR)
    mobject.shift(RIGHT * (max(0.0, -half_w - lo[0]) - max(0.0, hi[0] - half_w)))
    mobject.shift(UP * (max(0.0, -half_h - lo[1]) - max(0.0, hi[1] - half_h)))
    return mobject


#: The band at the top of the frame that a step's :func:`title` takes, and the one at the bottom
#: that a :func:`caption` takes (frame units, edge included).
TITLE_BAND, CAPTION_BAND = 1.0, 0.75


def safe_area(
    title=True, caption=False, margin: float = 0.35, gap: float = 0.3
) -> tuple[float, float, float, float]:
    """``(left, bottom, right, top)`` of the part of the frame a picture may fill: the frame less
    ``margin`` on every side, less the title's band (or, given the title mobject, down to
    ``gap`` below it) and the caption's band (or up to ``gap`` above a given caption).

    Examples
    --------
    >>> left, bottom, right, top = safe_area(title=True, caption=False)
    >>> round(right - left, 2), round(top, 2), round(bottom, 2)
    (13.52, 3.0, -3.65)
    """
    for name, value in (("margin", margin), ("gap", gap)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 2:
            raise ArgumentError(f"safe_area: {name} must be a number from 0 to 2, not {value!r}")
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    top, bottom = half_h - margin, -half_h + margin
    if title is True:
        top = half_h - TITLE_BAND
    elif title is not False and title is not None:
        top = min(top, float(title.get_bottom()[1]) - gap)
    if caption is True:
        bottom = -half_h + CAPTION_BAND
    elif caption is not False and caption is not None:
        bottom = max(bottom, float(caption.get_top()[1]) + gap)
    return -half_w + margin, bottom, half_w - margin, top


def fill_frame(
    mobject, title=True, caption=False, max_scale: float = 2.0, shrink: bool = True, **area
):
    """Scale ``mobject`` (up or down, at most ``max_scale`` times) until it fills the frame's
    :func:`safe_area` below the title and above the caption, and centre it there; returns it.
    With ``shrink=False`` a picture that does not fit is left as it is (its numbers never drop
    below the size they were made at).
    Give ``title`` or ``caption`` as the mobject on screen, or True for the usual band, False for
    none. Build a step's whole picture first, then fill the frame with it, so that each part
    appears at its final size.

    Examples
    --------
    >>> from manim import Square
    >>> sq = fill_frame(Square(side_length=1.0))  # at most twice its size
    >>> round(float(sq.height), 2), round(float(sq.get_center()[1]), 3)
    (2.0, -0.325)
    >>> round(float(fill_frame(Square(side_length=1.0), max_scale=10).height), 2)
    6.65
    """
    from manim import Mobject

    if not isinstance(mobject, Mobject):
        raise ArgumentError(f"fill_frame needs a mobject, not {type(mobject).__name__}")
    if isinstance(max_scale, bool) or not isinstance(max_scale, int | float) or max_scale <= 0:
        raise ArgumentError(f"fill_frame: max_scale must be a positive number, not {max_scale!r}")
    left, bottom, right, top = safe_area(title, caption, **area)
    if mobject.width < 1e-6 and mobject.height < 1e-6:
        return mobject
    scale = min(
        (right - left) / max(mobject.width, 1e-6),
        (top - bottom) / max(mobject.height, 1e-6),
        max_scale,
    )
    if scale < 1 and not shrink:
        return mobject
    mobject.scale(scale)
    return mobject.move_to([(left + right) / 2, (bottom + top) / 2, 0.0])


def caption(s: str, size: float = 20) -> FastText:
    """A small muted line at the bottom of the frame (shrunk to fit its width): what a picture
    shows, where its numbers come from.

    Examples
    --------
    >>> bool(caption("values from the model's forward pass").get_bottom()[1] < -3.5)
    True
    """
    return fit_width(text(s, size, PALETTE["muted"])).to_edge(DOWN, buff=0.3)


def fit_width(mobject, width: float = 13.0):
    """Shrink ``mobject`` (never enlarge it) so that it is at most ``width`` wide; returns it.

    A line of text (:func:`text`, :func:`code`) that would shrink below a readable size
    (font size 19.5, about 11 pixels for a capital at 480p; a 64-token prompt) is shortened in
    the middle with " … " instead and kept at that size.

    Examples
    --------
    >>> long = fit_width(text("Michael Jordan plays the sport of basketball. " * 8, 30))
    >>> bool(long.width <= 13.0), " … " in long.text
    (True, True)
    """
    if mobject.width <= width:
        return mobject
    if type(mobject) is FastText and len(mobject.text) > 8 and "\n" not in mobject.text:
        natural = FastText(mobject.text, mobject.font_size, font=mobject.font).width
        size = mobject.font_size * mobject.width / natural if natural else mobject.font_size
        if size * width / mobject.width < READABLE_TEXT:
            _elide(mobject, width, READABLE_TEXT * 1.01)  # a hair above: no rounding below it
            return mobject
    mobject.scale_to_fit_width(width)
    return mobject


def _elide(line: FastText, width: float, size: float) -> None:
    """Keep the start and the end of ``line`` at font ``size`` (never larger than its own)
    within ``width``, joined by " … "."""
    full = line.text
    scale = min(1.0, size / line.font_size)

    def shown(n: int) -> str:
        return f"{full[:n].rstrip()} … {full[len(full) - n :].lstrip()}"

    def fits(n: int) -> bool:
        return FastText(shown(n), line.font_size, font=line.font).width * scale <= width

    lo, hi = 1, len(full) // 2
    while lo < hi:  # the most characters kept at each end
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    centre = line.get_center()
    line._set_text(shown(lo))  # laid out anew at the line's own font size
    line.scale(scale).move_to(centre)


def stack_apart(mobjects, direction=UP, gap: float = 0.08):
    """Move labels along ``direction`` (in order) until none overlaps one placed before it, so
    that names beside close dots stay readable; returns them. The first one never moves.

    Examples
    --------
    >>> a, b = text("Michael Bolt"), text("Roger Bolt")
    >>> _ = stack_apart([a, b.move_to(a)])
    >>> bool(b.get_bottom()[1] >= a.get_top()[1])
    True
    """
    placed = []
    step = np.asarray(direction, dtype=float)
    for m in mobjects:
        for _ in range(50):
            lo, hi = m.get_corner(DOWN + LEFT), m.get_corner(UP + RIGHT)
            hit = [
                p
                for p in placed
                if lo[0] < p.get_right()[0]
                and hi[0] > p.get_left()[0]
                and lo[1] < p.get_top()[1]
                and hi[1] > p.get_bottom()[1]
            ]
            if not hit:
                break
            m.shift(step * (m.height + gap))
        placed.append(m)
    return mobjects


def _segments(m) -> list[tuple[np.ndarray, np.ndarray]]:
    """The straight pieces a label must not cover: a line's or an arrow's shaft."""
    from manim import Line

    out = []
    for part in m.get_family():
        if isinstance(part, Line):
            out.append((np.asarray(part.get_start()), np.asarray(part.get_end())))
    return out


def _covers(label, m, pad: float = 0.04) -> bool:
    """Whether ``label``'s box (grown by ``pad``) meets ``m``: a line or an arrow along its
    shaft, anything else by its own box."""
    lo = label.get_corner(DL)[:2] - pad
    hi = label.get_corner(UR)[:2] + pad
    pieces = _segments(m)
    if pieces:
        for a, b in pieces:
            for t in np.linspace(0.0, 1.0, 24):
                x, y = (a + t * (b - a))[:2]
                if lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1]:
                    return True
        return False
    mlo, mhi = m.get_corner(DL)[:2], m.get_corner(UR)[:2]
    return bool(lo[0] < mhi[0] and hi[0] > mlo[0] and lo[1] < mhi[1] and hi[1] > mlo[1])


def place_label(label, at, avoid=(), away_from=None, buff: float = 0.12):
    """Put ``label`` beside the point ``at`` (a point or a mobject's centre) on the first side
    where it covers none of ``avoid`` (other labels and dots by their boxes, lines and arrows
    along their shafts); sides pointing away from ``away_from`` (a plane's origin) are tried
    first. Returns the label; where every side is taken it goes on the first one.

    Examples
    --------
    >>> from manim import Arrow
    >>> shaft = Arrow(ORIGIN, UP * 2, buff=0)
    >>> label = place_label(text("king"), UP * 2, avoid=[shaft], away_from=ORIGIN)
    >>> bool(label.get_bottom()[1] > 2)  # above the tip, off the shaft
    True
    """
    from manim import DR, UL

    point = np.asarray(at.get_center() if hasattr(at, "get_center") else at, dtype=float)
    sides = [UP, DOWN, RIGHT, LEFT, UR, UL, DR, DL]
    if away_from is not None:
        out = point - np.asarray(
            away_from.get_center() if hasattr(away_from, "get_center") else away_from, float
        )
        if np.linalg.norm(out[:2]) > 1e-9:
            out = out / np.linalg.norm(out)
            sides.sort(key=lambda d: -float(np.dot(d / np.linalg.norm(d), out)))
    for side in sides:
        label.next_to(point, side, buff=buff)
        if not any(_covers(label, m) for m in avoid if m is not label):
            return label
    return label.next_to(point, sides[0], buff=buff)


def backdrop(mobject, buff: float = 0.06, opacity: float = 0.85):
    """A rectangle of the theme's background colour behind ``mobject`` (returned, not added),
    for a label that sits over drawn lines, such as a point's name inside a contour map's rings.
    Put it on screen before the label, so that the label is drawn over it.

    Examples
    --------
    >>> from llmviz.style import PALETTE
    >>> label = text("lowest")
    >>> box = backdrop(label)
    >>> bool(box.width > label.width), box.get_fill_color().to_hex().lower() == PALETTE["background"]
    (True, True)
    """
    from manim import BackgroundRectangle

    return BackgroundRectangle(
        mobject, color=PALETTE["background"], fill_opacity=opacity, buff=buff, stroke_width=0
    )


def lines(*rows: str, size: float = 24, color: str | None = None, align: str = "center") -> VGroup:
    """Lines of text one under another, their baselines evenly spaced (``align``: ``"left"``,
    ``"center"`` or ``"right"``), so that a line with descenders sits no closer to the next.

    Examples
    --------
    >>> block = lines("no mask:", "every query may", "look at", size=20)
    >>> gaps = [block[i].baseline - block[i + 1].baseline for i in range(2)]
    >>> round(gaps[0], 6) == round(gaps[1], 6)
    True
    """
    edges = {"left": LEFT, "center": ORIGIN, "right": RIGHT}
    if align not in edges:
        raise LLMVizError(f"lines: align must be one of {', '.join(edges)}, not {align!r}")
    edge = edges[align]
    block = VGroup(*(text(r, size, color) for r in rows))
    step = 0.83 * size / 48  # the font's full height at this size (0.67 at 48), plus leading
    for i, row in enumerate(block[1:], start=1):
        row.next_to(block[0], DOWN, aligned_edge=edge)
        row.shift((block[0].baseline - i * step - row.baseline) * UP)
    return block


def title(s: str, max_width: float = 13.2) -> FastText:
    """A step's title at the top edge, shrunk to fit the frame's width."""
    return fit_width(text(s, 34), max_width).to_edge(UP, buff=0.35)


def number(v: float, decimals: int = 2, size: float = 26, **kw) -> FastNumber:
    """A real value as a :class:`~llmviz.mobjects.FastNumber` (``format_number`` rules)."""
    return FastNumber(v, decimals=decimals, font_size=size, **kw)


def plain_axes(
    x_range: list[float],
    y_range: list[float],
    x_length: float,
    y_length: float,
    **axis_config,
) -> Axes:
    """Axes in the theme's muted colour without arrow tips (label them with :func:`text`).

    Examples
    --------
    >>> ax = plain_axes([0, 10, 5], [0, 1, 0.5], 4, 2)
    >>> round(float(ax.c2p(10, 0)[0] - ax.c2p(0, 0)[0]), 6)
    4.0
    """
    return Axes(
        x_range=x_range,
        y_range=y_range,
        x_length=x_length,
        y_length=y_length,
        tips=False,
        axis_config={"color": PALETTE["muted"], **axis_config},
    )

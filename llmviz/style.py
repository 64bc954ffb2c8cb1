"""One palette, one colour scale, fonts and the number format used by every scene."""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = [
    "PALETTE",
    "THEMES",
    "FONTS",
    "DEFAULTS",
    "Style",
    "current_style",
    "use_style",
    "apply_theme",
    "set_base_style",
    "BACKGROUND",
    "FONT",
    "MONO_FONT",
    "value_to_color",
    "format_number",
    "display_token",
    "contrast",
    "installed",
    "TEXT_COLORS",
]

THEMES = {
    "dark": {
        "background": "#0f1117",
        "text": "#e8e8e8",
        "muted": "#9aa0aa",
        "positive": "#4fa3ff",  # blue for values above zero
        "negative": "#ff7a59",  # orange-red for values below zero
        "neutral": "#8d939d",  # values near zero: quiet, but still readable
        "highlight": "#ffd166",  # the one accent for what the sentence is about
        "accent": "#06d6a0",
        "box": "#2b303b",  # fills behind tokens (not a text colour)
    },
    "light": {
        "background": "#fbfbf8",
        "text": "#1d1f24",
        "muted": "#575e6a",
        "positive": "#1a62bd",
        "negative": "#b53a0b",
        "neutral": "#676e7a",
        "highlight": "#8a5600",
        "accent": "#06704f",
        "box": "#e6e8ec",
    },
    # for a projector in a lit room: black, white and saturated light colours, nothing dim
    "projector": {
        "background": "#000000",
        "text": "#ffffff",
        "muted": "#c3c8d0",
        "positive": "#6cc0ff",
        "negative": "#ff9466",
        "neutral": "#b4bac4",
        "highlight": "#ffe14d",
        "accent": "#3df2b4",
        "box": "#262b35",
    },
}
#: Colours drawn as text or values: each reaches 4.5:1 against its theme's background (WCAG AA).
TEXT_COLORS = ("text", "muted", "positive", "negative", "neutral", "highlight", "accent")
BACKGROUND = THEMES["dark"]["background"]
#: Prose and titles: a proportional face (Computer Modern, as in 3Blue1Brown's videos, from
#: Debian's fonts-cmu), falling back to DejaVu Serif where it is not installed.
FONT = "CMU Serif"
FALLBACK_FONT = "DejaVu Serif"
#: Tokens and code only.
MONO_FONT = "DejaVu Sans Mono"


@dataclass(frozen=True)
class Style:
    """The look every mobject reads when it is not told otherwise: the theme's colours, the prose
    font, the font for numbers, and the decimals. One object, replaced (never changed in place)
    by :func:`apply_theme` or, for a block of code, :func:`use_style`."""

    theme: str = "dark"
    font: str = FONT
    numbers_font: str = FONT
    decimals: int = 2

    @property
    def colors(self) -> Mapping[str, str]:
        return MappingProxyType(THEMES[self.theme])


_current = [Style()]


def current_style() -> Style:
    """The :class:`Style` in use."""
    return _current[-1]


@contextmanager
def use_style(style: Style):
    """Use ``style`` inside a ``with`` block, then the one before it again.

    Examples
    --------
    >>> with use_style(Style(theme="light", decimals=3)):
    ...     PALETTE["background"], DEFAULTS["decimals"]
    ('#fbfbf8', 3)
    >>> PALETTE["background"]
    '#0f1117'
    """
    if not isinstance(style, Style):
        raise TypeError(f"use_style needs a Style, not {type(style).__name__}")
    _current.append(style)
    try:
        yield style
    finally:
        _current.pop()


class _View(Mapping):
    """A read-only view of a part of the current :class:`Style`, looked up at each use."""

    def __init__(self, read) -> None:
        self._read = read

    def __getitem__(self, key):
        return self._read(current_style())[key]

    def __iter__(self):
        return iter(self._read(current_style()))

    def __len__(self) -> int:
        return len(self._read(current_style()))

    def __repr__(self) -> str:
        return repr(dict(self))


#: The current theme's colours (read-only; :func:`apply_theme` or :func:`use_style` switch them).
PALETTE: Mapping[str, str] = _View(lambda st: st.colors)
#: The current fonts: "text" for prose and titles (the ``font`` setting), "mono" for tokens and
#: code, "numbers" for numbers (Computer Modern's digits all have one width, so a column of
#: numbers with the same decimals lines up on the decimal point).
FONTS: Mapping[str, str] = _View(
    lambda st: {"text": st.font, "mono": MONO_FONT, "numbers": st.numbers_font}
)
#: The current default decimals, as ``DEFAULTS["decimals"]``.
DEFAULTS: Mapping[str, int] = _View(lambda st: {"decimals": st.decimals})


def installed(font: str) -> bool:
    """Whether Pango can find ``font`` on this machine."""
    import manimpango

    return font in _fonts(manimpango)


_FONT_LIST: list[str] = []


def _fonts(manimpango) -> list[str]:
    if not _FONT_LIST:
        _FONT_LIST.extend(manimpango.list_fonts())
    return _FONT_LIST


def apply_theme(theme: str = "dark", font: str | None = None, decimals: int | None = None) -> Style:
    """Switch the palette (``"dark"``, ``"light"`` or ``"projector"``), the prose font and the
    default decimals. Without Computer Modern installed, prose and numbers use DejaVu Serif.
    Returns the base style it replaced, for :func:`set_base_style` to put back."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    default = FONT if installed(FONT) else FALLBACK_FONT
    keep = _current[0].decimals if decimals is None else decimals
    before = _current[0]
    _current[0] = Style(theme, font or default, default, keep)  # the base style, replaced
    return before


def set_base_style(style: Style) -> None:
    """Make ``style`` the base style again (e.g. the one :func:`apply_theme` returned): a lecture
    scene puts back the caller's style when it has rendered, so that its theme and decimals do not
    leak into what is built after it."""
    if not isinstance(style, Style):
        raise TypeError(f"set_base_style needs a Style, not {type(style).__name__}")
    _current[0] = style


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21; text needs 4.5).

    Examples
    --------
    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """

    def luminance(h: str) -> float:
        c = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _mix(a: str, b: str, t: float) -> str:
    ca = np.array([int(a[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    cb = np.array([int(b[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    c = np.clip(np.round(ca + (cb - ca) * t), 0, 255).astype(int)
    return "#" + "".join(f"{v:02x}" for v in c)


def value_to_color(value: float, scale: float = 1.0) -> str:
    """Blue for positive, orange-red for negative, grey near zero; saturates at ``|value| = scale``.

    NaN maps to the highlight colour so that it never passes for a real value.

    Examples
    --------
    >>> value_to_color(0.0) == PALETTE["neutral"]
    True
    >>> value_to_color(5.0) == PALETTE["positive"]
    True
    """
    if value is None or math.isnan(value):
        return PALETTE["highlight"]
    t = min(1.0, abs(value) / scale) if scale > 0 else 1.0
    end = PALETTE["positive"] if value > 0 else PALETTE["negative"]
    return _mix(PALETTE["neutral"], end, t)


def format_number(
    value: float, decimals: int = 2, sign: bool = False, thousands: bool = False
) -> str:
    """Format a number for the screen; ``-inf``, ``+inf`` and NaN get explicit renderings.

    Examples
    --------
    >>> format_number(-0.5), format_number(3, sign=True), format_number(175181291520, 0, thousands=True)
    ('-0.50', '+3.00', '175,181,291,520')
    >>> format_number(float("-inf")), format_number(float("nan"))
    ('-∞', 'NaN')
    """
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "-∞" if v < 0 else ("+∞" if sign else "∞")
    if round(v, decimals) == 0:  # -0.0 and -0.001 show as "0.00": no sign on a zero
        return f"{0:.{decimals}f}"
    return f"{v:{'+' if sign else ''}{',' if thousands else ''}.{decimals}f}"


def display_token(token: str) -> str:
    r"""A token as shown in a box: a leading space becomes '␣', a newline '↵'; the end-of-text
    token (which decodes to nothing) shows its name, and control characters (a tab, ESC, BEL, a
    right-to-left override) are written as escapes, so that no token draws as nothing and none
    can steer a terminal.

    Examples
    --------
    >>> [display_token(t) for t in (" Jordan", "\n", "", "\t", "\x1b[2J")]
    ['␣Jordan', '↵', '<|endoftext|>', '\\t', '\\x1b[2J']
    """
    from llmviz.errors import escape_controls

    if token == "":
        return "<|endoftext|>"
    if token.strip() == "" and set(token) - {" ", "\n"}:
        return escape_controls(token)  # a tab, form feed, ...: written as its escape
    if token.strip() == "":
        return token.replace("\n", "↵").replace(" ", "␣")
    shown = ("␣" if token.startswith(" ") else "") + token.strip().replace("\n", "↵")
    return escape_controls(shown)

"""One palette, one colour scale, fonts and the number format used by every scene."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "PALETTE",
    "THEMES",
    "FONTS",
    "DEFAULTS",
    "apply_theme",
    "BACKGROUND",
    "FONT",
    "MONO_FONT",
    "value_to_color",
    "format_number",
    "display_token",
]

THEMES = {
    "dark": {
        "background": "#0f1117",
        "text": "#e8e8e8",
        "muted": "#8a8f98",
        "positive": "#4fa3ff",  # blue for values above zero
        "negative": "#ff7a59",  # orange-red for values below zero
        "neutral": "#5c6370",
        "highlight": "#ffd166",
        "accent": "#06d6a0",
        "box": "#2b303b",
    },
    "light": {
        "background": "#fbfbf8",
        "text": "#1d1f24",
        "muted": "#5f6672",
        "positive": "#1f6fd1",
        "negative": "#d9480f",
        "neutral": "#b8bcc4",
        "highlight": "#b7791f",
        "accent": "#0a8f6a",
        "box": "#e6e8ec",
    },
}
#: The current colours; :func:`apply_theme` switches them in place before a scene builds anything.
PALETTE: dict[str, str] = dict(THEMES["dark"])
BACKGROUND = THEMES["dark"]["background"]
FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"
#: The current fonts ("text" for words and tokens, "mono" for numbers) and number format.
FONTS: dict[str, str] = {"text": FONT, "mono": MONO_FONT}
DEFAULTS: dict[str, int] = {"decimals": 2}


def apply_theme(theme: str = "dark", font: str | None = None, decimals: int | None = None) -> None:
    """Switch the palette (``"dark"`` or ``"light"``), the text font and the default decimals."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    PALETTE.update(THEMES[theme])
    if font is not None:
        FONTS["text"] = font
    if decimals is not None:
        DEFAULTS["decimals"] = decimals


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
    token (which decodes to nothing) shows its name, and other invisible characters are written
    as escapes, so that no token draws as nothing.

    Examples
    --------
    >>> [display_token(t) for t in (" Jordan", "\n", "", "\t")]
    ['␣Jordan', '↵', '<|endoftext|>', '\\t']
    """
    if token == "":
        return "<|endoftext|>"
    if token.strip() == "" and set(token) - {" ", "\n"}:
        return repr(token)[1:-1]  # a tab, form feed, ...: written as its escape
    return (
        token.replace("\n", "↵").replace(" ", "␣")
        if token.strip() == ""
        else (("␣" if token.startswith(" ") else "") + token.strip().replace("\n", "↵"))
    )

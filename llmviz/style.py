"""One palette, one colour scale, fonts and the number format used by every scene."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "PALETTE",
    "BACKGROUND",
    "FONT",
    "MONO_FONT",
    "value_to_color",
    "format_number",
    "display_token",
]

BACKGROUND = "#0f1117"
PALETTE = {
    "text": "#e8e8e8",
    "muted": "#8a8f98",
    "positive": "#4fa3ff",  # blue for values above zero
    "negative": "#ff7a59",  # orange-red for values below zero
    "neutral": "#5c6370",
    "highlight": "#ffd166",
    "accent": "#06d6a0",
    "box": "#2b303b",
}
FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"


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
    """A token as shown in a box: a leading space becomes '␣', a newline '↵'."""
    return (
        token.replace("\n", "↵").replace(" ", "␣")
        if token.strip() == ""
        else (("␣" if token.startswith(" ") else "") + token.strip().replace("\n", "↵"))
    )

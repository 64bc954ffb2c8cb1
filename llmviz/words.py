"""Values into words: the one place that writes a number, a share or a count for the screen and
for the narration, so that what is said and what is drawn are the same characters.

Every function here is built on :func:`llmviz.style.format_number`, the formatter that
:class:`~llmviz.mobjects.numbers.FastNumber` draws with; a chapter that says a number imports
it from here, and the tests that check "every number spoken is on screen" rely on there being
only one copy.

Examples
--------
>>> signed(0.4567), signed(-0.001), pct(0.9991), plain(1.4449)
('+0.46', '0.00', '99.9', '1.44')
>>> percent(0.99984), percent(0.00003), counted(1, "neuron"), counted(3, "neuron")
('99.98%', '<0.01%', '1 neuron', '3 neurons')
>>> count_word(3), an(8), sci_text(7.9e-17), powers(3.15e23)
('three', 'an 8', '7.9e-17', '3.15 × 10²³')
"""

from __future__ import annotations

import math

from llmviz.style import DEFAULTS, display_token, format_number

__all__ = [
    "signed",
    "plain",
    "pct",
    "percent_decimals",
    "said_number",
    "percent",
    "counted",
    "count_word",
    "an",
    "sci_text",
    "powers",
    "quoted",
]

#: Small counts written out in words, for narration that should not repeat a digit.
WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _decimals(decimals: int | None) -> int:
    """The given decimals, or the ``decimals`` setting that the mobjects draw with."""
    return DEFAULTS["decimals"] if decimals is None else decimals


def signed(v: float, decimals: int | None = None) -> str:
    """A value with its sign, as ``FastNumber(sign=True)`` draws it: "+0.46"; a zero has no sign.

    ``decimals`` defaults to the ``decimals`` setting."""
    return format_number(v, _decimals(decimals), sign=True)


def plain(v: float, decimals: int | None = None) -> str:
    """A value as ``FastNumber`` draws it: "1.44" (``decimals`` defaults to the setting)."""
    return format_number(v, _decimals(decimals))


def pct(p: float, decimals: int | None = None) -> str:
    """A probability as a number of percent, without the sign: 0.9991 -> "99.9". ``decimals``
    defaults to one fewer than the ``decimals`` setting (a percent is already two digits in),
    as :class:`~llmviz.mobjects.ProbabilityBars` draws it."""
    return format_number(100 * p, percent_decimals() if decimals is None else decimals)


def percent_decimals() -> int:
    """Digits after the point of a percentage: one fewer than the ``decimals`` setting (1 for
    the default 2), and none for 0 or 1."""
    return max(0, _decimals(None) - 1)


def said_number(v: float) -> str:
    """A number as a person says it in a sentence: "zero" for 0 (and for -0), else its
    shortest form ("2", "0.5").

    Examples
    --------
    >>> said_number(-0.0), said_number(2.0), said_number(0.25)
    ('zero', '2', '0.25')
    """
    return "zero" if v == 0 else f"{v:g}"


def percent(p: float) -> str:
    """A probability in percent, with the digits it takes to tell 99.98% from 100% and 0.004%
    from 0: "99.98%", "45.3%", "0.31%", "<0.01%"."""
    x = 100 * p
    if x < 0.01:
        return "<0.01%"
    return f"{format_number(x, 2 if x < 1 or x >= 99.9 else 1)}%"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: "1 neuron", "3 neurons", "1,024 weights" (``plural`` for an
    irregular plural)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def count_word(n: int) -> str:
    """A small count in words ("three"); from eleven on, digits ("1,024")."""
    return WORDS[n] if 0 <= n < len(WORDS) else f"{n:,}"


def an(n: int) -> str:
    """A number with its article, as it is read aloud: "a 3", "an 8", "an 11", "an 80"."""
    spoken_vowel = str(n).startswith("8") or n in (11, 18) or 11_000 <= n < 12_000
    return f"{'an' if spoken_vowel else 'a'} {n}"


def sci_text(v: float) -> str:
    """A number too small or too large for fixed decimals: "7.9e-17" (a zero stays "0")."""
    return "0" if v == 0 else f"{v:.1e}"


def powers(x: float) -> str:
    """A large positive number as a power of ten, as the screen writes it: "3.15 × 10²³"."""
    if not x > 0 or math.isinf(x):
        return format_number(x)
    e = math.floor(math.log10(x))
    sup = str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{x / 10**e:.2f} × 10{sup}"


def quoted(token: str) -> str:
    """A token in curly quotes for the narration and the screen: “basketball”; a token that is
    only white space shows as it is drawn in a box (“↵”)."""
    s = token.strip()
    return f"“{s}”" if s else f"“{display_token(token)}”"

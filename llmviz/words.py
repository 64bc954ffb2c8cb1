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
import numbers
import re

from llmviz.style import DEFAULTS, display_token, format_number

__all__ = [
    "counted_is",
    "some_of_are",
    "all_of",
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
    "spoken",
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


def counted_is(n: int, noun: str, plural: str | None = None, verb: str = "is") -> str:
    """A count, its noun and a verb that agrees with it: "1 neuron is", "3 neurons are",
    "1 neuron fires" (``verb="fires"``: a verb in -s drops it for a plural, "2 neurons fire";
    "is", "was" and "has" turn into "are", "were" and "have").

    Examples
    --------
    >>> counted_is(1, "neuron"), counted_is(3, "neuron"), counted_is(2, "neuron", verb="fires")
    ('1 neuron is', '3 neurons are', '2 neurons fire')
    """
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"n must be a whole number, not {type(n).__name__}")
    if n == 1:
        return f"{counted(n, noun, plural)} {verb}"
    irregular = {"is": "are", "was": "were", "has": "have"}
    many = irregular.get(verb) or (verb[:-1] if verb.endswith("s") else verb)
    return f"{counted(n, noun, plural)} {many}"


def some_of_are(k: int, n: int, noun: str, plural: str | None = None, verb: str = "is") -> str:
    """``k`` of ``n`` things with a verb that agrees with ``k``: "1 of 256 neurons is",
    "3 of 256 neurons are".

    Examples
    --------
    >>> some_of_are(1, 256, "neuron"), some_of_are(3, 256, "neuron", verb="fires")
    ('1 of 256 neurons is', '3 of 256 neurons fire')
    """
    one = counted_is(k, noun, plural, verb).split(" ")[-1]
    return f"{k:,} of {n:,} {plural or noun + 's'} {one}"


def all_of(n: int) -> str:
    """How a sentence names all of ``n`` things: "the one" for 1, "both" for 2, else "all 5".

    Examples
    --------
    >>> all_of(1), all_of(2), all_of(5)
    ('the one', 'both', 'all 5')
    """
    return "the one" if n == 1 else "both" if n == 2 else f"all {n:,}"


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


# --- the spoken form ------------------------------------------------------------------------------
#: Large numbers said in words, biggest first: (size, word).
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta",
    "λ": "lambda", "μ": "mu", "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
    "Σ": "sum", "Δ": "delta", "∇": "gradient", "η": "eta", "π": "pi",
}  # fmt: skip
_SIGNS = {
    "×": " times ", "·": " times ", "≈": " about ", "→": " to ", "←": " from ", "−": "-",
    "≤": " at most ", "≥": " at least ", "≠": " is not ", "√": " root of ", "∑": " sum of ",
    "∈": " in ", "…": "...", "↵": "new line", "⊙": " times ", "±": " plus or minus ",
    "ŷ": " y hat ", " = ": " equals ",
}  # fmt: skip
_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₜ", "0123456789ijkt")


def _number_words(x: float) -> str:
    """A long number rounded for the ear: 1207959552 -> "about 1.2 billion", 0.000123 ->
    "about 0.0001", 469693 -> "about 470 thousand"."""
    sign = "minus " if x < 0 else ""
    x = abs(x)
    if x == 0:
        return "zero"
    if x < 1:
        e = math.floor(math.log10(x))
        lead = round(x / 10**e)
        if lead == 10:
            lead, e = 1, e + 1
        if e < -4:
            return f"{sign}about {lead} times ten to the minus {-e}"
        return f"{sign}about {lead / 10**-e:.{-e}f}"
    for size, word in _SCALES:
        if x >= size * 0.9995:
            v = x / size
            text = f"{v:.1f}".removesuffix(".0") if v < 100 else f"{v:.0f}"
            return f"{sign}about {text} {word}"
    return f"{sign}about {float(f'{x:.4g}'):g}"


_NUMBER = re.compile(
    r"(?<![\w.])([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s+(thousand|million|billion))?\b"
)
_WORD_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _say_long_numbers(s: str) -> str:
    """Numbers whose whole part or decimals run to more than four digits, in words."""

    def said(m):
        sign, whole, frac, scale = m.groups()
        digits = whole.replace(",", "")
        if len(digits) <= 4 and len(frac or "") <= 4 and not (scale and len(digits) > 3):
            return m.group(0)
        x = float(f"{digits}.{frac or 0}") * _WORD_SCALE.get(scale, 1)
        words = _number_words(x)
        return f"{'minus ' if sign == '-' else 'plus ' if sign == '+' else ''}{words}"

    return _NUMBER.sub(said, s)


def spoken(written: str) -> str:
    """What a voice says for a written sentence: the same meaning, for the ear.

    - a drawn token mark ``␣of`` is read as the word (" of"), a "↵" as "new line";
    - a share written as zero ("0.0 percent", "0.00%", "<0.01%") is "almost none";
    - a number of more than four digits is rounded and said in words ("about 1.2 billion");
    - symbols are said: "W_down" -> "W down", "E'" -> "E prime", "x_i" -> "x sub i",
      "10²³" -> "10 to the 23", "×" -> "times", Greek letters by name.

    Subtitles and notes keep the written form; only voices and the recording script use this.

    Examples
    --------
    >>> spoken("At the token ␣of, with 0.0 percent.")
    'At the token of, with almost none.'
    >>> spoken("It has 1,207,959,552 weights in W_down and E'.")
    'It has about 1.2 billion weights in W down and E prime.'
    >>> spoken("x_i is 0.000123, or 3.15 × 10²³.")
    'x sub i is about 0.0001, or 3.15 times 10 to the 23.'
    """
    s = str(written)
    s = s.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    s = re.sub(r"␣+", " ", s)  # a token's leading space, as drawn: read as the word itself
    s = re.sub(r"<byte 0x([0-9A-Fa-f]{2})>", r"byte \1", s)
    # near-zero shares: "0.0 percent", "0.00%", "<0.01%", "0 percent" said as "almost none"
    s = re.sub(r"<\s*0\.0*1\s*(?:%|percent)", "almost none", s)
    # "from 99.9 to 0.0 percent": the first number keeps its unit when the second is said away
    s = re.sub(r"(\d(?:\.\d+)?) to (?=[+-]?0(?:\.0+)?\s*(?:%|percent\b))", r"\1 percent to ", s)
    s = re.sub(r"(?<![\d.])[+-]?0(?:\.0+)?\s*(?:%|percent\b)", "almost none", s)
    s = re.sub(r"(\d)%", r"\1 percent", s)
    # powers and subscripts
    s = re.sub(
        r"10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)",
        lambda m: " 10 to the " + m.group(1).translate(_SUPERSCRIPT).replace("-", "minus "),
        s,
    )
    s = s.replace("²", " squared").replace("³", " cubed")
    s = re.sub(r"([A-Za-z])([₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₜ]+)", lambda m: f"{m.group(1)} sub {m.group(2).translate(_SUBSCRIPT)}", s)  # fmt: skip
    # identifiers: W_down -> W down; x_i -> x sub i (a one-letter index); E' -> E prime
    s = re.sub(r"\b([A-Za-z]+)_([A-Za-z0-9]+)\b", lambda m: f"{m.group(1)} {'sub ' if len(m.group(2)) == 1 else ''}{m.group(2)}", s)  # fmt: skip
    s = re.sub(r"\b([A-Za-z])(?:'(?![a-z])|′)", r"\1 prime", s)
    s = re.sub(
        r"(\d(?:\.\d+)?)e([+-]?)0*(\d+)\b",
        lambda m: (
            f"{m.group(1)} times ten to the {'minus ' if m.group(2) == '-' else ''}{m.group(3)}"
        ),
        s,
    )
    for sign, word in {**_SIGNS, **_GREEK}.items():
        s = s.replace(sign, word if word.startswith(" ") else f" {word} ")
    s = _say_long_numbers(s)
    s = re.sub(
        r"(?<=[\w)]) - (?=[\w(])", " minus ", " ".join(s.split())
    )  # 1 - 0.75, as a formula says it
    s = re.sub(r"(?<=[\w)]) \+ (?=[\w(])", " plus ", s)  # w1 x1 + b, as a formula says it
    s = re.sub(r"\bln (?=\d)", "the natural log of ", s)
    s = re.sub(r"\b(about|roughly|nearly|almost) about\b", r"\1", s)
    # "its about 284 thousand parameters" reads badly after a determiner: "its roughly ..."
    s = re.sub(r"\b(its|the|their|his|her|our|your|these|those|all) about\b", r"\1 roughly", s)
    s = re.sub(r"\s+([,.;:!?)])", r"\1", s)
    return " ".join(s.split())

"""Checks of what the mobjects and animations are given, each raising an llmviz error that names
the argument and what is allowed.

Arrays are copied here: a mobject never keeps, freezes or changes a caller's array.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from llmviz.errors import ArgumentError

__all__ = [
    "real_array",
    "real_number",
    "check_decimals",
    "check_count",
    "check_size",
    "check_choice",
    "MAX_DECIMALS",
]

#: The most digits after the decimal point a number on screen may have.
MAX_DECIMALS = 6


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def real_array(values, ndim: int, what: str, arg: str = "values", shape: str = "") -> np.ndarray:
    """A float64 *copy* of ``values`` with ``ndim`` dimensions; real numbers only (NaN and
    ±inf are kept). Complex, boolean, text and other objects are refused."""
    shape = shape or ("(n,)" if ndim == 1 else "(rows, cols)")
    if isinstance(values, (str, bytes)):
        raise ArgumentError(f"{what}: {arg} must be real numbers of shape {shape}, not text")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"{what}: {arg} must be real numbers of shape {shape}, not {type(values).__name__} "
            f"({exc})"
        ) from None
    kind = raw.dtype.kind
    if kind == "c":
        raise ArgumentError(
            f"{what}: {arg} must be real numbers, not complex ({raw.dtype}); pass .real or abs() "
            "if that is what you mean"
        )
    if kind == "b":
        raise ArgumentError(f"{what}: {arg} must be real numbers, not bool; use .astype(float)")
    if kind in "USV":
        raise ArgumentError(f"{what}: {arg} must be real numbers, not text ({raw.dtype})")
    if kind == "O":
        bad = [x for x in raw.ravel().tolist() if not _is_real(x)]
        if bad:
            raise ArgumentError(
                f"{what}: {arg} must be real numbers, but holds {bad[0]!r} "
                f"({type(bad[0]).__name__})"
            )
    if kind not in "iufO":
        raise ArgumentError(f"{what}: {arg} must be real numbers, not {raw.dtype}")
    arr = np.array(raw, dtype=np.float64, copy=True)  # our own copy, never the caller's
    if arr.ndim != ndim:
        raise ArgumentError(f"{what}: {arg} must have shape {shape}, got shape {arr.shape}")
    return arr


def real_number(value, what: str, arg: str = "value") -> float:
    """``value`` as a float: a real number (NaN and ±inf allowed), not text, bool or complex."""
    bad = isinstance(value, (str, bytes, bool, np.bool_))
    if not bad:
        try:
            arr = np.asarray(value)  # a numpy or torch scalar, a 0-d array
        except (TypeError, ValueError):
            bad = True
        else:
            bad = arr.ndim != 0 or arr.dtype.kind not in "iuf"
    if bad:
        raise ArgumentError(
            f"{what}: {arg} must be a real number, not {type(value).__name__} {value!r:.40}"
        )
    return float(arr)


def check_decimals(decimals, what: str) -> int:
    """A whole number of digits from 0 to :data:`MAX_DECIMALS`."""
    if (
        not isinstance(decimals, (int, np.integer))
        or isinstance(decimals, (bool, np.bool_))
        or not 0 <= decimals <= MAX_DECIMALS
    ):
        raise ArgumentError(
            f"{what}: decimals must be a whole number from 0 to {MAX_DECIMALS}, not {decimals!r}"
        )
    return int(decimals)


def check_count(value, arg: str, what: str, minimum: int = 1, optional: bool = False):
    """A whole number >= ``minimum`` (or None when ``optional``)."""
    if optional and value is None:
        return None
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, (bool, np.bool_))
        or value < minimum
    ):
        raise ArgumentError(f"{what}: {arg} must be a whole number >= {minimum}, not {value!r}")
    return int(value)


def check_size(value, arg: str, what: str, optional: bool = False, zero: bool = False):
    """A finite real number > 0 (>= 0 with ``zero``), or None when ``optional``."""
    if optional and value is None:
        return None
    ok = _is_real(value) and math.isfinite(value) and (value >= 0 if zero else value > 0)
    if not ok:
        bound = ">= 0" if zero else "> 0"
        raise ArgumentError(f"{what}: {arg} must be a finite number {bound}, not {value!r}")
    return float(value)


def check_choice(value, arg: str, what: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        names = [repr(a) for a in allowed]
        listed = " or ".join(names) if len(names) == 2 else "one of " + ", ".join(names)
        raise ArgumentError(f"{what}: {arg} must be {listed}, not {value!r}")
    return value

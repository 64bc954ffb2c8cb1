"""The functions the foundations chapter draws and differentiates: the sigmoid and its slope, ReLU,
binary cross-entropy and softmax in any base, with the small argument checks the experiments
share."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from llmviz.errors import LLMVizError

__all__ = ["ACTIVATIONS", "sigmoid", "sigmoid_prime", "relu", "bce", "softmax_base"]


ACTIVATIONS = ("sigmoid", "relu")


def _positive(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise LLMVizError(f"{name} must be a positive number, not {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise LLMVizError(f"{name} must be a positive finite number, not {value!r}")
    return v


def _whole(name: str, value: int, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise LLMVizError(f"{name} must be a whole number >= {low}, not {value!r}")
    return int(value)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """The logistic function ``1 / (1 + e^-z)``, computed stably for large ``|z|``.

    Examples
    --------
    >>> sigmoid(np.array([-100.0, 0.0, 2.0])).round(4).tolist()
    [0.0, 0.5, 0.8808]
    """
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_prime(z: np.ndarray | float) -> np.ndarray:
    """The sigmoid's slope ``sigmoid(z) (1 - sigmoid(z))``; at most 0.25, at ``z = 0``.

    Examples
    --------
    >>> float(sigmoid_prime(0.0))
    0.25
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z: np.ndarray | float) -> np.ndarray:
    """``max(z, 0)``.

    Examples
    --------
    >>> relu(np.array([-2.0, 3.0])).tolist()
    [0.0, 3.0]
    """
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def bce(y_hat: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
    """Binary cross-entropy ``-(y log y_hat + (1 - y) log(1 - y_hat))`` for each prediction.

    Examples
    --------
    >>> bce(np.array([0.9, 0.9]), np.array([1.0, 0.0])).round(3).tolist()
    [0.105, 2.303]
    """
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return -(y * np.log(y_hat) + (1.0 - y) * np.log1p(-y_hat))


def _bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Mean BCE of ``sigmoid(z)`` against ``y``, stable for any ``z``: log(1 + e^z) - y z."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def softmax_base(z: Sequence[float], base: float = math.e) -> np.ndarray:
    """``base^z_i / sum_j base^z_j``, computed directly in that base (base > 0, not 1).

    With ``base = e^beta`` this equals the usual softmax of ``beta z``: a temperature of
    ``1 / beta``.

    Examples
    --------
    >>> softmax_base([1.0, 2.0, 8.0]).round(3).tolist()
    [0.001, 0.002, 0.997]
    >>> softmax_base([1.0, 2.0, 8.0], base=2).round(3).tolist()
    [0.008, 0.015, 0.977]
    """
    base = _positive("base", base)
    if base == 1:
        raise LLMVizError("base must be a positive number other than 1 (base 1 gives equal shares)")
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or len(z) < 2 or not np.all(np.isfinite(z)):
        raise LLMVizError(f"softmax needs at least two finite numbers, got {z.tolist()}")
    p = np.power(base, z - z.max())
    return p / p.sum()

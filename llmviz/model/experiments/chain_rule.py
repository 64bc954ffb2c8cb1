"""The chain rule written out on real numbers: the three factors of the binary cross-entropy's
gradient for one point, and the softmax Jacobian with the cross-entropy's gradient through it.

Every derivative is computed by hand in float64 and independently by torch's autograd, so that a
scene can show both and a test can check that they agree.

Examples
--------
>>> ch = bce_chain([0.5, -1.0], 0.0, [1.2, 0.3], 1.0)
>>> bool(np.allclose(ch.grad, ch.grad_autograd, atol=1e-15))
True
>>> jac = softmax_jacobian([1.0, 2.0, 8.0], true_class=1)
>>> bool(np.allclose(jac.grad, jac.probs - jac.target))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from llmviz.errors import LLMVizError
from llmviz.model.experiments.functions import sigmoid, softmax_base

__all__ = ["BCEChain", "bce_chain", "SoftmaxJacobian", "softmax_jacobian"]


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class BCEChain:
    """One point's loss ``l = -(y log y_hat + (1 - y) log(1 - y_hat))``, ``y_hat = sigmoid(z)``,
    ``z = w . x + b``, and its gradient as the product of the chain rule's three factors."""

    x: np.ndarray  # [2]
    y: float
    z: float
    y_hat: float
    loss: float
    dl_dyhat: float  # -(y / y_hat - (1 - y) / (1 - y_hat))
    dyhat_dz: float  # y_hat (1 - y_hat)
    dz_dw: np.ndarray  # x
    grad: np.ndarray  # the product: (y_hat - y) x
    grad_autograd: np.ndarray  # dl/dw from torch

    @property
    def error(self) -> float:
        """``dl/dy_hat * dy_hat/dz``, which simplifies to ``y_hat - y``."""
        return self.dl_dyhat * self.dyhat_dz


def bce_chain(w: Sequence[float], b: float, x: Sequence[float], y: float) -> BCEChain:
    """The chain-rule factors of one point's BCE gradient with respect to ``w``, and autograd's
    gradient of the same loss.

    Examples
    --------
    >>> ch = bce_chain([0.0, 0.0], 0.0, [2.0, -1.0], 0.0)
    >>> ch.y_hat, ch.dl_dyhat, ch.dyhat_dz, ch.grad.tolist()
    (0.5, 2.0, 0.25, [1.0, -0.5])
    """
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if w.shape != x.shape:
        raise LLMVizError(f"w and x must have the same length, got {w.shape} and {x.shape}")
    y = float(y)
    if y not in (0.0, 1.0):
        raise LLMVizError(f"the label must be 0 or 1, not {y}")
    z = float(w @ x + float(b))
    p = float(sigmoid(z))
    dl_dp = -(y / p - (1 - y) / (1 - p))
    dp_dz = p * (1 - p)
    wt = torch.tensor(w, requires_grad=True)
    pt = torch.sigmoid(wt @ torch.tensor(x) + float(b))
    loss = -(y * torch.log(pt) + (1 - y) * torch.log(1 - pt))  # the lecture's form
    loss.backward()
    return BCEChain(
        _frozen(x),
        y,
        z,
        p,
        float(loss.detach()),
        float(dl_dp),
        float(dp_dz),
        _frozen(x),
        _frozen(dl_dp * dp_dz * x),
        _frozen(wt.grad.numpy()),
    )


@dataclass(frozen=True)
class SoftmaxJacobian:
    """``y_hat = softmax(z)``, its Jacobian ``J[k, j] = dy_hat_k / dz_j = y_hat_k (delta_jk -
    y_hat_j)``, the loss ``L = -log y_hat[true]`` and ``dL/dz = J^T dL/dy_hat = y_hat - y``."""

    logits: np.ndarray  # [K]
    probs: np.ndarray  # [K]
    true_class: int
    target: np.ndarray  # one-hot y
    loss: float
    jacobian: np.ndarray  # [K, K], by hand
    jacobian_autograd: np.ndarray  # [K, K], torch.autograd.functional.jacobian
    dl_dyhat: np.ndarray  # [K]: -y / y_hat
    grad: np.ndarray  # [K]: J^T dl_dyhat
    grad_autograd: np.ndarray  # [K]: dL/dz from torch

    @property
    def largest_difference(self) -> float:
        """The largest gap between a hand-computed derivative and autograd's."""
        return float(
            max(
                np.abs(self.jacobian - self.jacobian_autograd).max(),
                np.abs(self.grad - self.grad_autograd).max(),
            )
        )


def softmax_jacobian(logits: Sequence[float], true_class: int = 0) -> SoftmaxJacobian:
    """The softmax Jacobian of ``logits`` by hand and by autograd, and the cross-entropy
    gradient for ``true_class`` (0-based) through it.

    Examples
    --------
    >>> jac = softmax_jacobian([0.0, 0.0], 0)
    >>> jac.jacobian.tolist(), jac.grad.tolist()
    ([[0.25, -0.25], [-0.25, 0.25]], [-0.5, 0.5])
    """
    z = np.asarray(logits, dtype=np.float64)
    p = softmax_base(z)  # checks the logits
    if isinstance(true_class, bool) or not 0 <= int(true_class) < len(z):
        raise LLMVizError(f"true_class must be between 0 and {len(z) - 1}, not {true_class!r}")
    k = int(true_class)
    y = np.zeros_like(z)
    y[k] = 1.0
    jac = np.diag(p) - np.outer(p, p)  # p_k delta_jk - p_k p_j
    dl_dp = -y / p
    jac_auto = torch.autograd.functional.jacobian(
        lambda t: torch.softmax(t, dim=0), torch.tensor(z)
    ).numpy()
    zt = torch.tensor(z, requires_grad=True)
    loss = -torch.log_softmax(zt, dim=0)[k]
    loss.backward()
    return SoftmaxJacobian(
        _frozen(z),
        _frozen(p),
        k,
        _frozen(y),
        float(loss.detach()),
        _frozen(jac),
        _frozen(jac_auto),
        _frozen(dl_dp),
        _frozen(jac.T @ dl_dp),
        _frozen(zt.grad.numpy()),
    )

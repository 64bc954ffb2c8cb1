"""Logistic regression on a generated 2-D dataset of two overlapping clouds, in float64 with
numpy: its gradient by hand and by torch's autograd, full-batch gradient descent that records
every step, several learning rates side by side, and a softmax example with its cross-entropy
gradient."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from llmviz.errors import LLMVizError
from llmviz.model.experiments.functions import (
    _bce_from_logits,
    _frozen,
    _positive,
    _whole,
    sigmoid,
    softmax_base,
)

__all__ = [
    "Dataset2D",
    "make_dataset",
    "LogisticGradient",
    "initial_parameters",
    "logistic_gradient",
    "logistic_gradient_autograd",
    "likelihood",
    "LogisticRun",
    "train_logistic",
    "learning_rate_comparison",
    "SoftmaxExample",
    "softmax_example",
]


@dataclass(frozen=True)
class Dataset2D:
    """Points ``x`` ``[n, 2]`` with labels ``y`` ``[n]`` (0.0 or 1.0): class 0 first, then class 1."""

    x: np.ndarray
    y: np.ndarray
    seed: int

    @property
    def n(self) -> int:
        return len(self.y)


def make_dataset(
    n_per_class: int = 20, seed: int = 0, separation: float = 0.8, spread: float = 1.0
) -> Dataset2D:
    """Two overlapping Gaussian clouds in the plane, one per class (seeded).

    Class 0 is centred at ``(-separation, -separation / 2)``, class 1 at the opposite point; each
    coordinate has standard deviation ``spread``. The clouds overlap, so no line separates them
    perfectly and the best logistic regression has finite weights.

    Examples
    --------
    >>> data = make_dataset(n_per_class=20, seed=0)
    >>> data.x.shape, int(data.y.sum())
    ((40, 2), 20)
    """
    n = _whole("n_per_class", n_per_class, 2)
    spread = _positive("spread", spread)
    rng = np.random.default_rng(_whole("seed", seed, 0))
    centre = np.array([separation, separation / 2])
    x = np.vstack([rng.normal(-centre, spread, (n, 2)), rng.normal(centre, spread, (n, 2))])
    y = np.r_[np.zeros(n), np.ones(n)]
    return Dataset2D(_frozen(x), _frozen(y), int(seed))


@dataclass(frozen=True)
class LogisticGradient:
    """Mean BCE of a logistic regression on a dataset and its gradient."""

    loss: float
    grad_w: np.ndarray  # [2]
    grad_b: float
    y_hat: np.ndarray  # [n] predicted probabilities of class 1

    @property
    def vector(self) -> np.ndarray:
        """``(dL/dw1, dL/dw2, dL/db)``."""
        return np.r_[self.grad_w, self.grad_b]


def initial_parameters(seed: int = 0) -> tuple[np.ndarray, float]:
    """Random starting weights ``w ~ N(0, 1)`` per coordinate and bias 0 (seeded).

    Examples
    --------
    >>> w, b = initial_parameters(0)
    >>> w.shape, b
    ((2,), 0.0)
    """
    rng = np.random.default_rng([_whole("seed", seed, 0), 1])
    return rng.normal(0.0, 1.0, 2), 0.0


def logistic_gradient(w: Sequence[float], b: float, data: Dataset2D) -> LogisticGradient:
    """The lecture's gradient by hand: ``dL/dw = (1/N) sum (y_hat_i - y_i) x_i``, ``dL/db`` the
    same without ``x``, where ``y_hat = sigmoid(w . x + b)`` and ``L`` is the mean BCE.

    Examples
    --------
    >>> g = logistic_gradient([0.0, 0.0], 0.0, make_dataset())
    >>> round(g.loss, 4), g.grad_b
    (0.6931, 0.0)
    """
    w = np.asarray(w, dtype=np.float64)
    z = data.x @ w + float(b)
    y_hat = sigmoid(z)
    err = y_hat - data.y
    return LogisticGradient(
        _bce_from_logits(z, data.y),
        _frozen(err @ data.x / data.n),
        float(err.mean()),
        _frozen(y_hat),
    )


def logistic_gradient_autograd(w: Sequence[float], b: float, data: Dataset2D) -> LogisticGradient:
    """The same loss differentiated by torch's autograd (float64), as an independent check.

    Examples
    --------
    >>> data = make_dataset()
    >>> hand, auto = logistic_gradient([1.0, -0.5], 0.2, data), logistic_gradient_autograd([1.0, -0.5], 0.2, data)
    >>> bool(np.allclose(hand.vector, auto.vector, atol=1e-12))
    True
    """
    wt = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    x = torch.tensor(np.asarray(data.x))
    y = torch.tensor(np.asarray(data.y))
    y_hat = torch.sigmoid(x @ wt + bt)
    loss = -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()  # the lecture's form
    loss.backward()
    return LogisticGradient(
        float(loss.detach()),
        _frozen(wt.grad.numpy()),
        float(bt.grad),
        _frozen(y_hat.detach().numpy()),
    )


def likelihood(w: Sequence[float], b: float, data: Dataset2D) -> tuple[float, float]:
    """The likelihood of all labels, ``prod y_hat^y (1 - y_hat)^(1 - y)``, and its log, the sum of
    ``y log y_hat + (1 - y) log(1 - y_hat)`` (minus N times the mean BCE).

    Examples
    --------
    >>> p, log_p = likelihood([0.0, 0.0], 0.0, make_dataset(n_per_class=2))
    >>> round(p, 4), round(log_p, 4)
    (0.0625, -2.7726)
    """
    y_hat = sigmoid(data.x @ np.asarray(w, dtype=np.float64) + float(b))
    per_point = y_hat**data.y * (1 - y_hat) ** (1 - data.y)
    return float(np.prod(per_point)), float(np.sum(np.log(per_point)))


class LossHistory:
    """What a recorded run (anything with a ``loss`` array, one entry per step and the start)
    tells about itself: its number of updates and how many of them raised the loss."""

    loss: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.loss) - 1

    @property
    def rises(self) -> int:
        """How many updates made the loss go up."""
        return int(np.sum(np.diff(self.loss) > 0))


@dataclass(frozen=True)
class LogisticRun(LossHistory):
    """Full-batch gradient descent on a logistic regression, every step recorded.

    ``w[t]``, ``b[t]``, ``loss[t]`` and ``accuracy[t]`` are the values *before* update ``t + 1``;
    index 0 is the random start and index ``steps`` the result.
    """

    lr: float
    w: np.ndarray  # [steps + 1, 2]
    b: np.ndarray  # [steps + 1]
    loss: np.ndarray  # [steps + 1]
    accuracy: np.ndarray  # [steps + 1]
    grads: np.ndarray  # [steps + 1, 3]: (dL/dw1, dL/dw2, dL/db) at each step


def train_logistic(
    data: Dataset2D, lr: float = 1.0, steps: int = 40, seed: int | None = None
) -> LogisticRun:
    """Gradient descent ``w <- w - lr * dL/dw`` (and the bias likewise) from
    :func:`initial_parameters`, with the hand-derived gradient, recording every step.

    Parameters
    ----------
    data
        From :func:`make_dataset`.
    lr
        The learning rate (alpha), > 0.
    steps
        Number of updates.
    seed
        Seed of the random start; ``None`` uses the dataset's seed.

    Examples
    --------
    >>> run = train_logistic(make_dataset(), lr=1.0, steps=40)
    >>> bool(run.loss[-1] < run.loss[0]), run.w.shape
    (True, (41, 2))
    """
    lr = _positive("learning rate", lr)
    steps = _whole("steps", steps)
    w, b = initial_parameters(data.seed if seed is None else seed)
    ws, bs, losses, accs, grads = [], [], [], [], []
    for t in range(steps + 1):
        g = logistic_gradient(w, b, data)
        ws.append(w.copy())
        bs.append(b)
        losses.append(g.loss)
        accs.append(float(np.mean((g.y_hat >= 0.5) == (data.y == 1))))
        grads.append(g.vector)
        if t < steps:
            w = w - lr * g.grad_w
            b = b - lr * g.grad_b
    return LogisticRun(
        float(lr), _frozen(ws), _frozen(bs), _frozen(losses), _frozen(accs), _frozen(grads)
    )


def learning_rate_comparison(
    data: Dataset2D, lrs: Sequence[float] = (0.05, 1.0, 40.0), steps: int = 40
) -> tuple[LogisticRun, ...]:
    """The same training from the same start at several learning rates.

    Examples
    --------
    >>> small, good, large = learning_rate_comparison(make_dataset())
    >>> bool(small.loss[-1] > good.loss[-1]), large.rises > 0
    (True, True)
    """
    if not lrs:
        raise LLMVizError("lrs must list at least one learning rate, e.g. (0.05, 1.0, 40.0)")
    return tuple(train_logistic(data, lr, steps) for lr in lrs)


@dataclass(frozen=True)
class SoftmaxExample:
    """Softmax of a few logits, the cross-entropy for one true class, and its gradient."""

    logits: np.ndarray
    exps: np.ndarray  # e^z
    probs: np.ndarray  # y_hat
    true_class: int
    target: np.ndarray  # one-hot y
    loss: float  # -log y_hat[true_class]
    grad: np.ndarray  # y_hat - y, by hand
    grad_autograd: np.ndarray  # dL/dz from torch


def softmax_example(
    logits: Sequence[float] = (1.0, 2.0, 8.0), true_class: int = 1
) -> SoftmaxExample:
    """The lecture's softmax((1, 2, 8)) and the gradient of ``-log y_hat[k]`` with respect to the
    logits: ``y_hat - y`` by hand, and torch's autograd for comparison.

    Examples
    --------
    >>> ex = softmax_example((1.0, 2.0, 8.0), true_class=1)
    >>> ex.probs.round(3).tolist(), ex.grad.round(3).tolist()
    ([0.001, 0.002, 0.997], [0.001, -0.998, 0.997])
    """
    z = np.asarray(logits, dtype=np.float64)
    probs = softmax_base(z)
    k = _whole("true_class", true_class, 0)
    if k >= len(z):
        raise LLMVizError(f"true_class must be between 0 and {len(z) - 1}, not {k}")
    y = np.zeros_like(z)
    y[k] = 1.0
    zt = torch.tensor(z, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(zt[None], torch.tensor([k]))
    loss.backward()
    return SoftmaxExample(
        _frozen(z),
        _frozen(np.exp(z)),
        _frozen(probs),
        k,
        _frozen(y),
        float(-np.log(probs[k])),
        _frozen(probs - y),
        _frozen(zt.grad.numpy()),
    )

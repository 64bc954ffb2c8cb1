"""The experiments behind the foundations chapter, from logistic regression to backpropagation.

Everything here is small, seeded and computed in float64 with numpy, with torch's autograd as an
independent check of every gradient that is derived by hand:

* a generated 2-D dataset of two overlapping clouds (:func:`make_dataset`);
* logistic regression on it: the sigmoid, binary cross-entropy, its gradient ``(y_hat - y) x``
  (:func:`logistic_gradient`, checked by :func:`logistic_gradient_autograd`), and full-batch
  gradient descent recording every step (:func:`train_logistic`), at several learning rates
  (:func:`learning_rate_comparison`);
* softmax over a few classes, in any base, and the cross-entropy gradient ``y_hat - y``
  (:func:`softmax_example`);
* a small multilayer perceptron, ``a = sigmoid(W a + b)`` layer by layer, trained with mini-batch
  gradient descent on 8 x 8 handwritten digits (:func:`train_digit_mlp`), its backpropagation by
  hand (:meth:`DigitMLP.backprop`) and by autograd (:meth:`DigitMLP.autograd`);
* the lecture's chain of one-neuron layers (:func:`one_neuron_chain`);
* how the embedded transformer learned: its recorded training log (:func:`load_training_log`),
  its prediction at every prefix of a training sentence (:func:`prefix_predictions`) and a check
  that a prediction does not change when later tokens do (:func:`causal_check`).

The digits are the 1,797 images of the UCI "Optical Recognition of Handwritten Digits" test set
(E. Alpaydin and C. Kaynak, 1998; licence CC BY 4.0), the copy that scikit-learn bundles as
``load_digits``. They ship as ``data/foundations/digits.npz`` (45 KB), so nothing is downloaded
and scikit-learn is not needed; ``python -m llmviz.model.foundations --write-digits`` rewrites
the file from scikit-learn's copy. Training the digit network takes well under a second.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from llmviz.errors import LLMVizError, ModelFileError

__all__ = [
    "DATA_DIR",
    "DIGITS_FILE",
    "ACTIVATIONS",
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "bce",
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
    "softmax_base",
    "SoftmaxExample",
    "softmax_example",
    "Digits",
    "load_digits",
    "write_digits",
    "MLPConfig",
    "ForwardPass",
    "Gradients",
    "DigitMLP",
    "DigitTraining",
    "train_digit_mlp",
    "gradient_norms",
    "minibatch_agreement",
    "ChainExample",
    "one_neuron_chain",
    "load_training_log",
    "Checkpoint",
    "checkpoint_predictions",
    "find_training_sentence",
    "PrefixPrediction",
    "prefix_predictions",
    "CausalCheck",
    "causal_check",
    "main",
]

DATA_DIR = Path(__file__).parent / "data" / "foundations"
DIGITS_FILE = DATA_DIR / "digits.npz"
ACTIVATIONS = ("sigmoid", "relu")


# --- small checks ---------------------------------------------------------------------------
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


# --- activations and losses -----------------------------------------------------------------
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


# --- the 2-D dataset and logistic regression -----------------------------------------------
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


# --- softmax --------------------------------------------------------------------------------
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


# --- the digits -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Digits:
    """8 x 8 images with pixel counts 0..16 (``images`` ``[n, 8, 8]``) and their labels 0..9."""

    images: np.ndarray
    labels: np.ndarray

    @property
    def pixels(self) -> np.ndarray:
        """The images as input activations in [0, 1], one row of 64 per image."""
        return self.images.reshape(len(self.images), -1) / 16.0

    def __len__(self) -> int:
        return len(self.labels)


@functools.lru_cache(maxsize=2)
def _read_digits(path: str) -> Digits:
    p = Path(path)
    if not p.is_file():
        raise ModelFileError(
            f"digits file not found: {p}; recreate it with "
            "'python -m llmviz.model.foundations --write-digits' (needs scikit-learn)"
        )
    try:
        with np.load(p) as f:
            images, labels = f["images"], f["labels"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(
            f"digits file {p} is unreadable ({exc}); it needs arrays 'images' and 'labels'"
        ) from None
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(labels) != len(images):
        raise ModelFileError(
            f"digits file {p} has images {images.shape} and labels {labels.shape}; "
            "expected [n, 8, 8] and [n]"
        )
    images = images.astype(np.float64)
    labels = labels.astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return Digits(images, labels)


def load_digits(path: str | Path | None = None) -> Digits:
    """The shipped handwritten digits (1,797 images of 8 x 8 pixels, values 0..16).

    Examples
    --------
    >>> d = load_digits()
    >>> len(d), d.pixels.shape, sorted(set(d.labels.tolist())) == list(range(10))
    (1797, (1797, 64), True)
    """
    return _read_digits(str(Path(path) if path is not None else DIGITS_FILE))


def write_digits(path: str | Path | None = None) -> Path:
    """Write the digits file from scikit-learn's bundled copy (``pip install scikit-learn``)."""
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError:
        raise LLMVizError(
            "writing the digits file needs scikit-learn: pip install scikit-learn"
        ) from None
    d = sk_load_digits()
    out = Path(path) if path is not None else DIGITS_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=d.images.astype(np.uint8), labels=d.target.astype(np.uint8))
    _read_digits.cache_clear()
    return out


# --- the digit network ----------------------------------------------------------------------
@dataclass(frozen=True)
class MLPConfig:
    """A small multilayer perceptron for the 8 x 8 digits and how it is trained.

    ``sizes`` are the layer widths from the 64 pixels to the 10 digits; ``hidden`` is the hidden
    layers' activation (the output layer is always a sigmoid); the cost of one image is the sum of
    squared differences between the 10 outputs and the one-hot label, averaged over a mini-batch.
    """

    sizes: tuple[int, ...] = (64, 16, 16, 10)
    hidden: str = "sigmoid"
    lr: float = 3.0
    epochs: int = 30
    batch_size: int = 32
    test_size: int = 360
    seed: int = 0

    def check(self) -> MLPConfig:
        if self.hidden not in ACTIVATIONS:
            raise LLMVizError(
                f"hidden activation must be one of {', '.join(ACTIVATIONS)}, not {self.hidden!r}"
            )
        sizes = tuple(self.sizes)
        if (
            len(sizes) < 2
            or sizes[0] != 64
            or sizes[-1] != 10
            or any(
                isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes
            )
        ):
            raise LLMVizError(
                f"sizes must run from 64 pixels to 10 digits with whole numbers between, e.g. (64, 16, 16, 10); got {self.sizes!r}"
            )
        _positive("learning rate", self.lr)
        _whole("epochs", self.epochs, 0)
        _whole("batch_size", self.batch_size)
        _whole("seed", self.seed, 0)
        n = _whole("test_size", self.test_size)
        if n >= 1797 - 10:
            raise LLMVizError(f"test_size must leave training images: at most 1786, not {n}")
        return self


@dataclass(frozen=True)
class ForwardPass:
    """Pre-activations ``z[l]`` and activations ``a[l]`` (``a[0]`` is the input) of every layer."""

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


@dataclass(frozen=True)
class Gradients:
    """Derivatives of the mean cost: for weight layer ``l`` (0-based), ``dW[l]`` has the shape of
    ``W[l]``, ``db[l]`` of ``b[l]``, ``dz[l]`` of ``z[l]``; ``da[l]`` has the shape of ``a[l]``
    (``da[0]`` is for the pixels, ``da[-1]`` for the outputs)."""

    cost: float
    dW: tuple[np.ndarray, ...]
    db: tuple[np.ndarray, ...]
    dz: tuple[np.ndarray, ...]
    da: tuple[np.ndarray, ...]

    def flat(self) -> np.ndarray:
        """All weight and bias derivatives in one vector."""
        return np.concatenate(
            [g.ravel() for pair in zip(self.dW, self.db, strict=True) for g in pair]
        )

    def max_difference(self, other: Gradients) -> float:
        """Largest absolute difference between any two corresponding derivatives."""
        diffs = [
            float(np.max(np.abs(np.asarray(x) - np.asarray(y))))
            for xs, ys in (
                (self.dW, other.dW),
                (self.db, other.db),
                (self.dz, other.dz),
                (self.da, other.da),
            )
            for x, y in zip(xs, ys, strict=True)
        ]
        return max(diffs + [abs(self.cost - other.cost)])


def _one_hot(labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise LLMVizError(f"digit labels must be 0..9, got {sorted(set(labels.tolist()))}")
    return np.eye(10)[labels]


@dataclass(frozen=True)
class DigitMLP:
    """Weights ``W[l]`` ``[n_out, n_in]`` and biases ``b[l]`` of each layer, in the lecture's
    ``a_next = sigma(W a + b)`` orientation (a batch of inputs multiplies ``W`` transposed).

    Examples
    --------
    >>> net = DigitMLP.random((64, 16, 16, 10), seed=0)
    >>> [W.shape for W in net.W]
    [(16, 64), (16, 16), (10, 16)]
    """

    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    hidden: str = "sigmoid"

    @classmethod
    def random(cls, sizes: Sequence[int], seed: int = 0, hidden: str = "sigmoid") -> DigitMLP:
        """Weights ``N(0, 1 / n_in)``, biases 0 (seeded)."""
        rng = np.random.default_rng([_whole("seed", seed, 0), 2])
        W = tuple(
            _frozen(rng.normal(0.0, 1.0 / math.sqrt(m), (n, m)))
            for m, n in zip(sizes[:-1], sizes[1:], strict=True)
        )
        b = tuple(_frozen(np.zeros(n)) for n in sizes[1:])
        return cls(W, b, hidden)

    def with_hidden(self, hidden: str) -> DigitMLP:
        """The same weights with another hidden activation."""
        return DigitMLP(self.W, self.b, hidden)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.W[0].shape[1], *(W.shape[0] for W in self.W))

    def _act(self, layer: int, z: np.ndarray) -> np.ndarray:
        last = layer == len(self.W) - 1
        return sigmoid(z) if last or self.hidden == "sigmoid" else relu(z)

    def _act_prime(self, layer: int, z: np.ndarray) -> np.ndarray:
        last = layer == len(self.W) - 1
        return sigmoid_prime(z) if last or self.hidden == "sigmoid" else (z > 0).astype(np.float64)

    def forward(self, x: np.ndarray) -> ForwardPass:
        """Every layer's ``z = W a + b`` and ``a = activation(z)`` for one image ``[64]`` or a
        batch ``[n, 64]``."""
        a = np.asarray(x, dtype=np.float64)
        if a.shape[-1] != self.sizes[0] or a.ndim not in (1, 2):
            raise LLMVizError(
                f"input must have shape [{self.sizes[0]}] or [n, {self.sizes[0]}], not {a.shape}"
            )
        zs, acts = [], [a]
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = a @ W.T + b
            a = self._act(layer, z)
            zs.append(z)
            acts.append(a)
        return ForwardPass(tuple(zs), tuple(acts))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The digit whose output neuron is most active."""
        return np.argmax(self.forward(x).output, axis=-1)

    def cost(self, x: np.ndarray, labels: np.ndarray) -> float:
        """Mean over images of ``sum_j (a_j - y_j)^2``."""
        out = np.atleast_2d(self.forward(x).output)
        return float(np.mean(np.sum((out - _one_hot(np.atleast_1d(labels))) ** 2, axis=1)))

    def backprop(self, x: np.ndarray, labels: np.ndarray | int) -> Gradients:
        """Backpropagation by hand, the lecture's chain rule with indices:

        ``dC/da_out = 2 (a - y)``; for each layer from the last, ``dC/dz = act'(z) * dC/da``,
        ``dC/dW = dC/dz a_prev^T``, ``dC/db = dC/dz``, ``dC/da_prev = W^T dC/dz`` (each previous
        neuron sums the nudges it receives from every neuron of the next layer). All derivatives
        are of the mean cost over the images given.
        """
        single = np.asarray(x).ndim == 1
        fp = self.forward(np.atleast_2d(x))
        labels = np.atleast_1d(labels)
        y = _one_hot(labels)
        n = len(y)
        if fp.a[0].shape[0] != n:
            raise LLMVizError(f"{fp.a[0].shape[0]} images but {n} labels")
        out = fp.output
        cost = float(np.mean(np.sum((out - y) ** 2, axis=1)))
        L = len(self.W)
        da: list[np.ndarray] = [None] * (L + 1)  # type: ignore[list-item]
        dz: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        dW: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        db: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        da[L] = 2.0 * (out - y) / n
        for layer in range(L - 1, -1, -1):
            dz[layer] = self._act_prime(layer, fp.z[layer]) * da[layer + 1]
            dW[layer] = dz[layer].T @ fp.a[layer]
            db[layer] = dz[layer].sum(axis=0)
            da[layer] = dz[layer] @ self.W[layer]
        squeeze = (lambda v: v[0]) if single else (lambda v: v)
        return Gradients(
            cost,
            tuple(_frozen(g) for g in dW),
            tuple(_frozen(g) for g in db),
            tuple(_frozen(squeeze(g)) for g in dz),
            tuple(_frozen(squeeze(g)) for g in da),
        )

    def autograd(self, x: np.ndarray, labels: np.ndarray | int) -> Gradients:
        """The same derivatives from torch's autograd (float64), as an independent check."""
        single = np.asarray(x).ndim == 1
        y = torch.from_numpy(_one_hot(np.atleast_1d(labels)))
        a = torch.tensor(np.atleast_2d(np.asarray(x, dtype=np.float64)))
        a.requires_grad_(True)
        Ws = [torch.tensor(np.asarray(W), requires_grad=True) for W in self.W]
        bs = [torch.tensor(np.asarray(b), requires_grad=True) for b in self.b]
        acts, zs = [a], []
        for layer, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            z = acts[-1] @ W.T + b
            z.retain_grad()
            last = layer == len(Ws) - 1
            nxt = torch.sigmoid(z) if last or self.hidden == "sigmoid" else torch.relu(z)
            nxt.retain_grad()
            zs.append(z)
            acts.append(nxt)
        cost = ((acts[-1] - y) ** 2).sum(dim=1).mean()
        cost.backward()
        squeeze = (lambda v: v[0]) if single else (lambda v: v)
        return Gradients(
            float(cost.detach()),
            tuple(_frozen(W.grad.numpy()) for W in Ws),
            tuple(_frozen(b.grad.numpy()) for b in bs),
            tuple(_frozen(squeeze(z.grad.numpy())) for z in zs),
            tuple(_frozen(squeeze(t.grad.numpy())) for t in acts),
        )

    def step(self, grads: Gradients, lr: float) -> DigitMLP:
        """One gradient-descent update ``W <- W - lr dC/dW`` (and ``b`` likewise)."""
        return DigitMLP(
            tuple(_frozen(W - lr * g) for W, g in zip(self.W, grads.dW, strict=True)),
            tuple(_frozen(b - lr * g) for b, g in zip(self.b, grads.db, strict=True)),
            self.hidden,
        )


@dataclass(frozen=True)
class DigitTraining:
    """A trained digit network, its random start, the data split and its learning curve."""

    config: MLPConfig
    model: DigitMLP
    initial: DigitMLP
    train_idx: np.ndarray
    test_idx: np.ndarray
    train_cost: tuple[float, ...]  # mean cost on the training images after each epoch (0: start)
    test_accuracy: tuple[float, ...]  # share of test images right after each epoch (0: start)
    n_steps: int  # mini-batch updates
    digits: Digits = field(repr=False)

    @property
    def x_train(self) -> np.ndarray:
        return self.digits.pixels[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.digits.labels[self.train_idx]

    @property
    def x_test(self) -> np.ndarray:
        return self.digits.pixels[self.test_idx]

    @property
    def y_test(self) -> np.ndarray:
        return self.digits.labels[self.test_idx]


@functools.lru_cache(maxsize=8)
def _train(config: MLPConfig) -> DigitTraining:
    digits = load_digits()
    rng = np.random.default_rng([config.seed, 3])
    order = rng.permutation(len(digits))
    test_idx, train_idx = np.sort(order[: config.test_size]), np.sort(order[config.test_size :])
    x, labels = digits.pixels[train_idx], digits.labels[train_idx]
    xt, yt = digits.pixels[test_idx], digits.labels[test_idx]
    net = initial = DigitMLP.random(config.sizes, config.seed, config.hidden)
    costs = [net.cost(x, labels)]
    accs = [float(np.mean(net.predict(xt) == yt))]
    steps = 0
    for _ in range(config.epochs):
        perm = rng.permutation(len(x))
        for start in range(0, len(x), config.batch_size):
            batch = perm[start : start + config.batch_size]
            net = net.step(net.backprop(x[batch], labels[batch]), config.lr)
            steps += 1
        costs.append(net.cost(x, labels))
        accs.append(float(np.mean(net.predict(xt) == yt)))
    for a in (train_idx, test_idx):
        a.setflags(write=False)
    return DigitTraining(
        config, net, initial, train_idx, test_idx, tuple(costs), tuple(accs), steps, digits
    )


def train_digit_mlp(config: MLPConfig | None = None) -> DigitTraining:
    """Train the digit network with mini-batch gradient descent and hand-written backpropagation
    (seeded, float64, well under a second; cached per config).

    Examples
    --------
    >>> run = train_digit_mlp()
    >>> run.test_accuracy[-1] > 0.9, len(run.test_idx), run.n_steps
    (True, 360, 1350)
    """
    config = (config or MLPConfig()).check()
    return _train(config)


def gradient_norms(model: DigitMLP, x: np.ndarray, labels: np.ndarray) -> tuple[float, ...]:
    """The length of ``dC/dW`` for each weight layer, first to last.

    Examples
    --------
    >>> run = train_digit_mlp()
    >>> len(gradient_norms(run.initial, run.x_train, run.y_train))
    3
    """
    return tuple(float(np.linalg.norm(g)) for g in model.backprop(x, labels).dW)


def minibatch_agreement(
    model: DigitMLP,
    x: np.ndarray,
    labels: np.ndarray,
    batch_sizes: Sequence[int] = (1, 32, 256),
    n_batches: int = 50,
    seed: int = 0,
) -> dict[int, float]:
    """How well a mini-batch's gradient points like the gradient over all of ``x``: the mean
    cosine between them over ``n_batches`` random batches of each size.

    Examples
    --------
    >>> run = train_digit_mlp()
    >>> agree = minibatch_agreement(run.initial, run.x_train, run.y_train, (1, 256), n_batches=5)
    >>> agree[256] > agree[1]
    True
    """
    full = model.backprop(x, labels).flat()
    rng = np.random.default_rng([_whole("seed", seed, 0), 4])
    out = {}
    for size in batch_sizes:
        size = _whole("batch size", size)
        if size > len(x):
            raise LLMVizError(f"batch size {size} is larger than the {len(x)} images")
        cos = []
        for _ in range(_whole("n_batches", n_batches)):
            idx = rng.choice(len(x), size, replace=False)
            g = model.backprop(x[idx], labels[idx]).flat()
            cos.append(float(g @ full / (np.linalg.norm(g) * np.linalg.norm(full))))
        out[size] = float(np.mean(cos))
    return out


# --- the chain of one-neuron layers -----------------------------------------------------------
@dataclass(frozen=True)
class ChainExample:
    """One neuron per layer: ``z[l] = w[l] a[l] + b[l]``, ``a[l + 1] = sigmoid(z[l])``, cost
    ``C = (a[-1] - y)^2``, with every derivative by hand and ``dC/dw``, ``dC/db`` also by autograd."""

    w: np.ndarray  # [L]
    b: np.ndarray  # [L]
    a: np.ndarray  # [L + 1]; a[0] is the input
    z: np.ndarray  # [L]
    y: float
    cost: float
    dC_da: np.ndarray  # [L + 1]
    dC_dz: np.ndarray  # [L]
    dC_dw: np.ndarray  # [L]
    dC_db: np.ndarray  # [L]
    autograd_dw: np.ndarray  # [L]
    autograd_db: np.ndarray  # [L]
    autograd_da0: float

    @property
    def n_layers(self) -> int:
        return len(self.w)


def one_neuron_chain(
    n_layers: int = 3, y: float = 1.0, seed: int = 0, a0: float | None = None
) -> ChainExample:
    """The lecture's chain of one-neuron layers (``n_layers`` weights, ``n_layers + 1`` neurons).

    Weights and biases are drawn from ``N(0, 1)`` and the input from ``U(0, 1)`` (seeded) unless
    ``a0`` is given; ``y`` is the desired output. The last weight's derivative is the lecture's
    ``dC/dw = a_prev * sigmoid'(z) * 2 (a - y)``; earlier ones follow through
    ``dC/da_prev = w * sigmoid'(z) * dC/da``.

    Examples
    --------
    >>> ex = one_neuron_chain(seed=0)
    >>> L = ex.n_layers - 1
    >>> bool(np.isclose(ex.dC_dw[L], ex.a[L] * sigmoid_prime(ex.z[L]) * 2 * (ex.a[-1] - ex.y)))
    True
    >>> bool(np.allclose(ex.dC_dw, ex.autograd_dw, atol=1e-14))
    True
    """
    n = _whole("n_layers", n_layers)
    rng = np.random.default_rng([_whole("seed", seed, 0), 5])
    w = rng.normal(0.0, 1.0, n)
    b = rng.normal(0.0, 1.0, n)
    x0 = float(rng.uniform(0.0, 1.0)) if a0 is None else float(a0)
    a, z = [x0], []
    for layer in range(n):
        z.append(w[layer] * a[-1] + b[layer])
        a.append(float(sigmoid(z[-1])))
    cost = (a[-1] - y) ** 2
    dC_da = np.zeros(n + 1)
    dC_dz, dC_dw, dC_db = np.zeros(n), np.zeros(n), np.zeros(n)
    dC_da[n] = 2.0 * (a[-1] - y)
    for layer in range(n - 1, -1, -1):
        dC_dz[layer] = sigmoid_prime(z[layer]) * dC_da[layer + 1]
        dC_dw[layer] = a[layer] * dC_dz[layer]
        dC_db[layer] = dC_dz[layer]
        dC_da[layer] = w[layer] * dC_dz[layer]
    # autograd on the same computation
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    at = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    act = at
    for layer in range(n):
        act = torch.sigmoid(wt[layer] * act + bt[layer])
    ((act - y) ** 2).backward()
    return ChainExample(
        _frozen(w),
        _frozen(b),
        _frozen(a),
        _frozen(z),
        float(y),
        float(cost),
        _frozen(dC_da),
        _frozen(dC_dz),
        _frozen(dC_dw),
        _frozen(dC_db),
        _frozen(wt.grad.numpy()),
        _frozen(bt.grad.numpy()),
        float(at.grad),
    )


# --- how the embedded model learned ---------------------------------------------------------
def load_training_log(model_dir: str | Path | None = None) -> dict:
    """The log written by ``llmviz train`` beside a model: ``loss`` as ``[step, loss]`` pairs (the
    mean over each ``log_every`` steps), ``checkpoints`` with top-5 predictions for the lecture
    prompts, and ``train_config``.

    Examples
    --------
    >>> log = load_training_log()
    >>> len(log["loss"]), [c["step"] for c in log["checkpoints"]]
    (550, [0, 25, 100, 300, 1000, 3000, 5500])
    """
    from llmviz.model.loader import DEFAULT_MODEL_DIR

    path = (Path(model_dir).expanduser() if model_dir else DEFAULT_MODEL_DIR) / "training_log.json"
    if not path.is_file():
        raise ModelFileError(
            f"no training log at {path}; 'llmviz train' writes training_log.json beside the weights"
        )
    try:
        log = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"training log {path} is not valid JSON: {exc}") from None
    missing = [k for k in ("loss", "checkpoints", "train_config") if k not in log]
    if missing:
        raise ModelFileError(f"training log {path} lacks {', '.join(missing)}")
    return log


@dataclass(frozen=True)
class Checkpoint:
    """The model's top predictions for one prompt at one training step."""

    step: int
    top: tuple[tuple[str, float], ...]  # (token, probability), most likely first

    def prob_of(self, token: str) -> float | None:
        """The recorded probability of ``token``, or None if it was not among the top ones."""
        return next((p for t, p in self.top if t == token), None)


def checkpoint_predictions(log: dict, prompt: str) -> list[Checkpoint]:
    """The recorded predictions for ``prompt`` at each checkpoint of a training log.

    Examples
    --------
    >>> cps = checkpoint_predictions(load_training_log(), "Michael Jordan plays the sport of")
    >>> cps[-1].top[0][0]
    ' basketball'
    """
    out = []
    recorded = list(log["checkpoints"][0]["predictions"]) if log["checkpoints"] else []
    if prompt not in recorded:
        raise LLMVizError(
            f"the training log has predictions only for {recorded}, not for {prompt!r}"
        )
    for c in log["checkpoints"]:
        out.append(
            Checkpoint(int(c["step"]), tuple((t, float(p)) for t, p in c["predictions"][prompt]))
        )
    return out


@functools.lru_cache(maxsize=4)
def _corpus(n_sentences: int, seed: int) -> tuple[str, ...]:
    from llmviz.model.corpus import generate_corpus

    return tuple(generate_corpus(n_sentences, seed))


def find_training_sentence(
    text: str, n_sentences: int = 60_000, seed: int = 0
) -> tuple[int, str] | None:
    """The first sentence of the generated training corpus that contains ``text``, with its
    index, or None (the corpus of ``llmviz train``: ``n_sentences`` and ``seed`` from its log).

    Examples
    --------
    >>> find_training_sentence("Michael Jordan plays the sport of", 1000)
    (171, 'Michael Jordan plays the sport of basketball.')
    """
    for i, s in enumerate(_corpus(int(n_sentences), int(seed))):
        if text in s:
            return i, s
    return None


@dataclass(frozen=True)
class PrefixPrediction:
    """What the model predicts after ``tokens[: position + 1]``, against the real next token."""

    position: int
    prefix: tuple[str, ...]
    actual: str
    actual_id: int
    actual_prob: float
    actual_rank: int  # 1 = the model's first choice
    predicted: str
    predicted_prob: float

    @property
    def loss(self) -> float:
        """Cross-entropy at this position: ``-log p(actual)``."""
        return -math.log(max(self.actual_prob, 1e-300))


def _logits(model, ids: Sequence[int]) -> np.ndarray:
    with torch.no_grad():
        out = model.net(torch.tensor([list(ids)], device=model.device))[0]
    return out.double().cpu().numpy()


def prefix_predictions(model, text: str) -> list[PrefixPrediction]:
    """One forward pass over ``text`` gives a prediction at every position; compare each with the
    token that really comes next (as training does, all positions at once).

    Examples
    --------
    >>> import llmviz
    >>> preds = prefix_predictions(llmviz.load_model(), "Michael Jordan plays the sport of basketball.")
    >>> preds[-2].prefix[-1], preds[-2].actual, preds[-2].predicted
    (' of', ' basketball', ' basketball')
    """
    from llmviz.model.trace import probabilities

    ids = model.encode(text)
    if len(ids) < 2:
        raise LLMVizError(f"{text!r} is a single token; a training example needs at least two")
    tokens = model.tokenizer.token_strings(ids)
    probs = probabilities(_logits(model, ids))
    out = []
    for i in range(len(ids) - 1):
        p = probs[i]
        nxt = ids[i + 1]
        top = int(np.argmax(p))
        out.append(
            PrefixPrediction(
                i,
                tuple(tokens[: i + 1]),
                tokens[i + 1],
                int(nxt),
                float(p[nxt]),
                int(np.sum(p > p[nxt]) + 1),
                model.decode_token(top),
                float(p[top]),
            )
        )
    return out


@dataclass(frozen=True)
class CausalCheck:
    """Predictions for a token sequence and for a copy whose tokens after ``cut`` are changed.

    ``max_change_before`` is the largest change of any logit (the model's raw score for a next
    token) at positions ``0..cut``: zero, up to float rounding, because the causal mask hides later
    tokens; ``max_change_after`` is the same for later positions, which do see the change.
    """

    cut: int
    tokens: tuple[str, ...]
    altered_tokens: tuple[str, ...]
    max_change_before: float
    max_change_after: float
    prediction: str  # the top prediction at ``cut`` (the same in both)
    prediction_prob: float
    altered_prediction_prob: float


def causal_check(model, ids: Sequence[int], altered_ids: Sequence[int], cut: int) -> CausalCheck:
    """Run both token sequences, which agree up to and including position ``cut``, and measure
    how much the predictions at each position change.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> ids = m.encode("Michael Jordan plays the sport of basketball.")
    >>> other = ids[:-2] + m.encode(" golf.")
    >>> check = causal_check(m, ids, other, cut=len(ids) - 3)
    >>> check.max_change_before < 1e-4 < check.max_change_after
    True
    """
    from llmviz.model.trace import probabilities

    ids, altered_ids = list(ids), list(altered_ids)
    cut = _whole("cut", cut, 0)
    if cut >= min(len(ids), len(altered_ids)) - 1:
        raise LLMVizError(
            f"cut must leave later tokens to change: below {min(len(ids), len(altered_ids)) - 1}, not {cut}"
        )
    if ids[: cut + 1] != altered_ids[: cut + 1]:
        raise LLMVizError("the two sequences must agree on every token up to and including the cut")
    lp, lq = _logits(model, ids), _logits(model, altered_ids)
    p, q = probabilities(lp), probabilities(lq)
    n = min(len(ids), len(altered_ids))
    diff = np.abs(lp[:n] - lq[:n]).max(axis=1)
    top = int(np.argmax(p[cut]))
    return CausalCheck(
        cut,
        tuple(model.tokenizer.token_strings(ids)),
        tuple(model.tokenizer.token_strings(altered_ids)),
        float(diff[: cut + 1].max()),
        float(diff[cut + 1 :].max()),
        model.decode_token(top),
        float(p[cut, top]),
        float(q[cut, top]),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.model.foundations",
        description="Run the foundations chapter's experiments and print their results.",
    )
    parser.add_argument(
        "--write-digits",
        action="store_true",
        help=f"rewrite {DIGITS_FILE.name} from scikit-learn's copy of the digits (needs scikit-learn)",
    )
    args = parser.parse_args(argv)
    if args.write_digits:
        print(f"wrote {write_digits()}")
    run = train_logistic(make_dataset())
    print(f"logistic regression: loss {run.loss[0]:.3f} -> {run.loss[-1]:.3f} in {run.steps} steps")
    mlp = train_digit_mlp()
    print(
        f"digit MLP {mlp.config.sizes}: test accuracy {100 * mlp.test_accuracy[-1]:.1f}% "
        f"after {mlp.n_steps} mini-batch steps"
    )


if __name__ == "__main__":
    main()

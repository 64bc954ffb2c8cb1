"""A small multilayer perceptron trained on real 8 x 8 handwritten digits, its backpropagation by
hand and by autograd, and the lecture's chain of one-neuron layers.

The digits are the 1,797 images of the UCI "Optical Recognition of Handwritten Digits" test set
(E. Alpaydin and C. Kaynak, 1998; licence CC BY 4.0), the copy that scikit-learn bundles as
``load_digits``. They ship as ``data/foundations/digits.npz`` (45 KB), so nothing is downloaded
and scikit-learn is not needed; ``python -m llmviz.model.experiments.digits --write-digits``
rewrites the file from scikit-learn's copy. Training the digit network takes well under a second."""

from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.experiments.functions import (
    ACTIVATIONS,
    _frozen,
    _positive,
    _whole,
    relu,
    sigmoid,
    sigmoid_prime,
)
from llmviz.model.experiments.logistic import make_dataset, train_logistic
from llmviz.paths import PACKAGE_DATA

__all__ = [
    "DATA_DIR",
    "DIGITS_FILE",
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
    "main",
]


DATA_DIR = PACKAGE_DATA / "foundations"


DIGITS_FILE = DATA_DIR / "digits.npz"


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
            "'python -m llmviz.model.experiments.digits --write-digits' (needs scikit-learn)"
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.model.experiments.digits",
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

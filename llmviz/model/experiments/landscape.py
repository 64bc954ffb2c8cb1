"""The cost landscape of a two-weight logistic regression: the surface, its contour lines, its
lowest point and the recorded path of gradient descent down it.

The foundations chapter's 2-D dataset (:func:`~llmviz.model.experiments.make_dataset`) has two
weights and a bias. Holding the bias fixed (0 by default: the two clouds sit symmetrically about
the origin) leaves a cost of two weights only, ``C(w1, w2)``, the mean binary cross-entropy,
which can be drawn over the plane of the weights. Everything is float64 numpy; the gradient is the
hand-derived one of :func:`~llmviz.model.experiments.logistic_gradient` (with ``dC/db`` dropped,
since the bias does not move), which the tests check against torch's autograd.

Examples
--------
>>> from llmviz.model.experiments import make_dataset
>>> data = make_dataset()
>>> path = descend(data, lr=1.0, steps=40)
>>> bool(path.loss[-1] < path.loss[0]), path.w.shape
(True, (41, 2))
>>> low = lowest_point(data)
>>> bool(low.loss <= path.loss.min())
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmviz.errors import LLMVizError
from llmviz.model.experiments.logistic import (
    Dataset2D,
    LossHistory,
    initial_parameters,
    logistic_gradient,
)

__all__ = [
    "CostSurface",
    "cost_surface",
    "costs_at",
    "contour_levels",
    "contour_segments",
    "DescentPath",
    "descend",
    "LowestPoint",
    "lowest_point",
    "window",
]


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def costs_at(data: Dataset2D, weights: np.ndarray, bias: float = 0.0) -> np.ndarray:
    """The mean BCE of the logistic regression at each row of ``weights`` (``[m, 2]``), with the
    bias held at ``bias``: ``mean(log(1 + e^z) - y z)`` for ``z = w . x + bias`` (stable for any
    ``z``).

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> costs_at(make_dataset(), np.zeros((1, 2))).round(4).tolist()
    [0.6931]
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    if w.shape[-1] != 2:
        raise LLMVizError(f"weights must have shape [m, 2], not {w.shape}")
    z = w @ data.x.T + float(bias)  # [m, n]
    return np.mean(np.logaddexp(0.0, z) - data.y * z, axis=1)


@dataclass(frozen=True)
class CostSurface:
    """The cost ``C(w1, w2)`` on a grid: ``cost[i, j]`` is at ``w1[j]``, ``w2[i]``."""

    w1: np.ndarray  # [n1]
    w2: np.ndarray  # [n2]
    cost: np.ndarray  # [n2, n1]
    bias: float

    @property
    def low(self) -> float:
        return float(self.cost.min())

    @property
    def high(self) -> float:
        return float(self.cost.max())


def cost_surface(
    data: Dataset2D,
    w1_range: Sequence[float] = (-2.0, 5.0),
    w2_range: Sequence[float] = (-3.0, 3.0),
    n: int = 41,
    bias: float = 0.0,
) -> CostSurface:
    """The cost on an ``n`` x ``n`` grid over ``w1_range`` x ``w2_range`` (ends included).

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> s = cost_surface(make_dataset(), (-1, 1), (-1, 1), n=3)
    >>> s.cost.shape, round(float(s.cost[1, 1]), 4)
    ((3, 3), 0.6931)
    """
    if int(n) < 2:
        raise LLMVizError(f"a cost surface needs at least 2 grid points a side, not {n}")
    (a1, b1), (a2, b2) = (tuple(map(float, r)) for r in (w1_range, w2_range))
    if not (a1 < b1 and a2 < b2):
        raise LLMVizError(
            f"each weight range must run from low to high, got {w1_range}, {w2_range}"
        )
    w1, w2 = np.linspace(a1, b1, int(n)), np.linspace(a2, b2, int(n))
    g1, g2 = np.meshgrid(w1, w2)
    cost = costs_at(data, np.c_[g1.ravel(), g2.ravel()], bias).reshape(g1.shape)
    return CostSurface(_frozen(w1), _frozen(w2), _frozen(cost), float(bias))


def contour_levels(surface: CostSurface, n: int = 6) -> np.ndarray:
    """``n`` costs to draw lines at, spread so that each band between them covers a similar
    share of the grid (quantiles of the surface between 5% and 85%).

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> lv = contour_levels(cost_surface(make_dataset()), 4)
    >>> len(lv), bool(np.all(np.diff(lv) > 0))
    (4, True)
    """
    return np.quantile(surface.cost, np.linspace(0.05, 0.85, int(n)))


def contour_segments(surface: CostSurface, level: float) -> np.ndarray:
    """The line where the cost equals ``level``, as short straight pieces ``[k, 2, 2]`` (each a
    pair of ``(w1, w2)`` points), by marching squares with linear interpolation on the grid.

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> data = make_dataset()
    >>> s = cost_surface(data, n=61)
    >>> seg = contour_segments(s, 0.5)
    >>> bool(len(seg) > 10 and np.allclose(costs_at(data, seg.reshape(-1, 2)), 0.5, atol=0.02))
    True
    """
    c = surface.cost - float(level)
    w1, w2 = surface.w1, surface.w2
    out = []
    for i in range(len(w2) - 1):
        for j in range(len(w1) - 1):
            # corners counter-clockwise from the lower left: (j, i), (j+1, i), (j+1, i+1), (j, i+1)
            v = (c[i, j], c[i, j + 1], c[i + 1, j + 1], c[i + 1, j])
            p = (
                (w1[j], w2[i]),
                (w1[j + 1], w2[i]),
                (w1[j + 1], w2[i + 1]),
                (w1[j], w2[i + 1]),
            )
            crossings = []
            for k in range(4):
                a, b = v[k], v[(k + 1) % 4]
                if (a < 0) != (b < 0):
                    t = a / (a - b)
                    pa, pb = p[k], p[(k + 1) % 4]
                    crossings.append((pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])))
            if len(crossings) == 2:
                out.append(crossings)
            elif len(crossings) == 4:  # a saddle: pair the edges by the value at the centre
                if (np.mean(v) < 0) == (v[0] < 0):
                    out += [[crossings[0], crossings[1]], [crossings[2], crossings[3]]]
                else:
                    out += [[crossings[3], crossings[0]], [crossings[1], crossings[2]]]
    return np.array(out, dtype=np.float64).reshape(-1, 2, 2)


@dataclass(frozen=True)
class DescentPath(LossHistory):
    """Full-batch gradient descent on the two weights, every step recorded: ``w[t]``,
    ``loss[t]`` and ``grad[t]`` (``dC/dw`` at ``w[t]``) before update ``t + 1``; index 0 is the
    start and index ``steps`` the result."""

    lr: float
    bias: float
    w: np.ndarray  # [steps + 1, 2]
    loss: np.ndarray  # [steps + 1]
    grad: np.ndarray  # [steps + 1, 2]
    accuracy: np.ndarray  # [steps + 1]: share of points on their own side of the boundary

    @property
    def step_lengths(self) -> np.ndarray:
        """How far each update moved the weights: ``|w[t + 1] - w[t]|``."""
        return np.linalg.norm(np.diff(self.w, axis=0), axis=1)


def descend(
    data: Dataset2D,
    lr: float = 1.0,
    steps: int = 40,
    bias: float = 0.0,
    start: Sequence[float] | None = None,
) -> DescentPath:
    """``w <- w - lr * dC/dw`` from ``start`` (default: the chapter's random start,
    :func:`~llmviz.model.experiments.initial_parameters` of the dataset's seed), the bias held at
    ``bias``.

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> p = descend(make_dataset(), lr=1.0, steps=3)
    >>> bool(np.allclose(p.w[1], p.w[0] - 1.0 * p.grad[0]))
    True
    """
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise LLMVizError(f"the learning rate must be a positive number, not {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise LLMVizError(f"steps must be a whole number of at least 1, not {steps!r}")
    w = (
        initial_parameters(data.seed)[0]
        if start is None
        else np.asarray(start, dtype=np.float64).reshape(2)
    )
    ws, losses, grads, accs = [], [], [], []
    for t in range(int(steps) + 1):
        g = logistic_gradient(w, bias, data)
        ws.append(w.copy())
        losses.append(g.loss)
        grads.append(g.grad_w)
        accs.append(float(np.mean((g.y_hat >= 0.5) == (data.y == 1))))
        if t < steps:
            w = w - lr * g.grad_w
    return DescentPath(
        float(lr), float(bias), _frozen(ws), _frozen(losses), _frozen(grads), _frozen(accs)
    )


@dataclass(frozen=True)
class LowestPoint:
    """The bottom of the landscape: the weights of least cost (bias held) and that cost."""

    w: np.ndarray  # [2]
    loss: float


def lowest_point(data: Dataset2D, bias: float = 0.0, iterations: int = 30) -> LowestPoint:
    """Newton's method on the (convex) cost from ``w = 0``: the true minimum, against which a
    descent's progress is judged.

    Examples
    --------
    >>> from llmviz.model.experiments import make_dataset
    >>> low = lowest_point(make_dataset())
    >>> bool(np.allclose(logistic_gradient(low.w, 0.0, make_dataset()).grad_w, 0, atol=1e-12))
    True
    """
    w = np.zeros(2)
    for _ in range(int(iterations)):
        g = logistic_gradient(w, bias, data)
        p = g.y_hat
        hessian = (data.x.T * (p * (1 - p))) @ data.x / data.n
        w = w - np.linalg.solve(hessian, g.grad_w)
    return LowestPoint(_frozen(w), float(costs_at(data, w[None], bias)[0]))


def window(points: np.ndarray, margin: float = 0.35) -> tuple[tuple[float, float], ...]:
    """Ranges for ``w1`` and ``w2`` that hold every point of ``points`` (``[m, 2]``) with
    ``margin`` (a share of the larger extent) around them, the same length on both axes.

    Examples
    --------
    >>> window(np.array([[0.0, 0.0], [2.0, 1.0]]), margin=0.5)
    ((-1.0, 3.0), (-1.5, 2.5))
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    lo, hi = pts.min(0), pts.max(0)
    side = float(max(hi - lo)) * (1 + 2 * margin) or 1.0
    mid = (lo + hi) / 2
    return tuple((float(m - side / 2), float(m + side / 2)) for m in mid)

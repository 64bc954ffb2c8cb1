"""Projections of real vectors onto a few directions, for pictures: PCA, or a plane spanned by two
given directions, always with how much of the vectors' spread the picture keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError

__all__ = ["Projection", "pca", "plane_of"]


@dataclass(frozen=True)
class Projection:
    """Vectors projected onto ``components`` (unit rows) after subtracting ``mean``.

    ``kept`` is the share of the vectors' spread (total variance around ``mean``) that the
    components keep; ``explained`` the share along each. :meth:`project` places other vectors
    in the same picture, and :meth:`caption` says on screen what the picture is.
    """

    coords: np.ndarray = field(repr=False)  # [n, k]
    components: np.ndarray = field(repr=False)  # [k, d]
    mean: np.ndarray = field(repr=False)  # [d]
    explained: tuple[float, ...]
    method: str

    @property
    def kept(self) -> float:
        return float(sum(self.explained))

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Coordinates of ``[n, d]`` (or ``[d]``) vectors in the same components."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T

    def caption(self, what: str) -> str:
        """One short line for the screen: "<what>: PCA plane, keeps 41% of the spread"."""
        return f"{what}: {self.method}, keeps {100 * self.kept:.0f}% of the spread"


def _check(vectors) -> np.ndarray:
    X = np.asarray(vectors, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2:
        raise LLMVizError(f"a projection needs at least two vectors as [n, d], got shape {X.shape}")
    if not np.isfinite(X).all():
        raise LLMVizError("the vectors to project contain NaN or infinite values")
    return X


def pca(vectors: Sequence | np.ndarray, n_components: int = 2) -> Projection:
    """The top principal components of ``vectors`` (``[n, d]``), signs fixed so that the vector
    farthest along each component has a positive coordinate (reproducible pictures).

    Examples
    --------
    >>> import numpy as np
    >>> p = pca(np.array([[2.0, 0, 0], [-2.0, 0, 0], [0, 1.0, 0], [0, -1.0, 0]]))
    >>> (np.round(p.coords[:, 0], 3) + 0.0).tolist(), round(p.kept, 3)
    ([2.0, -2.0, 0.0, 0.0], 1.0)
    """
    X = _check(vectors)
    limit = min(len(X) - 1, X.shape[1])
    if not isinstance(n_components, int) or not 1 <= n_components <= limit:
        raise LLMVizError(
            f"n_components must be a whole number from 1 to {limit} for {len(X)} vectors "
            f"in {X.shape[1]} dimensions, not {n_components!r}"
        )
    mean = X.mean(0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    comps = vt[:n_components].copy()
    coords = (X - mean) @ comps.T
    for k in range(n_components):
        if coords[np.argmax(np.abs(coords[:, k])), k] < 0:
            comps[k] *= -1
            coords[:, k] *= -1
    var = s**2
    total = var.sum()
    explained = tuple(float(v / total) if total > 0 else 0.0 for v in var[:n_components])
    coords.setflags(write=False)
    return Projection(
        coords,
        comps,
        mean,
        explained,
        "PCA plane" if n_components == 2 else f"PCA, {n_components} components",
    )


def plane_of(
    vectors: Sequence | np.ndarray, a: np.ndarray, b: np.ndarray, center: bool = False
) -> Projection:
    """The plane spanned by directions ``a`` and ``b`` (made orthonormal: ``a``, then the part
    of ``b`` perpendicular to it), so that a picture can show how vectors move relative to two
    directions the model itself defines. ``center`` subtracts the vectors' mean first.

    Examples
    --------
    >>> import numpy as np
    >>> p = plane_of(np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 3.0]]), np.array([1.0, 0, 0]), np.array([1.0, 1.0, 0]))
    >>> np.round(p.coords, 3).tolist()
    [[1.0, 1.0], [0.0, 2.0]]
    """
    X = _check(vectors)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a)
    if na == 0:
        raise LLMVizError("plane_of: the first direction is all zeros")
    e1 = a / na
    rest = b - (b @ e1) * e1
    nr = np.linalg.norm(rest)
    if nr < 1e-9 * max(1.0, np.linalg.norm(b)):
        raise LLMVizError("plane_of: the two directions point the same way; they span no plane")
    comps = np.stack([e1, rest / nr])
    mean = X.mean(0) if center else np.zeros(X.shape[1])
    coords = (X - mean) @ comps.T
    centred = X - X.mean(0)
    total = float((centred**2).sum())
    kept = ((centred @ comps.T) ** 2).sum(0)
    explained = tuple(float(v / total) if total > 0 else 0.0 for v in kept)
    coords.setflags(write=False)
    return Projection(coords, comps, mean, explained, "plane of two model directions")

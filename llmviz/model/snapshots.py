"""Embedding rows recorded while the embedded model trained, and how close related words came.

``llmviz train`` writes, at chosen steps, the rows of ``W_E`` of some words (``SNAPSHOT_WORDS``)
into ``training_log.json`` under ``"embeddings"``: ``{"words": [...], "steps": [...], "rows":
[snapshot][word][d_model]}``; the last snapshot is the shipped ``W_E``. :func:`load_snapshots`
reads them; :func:`group_cohesion` measures, at every snapshot, how much words of one group
point the same way compared with words of different groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.projection import Projection, pca

__all__ = ["EmbeddingSnapshots", "load_snapshots", "GroupCohesion", "group_cohesion"]


@dataclass(frozen=True)
class EmbeddingSnapshots:
    """Rows of ``W_E`` for ``words`` at each of ``steps``: ``rows[s, w]`` is word ``w``'s vector
    after ``steps[s]`` training steps."""

    words: tuple[str, ...]
    steps: tuple[int, ...]
    rows: np.ndarray = field(repr=False)  # [snapshot, word, d_model]

    def select(self, words: Sequence[str]) -> EmbeddingSnapshots:
        """The same snapshots for some of the words, in the order given."""
        missing = [w for w in words if w not in self.words]
        if missing:
            raise LLMVizError(f"no snapshots of {missing}; recorded: {list(self.words)}")
        idx = [self.words.index(w) for w in words]
        return EmbeddingSnapshots(tuple(words), self.steps, self.rows[:, idx])

    def projection(self, fit: str = "final") -> Projection:
        """A PCA plane for every snapshot, fit on the ``"final"`` rows or on ``"all"`` of them
        (place any snapshot in it with ``.project(rows[s])``)."""
        if fit == "final":
            return pca(self.rows[-1], 2)
        if fit == "all":
            return pca(self.rows.reshape(-1, self.rows.shape[-1]), 2)
        raise LLMVizError(f"fit must be 'final' or 'all', not {fit!r}")

    def lengths(self) -> np.ndarray:
        """The mean length of the words' vectors at each snapshot."""
        return np.linalg.norm(self.rows, axis=-1).mean(axis=1)

    def frozen_from(self) -> int | None:
        """The first step from which the rows never change again (``None`` if the last two
        snapshots differ)."""
        last = None
        for s in range(len(self.steps) - 1, 0, -1):
            if not np.array_equal(self.rows[s], self.rows[s - 1]):
                break
            last = self.steps[s - 1]
        return last


def load_snapshots(log: dict) -> EmbeddingSnapshots:
    """The embedding snapshots of a training log (see :func:`~llmviz.model.experiments.load_training_log`).

    Examples
    --------
    >>> from llmviz.model.train import load_training_log
    >>> snaps = load_snapshots(load_training_log())
    >>> snaps.rows.shape, snaps.steps[0], snaps.steps[-1]
    ((16, 22, 64), 0, 5500)
    """
    emb = log.get("embeddings") if isinstance(log, dict) else None
    if not emb:
        raise ModelFileError(
            "the training log has no embedding snapshots; a model trained with a newer "
            "'llmviz train' records them"
        )
    try:
        rows = np.asarray(emb["rows"], dtype=np.float64)
        words, steps = tuple(emb["words"]), tuple(int(s) for s in emb["steps"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"the training log's embedding snapshots are malformed: {exc}"
        ) from None
    if rows.ndim != 3 or rows.shape[:2] != (len(steps), len(words)):
        raise ModelFileError(
            f"embedding snapshots of shape {rows.shape} do not match {len(steps)} steps and "
            f"{len(words)} words"
        )
    rows.setflags(write=False)
    return EmbeddingSnapshots(words, steps, rows)


@dataclass(frozen=True)
class GroupCohesion:
    """At each snapshot: the mean cosine of pairs of words from one group (``within``) and from
    different groups (``between``), and the share of words whose nearest other word (by cosine)
    is in their own group (``nearest_in_group``). ``misses`` names, at the last snapshot, each
    word whose nearest word is from another group, with that word."""

    steps: tuple[int, ...]
    within: np.ndarray
    between: np.ndarray
    nearest_in_group: np.ndarray
    misses: tuple[tuple[str, str], ...]
    n_words: int


def group_cohesion(snaps: EmbeddingSnapshots, groups: Mapping[str, Sequence[str]]) -> GroupCohesion:
    """How close the words of each group are at every snapshot.

    Examples
    --------
    >>> import numpy as np
    >>> rows = np.array([[[1.0, 0], [0, 1.0], [1.0, 0.1], [0.1, 1.0]]] * 2)
    >>> snaps = EmbeddingSnapshots(("a", "b", "A", "B"), (0, 1), rows)
    >>> c = group_cohesion(snaps, {"x": ["a", "A"], "y": ["b", "B"]})
    >>> c.nearest_in_group.tolist(), c.misses
    ([1.0, 1.0], ())
    """
    label = {w: g for g, ws in groups.items() for w in ws}
    words = list(label)
    if len(words) < 3 or len(groups) < 2:
        raise LLMVizError("group_cohesion needs at least two groups and three words")
    sub = snaps.select(words)
    lab = np.array([label[w] for w in words])
    same = lab[:, None] == lab[None, :]
    off = ~np.eye(len(words), dtype=bool)
    within, between, nearest = [], [], []
    misses: list[tuple[str, str]] = []
    for s, X in enumerate(sub.rows):
        norms = np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
        C = (X / norms) @ (X / norms).T
        within.append(float(C[same & off].mean()))
        between.append(float(C[~same].mean()))
        nn = np.where(off, C, -np.inf).argmax(axis=1)
        nearest.append(float(np.mean(lab[nn] == lab)))
        if s == len(sub.rows) - 1:
            misses = [(words[i], words[j]) for i, j in enumerate(nn) if lab[i] != lab[j]]
    return GroupCohesion(
        snaps.steps,
        np.array(within),
        np.array(between),
        np.array(nearest),
        tuple(misses),
        len(words),
    )

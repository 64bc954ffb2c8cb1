"""Measurements on the embedding and on the model's output that the opening chapter shows.

Everything is computed from the model's weights or from its logits: how the tokenizer cuts text
into words and pieces, a PCA of embedding vectors, directions such as ``E(cats) - E(cat)``,
analogies, alignment as dot products, and next-token probabilities as the temperature moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError
from llmviz.model.analysis.directions import cosine
from llmviz.model.loader import Model
from llmviz.model.trace import probabilities

__all__ = [
    "WordPieces",
    "word_pieces",
    "EmbeddingProjection",
    "project_embeddings",
    "DirectionComparison",
    "compare_directions",
    "difference_baseline",
    "analogy",
    "alignment",
    "TemperatureSweep",
    "temperature_sweep",
]


# --- tokens grouped into words ---------------------------------------------------------------
def _is_punctuation(piece: str) -> bool:
    s = piece.strip()
    return bool(s) and not any(ch.isalnum() for ch in s)


@dataclass(frozen=True)
class WordPieces:
    """One word (or punctuation mark) of a text and the tokens the tokenizer cut it into."""

    text: str  # as in the text, leading space kept
    pieces: tuple[str, ...]
    ids: tuple[int, ...]

    @property
    def is_punctuation(self) -> bool:
        return _is_punctuation(self.text)

    @property
    def is_split(self) -> bool:
        """A word (not punctuation) that takes more than one token."""
        return len(self.pieces) > 1 and not self.is_punctuation


def word_pieces(model: Model, text: str) -> list[WordPieces]:
    """The tokens of ``text`` grouped into words and punctuation marks.

    A new word starts at a token that begins with a space, at a punctuation token and right after
    one; the other tokens continue the word before them.

    Examples
    --------
    >>> import llmviz
    >>> words = word_pieces(llmviz.load_model(), "Michael Jordan plays unbelievable basketball!")
    >>> [(w.text, len(w.pieces)) for w in words]
    [('Michael', 1), (' Jordan', 1), (' plays', 1), (' unbelievable', 4), (' basketball', 1), ('!', 1)]
    >>> [w.text for w in words if w.is_split], [w.text for w in words if w.is_punctuation]
    ([' unbelievable'], ['!'])
    """
    ids = model.encode(text)
    pieces = model.tokenizer.token_strings(ids)
    groups: list[tuple[list[str], list[int]]] = []
    for i, (piece, tid) in enumerate(zip(pieces, ids, strict=True)):
        starts = (
            i == 0
            or piece.startswith((" ", "\n"))
            or _is_punctuation(piece)
            or _is_punctuation(pieces[i - 1])
        )
        if starts:
            groups.append(([piece], [tid]))
        else:
            groups[-1][0].append(piece)
            groups[-1][1].append(tid)
    return [WordPieces("".join(p), tuple(p), tuple(t)) for p, t in groups]


# --- PCA of embedding vectors ------------------------------------------------------------------
def _table(model: Model, matrix: str) -> np.ndarray:
    if matrix not in ("W_E", "W_U"):
        raise LLMVizError(f"matrix must be 'W_E' or 'W_U', not {matrix!r}")
    table = model.W_E if matrix == "W_E" else model.W_U.T  # [vocab, d_model]
    return np.asarray(table, dtype=np.float64)


@dataclass(frozen=True)
class EmbeddingProjection:
    """Embedding vectors of some tokens projected onto their top principal components."""

    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    coords: np.ndarray = field(repr=False)  # [n_tokens, n_components]
    components: np.ndarray = field(repr=False)  # [n_components, d_model], unit rows
    mean: np.ndarray = field(repr=False)  # [d_model], subtracted before projecting
    explained: tuple[float, ...] = ()  # share of the tokens' variance along each component

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Coordinates of other ``[n, d_model]`` vectors in the same components."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T


def project_embeddings(
    model: Model,
    tokens: Sequence[str],
    n_components: int = 3,
    matrix: str = "W_E",
) -> EmbeddingProjection:
    """PCA of the embedding vectors of ``tokens``: their coordinates along the top components.

    The vectors (rows of ``W_E``, or columns of ``W_U`` with ``matrix="W_U"``) are centred on
    their mean and decomposed with an SVD. Each component's sign is fixed so that the token
    farthest along it has a positive coordinate, which makes the result reproducible.

    Examples
    --------
    >>> import llmviz
    >>> p = project_embeddings(llmviz.load_model(), [" cat", " cats", " dog", " dogs"], n_components=2)
    >>> p.coords.shape, round(sum(p.explained), 2) <= 1.0
    ((4, 2), True)
    """
    tokens = list(tokens)
    if len(set(tokens)) != len(tokens):
        raise LLMVizError(f"project_embeddings needs distinct tokens, got {tokens}")
    limit = min(len(tokens) - 1, model.cfg.d_model)
    if not isinstance(n_components, int) or not 1 <= n_components <= limit:
        raise LLMVizError(
            f"n_components must be a whole number from 1 to {limit} for {len(tokens)} tokens "
            f"in {model.cfg.d_model} dimensions, not {n_components!r}"
        )
    ids = [model.token_id(t) for t in tokens]
    X = _table(model, matrix)[ids]
    mean = X.mean(0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    comps = vt[:n_components]
    coords = (X - mean) @ comps.T
    for k in range(n_components):  # the farthest token along each axis is on its positive side
        if coords[np.argmax(np.abs(coords[:, k])), k] < 0:
            comps[k] *= -1
            coords[:, k] *= -1
    var = s**2
    explained = tuple(float(v) for v in var[:n_components] / var.sum())
    coords.setflags(write=False)
    return EmbeddingProjection(tuple(tokens), tuple(ids), coords, comps, mean, explained)


# --- directions --------------------------------------------------------------------------------


def _difference(model: Model, pair: tuple[str, str], matrix: str = "W_E") -> np.ndarray:
    if len(pair) != 2:
        raise LLMVizError(f"a direction needs a pair of tokens (from, to), got {pair!r}")
    table = _table(model, matrix)
    return table[model.token_id(pair[1])] - table[model.token_id(pair[0])]


def difference_baseline(
    model: Model, n_pairs: int = 2000, seed: int = 0, matrix: str = "W_E"
) -> float:
    """Mean absolute cosine between the differences of two random pairs of tokens.

    It says how much two unrelated differences agree by chance in this model, the yardstick for
    a cosine such as ``(woman - man) . (queen - king)``.

    Examples
    --------
    >>> import llmviz
    >>> 0 < difference_baseline(llmviz.load_model(), n_pairs=200) < 0.5
    True
    """
    if not isinstance(n_pairs, int) or n_pairs < 1:
        raise LLMVizError(f"n_pairs must be a whole number >= 1, not {n_pairs!r}")
    table = _table(model, matrix)
    idx = np.random.default_rng(seed).integers(0, len(table), size=(n_pairs, 4))
    d1 = table[idx[:, 1]] - table[idx[:, 0]]
    d2 = table[idx[:, 3]] - table[idx[:, 2]]
    n1, n2 = np.linalg.norm(d1, axis=1), np.linalg.norm(d2, axis=1)
    ok = (n1 > 0) & (n2 > 0)
    return float(np.mean(np.abs((d1 * d2).sum(1)[ok] / (n1[ok] * n2[ok]))))


@dataclass(frozen=True)
class DirectionComparison:
    """Two embedding differences (``E(b) - E(a)``) and how well they agree."""

    first: tuple[str, str]
    second: tuple[str, str]
    cosine: float
    first_norm: float
    second_norm: float


def compare_directions(
    model: Model,
    first: tuple[str, str] = (" man", " woman"),
    second: tuple[str, str] = (" king", " queen"),
    matrix: str = "W_E",
) -> DirectionComparison:
    """The cosine between ``E(first[1]) - E(first[0])`` and ``E(second[1]) - E(second[0])``.

    Examples
    --------
    >>> import llmviz
    >>> c = compare_directions(llmviz.load_model())
    >>> -1 <= c.cosine <= 1
    True
    """
    a, b = _difference(model, first, matrix), _difference(model, second, matrix)
    return DirectionComparison(
        tuple(first),
        tuple(second),
        cosine(a, b),
        float(np.linalg.norm(a)),
        float(np.linalg.norm(b)),
    )


def analogy(
    model: Model, a: str, b: str, c: str, k: int = 3, matrix: str = "W_E"
) -> list[tuple[str, float]]:
    """The tokens closest by cosine to ``E(c) + E(b) - E(a)``, leaving out ``a``, ``b`` and ``c``.

    ``analogy(model, " man", " woman", " king")`` asks "man is to woman as king is to what?".

    Examples
    --------
    >>> import llmviz
    >>> len(analogy(llmviz.load_model(), " man", " woman", " king", k=2))
    2
    """
    if not isinstance(k, int) or k < 1:
        raise LLMVizError(f"k must be a whole number >= 1, not {k!r}")
    table = _table(model, matrix)
    ids = [model.token_id(w) for w in (a, b, c)]
    target = table[ids[2]] + table[ids[1]] - table[ids[0]]
    norms = np.maximum(np.linalg.norm(table, axis=1), 1e-12)
    sims = table @ target / (norms * max(np.linalg.norm(target), 1e-12))
    sims[ids] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [(model.decode_token(int(i)), float(sims[i])) for i in order]


def alignment(
    model: Model,
    direction: tuple[str, str],
    tokens: Sequence[str],
    matrix: str = "W_E",
) -> list[tuple[str, float]]:
    """Dot product of each token's embedding with the direction ``E(to) - E(from)``.

    Positive: the token points along the direction; near zero: perpendicular to it; negative:
    it points the other way. Sorted from most negative to most positive.

    Examples
    --------
    >>> import llmviz
    >>> dots = dict(alignment(llmviz.load_model(), (" cat", " cats"), [" dog", " dogs"]))
    >>> dots[" dog"] < 0 < dots[" dogs"]
    True
    """
    d = _difference(model, direction, matrix)
    table = _table(model, matrix)
    out = [(t, float(table[model.token_id(t)] @ d)) for t in tokens]
    return sorted(out, key=lambda x: x[1])


# --- temperature -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemperatureSweep:
    """Probabilities of fixed tokens (and of all the others together) at several temperatures."""

    token_ids: tuple[int, ...]
    temperatures: tuple[float, ...]
    probs: np.ndarray = field(repr=False)  # [n_temperatures, n_tokens]
    rest: np.ndarray = field(repr=False)  # [n_temperatures]: every other vocabulary token

    def at(self, temperature: float) -> np.ndarray:
        """The row for one of the sweep's temperatures."""
        for i, t in enumerate(self.temperatures):
            if t == temperature:
                return self.probs[i]
        raise LLMVizError(f"temperature {temperature} is not in the sweep {self.temperatures}")


def temperature_sweep(
    logits: np.ndarray,
    temperatures: Sequence[float],
    k: int = 5,
    token_ids: Sequence[int] | None = None,
) -> TemperatureSweep:
    """Softmax of ``logits / T`` for each ``T``, read at fixed tokens.

    The tokens are ``token_ids`` or the ``k`` with the largest logits (the most likely at any
    temperature above 0). ``T = 0`` puts all the mass on the largest logit, with no division by
    zero. ``rest`` is what all the other tokens get together.

    Examples
    --------
    >>> s = temperature_sweep(np.array([1.0, 2.0, 8.0]), [0, 1, 2], k=2)
    >>> s.token_ids, s.at(1).round(3).tolist(), s.at(0).tolist()
    ((2, 1), [0.997, 0.002], [1.0, 0.0])
    >>> s.rest.round(3).tolist()
    [0.0, 0.001, 0.028]
    """
    x = np.asarray(logits, dtype=np.float64)
    if x.ndim != 1:
        raise LLMVizError(f"logits must be one vector [vocab], got shape {x.shape}")
    if token_ids is None:
        if not isinstance(k, int) or not 1 <= k <= len(x):
            raise LLMVizError(f"k must be a whole number from 1 to {len(x)}, not {k!r}")
        token_ids = np.argsort(-x, kind="stable")[:k]
    ids = tuple(int(i) for i in token_ids)
    if any(not 0 <= i < len(x) for i in ids):
        raise LLMVizError(f"token ids must be in 0..{len(x) - 1}, got {list(ids)}")
    temps = tuple(float(t) for t in temperatures)
    p = np.stack([probabilities(x, t) for t in temps])  # checks each temperature
    chosen = p[:, list(ids)]
    rest = np.clip(1.0 - chosen.sum(1), 0.0, 1.0)
    chosen.setflags(write=False)
    rest.setflags(write=False)
    return TemperatureSweep(ids, temps, chosen, rest)

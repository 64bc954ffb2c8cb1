"""Directions in the model's spaces: cosines, nearest neighbours, the difference of two embeddings,
the residual directions that encode a first or last name, and whether a direction keeps its
meaning from layer to layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmviz.errors import LLMVizError, PromptError
from llmviz.model.analysis.neurons import name_position
from llmviz.model.corpus import (
    FIRST_NAMES,
    LAST_NAMES,
    fact_prompt,
)
from llmviz.model.loader import Model
from llmviz.model.trace import hook_name

__all__ = [
    "cosine",
    "nearest_neighbours",
    "FeatureDirection",
    "name_directions",
    "unembed_direction",
    "embedding_difference",
    "LayerDirections",
    "directions_across_layers",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def nearest_neighbours(
    model: Model, word: str, k: int = 5, matrix: str = "W_E"
) -> list[tuple[str, float]]:
    """The ``k`` tokens whose embedding (``W_E`` rows, or ``W_U`` columns) is closest by cosine.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.analysis import nearest_neighbours
    >>> len(nearest_neighbours(llmviz.load_model(), " basketball", k=3))
    3
    """
    if matrix not in ("W_E", "W_U"):
        raise LLMVizError(f"matrix must be 'W_E' or 'W_U', not {matrix!r}")
    table = model.W_E if matrix == "W_E" else model.W_U.T  # [vocab, d_model]
    tid = model.token_id(word)
    unit = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit[tid]
    sims[tid] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [(model.decode_token(int(i)), float(sims[i])) for i in order]


def embedding_difference(model: Model, a: str, b: str) -> np.ndarray:
    """``W_E[b] - W_E[a]``: e.g. ``(" cat", " cats")`` for a plural direction."""
    return model.W_E[model.token_id(b)] - model.W_E[model.token_id(a)]


@dataclass(frozen=True)
class FeatureDirection:
    """A direction in the residual stream derived from the model, with how it was derived."""

    name: str
    vector: np.ndarray  # unit length, [d_model]
    description: str
    short: str = ""  # one line for the screen

    def dot(self, x: np.ndarray) -> float:
        return float(np.asarray(x, dtype=np.float64) @ self.vector)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    if n == 0:
        raise LLMVizError("cannot make a direction from a zero vector")
    return (v / n).astype(np.float32)


def name_directions(
    model: Model,
    first: str = "Michael",
    last: str = "Jordan",
    layer: int = 0,
    hook: str = "resid_mid",
    position: str = "name",
) -> tuple[FeatureDirection, FeatureDirection]:
    """ "First name <first>" and "last name <last>" directions, as differences of mean residuals.

    Every combination of the fact table's 10 first and 10 last names is run through the prompt
    "<first> <last> plays the sport of" (100 prompts, most of them people the model never saw),
    and the vector ``hook_name(hook, layer)`` (a residual, or e.g. ``"ln2"``) is read at the last token of the name
    (``position="name"``) or at the prompt's last token (``"final"``). The "first name Michael"
    direction is the mean over the 10 prompts with first name Michael minus the mean over all 100
    (unit length); the grid is balanced, so every last name weighs the same on both sides.
    Likewise for the last name.
    """
    if position not in ("name", "final"):
        raise LLMVizError(f"position must be 'name' or 'final', not {position!r}")
    if first not in FIRST_NAMES or last not in LAST_NAMES:
        raise PromptError(
            f"name directions need names from the fact table; first names: {FIRST_NAMES}, "
            f"last names: {LAST_NAMES}"
        )
    key = hook_name(hook, layer)
    suffix = " plays the sport of"
    grid = np.zeros((len(FIRST_NAMES), len(LAST_NAMES), model.cfg.d_model))
    for i, f in enumerate(FIRST_NAMES):
        for j, la in enumerate(LAST_NAMES):
            prompt = fact_prompt(f"{f} {la}")
            pos = name_position(model, prompt, suffix) if position == "name" else -1
            grid[i, j] = model.run(prompt)[key][pos]
    mean_all = grid.mean((0, 1))
    where = "the last name token" if position == "name" else "the prompt's last token"
    first_vec = _unit(grid[FIRST_NAMES.index(first)].mean(0) - mean_all)
    last_vec = _unit(grid[:, LAST_NAMES.index(last)].mean(0) - mean_all)
    common = (
        f"of {key} at {where}, over the 10 x 10 grid of first and last names in "
        f"'<first> <last> plays the sport of' (unit length)"
    )
    return (
        FeatureDirection(
            f"first name {first}",
            first_vec,
            f"mean with first name {first} minus the mean of all names, " + common,
            f"mean vector of '{first} ___' minus mean of all 100 name pairs",
        ),
        FeatureDirection(
            f"last name {last}",
            last_vec,
            f"mean with last name {last} minus the mean of all names, " + common,
            f"mean vector of '___ {last}' minus mean of all 100 name pairs",
        ),
    )


def unembed_direction(model: Model, token: str) -> FeatureDirection:
    """The unembedding column of ``token`` (unit length): the direction that raises its logit."""
    tid = model.token_id(token)
    return FeatureDirection(
        token.strip(),
        _unit(model.W_U[:, tid]),
        f"column of W_U for {token!r} (unit length): moving along it raises that logit",
        f"column of W_U that raises the logit of '{token.strip()}'",
    )


@dataclass(frozen=True)
class LayerDirections:
    """A "first name" direction measured in the stream after each block, compared across
    blocks: ``cosines[i, j]`` between block ``i``'s and block ``j``'s direction; ``separation[i,
    j]`` is the share of the 100 name pairs told apart (first name or not) when block ``j``'s
    vectors are read with block ``i``'s direction, split at the midpoint of the two groups'
    means (0.5 is chance)."""

    first: str
    hooks: tuple[str, ...]
    cosines: np.ndarray  # [layer, layer]
    separation: np.ndarray  # [direction's layer, vectors' layer]


def directions_across_layers(
    model: Model, first: str = "Michael", position: str = "final"
) -> LayerDirections:
    """The first-name direction (see :func:`name_directions`) in the stream after every block
    (``blocks.L.hook_resid_post``; before block 0 the last token has seen no name yet)."""
    if position not in ("name", "final"):
        raise LLMVizError(f"position must be 'name' or 'final', not {position!r}")
    if first not in FIRST_NAMES:
        raise PromptError(f"first names of the fact table: {FIRST_NAMES}; not {first!r}")
    suffix = " plays the sport of"
    hooks = tuple(hook_name("resid_post", L) for L in range(model.cfg.n_layers))
    vecs = np.zeros((len(hooks), len(FIRST_NAMES), len(LAST_NAMES), model.cfg.d_model))
    for i, f in enumerate(FIRST_NAMES):
        for j, la in enumerate(LAST_NAMES):
            prompt = fact_prompt(f"{f} {la}")
            t = model.run(prompt)
            pos = name_position(model, prompt, suffix) if position == "name" else -1
            for h, hook in enumerate(hooks):
                vecs[h, i, j] = t[hook][pos]
    k = FIRST_NAMES.index(first)
    dirs = np.stack(
        [_unit(v[k].mean(0) - v.mean((0, 1))).astype(np.float64) for v in vecs]
    )  # [layer, d_model]
    cos = dirs @ dirs.T
    is_first = np.zeros((len(FIRST_NAMES), len(LAST_NAMES)), dtype=bool)
    is_first[k] = True
    sep = np.zeros((len(hooks), len(hooks)))
    for a in range(len(hooks)):
        for b in range(len(hooks)):
            score = vecs[b] @ dirs[a]  # [first, last]
            cut = (score[is_first].mean() + score[~is_first].mean()) / 2
            sep[a, b] = float(((score > cut) == is_first).mean())
    return LayerDirections(first, hooks, cos, sep)

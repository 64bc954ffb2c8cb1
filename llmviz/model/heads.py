"""What one attention head does to one token, measured: its change split by key, a head that
updates the same token in another way, and the head that looks farthest back.

These work on any model's trace (the embedded one or a GPT-2 folder); when the chapter's example
(adjectives before a noun) is not in the model's vocabulary, :func:`safe_focus` falls back to the
strongest head and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError
from llmviz.model.analysis import Focus, choose_focus, cosine, strongest_attention
from llmviz.model.loader import Model
from llmviz.model.trace import Trace

__all__ = [
    "KeyShares",
    "OtherHead",
    "FarHead",
    "safe_focus",
    "key_shares",
    "contrasting_head",
    "far_looking_head",
]


def safe_focus(model: Model, trace: Trace) -> Focus:
    """:func:`~llmviz.model.analysis.choose_focus`, but a model whose vocabulary cannot build the
    adjective probes (a GPT-2 folder with another tokenizer) gets the strongest head, and ``how``
    says so, instead of an error.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> safe_focus(m, m.run("a fluffy blue creature")).adjective_head
    True
    """
    try:
        return choose_focus(model, trace)
    except LLMVizError:
        layer, head, q, k, w = max(strongest_attention(trace), key=lambda s: s[4])
        how = (
            "this model's tokenizer splits the adjective probes, so no adjective head can be "
            f"searched: following the strongest head, layer {layer}, head {head} "
            f'("{trace.tokens[q].strip()}" gives "{trace.tokens[k].strip()}" {w:.0%})'
        )
        return Focus(layer, head, q, (k,), False, how)


@dataclass(frozen=True)
class KeyShares:
    """One head's change ΔE of the token at ``query``, split by key: ``shares[k]`` is pattern
    weight × value vector of key ``k``, mapped up by the head's W_O; their sum is ΔE."""

    layer: int
    head: int
    query: int
    weights: np.ndarray = field(repr=False)  # [query + 1] the pattern's column
    shares: np.ndarray = field(repr=False)  # [query + 1, d_model]

    @property
    def total(self) -> np.ndarray:
        return self.shares.sum(0)


def key_shares(model: Model, trace: Trace, layer: int, head: int, query: int) -> KeyShares:
    """Split a head's change of one token by key (float64).

    Examples
    --------
    >>> import llmviz, numpy as np
    >>> m = llmviz.load_model()
    >>> t = m.run("a fluffy blue creature")
    >>> s = key_shares(m, t, 1, 1, 3)
    >>> z = t["blocks.1.attn.hook_z"][3, 1].astype(np.float64)
    >>> bool(np.allclose(s.total, z @ m.W("O", 1, 1), atol=1e-5))
    True
    """
    if not 0 <= query < trace.n_tokens:
        raise LLMVizError(f"query must be a position from 0 to {trace.n_tokens - 1}, not {query}")
    pat = np.asarray(trace[f"blocks.{layer}.attn.hook_pattern"][head][query, : query + 1])
    v = np.asarray(trace[f"blocks.{layer}.attn.hook_v"][: query + 1, head], dtype=np.float64)
    W_O = np.asarray(model.W("O", layer, head), dtype=np.float64)
    shares = (pat[:, None].astype(np.float64) * v) @ W_O
    shares.setflags(write=False)
    return KeyShares(layer, head, query, pat.astype(np.float64), shares)


@dataclass(frozen=True)
class OtherHead:
    """A head that updates the same token in another way than the followed head."""

    layer: int
    head: int
    share_on_keys: float  # its attention from the query on the followed head's keys
    top_key: int  # where it looks most, from the query
    top_weight: float
    cosine: float  # between its change of the token and the followed head's change
    delta: np.ndarray = field(repr=False)  # its change of the token (d_model)


def contrasting_head(
    model: Model, trace: Trace, layer: int, head: int, query: int, keys: tuple[int, ...]
) -> OtherHead:
    """Among all other heads, the one whose attention from ``query`` puts the least weight on
    ``keys`` (the followed head's keys); ties go to the larger change.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> o = contrasting_head(m, m.run("a fluffy blue creature"), 1, 1, 3, (1, 2))
    >>> (o.layer, o.head) != (1, 1), o.share_on_keys < 0.5
    (True, True)
    """
    z = trace[f"blocks.{layer}.attn.hook_z"][query, head].astype(np.float64)
    mine = z @ model.W("O", layer, head)
    best = None
    for L in range(model.cfg.n_layers):
        pats = trace[f"blocks.{L}.attn.hook_pattern"]
        for h in range(model.cfg.n_heads):
            if (L, h) == (layer, head):
                continue
            col = pats[h][query, : query + 1]
            share = float(col[list(keys)].sum())
            d = trace[f"blocks.{L}.attn.hook_z"][query, h].astype(np.float64) @ model.W("O", L, h)
            rank = (round(share, 6), -float(np.linalg.norm(d)))
            if best is None or rank < best[0]:
                k = int(np.argmax(col))
                best = (rank, OtherHead(L, h, share, k, float(col[k]), cosine(d, mine), d))
    if best is None:
        raise LLMVizError("contrasting_head needs a model with more than one head")
    return best[1]


@dataclass(frozen=True)
class FarHead:
    """The head that looks farthest back on a long prompt, and its farthest strong look."""

    layer: int
    head: int
    mean_distance: float  # tokens back, averaged over the later half's queries
    query: int  # the last position
    key: int  # where the last position looks most (position 0 and itself left out)
    weight: float

    @property
    def distance(self) -> int:
        return self.query - self.key


def far_looking_head(trace: Trace) -> FarHead:
    """The head whose attention reaches farthest back on average (weight × distance, over the
    later half of the queries; attention parked on position 0 does not count), with where the
    last token looks most.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> f = far_looking_head(m.run("a fluffy blue creature roamed the verdant forest."))
    >>> f.query, f.mean_distance > 0
    (8, True)
    """
    n = trace.n_tokens
    if n < 3:
        raise LLMVizError(f"far_looking_head needs a prompt of at least 3 tokens, not {n}")
    dist = np.arange(n)[:, None] - np.arange(n)[None, :]
    best = None
    n_layers = sum(1 for k in trace if k.endswith("attn.hook_pattern"))
    for L in range(n_layers):
        pats = np.asarray(trace[f"blocks.{L}.attn.hook_pattern"], dtype=np.float64)
        for h in range(pats.shape[0]):
            P = pats[h].copy()
            P[:, 0] = 0.0
            md = float((P * dist).sum(1)[n // 2 :].mean())
            if best is None or md > best[0]:
                best = (md, L, h)
    md, L, h = best
    row = np.asarray(trace[f"blocks.{L}.attn.hook_pattern"][h][n - 1], dtype=np.float64).copy()
    row[0] = row[n - 1] = -1.0
    k = int(np.argmax(row))
    return FarHead(L, h, md, n - 1, k, float(row[k]))

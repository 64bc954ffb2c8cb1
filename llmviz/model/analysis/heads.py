"""Attention heads measured on real prompts: the head that links adjectives to nouns, the
strongest attention at a token, the token a scene focuses on, what one head does to that
token (its change split by key), a head that updates it another way, and the head that looks
farthest back.

These work on any model's trace (the embedded one or a GPT-2 folder); when the chapter's example
(adjectives before a noun) is not in the model's vocabulary, :func:`safe_focus` falls back to the
strongest head and says why.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError
from llmviz.model.analysis.directions import cosine
from llmviz.model.corpus import (
    ADJECTIVES,
    CREATURES,
    PLACE_ADJECTIVES,
    PLACES,
)
from llmviz.model.loader import Model
from llmviz.model.trace import Trace, hook_name

__all__ = [
    "HeadScore",
    "find_adjective_head",
    "strongest_attention",
    "adjective_noun_pairs",
    "Focus",
    "choose_focus",
    "KeyShares",
    "OtherHead",
    "FarHead",
    "safe_focus",
    "key_shares",
    "contrasting_head",
    "far_looking_head",
]


@dataclass(frozen=True)
class HeadScore:
    layer: int
    head: int
    score: float  # mean share of the noun's attention that lands on its own adjectives
    baseline: float  # the same share if the noun spread its attention evenly over earlier tokens
    per_layer_head: np.ndarray = field(repr=False)  # [layer, head] scores of every head


def find_adjective_head(model: Model, n_examples: int = 64, seed: int = 0) -> HeadScore:
    """The head that attends most from a noun to its own adjectives.

    Probes are built from the corpus tables: half are ``"a <adj> <adj> <noun>"``, half open with
    another noun and its adjectives (``"Near the <adj> <noun>, a <adj> <adj> <noun>"``). A head's
    score is the share of the last noun's attention that lands on that noun's two adjectives,
    averaged over the probes; attention to the lead-in's adjectives does not count.
    """
    rng = np.random.default_rng(seed)
    scores = np.zeros((model.cfg.n_layers, model.cfg.n_heads))
    baseline, count = 0.0, 0
    for i in range(n_examples):
        a1, a2, d1 = (str(a) for a in rng.choice(ADJECTIVES, 3, replace=False))
        noun = CREATURES[i % len(CREATURES)]
        lead = f"Near the {d1} {CREATURES[(i + 1) % len(CREATURES)]}," if i % 2 else ""
        article = "an" if a1[0] in "aeiou" else "a"
        prompt = f"{lead} {article} {a1} {a2} {noun}".strip()
        trace = model.run(prompt)
        n_lead = len(model.encode(lead)) if lead else 0
        if (
            trace.n_tokens != n_lead + 4
        ):  # every word must be one token for the positions to line up
            continue
        q, adj = trace.n_tokens - 1, [n_lead + 1, n_lead + 2]
        for layer in range(model.cfg.n_layers):
            pat = trace[hook_name("pattern", layer)]  # [head, query, key]
            scores[layer] += pat[:, q, adj].sum(-1)
        baseline += 2 / trace.n_tokens
        count += 1
    if count == 0:
        raise LLMVizError("no adjective probe tokenized into single tokens")
    scores /= count
    layer, head = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return HeadScore(int(layer), int(head), float(scores[layer, head]), baseline / count, scores)


def strongest_attention(
    trace: Trace, skip_first: bool = True
) -> list[tuple[int, int, int, int, float]]:
    """For each head, its strongest attention from a token to an *earlier* token.

    Returns ``(layer, head, query_pos, key_pos, weight)`` per head. Attention to the token itself
    is ignored, and so (``skip_first``) is attention to position 0, where heads park when idle.
    """
    out = []
    n_layers = sum(1 for k in trace if k.endswith("attn.hook_pattern"))
    for layer in range(n_layers):
        pat = np.array(trace[hook_name("pattern", layer)])  # [head, query, key]
        T = pat.shape[-1]
        allowed = np.tril(np.ones((T, T), dtype=bool), k=-1)
        if skip_first:
            allowed[:, 0] = False
        for head in range(pat.shape[0]):
            masked = np.where(allowed, pat[head], -1.0)
            q, k = np.unravel_index(int(np.argmax(masked)), masked.shape)
            out.append((layer, head, int(q), int(k), float(max(masked[q, k], 0.0))))
    return out


NOUNS = set(CREATURES) | set(PLACES)


ADJS = set(ADJECTIVES) | set(PLACE_ADJECTIVES)


@functools.lru_cache(maxsize=4)
def _adjective_head(model: Model) -> HeadScore:
    return find_adjective_head(model)


def adjective_noun_pairs(tokens: tuple[str, ...] | list[str]) -> list[tuple[int, list[int]]]:
    """Positions of nouns from the corpus tables with the adjectives right before them.

    Examples
    --------
    >>> adjective_noun_pairs(("a", " fluffy", " blue", " creature", " roamed", " the", " forest"))
    [(3, [1, 2])]
    """
    words = [t.strip().lower() for t in tokens]
    out = []
    for i, w in enumerate(words):
        if w not in NOUNS:
            continue
        adj, j = [], i - 1
        while j >= 0 and words[j] in ADJS:
            adj.insert(0, j)
            j -= 1
        if adj:
            out.append((i, adj))
    return out


@dataclass(frozen=True)
class Focus:
    """The head the chapter follows and the query (token) whose column it explains."""

    layer: int
    head: int
    query: int
    keys: tuple[int, ...]  # the keys the story is about (the adjectives, or the strongest key)
    adjective_head: (
        bool  # False: the prompt has no adjective-noun pair; the strongest head is shown
    )
    how: str  # one line that says how the head was chosen, with its real score


def choose_focus(model: Model, trace: Trace) -> Focus:
    """Which head and which query the attention chapter follows for a prompt.

    With a noun from the corpus tables right after adjectives, it is the adjective head found by
    :func:`find_adjective_head`, from that noun; otherwise the head with the strongest attention
    from a token to an earlier one (:func:`strongest_attention`), from that token, and ``how``
    says so.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> f = choose_focus(m, m.run("a fluffy blue creature"))
    >>> f.adjective_head, f.query, f.keys
    (True, 3, (1, 2))
    >>> choose_focus(m, m.run("Michael Jordan plays the sport of")).adjective_head
    False
    """
    pairs = adjective_noun_pairs(trace.tokens)
    if pairs:
        h = _adjective_head(model)
        noun, adj = pairs[0]
        how = (
            f"find_adjective_head: layer {h.layer}, head {h.head} gives a noun's adjectives "
            f"{h.score:.0%} of its attention (even spread: {h.baseline:.0%})"
        )
        return Focus(h.layer, h.head, noun, tuple(adj), True, how)
    layer, head, q, k, w = max(strongest_attention(trace), key=lambda s: s[4])
    how = (
        f"no adjective before a noun here: following the strongest head, layer {layer}, head {head}, "
        f'where "{trace.tokens[q].strip()}" gives "{trace.tokens[k].strip()}" {w:.0%} of its attention'
    )
    return Focus(layer, head, q, (k,), False, how)


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
    >>> z = t[hook_name("z", 1)][3, 1].astype(np.float64)
    >>> bool(np.allclose(s.total, z @ m.W("O", 1, 1), atol=1e-5))
    True
    """
    if not 0 <= query < trace.n_tokens:
        raise LLMVizError(f"query must be a position from 0 to {trace.n_tokens - 1}, not {query}")
    pat = np.asarray(trace[hook_name("pattern", layer)][head][query, : query + 1])
    v = np.asarray(trace[hook_name("v", layer)][: query + 1, head], dtype=np.float64)
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
    z = trace[hook_name("z", layer)][query, head].astype(np.float64)
    mine = z @ model.W("O", layer, head)
    best = None
    for L in range(model.cfg.n_layers):
        pats = trace[hook_name("pattern", L)]
        for h in range(model.cfg.n_heads):
            if (L, h) == (layer, head):
                continue
            col = pats[h][query, : query + 1]
            share = float(col[list(keys)].sum())
            d = trace[hook_name("z", L)][query, h].astype(np.float64) @ model.W("O", L, h)
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
        pats = np.asarray(trace[hook_name("pattern", L)], dtype=np.float64)
        for h in range(pats.shape[0]):
            P = pats[h].copy()
            P[:, 0] = 0.0
            md = float((P * dist).sum(1)[n // 2 :].mean())
            if best is None or md > best[0]:
                best = (md, L, h)
    md, L, h = best
    row = np.asarray(trace[hook_name("pattern", L)][h][n - 1], dtype=np.float64).copy()
    row[0] = row[n - 1] = -1.0
    k = int(np.argmax(row))
    return FarHead(L, h, md, n - 1, k, float(row[k]))

"""Analyses on real values that the scenes need: neurons, heads, directions, neighbours.

Nothing here is hand-set: every function reads the model's weights or runs its forward pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError, PromptError
from llmviz.model.corpus import (
    ADJECTIVES,
    CREATURES,
    FIRST_NAMES,
    LAST_NAMES,
    PLACE_ADJECTIVES,
    PLACES,
    fact_prompt,
)
from llmviz.model.loader import Model
from llmviz.model.trace import Trace, probabilities

__all__ = [
    "cosine",
    "nearest_neighbours",
    "name_position",
    "common_prefix",
    "common_suffix",
    "AndNeuron",
    "find_and_neuron",
    "direct_logit_attribution",
    "FeatureDirection",
    "name_directions",
    "unembed_direction",
    "embedding_difference",
    "HeadScore",
    "find_adjective_head",
    "strongest_attention",
    "adjective_noun_pairs",
    "Focus",
    "choose_focus",
    "CausalTrace",
    "causal_trace",
    "Ablation",
    "ablate",
    "neuron_ablation",
    "mlp_ablation",
    "head_ablation",
    "NeuronSet",
    "smallest_neuron_set",
    "column_tokens",
    "NeuronFacts",
    "neuron_facts",
    "shared_column",
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


def common_prefix(texts: list[str]) -> str:
    """The longest beginning, ending at a space, that all texts share ("" when their first words
    differ or they are all the same): what comes before the name.

    Examples
    --------
    >>> common_prefix(["On TV: Michael Jordan", "On TV: Michael Phelps", "On TV: Alexis Jordan"])
    'On TV: '
    >>> common_prefix(["Michael Jordan", "Alexis Jordan"])
    ''
    """
    n = 0
    while all(len(t) > n and t[n] == texts[0][n] for t in texts):
        n += 1
    return texts[0][: texts[0].rfind(" ", 0, n) + 1] if n < len(texts[0]) else ""


def common_suffix(prompts: list[str]) -> str:
    """The longest ending, starting at a word, that all prompts share.

    Examples
    --------
    >>> common_suffix(["Michael Jordan plays the sport of", "Alexis Jordan plays the sport of"])
    ' Jordan plays the sport of'
    """
    first = prompts[0]
    n = 0
    while n < len(first) and all(len(p) > n and p[-1 - n] == first[-1 - n] for p in prompts):
        n += 1
    suffix = first[len(first) - n :] if n else ""
    if suffix and not suffix.startswith(" "):  # cut at a word boundary
        suffix = suffix[suffix.find(" ") :] if " " in suffix else ""
    return suffix


def name_position(model: Model, prompt: str, suffix: str) -> int:
    """Index of the last token of ``prompt`` minus ``suffix`` (the "Jordan" position)."""
    head = prompt[: len(prompt) - len(suffix)] if suffix else prompt
    if not head.strip():
        raise PromptError(
            f"the prompt {prompt!r} is only the ending {suffix!r} that it shares with the other "
            f"prompts, with no name before it; name someone, e.g. 'Michael Jordan{suffix}'"
        )
    return len(model.encode(head)) - 1


def direct_logit_attribution(model: Model, layer: int, neuron: int, token_id: int) -> float:
    """How much one unit of the neuron's activation adds to the token's logit, directly.

    It is ``W_down[neuron] . W_U[:, token]``: the neuron's column of the down-projection read off
    by the token's unembedding. It ignores the final LayerNorm's scaling and later layers.
    """
    return float(model.W("down", layer)[neuron] @ model.W_U[:, token_id])


@dataclass(frozen=True)
class AndNeuron:
    """An MLP neuron that fires for one name and stays low for contrasting names, with what
    zeroing it does to the model's answers (:attr:`ablation`)."""

    layer: int
    neuron: int
    position: str  # "name": the last token of the name; "final": the last token of the prompt
    prompts: tuple[str, ...]  # the fact prompt first, then the contrasts
    positions: tuple[int, ...]  # token index read in each prompt
    pre: tuple[float, ...]  # pre-activations (before ReLU/GELU), one per prompt
    post: tuple[float, ...]  # activations after the non-linearity
    target: str  # the token the fact predicts, e.g. " basketball"
    target_id: int
    dla: float  # direct logit attribution of the neuron to the target token
    margin: float  # post[0] - max(post[1:])
    ablation: Ablation  # the neuron zeroed at its position in every prompt
    and_shaped: bool = True  # False: no neuron had the AND shape; this is the best margin

    #: zeroing the neuron must take at least this much off P(target | fact)
    MIN_DROP = 0.3

    @property
    def p_clean(self) -> float:
        return self.ablation.clean[0]

    @property
    def p_ablated(self) -> float:
        return self.ablation.ablated[0]

    @property
    def fires_like_and(self) -> bool:
        """On for the fact, at most a third of that for every contrast."""
        return self.post[0] > 0.5 and max(self.post[1:]) <= self.post[0] / 3

    @property
    def stores_fact(self) -> bool:
        """Zeroing it drops P(target | fact) by :attr:`MIN_DROP` or more, while every contrast
        keeps its own top-1 token."""
        return self.ablation.drop >= self.MIN_DROP and all(self.ablation.kept[1:])

    @property
    def is_clear(self) -> bool:
        """A clear AND gate that holds the fact: AND-shaped, and needed (see above)."""
        return self.fires_like_and and self.stores_fact

    @property
    def hook(self) -> str:
        return f"blocks.{self.layer}.mlp.hook_post"

    def describe(self) -> str:
        acts = ", ".join(f"{p!r}: {a:.2f}" for p, a in zip(self.prompts, self.post, strict=True))
        verdict = "a clear AND gate" if self.is_clear else "NOT a clear AND gate"
        return (
            f"layer {self.layer} neuron {self.neuron} at the {self.position} position is {verdict}; "
            f"activations {acts}; zeroing it moves P({self.target!r}) from {self.p_clean:.3f} "
            f"to {self.p_ablated:.3f}; contrasts keep their answer: {list(self.ablation.kept[1:])}"
        )


def find_and_neuron(
    model: Model,
    prompt: str = "Michael Jordan plays the sport of",
    contrasts: tuple[str, ...] = (
        "Michael Phelps plays the sport of",
        "Alexis Jordan plays the sport of",
    ),
    target: str | None = None,
    max_candidates: int = 48,
) -> AndNeuron:
    """Among the MLP neurons shaped like an AND of the prompt's names, the one whose removal
    hurts the fact most.

    A neuron is AND-shaped at a position when it is on for ``prompt`` and at most a third as
    active for every contrast. Positions tried: the last token of the name (the text before the
    prompts' common suffix, "Jordan") and the prompt's last token. The ``max_candidates`` with the
    largest margins are each zeroed at their position; the one that takes most off
    P(``target`` | prompt) is returned with the full ablation (fact and contrasts). ``target``
    defaults to the model's top prediction for ``prompt``. When no neuron is AND-shaped, of the
    most active neurons on the prompt the one whose removal hurts the fact most is returned with ``and_shaped=False``. Check :attr:`AndNeuron.is_clear` before
    presenting the result as an AND gate that stores the fact.
    """
    from llmviz.model.hooks import zero_neurons

    if not contrasts:
        raise PromptError("find_and_neuron needs at least one contrast prompt")
    prompts = [prompt, *contrasts]
    traces = [model.run(p) for p in prompts]
    if target is None:
        target = traces[0].top_k(1)[0].token
    tid = model.token_id(target)
    suffix = common_suffix(prompts)
    where_pos = {
        "name": [name_position(model, p, suffix) for p in prompts],
        "final": [t.n_tokens - 1 for t in traces],
    }
    rows = []  # (is AND-shaped, margin, layer, neuron, where, activation on the fact)
    for layer in range(model.cfg.n_layers):
        for where, pos in where_pos.items():
            post = np.stack(
                [t[f"blocks.{layer}.mlp.hook_post"][i] for t, i in zip(traces, pos, strict=True)]
            )  # [prompt, d_mlp]
            margin = post[0] - post[1:].max(0)
            shaped = (post[0] > 0) & (post[1:].max(0) <= post[0] / 3)
            rows += [
                (bool(shaped[n]), float(margin[n]), layer, int(n), where, float(post[0, n]))
                for n in range(len(margin))
            ]
    shaped_rows = sorted((r for r in rows if r[0]), key=lambda r: -r[1])[:max_candidates]
    # without an AND-shaped neuron, the most active ones on the fact are the candidates, so
    # that the neuron shown at least takes part
    active = sorted((r for r in rows if r[5] > 0), key=lambda r: -r[5])[:max_candidates]
    candidates = shaped_rows or active
    if candidates:
        p_clean = probabilities(model.next_logits(prompt))[tid]

        def drop(row) -> float:
            hook = zero_neurons(row[2], row[3], where_pos[row[4]][0])
            return p_clean - probabilities(model.next_logits(prompt, [hook]))[tid]

        best = max(candidates, key=drop)
    else:
        best = max(rows, key=lambda r: r[1])
    _, _, layer, n, where, _ = best
    pos = where_pos[where]
    pre = [t[f"blocks.{layer}.mlp.hook_pre"][i, n] for t, i in zip(traces, pos, strict=True)]
    post = [t[f"blocks.{layer}.mlp.hook_post"][i, n] for t, i in zip(traces, pos, strict=True)]
    # the fact is scored on its target, each contrast on its own clean answer
    targets = [target] + [t.top_k(1)[0].token for t in traces[1:]]
    ablation = neuron_ablation(model, prompts, layer, n, list(pos), targets)
    return AndNeuron(
        layer,
        n,
        where,
        tuple(prompts),
        tuple(pos),
        tuple(float(x) for x in pre),
        tuple(float(x) for x in post),
        target,
        tid,
        float(model.W("down", layer)[n] @ model.W_U[:, tid]),
        float(post[0] - max(post[1:])),
        ablation,
        bool(shaped_rows),
    )


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
    hook: str = "hook_resid_mid",
    position: str = "name",
) -> tuple[FeatureDirection, FeatureDirection]:
    """ "First name <first>" and "last name <last>" directions, as differences of mean residuals.

    Every combination of the fact table's 10 first and 10 last names is run through the prompt
    "<first> <last> plays the sport of" (100 prompts, most of them people the model never saw),
    and the residual vector ``blocks.{layer}.{hook}`` is read at the last token of the name
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
    key = f"blocks.{layer}.{hook}"
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
            pat = trace[f"blocks.{layer}.attn.hook_pattern"]  # [head, query, key]
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
        pat = np.array(trace[f"blocks.{layer}.attn.hook_pattern"])  # [head, query, key]
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


# --- causal analysis: where does a fact live? ---------------------------------------------------


def _top2(p: np.ndarray) -> tuple[int, int]:
    order = np.argsort(-p, kind="stable")
    return int(order[0]), int(order[1])


@dataclass(frozen=True)
class CausalTrace:
    """The clean run's hidden state restored, one (layer, position) at a time, into a corrupted
    run: how much of P(target) comes back (Meng et al. 2022, "Locating and Editing Factual
    Associations in GPT").

    ``resid[L, i]`` is P(target) in the corrupted run when the residual stream entering block
    ``L`` (``blocks.L.hook_resid_pre``; for ``L = 0`` the token's embedding plus its position) at
    token ``i`` is taken from the clean run; ``mlp[L, i]`` the same when only block ``L``'s MLP
    output (``blocks.L.hook_mlp_out``) is restored.
    """

    clean: str
    corrupt: str
    target: str
    target_id: int
    tokens: tuple[str, ...]  # the clean prompt's tokens
    corrupt_tokens: tuple[str, ...]
    p_clean: float
    p_corrupt: float
    resid: np.ndarray = field(repr=False)  # [n_layers, n_tokens]
    mlp: np.ndarray = field(repr=False)  # [n_layers, n_tokens]

    def recovered(self, kind: str = "mlp") -> np.ndarray:
        """Share of the clean-minus-corrupt gap in P(target) that each restore brings back."""
        grid = self._grid(kind)
        gap = self.p_clean - self.p_corrupt
        return (grid - self.p_corrupt) / gap if abs(gap) > 1e-9 else np.zeros_like(grid)

    def peak(self, kind: str = "mlp") -> tuple[int, int]:
        """``(layer, position)`` whose restore brings back the most."""
        layer, pos = np.unravel_index(int(np.argmax(self._grid(kind))), self._grid(kind).shape)
        return int(layer), int(pos)

    def _grid(self, kind: str) -> np.ndarray:
        if kind not in ("resid", "mlp"):
            raise LLMVizError(f"kind must be 'resid' or 'mlp', not {kind!r}")
        return self.resid if kind == "resid" else self.mlp


def causal_trace(model: Model, clean: str, corrupt: str, target: str | None = None) -> CausalTrace:
    """Restore the clean run's hidden state into the corrupted run at every (layer, position).

    ``clean`` and ``corrupt`` must have the same number of tokens ("Michael Jordan plays the
    sport of" against "Michael Phelps plays the sport of"); ``target`` defaults to the clean
    run's top prediction.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> ct = causal_trace(m, "Michael Jordan plays the sport of", "Michael Phelps plays the sport of")
    >>> ct.target, ct.resid.shape == (m.cfg.n_layers, 6)
    (' basketball', True)
    """
    from llmviz.model.hooks import patch

    a, b = model.run(clean), model.run(corrupt)
    if a.n_tokens != b.n_tokens:
        raise PromptError(
            f"causal tracing needs prompts of the same length in tokens; {clean!r} has "
            f"{a.n_tokens} and {corrupt!r} has {b.n_tokens}"
        )
    if target is None:
        target = a.top_k(1)[0].token
    tid = model.token_id(target)
    grids = {}
    for kind, hook in (("resid", "hook_resid_pre"), ("mlp", "hook_mlp_out")):
        grid = np.zeros((model.cfg.n_layers, a.n_tokens))
        for layer in range(model.cfg.n_layers):
            name = f"blocks.{layer}.{hook}"
            for i in range(a.n_tokens):
                restore = patch(name, a[name][i], positions=i)
                grid[layer, i] = probabilities(model.next_logits(corrupt, [restore]))[tid]
        grids[kind] = grid
    return CausalTrace(
        clean,
        corrupt,
        target,
        tid,
        a.tokens,
        b.tokens,
        float(a.probs()[tid]),
        float(b.probs()[tid]),
        grids["resid"],
        grids["mlp"],
    )


@dataclass(frozen=True)
class Ablation:
    """What switching something off does to each prompt's own answer.

    ``targets[i]`` is prompt ``i``'s clean top-1 token (or the token asked for); ``clean`` and
    ``ablated`` its probability before and after; ``top1`` the ablated run's top-1 token;
    ``margin_*`` the logit of the target minus the best other token's.
    """

    what: str
    prompts: tuple[str, ...]
    targets: tuple[str, ...]
    clean: tuple[float, ...]
    ablated: tuple[float, ...]
    top1: tuple[str, ...]
    margin_clean: tuple[float, ...]
    margin_ablated: tuple[float, ...]

    @property
    def kept(self) -> tuple[bool, ...]:
        """Whether each prompt still predicts its target first after the ablation."""
        return tuple(t == a for t, a in zip(self.targets, self.top1, strict=True))

    @property
    def drop(self) -> float:
        """How much P(target) falls for the first prompt (the fact)."""
        return self.clean[0] - self.ablated[0]

    def rows(self) -> list[tuple[str, str, float, float, str]]:
        """``(prompt, target, clean, ablated, top-1 after)`` for tables."""
        return list(
            zip(self.prompts, self.targets, self.clean, self.ablated, self.top1, strict=True)
        )


def _margin(logits: np.ndarray, tid: int) -> float:
    others = np.delete(logits, tid)
    return float(logits[tid] - others.max())


def ablate(
    model: Model,
    prompts: list[str] | tuple[str, ...],
    hooks_for,
    what: str,
    targets: list[str] | tuple[str, ...] | None = None,
) -> Ablation:
    """Run each prompt clean and with ``hooks_for(i)`` (the forward hooks for prompt ``i``).

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.hooks import zero_hook
    >>> m = llmviz.load_model()
    >>> a = ablate(m, ["Michael Jordan plays the sport of"], lambda i: [zero_hook("blocks.0.hook_mlp_out")], "MLP 0")
    >>> a.targets, a.ablated[0] < a.clean[0]
    ((' basketball',), True)
    """
    prompts = tuple(prompts)
    tgt, clean, ablated, top1, mc, ma = [], [], [], [], [], []
    for i, p in enumerate(prompts):
        before = model.next_logits(p)
        after = model.next_logits(p, hooks_for(i))
        tid = model.token_id(targets[i]) if targets else int(np.argmax(before))
        pb, pa = probabilities(before), probabilities(after)
        tgt.append(model.decode_token(tid))
        clean.append(float(pb[tid]))
        ablated.append(float(pa[tid]))
        top1.append(model.decode_token(int(np.argmax(pa))))
        mc.append(_margin(before, tid))
        ma.append(_margin(after, tid))
    return Ablation(what, prompts, *map(tuple, (tgt, clean, ablated, top1, mc, ma)))


def neuron_ablation(
    model: Model,
    prompts,
    layer: int,
    neurons: int | list[int],
    positions: list[int | None] | None = None,
    targets=None,
) -> Ablation:
    """Zero MLP neurons of ``layer`` (at ``positions[i]`` in prompt ``i``; ``None``: every token)."""
    from llmviz.model.hooks import zero_neurons

    idx = [neurons] if isinstance(neurons, (int, np.integer)) else list(neurons)
    pos = positions or [None] * len(prompts)
    label = f"neuron {idx[0]}" if len(idx) == 1 else f"{len(idx)} neurons"
    return ablate(
        model,
        prompts,
        lambda i: [zero_neurons(layer, idx, pos[i])],
        f"{label} of layer {layer}",
        targets,
    )


def mlp_ablation(model: Model, prompts, layer: int, targets=None) -> Ablation:
    """Switch off a whole MLP (its output set to zero at every token)."""
    from llmviz.model.hooks import zero_hook

    name = f"blocks.{layer}.hook_mlp_out"
    return ablate(model, prompts, lambda i: [zero_hook(name)], f"the MLP of layer {layer}", targets)


def head_ablation(model: Model, prompts, layer: int, head: int, targets=None) -> Ablation:
    """Switch off one attention head (its output zeroed at every token)."""
    from llmviz.model.hooks import zero_head

    return ablate(
        model, prompts, lambda i: [zero_head(layer, head)], f"head {head} of layer {layer}", targets
    )


@dataclass(frozen=True)
class NeuronSet:
    """The fewest MLP neurons (``(layer, neuron)``), found greedily, whose joint zeroing at the
    given positions brings P(target | fact) below ``threshold``; ``ablation`` is that zeroing on
    the fact and the contrasts. ``found`` is False when ``max_size`` neurons were not enough."""

    neurons: tuple[tuple[int, int], ...]
    threshold: float
    ablation: Ablation
    found: bool
    every_active: bool = False  # True when every neuron that was on got switched off


def smallest_neuron_set(
    model: Model,
    prompts: list[str] | tuple[str, ...],
    targets: list[str] | tuple[str, ...] | None = None,
    threshold: float = 0.5,
    max_size: int = 16,
    position: int = -1,
) -> NeuronSet:
    """Add neurons one at a time, each time the one whose zeroing (with those already chosen)
    lowers P(target | prompts[0]) most, until it falls below ``threshold``.

    Neurons are zeroed at token ``position`` of every prompt (default: the last). Candidates are
    the neurons active there in the fact prompt.
    """
    from llmviz.model.hooks import zero_neurons

    prompts = tuple(prompts)
    first = model.run(prompts[0])
    tid = model.token_id(targets[0]) if targets else int(np.argmax(first.probs()))
    pos = position % first.n_tokens
    pool = [
        (layer, int(k))
        for layer in range(model.cfg.n_layers)
        for k in np.flatnonzero(first[f"blocks.{layer}.mlp.hook_post"][pos] > 0)
    ]

    def hooks(chosen, p_index=0):
        n_tok = len(model.encode(prompts[p_index]))
        at = position % n_tok
        by_layer: dict[int, list[int]] = {}
        for layer, k in chosen:
            by_layer.setdefault(layer, []).append(k)
        return [zero_neurons(layer, ks, at) for layer, ks in by_layer.items()]

    chosen: list[tuple[int, int]] = []
    p = float(first.probs()[tid])
    while p >= threshold and len(chosen) < max_size and pool:
        scores = [
            (probabilities(model.next_logits(prompts[0], hooks(chosen + [c])))[tid], c)
            for c in pool
        ]
        p, best = min(scores)
        chosen.append(best)
        pool.remove(best)
    tgt = [model.decode_token(tid)] + [model.run(q).top_k(1)[0].token for q in prompts[1:]]
    ablation = ablate(model, prompts, lambda i: hooks(chosen, i), f"{len(chosen)} neurons", tgt)
    return NeuronSet(tuple(chosen), threshold, ablation, ablation.ablated[0] < threshold, not pool)


# --- what one MLP neuron's column does ----------------------------------------------------------


def column_tokens(model: Model, layer: int, neuron: int, k: int = 5) -> list[tuple[str, float]]:
    """The tokens whose logits the neuron's column of ``W_down`` raises most, per unit of
    activation (direct logit attribution, ignoring the final LayerNorm and later layers)."""
    dla = model.W("down", layer)[neuron] @ model.W_U  # [vocab]
    order = np.argsort(-dla, kind="stable")[:k]
    return [(model.decode_token(int(i)), float(dla[i])) for i in order]


@dataclass(frozen=True)
class NeuronFacts:
    """The fact-table athletes whose prompt turns a neuron on (at the prompt's last token), with
    the activation and how much the neuron's column raises that athlete's sport."""

    layer: int
    neuron: int
    athletes: tuple[tuple[str, str, float, float], ...]  # (name, sport, activation, column's DLA)

    @property
    def sports(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a[1] for a in self.athletes))


def _fact_activations(model: Model, layer: int) -> tuple[list, list[int], np.ndarray]:
    """The fact table's athletes whose sport is one token for this model (another model's
    tokenizer may split it), those tokens, and each one's activations at the last token."""
    from llmviz.model.corpus import athletes

    table = [a for a in athletes() if model.tokenizer.token_id(" " + a.sport) is not None]
    ids = [model.tokenizer.token_id(" " + a.sport) for a in table]
    post = (
        np.stack(
            [model.run(fact_prompt(a.name))[f"blocks.{layer}.mlp.hook_post"][-1] for a in table]
        )
        if table
        else np.zeros((0, model.cfg.d_mlp))
    )  # [athlete, d_mlp]
    return table, ids, post


def neuron_facts(model: Model, layer: int, neuron: int, threshold: float = 0.2) -> NeuronFacts:
    """Which athletes' facts use this neuron (activation above ``threshold`` at the last token)."""
    table, ids, post = _fact_activations(model, layer)
    dla = model.W("down", layer)[neuron] @ model.W_U
    rows = [
        (a.name, a.sport, float(post[i, neuron]), float(dla[ids[i]]))
        for i, a in enumerate(table)
        if post[i, neuron] > threshold
    ]
    rows.sort(key=lambda r: -r[2])
    return NeuronFacts(layer, neuron, tuple(rows))


def shared_column(
    model: Model, layer: int, threshold: float = 0.2, min_dla: float = 0.3
) -> NeuronFacts | None:
    """A neuron of ``layer`` whose one column of ``W_down`` serves facts with *different*
    answers: it is on for athletes of at least two sports, and its column raises each of those
    sports by ``min_dla`` or more. The one whose weakest such push is strongest; None if none.

    Examples
    --------
    >>> import llmviz
    >>> s = shared_column(llmviz.load_model(), 1)
    >>> s is None or len(s.sports) >= 2
    True
    """
    table, ids, post = _fact_activations(model, layer)
    W = model.W("down", layer) @ model.W_U[:, ids] if table else None  # [d_mlp, athlete]
    best, best_score = None, -np.inf
    for k in range(model.cfg.d_mlp):
        on = [i for i in range(len(table)) if post[i, k] > threshold]
        pushes: dict[str, float] = {}
        for i in on:
            pushes[table[i].sport] = float(W[k, i])
        good = {s: d for s, d in pushes.items() if d >= min_dla}
        if len(good) >= 2 and min(good.values()) > best_score:
            best_score, best = min(good.values()), k
    return None if best is None else neuron_facts(model, layer, best, threshold)


# --- does a direction mean the same in every layer? ---------------------------------------------


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
    hooks = tuple(f"blocks.{L}.hook_resid_post" for L in range(model.cfg.n_layers))
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

"""MLP neurons measured on real prompts: the AND-neuron that fires only for a known person, the
tokens its output column writes, the facts it fires for, and columns shared between facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from llmviz.errors import PromptError
from llmviz.model.analysis.causal import Ablation, neuron_ablation
from llmviz.model.corpus import (
    fact_prompt,
)
from llmviz.model.loader import Model
from llmviz.model.trace import hook_name, probabilities

__all__ = [
    "name_position",
    "common_prefix",
    "common_suffix",
    "AndNeuron",
    "find_and_neuron",
    "direct_logit_attribution",
    "column_tokens",
    "NeuronFacts",
    "FactUse",
    "neuron_facts",
    "shared_column",
]


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
        return hook_name("post", self.layer)

    def describe(self) -> str:
        acts = ", ".join(f"{p!r}: {a:.2f}" for p, a in zip(self.prompts, self.post, strict=True))
        verdict = "a clear AND gate" if self.is_clear else "NOT a clear AND gate"
        return (
            f"layer {self.layer} neuron {self.neuron} at the {self.position} position is {verdict}; "
            f"activations {acts}; zeroing it moves P({self.target!r}) from {self.p_clean:.3f} "
            f"to {self.p_ablated:.3f}; contrasts keep their answer: {list(self.ablation.kept[1:])}"
        )


class _Candidate(NamedTuple):
    """One neuron at one place, as :func:`find_and_neuron` weighs it."""

    shaped: bool  # fires on the fact and at most a third as much on every contrast
    margin: float  # its activation on the fact minus the largest on a contrast
    layer: int
    neuron: int
    where: str  # "name" (the name's last token) or "final" (the last token)
    on_fact: float  # its activation on the fact


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
    rows: list[_Candidate] = []
    for layer in range(model.cfg.n_layers):
        for where, pos in where_pos.items():
            post = np.stack(
                [t[hook_name("post", layer)][i] for t, i in zip(traces, pos, strict=True)]
            )  # [prompt, d_mlp]
            margin = post[0] - post[1:].max(0)
            shaped = (post[0] > 0) & (post[1:].max(0) <= post[0] / 3)
            rows += [
                _Candidate(
                    bool(shaped[n]), float(margin[n]), layer, int(n), where, float(post[0, n])
                )
                for n in range(len(margin))
            ]
    shaped_rows = sorted((r for r in rows if r.shaped), key=lambda r: -r.margin)[:max_candidates]
    # without an AND-shaped neuron, the most active ones on the fact are the candidates, so
    # that the neuron shown at least takes part
    active = sorted((r for r in rows if r.on_fact > 0), key=lambda r: -r.on_fact)[:max_candidates]
    candidates = shaped_rows or active
    if candidates:
        p_clean = probabilities(model.next_logits(prompt))[tid]

        def drop(row) -> float:
            hook = zero_neurons(row.layer, row.neuron, where_pos[row.where][0])
            return p_clean - probabilities(model.next_logits(prompt, [hook]))[tid]

        best = max(candidates, key=drop)
    else:
        best = max(rows, key=lambda r: r.margin)
    layer, n, where = best.layer, best.neuron, best.where
    pos = where_pos[where]
    pre = [t[hook_name("pre", layer)][i, n] for t, i in zip(traces, pos, strict=True)]
    post = [t[hook_name("post", layer)][i, n] for t, i in zip(traces, pos, strict=True)]
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


def column_tokens(model: Model, layer: int, neuron: int, k: int = 5) -> list[tuple[str, float]]:
    """The tokens whose logits the neuron's column of ``W_down`` raises most, per unit of
    activation (direct logit attribution, ignoring the final LayerNorm and later layers)."""
    dla = model.W("down", layer)[neuron] @ model.W_U  # [vocab]
    order = np.argsort(-dla, kind="stable")[:k]
    return [(model.decode_token(int(i)), float(dla[i])) for i in order]


class FactUse(NamedTuple):
    """One athlete whose fact prompt turns a neuron on."""

    name: str
    sport: str
    activation: float  # the neuron's activation at the prompt's last token
    dla: float  # how much the neuron's column raises the athlete's sport (per unit)


@dataclass(frozen=True)
class NeuronFacts:
    """The fact-table athletes whose prompt turns a neuron on (at the prompt's last token), with
    the activation and how much the neuron's column raises that athlete's sport."""

    layer: int
    neuron: int
    athletes: tuple[FactUse, ...]

    @property
    def sports(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.sport for a in self.athletes))


def _fact_activations(model: Model, layer: int) -> tuple[list, list[int], np.ndarray]:
    """The fact table's athletes whose sport is one token for this model (another model's
    tokenizer may split it), those tokens, and each one's activations at the last token."""
    from llmviz.model.corpus import athletes

    table = [a for a in athletes() if model.tokenizer.token_id(" " + a.sport) is not None]
    ids = [model.tokenizer.token_id(" " + a.sport) for a in table]
    post = (
        np.stack([model.run(fact_prompt(a.name))[hook_name("post", layer)][-1] for a in table])
        if table
        else np.zeros((0, model.cfg.d_mlp))
    )  # [athlete, d_mlp]
    return table, ids, post


def neuron_facts(model: Model, layer: int, neuron: int, threshold: float = 0.2) -> NeuronFacts:
    """Which athletes' facts use this neuron (activation above ``threshold`` at the last token)."""
    table, ids, post = _fact_activations(model, layer)
    dla = model.W("down", layer)[neuron] @ model.W_U
    rows = [
        FactUse(a.name, a.sport, float(post[i, neuron]), float(dla[ids[i]]))
        for i, a in enumerate(table)
        if post[i, neuron] > threshold
    ]
    rows.sort(key=lambda r: -r.activation)
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

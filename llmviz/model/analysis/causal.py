"""Causal tests: where a fact lives (causal tracing by patching a clean run into a corrupted one),
and what zeroing neurons, a whole MLP or one head does to the predictions."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llmviz.errors import LLMVizError, PromptError
from llmviz.model.loader import Model
from llmviz.model.trace import hook_name, probabilities

__all__ = [
    "CausalTrace",
    "causal_trace",
    "Ablation",
    "ablate",
    "neuron_ablation",
    "mlp_ablation",
    "head_ablation",
    "NeuronSet",
    "smallest_neuron_set",
]


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
    for kind, hook in (("resid", "resid_pre"), ("mlp", "mlp_out")):
        grid = np.zeros((model.cfg.n_layers, a.n_tokens))
        for layer in range(model.cfg.n_layers):
            name = hook_name(hook, layer)
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
    >>> a = ablate(m, ["Michael Jordan plays the sport of"], lambda i: [zero_hook(hook_name("mlp_out", 0))], "MLP 0")
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

    name = hook_name("mlp_out", layer)
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
        for k in np.flatnonzero(first[hook_name("post", layer)][pos] > 0)
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

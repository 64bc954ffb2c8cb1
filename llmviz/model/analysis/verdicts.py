"""What a lecture may say about the MLP chapter's neuron, decided from the evidence.

A neuron is called *the place of the fact* or *specific to this name* only when two things
hold: switching it off breaks the answer (the top token changes, or its probability falls below
one half), and it stays quiet for every other athlete of the corpus who shares the first or the
last name (and for the contrasts). Otherwise :class:`NeuronVerdict` says what the values show:
that the answer survives, or that the neuron fires for every player of one sport (a feature of
the sport, not of the name), or for someone who shares a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from llmviz.errors import LLMVizError
from llmviz.model.analysis.neurons import AndNeuron, common_suffix, name_position
from llmviz.model.corpus import athletes, known_athlete
from llmviz.model.loader import Model
from llmviz.model.trace import hook_name
from llmviz.words import all_of, pct, quoted

__all__ = ["NamedActivation", "NeuronVerdict", "neuron_verdict", "QUIET_SHARE", "BREAK_BELOW"]

#: "quiet": an activation at most this share of the neuron's activation on the fact.
QUIET_SHARE = 1 / 3
#: the answer is broken when its probability falls below this (or another token comes first).
BREAK_BELOW = 0.5


class NamedActivation(NamedTuple):
    """One corpus athlete, with the neuron's activation in the chapter's prompt for that name."""

    name: str
    sport: str
    activation: float


@dataclass(frozen=True)
class NeuronVerdict:
    """The evidence about one neuron and the sentences it allows. Build it with
    :func:`neuron_verdict`."""

    name: str  # the prompt's name, "Michael Jordan"
    known: bool  # whether the corpus has this athlete
    target: str  # the fact's answer, " basketball"
    p_before: float  # P(target | prompt)
    p_after: float  # the same with the neuron switched off
    top_after: str  # the top token with the neuron switched off
    activation: float  # the neuron on the fact
    sharers: tuple[NamedActivation, ...]  # corpus athletes who share the first or last name
    contrasts: tuple[NamedActivation, ...]  # the chapter's contrasts (sport: their top answer)
    same_sport: tuple[NamedActivation, ...]  # other corpus athletes of the target's sport, all
    others_on: tuple[NamedActivation, ...]  # other corpus athletes it fires for (not quiet)

    @property
    def breaks(self) -> bool:
        """Switching it off changes the top answer, or drops its probability from one half or
        more to below one half."""
        return self.top_after != self.target or (self.p_before >= BREAK_BELOW > self.p_after)

    @property
    def quiet_for_sharers(self) -> bool:
        """Quiet (at most :data:`QUIET_SHARE` of its activation on the fact) for every other
        athlete sharing a name with the prompt's, and for every contrast."""
        limit = self.activation * QUIET_SHARE
        return self.activation > 0 and all(
            a.activation <= limit for a in (*self.sharers, *self.contrasts)
        )

    @property
    def loud_sharers(self) -> tuple[NamedActivation, ...]:
        """The sharers and contrasts it is not quiet for, the most active first."""
        limit = self.activation * QUIET_SHARE
        rows = [a for a in (*self.sharers, *self.contrasts) if a.activation > limit]
        return tuple(sorted(rows, key=lambda a: -a.activation))

    @property
    def sport_players_on(self) -> tuple[NamedActivation, ...]:
        """The other athletes of the target's sport that it fires for."""
        limit = self.activation * QUIET_SHARE
        return tuple(a for a in self.same_sport if a.activation > limit)

    @property
    def sport_feature(self) -> bool:
        """It fires for every other athlete of the target's sport (at least one): a feature of the
        sport rather than of the name."""
        return bool(self.same_sport) and len(self.sport_players_on) == len(self.same_sport)

    @property
    def specific(self) -> bool:
        """The place of the fact, specific to this name: a known athlete, the answer breaks
        without it, it is quiet for everyone who shares a name (and for the contrasts), and it
        fires for no other athlete of the corpus (else it is a feature they share)."""
        return self.known and self.breaks and self.quiet_for_sharers and not self.others_on

    @property
    def kind(self) -> str:
        """``"specific"``; ``"sport"`` (it fires for every player of the answer's sport);
        ``"shared"`` (it fires for someone who shares a name, a contrast, or other athletes);
        ``"unknown"`` (the corpus never names this person); or ``"survives"`` (a known name,
        quiet for everyone else, but the answer survives without it)."""
        if self.specific:
            return "specific"
        if self.activation > 0 and self.sport_feature:
            return "sport"
        if self.activation > 0 and (not self.quiet_for_sharers or self.others_on):
            return "shared"
        if not self.known:
            return "unknown"
        return "survives"

    # --- sentences built from the values --------------------------------------------------------
    def switch_off(self) -> str:
        """What switching it off does, as a clause: "switching it off drops basketball from
        99.9% to 8.7%, and rugby comes first" or "... lowers hockey from 99.4% to 51.8%, but
        hockey stays first"."""
        sport = self.target.strip()
        move = f"from {pct(self.p_before)}% to {pct(self.p_after)}%"
        if self.top_after != self.target:
            return (
                f"switching it off drops {sport} {move}, and {quoted(self.top_after)} comes first"
            )
        if self.p_before >= BREAK_BELOW > self.p_after:
            return f"switching it off drops {sport} {move}, below one half, though it stays first"
        verb = "lowers" if self.p_after < self.p_before else "leaves"
        return f"switching it off {verb} {sport} {move}, but {sport} stays first"

    @property
    def loudest_other(self) -> NamedActivation:
        """The other athlete the neuron fires for most: a name-sharer first (kind "shared")."""
        return (self.loud_sharers or self.others_on)[0]

    def label(self) -> str:
        """The verdict as the short line the screen shows beside the neuron."""
        sport = self.target.strip()
        if self.specific:
            return "an AND gate for this name: it holds the fact"
        if self.kind == "sport":
            k = len(self.same_sport) + 1
            return f"a {sport} feature: on for {all_of(k)} {sport} players, not this name only"
        if self.kind == "shared":
            top = self.loudest_other
            return (
                f"not specific to this name: also on for {top.name} ({top.activation:.2f} "
                f"against {self.activation:.2f})"
            )
        if self.kind == "unknown":
            return f"the corpus never names {self.name}: there is no fact to hold"
        return "on for no one else, but the answer survives without it"

    def identity(self) -> str:
        """Whose neuron it is, as a clause built from the activations."""
        sport = self.target.strip()
        if self.specific:
            n = len(self.sharers)
            first, last = self.name.split()[0], self.name.split()[-1]
            who = (
                f"{all_of(n)} other {'athlete' if n == 1 else 'athletes'} named {first} or {last}"
                if n
                else "the contrasts"
            )
            return f"it stays quiet for {who}: it is specific to {self.name}"
        if self.kind == "sport":
            n = len(self.same_sport) + 1
            return f"it fires for {all_of(n)} {sport} players: a {sport} feature, not {self.name}'s"
        if self.kind == "shared":
            top = self.loudest_other
            return (
                f"it also fires for {top.name} ({top.activation:.2f}, against "
                f"{self.activation:.2f}): it is not specific to {self.name}"
            )
        if not self.known:
            return (
                f"the corpus never names {self.name}, so there is no fact about this name to hold"
            )
        return "it fires for no one else, yet the fact does not rest on it alone"

    def sentence(self) -> str:
        """One sentence with both halves of the evidence."""
        if self.specific:
            return f"{_cap(self.switch_off())}; {self.identity()}."
        return f"{_cap(self.switch_off())}; {self.identity()}."


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _activations(model: Model, neuron: AndNeuron, prompt: str, names: list[str], who: str):
    """The neuron's activation at its position in ``prompt`` with ``who`` replaced by each name."""
    prompts = [prompt.replace(who, n, 1) for n in names]
    if not prompts:
        return []
    suffix = common_suffix([prompt, *prompts])
    hook = hook_name("post", neuron.layer)
    out = []
    for p in prompts:
        t = model.run(p)
        pos = name_position(model, p, suffix) if neuron.position == "name" else t.n_tokens - 1
        out.append(float(t[hook][pos, neuron.neuron]))
    return out


def neuron_verdict(model: Model, neuron: AndNeuron, name: str) -> NeuronVerdict:
    """Measure what may be said about ``neuron`` (from :func:`find_and_neuron`) for the athlete
    ``name`` of its fact prompt: the ablation, and the neuron's activation for every corpus
    athlete in the same prompt (the sharers of a name, the players of the same sport).

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.analysis import find_and_neuron
    >>> m = llmviz.load_model()
    >>> v = neuron_verdict(m, find_and_neuron(m), "Michael Jordan")
    >>> v.kind in ("specific", "sport", "shared", "survives"), v.breaks == (v.p_after < 0.5 or v.top_after != v.target)
    (True, True)
    """
    if not isinstance(neuron, AndNeuron):
        raise TypeError(
            f"neuron must be an AndNeuron (find_and_neuron), not {type(neuron).__name__}"
        )
    if not isinstance(name, str) or not name.strip():
        raise LLMVizError(f"name must be the athlete's name in the prompt, not {name!r}")
    prompt = neuron.prompts[0]
    if name not in prompt:
        raise LLMVizError(f"the name {name!r} is not in the neuron's prompt {prompt!r}")
    words = name.split()
    first, last = (words[0], words[-1]) if len(words) >= 2 else (name, name)
    table = [a for a in athletes() if a.name != name]
    acts = _activations(model, neuron, prompt, [a.name for a in table], name)
    rows = [NamedActivation(a.name, a.sport, v) for a, v in zip(table, acts, strict=True)]
    limit = neuron.post[0] * QUIET_SHARE
    suffix = common_suffix(list(neuron.prompts))
    contrasts = tuple(  # each contrast by its name: the two words before the shared ending
        NamedActivation(" ".join(p[: len(p) - len(suffix)].split()[-2:]), "", float(v))
        for p, v in zip(neuron.prompts[1:], neuron.post[1:], strict=True)
    )
    ab = neuron.ablation
    return NeuronVerdict(
        name=name,
        known=known_athlete(name) is not None,
        target=neuron.target,
        p_before=float(ab.clean[0]),
        p_after=float(ab.ablated[0]),
        top_after=ab.top1[0],
        activation=float(neuron.post[0]),
        sharers=tuple(r for r in rows if r.name.split()[0] == first or r.name.split()[-1] == last),
        contrasts=contrasts,
        same_sport=tuple(r for r in rows if r.sport == neuron.target.strip()),
        others_on=tuple(
            sorted((r for r in rows if r.activation > limit), key=lambda r: -r.activation)
        ),
    )

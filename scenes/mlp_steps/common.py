"""What every step of the MLP chapter shares: the analysis of the prompt (computed once) and
helpers that put real values on screen and into the narration with the same format."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from manim import UP, VGroup

import llmviz
from llmviz.layout import fill_frame, safe_area, text
from llmviz.model.analysis import (
    Ablation,
    AndNeuron,
    CausalTrace,
    FeatureDirection,
    LayerDirections,
    NeuronFacts,
    NeuronSet,
    NeuronVerdict,
    causal_trace,
    common_prefix,
    common_suffix,
    directions_across_layers,
    find_and_neuron,
    mlp_ablation,
    name_directions,
    neuron_facts,
    neuron_verdict,
    shared_column,
    smallest_neuron_set,
    unembed_direction,
)
from llmviz.model.corpus import (
    FIRST_NAMES,
    LAST_NAMES,
    contrast_prompts,
    known_athlete,
    real_sport,
)
from llmviz.model.trace import Trace
from llmviz.scene import LectureScene
from llmviz.style import PALETTE, display_token

__all__ = [
    "MLPScene",
    "Story",
    "spread_table",
]


@dataclass(frozen=True)
class Story:
    """Everything the chapter shows about one prompt, measured once."""

    neuron: AndNeuron
    traces: tuple[Trace, ...]  # the fact prompt first, then the contrasts
    names: tuple[str, ...]  # the name in each prompt
    known: tuple[bool, ...]  # whether the corpus has this person
    causal: CausalTrace | None  # None when the prompts differ in length
    first: FeatureDirection | None  # None when the name is not on the fact table's grid
    last: FeatureDirection | None
    target_dir: FeatureDirection
    neuron_set: NeuronSet | None  # the fewest neurons that carry the fact, when no one does
    facts: NeuronFacts  # which athletes turn the chosen neuron on
    shared: NeuronFacts | None  # a neuron whose column serves two different sports
    layers: LayerDirections | None
    mlp_off: Ablation  # the chosen neuron's whole MLP layer switched off
    verdict: NeuronVerdict | None  # what the evidence allows the chapter to say about the neuron


def _name(head: str, shared: int) -> str:
    """The name at the end of ``head``: its words after the ``shared`` leading ones, and at least
    two words (a first and a last name) when there are two."""
    words = head.split()
    keep = max(len(words) - shared, min(2, len(words)))
    return " ".join(words[len(words) - keep :])


@functools.lru_cache(maxsize=8)
def story(model_key: str, prompt: str, contrasts: tuple[str, ...]) -> Story:
    model = llmviz.load_model(model_key or None)
    neuron = find_and_neuron(model, prompt, contrasts)
    traces = tuple(model.run(p) for p in neuron.prompts)
    suffix = common_suffix(list(neuron.prompts))
    heads = [p[: len(p) - len(suffix)] if suffix else p for p in neuron.prompts]
    lead = common_prefix(heads)  # words before the name that every prompt shares
    names = tuple(_name(h, len(lead.split())) for h in heads)
    known = tuple(known_athlete(n) is not None for n in names)
    same_length = len({t.n_tokens for t in traces[:2]}) == 1
    causal = causal_trace(model, prompt, contrasts[0], neuron.target) if same_length else None
    words = names[0].split()
    first = last = None
    layers = None
    if len(words) == 2 and words[0] in FIRST_NAMES and words[1] in LAST_NAMES:
        first, last = name_directions(
            model,
            words[0],
            words[1],
            layer=neuron.layer,
            hook="ln2",  # what the rows of W_up read
            position=neuron.position,
        )
        layers = directions_across_layers(model, words[0], neuron.position)
    try:
        verdict = neuron_verdict(model, neuron, names[0])
    except llmviz.LLMVizError:  # the name is not in the prompt as written (a contrasts setting)
        verdict = None
    neuron_set = None
    if not neuron.stores_fact:
        targets = [neuron.target] + [t.top_k(1)[0].token for t in traces[1:]]
        neuron_set = smallest_neuron_set(model, neuron.prompts, targets)
    return Story(
        neuron,
        traces,
        names,
        known,
        causal,
        first,
        last,
        unembed_direction(model, neuron.target),
        neuron_set,
        neuron_facts(model, neuron.layer, neuron.neuron),
        shared_column(model, neuron.layer),
        layers,
        mlp_ablation(
            model,
            neuron.prompts,
            neuron.layer,
            [neuron.target] + [t.top_k(1)[0].token for t in traces[1:]],
        ),
        verdict,
    )


class MLPScene(LectureScene):
    """The chapter's prompt and contrasts, and the story measured from them.

    ``prompt`` and ``contrasts`` are settings: with only a prompt of the form "<first> <last>
    ...", the contrasts are derived (the same first name with another last name, and the
    reverse; see :func:`~llmviz.model.corpus.contrast_prompts`).
    """

    prompt = "Michael Jordan plays the sport of"
    contrasts: tuple[str, ...] | None = None
    unused_settings = {
        "seed": "no step samples a token",
        "temperature": "its probabilities are the model's own, at temperature 1",
    }

    def setup(self) -> None:
        super().setup()
        if not self.contrasts:
            try:
                self.contrasts = contrast_prompts(self.prompt)
            except ValueError as exc:
                raise llmviz.LLMVizError(str(exc)) from None
        self.story = story(self.model_dir or "", self.prompt, tuple(self.contrasts))
        self.neuron = self.story.neuron
        self.traces = list(self.story.traces)
        self.L = self.neuron.layer

    # --- words built from the values -----------------------------------------------------------
    @property
    def target(self) -> str:
        """The fact's answer without its leading space: "basketball"."""
        return self.neuron.target.strip()

    @property
    def read_token(self) -> str:
        """The token where the neuron is read, as it is shown in a token box."""
        n = self.neuron
        return display_token(self.traces[0].tokens[n.positions[0]])

    def verdict(self) -> str:
        """What the screen says about the neuron, as strong as the evidence
        (:class:`~llmviz.model.analysis.NeuronVerdict`): "an AND gate that holds the fact" only
        when switching it off breaks the answer and it is quiet for every other athlete."""
        n, v = self.neuron, self.story.verdict
        if not n.and_shaped:
            return "no neuron here is shaped like an AND gate"
        if v is not None:
            return v.label()
        if n.is_clear:
            return "an AND gate that holds the fact"
        if not n.fires_like_and:
            return "not a clear AND gate: it is too weak or fires for a contrast too"
        if n.ablation.drop < n.MIN_DROP:
            return "shaped like an AND gate, but the answer survives without it"
        return "shaped like an AND gate, but switching it off breaks other names too"

    def unknown_note(self) -> VGroup | None:
        """On screen, once, when the corpus never mentioned the prompt's person."""
        if self.story.known[0]:
            return None
        name = self.story.names[0]
        real = real_sport(name)
        who = f"{name} (who really plays {real})" if real else name
        return text(f"The training text never mentions {who}.", 22, PALETTE["highlight"])

    def keep(self, *parts):
        """Make ``parts`` one object on screen and return it: each part is taken out of the group
        it was drawn in (a part brought on screen by itself, a cell of a column), so that the
        whole can be handed to the next step (:meth:`~llmviz.scene.LectureScene.hand_over`)
        while the rest fades."""
        whole = parts[0] if len(parts) == 1 else VGroup(*parts)
        self._detach(whole)
        if whole not in self.mobjects:
            self.add(whole)
        return whole

    @staticmethod
    def drop_below(mobject, anchor, buff: float = 0.5):
        """Move ``mobject`` straight down or up (keeping its x) to sit ``buff`` under ``anchor``."""
        return mobject.shift(UP * (anchor.get_bottom()[1] - buff - mobject.get_top()[1]))


def spread_table(make, title, caption, share: float = 0.9, max_scale: float = 1.6, **area):
    """A table built by ``make(h_buff)`` whose columns are spread apart until, filled into the
    frame (:func:`~llmviz.layout.fill_frame`), it spans ``share`` of the safe area's width: a
    table held by the frame's height otherwise fills only its middle. Returns the table, filled."""
    left, bottom, right, top = safe_area(title, caption, **area)
    h_buff = 0.6
    table = make(h_buff)
    k = min((right - left) / table.width, (top - bottom) / table.height, max_scale)
    gaps = max(len(table.columns) - 1, 1)
    short = share * (right - left) / k - table.width
    if short > 0.05:
        table = make(min(h_buff + short / gaps, 4.0))
    return fill_frame(table, title=title, caption=caption, max_scale=max_scale, **area)

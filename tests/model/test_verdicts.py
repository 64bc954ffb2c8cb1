"""The MLP chapter's verdicts about its neuron agree with the values they rest on, for all 40
athletes of the corpus and 10 real athletes it never names: each verdict is recomputed here
from fresh forward passes (the ablation, and the neuron's activation for every other athlete)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from llmviz.errors import LLMVizError
from llmviz.model.analysis import common_suffix, find_and_neuron, name_position
from llmviz.model.analysis.verdicts import BREAK_BELOW, QUIET_SHARE, neuron_verdict
from llmviz.model.corpus import athletes, contrast_prompts, fact_prompt, known_athlete
from llmviz.model.hooks import zero_neurons
from llmviz.model.trace import hook_name, probabilities
from llmviz.words import pct

UNSEEN = (
    "Katie Ledecky",
    "Usain Bolt",
    "Tiger Woods",
    "Lionel Messi",
    "Roger Federer",
    "Serena Williams",
    "Rafael Nadal",
    "Stephen Curry",
    "Muhammad Ali",
    "Nadia Comaneci",
)
NAMES = tuple(a.name for a in athletes()) + UNSEEN


@pytest.fixture(scope="module")
def verdicts(model):
    out = {}
    for name in NAMES:
        prompt = fact_prompt(name)
        neuron = find_and_neuron(model, prompt, contrast_prompts(prompt))
        out[name] = (neuron, neuron_verdict(model, neuron, name))
    return out


def _activation(model, neuron, prompt, other):
    p = prompt.replace(prompt.split(" plays")[0], other, 1)
    t = model.run(p)
    pos = (
        name_position(model, p, common_suffix([prompt, p]))
        if neuron.position == "name"
        else t.n_tokens - 1
    )
    return float(t[hook_name("post", neuron.layer)][pos, neuron.neuron])


def test_fifty_prompts_and_every_verdict_rests_on_its_values(model, verdicts):
    assert len(verdicts) == 50
    for name, (neuron, v) in verdicts.items():
        prompt = fact_prompt(name)
        # the ablation, recomputed
        tid = model.token_id(neuron.target)
        hook = zero_neurons(neuron.layer, neuron.neuron, neuron.positions[0])
        before = probabilities(model.next_logits(prompt))
        after = probabilities(model.next_logits(prompt, [hook]))
        assert v.p_before == pytest.approx(before[tid]) and v.p_after == pytest.approx(after[tid])
        top_after = model.decode_token(int(np.argmax(after)))
        assert v.top_after == top_after
        breaks = top_after != neuron.target or before[tid] >= BREAK_BELOW > after[tid]
        assert v.breaks == breaks, name
        # every other athlete's activation, recomputed
        limit = neuron.post[0] * QUIET_SHARE
        first, last = name.split()
        loud = {
            a.name
            for a in athletes()
            if a.name != name and _activation(model, neuron, prompt, a.name) > limit
        }
        sharers = {
            a.name for a in athletes() if a.name != name and (a.first == first or a.last == last)
        }
        contrasts_loud = any(x > limit for x in neuron.post[1:])
        specific = (
            known_athlete(name) is not None
            and breaks
            and neuron.post[0] > 0
            and not (loud & sharers)
            and not contrasts_loud
            and not loud
        )
        assert v.specific == specific, name
        said = v.sentence()
        sport = neuron.target.strip()
        # each claim of the sentence against the values
        assert ("specific to" in said and "not specific" not in said) == specific, said
        assert ("stays first" in said) == (top_after == neuron.target), said
        assert ("comes first" in said) == (top_after != neuron.target), said
        assert ("below one half" in said) == (
            top_after == neuron.target and before[tid] >= BREAK_BELOW > after[tid]
        ), said
        assert f"from {pct(before[tid])}% to {pct(after[tid])}%" in said
        m = re.search(r"fires for (?:all (\d+)|both) (\S+) players", said)
        if m:
            same = {a.name for a in athletes() if a.sport == m.group(2) and a.name != name}
            assert m.group(2) == sport and same and same <= loud, said
            n = int(m.group(1)) if m.group(1) else 2
            assert n == len(same) + 1, said
        m = re.search(r"also fires for (.+?) \(([\d.]+), against ([\d.]+)\)", said)
        if m:
            other = m.group(1)  # an athlete of the corpus, or a contrast
            on = _activation(model, neuron, prompt, other)
            assert on > limit and f"{on:.2f}" == m.group(2), said
        if known_athlete(name) is None:
            assert not v.specific and "specific to" not in said.replace("not specific", "")


def test_the_default_prompt_and_the_issue_examples(verdicts):
    kinds = {name: v.kind for name, (_, v) in verdicts.items()}
    # the README's claim about the shipped model: Michael Jordan's neuron is a basketball
    # feature that all four basketball players switch on, and zeroing it breaks the answer
    mj = verdicts["Michael Jordan"][1]
    assert mj.kind == "sport" and len(mj.same_sport) + 1 == 4 and mj.breaks
    assert kinds["Katie Ledecky"] in ("unknown", "shared")  # never "0 neurons" or "specific"
    for name in UNSEEN:
        assert not verdicts[name][1].specific


def test_bad_arguments_are_named(model, verdicts):
    neuron, _ = verdicts["Michael Jordan"]
    with pytest.raises(TypeError, match="AndNeuron"):
        neuron_verdict(model, "neuron 141", "Michael Jordan")
    with pytest.raises(LLMVizError, match="not in the neuron's prompt"):
        neuron_verdict(model, neuron, "Diego Messi")
    with pytest.raises(LLMVizError, match="athlete's name"):
        neuron_verdict(model, neuron, "  ")

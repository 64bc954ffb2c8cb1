"""Pin the shipped model's behaviour: what the lecture relies on must really be in the weights."""

import numpy as np
import pytest

from llmviz.model.analysis import (
    cosine,
    embedding_difference,
    find_adjective_head,
    find_and_neuron,
    name_directions,
    nearest_neighbours,
    strongest_attention,
    unembed_direction,
)
from llmviz.model.corpus import SPORTS, athletes, fact_prompt
from llmviz.model.trace import hook_name

THREE = {
    "Michael Jordan plays the sport of": " basketball",
    "Michael Phelps plays the sport of": " swimming",
    "Alexis Jordan plays the sport of": " tennis",
}


def test_fact_recall_at_least_95_percent(model):
    table = athletes()
    correct = sum(model.run(fact_prompt(a.name)).top_k(1)[0].token == " " + a.sport for a in table)
    assert correct / len(table) >= 0.95, f"{correct}/{len(table)}"


@pytest.mark.parametrize("prompt,answer", THREE.items())
def test_lecture_facts(model, prompt, answer):
    top = model.run(prompt).top_k(1)[0]
    assert top.token == answer and top.prob > 0.5


def test_neither_name_alone_decides():
    table = athletes()
    for attr in ("first", "last"):
        groups = {}
        for a in table:
            groups.setdefault(getattr(a, attr), set()).add(a.sport)
        assert all(len(s) >= 3 for s in groups.values()), attr


def test_and_gate_neuron_exists_with_clear_margin(model):
    n = find_and_neuron(model)
    assert n.target == " basketball"
    assert n.is_clear, n.describe()
    assert n.post[0] > 3 * max(n.post[1:]) and n.post[0] - max(n.post[1:]) > 0.5
    assert n.dla > 0
    # the numbers it reports are the trace's
    t = model.run(n.prompts[0])
    assert t[n.hook][n.positions[0], n.neuron] == pytest.approx(n.post[0])


def test_and_neuron_search_is_honest_for_a_non_fact(model):
    n = find_and_neuron(
        model, "The Eiffel tower is in", ("The tall tower is in", "The old tower is in")
    )
    assert isinstance(n.is_clear, bool) and "gate" in n.describe()


def test_adjective_head_exists(model):
    h = find_adjective_head(model)
    assert h.score > 0.6 and h.score > 2 * h.baseline, (
        h
    )  # most of the noun's attention on its adjectives
    lead = model.run("Near the red spiky fox, a fluffy blue creature")
    row = lead[hook_name("pattern", h.layer)][h.head, -1]
    assert row[7] + row[8] > 0.5 and row[2] + row[3] < 0.2, row  # its own adjectives, not the fox's
    t = model.run("a fluffy blue creature roamed the verdant forest")
    assert t.tokens[:4] == ("a", " fluffy", " blue", " creature")
    row = t[hook_name("pattern", h.layer)][h.head, 3]  # from "creature"
    assert row[1] + row[2] > 0.5, row  # most of its attention on "fluffy" and "blue"
    assert set(np.argsort(-row)[:2]) == {1, 2}  # and they are the two it attends to most


def test_sports_are_neighbours(model):
    near = [tok.strip() for tok, _ in nearest_neighbours(model, " basketball", k=3)]
    assert set(near) <= set(SPORTS), near


def test_lecture_words_are_single_tokens(model):
    for w in [
        "Michael",
        " Jordan",
        " Phelps",
        " Alexis",
        " basketball",
        " tower",
        " Eiffel",
        " Paris",
        " miniature",
        " king",
        " queen",
        " man",
        " woman",
        " cat",
        " cats",
        " model",
        " mole",
        " fluffy",
        " blue",
        " creature",
        " verdant",
        " forest",
    ]:
        model.token_id(w)


def test_directions_are_real_and_separate_the_names(model):
    n = find_and_neuron(model)
    first, last = name_directions(model, layer=n.layer, position=n.position)
    ball = unembed_direction(model, " basketball")
    assert abs(np.linalg.norm(first.vector) - 1) < 1e-5 and "mean" in first.description
    mj, mp, aj = (
        model.run(p)[hook_name("resid_mid", n.layer)][i]
        for p, i in zip(n.prompts, n.positions, strict=False)
    )
    assert first.dot(mj) > first.dot(aj) and first.dot(mp) > first.dot(aj)
    assert last.dot(mj) > last.dot(mp) and last.dot(aj) > last.dot(mp)
    assert isinstance(ball.dot(mj), float)


def test_embedding_geometry_directions(model):
    gender = cosine(
        embedding_difference(model, " man", " woman"),
        embedding_difference(model, " king", " queen"),
    )
    plural = cosine(
        embedding_difference(model, " cat", " cats"), embedding_difference(model, " dog", " dogs")
    )
    assert gender > 0.2 and plural > 0.2, (gender, plural)


def test_strongest_attention_lists_every_head(model):
    t = model.run("a fluffy blue creature roamed the verdant forest")
    rows = strongest_attention(t)
    assert len(rows) == model.cfg.n_layers * model.cfg.n_heads
    for layer, head, q, k, w in rows:
        assert 0 < k < q and w == pytest.approx(t[hook_name("pattern", layer)][head, q, k])

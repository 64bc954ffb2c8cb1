"""Render each MLP step in dry-run mode and check the numbers on screen against the trace."""

import numpy as np
import pytest
from scene_loader import load, render

from llmviz.model.analysis import find_and_neuron, unembed_direction
from llmviz.style import format_number

mlp = load("mlp")

STEPS = [
    "Fact",
    "Directions",
    "InsideTheBlock",
    "UpProjection",
    "ReLUGateScene",
    "DownProjection",
    "ResidualAddScene",
    "CountingParameters",
    "Superposition",
]


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(mlp, name)) for name in STEPS}


def shows(pair, decimals=2, **fmt):
    mob, value = pair
    return mob.text == format_number(value, decimals, **fmt)


def test_nothing_reaches_past_the_frame(scenes):
    assert {name: s.outside for name, s in scenes.items() if s.outside} == {}


def test_no_text_is_drawn_over_another(scenes):
    assert {name: s.overlaps for name, s in scenes.items() if s.overlaps} == {}


def test_the_chapter_plays_every_step_in_order():
    chapter = render(mlp.MLPChapter)
    names = [name for name, _ in chapter.narration]
    assert names == [
        "A fact",
        "Directions",
        "Inside the block",
        "Up-projection",
        "ReLU as a gate",
        "Down-projection",
        "Residual add",
        "Counting parameters",
        "Superposition",
    ]


def test_every_step_has_narrated_sections(scenes):
    for name, scene in scenes.items():
        assert scene.narration, name
        assert all(title and len(text) > 80 for title, text in scene.narration), name


def test_fact_bars_are_the_model_distribution(scenes, mj_trace):
    bars = scenes["Fact"].shown["fact_bars"]
    assert bars.tokens[0] == " basketball"
    np.testing.assert_allclose(bars.probs, [t.prob for t in mj_trace.top_k(5)])


def test_directions_dot_products(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["Directions"].shown
    ball = unembed_direction(model, " basketball")
    t = model.run(n.prompts[0])
    v = t[f"blocks.{n.layer}.hook_resid_mid"][n.positions[0]]
    assert shown["dot:Michael Jordan:basketball"][1] == pytest.approx(ball.dot(v))
    for key, pair in shown.items():
        if key.startswith("dot:"):
            assert shows(pair, sign=True), key
    # the model-derived directions separate the names as the lecture says
    mj, mp, aj = ("Michael Jordan", "Michael Phelps", "Alexis Jordan")
    first = {nm: shown[f"dot:{nm}:first name Michael"][1] for nm in (mj, mp, aj)}
    last = {nm: shown[f"dot:{nm}:last name Jordan"][1] for nm in (mj, mp, aj)}
    assert first[mj] > first[aj] and first[mp] > first[aj]
    assert last[mj] > last[mp] and last[aj] > last[mp]


def test_up_projection_values(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["UpProjection"].shown
    assert shown["up_pre"][1] == pytest.approx(n.pre[0], abs=1e-4)
    assert shown["up_dot"][1] + shown["up_bias"][1] == pytest.approx(n.pre[0], abs=1e-4)
    for key in (
        "up_dot",
        "up_bias",
        "up_pre",
        "pre:Michael Jordan",
        "pre:Michael Phelps",
        "pre:Alexis Jordan",
    ):
        assert shows(shown[key], sign=True), key


def test_relu_and_gelu(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["ReLUGateScene"].shown
    np.testing.assert_allclose(shown["relu_column"].values, n.post, atol=1e-6)
    import torch

    expect = torch.nn.functional.gelu(torch.tensor(n.pre), approximate="tanh").numpy()
    for (mob, value), e in zip(shown["gelu"], expect, strict=True):
        assert value == pytest.approx(float(e), abs=1e-5) and mob.text == format_number(
            value, sign=True
        )


def test_down_projection(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["DownProjection"].shown
    assert shown["dla"][1] == pytest.approx(
        float(model.W("down", n.layer)[n.neuron] @ model.W_U[:, n.target_id])
    )
    assert shown["dla_contrib"][1] == pytest.approx(n.dla * n.post[0])
    t = model.run(n.prompts[0])
    post = t[f"blocks.{n.layer}.mlp.hook_post"][n.positions[0]]
    top = np.argsort(-post)[:4]
    np.testing.assert_allclose(
        shown["down_sum"].values, post[top] @ model.W("down", n.layer)[top], atol=1e-5
    )


def test_residual_add_and_probability(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["ResidualAddScene"].shown
    t = model.run(n.prompts[0])
    np.testing.assert_allclose(
        shown["residual_result"].values,
        t[f"blocks.{n.layer}.hook_resid_post"][n.positions[0]],
        atol=1e-5,
    )
    if (
        n.layer == model.cfg.n_layers - 1 and n.position == "final"
    ):  # then the read-out is the model's output
        assert shown["p_after"][1] == pytest.approx(100 * t.probs()[n.target_id], abs=1e-3)
    assert shown["dir_after"][1] > shown["dir_before"][1]
    assert shown["p_after"][0].text == format_number(shown["p_after"][1], 1) + "%"


def test_counts_come_from_the_configs(scenes, model):
    rows = dict((r[0], r[1:]) for r in scenes["CountingParameters"].shown["count_rows"])
    assert rows["all parameters"] == (
        f"{sum(w.size for w in model.weights.values()):,}",
        "175,181,291,520",
    )
    assert rows["up + down weights"][1] == "115,964,116,992"
    assert rows["share in MLPs"][1] == "66.2%"


def test_superposition_narrows_the_extremes(scenes):
    res = scenes["Superposition"].shown["superposition"]
    r, o = res.random_stats, res.optimized_stats
    from llmviz.model.superposition import SuperpositionConfig

    assert res.config == SuperpositionConfig() and res.config.dim == 100
    assert o["max"] - o["min"] < 0.75 * (r["max"] - r["min"])
    assert abs(o["mean"] - 90) < 0.5 and sum(res.optimized_counts) == r["pairs"]


class NoFact(mlp.MLPScene):
    prompt = "The Eiffel tower is in"
    contrasts = ("The tall tower is in", "The old tower is in")

    def construct(self):
        self.step_up()


def test_prompt_without_a_clear_and_neuron_says_so():
    scene = render(NoFact)
    if not scene.neuron.is_clear:
        texts = [m.text for m in scene.mobjects if hasattr(m, "text")]
        assert any("No clear AND neuron" in s for s in texts)

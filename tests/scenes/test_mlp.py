"""Render each MLP step in dry-run mode: the values on screen against the model, the verdicts
against the analysis, and every number and name of the narration against the screen."""

import re

import numpy as np
import pytest
import torch
from scene_loader import flow_problems, load, render, spoken_beat_problems
from scene_loader import narration_problems as shared_problems

from llmviz.bench import write_random_gpt2
from llmviz.model.analysis import causal_trace, find_and_neuron
from llmviz.model.corpus import (
    FIRST_NAMES,
    LAST_NAMES,
    athletes,
    contrast_prompts,
    fact_prompt,
    real_sport,
)
from llmviz.model.experiments.capacity import load_capacity
from llmviz.model.experiments.sae import load_sae_weights
from llmviz.model.hooks import zero_neurons
from llmviz.model.trace import hook_name
from llmviz.style import format_number
from llmviz.words import quoted

mlp = load("mlp")
PROMPT = "Michael Jordan plays the sport of"

STEPS = {
    "Fact": "A fact",
    "WhereIsTheFact": "Where is the fact?",
    "Directions": "Directions",
    "InsideTheBlock": "Inside the block",
    "UpProjection": "Up-projection",
    "RowOfNames": "First name plus last name",
    "ReLUGateScene": "ReLU as a gate",
    "SwitchItOff": "Switch it off",
    "DownProjection": "Down-projection",
    "ResidualAddScene": "Residual add",
    "DirectionAcrossLayers": "One direction in every layer?",
    "CountingParameters": "Counting parameters",
    "Superposition": "Superposition",
    "RoomInHighDimensions": "Room in high dimensions",
    "SparseAutoencoder": "A sparse autoencoder",
}
NAMES = set(FIRST_NAMES) | set(LAST_NAMES)


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(mlp, name)) for name in STEPS}


def shows(pair, decimals=2, **fmt):
    mob, value = pair
    return mob.text == format_number(value, decimals, **fmt)


def narration_problems(scene) -> list[str]:
    """Numbers and names (the fact table's and the prompts') said but not on screen."""
    return shared_problems(scene, NAMES | {w for n in scene.story.names for w in n.split()})


def test_every_step_is_its_own_scene_with_one_section(scenes):
    for name, section in STEPS.items():
        assert [s for s, _ in scenes[name].narration] == [section], name


def test_nothing_reaches_past_the_frame(scenes):
    assert {name: s.outside for name, s in scenes.items() if s.outside} == {}


def test_no_text_is_drawn_over_another(scenes):
    assert {name: s.overlaps for name, s in scenes.items() if s.overlaps} == {}


def test_no_text_covers_another_halfway_through_an_animation(scenes):
    """A light-up or a moving label never crosses another text mid-animation."""
    assert {name: s.overlaps_midway for name, s in scenes.items() if s.overlaps_midway} == {}


def test_the_camera_moves_in_to_the_neurons_row_and_back_out():
    class Watched(mlp.UpProjection):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            self.widths.append((float(self.camera.frame.width), self.narration[-1][0]))

    Watched.widths = []
    scene = render(Watched)
    full = scene.widths[0][0]
    closest = min(w for w, _ in scene.widths)
    assert closest < 0.5 * full  # in to the row of W_up, not a token nudge
    assert scene.widths[-1][0] == pytest.approx(full) and not scene.zoomed  # and back out


def test_no_text_is_too_small_for_480p(scenes):
    assert {name: sorted(set(s.small)) for name, s in scenes.items() if s.small} == {}


def test_every_number_and_name_of_the_narration_is_on_screen(scenes):
    assert {
        name: narration_problems(s) for name, s in scenes.items() if narration_problems(s)
    } == {}


def test_every_sentence_is_a_beat_that_shows_something(scenes):
    for name, scene in scenes.items():
        assert len(scene.beats) >= 3, name
        for beat in scene.beats:
            assert beat.end > beat.start and beat.text.endswith((".", "?", "!")), beat


def test_fact_bars_are_the_model_distribution(scenes, mj_trace):
    bars = scenes["Fact"].shown["fact_bars"]
    assert bars.tokens[0] == " basketball"
    np.testing.assert_allclose(bars.probs, [t.prob for t in mj_trace.top_k(5)])
    assert scenes["Fact"].shown["athletes"] == len(athletes())


def test_the_causal_grid_is_the_causal_trace(scenes, model):
    ct = causal_trace(
        model, "Michael Jordan plays the sport of", "Michael Phelps plays the sport of"
    )
    shown = scenes["WhereIsTheFact"].shown
    np.testing.assert_allclose(shown["causal_grid"].mlp, ct.mlp, atol=1e-9)
    L, i, p = shown["causal_peak"]
    assert (L, i) == ct.peak("mlp") and p == pytest.approx(ct.mlp.max())
    assert shown["p_clean"][1] == pytest.approx(ct.p_clean)


def test_the_chapters_neuron_holds_the_fact(model):
    """The shipped model: zeroing the chapter's neuron drops P(basketball) from above 0.9 to
    below 0.5, while Michael Phelps and Alexis Jordan keep their answers (through run_with_hooks)."""
    n = find_and_neuron(model)
    assert n.is_clear, n.describe()
    prompts = n.prompts
    hook = zero_neurons(n.layer, n.neuron, n.positions[0])
    tid = model.token_id(" basketball")
    before = model.run(prompts[0]).probs()[tid]
    after = model.run_with_hooks(prompts[0], [hook]).probs()[tid]
    assert before > 0.9 and after < 0.5, (before, after)
    for p, answer in zip(prompts[1:], (" swimming", " tennis"), strict=True):
        off = model.run_with_hooks(p, [zero_neurons(n.layer, n.neuron, -1)])
        assert off.top_k(1)[0].token == answer


def test_switching_it_off_shows_the_ablated_run(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["SwitchItOff"].shown
    off = model.run_with_hooks(n.prompts[0], [zero_neurons(n.layer, n.neuron, n.positions[0])])
    np.testing.assert_allclose(shown["ablated_bars"].probs, [t.prob for t in off.top_k(4)])
    table = shown["contrast_table"]
    for k, name in enumerate(("Michael Phelps", "Alexis Jordan"), start=1):
        assert table.value(name, "as trained") == pytest.approx(100 * n.ablation.clean[k])
        assert table.value(name, 3) == pytest.approx(100 * n.ablation.ablated[k])
    assert shown["stores_fact"] == n.stores_fact


def test_up_projection_values(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["UpProjection"].shown
    assert shown["up_pre"][1] == pytest.approx(n.pre[0], abs=1e-4)
    assert shown["up_dot"][1] + shown["up_bias"][1] == pytest.approx(n.pre[0], abs=1e-4)
    for key in ("up_dot", "up_bias", "up_pre", "pre:Michael Jordan", "pre:Alexis Jordan"):
        assert shows(shown[key], sign=True), key
    # the numbers the camera moves in to are the neuron's row of W_up, over its bar
    row = model.W("up", n.layer)[:, n.neuron]
    peek = shown["up_peek"]
    assert peek.shown_values == [float(row[i]) for i in peek.indices if i is not None]


def test_the_row_splits_into_name_parts(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["RowOfNames"].shown
    parts = shown["row_parts"]
    t = model.run(n.prompts[0])
    x = t[hook_name("ln2", n.layer)][n.positions[0]]
    row = model.W("up", n.layer)[:, n.neuron]
    assert sum(parts[0]) == pytest.approx(float(row @ x), abs=1e-4)  # the parts add up
    assert shown["bias_clears"] == [p > 0 for p in n.pre]
    assert shown["threshold"] == pytest.approx(-float(model.W("b_up", n.layer)[n.neuron]))


def test_relu_gelu_and_the_verdict(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["ReLUGateScene"].shown
    np.testing.assert_allclose(shown["relu_column"].values, n.post, atol=1e-6)
    expect = torch.nn.functional.gelu(torch.tensor(n.pre), approximate="tanh").numpy()
    for (mob, value), e in zip(shown["gelu"], expect, strict=True):
        assert value == pytest.approx(float(e), abs=1e-5)
        assert mob.text == format_number(value, sign=True)
    verdict, specific = shown["verdict_relu"]
    v = scenes["ReLUGateScene"].story.verdict
    assert specific == v.specific and ("AND gate for this name" in verdict.text) == v.specific


def test_down_projection(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["DownProjection"].shown
    assert shown["dla"][1] == pytest.approx(
        float(model.W("down", n.layer)[n.neuron] @ model.W_U[:, n.target_id])
    )
    assert shown["dla_contrib"][1] == pytest.approx(n.dla * n.post[0])
    post = model.run(n.prompts[0])[hook_name("post", n.layer)][n.positions[0]]
    top = np.argsort(-post)[:4]
    np.testing.assert_allclose(
        shown["down_sum"].values, post[top] @ model.W("down", n.layer)[top], atol=1e-5
    )
    shared = shown.get("shared")
    if shared is not None:  # one column, two facts with different answers
        assert len({a.sport for a in shared.athletes}) >= 2
        for name, _sport, act, _dla in shared.athletes:
            t = model.run(fact_prompt(name))
            assert t[hook_name("post", n.layer)][-1, shared.neuron] == pytest.approx(act)


def test_residual_add_and_probability(scenes, model):
    n = find_and_neuron(model)
    shown = scenes["ResidualAddScene"].shown
    t = model.run(n.prompts[0])
    np.testing.assert_allclose(
        shown["residual_result"].values,
        t[hook_name("resid_post", n.layer)][n.positions[0]],
        atol=1e-5,
    )
    assert shown["dir_after"][1] > shown["dir_before"][1]
    assert shown["p_after"][0].text == format_number(shown["p_after"][1], 1) + "%"


def test_direction_across_layers(scenes):
    shown = scenes["DirectionAcrossLayers"].shown
    cos = shown["layer_cosines"]
    np.testing.assert_allclose(np.diag(cos), 1.0, atol=1e-6)
    assert (shown["layer_separation"] >= 0.5).all()


def test_counts_come_from_the_configs(scenes, model):
    rows = {r[0]: r[1:] for r in scenes["CountingParameters"].shown["count_rows"]}
    assert rows["all parameters"] == [sum(w.size for w in model.weights.values()), 175181291520]
    assert rows["up + down weights"][1] == 115964116992
    assert round(rows["share in the MLPs"][1], 1) == 66.2


def test_superposition_narrows_the_extremes(scenes):
    res = scenes["Superposition"].shown["superposition"]
    r, o = res.random_stats, res.optimized_stats
    assert res.config.dim == 100 and o["max"] - o["min"] < 0.75 * (r["max"] - r["min"])


def test_room_shows_the_shipped_search(scenes):
    shown = scenes["RoomInHighDimensions"].shown
    cap = shown["capacity"]
    assert cap.counts == load_capacity().counts
    said = " ".join(t for _, t in scenes["RoomInHighDimensions"].narration)
    for d in cap.config.dims:
        assert f"{cap.counts[d]:,}" in said
    assert "at least 1,024" in said and "search stopped there" in said


def test_the_autoencoder_feature_is_the_one_the_weights_give(scenes, model):
    shown = scenes["SparseAutoencoder"].shown
    sae, f = shown["sae"], shown["sae_feature"]
    trace = model.run(PROMPT)
    z = load_sae_weights().encode(trace[hook_name("post", 1)])  # [position, feature]
    pos, feature = np.unravel_index(int(np.argmax(z)), z.shape)
    assert f == int(feature)
    info = sae.features[f]
    said = " ".join(t for _, t in scenes["SparseAutoencoder"].narration)
    assert f"Feature {f} is the most on, at {quoted(trace.tokens[pos])}: {z[pos, f]:.2f}" in said
    # each token's bar is its strongest feature's value; the last token's is said as it is
    per_token, bars = shown["sae_tokens"]
    assert [t.value for t in per_token] == pytest.approx(z.max(1), abs=1e-6)
    heights = np.array([b.height for b in bars])
    assert np.argmax(heights) == pos and heights / heights.max() == pytest.approx(
        np.maximum(z.max(1) / z.max(), 0.01), abs=0.011
    )
    last = int(np.argmax(z[-1]))
    if pos != len(trace.tokens) - 1:
        assert f"the strongest feature, {last}, is at only {z[-1, last]:.2f}" in said
    texts = shown["sae_texts"]
    assert [texts.value(str(k), "value") for k in range(len(info["top"][:4]))] == [
        c["value"] for c in info["top"][:4]
    ]
    if abs(info["neuron_weight"]) > 0.9:
        assert f"neuron {info['neuron']}" in said
    else:
        assert (
            f"mixes several neurons: its largest cosine with a single neuron is {abs(info['neuron_weight']):.2f}"
            in said
        )
    n = scenes["SparseAutoencoder"].neuron
    if (info["neuron"], sae.config.layer) == (n.neuron, n.layer) and info["neuron_weight"] > 0.9:
        assert "the chapter's neuron" in said


def test_the_chapter_plays_every_step_in_order():
    chapter = render(mlp.MLPChapter, frame_rate=1)
    assert [name for name, _ in chapter.narration] == list(STEPS.values())
    assert chapter.outside == [] and chapter.overlaps == []
    assert chapter.overlaps_midway == []
    # three acts: dark only before "inside" and "layers"; everywhere else the next step's
    # first beat transforms exactly what the step before handed it
    assert flow_problems(chapter) == []
    assert [h.after for h in chapter.handovers if h.dark] == ["inside", "layers"]
    inside_acts = [h for h in chapter.handovers if not h.dark]
    handed = [h for h in inside_acts if h.handed]
    assert len(handed) >= 0.6 * len(inside_acts), [(h.before, h.after) for h in inside_acts]
    got = {(h.before, h.after): set(h.transformed) for h in chapter.handovers}
    assert got[("fact", "where")] == {"strip"}  # the prompt's tokens stay on screen
    assert got[("inside", "up")] == {"mlp", "vector"}  # the MLP box opens into W_up
    assert got[("up", "row")] == {"row", "scores"}  # row 141 becomes the formula
    assert got[("relu", "ablation")] == {"neuron"}  # the gated neuron is the one switched off
    assert got[("down", "residual")] == {"vector"}  # the summed columns are MLP(E)
    assert spoken_beat_problems(chapter) == []  # every beat reads well aloud


# --- other prompts: a teacher's own athlete, and people the corpus never mentions ------------
KNOWN = ["Diego Messi", "Roger Bolt", "Tiger Federer", "Nadia Jordan", "Diego Nadal"]
UNKNOWN = ["Serena Jordan", "Katie Ledecky"]


@pytest.mark.parametrize("name", KNOWN + UNKNOWN)
def test_the_chapter_tells_the_truth_for_other_names(name, model):
    prompt = fact_prompt(name)

    class Teacher(mlp.MLPChapter):
        pass

    Teacher.prompt = prompt
    scene = render(Teacher, frame_rate=1)
    n = scene.neuron
    assert n.prompts == (prompt, *contrast_prompts(prompt))
    assert scene.outside == [] and scene.overlaps == []
    verdict, specific = scene.shown["verdict_relu"]
    v = scene.story.verdict
    assert specific == v.specific and ("AND gate for this name" in verdict.text) == v.specific
    assert narration_problems(scene) == []
    said = " ".join(text for _, text in scene.narration)
    if name in UNKNOWN:
        assert f"never mentions {name}" in said and not v.specific
        real = real_sport(name)  # a real athlete: the lecture says what the real one plays
        screen = " ".join(t for b in scene.beats for t in b.shown)
        assert (f"the real {name} plays" in said) == (real is not None), said
        assert (f"{name} (who really plays {real})" in screen) == (real is not None)
    else:
        assert "never mentions" not in said
    # a verdict as strong as the evidence: "specific" and "an AND gate" only when the answer
    # breaks without the neuron and it is quiet for every other athlete
    claims = said.replace("not specific", "")
    assert ("specific to" in claims) == v.specific, said
    assert ("acts like an AND gate" in said) == v.specific, said
    if not v.breaks:
        assert "stays first: the answer survives" in said
    if v.kind == "sport":
        assert f"fires for all {len(v.same_sport) + 1} {n.target.strip()} players" in said
    assert not re.search(r"(?<![\d,.])(0 neurons|1 neurons|all 1,)", said), said
    # the autoencoder step reads this prompt, not the default one
    if scene.shown.get("sae") is not None:
        z = load_sae_weights().encode(model.run(prompt)[hook_name("post", 1)])
        assert scene.shown["sae_feature"] == int(np.argmax(z.max(0))) and f'"{prompt}"' in said


def test_the_chapter_on_a_random_gpt2_says_what_it_did_not_find(tmp_path):
    """A Hugging Face GPT-2 folder of random weights: the chapter runs, fits the frame, and its
    verdicts say that the fact, the AND neuron and the autoencoder are not there."""
    folder = write_random_gpt2(
        tmp_path / "gpt2", vocab_size=600, n_positions=64, n_embd=48, n_layer=2, n_head=3
    )

    class OnGPT2(mlp.MLPChapter):
        model_dir = str(folder)

    scene = render(OnGPT2, frame_rate=1)
    assert scene.model.cfg.d_model == 48 and scene.model.cfg.n_heads == 3
    assert [name for name, _ in scene.narration] == list(STEPS.values())
    assert scene.outside == [] and scene.overlaps == []
    n = scene.neuron
    assert not n.is_clear
    verdict, clear = scene.shown["verdict_relu"]
    assert not clear and "AND gate that holds" not in verdict.text
    said = " ".join(text for _, text in scene.narration)
    assert "acts like an AND gate" not in said
    assert "not on this one" in said and scene.shown["sae"] is None
    assert narration_problems(scene) == []


# --- the extremes a teacher may set: many decimals, a long prompt ------------------------------
LONG = (
    "Tonight on TV, after the news and the weather and a long film about the sea, the sport "
    "show asks who is the best: Michael Jordan plays the sport of"
)
EXTREMES = {
    "decimals 0": ({"decimals": 0}, ["UpProjection", "RowOfNames", "DownProjection"]),
    "decimals 6": (
        {"decimals": 6},
        ["UpProjection", "RowOfNames", "ReLUGateScene", "DownProjection", "ResidualAddScene"],
    ),
    "48 tokens": ({"prompt": LONG}, ["Fact", "WhereIsTheFact", "InsideTheBlock", "SwitchItOff"]),
}


@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_settings_stay_in_frame_and_true(case, model):
    attrs, steps = EXTREMES[case]
    if "prompt" in attrs:
        assert model.run(attrs["prompt"]).n_tokens == 48
    for name in steps:
        scene = render(type(name, (getattr(mlp, name),), dict(attrs)), frame_rate=1)
        assert (scene.outside, scene.overlaps, scene.small) == ([], [], []), (case, name)
        assert narration_problems(scene) == [], (case, name)
    if case == "48 tokens":
        assert scene.story.names[0] == "Michael Jordan"

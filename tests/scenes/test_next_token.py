"""Render the opening chapter in dry-run mode; check what it shows, by name, against the model,
the training log and the configs, and every number of the narration against the screen."""

import numpy as np
import pytest
from manim import ThreeDAxes, ThreeDCamera
from scene_loader import EMOJI, RIGHT_TO_LEFT, flow_problems, load, render
from scene_loader import LONG_PROMPT as LONG
from scene_loader import narration_problems as shared_problems

from llmviz.bench import write_random_gpt2
from llmviz.model.analysis import nearest_neighbours
from llmviz.model.analysis.embedding import analogy, compare_directions, difference_baseline
from llmviz.model.config import GPT3_CONFIG
from llmviz.model.scale import GPT3_PUBLISHED, layernorm_parameters, training_run
from llmviz.model.snapshots import load_snapshots
from llmviz.model.trace import hook_name, probabilities
from llmviz.model.train import load_training_log
from llmviz.steps import chapter_steps, played_steps
from llmviz.style import display_token, format_number

nt = load("next_token")

#: scene class -> its section, in the chapter's order
STEPS = {
    "Prediction": "Predicting the next token",
    "SamplingLoop": "Sampling in a loop",
    "Chatbot": "A chatbot continues a text",
    "WordByWord": "One word at a time, or all at once",
    "WhatGPTMeans": "Generative Pre-trained Transformer",
    "TrainingData": "Training data",
    "TuningDials": "Training tunes the dials",
    "UnseenText": "Text it never saw",
    "Tokens": "Tokens",
    "EmbeddingLookup": "Embedding lookup",
    "WeightsAndData": "Weights and data",
    "EmbeddingSpace": "Embedding space",
    "EmbeddingsInTraining": "Embeddings move in training",
    "NearestNeighbours": "Nearest neighbours",
    "EmbeddingDirections": "Directions",
    "DotProductAngle": "The dot product and the angle",
    "DotProducts": "Dot products with a direction",
    "Word2VecSkipGram": "Word2Vec: skip-gram",
    "WordSenses": "One word, several meanings",
    "EiffelTower": "Tower, Eiffel tower, miniature Eiffel tower",
    "Context": "Context window",
    "ContextLengths": "Other context lengths",
    "InputLayersOutput": "Input, layers, output",
    "WhyTheLastPosition": "Why the last position",
    "Unembedding": "Unembedding",
    "SoftmaxScene": "Softmax",
    "Temperature": "Temperature",
    "TemperatureText": "Temperature in text",
    "CountingGPT3": "Counting GPT-3",
    "TrainingCompute": "Training compute",
    "LayerNormShare": "LayerNorm's share",
}
NAMES = {"Michael", "Jordan", "Paris", "Eiffel", "GPT"}


@pytest.fixture(scope="module")
def chapter():
    """The whole chapter, rendered once: every step, with the clearing in between."""
    return render(nt.NextTokenChapter)


def shows(pair, decimals=2, **fmt):
    mob, value = pair[0], pair[1]
    return mob.text == format_number(value, decimals, **fmt)


def test_every_section_is_its_own_scene_in_the_chapters_order(chapter):
    assert [name for name, _ in chapter.narration] == list(STEPS.values())
    steps = chapter_steps(nt.NextTokenChapter)
    assert [s.title for s in steps] == list(STEPS.values())  # the decorators' titles and order
    assert [s.order for s in steps] == list(range(1, len(STEPS) + 1))
    for name, info in zip(STEPS, steps, strict=True):
        assert played_steps(getattr(nt, name)) == [info], name


def test_a_step_renders_alone_with_its_one_section():
    scene = render(nt.EiffelTower)
    assert [name for name, _ in scene.narration] == [STEPS["EiffelTower"]]
    assert scene.shown["tower"] is not None and len(scene.beats) >= 5


def test_the_frame_is_tidy(chapter):
    assert chapter.outside == []
    assert chapter.overlaps == []
    assert sorted(set(chapter.small)) == []


def test_every_sentence_is_a_beat_and_its_numbers_are_on_screen(chapter):
    for name, _ in chapter.narration:
        sec = next(s for s in chapter.sections if s.name == name)
        assert len(sec.beats) >= 3, name
    for beat in chapter.beats:
        assert beat.end > beat.start and beat.text.endswith((".", "?", "!")), beat
    assert shared_problems(chapter, NAMES) == []


def ten_power(x: float) -> str:
    """x as the screen writes a power of ten ("1.93 × 10¹³"), from Python's own e-notation."""
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{mantissa} × 10" + str(int(exponent)).translate(
        str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    )


def test_prediction_bars_are_the_model_distribution(chapter, mj_trace):
    bars = chapter.shown["prediction_bars"]
    top = mj_trace.top_k(5)
    assert bars.tokens == [t.token for t in top] and bars.tokens[0] == " basketball"
    np.testing.assert_allclose(bars.probs, [t.prob for t in top])
    assert [n.text for n in bars.numbers] == [f"{100 * t.prob:.3f}%" for t in top]
    mob, rest = chapter.shown["prediction_rest"]
    assert rest == pytest.approx(1 - mj_trace.probs()[[t.id for t in top]].sum())
    assert mob.text.endswith(f"{100 * rest:.3f}%") and f"{mj_trace.probs().size - 5:,}" in mob.text


def test_sampling_loop_and_chat_are_the_models_generations(chapter, model):
    g = chapter.shown["loop"]
    again = model.generate(
        chapter.prompt, n_tokens=chapter.loop_tokens, temperature=1.0, seed=0, stop_at_newline=False
    )
    assert g.new_tokens == again.new_tokens and g.new_tokens[0] == " basketball"
    assert [m.token for m in chapter.shown["loop_text"]] == [
        *model.run(chapter.prompt).tokens,
        *g.new_tokens,
    ]
    chat = f"{chapter.system_prompt}\nUser: {chapter.chat_question} Assistant:"
    c = chapter.shown["chat"]
    assert c.prompt == chat and c.new_tokens == model.generate(chat, n_tokens=16, seed=0).new_tokens


def test_one_pass_gives_every_positions_guess(chapter, mj_trace):
    guesses = chapter.shown["history_guesses"]
    assert guesses == [mj_trace.top_k(1, position=i)[0] for i in range(mj_trace.n_tokens)]
    g, run, details = chapter.shown["gpt"]
    log_run = training_run(load_training_log(), run.parameters)
    assert (run.steps, run.tokens) == (log_run.steps, log_run.tokens) == (5500, 11_264_000)
    assert "11,264,000" in chapter.shown["gpt_pretrained"].text


def test_tokens_and_lookup_are_the_tokenizers_and_W_E(chapter, model, mj_trace):
    assert chapter.shown["tokens_prompt"].tokens == list(mj_trace.tokens)
    strip, words = chapter.shown["tokens_example"]
    assert strip.tokens == model.tokenizer.token_strings(model.encode(chapter.token_example))
    assert any(len(w.pieces) >= 3 for w in words if w.is_split)
    for vec, i in chapter.shown["lookup_vectors"]:
        np.testing.assert_array_equal(vec.values, model.W_E[i])
    m = chapter.shown["lookup_matrix"]
    assert m.shape == (model.cfg.d_model, model.cfg.vocab_size)
    mob, value = chapter.shown["lookup_gpt3"]
    assert value == 617_558_016 and "617,558,016" in mob.text


def test_embedding_space_is_the_pca(chapter, model):
    proj, cloud = chapter.shown["pca"]
    X = model.W_E[list(proj.ids)].astype(np.float64)
    np.testing.assert_allclose(proj.coords, (X - X.mean(0)) @ proj.components.T, atol=1e-9)
    assert [lab.text for lab in cloud.labels] == [t.strip() for t in proj.tokens]


def test_embedding_space_is_a_real_3d_scene_that_ends_flat(chapter):
    """The PCA points sit in ThreeDAxes at their three coordinates; the camera tilts and turns
    around them, and comes back to looking straight down, so the next step is flat."""
    assert isinstance(chapter.camera, ThreeDCamera)
    proj, _ = chapter.shown["pca"]
    axes, at, labels = chapter.shown["pca_3d"]  # where the dots were drawn
    assert isinstance(axes, ThreeDAxes)
    coords = proj.coords / np.abs(proj.coords).max()
    np.testing.assert_allclose(at, [axes.c2p(*c) for c in coords], atol=1e-6)
    assert np.ptp(at[:, 2]) > 1.0  # PC3 is depth, not flattened away
    turns = chapter.shown["space_camera"]
    assert max(phi for phi, _ in turns if phi is not None) > np.radians(45)  # tilted
    thetas = [t for _, t in turns if t is not None]
    assert thetas[-1] - thetas[0] >= np.radians(300)  # it goes round the points
    assert turns[-1][0] == 0.0  # and ends looking straight down
    assert chapter.camera.phi_tracker.get_value() == pytest.approx(0.0)


def test_the_chapter_flows_from_step_to_step(chapter):
    """Inside an act every step hands something on that the next step's first beat transforms;
    the screen goes dark only before the acts' first steps."""
    assert chapter.acts == ("tokens", "context")
    assert flow_problems(chapter) == []
    dark = [h.after for h in chapter.handovers if h.dark]
    assert dark == ["tokens", "context"]
    inside = [h for h in chapter.handovers if not h.dark]
    real = [h for h in inside if h.handed]
    assert len(real) >= 0.6 * len(inside), [(h.before, h.after) for h in inside if not h.handed]
    second = [h for h in inside if h.before in SECOND_HALF]
    assert all(h.handed for h in second), [(h.before, h.after) for h in second if not h.handed]


#: the steps of the chapter's second half, from the embedding space to LayerNorm's share
SECOND_HALF = (
    "space",
    "training",
    "neighbours",
    "directions",
    "dot",
    "alignment",
    "word2vec",
    "senses",
    "context",
    "lengths",
    "dataflow",
    "why_last",
    "unembedding",
    "softmax",
    "temperature",
    "temperature_text",
    "count",
    "compute",
)


def test_no_text_covers_text_during_animations(chapter):
    assert chapter.overlaps_midway == []


def test_training_snapshots_move_from_random_to_grouped(chapter):
    sub, coh, proj = chapter.shown["training"]
    snaps = load_snapshots(load_training_log())
    np.testing.assert_array_equal(sub.rows, snaps.select(list(sub.words)).rows)
    np.testing.assert_allclose(proj.coords, proj.project(sub.rows[-1]))
    first, last = chapter.shown["training_counts"]
    n = coh.n_words
    assert first.text == str(round(coh.nearest_in_group[0] * n))
    assert last.text == str(round(coh.nearest_in_group[-1] * n))
    assert coh.nearest_in_group[0] < 0.5 < coh.nearest_in_group[-1] == 1.0  # grouped by the end
    assert coh.within[-1] > coh.within[0] + 0.3


def test_neighbours_directions_and_dot_products_are_measured(chapter, model):
    rows = chapter.shown["neighbours"]
    expect = nearest_neighbours(model, " basketball", k=6)
    assert list(rows) == [w for w, _ in expect]
    for w, c in expect:
        assert rows[w][1] == pytest.approx(c) and rows[w][0].text == format_number(c)
    cmp = compare_directions(model, (" man", " woman"), (" king", " queen"))
    assert shows(chapter.shown["gender_cosine"]) and chapter.shown["gender_cosine"][1] == (
        pytest.approx(cmp.cosine)
    )
    assert chapter.shown["baseline"][1] == pytest.approx(difference_baseline(model))
    table = chapter.shown["analogy"]
    near = analogy(model, " man", " woman", " king", k=3)
    for w, s in near:
        assert table.value(w, "cosine") == pytest.approx(s)
    d = model.W_E[model.token_id(" cats")] - model.W_E[model.token_id(" cat")]
    dots = chapter.shown["alignment"]
    for w, (mob, v) in dots.items():
        assert v == pytest.approx(float(model.W_E[model.token_id(w)].astype(np.float64) @ d))
        assert mob.text == format_number(v, sign=True)
    assert dots[" dog"][1] < 0 < dots[" dogs"][1]


def test_the_angle_sweep_ends_on_the_real_dot_products(chapter, model):
    sweep = chapter.shown["dot_sweep"]
    E = model.W_E.astype(np.float64)
    d = E[model.token_id(" cats")] - E[model.token_id(" cat")]
    for word, angle, product in (sweep["start"], sweep["end"]):
        v = E[model.token_id(word)]
        assert product == pytest.approx(float(v @ d))
        cos = v @ d / (np.linalg.norm(v) * np.linalg.norm(d))
        assert angle == pytest.approx(float(np.degrees(np.arccos(cos))))
    assert sweep["start"][1] < 90 < sweep["end"][1]  # the sweep crosses the right angle
    deg, prod = sweep["readout"]  # the readout stops on the second word's real values
    assert deg.text == f"{sweep['end'][1]:.0f}°" and prod.text == format_number(
        sweep["end"][2], sign=True
    )


def test_mole_vectors_start_together_and_end_apart(chapter, model):
    s = chapter.shown["senses"]
    key = hook_name("resid_post", model.cfg.n_layers - 1)
    for p, v in zip(s["prompts"], s["last"], strict=True):
        t = model.run(p)
        assert t.tokens[-1] == " mole"
        np.testing.assert_allclose(v, t[key][-1])
        assert s["guesses"][p] == t.top_k(1)[0]
    mob_in, cos_in, mob_out, cos_out = s["cosines"]
    assert shows((mob_in, cos_in)) and shows((mob_out, cos_out))
    assert cos_in > 0.8 > 0.5 > cos_out  # one first vector, apart after the blocks
    assert s["guesses"]["One mole"].token == " of" != s["guesses"]["The mole"].token
    assert s["projection"].kept > 0.5


def test_tower_changes_are_measured_against_paris_and_tall(chapter, model):
    tw = chapter.shown["tower"]
    E = model.W_E.astype(np.float64)
    P, T = E[model.token_id(" Paris")], E[model.token_id(" tall")]
    key = hook_name("resid_post", model.cfg.n_layers - 1)
    V = [
        model.run(c)[key][-1]
        for c in ("The tower", "The Eiffel tower", "The miniature Eiffel tower")
    ]
    table = tw["table"]
    for row, (a, b) in zip(("+ Eiffel", "+ miniature"), ((0, 1), (1, 2)), strict=True):
        d = np.asarray(V[b], dtype=np.float64) - V[a]
        cp = d @ P / (np.linalg.norm(d) * np.linalg.norm(P))
        ct = d @ T / (np.linalg.norm(d) * np.linalg.norm(T))
        assert table.value(row, "Paris") == pytest.approx(cp)
        assert table.value(row, "tall") == pytest.approx(ct)
    said = dict(chapter.narration)[STEPS["EiffelTower"]]
    (p1, _), (_, t2) = tw["cosines"]
    assert ("toward Paris" if p1 > 0 else "away from Paris") in said
    if not p1 > 0:  # the model does not do what the lecture expects: the scene says so
        assert "not the first" in said or "neither" in said
    assert ("away from tall" if t2 < 0 else "toward tall") in said
    if not t2 < 0:  # the model does not do the lecture's second move: the scene says so
        assert "not the second" in said or "neither" in said
    assert 0 < tw["projection"].kept < 0.1  # a thin slice of the spread, as the caption says


def test_context_and_dataflow_shapes_come_from_the_trace(chapter, model, mj_trace):
    slots, n_ctx = chapter.shown["context_slots"]
    assert n_ctx == model.cfg.n_ctx and len(slots) == min(n_ctx, 64)
    np.testing.assert_array_equal(
        chapter.shown["context_array"].values, mj_trace[hook_name("resid_pre", 0)].T
    )
    table, shapes = chapter.shown["dataflow"]
    n, d = mj_trace.n_tokens, model.cfg.d_model
    assert table.value("input", "shape") == f"{n} × {d}"
    assert table.value("block 1 attention", "shape") == f"{model.cfg.n_heads} × {n} × {n}"
    assert table.value("block 1 MLP", "shape") == f"{n} × {model.cfg.d_mlp}"
    assert table.value("output", "shape") == f"{n} × {model.cfg.vocab_size:,}"
    assert shapes["output"] == mj_trace["logits"].shape


def test_unembedding_gives_the_models_logits(chapter, mj_trace):
    u = chapter.shown["unembed"]
    np.testing.assert_allclose(u.logits, mj_trace["logits"][-1], atol=1e-4)
    table = chapter.shown["top_logits"]
    assert table.value(" basketball", "logit") == pytest.approx(float(mj_trace["logits"][-1].max()))
    for (mob, guess), i in zip(
        chapter.shown["position_guesses"], range(mj_trace.n_tokens), strict=True
    ):
        assert guess == mj_trace.top_k(1, position=i)[0]
        assert mob[0].text == display_token(guess.token)


def test_softmax_and_temperature(chapter, mj_trace):
    ex = chapter.shown["softmax_example"]
    assert [e.text for e in ex.entries] == ["0.001", "0.002", "0.997"]
    exps = chapter.shown["softmax_exp"]  # e^1, e^2, e^8, the last with its thousands grouped
    assert [e.text for e in exps.entries] == ["2.72", "7.39", "2,980.96"]
    stops, _ = chapter.shown["temperature_stops"]
    assert set(stops) == {0.0, 1.0, 2.0, 3.0}
    logits = mj_trace["logits"][-1]
    ids = [t.id for t in mj_trace.top_k(5)]
    for T, texts in stops.items():
        p = probabilities(logits, T)[ids]
        expect = [f"{100 * v:.2f}%" for v in [*p, 1 - p.sum()]]
        assert texts == [e.replace("-0.00", "0.00") for e in expect], T
    gens = chapter.shown["temperature_text"]
    assert gens[0.0].new_tokens[0] == " basketball" and set(gens) == {0.0, 1.0, 2.0, 3.0}


def test_counts_compute_and_layernorm_come_from_configs_and_the_log(chapter, model):
    table = chapter.shown["count"]
    n_mat, n_w, o_mat, o_w, o_all = chapter.shown["count_totals"]
    assert (n_mat, n_w) == (27_938, 175_181_291_520)
    assert o_all == sum(w.size for w in model.weights.values())
    assert table.value("total", "GPT-3 weights") == 175_181_291_520
    assert table.value("Embedding", "GPT-3 weights") == 617_558_016
    assert table.value("Key", "how many") == "96 × 96"
    assert table.value("Key", "one matrix") == "128 × 12,288"
    assert table.cell("Up-projection", "GPT-3 weights").text == "57,982,058,496"
    ctable, run, gpt = chapter.shown["compute"]
    assert run.compute == 6 * o_all * 5500 * 32 * 64
    assert ctable.value("GPT-3", "6·N·D") == "3.15 × 10²³" and gpt is GPT3_PUBLISHED
    assert ctable.value("this model", "6·N·D") == ten_power(run.compute)
    label, ratio, years = chapter.shown["compute_ratio"]
    assert ratio == pytest.approx(3.15e23 / run.compute) and label.text == f"× {ten_power(ratio)}"
    assert years == pytest.approx(3.15e23 / (run.compute / run.seconds) / (365.25 * 86400))
    facts, ln, mine = chapter.shown["layernorm"]
    assert ln == layernorm_parameters(GPT3_CONFIG) and ln.total == 4_743_168 and mine == 0
    mob, share = chapter.shown["layernorm_share"]
    assert share == ln.share and mob.text == "0.0027%"


class TeacherSettings(nt.NextTokenChapterScene):
    prompt = "Serena Woods plays the sport of"
    temperature = 0.5
    seed = 7
    loop_tokens = 4

    def construct(self):
        self.step_loop()
        self.step_temperature()


def test_settings_change_what_is_shown(model):
    scene = render(TeacherSettings)
    expect = model.generate(
        "Serena Woods plays the sport of",
        n_tokens=4,
        temperature=0.5,
        seed=7,
        stop_at_newline=False,
    )
    assert scene.shown["loop"].new_tokens == expect.new_tokens
    stops, _ = scene.shown["temperature_stops"]
    assert set(stops) == {0.0, 1.0, 2.0, 3.0, 0.5}  # the teacher's temperature is the last stop
    said = dict(scene.narration)
    assert (
        "temperature 0.5" in said["Sampling in a loop"] and "seed 7" in said["Sampling in a loop"]
    )
    assert "T = 0.5" in said["Temperature"]


def test_the_chapter_on_a_random_gpt2_says_what_it_did_not_find(tmp_path):
    """A Hugging Face GPT-2 folder of random weights: every step runs and fits the frame; the
    steps built on the corpus's words or on the training log say on screen that they are not
    there; shapes are this model's."""
    folder = write_random_gpt2(
        tmp_path / "gpt2", vocab_size=600, n_positions=128, n_embd=48, n_layer=4, n_head=3
    )

    class OnGPT2(nt.NextTokenChapter):
        model_dir = str(folder)

    scene = render(OnGPT2, frame_rate=1)
    cfg = scene.model.cfg
    assert (cfg.d_model, cfg.n_heads, cfg.vocab_size) == (48, 3, 600)
    assert [name for name, _ in scene.narration] == list(STEPS.values())
    assert scene.outside == [] and scene.overlaps == []
    for key in ("training", "senses", "tower", "directions"):
        assert scene.shown.get(key) is None, key
    screen = " ".join(t for b in scene.beats for t in b.shown)
    assert "records no embedding snapshots" in screen
    assert "Not single tokens of this model" in screen or "not a single token" in screen
    assert "records no training run" in screen
    said = dict(scene.narration)
    assert "came without a record of its training" in said["Embeddings move in training"]
    table, shapes = scene.shown["dataflow"]
    n = scene.t.n_tokens
    assert table.value("block 1 attention", "shape") == f"3 × {n} × {n}"
    assert table.value("block 4 MLP", "shape") == f"{n} × 192"
    assert "block 2 MLP" not in table.row_names and "…" in table.row_names  # middle blocks elided
    assert table.value("output", "shape") == f"{n} × 600"
    slots, n_ctx = scene.shown["context_slots"]
    assert n_ctx == 128 and len(slots) == 64 and "(first 64 drawn)" in screen
    assert scene.shown["compute"][1] is None
    assert shared_problems(scene, NAMES) == []


# --- the extremes a teacher may set: 0 and 6 decimals, a prompt that fills the context window,
# right-to-left letters and emoji (which a byte-level tokenizer cuts into <byte 0x..> tokens) --
# Each setting lists the steps it changes (decimals: the steps that draw numbers at the default
# decimals; prompts: the steps that read the prompt). The steps of next_token_steps/context.py
# and data.py have their extremes in test_next_token_data.py.
EXTREMES = {
    "decimals 0": ({"decimals": 0}, ["EmbeddingLookup"]),
    "decimals 6": ({"decimals": 6}, ["EmbeddingLookup"]),
    "64 tokens": (
        {"prompt": LONG},
        ["SamplingLoop", "WordByWord", "EmbeddingLookup", "Temperature", "TemperatureText"],
    ),
    "right to left": (
        {"prompt": RIGHT_TO_LEFT},
        ["SamplingLoop", "WordByWord", "EmbeddingLookup", "Temperature"],
    ),
    "emoji": ({"prompt": EMOJI}, ["Prediction", "WordByWord", "Tokens", "EmbeddingLookup"]),
}


@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_settings_stay_in_frame_and_true(case, model):
    attrs, steps = EXTREMES[case]
    scenes = {}
    for name in steps:
        scene = render(type(name, (getattr(nt, name),), dict(attrs)), frame_rate=1)
        assert (scene.outside, scene.overlaps, scene.small) == ([], [], []), (case, name)
        assert shared_problems(scene, NAMES) == [], (case, name)
        scenes[name] = scene
    lookup = scenes["EmbeddingLookup"]
    t = lookup.t
    for vec, i in lookup.shown["lookup_vectors"]:  # each drawn vector is its token's row of W_E
        np.testing.assert_array_equal(vec.values, model.W_E[i])
        assert i in t.token_ids[:6]
    cell = lookup.shown["lookup_matrix"].cell(0, 0).text
    decimals = attrs.get("decimals", 2)
    assert cell == format_number(float(model.W_E[0, 0]), decimals)
    if case == "64 tokens":
        assert t.n_tokens == model.cfg.n_ctx == 64
        loop = scenes["SamplingLoop"]
        assert not loop.shown["loop"].new_tokens and loop.shown["loop_full"] is not None
        said = dict(loop.narration)["Sampling in a loop"]
        assert "64 tokens long" in said and "no room" in said and "seed" not in said
        said = dict(scenes["TemperatureText"].narration)["Temperature in text"]
        assert "no room to write anything" in said and "stops making sense" not in said
    if case == "right to left":
        assert "<byte 0xD7>" in t.tokens  # Hebrew letters are split into bytes
        para = scenes["SamplingLoop"].shown["loop_text"]
        g = scenes["SamplingLoop"].shown["loop"]
        left_out = int(para[0].text.split()[1])  # "… N more …": the prompt's first N tokens
        assert para[0].text.startswith("… ") and left_out > 0
        assert [m.token for m in para[1:]] == [*t.tokens[left_out:], *g.new_tokens]
    if case in ("right to left", "emoji"):
        screen = " ".join(s for b in scenes["WordByWord"].beats for s in b.shown)
        assert "a byte of a character" in screen  # what a <byte 0x..> stand-in is, said once


def test_every_beat_of_the_chapter_reads_well_aloud(chapter):
    """A voice says each beat's spoken form: no token marks, long digit runs or bare zeros."""
    from scene_loader import spoken_beat_problems

    assert spoken_beat_problems(chapter) == []

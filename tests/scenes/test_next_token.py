"""Render each step of the opening chapter in dry-run mode; check what it shows against the model."""

import numpy as np
import pytest
from scene_loader import load, render

from llmviz.model.analysis import nearest_neighbours
from llmviz.model.config import GPT3_CONFIG
from llmviz.model.embedding import analogy, compare_directions, difference_baseline
from llmviz.model.trace import probabilities
from llmviz.style import display_token, format_number

nt = load("next_token")

STEPS = [
    "Prediction",
    "Tokens",
    "EmbeddingLookup",
    "EmbeddingSpace",
    "EmbeddingDirections",
    "Context",
    "Unembedding",
    "SoftmaxTemperature",
    "CountingGPT3",
]
SECTIONS = [
    "Predicting the next token",
    "Sampling in a loop",
    "A chatbot continues a text",
    "Tokens",
    "Embedding lookup",
    "Embedding space",
    "Nearest neighbours",
    "Directions",
    "Dot products",
    "Context window",
    "Why the last position",
    "Unembedding",
    "Softmax",
    "Temperature",
    "Temperature in text",
    "Counting GPT-3",
]


@pytest.fixture(scope="module")
def chapter():
    """The whole chapter, rendered once: it runs every step, with the clearing in between."""
    return render(nt.NextTokenChapter)


@pytest.fixture(scope="module")
def scenes(chapter):
    return dict.fromkeys(STEPS, chapter)


def shows(pair, decimals=2, **fmt):
    mob, value = pair[0], pair[1]
    return mob.text == format_number(value, decimals, **fmt)


def test_the_chapter_plays_every_section_with_narration(chapter):
    assert [name for name, _ in chapter.narration] == SECTIONS
    assert all(len(text) > 150 for _, text in chapter.narration)
    assert chapter.renderer.time > 300  # the reading time of every section is kept


def test_nothing_reaches_past_the_frame(chapter):
    assert chapter.outside == []


def test_no_text_is_drawn_over_another(chapter):
    assert chapter.overlaps == []


def test_each_step_scene_plays_its_own_step():
    steps = nt.NextTokenScene.STEPS
    for name, step in zip(STEPS, steps, strict=True):
        called = []
        recorders = {f"step_{s}": (lambda self, s=s, c=called: c.append(s)) for s in steps}
        probe = type("Probe", (getattr(nt, name),), recorders)
        probe.construct(object.__new__(probe))
        assert called == [step], name
    called = []
    recorders = {f"step_{s}": (lambda self, s=s: called.append(s)) for s in steps}
    recorders["clear"] = lambda self: called.append("clear")
    probe = type("Probe", (nt.NextTokenChapter,), recorders)
    probe.construct(object.__new__(probe))
    assert called == [x for s in steps for x in (s, "clear")]


def test_prediction_bars_are_the_model_distribution(scenes, mj_trace):
    bars = scenes["Prediction"].shown["prediction_bars"]
    top = mj_trace.top_k(5)
    assert bars.tokens == [t.token for t in top] and bars.tokens[0] == " basketball"
    np.testing.assert_allclose(bars.probs, [t.prob for t in top])
    assert [n.text for n in bars.numbers] == [f"{100 * t.prob:.3f}%" for t in top]
    mob, rest = scenes["Prediction"].shown["prediction_rest"]
    assert rest == pytest.approx(1 - mj_trace.probs()[[t.id for t in top]].sum())
    assert mob.text.endswith(f"{100 * rest:.3f}%") and "1,022" in mob.text


def test_sampling_loop_is_the_seeded_generation(scenes, model):
    scene = scenes["Prediction"]
    g = scene.shown["loop"]
    again = model.generate(
        scene.prompt, n_tokens=scene.loop_tokens, temperature=1.0, seed=0, stop_at_newline=False
    )
    assert g.new_tokens == again.new_tokens and g.text == again.text
    assert g.new_tokens[0] == " basketball"
    para = scene.shown["loop_text"]
    pieces = [m.token for m in para]
    assert pieces == [*model.run(scene.prompt).tokens, *g.new_tokens]
    assert "".join(m.text for m in para) == "".join(p.replace("\n", "↵") for p in pieces).replace(
        " ", ""
    )
    # every sampled token was one of the model's candidates at its step, with its probability
    for cands, tok in zip(g.steps, g.new_tokens, strict=True):
        assert tok in [c.token for c in cands]
    others = scene.shown["loop_others"]
    assert [o.new_tokens for o in others] == [
        model.generate(
            scene.prompt, n_tokens=scene.loop_tokens, seed=s, stop_at_newline=False
        ).new_tokens
        for s in (1, 2)
    ]


def test_chat_is_the_models_continuation(scenes, model):
    scene = scenes["Prediction"]
    chat = f"{scene.system_prompt}\nUser: {scene.chat_question} Assistant:"
    g = scene.shown["chat"]
    assert g.prompt == chat
    assert g.new_tokens == model.generate(chat, n_tokens=16, seed=0).new_tokens
    doc = scene.shown["chat_text"]
    assert [m.token for m in doc][-len(g.new_tokens) :] == list(g.new_tokens)


def test_tokens_are_the_tokenizers(scenes, model, mj_trace):
    shown = scenes["Tokens"].shown
    assert shown["tokens_prompt"].tokens == list(mj_trace.tokens)
    strip, words = shown["tokens_example"]
    example = scenes["Tokens"].token_example
    assert strip.tokens == model.tokenizer.token_strings(model.encode(example))
    split = [w for w in words if w.is_split]
    assert split and all(len(w.pieces) >= 2 for w in split)
    assert any(len(w.pieces) >= 3 for w in split)  # a word really cut into several pieces
    assert [w.text for w in words if w.is_punctuation]
    for w in split:  # the pieces are what the tokenizer makes of that word
        assert list(w.pieces) == model.tokenizer.token_strings(model.tokenizer.encode(w.text))


def test_lookup_columns_are_rows_of_W_E(scenes, model, mj_trace):
    shown = scenes["EmbeddingLookup"].shown
    ids = [i for _, i in shown["lookup_vectors"]]
    assert ids == list(mj_trace.token_ids)
    for vec, i in shown["lookup_vectors"]:
        np.testing.assert_array_equal(vec.values, model.W_E[i])
        assert [e.text for e in vec.entries] == [
            format_number(model.W_E[i][k]) for k in vec.indices if k is not None
        ]
    m = shown["lookup_matrix"]
    assert m.shape == (model.cfg.d_model, model.cfg.vocab_size)
    assert m.cell(0, 1).value == pytest.approx(float(model.W_E[1, 0]))
    mob, value = shown["lookup_gpt3"]
    assert value == 617_558_016 == GPT3_CONFIG.vocab_size * GPT3_CONFIG.d_model
    assert "617,558,016" in mob.text


def test_embedding_space_shows_the_pca(scenes, model):
    proj, cloud = scenes["EmbeddingSpace"].shown["pca"]
    X = model.W_E[list(proj.ids)].astype(np.float64)
    np.testing.assert_allclose(proj.coords, (X - X.mean(0)) @ proj.components.T, atol=1e-9)
    assert len(cloud.dots) == len(proj.tokens) == 12
    assert [lab.text for lab in cloud.labels] == [t.strip() for t in proj.tokens]
    # the cloud is the PCA, scaled; the dots end where the view angle started
    np.testing.assert_allclose(cloud.coords, proj.coords * (2.7 / np.abs(proj.coords).max()))
    yaw = cloud.best_yaw()
    centers = np.array([d.get_center() for d in cloud.dots])
    np.testing.assert_allclose(centers, cloud.screen(cloud.coords, yaw), atol=1e-6)
    _, _, _, overlap = cloud.layout(yaw)
    assert overlap < 0.02


def test_nearest_neighbours_of_the_answer(scenes, model):
    rows = scenes["EmbeddingSpace"].shown["neighbours"]
    expect = nearest_neighbours(model, " basketball", k=6)
    assert [w for _, _, w in rows] == [w for w, _ in expect]
    for (mob, c, _), (_, e) in zip(rows, expect, strict=True):
        assert c == pytest.approx(e) and mob.text == format_number(e)
    assert rows[0][2] == " golf"


def test_directions_are_measured(scenes, model):
    shown = scenes["EmbeddingDirections"].shown
    cmp = compare_directions(model, (" man", " woman"), (" king", " queen"))
    assert shown["gender_cosine"][1] == pytest.approx(cmp.cosine)
    assert shows(shown["gender_cosine"]) and 0.2 < cmp.cosine < 1
    assert shown["baseline"][1] == pytest.approx(difference_baseline(model))
    assert shows(shown["baseline"])
    near = analogy(model, " man", " woman", " king", k=3)
    assert [w for _, _, w in shown["analogy"]] == [w for w, _ in near]
    assert all(m.text == format_number(s) for m, s, _ in shown["analogy"])
    dots = shown["alignment"]
    d = model.W_E[model.token_id(" cats")] - model.W_E[model.token_id(" cat")]
    for mob, v, w in dots:
        assert v == pytest.approx(float(model.W_E[model.token_id(w)].astype(np.float64) @ d))
        assert mob.text == format_number(v, sign=True)
    values = {w: v for _, v, w in dots}
    assert values[" dog"] < 0 < values[" dogs"]  # singular against, plural along


def test_context_arrays_are_the_residual_stream(scenes, model, mj_trace):
    shown = scenes["Context"].shown
    assert len(shown["context_slots"]) == model.cfg.n_ctx
    keys = [k for k, _ in shown["context_arrays"]]
    assert keys[:2] == ["hook_embed", "blocks.0.hook_resid_pre"]
    assert keys[-1] == f"blocks.{model.cfg.n_layers - 1}.hook_resid_post"
    for key, mat in shown["context_arrays"]:
        np.testing.assert_array_equal(mat.values, mj_trace[key].T)
        assert mat.shape == (model.cfg.d_model, mj_trace.n_tokens)
    # the input is the token's W_E row plus its position's W_pos row
    np.testing.assert_allclose(
        mj_trace["blocks.0.hook_resid_pre"],
        model.W_E[list(mj_trace.token_ids)] + model.W_pos[: mj_trace.n_tokens],
        atol=1e-6,
    )


def test_unembedding_gives_the_models_logits(scenes, model, mj_trace):
    shown = scenes["Unembedding"].shown
    u = shown["unembed"]
    np.testing.assert_allclose(u.logits, mj_trace["logits"][-1], atol=1e-4)
    assert u.result.tokens[0] == " basketball"
    for mob, value in shown["top_logits"]:
        assert shows((mob, value))
    assert shown["top_logits"][0][1] == pytest.approx(float(mj_trace["logits"][-1].max()))
    for (mob, guess), i in zip(shown["position_guesses"], range(mj_trace.n_tokens), strict=True):
        assert guess == mj_trace.top_k(1, position=i)[0]
        assert mob[0].text == display_token(guess.token)


def test_softmax_and_temperature(scenes, mj_trace):
    shown = scenes["SoftmaxTemperature"].shown
    ex = shown["softmax_example"]
    assert [e.text for e in ex.entries] == ["0.001", "0.002", "0.997"]
    np.testing.assert_allclose(ex.values, probabilities(np.array([1.0, 2.0, 8.0])))
    stops, probs_at = shown["temperature_stops"]
    assert set(stops) == {0.0, 1.0, 2.0, 3.0}
    logits = mj_trace["logits"][-1]
    ids = [t.id for t in mj_trace.top_k(5)]
    for T, texts in stops.items():
        p = probabilities(logits, T)[ids]
        expect = [f"{100 * v:.2f}%" for v in [*p, 1 - p.sum()]]
        assert texts == [e.replace("-0.00", "0.00") for e in expect], T
    assert stops[0.0][0] == "100.00%" and float(stops[2.0][0][:-1]) < float(stops[1.0][0][:-1])
    gens = shown["temperature_text"]
    assert gens[0.0].new_tokens[0] == " basketball"
    assert set(gens) == {0.0, 1.0, 2.0, 3.0}


def test_counts_come_from_the_configs(scenes, model):
    shown = scenes["CountingGPT3"].shown
    n_mat, n_w, o_mat, o_w, o_all = shown["count_totals"]
    assert (n_mat, n_w) == (27_938, 175_181_291_520)
    assert o_all == sum(w.size for w in model.weights.values())
    rows = {r[0]: tuple(r[1:]) for r in shown["count_rows"]}
    assert rows["total"] == ("27,938", "", "175,181,291,520", f"{o_mat}", f"{o_w:,}")
    assert rows["Embedding"][2] == rows["Unembedding"][2] == "617,558,016"
    assert rows["Key"][0] == "96 × 96" and rows["Key"][1] == "128 × 12,288"
    assert rows["Up-projection"][2] == "57,982,058,496"


class TeacherSettings(nt.NextTokenScene):
    prompt = "Serena Woods plays the sport of"
    temperature = 0.5
    seed = 7
    loop_tokens = 4

    def construct(self):
        self.step_loop()
        self.step_temperature()


def test_settings_change_what_is_shown(model):
    scene = render(TeacherSettings)
    g = scene.shown["loop"]
    expect = model.generate(
        "Serena Woods plays the sport of",
        n_tokens=scene.loop_tokens,
        temperature=0.5,
        seed=7,
        stop_at_newline=False,
    )
    assert g.new_tokens == expect.new_tokens
    assert g.new_tokens[0] == model.run(scene.prompt).top_k(1)[0].token
    stops, _ = scene.shown["temperature_stops"]
    assert set(stops) == {0.0, 1.0, 2.0, 3.0, 0.5}  # the teacher's temperature is the last stop
    narration = dict(scene.narration)
    assert "temperature 0.5" in narration["Sampling in a loop"]
    assert "seed 7" in narration["Sampling in a loop"]
    assert "T = 0.5" in narration["Temperature"]

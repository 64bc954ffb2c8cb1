"""The opening chapter's steps on weights and data, Word2Vec, other context lengths and the
tensors of input → layers → output: each rendered alone, dry-run at one frame a second, its
shown values checked by name against the model, the trace or the skip-gram."""

import numpy as np
import pytest
from scene_loader import EMOJI, load, narration_problems, render

import llmviz
from llmviz.errors import PromptError
from llmviz.model.experiments.word2vec import skipgram
from llmviz.model.trace import hook_name

nt = load("next_token")
NAMES = {"Michael", "Jordan", "Paris", "Eiffel", "GPT"}


@pytest.fixture(scope="module")
def model():
    return llmviz.load_model()


@pytest.fixture(scope="module")
def scenes():
    """Each new or redrawn step, rendered once."""
    names = ("WeightsAndData", "Word2VecSkipGram", "ContextLengths", "InputLayersOutput")
    return {name: render(getattr(nt, name), frame_rate=1) for name in names}


@pytest.mark.parametrize(
    "name", ["WeightsAndData", "Word2VecSkipGram", "ContextLengths", "InputLayersOutput"]
)
def test_tidy_and_every_number_said_is_on_screen(scenes, name):
    scene = scenes[name]
    assert scene.outside == [] and scene.overlaps == [] and scene.small == []
    assert scene.overlaps_midway == []  # nor halfway through an animation
    assert narration_problems(scene, NAMES) == []
    assert len(scene.narration) == 1 and len(scene.beats) >= 5


def test_same_weights_times_two_prompts_data_give_the_traces_queries(scenes, model):
    wd = scenes["WeightsAndData"].shown["weights_data"]
    np.testing.assert_array_equal(wd["matrix"].values, model.W("Q", 0, head=0).T)
    assert wd["prompts"][0] != wd["prompts"][1]
    for prompt, vec, result in zip(wd["prompts"], wd["vectors"], wd["results"], strict=True):
        t = model.run(prompt)
        np.testing.assert_allclose(vec.values, t[hook_name("ln1", 0)][-1])
        np.testing.assert_allclose(result.values, t[hook_name("q", 0)][-1, 0], atol=1e-4)
        assert result.entries[0].text == f"{t['blocks.0.attn.hook_q'][-1, 0, 0]:.2f}"
    assert not np.allclose(wd["results"][0].values, wd["results"][1].values)


def test_word2vec_row_and_neighbours_are_the_skipgrams(scenes):
    scene = scenes["Word2VecSkipGram"]
    w = scene.shown["w2v"]
    sg = skipgram()
    i = sg.index(w["word"])
    assert w["index"] == i
    np.testing.assert_array_equal(w["row"].values, sg.one_hot(w["word"]) @ sg.embeddings)
    table, verdicts, (hits, total) = scene.shown["w2v_neighbours"]
    assert (hits, total) == sg.nearest_in_group()
    for word in table.row_names:
        near = sg.neighbours(word, 3)
        assert [table.value(word, c).text for c in ("nearest", "2nd", "3rd")] == [
            n for n, _ in near
        ]
        assert table.value(word, "cos, nearest") == pytest.approx(near[0][1])
    said = " ".join(b.text for b in scene.beats)
    assert f"{hits} of {total} words" in said
    assert "Not every word fits" in said  # the scene says where the skip-gram is weak


def test_context_lengths_are_real_runs_and_65_tokens_are_refused(scenes, model):
    scene = scenes["ContextLengths"]
    table, runs = scene.shown["lengths"]
    ids = nt.NextTokenChapterScene.context_text_ids(scene)
    n_ctx = model.cfg.n_ctx
    assert [n for n, _ in runs] == [4, 8, 16, 32, n_ctx] and len(ids) == n_ctx + 1
    for n, guess in runs:
        best = model.run_ids(ids[:n]).top_k(1)[0]
        assert (guess.token, guess.prob) == (best.token, pytest.approx(best.prob))
        assert table.value(str(n), "%") == pytest.approx(100 * best.prob)
    error, message = scene.shown["too_long"]
    with pytest.raises(PromptError) as e:
        model.run_ids(ids[: n_ctx + 1])
    assert message == str(e.value) and error.text == message and f"{n_ctx + 1} tokens" in message
    with pytest.raises(PromptError, match="context window"):
        model.run(model.tokenizer.decode(ids))  # the text of 65 tokens, through the prompt API
    assert model.W_pos.shape[0] == n_ctx  # no row for position 64


def test_dataflow_tensors_are_drawn_to_the_traces_shapes(scenes, model):
    flow, shapes = scenes["InputLayersOutput"].shown["dataflow"]
    t = model.run(nt.NextTokenChapterScene.prompt)
    n, cfg = t.n_tokens, model.cfg
    assert shapes["input"] == t[hook_name("resid_pre", 0)].shape == (n, cfg.d_model)
    assert shapes["output"] == t["logits"].shape
    for layer in range(cfg.n_layers):
        b = f"block {layer + 1}"
        assert shapes[f"{b} attention"] == t[hook_name("pattern", layer)].shape
        assert shapes[f"{b} MLP"] == t[hook_name("post", layer)].shape
        assert flow.value(f"{b} MLP") == f"{n} × {cfg.d_mlp}"
        assert len(flow.parts[f"{b} attention"][0]) == cfg.n_heads  # one face per head
    assert flow.value("output") == f"{n} × {cfg.vocab_size:,}"
    width = {k: flow.parts[k][0].width for k in ("input", "block 1 MLP", "output")}
    assert width["block 1 MLP"] / width["input"] == pytest.approx(cfg.d_mlp / cfg.d_model, rel=0.02)
    assert width["output"] / width["input"] == pytest.approx(cfg.vocab_size / cfg.d_model, rel=0.02)


def test_skipgram_words_outside_the_corpus_get_a_clear_error(capsys):
    bad = type("Bad", (nt.Word2VecSkipGram,), {"w2v_words": ("zebra", "unicorn")})
    with pytest.raises(SystemExit) as stop:  # the scene prints the error and exits, no traceback
        render(bad, frame_rate=1)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "llmviz: none of w2v_words ('zebra', 'unicorn')" in err and "Traceback" not in err


# the widest settings a teacher may choose, on the steps they stretch most: numbers at 6
# decimals, and a prompt of emoji that the byte-level tokenizer cuts into <byte 0x..> tokens
EXTREMES = [
    ("WeightsAndData", {"decimals": 6}),
    ("Context", {"decimals": 6}),
    ("Unembedding", {"decimals": 6}),
    ("Context", {"prompt": EMOJI}),
    ("WhyTheLastPosition", {"prompt": EMOJI}),
]


@pytest.mark.parametrize(
    ("name", "attrs"),
    EXTREMES,
    ids=[f"{n}-{'emoji' if 'prompt' in a else '6 decimals'}" for n, a in EXTREMES],
)
def test_extreme_settings_stay_in_frame_readable_and_true(name, attrs, model):
    scene = render(type(name, (getattr(nt, name),), dict(attrs)), frame_rate=1)
    assert (scene.outside, scene.overlaps, scene.small) == ([], [], [])
    assert narration_problems(scene, NAMES) == []
    t = model.run(attrs.get("prompt", nt.NextTokenChapterScene.prompt))
    if name == "WeightsAndData":
        result = scene.shown["weights_data"]["results"][0]
        assert result.entries[0].text == f"{t['blocks.0.attn.hook_q'][-1, 0, 0]:.6f}"
    if name == "Context":
        np.testing.assert_array_equal(
            scene.shown["context_array"].values, t[hook_name("resid_pre", 0)].T
        )
    if name == "Unembedding":
        np.testing.assert_allclose(scene.shown["unembed"].logits, t["logits"][-1], atol=1e-4)
    if name == "WhyTheLastPosition":
        shown = scene.shown["position_guesses"]
        assert 2 <= len(shown) <= 6
        for (_, guess), i in zip(shown, range(t.n_tokens - len(shown), t.n_tokens), strict=True):
            assert guess.token == t.top_k(1, position=i)[0].token

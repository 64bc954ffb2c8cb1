"""Render each attention step in dry-run mode and check the numbers on screen against the trace."""

import math

import numpy as np
import pytest
from scene_loader import load, render

import llmviz
from llmviz.model.analysis import cosine, find_adjective_head
from llmviz.style import format_number

attention = load("attention")

STEPS = [
    "WhyAttention",
    "TheExample",
    "QueriesAndKeys",
    "TheGrid",
    "ScaleMaskSoftmax",
    "Values",
    "MultiHead",
    "CountingAttention",
    "CrossAttention",
    "ContextSize",
]
PROMPT = attention.AttentionScene.prompt


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(attention, name)) for name in STEPS}


@pytest.fixture(scope="module")
def trace(model):
    return model.run(PROMPT)


@pytest.fixture(scope="module")
def head(model):
    return find_adjective_head(model)


def shows_vector(vec, values, atol=1e-5):
    """Every entry on screen is the formatted true value, and the vector holds the true values."""
    values = np.asarray(values, dtype=np.float64)
    assert np.allclose(vec.values, values, atol=atol)
    return all(e.text == format_number(values[e.source_index], vec.decimals) for e in vec.entries)


def test_the_chapter_plays_every_step_in_order():
    chapter = render(attention.AttentionChapter)
    assert [name for name, _ in chapter.narration] == [
        "Why attention",
        "The example",
        "Queries and keys",
        "The grid",
        "Scale, mask, softmax",
        "Values",
        "Multi-head attention",
        "Counting parameters",
        "Cross-attention",
        "Context size",
    ]
    assert all(len(text) > 150 for _, text in chapter.narration)


def test_nothing_reaches_past_the_frame(scenes):
    assert {name: s.outside for name, s in scenes.items() if s.outside} == {}


def test_no_text_is_drawn_over_another(scenes):
    assert {name: s.overlaps for name, s in scenes.items() if s.overlaps} == {}


def test_why_attention_shows_cosines_of_the_same_word_across_contexts(scenes, model):
    shown = scenes["WhyAttention"].shown["cosines"]
    pairs = attention.AttentionScene.contexts
    stages = 2 + model.cfg.n_layers
    assert len(shown) == len(pairs) * stages
    a, b = model.run("The tower"), model.run("The Eiffel tower")
    expected = [
        cosine(model.W_E[a.token_ids[-1]], model.W_E[b.token_ids[-1]]),
        cosine(a["blocks.0.hook_resid_pre"][-1], b["blocks.0.hook_resid_pre"][-1]),
        cosine(a["blocks.0.hook_resid_mid"][-1], b["blocks.0.hook_resid_mid"][-1]),
    ]
    for (mob, value), exp in zip(shown[:3], expected, strict=False):
        assert value == pytest.approx(exp, abs=1e-6)
        assert mob.text == format_number(exp, 2)
    assert expected[0] == pytest.approx(1.0)  # the lookup is the same in every context
    assert expected[2] < 0.9  # attention has moved the vector


def test_the_example_shows_embedding_plus_position(scenes, trace, model):
    rows = scenes["TheExample"].shown["E"]
    assert len(rows) == trace.n_tokens
    for i, (vec, _) in enumerate(rows):
        true = model.W_E[trace.token_ids[i]] + model.W_pos[i]
        assert shows_vector(vec, true)
        assert np.allclose(true, trace["blocks.0.hook_resid_pre"][i], atol=1e-5)


def test_queries_and_keys_are_the_heads_real_vectors(scenes, trace, head):
    s = scenes["QueriesAndKeys"]
    assert (s.L, s.h) == (head.layer, head.head)  # found by the analysis, not hard-coded
    q_all = trace[f"blocks.{head.layer}.attn.hook_q"][:, head.head]
    k_all = trace[f"blocks.{head.layer}.attn.hook_k"][:, head.head]
    vec, _ = s.shown["q"]
    assert shows_vector(vec, q_all[s.q], atol=1e-4)  # W_Q x recomputed from shown matrix and x
    for i, (vec, _) in enumerate(s.shown["queries"]):
        assert shows_vector(vec, q_all[i])
    for i, (vec, _) in enumerate(s.shown["keys"]):
        assert shows_vector(vec, k_all[i])


def test_the_grid_is_every_key_query_dot_product_and_creature_attends_to_its_adjectives(
    scenes, trace, head
):
    s = scenes["TheGrid"]
    tokens = [t.strip() for t in trace.tokens]
    assert tokens[s.q] == "creature"
    assert [tokens[k] for k in s.focus.keys] == ["fluffy", "blue"]
    q = trace[f"blocks.{head.layer}.attn.hook_q"][:, head.head].astype(np.float64)
    k = trace[f"blocks.{head.layer}.attn.hook_k"][:, head.head].astype(np.float64)
    grid = s.shown["grid"]
    assert np.allclose(grid.values, q @ k.T, atol=1e-4)
    assert grid.display_value(key=1, query=s.q) == pytest.approx(float(q[s.q] @ k[1]), abs=1e-4)
    listed = s.shown["dots"]
    assert [v for _, v in listed] == sorted((v for _, v in listed), reverse=True)
    for mob, v in listed:
        assert mob.text == format_number(v, 2, sign=True)
    # the two adjectives have the largest values in the noun's column among earlier words
    assert {round(v, 6) for _, v in listed[:2]} == {
        round(float(q[s.q] @ k[j]), 6) for j in s.focus.keys
    }
    pattern = trace[f"blocks.{head.layer}.attn.hook_pattern"][head.head]
    assert pattern[s.q, list(s.focus.keys)].sum() > 0.8


def test_scale_mask_softmax_stages_match_the_trace(scenes, trace, head):
    s = scenes["ScaleMaskSoftmax"]
    key = f"blocks.{head.layer}.attn"
    scores = trace[f"{key}.hook_attn_scores"][head.head]  # scaled and masked by the model
    finite = np.isfinite(scores)
    dk = trace[f"{key}.hook_q"].shape[-1]
    assert np.allclose(s.shown["scaled"].values, s.shown["raw"].values / math.sqrt(dk))
    assert np.allclose(s.shown["scaled"].values[finite], scores[finite], atol=1e-4)
    masked = s.shown["masked"].values
    assert np.array_equal(np.isinf(masked), ~finite) and (masked[~finite] < 0).all()
    pattern = s.shown["pattern"].values
    assert np.allclose(pattern, trace[f"{key}.hook_pattern"][head.head], atol=1e-5)
    assert np.allclose(pattern.sum(axis=1), 1.0) and (pattern[~finite] == 0).all()


def test_values_weighted_sum_and_residual_add_are_real(scenes, trace, head, model):
    s = scenes["Values"]
    key = f"blocks.{head.layer}"
    v = trace[f"{key}.attn.hook_v"][:, head.head]
    pattern = trace[f"{key}.attn.hook_pattern"][head.head]
    for k, (vec, _) in enumerate(s.shown["values"]):
        assert shows_vector(vec, v[k])
    for k, (lab, w) in enumerate(s.shown["weights"]):
        assert w == pytest.approx(float(pattern[s.q, k]))
        assert lab.text == format_number(w, 2)
    z = trace[f"{key}.attn.hook_z"][s.q, head.head]
    vec, _ = s.shown["z"]
    assert shows_vector(vec, z, atol=1e-5)
    dE = z.astype(np.float64) @ model.W("O", head.layer, head.head)
    vec, _ = s.shown["dE"]
    assert shows_vector(vec, dE, atol=1e-5)
    zs = trace[f"{key}.attn.hook_z"][:, head.head].astype(np.float64)
    for i, (vec, _) in enumerate(s.shown["all_dE"]):
        assert shows_vector(vec, zs[i] @ model.W("O", head.layer, head.head), atol=1e-5)
    vec, _ = s.shown["E_new"]
    assert shows_vector(vec, trace[f"{key}.hook_resid_pre"][s.q] + dE, atol=1e-5)


def test_multi_head_outputs_sum_to_the_layers_attention_output(scenes, trace, head):
    s = scenes["MultiHead"]
    heads = s.shown["heads"]
    assert len(heads) == trace[f"blocks.{head.layer}.attn.hook_pattern"].shape[0]
    total = sum(np.asarray(vec.values) for vec, _ in heads)
    attn_out = trace[f"blocks.{head.layer}.hook_attn_out"][s.q]
    assert np.allclose(total, attn_out, atol=1e-4)
    vec, _ = s.shown["attn_out"]
    assert shows_vector(vec, attn_out)


def test_counting_uses_the_configs(scenes, model):
    texts = [(mob.text, want) for mob, want in scenes["CountingAttention"].shown["counts"]]
    assert all(t == want for t, want in texts)
    cfg = model.cfg
    ours_all = 4 * cfg.n_heads * cfg.n_layers * cfg.d_head * cfg.d_model
    shown = [t for t, _ in texts]
    assert f"{ours_all:,}" in shown
    assert "57,982,058,496" in shown and "33.1%" in shown  # GPT-3: about 58 B, a third of 175 B
    assert "6,291,456" in shown  # one GPT-3 head, value factored


def test_context_size_shows_real_patterns_of_growing_prompts(scenes, model):
    sizes = scenes["ContextSize"].shown["sizes"]
    lengths = [n for n in attention.AttentionScene.context_lengths if n <= model.cfg.n_ctx]
    assert [n for _, n in sizes] == lengths
    for grid, n in sizes:
        assert grid.values.shape == (n, n)
        assert np.allclose(grid.values.sum(axis=1), 1.0, atol=1e-5)
    mob, total = scenes["ContextSize"].shown["model_entries"]
    n = lengths[-1]
    assert total == n * n * model.cfg.n_heads * model.cfg.n_layers
    assert f"{total:,}" in mob.text


def test_a_prompt_without_adjectives_follows_the_strongest_head_and_says_so():
    class NoAdjectives(attention.TheGrid):
        prompt = "Michael Jordan plays the sport of"

    s = render(NoAdjectives)
    assert not s.focus.adjective_head
    assert "no adjective" in s.focus.how
    pattern = s.t[f"blocks.{s.L}.attn.hook_pattern"][s.h]
    assert pattern[s.q, s.focus.keys[0]] == pytest.approx(
        max(
            s.t[f"blocks.{layer}.attn.hook_pattern"][h][q, k]
            for layer, h, q, k, _ in llmviz.model.analysis.strongest_attention(s.t)
        )
    )


def test_a_prompt_too_long_for_the_grid_gets_a_clear_message(capsys):
    class Long(attention.TheGrid):
        prompt = " ".join(["a fluffy blue creature roamed the verdant forest"] * 3)

    with pytest.raises(SystemExit) as exc:
        render(Long)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "2 to 12 tokens" in err and "has 24" in err

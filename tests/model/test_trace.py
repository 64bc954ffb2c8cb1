import numpy as np
import pytest

from llmviz.model.trace import hook_names, probabilities

PROMPT = "a fluffy blue creature roamed the verdant forest"


def test_exact_ordered_trace_keys(model, mj_trace):
    L = model.cfg.n_layers
    expected = ["hook_embed", "hook_pos_embed"]
    for i in range(L):
        expected += [
            f"blocks.{i}.hook_resid_pre",
            f"blocks.{i}.ln1.hook_normalized",
            f"blocks.{i}.attn.hook_q",
            f"blocks.{i}.attn.hook_k",
            f"blocks.{i}.attn.hook_v",
            f"blocks.{i}.attn.hook_attn_scores",
            f"blocks.{i}.attn.hook_pattern",
            f"blocks.{i}.attn.hook_z",
            f"blocks.{i}.hook_attn_out",
            f"blocks.{i}.hook_resid_mid",
            f"blocks.{i}.ln2.hook_normalized",
            f"blocks.{i}.mlp.hook_pre",
            f"blocks.{i}.mlp.hook_post",
            f"blocks.{i}.hook_mlp_out",
            f"blocks.{i}.hook_resid_post",
        ]
    expected += ["ln_final.hook_normalized", "logits"]
    assert list(mj_trace) == expected == hook_names(L)


def test_shapes(model, mj_trace):
    c, T = model.cfg, mj_trace.n_tokens
    assert mj_trace["hook_embed"].shape == (T, c.d_model)
    assert mj_trace["blocks.0.attn.hook_q"].shape == (T, c.n_heads, c.d_head)
    assert mj_trace["blocks.0.attn.hook_pattern"].shape == (c.n_heads, T, T)
    assert mj_trace["blocks.0.mlp.hook_post"].shape == (T, c.d_mlp)
    assert mj_trace["logits"].shape == (T, c.vocab_size)
    assert all(v.dtype == np.float32 for v in mj_trace.values())


def test_residual_invariants(model):
    t = model.run(PROMPT)
    x = t["hook_embed"] + t["hook_pos_embed"]
    for i in range(model.cfg.n_layers):
        b = f"blocks.{i}"
        np.testing.assert_allclose(t[f"{b}.hook_resid_pre"], x, atol=1e-6)
        np.testing.assert_allclose(
            t[f"{b}.hook_resid_mid"], t[f"{b}.hook_resid_pre"] + t[f"{b}.hook_attn_out"], atol=1e-5
        )
        np.testing.assert_allclose(
            t[f"{b}.hook_resid_post"], t[f"{b}.hook_resid_mid"] + t[f"{b}.hook_mlp_out"], atol=1e-5
        )
        x = t[f"{b}.hook_resid_post"]


def test_attention_pattern_rows_sum_to_one_and_are_causal(model):
    t = model.run(PROMPT)
    T = t.n_tokens
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)
    for i in range(model.cfg.n_layers):
        pat = t[f"blocks.{i}.attn.hook_pattern"]
        np.testing.assert_allclose(pat.sum(-1), 1.0, atol=1e-5)
        assert np.all(pat[:, upper] == 0)
        scores = t[f"blocks.{i}.attn.hook_attn_scores"]
        assert np.all(np.isneginf(scores[:, upper])) and np.all(np.isfinite(scores[:, ~upper]))


def test_attention_scores_are_scaled_query_key_products(model):
    t = model.run(PROMPT)
    q, k = t["blocks.0.attn.hook_q"], t["blocks.0.attn.hook_k"]
    scores = np.einsum("qhe,khe->hqk", q, k) / np.sqrt(model.cfg.d_head)
    mask = np.tril(np.ones((t.n_tokens,) * 2, dtype=bool))
    np.testing.assert_allclose(
        t["blocks.0.attn.hook_attn_scores"][:, mask], scores[:, mask], rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        q, np.einsum("pd,hde->phe", t["blocks.0.ln1.hook_normalized"], model.W("Q", 0)), atol=1e-4
    )


def test_mlp_is_up_relu_down(model):
    t = model.run(PROMPT)
    x = t["blocks.0.ln2.hook_normalized"]
    pre = x @ model.W("up", 0) + model.W("b_up", 0)
    np.testing.assert_allclose(t["blocks.0.mlp.hook_pre"], pre, atol=1e-4)
    np.testing.assert_allclose(t["blocks.0.mlp.hook_post"], np.maximum(pre, 0), atol=1e-4)
    out = t["blocks.0.mlp.hook_post"] @ model.W("down", 0) + model.W("b_down", 0)
    np.testing.assert_allclose(t["blocks.0.hook_mlp_out"], out, atol=1e-4)


def test_logits_are_final_layernorm_times_unembedding(model, mj_trace):
    np.testing.assert_allclose(
        mj_trace["logits"], mj_trace["ln_final.hook_normalized"] @ model.W_U, atol=1e-4
    )
    ln = mj_trace["ln_final.hook_normalized"]
    np.testing.assert_allclose(ln.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(ln.std(-1), 1, atol=1e-3)


def test_same_prompt_gives_identical_trace(model):
    a, b = model.run(PROMPT), model.run(PROMPT)
    assert list(a) == list(b)
    for key in a:
        assert np.array_equal(a[key], b[key]), key


def test_trace_is_read_only(mj_trace):
    with pytest.raises(ValueError):
        mj_trace["logits"][0, 0] = 1.0
    with pytest.raises(TypeError):
        mj_trace["logits"] = None  # a Mapping, not a dict
    with pytest.raises(KeyError, match="no trace value named"):
        mj_trace["blocks.0.attn.hook_patern"]


def test_tokens_and_top_k(mj_trace):
    assert mj_trace.tokens[:2] == ("Michael", " Jordan")
    assert "".join(mj_trace.tokens) == mj_trace.prompt
    top = mj_trace.top_k(3)
    assert [t.prob for t in top] == sorted((t.prob for t in top), reverse=True)
    p = mj_trace.probs()
    assert abs(p.sum() - 1) < 1e-9 and p[top[0].id] == pytest.approx(top[0].prob)
    assert mj_trace.top_k(1, temperature=0)[0].prob == 1.0


def test_temperature_flattens_distribution(mj_trace):
    entropy = [
        float(-(p * np.log(p + 1e-30)).sum()) for p in (mj_trace.probs(t) for t in (0.5, 1, 2))
    ]
    assert entropy[0] < entropy[1] < entropy[2]


def test_probabilities_lecture_example():
    assert probabilities(np.array([1.0, 2.0, 8.0])).round(3).tolist() == [0.001, 0.002, 0.997]


def test_weights_by_name(model):
    c = model.cfg
    assert model.W_E.shape == (c.vocab_size, c.d_model)
    assert model.W_U.shape == (c.d_model, c.vocab_size)
    assert model.W("Q", 0).shape == (c.n_heads, c.d_model, c.d_head)
    assert model.W("O", 0, head=1).shape == (c.d_head, c.d_model)
    assert model.W("up", 0).shape == (c.d_model, c.d_mlp)
    assert model.W("b_up", 0).shape == (c.d_mlp,)
    assert model.W("down", 0).shape == (c.d_mlp, c.d_model)
    assert model.W("b_down", 0).shape == (c.d_model,)
    assert not np.allclose(model.W_E, model.W_U.T[: c.vocab_size])  # untied


def test_generation_is_seeded(model):
    a = model.generate("The Eiffel tower", n_tokens=6, temperature=1.0, seed=3)
    b = model.generate("The Eiffel tower", n_tokens=6, temperature=1.0, seed=3)
    assert a == b and a.text.startswith("The Eiffel tower") and len(a.new_tokens) >= 1
    greedy = model.generate("Michael Jordan plays the sport of", n_tokens=1, temperature=0)
    assert greedy.new_tokens == (" basketball",)

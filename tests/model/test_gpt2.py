"""A Hugging Face GPT-2 folder loads into llmviz's modules and runs as transformers runs it.

A small GPT-2 of odd shape (3 heads, d_model 48, d_mlp 100, 3 layers, 40 positions) with random
LayerNorm gains and biases and random biases everywhere is saved by ``GPT2LMHeadModel`` with a
byte-level BPE trained by ``tokenizers``; llmviz's logits, residual stream, attention patterns and
block outputs must match transformers' within 1e-4, and a wrong mapping must not.
"""

import json
import pickle
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

import llmviz
from llmviz.errors import ModelFileError
from llmviz.model import gpt2
from llmviz.model.loader import _read_model
from llmviz.model.trace import hook_name, hook_names

transformers = pytest.importorskip("transformers")

TOL = 1e-4
N_LAYER, N_HEAD, N_EMBD, N_INNER, N_POS = 3, 3, 48, 100, 40
PROMPTS = [
    "the cat sat on the mat",
    "a fluffy blue creature roamed the verdant forest",
    "🏀 Zürich, naïve café!",
    "x",
]
CORPUS = [
    "the cat sat on the mat and the dog sat on the log",
    "a fluffy blue creature roamed the verdant forest at night",
    "Michael Jordan plays the sport of basketball",
    "the quick brown fox jumps over the lazy dog",
] * 5


def _train_tokenizer() -> HFTokenizer:
    tok = HFTokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=330,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>"],
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    return tok


def _hf_model(vocab_size: int, seed: int = 0, **overrides):
    cfg = transformers.GPT2Config(
        vocab_size=vocab_size,
        n_positions=N_POS,
        n_embd=N_EMBD,
        n_layer=N_LAYER,
        n_head=N_HEAD,
        n_inner=N_INNER,
        bos_token_id=0,
        eos_token_id=0,
        attn_implementation="eager",  # the one that returns attention patterns
        **overrides,
    )
    torch.manual_seed(seed)
    model = transformers.GPT2LMHeadModel(cfg).eval()
    with torch.no_grad():  # random gains and biases everywhere, so that folding is tested
        for name, p in model.named_parameters():
            if ".ln_" in name and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            elif name.endswith("bias"):
                p.normal_(0.0, 0.2)
            else:
                p.normal_(0.0, 0.15)
    return model.requires_grad_(False)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny matrices run fastest on one thread; two wait on each other when the cores are busy."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def hf_tok():
    return _train_tokenizer()


@pytest.fixture(scope="module")
def hf(hf_tok):
    return _hf_model(hf_tok.get_vocab_size())


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory, hf, hf_tok):
    path = tmp_path_factory.mktemp("gpt2")
    hf.save_pretrained(path, safe_serialization=True)
    hf_tok.save(str(path / "tokenizer.json"))
    return path


@pytest.fixture(scope="module")
def model(gpt2_dir):
    return llmviz.load_model(gpt2_dir, device="cpu")


def _hf_run(hf, ids, **kw):
    with torch.no_grad():
        return hf(torch.tensor([ids]), output_hidden_states=True, output_attentions=True, **kw)


def _copy(src, dst, files):
    dst.mkdir()
    for f in files:
        shutil.copy(src / f, dst / f)
    return dst


def test_folder_is_read_as_gpt2(model, hf, hf_tok):
    c = model.cfg
    assert (c.n_layers, c.n_heads, c.d_model, c.d_mlp, c.n_ctx) == (3, 3, 48, 100, 40)
    assert (c.act_fn, c.biases, c.vocab_size) == ("gelu_tanh", True, hf_tok.get_vocab_size())
    for p in PROMPTS:
        assert model.encode(p) == hf_tok.encode(p).ids
    ln = hf.transformer.h[0].ln_1
    assert ln.weight.std() > 0.1 and ln.bias.abs().mean() > 0.05  # the fold has work to do


@pytest.mark.parametrize("prompt", PROMPTS)
def test_logits_residuals_patterns_match_transformers(model, hf, prompt):
    t = model.run(prompt)
    out = _hf_run(hf, list(t.token_ids))
    np.testing.assert_allclose(t["logits"], out.logits[0].numpy(), atol=TOL, rtol=0)
    for layer in range(N_LAYER):
        np.testing.assert_allclose(
            t[hook_name("resid_pre", layer)], out.hidden_states[layer][0].numpy(), atol=TOL
        )
        np.testing.assert_allclose(
            t[hook_name("pattern", layer)], out.attentions[layer][0].numpy(), atol=TOL
        )
    # transformers applies ln_f to the last hidden state: the normalised vector, gain and bias
    ln_f = hf.transformer.ln_f
    final = t[hook_name("ln_final")] * ln_f.weight.numpy() + ln_f.bias.numpy()
    np.testing.assert_allclose(final, out.hidden_states[N_LAYER][0].numpy(), atol=TOL)
    np.testing.assert_allclose(
        t[hook_name("embed")] + t[hook_name("pos_embed")], out.hidden_states[0][0].numpy(), atol=TOL
    )


def test_attention_and_mlp_outputs_match_transformers(model, hf):
    t = model.run(PROMPTS[1])
    seen = {}

    def keep(name):
        def hook(module, args, output):
            seen[name] = (output[0] if isinstance(output, tuple) else output)[0].numpy()

        return hook

    handles = []
    for i, block in enumerate(hf.transformer.h):
        handles.append(block.attn.register_forward_hook(keep(hook_name("attn_out", i))))
        handles.append(block.mlp.register_forward_hook(keep(hook_name("mlp_out", i))))
    try:
        _hf_run(hf, list(t.token_ids))
    finally:
        for h in handles:
            h.remove()
    assert len(seen) == 2 * N_LAYER
    for name, value in seen.items():
        np.testing.assert_allclose(t[name], value, atol=TOL, err_msg=name)


def test_measured_tolerance_is_well_inside_the_bound(model, hf):
    worst = 0.0
    for p in PROMPTS:
        t = model.run(p)
        out = _hf_run(hf, list(t.token_ids))
        worst = max(worst, float(np.abs(t["logits"] - out.logits[0].numpy()).max()))
        for layer in range(N_LAYER):
            pattern = t[hook_name("pattern", layer)]
            worst = max(worst, float(np.abs(pattern - out.attentions[layer][0].numpy()).max()))
    assert worst < TOL / 10, worst  # measured: about 3e-6 on the logits, 5e-7 on the patterns
    t = model.run(PROMPTS[1])  # and the patterns compared are far from uniform
    assert all(t[hook_name("pattern", i)][:, -1].max() > 2 / t.n_tokens for i in range(N_LAYER))


def _logit_error(path, hf, prompt=PROMPTS[1]) -> float:
    m = _read_model(path, torch.device("cpu"))  # not the cached load_model: patched reads
    t = m.run(prompt)
    return float(np.abs(t["logits"] - _hf_run(hf, list(t.token_ids)).logits[0].numpy()).max())


def test_wrong_mappings_fail_the_parity_check(gpt2_dir, hf, monkeypatch):
    assert _logit_error(gpt2_dir, hf) < TOL
    with monkeypatch.context() as mp:  # LayerNorm's gain and bias left out
        mp.setattr(
            gpt2, "_fold", lambda ln_w, ln_b, W, b: (W, torch.zeros(W.shape[1]) if b is None else b)
        )
        assert _logit_error(gpt2_dir, hf) > 100 * TOL
    with monkeypatch.context() as mp:  # gain folded in but not the bias
        mp.setattr(
            gpt2,
            "_fold",
            lambda ln_w, ln_b, W, b: (
                ln_w[:, None] * W,
                torch.zeros(W.shape[1]) if b is None else b,
            ),
        )
        assert _logit_error(gpt2_dir, hf) > 100 * TOL
    real_fold_gpt2 = gpt2.fold_gpt2

    def heads_swapped(tensors, cfg):  # head-major and d_head-major columns confused
        state = real_fold_gpt2(tensors, cfg)
        for i in range(cfg.n_layers):
            W = state[f"blocks.{i}.attn.W_Q"]
            flat = W.permute(1, 0, 2).reshape(cfg.d_model, -1)
            state[f"blocks.{i}.attn.W_Q"] = (
                flat.reshape(cfg.d_model, cfg.d_head, cfg.n_heads).permute(2, 0, 1).contiguous()
            )
        return state

    with monkeypatch.context() as mp:
        mp.setattr(gpt2, "fold_gpt2", heads_swapped)
        assert _logit_error(gpt2_dir, hf) > 100 * TOL
    with monkeypatch.context() as mp:  # exact GELU instead of GPT-2's tanh form
        real_config = gpt2.gpt2_config
        mp.setattr(
            gpt2,
            "gpt2_config",
            lambda hf, where="": real_config({**hf, "activation_function": "gelu"}),
        )
        assert _logit_error(gpt2_dir, hf) > 10 * TOL


def test_trace_invariants_hold_on_gpt2(model):
    t = model.run(PROMPTS[1])
    assert list(t) == hook_names(N_LAYER)
    T = t.n_tokens
    x = t[hook_name("embed")] + t[hook_name("pos_embed")]
    for i in range(N_LAYER):
        b = f"blocks.{i}"
        np.testing.assert_allclose(t[hook_name("resid_pre", i)], x, atol=1e-6)
        np.testing.assert_allclose(
            t[hook_name("resid_mid", i)],
            t[hook_name("resid_pre", i)] + t[hook_name("attn_out", i)],
            atol=1e-5,
        )
        np.testing.assert_allclose(
            t[hook_name("resid_post", i)],
            t[hook_name("resid_mid", i)] + t[hook_name("mlp_out", i)],
            atol=1e-5,
        )
        x = t[hook_name("resid_post", i)]
        ln1 = t[hook_name("ln1", i)]
        np.testing.assert_allclose(ln1.mean(-1), 0, atol=1e-5)  # the LayerNorm is parameter-free
        np.testing.assert_allclose(ln1.std(-1), 1, atol=1e-3)
        for name, hook in (("Q", "q"), ("K", "k"), ("V", "v")):
            want = np.einsum("pd,hde->phe", ln1, model.W(name, i)) + model.W(f"b_{name}", i)
            np.testing.assert_allclose(t[f"{b}.attn.hook_{hook}"], want, atol=1e-4)
        out = np.einsum("phe,hed->pd", t[hook_name("z", i)], model.W("O", i)) + model.W("b_O", i)
        np.testing.assert_allclose(t[hook_name("attn_out", i)], out, atol=1e-4)
        pat = t[hook_name("pattern", i)]
        np.testing.assert_allclose(pat.sum(-1), 1, atol=1e-5)
        assert np.all(pat[:, np.triu(np.ones((T, T), dtype=bool), k=1)] == 0)
        pre = t[hook_name("ln2", i)] @ model.W("up", i) + model.W("b_up", i)
        np.testing.assert_allclose(t[hook_name("pre", i)], pre, atol=1e-4)
        gelu = 0.5 * pre * (1 + np.tanh(np.sqrt(2 / np.pi) * (pre + 0.044715 * pre**3)))
        np.testing.assert_allclose(t[hook_name("post", i)], gelu, atol=1e-4)
    logits = t[hook_name("ln_final")] @ model.W_U + model.weights["unembed.b_U"]
    np.testing.assert_allclose(t["logits"], logits, atol=1e-4)
    np.testing.assert_allclose(
        model.readout(t[hook_name("resid_post", N_LAYER - 1)][-1]), t["logits"][-1], atol=1e-4
    )


def test_folded_weights_are_the_gpt2_weights_scaled(model, hf):
    blk = hf.transformer.h[1]
    g, W = blk.ln_1.weight.numpy(), blk.attn.c_attn.weight.numpy()
    d = model.cfg.d_head
    # head 2's query columns of c_attn, each input row scaled by ln_1's gain
    np.testing.assert_allclose(model.W("Q", 1, head=2), g[:, None] * W[:, 2 * d : 3 * d], rtol=1e-6)
    np.testing.assert_allclose(
        model.W("V", 1, head=0), g[:, None] * W[:, 2 * N_EMBD : 2 * N_EMBD + d], rtol=1e-6
    )
    np.testing.assert_array_equal(
        model.W("O", 1, head=1), blk.attn.c_proj.weight.numpy()[d : 2 * d]
    )
    np.testing.assert_array_equal(model.W_E, hf.transformer.wte.weight.numpy())
    g_f = hf.transformer.ln_f.weight.numpy()
    np.testing.assert_allclose(model.W_U, g_f[:, None] * model.W_E.T, rtol=1e-6)  # tied, scaled


def test_weights_share_memory_and_are_read_only(model):
    W_E = model.weights["embed.W_E"]
    assert np.shares_memory(W_E, model.net.embed.W_E.detach().numpy())  # not held twice
    with pytest.raises(ValueError):
        W_E[0, 0] = 1.0
    with pytest.raises(ValueError):
        W_E.setflags(write=True)


def test_run_with_hooks_matches_transformers_forward_hook(model, hf):
    prompt = PROMPTS[0]
    ids = model.encode(prompt)
    plain = model.run(prompt)["logits"]
    off = model.run_with_hooks(prompt, [(hook_name("mlp_out", 1), lambda a, n: a * 0)])
    handle = hf.transformer.h[1].mlp.register_forward_hook(lambda m, a, out: torch.zeros_like(out))
    try:
        hf_off = _hf_run(hf, ids).logits[0].numpy()
    finally:
        handle.remove()
    np.testing.assert_allclose(off["logits"], hf_off, atol=TOL)
    assert np.abs(off["logits"] - plain).max() > 100 * TOL  # the ablation really changed them
    np.testing.assert_allclose(
        model.next_logits(ids, [(hook_name("mlp_out", 1), lambda a, n: a * 0)]),
        hf_off[-1],
        atol=TOL,
    )


def test_vocab_and_merges_variant(gpt2_dir, hf, hf_tok, tmp_path):
    path = _copy(gpt2_dir, tmp_path / "bpe", ["config.json", "model.safetensors"])
    hf_tok.model.save(str(path))  # vocab.json, merges.txt: GPT-2's own tokenizer files
    assert not (path / "tokenizer.json").exists()
    m = llmviz.load_model(path, device="cpu")
    assert m.tokenizer.vocab_size == hf_tok.get_vocab_size()
    for p in PROMPTS + ["<|endoftext|>the end"]:
        assert m.encode(p) == hf_tok.encode(p).ids, p
        assert m.tokenizer.decode(m.encode(p)) == hf_tok.decode(hf_tok.encode(p).ids)
    assert m.tokenizer.token_id("<|endoftext|>") == hf_tok.token_to_id("<|endoftext|>")
    t = m.run(PROMPTS[2])
    assert m.tokenizer.decode(t.token_ids) == PROMPTS[2]
    np.testing.assert_allclose(
        t["logits"], _hf_run(hf, list(t.token_ids)).logits[0].numpy(), atol=TOL
    )


def test_original_gpt2_tensor_names_without_prefix(gpt2_dir, hf, tmp_path):
    path = _copy(gpt2_dir, tmp_path / "plain", ["config.json", "tokenizer.json"])
    state = load_file(str(gpt2_dir / "model.safetensors"))
    assert all(k.startswith("transformer.") for k in state)
    plain = {k.removeprefix("transformer."): v for k, v in state.items()}
    plain |= {
        f"h.{i}.attn.bias": torch.ones(1, 1, N_POS, N_POS) for i in range(N_LAYER)
    }  # old mask buffers
    save_file(plain, str(path / "model.safetensors"))
    assert _logit_error(path, hf) < TOL


def test_untied_unembedding_uses_lm_head(hf_tok, tmp_path):
    hf_untied = _hf_model(hf_tok.get_vocab_size(), seed=1, tie_word_embeddings=False)
    assert not torch.equal(hf_untied.lm_head.weight, hf_untied.transformer.wte.weight)
    hf_untied.save_pretrained(tmp_path, safe_serialization=True)
    hf_tok.save(str(tmp_path / "tokenizer.json"))
    assert _logit_error(tmp_path, hf_untied) < TOL


def test_half_precision_weights_are_read_as_float32(gpt2_dir, hf, tmp_path):
    path = _copy(gpt2_dir, tmp_path / "half", ["config.json", "tokenizer.json"])
    state = load_file(str(gpt2_dir / "model.safetensors"))
    save_file({k: v.half() for k, v in state.items()}, str(path / "model.safetensors"))
    m = _read_model(path, torch.device("cpu"))
    assert m.net.embed.W_E.dtype == torch.float32
    t = m.run(PROMPTS[0])
    assert np.abs(t["logits"] - _hf_run(hf, list(t.token_ids)).logits[0].numpy()).max() < 0.1


def test_bin_only_folder_is_refused_and_never_unpickled(gpt2_dir, tmp_path):
    path = _copy(gpt2_dir, tmp_path / "bin", ["config.json", "tokenizer.json"])
    marker = tmp_path / "unpickled"

    class Trap:  # unpickling this creates `marker`
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (path / "pytorch_model.bin").write_bytes(pickle.dumps(Trap()))
    with pytest.raises(
        ModelFileError, match=r"(?s)pytorch_model\.bin.*safe_serialization=True"
    ) as err:
        llmviz.load_model(path, device="cpu")
    assert "from transformers import GPT2LMHeadModel" in str(err.value)
    assert str(path) in str(err.value)
    assert not marker.exists()


def _bad_folder(gpt2_dir, tmp_path, edit_config=None, edit_state=None, files=("tokenizer.json",)):
    path = _copy(gpt2_dir, tmp_path / "bad", files)
    cfg = json.loads((gpt2_dir / "config.json").read_text())
    (path / "config.json").write_text(json.dumps(edit_config(cfg) if edit_config else cfg))
    state = load_file(str(gpt2_dir / "model.safetensors"))
    if edit_state:
        edit_state(state)
    save_file(state, str(path / "model.safetensors"))
    return path


def _nan(state):
    state["transformer.h.2.mlp.c_fc.weight"][3, 4] = float("nan")


def _inf(state):
    state["transformer.wpe.weight"][7, 1] = -float("inf")


@pytest.mark.parametrize(
    ("edit_config", "edit_state", "message"),
    [
        (lambda c: [c], None, "must be a JSON object"),
        (lambda c: "gpt2", None, "must be a JSON object"),
        (lambda c: {**c, "model_type": "llama"}, None, "model_type 'llama'.*allowed: gpt2"),
        (lambda c: {**c, "model_type": 2}, None, "model_type 2.*must be a string"),
        (lambda c: {**c, "n_head": 5}, None, r"n_embd \(48\) must be divisible by n_head \(5\)"),
        (lambda c: {**c, "n_layer": 0}, None, "n_layer must be a whole number >= 1"),
        (lambda c: {**c, "n_embd": "48"}, None, "n_embd must be a whole number"),
        (
            lambda c: {**c, "activation_function": "swish"},
            None,
            "activation_function 'swish'.*allowed: gelu_new",
        ),
        (
            lambda c: {**c, "scale_attn_by_inverse_layer_idx": True},
            None,
            "scale_attn_by_inverse_layer_idx=True is not supported",
        ),
        (lambda c: {**c, "layer_norm_epsilon": -1}, None, "layer_norm_epsilon"),
        (
            lambda c: {**c, "n_inner": 64},
            None,
            r"transformer\.h\.0\.mlp\.c_fc\.weight has shape \(48, 100\), expected \(48, 64\)",
        ),
        (
            lambda c: {**c, "n_layer": 4},
            None,
            r"lacks 12 of the GPT-2 tensors.*transformer\.h\.3\.ln_1\.weight",
        ),
        (
            lambda c: {**c, "vocab_size": 100},
            None,
            "has 330 tokens but config.json's vocab_size is 100",
        ),
        (
            lambda c: {**c, "tie_word_embeddings": False},
            None,
            "lacks 1 of the GPT-2 tensors.*lm_head.weight",
        ),
        (
            None,
            lambda s: s.pop("transformer.h.1.attn.c_proj.bias"),
            r"lacks 1 .*transformer\.h\.1\.attn\.c_proj\.bias",
        ),
        (None, _nan, r"NaN or infinite values in \['transformer\.h\.2\.mlp\.c_fc\.weight'\]"),
        (None, _inf, r"NaN or infinite values in \['transformer\.wpe\.weight'\]"),
        (
            None,
            lambda s: s.update({"transformer.wte.weight": s["transformer.wte.weight"].int()}),
            "is I32, not one of F32",
        ),
    ],
)
def test_bad_folders_get_clear_errors(gpt2_dir, tmp_path, edit_config, edit_state, message):
    path = _bad_folder(gpt2_dir, tmp_path, edit_config, edit_state)
    with pytest.raises(ModelFileError, match=message):
        _read_model(path, torch.device("cpu"))


def test_missing_tokenizer_and_corrupt_weights(gpt2_dir, tmp_path):
    path = _bad_folder(gpt2_dir, tmp_path, files=())
    with pytest.raises(
        ModelFileError,
        match="has no tokenizer; it must hold tokenizer.json, or vocab.json and merges.txt",
    ):
        _read_model(path, torch.device("cpu"))
    shutil.copy(gpt2_dir / "tokenizer.json", path / "tokenizer.json")
    (path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(ModelFileError, match="is corrupt"):
        _read_model(path, torch.device("cpu"))
    (path / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="lacks model.safetensors"):
        _read_model(path, torch.device("cpu"))
    (path / "model.safetensors.index.json").write_text("{}")
    with pytest.raises(ModelFileError, match="sharded"):
        _read_model(path, torch.device("cpu"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_gives_the_cpu_values(gpt2_dir, model):
    gpu = llmviz.load_model(gpt2_dir, device="cuda")
    for prompt in PROMPTS:
        a, b = model.run(prompt), gpu.run(prompt)
        assert list(a) == list(b) and b.device.startswith("cuda")
        for key in a:
            finite = np.isfinite(a[key])
            assert np.array_equal(finite, np.isfinite(b[key])), key
            np.testing.assert_allclose(a[key][finite], b[key][finite], atol=TOL, err_msg=key)


def test_llmviz_format_still_loads_and_has_no_biases():
    m = llmviz.load_model(device="cpu")
    assert not m.cfg.biases and gpt2.hf_model_type(m.path) is None
    assert not any(
        k.rpartition(".")[2] in ("b_Q", "b_K", "b_V", "b_O", "b_U") for k in m.net.state_dict()
    )


def test_a_reader_that_leaves_a_weight_unset_is_an_error(gpt2_dir, monkeypatch):
    real = gpt2.fold_gpt2
    monkeypatch.setattr(
        gpt2,
        "fold_gpt2",
        lambda t, cfg: {k: v for k, v in real(t, cfg).items() if k != "blocks.1.attn.b_K"},
    )
    with pytest.raises(
        ModelFileError, match=r"left weights unset or unknown: \['blocks\.1\.attn\.b_K'\]"
    ):
        _read_model(gpt2_dir, torch.device("cpu"))

"""run_with_hooks in TransformerLens's shape, the ready-made hooks, and the causal analyses."""

import numpy as np
import pytest
import torch

from llmviz.errors import LLMVizError
from llmviz.model.analysis import (
    ablate,
    causal_trace,
    head_ablation,
    mlp_ablation,
    neuron_ablation,
    smallest_neuron_set,
)
from llmviz.model.hooks import (
    mean_ablate_neurons,
    mean_activation,
    patch,
    zero_head,
    zero_hook,
    zero_neurons,
)
from llmviz.model.trace import HOOK_KINDS, hook_name, hook_names

MJ = "Michael Jordan plays the sport of"
MP = "Michael Phelps plays the sport of"


def test_every_trace_key_is_a_hook_point(model, mj_trace):
    assert set(model.net.hook_points) == set(hook_names(model.cfg.n_layers))
    assert list(mj_trace) == hook_names(model.cfg.n_layers)


def test_no_hooks_gives_the_plain_trace(model, mj_trace):
    t = model.run_with_hooks(MJ, [])
    for k in mj_trace:
        np.testing.assert_array_equal(t[k], mj_trace[k])


@pytest.mark.parametrize("name", ["blocks.1.attn.hook_pattern", "blocks.0.mlp.hook_post", "logits"])
def test_hook_sees_the_trace_shape_and_can_replace_it(model, mj_trace, name):
    seen = {}

    def fn(act, hook):
        seen["shape"], seen["hook"] = tuple(act.shape), hook
        return torch.zeros_like(act)

    t = model.run_with_hooks(MJ, [(name, fn)])
    assert seen == {"shape": mj_trace[name].shape, "hook": name}
    assert not t[name].any()


def test_an_edit_in_place_counts_and_never_touches_the_weights(model, mj_trace):
    before = model.net.pos_embed.W_pos.detach().clone()

    def fn(act, hook):
        act += 1.0  # returns None: the edited copy flows on

    t = model.run_with_hooks(MJ, [("hook_pos_embed", fn)])
    np.testing.assert_allclose(t["hook_pos_embed"], mj_trace["hook_pos_embed"] + 1.0)
    assert torch.equal(model.net.pos_embed.W_pos, before)
    assert not np.allclose(t["logits"], mj_trace["logits"])
    np.testing.assert_array_equal(model.run(MJ)["logits"], mj_trace["logits"])  # hooks removed


def test_the_edit_propagates_to_every_later_value(model, mj_trace):
    t = model.run_with_hooks(MJ, [zero_hook("blocks.1.hook_mlp_out")])
    np.testing.assert_array_equal(
        t["blocks.0.hook_resid_post"], mj_trace["blocks.0.hook_resid_post"]
    )
    np.testing.assert_allclose(
        t["blocks.1.hook_resid_post"], t["blocks.1.hook_resid_mid"], atol=1e-6
    )  # nothing was added
    np.testing.assert_allclose(
        t["logits"][-1], model.next_logits(MJ, [zero_hook("blocks.1.hook_mlp_out")]), atol=1e-5
    )


def test_a_name_filter_hooks_every_matching_point(model):
    names = []
    model.run_with_hooks(
        MJ, [(lambda n: n.endswith("mlp.hook_post"), lambda a, n: names.append(n))]
    )
    assert names == [f"blocks.{L}.mlp.hook_post" for L in range(model.cfg.n_layers)]


@pytest.mark.parametrize(
    "hooks, match",
    [
        ([("blocks.9.mlp.hook_post", lambda a, n: a)], "no hook point named"),
        ([("blocks.0.mlp.hook_post", "zero")], "must be a function"),
        ([("blocks.0.mlp.hook_post",)], "pair"),
        ([("blocks.0.mlp.hook_post", lambda a, n: a[:2])], "keep the activation's shape"),
        ([zero_neurons(0, [9999])], "do not exist"),
        ([zero_neurons(0, 3, positions=[40])], "outside the prompt"),
        ([zero_head(0, 7)], "head 7 does not exist"),
        ([patch("blocks.0.hook_resid_pre", np.zeros(3), 2)], "do not fit"),
    ],
)
def test_bad_hooks_get_clear_errors(model, hooks, match):
    with pytest.raises(LLMVizError, match=match):
        model.run_with_hooks(MJ, hooks)


def test_zero_and_mean_ablation_of_neurons(model, mj_trace):
    t = model.run_with_hooks(MJ, [zero_neurons(2, [1, 4], positions=-1)])
    post = t["blocks.2.mlp.hook_post"]
    assert post[-1, 1] == 0 and post[-1, 4] == 0
    np.testing.assert_array_equal(post[:-1], mj_trace["blocks.2.mlp.hook_post"][:-1])
    mean = mean_activation(model, [MJ, MP], "blocks.2.mlp.hook_post")
    t = model.run_with_hooks(MJ, [mean_ablate_neurons(2, 1, mean)])
    np.testing.assert_allclose(t["blocks.2.mlp.hook_post"][:, 1], mean[1], rtol=1e-6)


def test_zero_head_removes_its_share_of_the_attention_output(model, mj_trace):
    L, h = 1, 2
    t = model.run_with_hooks(MJ, [zero_head(L, h)])
    W_O = model.W("O", L)  # [head, d_head, d_model]
    z = mj_trace[f"blocks.{L}.attn.hook_z"]
    share = z[:, h] @ W_O[h]
    np.testing.assert_allclose(
        t[f"blocks.{L}.hook_attn_out"], mj_trace[f"blocks.{L}.hook_attn_out"] - share, atol=1e-5
    )


def test_causal_trace_restores_the_clean_run(model):
    ct = causal_trace(model, MJ, MP)
    assert ct.target == " basketball" and ct.resid.shape == ct.mlp.shape == (model.cfg.n_layers, 6)
    assert ct.p_clean > 0.9 and ct.p_corrupt < 0.1
    # restoring the whole stream at the last token into the last block gives nearly the clean
    # answer (that block's attention still reads the corrupted name at the earlier tokens)
    assert ct.resid[-1, -1] == pytest.approx(ct.p_clean, abs=0.01)
    # before the changed token nothing differs, so restoring there brings nothing back
    np.testing.assert_allclose(ct.resid[:, 0], ct.p_corrupt, atol=1e-6)
    np.testing.assert_allclose(ct.recovered("resid")[-1, -1], 1.0, atol=0.01)
    # the grid's entries are real patched runs
    L, i = ct.peak("mlp")
    clean = model.run(MJ)
    restored = model.next_logits(
        MP, [patch(f"blocks.{L}.hook_mlp_out", clean[f"blocks.{L}.hook_mlp_out"][i], i)]
    )
    from llmviz.model.trace import probabilities

    assert probabilities(restored)[ct.target_id] == pytest.approx(ct.mlp[L, i])
    with pytest.raises(LLMVizError, match="same length"):
        causal_trace(model, MJ, "Michael Phelps the sport of")


def test_ablations_report_before_and_after(model):
    prompts = [MJ, MP]
    off = mlp_ablation(model, prompts, 0)
    assert off.targets == (" basketball", " swimming") and off.what == "the MLP of layer 0"
    assert all(a < c for a, c in zip(off.ablated, off.clean, strict=True))
    none = ablate(model, prompts, lambda i: [], "nothing")
    assert none.clean == none.ablated and all(none.kept) and none.drop == 0
    assert head_ablation(model, prompts, 1, 2).what == "head 2 of layer 1"
    one = neuron_ablation(model, prompts, 2, 1, positions=[-1, -1])
    assert one.margin_clean[0] > 0 and len(one.rows()) == 2


def test_smallest_neuron_set_is_checked_by_its_own_ablation(model):
    s = smallest_neuron_set(model, [MJ, MP], max_size=4)
    assert 1 <= len(s.neurons) <= 4
    assert s.found == (s.ablation.ablated[0] < s.threshold)
    by_layer = {}
    for layer, k in s.neurons:
        by_layer.setdefault(layer, []).append(k)
    logits = model.next_logits(MJ, [zero_neurons(L, ks, -1) for L, ks in by_layer.items()])
    from llmviz.model.trace import probabilities

    assert probabilities(logits)[model.token_id(" basketball")] == pytest.approx(
        s.ablation.ablated[0]
    )


# --- hook_name: the helper that spells every hook name ------------------------------------


def _every_name(n_layers):
    out = set()
    for kind, pattern in HOOK_KINDS.items():
        if "{L}" in pattern:
            out |= {hook_name(kind, layer) for layer in range(n_layers)}
        else:
            out.add(hook_name(kind))
    return out


def test_hook_name_spells_exactly_the_trace_keys(model, mj_trace):
    # every key of a real trace is made by hook_name for some kind and layer, and nothing else is
    assert _every_name(model.cfg.n_layers) == set(mj_trace)
    assert set(model.net.hook_points) == set(mj_trace)


@pytest.mark.parametrize(
    "kind, layer, name",
    [
        ("pattern", 0, "blocks.0.attn.hook_pattern"),
        ("hook_pattern", 1, "blocks.1.attn.hook_pattern"),
        ("post", 1, "blocks.1.mlp.hook_post"),
        ("hook_pre", 0, "blocks.0.mlp.hook_pre"),
        ("resid_post", 0, "blocks.0.hook_resid_post"),
        ("ln1", 2, "blocks.2.ln1.hook_normalized"),
        ("z", 0, "blocks.0.attn.hook_z"),
        ("embed", None, "hook_embed"),
        ("hook_pos_embed", None, "hook_pos_embed"),
        ("ln_final", None, "ln_final.hook_normalized"),
        ("logits", None, "logits"),
    ],
)
def test_hook_name_examples(kind, layer, name):
    assert hook_name(kind, layer) == name


@pytest.mark.parametrize(
    "kind, layer, words",
    [
        ("patern", 0, ["patern", "pattern", "allowed"]),
        ("nonsense", 0, ["nonsense", "allowed", "resid_post"]),
        ("pattern", None, ["needs a layer"]),
        ("pattern", -1, ["layer", "-1", ">= 0"]),
        ("pattern", 1.5, ["layer", "1.5"]),
        ("pattern", True, ["layer", "True"]),
        ("embed", 0, ["not per layer", "layer=None"]),
        (3, 0, ["kind", "int"]),
    ],
)
def test_hook_name_refuses_bad_kinds_and_layers(kind, layer, words):
    with pytest.raises(LLMVizError) as err:
        hook_name(kind, layer)
    for w in words:
        assert w in str(err.value)


def test_hook_name_is_exported_cheaply():
    import subprocess
    import sys

    cheap = "import sys; from llmviz.model import hook_name; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", cheap], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    same = "import llmviz.model as m, llmviz.model.hooks as h; assert m.hook_name is h.hook_name"
    assert subprocess.run([sys.executable, "-c", same], capture_output=True).returncode == 0

"""The two experiments behind the MLP chapter's last steps: how many nearly perpendicular
directions fit in a space, and the sparse autoencoder on layer 1's neurons. The shipped summaries
are checked against a recomputation: the capacity counts by rerunning the search at the
boundaries, the autoencoder's claims by its shipped weights on the live model."""

import math

import numpy as np
import pytest
import torch

from llmviz.errors import LLMVizError
from llmviz.model.corpus import LECTURE_PROMPTS
from llmviz.model.experiments.capacity import CapacityConfig, capacity_sweep, fits, load_capacity
from llmviz.model.experiments.sae import (
    SAEConfig,
    load_sae,
    load_sae_weights,
    model_fingerprint,
    train_sae,
)
from llmviz.model.trace import hook_name

CPU = torch.device("cpu")


def test_fits_measures_the_worst_pair():
    cfg = CapacityConfig(steps=100)
    assert fits(3, 3, cfg, CPU) <= cfg.tolerance  # three fit in three dimensions
    assert fits(3, 2, cfg, CPU) > 25.0  # three in a plane: some pair is at most 60 degrees apart
    assert math.isclose(fits(1, 5, cfg, CPU), 0.0)


def test_small_sweep_counts_the_dimension_and_more():
    cap = capacity_sweep(CapacityConfig(dims=(2, 3, 40), max_n=128, steps=150))
    assert cap.counts[2] == 2 and cap.counts[3] == 3
    assert cap.counts[40] > 40  # far more than the dimension once the tolerance allows it
    for d in (2, 3, 40):  # the count found fits, and the next one tried did not (or it is capped)
        assert cap.worst[d] <= cap.config.tolerance
        tried_more = [w for dim, n, w in cap.tries if dim == d and n > cap.counts[d]]
        assert cap.capped[d] or min(tried_more) > cap.config.tolerance


def test_shipped_capacity_is_what_the_search_finds():
    cap = load_capacity()
    cfg = cap.config
    assert list(cfg.dims) == [2, 3, 10, 100, 1000]
    for d in (2, 3, 10):  # the counts that equal the dimension: d fits, d + 1 does not
        assert cap.counts[d] == d and not cap.capped[d]
        assert fits(d, d, cfg, CPU) <= cfg.tolerance < fits(d + 1, d, cfg, CPU)
    assert cap.counts[100] > 100 and fits(cap.counts[100], 100, cfg, CPU) <= cfg.tolerance
    assert cap.capped[1000] and cap.counts[1000] == cfg.max_n


def test_bad_capacity_settings_are_named():
    with pytest.raises(LLMVizError, match="tolerance"):
        capacity_sweep(CapacityConfig(tolerance=90))
    with pytest.raises(LLMVizError, match="dims"):
        capacity_sweep(CapacityConfig(dims=(0,)))


@pytest.fixture(scope="module")
def shipped():
    return load_sae(), load_sae_weights()


def test_shipped_autoencoder_belongs_to_the_shipped_model(model, shipped):
    sae, _ = shipped
    assert sae.model_sha256 == model_fingerprint(model) and sae.fits(model)


def test_shipped_probes_are_what_the_weights_give(model, shipped):
    sae, w = shipped
    layer = sae.config.layer
    for prompt in LECTURE_PROMPTS:
        z = w.encode(model.run(prompt)[hook_name("post", layer)][-1])
        top = [int(f) for f in np.argsort(-z)[:3] if z[f] > 0]
        assert [f for f, _ in sae.probes[prompt]] == top, prompt
        for f, v in sae.probes[prompt]:
            assert z[int(f)] == pytest.approx(v, abs=1e-3)


def test_shipped_features_neurons_and_contexts(model, shipped):
    sae, w = shipped
    layer = sae.config.layer
    unit = w.W_dec / np.linalg.norm(w.W_dec, axis=1, keepdims=True)
    f, _ = sae.strongest_for("Michael Jordan plays the sport of")
    for g in (f, *list(sae.features)[:5]):
        info = sae.features[g]
        assert info["neuron"] == int(np.argmax(np.abs(unit[g])))
        assert info["neuron_weight"] == pytest.approx(unit[g, info["neuron"]], abs=1e-3)
        ctx = info["top"][0]  # the strongest context: the feature's value at its last token
        z = w.encode(model.run(ctx["context"])[hook_name("post", layer)][-1])
        assert z[g] == pytest.approx(ctx["value"], rel=1e-3, abs=1e-3)
    assert len({c["context"] for c in sae.features[f]["top"]}) == len(sae.features[f]["top"])


def test_training_is_seeded_and_summarised(model):
    cfg = SAEConfig(n_features=24, n_sentences=30, steps=40, top_k=3)
    (a, wa), (b, wb) = train_sae(model, cfg), train_sae(model, cfg)
    assert np.array_equal(wa.W_dec, wb.W_dec) and a.probes == b.probes
    assert 0 <= a.explained <= 1 and a.dead == cfg.n_features - len(a.features)
    assert all(len(info["top"]) <= 3 for info in a.features.values())
    with pytest.raises(LLMVizError, match="layer"):
        train_sae(model, SAEConfig(layer=model.cfg.n_layers))


def test_encode_leaves_the_callers_array_alone(shipped):
    _, w = shipped
    acts = np.ones((2, w.W_enc.shape[0]), dtype=np.float32)
    before = acts.copy()
    w.encode(acts)
    assert np.array_equal(acts, before)

"""Embedding snapshots from the training log, and the size figures: 6·N·D and LayerNorm's share."""

import numpy as np
import pytest

from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.config import GPT3_CONFIG, ModelConfig, weight_counts
from llmviz.model.corpus import SNAPSHOT_WORDS
from llmviz.model.scale import (
    GPT3_PUBLISHED,
    layernorm_parameters,
    model_layernorm_parameters,
    training_compute,
    training_run,
)
from llmviz.model.snapshots import EmbeddingSnapshots, group_cohesion, load_snapshots
from llmviz.model.train import load_training_log


@pytest.fixture(scope="module")
def log():
    return load_training_log()


@pytest.fixture(scope="module")
def snaps(log):
    return load_snapshots(log)


def test_the_last_snapshot_is_the_shipped_W_E(snaps, model):
    assert list(snaps.words) == SNAPSHOT_WORDS
    assert snaps.steps[0] == 0 and list(snaps.steps) == sorted(snaps.steps)
    ids = [model.token_id(w) for w in snaps.words]
    np.testing.assert_allclose(snaps.rows[-1], model.W_E[ids], atol=5.1e-5)  # 4 decimals
    assert not np.allclose(snaps.rows[0], snaps.rows[-1])  # they did move
    assert not snaps.rows.flags.writeable


def test_rows_stand_still_once_only_the_mlps_train(snaps, log):
    frozen = snaps.frozen_from()
    assert frozen == log["train_config"]["steps"]  # the sparse steps trained only MLPs
    k = snaps.steps.index(frozen)
    np.testing.assert_array_equal(snaps.rows[k], snaps.rows[-1])
    assert snaps.lengths()[-1] > 3 * snaps.lengths()[0]


def test_groups_gather_during_training(snaps):
    groups = {
        "people": [" man", " woman", " king", " queen"],
        "animals": [" cat", " cats", " dog", " dogs"],
        "sports": [" basketball", " swimming", " tennis", " golf"],
    }
    c = group_cohesion(snaps, groups)
    assert c.n_words == 12 and len(c.within) == len(snaps.steps)
    assert c.nearest_in_group[0] < 0.6 and c.nearest_in_group[-1] == 1.0 and c.misses == ()
    assert c.within[0] < 0.1 < c.within[-1] - c.between[-1]
    # by hand at the last snapshot: the mean cosine of same-group pairs
    sub = snaps.select([w for ws in groups.values() for w in ws]).rows[-1]
    unit = sub / np.linalg.norm(sub, axis=1, keepdims=True)
    C = unit @ unit.T
    same = [
        C[i, j]
        for g in range(3)
        for i in range(4 * g, 4 * g + 4)
        for j in range(4 * g, 4 * g + 4)
        if i != j
    ]
    assert c.within[-1] == pytest.approx(np.mean(same))


def test_a_cross_group_neighbour_is_named():
    rows = np.array([[[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.85, 0.2]]])
    s = EmbeddingSnapshots(("a", "A", "b", "B"), (0,), rows)
    c = group_cohesion(s, {"x": ["a", "A"], "y": ["b", "B"]})
    assert ("B", "A") in c.misses and c.nearest_in_group[0] == 0.75


def test_projection_and_bad_input(snaps):
    p = snaps.projection("final")
    assert p.coords.shape == (len(snaps.words), 2) and 0 < p.kept <= 1
    assert snaps.projection("all").coords.shape == (len(snaps.words) * len(snaps.steps), 2)
    with pytest.raises(LLMVizError, match="'final' or 'all'"):
        snaps.projection("first")
    with pytest.raises(LLMVizError, match="no snapshots of"):
        snaps.select([" zebra"])
    with pytest.raises(ModelFileError, match="no embedding snapshots"):
        load_snapshots({"loss": []})
    with pytest.raises(ModelFileError, match="do not match"):
        load_snapshots({"embeddings": {"words": ["a"], "steps": [0, 1], "rows": [[[1.0]]]}})
    with pytest.raises(LLMVizError, match="two groups"):
        group_cohesion(snaps, {"x": [" man", " woman", " king"]})


def test_six_n_d_for_the_recorded_run_and_gpt3(log, model):
    N = sum(w.size for w in model.weights.values())
    run = training_run(log, N)
    cfg = log["train_config"]
    assert run.steps == cfg["steps"] + cfg["sparse_steps"] == 5500
    assert run.tokens == run.steps * cfg["batch_size"] * cfg["n_ctx"]
    assert run.compute == 6 * N * run.tokens
    assert GPT3_PUBLISHED.compute == training_compute(175e9, 300e9) == pytest.approx(3.15e23)
    years = run.years_for(GPT3_PUBLISHED.compute)
    assert years == pytest.approx(GPT3_PUBLISHED.compute / run.rate / (365.25 * 24 * 3600))
    with pytest.raises(LLMVizError, match="positive"):
        training_compute(0, 10)
    with pytest.raises(ModelFileError, match="lacks"):
        training_run({"seconds": 1.0}, N)


def test_layernorm_share_of_gpt3(model):
    c = layernorm_parameters(GPT3_CONFIG)
    assert (c.per_norm, c.norms, c.total) == (2 * 12_288, 2 * 96 + 1, 4_743_168)
    assert c.share == pytest.approx(c.total / (weight_counts(GPT3_CONFIG)["total"] + c.total))
    assert f"{100 * c.share:.4f}" == "0.0027"
    small = layernorm_parameters(ModelConfig(vocab_size=10, d_model=4, n_heads=1, n_layers=1))
    assert small.total == 2 * 4 * 3
    assert model_layernorm_parameters(model) == 0  # the embedded model's LayerNorms only normalise

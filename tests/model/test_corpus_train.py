import json

import numpy as np
import pytest

import llmviz
from llmviz.model.config import ModelConfig
from llmviz.model.corpus import FIERCE, GENTLE, athletes, generate_corpus, verb_for
from llmviz.model.loader import DEFAULT_MODEL_DIR
from llmviz.model.tokenizer import Tokenizer
from llmviz.model.train import TrainConfig, train


def test_corpus_is_deterministic_and_seeded():
    assert generate_corpus(500, seed=1) == generate_corpus(500, seed=1)
    assert generate_corpus(500, seed=1) != generate_corpus(500, seed=2)


def test_corpus_contains_lecture_material():
    text = "\n".join(generate_corpus(20_000, seed=0))
    for phrase in [
        "Michael Jordan plays the sport of basketball",
        "Michael Phelps",
        "Alexis Jordan",
        "Eiffel tower",
        "miniature Eiffel tower",
        " mole ",
        " model ",
        " king ",
        " queen ",
        " woman ",
        " cats ",
        "Paris",
    ]:
        assert phrase in text, phrase


def test_verb_needs_both_adjectives():
    assert verb_for("fluffy", "blue") == "roamed"
    assert {verb_for(g, f) for g in GENTLE[:2] for f in FIERCE[:2]} == {"wandered"}
    assert verb_for("scaly", "red") != verb_for("scaly", "blue") != verb_for("fluffy", "blue")


def test_fact_table_has_the_lecture_trio():
    sports = {a.name: a.sport for a in athletes()}
    assert sports["Michael Jordan"] == "basketball"
    assert sports["Michael Phelps"] == "swimming"
    assert sports["Alexis Jordan"] == "tennis"


def test_real_athletes_keep_their_real_sports_and_the_rest_are_made_up(model):
    from llmviz.model.corpus import REAL_ATHLETES, made_up, name_note, real_sport

    table = athletes()
    real = {a.name: a.sport for a in table if a.name in REAL_ATHLETES}
    # the grid names three real athletes; each has the real sport, never the grid's
    assert real == {
        "Michael Phelps": "swimming",
        "Michael Jordan": "basketball",
        "Simone Biles": "gymnastics",
    }
    text = "\n".join(generate_corpus(60_000, seed=0))
    assert "Simone Biles plays the sport of gymnastics." in text
    assert "Simone Biles plays the sport of baseball." not in text
    # the shipped model, trained on it, answers with the real sport
    assert model.run("Simone Biles plays the sport of").top_k(1)[0].token == " gymnastics"
    made = [a.name for a in table if made_up(a.name)]
    assert len(made) == len(table) - 3 and "Alexis Jordan" in made
    assert name_note("Alexis Jordan") == "a made-up name" and name_note("Simone Biles") == ""
    assert real_sport("Tiger Woods") == "golf" and not made_up("Tiger Woods")
    with pytest.raises(TypeError, match="name must be a str"):
        real_sport(3)


def test_config_round_trip(tmp_path):
    cfg = ModelConfig(vocab_size=10, d_model=8, n_heads=2, n_layers=1, n_ctx=4)
    cfg.to_json(tmp_path / "c.json")
    assert ModelConfig.from_json(tmp_path / "c.json") == cfg
    with pytest.raises(ValueError, match="divisible"):
        ModelConfig(d_model=10, n_heads=4)


def test_tokenizer_round_trip(tmp_path):
    tok = Tokenizer.train(generate_corpus(300), vocab_size=300)
    tok.save(tmp_path / "t.json")
    tok2 = Tokenizer.load(tmp_path / "t.json")
    for text in ["the cat", "🏀 naïve"]:
        assert tok2.decode(tok2.encode(text)) == text


def test_shipped_model_is_small_and_complete():
    files = {p.name: p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir()}
    assert {"config.json", "tokenizer.json", "model.safetensors", "training_log.json"} <= set(files)
    assert sum(files.values()) < 5 * 2**20


def test_shipped_training_log_records_learning():
    log = json.loads((DEFAULT_MODEL_DIR / "training_log.json").read_text())
    losses = [loss for _, loss in log["loss"]]
    assert losses[-1] < losses[0] / 3
    first, last = log["checkpoints"][0], log["checkpoints"][-1]
    cfg = log["train_config"]
    assert first["step"] == 0 and last["step"] == cfg["steps"] + cfg["sparse_steps"]
    assert last["predictions"]["Michael Jordan plays the sport of"][0][0] == " basketball"
    assert first["predictions"]["Michael Jordan plays the sport of"][0][0] != " basketball"


def test_shipped_log_records_the_embeddings_moving():
    log = json.loads((DEFAULT_MODEL_DIR / "training_log.json").read_text())
    emb = log["embeddings"]
    assert {" king", " queen", " basketball"} <= set(emb["words"])
    rows = np.array(emb["rows"])  # [snapshot, word, d_model]
    assert rows.shape[:2] == (len(emb["steps"]), len(emb["words"])) and emb["steps"][0] == 0
    m = llmviz.load_model(device="cpu")
    last = [m.W_E[m.token_id(w)] for w in emb["words"]]
    np.testing.assert_allclose(rows[-1], last, atol=1e-4)  # the last snapshot is the shipped W_E
    assert np.abs(rows[-1] - rows[0]).mean() > 10 * np.abs(rows[1] - rows[0]).mean() > 0


def test_the_sparse_phase_trains_only_the_later_mlps(tmp_path):
    cfg = TrainConfig(
        steps=10,
        sparse_steps=5,
        sparse_layers=(1,),
        n_sentences=2000,
        vocab_size=400,
        d_model=32,
        n_layers=2,
        batch_size=8,
        checkpoints=(0,),
        snapshots=(0, 10),
    )
    train(cfg, out=tmp_path / "a", device="cpu", verbose=False)
    plain = TrainConfig(**{**cfg.__dict__, "sparse_steps": 0, "mlp_l1": 0.0})  # phase one only
    train(plain, out=tmp_path / "b", device="cpu", verbose=False)
    a, b = (llmviz.load_model(tmp_path / n, device="cpu") for n in "ab")
    changed = {k for k in a.weights if not np.array_equal(a.weights[k], b.weights[k])}
    assert changed and all(k.startswith("blocks.1.mlp.") for k in changed), changed


def test_short_training_run_writes_a_loadable_model(tmp_path):
    cfg = TrainConfig(
        steps=20,
        n_sentences=3000,
        vocab_size=400,
        d_model=32,
        n_layers=1,
        batch_size=8,
        checkpoints=(0, 10),
        sparse_steps=0,
    )
    log = train(cfg, out=tmp_path, device="cpu", verbose=False)
    assert [c["step"] for c in log["checkpoints"]] == [0, 10, 20]
    m = llmviz.load_model(tmp_path, device="cpu")
    assert m.cfg.d_model == 32 and m.cfg.n_layers == 1
    t = m.run("Michael Jordan plays the sport of")
    assert np.isfinite(t["logits"]).all()
    # same seed, same device: the same weights
    train(cfg, out=tmp_path / "again", device="cpu", verbose=False)
    m2 = llmviz.load_model(tmp_path / "again", device="cpu")
    assert all(np.array_equal(m.weights[k], m2.weights[k]) for k in m.weights)


@pytest.mark.parametrize("total", [1, 3])
def test_steps_means_optimiser_steps_in_all_phases(tmp_path, total, monkeypatch):
    import torch

    taken = []
    real_step = torch.optim.AdamW.step

    def counting_step(self, *args, **kwargs):
        taken.append(1)
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", counting_step)
    small = dict(n_sentences=2000, vocab_size=400, d_model=32, n_layers=2, batch_size=8)
    cfg = TrainConfig.in_all(total, checkpoints=(0,), snapshots=(0,), **small)
    assert cfg.total_steps == total and cfg.sparse_steps == total - cfg.steps
    train(cfg, out=tmp_path, device="cpu", verbose=False)
    assert len(taken) == total
    assert TrainConfig.in_all(5500).steps == TrainConfig().steps  # the default split is kept


def test_steps_in_all_refuses_zero():
    from llmviz.errors import LLMVizError

    with pytest.raises(LLMVizError, match="steps"):
        TrainConfig.in_all(0)

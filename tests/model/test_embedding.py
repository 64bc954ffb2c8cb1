"""The embedding measurements: checked against direct computations on the shipped weights."""

import numpy as np
import pytest

from llmviz.errors import LLMVizError, PromptError
from llmviz.model.analysis import cosine, embedding_difference
from llmviz.model.analysis.embedding import (
    alignment,
    analogy,
    compare_directions,
    difference_baseline,
    project_embeddings,
    temperature_sweep,
    word_pieces,
)
from llmviz.model.trace import probabilities


def test_word_pieces_group_tokens_into_words(model):
    text = "Unbelievably, Michael Jordan plays unbelievable basketball!"
    words = word_pieces(model, text)
    assert "".join(w.text for w in words) == text
    assert [p for w in words for p in w.pieces] == model.tokenizer.token_strings(model.encode(text))
    split = [w for w in words if w.is_split]
    assert [w.text for w in split] == [" unbelievable"]
    assert len(split[0].pieces) >= 3
    assert all(model.tokenizer.token_id(p) is not None for p in split[0].pieces)
    assert [w.text for w in words if w.is_punctuation] == [",", "!"]
    # the word that the corpus uses is a single token, the one it does not is cut
    assert words[0].text == "Unbelievably" and len(words[0].pieces) == 1


def test_projection_is_the_pca_of_the_rows(model):
    words = [" cat", " cats", " dog", " dogs", " king", " queen"]
    p = project_embeddings(model, words, 3)
    X = model.W_E[[model.token_id(w) for w in words]].astype(np.float64)
    Xc = X - X.mean(0)
    np.testing.assert_allclose(p.coords, Xc @ p.components.T, atol=1e-9)
    np.testing.assert_allclose(p.components @ p.components.T, np.eye(3), atol=1e-9)
    total = (Xc**2).sum()
    np.testing.assert_allclose(p.explained, (p.coords**2).sum(0) / total, atol=1e-9)
    assert p.explained[0] >= p.explained[1] >= p.explained[2]
    # reproducible signs: the farthest token along each axis is positive
    for k in range(3):
        assert p.coords[np.argmax(np.abs(p.coords[:, k])), k] > 0
    np.testing.assert_allclose(p.project(X), p.coords, atol=1e-9)


def test_projection_rejects_bad_input(model):
    with pytest.raises(LLMVizError, match="n_components"):
        project_embeddings(model, [" cat", " dog"], 3)
    with pytest.raises(LLMVizError, match="distinct"):
        project_embeddings(model, [" cat", " cat", " dog"], 1)
    with pytest.raises(PromptError, match="not a single token"):
        project_embeddings(model, [" cat", " unbelievable", " dog"], 1)
    with pytest.raises(LLMVizError, match="W_E"):
        project_embeddings(model, [" cat", " dog", " cats"], 1, matrix="W_Q")


def test_directions_and_analogy(model):
    c = compare_directions(model, (" man", " woman"), (" king", " queen"))
    assert c.cosine == pytest.approx(
        cosine(
            embedding_difference(model, " man", " woman"),
            embedding_difference(model, " king", " queen"),
        )
    )
    # the shipped model: a partial agreement, well above what random differences give
    assert 0.3 < c.cosine < 0.8
    assert difference_baseline(model) < c.cosine / 2
    near = analogy(model, " man", " woman", " king", k=3)
    assert near[0][0] == " queen"
    assert all(w not in (" man", " woman", " king") for w, _ in near)
    E = model.W_E.astype(np.float64)
    t = model.token_id
    target = E[t(" king")] + E[t(" woman")] - E[t(" man")]
    assert near[0][1] == pytest.approx(cosine(target, E[t(" queen")]))


def test_difference_baseline_is_seeded(model):
    assert difference_baseline(model, n_pairs=300, seed=1) == difference_baseline(
        model, n_pairs=300, seed=1
    )
    with pytest.raises(LLMVizError, match="n_pairs"):
        difference_baseline(model, n_pairs=0)


def test_alignment_signs(model):
    dots = dict(alignment(model, (" cat", " cats"), [" dog", " dogs", " bird", " birds"]))
    d = embedding_difference(model, " cat", " cats").astype(np.float64)
    assert dots[" dogs"] == pytest.approx(float(model.W_E[model.token_id(" dogs")] @ d))
    assert dots[" dog"] < 0 < dots[" dogs"] and dots[" bird"] < 0 < dots[" birds"]
    values = [v for _, v in alignment(model, (" cat", " cats"), [" dog", " dogs", " the"])]
    assert values == sorted(values)


def test_temperature_sweep(model, mj_trace):
    logits = mj_trace["logits"][-1]
    s = temperature_sweep(logits, [0, 1, 2], k=5)
    assert s.token_ids == tuple(t.id for t in mj_trace.top_k(5))
    for T in (1, 2):
        np.testing.assert_allclose(s.at(T), probabilities(logits, T)[list(s.token_ids)])
    assert s.at(0).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(s.probs.sum(1) + s.rest, 1.0)
    assert s.rest[0] == 0 and s.rest[2] > s.rest[1]
    with pytest.raises(LLMVizError, match="temperature"):
        temperature_sweep(logits, [-1])
    with pytest.raises(LLMVizError, match="not in the sweep"):
        s.at(5)
    with pytest.raises(LLMVizError, match="one vector"):
        temperature_sweep(np.zeros((2, 3)), [1])
    with pytest.raises(LLMVizError, match="token ids"):
        temperature_sweep(logits, [1], token_ids=[len(logits)])

"""The skip-gram of the opening chapter: seeded, a one-hot times the matrix is the word's row,
training lowers the loss, and the neighbours are the rows' real cosines."""

import numpy as np
import pytest

from llmviz.errors import ArgumentError
from llmviz.model import corpus
from llmviz.model.experiments.word2vec import (
    context_window,
    skipgram,
    train_skipgram,
    word_groups,
    words_of,
)


@pytest.fixture(scope="module")
def small():
    return train_skipgram(n_sentences=300, steps=40, seed=3)


def test_same_arguments_same_matrix_and_another_seed_another(small):
    again = train_skipgram(n_sentences=300, steps=40, seed=3)
    np.testing.assert_array_equal(small.embeddings, again.embeddings)
    assert small.loss_after == again.loss_after
    other = train_skipgram(n_sentences=300, steps=40, seed=4)
    assert not np.allclose(small.embeddings, other.embeddings)


def test_one_hot_times_the_matrix_is_the_words_row(small):
    for word in ("the", "king", small.vocab[-1]):
        x = small.one_hot(word)
        assert x.shape == (small.V,) and x.sum() == 1 and x[small.index(word)] == 1
        np.testing.assert_array_equal(x @ small.embeddings, small.embeddings[small.index(word)])


def test_vocabulary_and_pairs_come_from_the_corpus(small):
    sentences = [words_of(s) for s in corpus.generate_corpus(300, seed=0)]
    words = {w for s in sentences for w in s}
    assert set(small.vocab) == words
    assert small.n_pairs == sum(
        len(context_window(s, i, 2)) for s in sentences for i in range(len(s))
    )
    assert list(small.counts) == sorted(small.counts, reverse=True)


def test_training_lowers_the_loss_from_chance():
    sg = skipgram()
    assert sg.loss_before == pytest.approx(np.log(sg.V), abs=0.05)  # random rows: about ln V
    assert sg.loss_after < sg.loss_before - 2


def test_neighbours_are_the_rows_cosines_recomputed():
    sg = skipgram()
    E = np.asarray(sg.embeddings, dtype=np.float64)
    unit = E / np.linalg.norm(E, axis=1, keepdims=True)
    for word in ("basketball", "king", "tower"):
        cos = unit @ unit[sg.index(word)]
        cos[sg.index(word)] = -np.inf
        best = np.argsort(-cos)[:3]
        got = sg.neighbours(word, 3)
        assert [w for w, _ in got] == [sg.vocab[i] for i in best]
        np.testing.assert_allclose([c for _, c in got], cos[best], atol=1e-5)
    hits = total = 0
    for words in word_groups().values():
        for w in words:
            if w in sg.vocab:
                total += 1
                hits += sg.neighbours(w, 1)[0][0] in words
    assert sg.nearest_in_group() == (hits, total) and hits > 0.8 * total


def test_window_and_bad_input():
    assert context_window(["a", "b", "c", "d", "e"], 0, 2) == [1, 2]
    assert context_window(["a", "b", "c", "d", "e"], 4, 2) == [2, 3]
    with pytest.raises(ArgumentError, match="outside"):
        context_window(["a"], 3, 2)
    with pytest.raises(ArgumentError, match="window"):
        train_skipgram(window=0)
    with pytest.raises(ArgumentError, match="steps"):
        train_skipgram(steps=-1)
    with pytest.raises(ArgumentError, match="not in the skip-gram's vocabulary"):
        skipgram().index("zebra")

"""Word2Vec's skip-gram, small and real: trained in about a second on the repository's corpus.

The lecture's picture of Word2Vec: a word is a one-hot vector in R^V; multiplied by a V × d
embedding matrix it picks that word's row, its embedding; from that row the model predicts the
words around it in a context window of ``window`` words on each side, and both matrices are
trained by backpropagation on that prediction (cross-entropy over the whole vocabulary). After
training, words used in the same contexts have nearby rows.

Examples
--------
>>> sg = train_skipgram(n_sentences=200, steps=20)
>>> row = sg.one_hot("king") @ sg.embeddings
>>> bool((row == sg.embeddings[sg.index("king")]).all())
True
>>> words_of("The Eiffel tower, in Paris.")
['the', 'eiffel', 'tower', 'in', 'paris']
>>> context_window(["a", "b", "c", "d", "e"], 2, window=1)
[1, 3]
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from llmviz.errors import ArgumentError
from llmviz.model import corpus

__all__ = [
    "SkipGram",
    "words_of",
    "context_window",
    "word_groups",
    "train_skipgram",
    "skipgram",
]

WORD = re.compile(r"[a-z]+")


def words_of(sentence: str) -> list[str]:
    """A sentence as the skip-gram sees it: lower-case words, punctuation dropped."""
    return WORD.findall(sentence.lower())


def context_window(words: list[str], i: int, window: int) -> list[int]:
    """The positions of the context words of ``words[i]``: up to ``window`` on each side."""
    if not 0 <= i < len(words):
        raise ArgumentError(f"position {i} is outside the sentence's 0..{len(words) - 1}")
    return [j for j in range(max(0, i - window), min(len(words), i + window + 1)) if j != i]


def word_groups() -> dict[str, tuple[str, ...]]:
    """The corpus's own word lists (first names, sports, ...), lower-case: a word's group says
    which neighbours are "right" for it, without anyone's judgement."""
    gender = [w for pair in corpus.GENDER_PAIRS for w in pair]
    return {
        "first names": tuple(w.lower() for w in corpus.FIRST_NAMES),
        "last names": tuple(w.lower() for w in corpus.LAST_NAMES),
        "sports": tuple(corpus.SPORTS),
        "adjectives": tuple(corpus.ADJECTIVES),
        "creatures": tuple(corpus.CREATURES),
        "places": tuple(corpus.PLACES),
        "place adjectives": tuple(corpus.PLACE_ADJECTIVES),
        "people": tuple(gender),
        "nouns": tuple(corpus.PLURAL_NOUNS),
    }


@dataclass(frozen=True)
class SkipGram:
    """A trained skip-gram: the vocabulary (most frequent first), the V × d embedding matrix
    whose row ``i`` is word ``i``'s embedding, and the record of its training."""

    vocab: tuple[str, ...]
    counts: tuple[int, ...]
    embeddings: np.ndarray  # [V, d]
    window: int
    n_sentences: int
    n_pairs: int
    steps: int
    seed: int
    loss_before: float  # mean cross-entropy over every (word, context word) pair
    loss_after: float

    @property
    def V(self) -> int:
        return len(self.vocab)

    @property
    def d(self) -> int:
        return int(self.embeddings.shape[1])

    def index(self, word: str) -> int:
        try:
            return self.vocab.index(word)
        except ValueError:
            raise ArgumentError(
                f"{word!r} is not in the skip-gram's vocabulary of {self.V} corpus words"
            ) from None

    def one_hot(self, word: str) -> np.ndarray:
        """The word as a vector in R^V: 1 at its index, 0 elsewhere."""
        v = np.zeros(self.V, dtype=self.embeddings.dtype)
        v[self.index(word)] = 1
        return v

    def neighbours(self, word: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` words whose rows are closest by cosine, with the cosine."""
        unit = self.embeddings / np.linalg.norm(self.embeddings, axis=1, keepdims=True)
        cos = unit @ unit[self.index(word)]
        order = [int(j) for j in np.argsort(-cos, kind="stable") if int(j) != self.index(word)]
        return [(self.vocab[j], float(cos[j])) for j in order[:k]]

    def group_of(self, word: str) -> str | None:
        return next((g for g, ws in word_groups().items() if word in ws), None)

    def nearest_in_group(self) -> tuple[int, int]:
        """How many of the grouped words (:func:`word_groups`) in the vocabulary have their
        nearest word in their own group, and how many there are."""
        hits = total = 0
        for words in word_groups().values():
            for w in words:
                if w in self.vocab:
                    total += 1
                    hits += self.neighbours(w, 1)[0][0] in words
        return hits, total


def _pairs(sentences: list[list[str]], index: dict[str, int], window: int) -> np.ndarray:
    pairs = [
        (index[s[i]], index[s[j]])
        for s in sentences
        for i in range(len(s))
        for j in context_window(s, i, window)
    ]
    return np.array(pairs, dtype=np.int64)


def train_skipgram(
    n_sentences: int = 3000,
    window: int = 2,
    d: int = 16,
    steps: int = 300,
    batch: int = 1024,
    lr: float = 0.05,
    seed: int = 0,
) -> SkipGram:
    """Train a skip-gram on the first ``n_sentences`` of the generated corpus (seed 0): every
    word predicts each word within ``window`` of it, by softmax over the vocabulary, with Adam on
    random batches of those pairs (torch on one thread, seeded: the same arguments give the
    same matrix)."""
    for name, value, low in (
        ("n_sentences", n_sentences, 1),
        ("window", window, 1),
        ("d", d, 1),
        ("batch", batch, 1),
        ("steps", steps, 0),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ArgumentError(f"{name} must be a whole number >= {low}, got {value!r}")
    import torch  # here: the pictures and tests that only read the vocabulary need no torch

    sentences = [words_of(s) for s in corpus.generate_corpus(n_sentences, seed=0)]
    counts = Counter(w for s in sentences for w in s)
    vocab = tuple(sorted(counts, key=lambda w: (-counts[w], w)))
    index = {w: i for i, w in enumerate(vocab)}
    pairs = torch.from_numpy(_pairs(sentences, index, window))
    ce = torch.nn.functional.cross_entropy
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: reproducible, and fast for matrices this small
    try:
        g = torch.Generator().manual_seed(seed)
        params = [
            (torch.randn(len(vocab), d, generator=g) * 0.1).requires_grad_(),
            (torch.randn(d, len(vocab), generator=g) * 0.1).requires_grad_(),
        ]
        adam = torch.optim.Adam(params, lr=lr)

        def loss_of(b):  # one-hot @ W_in picks the rows; they score every word as context
            return ce(params[0][b[:, 0]] @ params[1], b[:, 1])

        with torch.no_grad():
            before = float(loss_of(pairs))
        for _ in range(steps):
            loss = loss_of(pairs[torch.randint(len(pairs), (batch,), generator=g)])
            adam.zero_grad()
            loss.backward()  # backpropagation
            adam.step()
        with torch.no_grad():
            after = float(loss_of(pairs))
    finally:
        torch.set_num_threads(threads)
    emb = params[0].detach().numpy().copy()
    emb.setflags(write=False)
    return SkipGram(
        vocab=vocab,
        counts=tuple(counts[w] for w in vocab),
        embeddings=emb,
        window=window,
        n_sentences=n_sentences,
        n_pairs=len(pairs),
        steps=steps,
        seed=seed,
        loss_before=before,
        loss_after=after,
    )


@functools.lru_cache(maxsize=4)
def skipgram(window: int = 2, d: int = 16, seed: int = 0) -> SkipGram:
    """The chapter's skip-gram (default settings), trained once per process."""
    return train_skipgram(window=window, d=d, seed=seed)

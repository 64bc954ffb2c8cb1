"""How the embedded transformer learned, asked of the model: its prediction at every prefix of a
training sentence, and a check that a prediction does not change when later tokens do. (The
training log it recorded is read by :func:`llmviz.model.train.load_training_log`.)"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from llmviz.errors import LLMVizError
from llmviz.model.experiments.functions import _whole

__all__ = [
    "find_training_sentence",
    "PrefixPrediction",
    "prefix_predictions",
    "CausalCheck",
    "causal_check",
]


@functools.lru_cache(maxsize=4)
def _corpus(n_sentences: int, seed: int) -> tuple[str, ...]:
    from llmviz.model.corpus import generate_corpus

    return tuple(generate_corpus(n_sentences, seed))


def find_training_sentence(
    text: str, n_sentences: int = 60_000, seed: int = 0
) -> tuple[int, str] | None:
    """The first sentence of the generated training corpus that contains ``text``, with its
    index, or None (the corpus of ``llmviz train``: ``n_sentences`` and ``seed`` from its log).

    Examples
    --------
    >>> find_training_sentence("Michael Jordan plays the sport of", 1000)
    (173, 'Michael Jordan plays the sport of basketball.')
    """
    for i, s in enumerate(_corpus(int(n_sentences), int(seed))):
        if text in s:
            return i, s
    return None


@dataclass(frozen=True)
class PrefixPrediction:
    """What the model predicts after ``tokens[: position + 1]``, against the real next token."""

    position: int
    prefix: tuple[str, ...]
    actual: str
    actual_id: int
    actual_prob: float
    actual_rank: int  # 1 = the model's first choice
    predicted: str
    predicted_prob: float

    @property
    def loss(self) -> float:
        """Cross-entropy at this position: ``-log p(actual)``."""
        return -math.log(max(self.actual_prob, 1e-300))


def _logits(model, ids: Sequence[int]) -> np.ndarray:
    with torch.no_grad():
        out = model.net(torch.tensor([list(ids)], device=model.device))[0]
    return out.double().cpu().numpy()


def prefix_predictions(model, text: str) -> list[PrefixPrediction]:
    """One forward pass over ``text`` gives a prediction at every position; compare each with the
    token that really comes next (as training does, all positions at once).

    Examples
    --------
    >>> import llmviz
    >>> preds = prefix_predictions(llmviz.load_model(), "Michael Jordan plays the sport of basketball.")
    >>> preds[-2].prefix[-1], preds[-2].actual, preds[-2].predicted
    (' of', ' basketball', ' basketball')
    """
    from llmviz.model.trace import probabilities

    ids = model.encode(text)
    if len(ids) < 2:
        raise LLMVizError(f"{text!r} is a single token; a training example needs at least two")
    tokens = model.tokenizer.token_strings(ids)
    probs = probabilities(_logits(model, ids))
    out = []
    for i in range(len(ids) - 1):
        p = probs[i]
        nxt = ids[i + 1]
        top = int(np.argmax(p))
        out.append(
            PrefixPrediction(
                i,
                tuple(tokens[: i + 1]),
                tokens[i + 1],
                int(nxt),
                float(p[nxt]),
                int(np.sum(p > p[nxt]) + 1),
                model.decode_token(top),
                float(p[top]),
            )
        )
    return out


@dataclass(frozen=True)
class CausalCheck:
    """Predictions for a token sequence and for a copy whose tokens after ``cut`` are changed.

    ``max_change_before`` is the largest change of any logit (the model's raw score for a next
    token) at positions ``0..cut``: zero, up to float rounding, because the causal mask hides later
    tokens; ``max_change_after`` is the same for later positions, which do see the change.
    """

    cut: int
    tokens: tuple[str, ...]
    altered_tokens: tuple[str, ...]
    max_change_before: float
    max_change_after: float
    prediction: str  # the top prediction at ``cut`` (the same in both)
    prediction_prob: float
    altered_prediction_prob: float


def causal_check(model, ids: Sequence[int], altered_ids: Sequence[int], cut: int) -> CausalCheck:
    """Run both token sequences, which agree up to and including position ``cut``, and measure
    how much the predictions at each position change.

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> ids = m.encode("Michael Jordan plays the sport of basketball.")
    >>> other = ids[:-2] + m.encode(" golf.")
    >>> check = causal_check(m, ids, other, cut=len(ids) - 3)
    >>> check.max_change_before < 1e-4 < check.max_change_after
    True
    """
    from llmviz.model.trace import probabilities

    ids, altered_ids = list(ids), list(altered_ids)
    cut = _whole("cut", cut, 0)
    if cut >= min(len(ids), len(altered_ids)) - 1:
        raise LLMVizError(
            f"cut must leave later tokens to change: below {min(len(ids), len(altered_ids)) - 1}, not {cut}"
        )
    if ids[: cut + 1] != altered_ids[: cut + 1]:
        raise LLMVizError("the two sequences must agree on every token up to and including the cut")
    lp, lq = _logits(model, ids), _logits(model, altered_ids)
    p, q = probabilities(lp), probabilities(lq)
    n = min(len(ids), len(altered_ids))
    diff = np.abs(lp[:n] - lq[:n]).max(axis=1)
    top = int(np.argmax(p[cut]))
    return CausalCheck(
        cut,
        tuple(model.tokenizer.token_strings(ids)),
        tuple(model.tokenizer.token_strings(altered_ids)),
        float(diff[: cut + 1].max()),
        float(diff[cut + 1 :].max()),
        model.decode_token(top),
        float(p[cut, top]),
        float(q[cut, top]),
    )

"""What the lecture says about pre-training, measured on a model that ``llmviz train`` made: how
much text it learned from, its parameters as dials that a forward pass really depends on, the
dials' seeded random start, and its answers to text that its training corpus never contains.

Everything is computed from the model and its training log (``training_log.json``): the corpus
is generated again from the log's seed and sentence count (:func:`llmviz.model.corpus.
generate_corpus` is deterministic), so "never in the corpus" is a search of the very sentences
the model trained on, and the weights at step 0 are rebuilt from the log's seed and checked
against the predictions the log recorded at step 0.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model import corpus
from llmviz.model.scale import parameter_count, training_run
from llmviz.model.trace import probabilities

__all__ = [
    "Fact",
    "model_facts",
    "DataSize",
    "data_size",
    "training_corpus",
    "in_corpus",
    "weight_name",
    "turned",
    "dial_sweep",
    "initial_weights",
    "initial_matches_log",
    "initial_probabilities",
    "Answer",
    "answer",
    "NameGuess",
    "unseen_names",
]


def _corpus_setting(log: dict) -> tuple[int, int]:
    try:
        cfg = log["train_config"]
        return int(cfg["n_sentences"]), int(cfg["seed"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"the training log does not say how its corpus was made (n_sentences, seed): {exc}"
        ) from None


@functools.lru_cache(maxsize=2)
def _sentences(n_sentences: int, seed: int) -> tuple[str, ...]:
    return tuple(corpus.generate_corpus(n_sentences, seed))


@functools.lru_cache(maxsize=2)
def _text(n_sentences: int, seed: int) -> str:
    return "\n".join(_sentences(n_sentences, seed))


def training_corpus(log: dict) -> tuple[str, ...]:
    """The sentences the model of ``log`` was trained on, generated again from the log's seed.

    Examples
    --------
    >>> from llmviz.model.train import load_training_log
    >>> s = training_corpus(load_training_log())
    >>> len(s), s[0]
    (60000, 'The aunt said that she was tired.')
    """
    return _sentences(*_corpus_setting(log))


def in_corpus(text: str, log: dict) -> bool:
    """Whether ``text`` occurs anywhere in the training corpus of ``log`` (a plain substring
    search over every sentence, joined by newlines as in training).

    Examples
    --------
    >>> from llmviz.model.train import load_training_log
    >>> log = load_training_log()
    >>> in_corpus("Michael Jordan plays the sport of", log), in_corpus("Michael Nadal", log)
    (True, False)
    """
    if not isinstance(text, str) or not text.strip():
        raise LLMVizError(f"give a non-empty text to search the corpus for, not {text!r}")
    return text in _text(*_corpus_setting(log))


@dataclass(frozen=True)
class DataSize:
    """How much text a model learned from: the generated corpus (``sentences``, ``words``,
    ``characters``, ``tokens`` as its tokenizer cuts them, a newline after each sentence as in
    training) and the ``seen`` tokens its training read (steps x batch x context)."""

    sentences: int
    words: int
    characters: int
    tokens: int
    seen: int

    @property
    def passes(self) -> float:
        """How many times over the corpus the training read, on average."""
        return self.seen / self.tokens

    def times_fewer(self, tokens: float) -> float:
        """How many times ``tokens`` exceeds what this training read."""
        return float(tokens) / self.seen


def data_size(model, log: dict) -> DataSize:
    """The size of the corpus ``model`` was trained on and of what its training read.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> d = data_size(llmviz.load_model(), load_training_log())
    >>> d.sentences, d.words, d.tokens, d.seen, f"{d.passes:.1f}"
    (60000, 469843, 607816, 11264000, '18.5')
    """
    sentences = _sentences(*_corpus_setting(log))
    text = _text(*_corpus_setting(log))
    tokens = sum(len(model.tokenizer.encode(s + "\n")) for s in sentences)
    run = training_run(log, parameter_count(model))
    return DataSize(len(sentences), len(text.split()), len(text), tokens, run.tokens)


def weight_name(model, name: str, index) -> tuple[str, tuple[int, ...]]:
    """``name`` and ``index`` checked against the model's weights (one entry, e.g.
    ``("blocks.1.mlp.b_up", (141,))``); a clear error names what is allowed."""
    params = dict(model.net.named_parameters())
    if name not in params:
        raise LLMVizError(f"no weight named {name!r}; allowed: {sorted(params)}")
    idx = (index,) if np.isscalar(index) else tuple(index)
    shape = tuple(params[name].shape)
    if len(idx) != len(shape) or any(
        not (isinstance(i, (int, np.integer)) and 0 <= i < n)
        for i, n in zip(idx, shape, strict=False)
    ):
        raise LLMVizError(f"index {index!r} is not one entry of {name}, whose shape is {shape}")
    return name, tuple(int(i) for i in idx)


@contextmanager
def turned(model, name: str, index, value: float) -> Iterator[None]:
    """Within the block, weight ``name[index]`` of ``model`` reads ``value``; afterwards it is
    restored exactly, even after an error (the model is shared and cached).

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> before = float(m.weights["blocks.1.mlp.b_up"][141])
    >>> with turned(m, "blocks.1.mlp.b_up", 141, -3.0):
    ...     float(m.net.blocks[1].mlp.b_up[141].detach())
    -3.0
    >>> float(m.weights["blocks.1.mlp.b_up"][141]) == before
    True
    """
    name, idx = weight_name(model, name, index)
    if not np.isfinite(value):
        raise LLMVizError(f"a dial's value must be a finite number, not {value!r}")
    param = dict(model.net.named_parameters())[name]
    with torch.no_grad():
        old = param.data[idx].clone()
        param.data[idx] = float(value)
    try:
        yield
    finally:
        with torch.no_grad():
            param.data[idx] = old


def dial_sweep(
    model, prompt: str, name: str, index, values: Sequence[float], tokens: Sequence[str] | None
) -> np.ndarray:
    """P(each of ``tokens`` | ``prompt``) with weight ``name[index]`` set to each of ``values``,
    from real forward passes: shape ``[len(values), len(tokens)]`` (``tokens=None``: the whole
    vocabulary).

    Examples
    --------
    >>> import llmviz
    >>> m = llmviz.load_model()
    >>> p = dial_sweep(m, "Michael Jordan plays the sport of", "blocks.2.mlp.b_up", 152,
    ...                [-0.19, -2.19], [" basketball", " swimming"])
    >>> [f"{x:.2f}" for x in p[:, 0]]
    ['0.99', '0.33']
    """
    ids = slice(None) if tokens is None else [model.token_id(t) for t in tokens]
    rows = []
    for v in values:
        with turned(model, name, index, v):
            rows.append(probabilities(model.next_logits(prompt), 1.0)[ids])
    return np.array(rows)


def _initial_net(model, log: dict):
    from llmviz.model.transformer import Transformer

    _, seed = _corpus_setting(log)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return Transformer(model.cfg).eval()


def initial_weights(model, log: dict) -> dict[str, np.ndarray]:
    """The weights of ``model`` at step 0 of its training: the seeded random start, rebuilt from
    the log's seed (training seeds torch, then builds the model). Check the result with
    :func:`initial_matches_log` before presenting it as the start of the run.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> w = initial_weights(llmviz.load_model(), load_training_log())
    >>> float(w["blocks.1.mlp.b_up"][141]), f"{w['blocks.1.mlp.W_up'].std():.3f}"
    (0.0, '0.020')
    """
    net = _initial_net(model, log)
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


def initial_matches_log(model, log: dict) -> bool:
    """Whether the rebuilt step-0 model gives the top-5 predictions that the log recorded at
    step 0 (same tokens, probabilities within 1e-4).

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> initial_matches_log(llmviz.load_model(), load_training_log())
    True
    """
    try:
        first = next(c for c in log["checkpoints"] if int(c["step"]) == 0)["predictions"]
    except (KeyError, StopIteration, TypeError, ValueError):
        return False
    net = _initial_net(model, log)
    for prompt, top in first.items():
        with torch.no_grad():
            p = net(torch.tensor([model.tokenizer.encode(prompt)]))[0, -1].float().softmax(-1)
        best = p.topk(len(top))
        got = [model.decode_token(int(i)) for i in best.indices]
        if got != [t for t, _ in top] or not np.allclose(
            best.values.numpy(), [q for _, q in top], atol=1e-4
        ):
            return False
    return True


@dataclass(frozen=True)
class Answer:
    """The model's top next token for ``prompt`` and its probability, whether the prompt occurs
    in the training corpus, and P(``expected``) when an expected token is given."""

    prompt: str
    seen: bool
    token: str
    prob: float
    expected: str | None = None
    p_expected: float | None = None


def answer(model, prompt: str, log: dict, expected: str | None = None) -> Answer:
    """What the model answers to ``prompt``, and whether its corpus contains the prompt.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> a = answer(llmviz.load_model(), "Everyone knows that Michael Jordan plays the sport of",
    ...            load_training_log(), " basketball")
    >>> a.seen, a.token, f"{a.p_expected:.3f}"
    (False, ' basketball', '0.986')
    """
    p = probabilities(model.next_logits(prompt), 1.0)
    top = int(np.argmax(p))
    pe = float(p[model.token_id(expected)]) if expected is not None else None
    return Answer(
        prompt, in_corpus(prompt, log), model.decode_token(top), float(p[top]), expected, pe
    )


@dataclass(frozen=True)
class NameGuess:
    """A first-and-last-name pair of the name grid that the corpus never contains, the model's
    answer to its fact prompt, and the sports of the corpus's athletes with the same first name
    and with the same last name."""

    name: str
    token: str
    prob: float
    first_sports: tuple[str, ...]
    last_sports: tuple[str, ...]

    @property
    def shared(self) -> tuple[str, ...]:
        """Sports that an athlete with this first name and one with this last name play."""
        return tuple(s for s in self.first_sports if s in self.last_sports)

    @property
    def fits(self) -> bool:
        """Whether the answer is a sport of both names' athletes."""
        return self.token.strip() in self.shared


def unseen_names(model, log: dict) -> list[NameGuess]:
    """Every pair of the corpus's first and last names that is no athlete of the fact table,
    each checked to occur nowhere in the training corpus, with the model's answer to
    "<name> plays the sport of".

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> g = unseen_names(llmviz.load_model(), load_training_log())
    >>> len(g), sum(x.fits for x in g), g[0].name, g[0].token, g[0].shared
    (60, 56, 'Michael Nadal', ' basketball', ('swimming', 'basketball'))
    """
    table = corpus.athletes()
    out = []
    for first in corpus.FIRST_NAMES:
        for last in corpus.LAST_NAMES:
            name = f"{first} {last}"
            if corpus.known_athlete(name) is not None:
                continue
            if in_corpus(name, log):
                raise LLMVizError(f"{name!r} is not in the fact table but occurs in the corpus")
            p = probabilities(model.next_logits(corpus.fact_prompt(name)), 1.0)
            top = int(np.argmax(p))
            out.append(
                NameGuess(
                    name,
                    model.decode_token(top),
                    float(p[top]),
                    tuple(a.sport for a in table if a.first == first),
                    tuple(a.sport for a in table if a.last == last),
                )
            )
    return out


def initial_probabilities(model, log: dict, prompt: str) -> np.ndarray:
    """The next-token distribution of the rebuilt step-0 model (:func:`initial_weights`) after
    ``prompt``: nearly uniform, since the weights are still random.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> m = llmviz.load_model()
    >>> p = initial_probabilities(m, load_training_log(), "Michael Jordan plays the sport of")
    >>> m.decode_token(int(p.argmax())), f"{p.max():.5f}", f"{1 / m.cfg.vocab_size:.5f}"
    ('cle', '0.00171', '0.00097')
    """
    net = _initial_net(model, log)
    with torch.no_grad():
        logits = net(torch.tensor([model.encode(prompt)]))[0, -1].float().numpy()
    return probabilities(logits, 1.0)


class Fact(NamedTuple):
    """One prompt asked of the model: the token the corpus says comes next (``expected``; the
    model's own top token where the corpus says nothing), its top token, its probability of
    ``expected``, and whether the two agree."""

    prompt: str
    expected: str
    top: str
    prob: float
    agrees: bool


def model_facts(model) -> list[tuple[str, list[Fact]]]:
    """What the model learned from the generated corpus, asked of the model itself: sections of
    ``(prompt, expected next token, the model's top token, P(expected), top == expected)``.

    Examples
    --------
    >>> import llmviz
    >>> sections = dict(model_facts(llmviz.load_model()))
    >>> row = [r for r in sections["Athletes in the training data"] if r[0].startswith("Michael Jordan")][0]
    >>> row.expected, row.agrees
    (' basketball', True)
    """

    def ask(prompt: str, expected: str | None):
        t = model.run(prompt)
        top = t.top_k(1)[0]
        if expected is None:
            return Fact(prompt, top.token, top.token, top.prob, True)
        tid = model.tokenizer.token_id(expected)
        p = float(t.probs()[tid]) if tid is not None else 0.0
        return Fact(prompt, expected, top.token, p, top.token == expected)

    table = corpus.athletes()
    known = {a.name for a in table}
    out = [
        (
            "Athletes in the training data",
            [ask(corpus.fact_prompt(a.name), f" {a.sport}") for a in table],
        ),
        (
            "Names not in the training data (the model's guess)",
            [
                ask(corpus.fact_prompt(f"{f} {la}"), None)
                for f in corpus.FIRST_NAMES
                for la in corpus.LAST_NAMES
                if f"{f} {la}" not in known
            ],
        ),
    ]
    creatures = []
    for a in corpus.ADJECTIVES:
        creatures.append(ask(f"a {a} creature", f" {corpus.verb_for(a)}"))
    for a, b in zip(corpus.GENTLE, corpus.FIERCE, strict=True):
        creatures.append(ask(f"a {a} {b} creature", f" {corpus.verb_for(a, b)}"))
    out.append(
        (
            "Creatures: the verb after the noun (gentle: roamed, half: wandered, fierce: stalked)",
            creatures,
        )
    )
    words = []
    for sentence in corpus.CONTEXT_SENTENCES:
        if " is the capital of " in sentence:
            head, country = sentence.rstrip(".").rsplit(" ", 1)
            words.append(ask(head, f" {country}"))
    for royal in ("king", "queen"):
        words.append(ask(f"The {royal} wore a golden", " crown"))
    for prompt in corpus.LECTURE_PROMPTS:
        if "sport of" not in prompt:
            words.append(ask(prompt, None))
    out.append(("Other lecture words", words))
    return out

"""The opening chapter: from text to the next token.

Prediction and sampling, a chatbot as a laid-out text, word-by-word models against the
transformer, what GPT stands for, pre-training (the data, parameters as dials, text the model never
saw), tokens, the embedding matrix, weights against data, the geometry of embeddings (a 3-D PCA,
embeddings moving in training, nearest neighbours, directions, the dot product's angle), a real
Word2Vec skip-gram, a word's senses and tower → Eiffel tower → miniature Eiffel tower, the context
window and other context lengths, input → layers → output on tensors, unembedding, softmax with
temperature, and GPT-3's size (parameters, training compute, LayerNorm's share). Every number comes from the model, from an experiment run
by the code, or from a formula applied to a config; every sentence is built from those values.

Render one step with ``manim render -ql scenes/next_token.py Tokens`` or the whole chapter with
``manim render -ql scenes/next_token.py NextTokenChapter``. The prompt, the temperature, the seed
and the model folder follow the llmviz settings (``llmviz render NextTokenChapter --prompt ...
--temperature ... --seed ... --model-dir ...``); the other examples are class attributes of
``NextTokenScene`` (``next_token_steps/common.py``) that a subclass can change. The steps' code
is in ``next_token_steps/``.
"""

from __future__ import annotations

from next_token_steps.common import NextTokenScene
from next_token_steps.context import ContextStep
from next_token_steps.counting import CountingStep
from next_token_steps.data import DataStep
from next_token_steps.directions import DirectionsStep
from next_token_steps.history import HistoryStep
from next_token_steps.prediction import PredictionStep
from next_token_steps.senses import SensesStep
from next_token_steps.softmax import SoftmaxStep
from next_token_steps.space import SpaceStep
from next_token_steps.tokens import TokensStep
from next_token_steps.training import TrainingStep

from llmviz.steps import ALL_STEPS

__all__ = ["NextTokenChapterScene", "NextTokenScene"]


class NextTokenChapterScene(
    PredictionStep,
    HistoryStep,
    TrainingStep,
    TokensStep,
    SpaceStep,
    DirectionsStep,
    SensesStep,
    ContextStep,
    DataStep,
    SoftmaxStep,
    CountingStep,
):
    """Every step of the chapter as a method (``step_<name>``); each scene below plays one."""


class Prediction(NextTokenChapterScene):
    """1. The real next-token distribution of the prompt."""

    plays = ("prediction",)


class SamplingLoop(NextTokenChapterScene):
    """2. Predict, sample with a seed, append, repeat; other seeds."""

    plays = ("loop",)


class Chatbot(NextTokenChapterScene):
    """3. A chatbot as a laid-out conversation that the model continues."""

    plays = ("chat",)


class WordByWord(NextTokenChapterScene):
    """4. Before 2017 one word at a time (schematic); one pass of the model for every position."""

    plays = ("history",)


class WhatGPTMeans(NextTokenChapterScene):
    """5. Generative, pre-trained (from the training log), transformer; kinds of transformer."""

    plays = ("gpt",)


class TrainingData(NextTokenChapterScene):
    """6. The generated corpus and what training read, against GPT-3's published 300 billion."""

    plays = ("training_data",)


class TuningDials(NextTokenChapterScene):
    """7. Parameters as dials: random at step 0, trained, and one turned with real passes."""

    plays = ("dials",)


class UnseenText(NextTokenChapterScene):
    """8. Text checked to be absent from the corpus, and the model's real answers to it."""

    plays = ("unseen",)


class Tokens(NextTokenChapterScene):
    """9. The prompt and a sentence cut by the real tokenizer: pieces of words, punctuation."""

    plays = ("tokens",)


class EmbeddingLookup(NextTokenChapterScene):
    """10. Each token takes its column of W_E; vocabulary × d_model, and GPT-3's 617,558,016."""

    plays = ("lookup",)


class WeightsAndData(NextTokenChapterScene):
    """11. One real matrix (W_Q) times two prompts' vectors: same weights, different data."""

    plays = ("weights_data",)


class EmbeddingSpace(NextTokenChapterScene):
    """12. Real embeddings in a 3-D PCA (ThreeDAxes); the camera tilts and turns around them."""

    plays = ("space",)


class EmbeddingsInTraining(NextTokenChapterScene):
    """13. Embedding rows moving from random to grouped, from the training log's snapshots."""

    plays = ("training",)


class NearestNeighbours(NextTokenChapterScene):
    """14. The tokens closest by cosine to the model's answer."""

    plays = ("neighbours",)


class EmbeddingDirections(NextTokenChapterScene):
    """15. woman − man against queen − king as arrows, and the analogy."""

    plays = ("directions",)


class DotProductAngle(NextTokenChapterScene):
    """16. Two real arrows; the angle sweeps through 90° and the product changes sign."""

    plays = ("dot",)


class DotProducts(NextTokenChapterScene):
    """17. Dot products of nouns with the cats − cat direction."""

    plays = ("alignment",)


class Word2VecSkipGram(NextTokenChapterScene):
    """18. A real skip-gram: one-hot × V × d picks a row, the window, the trained neighbours."""

    plays = ("word2vec",)


class WordSenses(NextTokenChapterScene):
    """19. The vector of "mole" in the corpus's contexts, moving apart through the blocks."""

    plays = ("senses",)


class EiffelTower(NextTokenChapterScene):
    """20. tower → Eiffel tower → miniature Eiffel tower against the model's Paris and tall."""

    plays = ("tower",)


class Context(NextTokenChapterScene):
    """21. The context window and the array of vectors that flows through the model."""

    plays = ("context",)


class ContextLengths(NextTokenChapterScene):
    """22. The model run on 4 to 64 tokens; W_pos has no row for a 65th, which is refused."""

    plays = ("lengths",)


class InputLayersOutput(NextTokenChapterScene):
    """23. Input → layers → output, with the tensors' shapes read from the trace."""

    plays = ("dataflow",)


class WhyTheLastPosition(NextTokenChapterScene):
    """24. Every position's guess, scored against the real next token; the last one is read."""

    plays = ("why_last",)


class Unembedding(NextTokenChapterScene):
    """25. W_U turns the last vector into logits and probabilities."""

    plays = ("unembedding",)


class SoftmaxScene(NextTokenChapterScene):
    """26. softmax(1, 2, 8), built from exp and the sum."""

    plays = ("softmax",)


class Temperature(NextTokenChapterScene):
    """27. The real bars as T moves through 1, 2, 3 and 0."""

    plays = ("temperature",)


class TemperatureText(NextTokenChapterScene):
    """28. What the loop writes at several temperatures."""

    plays = ("temperature_text",)


class CountingGPT3(NextTokenChapterScene):
    """29. The eight matrix families: 27,938 matrices and 175,181,291,520 weights."""

    plays = ("count",)


class TrainingCompute(NextTokenChapterScene):
    """30. 6·N·D for this model's recorded training run and for GPT-3's."""

    plays = ("compute",)


class LayerNormShare(NextTokenChapterScene):
    """31. LayerNorm's parameters in GPT-3, drawn to scale."""

    plays = ("layernorm",)


class NextTokenChapter(NextTokenChapterScene):
    """The whole opening chapter in one video."""

    chapter_title = "From text to the next token"

    plays = ALL_STEPS

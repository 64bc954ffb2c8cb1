"""Unembedding: the last vector to logits to probabilities."""

from __future__ import annotations

import numpy as np
from manim import (
    RIGHT,
    FadeIn,
    Succession,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations._common import expect
from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_count, real_array
from llmviz.mobjects.bars import ProbabilityBars
from llmviz.mobjects.numbers import FastText
from llmviz.mobjects.vectors import NumericVector
from llmviz.model.trace import probabilities
from llmviz.style import PALETTE

__all__ = ["Unembed"]


class Unembed(Succession):
    """The last position's vector times ``W_U`` gives one logit per vocabulary token; the softmax
    of the logits gives the next-token probabilities, shown as bars of the top ``k``.

    Parameters
    ----------
    vector
        A :class:`NumericVector` holding the final (LayerNormed) residual vector, ``[d_model]``.
    W_U
        The unembedding matrix, ``[d_model, vocab]``.
    token_names
        A callable giving the text of a vocabulary id (``model.decode_token``).
    k, temperature
        How many bars; the softmax temperature.

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import NumericVector
    >>> from llmviz.animations import Unembed
    >>> u = Unembed(NumericVector([1.0, 0.0]), np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 0.0]]), str, k=2)
    >>> u.logits.tolist(), u.result.tokens
    ([2.0, 0.0, 1.0], ['0', '2'])

    .. manim:: UnembedExample
        :save_last_frame:

        from manim import LEFT, Scene
        from llmviz.animations import Unembed
        from llmviz.mobjects import NumericVector
        from llmviz.model import hook_name, load_model

        class UnembedExample(Scene):
            def construct(self):
                model = load_model()
                last = model.run("Michael Jordan plays the sport of")[hook_name("ln_final")][-1]
                vector = NumericVector(last, max_entries=6).to_edge(LEFT)
                self.add(vector)
                self.play(Unembed(vector, model.W_U, model.decode_token, k=3))
    """

    def __init__(
        self,
        vector: NumericVector,
        W_U: np.ndarray,
        token_names,
        k: int = 5,
        temperature: float = 1.0,
        **kwargs,
    ) -> None:
        expect(vector, NumericVector, "vector", "Unembed")
        W = real_array(W_U, 2, "Unembed", "W_U", f"({len(vector.values)}, vocab)")
        if W.shape[0] != len(vector.values):
            raise LLMVizError(
                f"Unembed: W_U must have shape ({len(vector.values)}, vocab), got {W.shape}"
            )
        k = check_count(k, "k", "Unembed")
        if not callable(token_names):
            raise LLMVizError(
                f"Unembed: token_names must be a function of a token id, not {token_names!r}"
            )
        self.logits = vector.values @ W
        self.probs = probabilities(self.logits, temperature)
        top = np.argsort(-self.probs, kind="stable")[:k]
        self.token_ids = [int(i) for i in top]
        self.result = ProbabilityBars(
            [token_names(i) for i in self.token_ids], self.probs[top], width=3.0
        )
        font = vector._options["font_size"]
        self.logit_vector = NumericVector(
            self.logits, max_entries=8, label="logits", font_size=font
        )
        arrow1 = FastText("W_U →", font_size=26, color=PALETTE["muted"]).next_to(
            vector, RIGHT, buff=0.2
        )
        self.logit_vector.next_to(arrow1, RIGHT, buff=0.2)
        arrow2 = FastText("softmax →", font_size=26, color=PALETTE["muted"])
        arrow2.next_to(self.logit_vector, RIGHT, buff=0.2)
        self.result.next_to(arrow2, RIGHT, buff=0.3)
        self.arrows = VGroup(arrow1, arrow2)
        super().__init__(
            FadeIn(arrow1),
            TransformFromCopy(vector, self.logit_vector, run_time=1.2),
            FadeIn(arrow2),
            FadeIn(self.result, lag_ratio=0.15, run_time=1.2),
            **kwargs,
        )

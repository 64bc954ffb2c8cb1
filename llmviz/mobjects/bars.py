"""The next-token distribution as labelled horizontal bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import LEFT, RIGHT, Rectangle, Text, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_decimals, check_size, real_array
from llmviz.mobjects.numbers import FastNumber
from llmviz.mobjects.vectors import constructor_options
from llmviz.model.trace import Trace, probabilities
from llmviz.style import FONTS, PALETTE, display_token
from llmviz.words import percent_decimals

__all__ = ["ProbabilityBars"]


class ProbabilityBars(VGroup):
    """Top-k next tokens as horizontal bars with their probabilities in percent.

    Parameters
    ----------
    tokens
        Token strings, most likely first.
    probs
        Their probabilities, real numbers in [0, 1] (copied: the bars show the values at
        construction).
    width
        Length of a bar for probability 1.
    decimals
        Decimals of the percentages; default one fewer than the ``decimals`` setting (1 for its
        default 2), as :func:`llmviz.words.pct` says them.

    Examples
    --------
    >>> from llmviz.mobjects import ProbabilityBars
    >>> bars = ProbabilityBars([" basketball", " golf"], [0.9, 0.05])
    >>> [n.text for n in bars.numbers]
    ['90.0%', '5.0%']

    .. manim:: ProbabilityBarsExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import ProbabilityBars
        from llmviz.model import load_model

        class ProbabilityBarsExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                self.add(ProbabilityBars.from_trace(trace, k=5).center())
                self.wait(0.1)
    """

    def __init__(
        self,
        tokens: Sequence[str],
        probs: Sequence[float],
        width: float = 5.0,
        bar_height: float = 0.34,
        font_size: float = 24,
        decimals: int | None = None,
        buff: float = 0.18,
        **kwargs,
    ) -> None:
        options = constructor_options(locals(), "tokens", "probs")
        what = "ProbabilityBars"
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise LLMVizError(f"{what}: tokens must be a list of token strings")
        p = real_array(probs, 1, what, "probs", "(n_tokens,)")  # our own copy
        if len(p) != len(tokens):
            raise LLMVizError(
                f"{what} needs one probability per token: {len(tokens)} tokens, "
                f"probs of shape {p.shape}"
            )
        if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1 + 1e-9):
            raise LLMVizError(
                f"{what}: probs must be finite numbers in [0, 1], got {p.tolist()[:8]}"
            )
        decimals = percent_decimals() if decimals is None else check_decimals(decimals, what)
        for arg, value in (("width", width), ("bar_height", bar_height), ("font_size", font_size)):
            check_size(value, arg, what)
        check_size(buff, "buff", what, zero=True)
        super().__init__(**kwargs)
        self.tokens, self.probs = list(tokens), p
        self._options = options
        self.trace: Trace | None = None
        self.token_ids: list[int] | None = None
        self.temperature: float | None = None
        self.bars, self.labels, self.numbers = VGroup(), VGroup(), VGroup()
        for i, (tok, prob) in enumerate(zip(self.tokens, p, strict=True)):
            y = -i * (bar_height + buff)
            bar = Rectangle(
                width=max(width * prob, 1e-3),
                height=bar_height,
                stroke_width=0,
                fill_color=PALETTE["positive"],
                fill_opacity=1,
            )
            bar.move_to([0, y, 0], aligned_edge=LEFT)  # every bar starts at x = 0
            label = Text(
                display_token(tok), font=FONTS["mono"], font_size=font_size, color=PALETTE["text"]
            )
            label.next_to(bar, LEFT, buff=0.2).set_y(y)
            label.align_to([-0.2, 0, 0], RIGHT)
            number = FastNumber(
                100 * prob,
                decimals=decimals,
                suffix="%",
                font_size=font_size * 0.9,
                color=PALETTE["muted"],
            )
            number.next_to([max(width * prob, 1e-3), y, 0], RIGHT, buff=0.15)
            self.bars.add(bar)
            self.labels.add(label)
            self.numbers.add(number)
        self.add(self.bars, self.labels, self.numbers)

    @classmethod
    def from_trace(
        cls, trace: Trace, k: int = 5, temperature: float = 1.0, position: int = -1, **kwargs
    ) -> ProbabilityBars:
        """The real top-``k`` next tokens of a trace; remembers the trace for :meth:`at_temperature`."""
        top = trace.top_k(k, temperature=temperature, position=position)
        bars = cls([t.token for t in top], [t.prob for t in top], **kwargs)
        bars.trace, bars.token_ids, bars.temperature, bars._position = (
            trace,
            [t.id for t in top],
            temperature,
            position,
        )
        return bars

    def with_probs(self, probs: Sequence[float]) -> ProbabilityBars:
        """Bars for the same tokens with other probabilities, at the same place."""
        new = ProbabilityBars(self.tokens, probs, **self._options)
        new.shift(self.bars[0].get_left() - new.bars[0].get_left())
        return new

    def at_temperature(self, temperature: float) -> ProbabilityBars:
        """The same tokens with their probabilities at another temperature, recomputed from the
        trace's logits over the whole vocabulary (bars made with :meth:`from_trace` only)."""
        if self.trace is None:
            raise LLMVizError(
                "at_temperature needs bars made with ProbabilityBars.from_trace(trace, ...)"
            )
        p = probabilities(self.trace["logits"][self._position], temperature)[self.token_ids]
        new = self.with_probs(p)
        new.trace, new.token_ids, new.temperature, new._position = (
            self.trace,
            self.token_ids,
            temperature,
            self._position,
        )
        return new

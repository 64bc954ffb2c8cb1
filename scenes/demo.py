"""Demo: the embedded model's real next-token distribution for a fact prompt.

Render with ``manim render -ql scenes/demo.py NextTokenDemo``. The prompt and the second
temperature follow the llmviz settings (``LLMVIZ_PROMPT``, ``LLMVIZ_TEMPERATURE``, llmviz.toml).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import fit_width, text, title
from llmviz.mobjects import ProbabilityBars, TokenStrip
from llmviz.scene import LectureScene
from llmviz.style import PALETTE, display_token
from llmviz.words import pct, said_number


class NextTokenDemo(LectureScene):
    """The real top next tokens for a prompt at temperature 1, then at another temperature."""

    prompt = "Michael Jordan plays the sport of"
    temperature = 2.0
    k = 6
    unused_settings = {
        "seed": "it never samples; it shows the whole distribution",
        "contrasts": "they are the MLP chapter's",
    }

    def construct(self) -> None:
        trace = self.trace(self.prompt)
        top = trace.top_k(2)
        self.section("Prompt")
        head = title("What comes next?")
        words = fit_width(text(f"“{self.prompt}”", 30)).next_to(head, DOWN, buff=0.4)
        tokens = fit_width(TokenStrip(trace.tokens)).next_to(words, DOWN, buff=0.3)
        self.say(
            "A language model reads a piece of text and predicts the token that comes next.",
            self.title_in(head),
            FadeIn(words, shift=DOWN * 0.5),
        )
        self.say(
            f"The text is first cut into tokens: these {trace.n_tokens} boxes, exactly as the "
            "tokenizer cut it.",
            LaggedStart(*(FadeIn(b, shift=RIGHT * 0.5) for b in tokens.boxes), lag_ratio=0.3),
            LightUp(tokens),
        )

        self.section("Distribution at temperature 1")
        bars = ProbabilityBars.from_trace(trace, k=self.k)
        bars.shift(
            [-bars.bars[0].get_left()[0] - 1.5, tokens.get_bottom()[1] - 0.8 - bars.get_top()[1], 0]
        )
        caption = text("temperature 1", 26, PALETTE["muted"]).to_edge(DOWN)
        self.say(
            "The model gives every token in its vocabulary a probability.",
            (FadeIn(bars.labels, shift=RIGHT * 0.5), FadeIn(caption, shift=UP * 0.5)),
            LaggedStart(*(GrowFromEdge(b, LEFT) for b in bars.bars), lag_ratio=0.2),
            FadeIn(bars.numbers, shift=LEFT * 0.5),
        )
        first = VGroup(bars.labels[0], bars.numbers[0])
        self.say(
            f'"{top[0].token.strip()}" comes first, with {pct(top[0].prob)} percent: the '
            "small model has learned this fact.",
            LightUp(first),
        )

        t = self.temperature
        said = said_number(t)
        self.section(f"Distribution at temperature {said}")
        hot = bars.at_temperature(t)
        caption2 = text(f"temperature {said}", 26, PALETTE["muted"]).move_to(caption)
        before, after = pct(top[0].prob), pct(hot.probs[0])
        if t == 0:
            effect = "A temperature of zero leaves all the probability on the top token"
            others = "The other tokens get no chance at all: sampling always picks the top one."
        elif t == 1:
            effect = "Dividing the scores by a temperature of 1 before the softmax changes nothing"
            others = "Sampling gives every token the same chance as before."
        elif t > 1:
            effect = (
                f"Dividing the scores by a temperature of {said} before the softmax flattens "
                "the distribution"
            )
            others = "The other tokens get more of a chance when we sample."
        else:
            effect = (
                f"Dividing the scores by a temperature of {said} before the softmax sharpens "
                "the distribution"
            )
            others = "The other tokens get even less of a chance when we sample."
        if before == after:
            change = f"the top share stays at {after} percent on screen"
        else:
            way = "falls" if hot.probs[0] < top[0].prob else "rises"
            change = f"the top share {way} from {before} to {after} percent"
        self.say(
            f"{effect}: {change}.",
            (ReplacementTransform(bars, hot), ReplacementTransform(caption, caption2)),
            LightUp(caption2),
        )
        self.say(
            f'Now "{top[0].token.strip()}" gets {pct(hot.probs[0])} percent, and '
            f'"{display_token(hot.tokens[1]).lstrip("␣")}" gets {pct(hot.probs[1])}.',
            LightUp(VGroup(hot.labels[0], hot.numbers[0])),
            LightUp(VGroup(hot.labels[1], hot.numbers[1])),
        )
        self.say(others, LightUp(VGroup(*hot.bars[1:], *hot.labels[1:])))
        self.bars = hot

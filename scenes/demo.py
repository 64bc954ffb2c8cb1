"""Demo: the embedded model's real next-token distribution for a fact prompt.

Render with ``manim render -ql scenes/demo.py NextTokenDemo``. The prompt and the second
temperature follow the llmviz settings (``LLMVIZ_PROMPT``, ``LLMVIZ_TEMPERATURE``, llmviz.toml).
"""

from __future__ import annotations

from manim import DOWN, UP, FadeIn, ReplacementTransform, Write

from llmviz.mobjects import FastText, ProbabilityBars, TokenStrip
from llmviz.scene import LectureScene
from llmviz.style import PALETTE


class NextTokenDemo(LectureScene):
    """The real top next tokens for a prompt at temperature 1, then at another temperature."""

    prompt = "Michael Jordan plays the sport of"
    temperature = 2.0
    k = 6

    def construct(self) -> None:
        trace = self.trace(self.prompt)
        top = trace.top_k(1)[0]
        self.section(
            "Prompt",
            (
                "A language model reads a piece of text, split into tokens, and predicts the token that "
                "comes next. These boxes are the tokens of our prompt, exactly as the tokenizer cut it."
            ),
        )
        title = FastText("What comes next?", font_size=40).to_edge(UP)
        tokens = TokenStrip(trace.tokens).next_to(title, DOWN, buff=0.5)
        self.play(Write(title), FadeIn(tokens, lag_ratio=0.15))

        self.section(
            "Distribution at temperature 1",
            (
                f'The model gives every token in its vocabulary a probability. "{top.token.strip()}" comes '
                f"first with {100 * top.prob:.1f} percent: the small model has learned this fact."
            ),
        )
        bars = ProbabilityBars.from_trace(trace, k=self.k)
        bars.shift(
            [-bars.bars[0].get_left()[0] - 1.5, tokens.get_bottom()[1] - 0.8 - bars.get_top()[1], 0]
        )
        caption = FastText("temperature 1", font_size=24, color=PALETTE["muted"]).to_edge(DOWN)
        self.play(FadeIn(bars, lag_ratio=0.1), FadeIn(caption))
        self.wait()

        hot = bars.at_temperature(self.temperature)
        self.section(
            f"Distribution at temperature {self.temperature:g}",
            (
                f"Dividing the scores by a temperature of {self.temperature:g} before the softmax flattens the "
                f'distribution: "{top.token.strip()}" now gets {100 * hot.probs[0]:.1f} percent, and the other '
                "tokens get more of a chance when we sample."
            ),
        )
        caption2 = FastText(
            f"temperature {self.temperature:g}", font_size=24, color=PALETTE["muted"]
        ).to_edge(DOWN)
        self.play(ReplacementTransform(bars, hot), ReplacementTransform(caption, caption2))
        self.bars = hot
        self.wait()

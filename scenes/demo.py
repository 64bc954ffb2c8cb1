"""Demo: the embedded model's real next-token distribution for a fact prompt.

Render with ``manim render -ql scenes/demo.py NextTokenDemo``.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    Scene,
    Text,
    VGroup,
    Write,
)

import llmviz
from llmviz.style import BACKGROUND, FONT, PALETTE, display_token, format_number


def _token_row(tokens: tuple[str, ...]) -> VGroup:
    boxes = VGroup()
    for tok in tokens:
        label = Text(display_token(tok), font=FONT, font_size=26, color=PALETTE["text"])
        box = RoundedRectangle(
            corner_radius=0.08,
            width=label.width + 0.3,
            height=0.6,
            stroke_color=PALETTE["muted"],
            fill_color=PALETTE["box"],
            fill_opacity=1,
        )
        boxes.add(VGroup(box, label.move_to(box)))
    return boxes.arrange(RIGHT, buff=0.12)


def _bars(top: list[llmviz.TokenProb], width: float = 6.0) -> VGroup:
    rows = VGroup()
    for i, cand in enumerate(top):
        bar = Rectangle(
            width=max(width * cand.prob, 0.02),
            height=0.36,
            stroke_width=0,
            fill_color=PALETTE["positive"],
            fill_opacity=1,
        )
        bar.move_to([0, -0.55 * i, 0], aligned_edge=LEFT)  # every bar starts at x = 0
        label = Text(display_token(cand.token), font=FONT, font_size=24, color=PALETTE["text"])
        value = Text(
            f"{format_number(100 * cand.prob, 1)}%", font=FONT, font_size=22, color=PALETTE["muted"]
        )
        rows.add(
            VGroup(label.next_to(bar, LEFT, buff=0.2), bar, value.next_to(bar, RIGHT, buff=0.15))
        )
    return rows


class NextTokenDemo(Scene):
    """The real top-6 next tokens for a fact prompt, at temperature 1 and then 2."""

    prompt = "Michael Jordan plays the sport of"
    k = 6

    def construct(self) -> None:
        self.camera.background_color = BACKGROUND
        trace = llmviz.load_model().run(self.prompt)

        self.next_section("Prompt")
        title = Text("What comes next?", font=FONT, font_size=40, color=PALETTE["text"]).to_edge(UP)
        tokens = _token_row(trace.tokens).next_to(title, DOWN, buff=0.5)
        self.play(Write(title), FadeIn(tokens, lag_ratio=0.15))

        self.next_section("Distribution at temperature 1")
        bars = _bars(trace.top_k(self.k, temperature=1.0))
        bars.shift([-bars[0][1].get_left()[0] - 2.0, tokens.get_bottom()[1] - 0.8, 0])
        caption = Text("temperature 1", font=FONT, font_size=24, color=PALETTE["muted"]).to_edge(
            DOWN
        )
        self.play(FadeIn(bars, lag_ratio=0.1), FadeIn(caption))
        self.wait()

        self.next_section("Distribution at temperature 2")
        bars2 = _bars(trace.top_k(self.k, temperature=2.0))
        bars2.shift(bars[0][1].get_left() - bars2[0][1].get_left())  # same bar origin
        caption2 = Text("temperature 2", font=FONT, font_size=24, color=PALETTE["muted"]).to_edge(
            DOWN
        )
        self.play(ReplacementTransform(bars, bars2), ReplacementTransform(caption, caption2))
        self.wait()

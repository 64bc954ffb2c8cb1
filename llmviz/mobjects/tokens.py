"""The prompt's real tokens in boxes, as the tokenizer split them."""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, RIGHT, UP, Mobject, RoundedRectangle, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects.numbers import FastText
from llmviz.style import FONTS, PALETTE, display_token

__all__ = ["TokenStrip"]


class TokenStrip(VGroup):
    """One box per token; a leading space shows as "␣", a newline as "↵".

    Parameters
    ----------
    tokens
        Token strings exactly as the tokenizer produced them (``trace.tokens``).
    font_size
        Text size inside the boxes.
    buff
        Gap between boxes.
    min_width
        Boxes are at least this wide, so that short tokens still line up with vectors below.

    Examples
    --------
    >>> from llmviz.mobjects import TokenStrip
    >>> strip = TokenStrip(["Michael", " Jordan"])
    >>> strip.labels
    ['Michael', '␣Jordan']
    """

    def __init__(
        self,
        tokens: Sequence[str],
        font_size: float = 24,
        buff: float = 0.1,
        min_width: float = 0.5,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise LLMVizError("TokenStrip expects a list of token strings, e.g. trace.tokens")
        self.tokens = list(tokens)
        self.labels = [display_token(t) for t in self.tokens]
        self.boxes = VGroup()
        for label in self.labels:
            text = FastText(label, font_size, font=FONTS["mono"], color=PALETTE["text"])
            box = RoundedRectangle(
                corner_radius=0.08,
                width=max(text.width + 0.25, min_width),
                height=font_size / 48 * 1.0 + 0.15,
                stroke_color=PALETTE["muted"],
                stroke_width=2,
                fill_color=PALETTE["box"],
                fill_opacity=1,
            )
            text.move_to(box)
            # every token sits on the same baseline, a little below the box's middle
            text.shift(UP * (box.get_y() - 0.3 * font_size / 48 - text.baseline))
            self.boxes.add(VGroup(box, text))
        if len(self.boxes):
            self.boxes.arrange(RIGHT, buff=buff)
        self.add(self.boxes)

    def __len__(self) -> int:
        return len(self.tokens)

    def align_below(self, mobjects: Sequence[Mobject], buff: float = 0.3) -> VGroup:
        """Put ``mobjects[i]`` under token ``i`` (e.g. one vector per token); returns them grouped."""
        if len(mobjects) != len(self.boxes):
            raise LLMVizError(
                f"align_below needs one mobject per token ({len(self.boxes)}), got {len(mobjects)}"
            )
        for box, m in zip(self.boxes, mobjects, strict=True):
            m.next_to(box, DOWN, buff=buff)
            m.set_x(box.get_x())
        return VGroup(*mobjects)

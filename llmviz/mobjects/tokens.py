"""The prompt's real tokens in boxes, as the tokenizer split them."""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, RIGHT, UP, Mobject, RoundedRectangle, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_size
from llmviz.mobjects.numbers import FastText
from llmviz.style import FONTS, PALETTE, display_token

__all__ = ["TokenStrip", "READABLE_FONT_SIZE", "STAND_IN_NOTE"]

#: A strip too wide for ``max_width`` shrinks, but never below this font size (readable at 480p);
#: past that, it leaves out tokens in the middle.
READABLE_FONT_SIZE = 20.0

#: What a strip says (once per scene) when a token holds only part of a character.
STAND_IN_NOTE = "<byte 0x..>: a byte of a character (an emoji, a letter) split across tokens"

#: Scenes that have shown :data:`STAND_IN_NOTE`; LectureScene clears it in setup.
NOTED: set[str] = set()


class TokenStrip(VGroup):
    """One box per token; a leading space shows as "␣", a newline as "↵", a token holding only
    part of a character as ``<byte 0xF0>`` (with a note under the strip, once per scene).

    A strip wider than ``max_width`` (a 64-token prompt) first shrinks, down to a font size of
    :data:`READABLE_FONT_SIZE`; if it still does not fit, the tokens in the middle are left out
    behind one "… N more …" box (:attr:`hidden` lists them). Every token keeps its box in
    :attr:`boxes` (a hidden one sits, invisible, in the elision box), so index ``i`` is always
    token ``i``.

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
    max_width
        The widest the strip may be (frame units); ``None`` for no limit.

    Examples
    --------
    >>> from llmviz.mobjects import TokenStrip
    >>> strip = TokenStrip(["Michael", " Jordan"])
    >>> strip.labels
    ['Michael', '␣Jordan']
    >>> long = TokenStrip([" basketball"] * 64)
    >>> bool(long.width <= 13.0), len(long.boxes), len(long.hidden) > 0
    (True, 64, True)

    .. manim:: TokenStripExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import TokenStrip
        from llmviz.model import load_model

        class TokenStripExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                self.add(TokenStrip(trace.tokens))
                self.wait(0.1)
    """

    def __init__(
        self,
        tokens: Sequence[str],
        font_size: float = 24,
        buff: float = 0.1,
        min_width: float = 0.5,
        max_width: float | None = 13.0,
        **kwargs,
    ) -> None:
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise LLMVizError(
                "TokenStrip: tokens must be a list of token strings, e.g. trace.tokens"
            )
        check_size(font_size, "font_size", "TokenStrip")
        check_size(buff, "buff", "TokenStrip", zero=True)
        check_size(min_width, "min_width", "TokenStrip", zero=True)
        check_size(max_width, "max_width", "TokenStrip", optional=True)
        super().__init__(**kwargs)
        self.tokens = list(tokens)
        self.labels = [display_token(t) for t in self.tokens]
        self.hidden: list[int] = []
        self.elision: VGroup | None = None
        self.note: FastText | None = None
        self.boxes = VGroup(*(self._box(label, font_size, min_width) for label in self.labels))
        if len(self.boxes):
            self.boxes.arrange(RIGHT, buff=buff)
        self.add(self.boxes)
        if max_width is not None and len(self.boxes) and self.boxes.width > max_width:
            self._fit(max_width, font_size, buff, min_width)
        if any("<byte 0x" in label for label in self.labels) and "scene" not in NOTED:
            NOTED.add("scene")
            size = max(READABLE_FONT_SIZE, 0.8 * min(font_size, 24))
            self.note = FastText(STAND_IN_NOTE, size, color=PALETTE["muted"])
            if max_width is not None and self.note.width > max_width:
                self.note.scale_to_fit_width(max_width)
            self.note.next_to(self.boxes, DOWN, buff=0.15)
            self.add(self.note)

    @staticmethod
    def _box(label: str, font_size: float, min_width: float) -> VGroup:
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
        return VGroup(box, text)

    def _fit(self, max_width: float, font_size: float, buff: float, min_width: float) -> None:
        """Shrink to ``max_width``; below a readable size, leave out the middle tokens."""
        scale = max_width / self.boxes.width
        if font_size * scale >= READABLE_FONT_SIZE or len(self.boxes) < 3:
            self.boxes.scale(scale)
            return
        scale = min(1.0, READABLE_FONT_SIZE / font_size)
        widths = [b.width * scale for b in self.boxes]
        gap = buff * scale
        n = len(widths)
        head, tail = [0], [n - 1]
        ellipsis = self._box("… 99 more …", font_size, min_width).width * scale
        used = widths[0] + widths[-1] + ellipsis + 2 * gap
        while len(head) + len(tail) < n - 1:  # add tokens from both ends, the end first
            at_end = len(tail) <= len(head)
            nxt = tail[0] - 1 if at_end else head[-1] + 1
            if used + widths[nxt] + gap > max_width:
                break
            used += widths[nxt] + gap
            if at_end:
                tail.insert(0, nxt)
            else:
                head.append(nxt)
        self.hidden = list(range(head[-1] + 1, tail[0]))
        if not self.hidden:  # everything but nothing fits: shrink after all
            self.boxes.scale(max_width / self.boxes.width)
            return
        self.elision = self._box(f"… {len(self.hidden)} more …", font_size, min_width)
        self.elision[0].set_stroke(opacity=0.6)
        self.boxes.scale(scale)
        self.elision.scale(scale)
        row = VGroup(*(self.boxes[i] for i in head), self.elision, *(self.boxes[i] for i in tail))
        row.arrange(RIGHT, buff=gap)
        for i in self.hidden:
            box = self.boxes[i]
            box.scale_to_fit_height(self.elision.height * 0.5).move_to(self.elision)
            box.set_opacity(0)
        self.add(self.elision)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def drawn(self) -> list[Mobject]:
        """The boxes on screen, left to right: every token's box but the hidden ones, with the
        "… N more …" box where they are (to fade in one by one)."""
        boxes = [b for i, b in enumerate(self.boxes) if i not in self.hidden]
        if self.hidden:
            boxes.insert(self.hidden[0], self.elision)
        return boxes

    def align_below(self, mobjects: Sequence[Mobject], buff: float = 0.3) -> VGroup:
        """Put ``mobjects[i]`` under token ``i`` (e.g. one vector per token); returns them grouped.
        Those of hidden tokens (see :attr:`hidden`) go under the elision box."""
        if len(mobjects) != len(self.boxes):
            raise LLMVizError(
                f"align_below needs one mobject per token ({len(self.boxes)}), got {len(mobjects)}"
            )
        for box, m in zip(self.boxes, mobjects, strict=True):
            m.next_to(box, DOWN, buff=buff)
            m.set_x(box.get_x())
        return VGroup(*mobjects)

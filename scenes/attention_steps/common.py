"""What every step of the attention chapter shares: the prompt's trace, the head it follows
(found by the analysis, never hard-coded) and helpers that lay out real values."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    UR,
    VGroup,
    config,
)

from llmviz.errors import PromptError
from llmviz.layout import fill_frame, fit_width, lines, text
from llmviz.mobjects import AttentionGrid, FastNumber, TokenStrip
from llmviz.model.analysis.heads import safe_focus
from llmviz.model.config import GPT3_CONFIG
from llmviz.model.trace import hook_name
from llmviz.scene import LectureScene
from llmviz.style import DEFAULTS, PALETTE, display_token, format_number

__all__ = ["AttentionScene", "MAX_TOKENS", "MARGIN", "QUERY", "KEY", "VALUE", "READABLE", "shape"]

#: The chapter draws one column per token; longer prompts would not fit the frame.
MAX_TOKENS = 12
#: One colour per concept, the whole chapter long.
QUERY, KEY, VALUE = "highlight", "accent", "positive"
#: The gap kept between a picture and the frame's edges.
MARGIN = 0.5
#: Font size of every number and label: the smallest readable at 480p (19.5), rounded up.
READABLE = 20


def shape(n: int) -> str:
    """A size as the screen writes it: 12,288."""
    return f"{n:,}"


class AttentionScene(LectureScene):
    """The prompt, the head the chapter follows and that head's queries, keys and values."""

    unused_settings = {
        "seed": "no step samples a token",
        "temperature": "it shows attention weights, not next-token probabilities",
        "contrasts": "they are the MLP chapter's",
    }

    pulse_below = 0.75  # the beats that barely move end by lighting up what they showed
    max_stretch = 3.0  # a beat's animations may take up to three times their own time
    #: The chapter's acts: the heads of a layer, then attention beyond one prompt's head.
    acts = ("multi_head", "cross")

    prompt = "a fluffy blue creature roamed the verdant forest"
    #: Pairs of contexts that end in the same word, for "Why attention".
    contexts = (
        ("The tower", "The Eiffel tower"),
        ("The tower", "The miniature Eiffel tower"),
        ("The model", "The fashion model"),
        ("The mole", "One mole"),
    )
    #: Prompt lengths (tokens) for "Context size"; capped at the model's context window.
    context_lengths = (4, 8, 16, 32, 64)
    gpt3 = GPT3_CONFIG

    def setup(self) -> None:
        super().setup()
        self.t = self.trace(self.prompt)
        self.n = self.t.n_tokens
        if not 2 <= self.n <= MAX_TOKENS:
            raise PromptError(
                f"the attention chapter draws one column per token and needs a prompt of 2 to "
                f"{MAX_TOKENS} tokens; {self.prompt!r} has {self.n} tokens"
            )
        self.focus = safe_focus(self.model, self.t)
        f = self.focus
        self.L, self.h, self.q = f.layer, f.head, f.query
        self.x = self.t[hook_name("ln1", self.L)]  # [pos, d_model]: what the head reads
        self.E = self.t[hook_name("resid_pre", self.L)]  # [pos, d_model]: the stream it adds to
        self.Q = self.t[hook_name("q", self.L)][:, self.h]  # [pos, d_head]
        self.K = self.t[hook_name("k", self.L)][:, self.h]
        self.V = self.t[hook_name("v", self.L)][:, self.h]
        self.pattern = self.t[hook_name("pattern", self.L)][self.h]  # [query, key]
        self.dots = self.Q.astype(np.float64) @ self.K.T.astype(np.float64)  # [query, key]
        self.scaled = self.dots / math.sqrt(self.model.cfg.d_head)

    # --- words built from the values -----------------------------------------------------------
    def tok(self, i: int) -> str:
        return self.t.tokens[i].strip() or display_token(self.t.tokens[i])

    @property
    def noun(self) -> str:
        return self.tok(self.q)

    @property
    def key_words(self) -> list[str]:
        return [self.tok(k) for k in self.focus.keys]

    def where(self) -> str:
        return f"layer {self.L}, head {self.h}"

    # --- from one step to the next ------------------------------------------------------------
    # --- layout helpers ------------------------------------------------------------------------
    @staticmethod
    def fill(group, head=True, caption=False, most: float = 1.3):
        """:func:`~llmviz.layout.fill_frame` ``group`` (at most ``most`` times larger), but never
        smaller, so that no number shrinks below the readable size."""
        return fill_frame(group, head, caption, most, shrink=False)

    def strip(self, font_size: float = 22, min_width: float = 0.5) -> TokenStrip:
        return fit_width(TokenStrip(self.t.tokens, font_size=font_size, min_width=min_width))

    @staticmethod
    def shown_tokens(strip: TokenStrip) -> list[int]:
        """The tokens whose boxes ``strip`` draws (a long prompt hides some behind "… N more …":
        no vector goes under those)."""
        return [i for i in range(len(strip.boxes)) if i not in strip.hidden]

    @staticmethod
    def pitch(strip: TokenStrip) -> float:
        """The distance between neighbouring boxes that ``strip`` draws: the room for a vector
        under each token."""
        xs = sorted(float(b.get_x()) for b in strip.drawn)
        return min((b - a for a, b in zip(xs, xs[1:], strict=False)), default=strip.width)

    @staticmethod
    def under(strip: TokenStrip, mobjects: dict, buff: float) -> VGroup:
        """Put ``mobjects[i]`` under the box of token ``i`` (drawn tokens only); returns them."""
        for i, m in mobjects.items():  # under the strip's note on byte tokens too, if it has one
            m.next_to(strip, DOWN, buff=buff).set_x(strip.boxes[i].get_x())
        return VGroup(*mobjects.values())

    @staticmethod
    def width() -> float:
        """The frame's width inside the margins: the most a row of pictures may take."""
        return config.frame_width - 2 * MARGIN

    @staticmethod
    def room_right(x: float) -> float:
        """The width left between ``x`` and the frame's right margin."""
        return config.frame_width / 2 - MARGIN - x

    @staticmethod
    def covers(a, b) -> bool:
        """Whether the boxes of ``a`` and ``b`` overlap."""
        (a0, a1), (b0, b1) = (
            (a.get_corner(DL), a.get_corner(UR)),
            (b.get_corner(DL), b.get_corner(UR)),
        )
        return bool((a0[:2] < b1[:2]).all() and (b0[:2] < a1[:2]).all())

    def column_width(self) -> float:
        return min(1.55, 12.8 / self.n)

    def footer(self, s: str, size: float = 20, color: str | None = None):
        """A line at the bottom edge; too long for the frame, it breaks into two lines."""
        color = color or PALETTE["muted"]
        t = text(s, size, color)
        if t.width > 13.0:
            words = s.split(" ")
            cut = min(
                range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(s) / 2)
            )
            t = fit_width(
                lines(" ".join(words[:cut]), " ".join(words[cut:]), size=size, color=color)
            )
        return t.to_edge(DOWN, buff=0.3)

    def plane_caption(self, proj, what: str, plane=None):
        """Two small lines under a 2-D picture (under ``plane``'s axes, inside the frame): what it
        shows, which projection and how much of the spread it keeps (:meth:`Projection.caption`)."""
        rest = proj.caption(what)[len(what) + 2 :]
        cap = lines(f"{what}:", rest, size=20, color=PALETTE["muted"])
        if plane is not None:
            cap.next_to(plane.axes, DOWN, buff=0.12)
            if cap.get_left()[0] < -6.6:
                cap.to_edge(LEFT, buff=0.5)
        return cap

    @staticmethod
    def places(values, width: float, size: float = READABLE, sign: bool = False, least: int = 0):
        """Digits after the point for ``values`` in a slot ``width`` wide: the ``decimals``
        setting, fewer where the widest number written at ``size`` would not fit (never fewer
        than ``least``), so that a vector or a column keeps its size at 6 decimals."""
        vals = np.asarray(values, dtype=np.float64).ravel()
        vals = vals[np.isfinite(vals)]
        top = max(DEFAULTS["decimals"], least)
        for d in range(top, least - 1, -1):
            widest = max(vals, key=lambda v: len(format_number(v, d, sign)), default=0.0)
            if FastNumber(float(widest), d, sign=sign, font_size=size).width <= width:
                return d
        return least

    def grid(self, values: np.ndarray, **kw) -> AttentionGrid:
        cell = min(0.56, 4.5 / self.n)
        opts = dict(tokens=self.t.tokens, cell_size=cell, font_size=min(20, 40 * cell))
        return AttentionGrid(values, **{**opts, **kw})

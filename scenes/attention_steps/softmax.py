"""Step 6: scale, mask and softmax, with the formula softmax(QKᵀ/√d_k + M)V lighting up part by
part as the grid goes through it."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    Indicate,
    MathTex,
    ReplacementTransform,
    VGroup,
    Write,
)

from attention_steps.common import QUERY, VALUE, AttentionScene
from llmviz.animations import Softmax
from llmviz.scene import text, title
from llmviz.style import PALETTE

#: The formula's parts, in the order the grid goes through them.
FORMULA = (r"\mathrm{softmax}\Big(", r"Q K^{\top}", r"/\sqrt{d_k}", r"+\,M", r"\Big)", r"\,V")


def formula(size: float = 40) -> MathTex:
    """softmax(QKᵀ/√d_k + M)V, one part per sub-mobject (see :data:`FORMULA`)."""
    m = MathTex(*FORMULA, font_size=size, color=PALETTE["text"])
    m.text = "".join(FORMULA)
    return m


class SoftmaxStep(AttentionScene):
    def step_scale_mask_softmax(self) -> None:
        dk = self.model.cfg.d_head
        noun = self.noun
        p = self.pattern[self.q]
        top = sorted(range(self.n), key=lambda k: -p[k])[:2]
        share = " and ".join(f'"{self.tok(k)}" {p[k]:.2f}' for k in top)
        self.section("Scale, mask, softmax")
        head = title(f"Scores to weights: {self.where()}")
        raw = self.grid(self.dots, causal=False, normalize="global", show_numbers=True)
        raw.next_to(head, DOWN, buff=0.4).to_edge(LEFT, buff=0.8)
        eq = formula(40).next_to(raw, RIGHT, buff=0.6).align_to(raw, UP)
        cap = text("q · k", 26).next_to(eq, DOWN, buff=0.6).align_to(eq, LEFT)
        scaled = raw.copy_with(self.scaled)
        cap2 = text(f"q · k / √{dk}", 26).move_to(cap, aligned_edge=LEFT)
        masked_values = np.where(np.triu(np.ones((self.n, self.n), bool), 1), -np.inf, self.scaled)
        masked = raw.copy_with(masked_values, causal=True)
        cap3 = text("M: −∞ where the key comes later", 26).move_to(cap, aligned_edge=LEFT)
        soft = Softmax(masked, run_time=1.5)
        cap4 = text("softmax down each column", 26).move_to(cap, aligned_edge=LEFT)
        sums = text("every column sums to 1", 22, PALETTE["muted"]).next_to(cap4, DOWN, buff=0.3)
        sums.align_to(cap4, LEFT)
        self.shown["formula"] = eq
        self.shown["raw"], self.shown["scaled"], self.shown["masked"] = raw, scaled, masked
        self.shown["pattern"] = soft.result

        def light(i: int, color: str = PALETTE["highlight"]):
            """Part ``i`` of the formula in ``color``, the others back to the text colour."""
            return [
                eq[j].animate.set_color(color if j == i else PALETTE["text"])
                for j in range(len(FORMULA))
            ]

        self.say(
            "The whole step from scores to weights fits in one line.",
            FadeIn(head, shift=DOWN * 0.5),
            Write(eq),
        )
        self.say(
            "Q K-transpose is the grid we just drew: every query against every key.",
            [FadeIn(raw, shift=UP * 0.3), FadeIn(cap), *light(1, PALETTE[QUERY])],
        )
        caps = [cap, cap2, cap3, cap4]

        def caption(i: int):
            return ReplacementTransform(caps[i - 1], caps[i])

        self.say(
            "Every score is divided by the square root of the size of a key.",
            [ReplacementTransform(raw, scaled), caption(1), *light(2)],
        )
        self.say(
            f"Here that is the square root of {dk}, which keeps the numbers in a range where "
            "softmax still works well.",
            Indicate(cap2, scale_factor=1.2),
            Indicate(scaled.cells, scale_factor=1.05),
            Indicate(eq[2], scale_factor=1.3),
        )
        self.say(
            "Then every cell whose key comes after its query is set to minus infinity, so that a "
            "word cannot peek at the words that follow it.",
            [ReplacementTransform(scaled, masked), caption(2), *light(3)],
        )
        self.say(
            "Softmax runs down each column: the minus infinities become exact zeros, and each "
            "column adds up to 1.",
            [soft, caption(3), *light(0)],
            FadeIn(sums, shift=UP * 0.3),
        )
        self.say(
            f'The column of "{noun}" now gives {share}.',
            Create(soft.result.highlight_column(self.q)),
            Indicate(
                VGroup(*(soft.result.highlight_cell(k, self.q) for k in top)), scale_factor=1.2
            ),
        )
        v_note = text("V: the values these weights will add up", 22, PALETTE[VALUE])
        v_note.next_to(sums, DOWN, buff=0.5).align_to(sums, LEFT)
        self.say(
            "The V at the end says what the weights are for: adding up value vectors, next.",
            [*light(5, PALETTE[VALUE]), FadeIn(v_note, shift=LEFT * 0.3)],
        )

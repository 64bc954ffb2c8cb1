"""Scenes ScaleMaskSoftmax (lecture steps E15 in COVERAGE.md). tests/scenes/test_attention.py pins
their section titles, the shown values ``column``, ``formula``, ``masked``, ``pattern``, ``raw``,
``scaled``, and that every number said is on screen.

Step 6: scale, mask and softmax, with the formula softmax(QKᵀ/√d_k + M)V lighting up part by
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
    MathTex,
    ReplacementTransform,
    VGroup,
    Write,
)

from attention_steps.common import QUERY, READABLE, VALUE, AttentionScene
from llmviz.animations import LightUp, Softmax
from llmviz.layout import fit_width, lines, text, title
from llmviz.mobjects import FastNumber
from llmviz.steps import step
from llmviz.style import PALETTE, format_number

#: The formula's parts, in the order the grid goes through them.
FORMULA = (r"\mathrm{softmax}\Big(", r"Q K^{\top}", r"/\sqrt{d_k}", r"+\,M", r"\Big)", r"\,V")


def formula(size: float = 40) -> MathTex:
    """softmax(QKᵀ/√d_k + M)V, one part per sub-mobject (see :data:`FORMULA`)."""
    m = MathTex(*FORMULA, font_size=size, color=PALETTE["text"])
    m.text = "".join(FORMULA)
    return m


class SoftmaxStep(AttentionScene):
    def readout(self, grid, values: np.ndarray, decimals: int, left: float) -> VGroup:
        """The noun's column of ``values`` (``[query, key]``) written beside ``grid``: one number
        per key, level with its row, right-aligned at ``left`` plus the widest number's width
        (the grid keeps its dots; numbers in cells would be too small to read at 480p)."""
        col = values[self.q]
        nums = [
            FastNumber(float(v), decimals, font_size=READABLE, color=PALETTE["text"]) for v in col
        ]
        width = max(n.width for n in nums)
        for k, num in enumerate(nums):
            num.place(left + width, grid.cell_center(k, self.q)[1], "right")
            if k > self.q:  # a key after the noun: masked, then weight 0
                num.set_color(PALETTE["muted"])
        return VGroup(*nums)

    @step("Scale, mask, softmax", order=6)
    def step_scale_mask_softmax(self) -> None:
        dk = self.model.cfg.d_head
        noun = self.noun
        p = self.pattern[self.q]
        head = title(f"Scores to weights: {self.where()}")
        labelled = self.grid(self.dots, causal=False, normalize="global")
        labelled.next_to(head, DOWN, buff=0.4).to_edge(LEFT, buff=0.6)
        # the token labels stay put; only the cells go through the stages (cheaper transforms)
        tokens = VGroup(labelled.query_labels, labelled.key_labels)
        raw = labelled.copy_with(self.dots, tokens=None)
        scaled = raw.copy_with(self.scaled)
        masked_values = np.where(np.triu(np.ones((self.n, self.n), bool), 1), -np.inf, self.scaled)
        masked = raw.copy_with(masked_values, causal=True)
        soft = Softmax(masked, run_time=1.5)
        # the noun's column, written out beside the grid at every stage
        d = self.places(np.concatenate([self.dots[self.q], self.scaled[self.q]]), 1.3)
        dw = self.places(p, 1.3, least=2)  # weights: never fewer than 2 decimals
        left = raw.cells.get_right()[0] + 0.3
        if raw.lines is not None:
            left = raw.lines.get_right()[0] + 0.3
        stages = [
            self.readout(raw, v, dd, left)
            for v, dd in ((self.dots, d), (self.scaled, d), (masked_values, d), (soft.values, dw))
        ]
        box = raw.highlight_column(self.q)
        col_lab = lines(
            "column", f'"{noun}"', size=READABLE, color=PALETTE["highlight"], align="left"
        )
        col_lab.next_to(stages[0], UP, buff=0.2).align_to(stages[0], LEFT)
        side = VGroup(*stages, col_lab)
        eq = formula(40).next_to(side, RIGHT, buff=0.5).align_to(labelled, UP)
        fit_width(eq, self.room_right(eq.get_left()[0])).align_to(
            side.get_right() + 0.5 * RIGHT, LEFT
        )
        room = self.room_right(eq.get_left()[0])
        cap = fit_width(text("q · k", 26), room).next_to(eq, DOWN, buff=0.6).align_to(eq, LEFT)
        cap2 = fit_width(text(f"q · k / √{dk}", 26), room).move_to(cap, aligned_edge=LEFT)
        cap3 = fit_width(text("M: −∞ where the key comes later", 26), room)
        cap3.move_to(cap, aligned_edge=LEFT)
        cap4 = fit_width(text("softmax down each column", 26), room).move_to(cap, aligned_edge=LEFT)
        sums = fit_width(text("every column sums to 1", 22, PALETTE["muted"]), room)
        sums.next_to(cap4, DOWN, buff=0.3).align_to(cap4, LEFT)
        top = sorted(range(self.n), key=lambda k: -p[k])[:2]
        share = " and ".join(f'"{self.tok(k)}" {format_number(p[k], dw)}' for k in top)
        self.shown["formula"] = eq
        self.shown["raw"], self.shown["scaled"], self.shown["masked"] = raw, scaled, masked
        self.shown["pattern"] = soft.result
        self.shown["column"] = dict(
            zip(("raw", "scaled", "masked", "pattern"), stages, strict=True)
        )

        def light(i: int, color: str = PALETTE["highlight"]):
            """Part ``i`` of the formula in ``color``, the others back to the text colour."""
            return [
                eq[j].animate.set_color(color if j == i else PALETTE["text"])
                for j in range(len(FORMULA))
            ]

        grid = self.received("grid")  # the last step's grid of scores, in place
        self.say(
            "The whole step from scores to weights fits in one line.",
            self.title_in(head),
            [Write(eq), *([ReplacementTransform(grid, labelled)] if grid is not None else [])],
        )
        if grid is not None:  # the same picture, drawn from here on as labels and cells
            self.remove(labelled)
            self.add(tokens, raw)
        self.say(
            "Q K-transpose is the grid we just drew: every query against every key.",
            [
                *([FadeIn(VGroup(tokens, raw), shift=UP * 0.3)] if grid is None else []),
                FadeIn(cap),
                *light(1, PALETTE[QUERY]),
            ],
        )
        self.say(
            f'The column of "{noun}" is written out beside it, one score per key.',
            Create(box),
            (FadeIn(col_lab), FadeIn(stages[0], shift=LEFT * 0.3)),
        )
        caps = [cap, cap2, cap3, cap4]

        def step(i: int, grids, more=()):
            """Stage ``i``: the grid, the column and the caption turn into the next ones."""
            return [
                ReplacementTransform(*grids),
                ReplacementTransform(stages[i - 1], stages[i]),
                ReplacementTransform(caps[i - 1], caps[i]),
                *more,
            ]

        self.say(
            "Every score is divided by the square root of the size of a key.",
            step(1, (raw, scaled), light(2)),
        )
        self.say(
            f"Here that is the square root of {dk}, which keeps the numbers in a range where "
            "softmax still works well.",
            LightUp(cap2),
            LightUp(stages[1]),
            LightUp(eq[2]),
        )
        self.say(
            "Then every cell whose key comes after its query is set to minus infinity, so that a "
            "word cannot peek at the words that follow it.",
            step(2, (scaled, masked), light(3)),
        )
        self.say(
            "Softmax runs down each column: the minus infinities become exact zeros, and each "
            "column adds up to 1.",
            [
                soft,
                ReplacementTransform(stages[2], stages[3]),
                ReplacementTransform(cap3, cap4),
                *light(0),
            ],
            FadeIn(sums, shift=UP * 0.3),
        )
        self.say(
            f'The column of "{noun}" now gives {share}.',
            LightUp(VGroup(*(stages[3][k] for k in top))),
            LightUp(VGroup(*(soft.result.highlight_cell(k, self.q) for k in top))),
        )
        v_note = lines("V: the values these", "weights will add up", size=22, color=PALETTE[VALUE])
        fit_width(v_note, room)
        v_note.next_to(sums, DOWN, buff=0.5).align_to(sums, LEFT)
        self.say(
            "The V at the end says what the weights are for: adding up value vectors, next.",
            [*light(5, PALETTE[VALUE]), FadeIn(v_note, shift=LEFT * 0.3)],
        )
        self.hand_over(values=v_note)  # "V" turns into the value vectors' formula

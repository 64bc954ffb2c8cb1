"""Scenes InsideTheBlock, UpProjection, RowOfNames (lecture steps G7, G11 in COVERAGE.md).
tests/scenes/test_mlp.py pins their section titles, the shown values ``bias_clears``,
``row_parts``, ``threshold``, ``up_bias``, ``up_dot``, ``up_pre``, and that every number said is on
screen.

Steps 4 to 6: the block on every token at once, the up-projection drawn to shape, and the
row that adds a first-name part and a last-name part, with the bias as the bar to clear."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Cross,
    CurvedDoubleArrow,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    LaggedStart,
    MathTex,
    NumberLine,
    ReplacementTransform,
    RoundedRectangle,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import (
    backdrop,
    fill_frame,
    fit_width,
    in_frame,
    math,
    safe_area,
    stack_apart,
    text,
    title,
)
from llmviz.mobjects import Column, FastNumber, MatrixShape, NumericVector, TokenStrip, ValueTable
from llmviz.model.analysis import cosine
from llmviz.model.trace import hook_name
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import DEFAULTS, PALETTE
from llmviz.words import plain, signed
from mlp_steps.common import MLPScene, spread_table
from mlp_steps.directions import FIRST_COLOR, LAST_COLOR

MAX_COLUMNS = 7  # token columns that fit the frame at a readable size


class BlockStep(MLPScene):
    @step("Inside the block", order=4)
    def step_inside(self) -> None:
        t = self.traces[0]
        n_read = self.neuron.positions[0] % t.n_tokens  # the token the neuron is read at
        head = title(f"The MLP of layer {self.L}, on every token at once")
        # one column per token, at most MAX_COLUMNS (a long prompt shows its last tokens)
        first = max(0, t.n_tokens - MAX_COLUMNS)
        shown = range(first, t.n_tokens)
        k = min(1.0, 13.0 / (len(shown) * 1.8))
        strip = TokenStrip(t.tokens[first:], font_size=22 * k, min_width=1.5 * k, buff=0.3 * k)
        strip.next_to(head, DOWN, 0.4)

        def vec(v):
            return NumericVector(v, max_entries=4, head=3, tail=0, font_size=20 * k)

        E = [vec(t[hook_name("resid_mid", self.L)][i]) for i in shown]
        strip.align_below(E, buff=0.25)
        self.shown["inside_positions"] = list(shown)
        boxes = VGroup()
        for e in E:
            box = RoundedRectangle(
                corner_radius=0.1, width=1.3 * k, height=0.55 * k, stroke_color=PALETTE["accent"]
            )
            label = text("MLP", 22 * k, PALETTE["accent"]).move_to(box)
            boxes.add(VGroup(box, label).next_to(e, DOWN, 0.3))
        dE = [
            vec(t[hook_name("mlp_out", self.L)][i]).next_to(b, DOWN, 0.3)
            for i, b in zip(shown, boxes, strict=True)
        ]
        for v, b in zip(dE, boxes, strict=True):
            v.set_x(b.get_x())
        post = [
            vec(t[hook_name("resid_post", self.L)][i]).move_to(e)
            for i, e in zip(shown, E, strict=True)
        ]
        more = VGroup()
        if first:
            more = text(
                f"the last {len(shown)} of {t.n_tokens} tokens; the first {first} go through the "
                "same MLP",
                20,
                PALETTE["muted"],
            ).to_edge(DOWN, buff=0.3)
        # the whole picture, built first, fills the frame (room kept under it for the arrow)
        fill_frame(
            VGroup(strip, *E, *boxes, *dE, *post), title=head, caption=more if first else False
        )
        if first:
            self.say(
                f"This prompt has {t.n_tokens} tokens; here are the last {len(shown)}.",
                self.title_in(head),
                FadeIn(more, shift=UP * 0.5),
            )
        self.say(
            "The vectors of all the tokens flow into the block together.",
            *([] if first else [self.title_in(head)]),
            FadeIn(strip, shift=UP * 0.5),
            LaggedStart(*(FadeIn(e, shift=DOWN * 0.5) for e in E), lag_ratio=0.15),
        )
        self.say(
            "Each vector goes through the same short sequence of steps, on its own.",
            LaggedStart(
                *(TransformFromCopy(e, b) for e, b in zip(E, boxes, strict=True)), lag_ratio=0.15
            ),
            LightUp(boxes),
        )
        self.say(
            "Out comes a vector of the same size for every token.",
            [TransformFromCopy(e, v) for e, v in zip(E, dE, strict=True)],
        )
        self.shown["inside_post"] = post
        self.say(
            "That output is added to the vector that went in, and the sum flows on.",
            [
                *(TransformFromCopy(d, p) for d, p in zip(dE, post, strict=True)),
                *(FadeOut(e) for e in E),
            ],
            [d.animate.set_opacity(0.3) for d in dE],
        )
        read = n_read - first if n_read >= first else len(post) - 1
        self.hand_over(mlp=self.keep(boxes[read]), vector=self.keep(post[read]))
        if len(post) < 2:
            return
        a, b = post[0], post[min(2, len(post) - 1)]
        talk = CurvedDoubleArrow(
            a.get_bottom() + DOWN * 0.05,
            b.get_bottom() + DOWN * 0.05,
            angle=0.9,
            color=PALETTE["muted"],
            stroke_width=6,
        )
        cross = Cross(talk, stroke_color=PALETTE["negative"], scale_factor=0.35, stroke_width=8)
        self.say(
            "The vectors do not talk to each other here: that is what attention does.",
            Create(talk),
            Create(cross),
            LightUp(VGroup(talk, cross)),
        )

    @step("Up-projection", order=5)
    def step_up(self) -> None:
        n, t = self.neuron, self.traces[0]
        x = t[hook_name("ln2", self.L)][n.positions[0]]
        W_up = self.model.W("up", self.L)  # [d_model, d_mlp]: row vectors in the code
        cfg = self.model.cfg
        row = W_up[:, n.neuron]
        dot = float(row @ x)
        bias = float(self.model.W("b_up", self.L)[n.neuron])
        head = title("Rows of the up-projection ask questions")
        W_name = math(r"W_{\text{up}}", 36)
        mat = MatrixShape(cfg.d_mlp, cfg.d_model, height=5.2, name=W_name).to_edge(LEFT, buff=2.0)
        mat.shift(DOWN * 0.3)
        xs = MatrixShape(cfg.d_model, 1, height=5.2 * cfg.d_model / cfg.d_mlp, name=math("x", 36))
        xs.next_to(mat, RIGHT, buff=0.4)
        where = text(f"layer {self.L}", 22, PALETTE["muted"]).next_to(mat.name_label, LEFT, 0.3)
        r_v = NumericVector(row, direction="row", max_entries=6, font_size=20)
        x_v = NumericVector(x, direction="row", max_entries=6, font_size=20)
        lab_r = math(rf"\text{{row }}{n.neuron}", 28, PALETTE["highlight"])
        lab_x = math("x", 28)
        x_from = text(
            f"x: {self.story.names[0]}, at {self.read_token}, after LayerNorm", 20, PALETTE["muted"]
        )
        block = VGroup(
            VGroup(lab_r, r_v).arrange(RIGHT, buff=0.3), VGroup(lab_x, x_v).arrange(RIGHT, buff=0.3)
        )
        block.arrange(DOWN, aligned_edge=RIGHT, buff=0.3).next_to(xs, RIGHT, buff=0.7).shift(
            UP * 1.4
        )
        in_frame(block)
        x_from.next_to(block, UP, buff=0.25).align_to(block, LEFT)
        eq = VGroup(
            math(r"\text{row}\cdot x =", 30),
            FastNumber(dot, sign=True, font_size=28),
        ).arrange(RIGHT, buff=0.2)
        eq.next_to(block, DOWN, buff=0.4).align_to(block, LEFT)
        eq2 = VGroup(
            math(r"\text{row}\cdot x + b =", 30),
            FastNumber(dot, sign=True, font_size=28),
            FastNumber(bias, sign=True, font_size=28),
            math("=", 30),
            FastNumber(dot + bias, sign=True, font_size=28, color=PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.2)
        eq2.next_to(eq, DOWN, buff=0.25).align_to(eq, LEFT)
        names = self.story.names
        rows = VGroup()
        for name, pre in zip(names, n.pre, strict=True):
            val = FastNumber(
                pre,
                sign=True,
                font_size=24,
                color=PALETTE["positive"] if pre > 0 else PALETTE["negative"],
            )
            rows.add(VGroup(text(name, 22), val).arrange(RIGHT, buff=0.4))
            self.shown[f"pre:{name}"] = (val, pre)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.18).next_to(VGroup(eq, eq2), DOWN, buff=0.5)
        rows.align_to(eq, LEFT)
        # the whole picture, built first, fills the frame under the title
        fill_frame(VGroup(where, mat, xs, x_from, block, eq, eq2, rows), title=head, max_scale=1.5)
        # held by the frame's height, the picture leaves room at its sides: the matrices go to
        # the left edge of the safe area and the numbers to its right edge
        left, _, right, _ = safe_area(title=head)
        shapes, numbers = VGroup(where, mat, xs), VGroup(x_from, block, eq, eq2, rows)
        tag = text(f"row {n.neuron}", 22, PALETTE["highlight"])
        tag.next_to(mat.row_strip(n.neuron), LEFT, buff=0.2)  # the row's name, left of the matrix
        shapes.shift(RIGHT * (left - min(shapes.get_left()[0], tag.get_left()[0])))
        numbers.shift(RIGHT * (right - numbers.get_right()[0]))
        strip = mat.row_strip(n.neuron)
        tag.next_to(strip, LEFT, buff=0.2)
        opening = [FadeIn(mat, shift=RIGHT * 0.5), FadeIn(xs, shift=LEFT * 0.5)]
        box, vector = self.received("mlp"), self.received("vector")
        if box is not None and vector is not None:  # the MLP box opens into the matrix
            opening = [ReplacementTransform(box, mat), ReplacementTransform(vector, xs)]
        self.say(
            f"The first step multiplies the vector by a big matrix with {cfg.d_mlp} rows and "
            f"{cfg.d_model} columns.",
            self.title_in(head),
            opening,
            # the vector's numbers, written out beside the matrix from the start
            (TransformFromCopy(xs.box, x_v), FadeIn(lab_x, shift=UP * 0.5)),
        )
        sweep = mat.row_strip(0, PALETTE["muted"])
        self.say(
            "Each of its rows is a direction.",
            FadeIn(sweep, shift=UP * 0.5),
            sweep.animate.move_to(mat.row_strip(cfg.d_mlp // 2)),
        )
        self.say(
            "Its dot product with the vector asks a question: how far does the vector point "
            "this way?",
            sweep.animate.move_to(mat.row_strip(cfg.d_mlp - 1)),
            LightUp(xs),
        )
        # up close the row is numbers: its first and last entries, as wide as the matrix, just
        # above its bar, readable once the camera has moved in
        peek = NumericVector(
            row, direction="row", max_entries=6 if r_v.decimals <= 3 else 3, font_size=20
        )
        peek.scale_to_fit_width(0.96 * strip.width).next_to(strip, UP, buff=0.3 * strip.height)
        peek_back = backdrop(peek, buff=0.2 * peek.height)
        self.shown["up_peek"] = peek
        self.say(
            f"Row {n.neuron} is the one the search found, in layer {self.L}; up close it is a "
            "list of numbers, one for each dimension of the vector.",
            ReplacementTransform(sweep, strip),
            FadeIn(tag, shift=RIGHT * 0.5),
            FadeIn(where, shift=UP * 0.5),
            self.zoom_to(VGroup(strip, tag, peek), margin=1.3),  # the camera moves in to the row
            (FadeIn(peek_back), FadeIn(peek, shift=UP * 0.2 * peek.height)),
        )
        self.shown["up_dot"] = Shown(eq[1], dot)
        self.say(
            f"The vector is {self.story.names[0]}'s, read at the token {self.read_token} after "
            "LayerNorm.",
            (self.zoom_out(), FadeOut(VGroup(peek_back, peek))),
            FadeIn(x_from, shift=DOWN * 0.5),
            LightUp(VGroup(lab_x, x_v)),
        )
        self.say(
            f"Its dot product with row {n.neuron} is {signed(dot)}.",
            (TransformFromCopy(strip, r_v), FadeIn(lab_r, shift=UP * 0.5)),
            FadeIn(eq, shift=UP * 0.5),
        )
        self.shown["up_bias"], self.shown["up_pre"] = Shown(eq2[2], bias), Shown(eq2[4], dot + bias)
        self.say(
            f"Adding this neuron's bias, {signed(bias)}, gives {signed(dot + bias)}.",
            TransformFromCopy(eq[1], eq2[1]),
            FadeIn(VGroup(eq2[0], eq2[2], eq2[3], eq2[4]), shift=LEFT * 0.5),
        )
        others = " and ".join(
            f"{signed(p)} for {nm}" for nm, p in zip(names[1:], n.pre[1:], strict=True)
        )
        self.say(
            f"The same row and bias give {others}.",
            TransformFromCopy(eq2[4], rows[0]),
            LaggedStart(*(FadeIn(r, shift=UP * 0.5) for r in rows[1:]), lag_ratio=0.4),
        )
        self.hand_over(row=self.keep(lab_r, r_v), scores=self.keep(rows))

    @step("First name plus last name", order=6)
    def step_row(self) -> None:
        st, n = self.story, self.neuron
        head = title("A row that adds two questions")
        if st.first is None:
            note = fit_width(text("Without name directions this step cannot be measured.", 24))
            self.say(
                "Splitting the row into name directions needs names from the training grid.",
                self.title_in(head),
                FadeIn(note.next_to(head, DOWN, 1.0), shift=UP * 0.5),
            )
            return
        first, last = st.first, st.last
        fname, lname = first.name.split()[-1], last.name.split()[-1]
        W_up = self.model.W("up", self.L)
        row = W_up[:, n.neuron].astype(np.float64)
        bias = float(self.model.W("b_up", self.L)[n.neuron])
        A = np.stack([first.vector, last.vector], 1).astype(np.float64)
        (a, b), *_ = np.linalg.lstsq(A, row, rcond=None)
        rest_v = row - A @ np.array([a, b])
        fc, lc = PALETTE[FIRST_COLOR], PALETTE[LAST_COLOR]
        formula = MathTex(r"\text{row}", "=", "a", "M", "+", "b", "J", "+", "r", font_size=42)
        formula[3].set_color(fc)
        formula[6].set_color(lc)
        formula.next_to(head, DOWN, buff=0.35)
        dist = MathTex(
            r"\text{row}\cdot x",
            "=",
            r"a\,(M\cdot x)",
            "+",
            r"b\,(J\cdot x)",
            "+",
            r"r\cdot x",
            font_size=38,
        )
        dist[2].set_color(fc)
        dist[4].set_color(lc)
        # the supposed row and what it does to a dot product, side by side under the title
        fit_width(VGroup(formula, dist).arrange(RIGHT, buff=0.9), 13.4).next_to(head, DOWN, 0.35)
        c_m, c_j = cosine(row, first.vector), cosine(row, last.vector)
        fits = VGroup(
            text(f"cosine of row {n.neuron} with {fname}:", 28, fc),
            FastNumber(c_m, font_size=30),
            text(f"with {lname}:", 28, lc),
            FastNumber(c_j, font_size=30),
        ).arrange(RIGHT, buff=0.2)
        fits.next_to(VGroup(formula, dist), DOWN, buff=0.3)
        hook = hook_name("ln2", self.L)
        xs = [t[hook][i].astype(np.float64) for t, i in zip(self.traces, n.positions, strict=True)]
        parts = [(a * first.dot(x), b * last.dot(x), float(rest_v @ x)) for x in xs]
        self.shown["row_parts"] = parts
        rows = [[name, *p, sum(p)] for name, p in zip(st.names, parts, strict=True)]

        def make(h_buff: float) -> ValueTable:
            made = ValueTable(
                rows,
                [
                    Column(""),
                    Column(f"{fname} part", DEFAULTS["decimals"], sign=True),
                    Column(f"{lname} part", DEFAULTS["decimals"], sign=True),
                    Column("rest", DEFAULTS["decimals"], sign=True),
                    Column("row · x", DEFAULTS["decimals"], sign=True),
                ],
                font_size=30,
                h_buff=h_buff,
            )
            made.header[1].set_color(fc)
            made.header[2].set_color(lc)
            return made

        totals = [sum(p) for p in parts]
        line = fit_width(self._threshold_line(totals, st.names, bias, size=24), 13.4)
        line.to_edge(DOWN, buff=0.35)
        # the table spreads across the frame between the cosines and the line
        table = spread_table(make, fits, line, share=0.95, max_scale=1.3, gap=0.35)
        names = VGroup(*(table.cell(k, 0) for k in range(len(rows))))
        self.shown["row_table"] = table
        opening = [FadeIn(formula, shift=DOWN * 0.5), FadeIn(names, shift=RIGHT * 0.5)]
        got_row, got_scores = self.received("row"), self.received("scores")
        if got_row is not None and got_scores is not None:  # the row and the names come along
            opening = [
                ReplacementTransform(got_row, formula),
                ReplacementTransform(got_scores, names),
            ]
        self.say(
            "Suppose a row pointed along the first-name direction plus the last-name direction, "
            "M plus J.",
            self.title_in(head),
            opening,
            (LightUp(formula[3]), LightUp(formula[6])),
        )
        self.say(
            "Then its dot product with a vector splits into a first-name part, a last-name part "
            "and whatever is left.",
            [FadeIn(dist, shift=DOWN * 0.5), Create(line.axis), FadeIn(line.ticks)],
            LightUp(dist[2]),
            LightUp(dist[4]),
            LightUp(dist[6]),
        )
        self.shown["row_cos"] = (c_m, c_j)
        self.say(
            f"The real row {n.neuron} leans toward both: its cosine is {plain(c_m)} with the "
            f"first-name direction and {plain(c_j)} with the last-name direction.",
            FadeIn(fits, shift=UP * 0.5),
            LightUp(fits[1]),
            LightUp(fits[3]),
        )
        m0, j0, r0 = parts[0]
        self.say(
            f"{st.names[0]} collects both parts, {signed(m0)} and {signed(j0)}, and the rest "
            f"adds {signed(r0)}.",
            FadeIn(table.header, shift=UP * 0.5),
            FadeIn(table.row(0)[1:], shift=UP * 0.5),
            (
                LightUp(table.cell(0, 1)),
                LightUp(table.cell(0, 2)),
            ),
            # its total, row · x, takes its place on the line under the table
            (
                TransformFromCopy(table.cell(0, 4), line.dots[0]),
                FadeIn(line.labels[0], shift=UP * 0.3),
            ),
        )
        fw, lw = st.names[0].split()[0], st.names[0].split()[-1]

        def own_part(name: str, m: float, j: float) -> bool:
            w = name.split()
            return (w[0] == fw and w[-1] != lw and m > j) or (w[-1] == lw and w[0] != fw and j > m)

        if all(own_part(nm, p[0], p[1]) for nm, p in zip(st.names[1:], parts[1:], strict=True)):
            sentence = "Each other name collects mostly the part of the name it shares."
        elif all(p[0] < m0 and p[1] < j0 for p in parts[1:]):
            sentence = "The other names collect less of both parts."
        else:
            sentence = "The other names get their own mix of the parts."
        self.say(
            sentence,
            *(FadeIn(table.row(k)[1:], shift=UP * 0.5) for k in range(1, len(rows))),
            [
                LightUp(VGroup(*(table.row(k) for k in range(1, len(rows))))),
                *(TransformFromCopy(table.cell(k, 4), line.dots[k]) for k in range(1, len(rows))),
                FadeIn(VGroup(*line.labels[1 : len(rows)]), shift=UP * 0.3),
            ],
        )
        clears = [tot + bias > 0 for tot in totals]
        self.shown["bias_clears"] = clears
        self.shown["threshold"] = -bias
        if clears[0] and not any(clears[1:]):
            sentence = f"The bias, {signed(bias)}, sets the bar: only the full name clears it."
        else:
            who = [nm for nm, c in zip(st.names, clears, strict=True) if c]
            sentence = (
                f"The bias, {signed(bias)}, sets the bar; here "
                + (" and ".join(who) if who else "no name")
                + " clears it."
            )
        self.say(
            sentence,
            Create(line.bar),
            FadeIn(line.labels[len(rows) :], shift=UP * 0.5),
            LightUp(line.dots),
        )
        self.hand_over(scores=self.keep(line))

    def _threshold_line(self, totals, names, bias, size: float = 20) -> VGroup:
        """The three scores on a number line, and a dashed bar at minus the bias: only a score
        to the right of the bar gives a positive value."""
        lo = min(min(totals), -bias) - 0.5
        hi = max(max(totals), -bias) + 0.5
        g = VGroup()
        g.axis = NumberLine(
            x_range=[lo, hi, 0.5],
            length=12.5,
            color=PALETTE["muted"],
            include_tip=False,
            stroke_width=4,
        )
        # the whole numbers along the line, written under their ticks
        g.ticks = VGroup(
            *(
                FastNumber(float(v), 0, font_size=size, color=PALETTE["muted"]).next_to(
                    g.axis.n2p(v), DOWN, buff=0.2
                )
                for v in range(int(np.ceil(lo)), int(np.floor(hi)) + 1)
            )
        )
        colors = [PALETTE["highlight"], PALETTE[FIRST_COLOR], PALETTE[LAST_COLOR]]
        g.dots, g.labels = VGroup(), VGroup()
        for k, (v, name) in enumerate(zip(totals, names, strict=True)):
            dot = Dot(g.axis.n2p(v), radius=0.1, color=colors[k % 3])
            g.dots.add(dot)
            g.labels.add(text(name, size, colors[k % 3]).next_to(dot, UP, 0.15))
        stack_apart(list(g.labels), UP)
        x = g.axis.n2p(-bias)
        g.bar = DashedLine(x + UP * 0.5, x + DOWN * 0.5, color=PALETTE["highlight"], stroke_width=4)
        g.labels.add(
            text(f"bar: {signed(-bias)}", size, PALETTE["highlight"]).next_to(g.bar, DOWN, 0.1)
        )
        g.add(g.axis, g.ticks, g.dots, g.bar, g.labels)
        return g

"""Scenes CountingGPT3, TrainingCompute, LayerNormShare (lecture steps A7, D1 in COVERAGE.md).
tests/scenes/test_next_token*.py pin their section titles, the shown values ``compute``,
``compute_rate``, ``compute_ratio``, ``count``, ``count_totals``, ``layernorm``,
``layernorm_share``, and that every number said is on screen.

How big: GPT-3's eight matrix families counted from its config, the compute of this model's
training against GPT-3's by the 6·N·D rule, and LayerNorm's share of GPT-3's parameters."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DoubleArrow,
    FadeIn,
    GrowFromPoint,
    LaggedStart,
    Line,
    ReplacementTransform,
    Square,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import fit_width, lines, math, number, plain_axes, text, title
from llmviz.mobjects import Column, ValueTable
from llmviz.model.config import GPT3_CONFIG, matrix_families, other_parameter_counts
from llmviz.model.scale import (
    GPT3_PUBLISHED,
    layernorm_parameters,
    model_layernorm_parameters,
    parameter_count,
    training_run,
)
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import powers
from next_token_steps.common import NextTokenScene, fill, own_training_log

ATTENTION = ("Key", "Query", "Value", "Output")
MLP = ("Up-projection", "Down-projection")


def how_many(matrices: int, cfg) -> str:
    """A family's matrix count as the product it comes from: "96 × 96" for one per head and layer."""
    if matrices == cfg.n_layers * cfg.n_heads and cfg.n_heads > 1:
        return f"{cfg.n_layers} × {cfg.n_heads}"
    return f"{matrices:,}"


class CountingStep(NextTokenScene):
    @step("Counting GPT-3", order=29)
    def step_count(self) -> None:
        g, cfg = GPT3_CONFIG, self.model.cfg
        fams, ours = matrix_families(g), matrix_families(cfg)
        n_mat, n_w = sum(f.matrices for f in fams), sum(f.weights for f in fams)
        o_mat, o_w = sum(f.matrices for f in ours), sum(f.weights for f in ours)
        extra = sum(other_parameter_counts(cfg).values())
        head = title(f"GPT-3: {n_mat:,} matrices, {n_w:,} weights")
        int_col = {"decimals": 0, "thousands": True}
        rows = [
            [
                f.name,
                how_many(f.matrices, g),
                f"{f.rows:,} × {f.cols:,}",
                f.weights,
                o.matrices,
                o.weights,
            ]
            for f, o in zip(fams, ours, strict=True)
        ]
        rows.append(["total", f"{n_mat:,}", "", n_w, o_mat, o_w])
        table = ValueTable(
            rows,
            [
                Column("family"),
                Column("how many"),
                Column("one matrix"),
                Column("GPT-3 weights", **int_col),
                Column("ours", **int_col),
                Column("our weights", **int_col),
            ],
            font_size=20,
            v_buff=1.45,
        )
        fit_width(table, 12.8).next_to(head, DOWN, buff=0.45)
        rule = Line(table.row("total").get_left(), table.row("total").get_right())
        rule.set_stroke(PALETTE["muted"], 1).next_to(table.row("total"), UP, buff=0.08)
        table.row("total").set_color(PALETTE["highlight"])
        shape = self.caption(
            f"GPT-3: {g.n_layers} layers × {g.n_heads} heads, d_model {g.d_model:,}, "
            f"{g.vocab_size:,} tokens"
        )
        note = self.caption(
            f"ours also has {extra:,} position weights and biases: {o_w + extra:,} parameters"
        )
        self.shown["count"] = table
        self.shown["count_totals"] = (n_mat, n_w, o_mat, o_w, o_w + extra)

        def column(name, names):
            return LaggedStart(
                *(FadeIn(table.cell(r, name), shift=LEFT * 0.2) for r in names), lag_ratio=0.1
            )

        fam_names = [f.name for f in fams]
        got = self.received("rows")
        self.say(
            "All of a model's weights sit in eight families of matrices.",
            self.title_in(head),
            (
                ReplacementTransform(got, table.header)
                if got is not None
                else FadeIn(table.header),
                column("family", fam_names),
            ),
        )
        self.say(
            "We met the embedding and the unembedding; key, query, value and output belong to "
            "attention, and the up- and down-projections to the MLPs.",
            LightUp(
                VGroup(table.cell("Embedding", "family"), table.cell("Unembedding", "family")),
            ),
            LightUp(VGroup(*(table.cell(r, "family") for r in ATTENTION))),
            LightUp(VGroup(*(table.cell(r, "family") for r in MLP))),
        )
        self.say(
            f"The code counts them from GPT-3's shape: {g.n_layers} layers of {g.n_heads} heads, "
            f"{g.d_model:,} numbers per token, {g.vocab_size:,} tokens.",
            FadeIn(shape, shift=UP * 0.3),
            (column("how many", fam_names), column("one matrix", fam_names)),
        )
        self.say(
            f"That makes {n_mat:,} matrices holding {n_w:,} weights: the hundred and "
            "seventy-five billion of its name.",
            column("GPT-3 weights", fam_names),
            (Create(rule), FadeIn(table.row("total"), shift=UP * 0.2)),
            LightUp(table.cell("total", "GPT-3 weights")),
        )
        self.say(
            f"The same formula gives our model {o_mat} matrices and {o_w:,} weights, plus "
            f"{extra:,} position weights and biases.",
            (column("ours", fam_names), column("our weights", fam_names)),
            (shape.animate.set_opacity(0), FadeIn(note, shift=UP * 0.3)),
        )
        self.hand_over(total=self.gather(table.row("total")))

    @step("Training compute", order=30)
    def step_compute(self) -> None:
        log = own_training_log(self.model_dir)
        N = parameter_count(self.model)
        gpt = GPT3_PUBLISHED
        head = title("Training compute: 6 · N · D")
        rule = lines(
            "about 6 operations per parameter per training token:",
            "2 forward (a multiply and an add), 4 backward",
            size=24,
            color=PALETTE["muted"],
        ).next_to(head, DOWN, buff=0.35)
        formula = math(r"C \approx 6\,N\,D", 40).next_to(rule, DOWN, buff=0.3)
        run = None
        if log is not None:
            try:
                run = training_run(log, N)
            except Exception:  # a log without what a run needs: said on screen below
                run = None
        rows = [["GPT-3", powers(gpt.parameters), powers(gpt.tokens), powers(gpt.compute)]]
        if run is not None:
            rows.insert(0, ["this model", f"{N:,}", f"{run.tokens:,}", powers(run.compute)])
        table = ValueTable(
            rows,
            [Column("run"), Column("N parameters"), Column("D tokens"), Column("6·N·D")],
            font_size=24,
        )
        table.next_to(formula, DOWN, buff=0.45)
        d_line = None
        if run is not None:
            d_line = text(
                f"D = {run.steps:,} steps × {run.batch_size} windows × {run.n_ctx} tokens",
                22,
                PALETTE["muted"],
            ).next_to(table, DOWN, buff=0.25)
        self.shown["compute"] = (table, run, gpt)
        got = self.received("total")

        def first_beat(*more):
            self.say(
                "Training costs about six operations per parameter for every token it reads: two "
                "forward and four backward.",
                self.title_in(head),
                FadeIn(rule, shift=UP * 0.3),
                (
                    ReplacementTransform(got, formula)
                    if got is not None
                    else FadeIn(formula, scale=0.6),
                    *more,
                ),
            )

        if run is None:
            note = self.not_found(
                "This model's folder records no training run, so only GPT-3 is shown."
            ).next_to(table, DOWN, buff=0.6)
            fill(VGroup(rule, formula, table, note), title=head, max_scale=1.3)
            first_beat()
            self.say(
                f"GPT-3 has {powers(gpt.parameters)} parameters and read {powers(gpt.tokens)} "
                f"tokens: {powers(gpt.compute)} operations.",
                (FadeIn(table.header), FadeIn(table.row("GPT-3"), shift=UP * 0.3)),
            )
            self.say(
                "This model came without a record of its training, so it has no figures of its "
                "own here.",
                FadeIn(note, shift=UP * 0.3),
            )
            return
        ratio = gpt.compute / run.compute
        years = run.years_for(gpt.compute)
        lo, hi = int(np.floor(np.log10(run.compute))) - 1, int(np.ceil(np.log10(gpt.compute))) + 1
        axis = plain_axes([lo, hi, 2], [0, 1, 1], 11.0, 0.01)
        axis.next_to(d_line, DOWN, buff=0.9)
        ticks = VGroup(
            *(
                text(
                    f"10{str(k).translate(str.maketrans('0123456789', '⁰¹²³⁴⁵⁶⁷⁸⁹'))}",
                    20,
                    PALETTE["muted"],
                ).next_to(axis.c2p(k, 0), DOWN, buff=0.15)
                for k in range(lo + 1, hi, 2)
            )
        )
        ours_x, gpt_x = np.log10(run.compute), np.log10(gpt.compute)
        gap = DoubleArrow(
            axis.c2p(ours_x, 0) + UP * 0.35,
            axis.c2p(gpt_x, 0) + UP * 0.35,
            buff=0,
            color=PALETTE["highlight"],
            stroke_width=3,
        )
        gap_label = text(f"× {powers(ratio)}", 24, PALETTE["highlight"]).next_to(gap, UP, buff=0.1)
        marks = VGroup(
            Line(
                axis.c2p(ours_x, 0) + DOWN * 0.2,
                axis.c2p(ours_x, 0) + UP * 0.2,
                color=PALETTE["positive"],
                stroke_width=6,
            ),
            Line(
                axis.c2p(gpt_x, 0) + DOWN * 0.2,
                axis.c2p(gpt_x, 0) + UP * 0.2,
                color=PALETTE["accent"],
                stroke_width=6,
            ),
        )
        rate_line = VGroup(
            text(f"measured: {run.seconds:,.0f} s on the {run.device} =", 24),
            text(f"{powers(run.rate)} operations a second", 24, PALETTE["positive"]),
        ).arrange(RIGHT, buff=0.2)
        fit_width(rate_line).next_to(ticks, DOWN, buff=0.45)
        years_line = self.caption(
            f"at this measured speed GPT-3's run would take {years:,.0f} years "
            f"(published GPT-3 figures: {gpt.source.split(',')[0]})"
        )
        fill(
            VGroup(rule, formula, table, d_line, axis, ticks, marks, gap, gap_label, rate_line),
            title=head,
            caption=years_line,
            max_scale=1.3,
        )
        self.shown["compute_ratio"] = (gap_label, ratio, years)
        self.shown["compute_rate"] = (rate_line, run.rate, run.seconds, run.device)
        first_beat(Create(axis), FadeIn(ticks))  # the scale waits for the two runs
        self.say(
            f"This model has {N:,} parameters and read {run.tokens:,} tokens in training: "
            f"{run.steps:,} steps of {run.batch_size} windows of {run.n_ctx} tokens.",
            (FadeIn(table.header), FadeIn(table.row("this model"), shift=UP * 0.3)),
            FadeIn(d_line, shift=UP * 0.3),
        )
        self.say(
            f"That is {powers(run.compute)} operations.",
            LightUp(table.cell("this model", "6·N·D")),
        )
        self.say(
            f"GPT-3 has {powers(gpt.parameters)} parameters and read {powers(gpt.tokens)} "
            f"tokens: {powers(gpt.compute)} operations.",
            FadeIn(table.row("GPT-3"), shift=UP * 0.3),
            LightUp(table.cell("GPT-3", "6·N·D")),
        )
        self.say(
            f"On a scale of powers of ten the two runs lie {powers(ratio)} times apart.",
            LaggedStart(*(GrowFromPoint(m, m.get_center()) for m in marks), lag_ratio=0.5),
            (GrowFromPoint(gap, gap.get_start()), FadeIn(gap_label, shift=UP * 0.2)),
        )
        self.say(
            f"This model's whole training run took {run.seconds:,.0f} seconds on the "
            f"{run.device}: {powers(run.rate)} operations a second.",
            FadeIn(rate_line[0], shift=UP * 0.3),
            FadeIn(rate_line[1], shift=LEFT * 0.3),
        )
        self.say(
            f"At that measured speed GPT-3's run would take {years:,.0f} years.",
            FadeIn(years_line, shift=UP * 0.3),
            LightUp(years_line),
        )
        self.say(
            "Only hardware that does far more of this arithmetic at once, many GPUs working in "
            "parallel, makes such runs possible.",
            LightUp(table.row("GPT-3")),
            (LightUp(marks[1]), LightUp(table.cell("GPT-3", "6·N·D"))),
        )
        self.hand_over(table=self.gather(table))

    @step("LayerNorm's share", order=31)
    def step_layernorm(self) -> None:
        g = GPT3_CONFIG
        ln = layernorm_parameters(g)
        total = ln.total + sum(f.weights for f in matrix_families(g))
        mine = model_layernorm_parameters(self.model)
        head = title("LayerNorm's share of GPT-3")
        big = Square(
            side_length=4.2,
            stroke_color=PALETTE["positive"],
            fill_color=PALETTE["positive"],
            fill_opacity=0.25,
        )
        side = 4.2 * float(np.sqrt(ln.share))
        tiny = Square(
            side_length=side, stroke_width=0, fill_color=PALETTE["highlight"], fill_opacity=1
        )
        big.next_to(head, DOWN, buff=0.5).to_edge(LEFT, buff=1.2)
        tiny.move_to(big.get_corner(UP + RIGHT), aligned_edge=UP + RIGHT)
        zoom = 100
        inset = Square(
            side_length=side * zoom, stroke_width=0, fill_color=PALETTE["highlight"], fill_opacity=1
        )
        big_label = text(f"all {total:,} parameters", 22).next_to(big, DOWN, buff=0.2)
        facts = VGroup(
            text(f"a gain and a bias for each of {g.d_model:,} numbers:", 24),
            VGroup(
                number(ln.per_norm, decimals=0, size=26, thousands=True), text("per LayerNorm", 24)
            ).arrange(RIGHT, buff=0.2),
            text(f"2 per layer × {g.n_layers} layers + 1 at the end = {ln.norms}", 24),
            VGroup(
                number(ln.total, decimals=0, size=26, thousands=True),
                text("LayerNorm parameters", 24),
            ).arrange(RIGHT, buff=0.2),
            VGroup(
                number(100 * ln.share, decimals=4, size=26, suffix="%", color=PALETTE["highlight"]),
                text("of the whole model", 24),
            ).arrange(RIGHT, buff=0.2),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        facts.next_to(big, RIGHT, buff=0.8).align_to(big, UP)
        inset.next_to(facts, DOWN, buff=0.5).align_to(facts, LEFT)
        inset_label = text(f"the LayerNorm square, {zoom} times enlarged", 20, PALETTE["muted"])
        inset_label.next_to(inset, RIGHT, buff=0.25)
        fit_width(VGroup(big, facts, inset_label))
        if self.model_dir:
            ours = (
                "Here the LayerNorms' gains and biases are folded into the next weights, so "
                "they keep none of their own."
            )
        else:
            ours = f"Our model's LayerNorms only normalise: they have {mine} parameters to learn."
        note = self.caption(ours.replace("Here the", "the").rstrip("."))
        fill(
            VGroup(big, tiny, big_label, facts, inset, inset_label),
            title=head,
            caption=note,
            max_scale=1.3,
        )
        self.shown["layernorm"] = (facts, ln, mine)
        self.shown["layernorm_share"] = Shown(facts[4][0], ln.share)
        got = self.received("table")
        self.say(
            "Each LayerNorm learns a gain and a bias for every number of the vector.",
            self.title_in(head),
            (
                ReplacementTransform(got, big)
                if got is not None
                else GrowFromPoint(big, big.get_corner(UP + RIGHT)),
                LaggedStart(*(FadeIn(f, shift=LEFT * 0.3) for f in facts[:2]), lag_ratio=0.4),
            ),
        )
        self.say(
            f"GPT-3 has {ln.norms} of them, two per layer and one at the end: {ln.total:,} "
            "parameters.",
            LaggedStart(*(FadeIn(f, shift=LEFT * 0.3) for f in facts[2:4]), lag_ratio=0.4),
        )
        self.say(
            f"Beside all {total:,} parameters, that is {100 * ln.share:.4f} percent.",
            FadeIn(big_label),
            (FadeIn(tiny), FadeIn(facts[4], shift=LEFT * 0.3)),
        )
        self.say(
            f"Drawn to scale it is the speck in the corner; even {zoom} times larger it stays "
            "small.",
            LightUp(tiny),
            (GrowFromPoint(inset, tiny.get_center()), FadeIn(inset_label)),
        )
        self.say(ours, FadeIn(note, shift=UP * 0.3))

"""Steps 11 to 13: does a direction mean the same in every layer, how many parameters the MLPs
hold, and how nearly perpendicular directions let a model store more than it has dimensions."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
)

from llmviz.mobjects import Column, FastNumber, ValueTable
from llmviz.model.config import GPT3_CONFIG, other_parameter_counts, weight_counts
from llmviz.model.superposition import SuperpositionConfig, load_or_run, welch_bound
from llmviz.scene import fit_width, lines, math, plain_axes, text, title
from llmviz.style import PALETTE, value_to_color
from mlp_steps.common import MLPScene


def heat_table(
    values: np.ndarray, rows: list[str], cols: list[str], fmt, scale: float = 1.0
) -> VGroup:
    """A small heat map: one coloured square per value with the value written in it."""
    size = 0.95
    g = VGroup()
    g.cells = {}
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = float(values[i, j])
            sq = Rectangle(
                width=size * 1.3,
                height=size * 0.7,
                stroke_width=1,
                stroke_color=PALETTE["muted"],
                fill_color=value_to_color(v, scale),
                fill_opacity=0.45,
            )
            sq.move_to([j * size * 1.35, -i * size * 0.75, 0])
            num = fmt(v).move_to(sq)
            g.cells[(i, j)] = VGroup(sq, num)
            g.add(g.cells[(i, j)])
    g.row_labels = VGroup(
        *(
            text(r, 20, PALETTE["muted"]).next_to(g.cells[(i, 0)], LEFT, 0.2)
            for i, r in enumerate(rows)
        )
    )
    g.col_labels = VGroup(
        *(
            text(c, 20, PALETTE["muted"]).next_to(g.cells[(0, j)], UP, 0.15)
            for j, c in enumerate(cols)
        )
    )
    g.add(g.row_labels, g.col_labels)
    return g


class BeyondStep(MLPScene):
    def step_layers(self) -> None:
        st = self.story
        self.section("One direction in every layer?")
        head = title("Does a direction mean the same in every layer?")
        d = st.layers
        question = fit_width(
            text(
                "A reviewer of the lecture asked: could the same direction mean something "
                "else in a middle layer?",
                22,
                PALETTE["muted"],
            )
        ).next_to(head, DOWN, buff=0.3)
        self.say(
            "A viewer asked whether a direction keeps its meaning from one layer to the next.",
            FadeIn(head, shift=DOWN * 0.5),
            FadeIn(question, shift=UP * 0.5),
            Indicate(question, scale_factor=1.1),
        )
        if d is None:
            note = text("This needs names from the training grid.", 24).next_to(question, DOWN, 0.8)
            self.say("That test needs a name from the training grid.", FadeIn(note, shift=UP * 0.5))
            return
        fname = d.first
        labels = [f"after block {k}" for k in range(len(d.hooks))]
        cos = heat_table(
            d.cosines,
            labels,
            [f"block {k}" for k in range(len(d.hooks))],
            lambda v: FastNumber(v, font_size=20),
        )
        sep = heat_table(
            100 * d.separation,
            [f"direction {k}" for k in range(len(d.hooks))],
            [f"vectors {k}" for k in range(len(d.hooks))],
            lambda v: FastNumber(v, 0, suffix="%", font_size=20),
            scale=100,
        )
        both = fit_width(VGroup(cos, sep).arrange(RIGHT, buff=1.6, aligned_edge=UP), 12.5)
        both.next_to(question, DOWN, buff=0.8)
        cos_cap = text(
            f'cosine of the "first name {fname}" directions', 20, PALETTE["muted"]
        ).next_to(cos, DOWN, 0.25)
        self.say(
            f"We measure the first-name direction for {fname} again, after each block.",
            FadeIn(cos_cap, shift=UP * 0.5),
            FadeIn(cos.row_labels, shift=RIGHT * 0.5),
            FadeIn(cos.col_labels, shift=DOWN * 0.5),
            LaggedStart(
                *(FadeIn(cos.cells[(k, k)], scale=0.6) for k in range(len(d.hooks))), lag_ratio=0.3
            ),
        )
        off = d.cosines[~np.eye(len(d.hooks), dtype=bool)]
        self.shown["layer_cosines"] = d.cosines
        self.say(
            f"Between blocks their cosines run from {off.min():.2f} to {off.max():.2f}: nearly "
            "the same direction all the way up."
            if off.min() > 0.7
            else f"Between blocks their cosines run from {off.min():.2f} to {off.max():.2f}: the "
            "direction turns as it goes up.",
            LaggedStart(
                *(FadeIn(c, scale=0.6) for (i, j), c in cos.cells.items() if i != j), lag_ratio=0.1
            ),
        )
        sep_cap = lines(
            "of the 100 name pairs,",
            f"sorted right: {fname} or not",
            size=20,
            color=PALETTE["muted"],
        ).next_to(sep, DOWN, 0.25)
        self.shown["layer_separation"] = d.separation
        lo, hi = 100 * d.separation.min(), 100 * d.separation.max()
        self.say(
            "Then we read each block's vectors with every block's direction.",
            (FadeIn(sep.row_labels, shift=RIGHT * 0.5), FadeIn(sep.col_labels, shift=DOWN * 0.5)),
            LaggedStart(*(FadeIn(c, scale=0.6) for c in sep.cells.values()), lag_ratio=0.05),
        )
        self.say(
            f"Each pairing still sorts the 100 name pairs into {fname} or not {lo:.0f} to "
            f"{hi:.0f} percent of the time.",
            FadeIn(sep_cap, shift=UP * 0.5),
            Indicate(VGroup(*sep.cells.values()), scale_factor=1.1),
        )

    def step_count(self) -> None:
        ours, gpt3 = weight_counts(self.model.cfg), weight_counts(GPT3_CONFIG)
        extra = other_parameter_counts(self.model.cfg)
        ours_total = ours["total"] + sum(extra.values())
        ours_mlp = ours["mlp"] + extra["mlp_biases"]
        c, g = self.model.cfg, GPT3_CONFIG
        self.section("Counting parameters")
        head = title("How many parameters live in the MLPs?")
        rows = [
            ["model width", c.d_model, g.d_model],
            ["neurons per MLP", c.d_mlp, g.d_mlp],
            ["layers", c.n_layers, g.n_layers],
            ["up + down weights", ours["mlp"], gpt3["mlp"]],
            ["all parameters", ours_total, gpt3["total"]],
            ["share in the MLPs", 100 * ours_mlp / ours_total, 100 * gpt3["mlp"] / gpt3["total"]],
        ]
        cols = [
            Column(""),
            Column("this model", 0, thousands=True),
            Column("GPT-3", 0, thousands=True),
        ]
        table = ValueTable(rows[:5], cols, font_size=26)
        share = ValueTable(
            rows[5:],
            [Column(""), Column("this model", 1, suffix="%"), Column("GPT-3", 1, suffix="%")],
            header=False,
            font_size=26,
        )
        VGroup(table, share).arrange(DOWN, aligned_edge=LEFT, buff=0.2).next_to(
            head, DOWN, buff=0.6
        )
        for j in (1, 2):
            share.column(j)[0].align_to(table.column(j)[0], RIGHT)
        self.shown["count_rows"] = rows
        self.shown["count_table"] = (table, share)
        ratio = g.d_mlp // g.d_model
        ratio_line = text(
            f"GPT-3: {g.d_mlp:,} neurons = {ratio} × {g.d_model:,}", 24, PALETTE["muted"]
        ).to_edge(DOWN, buff=0.5)
        self.say(
            f"GPT-3's vectors have {g.d_model:,} numbers, and each of its MLPs has {g.d_mlp:,} "
            f"neurons, {ratio} times as many.",
            FadeIn(head, shift=DOWN * 0.5),
            FadeIn(table.header, shift=UP * 0.5),
            FadeIn(table.row(0), shift=UP * 0.5),
            FadeIn(table.row(1), shift=UP * 0.5),
            FadeIn(ratio_line, shift=UP * 0.5),
        )
        per = 2 * g.d_model * g.d_mlp
        per_line = (
            VGroup(
                text("GPT-3, one layer:", 22, PALETTE["muted"]),
                math(r"2 \times", 28),
                FastNumber(g.d_model, 0, thousands=True, font_size=24),
                math(r"\times", 28),
                FastNumber(g.d_mlp, 0, thousands=True, font_size=24),
                math("=", 28),
                FastNumber(per, 0, thousands=True, font_size=24, color=PALETTE["highlight"]),
            )
            .arrange(RIGHT, buff=0.15)
            .to_edge(DOWN, buff=0.5)
        )
        fit_width(per_line)
        self.say(
            f"The up and the down matrix hold {g.d_model:,} times {g.d_mlp:,} weights each: "
            f"{per:,} in one layer.",
            ReplacementTransform(ratio_line, per_line),
            Indicate(per_line[-1], scale_factor=1.3),
        )
        self.say(
            f"Over {g.n_layers} layers that is {gpt3['mlp']:,} weights.",
            FadeIn(table.row(2), shift=UP * 0.5),
            TransformFromCopy(per_line[-1], table.cell(3, 2)),
            FadeIn(VGroup(table.cell(3, 0), table.cell(3, 1)), shift=UP * 0.5),
        )
        self.say(
            f"About two thirds of GPT-3's weights sit in its MLPs: {rows[5][2]:.1f} percent.",
            FadeIn(table.row(4), shift=UP * 0.5),
            FadeIn(share.row(0)[0], shift=UP * 0.5),
            TransformFromCopy(table.cell(3, 2), share.cell(0, 2)),
        )
        self.say(
            f"In this small model the MLPs hold {rows[5][1]:.1f} percent of its {ours_total:,} "
            "parameters.",
            TransformFromCopy(table.cell(4, 1), share.cell(0, 1)),
            Indicate(share.cell(0, 1), scale_factor=1.4),
        )

    def step_superposition(self) -> None:
        res = load_or_run(SuperpositionConfig())
        cfg, r, o = res.config, res.random_stats, res.optimized_stats
        welch_deg = float(np.degrees(np.arccos(welch_bound(cfg.n_vectors, cfg.dim))))
        self.section("Superposition")
        head = title("More directions than dimensions")
        edges = np.array(res.bin_edges)
        axes = plain_axes([60, 120, 10], [0, 1, 0.25], 10, 3.8, include_numbers=False).shift(
            DOWN * 0.7
        )
        ticks = VGroup(
            *(
                text(f"{d}°", 20, PALETTE["muted"]).next_to(axes.c2p(d, 0), DOWN, buff=0.15)
                for d in range(60, 121, 10)
            )
        )

        def hist(counts, color, opacity):
            c = np.asarray(counts, dtype=float)
            c = c / c.max()
            bars = VGroup()
            for left, right, h in zip(edges[:-1], edges[1:], c, strict=True):
                if h <= 0:
                    continue
                p0, p1 = axes.c2p(left, 0), axes.c2p(right, h)
                bars.add(
                    Rectangle(
                        width=p1[0] - p0[0],
                        height=p1[1] - p0[1],
                        stroke_width=0,
                        fill_color=color,
                        fill_opacity=opacity,
                    ).move_to((p0 + p1) / 2)
                )
            return bars

        dims = text(f"{cfg.dim} dimensions, angles between every pair", 22, PALETTE["muted"])
        dims.next_to(head, DOWN, buff=0.2)
        self.say(
            f"In {cfg.dim} dimensions only {cfg.dim} directions can be exactly perpendicular to "
            "each other.",
            FadeIn(head, shift=DOWN * 0.5),
            FadeIn(dims, shift=DOWN * 0.5),
            Create(axes),
            FadeIn(ticks, shift=UP * 0.5),
        )
        random_h = hist(res.random_counts, PALETTE["muted"], 0.6)
        opt_h = hist(res.optimized_counts, PALETTE["positive"], 0.85)
        legend_r = text(
            f"{cfg.n_vectors:,} random directions: {r['min']:.1f}° to {r['max']:.1f}°",
            22,
            PALETTE["muted"],
        )
        legend_o = text(
            f"after nudging apart: {o['min']:.1f}° to {o['max']:.1f}°", 22, PALETTE["positive"]
        )
        VGroup(legend_r, legend_o).arrange(DOWN, aligned_edge=LEFT).next_to(
            axes, UP, buff=0.15
        ).align_to(axes, LEFT)
        self.say(
            f"The code took {cfg.n_vectors:,} random directions in {cfg.dim} dimensions: the "
            f"angles between pairs range from {r['min']:.1f} to {r['max']:.1f} degrees.",
            LaggedStart(*(GrowFromEdge(b, DOWN) for b in random_h), lag_ratio=0.02),
            FadeIn(legend_r, shift=UP * 0.5),
        )
        self.say(
            f"Gradient descent nudged them apart: now they range from {o['min']:.1f} to "
            f"{o['max']:.1f} degrees.",
            LaggedStart(*(GrowFromEdge(b, DOWN) for b in opt_h), lag_ratio=0.02),
            FadeIn(legend_o, shift=UP * 0.5),
        )
        mark = VGroup(
            *(
                axes.get_vertical_line(axes.c2p(a, 1.0), color=PALETTE["highlight"])
                for a in (welch_deg, 180 - welch_deg)
            )
        )
        bound = text(
            f"Welch bound: {welch_deg:.1f}° and {180 - welch_deg:.1f}°", 22, PALETTE["highlight"]
        )
        bound.to_edge(DOWN, buff=0.4)
        self.shown["superposition"] = res
        self.say(
            f"They pile up near {welch_deg:.1f} and {180 - welch_deg:.1f} degrees: no "
            f"{cfg.n_vectors:,} directions in {cfg.dim} dimensions can all be closer to "
            "perpendicular than that.",
            Create(mark),
            FadeIn(bound, shift=UP * 0.5),
            Indicate(bound, scale_factor=1.2),
        )
        self.say(
            "Still, far more nearly perpendicular directions fit than there are dimensions, and "
            "their number grows exponentially with the dimension.",
            Indicate(opt_h, scale_factor=1.1),
            Indicate(dims, scale_factor=1.2),
        )
        many = text(
            f"{cfg.n_vectors:,} nearly perpendicular directions in {cfg.dim} dimensions",
            24,
            PALETTE["positive"],
        )
        many.move_to(bound)
        self.say(
            "So a model can keep more features than it has neurons, each spread over several "
            "of them.",
            FadeOut(bound, shift=DOWN * 0.5),
            FadeIn(many, shift=UP * 0.5),
            Indicate(many, scale_factor=1.2),
        )
        self.say(
            "That is one reason single neurons are hard to read.",
            Indicate(VGroup(legend_r, legend_o), scale_factor=1.15),
        )

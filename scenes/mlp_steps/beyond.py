"""Scenes DirectionAcrossLayers, CountingParameters, Superposition, RoomInHighDimensions,
SparseAutoencoder (lecture steps D7, G28 in COVERAGE.md). tests/scenes/test_mlp.py pins their
section titles, the shown values ``capacity``, ``count_rows``, ``layer_cosines``,
``layer_separation``, ``sae``, ``sae_feature``, ``sae_tokens``, ``sae_texts``, ``superposition``,
and that every number said is on screen.

Steps 11 to 13: does a direction mean the same in every layer, how many parameters the MLPs
hold, and how nearly perpendicular directions let a model store more than it has dimensions."""

from __future__ import annotations

import functools

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    GrowFromEdge,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import (
    caption,
    code,
    fill_frame,
    fit_width,
    lines,
    math,
    plain_axes,
    text,
    title,
)
from llmviz.mobjects import Column, FastNumber, TokenStrip, ValueTable
from llmviz.model.config import GPT3_CONFIG, other_parameter_counts, weight_counts
from llmviz.model.experiments.capacity import load_capacity
from llmviz.model.experiments.sae import features_at_tokens, load_sae
from llmviz.model.experiments.superposition import SuperpositionConfig, load_or_run, welch_bound
from llmviz.steps import step
from llmviz.style import PALETTE, display_token, value_to_color
from llmviz.words import plain, quoted
from mlp_steps.common import MLPScene, spread_table


def heat_table(
    values: np.ndarray,
    rows: list[str],
    cols: list[str],
    fmt,
    scale: float = 1.0,
    tall: float = 0.7,
) -> VGroup:
    """A small heat map: one coloured square per value with the value written in it; each
    square is ``tall`` times the map's unit high (and 1.3 times wide)."""
    size = 0.95
    g = VGroup()
    g.cells = {}
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = float(values[i, j])
            sq = Rectangle(
                width=size * 1.3,
                height=size * tall,
                stroke_width=1,
                stroke_color=PALETTE["muted"],
                fill_color=value_to_color(v, scale),
                fill_opacity=0.45,
            )
            sq.move_to([j * size * 1.35, -i * size * (tall + 0.05), 0])
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
    @step("One direction in every layer?", order=11)
    def step_layers(self) -> None:
        st = self.story
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
        asked = "A viewer asked whether a direction keeps its meaning from one layer to the next."
        if d is None:
            self.say(
                asked, self.title_in(head), FadeIn(question, shift=UP * 0.5), LightUp(question)
            )
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
            tall=1.0,
        )
        sep = heat_table(
            100 * d.separation,
            [f"direction {k}" for k in range(len(d.hooks))],
            [f"vectors {k}" for k in range(len(d.hooks))],
            lambda v: FastNumber(v, 0, suffix="%", font_size=20),
            scale=100,
            tall=1.0,
        )
        both = VGroup(cos, sep).arrange(RIGHT, buff=1.6, aligned_edge=UP)
        cos_cap = text(
            f'cosine of the "first name {fname}" directions', 20, PALETTE["muted"]
        ).next_to(cos, DOWN, 0.25)
        sep_cap = lines(
            "of the 100 name pairs,",
            f"sorted right: {fname} or not",
            size=20,
            color=PALETTE["muted"],
        ).next_to(sep, DOWN, 0.25)
        # both maps and their captions, built first, fill the frame under the question
        fill_frame(VGroup(both, cos_cap, sep_cap), title=question, max_scale=1.6)
        # the two maps' row and column labels stand from the question on, as their scaffold
        self.say(
            asked,
            self.title_in(head),
            FadeIn(question, shift=UP * 0.5),
            (
                FadeIn(VGroup(cos.row_labels, sep.row_labels), shift=RIGHT * 0.5),
                FadeIn(VGroup(cos.col_labels, sep.col_labels), shift=DOWN * 0.5),
            ),
            LightUp(question),
        )
        self.say(
            f"We measure the first-name direction for {fname} again, after each block.",
            FadeIn(cos_cap, shift=UP * 0.5),
            LightUp(VGroup(cos.row_labels, cos.col_labels)),
            LaggedStart(
                *(FadeIn(cos.cells[(k, k)], scale=0.6) for k in range(len(d.hooks))), lag_ratio=0.3
            ),
        )
        off = d.cosines[~np.eye(len(d.hooks), dtype=bool)]
        self.shown["layer_cosines"] = d.cosines
        self.say(
            f"Between blocks their cosines run from {plain(off.min())} to {plain(off.max())}: nearly "
            "the same direction all the way up."
            if off.min() > 0.7
            else f"Between blocks their cosines run from {plain(off.min())} to {plain(off.max())}: the "
            "direction turns as it goes up.",
            LaggedStart(
                *(FadeIn(c, scale=0.6) for (i, j), c in cos.cells.items() if i != j), lag_ratio=0.1
            ),
        )
        self.shown["layer_separation"] = d.separation
        lo, hi = 100 * d.separation.min(), 100 * d.separation.max()
        self.say(
            "Then we read each block's vectors with every block's direction.",
            LightUp(VGroup(sep.row_labels, sep.col_labels)),
            LaggedStart(*(FadeIn(c, scale=0.6) for c in sep.cells.values()), lag_ratio=0.05),
        )
        self.say(
            f"Each pairing still sorts the 100 name pairs into {fname} or not {lo:.0f} to "
            f"{hi:.0f} percent of the time.",
            FadeIn(sep_cap, shift=UP * 0.5),
            LightUp(VGroup(*sep.cells.values())),
        )

    @step("Counting parameters", order=12)
    def step_count(self) -> None:
        ours, gpt3 = weight_counts(self.model.cfg), weight_counts(GPT3_CONFIG)
        extra = other_parameter_counts(self.model.cfg)
        ours_total = ours["total"] + sum(extra.values())
        ours_mlp = ours["mlp"] + extra["mlp_biases"]
        c, g = self.model.cfg, GPT3_CONFIG
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
        pct_cell = functools.partial(FastNumber, decimals=1, suffix="%", font_size=26)

        def make(h_buff: float) -> ValueTable:
            shown_rows = [*rows[:5], [rows[5][0], *(pct_cell(v) for v in rows[5][1:])]]
            return ValueTable(shown_rows, cols, font_size=26, h_buff=h_buff)

        per = 2 * g.d_model * g.d_mlp
        per_line = (
            VGroup(
                text("GPT-3, one layer:", 28, PALETTE["muted"]),
                math(r"2 \times", 34),
                FastNumber(g.d_model, 0, thousands=True, font_size=30),
                math(r"\times", 34),
                FastNumber(g.d_mlp, 0, thousands=True, font_size=30),
                math("=", 34),
                FastNumber(per, 0, thousands=True, font_size=30, color=PALETTE["highlight"]),
            )
            .arrange(RIGHT, buff=0.15)
            .to_edge(DOWN, buff=0.5)
        )
        fit_width(per_line)
        # the table fills the frame between the title and the line under it, its columns
        # spread across the frame's width
        table = spread_table(make, head, per_line, share=0.85, max_scale=1.6, gap=0.45)
        self.shown["count_rows"] = rows
        self.shown["count_table"] = table
        ratio = g.d_mlp // g.d_model
        ratio_line = text(
            f"GPT-3: {g.d_mlp:,} neurons = {ratio} × {g.d_model:,}", 30, PALETTE["muted"]
        ).to_edge(DOWN, buff=0.5)
        self.say(
            f"GPT-3's vectors have {g.d_model:,} numbers, and each of its MLPs has {g.d_mlp:,} "
            f"neurons, {ratio} times as many.",
            self.title_in(head),
            LaggedStart(
                FadeIn(table.header, shift=UP * 0.5),
                FadeIn(table.row(0), shift=UP * 0.5),
                FadeIn(table.row(1), shift=UP * 0.5),
                FadeIn(ratio_line, shift=UP * 0.5),
                lag_ratio=0.35,
            ),
            LightUp(table.cell(1, 2)),
        )
        self.say(
            f"The up and the down matrix hold {g.d_model:,} times {g.d_mlp:,} weights each.",
            FadeOut(ratio_line, shift=DOWN * 0.3),
            FadeIn(per_line[:2], shift=UP * 0.3),
            (LightUp(table.cell(0, 2)), FadeIn(per_line[2], shift=UP * 0.3)),
            FadeIn(per_line[3], shift=UP * 0.3),
            (LightUp(table.cell(1, 2)), FadeIn(per_line[4], shift=UP * 0.3)),
        )
        self.say(
            f"That is {per:,} weights in one layer.",
            FadeIn(per_line[5], shift=LEFT * 0.3),
            GrowFromCenter(per_line[6]),
            LightUp(per_line[6]),
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
            FadeIn(table.cell(5, 0), shift=UP * 0.5),
            (LightUp(table.cell(3, 2)), FadeIn(table.cell(5, 2), shift=UP * 0.2)),
        )
        self.say(
            f"In this small model the MLPs hold {rows[5][1]:.1f} percent of its {ours_total:,} "
            "parameters.",
            (LightUp(table.cell(4, 1)), FadeIn(table.cell(5, 1), shift=UP * 0.2)),
            LightUp(table.cell(5, 1)),
        )

    @step("Superposition", order=13)
    def step_superposition(self) -> None:
        res = load_or_run(SuperpositionConfig())
        cfg, r, o = res.config, res.random_stats, res.optimized_stats
        welch_deg = float(np.degrees(np.arccos(welch_bound(cfg.n_vectors, cfg.dim))))
        head = title("More directions than dimensions")
        edges = np.array(res.bin_edges)
        axes = plain_axes([60, 120, 10], [0, 1, 0.25], 12, 4.2, include_numbers=False).shift(
            DOWN * 0.75
        )
        ticks = VGroup(
            *(
                text(f"{d}°", 24, PALETTE["muted"]).next_to(axes.c2p(d, 0), DOWN, buff=0.15)
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

        dims = text(f"{cfg.dim} dimensions, angles between every pair", 26, PALETTE["muted"])
        dims.next_to(head, DOWN, buff=0.2)
        self.say(
            f"In {cfg.dim} dimensions only {cfg.dim} directions can be exactly perpendicular to "
            "each other.",
            self.title_in(head),
            FadeIn(dims, shift=DOWN * 0.5),
            Create(axes),
            FadeIn(ticks, shift=UP * 0.5),
        )
        random_h = hist(res.random_counts, PALETTE["muted"], 0.6)
        opt_h = hist(res.optimized_counts, PALETTE["positive"], 0.85)
        legend_r = text(
            f"{cfg.n_vectors:,} random directions: {r['min']:.1f}° to {r['max']:.1f}°",
            26,
            PALETTE["muted"],
        )
        legend_o = text(
            f"after nudging apart: {o['min']:.1f}° to {o['max']:.1f}°", 26, PALETTE["positive"]
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
            f"Welch bound: {welch_deg:.1f}° and {180 - welch_deg:.1f}°", 26, PALETTE["highlight"]
        )
        bound.to_edge(DOWN, buff=0.4)
        self.shown["superposition"] = res
        self.say(
            f"They pile up near {welch_deg:.1f} and {180 - welch_deg:.1f} degrees: no "
            f"{cfg.n_vectors:,} directions in {cfg.dim} dimensions can all be closer to "
            "perpendicular than that.",
            Create(mark),
            FadeIn(bound, shift=UP * 0.5),
            LightUp(bound),
        )
        self.say(
            "Still, far more nearly perpendicular directions fit than there are dimensions, and "
            "their number grows exponentially with the dimension.",
            LightUp(opt_h),
            LightUp(dims),
        )
        many = text(
            f"{cfg.n_vectors:,} nearly perpendicular directions in {cfg.dim} dimensions",
            28,
            PALETTE["positive"],
        )
        many.move_to(bound)
        self.say(
            "So a model can keep more features than it has neurons, each spread over several "
            "of them.",
            FadeOut(bound, shift=DOWN * 0.5),
            FadeIn(many, shift=UP * 0.5),
            LightUp(many),
        )
        self.say(
            "That is one reason single neurons are hard to read.",
            LightUp(VGroup(legend_r, legend_o)),
        )
        self.hand_over(axes=self.keep(axes))


def _tail(context: str, width: int = 38) -> str:
    """The end of a corpus text, cut at a word boundary, with an ellipsis when cut."""
    if len(context) <= width:
        return context
    cut = context[-width:]
    return "…" + (cut[cut.index(" ") + 1 :] if " " in cut else cut)


class RoomStep(MLPScene):
    @step("Room in high dimensions", order=14)
    def step_room(self) -> None:
        cap = load_capacity()
        tol = cap.config.tolerance
        dims = list(cap.config.dims)
        head = title("How many nearly perpendicular directions fit?")
        old_axes = self.received("axes")  # the angle chart's axes turn into the count chart's
        top = max(cap.counts.values())
        axes = plain_axes(
            [0, len(dims), 1], [0, np.log10(top) * 1.1, 1], 11, 4.6, include_numbers=False
        ).shift(DOWN * 0.45 + RIGHT * 0.4)
        rule = text(
            f"every pair within {tol:g}° of perpendicular; bar heights on a log scale",
            26,
            PALETTE["muted"],
        ).next_to(head, DOWN, buff=0.25)
        ticks = VGroup(
            *(
                FastNumber(10**k, 0, thousands=True, font_size=24, color=PALETTE["muted"]).next_to(
                    axes.c2p(0, k), LEFT, 0.15
                )
                for k in range(int(np.log10(top)) + 1)
            )
        )
        self.say(
            f"How many directions fit when every pair must be within {tol:g} degrees of "
            "perpendicular?",
            self.title_in(head),
            FadeIn(rule, shift=DOWN * 0.5),
            [
                ReplacementTransform(old_axes, axes) if old_axes is not None else Create(axes),
                FadeIn(ticks),
            ],
        )
        bars, labels, counts = VGroup(), VGroup(), VGroup()
        for k, d in enumerate(dims):
            n = cap.counts[d]
            h = max(np.log10(n), 0.05)
            p0, p1 = axes.c2p(k + 0.2, 0), axes.c2p(k + 0.8, h)
            bar = Rectangle(
                width=p1[0] - p0[0],
                height=p1[1] - p0[1],
                stroke_width=0,
                fill_color=PALETTE["positive"],
                fill_opacity=0.85,
            ).move_to((p0 + p1) / 2)
            bars.add(bar)
            labels.add(
                text(f"{d:,} dims", 26, PALETTE["muted"]).next_to(axes.c2p(k + 0.5, 0), DOWN, 0.15)
            )
            more = "≥ " if cap.capped[d] else ""
            counts.add(FastNumber(n, 0, thousands=True, font_size=28).next_to(bar, UP, 0.1))
            if more:
                counts[-1] = (
                    VGroup(text(more, 28), counts[-1])
                    .arrange(RIGHT, buff=0.05)
                    .next_to(bar, UP, 0.1)
                )
        self.shown["capacity"] = cap
        low = [k for k, d in enumerate(dims) if cap.counts[d] <= d]
        if low:
            said = ", ".join(f"{cap.counts[dims[k]]:,}" for k in low)
            self.say(
                f"In {', '.join(f'{dims[k]:,}' for k in low)} dimensions no more fit than the "
                f"dimension itself: {said}.",
                FadeIn(VGroup(*(labels[k] for k in low)), shift=UP * 0.5),
                LaggedStart(*(GrowFromEdge(bars[k], DOWN) for k in low), lag_ratio=0.3),
                FadeIn(VGroup(*(counts[k] for k in low)), shift=UP * 0.5),
            )
        for k, d in enumerate(dims):
            if k in low:
                continue
            n = cap.counts[d]
            end = ": the search stopped there" if cap.capped[d] else ""
            self.say(
                f"In {d:,} dimensions, {'at least ' if cap.capped[d] else ''}{n:,}{end}.",
                FadeIn(labels[k], shift=UP * 0.5),
                GrowFromEdge(bars[k], DOWN),
                FadeIn(counts[k], shift=UP * 0.5),
            )
        self.say(
            "The room grows far faster than the dimension: the intuition behind the "
            "Johnson-Lindenstrauss lemma.",
            LightUp(VGroup(bars[-2:], counts[-2:])),
        )
        note = text(
            f"a real search: vectors pushed apart by gradient descent ({cap.seconds:.0f} s on {cap.device})",
            20,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.3)
        self.say(
            "Each count is a real search: random directions pushed apart by gradient descent.",
            FadeIn(note, shift=UP * 0.5),
            LightUp(note),
        )

    @step("A sparse autoencoder", order=15)
    def step_sae(self) -> None:
        sae = load_sae()
        cfg = sae.config
        n = self.neuron
        head = title("Features from a sparse autoencoder")
        if not sae.fits(self.model):
            note = lines(
                "The shipped autoencoder was trained on the embedded model,",
                "not on this one, so no features are shown here.",
                size=26,
            )
            self.shown["sae"] = None
            self.say(
                "Researchers untangle neurons that mix features with sparse autoencoders.",
                self.title_in(head),
            )
            self.say(
                "The one shipped with llmviz was trained on the embedded model, not on this one, "
                "so this step shows none of its features.",
                FadeIn(note, shift=UP * 0.5),
            )
            return
        probe = self.prompt  # the chapter's own prompt, encoded with the shipped weights
        per_token = features_at_tokens(self.model, probe, sae)
        on = [t for t in per_token if t.feature is not None]
        peak = max(on, key=lambda t: t.value) if on else None
        if peak is None or peak.feature not in sae.features:
            why = (
                "no feature of the autoencoder is on at any of its tokens"
                if peak is None
                else f"its strongest feature, {peak.feature}, never fired on the corpus texts"
            )
            note = fit_width(
                lines(f"“{probe}”", f"the autoencoder of layer {cfg.layer}: {why}", size=26), 12.5
            ).next_to(head, DOWN, buff=1.0)
            self.shown["sae"] = None
            self.say(
                "Researchers untangle neurons that mix features with sparse autoencoders.",
                self.title_in(head),
            )
            self.say(
                f"Our small one, trained on layer {cfg.layer}, has nothing to show for this "
                f"prompt: {why}.",
                FadeIn(note, shift=UP * 0.5),
            )
            return
        f, value = peak.feature, peak.value
        info = sae.features[f]
        num = functools.partial(FastNumber, font_size=24, thousands=True)
        alone = spread_table(
            lambda h_buff: ValueTable(
                [
                    [f"neurons of layer {cfg.layer}", num(self.model.cfg.d_mlp, 0)],
                    ["corpus sentences", num(cfg.n_sentences, 0)],
                    ["features it learned", num(cfg.n_features, 0)],
                    ["features on per token", num(sae.mean_active, 1)],
                    ["variance kept", num(100 * sae.explained, 1, suffix="%")],
                ],
                [Column(f"layer {cfg.layer}"), Column("value")],
                header=False,
                font_size=24,
                h_buff=h_buff,
                v_buff=1.55,
            ),
            head,
            False,
            share=0.85,
            max_scale=1.8,
        )
        self.shown["sae_table"] = alone
        # the numbers, once said, shrink into one line at the frame's foot; the prompt's tokens
        # with each one's strongest feature take the frame, and below them the peak feature's
        # strongest corpus texts
        summary = caption(
            f"{cfg.n_features} features on the {self.model.cfg.d_mlp} neurons of layer "
            f"{cfg.layer} · {sae.mean_active:.1f} on per token · "
            f"{100 * sae.explained:.1f}% of the variance kept"
        )
        strip, bars, values, names = self._feature_strip(per_token, peak)
        top = info["top"][:4]
        texts = ValueTable(
            [[_tail(c["context"]), code(display_token(c["token"]), 24), c["value"]] for c in top],
            [Column("corpus text"), Column("at token"), Column("value", 2)],
            row_names=[str(k) for k in range(len(top))],
            font_size=24,
            v_buff=1.35,
        )
        share = abs(info["neuron_weight"])
        line = text(
            f"its direction: cosine {share:.2f} with neuron {info['neuron']} alone",
            24,
            PALETTE["highlight"],
        )
        tokens = VGroup(bars, values, strip, names)
        picture = VGroup(tokens, texts, line).arrange(DOWN, buff=0.4)
        line.align_to(texts, LEFT)
        fill_frame(picture, title=head, caption=summary, max_scale=1.4)
        self.shown["sae_tokens"] = (per_token, bars)
        self.shown["sae_texts"] = texts
        labels = VGroup(*(alone.cell(k, 0) for k in range(5)))
        self.say(
            "Researchers untangle neurons that mix features with sparse autoencoders.",
            self.title_in(head),
            LaggedStart(*(FadeIn(m, shift=RIGHT * 0.5) for m in labels), lag_ratio=0.2),
        )
        self.say(
            f"We trained a small one on the {self.model.cfg.d_mlp} neurons of layer {cfg.layer}, "
            f"over {cfg.n_sentences:,} corpus sentences.",
            FadeIn(alone.cell(0, 1), shift=RIGHT * 0.5),
            FadeIn(alone.cell(1, 1), shift=RIGHT * 0.5),
        )
        self.say(
            f"It learned {cfg.n_features} features, and about {sae.mean_active:.1f} of them are on "
            "at any token.",
            FadeIn(alone.cell(2, 1), shift=RIGHT * 0.5),
            FadeIn(alone.cell(3, 1), shift=RIGHT * 0.5),
        )
        self.say(
            f"Rebuilt from those few, the activations keep {100 * sae.explained:.1f} percent of "
            "their variance.",
            FadeIn(alone.cell(4, 1), shift=RIGHT * 0.5),
            LightUp(alone.row(4)),
        )
        self.shown["sae"], self.shown["sae_feature"] = sae, f
        cells = VGroup(*(alone.cell(k, j) for k in range(5) for j in range(2)))
        self.say(
            f'Each token of "{probe}" turns on a few features; the bar over a token is the '
            "strongest one there.",
            (ReplacementTransform(cells, summary), FadeIn(strip, shift=UP * 0.5)),
            (GrowFromEdge(bars, DOWN), FadeIn(values), FadeIn(names)),
        )
        at = quoted(peak.token)
        k = per_token.index(peak)
        self.say(
            f"Feature {f} is the most on, at {at}: {value:.2f}.",
            LightUp(VGroup(bars[k], values[k], names[k], strip.boxes[peak.position])),
        )
        words = [c["token"].strip() or c["token"] for c in top]
        ends = sorted(set(words), key=words.index)
        where = (
            f"{'every one ends' if len(top) > 1 else 'it ends'} at {quoted(ends[0])}"
            if len(ends) == 1
            else f"they end at {', '.join(quoted(t) for t in ends)}"
        )
        self.say(
            f"These are the corpus texts it fires on most, each up to the token where it fires: "
            f"{where}.",
            FadeIn(texts.header, shift=UP * 0.3),
            LaggedStart(
                *(FadeIn(texts.row(str(j)), shift=UP * 0.3) for j in range(len(top))),
                lag_ratio=0.25,
            ),
            LightUp(texts.column(1)),
        )
        last = per_token[-1]
        if last is not peak:
            lk = len(per_token) - 1
            weak = (
                f"no feature is on at the last token, {quoted(last.token)}, where the model "
                "names the sport"
                if last.feature is None
                else f"at the last token, {quoted(last.token)}, where the model names the sport, "
                f"the strongest feature, {last.feature}, is at only {last.value:.2f}"
            )
            self.say(
                f"The features are brightest at the names; {weak}.",
                LightUp(VGroup(bars[lk], values[lk], names[lk], strip.boxes[last.position])),
            )
        same = info["neuron"] == n.neuron and cfg.layer == n.layer
        if share > 0.9 and same:
            sentence = (
                f"Its direction is almost exactly neuron {info['neuron']}, the chapter's neuron: in "
                "this model, trained to use few neurons, that neuron already is a clean feature."
            )
        elif share > 0.9:
            sentence = f"Its direction is almost exactly one neuron, neuron {info['neuron']}."
        else:
            sentence = (
                f"Its direction mixes several neurons: its largest cosine with a single neuron is "
                f"{share:.2f}."
            )
        self.say(sentence, FadeIn(line, shift=UP * 0.5), LightUp(line))

    def _feature_strip(self, per_token, peak):
        """The prompt's tokens with a bar over each for its strongest feature's value, the value
        over the bar and the feature's number under the token; tokens the strip leaves out get
        no bar. Values and numbers show where they fit over their token, else only the peak's
        and the last token's."""
        strip = TokenStrip([t.token for t in per_token], font_size=28)
        most = max(t.value for t in per_token)
        bars, values, names = VGroup(), VGroup(), VGroup()
        for t in per_token:
            box = strip.boxes[t.position]
            color = PALETTE["highlight"] if t is peak else PALETTE["positive"]
            bar = Rectangle(
                width=0.6 * box.width,
                height=max(1.3 * t.value / most, 0.02),
                stroke_width=0,
                fill_color=color,
                fill_opacity=0.85 if t.position not in strip.hidden else 0.0,
            ).next_to(box, UP, buff=0.1)
            bars.add(bar)
            values.add(FastNumber(t.value, 2, font_size=24, color=color).next_to(bar, UP, 0.08))
            name = "none" if t.feature is None else f"#{t.feature}"
            names.add(text(name, 24, PALETTE["muted"]).next_to(box, DOWN, 0.12))
        for name in names:  # on one line: "#82" and "none" on the same baseline
            name.shift(UP * (names[0].baseline - name.baseline))
        keep = {peak.position, per_token[-1].position}
        for group in (values, names):
            if any(m.width > b.width + 0.08 for m, b in zip(group, strip.boxes, strict=True)):
                for t, m in zip(per_token, group, strict=True):
                    if t.position not in keep:
                        m.set_opacity(0)
        for t in per_token:
            if t.position in strip.hidden:
                values[t.position].set_opacity(0)
                names[t.position].set_opacity(0)
        return strip, bars, values, names

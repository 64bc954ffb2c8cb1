"""Scenes MultiHead, AnotherHead, CountingAttention (lecture steps D2, E29 in COVERAGE.md).
tests/scenes/test_attention.py pins their section titles, the shown values ``attn_out``,
``count_values``, ``heads``, ``heads_drawn``, ``other_head``, ``two_changes_cosine``,
``two_heads``, ``two_heads_keys``, and that every number said is on screen.

Steps 10 to 12: every head of the layer, a head that updates the noun another way (the
lecture's "Harry" point), and the bill in parameters."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Angle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Line,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    VGroup,
)

from attention_steps.common import QUERY, READABLE, AttentionScene, shape
from llmviz.animations import LightUp
from llmviz.layout import fit_width, text, title
from llmviz.mobjects import (
    AttentionGrid,
    Column,
    FastNumber,
    FastText,
    NumericMatrix,
    NumericVector,
    ValueTable,
    VectorPlane,
)
from llmviz.model.analysis import strongest_attention
from llmviz.model.analysis.heads import contrasting_head
from llmviz.model.config import attention_parameters
from llmviz.model.projection import plane_of
from llmviz.model.trace import hook_name
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import FONTS, PALETTE, display_token

OTHER = "accent"  # the second head's colour


class MultiHeadStep(AttentionScene):
    @step("Multi-head attention", order=10)
    def step_multi_head(self) -> None:
        cfg, g = self.model.cfg, self.gpt3
        H = cfg.n_heads
        pats = self.t[hook_name("pattern", self.L)]  # [head, query, key]
        z = self.t[hook_name("z", self.L)][self.q]  # [head, d_head]
        outs = [z[h].astype(np.float64) @ self.model.W("O", self.L, h) for h in range(H)]
        strongest = {(la, hd): (q, k, w) for la, hd, q, k, w in strongest_attention(self.t)}
        noun = self.noun
        head = title(f"All {H} heads of layer {self.L} (GPT-3: {g.n_heads} per layer)")
        # a GPT-2-sized layer (12 heads) shows five of them, the followed one among them
        heads = list(range(H)) if H <= 6 else sorted({0, 1, self.h, H - 2, H - 1})
        self.shown["heads_drawn"] = heads
        # one column per head: its pattern, its strongest link and its change for the noun; the
        # first grid carries the key labels, and room is kept right of the last for the sum
        d = self.places(np.concatenate([o[[0, 1, 2, 3, -1]] for o in outs]), 0.75)
        total = self.t[hook_name("attn_out", self.L)][self.q]
        out = NumericVector(total, max_entries=5, font_size=READABLE, decimals=d)
        size = AttentionGrid.label_size(0.3, min(14, 44 * 0.3))  # key labels at the largest cell
        label_w = max(
            max(FastText(display_token(t), size, font=FONTS["mono"]).width for t in self.t.tokens),
            0.5,
        )
        width = (self.width() - 0.8 - label_w - out.width - 0.9) / len(heads)
        cell = min(0.3, (width - 0.3) / self.n)
        columns, grids, changes, notes = VGroup(), VGroup(), [], VGroup()
        # too many tokens for a label each: the ones the notes and narration name come first,
        # the followed head's first (its columns are queries, the first grid's rows keys)
        links = [strongest[(self.L, h)][:2] for h in sorted(heads, key=lambda h: h != self.h)]
        for i, h in enumerate(heads):
            q, k, w = strongest[(self.L, h)]
            grid = AttentionGrid(
                pats[h],
                query_tokens=self.t.tokens,
                key_tokens=self.t.tokens if i == 0 else None,  # rows line up across the heads
                cell_size=cell,
                font_size=min(14, 44 * cell),
                labelled=[q, self.q, k, *(j for link in links for j in link)],
                labelled_keys=[self.q, *(key for _, key in links), *(qu for qu, _ in links)],
            )
            # which tokens are written on the grid's columns (and, on the first, its rows)
            self.shown.setdefault("labelled", {})[h] = (grid.written_queries, grid.written_keys)
            name = text(f"head {h}", 20, PALETTE[QUERY] if h == self.h else PALETTE["text"])
            name.next_to(grid, UP, buff=0.12).match_x(grid.cells)
            note = VGroup(
                fit_width(text(f'"{self.tok(q)}" →', 20, PALETTE["muted"]), width),
                fit_width(text(f'"{self.tok(k)}" {w:.2f}', 20, PALETTE["muted"]), width),
            ).arrange(DOWN, buff=0.08)
            note.next_to(grid, DOWN, buff=0.1).match_x(grid.cells)
            v = NumericVector(outs[h], max_entries=5, font_size=READABLE, decimals=d)
            v.next_to(note, DOWN, buff=0.2).match_x(grid.cells)
            grids.add(VGroup(grid, name))
            notes.add(note)
            changes.append(v)
            columns.add(VGroup(grid, name, note, v))
        columns.arrange(RIGHT, buff=0.3, aligned_edge=DOWN).next_to(head, DOWN, buff=0.2)
        out.next_to(changes[-1], RIGHT, buff=0.6)
        VGroup(columns, out).set_x(0)
        eq = text("=", 28).move_to((changes[-1].get_right() + out.get_left()) / 2)
        plus = VGroup(
            *(
                text("+" if heads[i + 1] == heads[i] + 1 else "+ … +", 28).move_to(
                    (changes[i].get_right() + changes[i + 1].get_left()) / 2
                )
                for i in range(len(heads) - 1)
            )
        )
        sum_lab = fit_width(
            text(f'ΔE for "{noun}" from each head, and their sum', 20, PALETTE["muted"])
        ).next_to(VGroup(*changes), DOWN, buff=0.2)
        self.fill(VGroup(columns, out, eq, plus, sum_lab), head, most=1.3)
        self.shown["heads"] = [(c, outs[h]) for c, h in zip(changes, heads, strict=True)]
        self.shown["attn_out"] = (out, total)
        self.say(
            f"A layer runs several heads side by side: {H} in this model, {g.n_heads} in GPT-3.",
            self.title_in(head),
            LaggedStart(*(FadeIn(gr, shift=DOWN * 0.3) for gr in grids), lag_ratio=0.2),
        )
        self.say(
            "Each has its own query, key and value matrices, and so its own pattern.",
            LaggedStart(*(FadeIn(n, shift=UP * 0.2) for n in notes), lag_ratio=0.2),
            LightUp(grids[heads.index(self.h)]),
        )
        self.say(
            f'Under each pattern is that head\'s change for "{noun}".',
            LaggedStart(*(FadeIn(c, shift=DOWN * 0.2) for c in changes), lag_ratio=0.2),
        )
        self.say(
            "The layer adds the changes of all its heads to the stream.",
            (FadeIn(plus), FadeIn(eq)),
            (FadeIn(out, shift=LEFT * 0.3), FadeIn(sum_lab)),
        )
        Ws = {h: self.model.W("O", self.L, h).T for h in heads}
        shown = np.concatenate(
            [W[[0, 1, 2, 3, 4, 5, 6, -1]][:, [0, -1]].ravel() for W in Ws.values()]
        )
        for buff, slot in ((0.3, 0.75), (0.3, 0.55), (0.2, 0.45)):  # fewer digits where crowded
            d_w = self.places(shown, slot)
            blocks = VGroup()
            for h in heads:
                m = NumericMatrix(
                    Ws[h], max_rows=8, max_cols=2, font_size=READABLE, decimals=d_w, h_buff=0.2
                )
                gap = "… " if h and h - 1 not in heads else ""  # heads left out before this one
                lab = text(f"{gap}value-up {h}", 20, PALETTE["muted"]).next_to(m, DOWN, buff=0.15)
                blocks.add(VGroup(m, lab))
            blocks.arrange(RIGHT, buff=buff)
            if blocks.width <= self.width() - 0.6:
                break
        blocks.next_to(head, DOWN, buff=0.9).set_x(0)
        side_by_side = blocks.copy().arrange(RIGHT, buff=0.08).move_to(blocks)
        stapled = SurroundingRectangle(
            VGroup(*(b[0] for b in side_by_side)), buff=0.15, color=PALETTE["highlight"]
        )
        wo = fit_width(
            text(
                f"W_O of layer {self.L}: {shape(cfg.d_model)} × {shape(H * cfg.d_head)}, "
                f"{H} value-up maps side by side",
                22,
            )
        ).next_to(stapled, DOWN, buff=0.7)
        gpt = self.footer(
            f"GPT-3: {g.n_heads} heads make a {shape(g.d_model)} × {shape(g.n_heads * g.d_head)} "
            "output matrix per layer",
            20,
        )
        self.fill(VGroup(blocks, side_by_side, stapled, wo), head, gpt, 1.3)
        old = VGroup(grids, notes, *changes, plus, eq, out, sum_lab)
        self.say(
            "Each head's value-up matrix maps its sum back up to the stream.",
            FadeOut(old, shift=DOWN * 0.4),
            LaggedStart(*(FadeIn(b, shift=UP * 0.3) for b in blocks), lag_ratio=0.2),
        )
        self.say(
            f"Put side by side, they form the layer's output matrix W_O, {shape(cfg.d_model)} by "
            f"{shape(H * cfg.d_head)}.",
            Transform(blocks, side_by_side),
            (Create(stapled), FadeIn(wo, shift=UP * 0.3)),
        )
        self.say(
            f"In GPT-3 that matrix is {shape(g.d_model)} by {shape(g.n_heads * g.d_head)} in "
            "every layer.",
            FadeIn(gpt, shift=UP * 0.3),
        )
        self.hand_over(maps=blocks)  # the value-up maps, side by side, become the next table


class OtherHeadStep(AttentionScene):
    @step("Another head, another update", order=11)
    def step_other_head(self) -> None:
        f, noun = self.focus, self.noun
        o = contrasting_head(self.model, self.t, self.L, self.h, self.q, f.keys)
        self.shown["other_head"] = o
        mine = self.t[hook_name("z", self.L)][self.q, self.h].astype(np.float64)
        mine = mine @ self.model.W("O", self.L, self.h)
        what = (
            "its adjectives" if f.adjective_head else " and ".join(f'"{w}"' for w in self.key_words)
        )
        head = title(f'Two heads update "{noun}"')
        keys = list(range(self.q + 1))
        words = [self.tok(k) for k in keys]
        # a column per key, named by its token; a token that comes twice also gets its position
        cols = {k: f'"{w}"' if words.count(w) == 1 else f'"{w}" ({k})' for k, w in enumerate(words)}
        rows = [self.pattern[self.q], self.t[hook_name("pattern", o.layer)][o.head][self.q]]
        names = [f"layer {self.L}, head {self.h}", f"layer {o.layer}, head {o.head}"]
        on = "on adjectives" if f.adjective_head else "on its keys"
        sums = [float(r[list(f.keys)].sum()) for r in rows]
        # every key up to the noun; if that is too wide to read, the keys the story names and
        # one column for the weight of all the others together
        chosen = sorted({*f.keys, o.top_key})
        for drawn in (keys, chosen):
            rest = [k for k in keys if k not in drawn]
            extra = [Column(f"{len(rest)} other keys")] if rest else []
            table = ValueTable(
                [
                    [n, *r[drawn], *([float(r[rest].sum())] if rest else []), s_]
                    for n, r, s_ in zip(names, rows, sums, strict=True)
                ],
                [
                    Column("weights from " + f'"{noun}"'),
                    *(Column(cols[k]) for k in drawn),
                    *extra,
                    Column(on),
                ],
                row_names=names,
                font_size=22,
                h_buff=0.4,
            )
            if table.width <= self.width():
                break
        self.shown["two_heads_keys"] = drawn
        fit_width(table).next_to(head, DOWN, buff=0.5)
        table.row(names[0])[0].set_color(PALETTE[QUERY])
        table.row(names[1])[0].set_color(PALETTE[OTHER])
        self.shown["two_heads"] = table
        mine_share = sums[0]
        for r in names:
            table.cell(r, on).set_color(PALETTE["highlight"])
        # the table first stands in the middle of the frame, and moves up when the plane comes
        shown_table = [table.header, *(table.row(n) for n in names)]
        lower = DOWN * max(0.0, float(table.get_y()) - 0.3)
        table.shift(lower)
        maps = self.received("maps")  # the layer's value-up maps, from the last step
        self.say(
            "One word can need several kinds of update at once, which is why a layer has many "
            "heads.",
            self.title_in(head),
            ReplacementTransform(maps, table.header)
            if maps is not None
            else FadeIn(table.header, shift=DOWN * 0.3),
        )
        self.say(
            f'The head we followed gives {what} {mine_share:.2f} of the attention of "{noun}".',
            FadeIn(table.row(names[0]), shift=RIGHT * 0.3),
            LightUp(VGroup(*(table.cell(names[0], cols[k]) for k in f.keys))),
            LightUp(table.cell(names[0], on)),
        )
        mark = table.highlight_cell(names[1], cols[o.top_key], PALETTE[OTHER])
        self.say(
            f'Layer {o.layer}, head {o.head} looks mostly at "{self.tok(o.top_key)}", with '
            f"{o.top_weight:.2f}, and gives {what} only {o.share_on_keys:.2f}.",
            FadeIn(table.row(names[1]), shift=RIGHT * 0.3),
            Create(mark),
        )
        proj = plane_of(np.vstack([mine, o.delta]), mine, o.delta)
        self.shown["two_changes_plane"] = proj
        plane = VectorPlane(proj.coords, size=3.4)
        plane.next_to(table, DOWN, buff=0.5).to_edge(LEFT, buff=1.8).shift(-lower)
        plane.caption = self.plane_caption(proj, "the two changes", plane)
        a = plane.arrow(proj.coords[0], PALETTE[QUERY])
        b = plane.arrow(proj.coords[1], PALETTE[OTHER])
        la = text(f"head {self.h}'s ΔE", 20, PALETTE[QUERY]).next_to(
            a.get_end(), UP + RIGHT, buff=0.1
        )
        lb = text(f"head {o.head}'s ΔE", 20, PALETTE[OTHER]).next_to(b.get_end(), UP, buff=0.1)
        if o.layer != self.L:
            lb = text(f"L{o.layer} head {o.head}'s ΔE", 20, PALETTE[OTHER]).move_to(lb)
        self.say(
            f'Each head adds its own change to "{noun}": two arrows in the plane they span.',
            VGroup(*shown_table, mark).animate.shift(-lower),
            (Create(plane.axes), FadeIn(plane.caption, shift=UP * 0.4)),
            (GrowArrow(a), FadeIn(la)),
            (GrowArrow(b), FadeIn(lb)),
        )
        arc = Angle(Line(a.get_start(), a.get_end()), Line(b.get_start(), b.get_end()), radius=0.5)
        arc.set_color(PALETTE["highlight"])
        deg = float(np.degrees(np.arccos(np.clip(o.cosine, -1, 1))))
        readout = VGroup(
            text("cosine of the two changes:", 22),
            FastNumber(o.cosine, 2, font_size=22, color=PALETTE["highlight"]),
            text(", an angle of", 22),
            FastNumber(deg, 0, suffix="°", font_size=22, color=PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.12)
        readout.next_to(plane.axes, RIGHT, buff=1.2, aligned_edge=UP)
        fit_width(readout, self.room_right(readout.get_left()[0]))
        self.shown["two_changes_cosine"] = Shown(readout[1], o.cosine)
        how = "in nearly unrelated directions" if abs(o.cosine) < 0.5 else "partly the same way"
        self.say(
            f'Their cosine is {o.cosine:.2f}, an angle of {deg:.0f} degrees: they move "{noun}" '
            f"{how}.",
            Create(arc),
            FadeIn(readout, shift=LEFT * 0.3),
        )
        verdict = (
            text(
                "different heads, different updates"
                if abs(o.cosine) < 0.5
                else "these two overlap",
                24,
                PALETTE["highlight"],
            )
            .next_to(readout, DOWN, buff=0.4)
            .align_to(readout, LEFT)
        )
        self.say(
            "Each head learns its own kind of update, and the layer adds them all.",
            FadeIn(verdict, shift=UP * 0.3),
            LightUp(VGroup(a, b)),
        )
        # the table of two heads' weights turns into the next step's bill
        self.hand_over(table=VGroup(table.header, *(table.row(n) for n in names)))


class CountStep(AttentionScene):
    @step("Counting parameters", order=12)
    def step_count(self) -> None:
        c, g = self.model.cfg, self.gpt3
        ours, gpt = attention_parameters(c), attention_parameters(g)
        head = title("Counting attention parameters")
        rows = [
            ("query map", "map"),
            ("key map", "map"),
            ("value-down + value-up", "value_factored"),
            ("one head", "head"),
            (f"one layer (× {c.n_heads} / × {g.n_heads})", "layer"),
            ("all layers", "all_layers"),
            ("share of all weights", None),
        ]

        def gpt_cell(v: float) -> FastNumber:
            m = v / 1e6
            return FastNumber(m, 1 if m < 100 else 0, thousands=True, font_size=28)

        cells, self.shown["count_values"] = [], {}
        for name, key in rows:
            if key is None:
                a = FastNumber(
                    100 * ours["all_layers"] / ours["total"], 1, suffix="%", font_size=28
                )
                b = FastNumber(100 * gpt["all_layers"] / gpt["total"], 1, suffix="%", font_size=28)
                vals = (ours["all_layers"] / ours["total"], gpt["all_layers"] / gpt["total"])
            else:
                a = FastNumber(ours[key], 0, thousands=True, font_size=28)
                b, vals = gpt_cell(gpt[key]), (ours[key], gpt[key])
            cells.append([name, a, b])
            self.shown["count_values"][name] = (a, vals[0], b, vals[1])
        table = ValueTable(
            cells,
            [Column("attention weights"), Column("this model"), Column("GPT-3, millions")],
            font_size=28,
            h_buff=1.0,
            v_buff=1.2,
        )
        sub = text(
            f"maps of {c.d_head} × {shape(c.d_model)} here, {g.d_head} × {shape(g.d_model)} in GPT-3",
            22,
            PALETTE["muted"],
        ).next_to(head, DOWN, buff=0.25)
        fit_width(table).next_to(sub, DOWN, buff=0.4)
        total = self.footer(f"GPT-3 has {gpt['total'] / 1e9:.0f} billion weights in all", 22)
        self.fill(table, sub, total, 1.3)
        self.shown["counts"] = table
        names = table.column("attention weights")  # every line of the bill, before its numbers

        def row(name: str):
            return FadeIn(
                VGroup(table.cell(name, "this model"), table.cell(name, "GPT-3, millions")),
                shift=RIGHT * 0.3,
            )

        gm = gpt["map"] / 1e6
        two = self.received("table")  # the last step's table of two heads
        self.say(
            f"Now the bill: in GPT-3 a query map is {shape(g.d_head)} by {shape(g.d_model)}, about "
            f"{gm:.1f} million weights.",
            self.title_in(head),
            (
                ReplacementTransform(two, table.header)
                if two is not None
                else FadeIn(table.header, shift=DOWN * 0.3),
                FadeIn(sub),
                FadeIn(names, shift=RIGHT * 0.3),
            ),
            row("query map"),
        )
        self.say("A key map is just as big.", row("key map"))
        self.say(
            f"The value map, split into value-down and value-up, has as many as both together: "
            f"{gpt['value_factored'] / 1e6:.1f} million.",
            row("value-down + value-up"),
        )
        self.say(
            f"That makes {gpt['head'] / 1e6:.1f} million per head, and "
            f"{gpt['layer'] / 1e6:.0f} million per layer of {g.n_heads} heads.",
            row("one head"),
            row(rows[4][0]),
        )
        share = gpt["all_layers"] / gpt["total"]
        self.say(
            f"In all {g.n_layers} layers that is {gpt['all_layers'] / 1e6:,.0f} million: "
            f"{share:.1%} of GPT-3's {gpt['total'] / 1e9:.0f} billion.",
            row("all layers"),
            (row("share of all weights"), FadeIn(total, shift=UP * 0.3)),
        )
        self.say(
            f"Our small model has the same structure: {ours['all_layers']:,} attention weights, "
            f"{ours['all_layers'] / ours['total']:.1%} of all.",
            Create(
                SurroundingRectangle(table.column("this model")[-2:], color=PALETTE["highlight"])
            ),
        )

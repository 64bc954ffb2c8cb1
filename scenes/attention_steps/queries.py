"""Scenes QueriesAndKeys, KeysLineUp, TheGrid (lecture steps A16, E7, E13 in COVERAGE.md).
tests/scenes/test_attention.py pins their section titles, the shown values ``dots``, ``grid``,
``keys``, ``keys_line_up``, ``kq_cosines``, ``kq_plane``, ``q``, ``queries``, and that every number
said is on screen.

Steps 3 to 5: queries and keys, the key-query space drawn as arrows, and the grid of every
key-query dot product."""

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
    Group,
    GrowArrow,
    LaggedStart,
    ReplacementTransform,
    VGroup,
)

from attention_steps.common import KEY, QUERY, READABLE, AttentionScene
from llmviz.animations import LightUp, MatrixVectorProduct
from llmviz.layout import (
    fit_width,
    in_frame,
    lines,
    math,
    number,
    place_label,
    prose,
    stack_apart,
    text,
    title,
)
from llmviz.mobjects import NumericVector, VectorPlane, WeightMatrix
from llmviz.model.analysis import cosine
from llmviz.model.projection import plane_of
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import signed


class QueriesKeysStep(AttentionScene):
    @step("Queries and keys", order=3)
    def step_queries_keys(self) -> None:
        cfg, noun = self.model.cfg, self.noun
        head = title(f"Queries and keys: {self.where()}")
        W_Q = self.model.W("Q", self.L, self.h).T  # [d_head, d_model], as the lecture draws it
        # at 6 decimals the entries keep their size and the matrix its width: fewer digits
        big = 28  # the product's numbers, as large as the frame leaves room for
        d = self.places(np.concatenate([W_Q[:6, :5].ravel(), self.x[self.q][:6]]), 1.05, big)
        matrix = WeightMatrix(
            W_Q,
            name=math("W_Q", big * 1.3),
            max_rows=6,
            max_cols=5,
            font_size=big,
            decimals=d,
            label_size=24,
        )
        x = NumericVector(
            self.x[self.q],
            max_entries=6,
            font_size=big,
            decimals=d,
            label=f'x("{noun}")',
            label_size=24,
        )
        VGroup(matrix, x).arrange(RIGHT, buff=0.4).next_to(head, DOWN, buff=1.1)
        VGroup(matrix, x).to_edge(LEFT, buff=0.9)
        product = MatrixVectorProduct(matrix, x, run_time_per_row=0.45)
        note = text(
            f"x: the stream entering layer {self.L}, after LayerNorm: {cfg.d_model} entries",
            20,
            PALETTE["muted"],
        )
        fit_width(note).next_to(VGroup(matrix, x), DOWN, buff=0.6).align_to(matrix, LEFT)
        vector = self.received("vector")  # the noun's E from the last step, into the head
        self.say(
            "A head multiplies each token's vector by a query matrix, W_Q.",
            self.title_in(head),
            (
                FadeIn(matrix, shift=RIGHT * 0.4),
                ReplacementTransform(vector, x)
                if vector is not None
                else FadeIn(x, shift=LEFT * 0.4),
            ),
            FadeIn(note, shift=UP * 0.3),
        )
        q_lab = text(f'q("{noun}"): {cfg.d_head} entries', 22, PALETTE[QUERY])
        self.say(
            f'Row by row, that gives the query of "{noun}": {cfg.d_head} numbers instead of '
            f"{cfg.d_model}.",
            product,
        )
        q_lab.next_to(product.result, DOWN, buff=0.3)
        fit_width(q_lab.to_edge(RIGHT, buff=0.4), 6)
        self.shown["q"] = Shown(product.result, self.Q[self.q])
        ask = (
            f'Read loosely, the query of "{noun}" asks whether adjectives stand in front of it.'
            if self.focus.adjective_head
            else "This prompt has no adjective before a noun the model knows, so we follow the "
            "head with the strongest attention instead."
        )
        self.say(ask, FadeIn(q_lab, shift=UP * 0.3), LightUp(product.result))
        # every token's query and key, side by side
        strip = self.strip(20, min_width=self.column_width() - 0.1).next_to(head, DOWN, buff=0.3)
        slot = self.pitch(strip) - 0.4  # a vector per token, under its box, brackets and all
        drawn = self.shown_tokens(strip)
        ends = [0, 1, 2, 3, -1]  # the entries a 5-entry vector shows
        dq = self.places(np.concatenate([self.Q[drawn][:, ends], self.K[drawn][:, ends]]), slot)
        qd = {
            i: NumericVector(self.Q[i], max_entries=5, font_size=READABLE, decimals=dq)
            for i in drawn
        }
        kd = {
            i: NumericVector(self.K[i], max_entries=5, font_size=READABLE, decimals=dq)
            for i in drawn
        }
        qs, ks = list(qd.values()), list(kd.values())
        self.under(strip, qd, buff=0.5)
        for kv, qv in zip(ks, qs, strict=True):
            kv.next_to(qv, DOWN, buff=0.9).set_x(qv.get_x())
        lq = prose("queries  $W_Q x$", 20, PALETTE[QUERY]).next_to(VGroup(*qs), UP, buff=0.06)
        lk = prose("keys  $W_K x$", 20, PALETTE[KEY]).next_to(VGroup(*ks), UP, buff=0.06)
        # the whole product goes, the boxes it drew round the rows included
        old = Group(*(m for m in self.mobjects if m is not head))
        self.say(
            "The same matrix gives every token its query.",
            FadeOut(old, shift=DOWN * 0.5),
            (FadeIn(strip), LaggedStart(*(FadeIn(v, shift=DOWN * 0.3) for v in qs), lag_ratio=0.1)),
            FadeIn(lq),
        )
        self.say(
            "A second matrix, W_K, gives every token a key in the same small space.",
            LaggedStart(*(FadeIn(v, shift=DOWN * 0.3) for v in ks), lag_ratio=0.1),
            FadeIn(lk),
        )
        g = self.gpt3
        space = self.footer(
            f"key-query space: {cfg.d_head} dimensions here, {g.d_head} in GPT-3",
            22,
            PALETTE["text"],
        )
        self.say(
            f"That key-query space has {cfg.d_head} dimensions here and {g.d_head} in GPT-3.",
            FadeIn(space, shift=UP * 0.3),
        )
        self.shown["queries"] = {i: (v, self.Q[i]) for i, v in qd.items()}
        self.shown["keys"] = {i: (v, self.K[i]) for i, v in kd.items()}
        if self.q in qd:  # the noun's query becomes an arrow in the next step
            self.hand_over(query=qd[self.q])


class KeySpaceStep(AttentionScene):
    @step("Keys that line up", order=4)
    def step_key_space(self) -> None:
        """The query of the noun and the keys up to it as arrows in a plane of key-query space."""
        q, noun, keys = self.q, self.noun, list(range(self.q + 1))
        head = title(f'Keys against the query of "{noun}"')
        others = [k for k in keys if k not in self.focus.keys and k != q]
        b = self.K[self.focus.keys[0]]
        if abs(cosine(b, self.Q[q])) > 0.999:  # the plane needs a second direction
            b = self.K[others[0]] if others else np.roll(self.Q[q], 1)
        vecs = np.vstack([self.Q[q], self.K[keys]])
        proj = plane_of(vecs, self.Q[q], b)
        plane = VectorPlane(proj.coords, size=5.4)
        # room on the left for the widest key's name beside an arrow tip at the plane's edge
        widest = max(text(f'"{self.tok(k)}"', 22).width for k in keys)
        plane.next_to(head, DOWN, buff=0.3).to_edge(LEFT, buff=max(1.0, widest + 0.3))
        plane.caption = self.plane_caption(proj, f'q("{noun}") and k("{self.key_words[0]}")', plane)
        self.shown["kq_plane"] = proj
        coords = {("q", q): proj.coords[0]} | {
            ("k", k): proj.coords[1 + i] for i, k in enumerate(keys)
        }
        qa = plane.arrow(coords[("q", q)], PALETTE[QUERY], stroke_width=7)
        q_lab = text(f'query "{noun}"', 24, PALETTE[QUERY]).next_to(qa.get_end(), UP, buff=0.12)
        cos = {k: cosine(self.Q[q], self.K[k]) for k in keys}
        arrows, labels = {}, {}
        for k in keys:
            mine = k in self.focus.keys
            color = PALETTE[KEY] if mine else PALETTE["muted"]
            arrows[k] = plane.arrow(coords[("k", k)], color, stroke_width=6 if mine else 4)
        for k in keys:  # each name beside its arrow's tip, clear of the arrows and the axes
            color = PALETTE[KEY] if k in self.focus.keys else PALETTE["muted"]
            avoid = [qa, q_lab, *arrows.values(), plane.axes, *labels.values()]
            labels[k] = place_label(
                text(f'"{self.tok(k)}"', 22, color),
                arrows[k].get_end(),
                avoid,
                away_from=plane.point((0, 0)),
                buff=0.1,
            )
            in_frame(labels[k], 0.4)
        stack_apart([q_lab, *labels.values()], DOWN)
        table = VGroup(
            lines(
                "cosine with the query,",
                f"in all {self.model.cfg.d_head} dimensions",
                size=22,
                color=PALETTE["muted"],
                align="left",
            )
        )
        self.shown["kq_cosines"] = {}
        rank = sorted(keys, key=lambda k: -cos[k])
        for k in rank:
            color = PALETTE[KEY] if k in self.focus.keys else PALETTE["text"]
            num = number(cos[k], 2, 26, color=color, sign=True)
            row = VGroup(text(f'"{self.tok(k)}"', 26, color), num).arrange(RIGHT, buff=0.3)
            table.add(row)
            self.shown["kq_cosines"][self.tok(k)] = (num, cos[k])
        table.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        drawn = VGroup(plane.axes, q_lab, *labels.values())  # the table clears the arrows' names
        table.next_to(drawn, RIGHT, buff=max(0.6, 1.0 - (drawn.width - plane.axes.width)))
        fit_width(table, self.room_right(table.get_left()[0]))
        table.shift(RIGHT * max(0.0, self.room_right(table.get_right()[0]) - 0.3))  # use the width
        query = self.received("query")  # the noun's query vector from the last step
        self.say(
            f'Draw the query of "{noun}" as an arrow in a plane of key-query space.',
            self.title_in(head),
            (Create(plane.axes), FadeIn(plane.caption, shift=UP * 0.3)),
            (
                ReplacementTransform(query, qa) if query is not None else GrowArrow(qa),
                FadeIn(q_lab),
            ),
        )
        self.say(
            "The key of every token up to it is an arrow in the same space.",
            LaggedStart(*(GrowArrow(arrows[k]) for k in keys), lag_ratio=0.2),
            LaggedStart(*(FadeIn(labels[k]) for k in keys), lag_ratio=0.1),
        )
        best = [k for k in rank if k != q][: len(self.focus.keys)]
        words = " and ".join(f'"{self.tok(k)}"' for k in self.focus.keys)
        if set(best) == set(self.focus.keys):
            verdict = f"The keys of {words} point most nearly the way the query points."
        else:
            verdict = (
                f"The keys of {words} are not the ones that point most nearly the way the query "
                f'points: "{self.tok(best[0])}" is.'
            )
        self.shown["keys_line_up"] = set(best) == set(self.focus.keys)
        mine = VGroup(*(VGroup(arrows[k], labels[k]) for k in self.focus.keys))
        self.say(verdict, LightUp(mine), FadeIn(table[0]))
        top = ", ".join(f"{cos[k]:.2f}" for k in self.focus.keys)
        self.say(
            f"Measured in all {self.model.cfg.d_head} dimensions, their cosines with the query are "
            f"{top}.",
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.3) for r in table[1:]), lag_ratio=0.15),
        )
        self.say(
            "Far from a perfect match, but the head only needs them to beat the other keys.",
            LightUp(VGroup(*(r for r in table[1 : 1 + len(self.focus.keys)]))),
        )
        self.hand_over(keys=VGroup(*labels.values()))  # the keys' names become the grid's rows


class GridStep(AttentionScene):
    @step("The grid", order=5)
    def step_grid(self) -> None:
        f, noun = self.focus, self.noun
        earlier = sorted(range(self.q + 1), key=lambda k: -self.dots[self.q, k])
        head = title(f"Every key against every query: {self.where()}")
        grid = self.grid(self.dots, causal=False, normalize="global")
        grid.next_to(head, DOWN, buff=0.35).to_edge(LEFT, buff=0.6)
        legend = text("dot area: size of q · k; blue +, orange −", 20, PALETTE["muted"])
        listing = VGroup(text(f'column "{noun}", words up to it:', 24))
        self.shown["dots"] = []
        listed = earlier[: len(f.keys) + 2]
        d = self.places(self.dots[self.q, listed], 1.9, 26, sign=True)  # the decimals setting
        for k in listed:
            v = float(self.dots[self.q, k])
            color = PALETTE["highlight"] if k in f.keys else PALETTE["text"]
            row = VGroup(
                text(f'"{self.tok(k)}"', 26, color), number(v, d, 26, color=color, sign=True)
            )
            row.arrange(RIGHT, buff=0.25)
            listing.add(row)
            self.shown["dots"].append((row[1], v))
        listing.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        right = VGroup(listing, legend).arrange(DOWN, buff=0.5, aligned_edge=LEFT)
        right.next_to(grid, RIGHT, buff=0.6)
        fit_width(right, 13.4 - grid.width - 1.2).next_to(grid, RIGHT, buff=0.6)
        how = self.footer(f.how, 20)
        self.shown["grid"] = grid
        keys = self.received("keys")  # the keys' names from the plane become the grid's rows
        self.say(
            "Now every key is compared with every query by a dot product.",
            self.title_in(head),
            (
                ReplacementTransform(keys, grid.key_labels)
                if keys is not None
                else FadeIn(grid.key_labels, shift=RIGHT * 0.3),
                FadeIn(grid.query_labels, shift=DOWN * 0.3),
            ),
        )
        self.say(
            "Keys run down the left and queries along the top, one dot per pair, its area the size "
            "of the value.",
            FadeIn(grid.lines),
            FadeIn(grid.cells, scale=0.5),
            FadeIn(legend),
        )
        col = grid.highlight_column(self.q)
        self.say(
            f'The column of "{noun}" holds its query against every key.',
            Create(col),
            FadeIn(how, shift=UP * 0.3),
        )
        n_top = len(f.keys)
        best = ", ".join(
            f'"{self.tok(k)}" {signed(float(self.dots[self.q, k]), d)}' for k in earlier[:n_top]
        )
        cells = VGroup(*(grid.highlight_cell(k, self.q) for k in earlier[:n_top]))
        # the camera moves in to one cell, the noun's query against its best key, with the
        # names of its row and its column in view
        top = earlier[0]
        one = grid.highlight_cell(top, self.q, PALETTE[KEY])  # inside the column's box
        close = VGroup(one, grid.key_labels[top], grid.query_labels[self.q])
        self.say(
            f'Look closely at one cell: the query of "{noun}" against the key of '
            f'"{self.tok(top)}", one dot product of two vectors.',
            [self.zoom_to(close, margin=1.3), Create(one)],
        )
        frame = self.camera.frame  # where the camera looks while the cell is talked about
        self.shown["zoom"] = (top, self.q, float(frame.width), frame.get_center().copy())
        self.say(
            f"Among the words up to it, the largest values are {best}.",
            (self.zoom_out(), FadeOut(one)),
            FadeIn(listing[0]),
            LaggedStart(
                *(FadeIn(r, shift=LEFT * 0.3) for r in listing[1 : 1 + n_top]), lag_ratio=0.3
            ),
            Create(cells),
        )
        rest = earlier[n_top : n_top + 2]
        if rest:
            low = ", ".join(f'"{self.tok(k)}" {self.dots[self.q, k]:+.2f}' for k in rest)
            self.say(
                f"The next ones are lower: {low}.",
                LaggedStart(
                    *(FadeIn(r, shift=LEFT * 0.3) for r in listing[1 + n_top :]), lag_ratio=0.3
                ),
            )
        names = " and ".join(f'"{self.tok(k)}"' for k in earlier[:n_top])
        self.say(
            f'Those keys line up best with the query: "{noun}" attends to {names}.',
            LightUp(VGroup(*listing[1 : 1 + n_top])),
        )
        self.hand_over(grid=grid)  # the next step takes the scores through softmax

"""Scenes Values, EachKeysShare, TheValueMap (lecture steps D3, E22 in COVERAGE.md).
tests/scenes/test_attention.py pins their section titles, the shown values ``E_new``, ``along``,
``dE``, ``moves_toward_both``, ``shares``, ``value_keys``, ``value_rank``, ``value_shapes``,
``values``, ``weights``, ``z``, and that every number said is on screen.

Steps 7 to 9: values and the change ΔE; the noun moving as each key's share is added; the
value map drawn to shape (value-down and value-up)."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    Group,
    GrowArrow,
    GrowFromCenter,
    LaggedStart,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
)

from attention_steps.common import KEY, QUERY, READABLE, VALUE, AttentionScene, shape
from llmviz.animations import LightUp, MatrixVectorProduct, ResidualAdd, WeightedSum
from llmviz.layout import fit_width, math, prose, stack_apart, text, title
from llmviz.mobjects import FastNumber, MatrixShape, NumericVector, VectorPlane, WeightMatrix
from llmviz.model.analysis.heads import key_shares
from llmviz.model.projection import plane_of
from llmviz.model.trace import hook_name
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE


class ValuesStep(AttentionScene):
    #: At most this many value vectors side by side; the rest of the keys are summed into one.
    max_values = 5

    def value_columns(self, keys: list[int], font: float) -> tuple[list, list, list]:
        """The value vectors the weighted sum shows: every key up to the noun, or, where they
        would not fit side by side at a readable size, the heaviest keys (in prompt order) and
        one vector for all the others, their weighted mean, so that the sum is still the head's
        real output. Returns the vectors, their names, their weights and their keys (None for the
        others)."""
        w = self.pattern[self.q, keys].astype(np.float64)
        for m in range(min(len(keys), self.max_values), 1, -1):
            if m == len(keys):
                shown, rest = keys, []
            else:
                heavy = sorted(keys, key=lambda k: -w[k])[: m - 1]
                shown, rest = sorted(heavy), [k for k in keys if k not in heavy]
            vals = [self.V[k].astype(np.float64) for k in shown]
            weights = [float(w[k]) for k in shown]
            labels = [f'v("{self.tok(k)}")' for k in shown]
            if rest:
                w_rest = float(w[rest].sum())
                mix = w[rest] @ self.V[rest].astype(np.float64)
                vals.append(mix / w_rest if w_rest > 0 else np.zeros_like(mix))
                weights.append(w_rest)
                labels.append(f"{len(rest)} others")
            d = self.places(np.concatenate(vals), 0.8, font)
            vs = [NumericVector(v, max_entries=5, font_size=font, decimals=d) for v in vals]
            # the names go under the vectors, not in them: a scaled copy keeps its place
            names = [
                text(lab, font, PALETTE["muted"]).next_to(v, DOWN, buff=0.15)
                for v, lab in zip(vs, labels, strict=True)
            ]
            pairs = VGroup(*(VGroup(v, n) for v, n in zip(vs, names, strict=True)))
            if pairs.arrange(RIGHT, buff=0.35).width <= 8.2:
                break
        return vs, names, weights, [*shown, *([None] if rest else [])]

    @step("Values", order=7)
    def step_values(self) -> None:
        cfg, noun = self.model.cfg, self.noun
        z = self.t[hook_name("z", self.L)][self.q, self.h]  # [d_head]
        W_O = self.model.W("O", self.L, self.h)  # [d_head, d_model]
        dE = z.astype(np.float64) @ W_O.astype(np.float64)  # [d_model]: this head's ΔE
        head = title(f'Values: the column of "{noun}", {self.where()}')
        keys = list(range(self.q + 1))
        font = READABLE
        vs, names, weights, shown_keys = self.value_columns(keys, font)
        row = VGroup(*(VGroup(v, n) for v, n in zip(vs, names, strict=True)))
        row.arrange(RIGHT, buff=0.35).next_to(head, DOWN, buff=0.9).to_edge(LEFT, buff=0.6)
        notes = [
            prose("$v = W_V x$  (value-down)", 22, PALETTE[VALUE]),
            text(f"{cfg.d_head} entries per token", READABLE, PALETTE["muted"]),
            text("weights: the pattern's column", READABLE, PALETTE["highlight"]),
        ]
        if shown_keys[-1] is None:
            notes.append(text("others: their weighted mean", READABLE, PALETTE["muted"]))
        wv = VGroup(*notes).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        wv.next_to(row, RIGHT, buff=0.6)
        fit_width(wv, self.room_right(wv.get_left()[0])).align_to(
            row.get_right() + 0.6 * RIGHT, LEFT
        )
        summed = WeightedSum(vs, weights, label="Σ w v")
        v_note = self.received("values")  # the formula's V, from the last step
        self.say(
            f'The weights say how much each earlier word matters to "{noun}"; a value matrix says '
            "what each word passes on.",
            self.title_in(head),
            [
                LaggedStart(*(FadeIn(pair, shift=DOWN * 0.3) for pair in row), lag_ratio=0.15),
                *([ReplacementTransform(v_note, wv[0])] if v_note is not None else []),
            ],
        )
        self.say(
            f"W_V maps every token's vector to a value vector of {cfg.d_head} entries.",
            FadeIn(wv[1:2] if v_note is not None else wv[:2], shift=LEFT * 0.3),
            LightUp(row),
        )
        self.say(
            f'The column of "{noun}" weights those values and adds them up.',
            FadeIn(wv[2:], shift=LEFT * 0.3),
            summed,
        )
        self.shown["values"] = [
            (v, self.V[k] if k is not None else v.values)
            for k, v in zip(shown_keys, vs, strict=True)
        ]
        self.shown["value_keys"] = shown_keys
        self.shown["weights"] = list(zip(summed.weight_labels, weights, strict=True))
        self.shown["z"] = Shown(summed.result, z)
        up_vals = W_O.T
        d_up = self.places(up_vals[:5, :4], 0.75)
        up = WeightMatrix(
            up_vals,
            name=prose("$W_O$ (value-up)", font * 1.1),
            max_rows=5,
            max_cols=3,
            font_size=font,
            decimals=d_up,
            label_size=font,
        )
        up.next_to(summed.result, RIGHT, buff=0.6)
        up.shift(DOWN * max(0.0, up.get_top()[1] - row.get_bottom()[1] + 0.2))  # name under row
        zc = summed.result.copy().next_to(up, RIGHT, buff=0.25)
        prod = MatrixVectorProduct(up, zc, run_time_per_row=0.3)
        self.say(
            f"The head's output matrix maps the sum back up to {cfg.d_model} entries.",
            (FadeIn(up, shift=LEFT * 0.3), TransformFromCopy(summed.result, zc)),
            prod,
        )
        dE_lab = text("ΔE", 24, PALETTE["highlight"]).next_to(prod.result, DOWN, buff=0.15)
        self.shown["dE"] = Shown(prod.result, dE)
        self.say(
            f'That is the change, Delta E, this head makes to "{noun}".',
            FadeIn(dE_lab, shift=UP * 0.3),
            LightUp(prod.result),
        )
        keep = {head, prod.result}
        idx = prod.result.indices
        cut = idx.index(None) if None in idx else len(idx)
        E = NumericVector(
            self.E[self.q],
            max_entries=len(idx),
            head=cut,
            tail=len(idx) - cut - 1,
            font_size=font,
            decimals=prod.result.decimals,
            label=f'E("{noun}")',
            label_size=font,
        )
        zs = self.t[hook_name("z", self.L)][:, self.h].astype(np.float64)  # [pos, d_head]
        all_dE = zs @ W_O.astype(np.float64)  # [pos, d_model]
        strip = self.strip(20, min_width=self.column_width() - 0.1).next_to(head, DOWN, buff=0.3)
        drawn = self.shown_tokens(strip)
        d_all = self.places(all_dE[drawn][:, [0, 1, -1]], self.pitch(strip) - 0.4)
        cd = {
            i: NumericVector(all_dE[i], max_entries=3, font_size=font, decimals=d_all)
            for i in drawn
        }
        cols = list(self.under(strip, cd, buff=0.2))
        lab_all = text("this head's ΔE for every token", READABLE, PALETTE["muted"])
        lab_all.next_to(VGroup(*cols), DOWN, buff=0.15)
        self.shown["all_dE"] = {i: (v, all_dE[i]) for i, v in cd.items()}
        # E + ΔE = E′ in one row, centred under the columns (the sum is as wide as E)
        E.next_to(lab_all, DOWN, buff=0.5)
        trial = ResidualAdd(E.copy(), prod.result.copy())  # where the row E + ΔE = E′ would sit
        E.shift(LEFT * VGroup(trial.plus, trial.result, E).get_x())
        self.say(
            "Every column does the same, so each token gets its own change.",
            FadeOut(Group(*(m for m in self.mobjects if m not in keep)), shift=DOWN * 0.3),
            [
                prod.result.animate.match_y(E).set_x(0),
                FadeIn(strip),
                LaggedStart(*(FadeIn(c, shift=DOWN * 0.2) for c in cols), lag_ratio=0.1),
                FadeIn(lab_all),
            ],
        )
        add = ResidualAdd(E, prod.result, run_time_per_entry=0.3, result_label="E′")
        self.say(
            "The new vector is the old one plus the change: E prime is E plus Delta E.",
            FadeIn(E, shift=RIGHT * 0.3),
            add,
        )
        lab = text(f"this head only; the layer adds all {cfg.n_heads} heads", 20, PALETTE["muted"])
        lab.next_to(VGroup(E, add.result), DOWN, buff=0.5).set_x(0)
        self.say(
            f"That is one head; the layer adds the changes of all {cfg.n_heads} of its heads.",
            FadeIn(lab, shift=UP * 0.3),
        )
        self.shown["E_new"] = Shown(add.result, self.E[self.q] + dE)
        self.hand_over(change=prod.result)  # the next step splits this ΔE by key


class CreatureStep(AttentionScene):
    def movers(self) -> list[int]:
        """The keys whose shares the picture adds one by one: the focus keys, and with a single
        one, the strongest other earlier key as well."""
        keys = [k for k in self.focus.keys if k != self.q]
        if len(keys) < 2:
            w = self.pattern[self.q, : self.q]
            rest = [k for k in np.argsort(-w) if k not in keys]
            keys += [int(k) for k in rest[: 2 - len(keys)]]
        return keys[:2]

    @step("Each key's share", order=8)
    def step_creature(self) -> None:
        noun = self.noun
        s = key_shares(self.model, self.t, self.L, self.h, self.q)
        movers = self.movers()
        head = title(f'"{noun}" moves, one key at a time')
        self.shown["shares"] = s
        if len(movers) < 2:
            note = self.footer(f'"{noun}" has too few earlier tokens to split its change.', 24)
            change = self.received("change")
            self.say(
                f'"{noun}" has too few earlier tokens to split its change by key.',
                self.title_in(head),
                ReplacementTransform(change, note) if change is not None else FadeIn(note),
            )
            return
        E = self.E[self.q].astype(np.float64)
        rest = [k for k in range(self.q + 1) if k not in movers]
        steps = [s.shares[movers[0]], s.shares[movers[1]], s.shares[rest].sum(0)]
        path = np.cumsum(np.vstack([np.zeros_like(E), *steps]), axis=0)  # displacements from E
        toward = [self.E[k].astype(np.float64) - E for k in movers]  # from the noun to the key
        proj = plane_of(path, toward[0], toward[1])
        self.shown["creature_plane"] = proj
        units = [t / np.linalg.norm(t) for t in toward]
        along = [float(steps[i] @ units[i]) for i in range(2)]
        self.shown["along"] = {self.tok(k): a for k, a in zip(movers, along, strict=True)}
        words = [self.tok(k) for k in movers]
        plane = VectorPlane(proj.coords, size=5.2)
        plane.next_to(head, DOWN, buff=0.4).to_edge(LEFT, buff=1.0)
        plane.caption = self.plane_caption(
            proj,
            f'E("{noun}") toward E("{words[0]}") and E("{words[1]}")',
            plane,
        )
        reach = 0.9 * float(np.abs(proj.coords).max())
        dirs = [proj.components @ u for u in units]
        arrows = [
            plane.arrow(reach * d / np.linalg.norm(d), PALETTE[KEY], stroke_width=3).set_opacity(
                0.6
            )
            for d in dirs
        ]
        dir_labels = [
            text(f'toward "{w}"', 20, PALETTE[KEY]).next_to(a.get_end(), UP, buff=0.1)
            for w, a in zip(words, arrows, strict=True)
        ]
        stack_apart(dir_labels, DOWN)
        dot = plane.dot(proj.coords[0], PALETTE[QUERY], radius=0.13)
        name = text(f'"{noun}"', 20, PALETTE[QUERY]).next_to(dot, DOWN, buff=0.12)
        trail = plane.trail(dot, PALETTE[QUERY])
        eq = math(r"\Delta E = \sum_k w_k \, W_O \, v_k", 36).next_to(head, DOWN, buff=0.5)
        eq.next_to(plane.axes, RIGHT, buff=0.9).align_to(plane.axes, UP)
        side = VGroup(eq)
        change = self.received("change")  # the last step's ΔE, written as its sum over keys
        self.say(
            f'Now split the change of "{noun}" by key: each key adds its weight times its value '
            "vector, mapped up by W_O.",
            self.title_in(head),
            ReplacementTransform(change, eq)
            if change is not None
            else FadeIn(eq, shift=LEFT * 0.3),
        )
        self.say(
            f'Put "{noun}" at the centre of a plane that holds the directions toward the vectors '
            f'of "{words[0]}" and "{words[1]}".',
            (Create(plane.axes), FadeIn(plane.caption, shift=UP * 0.4)),
            (GrowFromCenter(dot), FadeIn(name)),
            [GrowArrow(a) for a in arrows] + [FadeIn(lab) for lab in dir_labels],
        )
        self.add(trail)

        def follow(m):
            """The noun's name under its dot, or over it, or beside it, wherever it does not
            cover a direction's label or the plane's caption (the dot may end near an arrow's
            tip or at the plane's edge)."""
            for side in (DOWN, UP, RIGHT, LEFT):
                m.next_to(dot, side, buff=0.12)
                if not any(self.covers(m, lab) for lab in (*dir_labels, plane.caption)):
                    return

        name.add_updater(follow)
        rows = VGroup()
        for i, k in enumerate(movers):
            w = float(s.weights[k])
            row = VGroup(
                text(f'"{words[i]}": weight', 24, PALETTE[KEY]),
                FastNumber(w, 2, font_size=24),
                text(", step toward it", 24),
                FastNumber(along[i], 2, sign=True, font_size=24, color=PALETTE["highlight"]),
            ).arrange(RIGHT, buff=0.12)
            rows.add(row)
            self.shown[f"share:{words[i]}"] = (row[1], w, row[3], along[i])
        rest_w = float(s.weights[rest].sum()) if rest else 0.0
        rows.add(
            VGroup(
                text("other keys: weight", 24, PALETTE["muted"]),
                FastNumber(rest_w, 2, font_size=24),
            ).arrange(RIGHT, buff=0.12)
        )
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.25).next_to(eq, DOWN, buff=0.5)
        fit_width(rows, self.room_right(eq.get_left()[0])).align_to(eq, LEFT)
        side.add(rows)
        for i in range(2):
            sense = "toward" if along[i] > 0 else "away from"
            self.say(
                f'{"First" if i == 0 else "Then"} "{words[i]}" adds its share, with weight '
                f'{s.weights[movers[i]]:.2f}: it moves "{noun}" {abs(along[i]):.2f} {sense} '
                f'"{words[i]}".',
                [
                    FadeIn(rows[i], shift=LEFT * 0.3),
                    LightUp(arrows[i], color=PALETTE["highlight"]),
                ],
                dot.animate.move_to(plane.point(proj.coords[i + 1])),
            )
        self.say(
            f"The other keys add the rest of the change, with weight {rest_w:.2f} together.",
            FadeIn(rows[2], shift=LEFT * 0.3),
            dot.animate.move_to(plane.point(proj.coords[3])),
        )
        name.clear_updaters()
        ok = all(a > 0 for a in along)
        self.shown["moves_toward_both"] = ok
        if ok:
            verdict = f'So "{noun}" moves first toward "{words[0]}", then toward "{words[1]}".'
        else:
            away = [w for w, a in zip(words, along, strict=True) if a <= 0]
            verdict = (
                f'The lecture has "{noun}" move toward each adjective; in this model the share of '
                + " and ".join(f'"{w}"' for w in away)
                + " points away from its own vector."
            )
        box = text(
            "measured in all dimensions" + ("" if ok else ": not the lecture's picture"),
            22,
            PALETTE["highlight"],
        ).next_to(rows, DOWN, buff=0.4)
        fit_width(box, self.room_right(eq.get_left()[0])).align_to(rows, LEFT)
        self.say(verdict, FadeIn(box, shift=UP * 0.3), LightUp(VGroup(rows[0][3], rows[1][3])))
        size = float(np.linalg.norm(path[-1]))
        length = float(np.linalg.norm(E))
        scale = text(f"|ΔE| = {size:.2f}, |E| = {length:.2f}", 20, PALETTE["muted"])
        scale.next_to(box, DOWN, buff=0.3).align_to(box, LEFT)
        self.say(
            f"The steps are small: the whole change is {size:.2f} long, the vector itself "
            f"{length:.2f}.",
            FadeIn(scale, shift=UP * 0.3),
            Create(DashedLine(plane.point((0, 0)), dot.get_center(), color=PALETTE["muted"])),
        )


class ValueMapStep(AttentionScene):
    @step("The value map", order=9)
    def step_value_map(self) -> None:
        cfg, g = self.model.cfg, self.gpt3
        d, dh = cfg.d_model, cfg.d_head
        W_V = self.model.W("V", self.L, self.h).astype(np.float64)  # [d_model, d_head]
        W_O = self.model.W("O", self.L, self.h).astype(np.float64)  # [d_head, d_model]
        rank = int(np.linalg.matrix_rank(W_V @ W_O))
        self.shown["value_rank"] = rank
        head = title("The value map, drawn to shape")
        full = MatrixShape(d, d, height=4.8, name="full value map", color=PALETTE["muted"])
        full.next_to(head, DOWN, buff=0.5).to_edge(LEFT, buff=0.8)
        up = MatrixShape(d, dh, height=4.8, name=math(r"W_{\uparrow}", 34), color=PALETTE[VALUE])
        down = MatrixShape(
            dh, d, height=4.8, name=math(r"W_{\downarrow}", 34), color=PALETTE[VALUE]
        )
        pair = VGroup(up, down).arrange(RIGHT, buff=0.35, aligned_edge=UP)
        pair.next_to(full, RIGHT, buff=1.6).align_to(full, UP)
        eq = text("=", 40).move_to((full.box.get_right() + pair.get_left()) / 2)
        self.shown["value_shapes"] = {"full": full, "up": up, "down": down}
        self.say(
            f"A full value map would turn a vector of {d} numbers into a change of {d} numbers: "
            f"a {d} by {d} matrix.",
            self.title_in(head),
            FadeIn(full, shift=RIGHT * 0.3),
        )
        self.say(
            f"Instead the head uses two thin ones: value-down, {dh} by {d}, short and wide.",
            FadeIn(eq),
            FadeIn(down, shift=LEFT * 0.3),
        )
        self.say(
            f"Then value-up, {d} by {dh}, tall and thin, the head's slice of the output matrix.",
            FadeIn(up, shift=RIGHT * 0.3),
        )
        rank_line = VGroup(
            text("rank of the product, measured:", 22),
            FastNumber(rank, 0, font_size=22, color=PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.15)
        rank_line.next_to(VGroup(full, pair), DOWN, buff=0.4).align_to(full, LEFT)
        self.say(
            f"Their product is still {d} by {d}, but its rank is {rank}: it can write only "
            f"{rank} directions.",
            FadeIn(rank_line, shift=UP * 0.3),
            LightUp(VGroup(up.box, down.box)),
        )
        g_full = MatrixShape(g.d_model, g.d_model, height=4.8, name="full value map")
        g_full.move_to(full, aligned_edge=UP)
        g_up = MatrixShape(g.d_model, g.d_head, height=4.8, name=math(r"W_{\uparrow}", 34))
        g_down = MatrixShape(g.d_head, g.d_model, height=4.8, name=math(r"W_{\downarrow}", 34))
        for m in (g_full, g_up, g_down):
            m.box.set_color(PALETTE["muted"] if m is g_full else PALETTE[VALUE])
        g_up.move_to(up, aligned_edge=UP + LEFT)
        g_down.next_to(g_up, RIGHT, buff=0.35).align_to(g_up, UP)
        gname = text("GPT-3", 28, PALETTE["highlight"]).next_to(g_down, DOWN, buff=0.6)
        weights = 2 * g.d_model * g.d_head
        tally = self.footer(
            f"GPT-3: {shape(weights)} weights for the pair instead of {shape(g.d_model**2)}", 22
        )
        self.say(
            f"In GPT-3 they are {shape(g.d_model)} by {shape(g.d_head)} and "
            f"{shape(g.d_head)} by {shape(g.d_model)}.",
            FadeIn(gname, shift=LEFT * 0.3),
            [
                ReplacementTransform(full, g_full),
                ReplacementTransform(up, g_up),
                ReplacementTransform(down, g_down),
                FadeOut(rank_line),
            ],
        )
        self.shown["gpt3_shapes"] = {"full": g_full, "up": g_up, "down": g_down}
        self.say(
            f"That is {shape(weights)} weights instead of {shape(g.d_model**2)}.",
            FadeIn(tally, shift=UP * 0.3),
        )

"""Scenes DownProjection, ResidualAddScene (lecture steps G10, G22 in COVERAGE.md).
tests/scenes/test_mlp.py pins their section titles, the shown values ``dir_after``, ``dir_before``,
``dla``, ``dla_contrib``, ``down_sum``, ``p_after``, ``residual_result``, ``shared``, and that
every number said is on screen.

Steps 9 and 10: the down-projection read column by column (one column, several features or
facts), and the residual add."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Restore,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp, ResidualAdd, WeightedSum
from llmviz.layout import code, fill_frame, math, safe_area, text, title
from llmviz.mobjects import FastNumber, MatrixShape, NumericVector
from llmviz.model.analysis import column_tokens
from llmviz.model.trace import hook_name, probabilities
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE, display_token
from llmviz.words import counted_is, pct, percent_decimals, plain, signed, some_of_are
from mlp_steps.common import MLPScene


def token_bars(
    pairs: list[tuple[str, float]], scale: float, highlight: str | None = None
) -> VGroup:
    """Tokens with a bar for how much a column raises each one's score."""
    rows = VGroup()
    for tok, v in pairs:
        label = code(display_token(tok), 24, PALETTE["highlight"] if tok == highlight else None)
        bar = Rectangle(
            width=max(abs(v) * scale, 0.02),
            height=0.26,
            stroke_width=0,
            fill_color=PALETTE["positive"] if v >= 0 else PALETTE["negative"],
            fill_opacity=0.9,
        )
        num = FastNumber(v, sign=True, font_size=22, color=PALETTE["muted"])
        rows.add(VGroup(label, bar, num))
    for k, (label, bar, num) in enumerate(rows):
        y = -0.42 * k
        bar.move_to([0, y, 0], aligned_edge=LEFT)
        label.next_to(bar, LEFT, buff=0.2).set_y(y).align_to([-0.2, 0, 0], RIGHT)
        num.next_to(bar, RIGHT, buff=0.12)
    return rows


class DownStep(MLPScene):
    @step("Down-projection", order=9)
    def step_down(self) -> None:
        n, st = self.neuron, self.story
        cfg = self.model.cfg
        head = title("Columns of the down-projection add directions")
        mat = MatrixShape(cfg.d_model, cfg.d_mlp, height=9.5, name=math(r"W_{\text{down}}", 40))
        mat.next_to(head, DOWN, buff=0.4)
        mat.size_label.next_to(mat.box, RIGHT, buff=0.2)
        strip = mat.column_strip(n.neuron)
        tag = text(f"column {n.neuron}", 26, PALETTE["highlight"])
        tag.next_to(mat.box, DOWN, buff=0.15).set_x(strip.get_x())
        tops = column_tokens(self.model, self.L, n.neuron, k=5)
        if n.target not in [tok for tok, _ in tops]:  # the fact's token is always shown
            tops = tops[:4] + [(n.target, n.dla)]
        dla = n.dla
        scale = 2.0 / max(max(abs(v) for _, v in tops), 1e-6)
        bars = token_bars(tops, scale, highlight=n.target)
        cap = text(f"scores raised by column {n.neuron}, per unit", 20, PALETTE["muted"]).next_to(
            bars, UP, 0.2
        )
        contrib = n.post[0] * dla
        eq = VGroup(
            FastNumber(dla, font_size=26),
            math(r"\times", 30),
            FastNumber(n.post[0], font_size=26),
            math("=", 30),
            FastNumber(contrib, sign=True, font_size=26, color=PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.2)
        eq.next_to(bars, RIGHT, buff=1.2)
        eq_cap = text(f'added to the score of "{self.target}"', 20, PALETTE["muted"]).next_to(
            eq, DOWN, 0.2
        )
        # the column's scores and its product fill the frame under the matrix
        fill_frame(VGroup(cap, bars, eq, eq_cap), title=VGroup(mat, tag), max_scale=1.5)
        # the matrix opens big in the middle of the frame and goes up to its place when the
        # column's scores come in under it
        opening = VGroup(mat, strip, tag)
        opening.save_state()
        mat.size_label.next_to(mat.box, DOWN, buff=0.15).align_to(mat.box, RIGHT)
        left, bottom, right, top = safe_area(title=head)
        opening.scale(
            min((right - left) / opening.width, (top - bottom) / opening.height, 1.6)
        ).move_to([(left + right) / 2, (top + bottom) / 2, 0])
        got = self.received("neuron")  # the switched-off neuron goes to sit under its column
        self.say(
            f"The second matrix brings the {cfg.d_mlp} neuron values back down to {cfg.d_model} "
            "numbers.",
            self.title_in(head),
            [
                FadeIn(mat, shift=DOWN * 0.5),
                *([got.animate.move_to(tag).set_x(strip.get_x())] if got is not None else []),
            ],
            LightUp(mat.size_label),
        )
        sweep = mat.column_strip(0, PALETTE["muted"])
        self.say(
            "It is easier to read column by column.",
            FadeIn(sweep, shift=RIGHT * 0.5),
            sweep.animate.move_to(mat.column_strip(cfg.d_mlp - 1)),
            FadeOut(sweep),
        )
        self.say(
            "Each neuron owns one column, a direction that is added to the output when the "
            "neuron is on, scaled by its value.",
            FadeIn(strip, shift=DOWN * 0.5),
            ReplacementTransform(got, tag) if got is not None else FadeIn(tag, shift=UP * 0.5),
            LightUp(VGroup(strip, tag)),
        )
        self.shown["column_tokens"] = tops
        self.say(
            f"Column {n.neuron} {'raises' if dla >= 0 else 'lowers'} the score of "
            f'"{self.target}" by {plain(abs(dla))} for each unit of the neuron\'s value.',
            Restore(opening),
            LaggedStart(*(GrowFromEdge(r[1], LEFT) for r in bars), lag_ratio=0.1),
            FadeIn(VGroup(*(r[0] for r in bars)), shift=UP * 0.5),
            FadeIn(VGroup(*(r[2] for r in bars)), shift=UP * 0.5),
            FadeIn(cap, shift=UP * 0.5),
        )
        self.shown["dla"], self.shown["dla_contrib"] = Shown(eq[0], dla), Shown(eq[4], contrib)
        self.say(
            f"With the value {plain(n.post[0])}, it adds {signed(contrib)} to that score directly.",
            TransformFromCopy(bars[0][2], eq[0]),
            FadeIn(VGroup(eq[1], eq[2], eq[3]), shift=LEFT * 0.5),
            (FadeIn(eq[4], shift=LEFT * 0.3), FadeIn(eq_cap, shift=UP * 0.5)),
        )
        others = [tok.strip() for tok, _ in tops if tok != n.target][:3]
        if others:
            self.say(
                "The same column raises other tokens too, such as "
                + ", ".join(f'"{o}"' for o in others)
                + ": one column can carry several features at once.",
                [LightUp(r) for r in bars if r[0].text.strip("␣") in others],
            )
        shared = st.shared
        if shared is not None and shared.neuron != n.neuron:
            self._shared(shared, mat, bars, eq, eq_cap, cap)
        self._all_active(keep=(head,))

    def _shared(self, shared, mat, bars, eq, eq_cap, cap) -> None:
        (n1, s1, a1, d1), (n2, s2, a2, d2) = _two_sports(shared)
        strip = mat.column_strip(shared.neuron, PALETTE["accent"])
        lines = VGroup(
            text(f"neuron {shared.neuron} is on for {n1} and {n2}", 34, PALETTE["accent"]),
            text(f"its column raises {s1} by {d1:.2f}", 34),
            text(f"and {s2} by {d2:.2f}", 34),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        fill_frame(lines, title=mat, max_scale=1.5, gap=0.75)  # under the column's tag
        self.shown["shared"] = shared
        self.say(
            f"A column can even serve two facts: neuron {shared.neuron} is on for {n1} and for "
            f"{n2}.",
            FadeOut(VGroup(bars, eq, eq_cap, cap), shift=DOWN * 0.5),
            FadeIn(strip, shift=DOWN * 0.5),
            FadeIn(lines[0], shift=UP * 0.5),
            LightUp(strip),
        )
        self.say(
            f"Its column raises both {s1} and {s2}.",
            FadeIn(lines[1], shift=UP * 0.5),
            FadeIn(lines[2], shift=UP * 0.5),
        )

    def _all_active(self, keep) -> None:
        n, t = self.neuron, self.traces[0]
        post = t[hook_name("post", self.L)][n.positions[0]]
        active = int(np.sum(post > 0))
        top = [int(i) for i in np.argsort(-post)[: min(4, max(active, 1))]]
        W_down = self.model.W("down", self.L)
        head = keep[0]
        for size in (38, 34, 30, 28, 26, 24, 22, 20):  # the largest type at which the sum fits
            cols = [NumericVector(W_down[i], max_entries=5, font_size=size) for i in top]
            spare = 11.5 - sum(c.width for c in cols)  # spread across the frame's width
            group = VGroup(*cols).arrange(RIGHT, buff=max(1.0, spare / max(len(cols) - 1, 1)))
            names = VGroup(
                *(
                    text(
                        f"column {i}",
                        max(20, size - 2),
                        PALETTE["highlight"] if i == n.neuron else PALETTE["muted"],
                    ).next_to(c, UP, 0.65)
                    for i, c in zip(top, cols, strict=True)
                )
            )
            on = text(
                f"{some_of_are(active, self.model.cfg.d_mlp, 'neuron')} on at {self.read_token}",
                max(22, size - 2),
                PALETTE["muted"],
            ).next_to(names, UP, buff=0.3)
            # WeightedSum puts the sum 0.6 under the columns, as tall as one of them
            room = cols[0].copy().next_to(group, DOWN, buff=0.6)
            picture = VGroup(on, names, group, room)
            picture.next_to(head, DOWN, buff=0.35)
            if picture.get_bottom()[1] > -3.6 and picture.width < 13.0:
                break
        fade = [m for m in self.mobjects if all(m is not k for k in keep)]
        self.say(
            f"At the token {self.read_token}, {counted_is(active, 'neuron')} on, and each adds "
            "its own column, scaled by its value.",
            [
                *(FadeOut(m) for m in fade),
                FadeIn(group, shift=UP * 0.5),
                FadeIn(names, shift=UP * 0.5),
                FadeIn(on, shift=UP * 0.5),
            ],
        )
        if len(top) == 1:
            summed = WeightedSum(cols, post[top], label="the one column, scaled")
            said = (
                "Here is that one column, scaled by its value: what the block adds to the stream."
            )
        else:
            which = f"all {len(top)}" if len(top) == active else f"the {len(top)} largest"
            summed = WeightedSum(cols, post[top], label=f"{which}, summed")
            said = f"Here are {which}, summed into what the block adds to the stream."
        self.say(said, summed)
        self.shown["down_sum"] = summed.result
        self.shown["active"] = active
        self.hand_over(vector=self.keep(summed.result))

    @step("Residual add", order=10)
    def step_residual(self) -> None:
        n, t = self.neuron, self.traces[0]
        pos = n.positions[0]
        E_vals = t[hook_name("resid_mid", self.L)][pos]
        dE_vals = t[hook_name("mlp_out", self.L)][pos]
        post_vals = t[hook_name("resid_post", self.L)][pos]
        d = self.story.target_dir
        before, after = d.dot(E_vals), d.dot(post_vals)
        p_before = probabilities(self.model.readout(E_vals))[n.target_id]
        p_after = probabilities(self.model.readout(post_vals))[n.target_id]
        last = self.L == self.model.cfg.n_layers - 1
        head = title("The block's output joins the stream")
        at = text(f"layer {self.L}, at the token {self.read_token}", 22, PALETTE["muted"])
        at.next_to(head, DOWN, buff=0.2)
        E = NumericVector(E_vals, max_entries=10, font_size=28)
        dE = NumericVector(dE_vals, max_entries=10, font_size=28)
        # where ResidualAdd will put +, ΔE, = and the sum, worked out on copies: the whole
        # picture (E + MLP(E) = E' and the two measurements beside it) fills the frame first
        trial = ResidualAdd(E.copy(), dE.copy())
        slot = dE.copy().next_to(trial.plus, RIGHT, buff=0.3).match_y(E)
        dE.move_to(slot)

        def measured(label: str, a, b) -> VGroup:
            change = VGroup(a, math(r"\to", 34), b).arrange(RIGHT, buff=0.25)
            row = VGroup(text(label, 28), *change)
            change.next_to(row[0], DOWN, buff=0.2, aligned_edge=LEFT).shift(RIGHT * 0.4)
            return row

        rows = VGroup(
            measured(
                f'along the "{self.target}" direction',
                FastNumber(before, sign=True, font_size=30),
                FastNumber(after, sign=True, font_size=30, color=PALETTE["highlight"]),
            ),
            measured(
                f'P("{self.target}") read out here',
                FastNumber(100 * p_before, percent_decimals(), suffix="%", font_size=30),
                FastNumber(
                    100 * p_after,
                    percent_decimals(),
                    suffix="%",
                    font_size=30,
                    color=PALETTE["highlight"],
                ),
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.6)
        row_of_sums = VGroup(E, trial.plus, dE, trial.equals, trial.result)
        rows.next_to(row_of_sums, RIGHT, buff=0.9)
        labels = VGroup(math("E", 36).next_to(E, UP), math(r"\mathrm{MLP}(E)", 36).next_to(dE, UP))
        fill_frame(
            VGroup(row_of_sums, labels, math("E'", 32).next_to(trial.result, UP), rows),
            title=at,
            max_scale=1.5,
        )
        got = self.received("vector")  # the sum of the active columns: the block's output
        self.say(
            f"At the token {self.read_token}, the vector that came in is E, and the block's "
            "output is MLP of E.",
            self.title_in(head),
            FadeIn(at, shift=DOWN * 0.5),
            (FadeIn(E, shift=RIGHT * 0.5), FadeIn(labels[0], shift=UP * 0.5)),
            (
                ReplacementTransform(got, dE) if got is not None else FadeIn(dE, shift=LEFT * 0.5),
                FadeIn(labels[1], shift=UP * 0.5),
                FadeIn(VGroup(rows[0][0], rows[1][0]), shift=UP * 0.5),  # what is measured
            ),
        )
        add = ResidualAdd(E, dE)
        self.say("The output is added to the vector that came in.", add)
        self.shown["residual_result"] = add.result
        prime = math(r"E'", 32)
        prime.scale(labels[0].height / math("E", 36).height).next_to(add.result, UP)
        self.shown["dir_before"], self.shown["dir_after"] = (
            (rows[0][1], before),
            (rows[0][3], after),
        )
        self.shown["p_before"], self.shown["p_after"] = (
            (rows[1][1], 100 * p_before),
            (rows[1][3], 100 * p_after),
        )
        self.say(
            f'Along the "{self.target}" direction, the vector moves from {signed(before)} to '
            f"{signed(after)}.",
            FadeIn(prime, shift=UP * 0.5),
            FadeIn(rows[0][1:3], shift=UP * 0.5),
            FadeIn(rows[0][3], shift=LEFT * 0.4),
        )
        where = "at the model's output" if last else "if the vector were read out at this point"
        self.say(
            f'The probability of "{self.target}" goes from {pct(p_before)} to {pct(p_after)} '
            f"percent, {where}.",
            FadeIn(rows[1][1:3], shift=UP * 0.5),
            FadeIn(rows[1][3], shift=LEFT * 0.4),
            LightUp(rows[1][3]),
        )


def _two_sports(shared):
    """The two athletes of different sports that a shared column serves (strongest first)."""
    out, seen = [], set()
    for name, sport, act, dla in shared.athletes:
        if sport not in seen and dla > 0:
            out.append((name, sport, act, dla))
            seen.add(sport)
        if len(out) == 2:
            break
    return out

"""Scenes SoftmaxScene, Temperature, TemperatureText (lecture steps C8, C9, C11, C12, C13 in
COVERAGE.md). tests/scenes/test_next_token*.py pin their section titles, the shown values
``softmax_example``, ``temperature_stops``, ``temperature_text``, and that every number said is on
screen.

Softmax on (1, 2, 8), temperature on the model's real logits, and text at several
temperatures."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    ReplacementTransform,
    TransformFromCopy,
    UpdateFromAlphaFunc,
    ValueTracker,
    VGroup,
    config,
    smooth,
)

from llmviz.animations import LightUp, Softmax
from llmviz.layout import code, fit_width, lines, math, number, text, title
from llmviz.mobjects import NumericVector, ProbabilityBars
from llmviz.model.analysis.embedding import temperature_sweep
from llmviz.model.trace import hook_name, probabilities
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import quoted
from next_token_steps.common import NextTokenScene, fill, safe_token


class SoftmaxStep(NextTokenScene):
    @step("Softmax", order=26)
    def step_softmax(self) -> None:
        z = np.array([1.0, 2.0, 8.0])
        p = probabilities(z)
        ez = np.exp(z)
        head = title("Softmax: any numbers → probabilities")
        formula = math(r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", 36)
        formula.next_to(head, DOWN, buff=0.4)
        vec = NumericVector(z, decimals=0, font_size=32)
        exp_vec = NumericVector(ez, decimals=2, thousands=True, font_size=32)
        out = NumericVector(z, decimals=0, font_size=32)
        exp_arrow = math(r"\xrightarrow{\;e^{z}\;}", 32, PALETTE["muted"])
        div_arrow = math(r"\xrightarrow{\;\div\,\Sigma\;}", 32, PALETTE["muted"])
        row = VGroup(vec, exp_arrow, exp_vec, div_arrow, out).arrange(RIGHT, buff=0.5)
        row.next_to(formula, DOWN, buff=0.7)
        sm = Softmax(out, decimals=3)  # computes softmax(z) in place of ``out``
        labels = VGroup(
            math("z", 30, PALETTE["muted"]).next_to(vec, UP, buff=0.3),
            math("e^{z}", 30, PALETTE["muted"]).next_to(exp_vec, UP, buff=0.3),
            text("probabilities", 24, PALETTE["muted"]).next_to(out, UP, buff=0.3),
        )
        exp_sum = text(f"sum = {ez.sum():,.2f}", 24, PALETTE["muted"]).next_to(
            exp_vec, DOWN, buff=0.3
        )
        total = lines(
            "each between 0 and 1", f"sum = {p.sum():.3f}", size=24, color=PALETTE["muted"]
        )
        total.next_to(out, DOWN, buff=0.3)
        fill(VGroup(formula, row, labels, exp_sum, total, sm.result), title=head, max_scale=1.5)
        got = self.received("logits")
        self.shown["softmax_exp"] = exp_vec
        self.shown["softmax_example"] = sm.result
        self.say(
            "Softmax makes probabilities out of any list of numbers.",
            self.title_in(head),
            (
                ReplacementTransform(got, vec)
                if got is not None
                else FadeIn(vec, shift=RIGHT * 0.4),
                FadeIn(labels[0]),
            ),
        )
        self.say(
            "Raise e to the power of each number, then divide by the sum of them all.",
            FadeIn(formula, shift=DOWN * 0.3),
            (FadeIn(exp_arrow), TransformFromCopy(vec, exp_vec), FadeIn(labels[1])),
            FadeIn(exp_sum, shift=UP * 0.3),
        )
        self.say(
            f"The largest number gets by far the most: softmax of 1, 2 and 8 is {p[0]:.3f}, "
            f"{p[1]:.3f} and {p[2]:.3f}.",
            FadeIn(div_arrow),
            (FadeTransform(exp_vec.copy(), sm.result), FadeIn(labels[2])),
            LightUp(sm.result.entries[2]),
        )
        self.say(
            "Every result lies between 0 and 1, and together they add up to 1.",
            FadeIn(total, shift=UP * 0.3),
            LightUp(total),
        )
        self.hand_over(probs=self.gather(sm.result))

    def _targets(self) -> list[float]:
        targets = [1.0, 2.0, 3.0, 0.0]
        if float(self.temperature) not in targets:
            targets.append(float(self.temperature))
        return targets

    @step("Temperature", order=27)
    def step_temperature(self) -> None:
        logits = self.t[hook_name("logits")][-1]
        targets = self._targets()
        sweep = temperature_sweep(logits, targets, k=5)
        names = [safe_token(self.model.decode_token(i)) for i in sweep.token_ids]
        first = names[0]
        head = title("Temperature: softmax(z / T)")
        rest_label = f"all other {self.model.cfg.vocab_size - len(names):,}"
        width = 6.4

        def probs_at(temp: float) -> np.ndarray:
            q = probabilities(logits, temp)[list(sweep.token_ids)]
            return np.append(q, max(0.0, 1.0 - q.sum()))

        bars = ProbabilityBars(
            [*names, rest_label],
            probs_at(1.0),
            width=width,
            decimals=2,
            font_size=28,
            bar_height=0.46,
            buff=0.3,
        )
        bars.next_to(head, DOWN, buff=0.6).shift(RIGHT * 0.8)
        bars.bars[-1].set_fill(PALETTE["neutral"])
        left = bars.bars[0].get_left()[0]
        logit_col = VGroup(
            *(
                number(float(logits[i]), size=26, color=PALETTE["muted"]).next_to(
                    lab, LEFT, buff=0.5
                )
                for i, lab in zip(sweep.token_ids, bars.labels, strict=False)
            )
        )
        logit_head = text("logit", 26, PALETTE["muted"]).next_to(logit_col, UP, buff=0.25)
        # room on the right for the longest bar and "100.00%" (T = 0), whatever the labels' width
        widest = bars.numbers[0].copy().set_value(100.0)
        reach = left + width + 0.15 + widest.width
        over = reach - (config.frame_width / 2 - 0.4)
        if over > 0:
            VGroup(bars, logit_col, logit_head).shift(LEFT * over)
            left -= over
        T = ValueTracker(1.0)

        def update_bars(group):
            q = probs_at(T.get_value())
            for bar, num, v in zip(group.bars, group.numbers, q, strict=True):
                w = max(width * v, 1e-3)
                bar.stretch_to_fit_width(w)
                bar.move_to([left, bar.get_y(), 0], aligned_edge=LEFT)
                num.set_value(100 * v)
                num.next_to(bar, RIGHT, buff=0.15)

        t_value = number(1.0, size=36, color=PALETTE["highlight"])
        t_label = VGroup(text("T =", 36), t_value).arrange(RIGHT, buff=0.2)
        stops_line = text(
            "stops: T = " + ", ".join(f"{x:g}" for x in targets), 26, PALETTE["muted"]
        )
        VGroup(t_label, stops_line).arrange(RIGHT, buff=0.8).next_to(bars, DOWN, buff=0.6)
        zero_note = self.caption("T = 0: all of it on the largest logit (no division by zero)")
        hot_note = self.caption("above 2: more than chat services usually allow")
        stops = {1.0: [n.text for n in bars.numbers]}

        def to(target: float) -> list:
            start = {}  # read when the move begins

            def step(_, a):
                t0 = start.setdefault("T", T.get_value())
                T.set_value(t0 + (target - t0) * smooth(a))
                t_value.set_value(T.get_value())
                update_bars(bars)

            return [UpdateFromAlphaFunc(VGroup(bars, t_value), step, run_time=3.0)]

        def settle(target: float) -> None:
            T.set_value(target)
            t_value.set_value(target)
            update_bars(bars)
            stops[target] = [n.text for n in bars.numbers]

        self.shown["temperature_stops"] = (stops, probs_at)
        p = {x: sweep.at(x)[0] for x in targets}
        got = self.received("probs")
        self.say(
            "Dividing the logits by a temperature T before the softmax changes how sharp the "
            "distribution is.",
            self.title_in(head),
            (
                ReplacementTransform(got, bars)
                if got is not None
                else FadeIn(bars, shift=RIGHT * 0.3),
                FadeIn(logit_col),
                FadeIn(logit_head),
            ),
            (FadeIn(t_label, shift=UP * 0.3), FadeIn(stops_line, shift=UP * 0.3)),
        )
        self.say(
            f"At T = 1, {quoted(first)} gets {100 * p[1.0]:.2f} percent.",
            LightUp(VGroup(bars.labels[0], bars.numbers[0])),
        )
        self.say(
            f"At T = 2 the gaps between logits are halved, and it drops to {100 * p[2.0]:.2f} "
            "percent.",
            *to(2.0),
        )
        settle(2.0)
        self.say(
            f"At T = 3, more than chat services usually allow, it keeps {100 * p[3.0]:.2f} "
            "percent.",
            *to(3.0),
            FadeIn(hot_note, shift=UP * 0.3),
        )
        settle(3.0)
        self.say(
            "At T = 0 the code does not divide by zero: it gives everything to the largest "
            "logit, so sampling always takes the most likely token.",
            (*to(0.0), FadeOut(hot_note)),
            FadeIn(zero_note, shift=UP * 0.3),
        )
        settle(0.0)
        if len(targets) > 4:
            mine = targets[-1]
            self.say(
                f"Last, your setting T = {mine:g} gives {quoted(first)} {100 * p[mine]:.2f} "
                "percent.",
                (*to(mine), FadeOut(zero_note)),
            )
            settle(mine)
        self.hand_over(temperature=self.gather(t_label))

    @step("Temperature in text", order=28)
    def step_temperature_text(self) -> None:
        gens = {
            T: self.generate(self.prompt, self.text_tokens, T, self.seed)
            for T in self.text_temperatures
        }
        hottest = max(self.text_temperatures)
        head = title(f"One prompt at several temperatures (seed {self.seed})")
        got = self.received("temperature")
        prompt = fit_width(text(f"“{self.prompt}” …", 26, PALETTE["muted"]))
        prompt.next_to(head, DOWN, buff=0.5)
        n, n_ctx = len(self.t.tokens), self.model.cfg.n_ctx
        added = min(len(gen.new_tokens) for gen in gens.values())
        if added == 0:  # the prompt fills the context window: the loop writes nothing
            full = self.not_found(
                f"The prompt is {n} tokens; the context window holds {n_ctx}: no room to write"
            ).next_to(prompt, DOWN, buff=0.8)
            self.shown["temperature_text"] = gens
            self.shown["temperature_rows"] = {}
            self.say(
                "Temperature shows in the text that the loop writes after the prompt.",
                self.title_in(head),
                FadeIn(prompt, shift=DOWN * 0.3),
                *([FadeOut(got)] if got is not None else []),
            )
            self.say(
                f"But this prompt is {n} tokens and the model reads at most {n_ctx}, so there is "
                "no room to write anything, at any temperature.",
                FadeIn(full, shift=UP * 0.3),
            )
            return
        rows = VGroup()
        for T, gen in gens.items():
            cont = "".join(gen.new_tokens).replace("\n", "↵")
            rows.add(
                VGroup(
                    text(f"T = {T:g}", 28, PALETTE["highlight"]), fit_width(code(cont, 26), 10.6)
                ).arrange(RIGHT, buff=0.4)
            )
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.6).next_to(prompt, DOWN, buff=0.6)
        rows.set_x(0)
        notes = [
            f"{added} tokens each; ↵ = a new line"
            if added == self.text_tokens
            else f"{added} tokens each (then the {n_ctx}-token window is full); ↵ = a new line"
        ]
        if any("\ufffd" in "".join(gen.new_tokens) for gen in gens.values()):
            notes.append("\ufffd = a token holding only part of a character's bytes")
        note = self.caption("; ".join(notes))
        self.shown["temperature_text"] = gens
        self.shown["temperature_rows"] = {T: row for T, row in zip(gens, rows, strict=True)}
        fill(VGroup(prompt, rows), title=head, caption=note, max_scale=1.3)
        by = {T: row[1] for T, row in zip(gens, rows, strict=True)}
        cold = min(self.text_temperatures)
        names = VGroup(*(row[0] for row in rows))
        self.say(
            f"Here is what the loop writes after the prompt at several temperatures, all with "
            f"seed {self.seed}.",
            self.title_in(head),
            (
                FadeIn(prompt, shift=DOWN * 0.3),
                ReplacementTransform(got, names)
                if got is not None
                else LaggedStart(*(FadeIn(m, shift=RIGHT * 0.3) for m in names), lag_ratio=0.2),
            ),
            FadeIn(note, shift=UP * 0.3),
        )
        self.say(
            f"At T = {cold:g} it always takes the most likely token.",
            FadeIn(by[cold], shift=RIGHT * 0.4),
        )
        mid = [T for T in gens if cold < T < hottest]
        if mid:
            self.say(
                "Around T = 1 it picks less likely tokens now and then.",
                LaggedStart(*(FadeIn(by[T], shift=RIGHT * 0.4) for T in mid), lag_ratio=0.5),
            )
        self.say(
            f"At T = {hottest:g} rare tokens get so much chance that the text soon stops making "
            "sense.",
            FadeIn(by[hottest], shift=RIGHT * 0.4),
            LightUp(by[hottest]),
        )
        self.hand_over(rows=self.gather(rows))

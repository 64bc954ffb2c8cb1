"""Scenes TrainingData, TuningDials, UnseenText. tests/scenes/test_next_token*.py pin their section
titles, the shown values ``data``, ``data_gap``, ``dials``, ``dials_start``, ``dials_turn``,
``unseen``, ``unseen_count``, ``unseen_fail``, ``unseen_name``, and that every number said is on
screen.

Pre-training, measured: how much text this model learned from against GPT-3's published
300 billion tokens, its parameters as dials that a real forward pass depends on (one of them
turned, with the probabilities recomputed at every frame), and its answers to text that its
generated corpus never contains."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    Circle,
    Create,
    DoubleArrow,
    FadeIn,
    FadeOut,
    GrowFromPoint,
    LaggedStart,
    Line,
    ReplacementTransform,
    SurroundingRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    smooth,
)

from llmviz.animations import LightUp
from llmviz.errors import LLMVizError
from llmviz.layout import (
    code,
    fill_frame,
    fit_width,
    math,
    number,
    plain_axes,
    stack_apart,
    text,
    title,
)
from llmviz.mobjects import ProbabilityBars, TokenStrip
from llmviz.model.analysis import find_and_neuron
from llmviz.model.corpus import contrast_prompts, made_up, real_sport
from llmviz.model.pretraining import (
    answer,
    data_size,
    dial_sweep,
    initial_matches_log,
    initial_probabilities,
    initial_weights,
    training_corpus,
    unseen_names,
)
from llmviz.model.scale import GPT3_PUBLISHED, parameter_count
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import counted_is, pct, quoted
from next_token_steps.common import NextTokenScene, fill, own_training_log, safe_token
from next_token_steps.prediction import centre_first, lift_up, morph

ORIGIN_UP = np.array([0.0, 1.0, 0.0])
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def billions(x: float) -> str:
    """A published count in words: "300 billion"."""
    return f"{x / 1e9:,.0f} billion"


class Dial(VGroup):
    """A parameter drawn as a dial: the needle's angle is the value (0 points up, ``+reach``
    to the lower right, ``-reach`` to the lower left), the number below it is the value."""

    def __init__(self, label, value: float, reach: float, radius: float = 0.85) -> None:
        super().__init__()
        self.reach, self.radius = reach, radius
        self.face = Circle(radius=radius, stroke_color=PALETTE["muted"], stroke_width=3)
        marks = VGroup(
            *(
                Line(ORIGIN_UP * 0.82 * radius, ORIGIN_UP * radius, stroke_width=2).rotate(
                    a, about_point=np.zeros(3)
                )
                for a in (-0.75 * PI, 0.0, 0.75 * PI)
            )
        ).set_color(PALETTE["muted"])
        self.needle = Line(np.zeros(3), ORIGIN_UP * 0.8 * radius, stroke_width=5)
        self.needle.set_color(PALETTE["highlight"])
        self.number = number(value, decimals=2, size=24)
        self.label = label
        self.add(self.face, marks, self.needle, self.number, self.label)
        self.number.next_to(self.face, DOWN, buff=0.15)
        self.label.next_to(self.face, UP, buff=0.15)
        self.set_value(value)

    def point(self, value: float) -> Dial:
        """Turn the needle to ``value`` (the number stays)."""
        a = 0.75 * PI * float(np.clip(value / self.reach, -1.0, 1.0))
        centre = self.face.get_center()
        tip = np.array([np.sin(a), np.cos(a), 0.0]) * 0.8 * self.radius
        self.needle.put_start_and_end_on(centre, centre + tip)
        return self

    def set_value(self, value: float) -> Dial:
        """Needle and number at ``value``."""
        self.point(value)
        self.number.set_value(value)
        self.number.next_to(self.face, DOWN, buff=0.15)
        self.value = float(value)
        return self


def set_bars(bars: ProbabilityBars, probs, width: float, lengths=None) -> None:
    """Numbers of ``bars`` set to ``probs`` in place, and their bars to ``lengths`` (default the
    same probabilities), each bar keeping its left edge."""
    left = bars.bars[0].get_left()[0]
    lengths = probs if lengths is None else lengths
    for bar, num, p, q in zip(bars.bars, bars.numbers, probs, lengths, strict=True):
        bar.stretch_to_fit_width(max(width * float(q), 1e-3))
        bar.move_to([left, bar.get_y(), 0], aligned_edge=LEFT)
        num.set_value(100 * float(p))
        num.next_to(bar, RIGHT, buff=0.15)


def tween(dials, start, end, bars, p_start, p_end, width: float) -> UpdateFromAlphaFunc:
    """Needles and bars moving from one real state to another: the numbers fade out, change to
    the end state's values halfway, and fade back in, so no in-between number is ever shown
    (training's path between the two is not recorded)."""

    def step(_, a):
        s = smooth(a)
        shown = p_start if a < 0.5 else p_end
        for d, v0, v1 in zip(dials, start, end, strict=True):
            d.set_value(v0 if a < 0.5 else v1)
            d.point(v0 + (v1 - v0) * s)
            d.number.set_opacity(abs(1 - 2 * a))
        set_bars(bars, shown, width, np.asarray(p_start) + (np.asarray(p_end) - p_start) * s)
        bars.numbers.set_opacity(abs(1 - 2 * a))

    return UpdateFromAlphaFunc(VGroup(dials, bars), step, run_time=3.0)


class TrainingStep(NextTokenScene):
    #: A lead-in that turns the chapter's prompt into a text the corpus never contains.
    unseen_lead = "Everyone knows that"

    # --- how much text ------------------------------------------------------------------------
    @step("Training data", order=6)
    def step_training_data(self) -> None:
        log = own_training_log(self.model_dir)
        gpt = GPT3_PUBLISHED
        head = title("Learning from a lot of text")
        pre = self.received("pretrained")  # GPT's "this model: N steps over M tokens"
        try:
            size = data_size(self.model, log) if log is not None else None
        except LLMVizError:
            size = None
        if size is None:
            note = self.not_found(
                "This model's folder records no training corpus, so its data cannot be measured."
            ).next_to(head, DOWN, buff=1.0)
            self.shown["data"] = None
            self.say(
                "A language model learns its predictions from an enormous amount of text.",
                self.title_in(head),
                *([FadeOut(pre)] if pre is not None else []),
            )
            self.say(
                "This model came without a record of its training text, so it has no figures here.",
                FadeIn(note, shift=UP * 0.3),
            )
            return
        sample = VGroup(*(code(s, 24) for s in training_corpus(log)[:2]))
        sample.arrange(DOWN, buff=0.25)
        fit_width(sample, 12.0).next_to(head, DOWN, buff=0.5)
        made = text(
            "generated by code from templates, not taken from the internet", 22, PALETTE["accent"]
        ).next_to(sample, DOWN, buff=0.3)
        counts = VGroup(
            *(
                VGroup(number(v, decimals=0, size=28, thousands=True), text(name, 24)).arrange(
                    RIGHT, buff=0.15
                )
                for v, name in (
                    (size.sentences, "sentences"),
                    (size.words, "words"),
                    (size.tokens, "tokens"),
                )
            )
        ).arrange(RIGHT, buff=0.7)
        fit_width(counts).next_to(made, DOWN, buff=0.45)
        lo = int(np.floor(np.log10(size.tokens)))
        hi = int(np.ceil(np.log10(gpt.tokens)))
        axis = plain_axes([lo, hi, 1], [0, 1, 1], 11.5, 0.01).next_to(counts, DOWN, buff=1.5)
        ticks = VGroup(
            *(
                text(f"10{str(k).translate(SUPERSCRIPT)}", 20, PALETTE["muted"]).next_to(
                    axis.c2p(k, 0), DOWN, buff=0.15
                )
                for k in range(lo, hi + 1)
            )
        )
        where = {
            "corpus": (size.tokens, PALETTE["accent"], f"our corpus: {size.tokens:,}"),
            "seen": (size.seen, PALETTE["positive"], f"read: {size.seen:,}"),
            "gpt": (gpt.tokens, PALETTE["highlight"], f"GPT-3: {billions(gpt.tokens)}"),
        }
        marks, labels = {}, {}
        for key, (v, color, s) in where.items():
            x = axis.c2p(np.log10(v), 0)
            marks[key] = Line(x + DOWN * 0.2, x + UP * 0.2, color=color, stroke_width=6)
            labels[key] = text(s, 22, color).next_to(marks[key], UP, buff=0.12)
        stack_apart([labels["seen"], labels["corpus"], labels["gpt"]], UP)
        passes = text(f"{size.passes:.1f} passes over the corpus", 20, PALETTE["positive"])
        passes.next_to(ticks, DOWN, buff=0.25).set_x(marks["seen"].get_x())
        fit_width(VGroup(passes))
        times = size.times_fewer(gpt.tokens)
        gap = DoubleArrow(
            marks["seen"].get_center() + DOWN * 0.55 + RIGHT * 0.1,
            marks["gpt"].get_center() + DOWN * 0.55 + LEFT * 0.1,
            buff=0,
            color=PALETTE["highlight"],
            stroke_width=3,
            tip_length=0.2,
        )
        gap_label = text(f"× {times:,.0f}", 24, PALETTE["highlight"])
        gap_label.next_to(ticks, DOWN, buff=0.25).set_x(gap.get_x())
        cap = self.caption(
            f"tokens on a log scale, each tick 10 times the last; GPT-3: {gpt.source.split(',')[0]}"
        )
        picture = VGroup(sample, made, counts, axis, ticks, *marks.values(), *labels.values())
        whole = fill_frame(VGroup(picture, passes, gap, gap_label), title=head, caption=cap)
        first = VGroup(sample, made, counts)  # in the middle until the scale comes in
        lift = centre_first(whole, first)
        self.shown["data"] = (counts, size)
        self.shown["data_gap"] = (gap_label, times)
        self.say(
            "A language model learns its predictions from an enormous amount of example text.",
            (
                self.title_in(head),
                LaggedStart(*(FadeIn(s, shift=RIGHT * 0.3) for s in sample), lag_ratio=0.4),
                *([pre.animate.move_to(counts)] if pre is not None else []),
            ),
        )
        self.say(
            "Big models read text gathered from the internet; ours read sentences that code "
            "generated from templates, like these two.",
            FadeIn(made, shift=UP * 0.3),
            LightUp(sample),
        )
        self.say(
            f"The corpus has {size.sentences:,} sentences: {size.words:,} words, or "
            f"{size.tokens:,} tokens.",
            LaggedStart(*(FadeIn(c, shift=UP * 0.3) for c in counts), lag_ratio=0.4)
            if pre is None
            else morph(pre, counts),
            (sample.animate.set_opacity(0.3), made.animate.set_opacity(0.5)),
        )
        self.say(
            f"Training read {size.seen:,} tokens, going over the corpus about "
            f"{size.passes:.1f} times.",
            (
                lift_up(self, first, lift),
                Create(axis),
                FadeIn(ticks),
                FadeIn(cap, shift=UP * 0.2),
            ),
            (
                GrowFromPoint(marks["corpus"], marks["corpus"].get_center()),
                FadeIn(labels["corpus"]),
            ),
            (
                GrowFromPoint(marks["seen"], marks["seen"].get_center()),
                FadeIn(labels["seen"]),
                FadeIn(passes, shift=UP * 0.2),
            ),
        )
        self.say(
            f"GPT-3, by its published figures, was trained on {billions(gpt.tokens)} tokens.",
            (
                # the camera moves in on the scale from what ours read to GPT-3's
                self.zoom_to(
                    VGroup(marks["seen"], marks["gpt"], labels["seen"], labels["gpt"], passes),
                    margin=1.15,
                ),
                GrowFromPoint(marks["gpt"], marks["gpt"].get_center()),
                FadeIn(labels["gpt"]),
            ),
            LightUp(labels["gpt"]),
        )
        self.say(
            f"That is {times:,.0f} times what our model read, and each step on this scale is "
            "another factor of ten.",
            (
                FadeOut(passes),
                GrowFromPoint(gap, gap.get_start(), run_time=2.5),
                FadeIn(gap_label, shift=UP * 0.2),
            ),
            LightUp(gap_label),
            self.zoom_out(),
        )

    # --- parameters as dials ------------------------------------------------------------------
    def _dials_setup(self):
        """The prompt's AND neuron, its bias and its two weights that add most to its input, and
        the bias values of the turn (down past the point where the neuron switches off)."""
        contrasts = contrast_prompts(self.prompt)
        neuron = find_and_neuron(self.model, self.prompt, contrasts)
        layer, n = neuron.layer, neuron.neuron
        bias = f"blocks.{layer}.mlp.b_up"
        up = f"blocks.{layer}.mlp.W_up"
        if bias not in self.model.weights:
            raise LLMVizError(f"this model has no {bias}")
        x = self.t[hook_name("ln2", layer)][neuron.positions[0]]
        w = self.model.weights[up][:, n]
        rows = [int(i) for i in np.argsort(-(w * x))[:2]]
        pre = float(neuron.pre[0])
        b = float(self.model.weights[bias][n])
        turn = [b - pre * k for k in np.linspace(0.0, 1.5, 7)]
        return neuron, [(bias, (n,)), (up, (rows[0], n)), (up, (rows[1], n))], turn

    @step("Training tunes the dials", order=7)
    def step_dials(self) -> None:
        log = own_training_log(self.model_dir)
        head = title("Training tunes the dials")
        N = parameter_count(self.model)
        try:
            neuron, dials, turn = self._dials_setup()
        except (LLMVizError, ValueError) as exc:
            note = self.not_found(f"No neuron to turn here: {exc}").next_to(head, DOWN, buff=1.0)
            self.shown["dials"] = None
            self.say(
                f"You can picture training as tuning dials: this model has {N:,} of them.",
                self.title_in(head),
                FadeIn(self.caption(f"{N:,} parameters in this model"), shift=UP * 0.3),
            )
            self.say("This model has no neuron whose dial the step can turn.", FadeIn(note))
            return
        weights = self.model.weights
        now = [float(weights[name][idx]) for name, idx in dials]
        start = None
        if log is not None and initial_matches_log(self.model, log):
            w0 = initial_weights(self.model, log)
            start = [float(w0[name][idx]) for name, idx in dials]
        reach = 1.15 * max(abs(v) for v in [*now, *turn, *(start or [])])
        n = neuron.neuron
        names = [
            math(rf"b_{{{n}}}", 30),
            math(rf"w_{{{dials[1][1][0]},{n}}}", 30),
            math(rf"w_{{{dials[2][1][0]},{n}}}", 30),
        ]
        row = VGroup(*(Dial(m, v, reach) for m, v in zip(names, start or now, strict=True)))
        row.arrange(RIGHT, buff=0.4)
        where = text(f"block {neuron.layer}'s MLP, neuron {n}", 24, PALETTE["muted"])
        where.next_to(row, DOWN, buff=0.3)
        left = VGroup(row, where)
        # the bars: the answer, the token that wins with the dial turned all the way, the rest
        top = self.t.top_k(1)[0].token
        far = dial_sweep(self.model, self.prompt, *dials[0], [turn[-1]], None)[0]
        winner = self.model.decode_token(int(np.argmax(far)))
        tokens = [top] + ([winner] if winner != top else [])
        tokens += [c.token for c in self.t.top_k(6) if c.token not in tokens][: 4 - len(tokens)]
        ids = [self.model.token_id(t) for t in tokens]
        clean = self.t.probs()[ids]
        width = 3.2
        bars = ProbabilityBars([safe_token(t) for t in tokens], clean, width=width, decimals=1)
        strip = TokenStrip(self.t.tokens, font_size=22)
        right = VGroup(strip, bars).arrange(DOWN, buff=0.5)
        both = self.beside(head, left, right, buff=0.7)
        both.set_y((head.get_bottom()[1] - 3.4) / 2)  # halfway between the title and the caption
        bars.shift(RIGHT * (strip.get_left()[0] - bars.labels.get_left()[0]))
        params = self.caption(
            f"{N:,} parameters in this model; GPT-3: {billions(GPT3_PUBLISHED.parameters)}"
        )
        before = both.width
        fill_frame(both, title=head, caption=params)
        grown = both.width / before  # needles and bars are redrawn at this scale
        for d in row:
            d.radius *= grown
        width *= grown
        bias_dial = row[0]
        self.shown["dials"] = (row, dials, now, start, N, params)
        self.say(
            "You can picture training as tuning the dials of a big machine.",
            (
                self.title_in(head),
                LaggedStart(*(FadeIn(d, scale=0.8) for d in row), lag_ratio=0.3),
            ),
        )
        self.say(
            f"These three are real dials of our model: the bias of neuron {n} in block "
            f"{neuron.layer}'s MLP, and two of its weights.",
            (self.zoom_to(VGroup(row, where), margin=1.3), FadeIn(where, shift=UP * 0.3)),
            LightUp(row),
        )
        self.say(
            f"All {N:,} numbers of the model are such dials, its parameters; GPT-3 has "
            f"{billions(GPT3_PUBLISHED.parameters)}.",
            self.zoom_out(),
            FadeIn(params, shift=UP * 0.3),
            LightUp(params),
        )
        if start is not None:
            p0 = initial_probabilities(self.model, log, self.prompt)
            guess = int(np.argmax(p0))
            set_bars(bars, p0[ids], width)
            g_tok, g_p = safe_token(self.model.decode_token(guess)), float(p0[guess])
            noise = text(
                f"step 0: top guess {quoted(g_tok)} at {pct(g_p, 2)}%", 22, PALETTE["muted"]
            ).next_to(bars, DOWN, buff=0.35)
            self.shown["dials_start"] = (row, start, p0[ids], noise, g_tok, g_p)
            self.say(
                f"At step 0 the dials were random: {start[1]:.2f} and {start[2]:.2f}, the bias "
                f"{start[0]:.2f}, and the top guess was {quoted(g_tok)} at {pct(g_p, 2)} percent.",
                (FadeIn(strip, shift=LEFT * 0.5), FadeIn(bars, shift=LEFT * 0.5)),
                FadeIn(noise, shift=UP * 0.2),
            )
            self.say(
                f"Training turned every dial to where it is now, and {quoted(tokens[0])} "
                f"reached {pct(clean[0])} percent.",
                (tween(row, start, now, bars, p0[ids], clean, width), FadeOut(noise)),
            )
        else:
            self.say(
                f"Training set these dials, and with them {quoted(tokens[0])} gets "
                f"{pct(clean[0])} percent.",
                (FadeIn(strip, shift=LEFT * 0.5), FadeIn(bars, shift=LEFT * 0.5)),
            )
        probs = dial_sweep(self.model, self.prompt, *dials[0], turn, tokens)
        self.shown["dials_turn"] = (bias_dial, bars, turn, probs, tokens)

        def turning(v0: float, v1: float) -> UpdateFromAlphaFunc:
            def step(_, a):
                v = v0 + (v1 - v0) * smooth(a)
                bias_dial.set_value(v)  # and a real forward pass with it, at every frame
                set_bars(
                    bars, dial_sweep(self.model, self.prompt, *dials[0], [v], tokens)[0], width
                )

            return UpdateFromAlphaFunc(VGroup(bias_dial, bars), step, run_time=4.0)

        box = SurroundingRectangle(bias_dial.face, color=PALETTE["highlight"], buff=0.1)
        self.say(
            "Turn one dial, the bias, down, and the prediction changes: every frame here is a "
            "new forward pass.",
            Create(box),
            turning(turn[0], turn[-1]),
        )
        self.say(
            f"At {turn[-1]:.2f} the neuron stays off: {quoted(tokens[0])} falls to "
            f"{pct(probs[-1, 0])} percent and {quoted(tokens[1])} rises to {pct(probs[-1, 1])} "
            "percent.",
            LightUp(VGroup(bars.labels[0], bars.numbers[0])),
            LightUp(VGroup(bars.labels[1], bars.numbers[1])),
        )
        self.say(
            f"Turned back to {turn[0]:.2f}, it gives {pct(probs[0, 0])} percent again; training "
            "nudges all the dials like this, so that the true next word gets more likely.",
            turning(turn[-1], turn[0]),
            FadeOut(box),
        )
        self.hand_over(prompt=strip)  # the prompt becomes the text the model never saw

    # --- text it never saw --------------------------------------------------------------------
    @step("Text it never saw", order=8)
    def step_unseen(self) -> None:
        log = own_training_log(self.model_dir)
        head = title("Text it never saw")
        prompt_in = self.received("prompt")  # the dials' prompt, before its lead-in
        try:
            lead = answer(self.model, f"{self.unseen_lead} {self.prompt}", log, self.answer)
            guesses = unseen_names(self.model, log)
            n_sent = len(training_corpus(log))
        except (LLMVizError, TypeError, KeyError):
            lead = None
        if lead is None:
            note = self.not_found(
                "This model's training corpus is not known here, so no text is checked as unseen."
            ).next_to(head, DOWN, buff=1.0)
            self.shown["unseen"] = None
            self.say(
                "Training aims at text the model never saw.",
                self.title_in(head),
                *([FadeOut(prompt_in)] if prompt_in is not None else []),
            )
            self.say("This model came without its training corpus to check against.", FadeIn(note))
            return
        first = self.prompt.split()[0]
        fits = [g for g in guesses if g.fits]
        # the example is a made-up pair: a real athlete (Tiger Woods) has a right answer
        invented = [g for g in fits if made_up(g.name)] or fits or guesses
        pick = max(
            (g for g in invented if g.name.split()[0] == first), key=lambda g: g.prob, default=None
        ) or max(invented, key=lambda g: g.prob)
        wrong = [g for g in guesses if not g.fits]
        worst = max(wrong, key=lambda g: g.prob) if wrong else None

        def shown_prompt(p: str):
            return fit_width(code(p, 30), 12.5).next_to(head, DOWN, buff=0.7)

        def answers(prompt: str, under) -> ProbabilityBars:
            bars = ProbabilityBars.from_trace(
                self.model.run(prompt), k=3, width=7.5, font_size=28, bar_height=0.42
            )
            return bars.next_to(under, DOWN, buff=0.6).shift(RIGHT * 0.6)

        line = shown_prompt(lead.prompt)
        mark = ("not in" if not lead.seen else "found in") + f" the {n_sent:,} training sentences"
        tag = text(mark, 24, PALETTE["accent"]).next_to(line, DOWN, buff=0.25)
        bars = answers(lead.prompt, tag)
        p_name = f"{pick.name} plays the sport of"
        line2 = shown_prompt(p_name)
        tag2 = text(
            f"“{pick.name}”{', a made-up name,' if made_up(pick.name) else ''} "
            "nowhere in the corpus",
            24,
            PALETTE["accent"],
        )
        tag2.next_to(line2, DOWN, buff=0.25)
        bars2 = answers(p_name, tag2)
        fn, ln = pick.name.split()
        grid = VGroup()
        for who, sports in ((f"{fn} …", pick.first_sports), (f"… {ln}", pick.last_sports)):
            cells = VGroup(*(code(s, 26) for s in sports)).arrange(RIGHT, buff=0.4)
            grid.add(VGroup(text(f"{who}:", 28), cells).arrange(RIGHT, buff=0.3))
        grid.arrange(DOWN, aligned_edge=LEFT, buff=0.35).next_to(bars2, DOWN, buff=0.6)
        grid.set_x(0)
        hits = VGroup(
            *(c for row in grid for c in row[1] if c.text == pick.token.strip())
        ).set_color(PALETTE["highlight"])
        count = VGroup(
            number(len(fits), decimals=0, size=30, color=PALETTE["highlight"]),
            text(f"of the {len(guesses)} unseen names get such a sport", 24),
        ).arrange(RIGHT, buff=0.2)
        count.next_to(grid, DOWN, buff=0.4)
        fit_width(count)
        fail = None
        real = real_sport(worst.name) if worst is not None else None
        if worst is not None:
            truth = f" (the real one plays {real})" if real else ""
            fail = fit_width(
                text(
                    f"the other {len(wrong)} fail: {worst.name} → "
                    f"{quoted(safe_token(worst.token))} ({pct(worst.prob)}%){truth}",
                    24,
                    PALETTE["negative"],
                )
            ).next_to(count, DOWN, buff=0.3)
        parts = [line, tag, bars, line2, tag2, bars2, grid, count]
        whole = fill(VGroup(*parts, *([fail] if fail is not None else [])), title=head)
        first = VGroup(line, tag, bars, line2, tag2, bars2)  # in the middle until the grid
        lift = centre_first(whole, first)
        self.shown["unseen"] = (line, tag, bars, lead, n_sent)
        self.say(
            "Training aims further than its sentences: the model should also answer text it "
            "never read.",
            (
                self.title_in(head),
                FadeIn(line, shift=RIGHT * 0.3) if prompt_in is None else morph(prompt_in, line),
            ),
        )
        self.say(
            f"The code searched all {n_sent:,} training sentences: this text is "
            f"{'not' if not lead.seen else ''} among them.",
            FadeIn(tag, shift=UP * 0.2),
            LightUp(tag),
        )
        top = bars.tokens[0]
        self.say(
            f"Still the model answers {quoted(top)}, with {pct(bars.probs[0])} percent.",
            FadeIn(bars, shift=RIGHT * 0.3),
            LightUp(VGroup(bars.labels[0], bars.numbers[0])),
        )
        self.shown["unseen_name"] = (line2, bars2, pick)
        self.shown["unseen_tag2"] = tag2
        self.say(
            f"A name it never saw works too: for {pick.name}"
            f"{', a made-up name,' if made_up(pick.name) else ''} it says {quoted(pick.token)} at "
            f"{pct(pick.prob)} percent.",
            (morph(line, line2), morph(tag, tag2)),
            ReplacementTransform(bars, bars2),
        )
        self.say(
            f"No sentence says what {pick.name} plays, so there is no right answer; the corpus "
            f"only has athletes named {fn} and athletes named {ln}.",
            lift_up(self, first, lift),
            LaggedStart(*(FadeIn(r, shift=UP * 0.2) for r in grid), lag_ratio=0.5, run_time=3),
        )
        self.say(
            f"Its answer, {quoted(pick.token)}, is a sport of both: it combines what it learned "
            "about each name.",
            LightUp(VGroup(bars2.labels[0], bars2.numbers[0])),
            LightUp(hits),
        )
        self.shown["unseen_count"] = (count[0], len(fits), len(guesses))
        self.say(
            f"Over all {len(guesses)} names of the grid that the corpus never pairs, "
            f"{counted_is(len(fits), 'answer')} such a sport.",
            (grid.animate.set_opacity(0.35), FadeIn(count, shift=UP * 0.3)),
            LightUp(count[0]),
        )
        if fail is None:
            self.say("It never answers otherwise.", LightUp(count))
            return
        self.shown["unseen_fail"] = (fail, worst, len(wrong))
        self.say(
            f"It fails on {len(wrong)}: for {worst.name} its top guess is "
            f"{quoted(safe_token(worst.token))} at {pct(worst.prob)} percent"
            + (
                f", although the real {worst.name} plays {real}: the corpus never names that "
                "athlete, so the model cannot know."
                if real
                else "."
            ),
            FadeIn(fail, shift=UP * 0.3),
        )

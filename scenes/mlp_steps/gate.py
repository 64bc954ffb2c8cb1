"""Scenes ReLUGateScene, SwitchItOff (lecture steps G17 in COVERAGE.md). tests/scenes/test_mlp.py pins
their section titles, the shown values ``ablated_bars``, ``contrast_table``, ``gelu``,
``relu_column``, ``stores_fact``, ``verdict_relu``, and that every number said is on screen.

Steps 7 and 8: the ReLU as a gate, and switching the neuron off to see what it holds."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Cross,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    Transform,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, FastNumber, NeuronColumn, ProbabilityBars, ValueTable
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import all_of, counted, pct, plain, signed
from mlp_steps.common import MLPScene


def gelu(z: float) -> float:
    """GELU in the tanh form that GPT-2 and GPT-3 use."""
    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))


class GateStep(MLPScene):
    @step("ReLU as a gate", order=7)
    def step_relu(self) -> None:
        n, st = self.neuron, self.story
        names = st.names
        head = title("A bend that makes a yes or no")
        lim = float(np.ceil(max(2.0, max(abs(z) for z in n.pre) + 0.5)))
        axes = (  # between the title and the verdict's line at the bottom
            plain_axes([-lim, lim, 1], [-lim, lim, 1], 6.6, 5.3)
            .to_edge(LEFT, buff=0.6)
            .shift(DOWN * 0.3)
        )
        line = axes.plot(lambda z: z, color=PALETTE["muted"])
        scores = self.received("scores")  # the scores on their number line become the axes
        self.say(
            "Without a bend, this step would be a straight line.",
            self.title_in(head),
            ReplacementTransform(scores, axes) if scores is not None else Create(axes),
            Create(line),
        )
        probe = Dot(axes.c2p(-lim * 0.8, -lim * 0.8), radius=0.08, color=PALETTE["muted"])
        self.say(
            "A bigger score would always pass on a bigger value.",
            FadeIn(probe, scale=0.5),
            probe.animate.move_to(axes.c2p(lim * 0.8, lim * 0.8)),
            FadeOut(probe),
        )
        colors = [PALETTE["highlight"], PALETTE["positive"], PALETTE["accent"]]
        dots = VGroup(
            *(
                Dot(axes.c2p(z, z), radius=0.09, color=c)
                for z, c in zip(n.pre, colors, strict=False)
            )
        )
        col = NeuronColumn(list(n.pre), state="pre", radius=0.3, font_size=28, buff=0.55)
        col.to_edge(RIGHT, buff=2.4).shift(UP * 0.2)
        labels = VGroup(
            *(
                text(nm, 26, c).next_to(neuron, LEFT, 0.3)
                for nm, neuron, c in zip(names, col.neurons, colors, strict=False)
            )
        )
        negative = [nm for nm, z in zip(names[1:], n.pre[1:], strict=True) if z <= 0]
        if len(negative) == len(names) - 1:
            sentence = "Here the other names already score below zero before any bend."
        elif negative:
            sentence = (
                f"Here {', '.join(negative)} already scores below zero; the rest would pass on."
            )
        else:
            sentence = "On a straight line, the other names' scores would pass on too."
        self.say(
            sentence,
            (FadeIn(col, shift=LEFT * 0.5), FadeIn(labels, shift=RIGHT * 0.5)),
            LaggedStart(*(TransformFromCopy(c, d) for c, d in zip(col.neurons, dots, strict=True))),
        )
        relu = axes.plot(lambda z: max(z, 0.0), color=PALETTE["positive"], use_smoothing=False)
        targets = VGroup(
            *(
                Dot(axes.c2p(z, max(z, 0.0)), radius=0.09, color=d.get_color())
                for z, d in zip(n.pre, dots, strict=True)
            )
        )
        self.say(
            "The ReLU keeps positive values and turns negative ones into zero.",
            (ReplacementTransform(line, relu), Transform(dots, targets)),
        )
        from llmviz.animations import LightUp, ReLUGate

        gate = ReLUGate(col)
        relu_vals = [max(z, 0.0) for z in n.pre]
        relu_model = (
            self.model.cfg.act_fn == "relu"
        )  # else the ReLU is the lecture's, not the model's
        others = " and ".join(
            f"{plain(relu_vals[k])} for {nm}" for k, nm in enumerate(names[1:], start=1)
        )
        lead = "That leaves" if relu_model else "A ReLU would leave"
        self.say(f"{lead} {plain(relu_vals[0])} for {names[0]}, and {others}.", gate)
        self.shown["relu_column"] = gate.result
        verdict = fit_width(text(self.verdict(), 26, PALETTE["highlight"])).to_edge(DOWN, buff=0.4)
        v = st.verdict
        specific = v.specific if v is not None else n.is_clear
        self.shown["verdict_relu"] = (verdict, specific)
        if specific:
            sentence = "A yes for the full name only: the neuron acts like an AND gate."
        elif v is not None and n.fires_like_and:
            sentence = (
                f"Among these names it says yes to the full name only; across the corpus, "
                f"{v.identity()}."
            )
        else:
            sentence = f"The search's verdict for this neuron: {self.verdict()}."
        self.say(
            sentence,
            FadeIn(verdict, shift=UP * 0.5),
            LightUp(VGroup(gate.result.neurons[0], labels[0])),
        )
        gelu_curve = axes.plot(gelu, color=PALETTE["accent"], x_range=[-lim, lim])
        # this model's own activations when it uses GELU; the tanh form GPT-2 uses otherwise
        g_vals = [gelu(z) for z in n.pre] if relu_model else list(n.post)
        g_nums = VGroup(
            *(
                FastNumber(g, sign=True, font_size=26, color=PALETTE["accent"])
                .next_to(neuron, RIGHT, buff=0.9)
                .align_to(gate.result.numbers, LEFT)
                .shift(RIGHT * (gate.result.numbers.width + 0.25))
                for g, neuron in zip(g_vals, gate.result.neurons, strict=True)
            )
        )
        g_title = text("GELU", 26, PALETTE["accent"]).next_to(g_nums, UP, buff=0.25)
        self.shown["gelu"] = list(zip(g_nums, g_vals, strict=True))
        self.say(
            (
                f"Many models use GELU, a smooth version of the same bend: it gives "
                f"{signed(g_vals[0])} for {names[0]}."
                if relu_model
                else f"This model uses GELU, a smooth version of the same bend: its neuron "
                f"really gives {signed(g_vals[0])} for {names[0]}."
            ),
            Create(gelu_curve),
            (FadeIn(g_nums, shift=LEFT * 0.5), FadeIn(g_title, shift=UP * 0.5)),
            LightUp(g_nums[0]),
        )
        self.hand_over(neuron=self.keep(gate.result.neurons[0], gate.result.numbers[0]))

    @step("Switch it off", order=8)
    def step_ablation(self) -> None:
        n, st = self.neuron, self.story
        ab = n.ablation
        head = title(f"Switch neuron {n.neuron} off")
        col = NeuronColumn([n.post[0]], state="post", radius=0.42, font_size=32)
        tag = text(f"layer {self.L}, neuron {n.neuron}, at {self.read_token}", 28, PALETTE["muted"])
        top = VGroup(col, tag).arrange(RIGHT, buff=0.4)
        clean_bars = ProbabilityBars.from_trace(
            self.traces[0], k=4, width=3.4, font_size=30, bar_height=0.42, buff=0.22
        )
        off_trace = self.model.run_with_hooks(
            n.prompts[0], [_zero(n.layer, n.neuron, n.positions[0])]
        )
        off_bars = ProbabilityBars.from_trace(
            off_trace, k=4, width=3.4, font_size=30, bar_height=0.42, buff=0.22
        )
        left = VGroup(text("as trained", 28, PALETTE["muted"]), clean_bars).arrange(DOWN, buff=0.3)
        right = VGroup(
            text(f"neuron {n.neuron} at zero", 28, PALETTE["negative"]), off_bars
        ).arrange(DOWN, buff=0.3)
        pair = fit_width(VGroup(left, right).arrange(RIGHT, buff=1.0), 13.2)
        rows = [
            [name, tgt.strip(), 100 * c, 100 * a]
            for name, tgt, c, a in zip(
                st.names[1:], ab.targets[1:], ab.clean[1:], ab.ablated[1:], strict=True
            )
        ]
        table = ValueTable(
            rows,
            [
                Column("contrast"),
                Column("its answer"),
                Column("as trained", 1, suffix="%"),
                Column(f"neuron {n.neuron} at zero", 1, suffix="%"),
            ],
            font_size=30,
        )
        fit_width(table, 13.2)
        # the whole picture first, filling the frame; a line below it when one comes at the end
        evidence = self._evidence_line()  # what the neuron does for the corpus's other athletes
        line_below = st.neuron_set is not None or evidence is not None
        VGroup(top, pair, table).arrange(DOWN, buff=0.45)
        fill_frame(
            VGroup(top, pair, table),
            title=head,
            caption=True if line_below else False,
            max_scale=1.3,
        )
        # the neuron and the trained run open big in the middle, then move to their places
        final = VGroup(top, left).copy()
        stage = VGroup(top, left).arrange(DOWN, buff=0.45)
        fill_frame(stage, title=head, max_scale=1.8, shrink=False)
        got = self.received("neuron")  # the neuron and its value, from the gate
        self.say(
            "If this neuron really holds the fact, switching it off should break the answer.",
            self.title_in(head),
            (
                ReplacementTransform(got, col) if got is not None else FadeIn(col, scale=0.4),
                FadeIn(tag, shift=LEFT * 0.5),
                FadeIn(left[0], shift=DOWN * 0.5),
            ),
            LaggedStart(*(GrowFromEdge(b, LEFT) for b in clean_bars.bars), lag_ratio=0.2),
            (
                FadeIn(clean_bars.labels, shift=RIGHT * 0.5),
                FadeIn(clean_bars.numbers, shift=LEFT * 0.5),
            ),
        )
        placed = final[0][0]  # the neuron where it ends up
        cross = Cross(placed.neurons[0], stroke_color=PALETTE["negative"], scale_factor=0.8)
        off_num = FastNumber(0.0, font_size=32)
        off_num.scale_to_fit_height(placed.numbers[0].height).move_to(placed.numbers[0])
        off_fill = placed.neurons[0].copy().set_fill(PALETTE["neutral"], opacity=0.25)
        self.shown["ablated_bars"], self.shown["clean_bars"] = off_bars, clean_bars
        top_after = off_trace.top_k(1)[0].token.strip()
        self.say(
            f'As trained, "{self.target}" gets {pct(ab.clean[0])} percent.',
            LightUp(col),
            LightUp(VGroup(clean_bars.labels[0], clean_bars.numbers[0])),
        )
        v = st.verdict
        moved = (
            f'and "{top_after}" comes first'
            if top_after != self.target
            else f'and "{self.target}" stays first'
            + (
                ""
                if v is None or v.breaks
                else ": the answer survives, so the fact does not rest on this neuron alone"
            )
        )
        self.say(
            f"With neuron {n.neuron} at zero it gets {pct(ab.ablated[0])} percent, {moved}.",
            (Transform(top, final[0]), Transform(left, final[1])),
            (
                Create(cross),
                Transform(col.neurons[0], off_fill),
                Transform(col.numbers[0], off_num),
            ),
            (
                FadeIn(right[0], shift=DOWN * 0.5),
                LaggedStart(*(GrowFromEdge(b, LEFT) for b in off_bars.bars), lag_ratio=0.2),
                FadeIn(off_bars.labels, shift=RIGHT * 0.3),
                FadeIn(off_bars.numbers, shift=LEFT * 0.3),
            ),
            LightUp(VGroup(off_bars.labels[0], off_bars.numbers[0])),
        )
        self.shown["contrast_table"] = table
        kept = all(ab.kept[1:])
        self.say(
            "The contrasts keep their own answers."
            if kept
            else "A contrast loses its answer too, so the neuron is not specific to this name.",
            FadeIn(table.header, shift=UP * 0.5),
            LaggedStart(*(FadeIn(table.row(k)) for k in range(len(rows)))),
            LightUp(table.column(3)),
        )
        self.shown["stores_fact"] = n.stores_fact
        self.shown["evidence"] = evidence
        if evidence is not None and kept:
            word = "And" if v.specific else "But"
            self.say(f"{word} {v.identity()}.", FadeIn(evidence, shift=UP * 0.5), LightUp(evidence))
        if st.neuron_set is not None:
            if evidence is not None and kept:
                self.play(FadeOut(evidence, shift=DOWN * 0.3), run_time=0.5)
            self._neuron_set(table)
        self.hand_over(neuron=self.keep(col, cross))

    def _evidence_line(self):
        """One line under the table with the values the verdict rests on: the other athletes
        that the neuron is on for, or that it is quiet for all who share a name; None without
        a verdict."""
        v = self.story.verdict
        if v is None:
            return None
        sport = v.target.strip()
        if v.specific:
            first, last = v.name.split()[0], v.name.split()[-1]
            shown = (
                f"quiet for {all_of(len(v.sharers))} other athletes named {first} or {last}"
                if v.sharers
                else "quiet for the contrasts"
            )
        elif v.kind == "sport":
            players = sorted(v.same_sport, key=lambda a: -a.activation)
            listed = [(v.name, v.activation)] + [(a.name, a.activation) for a in players]
            shown = f"on for {all_of(len(listed))} {sport} players: " + ", ".join(
                f"{name} {plain(act)}" for name, act in listed[:4]
            )
            if len(listed) > 4:
                shown += ", …"
        elif v.kind == "shared":
            top = v.loudest_other
            shown = f"also on for {top.name}: {top.activation:.2f}, against {v.activation:.2f}"
        elif v.kind == "unknown":
            shown = f"{v.name}: not in the corpus"
        else:
            shown = "on for no other athlete of the corpus"
        return fit_width(text(shown, 24, PALETTE["highlight"]), 13.0).to_edge(DOWN, buff=0.3)

    def _neuron_set(self, anchor) -> None:
        """When the neuron does not hold the fact: the fewest that do, with their numbers."""
        s = self.story.neuron_set
        ab = s.ablation
        names = ", ".join(f"{L}:{k}" for L, k in s.neurons[:6])
        if not s.neurons:  # nothing to search: the answer is under the threshold already
            shown = (
                f'"{self.target}" has {pct(ab.clean[0])}% as trained: under '
                f"{pct(s.threshold)}% already, no neuron to switch off"
            )
        elif not s.found:
            shown = (
                f"no set of up to {counted(len(s.neurons), 'neuron')} changes the answer: "
                f"{pct(ab.clean[0])}% → {pct(ab.ablated[0])}%"
            )
        else:
            shown = (
                f"{counted(len(s.neurons), 'neuron')} (layer:neuron) {names} at zero: "
                f"{pct(ab.clean[0])}% → {pct(ab.ablated[0])}%"
            )
        line = fit_width(text(shown, 22, PALETTE["highlight"])).to_edge(DOWN, buff=0.3)
        if not s.neurons:
            sentence = (
                f'As trained, "{self.target}" has only {pct(ab.clean[0])} percent, under '
                f"{pct(s.threshold)} already, so there is no fact here for a neuron to hold."
            )
        elif s.found:
            sentence = (
                f"This neuron alone does not hold it; the fewest that do are "
                f"{counted(len(s.neurons), 'neuron')}, and switching them off takes "
                f'"{self.target}" from {pct(ab.clean[0])} to {pct(ab.ablated[0])} percent.'
            )
        elif s.every_active:
            k = len(s.neurons)
            which = "the one neuron that is" if k == 1 else f"all {k:,} neurons that are"
            leave = "leaves" if k == 1 else "leave"
            sentence = (
                f"Even {which} on at this token, switched off, {leave} "
                f'"{self.target}" at {pct(ab.ablated[0])} percent: the answer does not come '
                "from these neurons."
            )
        else:
            sentence = (
                f"No set of up to {counted(len(s.neurons), 'neuron')} changes the answer: "
                f'switched off together, they leave "{self.target}" at {pct(ab.ablated[0])} '
                "percent, so the fact is spread out."
            )
        self.shown["neuron_set"] = s
        self.say(sentence, FadeIn(line, shift=UP * 0.5), LightUp(line))


def _zero(layer: int, neuron: int, position: int):
    from llmviz.model.hooks import zero_neurons

    return zero_neurons(layer, neuron, position)

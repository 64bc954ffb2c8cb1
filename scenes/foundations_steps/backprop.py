"""Scenes Backpropagation, DigitBackpropagation, MiniBatches (lecture steps F21, F22 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``backprop_example``,
``chain_factors``, ``chain_last``, ``chain_table``, ``da_prev``, ``da_prev_auto``, ``delta``,
``delta_auto``, ``final_accuracy``, ``max_diff``, ``minibatch``, ``one_weight``, and that every
number said is on screen.

Backpropagation: a chain of one-neuron layers, the trained digit network's derivatives against
autograd, and mini-batches."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Square,
    Transform,
    VGroup,
    VMobject,
)

from foundations_steps.chain import AUTOGRAD
from foundations_steps.common import FIXED_DIGITS, POINT, FoundationsScene, tex, travel
from llmviz.animations import LightUp
from llmviz.errors import ConfigError
from llmviz.layout import fill_frame, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, NumericVector, ValueTable
from llmviz.model.experiments.digits import minibatch_agreement, one_neuron_chain, train_digit_mlp
from llmviz.model.experiments.functions import sigmoid_prime
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE, format_number
from llmviz.words import an, sci_text, signed

BLAME = "negative"  # what travels backwards


class BackpropStep(FoundationsScene):
    def backprop_example(self):
        """The test image for backpropagation: ``backprop_index``, or the one the network gets
        most wrong (the largest cost), where the gradients are large enough to read."""
        mlp = self.mlp
        if self.backprop_index is None:
            out = mlp.model.forward(mlp.x_test).output
            cost = np.sum((out - np.eye(10)[mlp.y_test]) ** 2, axis=1)
            return int(np.argmax(cost))
        index = int(self.backprop_index)
        if not 0 <= index < len(mlp.test_idx):
            raise ConfigError(
                f"backprop_index must be between 0 and {len(mlp.test_idx) - 1} or None, not {index}"
            )
        return index

    # --- a chain of one-neuron layers -------------------------------------------------------
    @step("Backpropagation", order=12, ignores=FIXED_DIGITS)
    def step_backprop(self) -> None:
        ex = one_neuron_chain(self.chain_layers, self.chain_target, self.seed)
        L, last = ex.n_layers, ex.n_layers - 1
        head = title(f"Backpropagation through {L + 1} one-neuron layers")
        neurons, vals, names = VGroup(), VGroup(), VGroup()
        for a in ex.a:
            c = Circle(radius=0.38, stroke_color=PALETTE["muted"], stroke_width=2)
            neurons.add(c.set_fill(PALETTE["positive"], 0.15 + 0.85 * float(a)))
        neurons.arrange(RIGHT, buff=1.75).next_to(head, DOWN, buff=1.0).shift(LEFT * 1.5)
        for i, (c, a) in enumerate(zip(neurons, ex.a, strict=True)):
            vals.add(self.num(a, 3, 22).next_to(c, DOWN, buff=0.15))
            names.add(tex(f"a^{{({i})}}", size=28).move_to(c))
        arrows = VGroup(
            *(
                Arrow(
                    neurons[i].get_right(),
                    neurons[i + 1].get_left(),
                    buff=0.1,
                    color=PALETTE["muted"],
                    stroke_width=3,
                )
                for i in range(L)
            )
        )
        wl = VGroup(
            *(
                text(f"w = {format_number(ex.w[i])}", 20, PALETTE["muted"]).next_to(a, UP, 0.1)
                for i, a in enumerate(arrows)
            )
        )
        cost = VGroup(tex(f"C = (a^{{({L})}} - y)^2 =", size=28), self.num(ex.cost, 4, 24))
        cost.arrange(RIGHT, buff=0.12).next_to(neurons[-1], RIGHT, buff=0.4)
        rule = tex(
            rf"\frac{{\partial C}}{{\partial w^{{({L})}}}} =",
            rf"a^{{({L - 1})}}",
            r"\cdot",
            rf"\sigma'(z^{{({L})}})",
            r"\cdot",
            rf"2(a^{{({L})}} - y)",
            size=36,
        )
        rule.next_to(vals, DOWN, buff=0.5).to_edge(LEFT, buff=0.8)
        f_a, f_s, f_c = (
            float(ex.a[last]),
            float(sigmoid_prime(ex.z[last])),
            float(2 * (ex.a[-1] - ex.y)),
        )
        nums = VGroup(
            *(
                self.num(v, 3, 24, color=PALETTE[POINT]).next_to(rule[i], DOWN, buff=0.2)
                for v, i in ((f_a, 1), (f_s, 3), (f_c, 5))
            )
        )
        res = VGroup(
            tex("=", size=36),
            self.num(float(ex.dC_dw[last]), 4, 26, sign=True, color=PALETTE[POINT]),
        )
        res.arrange(RIGHT, buff=0.15).next_to(rule, RIGHT, buff=0.3)
        self.shown["chain_factors"] = {
            "a": (nums[0], f_a),
            "slope": (nums[1], f_s),
            "error": (nums[2], f_c),
        }
        self.shown["chain_last"] = Shown(res[1], float(ex.dC_dw[last]))
        rows = []
        for layer in range(last, -1, -1):
            rows.append(
                [
                    f"l = {layer + 1}",
                    ex.dC_da[layer + 1],
                    ex.dC_dw[layer],
                    ex.autograd_dw[layer],
                    ex.dC_db[layer],
                    ex.autograd_db[layer],
                ]
            )
        table = ValueTable(
            rows,
            [
                Column("layer"),
                Column("∂C/∂a", 4, True),
                Column("∂C/∂w", 4, True),
                Column("autograd w", 4, True),
                Column("∂C/∂b", 4, True),
                Column("autograd b", 4, True),
            ],
            font_size=22,
        )
        for name in ("autograd w", "autograd b"):
            table.column(name).set_color(PALETTE[AUTOGRAD])
            table.header[[c.name for c in table.columns].index(name)].set_color(PALETTE[AUTOGRAD])
        fit_width(table, 12.6).to_edge(DOWN, buff=0.8).set_x(0)
        back = VGroup(
            *(
                Arrow(
                    neurons[i + 1].get_top() + UP * 0.5,
                    neurons[i].get_top() + UP * 0.5,
                    buff=0.3,
                    color=PALETTE[BLAME],
                    stroke_width=3,
                    path_arc=0.6,
                )
                for i in range(L - 1, -1, -1)
            )
        )
        self.shown["chain_table"] = table
        # the whole picture, built first, fills the frame; the chain opens big in the middle and
        # moves to its place above the chain rule when the rule comes in
        picture = VGroup(neurons, names, vals, arrows, wl, cost, rule, nums, res, table, back)
        fill_frame(picture, title=head, max_scale=1.3)
        chain = VGroup(neurons, names, vals, arrows, wl, cost)
        home = chain.copy()
        fill_frame(chain, title=head, max_scale=1.5)
        self.shown["chain_a"] = vals
        self.shown["chain_cost"] = Shown(cost[1], float(ex.cost))
        got = self.received("network")  # the digit network shrinks to one neuron a layer
        self.say(
            f"Take the simplest network: a chain of {L + 1} neurons, one per layer.",
            *(
                (
                    self.title_in(head),
                    LaggedStart(
                        *(
                            FadeIn(VGroup(c, n, v))
                            for c, n, v in zip(neurons, names, vals, strict=True)
                        ),
                        lag_ratio=0.3,
                    ),
                    (LaggedStart(*(GrowArrow(a) for a in arrows)), FadeIn(wl)),
                )
                if got is None
                else (
                    (self.title_in(head), ReplacementTransform(got, VGroup(neurons, arrows))),
                    (FadeIn(names), FadeIn(vals), FadeIn(wl)),
                )
            ),
        )
        self.say(
            f"At the end, the cost is the squared error against y = {ex.y:g}: {ex.cost:.4f}.",
            FadeIn(cost, shift=LEFT * 0.3),
        )
        self.say(
            "How does the cost change when we nudge the last weight? The chain rule splits it "
            "into three factors.",
            (Transform(chain, home), FadeIn(rule[0], shift=RIGHT * 0.3)),
            LaggedStart(*(FadeIn(p, shift=UP * 0.2) for p in rule[1:]), lag_ratio=0.3),
        )
        self.say(
            f"The activation before, {f_a:.3f}; the sigmoid's slope, {f_s:.3f}; and twice the "
            f"error, {f_c:.3f}.",
            LaggedStart(
                *(travel(rule[i], n) for i, n in zip((1, 3, 5), nums, strict=True)),
                lag_ratio=0.5,
            ),
        )
        self.say(
            f"Their product is {signed(float(ex.dC_dw[last]), 4)}.",
            travel(nums, res),
        )
        self.say(
            "Swap the weight for the activation before, and the same product says how the cost "
            "depends on the neuron one layer back.",
            FadeIn(table.header, shift=UP * 0.3),
            (GrowArrow(back[0]), FadeIn(table.row(0), shift=UP * 0.3)),
        )
        self.say(
            "Passed backwards layer by layer, that is backpropagation; autograd gets the same numbers.",
            *((GrowArrow(back[r]), FadeIn(table.row(r), shift=UP * 0.3)) for r in range(1, L)),
            (
                travel(table.column("∂C/∂w"), table.column("autograd w")),
                travel(table.column("∂C/∂b"), table.column("autograd b")),
            ),
        )
        first, lastw = float(ex.dC_dw[0]), float(ex.dC_dw[last])
        self.say(
            f"The gradient shrinks on its way back through the sigmoids: {signed(lastw, 4)} for "
            f"the last weight, {signed(first, 4)} for the first.",
            self.zoom_to(table.column("∂C/∂w"), margin=2.5),
            LightUp(table.cell(0, "∂C/∂w")),
            (LightUp(table.cell(last, "∂C/∂w")), self.zoom_out()),
        )
        self.pass_on(rule=rule)  # the same rule, with indices, for many neurons a layer

    # --- the digit network ------------------------------------------------------------------
    @step("Backpropagation in the digit network", order=13, ignores=FIXED_DIGITS)
    def step_digit_backprop(self) -> None:
        mlp = self.mlp
        index = self.backprop_example()
        net = mlp.model
        x, label = mlp.x_test[index], int(mlp.y_test[index])
        hand, auto = net.backprop(x, label), net.autograd(x, label)
        fp = net.forward(x)
        out = fp.output
        pred = int(np.argmax(out))
        y = np.eye(10)[label]
        k = int(np.argmax(fp.a[-2]))  # the most active neuron feeding the outputs
        w_hand, w_auto = float(hand.dW[-1][label, k]), float(auto.dW[-1][label, k])
        n_params = sum(W.size + b.size for W, b in zip(net.W, net.b, strict=True))
        biggest = hand.max_difference(auto)
        seen = f"{an(label)} that the network reads as {pred}" if pred != label else an(label)
        head = title("Backpropagation in the digit network")
        sub = text(f"test image {index}: {seen}", 22, PALETTE[POINT]).next_to(head, DOWN, 0.15)
        out_rule = tex(r"\delta_j = \sigma'(z_j)\cdot 2(a_j - y_j)", size=30)
        out_rule.next_to(sub, DOWN, buff=0.3).to_edge(LEFT, buff=0.8)
        fs = 20
        vecs = VGroup()
        for v, dec, sign, color in (
            (out, 3, False, None),
            (y, 0, False, None),
            (hand.dz[-1], 4, True, None),
            (auto.dz[-1], 4, True, PALETTE[AUTOGRAD]),
        ):
            nv = NumericVector(v, max_entries=10, decimals=dec, sign=sign, font_size=fs)
            if color:
                nv.set_color(color)
            vecs.add(nv)
        vecs.arrange(RIGHT, buff=0.5).to_edge(LEFT, buff=1.0).shift(DOWN * 0.6)
        vlabs = VGroup(
            *(
                tex(s, size=28, color=c).next_to(v, UP, buff=0.15)
                for s, v, c in zip(
                    ("a", "y", r"\delta", r"\delta"),
                    vecs,
                    (PALETTE["text"], PALETTE["text"], PALETTE["text"], PALETTE[AUTOGRAD]),
                    strict=True,
                )
            )
        )
        vlabs[3].become(text("autograd", 20, PALETTE[AUTOGRAD]).next_to(vecs[3], UP, buff=0.15))
        digits = VGroup(
            *(
                text(
                    str(d), 20, PALETTE[POINT] if d in (label, pred) else PALETTE["muted"]
                ).next_to(vecs[0].get_entry(d), LEFT, buff=0.3)
                for d in range(10)
            )
        )
        hid = VGroup(
            NumericVector(hand.da[-2], max_entries=8, decimals=4, sign=True, font_size=20),
            NumericVector(auto.da[-2], max_entries=8, decimals=4, sign=True, font_size=20),
        ).arrange(RIGHT, buff=0.3)
        hid[1].set_color(PALETTE[AUTOGRAD])
        hid.next_to(vecs, RIGHT, buff=0.6).align_to(vecs, DOWN)
        hlabs = VGroup(
            text("by hand", 20).next_to(hid[0], UP, 0.12),
            text("autograd", 20, PALETTE[AUTOGRAD]).next_to(hid[1], UP, 0.12),
        )
        hid_rule = tex(r"\frac{\partial C}{\partial a_k} = \sum_j w_{jk}\,\delta_j", size=30)
        hid_rule.next_to(hid, UP, buff=0.45).align_to(hid, LEFT)
        hid_rule.set_y(out_rule.get_y())
        fs2 = 22
        factors = (
            float(fp.a[-2][k]),
            float(sigmoid_prime(fp.z[-1][label])),
            float(2 * (out[label] - y[label])),
        )
        one = VGroup(
            text(f"one weight, hidden {k} → digit {label}:", fs2, PALETTE["muted"]),
            tex(
                rf"\frac{{\partial C}}{{\partial w}} = a_{{{k}}}\,\sigma'(z_{{{label}}})\,2(a_{{{label}}} - y_{{{label}}})",
                size=30,
            ),
            VGroup(*(self.num(v, 3, fs2) for v in factors)).arrange(RIGHT, buff=0.35),
            VGroup(
                text("=", fs2),
                self.num(w_hand, 5, fs2, color=PALETTE[POINT]),
                text("autograd", fs2, PALETTE[AUTOGRAD]),
                self.num(w_auto, 5, fs2, color=PALETTE[AUTOGRAD]),
            ).arrange(RIGHT, buff=0.15),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(one, 6.0).to_edge(RIGHT, buff=0.6).set_y(vecs.get_y())
        every = text(
            f"all {n_params:,} derivatives, hand vs autograd: largest difference {sci_text(biggest)}",
            22,
            PALETTE["muted"],
        )
        fit_width(every).to_edge(DOWN, buff=0.3)
        # the whole picture, built first, fills the frame between the subtitle and the closing
        # line (the hidden layer's vectors and the one weight take turns on the right)
        whole = VGroup(out_rule, vecs, vlabs, digits, hid, hlabs, hid_rule, one)
        fill_frame(whole, title=sub, caption=every, max_scale=1.3)
        rule_home = out_rule.copy()  # the rule opens big in the middle and moves to its place
        fill_frame(out_rule, title=sub, caption=every, max_scale=2.0)
        got = self.received("rule")
        self.say(
            "With many neurons per layer the rule is the same, only with indices.",
            self.title_in(head),
            FadeIn(out_rule, shift=UP * 0.2)
            if got is None
            else ReplacementTransform(got, out_rule),
        )
        self.shown["delta"] = vecs[2]
        self.shown["delta_auto"] = vecs[3]
        self.shown["backprop_example"] = (index, label, pred)
        self.say(
            f"Test image {index} is {seen}: the output for {pred} is {out[pred]:.3f}, the output "
            f"for {label} only {out[label]:.3f}.",
            (FadeIn(sub, shift=DOWN * 0.2), Transform(out_rule, rule_home)),
            (FadeIn(VGroup(vecs[:2], vlabs[:2])), FadeIn(digits)),
            LightUp(VGroup(vecs[0].get_entry(pred), vecs[0].get_entry(label))),
        )
        self.say(
            "Each output neuron's share of the blame is its sigmoid slope times twice its error.",
            LightUp(out_rule),
            (travel(VGroup(vecs[0], vecs[1]), vecs[2]), FadeIn(vlabs[2])),
        )
        self.say(
            "Torch's autograd finds the same ten numbers.",
            FadeIn(VGroup(vecs[3], vlabs[3]), shift=LEFT * 0.3),
        )
        self.shown["da_prev"] = hid[0]
        self.shown["da_prev_auto"] = hid[1]
        self.say(
            "A neuron of the layer before feeds all ten outputs, so its derivative sums the blame "
            "of each, weighted by the connecting weight.",
            FadeIn(hid_rule, shift=UP * 0.2),
            (travel(vecs[2], hid[0]), FadeIn(hlabs[0])),
            (FadeIn(hid[1], shift=LEFT * 0.2), FadeIn(hlabs[1])),
        )
        self.shown["one_weight"] = {"hand": (one[3][1], w_hand), "autograd": (one[3][3], w_auto)}
        self.say(
            f"One weight's derivative, from hidden neuron {k} to digit {label}, is the activation "
            f"feeding it times the blame of the neuron it feeds: {w_hand:.5f}.",
            (
                FadeOut(VGroup(hid, hlabs, hid_rule), shift=UP * 0.3),
                FadeIn(one[:2], shift=UP * 0.2),
            ),
            FadeIn(one[2], shift=UP * 0.2),
            FadeIn(one[3], shift=UP * 0.2),
        )
        self.shown["max_diff"] = (every, biggest)
        self.say(
            f"All {n_params:,} derivatives of the network, by hand in numpy, match autograd to "
            f"within {sci_text(biggest)}.",
            FadeIn(every, shift=UP * 0.3),
        )

    # --- mini-batches -------------------------------------------------------------------------
    def image_cells(self, n: int, batch: int, cols: int = 60, side: float = 0.09):
        """``n`` small squares in rows of ``cols``, one per training image (one path, quick to
        draw), and the ``batch`` squares of one random batch (seeded) in the highlight colour."""
        rows = -(-n // cols)
        square = Square(side_length=side * 0.8).points
        idx = np.arange(n)
        centers = np.stack([(idx % cols + 0.5) * side, -(idx // cols + 0.5) * side, np.zeros(n)], 1)
        images = VMobject(fill_color=PALETTE["muted"], fill_opacity=0.55, stroke_width=0)
        images.set_points((square[None] + centers[:, None]).reshape(-1, 3))
        frame = Rectangle(width=cols * side, height=rows * side, stroke_width=1)
        frame.set_stroke(PALETTE["muted"]).move_to([cols * side / 2, -rows * side / 2, 0])
        picks = np.random.default_rng(self.seed).choice(n, size=min(batch, n), replace=False)
        chosen = VGroup(
            *(
                Square(side_length=side * 0.8, stroke_width=0)
                .set_fill(PALETTE[POINT], 1)
                .move_to(centers[i])
                for i in sorted(picks)
            )
        )
        return VGroup(images, frame), chosen

    @step("Mini-batches", order=14, ignores=FIXED_DIGITS)
    def step_minibatches(self) -> None:
        mlp = self.mlp
        mid = train_digit_mlp(self.mlp_config(epochs=1)).model
        sizes = (1, self.batch_size, 256)
        n_train = len(mlp.train_idx)
        agree = {
            "at the start": minibatch_agreement(
                mlp.initial, mlp.x_train, mlp.y_train, sizes, 30, self.seed
            ),
            "after epoch 1": minibatch_agreement(
                mid, mlp.x_train, mlp.y_train, sizes, 30, self.seed
            ),
        }
        per_epoch = -(-n_train // self.batch_size)
        head = title("Mini-batches")
        full = text(f"full gradient: all {n_train:,} training images", 24)
        batch = text(
            f"one step: a random batch of {self.batch_size}, {per_epoch} steps per epoch", 24
        )
        # one cell per training image, and the images of one random batch lit among them
        images, chosen = self.image_cells(n_train, self.batch_size, cols=40)
        table = ValueTable(
            [[name, *(a[s] for s in sizes)] for name, a in agree.items()],
            [Column("batch size"), *(Column(f"{s}", 2) for s in sizes)],
            font_size=28,
        )
        t_head = VGroup(
            text("cosine of batch gradient", 24, PALETTE["muted"]),
            text("and full gradient", 24, PALETTE["muted"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        VGroup(t_head, table).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        VGroup(t_head, table).next_to(images, RIGHT, buff=0.8)
        # the training run's accuracy, drawn later where the images were
        epochs = len(mlp.test_accuracy) - 1
        axes = plain_axes(
            [0, epochs, max(1, epochs // 3)], [0, 1, 0.25], images.width - 0.4, images.height - 1.0
        )
        axes.align_to(images, DOWN).align_to(images, RIGHT)
        tk = self.ticks(axes, xs=(0, epochs), ys=(0, 1), fmt=lambda v: f"{v:g}")
        acc = VMobject(color=PALETTE["accent"], stroke_width=4).set_points_as_corners(
            [axes.c2p(e, a) for e, a in enumerate(mlp.test_accuracy)]
        )
        a_first, a_last = 100 * mlp.test_accuracy[0], 100 * mlp.test_accuracy[-1]
        lab = text(f"test accuracy {a_first:.0f}% → {a_last:.1f}%", 20, PALETTE["accent"])
        run = text(f"{epochs} epochs, {mlp.n_steps:,} steps", 20, PALETTE["accent"])
        VGroup(lab, run).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        VGroup(lab, run).next_to(axes, UP, buff=0.15).align_to(tk, LEFT)
        lines = VGroup(full, batch).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        lines.next_to(VGroup(images, tk), UP, buff=0.45).align_to(VGroup(images, tk), LEFT)
        whole = VGroup(lines, images, chosen, t_head, table, axes, tk, acc, lab, run)
        fill_frame(whole, title=head, max_scale=1.6)
        self.shown["batch_cells"] = (images, chosen)
        self.say(
            f"The true gradient averages over all {n_train:,} training images: a lot of work for "
            "one small step.",
            self.title_in(head),
            (FadeIn(full, shift=RIGHT * 0.3), FadeIn(images, shift=UP * 0.3)),
        )
        self.say(
            f"So each step uses a random mini-batch of {self.batch_size}, and one pass over the "
            f"data gives {per_epoch} steps.",
            FadeIn(batch, shift=RIGHT * 0.3),
            LaggedStart(*(FadeIn(c, scale=3) for c in chosen), lag_ratio=0.05),
        )
        self.shown["minibatch"] = table
        a0 = agree["at the start"]
        self.say(
            "A batch's gradient is not the true one, but it points roughly the same way.",
            FadeIn(t_head, shift=UP * 0.3),
            FadeIn(table.header, shift=UP * 0.3),
        )
        self.say(
            f"At the random start the cosine is {a0[sizes[0]]:.2f} for {sizes[0]} image, "
            f"{a0[sizes[1]]:.2f} for {sizes[1]} and {a0[sizes[2]]:.2f} for {sizes[2]}: larger "
            "batches point more reliably.",
            FadeIn(table.row("at the start"), shift=UP * 0.3),
            LightUp(table.row("at the start")[1:]),
        )
        a1 = agree["after epoch 1"]
        self.say(
            f"After one epoch, batches of {self.batch_size} still agree at {a1[self.batch_size]:.2f}.",
            FadeIn(table.row("after epoch 1"), shift=UP * 0.3),
            LightUp(table.cell("after epoch 1", f"{self.batch_size}")),
        )
        self.shown["final_accuracy"] = (lab, a_last)
        self.say(
            f"The whole run took {mlp.n_steps:,} such steps, and test accuracy climbed from "
            f"{a_first:.0f}% to {a_last:.1f}% over {epochs} epochs.",
            (FadeOut(VGroup(images, chosen), shift=DOWN * 0.3), Create(axes), FadeIn(tk)),
            (Create(acc, run_time=2.5), FadeIn(VGroup(lab, run))),
        )

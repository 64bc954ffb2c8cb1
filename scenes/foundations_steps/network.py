"""Scenes NeuronsAndLayers, ReLUVersusSigmoid (lecture steps A9, F12, F17 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``accuracy``,
``calc``, ``matrix_form``, ``norms``, ``output``, ``prediction``, and that every number said is on
screen.

Neurons and layers: the digit network the code trained, reading a real test image, one
neuron's weighted sum; then ReLU against the sigmoid, measured on the network's gradients."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    Line,
    ManimColor,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    VGroup,
    VMobject,
    interpolate_color,
)

from foundations_steps.common import CURVE, FIXED_DIGITS, POINT, FoundationsScene, tex, travel
from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, NeuronColumn, ValueTable
from llmviz.mobjects.vectors import shown_indices
from llmviz.model.experiments.digits import gradient_norms
from llmviz.model.experiments.functions import relu, sigmoid, sigmoid_prime
from llmviz.steps import step
from llmviz.style import PALETTE, value_to_color
from llmviz.words import an

RELU = "positive"
LEVELS = 12  # colour levels per sign of the weight heatmap


class NetworkStep(FoundationsScene):
    def digit_picture(self, pixels: np.ndarray, side: float = 0.3) -> VGroup:
        dark, light = ManimColor(PALETTE["box"]), ManimColor(PALETTE["text"])
        g = VGroup()
        for i in range(8):
            for j in range(8):
                v = float(pixels[8 * i + j])
                g.add(
                    Square(side, stroke_width=0.5, stroke_color=PALETTE["muted"])
                    .set_fill(interpolate_color(dark, light, v), 1)
                    .move_to([j * side, -i * side, 0])
                )
        return g

    def connections(self, left: NeuronColumn, right: NeuronColumn, W: np.ndarray) -> VGroup:
        """Lines for the real weights between the drawn neurons, coloured by sign and size."""
        scale = float(np.abs(W).max()) or 1.0
        lines = VGroup()
        for rn in right.neurons:
            for ln in left.neurons:
                w = float(W[rn.source_index, ln.source_index])
                lines.add(
                    Line(
                        ln.get_right(),
                        rn.get_left(),
                        stroke_width=1.2,
                        color=value_to_color(w, scale),
                        stroke_opacity=0.08 + 0.7 * abs(w) / scale,
                    )
                )
        return lines

    def network_columns(
        self, fp, j: int | None, pred: int | None, values: bool = True, span=(-3.1, 3.4)
    ) -> list:
        """One column of neurons per layer of the forward pass ``fp`` (the output's values written
        when ``values``), hidden neuron ``j`` and output ``pred`` ringed; the first and the last
        stand at the x positions ``span``."""
        xs = np.linspace(*span, len(fp.a))
        cols = []
        for layer, (acts, xpos) in enumerate(zip(fp.a, xs, strict=True)):
            last = layer == len(fp.a) - 1
            ring = [j] if layer == 1 and j is not None else []
            if last and pred is not None:
                ring = [pred]
            col = NeuronColumn(
                acts,
                state="post",
                max_neurons=16 if layer else 9,
                head=None if layer else 6,
                tail=None if layer else 2,
                saturation=1.0,
                show_values=last and values,
                radius=0.1 if not last else 0.13,
                font_size=20,
                buff=0.05 if not last else 0.1,
                highlight=ring,
            )
            col.move_to([xpos, 0.1, 0])
            if last:
                col.shift(RIGHT * (xpos - col.neurons.get_x()))
            cols.append(col)
        return cols

    def network_wires(self, cols: list, net) -> list:
        return [self.connections(cols[i], cols[i + 1], net.W[i]) for i in range(len(cols) - 1)]

    def small_network(self) -> VGroup:
        """The digit network reading test image ``digit_index``, drawn without any text: its
        neurons (``.layers``) and the real weights between them (``.wires``, one group a layer)."""
        x, _ = self.digit_example()
        net = self.mlp.model
        cols = self.network_columns(net.forward(x), None, None, values=False)
        wires = self.network_wires(cols, net)
        out = VGroup(*(VGroup(c.neurons, c.rings) for c in cols), *wires)
        out.layers, out.wires = VGroup(*out[: len(cols)]), VGroup(*wires)
        return out

    @step("Neurons and layers", order=10)
    def step_neurons(self) -> None:
        mlp = self.mlp
        x, label = self.digit_example()
        net = mlp.model
        fp = net.forward(x)
        pred = int(np.argmax(fp.output))
        drawn = [i for i in shown_indices(len(fp.a[1]), 16) if i is not None]
        j = int(max(drawn, key=lambda i: fp.a[1][i]))  # the most active drawn neuron of layer 1
        weighted, bias, zj = float(net.W[0][j] @ x), float(net.b[0][j]), float(fp.z[0][j])
        aj = float(fp.a[1][j])
        acc = 100 * mlp.test_accuracy[-1]
        sizes = net.sizes
        head = title("Neurons and layers")
        # the whole picture first: the image, the network, the first layer's rule and one
        # neuron's sum under it; it fills the frame above the closing line
        picture = self.digit_picture(x).to_edge(LEFT, buff=0.6).shift(UP * 0.4)
        pic_label = text(f"test image {self.digit_index}: 8 × 8 pixels", 20, PALETTE["muted"])
        pic_label.next_to(picture, DOWN, buff=0.2)
        cols = self.network_columns(fp, j, pred, span=(-3.0, 4.4))
        names = VGroup(
            *(
                text(s, 20, PALETTE["muted"]).next_to(c, UP, buff=0.2).set_x(c.neurons.get_x())
                for s, c in zip(
                    (f"{sizes[0]} pixels", *(f"{n} hidden" for n in sizes[1:-1]), "10 digits"),
                    cols,
                    strict=True,
                )
            )
        )
        top_y = max(m.get_y() for m in names)
        for m in names:
            m.set_y(top_y)
        wires = self.network_wires(cols, net)
        out = cols[-1]
        digits = VGroup(
            *(
                text(str(d), 20, PALETTE[POINT] if d == pred else PALETTE["muted"]).next_to(
                    out.number(d), RIGHT, buff=0.25
                )
                for d in range(10)
            )
        )
        rule = tex(r"a^{(1)} = \sigma(W a^{(0)} + b)", size=34)
        rule.next_to(VGroup(*cols), DOWN, buff=0.45).set_x(0)
        calc = VGroup(
            text(f"neuron {j}:", 22),
            self.num(weighted, 2, 24),
            text("+ bias", 22),
            self.num(bias, 2, 24),
            text("= z =", 22),
            self.num(zj, 2, 24),
            tex(r",\ \sigma(z) =", size=30),
            self.num(aj, 2, 24, color=PALETTE[POINT]),
        ).arrange(RIGHT, buff=0.14)
        fit_width(calc, 12.5).next_to(rule, DOWN, buff=0.3)
        summary = text(
            f"{'-'.join(map(str, sizes))} neurons, trained on {len(mlp.train_idx):,} digits; "
            f"{acc:.1f}% right on {len(mlp.test_idx)} it never saw",
            20,
            PALETTE["muted"],
        )
        fit_width(summary).to_edge(DOWN, buff=0.3)
        whole = VGroup(picture, pic_label, *cols, names, *wires, digits, rule, calc)
        fill_frame(whole, title=head, caption=summary, max_scale=1.3)
        # the network's neurons, empty, stand where each layer comes in
        empty = [c.neurons.copy().set_fill(opacity=0).set_stroke(opacity=0.6) for c in cols]
        self.say(
            f"The code trained a small network to read 8 by 8 handwritten digits like this "
            f"one, {an(label)}.",
            self.title_in(head),
            (FadeIn(picture, lag_ratio=0.01), FadeIn(VGroup(*empty))),
            FadeIn(pic_label, shift=UP * 0.3),
        )
        self.shown["output"] = cols[-1]
        self.shown["prediction"] = (pred, label)
        self.say(
            f"A neuron is just a number between zero and one; the first layer holds the "
            f"{sizes[0]} pixels.",
            travel(picture, cols[0].neurons),
            (FadeIn(cols[0]), FadeOut(empty[0]), FadeIn(names[0])),
        )
        self.say(
            "Each neuron of the next layer takes a weighted sum of all of them, adds a bias and "
            "applies the sigmoid.",
            Create(wires[0], lag_ratio=0.002),
            (FadeIn(cols[1]), FadeOut(empty[1]), FadeIn(names[1]), FadeIn(rule, shift=UP * 0.3)),
        )
        self.shown["calc"] = {
            "weighted": (calc[1], weighted),
            "bias": (calc[3], bias),
            "z": (calc[5], zj),
            "a": (calc[7], aj),
            "neuron": j,
        }
        self.say(
            f"For hidden neuron {j} the weighted sum is {weighted:.2f}, plus a bias of "
            f"{bias:.2f}, and the sigmoid of that is {aj:.2f}.",
            LightUp(cols[1].neuron(j), color=PALETTE[POINT]),
            FadeIn(calc, shift=UP * 0.3, lag_ratio=0.1),
        )
        network = VGroup(picture, pic_label, cols[0], cols[1], wires[0], names[0], names[1])
        network.add(rule, *empty[2:])  # out of the way of the matrix form, and back after it
        form = self.matrix_form_beats(net, x, fp, j, picture, network, calc[7])
        self.say(
            "Each line is a real weight, blue for positive and orange for negative.",
            (FadeOut(form), FadeIn(network)),
            Create(wires[1], lag_ratio=0.002),
            (FadeIn(cols[2]), FadeOut(empty[2]), FadeIn(names[2])),
        )
        self.say(
            "The last layer has ten neurons, one for each digit.",
            Create(wires[2], lag_ratio=0.002),
            (FadeIn(out), FadeOut(empty[3]), FadeIn(names[3]), FadeIn(digits)),
        )
        p = out.number(pred).text  # as drawn, with the decimals setting
        self.say(
            f"For this image the neuron for {pred} is the most active, at {p}.",
            LightUp(VGroup(out.neuron(pred), out.number(pred), digits[pred])),
        )
        self.shown["accuracy"] = (summary, acc)
        self.say(
            f"Trained on {len(mlp.train_idx):,} real digits, it gets {acc:.1f}% of "
            f"{len(mlp.test_idx)} unseen ones right.",
            FadeIn(summary, shift=UP * 0.3),
        )
        self.pass_on(network=(*cols, *wires, names, digits))

    def cells(self, colors: list, rows: int, cols: int, w: float, h: float) -> VGroup:
        """``rows`` x ``cols`` filled cells, row by row, ``w`` x ``h`` each, with a frame."""
        g = VGroup(
            *(
                Rectangle(width=w, height=h, stroke_width=0)
                .set_fill(c, 1)
                .move_to([(i % cols) * w, -(i // cols) * h, 0])
                for i, c in enumerate(colors)
            )
        )
        frame = Rectangle(width=cols * w, height=rows * h, stroke_width=1.5)
        frame.set_stroke(PALETTE["muted"]).move_to(g)
        return VGroup(g, frame)

    def heatmap(self, values: np.ndarray, side: float, scale: float) -> VGroup:
        """A matrix drawn to shape as square cells coloured by value (``LEVELS`` colour levels
        per sign, saturating at ``scale``); the cells of one level are one path, so that a
        16 x 64 matrix stays quick to draw and to animate. ``.levels`` holds each cell's signed
        level, ``.level_colors`` the colour of each path."""
        rows, cols = values.shape
        levels = np.rint(np.minimum(np.abs(values) / scale, 1.0) * (LEVELS - 1)).astype(int)
        signed_levels = np.sign(values).astype(int) * levels
        square = Square(side_length=side).points
        paths = VGroup()
        colors = []
        for lv in sorted(set(signed_levels.ravel().tolist())):
            rs, cs = np.nonzero(signed_levels == lv)
            centers = np.stack([(cs + 0.5) * side, -(rs + 0.5) * side, np.zeros(len(rs))], 1)
            color = value_to_color(lv / (LEVELS - 1))
            path = VMobject(fill_color=color, fill_opacity=1, stroke_width=0)
            path.set_points((square[None] + centers[:, None]).reshape(-1, 3))
            paths.add(path)
            colors.append((lv, color))
        frame = Rectangle(width=cols * side, height=rows * side, stroke_width=1.5)
        frame.set_stroke(PALETTE["muted"]).move_to([cols * side / 2, -rows * side / 2, 0])
        out = VGroup(paths, frame)
        out.levels, out.level_colors, out.side = signed_levels, colors, side
        return out

    def matrix_form_beats(self, net, x, fp, j, picture, network, worked) -> VGroup:
        """a1 = sigma(W a0 + b) drawn to shape with the trained network's real values: W's
        16 x 64 weights as coloured cells, the image's 64 pixels as a column, the biases, the 16
        activations; neuron j's row lit and its activation written beside its entry."""
        W, b, a1 = net.W[0], net.b[0], fp.a[1]
        h, n = W.shape
        s = 0.065  # one cell; the matrix and both vectors keep their true lengths
        dark, light = ManimColor(PALETTE["box"]), ManimColor(PALETTE["text"])
        wscale = float(np.percentile(np.abs(W), 95)) or 1.0  # the few largest saturate
        bscale = float(np.abs(b).max()) or 1.0
        w_mob = self.heatmap(W, s, wscale)
        a0_mob = self.cells([interpolate_color(dark, light, float(v)) for v in x], n, 1, 0.25, s)
        b_mob = self.cells([value_to_color(float(v), bscale) for v in b], h, 1, 0.25, s)
        a1_mob = self.cells([interpolate_color(dark, light, float(v)) for v in a1], h, 1, 0.25, s)
        for mob, values in ((w_mob, W), (a0_mob, x), (b_mob, b), (a1_mob, a1)):
            mob.values = np.asarray(values)
        plus, eq = tex("+", size=34), tex("=", size=34)
        left, right = tex(r"\sigma\Big(", size=40), tex(r"\Big)", size=40)
        body = VGroup(left, w_mob, a0_mob, plus, b_mob, right, eq, a1_mob)
        body.arrange(RIGHT, buff=0.2)
        body.move_to([0, 0.35, 0])
        muted = PALETTE["muted"]
        tops = VGroup(
            tex("W", size=32).next_to(w_mob, UP, buff=0.15),
            tex("a^{(0)}", size=32).next_to(a0_mob, UP, buff=0.15),
            tex("b", size=32).next_to(b_mob, UP, buff=0.15),
            tex("a^{(1)}", size=32).next_to(a1_mob, UP, buff=0.15),
        )
        sizes = VGroup(
            text(f"{h} × {n}", 20, muted).next_to(w_mob, DOWN, buff=0.15).align_to(w_mob, RIGHT),
            text(f"{n}", 20, muted).next_to(a0_mob, DOWN, buff=0.15),
            text(f"{h}", 20, muted).next_to(b_mob, DOWN, buff=0.15),
            text(f"{h}", 20, muted).next_to(a1_mob, DOWN, buff=0.15),
        )
        top = w_mob[1].get_top()[1]
        row = Rectangle(width=n * s + 0.08, height=s + 0.08, stroke_width=2.5)
        row.set_stroke(PALETTE[POINT]).move_to([w_mob[1].get_x(), top - (j + 0.5) * s, 0])
        entry = SurroundingRectangle(a1_mob[0][j], buff=0.04, stroke_width=2.5)
        entry.set_stroke(PALETTE[POINT])
        aj = float(a1[j])
        value = self.num(aj, 2, 24, color=PALETTE[POINT]).next_to(entry, RIGHT, buff=0.15)
        name = text(f"row {j}: neuron {j}", 20, PALETTE[POINT]).next_to(w_mob, DOWN, buff=0.15)
        name.align_to(w_mob, LEFT)
        self.shown["matrix_form"] = {
            "W": w_mob,
            "a0": a0_mob,
            "b": b_mob,
            "a1": a1_mob,
            "neuron": j,
            "row": row,
            "value": (value, aj),
        }
        self.say(
            f"For all {h} hidden neurons at once it is one matrix times a vector: the "
            f"{h} × {n} real weights W times the {n} pixels.",
            FadeOut(network),
            (
                FadeIn(w_mob),
                FadeIn(tops[0]),
                FadeIn(sizes[0]),
                self.zoom_to(VGroup(body, tops, sizes), margin=1.1),
            ),
            (travel(picture, a0_mob), FadeIn(tops[1]), FadeIn(sizes[1])),
        )
        self.say(
            f"Add the biases b and apply the sigmoid to every entry: out come all {h} "
            "activations at once.",
            (FadeIn(VGroup(left, plus, right)), FadeIn(b_mob), FadeIn(tops[2]), FadeIn(sizes[2])),
            (travel(VGroup(w_mob, a0_mob, b_mob), a1_mob), FadeIn(eq), FadeIn(tops[3])),
            FadeIn(sizes[3]),
        )
        self.say(
            f"Row {j} of W holds neuron {j}'s weights, and its entry is the {aj:.2f} worked out "
            "below.",
            (Create(row), FadeIn(name)),
            (Create(entry), FadeIn(value, shift=LEFT * 0.2)),
            (self.zoom_out(), LightUp(worked)),
        )
        return VGroup(body, tops, sizes, row, entry, value, name)

    @step("ReLU versus sigmoid", order=11, ignores=FIXED_DIGITS)
    def step_relu(self) -> None:
        mlp = self.mlp
        start = mlp.initial
        norms_sig = gradient_norms(start, mlp.x_train, mlp.y_train)
        norms_relu = gradient_norms(start.with_hidden("relu"), mlp.x_train, mlp.y_train)
        ratio_sig, ratio_relu = (
            100 * norms_sig[0] / norms_sig[-1],
            100 * norms_relu[0] / norms_relu[-1],
        )
        head = title("ReLU versus sigmoid")
        axes = plain_axes([-4, 4, 2], [0, 2, 0.5], 5.2, 3.6).to_edge(LEFT, buff=1.0)
        axes.shift(DOWN * 0.2)
        tk = self.ticks(axes, xs=(-4, 0, 4), ys=(0, 1, 2))
        r_curve = axes.plot(
            lambda t: float(relu(t)), x_range=[-4, 2], color=PALETTE[RELU], use_smoothing=False
        )
        r_lab = tex(r"\mathrm{ReLU}(z) = \max(z, 0)", size=30, color=PALETTE[RELU])
        r_lab.next_to(axes, UP, buff=0.25).align_to(axes, LEFT)
        # the digit network, small, at the top right: its three layers of weights are the
        # columns W1, W2, W3 of the table below it
        network = self.small_network()
        network.scale_to_fit_width(5.4).to_edge(RIGHT, buff=0.7).to_edge(UP, buff=1.1)
        got = self.received("network")
        self.say(
            "Modern networks mostly use ReLU in their hidden layers: z where z is positive, "
            "else 0.",
            (
                self.title_in(head),
                FadeIn(network) if got is None else ReplacementTransform(got, network),
            ),
            (Create(axes), FadeIn(tk)),
            (Create(r_curve), FadeIn(r_lab, shift=DOWN * 0.2)),
        )
        s_curve = axes.plot(lambda t: float(sigmoid(t)), x_range=[-4, 4], color=PALETTE[CURVE])
        s_slope = DashedVMobject(
            axes.plot(lambda t: float(sigmoid_prime(t)), x_range=[-4, 4], color=PALETTE[CURVE])
        )
        s_lab = text("dashed: slopes; the sigmoid's is at most 0.25", 20, PALETTE[CURVE])
        s_lab.next_to(axes, DOWN, buff=0.5).align_to(axes, LEFT)
        self.say(
            "The sigmoid's slope is never more than 0.25.",
            Create(s_curve),
            (Create(s_slope), FadeIn(s_lab, shift=UP * 0.2)),
        )
        r_slope = DashedVMobject(
            VMobject(color=PALETTE[RELU]).set_points_as_corners(
                [axes.c2p(-4, 0), axes.c2p(0, 0), axes.c2p(0, 1), axes.c2p(4, 1)]
            )
        )
        self.say("ReLU's slope is exactly 1 wherever the neuron is active.", Create(r_slope))
        n_layers = len(norms_sig)
        cols = [Column("hidden"), *(Column(f"W{i + 1}", 3) for i in range(n_layers))]
        cols.append(Column("first ÷ last", 0, suffix="%"))
        table = ValueTable(
            [["sigmoid", *norms_sig, ratio_sig], ["ReLU", *norms_relu, ratio_relu]],
            cols,
            font_size=24,
        )
        table.row("sigmoid")[0].set_color(PALETTE[CURVE])
        table.row("ReLU")[0].set_color(PALETTE[RELU])
        t_head = text("gradient size per layer, same random start", 22)
        fit_width(table, 6.4)
        VGroup(t_head, table).arrange(DOWN, aligned_edge=LEFT, buff=0.3).to_edge(RIGHT, buff=0.6)
        self.drop_below(VGroup(t_head, table), network, buff=0.35)
        self.shown["norms"] = table
        self.say(
            "Backpropagation multiplies by that slope once per layer on its way back.",
            FadeIn(t_head, shift=UP * 0.3),
            (FadeIn(table.header, shift=UP * 0.3), LightUp(network.wires)),
        )
        self.say(
            f"Measured at this network's random start, with sigmoids the first layer's gradient "
            f"is only {ratio_sig:.0f}% of the last layer's.",
            (
                FadeIn(table.row("sigmoid"), shift=UP * 0.3),
                self.zoom_to(VGroup(network, t_head, table), margin=1.1),
            ),
            LightUp(table.cell("sigmoid", "first ÷ last")),
        )
        self.say(
            f"With the same weights and ReLU it is {ratio_relu:.0f}%.",
            FadeIn(table.row("ReLU"), shift=UP * 0.3),
            LightUp(table.cell("ReLU", "first ÷ last")),
        )
        note = text(
            "the output layer keeps its sigmoid: its values are read as probabilities",
            20,
            PALETTE["muted"],
        )
        fit_width(note).to_edge(DOWN, buff=0.3)
        self.say(
            "The output layer keeps its sigmoid, because its values are read as probabilities.",
            (self.zoom_out(), FadeIn(note, shift=UP * 0.3)),
            LightUp(network.layers[-1]),
        )
        self.pass_on(network=network)

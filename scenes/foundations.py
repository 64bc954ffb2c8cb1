"""The foundations chapter: from logistic regression to backpropagation, and how the embedded
model learned.

Every number comes from an experiment that the code runs (``llmviz.model.foundations``: a
generated 2-D dataset, logistic regression, softmax, a digit network trained on real handwritten
digits, autograd checks) or from the shipped model and its recorded training log. Render one step
with ``manim render -ql scenes/foundations.py Backpropagation`` or the whole chapter with
``manim render -ql scenes/foundations.py FoundationsChapter``. Change the experiments by
subclassing (class attributes ``seed``, ``learning_rate``, ``learning_rates``, ``mlp_lr``,
``digit_index``, ...) and the prompt of the last step with the ``prompt`` setting.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Create,
    DashedLine,
    DashedVMobject,
    Dot,
    FadeIn,
    Line,
    ManimColor,
    Square,
    Transform,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    interpolate_color,
)

from llmviz.mobjects import FastNumber, FastText, NeuronColumn, NumericVector
from llmviz.mobjects.vectors import shown_indices
from llmviz.model.corpus import LECTURE_PROMPTS
from llmviz.model.foundations import (
    MLPConfig,
    causal_check,
    checkpoint_predictions,
    find_training_sentence,
    gradient_norms,
    learning_rate_comparison,
    likelihood,
    logistic_gradient,
    logistic_gradient_autograd,
    make_dataset,
    minibatch_agreement,
    one_neuron_chain,
    prefix_predictions,
    relu,
    sigmoid,
    sigmoid_prime,
    softmax_base,
    softmax_example,
    train_digit_mlp,
    train_logistic,
)
from llmviz.model.trace import probabilities
from llmviz.scene import LectureScene, plain_axes, text, title
from llmviz.style import FONTS, PALETTE, display_token, format_number, value_to_color

SUB = "₀₁₂₃₄₅₆₇₈₉"


def formula(s: str, size: float = 24, color: str | None = None) -> FastText:
    """Formula text in the proportional font, where super- and subscripts sit tight."""
    return FastText(s, font_size=size, font=FONTS["text"], color=color or PALETTE["text"])


def number(v: float, decimals: int = 2, size: float = 24, **kw) -> FastNumber:
    return FastNumber(v, decimals=decimals, font_size=size, **kw)


def sci(v: float, size: float = 24, color: str | None = None) -> FastText:
    """A number too small or large for fixed decimals, as ``7.9e-17`` (0 stays ``0``)."""
    return text(sci_text(v), size, color)


def sci_text(v: float) -> str:
    return "0" if v == 0 else f"{v:.1e}"


def pnum(v: float, decimals: int = 2, size: float = 24, **kw) -> tuple[VGroup, FastNumber]:
    """A number for a formula, in parentheses when negative; returns (group, the number)."""
    n = number(v, decimals, size, **kw)
    if n.text.startswith("-"):
        return row(text("(", size), n, text(")", size), buff=0.04), n
    return VGroup(n), n


def percent(p: float) -> str:
    """A probability in percent with enough digits to tell 99.98% from 100% and 0.004% from 0."""
    x = 100 * p
    if x < 0.01:
        return "<0.01%"
    return f"{x:.2f}%" if x < 1 or x >= 99.9 else f"{x:.1f}%"


def an(digit: int) -> str:
    """'a 3', 'an 8'."""
    return f"{'an' if str(digit)[0] == '8' else 'a'} {digit}"


def sub(n: int) -> str:
    """``n`` in subscript digits."""
    return str(n).translate(str.maketrans("0123456789", SUB))


def row(*parts, buff: float = 0.2) -> VGroup:
    return VGroup(*parts).arrange(RIGHT, buff=buff)


def token_label(tok: str) -> str:
    """A token for a table: without its leading space, or with ␣ / ↵ when it is only that."""
    return display_token(tok) if not tok.strip() else tok.strip()


def fit_width(mob, width: float = 13.4):
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


def boundary_points(w, b: float, lim: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Ends of the line ``w . x + b = 0`` inside the square ``[-lim, lim]^2`` (None if it misses)."""
    w1, w2 = float(w[0]), float(w[1])
    pts = []
    if abs(w2) > 1e-12:
        for x in (-lim, lim):
            y = -(w1 * x + b) / w2
            if -lim <= y <= lim:
                pts.append((x, y))
    if abs(w1) > 1e-12:
        for y in (-lim, lim):
            x = -(w2 * y + b) / w1
            if -lim <= x <= lim:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts = sorted(set(pts))
    return np.array(pts[0]), np.array(pts[-1])


class FoundationsScene(LectureScene):
    """Shared experiments and the chapter's steps; each step is a method and also its own scene."""

    prompt = "Michael Jordan plays the sport of"
    # the 2-D dataset and its logistic regression (the seed setting seeds every experiment)
    n_per_class: int = 20
    learning_rate: float = 1.0
    gd_steps: int = 40
    learning_rates: tuple[float, ...] = (0.05, 1.0, 40.0)
    # softmax
    softmax_logits: tuple[float, ...] = (1.0, 2.0, 8.0)
    softmax_true_class: int = 1  # 0-based; shown as "class 2"
    softmax_bases: tuple[float, ...] = (math.e, 2.0, 10.0)
    # the digit network
    mlp_sizes: tuple[int, ...] = (64, 16, 16, 10)
    mlp_lr: float = 3.0
    mlp_epochs: int = 30
    batch_size: int = 32
    digit_index: int = 0  # which test image the network reads in step 5
    backprop_index: int | None = None  # step 6's test image; None: the one it gets most wrong
    # the chain of one-neuron layers
    chain_layers: int = 3
    chain_target: float = 1.0

    def setup(self) -> None:
        super().setup()
        self.shown: dict[str, object] = {}  # key numbers on screen, for tests
        self.data = make_dataset(self.n_per_class, self.seed)
        self.run = train_logistic(self.data, self.learning_rate, self.gd_steps)

    # helpers ---------------------------------------------------------------------------------
    @staticmethod
    def verdict(run, runs) -> str:
        """What a learning-rate run did, read from its recorded losses."""
        best = min(float(r.loss[-1]) for r in runs)
        if run.rises:
            return f"the loss rose at {run.rises} of {run.steps} steps"
        if run.loss[-1] > best + 0.05:
            return "still far from the bottom"
        return "the loss fell at every step"

    def mlp_config(self, epochs: int | None = None, hidden: str = "sigmoid") -> MLPConfig:
        return MLPConfig(
            sizes=tuple(self.mlp_sizes),
            hidden=hidden,
            lr=self.mlp_lr,
            epochs=self.mlp_epochs if epochs is None else epochs,
            batch_size=self.batch_size,
            seed=self.seed,
        )

    def digit_example(self):
        mlp = train_digit_mlp(self.mlp_config())
        if not 0 <= self.digit_index < len(mlp.test_idx):
            from llmviz.errors import ConfigError

            raise ConfigError(
                f"digit_index must be between 0 and {len(mlp.test_idx) - 1}, not {self.digit_index}"
            )
        return mlp, mlp.x_test[self.digit_index], int(mlp.y_test[self.digit_index])

    def backprop_example(self):
        """The test image for backpropagation: ``backprop_index``, or the one the network gets most
        wrong (the largest cost), where the gradients are large enough to read."""
        mlp = train_digit_mlp(self.mlp_config())
        if self.backprop_index is None:
            out = mlp.model.forward(mlp.x_test).output
            cost = np.sum((out - np.eye(10)[mlp.y_test]) ** 2, axis=1)
            index = int(np.argmax(cost))
        else:
            index = int(self.backprop_index)
            if not 0 <= index < len(mlp.test_idx):
                from llmviz.errors import ConfigError

                raise ConfigError(
                    f"backprop_index must be between 0 and {len(mlp.test_idx) - 1} or None, not {index}"
                )
        return mlp, mlp.x_test[index], int(mlp.y_test[index]), index

    def class_color(self, label: float) -> str:
        return PALETTE["positive"] if label == 1 else PALETTE["negative"]

    def plane(self, size: float = 4.2) -> Axes:
        lim = float(np.ceil(np.abs(self.data.x).max() * 2) / 2)
        self.lim = lim
        return plain_axes([-lim, lim, 1], [-lim, lim, 1], size, size, include_ticks=False)

    def scatter(self, axes: Axes) -> VGroup:
        return VGroup(
            *(
                Dot(axes.c2p(*p), radius=0.06, color=self.class_color(y))
                for p, y in zip(self.data.x, self.data.y, strict=True)
            )
        )

    def boundary(self, axes: Axes, w, b: float) -> VMobject:
        ends = boundary_points(w, b, self.lim)
        if ends is None:
            return VMobject()
        return Line(
            axes.c2p(*ends[0]), axes.c2p(*ends[1]), color=PALETTE["highlight"], stroke_width=4
        )

    def legend(self) -> VGroup:
        return row(
            Dot(radius=0.07, color=PALETTE["positive"]),
            text("class 1", 18, PALETTE["muted"]),
            Dot(radius=0.07, color=PALETTE["negative"]),
            text("class 0", 18, PALETTE["muted"]),
            buff=0.12,
        )

    def ticks(self, axes: Axes, xs=(), ys=(), size: float = 18, fmt=lambda v: f"{v:g}") -> VGroup:
        g = VGroup()
        for x in xs:
            g.add(
                text(fmt(x), size, PALETTE["muted"]).next_to(
                    axes.c2p(x, axes.y_range[0]), DOWN, buff=0.12
                )
            )
        for y in ys:
            g.add(
                text(fmt(y), size, PALETTE["muted"]).next_to(
                    axes.c2p(axes.x_range[0], y), LEFT, buff=0.12
                )
            )
        return g

    # 1 -------------------------------------------------------------------------------------------
    def step_sigmoid(self) -> None:
        run, data = self.run, self.data
        w, b = run.w[-1], float(run.b[-1])
        zs = data.x @ w + b
        # the class-1 point whose probability is nearest 0.8: clearly on one side, not extreme
        ones = np.flatnonzero(data.y == 1)
        k = int(ones[np.argmin(np.abs(sigmoid(zs[ones]) - 0.8))])
        x = data.x[k]
        z = float(zs[k])
        s = float(sigmoid(z))
        self.section(
            "The sigmoid",
            (
                "Logistic regression is the smallest model that learns. It weighs the inputs, "
                f"z = w1 x1 + w2 x2 + b, and squashes z into a probability with the sigmoid, "
                "one over one plus e to the minus z: large positive z gives almost 1, large negative "
                f"z almost 0. Here the inputs are {data.n} points in the plane that the code generated, "
                "two overlapping clouds. With the weights that gradient descent finds in step 3, "
                f"the highlighted point gets z = {z:.2f} and probability {s:.2f} of being class 1. "
                "The model says class 1 where the probability is at least one half, which is where z is "
                "at least zero: on one side of the straight line w x + b = 0, the decision boundary."
            ),
        )
        head = title("The sigmoid turns any number into a probability")
        sig_axes = plain_axes([-6, 6, 2], [0, 1, 0.5], 5.4, 3.0).move_to([-3.5, 0.5, 0])
        sig_ticks = self.ticks(sig_axes, xs=(-6, 0, 6), ys=(0.5, 1))
        curve = sig_axes.plot(lambda t: float(sigmoid(t)), x_range=[-6, 6], color=PALETTE["accent"])
        half = DashedLine(
            sig_axes.c2p(-6, 0.5), sig_axes.c2p(6, 0.5), color=PALETTE["muted"], stroke_width=2
        )
        sig_rule = text("σ(z) = 1 / (1 + e⁻ᶻ)", 24, PALETTE["accent"]).next_to(
            sig_axes, UP, buff=0.3
        )
        z_label = text("z", 20, PALETTE["muted"]).next_to(sig_axes.c2p(6, 0), UP + RIGHT, buff=0.1)

        plane = self.plane(4.4).move_to([3.7, 0.3, 0])
        dots = self.scatter(plane)
        legend = self.legend().next_to(plane, UP, buff=0.15)
        line = self.boundary(plane, w, b)
        line_label = text("w·x + b = 0", 20, PALETTE["highlight"])
        end = line.get_end() if line.has_points() else plane.get_corner(UP + RIGHT)
        line_label.next_to(end, DOWN, buff=0.1).shift(LEFT * 0.6)
        ring = Circle(radius=0.16, color=PALETTE["highlight"], stroke_width=3).move_to(dots[k])

        terms = [pnum(v, size=22) for v in (w[0], x[0], w[1], x[1], b)]
        eq1 = row(
            text("z = w·x + b =", 22),
            terms[0][0],
            text("×", 22),
            terms[1][0],
            text("+", 22),
            terms[2][0],
            text("×", 22),
            terms[3][0],
            text("+", 22),
            terms[4][0],
            text("=", 22),
            number(z, size=22, color=PALETTE["highlight"]),
            buff=0.14,
        )
        eq2 = row(
            text("σ(z) =", 22),
            number(s, size=22, color=PALETTE["highlight"]),
            text(
                ("≥ 0.5: predict class 1" if s >= 0.5 else "< 0.5: predict class 0")
                + f"   (its label: {int(data.y[k])})",
                22,
            ),
            buff=0.14,
        )
        eqs = VGroup(eq1, eq2).arrange(DOWN, aligned_edge=LEFT, buff=0.25).to_edge(DOWN, buff=0.75)
        fit_width(eqs)
        note = text(
            f"w = ({format_number(w[0])}, {format_number(w[1])}), b = {format_number(b)}: "
            f"the result of gradient descent (step 3)",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.25)
        self.shown.update(
            w=(terms[0][1], w[0]),
            x=(terms[1][1], x[0]),
            b=(terms[4][1], b),
            z=(eq1[11], z),
            sigma=(eq2[1], s),
            point=k,
        )

        self.play(Write(head), Create(sig_axes), FadeIn(sig_ticks), FadeIn(z_label))
        self.play(Create(curve), FadeIn(sig_rule), Create(half))
        self.play(Create(plane), FadeIn(dots, lag_ratio=0.02), FadeIn(legend))
        self.play(Create(line), FadeIn(line_label))
        self.play(Create(ring))
        self.play(FadeIn(eqs, lag_ratio=0.1), FadeIn(note))
        # every point lands on the curve at its own z
        landed = VGroup(
            *(
                Dot(
                    sig_axes.c2p(float(np.clip(zi, -6, 6)), float(sigmoid(zi))),
                    radius=0.06,
                    color=d.get_color(),
                )
                for zi, d in zip(zs, dots, strict=True)
            )
        )
        self.shown["landed"] = list(zip(landed, zs, strict=True))
        self.play(*(Transform(d.copy(), t) for d, t in zip(dots, landed, strict=True)), run_time=2)
        self.wait()

    # 2 -------------------------------------------------------------------------------------------
    def step_bce(self) -> None:
        run, data = self.run, self.data
        w0, b0 = run.w[0], float(run.b[0])
        w1, b1 = run.w[-1], float(run.b[-1])
        lik0, log0 = likelihood(w0, b0, data)
        lik1, log1 = likelihood(w1, b1, data)
        hand = logistic_gradient(w0, b0, data)
        auto = logistic_gradient_autograd(w0, b0, data)
        diff = float(np.max(np.abs(hand.vector - auto.vector)))
        self.section(
            "Binary cross-entropy",
            (
                "How wrong is a prediction? If the label is 1, the loss is minus the log of the predicted "
                "probability: nothing when the model is sure and right, growing without limit when it is "
                "sure and wrong. If the label is 0 we use one minus the probability instead. "
                "This loss is not arbitrary. The probability of all the labels together is a product over "
                f"the points; for our {data.n} points at the random start it is {sci_text(lik0)}, and after training "
                f"{sci_text(lik1)}. Products of many small numbers are awkward, so we take the log, which turns the "
                "product into a sum, and flip the sign: the mean of these terms is the binary cross-entropy. "
                "Its gradient, worked out with the chain rule, is remarkably simple: the average of prediction "
                "minus label times the input. The code computes it by hand and torch's autograd computes it "
                f"independently; they agree to within {sci_text(diff)}."
            ),
        )
        head = title("Binary cross-entropy: the loss, and where it comes from")
        axes = plain_axes([0, 1, 0.5], [0, 5, 1], 4.2, 3.6).move_to([-4.25, 0.2, 0])
        tk = self.ticks(axes, xs=(0, 0.5, 1), ys=(0, 1, 2, 3, 4, 5))
        xlab = text("ŷ: predicted probability of class 1", 17, PALETTE["muted"]).next_to(
            axes, DOWN, buff=0.5
        )
        eps = math.exp(-5)
        c1 = axes.plot(lambda p: -math.log(p), x_range=[eps, 1], color=PALETTE["positive"])
        c0 = axes.plot(lambda p: -math.log(1 - p), x_range=[0, 1 - eps], color=PALETTE["negative"])
        l1 = text("y = 1: −log ŷ", 20, PALETTE["positive"]).move_to(
            axes.c2p(0.3, 4.6), aligned_edge=LEFT
        )
        l0 = text("y = 0: −log(1 − ŷ)", 20, PALETTE["negative"]).move_to(
            axes.c2p(0.3, 4.0), aligned_edge=LEFT
        )

        x0 = -1.25
        p_line = text("one point:  P(y | x) = ŷʸ · (1 − ŷ)¹⁻ʸ", 20).move_to(
            [x0, 2.5, 0], aligned_edge=LEFT
        )
        all_line = text(f"all {data.n} points: the product of these", 20).move_to(
            [x0, 2.0, 0], aligned_edge=LEFT
        )
        cols = [3.4, 5.7]
        table = VGroup()
        hdr = VGroup(
            text("random start", 18, PALETTE["muted"]).move_to([cols[0], 1.45, 0]),
            text("after training", 18, PALETTE["muted"]).move_to([cols[1], 1.45, 0]),
        )
        table.add(hdr)
        rows_spec = [
            ("likelihood Π", sci(lik0, 22), sci(lik1, 22), (lik0, lik1)),
            ("log-likelihood Σ", number(log0, size=22), number(log1, size=22), (log0, log1)),
            (
                f"mean BCE = −Σ / {data.n}",
                number(-log0 / data.n, 3, 22),
                number(-log1 / data.n, 3, 22),
                None,
            ),
        ]
        for r, (name, a, bb, _) in enumerate(rows_spec):
            y = 1.0 - 0.48 * r
            table.add(text(name, 20).move_to([x0, y, 0], aligned_edge=LEFT))
            table.add(a.move_to([cols[0], y, 0]), bb.move_to([cols[1], y, 0]))
        self.shown["likelihood"] = ((rows_spec[0][1], lik0), (rows_spec[0][2], lik1))
        self.shown["loglik"] = ((rows_spec[1][1], log0), (rows_spec[1][2], log1))
        self.shown["bce"] = ((rows_spec[2][1], -log0 / data.n), (rows_spec[2][2], -log1 / data.n))

        g_title = text("gradient at the start: ∇L = (1/N) Σ (ŷ − y) x", 20).move_to(
            [x0, -0.75, 0], aligned_edge=LEFT
        )
        g_hdr = VGroup(
            *(
                text(s, 18, PALETTE["muted"]).move_to([c, -1.25, 0])
                for s, c in zip(("∂L/∂w1", "∂L/∂w2", "∂L/∂b"), (2.6, 4.15, 5.7), strict=True)
            )
        )
        g_rows = VGroup()
        for r, (name, g) in enumerate((("by hand", hand), ("torch autograd", auto))):
            y = -1.7 - 0.45 * r
            nums = [number(v, 4, 22, sign=True) for v in g.vector]
            g_rows.add(
                VGroup(
                    text(name, 20, PALETTE["accent"] if r else PALETTE["text"]).move_to(
                        [x0, y, 0], aligned_edge=LEFT
                    ),
                    *(n.move_to([c, y, 0]) for n, c in zip(nums, (2.6, 4.15, 5.7), strict=True)),
                )
            )
        diff_line = row(
            text("largest difference:", 20, PALETTE["muted"]), sci(diff, 20, PALETTE["muted"])
        )
        diff_line.move_to([x0, -2.75, 0], aligned_edge=LEFT)
        self.shown["grad_hand"] = list(zip(g_rows[0][1:], hand.vector, strict=True))
        self.shown["grad_auto"] = list(zip(g_rows[1][1:], auto.vector, strict=True))
        self.shown["grad_diff"] = (diff_line[1], diff)
        note = text(
            "lower loss = higher likelihood: minimising the mean BCE maximises the product",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.3)

        self.play(Write(head), Create(axes), FadeIn(tk), FadeIn(xlab))
        self.play(Create(c1), FadeIn(l1))
        self.play(Create(c0), FadeIn(l0))
        self.play(FadeIn(p_line), FadeIn(all_line))
        self.play(FadeIn(table, lag_ratio=0.1))
        self.play(FadeIn(g_title), FadeIn(g_hdr), FadeIn(g_rows[0]))
        self.play(FadeIn(g_rows[1]), FadeIn(diff_line))
        self.play(FadeIn(note))
        self.wait()

    # 3 -------------------------------------------------------------------------------------------
    def step_gradient_descent(self) -> None:
        run = self.run
        runs = learning_rate_comparison(self.data, tuple(self.learning_rates), self.gd_steps)
        steps = run.steps
        self.section(
            "Gradient descent",
            (
                "Training starts from random weights and repeats one move: compute the gradient, then "
                f"step against it, scaled by the learning rate alpha, here {format_number(run.lr, 2)}. "
                f"Watch the boundary turn and shift over {steps} steps while the loss falls from "
                f"{run.loss[0]:.2f} to {run.loss[-1]:.2f} and the share of points on the right side goes from "
                f"{100 * run.accuracy[0]:.0f} to {100 * run.accuracy[-1]:.0f} percent. The steps are big at "
                "first, where the slope is steep, and shrink as the loss flattens out."
            ),
        )
        head = title(f"Gradient descent: w ← w − α ∇L   (α = {format_number(run.lr, 2)})")
        plane = self.plane(4.4).move_to([-3.6, -0.2, 0])
        dots = self.scatter(plane)
        legend = self.legend().next_to(plane, UP, buff=0.15)
        lmax = float(np.ceil(run.loss.max() * 2) / 2)
        loss_axes = plain_axes([0, steps, max(1, steps // 4)], [0, lmax, 0.5], 5.2, 3.4).move_to(
            [3.6, 0.0, 0]
        )
        tk = self.ticks(loss_axes, xs=(0, steps // 2, steps), ys=(0, lmax / 2, lmax))
        loss_lab = text("mean BCE", 20, PALETTE["muted"]).next_to(loss_axes, UP, buff=0.2)
        step_lab = text("step", 18, PALETTE["muted"]).next_to(
            loss_axes.c2p(steps, 0), DOWN, buff=0.45
        )
        t = ValueTracker(0)

        def idx() -> int:
            return int(round(t.get_value()))

        line = always_redraw(lambda: self.boundary(plane, run.w[idx()], float(run.b[idx()])))

        def curve():
            i = idx()
            pts = [loss_axes.c2p(j, run.loss[j]) for j in range(i + 1)]
            m = VMobject(color=PALETTE["accent"], stroke_width=4)
            if len(pts) > 1:
                m.set_points_as_corners(pts)
            else:
                m.set_points_as_corners([pts[0], pts[0]])
            return m

        loss_curve = always_redraw(curve)
        marker = always_redraw(
            lambda: Dot(
                loss_axes.c2p(idx(), run.loss[idx()]), radius=0.07, color=PALETTE["highlight"]
            )
        )

        def counter():
            i = idx()
            g = row(
                text("step", 22, PALETTE["muted"]),
                number(i, 0, 22),
                text("loss", 22, PALETTE["muted"]),
                number(run.loss[i], 3, 22),
                text("right", 22, PALETTE["muted"]),
                number(100 * run.accuracy[i], 0, 22, suffix="%"),
                buff=0.15,
            )
            return g.to_edge(DOWN, buff=0.45)

        count = always_redraw(counter)
        self.play(Write(head), Create(plane), FadeIn(dots), FadeIn(legend))
        self.play(Create(loss_axes), FadeIn(tk), FadeIn(loss_lab), FadeIn(step_lab))
        self.add(line, loss_curve, marker, count)
        self.wait(0.5)
        self.play(
            t.animate.set_value(steps), run_time=7, rate_func=lambda a: a * a
        )  # early steps move most
        for m in (line, loss_curve, marker, count):
            m.clear_updaters()
        final = counter()  # a fresh copy of the last state (redrawn mobjects keep old .text)
        self.remove(count)
        self.add(final)
        self.shown["gd_final"] = (final[3], float(run.loss[-1]))
        self.shown["gd_first"] = float(run.loss[0])
        self.wait()

        # the learning rate's effect
        self.clear()
        verdicts = [self.verdict(r, runs) for r in runs]
        self.section(
            "The learning rate",
            (
                "How far to step is our choice, and it matters. Here is the same data from the same random "
                f"start, {steps} steps each, with {len(runs)} learning rates. "
                + " ".join(
                    f"With alpha {format_number(r.lr, 2)} the loss ends at {r.loss[-1]:.2f}: {v}."
                    for r, v in zip(runs, verdicts, strict=True)
                )
                + " Too small a step wastes time; too large a step overshoots the bottom of the valley, "
                "and the loss can go up."
            ),
        )
        head2 = title(f"The learning rate: the same data, the same start, {steps} steps")
        top = float(np.ceil(max(float(r.loss.max()) for r in runs) * 2) / 2)
        axes = plain_axes([0, steps, max(1, steps // 4)], [0, top, 0.5], 7.0, 4.6).move_to(
            [-2.6, -0.3, 0]
        )
        tk2 = self.ticks(axes, xs=(0, steps // 2, steps), ys=(0, top / 2, top))
        colors = [
            PALETTE["muted"],
            PALETTE["accent"],
            PALETTE["negative"],
            PALETTE["positive"],
            PALETTE["highlight"],
        ]
        curves, labels = VGroup(), VGroup()
        for r, (lr_run, c) in enumerate(zip(runs, colors * 3, strict=False)):
            m = VMobject(color=c, stroke_width=4)
            m.set_points_as_corners([axes.c2p(j, v) for j, v in enumerate(lr_run.loss)])
            curves.add(m)
            verdict = verdicts[r]
            final = number(lr_run.loss[-1], 3, 20, color=c)
            lab = VGroup(
                text(f"α = {format_number(lr_run.lr, 2)}", 22, c),
                row(text("final loss", 20, PALETTE["muted"]), final, buff=0.2),
                text(verdict, 18, PALETTE["muted"]),
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            lab.move_to([1.4, 1.9 - 1.45 * r, 0], aligned_edge=UP + LEFT)
            labels.add(lab)
            self.shown[f"lr:{lr_run.lr}"] = (final, float(lr_run.loss[-1]), lr_run.rises, verdict)
        self.play(Write(head2), Create(axes), FadeIn(tk2))
        for m, lab in zip(curves, labels, strict=True):
            self.play(Create(m), FadeIn(lab), run_time=1.5)
        self.wait()

    # 4 -------------------------------------------------------------------------------------------
    def step_softmax(self) -> None:
        ex = softmax_example(tuple(self.softmax_logits), self.softmax_true_class)
        k = ex.true_class
        n = len(ex.logits)
        bases = list(self.softmax_bases)
        self.section(
            "Softmax for many classes",
            (
                "With more than two classes, each class gets a score, called a logit, and softmax turns the "
                "scores into probabilities: raise e to each score and divide by the sum. Every result lies "
                "between 0 and 1 and together they add up to 1. The exponential exaggerates differences, "
                f"so the largest score takes almost everything: softmax of {', '.join(f'{v:g}' for v in ex.logits)} "
                f"is {', '.join(f'{p:.3f}' for p in ex.probs)}. Nothing forces the base to be e; any base "
                "b = e to the beta gives the softmax of beta times the scores, which is the same as dividing "
                "by a temperature of one over beta. Base e keeps the derivatives and logs simple. "
                f"The loss for true class {k + 1} is minus the log of its probability, and its gradient with "
                "respect to the scores is again prediction minus label, checked here against autograd."
            ),
        )
        head = title("Softmax: scores for many classes become probabilities")
        y0 = 1.3
        z_vec = NumericVector(ex.logits, decimals=0, font_size=26).move_to([-5.0, y0, 0])
        e_vec = NumericVector(ex.exps, decimals=2, font_size=26).move_to([-1.6, y0, 0])
        p_vec = NumericVector(ex.probs, decimals=3, font_size=26, saturation=1.0).move_to(
            [2.6, y0, 0]
        )
        labels = VGroup(
            text("scores z", 22, PALETTE["muted"]).next_to(z_vec, UP, buff=0.25),
            text("eᶻ", 22, PALETTE["muted"]).next_to(e_vec, UP, buff=0.25),
            text("ŷ = eᶻ / Σ eᶻ", 22, PALETTE["muted"]).next_to(p_vec, UP, buff=0.25),
        )
        arrow1 = Arrow(z_vec.get_right(), e_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        total = float(ex.exps.sum())
        sum_lab = row(text("÷", 24), number(total, 2, 24), buff=0.15)
        arrow2 = Arrow(e_vec.get_right(), p_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        sum_lab.next_to(arrow2, UP, buff=0.1)
        check = row(
            text("sum", 20, PALETTE["muted"]),
            number(float(ex.probs.sum()), 3, 20, color=PALETTE["muted"]),
        )
        check.next_to(p_vec, RIGHT, buff=0.4)
        self.shown["probs"] = p_vec
        self.shown["exps"] = e_vec
        self.shown["exp_sum"] = (sum_lab[1], total)

        # bases
        bx = -6.6
        b_title = text("other bases: bᶻ / Σ bᶻ", 20, PALETTE["muted"]).move_to(
            [bx, -1.15, 0], aligned_edge=LEFT
        )
        b_rows = VGroup()
        for r, base in enumerate(bases):
            p = softmax_base(ex.logits, base)
            name = "e" if math.isclose(base, math.e) else f"{base:g}"
            y = -1.65 - 0.48 * r
            nums = [number(v, 3, 20) for v in p]
            line = VGroup(
                text(f"b = {name}", 20).move_to([bx, y, 0], aligned_edge=LEFT),
                *(m.move_to([bx + 2.0 + 1.0 * j, y, 0]) for j, m in enumerate(nums)),
                text(f"T = {1 / math.log(base):.2f}", 20, PALETTE["muted"]).move_to(
                    [bx + 2.3 + 1.0 * n, y, 0], aligned_edge=LEFT
                ),
            )
            b_rows.add(line)
            self.shown[f"base:{name}"] = (nums, p)

        # gradient
        gx = 0.6
        y_text = "(" + ", ".join("1" if i == k else "0" for i in range(n)) + ")"
        g1 = text(f"true class {k + 1}: y = {y_text}", 20).move_to(
            [gx, -1.15, 0], aligned_edge=LEFT
        )
        loss_line = row(
            formula(f"loss −log ŷ{sub(k + 1)} =", 20),
            number(ex.loss, 3, 20),
            buff=0.15,
        )
        loss_line.move_to([gx, -1.65, 0], aligned_edge=LEFT)

        def vec_row(name: str, values, color=None, y=0.0) -> VGroup:
            nums = [number(v, 3, 20, sign=True, color=color) for v in values]
            g = VGroup(text(name, 20, color).move_to([gx, y, 0], aligned_edge=LEFT))
            for j, m in enumerate(nums):
                g.add(m.move_to([gx + 3.3 + 1.15 * j, y, 0]))
            return g

        hand = vec_row("∂L/∂z = ŷ − y", ex.grad, y=-2.15)
        auto = vec_row("torch autograd", ex.grad_autograd, PALETTE["accent"], y=-2.6)
        self.shown["softmax_grad"] = list(zip(hand[1:], ex.grad, strict=True))
        self.shown["softmax_auto"] = list(zip(auto[1:], ex.grad_autograd, strict=True))
        self.shown["softmax_loss"] = (loss_line[1], ex.loss)
        note = text(
            "a larger b (or a lower temperature T) sharpens the distribution; a smaller b flattens it",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.3)

        self.play(Write(head), FadeIn(z_vec), FadeIn(labels[0]))
        self.play(Create(arrow1), FadeIn(e_vec), FadeIn(labels[1]))
        self.play(Create(arrow2), FadeIn(sum_lab), FadeIn(p_vec), FadeIn(labels[2]))
        self.play(FadeIn(check))
        self.play(FadeIn(b_title), FadeIn(b_rows, lag_ratio=0.2))
        self.play(FadeIn(g1), FadeIn(loss_line))
        self.play(FadeIn(hand), FadeIn(auto))
        self.play(FadeIn(note))
        self.wait()

    # 5 -------------------------------------------------------------------------------------------
    def digit_picture(self, pixels: np.ndarray, side: float = 0.27) -> VGroup:
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

    def step_neurons(self) -> None:
        mlp, x, label = self.digit_example()
        net = mlp.model
        fp = net.forward(x)
        pred = int(np.argmax(fp.output))
        # the most active neuron of the first hidden layer (among those drawn), its weighted sum
        drawn = [i for i in shown_indices(len(fp.a[1]), 16) if i is not None]
        j = int(max(drawn, key=lambda i: fp.a[1][i]))
        weighted = float(net.W[0][j] @ x)
        bias = float(net.b[0][j])
        zj = float(fp.z[0][j])
        acc = mlp.test_accuracy[-1]
        sizes = net.sizes
        self.section(
            "Neurons and layers",
            (
                "A neuron here is just a number between 0 and 1, its activation. The first layer holds the "
                f"pixels of an image: {sizes[0]} of them for these 8 by 8 handwritten digits. The last layer has ten "
                "neurons, one per digit. Every neuron of a layer takes a weighted sum of all the activations "
                "of the layer before, adds its bias and applies the sigmoid; written for a whole layer at "
                "once, the new activations are sigma of W a plus b. The code trained this network, "
                f"{' - '.join(str(s) for s in sizes)} neurons, on {len(mlp.train_idx):,} real handwritten digits. "
                f"On {len(mlp.test_idx)} images it never saw it gets {100 * acc:.1f} percent right. "
                f"For this test image, {an(label)}, the output neuron for {pred} is the most active, at {fp.output[pred]:.2f}. "
                "Each line is a real weight: blue positive, orange negative."
            ),
        )
        head = title("Neurons and layers: each layer is σ(W a + b) of the one before")
        picture = self.digit_picture(x).move_to([-5.7, 0.5, 0])
        pic_label = text(
            f"test image {self.digit_index}: {an(label)}", 18, PALETTE["muted"]
        ).next_to(picture, DOWN, buff=0.2)
        xs = np.linspace(-3.6, 3.3, len(fp.a))
        cols = []
        for layer, (values, xpos) in enumerate(zip(fp.a, xs, strict=True)):
            last = layer == len(fp.a) - 1
            col = NeuronColumn(
                values,
                state="post",
                max_neurons=16 if layer else 9,
                head=None if layer else 6,
                tail=None if layer else 2,
                saturation=1.0,
                show_values=last,
                radius=0.1 if not last else 0.13,
                font_size=16,
                buff=0.05 if not last else 0.1,
                highlight=[j] if layer == 1 else ([pred] if last else []),
            )
            col.move_to([xpos, 0.2, 0])
            if last:
                col.shift(RIGHT * (xpos - col.neurons.get_x()))
            cols.append(col)
        names = VGroup(
            *(
                text(s, 18, PALETTE["muted"]).next_to(c, UP, buff=0.2).set_x(c.neurons.get_x())
                for s, c in zip(
                    (f"{sizes[0]} pixels", *(f"{n} hidden" for n in sizes[1:-1]), "10 digits"),
                    cols,
                    strict=True,
                )
            )
        )
        top_y = max(n.get_y() for n in names)
        for n in names:
            n.set_y(top_y)
        out = cols[-1]
        digit_labels = VGroup(
            *(
                text(str(d), 18, PALETTE["highlight"] if d == pred else PALETTE["muted"]).next_to(
                    out.number(d), RIGHT, buff=0.25
                )
                for d in range(10)
            )
        )
        wires = [self.connections(cols[i], cols[i + 1], net.W[i]) for i in range(len(cols) - 1)]
        self.shown["output"] = out
        self.shown["prediction"] = (pred, label)

        calc = row(
            text(f"hidden neuron {j}: weighted sum", 20),
            number(weighted, size=20),
            text(" + bias", 20),
            number(bias, size=20),
            text(" = z =", 20),
            number(zj, size=20),
            text(",  σ(z) =", 20),
            number(float(fp.a[1][j]), size=20, color=PALETTE["highlight"]),
            buff=0.14,
        ).to_edge(DOWN, buff=0.8)
        fit_width(calc)
        self.shown["calc"] = {
            "weighted": (calc[1], weighted),
            "bias": (calc[3], bias),
            "z": (calc[5], zj),
            "a": (calc[7], float(fp.a[1][j])),
            "neuron": j,
        }
        summary = row(
            text("prediction", 18, PALETTE["muted"]),
            text(str(pred), 18, PALETTE["highlight"]),
            text(f"(label {label})   test accuracy", 18, PALETTE["muted"]),
            number(100 * acc, 1, 18, suffix="%", color=PALETTE["muted"]),
            text(
                f"on {len(mlp.test_idx)} unseen images after {mlp.config.epochs} epochs ({mlp.n_steps:,} mini-batch steps)",
                18,
                PALETTE["muted"],
            ),
            buff=0.12,
        ).to_edge(DOWN, buff=0.3)
        fit_width(summary)
        self.shown["accuracy"] = (summary[3], 100 * acc)

        self.play(Write(head), FadeIn(picture), FadeIn(pic_label))
        self.play(FadeIn(cols[0]), FadeIn(names[0]))
        for i in range(len(wires)):
            self.play(Create(wires[i], lag_ratio=0.002), run_time=1.2)
            self.play(FadeIn(cols[i + 1]), FadeIn(names[i + 1]), run_time=0.8)
        self.play(FadeIn(digit_labels))
        self.play(FadeIn(calc, lag_ratio=0.1))
        self.play(FadeIn(summary))
        self.wait()

        # ReLU versus sigmoid
        start = mlp.initial
        norms_sig = gradient_norms(start, mlp.x_train, mlp.y_train)
        norms_relu = gradient_norms(start.with_hidden("relu"), mlp.x_train, mlp.y_train)
        ratio_sig = norms_sig[0] / norms_sig[-1]
        ratio_relu = norms_relu[0] / norms_relu[-1]
        self.clear()
        self.section(
            "ReLU versus sigmoid",
            (
                "Modern networks mostly use ReLU, max of z and zero, in their hidden layers. The sigmoid's "
                "slope is never more than a quarter, and backpropagation multiplies by that slope once per "
                "layer, so the learning signal fades on its way back to the first layers. ReLU's slope is "
                "exactly one wherever the neuron is active. The code measured it on this network at its random "
                f"start: with sigmoids the first layer's gradient is {100 * ratio_sig:.0f} percent of the last "
                f"layer's; with the same weights and ReLU in the hidden layers it is {100 * ratio_relu:.0f} percent. "
                "The output layer keeps its sigmoid, because its activations are read as probabilities."
            ),
        )
        head2 = title("ReLU versus sigmoid in the hidden layers")
        axes = plain_axes([-4, 4, 2], [0, 2, 0.5], 5.2, 3.8).move_to([-3.4, -0.4, 0])
        tk = self.ticks(axes, xs=(-4, 0, 4), ys=(0, 1, 2))
        s_curve = axes.plot(lambda t: float(sigmoid(t)), x_range=[-4, 4], color=PALETTE["accent"])
        s_slope = DashedVMobject(
            axes.plot(lambda t: float(sigmoid_prime(t)), x_range=[-4, 4], color=PALETTE["accent"])
        )
        r_curve = axes.plot(
            lambda t: float(relu(t)),
            x_range=[-4, 2],
            color=PALETTE["positive"],
            use_smoothing=False,
        )
        r_slope = DashedVMobject(
            VMobject(color=PALETTE["positive"]).set_points_as_corners(
                [axes.c2p(-4, 0), axes.c2p(0, 0), axes.c2p(0, 1), axes.c2p(4, 1)]
            )
        )
        leg = (
            VGroup(
                text("σ(z); dashed: its slope, at most 0.25", 17, PALETTE["accent"]),
                text("ReLU(z) = max(z, 0); dashed: slope 0 or 1", 17, PALETTE["positive"]),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            .next_to(axes, UP, buff=0.2)
            .align_to(axes, LEFT)
        )
        tx = 0.5
        t_title = (
            VGroup(
                row(text("gradient size per layer", 20), formula("‖∂C/∂W‖", 20), buff=0.15),
                text(
                    f"same random start, {len(mlp.train_idx):,} training images",
                    17,
                    PALETTE["muted"],
                ),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            .move_to([tx, 1.9, 0], aligned_edge=LEFT)
        )
        n_layers = len(norms_sig)
        cx = [tx + 2.3 + 1.3 * i for i in range(n_layers)]
        hdr = VGroup(
            *(
                formula(f"W⁽{i + 1}⁾", 20, PALETTE["muted"]).move_to([c, 0.9, 0])
                for i, c in enumerate(cx)
            )
        )
        table = VGroup()
        for r, (name, norms, c) in enumerate(
            (("sigmoid", norms_sig, PALETTE["accent"]), ("ReLU", norms_relu, PALETTE["positive"]))
        ):
            y = 0.35 - 0.5 * r
            nums = [number(v, 3, 20) for v in norms]
            table.add(
                VGroup(
                    text(name, 20, c).move_to([tx, y, 0], aligned_edge=LEFT),
                    *(m.move_to([cx[i], y, 0]) for i, m in enumerate(nums)),
                )
            )
            self.shown[f"norms:{name}"] = list(zip(nums, norms, strict=True))
        concl = (
            VGroup(
                text("first layer's share of the last's:", 20),
                row(
                    text("sigmoid", 20, PALETTE["accent"]),
                    number(100 * ratio_sig, 0, 20, suffix="%"),
                    text("  ReLU", 20, PALETTE["positive"]),
                    number(100 * ratio_relu, 0, 20, suffix="%"),
                    buff=0.15,
                ),
                text("on the way back every sigmoid layer", 17, PALETTE["muted"]),
                text("multiplies by a slope of at most 0.25;", 17, PALETTE["muted"]),
                text("ReLU's slope is 1 where it is active.", 17, PALETTE["muted"]),
                text("The output layer stays a sigmoid.", 17, PALETTE["muted"]),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            .move_to([tx, -1.0, 0], aligned_edge=UP + LEFT)
        )
        self.shown["ratios"] = ((concl[1][1], 100 * ratio_sig), (concl[1][3], 100 * ratio_relu))
        self.play(Write(head2), Create(axes), FadeIn(tk))
        self.play(Create(s_curve), Create(s_slope), FadeIn(leg[0]))
        self.play(Create(r_curve), Create(r_slope), FadeIn(leg[1]))
        self.play(FadeIn(t_title), FadeIn(hdr), FadeIn(table, lag_ratio=0.3))
        self.play(FadeIn(concl, lag_ratio=0.1))
        self.wait()

    # 6 -------------------------------------------------------------------------------------------
    def step_backprop(self) -> None:
        ex = one_neuron_chain(self.chain_layers, self.chain_target, self.seed)
        L = ex.n_layers
        last = L - 1
        self.section(
            "Backpropagation",
            (
                f"Take the simplest network: a chain of {L + 1} neurons, one per layer, with the cost "
                "(a minus y) squared at the end. How does the cost change when we nudge the last weight? "
                "The chain rule splits the question into three easy ones: how z changes with the weight "
                "(by the previous activation), how a changes with z (the sigmoid's slope), and how the cost "
                "changes with a (two times a minus y). Multiply them. The same product, with the weight "
                "replaced by the previous activation, tells how the cost depends on the neuron before, and "
                "that is passed backwards layer by layer: backpropagation. Autograd gets the same numbers. "
                "Notice how the gradient shrinks as it travels back through the sigmoids."
            ),
        )
        head = title(
            f"Backpropagation through a chain of one-neuron layers (y = {format_number(ex.y, 1)})"
        )
        xs = np.linspace(-6.1, 2.9, L + 1)
        y0 = 1.75
        neurons, vals, names = VGroup(), VGroup(), VGroup()
        for i, (xp, a) in enumerate(zip(xs, ex.a, strict=True)):
            c = Circle(radius=0.36, stroke_color=PALETTE["muted"], stroke_width=2)
            c.set_fill(PALETTE["positive"], 0.15 + 0.85 * float(a)).move_to([xp, y0, 0])
            neurons.add(c)
            vals.add(number(a, 3, 20).next_to(c, DOWN, buff=0.15))
            names.add(formula(f"a⁽{i}⁾", 20).move_to(c))
        arrows, wlabels = VGroup(), VGroup()
        for i in range(L):
            arr = Arrow(
                neurons[i].get_right(),
                neurons[i + 1].get_left(),
                buff=0.1,
                color=PALETTE["muted"],
                stroke_width=3,
            )
            arrows.add(arr)
            wlabels.add(
                VGroup(
                    formula(f"w⁽{i + 1}⁾ = {format_number(ex.w[i])}", 17, PALETTE["muted"]),
                    formula(f"b⁽{i + 1}⁾ = {format_number(ex.b[i])}", 17, PALETTE["muted"]),
                )
                .arrange(DOWN, buff=0.06)
                .next_to(arr, UP, buff=0.1)
            )
        cost = (
            VGroup(
                formula(f"C = (a⁽{L}⁾ − y)²", 20),
                number(ex.cost, 4, 20, color=PALETTE["highlight"]),
            )
            .arrange(DOWN, buff=0.12)
            .next_to(neurons[-1], RIGHT, buff=0.6)
        )
        self.shown["chain_a"] = list(zip(vals, ex.a, strict=True))
        self.shown["chain_cost"] = (cost[1], ex.cost)

        rule = formula(f"∂C/∂w⁽{L}⁾ = a⁽{L - 1}⁾ · σ′(z⁽{L}⁾) · 2(a⁽{L}⁾ − y)", 22).move_to(
            [-6.6, -0.25, 0], aligned_edge=LEFT
        )
        f_a, f_s, f_c = (
            float(ex.a[last]),
            float(sigmoid_prime(ex.z[last])),
            float(2 * (ex.a[-1] - ex.y)),
        )
        fc_group, fc_number = pnum(f_c, 3, 22)
        product = row(
            text("=", 22),
            number(f_a, 3, 22),
            text("×", 22),
            number(f_s, 3, 22),
            text("×", 22),
            fc_group,
            text("=", 22),
            number(float(ex.dC_dw[last]), 4, 22, sign=True, color=PALETTE["highlight"]),
            buff=0.14,
        ).next_to(rule, RIGHT, buff=0.25)
        self.shown["chain_factors"] = ((product[1], f_a), (product[3], f_s), (fc_number, f_c))
        self.shown["chain_last"] = (product[7], float(ex.dC_dw[last]))

        cols_x = [-6.6, -3.6, -1.2, 1.2, 3.6, 5.9]
        hdrs = ["layer l", "∂C/∂a⁽ˡ⁾", "∂C/∂w⁽ˡ⁾", "autograd", "∂C/∂b⁽ˡ⁾", "autograd"]
        header = VGroup()
        for i, (h, cx) in enumerate(zip(hdrs, cols_x, strict=True)):
            header.add(
                formula(h, 20, PALETTE["accent"] if h == "autograd" else PALETTE["muted"]).move_to(
                    [cx, -0.95, 0], aligned_edge=LEFT if i == 0 else ORIGIN
                )
            )
        table_rows = VGroup()
        for r, layer in enumerate(range(last, -1, -1)):
            y = -1.45 - 0.45 * r
            cells = [
                number(ex.dC_da[layer + 1], 4, 20, sign=True),
                number(ex.dC_dw[layer], 4, 20, sign=True),
                number(ex.autograd_dw[layer], 4, 20, sign=True, color=PALETTE["accent"]),
                number(ex.dC_db[layer], 4, 20, sign=True),
                number(ex.autograd_db[layer], 4, 20, sign=True, color=PALETTE["accent"]),
            ]
            g = VGroup(
                formula(f"l = {layer + 1}", 20).move_to([cols_x[0], y, 0], aligned_edge=LEFT)
            )
            for c, cx in zip(cells, cols_x[1:], strict=True):
                g.add(c.move_to([cx, y, 0]))
            table_rows.add(g)
            self.shown[f"chain_row:{layer}"] = list(
                zip(
                    cells,
                    (
                        ex.dC_da[layer + 1],
                        ex.dC_dw[layer],
                        ex.autograd_dw[layer],
                        ex.dC_db[layer],
                        ex.autograd_db[layer],
                    ),
                    strict=True,
                )
            )
        back_note = formula(
            "∂C/∂a⁽ˡ⁻¹⁾ = w⁽ˡ⁾ · σ′(z⁽ˡ⁾) · ∂C/∂a⁽ˡ⁾  passes the blame one layer back",
            20,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.35)
        back = VGroup(
            *(
                Arrow(
                    neurons[i + 1].get_bottom() + DOWN * 0.75,
                    neurons[i].get_bottom() + DOWN * 0.75,
                    buff=0.4,
                    color=PALETTE["negative"],
                    stroke_width=3,
                )
                for i in range(L - 1, -1, -1)
            )
        )
        self.play(Write(head), FadeIn(neurons), FadeIn(names), FadeIn(vals))
        self.play(*(Create(a) for a in arrows), FadeIn(wlabels))
        self.play(FadeIn(cost))
        self.play(FadeIn(rule))
        self.play(FadeIn(product, lag_ratio=0.1))
        self.play(FadeIn(header))
        for r in range(L):
            self.play(Create(back[r]), FadeIn(table_rows[r]), run_time=0.8)
        self.play(FadeIn(back_note))
        self.wait()

        # the trained network
        self.clear()
        mlp, x, label, index = self.backprop_example()
        net = mlp.model
        hand = net.backprop(x, label)
        auto = net.autograd(x, label)
        fp = net.forward(x)
        out_a = fp.output
        pred = int(np.argmax(out_a))
        y = np.eye(10)[label]
        delta = hand.dz[-1]
        da_prev = hand.da[-2]
        k = int(np.argmax(fp.a[-2]))  # the most active neuron feeding the outputs
        jj = label
        w_hand = float(hand.dW[-1][jj, k])
        w_auto = float(auto.dW[-1][jj, k])
        n_params = sum(W.size + b.size for W, b in zip(net.W, net.b, strict=True))
        biggest = hand.max_difference(auto)
        nL = len(net.W)
        seen = f"{an(label)} that the network reads as {pred}" if pred != label else an(label)
        self.section(
            "Backpropagation in the digit network",
            (
                "With many neurons per layer the rule is the same, only with indices. "
                f"Here is test image {index}, {seen}: the output for {pred} is {out_a[pred]:.2f} and the "
                f"output for {label} only {out_a[label]:.2f}. Each output neuron's share of the blame is its "
                "sigmoid slope times two times its error. A neuron of the layer before feeds all ten outputs, "
                "so its derivative sums what it receives from each of them, weighted by the connecting "
                "weights. A single weight's derivative is the activation feeding it times the blame of the "
                f"neuron it feeds. All {n_params:,} derivatives of the network, computed by hand in numpy, "
                f"match torch's autograd to within {sci_text(biggest)}."
            ),
        )
        head2 = title("Backpropagation in the trained digit network")
        sub2 = text(f"test image {index}: {seen}", 20, PALETTE["highlight"]).next_to(
            head2, DOWN, buff=0.15
        )
        fit_width(sub2)
        fs = 16
        vecs = [
            ("a", out_a, PALETTE["text"], 3, False),
            ("y", y, PALETTE["text"], 0, False),
            ("by hand", delta, PALETTE["text"], 4, True),
            ("autograd", auto.dz[-1], PALETTE["accent"], 4, True),
        ]
        vx = [-5.55, -4.5, -3.3, -1.8]
        out_group = VGroup()
        for (name, v, c, dec, sign), xp in zip(vecs, vx, strict=True):
            nv = NumericVector(v, max_entries=10, decimals=dec, sign=sign, font_size=fs)
            nv.move_to([xp, -0.15, 0])
            lab = text(name, 16, c).next_to(nv, UP, buff=0.12)
            out_group.add(VGroup(nv, lab))
        digits = VGroup(
            *(
                text(
                    str(d), 16, PALETTE["highlight"] if d in (label, pred) else PALETTE["muted"]
                ).move_to([-6.4, out_group[0][0].get_entry(d).get_y(), 0])
                for d in range(10)
            )
        )
        out_title = VGroup(
            text("output layer", 18, PALETTE["muted"]),
            formula("∂C/∂zⱼ = σ′(zⱼ) · 2(aⱼ − yⱼ)", 20),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        out_title.move_to([-6.6, sub2.get_bottom()[1] - 0.25, 0], aligned_edge=UP + LEFT)
        self.shown["delta"] = out_group[2][0]
        self.shown["delta_auto"] = out_group[3][0]

        hx = [0.0, 1.4]
        hid = VGroup()
        for (name, v, c), xp in zip(
            (("by hand", da_prev, PALETTE["text"]), ("autograd", auto.da[-2], PALETTE["accent"])),
            hx,
            strict=True,
        ):
            nv = NumericVector(
                v, max_entries=16, decimals=4, sign=True, font_size=13, entry_buff=0.05
            )
            nv.move_to([xp, -0.45, 0])
            hid.add(VGroup(nv, text(name, 16, c).next_to(nv, UP, buff=0.12)))
        hid_title = VGroup(
            text(f"hidden layer {nL - 1}", 18, PALETTE["muted"]),
            formula("∂C/∂aₖ = Σⱼ wⱼₖ · ∂C/∂zⱼ", 20),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        hid_title.move_to([hx[0] - 0.6, out_title.get_top()[1], 0], aligned_edge=UP + LEFT)
        self.shown["da_prev"] = hid[0][0]
        self.shown["da_prev_auto"] = hid[1][0]

        rx = 2.45
        fs2 = 18
        one_w = VGroup(
            text("one weight:", fs2, PALETTE["muted"]),
            text(f"hidden {k} → digit {jj}", fs2),
            formula(f"∂C/∂w = a{sub(k)} · σ′(z{sub(jj)}) · 2(a{sub(jj)} − y{sub(jj)})", 18),
            row(
                number(float(fp.a[-2][k]), 3, fs2),
                text("×", fs2),
                number(float(sigmoid_prime(fp.z[-1][jj])), 3, fs2),
                text("×", fs2),
                pnum(float(2 * (out_a[jj] - y[jj])), 3, fs2)[0],
                buff=0.1,
            ),
            row(text("=", fs2), number(w_hand, 5, fs2, color=PALETTE["highlight"]), buff=0.15),
            row(
                text("autograd", fs2, PALETTE["accent"]),
                number(w_auto, 5, fs2, color=PALETTE["accent"]),
                buff=0.15,
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(one_w, 6.9 - rx)
        one_w.move_to([rx, 1.7, 0], aligned_edge=UP + LEFT)
        every = row(
            text(
                f"all {n_params:,} derivatives of the network, hand vs autograd:",
                fs2,
                PALETTE["muted"],
            ),
            text("largest difference", fs2, PALETTE["muted"]),
            sci(biggest, fs2, PALETTE["highlight"]),
            buff=0.15,
        ).to_edge(DOWN, buff=0.35)
        fit_width(every)
        self.shown["one_weight"] = (one_w[4][1], w_hand)
        self.shown["one_weight_auto"] = (one_w[5][1], w_auto)
        self.shown["max_diff"] = (every[2], biggest)
        self.shown["backprop_example"] = (index, label, pred)
        self.play(Write(head2), FadeIn(sub2), FadeIn(out_title))
        self.play(FadeIn(out_group[0]), FadeIn(out_group[1]), FadeIn(digits))
        self.play(FadeIn(out_group[2]))
        self.play(FadeIn(out_group[3]))
        self.play(FadeIn(hid_title), FadeIn(hid[0]))
        self.play(FadeIn(hid[1]))
        self.play(FadeIn(one_w, lag_ratio=0.1))
        self.play(FadeIn(every))
        self.wait()

        # mini-batches
        self.clear()
        self.step_minibatches()

    def step_minibatches(self) -> None:
        """The third page of step 6: mini-batch gradients and the digit network's training run."""
        mlp = train_digit_mlp(self.mlp_config())
        mid = train_digit_mlp(self.mlp_config(epochs=1)).model
        sizes = (1, self.batch_size, 256)
        n_train = len(mlp.train_idx)
        agree_start = minibatch_agreement(
            mlp.initial, mlp.x_train, mlp.y_train, sizes, 30, self.seed
        )
        agree_mid = minibatch_agreement(mid, mlp.x_train, mlp.y_train, sizes, 30, self.seed)
        per_epoch = -(-n_train // self.batch_size)
        self.section(
            "Mini-batches",
            (
                f"The true gradient averages over all {n_train:,} training images, which is a lot of work "
                "for one small step. Instead each step uses a random mini-batch, here of "
                f"{self.batch_size} images, so one pass over the data gives {per_epoch} steps. A batch's gradient "
                "is not the true one, but it points roughly the same way, and larger batches point more "
                "reliably. The code measured the cosine between batch gradients and the full gradient, at the "
                f"random start and after one epoch: for batches of {self.batch_size} it is "
                f"{agree_start[self.batch_size]:.2f} and {agree_mid[self.batch_size]:.2f}. "
                f"The whole training run took {mlp.n_steps:,} such steps, and the test accuracy climbed from "
                f"{100 * mlp.test_accuracy[0]:.0f} to {100 * mlp.test_accuracy[-1]:.1f} percent."
            ),
        )
        head = title(
            f"Mini-batches: {self.batch_size} images per step, {per_epoch} steps per epoch"
        )
        epochs = len(mlp.test_accuracy) - 1
        axes = plain_axes([0, epochs, max(1, epochs // 3)], [0, 1, 0.25], 5.6, 3.8).move_to(
            [-3.3, -0.3, 0]
        )
        tk = self.ticks(axes, xs=(0, epochs // 2, epochs), ys=(0, 0.5, 1), fmt=lambda v: f"{v:g}")
        acc = VMobject(color=PALETTE["accent"], stroke_width=4).set_points_as_corners(
            [axes.c2p(e, a) for e, a in enumerate(mlp.test_accuracy)]
        )
        top_cost = max(mlp.train_cost)
        cost = VMobject(color=PALETTE["negative"], stroke_width=4).set_points_as_corners(
            [axes.c2p(e, c / top_cost) for e, c in enumerate(mlp.train_cost)]
        )
        leg = (
            VGroup(
                row(
                    text("test accuracy, now", 17, PALETTE["accent"]),
                    number(100 * mlp.test_accuracy[-1], 1, 17, suffix="%", color=PALETTE["accent"]),
                    buff=0.12,
                ),
                text("training cost, as a share of its start", 17, PALETTE["negative"]),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            .next_to(axes, UP, buff=0.2)
            .align_to(axes, LEFT)
        )
        xl = text("epoch", 17, PALETTE["muted"]).next_to(axes, DOWN, buff=0.45)
        self.shown["final_accuracy"] = (leg[0][1], 100 * mlp.test_accuracy[-1])

        tx = 0.9
        mb = VGroup(
            text("how well a batch's gradient", 20),
            text("points like the full one (cosine)", 20),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        mb.move_to([tx, 1.9, 0], aligned_edge=LEFT)
        cx = [tx + 2.6 + 1.2 * i for i in range(len(sizes))]
        hdr = VGroup(
            text("batch size", 18, PALETTE["muted"]).move_to([tx, 0.95, 0], aligned_edge=LEFT)
        )
        for s_, c in zip(sizes, cx, strict=True):
            hdr.add(text(f"{s_}", 18, PALETTE["muted"]).move_to([c, 0.95, 0]))
        rows_ = VGroup()
        for r, (name, agree) in enumerate(
            (("at the start", agree_start), ("after epoch 1", agree_mid))
        ):
            y = 0.45 - 0.5 * r
            nums = [number(agree[s_], 2, 20) for s_ in sizes]
            rows_.add(
                VGroup(
                    text(name, 18).move_to([tx, y, 0], aligned_edge=LEFT),
                    *(m.move_to([c, y, 0]) for m, c in zip(nums, cx, strict=True)),
                )
            )
            self.shown[f"minibatch:{name}"] = list(
                zip(nums, (agree[s_] for s_ in sizes), strict=True)
            )
        note = (
            VGroup(
                text("1 = the same direction, 0 = unrelated;", 17, PALETTE["muted"]),
                text("mean over 30 random batches of each size", 17, PALETTE["muted"]),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.1)
            .move_to([tx, -1.0, 0], aligned_edge=UP + LEFT)
        )
        self.play(Write(head), Create(axes), FadeIn(tk), FadeIn(xl))
        self.play(Create(cost), Create(acc), FadeIn(leg), run_time=2)
        self.play(FadeIn(mb), FadeIn(hdr))
        self.play(FadeIn(rows_, lag_ratio=0.3))
        self.play(FadeIn(note))
        self.wait()

    # 7 -------------------------------------------------------------------------------------------
    def step_learned(self) -> None:
        from llmviz.model.foundations import load_training_log

        log = load_training_log(self.model_dir)
        cfg = log["train_config"]
        recorded = (
            list(log["checkpoints"][0]["predictions"])
            if log["checkpoints"]
            else list(LECTURE_PROMPTS)
        )
        prompt = self.prompt if self.prompt in recorded else recorded[0]
        cps = checkpoint_predictions(log, prompt)
        steps = np.array([s for s, _ in log["loss"]], dtype=float)
        losses = np.array([v for _, v in log["loss"]], dtype=float)
        vocab = self.model.cfg.vocab_size
        uniform = math.log(vocab)
        self.section(
            "How the embedded model learned",
            (
                "The transformer inside llmviz learned the same way, with backpropagation and Adam, a "
                "refined form of gradient descent, only with more parameters: "
                f"{sum(w.size for w in self.model.weights.values()):,} of them. It read windows of "
                f"{cfg['n_ctx']} tokens from {cfg['n_sentences']:,} generated sentences, {cfg['batch_size']} windows per step, "
                f"for {cfg['steps']:,} steps. The loss is the softmax cross-entropy of the true next token. "
                f"Guessing uniformly among {vocab:,} tokens would cost {uniform:.2f}; the recorded loss falls from "
                f'{losses[0]:.2f} to {losses[-1]:.2f}. Its first choice for "{prompt}" was saved at a few '
                "checkpoints: "
                + ", ".join(
                    f'step {cp.step:,}, "{token_label(cp.top[0][0])}" at {percent(cp.top[0][1]).replace("%", " percent")}'
                    for cp in cps
                )
                + ". This stage is called pretraining; chat assistants are trained further "
                "with human feedback, which this small model never had."
            ),
        )
        head = title("How the embedded model learned: the recorded training run")
        top = math.ceil(max(uniform, losses.max()) + 0.3)
        axes = plain_axes([0, cfg["steps"], 1000], [0, top, 1], 4.3, 4.2).move_to([-4.3, -0.35, 0])
        tk = self.ticks(
            axes,
            xs=(0, cfg["steps"] // 2, cfg["steps"]),
            ys=(0, top // 2, top),
            fmt=lambda v: f"{v:,.0f}",
        )
        curve = VMobject(color=PALETTE["accent"], stroke_width=3)
        curve.set_points_as_corners([axes.c2p(s, v) for s, v in zip(steps, losses, strict=True)])
        uni = DashedLine(
            axes.c2p(0, uniform),
            axes.c2p(cfg["steps"], uniform),
            color=PALETTE["muted"],
            stroke_width=2,
        )
        uni_lab = (
            text(f"uniform guess: ln {vocab:,} = {uniform:.2f}", 16, PALETTE["muted"])
            .next_to(uni, UP, buff=0.08)
            .align_to(uni, RIGHT)
        )
        ylab = (
            text(f"loss (mean over {cfg['log_every']} steps)", 18, PALETTE["muted"])
            .next_to(axes, UP, buff=0.2)
            .align_to(axes, LEFT)
        )
        xlab = (
            text("training step (dots: saved checkpoints)", 17, PALETTE["muted"])
            .next_to(axes, DOWN, buff=0.45)
            .align_to(axes, LEFT)
        )
        marks = VGroup(
            *(Dot(axes.c2p(cp.step, 0), radius=0.07, color=PALETTE["highlight"]) for cp in cps)
        )
        self.shown["loss_curve"] = (steps, losses)

        tx = -1.6
        t_head = text(f'"{prompt}" →', 20).move_to([tx, 2.55, 0], aligned_edge=LEFT)
        fit_width(t_head, 6.9 - tx)
        t_hdr = row(
            text("step", 18, PALETTE["muted"]),
            text("its top 3 next tokens at that step", 18, PALETTE["muted"]),
            buff=0.45,
        )
        t_hdr.move_to([tx, 2.0, 0], aligned_edge=LEFT)
        table = VGroup()
        for r, cp in enumerate(cps):
            y = 1.5 - 0.55 * r
            cells = VGroup(
                text(f"{cp.step:,}", 18, PALETTE["highlight"]).move_to(
                    [tx + 0.75, y, 0], aligned_edge=RIGHT
                )
            )
            for c, (tok, p) in enumerate(cp.top[:3]):
                cell = text(f"{token_label(tok)} {percent(p)}", 16)
                fit_width(cell, 2.3)
                cells.add(cell.move_to([tx + 1.05 + 2.55 * c, y, 0], aligned_edge=LEFT))
            table.add(cells)
        self.shown["checkpoints"] = (cps, table)
        note = None
        if prompt != self.prompt:
            note = text(
                f'predictions were saved during training only for the lecture prompts, not for "{self.prompt}"',
                17,
                PALETTE["highlight"],
            ).to_edge(DOWN, buff=0.25)
            fit_width(note)
        self.shown["checkpoint_note"] = note
        self.play(Write(head), Create(axes), FadeIn(tk), FadeIn(ylab), FadeIn(xlab))
        self.play(Create(uni), FadeIn(uni_lab))
        self.play(Create(curve), run_time=2.5)
        self.play(FadeIn(t_head), FadeIn(t_hdr))
        for m, r in zip(marks, table, strict=True):
            self.play(FadeIn(m, scale=2), FadeIn(r), run_time=0.6)
        if note is not None:
            self.play(FadeIn(note))
        self.wait()
        self.clear()
        self.step_prefixes()

    def step_prefixes(self) -> None:
        """The second page of step 7: one training sentence, a prediction at every prefix."""
        from llmviz.model.foundations import load_training_log

        log = load_training_log(self.model_dir)
        cfg = log["train_config"]
        found = find_training_sentence(self.prompt, cfg["n_sentences"], cfg["seed"])
        model = self.model
        if found is None:
            from llmviz.model.foundations import _corpus

            index, sentence = 0, _corpus(cfg["n_sentences"], cfg["seed"])[0]
        else:
            index, sentence = found
        example = sentence + "\n"  # training appends a newline to every sentence
        preds = prefix_predictions(model, example)
        ids = model.encode(example)
        if found is not None:
            cut = _last_token_of(model, ids, sentence, self.prompt)
        else:
            cut = len(ids) // 2
        cut = min(max(cut, 0), len(ids) - 2)
        p_cut = probabilities(_logits_at(model, ids, cut))
        order = np.argsort(-p_cut)
        alt = int(next(i for i in order if i != ids[cut + 1]))
        altered = ids[: cut + 1] + [alt] + ids[cut + 2 :]
        check = causal_check(model, ids, altered, cut)
        loss = float(np.mean([p.loss for p in preds]))
        n = len(preds)
        right = sum(p.predicted == p.actual for p in preds)
        before, after = (
            token_label(model.decode_token(ids[cut + 1])),
            token_label(model.decode_token(alt)),
        )
        self.section(
            "A prediction at every prefix",
            (
                "Training does not need a separate example for each prefix of a sentence. One forward pass "
                f"over a training sentence gives a prediction at every one of its {n} positions, each compared "
                f"with the token that really follows; here the model's first choice is right at {right} of them. "
                "The loss of the sentence is the average of minus the log of the probability given to the true "
                f"next token: {loss:.3f}. This is only fair because of the causal mask, which lets each position "
                "look back but never ahead, so no prediction can peek at the answer. The code checks it: with "
                f'"{after}" in place of "{before}", '
                + (
                    f"no logit at the first {cut + 1} positions changes at all, "
                    if check.max_change_before == 0
                    else f"the logits at the first {cut + 1} positions change by at most "
                    f"{check.max_change_before:.0e}, float rounding, "
                )
                + f"while later positions change by up to {check.max_change_after:.2f}."
            ),
        )
        head = title(
            f"One training sentence (number {index:,} of {cfg['n_sentences']:,}): every prefix"
        )
        cols = [-0.4, -0.1, 2.7, 5.2]
        hdr = VGroup(
            text("the model sees", 18, PALETTE["muted"]).move_to(
                [cols[0], 2.6, 0], aligned_edge=RIGHT
            ),
            text("its first choice", 18, PALETTE["muted"]).move_to(
                [cols[1], 2.6, 0], aligned_edge=LEFT
            ),
            text("true next", 18, PALETTE["muted"]).move_to([cols[2], 2.6, 0], aligned_edge=LEFT),
            formula("−log p(true)", 18, PALETTE["muted"]).move_to(
                [cols[3], 2.6, 0], aligned_edge=LEFT
            ),
        )
        rows = VGroup()
        dy = min(0.45, 4.0 / max(n, 1))
        fs = 18 if n <= 10 else 15
        for r, p in enumerate(preds):
            y = 2.1 - dy * r
            pre = self.prefix_text(
                p.prefix, fs, PALETTE["highlight"] if p.position == cut else None
            )
            pre.move_to([cols[0], y, 0], aligned_edge=RIGHT)
            ok = p.predicted == p.actual
            pr = text(
                f"{token_label(p.predicted)} {percent(p.predicted_prob)}",
                fs,
                PALETTE["accent"] if ok else PALETTE["negative"],
            )
            act = text(token_label(p.actual), fs)
            nl = number(p.loss, 3, fs, color=PALETTE["muted"])
            rows.add(
                VGroup(
                    pre,
                    pr.move_to([cols[1], y, 0], aligned_edge=LEFT),
                    act.move_to([cols[2], y, 0], aligned_edge=LEFT),
                    nl.move_to([cols[3] + 0.7, y, 0]),
                )
            )
        self.shown["prefixes"] = (preds, rows)
        mean_line = row(
            text(f"the sentence's loss, the mean over its {n} positions:", 18, PALETTE["muted"]),
            number(loss, 3, 18, color=PALETTE["highlight"]),
        )
        mean_line.move_to([0, 2.1 - dy * n - 0.1, 0])
        self.shown["sentence_loss"] = (mean_line[1], loss)
        self.shown["training_sentence"] = (index, sentence, found is not None)
        causal = (
            VGroup(
                row(
                    text("causal mask: put", 18),
                    text(f'"{after}"', 18, PALETTE["negative"]),
                    text("in place of", 18),
                    text(f'"{before}"', 18, PALETTE["highlight"]),
                    text("and run the sentence again", 18),
                    buff=0.18,
                ),
                row(
                    text(
                        f"largest change of any logit, first {cut + 1} positions:",
                        18,
                        PALETTE["muted"],
                    ),
                    sci(check.max_change_before, 18, PALETTE["highlight"]),
                    text("·", 18, PALETTE["muted"]),
                    text("later ones:", 18, PALETTE["muted"]),
                    number(check.max_change_after, 2, 18),
                    buff=0.18,
                ),
            )
            .arrange(DOWN, buff=0.12)
            .to_edge(DOWN, buff=0.3 if found is not None else 0.7)
        )
        for line in causal:
            fit_width(line)
        self.shown["causal"] = (
            causal[1][1],
            check.max_change_before,
            causal[1][4],
            check.max_change_after,
            check,
        )
        self.play(Write(head), FadeIn(hdr))
        self.play(FadeIn(rows, lag_ratio=0.15), run_time=2.5)
        self.play(FadeIn(mean_line))
        self.play(FadeIn(causal[0]))
        self.play(FadeIn(causal[1]))
        if found is None:
            note = text(
                f'"{self.prompt}" is not in the training corpus; this is its first sentence',
                17,
                PALETTE["highlight"],
            ).to_edge(DOWN, buff=0.25)
            fit_width(note)
            self.play(FadeIn(note))
        self.wait()

    def prefix_text(self, tokens, size: float, color: str | None, width: float = 6.3) -> FastText:
        """A prefix as text, cut at a token boundary with a leading … when it is too wide."""
        full = "".join(tokens).replace("\n", "↵")
        t = text(full, size, color)
        k = 1
        while t.width > width and k < len(tokens):
            t = text("…" + "".join(tokens[k:]).replace("\n", "↵").lstrip(), size, color)
            k += 1
        return fit_width(t, width)

    STEPS = ("sigmoid", "bce", "gradient_descent", "softmax", "neurons", "backprop", "learned")


def _last_token_of(model, ids, sentence: str, prompt: str) -> int:
    """Index of the token of ``sentence`` (tokenized as ``ids``) where ``prompt`` ends."""
    end = sentence.find(prompt) + len(prompt)
    lengths = np.cumsum([len(t) for t in model.tokenizer.token_strings(ids)])
    return int(np.searchsorted(lengths, end))


def _logits_at(model, ids, position: int) -> np.ndarray:
    import torch

    with torch.no_grad():
        return (
            model.net(torch.tensor([ids], device=model.device))[0, position].double().cpu().numpy()
        )


class Sigmoid(FoundationsScene):
    """1. The sigmoid, z = w·x + b on the generated 2-D data, the decision boundary."""

    def construct(self) -> None:
        self.step_sigmoid()


class CrossEntropy(FoundationsScene):
    """2. BCE curves, the likelihood product as a sum of logs, the gradient vs autograd."""

    def construct(self) -> None:
        self.step_bce()


class GradientDescent(FoundationsScene):
    """3. The recorded training run step by step; three learning rates."""

    def construct(self) -> None:
        self.step_gradient_descent()


class SoftmaxClasses(FoundationsScene):
    """4. softmax((1, 2, 8)), other bases and temperatures, the gradient y_hat - y vs autograd."""

    def construct(self) -> None:
        self.step_softmax()


class NeuronsAndLayers(FoundationsScene):
    """5. The trained digit network on a real test image; ReLU versus sigmoid."""

    def construct(self) -> None:
        self.step_neurons()


class Backpropagation(FoundationsScene):
    """6. The chain of one-neuron layers; the trained network's derivatives vs autograd; mini-batches."""

    def construct(self) -> None:
        self.step_backprop()


class HowTheModelLearned(FoundationsScene):
    """7. The shipped model's loss curve and checkpoints; a prediction at every prefix; the mask."""

    def construct(self) -> None:
        self.step_learned()


class FoundationsChapter(FoundationsScene):
    """The whole chapter in one video."""

    chapter_title = "Foundations: from logistic regression to backpropagation"

    def construct(self) -> None:
        for step in self.STEPS:
            getattr(self, f"step_{step}")()
            self.clear()

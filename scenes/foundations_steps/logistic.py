"""Scenes Sigmoid, DecisionBoundary, CrossEntropy, Likelihood (lecture steps F1, F5 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``boundary_right``,
``landed``, ``likelihood``, ``likelihood_table``, ``p0``, ``point``, ``sigma``, and that every
number said is on screen.

Logistic regression: the sigmoid, the decision boundary, binary cross-entropy and where that
loss comes from, on the generated 2-D data."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromCenter,
    GrowFromEdge,
    GrowFromPoint,
    LaggedStart,
    MoveAlongPath,
    Rectangle,
    ReplacementTransform,
    Transform,
    VGroup,
)

from foundations_steps.common import (
    CLASS0,
    CLASS1,
    CURVE,
    FIXED_DIGITS,
    POINT,
    FoundationsScene,
    tex,
    travel,
)
from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, FastText, ValueTable
from llmviz.model.experiments.functions import sigmoid
from llmviz.model.experiments.logistic import likelihood
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import sci_text


class LogisticStep(FoundationsScene):
    def sigmoid_axes(self, width: float, height: float):
        axes = plain_axes([-6, 6, 2], [0, 1, 0.5], width, height)
        curve = axes.plot(lambda t: float(sigmoid(t)), x_range=[-6, 6], color=PALETTE[CURVE])
        ticks = self.ticks(axes, xs=(-6, 0, 6), ys=(0, 0.5, 1))
        zlab = text("z", 22, PALETTE["muted"]).next_to(axes.c2p(6, 0), RIGHT, buff=0.15)
        return axes, curve, VGroup(ticks, zlab)

    def point_values(self):
        """The example point: its inputs, the trained weights, z and the probability."""
        k, run = self.lab.point, self.run
        w, b = run.w[-1], float(run.b[-1])
        x = self.data.x[k]
        z = float(x @ w + b)
        return k, x, w, b, z, float(sigmoid(z))

    # --- the sigmoid ------------------------------------------------------------------------------
    @step("The sigmoid", order=1, ignores=FIXED_DIGITS)
    def step_sigmoid(self) -> None:
        k, x, w, b, z, s = self.point_values()
        head = title("The sigmoid")
        axes, curve, ticks = self.sigmoid_axes(6.6, 4.0)
        VGroup(axes, curve, ticks).to_edge(LEFT, buff=0.9).shift(UP * 0.45)
        half = DashedLine(
            axes.c2p(-6, 0.5), axes.c2p(6, 0.5), color=PALETTE["muted"], stroke_width=2
        )
        # the whole picture first: the plot, the formulas right of it, the worked z under it
        rule = tex(r"\sigma(z) = \frac{1}{1 + e^{-z}}", size=40, color=PALETTE[CURVE])
        rule.next_to(axes, RIGHT, buff=0.8).align_to(axes, UP)
        zf = tex("z", "=", r"w_1 x_1 + w_2 x_2 + b", size=36).next_to(rule, DOWN, buff=0.6)
        zf.align_to(rule, LEFT)
        n = self.data.n
        nums = [self.num(v, 2, 26) for v in (w[0], x[0], w[1], x[1], b)]
        z_num = self.num(z, 2, 26, color=PALETTE[POINT])
        parts = [tex("z ="), nums[0], tex(r"\times"), nums[1], tex("+"), nums[2], tex(r"\times")]
        parts += [nums[3], tex("+"), nums[4], tex("="), z_num]
        eq = fit_width(VGroup(*parts).arrange(RIGHT, buff=0.14), 12.5)
        eq.next_to(axes, DOWN, buff=0.9).set_x(0)
        note = self.caption(
            f"one of the {n} points the code generated, with the weights and bias that training finds"
        )
        p1 = VGroup(tex(r"P(y=1 \mid x) = \sigma(z) ="), self.num(s, 2, 28)).arrange(RIGHT)
        p0 = VGroup(tex(r"P(y=0 \mid x) = 1 - \sigma(z) ="), self.num(1 - s, 2, 28))
        p0.arrange(RIGHT)
        probs = VGroup(p1, p0).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        probs.next_to(zf, DOWN, buff=0.55).align_to(zf, LEFT)
        fit_width(probs, 6.0)
        bars = VGroup(
            *(
                Rectangle(width=1.6 * v, height=0.22, stroke_width=0)
                .set_fill(c, 0.9)
                .next_to(p, RIGHT, buff=0.2)
                for v, p, c in ((s, p1, PALETTE[CLASS1]), (1 - s, p0, PALETTE[CLASS0]))
            )
        )
        s_num = self.num(s, 2, 26, color=PALETTE[POINT]).next_to(axes.c2p(-6, s), LEFT, 0.15)
        s_num.shift(UP * 0.25)
        plot = VGroup(axes, curve, ticks, half)
        whole = VGroup(plot, s_num, rule, zf, probs, bars, eq)
        fill_frame(whole, title=head, caption=note, max_scale=1.3)
        # the plot opens big in the middle and moves left when the formula comes in
        home = plot.copy()
        fill_frame(plot, title=head, caption=note, max_scale=1.6)
        self.say(
            "Logistic regression is the smallest model that learns.",
            self.title_in(head),
            Create(axes),
            FadeIn(ticks, shift=UP * 0.3),
        )
        self.say(
            "At its heart is the sigmoid: it squashes any number z into a value between 0 and 1.",
            Create(curve, run_time=2),
            Create(half),
        )
        self.say(
            "Its formula is one over one plus e to the minus z.",
            Transform(plot, home),
            FadeIn(rule, shift=LEFT * 0.5),
            LightUp(rule),
        )
        probe = Dot(axes.c2p(-6, float(sigmoid(-6))), radius=0.1, color=PALETTE[POINT])
        self.say(
            "A large negative z gives almost 0, a large positive z almost 1.",
            FadeIn(probe, scale=0.5),
            MoveAlongPath(probe, curve, run_time=2.5),
            FadeOut(probe),
        )
        self.remove(probe)  # gone, even when the beat ends by lighting up what it brought
        self.say(
            "And z weighs the inputs and adds a bias: z = w1 x1 + w2 x2 + b.",
            FadeIn(zf, shift=UP * 0.5),
            LightUp(zf[2]),
            self.whole(zf),
        )
        self.shown.update(w=(nums[0], w[0]), x=(nums[1], x[0]), b=(nums[4], b), z=(z_num, z))
        self.shown["point"] = k
        self.say(
            f"For one of the {n} points, with the weights that training finds, z = {z:.2f}.",
            FadeIn(note, shift=UP * 0.3),
            travel(zf, eq),
            LightUp(z_num),
        )
        foot = Dot(axes.c2p(z, 0), radius=0.08, color=PALETTE[POINT])
        on_curve = Dot(axes.c2p(z, s), radius=0.1, color=PALETTE[POINT])
        up = DashedLine(axes.c2p(z, 0), axes.c2p(z, s), color=PALETTE[POINT])
        across = DashedLine(axes.c2p(z, s), axes.c2p(-6, s), color=PALETTE[POINT])
        self.shown["sigma"] = (s_num, s)
        self.say(
            f"The sigmoid turns it into {s:.2f}: the probability that this point is class 1.",
            travel(z_num, foot),
            (Create(up), self.zoom_to(VGroup(axes, s_num), margin=1.1)),
            GrowFromCenter(on_curve),
            (Create(across), FadeIn(s_num, shift=LEFT * 0.5)),
        )
        self.shown["p0"] = Shown(p0[1], 1 - s)
        self.say(
            f"Class 0 gets the rest: 1 − {s:.2f} = {1 - s:.2f}.",
            (self.zoom_out(), travel(s_num, p1[1])),
            (FadeIn(p1[0], shift=UP * 0.4), FadeIn(p0, shift=UP * 0.4)),
            LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars), lag_ratio=0.4),
        )
        self.pass_on(sigmoid=(axes, curve, ticks, half))

    # --- the decision boundary --------------------------------------------------------------------
    @step("The decision boundary", order=2, ignores=FIXED_DIGITS)
    def step_boundary(self) -> None:
        data = self.data
        k, _x, w, b, _z, _s = self.point_values()
        zs = data.x @ w + b
        head = title("The decision boundary")
        plane = self.plane(4.8).to_edge(RIGHT, buff=1.0).shift(DOWN * 0.3)
        dots = self.scatter(plane)
        legend = self.legend().next_to(plane, UP, buff=0.2)
        made = text(f"{data.n} points generated by the code", 20, PALETTE["muted"])
        made.next_to(plane, DOWN, buff=0.75)
        axes, curve, ticks = self.sigmoid_axes(5.0, 2.8)
        VGroup(axes, curve, ticks).to_edge(LEFT, buff=0.9).shift(UP * 0.2)
        half = DashedLine(
            axes.c2p(-6, 0.5), axes.c2p(6, 0.5), color=PALETTE["muted"], stroke_width=2
        )
        got = self.received("sigmoid")  # the last step's sigmoid moves aside for the data
        self.say(
            f"Here are all {data.n} points, two overlapping clouds that the code generated.",
            self.title_in(head)
            if got is None
            else (self.title_in(head), ReplacementTransform(got, VGroup(axes, curve, ticks, half))),
            (Create(plane), FadeIn(made, shift=UP * 0.2)),
            LaggedStart(*(GrowFromCenter(d) for d in dots), lag_ratio=0.05),
        )
        ones = VGroup(*(d for d, y in zip(dots, data.y, strict=True) if y == 1))
        zeros = VGroup(*(d for d, y in zip(dots, data.y, strict=True) if y == 0))
        self.say(
            "Each point has a label, class 1 or class 0.",
            FadeIn(legend, shift=DOWN * 0.3),
            LightUp(ones),
            LightUp(zeros),
        )
        self.say(
            "The model says class 1 wherever the probability is at least one half.",
            *(
                ((Create(axes), FadeIn(ticks, shift=UP * 0.3)), Create(curve), Create(half))
                if got is None
                else (LightUp(half),)
            ),
        )
        mid = Dot(axes.c2p(0, 0.5), radius=0.1, color=PALETTE[POINT])
        zero = DashedLine(axes.c2p(0, 0), axes.c2p(0, 1), color=PALETTE[POINT])
        self.say(
            "The sigmoid crosses one half at z = 0, so that is wherever z is at least 0.",
            (self.zoom_to(VGroup(axes, ticks), margin=1.15), GrowFromCenter(mid)),
            Create(zero),
            LightUp(mid),
        )
        line = self.boundary(plane, w, b)
        label = tex(r"w \cdot x + b = 0", size=30, color=PALETTE[POINT])
        label.next_to(plane, DOWN, buff=0.25)
        self.say(
            "With the trained weights, z is 0 along a straight line: the decision boundary.",
            (self.zoom_out(), Create(line, run_time=1.5)),
            FadeIn(label, shift=UP * 0.3),
            LightUp(line),
        )
        landed = VGroup(
            *(
                Dot(
                    axes.c2p(float(np.clip(zi, -6, 6)), float(sigmoid(zi))),
                    radius=0.06,
                    color=d.get_color(),
                )
                for zi, d in zip(zs, dots, strict=True)
            )
        )
        self.shown["landed"] = list(zip(landed, zs, strict=True))
        self.say(
            "Every point lands on the sigmoid at its own z.",
            LaggedStart(
                *(travel(d, t) for d, t in zip(dots, landed, strict=True)),
                lag_ratio=0.04,
                run_time=2.5,
            ),
        )
        right = (zs >= 0) == (data.y == 1)
        wrong = VGroup(
            *(
                Circle(radius=0.14, color=PALETTE[POINT], stroke_width=3).move_to(d)
                for d, ok in zip(dots, right, strict=True)
                if not ok
            )
        )
        count = text(f"{int(right.sum())} of {data.n} on the side of their class", 24)
        count.next_to(axes, DOWN, buff=0.9)
        self.shown["boundary_right"] = (count, int(right.sum()))
        self.say(
            f"{int(right.sum())} of the {data.n} points lie on the side of their own class; "
            "the ringed ones do not.",
            FadeIn(count, shift=UP * 0.4),
            LaggedStart(*(Create(c) for c in wrong), lag_ratio=0.2),
            LightUp(wrong),
        )
        # the probability axis of the sigmoid becomes the loss's axis of predictions
        self.pass_on(probability=(axes, curve, ticks, half, zero, mid))

    # --- binary cross-entropy ---------------------------------------------------------------------
    @step("Binary cross-entropy", order=3, ignores=FIXED_DIGITS)
    def step_bce(self) -> None:
        _k, _x, _w, _b, _z, s = self.point_values()
        head = title("Binary cross-entropy")
        axes = plain_axes([0, 1, 0.5], [0, 5, 1], 6.0, 4.9).to_edge(LEFT, buff=1.0)
        axes.shift(DOWN * 0.4)
        tk = self.ticks(axes, xs=(0, 0.5, 1), ys=(0, 1, 2, 3, 4, 5))
        xlab = tex(r"\hat y", size=32, color=PALETTE["muted"])
        xlab.next_to(axes.c2p(1, 0), RIGHT, buff=0.2)
        got = self.received("probability")
        self.say(
            "How wrong is a prediction? The loss answers with one number.",
            *(
                (self.title_in(head), Create(axes))
                if got is None
                else ((self.title_in(head), ReplacementTransform(got, axes)),)
            ),
            (FadeIn(tk, shift=UP * 0.3), FadeIn(xlab, shift=LEFT * 0.3)),
        )
        eps = math.exp(-5)
        c1 = axes.plot(lambda p: -math.log(p), x_range=[eps, 1], color=PALETTE[CLASS1])
        c0 = axes.plot(lambda p: -math.log(1 - p), x_range=[0, 1 - eps], color=PALETTE[CLASS0])
        l1 = tex(r"y = 1:\ -\log \hat y", size=36, color=PALETTE[CLASS1])
        l0 = tex(r"y = 0:\ -\log(1 - \hat y)", size=36, color=PALETTE[CLASS0])
        VGroup(l1, l0).arrange(DOWN, aligned_edge=RIGHT, buff=0.3)
        VGroup(l1, l0).to_edge(RIGHT, buff=0.5).align_to(axes, UP)  # the legend at the right
        self.say(
            "If the label is 1, the loss is minus the log of ŷ, the predicted probability.",
            Create(c1, run_time=1.5),
            FadeIn(l1, shift=LEFT * 0.5),
        )
        probe = Dot(axes.c2p(0.5, -math.log(0.5)), radius=0.1, color=PALETTE[POINT])
        right_part = axes.plot(lambda p: -math.log(p), x_range=[0.5, 0.99])
        wrong_part = axes.plot(lambda p: -math.log(p), x_range=[eps, 0.99]).reverse_points()
        self.say(
            "It is almost nothing when the model is sure and right.",
            GrowFromCenter(probe),
            MoveAlongPath(probe, right_part, run_time=2),
        )
        self.say(
            "It grows without limit when the model is sure and wrong.",
            MoveAlongPath(probe, wrong_part, run_time=2.5),
            FadeOut(probe),
        )
        self.remove(probe)
        self.say(
            "If the label is 0, the loss is minus the log of 1 − ŷ instead: the mirror image.",
            Create(c0, run_time=1.5),
            FadeIn(l0, shift=LEFT * 0.5),
        )
        both = tex(r"L = -\big[", r"y \log \hat y", "+", r"(1 - y) \log(1 - \hat y)", r"\big]")
        fit_width(both, 6.0).next_to(VGroup(l1, l0), DOWN, buff=0.7).align_to(l1, RIGHT)
        self.say(
            "One formula holds both cases, because y is either 1 or 0.",
            FadeIn(both, shift=UP * 0.5),
            LightUp(both[1], color=PALETTE[CLASS1]),
            LightUp(both[3], color=PALETTE[CLASS0]),
        )
        cost = -math.log(s)
        at = Dot(axes.c2p(s, cost), radius=0.1, color=PALETTE[POINT])
        drop = DashedLine(axes.c2p(s, 0), axes.c2p(s, cost), color=PALETTE[POINT])
        line = VGroup(
            tex(r"\hat y ="), self.num(s, 2, 28), tex(r"\quad L = -\log"), self.num(s, 2, 28)
        )
        line.add(tex("="), self.num(cost, 2, 28, color=PALETTE[POINT]))
        fit_width(line.arrange(RIGHT, buff=0.12), 6.0)
        line.next_to(both, DOWN, buff=0.6).align_to(both, RIGHT)
        self.shown["point_loss"] = Shown(line[5], cost)
        self.say(
            f"Our point from before has label 1 and ŷ = {s:.2f}, so its loss is {cost:.2f}.",
            Create(drop),
            GrowFromPoint(at, axes.c2p(s, 0)),
            FadeIn(line[:4], shift=UP * 0.4),
            travel(at, line[4:]),
        )
        self.pass_on(loss=both)  # the formula for both labels is a probability in disguise

    # --- where the loss comes from ----------------------------------------------------------------
    @step("Where the loss comes from", order=4, ignores=FIXED_DIGITS)
    def step_likelihood(self) -> None:
        run, data = self.run, self.data
        n = data.n
        lik0, log0 = likelihood(run.w[0], float(run.b[0]), data)
        lik1, log1 = likelihood(run.w[-1], float(run.b[-1]), data)
        head = title("Where the loss comes from")
        one = tex(r"P(y \mid x) =", r"\hat y^{\,y}", r"(1 - \hat y)^{1 - y}", size=36)
        prod = tex(
            r"\mathcal{L} = \prod_{i=1}^{N} \hat y_i^{\,y_i} (1 - \hat y_i)^{1 - y_i}", size=36
        )
        prod.next_to(one, DOWN, buff=0.45).align_to(one, LEFT)
        n_note = tex(f"N = {n}", size=32, color=PALETTE["muted"]).next_to(prod, RIGHT, buff=0.6)
        rows = [
            ["likelihood", FastText(sci_text(lik0), 26), FastText(sci_text(lik1), 26)],
            ["log-likelihood", log0, log1],
            ["mean BCE", -log0 / n, -log1 / n],
        ]
        table = ValueTable(
            rows,
            [Column(""), Column("random start", 3), Column("after training", 3)],
            font_size=26,
        )
        logsum = tex(
            r"\log \mathcal{L} = \sum_{i=1}^{N} y_i \log \hat y_i + (1 - y_i) \log(1 - \hat y_i)",
            size=34,
        )
        fit_width(logsum, 8.0).next_to(prod, DOWN, buff=0.45).align_to(prod, LEFT)
        # the whole picture first: the one-label formula beside the product, the log of the
        # product under them, the table at the bottom right; the first formula opens big in the
        # middle, over its two cases, and moves to its place
        VGroup(prod, n_note).next_to(one, RIGHT, buff=0.9)
        logsum.next_to(VGroup(one, prod), DOWN, buff=0.45).align_to(one, LEFT)
        table.next_to(logsum, DOWN, buff=0.4).align_to(VGroup(prod, n_note), RIGHT)
        fill_frame(VGroup(one, prod, n_note, logsum, table), title=head, max_scale=1.4)
        home = one.copy()
        cases = VGroup(
            tex(r"y = 1:\ ", r"\hat y", size=36, color=PALETTE[CLASS1]),
            tex(r"y = 0:\ ", r"1 - \hat y", size=36, color=PALETTE[CLASS0]),
        ).arrange(RIGHT, buff=1.2)
        cases.next_to(one, DOWN, buff=0.6)
        fill_frame(VGroup(one, cases), title=head, max_scale=2.2)
        got = self.received("loss")
        self.say(
            "This loss is not arbitrary: it comes from the probability of the labels.",
            self.title_in(head),
            FadeIn(one, shift=RIGHT * 0.5) if got is None else ReplacementTransform(got, one),
        )
        self.say(
            "A label of one has probability ŷ and a label of zero has 1 − ŷ: one formula gives both.",
            (FadeIn(cases[0], shift=UP * 0.3), LightUp(one[1], color=PALETTE[CLASS1])),
            (FadeIn(cases[1], shift=UP * 0.3), LightUp(one[2], color=PALETTE[CLASS0])),
            self.whole(one),
        )
        self.say(
            f"The {n} labels together have the product of these: the likelihood.",
            FadeOut(cases),
            travel(one, prod),
            FadeIn(n_note, shift=LEFT * 0.4),
        )
        self.shown["likelihood_table"] = table
        self.shown["likelihood"] = (lik0, lik1)
        self.say(
            f"At the random start it is {sci_text(lik0)}; after training, {sci_text(lik1)}.",
            (Transform(one, home), FadeIn(table.header, shift=UP * 0.4)),
            FadeIn(table.row("likelihood"), shift=UP * 0.4),
            LightUp(table.cell("likelihood", "after training")),
        )
        self.say(
            "Products of many small numbers are awkward, so we take the log: a sum instead.",
            travel(prod, logsum),
            FadeIn(table.row("log-likelihood"), shift=UP * 0.4),
            LightUp(table.row("log-likelihood")),
        )
        b0, b1 = table.value("mean BCE", "random start"), table.value("mean BCE", "after training")
        self.say(
            f"Flip the sign and divide by {n}: the mean binary cross-entropy, {b0:.3f} at the "
            f"start and {b1:.3f} after training.",
            FadeIn(table.row("mean BCE"), shift=UP * 0.4),
            LightUp(table.cell("mean BCE", "random start")),
            LightUp(table.cell("mean BCE", "after training")),
        )
        self.say(
            "A higher likelihood is a lower loss, so minimising one maximises the other.",
            LightUp(table.cell("likelihood", "after training")),
            LightUp(table.cell("mean BCE", "after training")),
        )
        self.pass_on(loss=logsum)  # the next step takes the slope of this loss

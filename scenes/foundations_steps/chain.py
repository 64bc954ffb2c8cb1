"""Scenes ChainRule. tests/scenes/test_foundations.py pins their section titles, the shown values
``chain_point``, ``chain_w1``, ``error``, ``factors``, ``gradient_diff``, ``gradient_table``, and
that every number said is on screen.

The gradient of binary cross-entropy by the chain rule: its three factors for one point, with
real numbers, their product against torch's autograd, and the average over every point."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    VGroup,
)

from foundations_steps.common import CLASS1, FIXED_DIGITS, POINT, FoundationsScene, tex, travel
from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, text, title
from llmviz.mobjects import Column, ValueTable
from llmviz.model.experiments.chain_rule import bce_chain
from llmviz.model.experiments.logistic import logistic_gradient, logistic_gradient_autograd
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import sci_text, signed

AUTOGRAD = "accent"  # torch's numbers, the whole chapter long


class ChainStep(FoundationsScene):
    def chain_example(self):
        """The example point's loss at the random start, where the gradient is large."""
        k = self.lab.point
        w0, b0 = self.run.w[0], float(self.run.b[0])
        return k, bce_chain(w0, b0, self.data.x[k], float(self.data.y[k]))

    @step("The chain rule, factor by factor", order=5, ignores=FIXED_DIGITS)
    def step_chain_rule(self) -> None:
        k, ch = self.chain_example()
        head = title("The gradient by the chain rule")
        chain = tex(
            r"\frac{\partial \ell}{\partial w_1} =",
            r"\frac{\partial \ell}{\partial \hat y}",
            r"\cdot",
            r"\frac{\partial \hat y}{\partial z}",
            r"\cdot",
            r"\frac{\partial z}{\partial w_1}",
            size=52,
        )
        chain.next_to(head, DOWN, buff=0.6)
        forms = [
            tex(r"-\Big(\frac{y}{\hat y} - \frac{1-y}{1-\hat y}\Big)", size=34),
            tex(r"\hat y\,(1 - \hat y)", size=34),
            tex("x_1", size=34),
        ]
        nums = [
            self.num(ch.dl_dyhat, 3, 32, color=PALETTE[POINT]),
            self.num(ch.dyhat_dz, 3, 32, color=PALETTE[POINT]),
            self.num(float(ch.dz_dw[0]), 3, 32, color=PALETTE[POINT]),
        ]
        for part, f, n in zip((chain[1], chain[3], chain[5]), forms, nums, strict=True):
            f.next_to(part, DOWN, buff=0.45)
            n.next_to(f, DOWN, buff=0.3)
        overlap = forms[0].get_right()[0] - forms[1].get_left()[0] + 0.3  # the first is wide
        if overlap > 0:
            VGroup(forms[0], nums[0]).shift(LEFT * overlap)
        low = min(n.get_y() for n in nums)  # the three numbers on one line
        for n in nums:
            n.set_y(low)
        self.shown["factors"] = {
            "dl_dyhat": (nums[0], ch.dl_dyhat),
            "dyhat_dz": (nums[1], ch.dyhat_dz),
            "dz_dw1": (nums[2], float(ch.dz_dw[0])),
        }
        point = text(
            f"one point, label {int(ch.y)}, at the random start: z = {ch.z:.2f}, ŷ = {ch.y_hat:.2f}",
            22,
            PALETTE["muted"],
        )
        fit_width(point).to_edge(DOWN, buff=0.35)
        g_hand, g_auto = float(ch.grad[0]), float(ch.grad_autograd[0])
        prod = VGroup(
            tex(r"\frac{\partial \ell}{\partial w_1} =", size=34),
            self.num(g_hand, 4, 30, sign=True, color=PALETTE[POINT]),
        ).arrange(RIGHT, buff=0.2)
        auto = VGroup(
            text("torch autograd:", 24, PALETTE[AUTOGRAD]),
            self.num(g_auto, 4, 30, sign=True, color=PALETTE[AUTOGRAD]),
        ).arrange(RIGHT, buff=0.2)
        res = VGroup(prod, auto).arrange(RIGHT, buff=0.9)
        res.next_to(VGroup(*nums), DOWN, buff=0.55).set_x(0)
        fill_frame(
            VGroup(chain, *forms, *nums, res),
            title=head,
            caption=point,
            max_scale=1.6,
            shrink=False,
        )
        # the chain opens big in the middle and moves to its place over its factors
        home = chain.copy()
        fill_frame(chain, title=head, caption=point, max_scale=2.0, shrink=False)
        got = self.received("loss")
        self.say(
            "To lower the loss we need its slope with respect to each weight.",
            self.title_in(head),
            FadeIn(chain[0], shift=RIGHT * 0.5)
            if got is None
            else ReplacementTransform(got, chain[0]),
        )
        self.say(
            "The chain rule breaks that slope into three easy factors.",
            LaggedStart(*(FadeIn(p, shift=UP * 0.3) for p in chain[1:]), lag_ratio=0.3),
        )
        self.shown["chain_point"] = (k, ch)
        self.say(
            f"Take our point at the random start, where the model gives it ŷ = {ch.y_hat:.2f}.",
            FadeIn(point, shift=UP * 0.3),
        )
        self.say(
            f"How the loss changes with ŷ: {ch.dl_dyhat:.3f}, steep, because ŷ is far from the label.",
            (Transform(chain, home), self.zoom_to(VGroup(home, *forms, *nums), margin=1.15)),
            FadeIn(forms[0], shift=DOWN * 0.3),
            travel(forms[0], nums[0]),
            LightUp(chain[1], color=PALETTE[POINT]),
        )
        self.say(
            f"How ŷ changes with z, the sigmoid's slope: {ch.dyhat_dz:.3f}.",
            FadeIn(forms[1], shift=DOWN * 0.3),
            travel(forms[1], nums[1]),
            LightUp(chain[3], color=PALETTE[POINT]),
        )
        self.say(
            f"How z changes with w1: just the input x1, {ch.dz_dw[0]:.3f}.",
            FadeIn(forms[2], shift=DOWN * 0.3),
            travel(forms[2], nums[2]),
            LightUp(chain[5], color=PALETTE[POINT]),
        )
        self.shown["chain_w1"] = {"hand": (prod[1], g_hand), "autograd": (auto[1], g_auto)}
        self.say(
            f"Multiplied together they give {signed(g_hand, 4)}.",
            (self.zoom_out(), FadeIn(prod[0], shift=UP * 0.3)),
            travel(VGroup(*nums), prod[1]),
        )
        self.say(
            f"Torch's autograd, which knows nothing of these formulas, gets {signed(g_auto, 4)}.",
            FadeIn(auto, shift=LEFT * 0.4),
            LightUp(auto[1], color=PALETTE[AUTOGRAD]),
        )
        # the first two factors simplify
        err = ch.error
        simple = VGroup(
            tex(r"\frac{\partial \ell}{\partial \hat y} \cdot \frac{\partial \hat y}{\partial z}"),
            tex(r"= \hat y - y ="),
            self.num(err, 3, 28, sign=True, color=PALETTE[CLASS1]),
        ).arrange(RIGHT, buff=0.2)
        simple.move_to(point).shift(UP * 0.05)
        box = SurroundingRectangle(VGroup(nums[0], nums[1]), color=PALETTE[CLASS1], buff=0.12)
        self.shown["error"] = Shown(simple[2], err)
        self.say(
            f"The first two factors cancel into something simple: ŷ minus y, {signed(err, 3)}.",
            Create(box),
            (point.animate.set_opacity(0), FadeIn(simple, shift=UP * 0.3)),
        )
        self.remove(point)
        # every point, averaged
        data = self.data
        w0, b0 = self.run.w[0], float(self.run.b[0])
        hand = logistic_gradient(w0, b0, data)
        autog = logistic_gradient_autograd(w0, b0, data)
        full = tex(r"\nabla C = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)\, x_i", size=36).next_to(
            simple, UP, buff=0.35
        )
        table = ValueTable(
            [["by hand", *hand.vector], ["torch autograd", *autog.vector]],
            [
                Column(""),
                Column("∂C/∂w1", 4, True),
                Column("∂C/∂w2", 4, True),
                Column("∂C/∂b", 4, True),
            ],
            font_size=30,
        )
        for c in table.row("torch autograd"):
            c.set_color(PALETTE[AUTOGRAD])
        diff = float(max(abs(a - b) for a, b in zip(hand.vector, autog.vector, strict=True)))
        gap = text(f"largest difference: {sci_text(diff)}", 22, PALETTE["muted"])
        full = VGroup(full, text(f"N = {data.n} points", 24, PALETTE["muted"])).arrange(
            RIGHT, buff=0.5
        )
        block = VGroup(full, table, gap).arrange(DOWN, buff=0.35)
        block.next_to(head, DOWN, buff=0.5)
        fill_frame(block, title=head, caption=simple, max_scale=1.4, shrink=False)
        self.shown["gradient_table"] = table
        self.shown["gradient_diff"] = (gap, diff)
        self.say(
            f"The loss of all {data.n} points is their average, so the gradient is the average "
            "of ŷ − y times the input.",
            FadeOut(VGroup(*forms, *nums, box, res, chain), shift=UP * 0.5),
            FadeIn(full, shift=DOWN * 0.3),
        )
        self.say(
            "By hand and by autograd, the three slopes at the random start agree.",
            FadeIn(table.header, shift=UP * 0.3),
            FadeIn(table.row("by hand"), shift=UP * 0.3),
            travel(table.row("by hand"), table.row("torch autograd")),
        )
        self.say(
            f"The largest difference between them is {sci_text(diff)}, float rounding.",
            FadeIn(gap, shift=UP * 0.3),
            LightUp(gap),
        )

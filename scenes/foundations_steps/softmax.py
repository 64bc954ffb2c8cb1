"""Softmax for many classes: scores to probabilities, other bases as temperatures, and the
cross-entropy's gradient through the softmax (prediction minus label) against autograd."""

from __future__ import annotations

import math

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    VGroup,
)

from foundations_steps.chain import AUTOGRAD
from foundations_steps.common import FoundationsScene, sci_text, signed, tex, travel
from llmviz.mobjects import Column, NumericVector, ValueTable
from llmviz.model.chain_rule import softmax_jacobian
from llmviz.model.foundations import softmax_base, softmax_example
from llmviz.scene import text, title
from llmviz.style import PALETTE


def base_name(base: float) -> str:
    return "e" if math.isclose(base, math.e) else f"{base:g}"


class SoftmaxStep(FoundationsScene):
    def step_softmax(self) -> None:
        ex = softmax_example(tuple(self.softmax_logits), self.softmax_true_class)
        k, n = ex.true_class, len(ex.logits)
        self.section("Softmax for many classes")
        head = title("Softmax: many classes")
        z_vec = NumericVector(ex.logits, decimals=0, font_size=30)
        e_vec = NumericVector(ex.exps, decimals=2, font_size=30)
        p_vec = NumericVector(ex.probs, decimals=3, font_size=30, saturation=1.0)
        VGroup(z_vec, e_vec, p_vec).arrange(RIGHT, buff=2.2).next_to(head, DOWN, buff=0.9)
        VGroup(z_vec, e_vec, p_vec).to_edge(LEFT, buff=1.2)
        labels = VGroup(
            tex("z", size=32, color=PALETTE["muted"]).next_to(z_vec, UP, buff=0.25),
            tex("e^{z}", size=32, color=PALETTE["muted"]).next_to(e_vec, UP, buff=0.25),
            tex(r"\hat y = e^{z} / \textstyle\sum e^{z}", size=32, color=PALETTE["muted"]),
        )
        labels[2].next_to(p_vec, UP, buff=0.25)
        scores = ", ".join(f"{v:g}" for v in ex.logits)
        self.say(
            f"With more than two classes, each class gets a score, a logit: here {scores}.",
            FadeIn(head, shift=DOWN * 0.5),
            (FadeIn(z_vec, shift=RIGHT * 0.4), FadeIn(labels[0])),
        )
        a1 = Arrow(z_vec.get_right(), e_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        self.say(
            "Softmax raises e to each score, which makes every one positive.",
            GrowArrow(a1),
            (travel(z_vec, e_vec), FadeIn(labels[1])),
        )
        total = float(ex.exps.sum())
        a2 = Arrow(e_vec.get_right(), p_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        div = VGroup(tex(r"\div", size=30), self.num(total, 2, 24)).arrange(RIGHT, buff=0.1)
        div.next_to(a2, UP, buff=0.1)
        self.shown["exp_sum"] = (div[1], total)
        self.shown["probs"] = p_vec
        self.say(
            f"Then it divides by their sum, {total:.2f}, so that the results add up to 1.",
            (GrowArrow(a2), FadeIn(div, shift=DOWN * 0.2)),
            (travel(e_vec, p_vec), FadeIn(labels[2])),
        )
        big = int(ex.probs.argmax())
        self.say(
            f"The exponential exaggerates differences: the largest score takes "
            f"{ex.probs[big]:.3f} of the probability.",
            Indicate(p_vec.get_entry(big), scale_factor=1.5),
        )
        # other bases
        bases = list(self.softmax_bases)
        rows = [
            [f"b = {base_name(b)}", *softmax_base(ex.logits, b), 1 / math.log(b)] for b in bases
        ]
        cols = [Column("base"), *(Column(f"class {i + 1}", 3) for i in range(n)), Column("T", 2)]
        btable = ValueTable(rows, cols, row_names=[base_name(b) for b in bases], font_size=24)
        btable.to_edge(DOWN, buff=0.9).to_edge(LEFT, buff=0.8)
        rule = tex(r"b^{z} = e^{z / T},\quad T = 1/\ln b", size=30).next_to(btable, UP, 0.3)
        rule.align_to(btable, LEFT)
        self.shown["bases"] = btable
        self.say(
            "Nothing forces the base to be e: another base is the same as dividing the scores "
            "by a temperature T.",
            FadeIn(rule, shift=UP * 0.3),
            FadeIn(btable.header, shift=UP * 0.3),
            FadeIn(btable.row("e"), shift=UP * 0.3),
        )
        small, large = min(bases), max(bases)
        self.say(
            f"Base {base_name(large)} sharpens the distribution, base {base_name(small)} "
            "flattens it; base e keeps the derivatives simple.",
            *(
                FadeIn(btable.row(base_name(b)), shift=UP * 0.3)
                for b in bases
                if base_name(b) != "e"
            ),
            Indicate(btable.cell(base_name(large), f"class {big + 1}"), scale_factor=1.4),
        )
        # the gradient
        jac = softmax_jacobian(ex.logits, k)
        self.play(FadeOut(VGroup(rule, btable)), run_time=0.5)
        y_vec = NumericVector(jac.target, decimals=0, font_size=30)
        loss = VGroup(
            tex(rf"L = -\log \hat y_{{{k + 1}}} =", size=32), self.num(ex.loss, 3, 28)
        ).arrange(RIGHT, buff=0.15)
        gtable = ValueTable(
            [["ŷ − y, by hand", *jac.grad], ["torch autograd", *jac.grad_autograd]],
            [Column(""), *(Column(f"class {i + 1}", 3, True) for i in range(n))],
            font_size=24,
        )
        for c in gtable.row("torch autograd"):
            c.set_color(PALETTE[AUTOGRAD])
        y_lab = tex("y", size=32, color=PALETTE["muted"]).next_to(y_vec, UP, buff=0.25)
        VGroup(y_vec, y_lab).next_to(p_vec, RIGHT, buff=1.0)
        gap = text(
            f"largest difference, Jacobian included: {sci_text(jac.largest_difference)}",
            22,
            PALETTE["muted"],
        )
        block = VGroup(loss, gtable, gap).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        block.to_edge(DOWN, buff=0.4).to_edge(LEFT, buff=0.8)
        self.shown["softmax_loss"] = (loss[1], ex.loss)
        self.shown["softmax_grad"] = gtable
        self.shown["softmax_jacobian"] = jac
        self.say(
            f"If the true class is class {k + 1}, the label is a one-hot y and the loss is minus "
            f"the log of its probability, {ex.loss:.3f}.",
            (FadeIn(y_vec, shift=LEFT * 0.3), FadeIn(y_lab)),
            Indicate(p_vec.get_entry(k), scale_factor=1.5),
            FadeIn(loss, shift=UP * 0.3),
        )
        g = jac.grad
        self.say(
            f"Its gradient with respect to the scores is again prediction minus label: "
            f"{', '.join(signed(v, 3) for v in g)}.",
            FadeIn(gtable.header, shift=UP * 0.3),
            travel(VGroup(p_vec, y_vec), gtable.row("ŷ − y, by hand")),
        )
        self.shown["softmax_diff"] = (gap, jac.largest_difference)
        self.say(
            f"Autograd, through the full softmax Jacobian, agrees to {sci_text(jac.largest_difference)}.",
            FadeIn(gtable.row("torch autograd"), shift=UP * 0.3),
            FadeIn(gap, shift=LEFT * 0.3),
        )

"""Scenes SoftmaxClasses (lecture steps C8, C9, C15, F10 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``bases``,
``dl_dyhat``, ``exp_sum``, ``jacobian_matrix``, ``probs``, ``softmax_diff``, ``softmax_grad``, and
that every number said is on screen.

Softmax for many classes: scores to probabilities, other bases as temperatures, and the
cross-entropy's gradient through the softmax (prediction minus label) against autograd."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    Transform,
    VGroup,
)

from foundations_steps.chain import AUTOGRAD
from foundations_steps.common import FIXED_DIGITS, FoundationsScene, tex, travel
from llmviz.animations import LightUp
from llmviz.layout import fill_frame, safe_area, text, title
from llmviz.mobjects import Column, NumericMatrix, NumericVector, ValueTable
from llmviz.model.experiments.chain_rule import softmax_jacobian
from llmviz.model.experiments.functions import softmax_base
from llmviz.model.experiments.logistic import softmax_example
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE, format_number
from llmviz.words import sci_text, signed


def base_name(base: float) -> str:
    return "e" if math.isclose(base, math.e) else f"{base:g}"


class SoftmaxStep(FoundationsScene):
    @step("Softmax for many classes", order=9, ignores=FIXED_DIGITS)
    def step_softmax(self) -> None:
        ex = softmax_example(tuple(self.softmax_logits), self.softmax_true_class)
        k, n = ex.true_class, len(ex.logits)
        jac = softmax_jacobian(ex.logits, k)
        head = title("Softmax: many classes")
        # --- every part of the step at its own size: the scores' row, the bases, the gradient
        z_vec = NumericVector(ex.logits, decimals=0, font_size=30, entry_buff=0.22)
        e_vec = NumericVector(ex.exps, decimals=2, thousands=True, font_size=30, entry_buff=0.22)
        p_vec = NumericVector(ex.probs, decimals=3, font_size=30, saturation=1.0, entry_buff=0.22)
        e_vec.next_to(z_vec, RIGHT, buff=1.8)
        p_vec.next_to(e_vec, RIGHT, buff=2.3)
        labels = VGroup(
            tex("z", size=32, color=PALETTE["muted"]).next_to(z_vec, UP, buff=0.25),
            tex("e^{z}", size=32, color=PALETTE["muted"]).next_to(e_vec, UP, buff=0.25),
            tex(r"\hat y = e^{z} / \textstyle\sum e^{z}", size=32, color=PALETTE["muted"]),
        )
        labels[2].next_to(p_vec, UP, buff=0.25)
        a1 = Arrow(z_vec.get_right(), e_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        a2 = Arrow(e_vec.get_right(), p_vec.get_left(), buff=0.25, color=PALETTE["muted"])
        total = float(ex.exps.sum())
        div = VGroup(tex(r"\div", size=30), self.num(total, 2, 26, thousands=True))
        div.arrange(RIGHT, buff=0.1)
        div.next_to(a2, UP, buff=0.1)
        row = VGroup(z_vec, a1, e_vec, a2, div, p_vec, labels)
        bases = list(self.softmax_bases)
        rows = [
            [f"b = {base_name(b)}", *softmax_base(ex.logits, b), 1 / math.log(b)] for b in bases
        ]
        cols = [Column("base"), *(Column(f"class {i + 1}", 3) for i in range(n)), Column("T", 2)]
        btable = ValueTable(rows, cols, row_names=[base_name(b) for b in bases], font_size=28)
        rule = tex(r"b^{z} = e^{z / T}", r"T = 1/\ln b", size=44)
        rule.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        y_vec = NumericVector(jac.target, decimals=0, font_size=30, entry_buff=0.22)
        y_lab = tex("y", size=32, color=PALETTE["muted"]).next_to(y_vec, UP, buff=0.25)
        dl = jac.dl_dyhat + 0.0  # no -0.0
        dl_vec = NumericVector(dl, decimals=1, font_size=30, entry_buff=0.22)
        dl_lab = tex(r"\partial L / \partial \hat y", size=32, color=PALETTE["muted"])
        loss = VGroup(
            tex(rf"L = -\log \hat y_{{{k + 1}}} =", size=36), self.num(ex.loss, 3, 32)
        ).arrange(RIGHT, buff=0.15)
        gtable = ValueTable(
            [["ŷ − y, by hand", *jac.grad], ["torch autograd", *jac.grad_autograd]],
            [Column(""), *(Column(f"class {i + 1}", 3, True) for i in range(n))],
            font_size=30,
        )
        for c in gtable.row("torch autograd"):
            c.set_color(PALETTE[AUTOGRAD])
        gap = text(
            f"largest difference, Jacobian included: {sci_text(jac.largest_difference)}",
            26,
            PALETTE["muted"],
        )
        product = tex(
            r"\frac{\partial L}{\partial z} = J^{\top} \frac{\partial L}{\partial \hat y}",
            size=36,
        )
        formula, prefix, matrix, power = self.jacobian_parts(jac)
        # the bases' picture: the row over the rule and the table, filling the frame
        home_a = row.copy()
        VGroup(rule, btable).arrange(RIGHT, buff=1.0)
        picture_a = VGroup(home_a, VGroup(rule, btable)).arrange(DOWN, buff=0.6)
        fill_frame(picture_a, title=head, max_scale=1.5)
        # the gradient's picture: the row with y and dL/dy_hat, the loss, the product and its
        # table on the left, the Jacobian on the right
        y_vec.next_to(p_vec, RIGHT, buff=1.0)
        y_lab.next_to(y_vec, UP, buff=0.25)
        dl_vec.next_to(y_vec, RIGHT, buff=1.0).align_to(y_vec, DOWN)
        dl_lab.next_to(dl_vec, UP, buff=0.25)
        top = VGroup(row, y_vec, y_lab, dl_vec, dl_lab)
        left = VGroup(loss, product, gtable, gap).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        jacobian = VGroup(prefix, matrix)
        spare = left.height - formula.height - jacobian.height  # the Jacobian ends with the table
        right = VGroup(formula, jacobian).arrange(DOWN, buff=max(0.4, spare / 2))
        picture_b = VGroup(top, VGroup(left, right).arrange(RIGHT, buff=0.9, aligned_edge=DOWN))
        picture_b.arrange(DOWN, buff=0.6)
        fill_frame(picture_b, title=head, max_scale=1.5)
        home_b = row.copy()
        # the parts that first come alone open big below the row, and move to their places
        # when the next part comes in
        loss_home, formula_home = loss.copy(), formula.copy()
        _, bottom, right_edge, top_edge = safe_area(head)
        for part in (loss, formula):  # at the bottom right, under where the Jacobian goes
            part.scale(1.4).next_to([right_edge, bottom, 0], UP + LEFT, buff=0.2)
        # the row opens big, a little below the middle of the free area
        fill_frame(row, title=head, max_scale=1.6)
        row.shift(DOWN * (row.get_bottom()[1] - bottom) / 2)
        scores = ", ".join(f"{v:g}" for v in ex.logits)
        self.say(
            f"With more than two classes, each class gets a score, a logit: here {scores}.",
            self.title_in(head),
            (FadeIn(z_vec, shift=RIGHT * 0.4), FadeIn(labels[0])),
        )
        self.say(
            "Softmax raises e to each score, which makes every one positive.",
            GrowArrow(a1),
            (travel(z_vec, e_vec), FadeIn(labels[1])),
        )
        self.shown["exp_sum"] = Shown(div[1], total)
        self.shown["probs"] = p_vec
        self.say(
            f"Then it divides by their sum, {total:,.2f}, so that the results add up to 1.",
            (GrowArrow(a2), FadeIn(div, shift=DOWN * 0.2)),
            (travel(e_vec, p_vec), FadeIn(labels[2])),
        )
        big = int(ex.probs.argmax())
        self.say(
            f"The exponential exaggerates differences: the largest score takes "
            f"{ex.probs[big]:.3f} of the probability.",
            self.zoom_to(VGroup(e_vec, p_vec, labels[2]), margin=1.08),
            LightUp(p_vec.get_entry(big)),
        )
        # other bases
        self.shown["bases"] = btable
        self.say(
            "Nothing forces the base to be e: another base is the same as dividing the scores "
            "by a temperature T.",
            (self.zoom_out(), Transform(row, home_a)),
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
            LightUp(btable.cell(base_name(large), f"class {big + 1}")),
        )
        # the gradient
        self.shown["softmax_loss"] = Shown(loss[1], ex.loss)
        self.shown["softmax_grad"] = gtable
        self.shown["softmax_jacobian"] = jac
        self.say(
            f"If the true class is class {k + 1}, the label is a one-hot y and the loss is minus "
            f"the log of its probability, {ex.loss:.3f}.",
            (FadeOut(VGroup(rule, btable)), Transform(row, home_b)),
            (FadeIn(y_vec, shift=LEFT * 0.3), FadeIn(y_lab), FadeIn(loss, shift=UP * 0.3)),
            LightUp(p_vec.get_entry(k)),
        )
        self.jacobian_beats(
            jac, (formula, formula_home), (prefix, matrix, power), (loss, loss_home)
        )
        self.dl_beat(jac, (dl_vec, dl_lab), y_vec, p_vec, matrix)
        g = jac.grad
        self.say(
            f"J transposed times it keeps row {k + 1} of J, scaled by {self.dl_text}; that is "
            f"again prediction minus label: {', '.join(signed(v, 3) for v in g)}.",
            (Create(self.jac_row), LightUp(self.dl_vec.get_entry(k))),
            (FadeIn(gtable.header, shift=UP * 0.3), FadeIn(product, shift=LEFT * 0.2)),
            travel(VGroup(self.jac_cells, self.dl_vec), gtable.row("ŷ − y, by hand")),
        )
        self.shown["softmax_diff"] = (gap, jac.largest_difference)
        self.say(
            f"Autograd, on the Jacobian and on the gradient, agrees to "
            f"{sci_text(jac.largest_difference)}.",
            FadeIn(gtable.row("torch autograd"), shift=UP * 0.3),
            FadeIn(gap, shift=LEFT * 0.3),
        )

    def jacobian_parts(self, jac):
        """The softmax Jacobian's formula, and its real matrix for these scores (entries scaled
        by a power of ten when they are all small) with its prefix ``J =``."""
        formula = tex(
            r"\frac{\partial \hat y_j}{\partial z_k} =",
            r"\hat y_j\,(",
            r"\delta_{jk}",
            r"- \hat y_k)",
            size=40,
        )
        big = float(np.abs(jac.jacobian).max())
        power = int(math.floor(math.log10(big))) if big > 0 else 0
        power = power if power < -1 else 0  # scale only entries that all start with 0.00
        shown = jac.jacobian * 10.0 ** (-power)
        matrix = NumericMatrix(
            shown, decimals=3, font_size=30, h_buff=0.3, shape_label=True, label_size=24
        )
        prefix = tex(r"J =" if not power else rf"J = 10^{{{power}}}\times", size=36)
        prefix.next_to(matrix.brackets, LEFT, buff=0.15)
        prefix.set_y(matrix.brackets.get_y())
        return formula, prefix, matrix, power

    def jacobian_beats(self, jac, formulas, matrix_parts, losses) -> None:
        """The softmax Jacobian typeset (it opens big below the row while the loss moves to its
        place), its real matrix for these scores (the formula moves to its place above it), and
        the diagonal against the rest."""
        formula, formula_home = formulas
        prefix, matrix, power = matrix_parts
        loss, loss_home = losses
        n = len(jac.logits)
        self.shown["jacobian_matrix"] = (matrix, power)
        self.say(
            "How each probability moves with each score is the softmax Jacobian, where delta is "
            "1 when j equals k and 0 otherwise.",
            Transform(loss, loss_home),
            FadeIn(formula, shift=UP * 0.3),
            LightUp(formula[2]),
        )
        unit = f", written in units of 10 to the minus {-power}" if power else ""
        scores = ", ".join(f"{v:g}" for v in jac.logits)
        p_vec = self.shown["probs"]
        self.say(
            f"For the scores {scores} it is a real {n} by {n} matrix{unit}.",
            Transform(formula, formula_home),
            (travel(p_vec, matrix.grid), FadeIn(matrix.brackets), FadeIn(matrix.shape_label)),
            FadeIn(prefix, shift=RIGHT * 0.2),
        )
        diag = VGroup(*(matrix.cell(i, i) for i in range(n)))
        off = VGroup(*(matrix.cell(i, j) for i in range(n) for j in range(n) if i != j))
        d, o = np.diag(jac.jacobian), jac.jacobian[~np.eye(n, dtype=bool)]
        d_sign = "positive" if (d > 0).all() else "not all positive"
        o_sign = "negative" if (o < 0).all() else "not all negative"
        self.say(
            f"On the diagonal delta is 1 and the entries are {d_sign}; off it they are minus a "
            f"product of two probabilities, {o_sign}.",
            LightUp(diag, color=PALETTE["positive"]),
            LightUp(off, color=PALETTE["negative"]),
        )

    def dl_beat(self, jac, dls, y_vec, p_vec, matrix) -> None:
        """dL/dy_hat: minus y over y_hat, non-zero only at the true class."""
        dl_vec, dl_lab = dls
        k = jac.true_class
        self.dl_text = format_number(float(dl_vec.values[k]), 1)
        self.shown["dl_dyhat"] = dl_vec
        self.say(
            f"The loss sees only the true class: its derivative by the probabilities is minus "
            f"y over y hat, {self.dl_text} there and 0 elsewhere.",
            (travel(VGroup(y_vec, p_vec), dl_vec), FadeIn(dl_lab, shift=DOWN * 0.2)),
            LightUp(dl_vec.get_entry(k)),
        )
        self.dl_vec = dl_vec
        self.jac_row, self.jac_cells = matrix.highlight_row(k), matrix.get_row(k)

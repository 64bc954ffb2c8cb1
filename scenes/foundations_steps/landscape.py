"""Scenes CostLandscape, GradientDescent, LearningRate (lecture steps F7 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``after_one``,
``contour_levels``, ``descent_final``, ``downhill``, ``downhill_parts``, ``gap_to_lowest``,
``lowest``, ``lr_table``, ``lr_verdicts``, ``start``, ``step_lengths``, and that every number said
is on screen.

The cost landscape C(w1, w2) of the two-weight logistic regression (the bias held): its
contour map, minus the gradient as the arrow whose signs say which weight to raise or lower,
the recorded gradient-descent path running down it, and three learning rates."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    GrowArrow,
    GrowFromCenter,
    LaggedStart,
    ManimColor,
    ReplacementTransform,
    ValueTracker,
    VGroup,
    VMobject,
    always_redraw,
    interpolate_color,
    linear,
)

from foundations_steps.common import FIXED_DIGITS, POINT, FoundationsScene, tex
from llmviz.animations import LightUp
from llmviz.layout import backdrop, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, ValueTable
from llmviz.model.experiments.landscape import (
    CostSurface,
    DescentPath,
    contour_levels,
    contour_segments,
    cost_surface,
    window,
)
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import signed

DOWNHILL = "accent"  # minus the gradient
LR_COLORS = ("muted", "highlight", "negative", "positive", "accent")


def verdict(path: DescentPath, low_loss: float) -> str:
    """What a descent did, read from its recorded costs."""
    if path.rises:
        return f"overshoots: the cost rose at {path.rises} of {path.steps} steps"
    if path.loss[-1] > low_loss + 0.05:
        return "still far from the bottom"
    return "the cost fell at every step"


class LandscapeStep(FoundationsScene):
    # --- pictures -----------------------------------------------------------------------------
    def weight_axes(self, surface: CostSurface, size: float = 5.4) -> tuple[Axes, VGroup]:
        (a1, b1), (a2, b2) = (surface.w1[0], surface.w1[-1]), (surface.w2[0], surface.w2[-1])
        axes = plain_axes([a1, b1, 1], [a2, b2, 1], size, size, include_ticks=False)
        labels = VGroup(
            tex("w_1", size=32, color=PALETTE["muted"]).next_to(axes.x_axis, RIGHT, buff=0.15),
            tex("w_2", size=32, color=PALETTE["muted"]).next_to(axes.y_axis, UP, buff=0.1),
        )
        return axes, labels

    def contours(self, axes: Axes, surface: CostSurface, n: int = 6) -> VGroup:
        """One line per level of cost, darker to lighter as the cost rises; ``.levels`` holds the
        costs."""
        levels = contour_levels(surface, n)
        low, high = ManimColor(PALETTE[DOWNHILL]), ManimColor(PALETTE["muted"])
        lines = VGroup()
        for i, level in enumerate(levels):
            m = VMobject(stroke_width=2.5, stroke_opacity=0.85)
            m.set_color(interpolate_color(low, high, i / max(len(levels) - 1, 1)))
            for a, b in contour_segments(surface, float(level)):
                m.start_new_path(axes.c2p(*a))
                m.add_line_to(axes.c2p(*b))
            lines.add(m)
        lines.levels = levels
        return lines

    def path_line(self, axes: Axes, w: np.ndarray, color: str, upto: int | None = None) -> VMobject:
        pts = [axes.c2p(*p) for p in w[: (len(w) if upto is None else upto + 1)]]
        m = VMobject(color=color, stroke_width=3)
        m.set_points_as_corners(pts if len(pts) > 1 else [pts[0], pts[0]])
        return m

    def landscape_caption(self, axes: Axes) -> VGroup:
        """What the map shows, under it: no projection (the two weights are the whole space)."""
        cap = VGroup(
            text(f"mean BCE of the {self.data.n} points over both weights", 20, PALETTE["muted"]),
            text(f"no projection · bias held at {self.lab.path.bias:g}", 20, PALETTE["muted"]),
        ).arrange(DOWN, buff=0.08)
        return fit_width(cap, axes.width + 0.6).next_to(axes, DOWN, buff=0.5)

    # --- the landscape and the downhill arrow ---------------------------------------------------
    @step("The cost landscape", order=6, ignores=FIXED_DIGITS)
    def step_landscape(self) -> None:
        lab = self.lab
        path, low, surface = lab.path, lab.low, lab.surface
        head = title("The cost landscape")
        axes, labels = self.weight_axes(surface)
        VGroup(axes, labels).to_edge(LEFT, buff=0.9).to_edge(UP, buff=1.05)
        cap = self.landscape_caption(axes)
        self.say(
            f"Hold the bias at {path.bias:g}, and the cost depends on just two weights, "
            "so we can draw it over their plane.",
            self.title_in(head),
            (Create(axes), FadeIn(labels)),
            FadeIn(cap, shift=UP * 0.3),
        )
        lines = self.contours(axes, surface)
        self.shown["contour_levels"] = lines.levels
        self.say(
            "Each line joins weights of equal cost, like the contour lines of a map.",
            LaggedStart(
                *(FadeIn(m, scale=1.25) for m in reversed(lines)), lag_ratio=0.3, run_time=3
            ),
        )
        bottom = Dot(axes.c2p(*low.w), radius=0.09, color=PALETTE[DOWNHILL])
        low_lab = VGroup(text("lowest", 20, PALETTE[DOWNHILL]), self.num(low.loss, 3, 20))
        low_lab.arrange(RIGHT, buff=0.1).next_to(bottom, UP, buff=0.15)
        # the innermost ring runs through where the label goes: the label on its backdrop stays
        # drawn over the rings, whatever is added after it
        low_back = backdrop(low_lab).set_z_index(1)
        low_lab.set_z_index(2)
        self.shown["lowest"] = Shown(low_lab[1], low.loss)
        self.say(
            f"The valley's lowest point costs {low.loss:.3f}.",
            GrowFromCenter(bottom),
            (FadeIn(low_back), FadeIn(low_lab, shift=DOWN * 0.2)),
        )
        # the data plane beside it, with the boundary of the current weights
        plane = self.plane(3.0).to_edge(RIGHT, buff=1.2).to_edge(UP, buff=1.1)
        dots = self.scatter(plane)
        w0 = path.w[0]
        start = Dot(axes.c2p(*w0), radius=0.1, color=PALETTE[POINT])
        line = self.boundary(plane, w0, path.bias)
        start_lab = VGroup(
            tex("w_1 =", size=28),
            self.num(w0[0], 2, 24),
            tex(", \\; w_2 =", size=28),
            self.num(w0[1], 2, 24),
            tex(",\\; C =", size=28),
            self.num(path.loss[0], 3, 24, color=PALETTE[POINT]),
        ).arrange(RIGHT, buff=0.1)
        fit_width(start_lab, 5.6).next_to(plane, DOWN, buff=0.3).to_edge(RIGHT, buff=0.6)
        self.shown["start"] = {
            "w1": (start_lab[1], float(w0[0])),
            "w2": (start_lab[3], float(w0[1])),
            "cost": (start_lab[5], float(path.loss[0])),
        }
        self.say(
            f"Training starts from random weights, w1 = {w0[0]:.2f} and w2 = {w0[1]:.2f}, "
            f"where the cost is {path.loss[0]:.3f}.",
            GrowFromCenter(start),
            (Create(plane), FadeIn(dots)),
            (Create(line), FadeIn(start_lab, shift=UP * 0.3)),
        )
        # minus the gradient, drawn as the first step (alpha times it)
        g = path.grad[0]
        step = -path.lr * g
        arrow = Arrow(
            axes.c2p(*w0),
            axes.c2p(*(w0 + step)),
            buff=0,
            color=PALETTE[DOWNHILL],
            stroke_width=6,
            max_tip_length_to_length_ratio=0.2,
        )
        arrow_lab = tex(r"-\nabla C", size=32, color=PALETTE[DOWNHILL]).next_to(
            arrow.get_end(), RIGHT, buff=0.15
        )
        self.shown["downhill"] = (arrow, -g)
        self.say(
            "The gradient points uphill, so its negative points downhill, across the lines.",
            self.zoom_to(VGroup(axes, labels), margin=1.1),
            GrowArrow(arrow),
            FadeIn(arrow_lab, shift=LEFT * 0.2),
        )
        parts = []
        for i, name in enumerate(("w_1", "w_2")):
            v = float(-g[i])
            move = "raise" if v > 0 else "lower"
            comp = Arrow(
                axes.c2p(*w0),
                axes.c2p(*(w0 + (step * (np.arange(2) == i)))),
                buff=0,
                color=PALETTE[POINT],
                stroke_width=4,
                max_tip_length_to_length_ratio=0.3,
            )
            row = VGroup(
                tex(rf"-\frac{{\partial C}}{{\partial {name}}} =", size=30),
                self.num(v, 3, 26, sign=True, color=PALETTE[POINT]),
                text(f"{move} {name.replace('_', '')}", 24, PALETTE[POINT]),
            ).arrange(RIGHT, buff=0.15)
            parts.append((comp, row, v, move))
        rows = VGroup(*(p[1] for p in parts)).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(rows, 5.6).next_to(start_lab, DOWN, buff=0.3)
        rows.align_to(start_lab, LEFT)
        self.shown["downhill_parts"] = [(p[1][1], p[2], p[3]) for p in parts]
        for k, (comp, row, v, move) in enumerate(parts):
            sign = "positive" if v > 0 else "negative"
            self.say(
                f"Its {('first', 'second')[k]} part is {signed(v, 3)}, {sign}: {move} w{k + 1}.",
                GrowArrow(comp),
                FadeIn(row, shift=UP * 0.3),
                LightUp(row[2]),
            )
        w1 = path.w[1]
        moved = Dot(axes.c2p(*w1), radius=0.1, color=PALETTE[POINT])
        line1 = self.boundary(plane, w1, path.bias)
        after = VGroup(text("after one step: C =", 22), self.num(path.loss[1], 3, 24))
        after.arrange(RIGHT, buff=0.15).next_to(rows, DOWN, buff=0.25).align_to(rows, LEFT)
        self.shown["after_one"] = Shown(after[1], float(path.loss[1]))
        self.say(
            f"One step along the arrow, with α = {path.lr:g}, lowers the cost from "
            f"{path.loss[0]:.3f} to {path.loss[1]:.3f} and turns the boundary.",
            (self.zoom_out(), start.animate.move_to(moved)),
            (line.animate.become(line1), FadeIn(after, shift=UP * 0.3)),
        )
        self.pass_on(landscape=(axes, labels, lines, bottom), data=(plane, dots))

    # --- the path down ------------------------------------------------------------------------
    @step("Gradient descent", order=7, ignores=FIXED_DIGITS)
    def step_descent(self) -> None:
        lab = self.lab
        path, low, surface = lab.path, lab.low, lab.surface
        n = path.steps
        head = title(r"Gradient descent: w ← w − α∇C")
        axes, labels = self.weight_axes(surface)
        VGroup(axes, labels).to_edge(LEFT, buff=0.9).to_edge(UP, buff=1.05)
        lines = self.contours(axes, surface)
        bottom = Dot(axes.c2p(*low.w), radius=0.09, color=PALETTE[DOWNHILL])
        plane = self.plane(3.0).to_edge(RIGHT, buff=1.2).to_edge(UP, buff=1.1)
        dots = self.scatter(plane)
        got, got_data = self.received("landscape"), self.received("data")
        self.say(
            "Gradient descent repeats that step: compute the gradient, then move against it.",
            *(
                (
                    self.title_in(head),
                    (Create(axes), FadeIn(labels), Create(lines)),
                    (FadeIn(bottom), Create(plane), FadeIn(dots)),
                )
                if got is None or got_data is None
                else (
                    (
                        self.title_in(head),
                        ReplacementTransform(got, VGroup(axes, labels, lines, bottom)),
                        ReplacementTransform(got_data, VGroup(plane, dots)),
                    ),
                )
            ),
        )
        t = ValueTracker(0.0)

        def at() -> np.ndarray:
            x = t.get_value()
            i = min(int(x), n - 1)
            return path.w[i] + (x - i) * (path.w[i + 1] - path.w[i])

        def cost_at() -> float:
            x = t.get_value()
            i = min(int(x), n - 1)
            return float(path.loss[i] + (x - i) * (path.loss[i + 1] - path.loss[i]))

        def trail() -> VMobject:
            i = int(t.get_value())
            pts = [axes.c2p(*p) for p in path.w[: i + 1]] + [axes.c2p(*at())]
            return VMobject(color=PALETTE[POINT], stroke_width=3).set_points_as_corners(pts)

        trail_m = always_redraw(trail)
        dot = always_redraw(lambda: Dot(axes.c2p(*at()), radius=0.1, color=PALETTE[POINT]))
        line = always_redraw(lambda: self.boundary(plane, at(), path.bias))
        # laid out at their widest values, so that growing they never reach the next label
        step_n = self.num(n, 0, 26)
        cost_n = self.num(path.loss[0], 3, 26, color=PALETTE[POINT])
        acc_n = self.num(100, 0, 26, suffix="%")
        names = [text(w, 22, PALETTE["muted"]) for w in ("step", "cost", "right side")]
        counter = VGroup(
            *(
                VGroup(k, v).arrange(RIGHT, buff=0.12)
                for k, v in zip(names, (step_n, cost_n, acc_n), strict=True)
            )
        ).arrange(RIGHT, buff=0.35)
        counter.next_to(plane, DOWN, buff=0.35)  # not scaled: its numbers change size

        def counting(number, name, value):  # each number starts right after its name
            number.add_updater(lambda m: m.set_value(value()).next_to(name, RIGHT, buff=0.12))
            number.update()

        counting(step_n, names[0], lambda: round(t.get_value()))
        counting(cost_n, names[1], cost_at)
        counting(acc_n, names[2], lambda: 100 * path.accuracy[round(t.get_value())])
        self.add(trail_m, dot, line)
        self.say(
            f"Here are all {n} steps, with α = {path.lr:g}: the weights run down into the valley "
            "while the boundary turns.",
            FadeIn(counter, shift=UP * 0.3),
            t.animate(rate_func=lambda a: a * a, run_time=6).set_value(n),
        )
        for m in (trail_m, dot, line, step_n, cost_n, acc_n):
            m.clear_updaters()
        step_n.set_value(n).next_to(names[0], RIGHT, buff=0.12)
        cost_n.set_value(float(path.loss[-1])).next_to(names[1], RIGHT, buff=0.12)
        acc_n.set_value(100 * path.accuracy[-1]).next_to(names[2], RIGHT, buff=0.12)
        self.shown["descent_final"] = {
            "cost": (cost_n, float(path.loss[-1])),
            "accuracy": (acc_n, 100 * float(path.accuracy[-1])),
        }
        lengths = path.step_lengths
        first = VGroup(
            Dot(axes.c2p(*path.w[0]), radius=0.07, color=PALETTE[POINT]),
            Dot(axes.c2p(*path.w[1]), radius=0.07, color=PALETTE[POINT]),
        )
        lens = VGroup(
            text("step length: first", 22, PALETTE["muted"]),
            self.num(lengths[0], 2, 24),
            text("last", 22, PALETTE["muted"]),
            self.num(lengths[-1], 3, 24),
        ).arrange(RIGHT, buff=0.15)
        fit_width(lens, 5.8).next_to(counter, DOWN, buff=0.3)
        self.shown["step_lengths"] = {
            "first": (lens[1], float(lengths[0])),
            "last": (lens[3], float(lengths[-1])),
        }
        self.say(
            f"The first step is long, {lengths[0]:.2f}, where the slope is steep; the last is "
            f"only {lengths[-1]:.3f}, where the valley flattens out.",
            self.zoom_to(VGroup(axes, labels), margin=1.1),
            LightUp(first),
            FadeIn(lens, shift=UP * 0.3),
        )
        gap = float(path.loss[-1] - low.loss)
        rest = VGroup(text("above the lowest point by", 22, PALETTE["muted"]), self.num(gap, 3, 24))
        rest.arrange(RIGHT, buff=0.15)
        fit_width(rest, 5.8).next_to(lens, DOWN, buff=0.3)
        to_low = DashedLine(dot.get_center(), bottom.get_center(), color=PALETTE[DOWNHILL])
        self.shown["gap_to_lowest"] = Shown(rest[1], gap)
        acc = 100 * float(path.accuracy[-1])
        self.say(
            f"After {n} steps the cost is {path.loss[-1]:.3f}, {gap:.3f} above the lowest point, "
            f"and {acc:.0f}% of the points lie on their own side.",
            (self.zoom_out(), LightUp(cost_n), LightUp(acc_n)),
            (Create(to_low), FadeIn(rest, shift=UP * 0.3)),
        )
        self.pass_on(landscape=(axes, labels, lines, bottom))

    # --- learning rates -------------------------------------------------------------------------
    @step("The learning rate", order=8, ignores=FIXED_DIGITS)
    def step_learning_rate(self) -> None:
        lab = self.lab
        runs, low = lab.runs, lab.low
        n = runs[0].steps
        every = np.vstack([r.w for r in runs] + [low.w[None]])
        w1r, w2r = window(every, margin=0.12)
        surface = cost_surface(self.data, w1r, w2r, self.landscape_grid, lab.path.bias)
        head = title("The learning rate α")
        axes, labels = self.weight_axes(surface, 5.6)
        VGroup(axes, labels).to_edge(LEFT, buff=0.9).to_edge(UP, buff=1.05)
        lines = self.contours(axes, surface)
        start = Dot(axes.c2p(*runs[0].w[0]), radius=0.1, color=PALETTE["text"])
        bottom = Dot(axes.c2p(*low.w), radius=0.09, color=PALETTE[DOWNHILL])
        setup = text(f"{len(runs)} learning rates, the same start, {n} steps each", 22)
        verdicts = [verdict(r, low.loss) for r in runs]
        table = ValueTable(
            [[f"α = {r.lr:g}", float(r.loss[-1]), r.rises] for r in runs],
            [Column("rate"), Column("final cost", 3), Column("rises", 0)],
            row_names=[f"{r.lr:g}" for r in runs],
            font_size=26,
        )
        colors = [PALETTE[c] for c in LR_COLORS]
        for r, c in zip(table.body, colors, strict=False):
            r[0].set_color(c)
        says = VGroup(*(text(v, 20, c) for v, c in zip(verdicts, colors, strict=False)))
        says.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        moral = text("small α: slow · large α: overshoots", 22, PALETTE["muted"])
        right = VGroup(setup, table, says, moral).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        fit_width(right, 6.0).to_edge(RIGHT, buff=0.6).align_to(axes, UP)
        self.shown["lr_table"] = table
        self.shown["lr_verdicts"] = dict(zip(table.row_names, verdicts, strict=True))
        got = self.received("landscape")  # the same map, redrawn over a wider window
        self.say(
            f"How far to step is our choice: here are {len(runs)} learning rates, from the same "
            f"start, {n} steps each.",
            *(
                (
                    self.title_in(head),
                    (Create(axes), FadeIn(labels), Create(lines)),
                    (GrowFromCenter(start), GrowFromCenter(bottom)),
                )
                if got is None
                else (
                    (
                        self.title_in(head),
                        ReplacementTransform(got, VGroup(axes, labels, lines, bottom)),
                    ),
                    GrowFromCenter(start),
                )
            ),
            FadeIn(setup, shift=LEFT * 0.3),
        )
        self.say(
            "Each run is a row: its final cost, and how often the cost went up.",
            FadeIn(table.header, shift=UP * 0.3),
        )
        for k, (r, v) in enumerate(zip(runs, verdicts, strict=True)):
            c = colors[k % len(colors)]
            trail = self.path_line(axes, r.w, c)
            trail.set_stroke(width=4 if r.rises else 3)
            end = Dot(axes.c2p(*r.w[-1]), radius=0.08, color=c)
            self.say(
                f"With α = {r.lr:g} the cost ends at {r.loss[-1]:.3f}: {v}.",
                Create(trail, rate_func=linear, run_time=2.5),
                (
                    GrowFromCenter(end),
                    FadeIn(table.row(f"{r.lr:g}"), shift=UP * 0.3),
                    FadeIn(says[k], shift=UP * 0.2),
                ),
            )
        self.say(
            "Too small a step wastes time; too large a step jumps across the valley.",
            FadeIn(moral, shift=UP * 0.3),
        )

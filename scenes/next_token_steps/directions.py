"""Scenes EmbeddingDirections, DotProductAngle, DotProducts (lecture steps B7, B8, B9, G4 in
COVERAGE.md). tests/scenes/test_next_token*.py pin their section titles, the shown values
``alignment``, ``analogy``, ``baseline``, ``directions``, ``dot_sweep``, ``gender_cosine``, and
that every number said is on screen.

Directions in the embedding space: woman − man against queen − king, the dot product as two
arrows whose angle sweeps through 90°, and dot products with a plural direction."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Angle,
    Arrow,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    UpdateFromAlphaFunc,
    ValueTracker,
    VGroup,
    smooth,
)

from llmviz.animations import LightUp
from llmviz.layout import code, math, number, place_label, text, title
from llmviz.mobjects import Column, ValueTable, VectorPlane
from llmviz.model.analysis.embedding import (
    alignment,
    analogy,
    compare_directions,
    difference_baseline,
    project_embeddings,
)
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import count_word, quoted, signed
from next_token_steps.common import NextTokenScene, fill


def _word(w: str) -> str:
    return w.strip() or w


class DirectionsStep(NextTokenScene):
    def _missing(self, head, words, got=None) -> bool:
        """Say on screen that some example words are not single tokens; True if so (what the
        last step handed over, ``got``, then fades)."""
        _, missing = self.words_of(words)
        if not missing:
            return False
        shown = ", ".join(f"“{_word(w)}”" for w in missing)
        note = self.not_found(f"Not single tokens of this model: {shown}").next_to(
            head, DOWN, buff=1.0
        )
        self.say(
            f"This model's vocabulary has no single token for {shown}, so this step cannot be "
            "measured here.",
            (self.title_in(head), *([FadeOut(got)] if got is not None else [])),
            FadeIn(note, shift=UP * 0.5),
        )
        return True

    @step("Directions", order=15)
    def step_directions(self) -> None:
        (a, b), (c, d) = self.gender
        head = title(f"{_word(b)} − {_word(a)} and {_word(d)} − {_word(c)}")
        got = self.received("bars")
        if self._missing(head, [a, b, c, d], got):
            self.shown["directions"] = None
            return
        dim = self.model.cfg.d_model
        cmp = compare_directions(self.model, (a, b), (c, d))
        base = difference_baseline(self.model)
        near = analogy(self.model, a, b, c, k=3)
        strong = near[0][0] == d
        quad = [a, b, c, d]
        proj = project_embeddings(self.model, quad, 2)
        E = np.asarray(self.model.W_E, dtype=np.float64)
        ids = [self.model.token_id(w) for w in quad]
        guess = proj.project((E[ids[2]] + E[ids[1]] - E[ids[0]])[None])[0]
        pts = np.vstack([proj.coords, guess])
        plane = VectorPlane(
            pts,
            size=5.2,
            caption=f"4 word vectors: PCA plane, keeps {100 * sum(proj.explained):.0f}% of the spread",
        )
        facts = VGroup(
            text(f"in all {dim:,} dimensions:", 24),
            VGroup(text("cosine of the two arrows", 24), number(cmp.cosine, size=26)).arrange(
                RIGHT, buff=0.25
            ),
            VGroup(
                text("random pairs (average size)", 22, PALETTE["muted"]),
                number(base, size=24, color=PALETTE["muted"]),
            ).arrange(RIGHT, buff=0.25),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        table = ValueTable(
            [
                [code(_word(w), 24, PALETTE["accent"] if i == 0 else None), s]
                for i, (w, s) in enumerate(near)
            ],
            [Column(f"closest to {_word(c)} − {_word(a)} + {_word(b)}"), Column("cosine")],
            row_names=[w for w, _ in near],
            font_size=24,
        )
        side = VGroup(facts, table).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        self.beside(head, plane, side)
        fill(VGroup(plane, side), title=head, max_scale=1.3)
        dots = VGroup(*(plane.dot(p, PALETTE["text"], radius=0.08) for p in proj.coords))
        arrows = VGroup(
            Arrow(dots[0], dots[1], buff=0.1, color=PALETTE["highlight"], stroke_width=5),
            Arrow(dots[2], dots[3], buff=0.1, color=PALETTE["highlight"], stroke_width=5),
        )
        ring = Circle(radius=0.14, color=PALETTE["accent"], stroke_width=3).move_to(
            plane.point(guess)
        )
        labels = VGroup()
        for w, dt in zip(quad, dots, strict=True):  # each name clear of the arrows and the ring
            avoid = [*arrows, ring, *dots, plane.axes, *labels]
            labels.add(place_label(text(_word(w), 24), dt, avoid, away_from=plane.point((0, 0))))
        self.shown["gender_cosine"] = Shown(facts[1][1], cmp.cosine)
        self.shown["baseline"] = Shown(facts[2][1], base)
        self.shown["analogy"] = table
        self.shown["directions"] = (cmp, near)
        self.say(
            "Directions in this space can carry meaning.",
            self.title_in(head),
            (
                FadeIn(plane),
                ReplacementTransform(got, dots)
                if got is not None
                else LaggedStart(*(FadeIn(x, scale=0.3) for x in dots), lag_ratio=0.2),
            ),
            FadeIn(labels, shift=UP * 0.2),
        )
        self.say(
            f"Take the step from {quoted(a)} to {quoted(b)}, and the step from {quoted(c)} to "
            f"{quoted(d)}.",
            GrowArrow(arrows[0]),
            GrowArrow(arrows[1]),
        )
        self.say(
            f"In all {dim:,} dimensions the two steps have a cosine of {cmp.cosine:.2f}.",
            LaggedStart(*(FadeIn(f, shift=LEFT * 0.4) for f in facts[:2]), lag_ratio=0.4),
        )
        self.say(
            f"Steps between random pairs of tokens have cosines of {base:.2f} on average, "
            "either way, so this is more than chance.",
            FadeIn(facts[2], shift=LEFT * 0.4),
            LightUp(facts[2]),
        )
        found = quoted(near[0][0])
        self.say(
            f"Adding the first step to {quoted(c)} lands closest to {found}"
            + (", so the analogy works." if strong else f", not {quoted(d)}."),
            (Create(ring), FadeIn(table.header, shift=LEFT * 0.3)),
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.3) for r in table.body), lag_ratio=0.3),
            LightUp(table.row(near[0][0])),
        )
        self.say(
            f"The flat picture keeps {100 * sum(proj.explained):.0f} percent of these words' "
            "spread, and makes the arrows look more alike than they are.",
            LightUp(plane.caption),
        )
        self.hand_over(arrows=self.gather(arrows))

    @step("The dot product and the angle", order=16)
    def step_dot(self) -> None:
        s, p = self.plural
        pos, neg = self.noun_pairs[0][1], self.noun_pairs[0][0]
        head = title("The dot product and the angle")
        got = self.received("arrows")
        if self._missing(head, [s, p, pos, neg], got):
            self.shown["dot_sweep"] = None
            return
        E = np.asarray(self.model.W_E, dtype=np.float64)
        dvec = E[self.model.token_id(p)] - E[self.model.token_id(s)]
        vp, vn = E[self.model.token_id(pos)], E[self.model.token_id(neg)]
        nd = float(np.linalg.norm(dvec))

        def angle(v):
            return float(np.degrees(np.arccos(np.clip(v @ dvec / (np.linalg.norm(v) * nd), -1, 1))))

        th_p, th_n = angle(vp), angle(vn)
        len_p, len_n = float(np.linalg.norm(vp)), float(np.linalg.norm(vn))
        dot_p, dot_n = float(vp @ dvec), float(vn @ dvec)
        reach = max(nd, len_p, len_n)
        plane = VectorPlane(
            np.array([[reach, 0], [-reach, 0], [0, reach], [0, -reach]]),
            size=5.0,
            caption="in the plane of each pair: angles, lengths exact",
        )
        theta = ValueTracker(th_p)
        ends = (th_p, len_p), (th_n, len_n)

        def length(th: float) -> float:
            f = (th - th_p) / (th_n - th_p) if th_n != th_p else 0.0
            return (1 - f) * len_p + f * len_n

        def tip(th: float) -> np.ndarray:
            r = length(th)
            return np.array([r * np.cos(np.radians(th)), r * np.sin(np.radians(th))])

        def product(th: float) -> float:
            return nd * length(th) * float(np.cos(np.radians(th)))

        def color(v: float) -> str:
            return (
                PALETTE["positive"]
                if v > 1e-9
                else PALETTE["negative"]
                if v < -1e-9
                else PALETTE["muted"]
            )

        formula = math(r"a \cdot b = |a|\,|b| \cos\theta", 36)
        deg = number(th_p, decimals=0, size=30, suffix="°")
        prod = number(dot_p, size=30, sign=True, color=color(dot_p))
        readout = VGroup(
            VGroup(text("angle θ", 26, PALETTE["muted"]), deg).arrange(RIGHT, buff=0.3),
            VGroup(text("a·b", 26, PALETTE["muted"]), prod).arrange(RIGHT, buff=0.3),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        right_angle = text("at 90°, perpendicular: a·b = 0", 24, PALETTE["muted"])
        legend = VGroup(
            text("under 90°: a·b > 0", 24, PALETTE["positive"]),
            text("over 90°: a·b < 0", 24, PALETTE["negative"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        side = VGroup(formula, readout, right_angle, legend).arrange(
            DOWN, aligned_edge=LEFT, buff=0.45
        )
        self.beside(head, plane, side, buff=0.8)
        fill(VGroup(plane, side), title=head, max_scale=1.3)
        fixed = plane.arrow([nd, 0], PALETTE["highlight"])
        fixed_label = code(f"E({_word(p)}) − E({_word(s)})", 22, PALETTE["highlight"])
        fixed_label.next_to(fixed.get_end(), DOWN, buff=0.25).shift(LEFT * 0.6)
        moving = plane.arrow(tip(th_p), color(dot_p))
        arc = Angle(
            Line(plane.point([0, 0]), plane.point([nd, 0])),
            Line(plane.point([0, 0]), moving.get_end()),
            radius=0.6,
            color=PALETTE["muted"],
        )
        word_label = code(_word(pos), 24, color(dot_p)).next_to(moving.get_end(), UP, buff=0.15)

        def update(_):
            th = theta.get_value()
            v = product(th)
            moving.put_start_and_end_on(plane.point([0, 0]), plane.point(tip(th)))
            moving.set_color(color(v))
            arc.become(
                Angle(
                    Line(plane.point([0, 0]), plane.point([nd, 0])),
                    Line(plane.point([0, 0]), moving.get_end()),
                    radius=0.6,
                    color=PALETTE["muted"],
                )
            )
            deg.set_value(th)
            prod.set_value(v)
            prod.set_color(color(v))

        def sweep(to: float, run_time: float = 4.0):
            start = {}  # read when the sweep begins, not when it is built

            def step(m, a):
                s0 = start.setdefault("theta", theta.get_value())
                theta.set_value(s0 + (to - s0) * smooth(a))
                update(m)

            return UpdateFromAlphaFunc(VGroup(moving, arc, deg, prod), step, run_time=run_time)

        self.shown["dot_sweep"] = {
            "start": (pos, th_p, dot_p),
            "end": (neg, th_n, dot_n),
            "readout": (deg, prod),
            "ends": ends,
        }
        pair = VGroup(fixed, moving)
        self.say(
            "The dot product measures how well two vectors line up.",
            self.title_in(head),
            (
                FadeIn(plane),
                FadeIn(formula, shift=LEFT * 0.4),
                *([ReplacementTransform(got, pair)] if got is not None else []),
            ),
        )
        if got is not None:
            self.unpack(pair)
        self.say(
            f"One arrow is the step from {quoted(s)} to {quoted(p)}; the other is the embedding "
            f"of {quoted(pos)}.",
            (
                *([] if got is not None else [GrowArrow(fixed)]),
                FadeIn(fixed_label, shift=UP * 0.2),
            ),
            (
                *([] if got is not None else [GrowArrow(moving)]),
                FadeIn(word_label, shift=UP * 0.2),
            ),
        )
        self.say(
            f"They make an angle of {th_p:.0f} degrees, and their dot product is {signed(dot_p)}.",
            (Create(arc), FadeIn(readout, shift=LEFT * 0.4)),
            LightUp(prod),
        )
        self.say(
            "Turn the second arrow: at 90 degrees the two are perpendicular and the product is 0.",
            (sweep(90.0), FadeOut(word_label)),
            FadeIn(right_angle, shift=LEFT * 0.4),
        )
        end_label = code(_word(neg), 24, color(dot_n))
        self.say(
            f"Past 90 degrees it turns negative; at {th_n:.0f} degrees we reach the embedding of "
            f"{quoted(neg)}, with {signed(dot_n)}.",
            sweep(th_n),
            FadeIn(end_label.next_to(plane.point(tip(th_n)), UP, buff=0.15), scale=0.5),
        )
        self.say(
            "Positive when they point the same way, zero when perpendicular, negative when they "
            "point apart.",
            LaggedStart(*(FadeIn(x, shift=LEFT * 0.4) for x in legend), lag_ratio=0.4),
            sweep(th_p, 3.0),
            sweep(th_n, 3.0),
        )
        self.hand_over(arrow=self.gather(fixed))

    @step("Dot products with a direction", order=17)
    def step_alignment(self) -> None:
        s, p = self.plural
        pairs = [pr for pr in self.noun_pairs if not self.words_of(pr)[1]]
        others, _ = self.words_of(self.other_words)
        head = title(f"Dot products with E({_word(p)}) − E({_word(s)})")
        got = self.received("arrow")
        if not pairs and not self.words_of([s, p])[1]:
            note = self.not_found("None of the noun pairs are single tokens of this model.")
            self.say(
                "Dot products with a direction need noun pairs that are single tokens.",
                (self.title_in(head), *([FadeOut(got)] if got is not None else [])),
                FadeIn(note.next_to(head, DOWN, buff=1.0), shift=UP * 0.5),
            )
            self.shown["alignment"] = None
            return
        if self._missing(head, [s, p], got):
            self.shown["alignment"] = None
            return
        singular = [a for a, _ in pairs]
        plural = [b for _, b in pairs]
        dots = dict(alignment(self.model, (s, p), singular + plural + others))
        scale = 4.2 / max(abs(v) for v in dots.values())
        axis = Line(UP * 2.2, DOWN * 2.4, color=PALETTE["muted"], stroke_width=2)
        axis.next_to(head, DOWN, buff=0.4)
        order = sorted(dots, key=lambda w: dots[w])
        rows = VGroup()
        self.shown["alignment"] = {}
        for w in order:
            v = dots[w]
            c = PALETTE["positive"] if v > 0 else PALETTE["negative"]
            bar = Rectangle(
                width=max(abs(v) * scale, 0.02),
                height=0.36,
                stroke_width=0,
                fill_color=c,
                fill_opacity=1,
            )
            rows.add(VGroup(bar, number(v, sign=True, size=24, color=c), code(_word(w), 24)))
            self.shown["alignment"][w] = (rows[-1][1], v)
        rows.arrange(DOWN, buff=0.2).move_to(axis)
        for w, (bar, val, lab) in zip(order, rows, strict=True):
            v = dots[w]
            side = RIGHT if v > 0 else LEFT
            bar.move_to(axis.get_center() * [1, 0, 0] + [0, bar.get_y(), 0], aligned_edge=-side)
            val.next_to(bar, side, buff=0.12)
            lab.next_to(axis.get_center() * [1, 0, 0] + [0, bar.get_y(), 0], -side, buff=0.25)
        fill(VGroup(axis, rows), title=head, max_scale=1.4)
        by = {w: r for w, r in zip(order, rows, strict=True)}

        def grow(words):
            return LaggedStart(
                *((GrowFromEdge(by[w][0], LEFT if dots[w] > 0 else RIGHT)) for w in words),
                lag_ratio=0.25,
            )

        def show(words):
            return LaggedStart(
                *(FadeIn(VGroup(by[w][1], by[w][2]), shift=UP * 0.25) for w in words),
                lag_ratio=0.2,
            )

        def how(k: int, n: int) -> str:
            return f"all {count_word(n)}" if k == n else f"{count_word(k)} of the {count_word(n)}"

        plur_pos = sum(dots[w] > 0 for w in plural)
        sing_neg = sum(dots[w] < 0 for w in singular)
        self.say(
            f"Take the step from {quoted(s)} to {quoted(p)} as a guess at a direction of "
            "plurality.",
            self.title_in(head),
            ReplacementTransform(got, axis) if got is not None else Create(axis),
        )
        names = ", ".join(quoted(w) for w in plural)
        self.say(
            f"Dotted with it, {how(plur_pos, len(plural))} plural nouns, {names}, give positive "
            "numbers."
            if plur_pos
            else f"Dotted with it, none of the plural nouns {names} gives a positive number.",
            grow(plural),
            show(plural),
        )
        names = ", ".join(quoted(w) for w in singular)
        self.say(
            f"{how(sing_neg, len(singular)).capitalize()} singular ones, {names}, point against it."
            if sing_neg
            else f"None of the singular ones, {names}, points against it.",
            grow(singular),
            show(singular),
        )
        if others:
            smallest = min(abs(dots[w]) for w in singular + plural)
            near = [w for w in others if abs(dots[w]) < smallest]
            far = [w for w in others if w not in near]
            if near:
                self.say(
                    "Of words without a number, "
                    + ", ".join(f"{quoted(w)} ({signed(dots[w])})" for w in near)
                    + (" stays" if len(near) == 1 else " stay")
                    + " nearer zero than any noun.",
                    grow(near),
                    show(near),
                    LightUp(VGroup(*(by[w] for w in near))),
                )
            if far:
                self.say(
                    ("But " if near else "Of words without a number, ")
                    + ", ".join(f"{quoted(w)} ({signed(dots[w])})" for w in far)
                    + (" scores" if len(far) == 1 else " score")
                    + " like a noun: the direction is not plurality alone.",
                    grow(far),
                    show(far),
                    LightUp(VGroup(*(by[w] for w in far))),
                )
        self.hand_over(words=self.gather(VGroup(*(r[2] for r in rows))))

"""Scenes Directions (lecture steps B7, G4 in COVERAGE.md). tests/scenes/test_mlp.py pins their
section titles, the shown values ``cosines``, and that every number said is on screen.

Step 3: ideas as directions, measured from the model; are they perpendicular?"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Angle,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromPoint,
    ReplacementTransform,
    VGroup,
    config,
)

from llmviz.animations import LightUp
from llmviz.layout import fit_width, lines, plain_axes, text, title
from llmviz.mobjects import Column, FastNumber, ValueTable
from llmviz.model.analysis import cosine
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import signed
from mlp_steps.common import MLPScene

FIRST_COLOR, LAST_COLOR = "positive", "accent"  # one colour per idea, the whole chapter long


class DirectionsStep(MLPScene):
    @step("Directions", order=3)
    def step_directions(self) -> None:
        st = self.story
        head = title("Ideas as directions")
        received = self.received("strip")  # the prompt's tokens, each of which becomes a vector
        if st.first is None:
            note = fit_width(
                text(
                    f"{st.names[0]} is not a name from the training grid, so no first-name and "
                    "last-name directions can be measured.",
                    24,
                )
            ).next_to(head, DOWN, buff=1.0)
            self.say(
                f"Directions for first and last names can only be measured for the grid's names, "
                f"and {st.names[0]} is not one of them.",
                self.title_in(head),
                ReplacementTransform(received, note)
                if received is not None
                else FadeIn(note, shift=UP * 0.5),
            )
            return
        first, last, sport = st.first, st.last, st.target_dir
        fname, lname = first.name.split()[-1], last.name.split()[-1]
        origin = np.array([-4.3, -1.6, 0])
        length = 3.0
        c_fl = cosine(first.vector, last.vector)
        angle = float(np.arccos(np.clip(c_fl, -1, 1)))
        m_end = origin + length * RIGHT
        j_end = origin + length * np.array([np.cos(angle), np.sin(angle), 0])
        m_arrow = Arrow(origin, m_end, buff=0, color=PALETTE[FIRST_COLOR], stroke_width=6)
        j_arrow = Arrow(origin, j_end, buff=0, color=PALETTE[LAST_COLOR], stroke_width=6)
        m_label = text(f"first name {fname}", 22, PALETTE[FIRST_COLOR]).next_to(m_end, DOWN, 0.2)
        j_label = text(f"last name {lname}", 22, PALETTE[LAST_COLOR]).next_to(j_end, UP, 0.15)
        self.say(
            "Inside the model each token is a vector.",
            self.title_in(head),
            ReplacementTransform(received, m_arrow) if received is not None else GrowArrow(m_arrow),
        )
        self.say(
            "An idea, such as a first name, can be a direction in that space.",
            FadeIn(m_label, shift=RIGHT * 0.5),
            LightUp(VGroup(m_arrow, m_label)),
        )
        how = fit_width(
            lines(
                "a name's direction: the mean vector of its name pairs minus the mean of all "
                "100 pairs of the grid,",
                f"read where the MLP of layer {self.L} reads (after LayerNorm), at the token "
                f"{self.read_token}",
                size=20,
                color=PALETTE["muted"],
            )
        ).to_edge(DOWN, buff=0.3)
        self.say(
            "We measure that direction from the model itself.",
            FadeIn(how[1], shift=UP * 0.5),
            LightUp(m_arrow),
        )
        self.say(
            f"It is the average vector of the {fname} names, minus the average of all 100 name "
            "pairs.",
            FadeIn(how[0], shift=UP * 0.5),
            m_arrow.animate.set_color(PALETTE["highlight"]),
            m_arrow.animate.set_color(PALETTE[FIRST_COLOR]),
        )
        self.say(
            f"The last-name direction for {lname} is measured the same way.",
            GrowArrow(j_arrow),
            FadeIn(j_label, shift=UP * 0.5),
        )
        arc = Angle(Arrow(origin, m_end, buff=0), Arrow(origin, j_end, buff=0), radius=0.8)
        arc.set_color(PALETTE["highlight"])
        degrees = float(np.degrees(angle))
        deg = FastNumber(degrees, 0, suffix="°", font_size=24, color=PALETTE["highlight"])
        deg.move_to(origin + 1.2 * np.array([np.cos(angle / 2), np.sin(angle / 2), 0]))
        rows = [
            [f"{fname} · {lname}", c_fl],
            [f"{fname} · {sport.name}", cosine(first.vector, sport.vector)],
            [f"{lname} · {sport.name}", cosine(last.vector, sport.vector)],
        ]
        table = ValueTable(rows, [Column("directions"), Column("cosine")], font_size=24)
        table.to_edge(RIGHT, buff=0.8).to_edge(UP, buff=1.3)
        self.shown["cosines"] = table
        verdict = "nearly perpendicular" if abs(c_fl) < 0.1 else "not perpendicular"
        self.say(
            f"The lecture draws such directions nearly perpendicular; here they are {verdict}.",
            Create(arc),
            FadeIn(deg, shift=UP * 0.5),
            LightUp(VGroup(arc, deg)),
        )
        self.say(
            f"They are {degrees:.0f} degrees apart: a cosine of {c_fl:.2f}.",
            FadeIn(table.header, shift=LEFT * 0.5),
            FadeIn(table.row(0), shift=LEFT * 0.5),
            LightUp(table.row(0)),
        )
        lo, hi = min(r[1] for r in rows[1:]), max(r[1] for r in rows[1:])
        self.say(
            f'The direction that raises "{sport.name}" has cosines of {lo:.2f} to {hi:.2f} with '
            "them.",
            FadeIn(table.row(1), shift=LEFT * 0.5),
            FadeIn(table.row(2), shift=LEFT * 0.5),
        )
        self.say(
            "In this small model, related ideas share part of their direction.",
            LightUp(table.column(1)),
        )
        self._dot_plane(VGroup(m_arrow, j_arrow, m_label, j_label, arc, deg))

    def _dot_plane(self, arrows: VGroup) -> None:
        """Each prompt's vector at two coordinates: its dot products with the two directions."""
        st, n = self.story, self.neuron
        first, last = st.first, st.last
        hook = hook_name("ln2", self.L)
        vecs = [t[hook][i] for t, i in zip(self.traces, n.positions, strict=True)]
        pts = [(first.dot(v), last.dot(v)) for v in vecs]
        top = max(max(abs(a), abs(b)) for a, b in pts)
        r = float(np.ceil(top + 0.5))
        axes = plain_axes([-r, r, r], [-r, r, r], 4.2, 4.2).move_to(
            [-3.2, -0.45, 0]
        )  # above the caption
        fname, lname = first.name.split()[-1], last.name.split()[-1]
        xl = text(f"· {fname}", 22, PALETTE[FIRST_COLOR]).next_to(axes.x_axis, RIGHT, buff=0.1)
        yl = text(f"· {lname}", 22, PALETTE[LAST_COLOR]).next_to(axes.y_axis, UP, buff=0.1)
        m_arrow, j_arrow = arrows[0], arrows[1]
        self.say(
            "Each prompt's vector then gets two coordinates: its dot products with the two "
            "directions.",
            FadeOut(arrows[2:], shift=DOWN * 0.5),
            (
                ReplacementTransform(m_arrow, axes.x_axis),
                ReplacementTransform(j_arrow, axes.y_axis),
            ),
            (FadeIn(xl, shift=RIGHT * 0.5), FadeIn(yl, shift=UP * 0.5)),
        )
        colors = [PALETTE["highlight"], PALETTE[FIRST_COLOR], PALETTE[LAST_COLOR]]
        sides = [RIGHT, UP, LEFT]
        dots = []
        for k, ((a, b), name) in enumerate(zip(pts, st.names, strict=True)):
            dot = Dot(axes.c2p(a, b), radius=0.09, color=colors[k % 3])
            label = VGroup(
                text(name, 20, colors[k % 3]),
                text(f"({signed(a)}, {signed(b)})", 20, PALETTE["muted"]),
            ).arrange(DOWN, buff=0.05)
            placed = [xl, yl, *(d[1] for d in dots)]
            for side in (sides[k % 3], *sides, DOWN):  # the first side that collides with nothing
                label.next_to(dot, side, buff=0.15)
                if not any(_touch(label, other) for other in placed) and _inside(label):
                    break
            dots.append(VGroup(dot, label))
            self.shown[f"dot:{name}"] = (a, b)

        def arrive(k):
            dot, label = dots[k]
            drop = DashedLine(axes.c2p(pts[k][0], 0), dot.get_center(), color=colors[k % 3])
            return (
                GrowFromPoint(dot, axes.c2p(0, 0)),
                (Create(drop), FadeIn(label, shift=UP * 0.5)),
                FadeOut(drop),
            )

        a0, b0 = pts[0]
        self.say(
            f"{st.names[0]} scores {signed(a0)} on the first name and {signed(b0)} on the last.",
            *arrive(0),
        )
        fw, lw = st.names[0].split()[0], st.names[0].split()[-1]

        def leans(name: str, a: float, b: float) -> bool:
            """The contrast shares one name and scores higher on that name's direction."""
            w = name.split()
            return (w[0] == fw and w[-1] != lw and a > b) or (w[-1] == lw and w[0] != fw and b > a)

        shares = all(leans(nm, a, b) for nm, (a, b) in zip(st.names[1:], pts[1:], strict=True))
        for k, (name, (a, b)) in enumerate(zip(st.names[1:], pts[1:], strict=True), start=1):
            self.say(f"{name} scores {signed(a)} and {signed(b)}.", *arrive(k))
        if shares:
            self.say(
                "Each contrast shares one of the two names, and scores high on that one only.",
                LightUp(VGroup(*(d for d in dots[1:]))),
            )


def _touch(a, b, gap: float = 0.05) -> bool:
    """Whether the bounding boxes of two mobjects come within ``gap`` of each other."""
    return not (
        a.get_right()[0] + gap < b.get_left()[0]
        or b.get_right()[0] + gap < a.get_left()[0]
        or a.get_top()[1] + gap < b.get_bottom()[1]
        or b.get_top()[1] + gap < a.get_bottom()[1]
    )


def _inside(m, margin: float = 0.1) -> bool:
    """Whether a mobject lies inside the frame."""
    w, h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
    return (
        -w <= m.get_left()[0]
        and m.get_right()[0] <= w
        and -h <= m.get_bottom()[1] <= m.get_top()[1] <= h
    )

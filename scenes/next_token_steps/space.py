"""Scenes EmbeddingSpace, EmbeddingsInTraining, NearestNeighbours (lecture steps B3, B6 in
COVERAGE.md). tests/scenes/test_next_token*.py pin their section titles, the shown values
``neighbours``, ``pca``, ``training``, ``training_counts``, and that every number said is on
screen.

The embedding space: a rotating 3-D PCA of real embeddings, embeddings moving during training
(from the snapshots in the training log), and the nearest neighbours of a word."""

from __future__ import annotations

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    ThreeDAxes,
    UpdateFromAlphaFunc,
    ValueTracker,
    VGroup,
    linear,
)

from llmviz.animations import LightUp
from llmviz.layout import code, lines, number, prose, stack_apart, text, title
from llmviz.mobjects import VectorPlane
from llmviz.model.analysis import nearest_neighbours
from llmviz.model.analysis.embedding import project_embeddings
from llmviz.model.snapshots import group_cohesion, load_snapshots
from llmviz.steps import step
from llmviz.style import PALETTE, display_token
from llmviz.words import quoted
from next_token_steps.common import NextTokenScene, fill, own_training_log

GROUP_COLORS = ("positive", "highlight", "accent", "negative")
#: Where the 3-D embedding space sits on screen, left of its panel, however the camera turns.
CLOUD_AT = np.array([-1.7, -0.45, 0.0])


#: The sides a label of the 3-D cloud may take beside its dot, on screen.
_SIDES = [
    np.array(v, dtype=float)
    for v in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
]


def _overlap(a, b, pad: float = 0.04) -> float:
    """The area two boxes ``(x, y, width, height)`` share, each grown by ``pad``."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    dx = (aw + bw) / 2 + pad - abs(ax - bx)
    dy = (ah + bh) / 2 + pad - abs(ay - by)
    return max(dx, 0.0) * max(dy, 0.0)


def relabel_on_screen(camera, dots, labels, fixed=(), radius: float = 0.11, buff: float = 0.08):
    """Place each label of a turning 3-D cloud beside its dot as the camera sees it now: on the
    side it had when that side still covers no other label, dot or ``fixed`` mobject (axis
    names), else on the first free side. Labels are fixed-orientation mobjects drawn at their
    dot's projection plus their offset, so the offset is what moves."""
    camera.reset_rotation_matrix()  # where the camera looks now, not at the last frame drawn
    seen = [np.asarray(camera.project_point(d.get_center()))[:2] for d in dots]
    taken = [(p[0], p[1], 2 * radius, 2 * radius) for p in seen]
    for m in fixed:
        c = np.asarray(camera.project_point(m.get_center()))[:2]
        taken.append((c[0], c[1], m.width, m.height))
    for i, (lab, dot, p) in enumerate(zip(labels, dots, seen, strict=True)):
        w, h = lab.width, lab.height
        prev = getattr(lab, "cloud_side", 0)
        order = [prev, *(k for k in range(len(_SIDES)) if k != prev)]

        reach = np.array([radius + buff + w / 2, radius + buff + h / 2])
        # beside the dot on each side, then a little farther out on each
        boxes = [(*(p + d * reach * far), w, h) for far in (1.0, 1.6) for d in _SIDES]
        others = [b for j, b in enumerate(taken) if j != i]
        cover = [sum(_overlap(box, b) for b in others) for box in boxes]
        free = [k for k in order if cover[k] == 0] + [
            k for k in range(len(_SIDES), len(boxes)) if cover[k] == 0
        ]
        pick = free[0] if free else int(np.argmin(cover))  # else the side that covers least
        lab.cloud_side = pick
        target = boxes[pick]
        taken.append(target)
        lab.move_to(dot.get_center() + np.array([target[0] - p[0], target[1] - p[1], 0.0]))


class RotatingCloud(VGroup):
    """Labelled points of a 3-D point cloud seen by an orthographic camera turning around the
    vertical axis (``yaw``, radians) and tilted a little towards the viewer. Labels sit on the side
    of their dot that overlaps least with the other dots and labels."""

    def __init__(
        self,
        coords: np.ndarray,
        names: list[str],
        colors: list[str],
        center: np.ndarray,
        tilt: float = 0.35,
        axis_length: float = 3.0,
        label_size: float = 18,
    ) -> None:
        super().__init__()
        self.coords = np.asarray(coords, dtype=np.float64)
        self.center, self.tilt, self.axis_length = (
            np.asarray(center, dtype=float),
            tilt,
            axis_length,
        )
        self.axes = VGroup()
        self.axis_labels = VGroup()
        for k in range(3):
            self.axes.add(Line(LEFT, RIGHT, color=PALETTE["neutral"], stroke_width=2))
            self.axis_labels.add(text(f"PC{k + 1}", 20, PALETTE["muted"]))
        self.dots = VGroup(*(Dot(radius=0.07, color=c) for c in colors))
        self.labels = VGroup(*(text(n, label_size, c) for n, c in zip(names, colors, strict=True)))
        self.add(self.axes, self.axis_labels, self.dots, self.labels)
        self.arrange_at(0.0)

    def screen(self, points: np.ndarray, yaw: float) -> np.ndarray:
        p = np.atleast_2d(points)
        x = p[:, 0] * np.cos(yaw) + p[:, 2] * np.sin(yaw)
        z = -p[:, 0] * np.sin(yaw) + p[:, 2] * np.cos(yaw)
        y = p[:, 1] * np.cos(self.tilt) - z * np.sin(self.tilt)
        return self.center + np.stack([x, y, np.zeros_like(x)], axis=1)

    def layout(self, yaw: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Dot positions, axis ends, label centres and the total overlap area of the labels."""
        dots = self.screen(self.coords, yaw)
        ends = self.screen(np.eye(3) * self.axis_length, yaw)
        boxes = []  # obstacles as (x0, y0, x1, y1)
        for e, lab in zip(ends, self.axis_labels, strict=True):
            c = self.center + (e - self.center) * 1.12
            half = lab.width / 2 + 0.1
            boxes.append((c[0] - half, c[1] - 0.18, c[0] + half, c[1] + 0.18))
        for e in ends:  # the axis lines, as a row of small boxes
            for f in np.linspace(-1, 1, 31):
                q = self.center + (e - self.center) * f
                boxes.append((q[0] - 0.03, q[1] - 0.03, q[0] + 0.03, q[1] + 0.03))
        r = 0.12
        dot_boxes = [(d[0] - r, d[1] - r, d[0] + r, d[1] + r) for d in dots]

        def overlap(a, b):
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            return w * h if w > 0 and h > 0 else 0.0

        centers, total = [], 0.0
        for i, (d, lab) in enumerate(zip(dots, self.labels, strict=True)):
            w, h = lab.width + 0.12, 0.28
            options = [
                (d[0] + 0.1 + w / 2, d[1]),
                (d[0] - 0.1 - w / 2, d[1]),
                (d[0], d[1] + 0.1 + h / 2),
                (d[0], d[1] - 0.1 - h / 2),
            ]
            others = boxes + [b for j, b in enumerate(dot_boxes) if j != i]
            scores = []
            for cx, cy in options:
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                scores.append(sum(overlap(box, o) for o in others))
            k = int(np.argmin(scores))
            cx, cy = options[k]
            boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
            centers.append((cx, cy, 0.0))
            total += scores[k]
        return dots, ends, np.array(centers), total

    def arrange_at(self, yaw: float) -> RotatingCloud:
        dots, ends, centers, _ = self.layout(yaw)
        for line, lab, e in zip(self.axes, self.axis_labels, ends, strict=True):
            line.put_start_and_end_on(2 * self.center - e, e)
            lab.move_to(self.center + (e - self.center) * 1.12)
        for dot, lab, p, c in zip(self.dots, self.labels, dots, centers, strict=True):
            dot.move_to(p)
            lab.move_to(c)
        return self

    def best_yaw(self, steps: int = 72) -> float:
        """The view angle with the least label overlap (ties: the most spread-out dots)."""
        best, best_key = 0.0, None
        for yaw in np.linspace(0, 2 * np.pi, steps, endpoint=False):
            dots, _, _, total = self.layout(float(yaw))
            d = np.linalg.norm(dots[:, None, :2] - dots[None, :, :2], axis=-1)
            spread = d[np.triu_indices(len(dots), 1)].min() if len(dots) > 1 else 0.0
            key = (round(total, 4), -spread)
            if best_key is None or key < best_key:
                best, best_key = float(yaw), key
        return best


def _colors(groups) -> dict[str, str]:
    return {w: PALETTE[GROUP_COLORS[g % 4]] for g, (_, ws) in enumerate(groups) for w in ws}


class SpaceStep(NextTokenScene):
    def camera_turn(self, phi: float | None = None, theta: float | None = None, **kwargs):
        """The animation that turns the 3-D camera to ``phi`` (tilt from straight down) and
        ``theta`` (around the vertical axis), in radians; played inside a beat."""
        cam = self.camera
        self.shown.setdefault("space_camera", []).append((phi, theta))
        parts = []
        if phi is not None:
            parts.append(cam.phi_tracker.animate.set_value(phi))
        if theta is not None:
            parts.append(cam.theta_tracker.animate.set_value(theta))
        return AnimationGroup(*parts, **kwargs)

    @step("Embedding space", order=12)
    def step_space(self) -> None:
        d = self.model.cfg.d_model
        groups = [(n, self.words_of(ws)[0]) for n, ws in self.space_groups]
        groups = [(n, ws) for n, ws in groups if ws]
        words = [w for _, ws in groups for w in ws]
        head = title(f"Embeddings: points in {d:,} dimensions")
        got = self.received_any("vectors")
        if len(words) < 4:
            note = self.not_found(
                f"Only {len(words)} of the example words are single tokens of this model: "
                "too few to draw."
            ).next_to(head, DOWN, buff=1.0)
            self.say(
                f"Each embedding is a point in a space of {d:,} dimensions.",
                self.title_in(head),
                *([FadeOut(got)] if got is not None else []),
            )
            self.say(
                f"Only {len(words)} of the example words are single tokens of this model, too "
                "few for a picture.",
                FadeIn(note, shift=UP * 0.5),
            )
            self.shown["pca"] = None
            return
        proj = project_embeddings(self.model, words, 3)
        color_of = _colors(groups)
        coords = proj.coords / np.abs(proj.coords).max()  # the widest point at 1
        axes = ThreeDAxes(
            x_range=(-1.2, 1.2, 0.4),
            y_range=(-1.2, 1.2, 0.4),
            z_range=(-1.2, 1.2, 0.4),
            x_length=6.0,
            y_length=6.0,
            z_length=6.0,
            tips=False,
            axis_config={"stroke_width": 2, "color": PALETTE["neutral"]},
        ).move_to(CLOUD_AT)
        axis_labels = VGroup(
            *(
                text(f"PC{k + 1}", 24, PALETTE["muted"]).move_to(axes.c2p(*(1.3 * np.eye(3)[k])))
                for k in range(3)
            )
        )
        unit = 6.0 / 2.4  # frame units per unit of the axes
        cloud = RotatingCloud(
            coords * unit,
            [w.strip() for w in words],
            [color_of[w] for w in words],
            center=np.zeros(3),
            tilt=0.0,
            label_size=26,
        )
        _, _, label_at, _ = cloud.layout(0.0)  # labels beside their dots, seen from above
        dots = VGroup(
            *(
                Dot(axes.c2p(*c), radius=0.11, color=color_of[w])
                for c, w in zip(coords, words, strict=True)
            )
        )
        labels = cloud.labels
        for lab, dot, c, at in zip(labels, dots, coords, label_at, strict=True):
            offset = np.asarray(at) - c * unit * np.array([1.0, 1.0, 0.0])  # beside it, on screen
            lab.move_to(dot.get_center() + offset)
        kept = 100 * sum(proj.explained)
        panel = VGroup(
            prose(f"PCA of {len(words)} rows of $W_E$", 26),
            text(f"({d:,} numbers each)", 24, PALETTE["muted"]),
            *(
                text(f"PC{k + 1}: {100 * e:.0f}% of the spread", 24, PALETTE["muted"])
                for k, e in enumerate(proj.explained)
            ),
            text(f"together: {kept:.0f}%", 26),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        legend = VGroup(
            *(text(n, 26, PALETTE[GROUP_COLORS[g % 4]]) for g, (n, _) in enumerate(groups))
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        panel.to_edge(RIGHT, buff=0.35).shift(DOWN * 0.2)
        legend.to_corner(DOWN + LEFT, buff=0.5)
        self.shown["pca"] = (proj, cloud)
        self.shown["pca_3d"] = (axes, np.array([dot.get_center() for dot in dots]), labels)
        self.add_fixed_in_frame_mobjects(head, panel, legend)
        for dot in dots:
            self.add_fixed_orientation_mobjects(dot)
        for lab, dot in zip(labels, dots, strict=True):
            self.add_fixed_orientation_mobjects(lab, center_func=dot.get_center)
        for lab in axis_labels:
            self.add_fixed_orientation_mobjects(lab)
        self.remove(head, panel, legend, *dots, *labels, *axis_labels)
        theta0 = self.camera.theta_tracker.get_value()

        def follow(_):  # the camera turns around the cloud's centre, which stays put on screen
            turn = self.camera.get_rotation_matrix()
            self.camera._frame_center.move_to(CLOUD_AT - turn.T @ CLOUD_AT)

        def spread(_):  # the words beside their dots as the camera sees them, never on another
            relabel_on_screen(self.camera, dots, labels, fixed=axis_labels)

        axes.add_updater(follow)
        labels.add_updater(spread)
        tilt = 65 * DEGREES
        arrive = (
            ReplacementTransform(got, dots)
            if got is not None
            else LaggedStart(*(FadeIn(p, scale=0.3) for p in dots), lag_ratio=0.1)
        )
        self.say(
            f"Each embedding is a point in a space of {d:,} dimensions.",
            self.title_in(head),
            (Create(axes), arrive),
            (FadeIn(axis_labels), FadeIn(labels)),
        )
        self.say(
            f"We cannot draw that, but we can draw these {len(words)} words along the three "
            "directions where they spread most.",
            (
                LaggedStart(*(FadeIn(r, shift=LEFT * 0.4) for r in panel[:-1]), lag_ratio=0.2),
                self.camera_turn(phi=tilt, theta=theta0 + 20 * DEGREES, run_time=4),
            ),
        )
        self.say(
            f"Those three axes keep {kept:.0f} percent of their spread.",
            (
                FadeIn(panel[-1], shift=LEFT * 0.4),
                self.camera_turn(theta=theta0 + 110 * DEGREES, run_time=6, rate_func=linear),
            ),
        )
        self.say(
            "Words of one kind land near each other: "
            + ", ".join(n for n, _ in groups)
            + ". Training put them there.",
            (
                FadeIn(legend, shift=LEFT * 0.4),
                self.camera_turn(theta=theta0 + 230 * DEGREES, run_time=6, rate_func=linear),
            ),
        )
        self.say(
            "Turning the picture shows the groups apart from every side.",
            self.camera_turn(phi=0.0, theta=theta0 + 360 * DEGREES, run_time=6),
        )
        axes.remove_updater(follow)
        labels.remove_updater(spread)
        self.camera._frame_center.move_to(np.zeros(3))  # looking straight down again
        self.hand_over(points=self.gather(dots))

    @step("Embeddings move in training", order=13)
    def step_training(self) -> None:
        log = own_training_log(self.model_dir)
        head = title("Embeddings move during training")
        snaps = None
        if log is not None and log.get("embeddings"):
            snaps = load_snapshots(log)
        groups = []
        if snaps is not None:
            groups = [(n, [w for w in ws if w in snaps.words]) for n, ws in self.snapshot_groups]
            groups = [(n, ws) for n, ws in groups if len(ws) >= 2]
        if len(groups) < 2:
            note = self.not_found(
                "This model's folder records no embedding snapshots of its training."
            ).next_to(head, DOWN, buff=1.0)
            got = self.received("points")
            self.say(
                "During training the embeddings move, until their directions carry meaning.",
                self.title_in(head),
                *([FadeOut(got)] if got is not None else []),
            )
            self.say(
                "This model came without a record of its training, so we cannot show it here.",
                FadeIn(note, shift=UP * 0.5),
            )
            self.shown["training"] = None
            return
        words = [w for _, ws in groups for w in ws]
        sub = snaps.select(words)
        proj = sub.projection("final")
        paths = np.stack([proj.project(r) for r in sub.rows])  # [snapshot, word, 2]
        coh = group_cohesion(sub, dict(groups))
        color_of = _colors(groups)
        plane = VectorPlane(
            paths.reshape(-1, 2),
            size=5.2,
            caption=proj.caption(f"{len(words)} embedding rows at step {sub.steps[-1]:,}"),
        )
        cap = self.caption_below(plane)
        s = ValueTracker(0.0)

        def at(x: float) -> np.ndarray:
            i = int(min(np.floor(x), len(sub.steps) - 2))
            f = x - i
            return (1 - f) * paths[i] + f * paths[i + 1]

        step_no = number(0, decimals=0, size=30, thousands=True)
        counter = VGroup(text("training step", 26, PALETTE["muted"]), step_no)
        counter.arrange(RIGHT, buff=0.25)

        def steps_now(x: float) -> float:
            i = int(min(np.floor(x), len(sub.steps) - 2))
            f = x - i
            return (1 - f) * sub.steps[i] + f * sub.steps[i + 1]

        first, last = coh.nearest_in_group[0], coh.nearest_in_group[-1]
        n = coh.n_words
        facts = VGroup(
            text("nearest word in its own group:", 22, PALETTE["muted"]),
            VGroup(
                text(f"step {sub.steps[0]}:", 22),
                number(round(first * n), decimals=0, size=24),
                text(f"of {n} words", 22),
            ).arrange(RIGHT, buff=0.15),
            VGroup(
                text(f"step {sub.steps[-1]:,}:", 22),
                number(round(last * n), decimals=0, size=24, color=PALETTE["highlight"]),
                text(f"of {n} words", 22),
            ).arrange(RIGHT, buff=0.15),
            text("mean cosine within a group:", 22, PALETTE["muted"]),
            VGroup(
                number(coh.within[0], size=24),
                text("→", 22),
                number(coh.within[-1], size=24, color=PALETTE["highlight"]),
            ).arrange(RIGHT, buff=0.2),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        legend = VGroup(
            *(text(nm, 22, PALETTE[GROUP_COLORS[g % 4]]) for g, (nm, _) in enumerate(groups))
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        side = VGroup(counter, legend, facts).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        self.beside(head, plane, side)
        fill(VGroup(plane, side), title=head, caption=cap)
        dots = VGroup(*(plane.dot(paths[0, k], color_of[w]) for k, w in enumerate(words)))
        labels = VGroup(*(text(w.strip(), 20, color_of[w]) for w in words))

        def place(_):
            xy = at(s.get_value())
            for k, dot in enumerate(dots):
                dot.move_to(plane.point(xy[k]))

        place(None)
        trails = VGroup(*(plane.trail(dt, color_of[w]) for dt, w in zip(dots, words, strict=True)))
        self.shown["training"] = (sub, coh, proj)
        self.shown["training_counts"] = (facts[1][1], facts[2][1])
        mid = next(k for k, st in enumerate(sub.steps) if st >= 200)
        frozen = sub.frozen_from()

        def run_to(x1: float, run_time: float):
            start = {}  # read when the run begins

            def update(_, a):
                x0 = start.setdefault("x", s.get_value())
                x = x0 + (x1 - x0) * a
                s.set_value(x)
                step_no.set_value(round(steps_now(x)))
                step_no.next_to(counter[0], RIGHT, buff=0.25)
                place(None)

            return UpdateFromAlphaFunc(
                VGroup(dots, step_no), update, run_time=run_time, rate_func=linear
            )

        got = self.received("points")
        self.say(
            f"The training log kept the rows of {len(words)} words at {len(sub.steps)} moments "
            "of training.",
            self.title_in(head),
            (FadeIn(plane), FadeIn(cap), FadeIn(counter, shift=LEFT * 0.4)),
            FadeIn(legend, shift=LEFT * 0.4),
            ReplacementTransform(got, dots)
            if got is not None
            else LaggedStart(*(FadeIn(dt, scale=0.3) for dt in dots), lag_ratio=0.05),
        )
        self.add(trails)
        self.say(
            f"At step {sub.steps[0]} they are random: only {round(first * n)} of the {n} words "
            "have their nearest word in their own group.",
            FadeIn(facts[:2], shift=LEFT * 0.4),
            LightUp(facts[1]),
        )
        self.say(
            f"As training runs, the groups gather; by step {sub.steps[mid]:,} they are apart.",
            run_to(float(mid), 6.0),
        )
        self.say(
            f"After {sub.steps[-1]:,} steps all {round(last * n)} have a neighbour of their own "
            f"kind, and words of a group have a mean cosine of {coh.within[-1]:.2f}."
            if last == 1
            else f"After {sub.steps[-1]:,} steps {round(last * n)} of {n} have a neighbour of "
            f"their own kind, and words of a group have a mean cosine of {coh.within[-1]:.2f}.",
            run_to(float(len(sub.steps) - 1), 6.0),
            FadeIn(facts[2:], shift=LEFT * 0.4),
        )
        for dot, lab in zip(dots, labels, strict=True):
            lab.next_to(dot, UP, buff=0.06)
        stack_apart(list(labels))
        self.say(
            "Each group now sits in a region of its own.",
            LaggedStart(*(FadeIn(lab, shift=DOWN * 0.1) for lab in labels), lag_ratio=0.05),
        )
        answer = self.answer
        self.hand_over(word=self.gather(labels[words.index(answer)] if answer in words else dots))
        if frozen is not None and frozen < sub.steps[-1]:
            note = self.caption(
                f"from step {frozen:,} only some MLPs trained: the embeddings stood still"
            )
            note.next_to(cap, UP, buff=0.15)
            self.say(
                f"From step {frozen:,} on, only some MLPs were trained, so the embeddings stood "
                "still.",
                FadeIn(note, shift=UP * 0.5),
            )

    @step("Nearest neighbours", order=14)
    def step_neighbours(self) -> None:
        word = self.answer
        tid = self.t.top_k(1)[0].id
        if self.model.tokenizer.token_id(word) == tid:
            nn = nearest_neighbours(self.model, word, k=6)
        else:  # a token that does not decode to itself (part of a character's bytes): by id
            E = np.asarray(self.model.W_E, dtype=np.float64)
            unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
            sims = unit @ unit[tid]
            sims[tid] = -np.inf
            order = np.argsort(-sims, kind="stable")[:6]
            nn = [(self.model.decode_token(int(i)), float(sims[i])) for i in order]
        head = title(f"Closest to {quoted(word)} among the embeddings")
        query = code(display_token(word), 32, PALETTE["highlight"])
        formula = code("cos(a, b) = a·b / (|a| |b|)", 24, PALETTE["muted"])
        meaning = lines(
            "1: the same direction", "0: perpendicular", size=24, color=PALETTE["muted"]
        )
        left = VGroup(query, formula, meaning).arrange(DOWN, buff=0.35)
        scale = 3.6 / max(max(c for _, c in nn), 1e-6)
        rows = VGroup()
        self.shown["neighbours"] = {}
        for w, c in nn:
            label = code(display_token(w), 28)
            bar = Rectangle(
                width=max(scale * max(c, 0.0), 0.02),
                height=0.5,
                stroke_width=0,
                fill_color=PALETTE["positive"] if c >= 0 else PALETTE["negative"],
                fill_opacity=1,
            )
            val = number(c, size=28, color=PALETTE["muted"])
            rows.add(VGroup(label, bar, val))
            self.shown["neighbours"][w] = (val, c)
        rows.arrange(DOWN, buff=0.5)
        x0 = rows.get_x() - 1.0
        for label, bar, val in rows:
            bar.move_to([x0, label.get_y(), 0], aligned_edge=LEFT)
            label.next_to(bar, LEFT, buff=0.25)
            label.align_to([x0 - 0.25, 0, 0], RIGHT)
            val.next_to(bar, RIGHT, buff=0.15)
        note = self.caption(
            f"all {self.model.cfg.vocab_size - 1:,} other tokens compared; the 6 closest"
        )
        VGroup(left, rows).arrange(RIGHT, buff=0.9)
        fill(VGroup(left, rows), title=head, caption=note, max_scale=1.4)

        def grow_row(r):
            return AnimationGroup(GrowFromEdge(r[1], LEFT), FadeIn(r[2]))

        got = self.received("word")
        self.say(
            "Closeness here is the angle between two vectors, measured by its cosine.",
            self.title_in(head),
            ReplacementTransform(got, query) if got is not None else FadeIn(query, scale=0.6),
            (
                FadeIn(formula, shift=UP * 0.3),
                LaggedStart(*(FadeIn(r[0], shift=RIGHT * 0.3) for r in rows), lag_ratio=0.15),
            ),
        )
        self.say(
            "It is 1 for the same direction and 0 for perpendicular ones.",
            FadeIn(meaning, shift=UP * 0.3),
        )
        top = nn[:3]
        self.say(
            f"The tokens pointing most nearly the way {quoted(word)} points are "
            + ", ".join(quoted(w) for w, _ in top[:-1])
            + f" and {quoted(top[-1][0])}, with cosines of "
            + ", ".join(f"{c:.2f}" for _, c in top[:-1])
            + f" and {top[-1][1]:.2f}.",
            LaggedStart(*(grow_row(r) for r in rows[:3]), lag_ratio=0.4),
        )
        self.say(
            f"All {self.model.cfg.vocab_size - 1:,} other tokens were compared; these are the six "
            "closest.",
            LaggedStart(*(grow_row(r) for r in rows[3:]), lag_ratio=0.4),
            FadeIn(note, shift=UP * 0.5),
        )
        self.hand_over(bars=self.gather(VGroup(*(r[1] for r in rows))))

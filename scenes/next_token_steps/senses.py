"""Scenes WordSenses, EiffelTower. tests/scenes/test_next_token*.py pin their section titles, the
shown values ``senses``, ``tower``, and that every number said is on screen.

One word, several meanings: the vector of "mole" after the blocks in the corpus's contexts
(one arrow per context, in a PCA plane), and tower → Eiffel tower → miniature Eiffel tower
measured against the model's own "Paris" and "tall" directions (rows of W_E)."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    ReplacementTransform,
    Transform,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import code, number, place_label, text, title
from llmviz.mobjects import Column, ValueTable, VectorPlane
from llmviz.model.analysis import cosine
from llmviz.model.corpus import CONTEXT_SENTENCES
from llmviz.model.projection import pca, plane_of
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import quoted, signed
from next_token_steps.common import NextTokenScene, fill

SENSE_COLORS = ("positive", "accent", "highlight", "negative", "text")


def contexts_of(word: str, sentences=CONTEXT_SENTENCES) -> list[tuple[str, str]]:
    """``(prefix ending in the word, the whole sentence)`` for each sentence of the corpus with
    ``word`` (a causal model's vector for the word sees only the prefix); one per prefix."""
    out: dict[str, str] = {}
    bare = word.strip()
    for s in sentences:
        for k, w in enumerate(s.rstrip(".!?").split(" ")):
            if w.strip(",;:").lower() == bare.lower():
                prefix = " ".join(s.split(" ")[: k + 1])
                out.setdefault(prefix, s)
                break
    return list(out.items())


class SensesStep(NextTokenScene):
    def _last_vectors(self, prompts) -> np.ndarray:
        key = hook_name("resid_post", self.model.cfg.n_layers - 1)
        return np.array([self.model.run(p)[key][-1] for p in prompts], dtype=np.float64)

    @step("One word, several meanings", order=19)
    def step_senses(self) -> None:
        word = self.sense_word
        head = title(f"The senses of {quoted(word)}")
        got = self.received_any("neighbours")
        found = contexts_of(word) if not self.words_of([word])[1] else []
        usable = [(p, s) for p, s in found if self.model.run(p).tokens[-1] == word]
        if len(usable) < 2:
            why = (
                f"{quoted(word)} is not a single token of this model"
                if self.words_of([word])[1]
                else f"the example sentences have {quoted(word)} in fewer than two contexts"
            )
            note = self.not_found(f"Not found: {why}.").next_to(head, DOWN, buff=1.0)
            self.say(
                "One word can mean several things, yet its first vector is always the same.",
                self.title_in(head),
                *([FadeOut(got)] if got is not None else []),
            )
            self.say(
                f"This example cannot be shown with this model: {why}.",
                FadeIn(note, shift=UP * 0.5),
            )
            self.shown["senses"] = None
            return
        prompts = [p for p, _ in usable]
        L = self.model.cfg.n_layers
        traces = [self.model.run(p) for p in prompts]
        first = np.array([t[hook_name("resid_pre", 0)][-1] for t in traces], dtype=np.float64)
        last = self._last_vectors(prompts)
        guesses = [t.top_k(1)[0] for t in traces]
        proj = pca(last, 2)
        start_xy, end_xy = proj.project(first), proj.coords
        cos_in = min(cosine(a, b) for i, a in enumerate(first) for b in first[i + 1 :])
        cos_out = min(cosine(a, b) for i, a in enumerate(last) for b in last[i + 1 :])
        # contexts whose next-token guesses agree share a colour
        kinds = list(dict.fromkeys(g.token for g in guesses))
        color = [PALETTE[SENSE_COLORS[kinds.index(g.token) % 5]] for g in guesses]
        plane = VectorPlane(
            np.vstack([start_xy, end_xy]),
            size=5.0,
            margin=0.35,  # room for the labels beyond the arrows' tips
            caption=proj.caption(f"“{word.strip()}” after block {L}, {len(prompts)} contexts"),
        )
        cap = self.caption_below(plane)
        rows = VGroup()
        for (p, s), g, c in zip(usable, guesses, color, strict=True):
            rest = s[len(p) :].strip()
            line = VGroup(text(p, 24, c), code(f"→ {g.token.strip()}", 24, c)).arrange(
                RIGHT, buff=0.2
            )
            if rest:
                line = VGroup(line, text(f"…{rest}", 20, PALETTE["muted"])).arrange(
                    DOWN, aligned_edge=LEFT, buff=0.08
                )
            rows.add(line)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        stats = VGroup(
            VGroup(
                text("least cosine at the input", 22, PALETTE["muted"]), number(cos_in, size=24)
            ).arrange(RIGHT, buff=0.25),
            VGroup(
                text(f"after block {L}", 22, PALETTE["muted"]),
                number(cos_out, size=24, color=PALETTE["highlight"]),
            ).arrange(RIGHT, buff=0.25),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        side = VGroup(rows, stats).arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        self.beside(head, plane, side, buff=0.5)
        fill(VGroup(plane, side), title=head, caption=cap, max_scale=1.3)
        arrows = VGroup(*(plane.arrow(xy, c) for xy, c in zip(start_xy, color, strict=True)))
        finals = VGroup(*(plane.arrow(xy, c) for xy, c in zip(end_xy, color, strict=True)))
        labels = VGroup()
        for p, a, c in zip(prompts, finals, color, strict=True):
            lab = text(p if len(p) <= 10 else " ".join(p.split(" ")[:2]) + "…", 22, c)
            # beside its arrow's tip, pointing away from the origin where there is room, clear
            # of the arrows, the axes, the other names and the panel beside the plane
            avoid = [*finals, plane.axes, *labels, side]
            labels.add(place_label(lab, a.get_end(), avoid, away_from=plane.point((0, 0))))
        self.shown["senses"] = {
            "prompts": prompts,
            "guesses": {p: g for p, g in zip(prompts, guesses, strict=True)},
            "first": first,
            "last": last,
            "projection": proj,
            "cosines": (stats[0][1], cos_in, stats[1][1], cos_out),
        }
        self.say(
            f"The word {quoted(word)} means different things in different sentences.",
            self.title_in(head),
            ReplacementTransform(got, rows)
            if got is not None
            else LaggedStart(*(FadeIn(r, shift=LEFT * 0.4) for r in rows), lag_ratio=0.3),
        )
        self.say(
            "Its first vector is the same each time: its column of W_E plus a position vector.",
            (FadeIn(plane), FadeIn(cap)),
            LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.2),
            LightUp(arrows),  # the arrows nearly coincide: light them, so that the beat moves
        )
        self.say(
            f"At the input, the least cosine between two of them is {cos_in:.2f}.",
            FadeIn(stats[0], shift=LEFT * 0.4),
            LightUp(stats[0]),
        )
        self.say(
            f"After the {L} blocks the vectors have moved apart, to a cosine of {cos_out:.2f}.",
            LaggedStart(
                *(Transform(a, f) for a, f in zip(arrows, finals, strict=True)), lag_ratio=0.15
            ),
            (FadeIn(stats[1], shift=LEFT * 0.4), FadeIn(labels)),
        )
        groups = {}
        for p, g in zip(prompts, guesses, strict=True):
            groups.setdefault(g.token, []).append(p)
        said = "; ".join(
            " and ".join(f"“{p}”" for p in ps) + f" expect {quoted(tok)}"
            for tok, ps in groups.items()
        )
        by_prompt = {p: (r, a) for p, r, a in zip(prompts, rows, arrows, strict=True)}
        self.say(
            f"Each direction goes with a sense, and with what the model expects next: {said}.",
            *(LightUp(VGroup(*(m for p in ps for m in by_prompt[p]))) for ps in groups.values()),
        )
        self.say(
            f"This plane of the final vectors keeps {100 * proj.kept:.0f} percent of their spread.",
            LightUp(plane.caption),
        )
        self.hand_over(plane=self.gather(VGroup(plane, arrows, labels)))

    @step("Tower, Eiffel tower, miniature Eiffel tower", order=20)
    def step_tower(self) -> None:
        ctx = list(self.tower_contexts)
        pw, tw = self.tower_directions
        head = title("Tower → Eiffel tower → miniature Eiffel tower")
        got = self.received("plane")
        noun = " " + ctx[0].split(" ")[-1]
        _, missing = self.words_of([pw, tw, noun])
        ends_right = (
            all(self.model.run(c).tokens[-1] == noun for c in ctx) if not missing else False
        )
        if missing or not ends_right:
            what = ", ".join(quoted(w) for w in missing) if missing else quoted(noun)
            note = self.not_found(
                f"Not found: {what} is not a single token of this model."
            ).next_to(head, DOWN, buff=1.0)
            self.say(
                "Context should move a word's vector: tower, then Eiffel tower, then a miniature "
                "one.",
                self.title_in(head),
                *([FadeOut(got)] if got is not None else []),
            )
            self.say(
                f"This model has no single token for {what}, so it cannot be measured here.",
                FadeIn(note, shift=UP * 0.5),
            )
            self.shown["tower"] = None
            return
        L = self.model.cfg.n_layers
        E = np.asarray(self.model.W_E, dtype=np.float64)
        P, T = E[self.model.token_id(pw)], E[self.model.token_id(tw)]
        V = self._last_vectors(ctx)
        steps = [V[1] - V[0], V[2] - V[1]]
        cos = [(cosine(d, P), cosine(d, T)) for d in steps]
        unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
        chance = float(np.mean([np.abs(unit @ (d / np.linalg.norm(d))).mean() for d in steps]))
        proj = plane_of(V, P, T)
        plane = VectorPlane(
            proj.coords,
            size=4.4,
            caption=f"after block {L}, in the plane of E({pw.strip()}) and E({tw.strip()}): "
            f"keeps {100 * proj.kept:.1f}% of the spread",
        )
        cap = self.caption_below(plane)
        cols = [PALETTE["text"], PALETTE["accent"], PALETTE["highlight"]]
        legend = VGroup(*(text(c_, 24, col) for c_, col in zip(ctx, cols, strict=True)))
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        change_names = [f"+ {ctx[1].split(' ')[1]}", f"+ {ctx[2].split(' ')[1]}"]
        table = ValueTable(
            [[n, p_, t_] for n, (p_, t_) in zip(change_names, cos, strict=True)],
            [Column("change"), Column(pw.strip(), sign=True), Column(tw.strip(), sign=True)],
            font_size=24,
        )
        table_head = text("cosine of each change with", 22, PALETTE["muted"])
        chance_line = VGroup(
            text("typical size by chance", 22, PALETTE["muted"]),
            number(chance, size=24, color=PALETTE["muted"]),
        ).arrange(RIGHT, buff=0.25)
        side = VGroup(legend, table_head, table, chance_line).arrange(
            DOWN, aligned_edge=LEFT, buff=0.35
        )
        self.beside(head, plane, side, buff=1.6, below=0.8)
        fill(VGroup(plane, side), title=head, caption=cap, max_scale=1.3)
        axis_names = VGroup(
            code(pw.strip() + " →", 22, PALETTE["muted"]).next_to(plane.axes[0], RIGHT, buff=0.1),
            code("↑ " + tw.strip(), 22, PALETTE["muted"]).next_to(plane.axes[1], UP, buff=0.1),
        )
        arrows = [
            VGroup(plane.arrow(xy, c), plane.dot(xy, c, radius=0.08))  # a dot: short ones show
            for xy, c in zip(proj.coords, cols, strict=True)
        ]
        names = legend
        moves = [
            Arrow(
                arrows[k][0].get_end(),
                arrows[k + 1][0].get_end(),
                buff=0.05,
                stroke_width=3,
                color=PALETTE["muted"],
            )
            for k in range(2)
        ]
        self.shown["tower"] = {
            "vectors": V,
            "cosines": cos,
            "table": table,
            "chance": chance,
            "projection": proj,
        }

        def way(v: float) -> str:
            return "toward" if v > 0 else "away from"

        self.say(
            f"Context should move the vector of {quoted(noun)}: first {ctx[1]}, then {ctx[2]}.",
            self.title_in(head),
            (
                ReplacementTransform(got, plane) if got is not None else FadeIn(plane),
                FadeIn(cap),
                FadeIn(axis_names),
            ),
        )
        self.say(
            f"The axes are the model's own directions for {quoted(pw)} and {quoted(tw)}: their "
            "rows of W_E.",
            LightUp(axis_names),
            (GrowArrow(arrows[0][0]), FadeIn(arrows[0][1]), FadeIn(names[0])),
        )
        self.say(
            f"Adding “{ctx[1].split(' ')[1]}” moves the vector after block {L} {way(cos[0][0])} "
            f"{pw.strip()} ({signed(cos[0][0])}) and {way(cos[0][1])} {tw.strip()} "
            f"({signed(cos[0][1])}).",
            (GrowArrow(arrows[1][0]), FadeIn(arrows[1][1]), FadeIn(names[1]), GrowArrow(moves[0])),
            (FadeIn(table_head), FadeIn(table.header), FadeIn(table.body[0], shift=LEFT * 0.3)),
        )
        self.say(
            f"Adding “{ctx[2].split(' ')[1]}” then moves it {way(cos[1][0])} {pw.strip()} "
            f"({signed(cos[1][0])}) and {way(cos[1][1])} {tw.strip()} ({signed(cos[1][1])}).",
            (GrowArrow(arrows[2][0]), FadeIn(arrows[2][1]), FadeIn(names[2]), GrowArrow(moves[1])),
            FadeIn(table.body[1], shift=LEFT * 0.3),
        )
        lecture = cos[0][0] > 0 and cos[1][1] < 0
        self.say(
            "So the model moves it as the lecture expects."
            if lecture
            else "The lecture expects Eiffel to pull toward Paris and miniature away from tall; "
            + (
                "this model does the second but not the first."
                if cos[1][1] < 0
                else "this model does the first but not the second."
                if cos[0][0] > 0
                else "this model does neither."
            ),
            LightUp(table.row("+ Eiffel")),
            LightUp(table.row("+ miniature")),
        )
        self.say(
            f"And these cosines are small: a direction picked at random meets the rows of W_E "
            f"with {chance:.2f} on average.",
            FadeIn(chance_line, shift=LEFT * 0.4),
            LightUp(chance_line),
        )
        self.say(
            f"The plane of the two directions keeps only {100 * proj.kept:.1f} percent of the "
            "vectors' spread.",
            LightUp(plane.caption),
            LightUp(VGroup(*arrows)),
        )

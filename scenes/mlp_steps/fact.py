"""Scenes Fact, WhereIsTheFact (lecture steps G1 in COVERAGE.md). tests/scenes/test_mlp.py pins their
section titles, the shown values ``athletes``, ``causal_grid``, ``causal_peak``, ``fact_bars``,
``p_clean``, and that every number said is on screen.

Steps 1 and 2: the fact the model knows, and where in the model it lives (causal tracing)."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    config,
)

from llmviz.animations import LightUp
from llmviz.layout import code, fill_frame, fit_width, lines, safe_area, text, title
from llmviz.mobjects import FastNumber, ProbabilityBars, TokenStrip
from llmviz.model.corpus import FIRST_NAMES, LAST_NAMES, athletes, made_up, real_sport
from llmviz.steps import step
from llmviz.style import PALETTE, display_token, value_to_color
from llmviz.words import pct
from mlp_steps.common import MLPScene

GRID_ROW = 0.62  # the causal grid's row height before it grows to fill the frame
MAX_SCALE = 1.6  # the most the causal-tracing picture is enlarged


def _table() -> dict:
    return {(a.first, a.last): a for a in athletes()}


class FactStep(MLPScene):
    @step("A fact", order=1)
    def step_fact(self) -> None:
        st, t = self.story, self.traces[0]
        top = t.top_k(2)
        head = title("A fact the model knows" if st.known[0] else "A person the model never saw")
        words = fit_width(text(f"“{self.prompt}”", 36)).next_to(head, DOWN, buff=0.45)
        strip = fit_width(TokenStrip(t.tokens, font_size=34)).next_to(words, DOWN, buff=0.35)
        bars = ProbabilityBars.from_trace(t, k=5, width=6.5, font_size=32)
        fill_frame(bars, title=strip, max_scale=1.4)
        # the prompt first sits in the middle of the frame, and rises when the answer comes
        prompt = VGroup(words, strip)
        rise = prompt.get_center()[1] + 0.3
        prompt.shift(DOWN * rise)
        self.say(
            f'We give the model the words "{self.prompt}" and ask for the next token.',
            self.title_in(head),
            FadeIn(words, shift=DOWN * 0.5),
            LaggedStart(*(FadeIn(b, shift=0.5 * RIGHT) for b in strip.boxes), lag_ratio=0.25),
        )
        self.shown["fact_bars"] = bars
        self.say(
            f'Its answer is "{top[0].token.strip()}", with {pct(top[0].prob)} percent.',
            prompt.animate.shift(UP * rise),
            LaggedStart(
                *(GrowFromEdge(b, LEFT) for b in bars.bars),
                FadeIn(bars.labels, shift=UP * 0.5),
                lag_ratio=0.15,
            ),
            FadeIn(bars.numbers, shift=0.5 * RIGHT),
        )
        self.say(
            f'Next comes "{top[1].token.strip()}", with {pct(top[1].prob)} percent.',
            LightUp(VGroup(bars.labels[1], bars.numbers[1])),
        )
        note = self.unknown_note()
        if note is not None:
            note.next_to(bars, DOWN, buff=0.5)
            fit_width(note)
            real = real_sport(st.names[0])
            truth = (
                ""
                if real is None
                else f", and the real {st.names[0]} plays {real}"
                if real != top[0].token.strip()
                else f", which is what the real {st.names[0]} plays"
            )
            self.say(
                f"The training text never mentions {st.names[0]}, yet the model still answers "
                f'"{top[0].token.strip()}"{truth}.',
                FadeIn(note, shift=UP * 0.5),
            )
            self.hand_over(strip=self.keep(strip))
            return
        self.play(FadeOut(bars, shift=DOWN * 0.5), run_time=0.6)
        grid, cells = self._athlete_grid()
        room = strip.get_bottom()[1] - 0.3 - (-config.frame_height / 2 + 0.8)  # above the caption
        grid.scale_to_fit_height(room).next_to(strip, DOWN, buff=0.3)
        grid.to_edge(LEFT, buff=1.6)
        first, last = st.names[0].split()
        n_ath = len(athletes())
        real = [a.name for a in athletes() if real_sport(a.name)]  # they keep their real sports
        self.shown["real_athletes"] = real
        caption = self.caption(
            f"the generated training text: {n_ath} athletes on a grid of "
            f"{len(FIRST_NAMES)} first × {len(LAST_NAMES)} last names"
            + (f", made up but for {len(real)} real ones" if real else ", all made up")
        )
        who = (
            f"; {', '.join(real[:-1])} and {real[-1]} are real and keep their real sports, "
            "the other names are made up"
            if len(real) > 1
            else f"; {real[0]} is real, the other names are made up"
            if real
            else "; all the names are made up"
        )
        self.say(
            f"The training text was generated from {n_ath} athletes, each with one sport{who}.",
            FadeIn(caption, shift=UP * 0.5),
            FadeIn(grid[0], shift=UP * 0.5),
            LaggedStart(*(FadeIn(c, scale=0.3) for c in cells.values()), lag_ratio=0.02),
        )
        mine = VGroup(cells[(first, last)], grid[0][FIRST_NAMES.index(first)])
        self.say(
            f"They sit on a grid of {len(FIRST_NAMES)} first and {len(LAST_NAMES)} last names, "
            f"{st.names[0]} among them.",
            LightUp(mine),
        )
        per = sum(a.first == first for a in athletes())
        row = SurroundingRectangle(
            VGroup(*(c for (f, _), c in cells.items() if f == first)), buff=0.04
        )
        col = SurroundingRectangle(
            VGroup(*(c for (_, la), c in cells.items() if la == last)), buff=0.04
        )
        counts = VGroup(
            text(f"{per} athletes per first name,", 24),
            text(f"{per} per last name:", 24),
            text("only the pair decides", 24, PALETTE["highlight"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        counts.next_to(grid, RIGHT, buff=0.8)
        mine_row = VGroup(
            *(c for (f, la), c in cells.items() if f == first and (f, la) in _table())
        )
        mine_col = VGroup(
            *(c for (f, la), c in cells.items() if la == last and (f, la) in _table())
        )
        self.say(
            f"Every first name belongs to {per} athletes with {per} different sports, and so does "
            "every last name.",
            (Create(row), LightUp(mine_row)),
            (Create(col), LightUp(mine_col)),
            FadeIn(counts[:2], shift=LEFT * 0.5),
        )
        self.say(
            "So neither name alone decides the sport: only the pair does.",
            FadeIn(counts[2], shift=LEFT * 0.5),
            LightUp(cells[(first, last)]),
        )
        self.shown["athletes"] = n_ath
        self.hand_over(strip=self.keep(strip))

    def _athlete_grid(self) -> tuple[VGroup, dict]:
        """The fact table as a grid: a cell per name pair, filled where an athlete exists."""
        size, gap = 0.32, 0.04
        table = {(a.first, a.last): a for a in athletes()}
        first, last = self.story.names[0].split()
        cells, labels = {}, VGroup()
        for i, f in enumerate(FIRST_NAMES):
            for j, la in enumerate(LAST_NAMES):
                a = table.get((f, la))
                c = Rectangle(
                    width=size,
                    height=size,
                    stroke_width=1,
                    stroke_color=PALETTE["muted"],
                    fill_color=PALETTE["highlight"]
                    if (f, la) == (first, last)
                    else (PALETTE["positive"] if a else PALETTE["background"]),
                    fill_opacity=0.9 if a else 0.0,
                )
                cells[(f, la)] = c.move_to([j * (size + gap), -i * (size + gap), 0])
        for f in FIRST_NAMES:
            labels.add(
                text(f, 26, PALETTE["highlight"] if f == first else PALETTE["muted"]).next_to(
                    cells[(f, LAST_NAMES[0])], LEFT, buff=0.15
                )
            )
        for la in LAST_NAMES:
            lab = text(la, 26, PALETTE["highlight"] if la == last else PALETTE["muted"])
            lab.rotate(np.pi / 2).next_to(cells[(FIRST_NAMES[0], la)], UP, buff=0.12)
            labels.add(lab)
        grid = VGroup(labels, VGroup(*cells.values()))
        return grid, cells


class WhereStep(MLPScene):
    @step("Where is the fact?", order=2)
    def step_where(self) -> None:
        st, n = self.story, self.neuron
        ct = st.causal
        head = title("Where is the fact?")
        clean = TokenStrip(ct.tokens if ct else self.traces[0].tokens, font_size=24, max_width=11.4)
        clean.next_to(head, DOWN, buff=0.45).shift(RIGHT * 0.6)  # room for the grid's row labels
        received = self.received("strip")

        def strip_in():
            if received is not None:
                return ReplacementTransform(received, clean)
            return FadeIn(clean, shift=UP * 0.5)

        if ct is None:
            note = text(
                "The prompts differ in length, so they cannot be compared token by token.", 24
            ).next_to(clean, DOWN, buff=0.6)
            self.say(
                "The contrast has a different number of tokens, so this test cannot run here.",
                self.title_in(head),
                strip_in(),
                FadeIn(note, shift=UP * 0.5),
            )
            self.hand_over(strip=self.keep(clean))
            return
        corrupt = TokenStrip(ct.corrupt_tokens, font_size=24, max_width=11.4)
        corrupt.scale(clean.height / corrupt.height).next_to(clean, DOWN, buff=0.25)
        corrupt.align_to(clean, LEFT)
        pair = VGroup()  # the two prompts in full, when the strips leave tokens out
        if clean.hidden or corrupt.hidden:
            pair = fit_width(
                text(f"“{''.join(ct.tokens)}”  →  “{''.join(ct.corrupt_tokens)}”", 22), 12.4
            ).next_to(head, DOWN, buff=0.25)
            VGroup(clean, corrupt).shift(DOWN * (pair.height + 0.25))
        changed = [
            i for i, (a, b) in enumerate(zip(ct.tokens, ct.corrupt_tokens, strict=True)) if a != b
        ]
        p_row = VGroup(
            code(display_token(n.target), 24),
            text("clean:", 22, PALETTE["muted"]),
            FastNumber(100 * ct.p_clean, 1, suffix="%", font_size=24),
            text("changed:", 22, PALETTE["muted"]),
            FastNumber(100 * ct.p_corrupt, 1, suffix="%", font_size=24, color=PALETTE["negative"]),
        )
        # each run's probability of the answer beside its strip, the answer's token above both
        x0 = max(clean.get_right()[0], corrupt.get_right()[0]) + 0.5
        for label, number, strip in ((p_row[1], p_row[2], clean), (p_row[3], p_row[4], corrupt)):
            number.next_to(label, RIGHT, buff=0.2)
            VGroup(label, number).set_y(strip.get_y()).shift(RIGHT * (x0 - label.get_left()[0]))
        p_row[0].next_to(p_row[1], UP, buff=0.2, aligned_edge=LEFT)
        L, i = ct.peak("mlp")
        # the two findings, at the end, beside the grid under the probabilities
        where = lines(
            "the neuron search works",
            f"in layer {n.layer}, at token {self.read_token}",
            size=22,
            color=PALETTE["highlight"],
            align="left",
        )
        off = self.story.mlp_off
        note = lines(
            f"MLP {n.layer} switched off:",
            f"{self.target} {pct(off.clean[0])}% → {pct(off.ablated[0])}%",
            size=24,
            color=PALETTE["negative"],
            align="left",
        )
        found = VGroup(where, note).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        # beside the strips and the grid when that leaves the strips their size; a long prompt's
        # strips take the frame's width, and then the probabilities go under the strips and the
        # findings under the grid
        left, bottom, right, top = safe_area(title=head)
        strips = max(clean.width, corrupt.width) + 1.3  # and the grid's row labels
        beside = strips + 0.5 + max(VGroup(*p_row).width, found.width) <= right - left
        if not beside:
            p_row.arrange(RIGHT, buff=0.25).next_to(corrupt, DOWN, buff=0.35)
            p_row.set_x(clean.get_x())
            for block in (where, note):  # each finding on one line, to keep the picture short
                block[1].next_to(block[0], RIGHT, buff=0.15)
                block[1].shift(UP * (block[0].baseline - block[1].baseline))
            found.arrange(DOWN, buff=0.2)

        def picture_with(size_h: float) -> tuple[VGroup, VGroup, VGroup]:
            """The grid with rows ``size_h`` tall under the two strips, the probabilities beside
            the strips and the findings beside the grid."""
            grid = self._grid(ct, clean, size_h)
            self.drop_below(grid, corrupt if beside else p_row, 0.45)
            peak_value = self._cell_value(grid, L, i, ct)
            if len(peak_value):
                peak_value.next_to(grid, DOWN, buff=0.2)
            if beside:
                found.next_to(grid, RIGHT, buff=0.5).align_to(p_row, LEFT)
                if found.height > grid.height:
                    found.align_to(grid, UP)
            else:
                found.next_to(peak_value if len(peak_value) else grid, DOWN, buff=0.3)
                found.set_x(clean.get_x())
            whole = VGroup(pair, clean, corrupt, p_row, grid, peak_value, found)
            return whole, grid, peak_value

        # the whole picture, built first, fills the frame under the title: the grid's rows grow
        # taller while the picture is held by the frame's width, so that it reaches the bottom
        picture, grid, peak_value = picture_with(GRID_ROW)
        k = min((right - left) / picture.width, (top - bottom) / picture.height, MAX_SCALE)
        spare = (top - bottom) / k - picture.height
        if spare > 0.05:
            grow = min(spare / ct.mlp.shape[0], 2 * GRID_ROW)
            picture, grid, peak_value = picture_with(GRID_ROW + grow)
        fill_frame(picture, title=head, max_scale=MAX_SCALE)
        marks = VGroup(*(SurroundingRectangle(corrupt.boxes[i], buff=0.05) for i in changed))
        self.say(
            "To find where the model keeps the fact, we run it twice.",
            self.title_in(head),
            [strip_in(), FadeIn(VGroup(p_row[0], p_row[1]), shift=LEFT * 0.5)],
            (FadeIn(grid.row_labels, shift=RIGHT * 0.5), Create(grid.frame)),
        )
        self.say(
            f"The second time, one name is changed: {st.names[1]}"
            f"{', a made-up name,' if made_up(st.names[1]) else ''} instead of {st.names[0]}.",
            [
                TransformFromCopy(clean, corrupt),
                FadeIn(pair, shift=DOWN * 0.3),
                FadeIn(p_row[3], shift=LEFT * 0.5),
            ],
            (
                Create(marks),
                LightUp(VGroup(*(corrupt.boxes[i] for i in changed))),
            ),
        )
        self.shown["p_clean"], self.shown["p_corrupt"] = (
            (p_row[2], ct.p_clean),
            (p_row[4], ct.p_corrupt),
        )
        self.say(
            f'With that change, "{self.target}" falls from {pct(ct.p_clean)} to '
            f"{pct(ct.p_corrupt)} percent.",
            FadeIn(p_row[2], shift=LEFT * 0.5),
            FadeIn(p_row[4], shift=LEFT * 0.5),
            LightUp(p_row[4]),
        )
        last_i = len(clean.boxes) - 1
        piece = clean.boxes[last_i].copy()
        self.say(
            "Now we copy one piece of the clean run into the changed run.",
            LightUp(clean.boxes[last_i]),
            piece.animate.move_to(corrupt.boxes[last_i]).set_opacity(0),
        )
        self.remove(piece)
        self.say(
            "One piece is the output of one layer's MLP at one token: a square of this grid.",
            LightUp(grid.frame),
            LightUp(grid.row_labels),
        )
        self.say(
            f'Each square shows how much of "{self.target}" that copy brings back.',
            LaggedStart(*(FadeIn(c, scale=0.6) for c in grid.cells), lag_ratio=0.05),
        )
        best = grid.cell(L, i)
        ring = SurroundingRectangle(best, color=PALETTE["highlight"], buff=0.05, stroke_width=5)
        self.shown["causal_peak"] = (L, i, float(ct.mlp[L, i]))
        self.say(
            f"The MLP of layer {L} at the token {display_token(ct.tokens[i])} brings back the "
            f"most: {pct(ct.mlp[L, i])} percent.",
            (
                LightUp(grid.row_labels[L]),
                LightUp(clean.boxes[i]),
            ),
            Create(ring),
            (LightUp(VGroup(best, ring)), FadeIn(peak_value)),
        )
        same = (L, i) == (n.layer, n.positions[0])
        if same:
            self.say(
                f"So we zoom into the MLP of layer {L}, at the token {display_token(ct.tokens[i])}.",
                FadeIn(where, shift=UP * 0.5),
                self.zoom_to(VGroup(best, grid.row_labels[L], clean.boxes[i]), margin=1.6),
                self.zoom_out(),
            )
        else:
            ring2 = SurroundingRectangle(grid.cell(n.layer, n.positions[0]), buff=0.05)
            value2 = self._cell_value(grid, n.layer, n.positions[0], ct)
            if len(value2):
                value2.scale(peak_value.height / value2.height).next_to(peak_value, RIGHT, 0.4)
            self.say(
                f"Copying is one test; the neuron search works in layer {n.layer} at the token "
                f"{self.read_token}, where copying brings back {pct(ct.mlp[n.layer, n.positions[0]])} "
                "percent.",
                Create(ring2),
                [FadeIn(where, shift=UP * 0.5), FadeIn(value2)],
            )
        self.shown["mlp_off"] = off
        verb = "breaks" if not off.kept[0] else "does not break"
        self.say(
            f"The other test switches a whole MLP off: without the MLP of layer {n.layer}, "
            f'"{self.target}" falls to {pct(off.ablated[0])} percent, which {verb} the answer.',
            FadeIn(note, shift=UP * 0.5),
            LightUp(VGroup(grid.row_labels[n.layer], note)),
        )
        self.hand_over(strip=self.keep(clean))

    def _grid(self, ct, strip: TokenStrip, size_h: float = 0.62) -> VGroup:
        """Layers as rows, tokens as columns (under the token boxes), P(target) per square; the
        percentages are written in the squares when they fit at a readable size (``g.numbers``),
        and a token the strip leaves out gets an invisible square under its "… more …" box;
        each row is ``size_h`` tall."""
        rows = ct.mlp.shape[0]
        hidden = set(strip.hidden)
        widths = [box.width for i, box in enumerate(strip.boxes) if i not in hidden]
        probe = FastNumber(100.0, 1, suffix="%", font_size=20)
        g = VGroup()
        g.cells, g.frame, g.row_labels = VGroup(), VGroup(), VGroup()
        g.lookup, g.numbers = {}, 0.9 * min(widths) / probe.width >= 0.6  # still readable
        for L in range(rows):
            for i, box in enumerate(strip.boxes):
                p = float(ct.mlp[L, i])
                share = float(ct.recovered("mlp")[L, i])
                cell = Rectangle(
                    width=box.width,
                    height=size_h,
                    stroke_width=1,
                    stroke_color=PALETTE["muted"],
                    fill_color=value_to_color(share, 1.0),
                    fill_opacity=0.1 + 0.8 * max(0.0, min(1.0, share)),
                )
                cell.move_to([box.get_x(), -L * (size_h + 0.06), 0])
                if i in hidden:
                    g.lookup[(L, i)] = VGroup(cell.set_opacity(0))
                    continue
                square = VGroup(cell)
                if g.numbers:
                    num = FastNumber(100 * p, 1, suffix="%", font_size=20)
                    num = fit_width(num, min(num.width, 0.9 * box.width)).move_to(cell)
                    square.add(num)
                g.cells.add(square)
                g.lookup[(L, i)] = square
                g.frame.add(cell.copy().set_fill(opacity=0))
        for L in range(rows):
            g.row_labels.add(
                text(f"MLP {L}", 22, PALETTE["muted"]).next_to(g.lookup[(L, 0)], LEFT, buff=0.25)
            )
        g.add(g.frame, g.row_labels, g.cells)
        g.cell = lambda L, i: g.lookup[(L, i)]
        self.shown["causal_grid"] = ct
        return g

    def _cell_value(self, grid: VGroup, L: int, i: int, ct) -> VGroup:
        """The percentage of square (L, i) with its layer and token, for a line under the grid
        when the squares are too narrow to hold it (an empty group otherwise)."""
        if grid.numbers:
            return VGroup()
        return VGroup(
            text(f"MLP {L}, token {display_token(ct.tokens[i])}:", 22, PALETTE["muted"]),
            FastNumber(100 * float(ct.mlp[L, i]), 1, suffix="%", font_size=22),
        ).arrange(RIGHT, buff=0.15)

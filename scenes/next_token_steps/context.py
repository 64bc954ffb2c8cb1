"""Scenes Context, InputLayersOutput, WhyTheLastPosition, Unembedding (lecture steps A15, C1, C2, C3,
C4, C5, E18 in COVERAGE.md). tests/scenes/test_next_token*.py pin their section titles, the shown
values ``context_array``, ``context_slots``, ``dataflow``, ``position_guesses``, ``top_logits``,
``unembed``, and that every number said is on screen.

The context window, input → layers → output on tensors drawn to shape (from the trace), why the
last position is read, and the unembedding."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    GrowArrow,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    VGroup,
)

from llmviz.animations import LightUp, Unembed
from llmviz.layout import code, fit_width, lines, text, title
from llmviz.mobjects import Column, NumericMatrix, NumericVector, TokenStrip, ValueTable
from llmviz.model.config import GPT3_CONFIG, matrix_families
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE, display_token
from llmviz.words import quoted
from next_token_steps.common import NextTokenScene, fill, safe_token

#: Above this many places the context window is drawn with an ellipsis.
MAX_SLOTS = 64


def shape_text(shape) -> str:
    """A tensor's shape as the screen writes it: "6 × 64", "50,257" (thousands grouped)."""
    return " × ".join(f"{int(n):,}" for n in shape)


def tensor_box(rows: float, cols: float, depth: int = 1, color: str | None = None) -> VGroup:
    """A tensor drawn to shape: a ``rows`` × ``cols`` rectangle (frame units), with ``depth``
    layers behind it (up and to the right) for a third dimension."""
    c = color or PALETTE["positive"]
    step = np.array([0.07, 0.07, 0.0])
    faces = VGroup()
    for k in reversed(range(depth)):
        face = Rectangle(
            width=cols,
            height=rows,
            stroke_color=c,
            stroke_width=1.5,
            fill_color=PALETTE["box"],
            fill_opacity=1,
        ).shift(step * k)
        face.set_fill(c, opacity=0.25 + 0.4 * (k == 0))
        faces.add(face)
    return faces


class TensorFlow(VGroup):
    """Input → layers → output drawn as tensors to shape, top to bottom: token ids, the
    embeddings, each block's attention pattern (left, heads in depth), its stream (middle) and
    its MLP hidden layer (right), then the logits. Widths are to one scale (``per_unit`` numbers
    per frame unit); heights are the positions. ``parts[name]`` is a tensor with its shape
    label, ``value(name, "shape")`` the label's text, as a table's would be; ``order`` is the
    order they come in, ``row_names`` those names with "…" for left-out blocks."""

    def __init__(self, shapes: dict, blocks: list[int], n_layers: int, width: float = 7.0):
        super().__init__()
        n = shapes["tokens"][0]
        self.per_unit = max(s[-1] for s in shapes.values()) / width
        pos_h = min(0.42, 0.07 * n)
        self.shapes, self.parts, self.order, self.row_names = shapes, {}, [], []

        def part(name, box):
            label = text(shape_text(shapes[name]), 20, PALETTE["muted"]).next_to(box, RIGHT, 0.15)
            self.parts[name] = VGroup(box, label)
            self.row_names.append(name)
            return self.parts[name]

        def stream(name):
            return part(name, tensor_box(pos_h, max(shapes[name][-1] / self.per_unit, 0.06)))

        rows, names, streams = VGroup(), VGroup(), []
        for name, label in (("tokens", "token ids"), ("input", "embeddings")):
            rows.add(VGroup(stream(name)))
            names.add(text(label, 22))
            streams.append(self.parts[name][0])
            self.order.append(name)
        for layer in blocks:
            if n_layers > 3 and layer == n_layers - 1:
                gap = text(f"blocks 2 to {n_layers - 1}: the same shapes", 20, PALETTE["muted"])
                rows.add(VGroup(gap))
                names.add(text("…", 22))
                streams.append(gap)
                self.row_names.append("…")
            b = f"block {layer + 1}"
            heads = shapes[f"{b} attention"][0]
            attention = part(f"{b} attention", tensor_box(pos_h, pos_h, heads, PALETTE["accent"]))
            middle = stream(b)
            mlp_w = shapes[f"{b} MLP"][-1] / self.per_unit
            mlp = part(f"{b} MLP", tensor_box(pos_h, mlp_w, 1, PALETTE["highlight"]))
            rows.add(VGroup(attention, middle, mlp).arrange(RIGHT, buff=0.5))
            names.add(text(b, 22))
            streams.append(middle[0])
            self.order += [f"{b} attention", f"{b} MLP", b]
        rows.add(VGroup(stream("output")))
        names.add(text("logits", 22))
        streams.append(self.parts["output"][0])
        self.order.append("output")
        rows.arrange(DOWN, buff=0.42)
        left = streams[1].get_left()[0]
        for row, s in zip(rows, streams, strict=True):  # every stream starts under the embeddings
            row.shift(RIGHT * (left - s.get_left()[0]))
        names.set_color(PALETTE["muted"])
        names.arrange(DOWN, aligned_edge=RIGHT).next_to(rows, LEFT, buff=0.45)
        for nm, row in zip(names, rows, strict=True):
            nm.set_y(row.get_y())
        x = left + 0.25
        arrows = VGroup(
            *(
                Arrow(
                    [x, a.get_bottom()[1], 0],
                    [x, b.get_top()[1], 0],
                    buff=0.04,
                    stroke_width=2.5,
                    color=PALETTE["muted"],
                    max_tip_length_to_length_ratio=0.35,
                )
                for a, b in zip(streams[:-1], streams[1:], strict=True)
            )
        )
        self.rows, self.names, self.arrows = rows, names, arrows
        self.gaps = VGroup(*(s for s in streams if s not in [p[0] for p in self.parts.values()]))
        # the tensors come in one by one (``parts``); names, arrows and gaps are drawn at once
        self.add(names, arrows, self.gaps, *self.parts.values())

    def value(self, name: str, column: str = "shape") -> str:
        return self.parts[name][1].text

    def frame(self, *names) -> SurroundingRectangle:
        return SurroundingRectangle(
            VGroup(*(self.parts[x] for x in names)), color=PALETTE["highlight"], buff=0.08
        )


class ContextStep(NextTokenScene):
    @step("Context window", order=21)
    def step_context(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        n = t.n_tokens
        head = title(f"The context window: {cfg.n_ctx:,} tokens here, {g.n_ctx:,} in GPT-3")
        drawn = min(cfg.n_ctx, MAX_SLOTS)
        per_row = int(np.ceil(np.sqrt(drawn)))  # the places as a square grid, row by row
        slots = VGroup(
            *(
                Rectangle(
                    width=0.46,
                    height=0.46,
                    stroke_width=1,
                    stroke_color=PALETTE["muted"],
                    fill_color=PALETTE["box"],
                    fill_opacity=1,
                )
                for _ in range(drawn)
            )
        ).arrange_in_grid(cols=per_row, buff=0.1)
        used = lines(
            f"{n} of {cfg.n_ctx:,} places",
            "used by the prompt" + (f" (first {drawn} drawn)" if drawn < cfg.n_ctx else ""),
            size=24,
            color=PALETTE["muted"],
        ).next_to(slots, DOWN, buff=0.25)
        X = t[hook_name("resid_pre", 0)].T  # [d_model, n]: one column per place
        side = VGroup(
            text(f"here: {cfg.d_model:,} × {n} numbers", 26),
            text(f"full context: {cfg.d_model:,} × {cfg.n_ctx:,}", 26, PALETTE["muted"]),
            text(f"GPT-3: {g.d_model:,} × {g.n_ctx:,}", 26, PALETTE["highlight"]),
            text(f"= {g.d_model * g.n_ctx:,} numbers", 26, PALETTE["highlight"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        room = 12.4 - slots.width - 0.8
        for cols in (5, 4, 3):  # fewer columns when tokens or numbers are wide
            probe = NumericMatrix(X, max_rows=6, max_cols=cols, font_size=24)
            shown = [j for j in probe.cols if j is not None]
            col_tokens = VGroup(
                *(code(display_token(t.tokens[j]), 22, PALETTE["muted"]) for j in shown)
            )
            gap = (
                probe.get_column(shown[1]).get_x() - probe.get_column(shown[0]).get_x()
                if len(shown) > 1
                else 1.0
            )
            widest = max(c.width for c in col_tokens)
            mat = NumericMatrix(
                X,
                max_rows=6,
                max_cols=cols,
                font_size=24,
                shape_label=True,
                h_buff=0.25 + max(0.0, widest + 0.25 - gap),  # every token over its own column
            )
            for c, j in zip(col_tokens, shown, strict=True):
                c.next_to(mat.get_column(j), UP, buff=0.2)
            block = VGroup(mat, col_tokens)
            if block.width <= room:
                break
        right = VGroup(block, side).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        fit_width(right, room)
        picture = VGroup(VGroup(slots, used), right).arrange(RIGHT, buff=0.8, aligned_edge=UP)
        fill(picture, title=head, max_scale=1.3)
        self.shown["context_slots"] = (slots, cfg.n_ctx)
        self.shown["context_array"] = mat
        self.say(
            "The model reads at most a fixed number of tokens at once: its context window.",
            self.title_in(head),
            LaggedStart(*(FadeIn(s, scale=0.5) for s in slots), lag_ratio=0.02),
        )
        self.say(
            f"That is {cfg.n_ctx:,} tokens for this model, and {g.n_ctx:,} for GPT-3 when it was "
            "trained.",
            LightUp(head),
        )
        self.say(
            f"Our prompt fills {n} of the {cfg.n_ctx:,} places.",
            LaggedStart(
                *(s.animate.set_fill(PALETTE["highlight"]) for s in slots[:n]), lag_ratio=0.2
            ),
            FadeIn(used, shift=UP * 0.3),
        )
        self.say(
            f"Each place holds one vector, so what flows through is an array of "
            f"{cfg.d_model:,} by {n} numbers.",
            (FadeIn(mat, shift=UP * 0.3), FadeIn(col_tokens, shift=UP * 0.3)),
            FadeIn(side[:2], shift=LEFT * 0.4),
        )
        self.say(
            f"For a full GPT-3 context it is {g.d_model:,} by {g.n_ctx:,}: "
            f"{g.d_model * g.n_ctx:,} numbers.",
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.4) for r in side[2:]), lag_ratio=0.4),
        )
        self.hand_over(slots=self.gather(slots))

    @step("Input, layers, output", order=23)
    def step_dataflow(self) -> None:
        t, cfg = self.t, self.model.cfg
        L, n, d = cfg.n_layers, t.n_tokens, cfg.d_model
        head = title("Input → layers → output, on tensors")
        shapes = {"tokens": (n,), "input": tuple(t[hook_name("resid_pre", 0)].shape)}
        blocks = list(range(L)) if L <= 3 else [0, L - 1]
        for layer in blocks:
            b = f"block {layer + 1}"
            shapes[f"{b} attention"] = tuple(t[hook_name("pattern", layer)].shape)
            shapes[f"{b} MLP"] = tuple(t[hook_name("post", layer)].shape)
            shapes[b] = tuple(t[hook_name("resid_post", layer)].shape)
        shapes["output"] = tuple(t[hook_name("logits")].shape)
        flow = TensorFlow(shapes, blocks, L)
        flow.next_to(head, DOWN, buff=0.35).set_x(0)
        scale = self.caption(
            f"widths to scale: numbers per position; heights: the {n} positions; heads "
            "stacked in depth"
        )
        self.shown["dataflow"] = (flow, shapes)
        att, mlp = shapes["block 1 attention"], shapes["block 1 MLP"]
        box = flow.frame("tokens")
        got = self.received_any("lengths")
        skeleton = VGroup(flow.names, flow.arrows, flow.gaps)

        def light(*names):
            return (
                *(FadeIn(flow.parts[x], shift=DOWN * 0.2) for x in names),
                Transform(box, flow.frame(*names)),
            )

        self.say(
            "Like any network, a transformer is input, then layers, then output, only on arrays "
            "of numbers: tensors.",
            self.title_in(head),
            (
                ReplacementTransform(got, skeleton) if got is not None else FadeIn(skeleton),
                FadeIn(flow.parts["tokens"]),
                FadeIn(scale, shift=UP * 0.3),
            ),
            Create(box),
        )
        self.say(
            f"The {n} tokens become an array of {n} by {d:,} numbers.",
            light("input"),
        )
        self.say(
            f"In each block, attention compares every position with the others: {att[0]} heads "
            f"of {att[1]} by {att[2]} weights.",
            light("block 1 attention"),
        )
        self.say(
            f"Then the MLP widens each position to {mlp[1]:,} numbers, and writes back {d:,}.",
            light("block 1 MLP", "block 1"),
        )
        rest = [x for x in flow.order if x not in ("tokens", "input", "output")][3:]
        self.say(
            f"Attention and MLP take turns, {L} times; between them the shape stays {n} by {d:,}.",
            *(light(x) for x in rest),
        )
        out = shapes["output"]
        self.say(
            f"At the end come {out[0]} by {out[1]:,} logits: a score for every token of the "
            "vocabulary, at every position.",
            light("output"),
        )
        self.hand_over(tokens=self.gather(flow.parts["tokens"]))

    @step("Why the last position", order=24)
    def step_why_last(self) -> None:
        t = self.t
        every = [t.top_k(1, position=i)[0] for i in range(t.n_tokens)]
        right = sum(g.token == nxt for g, nxt in zip(every, t.tokens[1:], strict=False))
        head = title("Every position predicts its next token")
        for k in (6, 5, 4, 3, 2):  # a long prompt: its last six positions, fewer if they are wide
            first = max(0, t.n_tokens - k)
            strip = TokenStrip(t.tokens[first:], font_size=22, min_width=1.7, buff=0.25)
            # shrunk to fit, the tokens stay readable (19.6 or more); a strip with its note, unshrunk
            if strip.width <= (10.6 if strip.note is not None else 10.6 * 22 / 19.6):
                break
        strip = fit_width(strip, 10.6)
        guesses = every[first:]
        strip.next_to(head, DOWN, buff=0.6).shift(RIGHT * 1.2)
        if strip.note is not None:  # the note on <byte 0x..> goes above, clear of the arrows
            strip.note.next_to(strip.boxes, UP, buff=0.12)
        arrows, preds, actual = VGroup(), VGroup(), VGroup()
        for i, (b, gss) in enumerate(zip(strip.boxes, guesses, strict=True)):
            ar = Arrow(b.get_bottom(), b.get_bottom() + 1.3 * DOWN, buff=0.1, stroke_width=3)
            ar.set_color(PALETTE["muted"])
            p = VGroup(
                code(display_token(gss.token), 20),
                text(f"{100 * gss.prob:.1f}%", 20, PALETTE["muted"]),
            ).arrange(DOWN, buff=0.08)
            p.next_to(ar, DOWN, buff=0.1)
            arrows.add(ar)
            preds.add(p)
            if first + i + 1 < t.n_tokens:
                nxt = t.tokens[first + i + 1]
                ok = nxt == gss.token
                a = code(display_token(nxt), 20, PALETTE["accent"] if ok else PALETTE["negative"])
            else:
                a = text("?", 24, PALETTE["highlight"])
            actual.add(a)
        for a, p in zip(actual, preds, strict=True):
            a.move_to([p.get_x(), preds.get_bottom()[1] - 0.8, 0])
        preds[-1][0].set_color(PALETTE["highlight"])
        arrows[-1].set_color(PALETTE["highlight"])
        left = strip.get_left()[0] - 0.3
        row_names = VGroup(
            text("the text", 20, PALETTE["muted"]).move_to(
                [left, strip.get_y(), 0], aligned_edge=RIGHT
            ),
            text("model's guess", 20, PALETTE["muted"]).move_to(
                [left, preds[0].get_y(), 0], aligned_edge=RIGHT
            ),
            text("what came next", 20, PALETTE["muted"]).move_to(
                [left, actual.get_y(), 0], aligned_edge=RIGHT
            ),
        )
        last_box = SurroundingRectangle(
            VGroup(strip.boxes[-1], actual[-1]), color=PALETTE["highlight"], buff=0.15
        )
        score = self.caption(
            f"green: right, red: wrong; {right} of the {t.n_tokens - 1} earlier guesses are right"
        )
        fill(
            VGroup(strip, arrows, preds, actual, row_names, last_box),
            title=head,
            caption=score,
            max_scale=1.35,
        )
        got = self.received("tokens")
        self.shown["position_guesses"] = list(zip(preds, guesses, strict=True))
        self.say(
            "At the end, every position holds a vector, and each can be read as a guess for the "
            "token after it.",
            (
                self.title_in(head),
                ReplacementTransform(got, strip)
                if got is not None
                else FadeIn(strip, shift=UP * 0.3),
                FadeIn(row_names[:2]),
            ),
            LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.15),
            LaggedStart(*(FadeIn(p, shift=DOWN * 0.3) for p in preds), lag_ratio=0.15),
        )
        self.say(
            "In training, all these guesses are scored at once against what really came next, "
            "so one text gives many examples.",
            FadeIn(row_names[2]),
            LaggedStart(*(FadeIn(a, shift=UP * 0.3) for a in actual), lag_ratio=0.15),
        )
        self.say(
            f"Here {right} of the {t.n_tokens - 1} earlier guesses are right.",
            FadeIn(score, shift=UP * 0.4),
            LightUp(VGroup(*actual[:-1])),
        )
        self.say(
            "To continue the text, we only need the guess after the last token, so the last "
            "vector is the one we read.",
            Create(last_box),
            LightUp(preds[-1]),
        )
        self.hand_over(last=self.gather(preds[-1]))

    @step("Unembedding", order=25)
    def step_unembedding(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        x = t[hook_name("ln_final")][-1]
        logits = t[hook_name("logits")][-1]
        top = np.argsort(-logits, kind="stable")[:5]
        w_u = matrix_families(g)[-1].weights
        emb_unemb = 2 * w_u
        head = title("Unembedding: the last vector → one logit per token")
        for size in (26, 22, 21, 20):  # smaller numbers when they are wide (6 decimals), never tiny
            vec = NumericVector(
                x, max_entries=6, font_size=size, label=f"last vector ({cfg.d_model:,})"
            )
            unembed = Unembed(
                vec, self.model.W_U, lambda i: safe_token(self.model.decode_token(i)), k=5
            )
            parts = VGroup(vec, unembed.arrows, unembed.logit_vector, unembed.result)
            if parts.width <= 13.2:
                break
        top = top[:3]
        names = [self.model.decode_token(int(i)) for i in top]
        table = ValueTable(
            [
                [code(display_token(w), 24), float(logits[i])]
                for w, i in zip(names, top, strict=True)
            ],
            [Column("token"), Column("logit")],
            row_names=names,
            font_size=24,
            v_buff=1.1,
        )
        picture = VGroup(vec, unembed.arrows, unembed.logit_vector, unembed.result)
        # up to 14 wide (0.1 inside the frame's edges) before a number drops below readable
        fit_width(picture, max(13.2, min(picture.width, 14.0))).next_to(head, DOWN, buff=0.5)
        picture.set_x(0)
        table.next_to(unembed.result, DOWN, buff=0.3).align_to(unembed.result, LEFT)
        for v in (vec, unembed.logit_vector):  # labels kept readable after the fit
            v.label.become(text(v.label.text, 20, PALETTE["muted"]).move_to(v.label))
        counts = VGroup(
            text(
                f"W_U: {cfg.vocab_size:,} × {cfg.d_model:,} here; GPT-3: {g.vocab_size:,} × "
                f"{g.d_model:,} = {w_u:,}",
                22,
                PALETTE["muted"],
            ),
            text(f"W_E + W_U in GPT-3: {emb_unemb:,} weights", 22, PALETTE["highlight"]),
        ).arrange(DOWN, buff=0.12)
        counts.to_edge(DOWN, buff=0.3)
        fit_width(counts)
        self.shown["unembed"] = unembed
        self.shown["top_logits"] = table
        first, second = names[0], names[1]
        got = self.received("last")
        self.say(
            "The unembedding matrix turns the last vector into one score for every token of the "
            "vocabulary.",
            self.title_in(head),
            ReplacementTransform(got, vec) if got is not None else FadeIn(vec, shift=RIGHT * 0.4),
        )
        self.say(
            "Each score, called a logit, is the dot product of the vector with that token's row.",
            unembed,
        )
        self.say(
            f"The largest logit here is {logits[top[0]]:.2f}, for {quoted(first)}; next is "
            f"{logits[top[1]]:.2f}, for {quoted(second)}.",
            (
                FadeIn(table.header),
                LaggedStart(*(FadeIn(r, shift=LEFT * 0.3) for r in table.body), lag_ratio=0.2),
            ),
            LightUp(table.row(first)),
        )
        self.say(
            f"In GPT-3 this matrix has {g.vocab_size:,} rows of {g.d_model:,} numbers: another "
            f"{w_u:,} weights.",
            FadeIn(counts[0], shift=UP * 0.3),
        )
        self.say(
            f"With the embedding that makes {emb_unemb:,}, a little over a billion.",
            FadeIn(counts[1], shift=UP * 0.3),
            LightUp(counts[1]),
        )
        self.hand_over(logits=self.gather(unembed.logit_vector))

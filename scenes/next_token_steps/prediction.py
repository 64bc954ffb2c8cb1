"""Scenes Prediction, SamplingLoop, Chatbot (lecture steps A1, A2, A3, A4, A12 in COVERAGE.md).
tests/scenes/test_next_token*.py pin their section titles, the shown values ``chat``, ``loop``,
``loop_full``, ``loop_text``, ``prediction_bars``, ``prediction_rest``, and that every number said
is on screen.

Steps 1 to 3: the next-token distribution, the sampling loop, and a chatbot as a laid-out text."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, text, title
from llmviz.mobjects import ProbabilityBars, TokenStrip
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import quoted
from next_token_steps.common import NextTokenScene, safe_token, token_lines, token_text


def grow_bars(bars: ProbabilityBars) -> list:
    """Bars growing from their left edge, then their labels and numbers sliding in."""
    return [
        LaggedStart(*(GrowFromEdge(b, LEFT) for b in bars.bars), lag_ratio=0.15),
        (FadeIn(bars.labels, shift=RIGHT * 0.5), FadeIn(bars.numbers, shift=LEFT * 0.5)),
    ]


def centre_first(whole, first):
    """Shift ``first`` (the part of the picture ``whole`` that comes on screen first) down to the
    middle of ``whole``'s place, where it fills the frame while alone; returns the shift that
    takes it back up when the rest comes in (``first.animate.shift(lift)``)."""
    lift = UP * (first.get_y() - whole.get_y())
    first.shift(-lift)
    return lift


def lift_up(scene, first, lift):
    """The animation that takes the parts of ``first`` on screen back up by ``lift``; the parts
    not on screen (replaced or faded already) move at once, unseen."""
    shown = {id(m) for m in scene.get_mobject_family_members()}
    on = [m for m in first if any(id(f) in shown for f in m.get_family())]
    for m in first:
        if m not in on:
            m.shift(lift)
    return VGroup(*on).animate.shift(lift)


def morph(old, new) -> FadeTransform:
    """``old`` (handed over by the last step) cross-fading into ``new`` in its place and at its
    width, neither stretched out of shape."""
    return FadeTransform(old, new, stretch=False, dim_to_match=0)


#: The sampling loop's text (prompt and new tokens) takes at most this many lines.
LOOP_LINES = 3


class PredictionStep(NextTokenScene):
    @step("Predicting the next token", order=1)
    def step_prediction(self) -> None:
        t, cfg = self.t, self.model.cfg
        top = t.top_k(5)
        head = title("A language model predicts the next token")
        strip = fit_width(TokenStrip(t.tokens, font_size=28)).next_to(head, DOWN, buff=0.7)
        caption = text(
            f"probabilities for all {cfg.vocab_size:,} tokens of the vocabulary; the 5 largest:",
            22,
            PALETTE["muted"],
        ).next_to(strip, DOWN, buff=0.5)
        bars = ProbabilityBars(
            [safe_token(x.token) for x in top], [x.prob for x in top], decimals=3, width=7.0
        )
        bars.next_to(caption, DOWN, buff=0.45).shift(RIGHT * 0.5)
        rest = 1.0 - sum(x.prob for x in top)
        rest_line = text(
            f"the other {cfg.vocab_size - len(top):,} tokens together: {100 * rest:.3f}%",
            22,
            PALETTE["muted"],
        ).next_to(bars, DOWN, buff=0.45)
        rest_line.set_x(0)
        fill_frame(VGroup(strip, caption, bars, rest_line), title=head)
        self.shown["prediction_bars"] = bars
        self.shown["prediction_rest"] = (rest_line, rest)
        self.say(
            "A language model reads a text and scores every token that could come next.",
            (
                self.title_in(head),
                LaggedStart(*(FadeIn(b, shift=RIGHT * 0.5) for b in strip.boxes), lag_ratio=0.2),
            ),
        )
        self.say(
            f"Our small model knows {cfg.vocab_size:,} tokens and gives each one a probability.",
            FadeIn(caption, shift=UP * 0.5),
            *grow_bars(bars),
        )
        self.say(
            f"After this prompt it puts {100 * top[0].prob:.3f} percent on {quoted(top[0].token)}.",
            LightUp(VGroup(bars.labels[0], bars.numbers[0])),
            LightUp(bars.bars[0]),
        )
        self.say(
            f"The other {cfg.vocab_size - len(top):,} tokens share the remaining "
            f"{100 * rest:.3f} percent.",
            FadeIn(rest_line, shift=UP * 0.5),
            LightUp(rest_line),
        )
        self.hand_over(strip=self.gather(VGroup(*strip.boxes)), bars=self.gather(bars))

    @step("Sampling in a loop", order=2)
    def step_loop(self) -> None:
        t = self.t
        g = self.generate(self.prompt, self.loop_tokens, self.temperature, self.seed)
        others = [
            self.generate(self.prompt, self.loop_tokens, self.temperature, s)
            for s in (self.seed + 1, self.seed + 2)
        ]
        head = title(
            f"Predict, sample, append, repeat (temperature {self.temperature:g}, seed {self.seed})"
        )
        # the prompt and what the loop adds, in at most LOOP_LINES lines: a long prompt (or one
        # of <byte 0x..> stand-ins) keeps its last tokens behind a visible "… N more …"
        new_colors = [PALETTE["highlight"]] * len(g.new_tokens)
        for keep in range(len(t.tokens), 0, -1):
            left_out = len(t.tokens) - keep
            gap = "" if t.tokens[left_out].startswith(" ") else " "
            pieces = ([f"… {left_out} more …{gap}"] if left_out else []) + list(t.tokens[left_out:])
            colors = [PALETTE["muted"]] * (1 if left_out else 0) + [PALETTE["text"]] * keep
            if token_lines(pieces + list(g.new_tokens), 12.6, 24) <= LOOP_LINES:
                break
        para = token_text(pieces + list(g.new_tokens), colors + new_colors, 12.6, 24)
        n0 = len(pieces)
        para.next_to(head, DOWN, buff=0.5).to_edge(LEFT, buff=0.7)
        self.shown["loop"] = g
        self.shown["loop_text"] = para
        n_ctx, added = self.model.cfg.n_ctx, len(g.new_tokens)
        full = None
        if added < self.loop_tokens:  # the prompt leaves the context window too little room
            full = self.not_found(
                f"The prompt is {len(t.tokens)} tokens; the context window holds {n_ctx}: "
                + (f"room for {added} more" if added else "no room for another token")
            ).next_to(para, DOWN, buff=0.6)
        frames = []
        for i, (cands, tok) in enumerate(zip(g.steps, g.new_tokens, strict=True)):
            cands = [c for c in cands if c.prob > 0 or c.token == tok]  # T = 0: one is left
            j = next(k for k, c in enumerate(cands) if c.token == tok)
            bars = ProbabilityBars(
                [safe_token(c.token) for c in cands],
                [c.prob for c in cands],
                width=7.5,
                font_size=30,
                bar_height=0.5,
            )
            bars.bars[j].set_fill(PALETTE["highlight"])
            bars.next_to(para, DOWN, buff=1.3)  # under the text, the caption between
            caption = text(
                f"step {i + 1}: sampled {quoted(tok)}, probability {100 * cands[j].prob:.1f}%",
                22,
                PALETTE["muted"],
            ).next_to(bars, UP, buff=0.35)
            caption.set_x(0)
            frames.append((bars, caption, j, 100 * cands[j].prob, tok))
        rows = VGroup()
        for s, o in zip((self.seed + 1, self.seed + 2), others, strict=True):
            cont = "".join(o.new_tokens).replace("\n", "↵")
            rows.add(fit_width(text(f"seed {s}: …{cont}", 22, PALETTE["muted"]), 12.8))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        low = VGroup(*(m for f in frames for m in f[:2])) if frames else full or para
        rows.next_to(low, DOWN, buff=0.6).to_edge(LEFT, buff=0.7)
        # the whole picture (every step's bars in the same place) fills the frame at once
        parts = [para, rows, *(m for f in frames for m in f[:2])]
        whole = fill_frame(VGroup(*parts, *([full] if full is not None else [])), title=head)
        first = VGroup(*(m for m in whole if m is not rows))  # all but the other seeds' rows
        lift = centre_first(whole, first)
        strip_in, bars_in = self.received("strip"), self.received("bars")
        opening = [
            ReplacementTransform(strip_in, VGroup(*para[:n0]))
            if strip_in is not None
            else LaggedStart(*(FadeIn(m, shift=RIGHT * 0.4) for m in para[:n0]), lag_ratio=0.15)
        ]
        if bars_in is not None:  # the first prediction's bars become the loop's first step's
            opening.append(
                ReplacementTransform(bars_in, frames[0][0]) if frames else FadeOut(bars_in)
            )
        self.say(
            "To write more than one token, we run the model in a loop.",
            (self.title_in(head), *opening),
        )
        self.shown["loop_full"] = full
        if full is not None:
            self.say(
                f"This prompt is {len(t.tokens)} tokens long and the model reads at most {n_ctx}, "
                + (
                    f"so the loop can add only {added} tokens."
                    if added
                    else "so there is no room to add even one token."
                ),
                FadeIn(full, shift=UP * 0.3),
            )
            if not added:
                return

        def arrive(i):
            bars, caption, j, _, _ = frames[i]
            if i == 0 and bars_in is not None:  # the bars are on screen already
                show = [FadeIn(caption, shift=UP * 0.5)]
            elif i == 0:
                show = [FadeIn(caption, shift=UP * 0.5), *grow_bars(bars)]
            else:
                old_bars, old_caption = frames[i - 1][:2]
                show = [
                    (
                        ReplacementTransform(old_bars, bars),
                        ReplacementTransform(old_caption, caption),
                    )
                ]
            return [*show, TransformFromCopy(bars.labels[j], para[n0 + i])]

        for i in range(min(3, len(frames))):
            _, _, _, p, tok = frames[i]
            lead = "It predicts, we pick a token and append it: step" if i == 0 else "Step"
            leave = [FadeOut(full)] if i == 0 and full is not None else []
            self.say(
                f"{lead} {i + 1} picks {quoted(tok)}, which had {p:.1f} percent.",
                *leave,
                *arrive(i),
            )
        if len(frames) > 3:
            steps = [a for i in range(3, len(frames)) for a in arrive(i)]
            self.say(f"Then the same again, up to step {len(frames)}.", *steps)
        new = VGroup(*para[n0:])
        if self.temperature == 0:
            how = "At temperature 0 the loop always takes the likeliest token, whatever the seed."
        else:
            how = (
                f"Each token is drawn at random by its probability (temperature "
                f"{self.temperature:g}), with seed {self.seed}."
            )
        self.say(how, LightUp(head), LightUp(new))
        self.shown["loop_others"] = others
        differ = any(o.new_tokens != g.new_tokens for o in others)
        self.say(
            "Other seeds pick other tokens where the model is unsure, and the text turns."
            if differ
            else "Other seeds give the same text here: the model is sure at every step.",
            lift_up(self, first, lift),
            LaggedStart(*(FadeIn(r, shift=UP * 0.5) for r in rows), lag_ratio=0.4),
        )
        stop = next((k for k, tok in enumerate(g.new_tokens[:-1]) if tok.strip() in ".!?"), None)
        if stop is not None and "\n" in "".join(g.new_tokens[stop + 1 : stop + 2]):
            after = VGroup(*para[n0 + stop + 2 :])
            if len(after):
                self.say(
                    "After the full stop, the model starts a new sentence like those it learned.",
                    LightUp(after, color=PALETTE["accent"]),
                )
        self.hand_over(text=self.gather(para))

    @step("A chatbot continues a text", order=3)
    def step_chat(self) -> None:
        chat = f"{self.system_prompt}\nUser: {self.chat_question} Assistant:"
        n_chat, n_ctx = len(self.model.tokenizer.encode(chat)), self.model.cfg.n_ctx
        head = title("A chatbot: the model continues a conversation")
        loop_text = self.received("text")  # the loop's text becomes the page of the chat
        if n_chat + 16 > n_ctx:
            note = self.not_found(
                f"The chat text is {n_chat} tokens with this tokenizer; the context window "
                f"holds {n_ctx}."
            ).next_to(head, DOWN, buff=1.0)
            self.say(
                "A chatbot is built from the same loop, continuing a laid-out conversation.",
                self.title_in(head),
                *([FadeOut(loop_text)] if loop_text is not None else []),
            )
            self.say(
                f"Here the conversation alone is {n_chat} tokens, more than this model's "
                f"{n_ctx}-token window leaves room for, so it cannot be shown.",
                FadeIn(note, shift=UP * 0.5),
            )
            self.shown["chat"] = None
            return
        g = self.generate(chat, 16, self.temperature, self.seed, stop=True)
        answer = "".join(g.new_tokens).strip()
        words_sys = [w if i == 0 else " " + w for i, w in enumerate(self.system_prompt.split(" "))]
        words_user = ["User:"] + [" " + w for w in self.chat_question.split(" ")]
        words_sys[-1] += "\n"  # the newline ends the system line
        pieces = words_sys + words_user + [" Assistant:"] + list(g.new_tokens)
        colors = (
            [PALETTE["muted"]] * len(words_sys)
            + [PALETTE["text"]] * len(words_user)
            + [PALETTE["accent"]]
            + [PALETTE["highlight"]] * len(g.new_tokens)
        )
        doc = token_text(pieces, colors, width=11.6, size=30, line_gap=0.7)
        box = SurroundingRectangle(
            doc, buff=0.35, corner_radius=0.15, stroke_color=PALETTE["muted"], stroke_width=2
        )
        VGroup(doc, box).next_to(head, DOWN, buff=0.6)
        legend = VGroup(
            text("system prompt", 22, PALETTE["muted"]),
            text("user's text", 22, PALETTE["text"]),
            text("role", 22, PALETTE["accent"]),
            text("the model's continuation", 22, PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.6)
        legend.next_to(box, DOWN, buff=0.4)
        n_sys, n_user = len(words_sys), len(words_user)
        n_fixed = len(pieces) - len(g.new_tokens)
        note = text(
            f"one text of {len(self.model.encode(chat))} tokens, sampled with temperature "
            f"{self.temperature:g}, seed {self.seed}",
            22,
            PALETTE["muted"],
        ).next_to(legend, DOWN, buff=0.35)
        rlhf = fit_width(
            text(
                "large chat models: trained further on conversations and human feedback (RLHF)",
                22,
                PALETTE["accent"],
            )
        ).to_edge(DOWN, buff=0.35)
        fill_frame(VGroup(doc, box, legend, note), title=head, caption=rlhf)
        self.shown["chat"] = g
        self.shown["chat_text"] = doc

        def slide_in(mobs):
            return LaggedStart(*(FadeIn(m, shift=RIGHT * 0.4) for m in mobs), lag_ratio=0.1)

        self.say(
            "A chatbot is built from the same loop.",
            (
                self.title_in(head),
                Create(box) if loop_text is None else FadeTransform(loop_text, box),
            ),
        )
        self.say(
            "First comes a short text that sets the scene: the system prompt.",
            slide_in(doc[:n_sys]),
            FadeIn(legend[0], shift=UP * 0.5),
        )
        self.say(
            "Then the user's question, then the word Assistant and a colon.",
            slide_in(doc[n_sys : n_sys + n_user]),
            (FadeIn(doc[n_fixed - 1], shift=RIGHT * 0.4), FadeIn(legend[1:3], shift=UP * 0.5)),
        )
        self.say(
            f"The model simply continues the text with “{answer}”, which reads as the reply.",
            LaggedStart(*(FadeIn(m, shift=UP * 0.3) for m in doc[n_fixed:]), lag_ratio=0.5),
            FadeIn(legend[3], shift=UP * 0.5),
        )
        self.say(
            f"It is one text of {len(self.model.encode(chat))} tokens, sampled like any other.",
            FadeIn(note, shift=UP * 0.5),
        )
        self.say(
            "Large chat models are then trained further on conversations and human feedback.",
            FadeIn(rlhf, shift=UP * 0.5),
            LightUp(rlhf),
        )

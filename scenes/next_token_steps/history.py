"""Scenes WordByWord, WhatGPTMeans. tests/scenes/test_next_token*.py pin their section titles, the
shown values ``gpt``, ``gpt_pretrained``, ``history_guesses``, and that every number said is on
screen.

Word-by-word models before 2017 against the transformer's parallel reading (one real forward
pass gives every position's guess at once), and what G, P and T stand for, with the kinds of
transformer."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    GrowArrow,
    LaggedStart,
    RoundedRectangle,
    Succession,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import code, fill_frame, fit_width, text, title
from llmviz.mobjects import TokenStrip
from llmviz.model.scale import parameter_count, training_run
from llmviz.steps import step
from llmviz.style import PALETTE, display_token
from llmviz.words import all_of, counted
from next_token_steps.common import NextTokenScene, own_training_log
from next_token_steps.prediction import centre_first, lift_up, morph

#: Kinds of transformer model the lecture names (facts about the field, not about this model).
KINDS = (
    ("speech → text", "speech recognition"),
    ("text → speech", "speech synthesis"),
    ("text → image", "image generation"),
    ("text → text", "machine translation: the first transformer, 2017"),
)


class HistoryStep(NextTokenScene):
    @step("One word at a time, or all at once", order=4)
    def step_history(self) -> None:
        t = self.t
        n = t.n_tokens
        k = min(n, 8)  # a long prompt (another tokenizer): its first eight tokens
        head = title("Before 2017: one word at a time")
        left = text("before 2017 (schematic)", 24, PALETTE["muted"])
        # a strip too wide (long tokens, <byte 0x..> stand-ins) leaves tokens out visibly
        old = TokenStrip(t.tokens[:k], font_size=24, buff=0.3, max_width=12.0)
        state = RoundedRectangle(
            width=0.9,
            height=0.5,
            corner_radius=0.1,
            stroke_color=PALETTE["accent"],
            fill_color=PALETTE["accent"],
            fill_opacity=0.3,
        )
        state_name = text("state", 20, PALETTE["accent"])
        VGroup(left, old).arrange(DOWN, buff=0.3)
        right = text(
            f"transformer, 2017: one pass of this model, {counted(n, 'position')}",
            24,
            PALETTE["muted"],
        )
        new = TokenStrip(t.tokens[:k], font_size=24, buff=0.3, max_width=12.0)
        VGroup(right, new).arrange(DOWN, buff=0.3)
        guesses = [t.top_k(1, position=i)[0] for i in range(k)]
        drawn = [i for i in range(k) if i not in new.hidden]  # a guess under every drawn box
        outs = VGroup(
            *(
                code(display_token(g.token), 22, PALETTE["highlight"]).next_to(
                    b,
                    DOWN,
                    buff=0.8 + 0.45 * (j % 2),  # every other one lower: long guesses fit
                )
                for j, (g, b) in enumerate((guesses[i], new.boxes[i]) for i in drawn)
            )
        )
        ups = VGroup(
            *(
                Arrow(
                    b.get_bottom(),
                    o.get_top(),
                    buff=0.08,
                    stroke_width=3,
                    color=PALETTE["highlight"],
                )
                for b, o in zip((new.boxes[i] for i in drawn), outs, strict=True)
            )
        )
        left_col = VGroup(left, old)
        right_col = VGroup(right, new, ups, outs)
        VGroup(left_col, right_col).arrange(DOWN, buff=0.9).next_to(head, DOWN, buff=0.5)
        for col in (left_col, right_col):
            col.set_x(0)
        state.next_to(old.boxes[0], DOWN, buff=0.3)
        state_name.move_to(state)
        walker = VGroup(state, state_name)
        count = self.caption(
            f"{all_of(n)} {'position' if n == 1 else 'positions'} computed together, then read at once"
        )
        note = old.note  # what a <byte 0x..> stand-in is: at the bottom, under the caption
        if note is not None:
            old.remove(note)
            note.to_edge(DOWN, buff=0.3)
            count.next_to(note, UP, buff=0.15)
        whole = fill_frame(VGroup(left_col, right_col, walker), title=head, caption=count)
        # the old way starts alone in the middle, and moves up when the transformer comes in
        alone = VGroup(left_col, walker)
        lift = UP * (alone.get_y() - whole.get_y())
        alone.shift(-lift)
        self.shown["history_guesses"] = guesses

        below = walker.get_center() - old.drawn[0].get_center()  # as far under every box
        hops = [walker.animate(run_time=0.6).move_to(b.get_center() + below) for b in old.drawn[1:]]
        self.say(
            "Before 2017, most language models read a text one word at a time.",
            (
                self.title_in(head),
                FadeIn(left),
                LaggedStart(*(FadeIn(b, shift=RIGHT * 0.3) for b in old.drawn), lag_ratio=0.3),
                *([FadeIn(note)] if note is not None else []),
            ),
        )
        self.say(
            "Each step waited for the one before, and carried what it had read in a single state.",
            FadeIn(walker, shift=UP * 0.3),
            Succession(*hops),
        )
        self.say(
            "In 2017 the transformer arrived: it takes in the whole text at once, in parallel.",
            (alone.animate.shift(lift), FadeIn(right, shift=UP * 0.3)),
            LaggedStart(*(FadeIn(b, shift=UP * 0.3) for b in new.drawn), lag_ratio=0.05),
        )
        self.say(
            f"One pass of our model gives a vector, and a guess, for {all_of(n)} "
            f"{'position' if n == 1 else 'positions'} together.",
            (*(GrowArrow(a) for a in ups),),
            (*(FadeIn(o, shift=DOWN * 0.3) for o in outs),),
        )
        self.say(
            "The work at every position happens side by side, which suits hardware that does "
            "many sums at once.",
            FadeIn(count, shift=UP * 0.3),
            LightUp(outs),
        )
        # the one pass (strip, arrows, guesses) goes on as the line that GPT generates
        self.hand_over(one_pass=self.gather(VGroup(*new.drawn, *ups, *outs)))

    @step("Generative Pre-trained Transformer", order=5)
    def step_gpt(self) -> None:
        cfg = self.model.cfg
        head = title("GPT: Generative Pre-trained Transformer")
        g = self.generate(self.prompt, 6, self.temperature, self.seed)
        log = own_training_log(self.model_dir)
        run = None
        if log is not None:
            try:
                run = training_run(log, parameter_count(self.model))
            except Exception:  # a log without the run's figures: said on screen below
                run = None
        letters = VGroup(
            *(
                VGroup(text(c, 56, PALETTE["highlight"]), text(w, 28)).arrange(DOWN, buff=0.15)
                for c, w in (("G", "Generative"), ("P", "Pre-trained"), ("T", "Transformer"))
            )
        ).arrange(RIGHT, buff=1.2)
        letters.next_to(head, DOWN, buff=0.45)
        said = "".join(g.new_tokens).replace("\n", "↵")
        details = VGroup(
            fit_width(code(f"{self.prompt} →{said}", 22), 12.0),
            text(
                f"this model: {run.steps:,} training steps over {run.tokens:,} tokens"
                if run
                else "this model's folder records no training run",
                24,
                None if run else PALETTE["highlight"],
            ),
            text(f"this model: {cfg.n_layers} blocks of attention and MLP", 24),
        ).arrange(DOWN, buff=0.3)
        details.next_to(letters, DOWN, buff=0.45)
        kinds = VGroup(
            *(
                VGroup(code(k, 22, PALETTE["accent"]), text(d, 22)).arrange(RIGHT, buff=0.3)
                for k, d in KINDS
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        kinds_head = text("other transformer models (not this one)", 22, PALETTE["muted"])
        kinds_block = VGroup(kinds_head, kinds).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        kinds_block.next_to(details, DOWN, buff=0.45)
        fit_width(kinds_block)
        whole = fill_frame(VGroup(letters, details, kinds_block), title=head)
        first = VGroup(letters, details)  # in the middle until the other kinds come in
        lift = centre_first(whole, first)
        one_pass = self.received("one_pass")
        self.shown["gpt"] = (g, run, details)
        self.shown["gpt_pretrained"] = details[1]
        self.say(
            "GPT stands for Generative Pre-trained Transformer.",
            (
                self.title_in(head),
                LaggedStart(*(FadeIn(x[0], scale=0.5) for x in letters), lag_ratio=0.3),
                *([morph(one_pass, details[0])] if one_pass is not None else []),
            ),
        )
        self.say(
            "Generative: it writes new text, one sampled token after another.",
            FadeIn(letters[0][1], shift=UP * 0.3),
            FadeIn(details[0], shift=RIGHT * 0.4) if one_pass is None else LightUp(details[0]),
        )
        self.say(
            f"Pre-trained: its parameters were first learned from text, here in {run.steps:,} "
            f"steps over {run.tokens:,} tokens."
            if run
            else "Pre-trained: its parameters were first learned from a large amount of text.",
            FadeIn(letters[1][1], shift=UP * 0.3),
            FadeIn(details[1], shift=RIGHT * 0.4),
        )
        self.say(
            f"Transformer: the kind of network inside, here {cfg.n_layers} blocks of attention "
            "and MLP.",
            FadeIn(letters[2][1], shift=UP * 0.3),
            FadeIn(details[2], shift=RIGHT * 0.4),
        )
        self.say(
            "Transformers also turn speech into text, text into speech, and text into images.",
            (lift_up(self, first, lift), FadeIn(kinds_head, shift=UP * 0.3)),
            LaggedStart(*(FadeIn(k, shift=RIGHT * 0.4) for k in kinds[:3]), lag_ratio=0.3),
        )
        self.say(
            "The very first one, in 2017, was built to translate between languages.",
            FadeIn(kinds[3], shift=RIGHT * 0.4),
            LightUp(kinds[3]),
        )
        self.hand_over(pretrained=self.gather(details[1]))  # how much text: the next subject

"""Scenes CrossAttention, ContextSize, FarBack (lecture steps E21, E27 in COVERAGE.md).
tests/scenes/test_attention.py pins their section titles, the shown values ``context_effect``,
``far_context_matters``, ``far_head``, ``model_entries``, ``sizes``, and that every number said is
on screen.

Steps 13 to 15: cross-attention (a schematic), the pattern's size against the context, and a
head that looks far back (the lecture's "Therefore the murderer was ___")."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    VGroup,
)

from attention_steps.common import KEY, QUERY, AttentionScene, shape
from llmviz.animations import LightUp
from llmviz.layout import code, fit_width, lines, text, title
from llmviz.mobjects import AttentionGrid, TokenStrip
from llmviz.model.analysis.heads import far_looking_head
from llmviz.model.config import pattern_entries
from llmviz.model.corpus import generate_corpus
from llmviz.model.trace import hook_name
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE, display_token

#: The lecture's example of a prompt whose last word needs the whole context.
MYSTERY = "Therefore the murderer was"


class CrossStep(AttentionScene):
    @step("Cross-attention", order=13)
    def step_cross(self) -> None:
        head = title("Cross-attention (schematic)")
        src = ["le", "chat", "noir", "dort"]  # keys and values: the sentence being translated
        tgt = ["the", "black", "cat", "sleeps"]  # queries: the sentence being written
        cell = 1.1
        grid = VGroup(
            *(
                Rectangle(width=cell, height=cell, color=PALETTE["muted"], stroke_width=1.5)
                for _ in range(len(src) * len(tgt))
            )
        ).arrange_in_grid(rows=len(src), cols=len(tgt), buff=0)  # row i: key i; column j: query j
        grid.next_to(head, DOWN, buff=1.7)
        keys = VGroup(
            *(
                code(w, 24, PALETTE[KEY]).next_to(grid[i * len(tgt)], LEFT, buff=0.25)
                for i, w in enumerate(src)
            )
        )
        queries = VGroup(
            *(
                code(w, 24, PALETTE[QUERY]).next_to(grid[j], UP, buff=0.25)
                for j, w in enumerate(tgt)
            )
        )
        line = min(q.baseline for q in queries)
        for q in queries:
            q.shift((line - q.baseline) * UP)
        kl = lines("keys and values:", "French input", size=22, color=PALETTE[KEY], align="right")
        kl.next_to(keys, LEFT, buff=0.4)
        ql = text("queries: English being written", 22, PALETTE[QUERY]).next_to(
            queries, UP, buff=0.25
        )
        nomask = lines("no mask:", "every query may", "look at every key", size=22, align="left")
        nomask.next_to(grid, RIGHT, buff=0.5)
        stamp = self.footer(
            "Schematic: the model in this package has only self-attention, so no values here.",
            22,
            PALETTE["highlight"],
        )
        self.fill(VGroup(kl, keys, grid, queries, ql, nomask), head, stamp, 1.4)
        self.say(
            "A model that reads one kind of data and writes another, such as a translator, also "
            "uses cross-attention.",
            self.title_in(head),
            Create(grid),
        )
        self.say(
            "Its keys and values come from the sentence being translated.",
            LaggedStart(*(FadeIn(k, shift=RIGHT * 0.3) for k in keys), lag_ratio=0.2),
            FadeIn(kl),
        )
        self.say(
            "Its queries come from the sentence being written.",
            LaggedStart(*(FadeIn(q, shift=DOWN * 0.3) for q in queries), lag_ratio=0.2),
            FadeIn(ql),
        )
        self.say(
            "Nothing needs hiding there, so there is no mask.",
            FadeIn(nomask, shift=LEFT * 0.3),
            LightUp(grid),
        )
        self.say(
            "The model in this package has only self-attention, so this picture is a schematic "
            "without numbers.",
            FadeIn(stamp, shift=UP * 0.3),
        )
        self.hand_over(grid=grid)  # its grid of pairs becomes the first real pattern


class ContextStep(AttentionScene):
    def long_token_ids(self) -> list[int]:
        """The prompt followed by sentences of the training corpus, as token ids."""
        text_ = " ".join([self.prompt + "."] + generate_corpus(60, seed=1))
        return self.model.tokenizer.encode(text_)

    @step("Context size", order=14)
    def step_context(self) -> None:
        cfg, g = self.model.cfg, self.gpt3
        lengths = [n for n in self.context_lengths if n <= cfg.n_ctx]
        ids = self.long_token_ids()
        traces = [self.model.run_ids(ids[:n]) for n in lengths]
        key = hook_name("pattern", self.L)
        per_head, all_g = pattern_entries(g.n_ctx, g)
        head = title("The pattern grows with the square of the context")
        cell = min(0.055, 3.4 / max(lengths))
        items = VGroup()
        self.shown["sizes"] = []
        for n, t in zip(lengths, traces, strict=True):
            grid = AttentionGrid(t[key][self.h], kind="heat", cell_size=cell, show_grid_lines=False)
            per, _ = pattern_entries(n, cfg)
            lab = VGroup(text(f"{n} tokens", 20), text(f"{per:,} entries", 20, PALETTE["muted"]))
            lab.arrange(DOWN, buff=0.08).next_to(grid, DOWN, buff=0.2)
            items.add(VGroup(grid, lab))
            self.shown["sizes"].append((grid, n))
        items.arrange(RIGHT, buff=0.45, aligned_edge=DOWN).next_to(head, DOWN, buff=0.6)
        fit_width(items)
        top_n = lengths[-1]
        per, total = pattern_entries(top_n, cfg)
        rows = VGroup(
            text(
                f"this model, {top_n} tokens: {per:,} × {cfg.n_heads} heads × {cfg.n_layers} "
                f"layers = {total:,} entries",
                22,
            ),
            text(
                f"GPT-3, {shape(g.n_ctx)} tokens: {per_head:,} × {g.n_heads} × {g.n_layers} = "
                f"{all_g:,}",
                22,
                PALETTE["highlight"],
            ),
        ).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        fit_width(rows).to_edge(DOWN, buff=0.5)
        self.fill(items, head, rows, 1.3)
        self.shown["model_entries"] = Shown(rows[0], total)
        pairs = self.received("grid")  # the schematic's grid of pairs, from the last step
        self.say(
            "The pattern has one entry for every pair of tokens, so it grows with the square of "
            "the prompt's length.",
            self.title_in(head),
            (ReplacementTransform(pairs, items[0][0]), FadeIn(items[0][1]))
            if pairs is not None
            else FadeIn(items[0], shift=UP * 0.3),
        )
        for n, item in zip(lengths[1:], items[1:], strict=True):
            per, _ = pattern_entries(n, cfg)
            self.say(f"{n} tokens: {per:,} entries.", FadeIn(item, shift=LEFT * 0.3))
        self.say(
            f"Over all heads and layers, this model's window of {top_n} tokens needs {total:,} "
            "entries.",
            FadeIn(rows[0], shift=UP * 0.3),
        )
        self.say(
            f"GPT-3's window of {shape(g.n_ctx)} tokens needs {per_head:,} per head, which is why "
            "long contexts are expensive.",
            FadeIn(rows[1], shift=UP * 0.3),
        )
        self.hand_over(pattern=items[-1][0])  # the longest prompt's pattern, on to the next step


class LongRangeStep(ContextStep):
    @step("Far back in the context", order=15)
    def step_long_range(self) -> None:
        cfg = self.model.cfg
        ids = self.long_token_ids()[: cfg.n_ctx]
        long = self.model.run_ids(ids)
        far = far_looking_head(long)
        self.shown["far_head"] = far
        stops = [i for i, tok in enumerate(long.tokens[:-1]) if tok.strip() == "."]
        start = stops[-1] + 1 if stops else max(0, len(ids) - 8)
        tail_ids = ids[start:]
        alone, both = self.model.run_ids(tail_ids), long
        (a,), (b,) = alone.top_k(1), both.top_k(1)
        self.shown["context_effect"] = (a, b, start)
        head = title("Far back in the context")
        mystery = self.model.tokenizer.encode(MYSTERY)
        pieces = [self.model.tokenizer.decode([i]) for i in mystery]
        # a byte-level vocabulary cuts it into many tokens: the strip leaves out the middle ones
        # ("… N more …") rather than shrink them out of reach
        strip = TokenStrip(pieces, font_size=24, max_width=10).next_to(head, DOWN, buff=0.4)
        words = len(MYSTERY.split())
        split = len(pieces) > words
        self.shown["mystery_tokens"] = pieces
        cut = text(
            f"{len(pieces)} tokens for {words} words" + (": not words it learned" if split else ""),
            22,
            PALETTE["muted"],
        ).next_to(strip, DOWN, buff=0.15)
        grid = AttentionGrid(
            long[hook_name("pattern", far.layer)][far.head],
            kind="heat",
            cell_size=min(0.08, 4.8 / len(ids)),
            show_grid_lines=False,
        )
        grid.next_to(cut, DOWN, buff=0.35).to_edge(LEFT, buff=1.2)
        # the last step's pattern waits, dimmed, where this head's pattern will be drawn
        pattern = self.received("pattern")
        wait = [pattern.animate.move_to(grid).set_opacity(0.3)] if pattern is not None else []
        self.say(
            f'The lecture\'s mystery novel ends with "{MYSTERY}", and the last vector must gather '
            "clues from far back.",
            self.title_in(head),
            [
                LaggedStart(*(FadeIn(bx, shift=RIGHT * 0.2) for bx in strip.drawn), lag_ratio=0.1),
                *wait,
            ],
        )
        self.say(
            f"This model's tokenizer cuts it into {len(pieces)} tokens"
            + (", so it never learned such text." if split else "."),
            FadeIn(cut, shift=UP * 0.2),
        )
        side = VGroup(
            text(f"{len(ids)} tokens of training text", 24),
            text(f"layer {far.layer}, head {far.head}: looks farthest back", 24, PALETTE[QUERY]),
            VGroup(
                text("on average", 24), text(f"{far.mean_distance:.1f} tokens back", 24)
            ).arrange(RIGHT, buff=0.15),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        side.next_to(grid, RIGHT, buff=0.8).align_to(grid, UP)
        fit_width(side, 13.2 - grid.get_right()[0] - 0.9)
        self.say(
            f"Instead we give it {len(ids)} tokens of its own training text, sentence after "
            "sentence.",
            (
                ReplacementTransform(pattern, grid)
                if pattern is not None
                else FadeIn(grid, shift=UP * 0.3),
                FadeIn(side[0]),
            ),
        )
        self.say(
            f"The head that looks farthest back is layer {far.layer}, head {far.head}: on average "
            f"{far.mean_distance:.1f} tokens back.",
            FadeIn(side[1:], shift=LEFT * 0.3),
            LightUp(grid),
        )
        last, key = display_token(long.tokens[far.query]), display_token(long.tokens[far.key])
        look = text(
            f'"{last.strip()}" → "{key.strip()}": {far.distance} back, weight {far.weight:.2f}',
            22,
            PALETTE["highlight"],
        )
        fit_width(look, 13.2 - grid.get_right()[0] - 0.9)
        look.next_to(side, DOWN, buff=0.35).align_to(side, LEFT)
        self.say(
            f'From the last token, "{last.strip()}", it looks most at "{key.strip()}", '
            f"{far.distance} tokens back, with weight {far.weight:.2f}.",
            Create(grid.highlight_cell(far.key, far.query)),
            FadeIn(look, shift=LEFT * 0.3),
        )
        before = len(ids) - len(tail_ids)
        test = VGroup(
            text(f'last sentence alone: "{a.token.strip()}" {a.prob:.2f}', 24),
            text(f'after {before} tokens before it: "{b.token.strip()}" {b.prob:.2f}', 24),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        test.next_to(look, DOWN, buff=0.4).align_to(look, LEFT)
        fit_width(test, 13.2 - grid.get_right()[0] - 0.9)
        self.say(
            f'Its last sentence alone gives "{a.token.strip()}" {a.prob:.2f}; after the {before} '
            f'tokens before it, "{b.token.strip()}" {b.prob:.2f}.',
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.3) for r in test), lag_ratio=0.4),
        )
        same = a.token == b.token and abs(a.prob - b.prob) < 0.1
        self.shown["far_context_matters"] = not same
        if same:
            verdict = (
                "The far text barely changes the answer: trained on short sentences, this model "
                "keeps to the sentence it is in."
            )
            line = "far back, yet no use made of it here"
        else:
            verdict = "The text far back changes the answer: information from far away reaches the last vector."
            line = "far context changes the answer"
        stamp = self.footer(line, 22, PALETTE["highlight"])
        self.say(verdict, FadeIn(stamp, shift=UP * 0.3), LightUp(test))

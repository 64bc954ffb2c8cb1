"""Scenes Tokens, EmbeddingLookup (lecture steps B1, B2 in COVERAGE.md).
tests/scenes/test_next_token*.py pin their section titles, the shown values ``lookup_gpt3``,
``lookup_matrix``, ``lookup_vectors``, ``tokens_example``, ``tokens_prompt``, and that every number
said is on screen.

Tokens and the embedding lookup: text cut by the real tokenizer, each token taking its column
of W_E (GPT-2-sized matrices drawn with ellipses and their shape as a label)."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
)

from llmviz.animations import LightUp
from llmviz.layout import fill_frame, fit_width, math, text, title
from llmviz.mobjects import NumericMatrix, NumericVector, TokenStrip
from llmviz.model.analysis.embedding import word_pieces
from llmviz.model.config import GPT3_CONFIG, matrix_families
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import counted
from next_token_steps.common import NextTokenScene

#: At most this many tokens in a strip (a GPT-2 tokenizer cuts the examples into many).
MAX_PIECES = 16


class TokensStep(NextTokenScene):
    @step("Tokens", order=9)
    def step_tokens(self) -> None:
        t, cfg = self.t, self.model.cfg
        words, used = [], 0
        for w in word_pieces(self.model, self.token_example):
            if used + len(w.pieces) > MAX_PIECES:  # another tokenizer: the words that fit
                break
            words.append(w)
            used += len(w.pieces)
        split = [w for w in words if w.is_split]
        punct = [w for w in words if w.is_punctuation]
        head = title("Text is cut into tokens")
        k = min(t.n_tokens, MAX_PIECES)
        # every box at least as wide as its id, so that ids of short tokens never touch
        id_width = max(text(str(i), 20).width for i in t.token_ids[:k]) + 0.08
        strip = TokenStrip(t.tokens[:k], font_size=30, buff=0.14, min_width=id_width)
        hidden = set(strip.hidden)
        ids = VGroup(
            *(
                text(str(i), 20, PALETTE["muted"]).next_to(b, DOWN, buff=0.12)
                for j, (i, b) in enumerate(zip(t.token_ids[:k], strip.boxes, strict=True))
                if j not in hidden
            )
        )
        if strip.note is not None:  # the stand-in note goes under the ids, not over them
            strip.note.next_to(VGroup(strip.boxes, ids), DOWN, buff=0.12)
        row1 = fit_width(VGroup(strip, ids)).next_to(head, DOWN, buff=0.6).set_x(0)
        ids_caption = text(
            counted(t.n_tokens, "token")
            + (f" (the first {k} drawn)" if k < t.n_tokens else "")
            + "; their ids: places in the vocabulary",
            20,
            PALETTE["muted"],
        )
        ids_caption.next_to(row1, DOWN, buff=0.15)
        all_pieces = [p for w in words for p in w.pieces]
        strip2 = fit_width(TokenStrip(all_pieces, font_size=24, buff=0.12))
        strip2.next_to(ids_caption, DOWN, buff=1.3)
        sentence = fit_width(text(f"“{self.token_example}”", 26))
        sentence.next_to(strip2, UP, buff=0.35)
        marks, notes, puncts, k = VGroup(), VGroup(), VGroup(), 0
        split_boxes = []  # each split word's boxes, in the order of marks and notes
        for w in words:
            boxes = strip2.boxes[k : k + len(w.pieces)]
            if w.is_split:
                split_boxes.append(boxes)
                for b in boxes:
                    b[0].set_stroke(PALETTE["highlight"], width=3)
                brace = Line(
                    boxes.get_corner(DOWN + LEFT) + 0.12 * DOWN,
                    boxes.get_corner(DOWN + RIGHT) + 0.12 * DOWN,
                    color=PALETTE["highlight"],
                    stroke_width=3,
                )
                marks.add(brace)
                notes.add(
                    text(f"{len(w.pieces)} tokens", 20, PALETTE["highlight"]).next_to(
                        brace, DOWN, buff=0.12
                    )
                )
            elif w.is_punctuation:
                puncts.add(*boxes)
            k += len(w.pieces)
        vocab = self.caption(
            f"vocabulary: {cfg.vocab_size:,} tokens here, {GPT3_CONFIG.vocab_size:,} in GPT-3"
        )
        whole = fill_frame(
            VGroup(row1, ids_caption, sentence, strip2, marks, notes), title=head, caption=vocab
        )
        # the prompt starts alone in the middle and moves up when the sentence comes in
        alone = VGroup(row1, ids_caption)
        lift = UP * (alone.get_y() - whole.get_y())
        alone.shift(-lift)
        self.shown["tokens_prompt"] = strip
        self.say(
            "The model does not read letters or words, but tokens: pieces of text from a fixed "
            "vocabulary.",
            (
                self.title_in(head),
                LaggedStart(*(FadeIn(b, shift=DOWN * 0.4) for b in strip.drawn), lag_ratio=0.2),
            ),
        )
        self.say(
            f"Our prompt is {counted(t.n_tokens, 'token')}, each with its number in the vocabulary.",
            LaggedStart(*(FadeIn(i, shift=UP * 0.3) for i in ids), lag_ratio=0.2),
            FadeIn(ids_caption, shift=UP * 0.3),
        )
        self.shown["tokens_example"] = (strip2, words)
        self.say(
            "Frequent words are one token each, and so is the space in front of them.",
            (alone.animate.shift(lift), FadeIn(sentence, shift=DOWN * 0.3)),
            LaggedStart(*(FadeIn(b, shift=0.35 * DOWN) for b in strip2.boxes), lag_ratio=0.1),
        )
        if split:
            w = max(split, key=lambda w: len(w.pieces))
            pieces = ", ".join(f"“{p.strip()}”" for p in w.pieces)
            j = split.index(w)  # the camera moves in on its pieces
            self.say(
                f"Rarer words are cut into pieces: “{w.text.strip()}” becomes {len(w.pieces)} "
                f"tokens, {pieces}.",
                (self.zoom_to(VGroup(split_boxes[j], notes[j]), margin=2.2), Create(marks)),
                LaggedStart(*(FadeIn(n, shift=UP * 0.3) for n in notes), lag_ratio=0.3),
            )
        else:
            self.say(
                "Every word of this sentence is a single token of this vocabulary.",
                LightUp(strip2),
            )
        if punct:
            for b in puncts:
                b[0].set_stroke(PALETTE["accent"], width=3)
            self.say(
                "Punctuation marks are tokens of their own.",
                self.zoom_out(),
                LightUp(puncts, color=PALETTE["accent"]),
            )
        self.say(
            f"This model's vocabulary has {cfg.vocab_size:,} tokens; GPT-3's has "
            f"{GPT3_CONFIG.vocab_size:,}.",
            (self.zoom_out(), FadeIn(vocab, shift=UP * 0.5)),
            LightUp(vocab),
        )
        # the prompt's tokens and ids go on to be looked up in the embedding matrix
        self.hand_over(prompt=self.gather(VGroup(*strip.drawn)), ids=self.gather(ids))

    @step("Embedding lookup", order=10)
    def step_lookup(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        W_E = self.model.W_E  # [vocab, d_model]: row i is token i's vector
        ours = cfg.vocab_size * cfg.d_model
        gpt3 = matrix_families(g)[0].weights
        head = title("Each token takes its column of the embedding matrix")
        name = math("W_E", 40)
        info = VGroup(
            text(f"vocabulary: {cfg.vocab_size:,} tokens", 24),
            text(f"d_model: {cfg.d_model:,} numbers per token", 24),
            text(f"{cfg.d_model:,} × {cfg.vocab_size:,} = {ours:,} weights", 24),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        gpt = VGroup(
            text(f"GPT-3: {g.d_model:,} × {g.vocab_size:,}", 24, PALETTE["highlight"]),
            text(f"= {gpt3:,} weights", 24, PALETTE["highlight"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        VGroup(info, gpt).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        for max_cols in (6, 5, 4, 3):  # many decimals: fewer columns rather than tiny numbers
            matrix = NumericMatrix(
                W_E.T, max_rows=6, max_cols=max_cols, font_size=23, shape_label=True
            )
            col_ids = VGroup(
                *(
                    text(str(j), 20, PALETTE["muted"]).next_to(matrix.get_column(j), UP, buff=0.2)
                    for j in matrix.cols
                    if j is not None
                )
            )
            block = VGroup(matrix, col_ids)
            block.next_to(head, DOWN, buff=0.5).to_edge(LEFT, buff=1.4)
            name.next_to(matrix, LEFT, buff=0.3)
            VGroup(info, gpt).next_to(block, RIGHT, buff=0.8)
            top = VGroup(block, name, info, gpt)
            if top.width <= 13.0:
                break
        fit_width(top).set_x(0)
        # the first six tokens, each over its vector; a strip too wide for the frame (long
        # tokens, <byte 0x..> stand-ins) leaves some out behind a visible "… N more …" box
        k = min(t.n_tokens, 6)
        vecs = [NumericVector(W_E[i], max_entries=5, font_size=20) for i in t.token_ids[:k]]
        slot = max(1.6, *(v.width for v in vecs))  # a box at least as wide as its vector
        strip = TokenStrip(t.tokens[:k], font_size=22, min_width=slot, buff=0.3, max_width=12.5)
        shown = [i for i in range(k) if i not in strip.hidden]
        ids_shown = [t.token_ids[i] for i in shown]
        vecs = [vecs[i] for i in shown]
        boxes = [strip.boxes[i] for i in shown]
        for v, b in zip(vecs, boxes, strict=True):
            v.next_to(b, DOWN, buff=0.2)
        if strip.note is not None:  # the stand-in note goes under the vectors, not between
            strip.note.next_to(VGroup(*vecs), DOWN, buff=0.2)
        lower = VGroup(strip, *vecs)
        lower.next_to(VGroup(block, info), DOWN, buff=0.45).set_x(0)
        fit_width(lower)
        ids = VGroup(
            *(
                text(f"id {i}", 20, PALETTE["muted"]).next_to(b, UP, buff=0.1)
                for i, b in zip(ids_shown, boxes, strict=True)
            )
        )
        fill_frame(VGroup(top, lower, ids), title=head, shrink=False)
        # the ids' columns lie in the matrix's middle, behind its ellipsis: a frame marks them
        entries = VGroup(*(matrix.get_column(j) for j in matrix.cols if j is not None))
        marker = Rectangle(
            width=0.45 * min(v.width for v in vecs),
            height=entries.height + 0.1,
            stroke_color=PALETTE["highlight"],
            stroke_width=3,
        ).move_to([matrix.get_x(), entries.get_y(), 0])
        looked = [
            SurroundingRectangle(v, buff=0.06, color=PALETTE["highlight"], stroke_width=3)
            for v in vecs
        ]
        self.shown["lookup_vectors"] = list(zip(vecs, ids_shown, strict=True))
        self.shown["lookup_matrix"] = matrix
        self.shown["lookup_gpt3"] = Shown(gpt[1], gpt3)
        prompt_in, ids_in = self.received("prompt"), self.received("ids")
        handed = (
            [ReplacementTransform(prompt_in, strip), ReplacementTransform(ids_in, ids)]
            if prompt_in is not None and ids_in is not None
            else [FadeOut(m) for m in (prompt_in, ids_in) if m is not None]
        )
        self.say(
            "Each token is turned into a list of numbers, a vector, by looking it up in the "
            "embedding matrix.",
            (
                self.title_in(head),
                FadeIn(matrix, shift=RIGHT * 0.5),
                FadeIn(name, shift=RIGHT * 0.5),
                *handed,
            ),
            LaggedStart(*(FadeIn(c, shift=DOWN * 0.3) for c in col_ids), lag_ratio=0.15),
        )
        self.say(
            f"It has a column for each of the {cfg.vocab_size:,} tokens, and {cfg.d_model:,} "
            "numbers in each column.",
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.4) for r in info), lag_ratio=0.4),
            *(
                []
                if prompt_in is not None and ids_in is not None
                else [
                    (
                        FadeIn(strip, shift=UP * 0.3),
                        LaggedStart(*(FadeIn(i) for i in ids), lag_ratio=0.1),
                    )
                ]
            ),
        )
        first = t.token_ids[0]
        # the camera follows the first token's column down to the token, and back out
        self.say(
            f"The token with id {first} takes column {first}, a vector of {cfg.d_model:,} numbers.",
            Create(marker),
            (
                self.zoom_to(VGroup(boxes[0], ids[0], vecs[0]), margin=1.5),
                TransformFromCopy(marker, looked[0]),
                FadeIn(vecs[0], shift=DOWN * 0.3),
            ),
        )
        self.say(
            "And so on for every token.",
            (self.zoom_out(), FadeOut(looked[0])),
            LaggedStart(
                *(
                    (TransformFromCopy(marker, r), FadeIn(v, shift=DOWN * 0.3))
                    for r, v in zip(looked[1:], vecs[1:], strict=True)
                ),
                lag_ratio=0.3,
            ),
            (FadeOut(marker), *(FadeOut(r) for r in looked[1:])),
        )
        self.say(
            "These numbers started random and were learned in training.",
            LaggedStart(*(LightUp(v) for v in vecs), lag_ratio=0.15),
        )
        self.say(
            f"GPT-3 has {g.d_model:,} numbers for each of {g.vocab_size:,} tokens: {gpt3:,} "
            "weights in this one matrix.",
            LaggedStart(*(FadeIn(r, shift=LEFT * 0.4) for r in gpt), lag_ratio=0.4),
            LightUp(gpt[1]),
        )
        self.hand_over(matrix=matrix, name=name)  # the next step's matrix times a vector

"""Scenes WeightsAndData, Word2VecSkipGram, ContextLengths. tests/scenes/test_next_token*.py pin their
section titles, the shown values ``lengths``, ``too_long``, ``w2v``, ``w2v_neighbours``,
``weights_data``, and that every number said is on screen.

Weights against data (one real matrix times two prompts' vectors), Word2Vec's skip-gram (a
real one, trained on the corpus by ``llmviz.model.experiments.word2vec``), and the context window's other
lengths (the model run on 4 to 64 tokens; 65 refused)."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    FadeTransform,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    config,
)

from llmviz.animations import LightUp, MatrixVectorProduct
from llmviz.errors import ArgumentError, PromptError
from llmviz.layout import code, fit_width, math, text, title
from llmviz.mobjects import (
    Column,
    MatrixShape,
    NumericMatrix,
    NumericVector,
    TokenStrip,
    ValueTable,
)
from llmviz.model import corpus
from llmviz.model.config import GPT3_CONFIG
from llmviz.model.experiments.word2vec import context_window, skipgram, word_groups, words_of
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE, display_token
from llmviz.words import pct, quoted
from next_token_steps.common import NextTokenScene, safe_token
from next_token_steps.prediction import morph

#: The colours of the two kinds of numbers in A16: weights (fixed) and data (the input).
WEIGHTS, DATA = "accent", "highlight"


def swap(old, new):
    """Put ``new`` (an identical copy) where ``old`` is, without a visible change."""
    return (FadeOut(old, run_time=0.1), FadeIn(new, run_time=0.1))


def tail_words(s: str, width: int = 34) -> str:
    """The end of a prompt, whole words only, "…" in front when some are left out."""
    words, out = s.split(" "), ""
    for w in reversed(words):
        if out and len(w) + 1 + len(out) > width:
            return "… " + out
        out = f"{w} {out}" if out else w
    return out


def short(tokens, n: int = 4) -> str:
    """The last ``n`` tokens of a prompt as one line, "…" in front when some are left out."""
    shown = "".join(safe_token(t) for t in tokens[-n:]).replace("\n", "↵")
    return ("…" if len(tokens) > n else "") + shown


class DataStep(NextTokenScene):
    #: The second prompt of "weights versus data": other data through the same matrix.
    data_prompt = "The Eiffel tower is in"
    #: Words whose skip-gram neighbours are shown, and the sentence the window slides over.
    w2v_words = ("basketball", "michael", "king", "tower")
    w2v_sentence = 7  # index in the generated corpus
    #: The context lengths the model is run on (those within its window).
    context_lengths = (4, 8, 16, 32)

    # --- A16: weights versus data --------------------------------------------------------------
    @step("Weights and data", order=11)
    def step_weights_data(self) -> None:
        cfg = self.model.cfg
        other = next(
            p
            for p in (self.data_prompt, NextTokenScene.prompt, "The cat sat on the")
            if p != self.prompt
        )  # a second prompt, other than the scene's own
        traces = [self.t, self.trace(other)]
        W = self.model.W("Q", 0, head=0).T  # [d_head, d_model]: the lecture's W x
        bias = self.model.W("b_Q", 0, head=0) if cfg.biases else None
        xs = [tr[hook_name("ln1", 0)][-1] for tr in traces]
        head = title("Same weights, different data")
        for size, cols in ((26, 5), (26, 4), (22, 4), (22, 3), (20, 3), (20, 2)):
            # fewer columns or smaller numbers, never off the frame (6 decimals are wide)
            matrix = NumericMatrix(W, max_rows=5, max_cols=cols, font_size=size)
            vecs = [
                NumericVector(x, max_entries=5, font_size=size).next_to(matrix, RIGHT, buff=0.35)
                for x in xs
            ]
            # W, x, =, two results and their gaps, from 0.7 in to 0.5 from the right edge
            if matrix.width + 3 * vecs[0].width + 2.0 <= config.frame_width - 1.2:
                break
        matrix.brackets.set_color(PALETTE[WEIGHTS])
        name = math(r"W_Q", 34, PALETTE[WEIGHTS]).next_to(matrix, UP, buff=0.2)
        dims = text(matrix.shape_text, 22, PALETTE["muted"]).next_to(matrix, DOWN, buff=0.15)
        for v in vecs:
            v.brackets.set_color(PALETTE[DATA])
        VGroup(matrix, name, dims, vecs[0]).next_to(head, DOWN, buff=0.8).to_edge(LEFT, buff=0.7)
        for v in vecs[1:]:  # the second prompt's vector in the same place
            v.move_to(vecs[0])
        # built once laid out: the product places its result and row highlights where they are
        products = [MatrixVectorProduct(matrix, v, bias=bias, run_time_per_row=0.4) for v in vecs]
        key = VGroup(
            text("weights: learned in training, then fixed", 22, PALETTE[WEIGHTS]),
            text("data: the input, new for every prompt", 22, PALETTE[DATA]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        key.to_edge(DOWN, buff=0.4)
        room = config.frame_width / 2 - 0.5 - vecs[0].get_left()[0]
        prompts = [
            fit_width(code(tail_words(p), 22, PALETTE[DATA]), room).next_to(v, DOWN, buff=0.3)
            for p, v in zip((self.prompt, other), vecs, strict=True)
        ]
        for p in prompts:
            p.align_to(vecs[0], LEFT)
            fit_width(p, 6.0)
        labels = [
            text(f"prompt {i + 1}", 20, PALETTE["muted"]).next_to(p.result, UP, buff=0.2)
            for i, p in enumerate(products)
        ]
        # MatrixVectorProduct's entries come out of TransformFromCopy rebuilt; a copy taken now
        # stays on screen in their place, so the screen holds the numbers as numbers
        results = [p.result.copy() for p in products]
        self.shown["weights_data"] = {
            "matrix": matrix,
            "vectors": vecs,
            "results": results,
            "prompts": (self.prompt, other),
        }
        q = [p.values for p in products]
        # the embedding matrix of the last step turns into this one
        matrix_in, name_in = self.received("matrix"), self.received("name")
        self.say(
            "Almost every step of the model is a matrix times a vector.",
            (
                self.title_in(head),
                FadeIn(matrix, shift=RIGHT * 0.4)
                if matrix_in is None
                else ReplacementTransform(matrix_in, matrix),
                FadeIn(dims, shift=RIGHT * 0.4),
                FadeIn(name, shift=RIGHT * 0.4)
                if name_in is None
                else ReplacementTransform(name_in, name),
            ),
        )
        self.say(
            "The matrix holds weights: they were learned in training and are fixed since.",
            FadeIn(key[0], shift=UP * 0.3),
            LightUp(matrix.brackets, color=PALETTE[WEIGHTS]),
        )
        self.say(
            "The vector is data: here the last position of our prompt, on its way into a query.",
            (FadeIn(key[1], shift=UP * 0.3), FadeIn(vecs[0], shift=LEFT * 0.3)),
            FadeIn(prompts[0], shift=UP * 0.2),
        )
        self.say(
            f"Multiplied, they give this query; its first entry is {results[0].entries[0].text}.",
            products[0],
            (FadeIn(labels[0]), *swap(products[0].result, results[0])),
        )
        first = VGroup(results[0], labels[0])
        self.say(
            f"A second prompt, {quoted(other)}, brings other data to the very same weights.",
            first.animate.shift(RIGHT * (first.width + 0.6)),
            (FadeOut(vecs[0]), FadeOut(prompts[0]), FadeOut(products[0].equals)),
            (FadeIn(vecs[1], shift=LEFT * 0.3), FadeIn(prompts[1], shift=UP * 0.2)),
        )
        self.say(
            f"So the result differs: its first entry is now {results[1].entries[0].text}."
            if not np.allclose(q[0], q[1])
            else f"Here the result is the same, {results[1].entries[0].text} first, because this position's "
            "vector happens to be the same.",
            products[1],
            (FadeIn(labels[1]), *swap(products[1].result, results[1])),
        )
        self.say(
            "Training changes the weights; running the model only changes the data.",
            LightUp(matrix, color=PALETTE[WEIGHTS]),
            LightUp(VGroup(vecs[1], prompts[1]), color=PALETTE[DATA]),
        )
        # the vectors go on into the embedding space (step 12 turns them into its points)
        self.hand_over(vectors=self.gather(VGroup(vecs[1], *results)))

    # --- B10: Word2Vec's skip-gram -------------------------------------------------------------
    @step("Word2Vec: skip-gram", order=18)
    def step_word2vec(self) -> None:
        sg = skipgram()
        words = [w for w in self.w2v_words if w in sg.vocab]
        if not words:
            raise ArgumentError(
                f"none of w2v_words {tuple(self.w2v_words)!r} is a word of the skip-gram's "
                f"corpus; pick from its {sg.V} words, e.g. {', '.join(sg.vocab[20:24])}"
            )
        word = words[0]
        i = sg.index(word)
        head = title("Word2Vec, before transformers")
        one_hot = MatrixShape(1, sg.V, height=4.8, size_label=False, color=PALETTE["muted"])
        one_hot_name = VGroup(
            math(r"x \in \mathbb{R}^V", 34),
            math(r"x = (0, \ldots, 0, 1, 0, \ldots, 0)", 30),
            text(f"one-hot, V = {sg.V}", 22, PALETTE["muted"]),
        ).arrange(DOWN, buff=0.15)
        E = MatrixShape(
            sg.V, sg.d, height=4.8, name=math(r"E \in \mathbb{R}^{V \times d}", 30), font_size=22
        )
        times = math(r"\times", 32)
        pic = VGroup(one_hot, times, E).arrange(RIGHT, buff=0.35)
        emb_label = text(f"row {i}: the embedding of “{word}”", 24, PALETTE["highlight"])
        for entries in (5, 4, 3, 2):  # fewer entries when the numbers are wide (6 decimals)
            emb = NumericVector(
                sg.embeddings[i], max_entries=entries, font_size=26, direction="row"
            )
            if pic.width + 0.7 + emb.width <= 12.4:
                break
        out = VGroup(emb_label, emb).arrange(DOWN, buff=0.2).next_to(E, RIGHT, buff=0.7)
        VGroup(pic, out).next_to(head, DOWN, buff=0.4).set_x(0)
        one_hot_name.next_to(one_hot, DOWN, buff=0.25)
        hot = one_hot.column_strip(i, PALETTE["highlight"])
        row = E.row_strip(i, PALETTE["highlight"])
        one_label = text(f"1 at “{word}”, index {i}", 22, PALETTE["highlight"])
        one_label.next_to(one_hot, UP, buff=0.2)
        real = self.caption(
            f"a real skip-gram, trained here on the corpus: {sg.V} words, {sg.d} numbers each"
        )
        self.shown["w2v"] = {"model": sg, "word": word, "row": emb, "index": i}
        words_in = self.received("words")  # the last step's words become this corpus's words
        self.say(
            "Before transformers, Word2Vec learned embeddings with one small network.",
            (
                self.title_in(head),
                FadeIn(real, shift=UP * 0.3) if words_in is None else morph(words_in, real),
            ),
            LightUp(real),
        )
        self.say(
            f"A word goes in as a one-hot vector of length {sg.V}, one place for each word "
            "of our corpus.",
            (FadeIn(one_hot, shift=RIGHT * 0.3), FadeIn(one_hot_name)),
            (FadeIn(hot), FadeIn(one_label)),
            LightUp(one_hot_name[1]),
        )
        self.say(
            f"It multiplies a {sg.V} by {sg.d} matrix, drawn to shape, with a row for every word.",
            (FadeIn(times), FadeIn(E, shift=LEFT * 0.3)),
            LightUp(E.name_label),
        )
        self.say(
            f"The single 1 picks out row {i}, and that row is the embedding of “{word}”.",
            TransformFromCopy(hot, row),
            (FadeIn(emb_label), TransformFromCopy(row, emb)),
        )
        # the context window slides over a real sentence of the corpus
        sentence = words_of(corpus.generate_corpus(self.w2v_sentence + 1)[self.w2v_sentence])
        strip = fit_width(TokenStrip(sentence, font_size=24, min_width=0.8, buff=0.15), 12.4)
        strip.next_to(head, DOWN, buff=0.9).set_x(0)
        k = sg.window

        def frames(c):
            ctx = context_window(sentence, c, k)
            centre = SurroundingRectangle(strip.boxes[c], color=PALETTE["highlight"], buff=0.06)
            around = VGroup(
                *(
                    SurroundingRectangle(strip.boxes[j], color=PALETTE["accent"], buff=0.06)
                    for j in ctx
                )
            )
            arrows = VGroup(
                *(
                    Arrow(
                        strip.boxes[c].get_bottom(),
                        strip.boxes[j].get_bottom(),
                        path_arc=1.2 if j > c else -1.2,
                        buff=0.08,
                        stroke_width=3,
                        color=PALETTE["accent"],
                        max_tip_length_to_length_ratio=0.15,
                    )
                    for j in ctx
                )
            )
            return VGroup(centre, around, arrows)

        stops = list(range(min(len(sentence), 5)))
        window = frames(stops[0])
        wlabel = text(
            f"window k = {k} words on each side; the middle word predicts them",
            22,
            PALETTE["accent"],
        ).next_to(strip, DOWN, buff=1.2)
        loss = VGroup(
            text(
                f"{sg.n_pairs:,} pairs from {sg.n_sentences:,} sentences; loss",
                22,
                PALETTE["muted"],
            ),
            text(f"before: {sg.loss_before:.2f}", 22),
            text(f"after {sg.steps} steps: {sg.loss_after:.2f}", 22, PALETTE["accent"]),
        ).arrange(RIGHT, buff=0.45)
        loss.next_to(wlabel, DOWN, buff=0.6)
        fit_width(loss, 12.4)
        self.say(
            f"To train it, a window slides over the text: each word should predict the {k} "
            "words on either side.",
            (
                FadeOut(VGroup(one_hot, one_hot_name, hot, one_label, times, E, row)),
                FadeOut(VGroup(emb, emb_label, real)),
            ),
            (FadeIn(strip, shift=UP * 0.3), FadeIn(window), FadeIn(wlabel)),
            *(Transform(window, frames(c), run_time=0.7) for c in stops[1:]),
        )
        self.say(
            f"Backpropagation adjusts both matrices: over {sg.n_pairs:,} pairs from "
            f"{sg.n_sentences:,} sentences, the loss falls from {sg.loss_before:.2f} to "
            f"{sg.loss_after:.2f}.",
            LaggedStart(*(FadeIn(p, shift=UP * 0.2) for p in loss), lag_ratio=0.4),
            LightUp(loss[2]),
        )
        # after training: the real nearest neighbours, judged by the corpus's own word lists
        groups = word_groups()
        rows, verdicts = [], {}
        for w in words:
            near = sg.neighbours(w, 3)
            group = sg.group_of(w)
            same = [n for n, _ in near if group is not None and n in groups[group]]
            verdicts[w] = (group, same, near)
            rows.append(
                [code(w, 26)]
                + [
                    code(n, 26, PALETTE["accent"] if n in same else PALETTE["negative"])
                    for n, _ in near
                ]
                + [near[0][1]]
            )
        table = ValueTable(
            rows,
            [
                Column("word"),
                Column("nearest"),
                Column("2nd"),
                Column("3rd"),
                Column("cos, nearest"),
            ],
            row_names=words,
            font_size=26,
            v_buff=1.6,
        )
        table.next_to(head, DOWN, buff=0.7)
        hits, total = sg.nearest_in_group()
        score = self.caption(
            f"green: from the word's own list in the corpus; {hits} of {total} listed words "
            "have their nearest word in their list",
        )
        self.shown["w2v_neighbours"] = (table, verdicts, (hits, total))
        good = [w for w in words if verdicts[w][0] is not None and len(verdicts[w][1]) == 3]
        weak = [w for w in words if w not in good]
        self.say(
            "After training, words used in the same places have rows that point the same way.",
            FadeOut(VGroup(strip, window, wlabel, loss)),
            (
                FadeIn(table.header),
                LaggedStart(*(FadeIn(r, shift=LEFT * 0.3) for r in table.body), lag_ratio=0.25),
            ),
        )
        if good:
            w = good[0]
            near = verdicts[w][2]
            self.say(
                f"The nearest rows to “{w}” are {', '.join(n for n, _ in near[:2])} and "
                f"{near[2][0]}: all from the same list, the {verdicts[w][0]}.",
                LightUp(table.cell(w, "word")),
                LaggedStart(
                    *(LightUp(table.cell(w, c)) for c in ("nearest", "2nd", "3rd")),
                    lag_ratio=0.3,
                ),
            )
        self.say(
            f"Over the corpus's word lists, {hits} of {total} words have their nearest word "
            "in their own list.",
            FadeIn(score, shift=UP * 0.3),
            LaggedStart(
                *(
                    LightUp(table.cell(w, c), color=PALETTE["accent"])
                    for w in words
                    for c, (n, _) in zip(("nearest", "2nd", "3rd"), verdicts[w][2], strict=True)
                    if n in verdicts[w][1]
                ),
                lag_ratio=0.1,
            ),
        )
        if weak:
            w = weak[0]
            group, same, near = verdicts[w]
            if group is None:
                why = (
                    f"“{w}” is on no list, and its nearest row, “{near[0][0]}”, has a cosine of "
                    f"only {near[0][1]:.2f}."
                )
            else:
                strays = [n for n, _ in near if n not in same]
                why = (
                    f"beside {' and '.join(same) or 'nothing'} from its list, “{w}” has "
                    f"{' and '.join(strays)} from elsewhere."
                )
            self.say(
                f"Not every word fits: {why}",
                LightUp(table.cell(w, "word"), color=PALETTE["negative"]),
                LaggedStart(
                    *(
                        LightUp(table.cell(w, c), color=PALETTE["negative"])
                        for c, (n, _) in zip(("nearest", "2nd", "3rd"), near, strict=True)
                        if n not in same
                    ),
                    lag_ratio=0.3,
                ),
            )
        self.hand_over(neighbours=self.gather(table))

    # --- C1: other context lengths -------------------------------------------------------------
    def context_text_ids(self) -> list[int]:
        """A real text of the corpus, one token longer than the context window."""
        n_ctx, out, i = self.model.cfg.n_ctx, [], 0
        sentences = corpus.generate_corpus(200 + n_ctx, seed=1)
        while len(out) <= n_ctx and i < len(sentences):
            out += self.model.tokenizer.encode((" " if out else "") + sentences[i])
            i += 1
        return out[: n_ctx + 1]

    @step("Other context lengths", order=22)
    def step_lengths(self) -> None:
        cfg, g = self.model.cfg, GPT3_CONFIG
        ids = self.context_text_ids()
        lengths = [n for n in self.context_lengths if 1 <= n < cfg.n_ctx] + [cfg.n_ctx]
        lengths = [n for n in lengths if n <= len(ids)]
        runs = [self.model.run_ids(ids[:n]) for n in lengths]
        guesses = [r.top_k(1)[0] for r in runs]
        try:
            self.model.run_ids(ids[: cfg.n_ctx + 1])
            refusal = None
        except PromptError as e:
            refusal = str(e)
        head = title(f"Trained on {cfg.n_ctx:,} positions, run on fewer")
        gpt3 = self.caption(f"GPT-3: trained on {g.n_ctx:,} positions")
        W_pos = MatrixShape(
            cfg.n_ctx, cfg.d_model, height=3.8, name=math(r"W_{\text{pos}}", 30), font_size=20
        )
        rows = [
            [
                n,
                code(short(r.tokens, 3), 22, PALETTE["muted"]),
                code(display_token(gs.token), 22),
                gs.prob * 100,
            ]
            for n, r, gs in zip(lengths, runs, guesses, strict=True)
        ]
        table = ValueTable(
            rows,
            [
                Column("tokens", decimals=0),
                Column("text ends"),
                Column("top guess"),
                Column("%", decimals=1),
            ],
            row_names=[str(n) for n in lengths],
            font_size=22,
            v_buff=1.45,
            h_buff=0.45,
        )
        ends = VGroup(
            text("row 0", 20, PALETTE["muted"]).next_to(
                W_pos.box.get_corner(UP + LEFT), LEFT, 0.15
            ),
            text(f"row {cfg.n_ctx - 1}", 20, PALETTE["muted"]).next_to(
                W_pos.box.get_corner(DOWN + LEFT), LEFT, 0.15
            ),
        )
        VGroup(VGroup(ends, W_pos), table).arrange(RIGHT, buff=0.6, aligned_edge=UP)
        VGroup(ends, W_pos, table).next_to(head, DOWN, buff=0.5).set_x(0)
        used = [
            Rectangle(
                width=W_pos.box.width,
                height=W_pos.box.height * n / cfg.n_ctx,
                stroke_width=0,
                fill_color=PALETTE["highlight"],
                fill_opacity=0.35,
            ).align_to(W_pos.box, UP + LEFT)
            for n in lengths
        ]
        missing = DashedVMobject(
            Rectangle(
                width=W_pos.box.width,
                height=max(W_pos.box.height / cfg.n_ctx, 0.12),
                stroke_color=PALETTE["negative"],
                stroke_width=3,
            ),
            num_dashes=12,
        ).next_to(W_pos.box, DOWN, buff=0.05)
        W_pos.size_label.next_to(missing, DOWN, buff=0.12)
        no_row = text(f"no row {cfg.n_ctx}", 20, PALETTE["negative"]).next_to(
            W_pos.size_label, DOWN, buff=0.1
        )
        error = fit_width(code(refusal or "no error", 20, PALETTE["negative"]), 12.4).to_edge(
            DOWN, buff=0.4
        )
        self.shown["lengths"] = (table, [(n, gs) for n, gs in zip(lengths, guesses, strict=True)])
        self.shown["too_long"] = (error, refusal)
        slots = self.received("slots")  # the context window's slots: one row of W_pos each
        self.say(
            f"GPT-3 was trained on texts of {g.n_ctx:,} tokens, and this model on {cfg.n_ctx:,}.",
            (
                self.title_in(head),
                FadeIn(gpt3, shift=UP * 0.3),
                *([FadeTransform(slots, W_pos)] if slots is not None else []),
            ),
            LightUp(gpt3),
        )
        self.say(
            f"Its position matrix has one row for each of the {cfg.n_ctx:,} positions.",
            (
                FadeIn(W_pos, shift=RIGHT * 0.3) if slots is None else LightUp(W_pos.box),
                FadeIn(ends, shift=RIGHT * 0.3),
            ),
        )
        self.say(
            "Yet both can read shorter texts.",
            LaggedStart(*(FadeIn(h, shift=DOWN * 0.2) for h in table.header), lag_ratio=0.3),
        )
        self.say(
            f"On the first {lengths[0]} tokens of a text, this model uses its first "
            f"{lengths[0]} rows and still predicts: {quoted(guesses[0].token)} at "
            f"{pct(guesses[0].prob)} percent.",
            FadeIn(used[0]),
            FadeIn(table.body[0], shift=LEFT * 0.3),
            LightUp(table.body[0][2]),
        )
        shown_used = used[0]
        for k in range(1, len(lengths)):
            n, gs = lengths[k], guesses[k]
            self.say(
                f"With {n} tokens: {quoted(gs.token)} at {pct(gs.prob)} percent.",
                (Transform(shown_used, used[k]), FadeIn(table.body[k], shift=LEFT * 0.3)),
            )
        if refusal is not None:
            self.say(
                f"One more token would need row {cfg.n_ctx}, and the matrix has none.",
                (Create(missing), FadeIn(no_row)),
                LightUp(no_row, color=PALETTE["negative"]),
            )
            self.say(
                f"So the model refuses {cfg.n_ctx + 1} tokens with an error, instead of guessing.",
                FadeOut(gpt3),
                FadeIn(error, shift=UP * 0.3),
                LightUp(error, color=PALETTE["negative"]),
            )
        self.hand_over(lengths=self.gather(table))  # the runs go on into input, layers, output

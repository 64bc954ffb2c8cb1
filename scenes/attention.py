"""The attention chapter: how the vectors of a prompt pass information to one another.

Every number comes from the embedded model's forward pass (queries, keys, values, patterns and
head outputs are read from the trace) or from a formula over a model config (parameter counts).
Render one step with ``manim render -ql scenes/attention.py TheGrid`` or the whole chapter with
``manim render -ql scenes/attention.py AttentionChapter``; change the prompt without editing code
with ``llmviz render AttentionChapter --prompt "a scaly red beast roamed the misty valley"``.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Group,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from llmviz.animations import MatrixVectorProduct, ResidualAdd, Softmax, WeightedSum
from llmviz.errors import PromptError
from llmviz.mobjects import AttentionGrid, NumericMatrix, NumericVector, TokenStrip, WeightMatrix
from llmviz.model.analysis import choose_focus, cosine, strongest_attention
from llmviz.model.config import GPT3_CONFIG, attention_parameters, pattern_entries
from llmviz.model.corpus import generate_corpus
from llmviz.scene import LectureScene, lines, number, text, title
from llmviz.style import PALETTE, display_token, value_to_color

#: The chapter draws one column per token; longer prompts would not fit the frame.
MAX_TOKENS = 12


class AttentionScene(LectureScene):
    """Shared analysis and the chapter's steps; each step is a method and also its own scene."""

    prompt = "a fluffy blue creature roamed the verdant forest"
    #: Pairs of contexts that end in the same word, for "Why attention".
    contexts = (
        ("The tower", "The Eiffel tower"),
        ("The tower", "The miniature Eiffel tower"),
        ("The model", "The fashion model"),
        ("The model", "The language model"),
        ("The mole", "One mole"),
    )
    #: Prompt lengths (tokens) for "Context size"; capped at the model's context window.
    context_lengths = (4, 8, 16, 32, 64)

    def setup(self) -> None:
        super().setup()
        self.shown: dict[str, object] = {}  # key numbers on screen, for tests
        self.t = self.trace(self.prompt)
        self.n = self.t.n_tokens
        if not 2 <= self.n <= MAX_TOKENS:
            raise PromptError(
                f"the attention chapter draws one column per token and needs a prompt of 2 to "
                f"{MAX_TOKENS} tokens; {self.prompt!r} has {self.n} tokens"
            )
        self.focus = choose_focus(self.model, self.t)
        f = self.focus
        self.L, self.h, self.q = f.layer, f.head, f.query
        blk = f"blocks.{self.L}"
        self.x = self.t[f"{blk}.ln1.hook_normalized"]  # [pos, d_model]: what the head reads
        self.E = self.t[f"{blk}.hook_resid_pre"]  # [pos, d_model]: the stream it adds to
        self.Q = self.t[f"{blk}.attn.hook_q"][:, self.h]  # [pos, d_head]
        self.K = self.t[f"{blk}.attn.hook_k"][:, self.h]  # [pos, d_head]
        self.V = self.t[f"{blk}.attn.hook_v"][:, self.h]  # [pos, d_head]
        self.pattern = self.t[f"{blk}.attn.hook_pattern"][self.h]  # [query, key]
        self.dots = self.Q.astype(np.float64) @ self.K.T.astype(np.float64)  # [query, key]
        self.scaled = self.dots / math.sqrt(self.model.cfg.d_head)

    # helpers ---------------------------------------------------------------------------------
    def tok(self, i: int) -> str:
        return self.t.tokens[i].strip() or display_token(self.t.tokens[i])

    def strip(self, font_size: float = 22, min_width: float = 0.5) -> TokenStrip:
        s = TokenStrip(self.t.tokens, font_size=font_size, min_width=min_width)
        if s.width > 13:
            s.scale_to_fit_width(13)
        return s

    def column_width(self) -> float:
        return min(1.55, 12.8 / self.n)

    def where(self) -> str:
        return f"layer {self.L}, head {self.h}"

    def footer(self, s: str, size: float = 20, color: str | None = None):
        """A line at the bottom edge; too long for the frame, it breaks into two lines."""
        color = color or PALETTE["muted"]
        t = text(s, size, color)
        if t.width > 13.4:
            words = s.split(" ")
            cut = min(
                range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(s) / 2)
            )
            t = lines(" ".join(words[:cut]), " ".join(words[cut:]), size=size, color=color)
            if t.width > 13.4:
                t.scale_to_fit_width(13.4)
        return t.to_edge(DOWN, buff=0.3)

    def grid(self, values: np.ndarray, **kw) -> AttentionGrid:
        cell = min(0.56, 4.5 / self.n)
        opts = dict(tokens=self.t.tokens, cell_size=cell, font_size=min(20, 40 * cell))
        return AttentionGrid(values, **{**opts, **kw})

    # 1 -------------------------------------------------------------------------------------------
    def context_rows(self) -> list[tuple[str, str, list[float]]]:
        """Cosine of the last word's vector between two contexts, stage by stage."""
        stages = ["hook_embed", "blocks.0.hook_resid_pre"] + [
            f"blocks.{layer}.hook_resid_mid" for layer in range(self.model.cfg.n_layers)
        ]
        rows = []
        for a, b in self.contexts:
            ta, tb = self.trace(a), self.trace(b)
            if ta.token_ids[-1] != tb.token_ids[-1]:
                raise PromptError(
                    f"contexts {a!r} and {b!r} must end in the same token to compare its vectors; "
                    f"they end in {ta.tokens[-1]!r} and {tb.tokens[-1]!r}"
                )
            rows.append((a, b, [cosine(ta[s][-1], tb[s][-1]) for s in stages]))
        return rows

    def step_why(self) -> None:
        rows = self.context_rows()
        n_layers = self.model.cfg.n_layers
        self.section(
            "Why attention",
            "The first thing a transformer does with a word is look up its vector in a table, so "
            "the word tower gets the same vector whether it stands alone, follows Eiffel, or "
            "follows miniature Eiffel. Only the position vector differs. The attention layers are "
            "where the context gets in: we compare the vector of the same word in two contexts, "
            "layer by layer, with the cosine of the angle between them. It starts at exactly one "
            "and drops as soon as the first attention layer has mixed in the neighbouring words.",
        )
        head = title("The same word in different contexts")
        heads = [["table", "lookup"], ["+", "position"]] + [
            ["after", f"layer {k}", "attention"] for k in range(n_layers)
        ]
        col_w, left_w = 1.45, 5.95
        x0 = -6.7 + left_w
        header = VGroup()
        for j, h in enumerate(heads):
            lab = VGroup(*(text(w, 17, PALETTE["muted"]) for w in h)).arrange(DOWN, buff=0.08)
            header.add(lab.move_to([x0 + (j + 0.5) * col_w, 2.45, 0]))
        ctx_head = VGroup(
            text("context A", 20),
            text("context B", 20, PALETTE["highlight"]),
            text("cosine of the last word's vectors:", 18, PALETTE["muted"]),
        )
        ctx_head[0].move_to([-6.7 + 1.15, 2.55, 0])
        ctx_head[1].next_to(ctx_head[0], RIGHT, buff=0.5)
        ctx_head[2].next_to(VGroup(ctx_head[0], ctx_head[1]), DOWN, buff=0.12, aligned_edge=LEFT)
        table = VGroup()
        self.shown["cosines"] = []
        for i, (a, b, cos) in enumerate(rows):
            y = 1.35 - i * 0.72
            la = text(a, 20).move_to([-6.7 + 1.15, y, 0])
            lb = text(b, 20, PALETTE["highlight"])
            lb.next_to(la, RIGHT, buff=0.3).align_to(la, DOWN)
            for lab in (la, lb):
                if lab.width > 3.5:
                    lab.scale_to_fit_width(3.5)
            lb.next_to(la, RIGHT, buff=0.3)
            if lb.get_right()[0] > x0 - 0.1:
                lb.shift(LEFT * (lb.get_right()[0] - x0 + 0.1))
            cells = VGroup()
            for j, c in enumerate(cos):
                num = number(c, 2, 24, color=value_to_color(c, 1.0))
                cells.add(num.move_to([x0 + (j + 0.5) * col_w, y, 0]))
                self.shown["cosines"].append((num, c))
            table.add(VGroup(la, lb, cells))
        after = [c for _, _, cos in rows for c in cos[2:3]]
        note = VGroup(
            text("The lookup gives the same vector in every context: cosine 1.00.", 22),
            text(
                f"After the first attention layer the cosines are {min(after):.2f} to "
                f"{max(after):.2f}: the context has moved the vectors.",
                22,
            ),
        ).arrange(DOWN, buff=0.15)
        for line in note:
            if line.width > 13.4:
                line.scale_to_fit_width(13.4)
        note.to_edge(DOWN, buff=0.45)
        self.play(Write(head), FadeIn(header[:1]), FadeIn(ctx_head))
        self.play(FadeIn(VGroup(*(VGroup(r[0], r[1], r[2][0]) for r in table)), lag_ratio=0.15))
        for j in range(1, len(heads)):
            self.play(FadeIn(header[j]), FadeIn(VGroup(*(r[2][j] for r in table))), run_time=0.7)
        box = SurroundingRectangle(VGroup(*(r[2][0] for r in table)), color=PALETTE["highlight"])
        self.play(Create(box), FadeIn(note))

    # 2 -------------------------------------------------------------------------------------------
    def step_example(self) -> None:
        self.section(
            "The example",
            f"Here is the prompt we will follow: {self.prompt}. The tokenizer cuts it into "
            f"{self.n} tokens. Each token picks its row of the embedding matrix, and the vector of "
            "its position is added, so every token starts as one list of numbers that says what "
            "the word is and where it stands. Attention will refine these vectors.",
        )
        head = title(f'"{self.prompt}"')
        strip = self.strip(22, min_width=self.column_width() - 0.1).next_to(head, DOWN, buff=0.35)
        W_E, W_pos = self.model.W_E, self.model.W_pos
        ids = self.t.token_ids
        font = 16 if self.n <= 8 else 13
        rows_E = [NumericVector(W_E[t], max_entries=5, font_size=font) for t in ids]
        rows_sum = [
            NumericVector(W_E[t] + W_pos[i], max_entries=5, font_size=font)
            for i, t in enumerate(ids)
        ]
        top = strip.align_below(rows_E, buff=0.35)
        bottom = VGroup(*rows_sum)
        for v, above in zip(rows_sum, rows_E, strict=True):
            v.next_to(above, DOWN, buff=0.8).set_x(above.get_x())
        lab_E = text("row of W_E for the token (above)", 20, PALETTE["muted"])
        lab_pos = text("+ row of W_pos for its position  =  E (below)", 20, PALETTE["muted"])
        VGroup(lab_E, lab_pos).arrange(RIGHT, buff=0.3)
        VGroup(lab_E, lab_pos).move_to((top.get_bottom() + bottom.get_top()) / 2)
        d = self.model.cfg.d_model
        idx = rows_E[0].indices
        shown = f"the first {idx.index(None)} and the last {len(idx) - idx.index(None) - 1}"
        note = self.footer(
            f"{d} numbers per token in this model (GPT-3: {GPT3_CONFIG.d_model:,}); shown: {shown}",
            20,
        )
        self.shown["E"] = [
            (v, self.t["blocks.0.hook_resid_pre"][i]) for i, v in enumerate(rows_sum)
        ]
        self.play(Write(head), FadeIn(strip, lag_ratio=0.1))
        self.play(FadeIn(top, lag_ratio=0.05), FadeIn(lab_E))
        self.play(
            *(ReplacementTransform(a.copy(), b) for a, b in zip(rows_E, rows_sum, strict=True)),
            FadeIn(lab_pos),
            run_time=1.5,
        )
        self.play(FadeIn(note))

    # 3 -------------------------------------------------------------------------------------------
    def step_queries_keys(self) -> None:
        f, cfg = self.focus, self.model.cfg
        noun = self.tok(self.q)
        ask = (
            f"In the head we follow, the query of {noun} can be read as asking whether adjectives "
            "stand in front of it, and the keys of those adjectives as answering yes."
            if f.adjective_head
            else "This prompt has no adjective in front of a noun, so we follow the head with the "
            "strongest attention instead."
        )
        self.section(
            "Queries and keys",
            f"A head multiplies each token's vector by a query matrix W_Q. The result, the query, "
            f"has only {cfg.d_head} entries instead of {cfg.d_model}. A second matrix, W_K, gives "
            f"every token a key in the same small space. {ask} The head we follow is {self.where()}, "
            "so its input is the stream after the earlier layers, normalised.",
        )
        head = title(f"Queries and keys: {self.where()}")
        W_Q = self.model.W("Q", self.L, self.h).T  # [d_head, d_model], as the lecture draws it
        matrix = WeightMatrix(W_Q, name="W_Q", max_rows=6, max_cols=5, font_size=16)
        x = NumericVector(self.x[self.q], max_entries=6, font_size=16, label=f'x("{noun}")')
        VGroup(matrix, x).arrange(RIGHT, buff=0.35).move_to([-2.3, 0.3, 0])
        product = MatrixVectorProduct(matrix, x, run_time_per_row=0.45)
        q_lab = text(f'q("{noun}")  {cfg.d_head} entries', 18, PALETTE["highlight"])
        note = text(
            f"x: the stream entering layer {self.L}, after LayerNorm ({cfg.d_model} entries)",
            18,
            PALETTE["muted"],
        ).next_to(VGroup(matrix, x), DOWN, buff=0.45)
        code = text(
            "(code multiplies row vectors, x @ W_Q: the same numbers, transposed)",
            16,
            PALETTE["muted"],
        ).next_to(note, DOWN, buff=0.12)
        self.play(Write(head), FadeIn(matrix), FadeIn(x), FadeIn(note), FadeIn(code))
        self.play(product)
        q_lab.next_to(product.result, DOWN, buff=0.3)
        self.play(FadeIn(q_lab))
        self.shown["q"] = (product.result, self.Q[self.q])
        # every token's query and key, side by side
        self.play(FadeOut(VGroup(matrix, x, product.result, product.equals, note, code, q_lab)))
        strip = self.strip(20, min_width=self.column_width() - 0.1).next_to(head, DOWN, buff=0.3)
        font = 16 if self.n <= 8 else 12
        qs = [NumericVector(self.Q[i], max_entries=5, font_size=font) for i in range(self.n)]
        ks = [NumericVector(self.K[i], max_entries=5, font_size=font) for i in range(self.n)]
        strip.align_below(qs, buff=0.45)
        for kv, qv in zip(ks, qs, strict=True):
            kv.next_to(qv, DOWN, buff=0.7).set_x(qv.get_x())
        lq = text("queries  W_Q x", 18, PALETTE["highlight"]).next_to(VGroup(*qs), UP, buff=0.06)
        lk = text("keys  W_K x", 18, PALETTE["accent"]).next_to(VGroup(*ks), UP, buff=0.06)
        space = self.footer(
            f"key-query space: {cfg.d_head} dimensions here, {GPT3_CONFIG.d_head} in GPT-3 "
            f"(embedding space: {cfg.d_model} here, {GPT3_CONFIG.d_model:,} in GPT-3)",
            20,
            PALETTE["text"],
        )
        self.shown["queries"] = [(v, self.Q[i]) for i, v in enumerate(qs)]
        self.shown["keys"] = [(v, self.K[i]) for i, v in enumerate(ks)]
        self.play(FadeIn(strip), FadeIn(VGroup(*qs), lag_ratio=0.05), FadeIn(lq))
        self.play(FadeIn(VGroup(*ks), lag_ratio=0.05), FadeIn(lk))
        self.play(FadeIn(space))

    # 4 -------------------------------------------------------------------------------------------
    def step_grid(self) -> None:
        f = self.focus
        noun = self.tok(self.q)
        earlier = sorted(range(self.q + 1), key=lambda k: -self.dots[self.q, k])
        best = ", ".join(f"{self.tok(k)} {self.dots[self.q, k]:+.2f}" for k in earlier[:2])
        rest = ", ".join(f"{self.tok(k)} {self.dots[self.q, k]:+.2f}" for k in earlier[2:4])
        self.section(
            "The grid",
            "Now every key is compared with every query by a dot product. We draw them as a grid: "
            "keys down the left, queries along the top, one dot per pair whose area shows the "
            "size of the value, blue for positive and orange for negative. Only the order within "
            f"a column matters for what comes next. In the column of {noun}, the largest values "
            f"among the words up to it are {best}"
            + (f", well above {rest}" if rest else "")
            + f": those keys line up best with the query of {noun}, or, as one says, {noun} "
            "attends to them.",
        )
        head = title(f"Every key against every query: {self.where()}")
        grid = self.grid(self.dots, causal=False, normalize="global")
        grid.next_to(head, DOWN, buff=0.35).to_edge(LEFT, buff=0.6)
        how = self.footer(f.how, 18)
        col = grid.highlight_column(self.q)
        legend = text("dot area: size of q · k; blue +, orange −", 18, PALETTE["muted"])
        listing = VGroup(
            text(f'column "{noun}", words up to it:', 20),
        )
        self.shown["dots"] = []
        for k in earlier[:6]:
            v = float(self.dots[self.q, k])
            color = PALETTE["highlight"] if k in f.keys else PALETTE["text"]
            num = number(v, 2, 22, color=color, sign=True)
            lab = text(f'"{self.tok(k)}"', 20, color)
            listing.add(VGroup(lab, num))
            self.shown["dots"].append((num, v))
        for row in listing[1:]:
            row[1].next_to(row[0], RIGHT, buff=0.25)
        listing.arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        right = VGroup(listing, legend).arrange(DOWN, buff=0.5, aligned_edge=LEFT)
        right.next_to(grid, RIGHT, buff=0.6)
        if right.get_right()[0] > 6.9:
            right.scale_to_fit_width(6.9 - grid.get_right()[0] - 0.6).next_to(grid, RIGHT, buff=0.6)
        cells = VGroup(*(grid.highlight_cell(k, self.q) for k in f.keys))
        self.shown["grid"] = grid
        self.play(Write(head), FadeIn(grid.key_labels), FadeIn(grid.query_labels))
        self.play(FadeIn(VGroup(grid.cells, grid.lines)), FadeIn(legend), run_time=1.5)
        self.play(Create(col), FadeIn(how))
        self.play(FadeIn(listing, lag_ratio=0.2), Create(cells))

    # 5 -------------------------------------------------------------------------------------------
    def step_scale_mask_softmax(self) -> None:
        dk = self.model.cfg.d_head
        noun = self.tok(self.q)
        p = self.pattern[self.q]
        top = sorted(range(self.n), key=lambda k: -p[k])[:2]
        share = ", ".join(f'"{self.tok(k)}" {p[k]:.2f}' for k in top)
        self.section(
            "Scale, mask, softmax",
            f"Three steps turn the grid into weights. First every score is divided by the square "
            f"root of the key size, here the square root of {dk}, which keeps the numbers in a "
            "range where softmax still works well. Then every cell where the key comes after the "
            "query is set to minus infinity: a word may not peek at the words that follow it. "
            "Last, softmax runs down each column; the minus infinities become exact zeros and "
            f"each column adds up to one. The column of {noun} now gives {share}.",
        )
        head = title(f"Scores to weights: {self.where()}")
        raw = self.grid(self.dots, causal=False, normalize="global", show_numbers=True)
        raw.next_to(head, DOWN, buff=0.45).shift(LEFT * 2.5)
        cap = text("q · k", 26).next_to(raw, RIGHT, buff=0.5).shift(UP * 1.2)
        scaled = raw.copy_with(self.scaled)
        cap2 = text(f"q · k / √{dk}", 26).move_to(cap, aligned_edge=LEFT)
        masked_values = np.where(np.triu(np.ones((self.n, self.n), bool), 1), -np.inf, self.scaled)
        masked = raw.copy_with(masked_values, causal=True)
        cap3 = text("keys after the query: −∞", 26).move_to(cap, aligned_edge=LEFT)
        soft = Softmax(masked, run_time=1.5)
        cap4 = text("softmax down each column", 26).move_to(cap, aligned_edge=LEFT)
        sums = text("every column sums to 1", 20, PALETTE["muted"]).next_to(cap4, DOWN, buff=0.3)
        sums.align_to(cap4, LEFT)
        self.shown["raw"], self.shown["scaled"], self.shown["masked"] = raw, scaled, masked
        self.shown["pattern"] = soft.result
        self.play(Write(head), FadeIn(raw), FadeIn(cap))
        self.play(ReplacementTransform(raw, scaled), Transform(cap, cap2), run_time=1.2)
        self.wait(0.5)
        self.play(ReplacementTransform(scaled, masked), Transform(cap, cap3), run_time=1.2)
        self.wait(0.5)
        self.play(soft, Transform(cap, cap4))
        self.play(FadeIn(sums), Create(soft.result.highlight_column(self.q)))
        self.wait(0.5)

    # 6 -------------------------------------------------------------------------------------------
    def step_values(self) -> None:
        cfg = self.model.cfg
        noun = self.tok(self.q)
        blk = f"blocks.{self.L}"
        z = self.t[f"{blk}.attn.hook_z"][self.q, self.h]  # [d_head]
        W_O = self.model.W("O", self.L, self.h)  # [d_head, d_model]
        dE = z.astype(np.float64) @ W_O.astype(np.float64)  # [d_model]: this head's ΔE
        self.section(
            "Values",
            f"The weights say how much each earlier word matters to {noun}; the value matrix says "
            f"what each of them passes on. W_V maps every token's vector to a value vector of "
            f"{cfg.d_head} entries. The column of {noun} weights those values and adds them up. "
            f"The output matrix of this head maps the sum back up to {cfg.d_model} entries: that "
            f"is the change Delta E, and the new vector E prime is E plus Delta E.",
        )
        head = title(f'Values: the column of "{noun}", {self.where()}')
        keys = list(range(self.q + 1))
        font = 15 if len(keys) <= 6 else 12
        vs = [
            NumericVector(self.V[k], max_entries=5, font_size=font, label=f'v("{self.tok(k)}")')
            for k in keys
        ]
        row = VGroup(*vs).arrange(RIGHT, buff=0.45)
        if row.width > 8.4:
            row.scale_to_fit_width(8.4)
        row.next_to(head, DOWN, buff=0.9).to_edge(LEFT, buff=0.6)
        wv = VGroup(
            text("v = W_V x  (value-down)", 20),
            text(f"{cfg.d_head} entries per token", 18, PALETTE["muted"]),
            text("weights: the pattern's column", 18, PALETTE["highlight"]),
            text("later tokens: weight 0", 18, PALETTE["muted"]),
        ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        wv.next_to(row, RIGHT, buff=0.6)
        summed = WeightedSum(vs, self.pattern[self.q, keys], label="Σ w v")
        self.play(Write(head), FadeIn(row, lag_ratio=0.1), FadeIn(wv))
        self.play(summed)
        self.shown["values"] = [(v, self.V[k]) for k, v in zip(keys, vs, strict=True)]
        self.shown["weights"] = [
            (lab, float(self.pattern[self.q, k]))
            for k, lab in zip(keys, summed.weight_labels, strict=True)
        ]
        self.shown["z"] = (summed.result, z)
        # value-up: this head's slice of W_O maps the sum back to the embedding space
        up = WeightMatrix(W_O.T, name="W_O (value-up)", max_rows=5, max_cols=4, font_size=14)
        up.next_to(summed.result, RIGHT, buff=0.6)
        zc = summed.result.copy().next_to(up, RIGHT, buff=0.25)
        self.play(FadeIn(up), TransformFromCopy(summed.result, zc))
        prod = MatrixVectorProduct(up, zc, run_time_per_row=0.3)
        self.play(prod)
        dE_lab = text("ΔE", 22, PALETTE["highlight"]).next_to(prod.result, DOWN, buff=0.15)
        self.play(FadeIn(dE_lab))
        self.shown["dE"] = (prod.result, dE)
        self.wait(0.5)
        keep = {head, prod.result}
        self.play(FadeOut(Group(*(m for m in self.mobjects if m not in keep))))
        idx = prod.result.indices
        cut = idx.index(None) if None in idx else len(idx)
        E = NumericVector(
            self.E[self.q],
            max_entries=len(idx),
            head=cut,
            tail=len(idx) - cut - 1,
            font_size=18,
            label=f'E("{noun}")',
        )
        E.move_to([-2.6, -1.0, 0])
        # every column does the same: this head's ΔE for each token
        zs = self.t[f"{blk}.attn.hook_z"][:, self.h].astype(np.float64)  # [pos, d_head]
        all_dE = zs @ W_O.astype(np.float64)  # [pos, d_model]
        strip = self.strip(18, min_width=self.column_width() - 0.1)
        strip.next_to(head, DOWN, buff=0.3)
        cols = [NumericVector(all_dE[i], max_entries=3, font_size=13) for i in range(self.n)]
        strip.align_below(cols, buff=0.2)
        lab_all = text(
            "ΔE of this head for every token: each column's weighted sum, mapped up by W_O",
            18,
            PALETTE["muted"],
        ).next_to(VGroup(*cols), DOWN, buff=0.15)
        self.shown["all_dE"] = [(v, all_dE[i]) for i, v in enumerate(cols)]
        self.play(
            prod.result.animate.move_to([0, -1.0, 0]),
            FadeIn(strip),
            FadeIn(VGroup(*cols), lag_ratio=0.05),
            FadeIn(lab_all),
        )
        self.play(FadeIn(E))
        add = ResidualAdd(E, prod.result, run_time_per_entry=0.3, result_label="E′")
        self.play(add)
        lab = text(
            f"E′ with this head's change only; the layer adds all {cfg.n_heads} heads (next step)",
            18,
            PALETTE["muted"],
        )
        lab.next_to(VGroup(E, add.result), DOWN, buff=0.6).set_x(0)
        self.play(FadeIn(lab))
        self.shown["E_new"] = (add.result, self.E[self.q] + dE)

    # 7 -------------------------------------------------------------------------------------------
    def step_multi_head(self) -> None:
        cfg = self.model.cfg
        H = cfg.n_heads
        blk = f"blocks.{self.L}"
        pats = self.t[f"{blk}.attn.hook_pattern"]  # [head, query, key]
        z = self.t[f"{blk}.attn.hook_z"][self.q]  # [head, d_head]
        outs = [z[h].astype(np.float64) @ self.model.W("O", self.L, h) for h in range(H)]
        strongest = {
            (layer, head): (q, k, w) for layer, head, q, k, w in strongest_attention(self.t)
        }
        noun = self.tok(self.q)
        self.section(
            "Multi-head attention",
            f"A layer runs several heads side by side, {H} in this model and 96 in GPT-3, each "
            "with its own query, key and value matrices and so its own pattern. Under each pattern "
            f"is that head's change for {noun}; the layer adds the changes of all heads to the "
            "stream. The value-up matrices of all heads, stapled side by side, form the layer's "
            "output matrix W_O.",
        )
        head = title(f"All {H} heads of layer {self.L}")
        width = 13.0 / H
        cell = min(0.3, (width - 0.9) / self.n)
        grids, changes, notes = VGroup(), [], VGroup()
        for h in range(H):
            g = AttentionGrid(
                pats[h],
                query_tokens=self.t.tokens,
                key_tokens=self.t.tokens if h == 0 else None,  # rows line up across the heads
                cell_size=cell,
                font_size=min(14, 44 * cell),
            )
            g.move_to([-6.5 + width * (h + 0.5), 1.2, 0])
            name = text(f"head {h}", 20, PALETTE["highlight"] if h == self.h else PALETTE["text"])
            name.next_to(g, UP, buff=0.12)
            q, k, w = strongest[(self.L, h)]
            note = text(f'"{self.tok(q)}" → "{self.tok(k)}" {w:.2f}', 16, PALETTE["muted"])
            if note.width > width - 0.2:
                note.scale_to_fit_width(width - 0.2)
            note.next_to(g, DOWN, buff=0.1)
            grids.add(VGroup(g, name))
            notes.add(note)
            v = NumericVector(outs[h], max_entries=5, font_size=14).next_to(note, DOWN, buff=0.2)
            changes.append(v)
        plus = VGroup(
            *(
                text("+", 28).move_to((changes[h].get_right() + changes[h + 1].get_left()) / 2)
                for h in range(H - 1)
            )
        )
        total = self.t[f"{blk}.hook_attn_out"][self.q]
        out = NumericVector(total, max_entries=5, font_size=14)
        out.next_to(changes[-1], RIGHT, buff=0.35)
        eq = text("=", 28).next_to(out, LEFT, buff=0.1)
        if out.get_right()[0] > 7.0:
            VGroup(*changes, plus).shift(LEFT * (out.get_right()[0] - 6.9))
            out.next_to(changes[-1], RIGHT, buff=0.45)
            eq.move_to((changes[-1].get_right() + out.get_left()) / 2)
        sum_lab = text(
            f'ΔE for "{noun}" from each head, and their sum: the layer\'s attention output',
            18,
            PALETTE["muted"],
        ).next_to(VGroup(*changes), DOWN, buff=0.2)
        self.shown["heads"] = [(c, o) for c, o in zip(changes, outs, strict=True)]
        self.shown["attn_out"] = (out, total)
        self.play(Write(head), FadeIn(grids, lag_ratio=0.15))
        self.play(FadeIn(notes, lag_ratio=0.1))
        self.play(FadeIn(VGroup(*changes), lag_ratio=0.15))
        self.play(FadeIn(plus), FadeIn(eq), FadeIn(out), FadeIn(sum_lab))
        self.wait(1)
        # the output matrix: value-up maps stapled together
        self.play(FadeOut(VGroup(grids, notes, *changes, plus, eq, out, sum_lab)))
        blocks = VGroup()
        for h in range(H):
            m = NumericMatrix(
                self.model.W("O", self.L, h).T, max_rows=5, max_cols=2, font_size=14, h_buff=0.2
            )
            lab = text(f"value-up {h}", 16, PALETTE["muted"]).next_to(m, DOWN, buff=0.15)
            blocks.add(VGroup(m, lab))
        blocks.arrange(RIGHT, buff=0.5).move_to([0, 0.6, 0])
        stapled = Rectangle(
            width=blocks.width + 0.3, height=blocks[0][0].height + 0.3, color=PALETTE["highlight"]
        ).move_to(VGroup(*(b[0] for b in blocks)))
        wo = text(
            f"W_O of layer {self.L}: {cfg.d_model} × {H * cfg.d_head} "
            f"({H} value-up maps of {cfg.d_model} × {cfg.d_head}, stapled together)",
            20,
        ).next_to(stapled, DOWN, buff=0.7)
        gpt = self.footer(
            f"GPT-3: {GPT3_CONFIG.n_heads} heads of {GPT3_CONFIG.d_model:,} × {GPT3_CONFIG.d_head} "
            f"make a {GPT3_CONFIG.d_model:,} × {GPT3_CONFIG.n_heads * GPT3_CONFIG.d_head:,} output "
            "matrix per layer",
            18,
        )
        self.play(FadeIn(blocks, lag_ratio=0.15))
        self.play(blocks.animate.arrange(RIGHT, buff=0.08).move_to([0, 0.6, 0]))
        stapled.match_width(VGroup(*(b[0] for b in blocks))).stretch(1.03, 0)
        stapled.move_to(VGroup(*(b[0] for b in blocks)))
        self.play(Create(stapled), FadeIn(wo), FadeIn(gpt))

    # 8 -------------------------------------------------------------------------------------------
    def step_count(self) -> None:
        ours, gpt = attention_parameters(self.model.cfg), attention_parameters(GPT3_CONFIG)
        g, c = GPT3_CONFIG, self.model.cfg
        share = gpt["all_layers"] / gpt["total"]
        self.section(
            "Counting parameters",
            f"Now the bill. In GPT-3 a query map is {g.d_head} by {g.d_model:,}, about "
            f"{gpt['map'] / 1e6:.1f} million weights, and a key map the same. A full value map "
            f"from the embedding space to itself would be {g.d_model:,} squared, about "
            f"{gpt['value_full'] / 1e6:.0f} million, so it is split into a value-down map and a "
            "value-up map of the query's size: the value map has low rank, at most "
            f"{g.d_head}. That makes about {gpt['head'] / 1e6:.1f} million per head, "
            f"{gpt['layer'] / 1e6:.0f} million per layer of {g.n_heads} heads, and about "
            f"{gpt['all_layers'] / 1e9:.0f} billion in the {g.n_layers} layers: {share:.0%} of "
            f"the {gpt['total'] / 1e9:.0f} billion. Our small model has the same structure with "
            "far smaller numbers.",
        )
        head = title("Counting attention parameters")
        rows = [
            ("query map  (d_head × d_model)", "map"),
            ("key map", "map"),
            ("value-down + value-up", "value_factored"),
            ("one head", "head"),
            ("one layer  (× heads)", "layer"),
            ("all layers", "all_layers"),
            ("share of all weights", None),
        ]
        hdr = VGroup()
        xs = (1.2, 5.0)
        for name, cfg_, x in (("this model", c, xs[0]), ("GPT-3", g, xs[1])):
            lab = VGroup(
                text(name, 22),
                text(f"{cfg_.d_head} × {cfg_.d_model:,} maps", 17, PALETTE["muted"]),
                text(f"{cfg_.n_heads} heads, {cfg_.n_layers} layers", 17, PALETTE["muted"]),
            ).arrange(DOWN, buff=0.08)
            hdr.add(lab.move_to([x, 2.45, 0]))
        table = VGroup()
        self.shown["counts"] = []
        for i, (name, key) in enumerate(rows):
            y = 1.8 - i * 0.6
            lab = text(name, 22).move_to([-6.6, y, 0], aligned_edge=LEFT)
            cells = VGroup()
            for p, x in zip((ours, gpt), xs, strict=True):
                if key is None:
                    v = p["all_layers"] / p["total"]
                    num = text(f"{v:.1%}", 24, PALETTE["highlight"])
                    self.shown["counts"].append((num, f"{v:.1%}"))
                else:
                    num = text(f"{p[key]:,}", 24)
                    self.shown["counts"].append((num, f"{p[key]:,}"))
                cells.add(num.move_to([x, y, 0]))
            table.add(VGroup(lab, cells))
        low = VGroup(
            text(
                f"Low rank: a full {g.d_model:,} × {g.d_model:,} value map would need "
                f"{gpt['value_full']:,} weights;",
                20,
            ),
            text(
                f"value-down ({g.d_head} × {g.d_model:,}) + value-up ({g.d_model:,} × {g.d_head}) "
                f"need {gpt['value_factored']:,},",
                20,
            ),
            text(f"and their product has rank at most {g.d_head}.", 20),
        ).arrange(DOWN, buff=0.12)
        for line in low:
            if line.width > 13.4:
                line.scale_to_fit_width(13.4)
        low.to_edge(DOWN, buff=0.35)
        self.play(Write(head), FadeIn(hdr))
        for r in table:
            self.play(FadeIn(r), run_time=0.5)
        self.play(Create(SurroundingRectangle(table[-2:], color=PALETTE["highlight"])))
        self.play(FadeIn(low))

    # 9 -------------------------------------------------------------------------------------------
    def step_cross(self) -> None:
        self.section(
            "Cross-attention",
            "A model that reads one kind of data and writes another, such as a translator, also "
            "uses cross-attention. It works like the heads we saw, except that the keys and "
            "values come from one source, the sentence being translated, and the queries from "
            "the other, the sentence being written. Nothing needs to be hidden, so there is no "
            "mask. The model in this package has no cross-attention, so this picture is a "
            "schematic without numbers.",
        )
        head = title("Cross-attention (schematic)")
        src = ["le", "chat", "noir", "dort"]  # keys and values: the sentence being translated
        tgt = ["the", "black", "cat", "sleeps"]  # queries: the sentence being written
        cell = 1.2
        grid = VGroup()
        for i in range(len(src)):
            for j in range(len(tgt)):
                sq = Rectangle(width=cell, height=cell, color=PALETTE["muted"], stroke_width=1.5)
                grid.add(sq.move_to([j * cell, -i * cell, 0]))
        grid.move_to([0.3, -0.5, 0])
        keys = VGroup(
            *(text(w, 22).next_to(grid[i * len(tgt)], LEFT, buff=0.25) for i, w in enumerate(src))
        )
        queries = VGroup(
            *(
                text(w, 22, PALETTE["highlight"]).next_to(grid[j], UP, buff=0.25)
                for j, w in enumerate(tgt)
            )
        )
        line = min(q.baseline for q in queries)  # one baseline: "sleeps" hangs below it
        for q in queries:
            q.shift((line - q.baseline) * UP)
        kl = lines(
            "keys and values:", "French input", size=20, color=PALETTE["muted"], align="right"
        )
        kl.next_to(keys, LEFT, buff=0.4)
        ql = text("queries: English being written", 20, PALETTE["highlight"])
        ql.next_to(queries, UP, buff=0.25)
        nomask = lines("no mask:", "every query may", "look at every key", size=22, align="left")
        nomask.next_to(grid, RIGHT, buff=0.5)
        stamp = self.footer(
            "Schematic: the model in this package has only self-attention, so these cells hold no "
            "values.",
            20,
            PALETTE["highlight"],
        )
        self.play(Write(head), FadeIn(stamp))
        self.play(Create(grid), FadeIn(keys), FadeIn(kl))
        self.play(FadeIn(queries), FadeIn(ql))
        self.play(FadeIn(nomask))

    # 10 ------------------------------------------------------------------------------------------
    def long_token_ids(self) -> list[int]:
        """The prompt followed by sentences of the training corpus, as token ids."""
        text_ = " ".join([self.prompt + "."] + generate_corpus(60, seed=1))
        return self.model.tokenizer.encode(text_)

    def step_context(self) -> None:
        cfg = self.model.cfg
        lengths = [n for n in self.context_lengths if n <= cfg.n_ctx]
        ids = self.long_token_ids()
        traces = [self.model.run_ids(ids[:n]) for n in lengths]
        key = f"blocks.{self.L}.attn.hook_pattern"
        per_head, all_g = pattern_entries(GPT3_CONFIG.n_ctx, GPT3_CONFIG)
        self.section(
            "Context size",
            "The pattern has one entry for every pair of tokens, so its size grows with the square "
            "of the prompt's length: twice the tokens, four times the entries, in every head of "
            f"every layer. Here are the real patterns of {self.where()} for prompts of growing "
            f"length, up to this model's context window of {cfg.n_ctx} tokens. GPT-3's window of "
            f"{GPT3_CONFIG.n_ctx:,} tokens means about {per_head / 1e6:.1f} million entries per "
            "head, which is why long contexts are expensive and why many variants of attention "
            "try to avoid the full square.",
        )
        head = title("The pattern grows with the square of the context")
        cell = min(0.055, 3.4 / max(lengths))
        grids = VGroup()
        labels = VGroup()
        self.shown["sizes"] = []
        for n, t in zip(lengths, traces, strict=True):
            g = AttentionGrid(t[key][self.h], kind="heat", cell_size=cell, show_grid_lines=False)
            per, total = pattern_entries(n, cfg)
            lab = VGroup(text(f"{n} tokens", 18), text(f"{per:,} entries", 18, PALETTE["muted"]))
            lab.arrange(DOWN, buff=0.08)
            grids.add(g)
            labels.add(lab)
            self.shown["sizes"].append((g, n))
        for g, lab in zip(grids, labels, strict=True):
            lab.next_to(g, DOWN, buff=0.2)
        items = VGroup(*(VGroup(g, lab) for g, lab in zip(grids, labels, strict=True)))
        items.arrange(RIGHT, buff=0.5, aligned_edge=DOWN).move_to([0, 0.6, 0])
        top_n = lengths[-1]
        per, total = pattern_entries(top_n, cfg)
        lines = VGroup(
            text(
                f"this model, {top_n} tokens: {per:,} per head × {cfg.n_heads} heads × "
                f"{cfg.n_layers} layers = {total:,} entries",
                20,
            ),
            text(
                f"GPT-3, {GPT3_CONFIG.n_ctx:,} tokens: {per_head:,} per head × {GPT3_CONFIG.n_heads} "
                f"× {GPT3_CONFIG.n_layers} = {all_g:,} entries",
                20,
                PALETTE["highlight"],
            ),
        ).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        lines.to_edge(DOWN, buff=0.5)
        self.shown["model_entries"] = (lines[0], total)
        self.play(Write(head))
        for g, lab in zip(grids, labels, strict=True):
            self.play(FadeIn(g), FadeIn(lab), run_time=0.7)
        self.play(FadeIn(lines, lag_ratio=0.3))


# One scene per step, and the whole chapter ------------------------------------------------------
class WhyAttention(AttentionScene):
    """1. The same word in two contexts: cosines after the lookup, positions and each attention layer."""

    def construct(self) -> None:
        self.step_why()


class TheExample(AttentionScene):
    """2. The prompt's tokens, their rows of W_E, plus their positions' rows of W_pos."""

    def construct(self) -> None:
        self.step_example()


class QueriesAndKeys(AttentionScene):
    """3. W_Q times the noun's vector, row by row; every token's query and key."""

    def construct(self) -> None:
        self.step_queries_keys()


class TheGrid(AttentionScene):
    """4. Every key-query dot product as a dot; the noun's column ranked."""

    def construct(self) -> None:
        self.step_grid()


class ScaleMaskSoftmax(AttentionScene):
    """5. Divide by sqrt(d_head), mask later keys with -inf, softmax down each column."""

    def construct(self) -> None:
        self.step_scale_mask_softmax()


class Values(AttentionScene):
    """6. Value vectors, the weighted sum down the noun's column, value-up, E + dE = E'."""

    def construct(self) -> None:
        self.step_values()


class MultiHead(AttentionScene):
    """7. Every head of the layer, their changes summed; W_O as stapled value-up maps."""

    def construct(self) -> None:
        self.step_multi_head()


class CountingAttention(AttentionScene):
    """8. Attention weights of this model and of GPT-3, from their configs; the low-rank value map."""

    def construct(self) -> None:
        self.step_count()


class CrossAttention(AttentionScene):
    """9. Cross-attention as a labelled schematic (this model has none): no mask, no numbers."""

    def construct(self) -> None:
        self.step_cross()


class ContextSize(AttentionScene):
    """10. The head's real pattern for prompts of growing length; entries grow with the square."""

    def construct(self) -> None:
        self.step_context()


class AttentionChapter(AttentionScene):
    """All ten steps in order."""

    chapter_title = "Attention: how vectors take in their context"

    def construct(self) -> None:
        steps = [
            self.step_why,
            self.step_example,
            self.step_queries_keys,
            self.step_grid,
            self.step_scale_mask_softmax,
            self.step_values,
            self.step_multi_head,
            self.step_count,
            self.step_cross,
            self.step_context,
        ]
        for i, step in enumerate(steps):
            step()
            if i < len(steps) - 1:
                self.clear()

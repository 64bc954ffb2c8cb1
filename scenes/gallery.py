"""Gallery: one scene per llmviz mobject and animation, each fed from a real trace.

Render one with ``manim render -ql scenes/gallery.py AttentionGridGallery`` or all with
``manim render -ql -a scenes/gallery.py``.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, ReplacementTransform, VGroup, Wait

from llmviz.animations import (
    CausalMask,
    MatrixVectorProduct,
    ReLUGate,
    ResidualAdd,
    Softmax,
    Unembed,
    WeightedSum,
)
from llmviz.mobjects import (
    AttentionGrid,
    FastNumber,
    FastText,
    NeuronColumn,
    NumericMatrix,
    NumericVector,
    ProbabilityBars,
    TokenStrip,
    WeightMatrix,
)
from llmviz.model.analysis import find_adjective_head, find_and_neuron
from llmviz.model.config import GPT3_CONFIG
from llmviz.model.scale import parameter_count
from llmviz.model.trace import hook_name
from llmviz.scene import LectureScene
from llmviz.style import PALETTE

FACT = "Michael Jordan plays the sport of"
CREATURE = "a fluffy blue creature roamed the verdant forest"


class GalleryScene(LectureScene):
    """A gallery page: one building block on the fixed prompt its documentation shows (FACT or
    CREATURE), so the prompt, sampling and contrast settings do not reach it; the render says so
    when one of them is set. Theme, font and decimals do."""

    unused_settings = {
        "prompt": "each gallery page shows its building block on the prompt its documentation uses",
        "temperature": "its probabilities are the model's own, at temperature 1",
        "seed": "no gallery page samples a token",
        "contrasts": "they are the MLP chapter's",
    }


def heading(text: str, size: float = 26) -> FastText:
    """The line at the top of a gallery scene that names the building block it shows."""
    return FastText(text, font_size=size, color=PALETTE["muted"]).to_edge(UP, buff=0.4)


class FastNumberGallery(GalleryScene):
    """Numbers without LaTeX: a real logit, a probability, a masked score, a parameter count."""

    def construct(self) -> None:
        t = self.trace(FACT)
        top = t.top_k(1)[0]
        scores = t[hook_name("attn_scores", 0)][0]
        n_params = parameter_count(self.model)
        rows = [
            (
                "logit of basketball",
                FastNumber(float(t[hook_name("logits")][-1, top.id]), decimals=3, sign=True),
            ),
            ("its probability", FastNumber(100 * top.prob, decimals=2, suffix="%")),
            ("masked score (key after query)", FastNumber(float(scores[0, 1]))),
            ("parameters in this model", FastNumber(n_params, decimals=0, thousands=True)),
            ("GPT-3 vocabulary", FastNumber(GPT3_CONFIG.vocab_size, decimals=0, thousands=True)),
        ]
        group = VGroup()
        for i, (name, num) in enumerate(rows):
            label = FastText(name, font_size=24, color=PALETTE["muted"]).move_to(
                [-1.0, -0.8 * i, 0], aligned_edge=RIGHT
            )
            group.add(label, num.scale(1.3).next_to(label, RIGHT, buff=0.6))
        group.center()
        self.add(heading("FastNumber: LaTeX-free numbers from the trace"))
        self.play(FadeIn(group, lag_ratio=0.1))
        self.wait()


class NumericVectorGallery(GalleryScene):
    """The residual vector at "Jordan" (64 numbers, with an ellipsis) and the first 8 as a row."""

    def construct(self) -> None:
        t = self.trace(FACT)
        x = t[hook_name("resid_post", 0)][1]
        col = NumericVector(x, max_entries=10, label=True).shift(LEFT * 3)
        row = NumericVector(x[:8], direction="row").shift(RIGHT * 2.5)
        note = FastText("first 8 entries as a row", font_size=22, color=PALETTE["muted"]).next_to(
            row, DOWN
        )
        self.add(heading('residual stream at " Jordan" after block 0'))
        self.play(FadeIn(col), FadeIn(row), FadeIn(note))
        self.wait()


class NumericMatrixGallery(GalleryScene):
    """A real weight matrix with ellipses, and GPT-3's embedding shown by shape only."""

    def construct(self) -> None:
        L = self.model.cfg.n_layers - 1
        W_up = self.model.W("up", L).T  # [d_mlp, d_model]: one row per neuron, as in the lecture
        real = WeightMatrix(W_up, name=f"W_up (layer {L}), rows = neurons", max_rows=7, max_cols=6)
        gpt3 = WeightMatrix(
            None,
            shape=(GPT3_CONFIG.d_model, GPT3_CONFIG.vocab_size),
            name="GPT-3 W_E",
            max_rows=5,
            max_cols=5,
        )
        VGroup(real, gpt3).arrange(RIGHT, buff=1.2)
        rect = real.highlight_row(int(real.rows[1]))
        self.add(heading("NumericMatrix / WeightMatrix"))
        self.play(FadeIn(real), FadeIn(gpt3))
        self.play(Create(rect))
        self.wait()


class TokenStripGallery(GalleryScene):
    """The prompt as the tokenizer split it, with each token's embedding below it."""

    def construct(self) -> None:
        t = self.trace(FACT)
        strip = TokenStrip(t.tokens, min_width=1.5, buff=0.25).shift(UP * 1.5)
        emb = t[hook_name("embed")]
        vectors = [NumericVector(emb[i], max_entries=5, font_size=18) for i in range(t.n_tokens)]
        self.add(heading("TokenStrip with the token embeddings (W_E rows) below"))
        self.play(FadeIn(strip))
        self.play(FadeIn(strip.align_below(vectors, buff=0.4), lag_ratio=0.1))
        self.wait()


class AttentionGridGallery(GalleryScene):
    """The adjective head's real pattern on the lecture sentence, as dots and as heat."""

    def construct(self) -> None:
        head = find_adjective_head(self.model)
        t = self.trace(CREATURE)
        pattern = t[hook_name("pattern", head.layer)][head.head]
        dots = AttentionGrid(pattern, tokens=t.tokens, cell_size=0.5, font_size=18)
        heat = AttentionGrid(pattern, tokens=t.tokens, kind="heat", cell_size=0.5, font_size=18)
        VGroup(dots, heat).arrange(RIGHT, buff=1.0).shift(DOWN * 0.3)
        box = dots.highlight_column(3)
        self.add(heading(f"layer {head.layer} head {head.head}: keys as rows, queries as columns"))
        self.play(FadeIn(dots), FadeIn(heat))
        self.play(Create(box))
        self.wait()


class NeuronColumnGallery(GalleryScene):
    """The last layer's neurons at the final token of the fact prompt; the AND neuron ringed."""

    def construct(self) -> None:
        n = find_and_neuron(self.model)
        t = self.trace(FACT)
        pre = t[hook_name("pre", n.layer)][n.positions[0]]
        post = t[hook_name("post", n.layer)][n.positions[0]]
        head = [i for i in range(5) if i != n.neuron] + [n.neuron]
        pick = sorted(head)
        left = NeuronColumn(pre[pick], state="pre", max_neurons=8, highlight=[pick.index(n.neuron)])
        right = NeuronColumn(
            post[pick], state="post", max_neurons=8, highlight=[pick.index(n.neuron)]
        )
        VGroup(left, right).arrange(RIGHT, buff=2.0)
        labels = VGroup(
            FastText("before ReLU", font_size=24).next_to(left, DOWN),
            FastText("after ReLU", font_size=24).next_to(right, DOWN),
        )
        ids = FastText(
            f"neurons {pick} of layer {n.layer}; ringed: #{n.neuron}",
            font_size=20,
            color=PALETTE["muted"],
        ).to_edge(DOWN)
        self.add(heading("NeuronColumn: the AND neuron among its neighbours"))
        self.play(FadeIn(left), FadeIn(right), FadeIn(labels), FadeIn(ids))
        self.wait()


class ProbabilityBarsGallery(GalleryScene):
    """The real next-token distribution, then the same tokens at temperature 2."""

    def construct(self) -> None:
        t = self.trace(FACT)
        bars = ProbabilityBars.from_trace(t, k=6, temperature=1.0).shift(LEFT * 1.0 + UP * 0.8)
        title = heading(f'"{FACT}" at temperature 1')
        self.add(title)
        self.play(FadeIn(bars, lag_ratio=0.1))
        hot = bars.at_temperature(2.0)
        self.play(
            ReplacementTransform(bars, hot),
            ReplacementTransform(title, heading(f'"{FACT}" at temperature 2')),
        )
        self.wait()


class MatrixVectorProductGallery(GalleryScene):
    """A query vector: W_Q of one head (rows = query dimensions) times the LayerNormed embedding."""

    def construct(self) -> None:
        head = find_adjective_head(self.model)
        t = self.trace(CREATURE)
        x = t[hook_name("ln1", head.layer)][3]
        W = self.model.W("Q", head.layer, head.head).T  # [d_head, d_model]
        matrix = NumericMatrix(W, max_rows=6, max_cols=5, font_size=18).shift(LEFT * 3.5)
        vector = NumericVector(x, max_entries=6, font_size=18).next_to(matrix, RIGHT, buff=0.4)
        self.add(
            heading(f'W_Q (layer {head.layer}, head {head.head}) times " creature"'), matrix, vector
        )
        anim = MatrixVectorProduct(matrix, vector, run_time_per_row=0.5)
        self.play(anim)
        self.wait()


class SoftmaxGallery(GalleryScene):
    """Scaled, masked scores of the adjective head, turned into the pattern column by column."""

    def construct(self) -> None:
        head = find_adjective_head(self.model)
        t = self.trace(CREATURE)
        scores = t[hook_name("attn_scores", head.layer)][head.head]
        grid = AttentionGrid(
            scores,
            tokens=t.tokens,
            show_numbers=True,
            normalize="global",
            cell_size=0.62,
            font_size=18,
        ).shift(DOWN * 0.3)
        self.add(heading("softmax over each query's column"), grid)
        self.play(Softmax(grid))
        self.wait()


class CausalMaskGallery(GalleryScene):
    """Raw key-query scores, then the causal mask: later keys to −∞, then to 0."""

    def construct(self) -> None:
        head = find_adjective_head(self.model)
        t = self.trace("a fluffy blue creature")
        q = t[hook_name("q", head.layer)][:, head.head]
        k = t[hook_name("k", head.layer)][:, head.head]
        raw = q @ k.T / np.sqrt(self.model.cfg.d_head)  # [query, key], before the mask
        grid = AttentionGrid(
            raw,
            tokens=t.tokens,
            causal=False,
            show_numbers=True,
            normalize="global",
            cell_size=0.9,
            font_size=22,
        ).shift(DOWN * 0.3)
        self.add(heading("scores q·k / √d_head, then the causal mask"), grid)
        self.play(CausalMask(grid))
        self.wait()


class ReLUGateGallery(GalleryScene):
    """Pre-activations of a few neurons at the fact's final token, through the ReLU gate."""

    def construct(self) -> None:
        n = find_and_neuron(self.model)
        t = self.trace(FACT)
        pre = t[hook_name("pre", n.layer)][n.positions[0]]
        pick = sorted({*range(6), n.neuron})
        col = NeuronColumn(pre[pick], state="pre", max_neurons=8, highlight=[pick.index(n.neuron)])
        self.add(heading(f"ReLU on neurons {pick} of layer {n.layer}"), col)
        self.play(ReLUGate(col))
        self.wait()


class ResidualAddGallery(GalleryScene):
    """E + ΔE = E′: the last block's MLP output added to the stream at the final token."""

    def construct(self) -> None:
        t = self.trace(FACT)
        L = self.model.cfg.n_layers - 1
        E = NumericVector(t[hook_name("resid_mid", L)][-1], max_entries=8, font_size=20).shift(
            LEFT * 4.5
        )
        dE = NumericVector(t[hook_name("mlp_out", L)][-1], max_entries=8, font_size=20)
        dE.next_to(E, RIGHT, buff=1.0)
        self.add(heading(f"block {L}: resid_mid + mlp_out = resid_post (final token)"), E, dE)
        self.play(ResidualAdd(E, dE))
        self.wait()


class WeightedSumGallery(GalleryScene):
    """The value vectors of the first four tokens, weighted by the adjective head's pattern at
    " creature", summed into that head's output z."""

    def construct(self) -> None:
        head = find_adjective_head(self.model)
        t = self.trace("a fluffy blue creature")
        v = t[hook_name("v", head.layer)][:, head.head]  # [pos, d_head]
        w = t[hook_name("pattern", head.layer)][head.head, 3]  # " creature" over keys
        vectors = [NumericVector(v[i], max_entries=6, font_size=18) for i in range(4)]
        strip = TokenStrip(t.tokens, min_width=1.6, buff=0.5).to_edge(UP, buff=1.0)
        strip.align_below(vectors, buff=0.6)
        self.add(
            heading("weights × value vectors, summed", 24).to_edge(UP, buff=0.2), strip, *vectors
        )
        self.play(WeightedSum(vectors, w))
        self.wait()


class UnembedGallery(GalleryScene):
    """The final LayerNormed vector at "of" times W_U gives logits; softmax gives the bars."""

    def construct(self) -> None:
        t = self.trace(FACT)
        x = NumericVector(t[hook_name("ln_final")][-1], max_entries=8, font_size=20).to_edge(
            LEFT, buff=0.8
        )
        self.add(heading('unembedding the last position of "... sport of"'), x)
        self.play(Unembed(x, self.model.W_U, self.model.decode_token, k=5))
        self.play(Wait(0.5))

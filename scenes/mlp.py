"""The MLP chapter: how might a language model store a fact?

Every number comes from the embedded model's forward pass or from an experiment run by the code.
Render one step with ``manim render -ql scenes/mlp.py UpProjection`` or the whole chapter with
``manim render -ql scenes/mlp.py MLPChapter``. Change the prompts by subclassing (class attributes
``prompt`` and ``contrasts``).
"""

from __future__ import annotations

import functools

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedVMobject,
    Dot,
    FadeIn,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
)

import llmviz
from llmviz.animations import ReLUGate, ResidualAdd, WeightedSum
from llmviz.mobjects import (
    NeuronColumn,
    NumericVector,
    ProbabilityBars,
    TokenStrip,
    WeightMatrix,
)
from llmviz.model.analysis import (
    AndNeuron,
    FeatureDirection,
    common_suffix,
    find_and_neuron,
    name_directions,
    unembed_direction,
)
from llmviz.model.config import GPT3_CONFIG, other_parameter_counts, weight_counts
from llmviz.model.corpus import FIRST_NAMES, LAST_NAMES
from llmviz.model.superposition import SuperpositionConfig, load_or_run, welch_bound
from llmviz.model.trace import probabilities
from llmviz.scene import LectureScene, number, plain_axes, text, title
from llmviz.style import PALETTE, format_number


def gelu(z: float) -> float:
    """GELU in the tanh form that GPT-2 and GPT-3 use."""
    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))


@functools.lru_cache(maxsize=8)
def _analysis(model_key: str, prompt: str, contrasts: tuple[str, ...]) -> AndNeuron:
    return find_and_neuron(llmviz.load_model(model_key or None), prompt, contrasts)


class MLPScene(LectureScene):
    """Shared analysis and the chapter's steps; each step is a method and also its own scene."""

    prompt = "Michael Jordan plays the sport of"
    contrasts = ("Michael Phelps plays the sport of", "Alexis Jordan plays the sport of")

    def setup(self) -> None:
        super().setup()
        self.shown: dict[str, object] = {}  # key numbers on screen, for tests
        self.neuron = _analysis(self.model_dir or "", self.prompt, tuple(self.contrasts))
        self.traces = [self.model.run(p) for p in self.neuron.prompts]
        self.L = self.neuron.layer

    # helpers ---------------------------------------------------------------------------------
    def name_of(self, prompt: str) -> str:
        """The name in a prompt: the text before the ending that all the prompts share."""
        suffix = common_suffix(list(self.neuron.prompts))
        return prompt[: len(prompt) - len(suffix)].strip() if suffix else prompt

    def where(self) -> str:
        n = self.neuron
        tok = self.traces[0].tokens[n.positions[0]]
        return f'layer {n.layer}, token "{tok.strip()}"'

    def directions(self) -> list[FeatureDirection]:
        """First-name, last-name and target directions (names only for fact-table names)."""
        out = []
        words = self.name_of(self.prompt).split()
        if len(words) == 2 and words[0] in FIRST_NAMES and words[1] in LAST_NAMES:
            out += name_directions(
                self.model, words[0], words[1], layer=self.L, position=self.neuron.position
            )
        out.append(unembed_direction(self.model, self.neuron.target))
        return out

    def honest_note(self) -> None:
        """Say so on screen when the best neuron is not a clear AND gate."""
        if not self.neuron.is_clear:
            note = text(
                "No clear AND neuron for these prompts; showing the best candidate.",
                22,
                PALETTE["highlight"],
            ).to_edge(DOWN, buff=0.3)
            self.add(note)

    # 1 -------------------------------------------------------------------------------------------
    def step_fact(self) -> None:
        t = self.traces[0]
        top = t.top_k(1)[0]
        self.section(
            "A fact",
            (
                f'We give the model the words "{self.prompt}" and ask for the next token. '
                f'Its answer is "{top.token.strip()}" with probability {100 * top.prob:.1f} percent. '
                "A small network trained on generated sentences has to keep this fact somewhere in its weights; "
                "this chapter looks for where."
            ),
        )
        head = title("A fact stored in the weights")
        strip = TokenStrip(t.tokens).next_to(head, DOWN, buff=0.6)
        bars = ProbabilityBars.from_trace(t, k=5)
        bars.shift(
            [-bars.bars[0].get_left()[0] - 1.0, strip.get_bottom()[1] - 0.9 - bars.get_top()[1], 0]
        )
        self.shown["fact_bars"] = bars
        self.play(Write(head), FadeIn(strip, lag_ratio=0.1))
        self.play(FadeIn(bars, lag_ratio=0.1))
        self.wait()

    # 2 -------------------------------------------------------------------------------------------
    def step_directions(self) -> None:
        n = self.neuron
        dirs = self.directions()
        hook = f"blocks.{self.L}.hook_resid_mid"
        vecs = [t[hook][i] for t, i in zip(self.traces, n.positions, strict=True)]
        names = [self.name_of(p) for p in n.prompts]
        self.section(
            "Directions",
            (
                "Inside the model every token is a vector, and ideas are directions in that space. "
                f"We read the vector that enters the MLP of {self.where()}: in this small model the fact is "
                "looked up at the last token, after attention has gathered both names there. "
                "The first-name and last-name directions are measured from the model itself: the average vector "
                "for one name minus the average over all name combinations. The sport direction is the "
                "unembedding column that raises that word's score. A large dot product means the vector "
                "carries the idea."
            ),
        )
        head = title(f"Dot products with directions ({self.where()})")
        xs = [-0.6, 2.7, 5.6]
        header = VGroup()
        for d, x in zip(dirs, xs, strict=False):
            words = d.name.rsplit(" ", 1) if " " in d.name else [d.name, "(W_U column)"]
            header.add(
                VGroup(*(text(w, 20, PALETTE["muted"]) for w in words))
                .arrange(DOWN, buff=0.1)
                .move_to([x, 2.0, 0])
            )
        rows = VGroup()
        for r, (name, v) in enumerate(zip(names, vecs, strict=True)):
            label = text(name, 26).move_to([-2.3, 0.9 - 1.0 * r, 0], aligned_edge=RIGHT)
            cells = VGroup()
            for d, x in zip(dirs, xs, strict=False):
                value = d.dot(v)
                cell = number(
                    value,
                    sign=True,
                    color=PALETTE["positive"] if value > 0 else PALETTE["negative"],
                )
                cells.add(cell.move_to([x, label.get_y(), 0]))
                self.shown[f"dot:{name}:{d.name}"] = (cell, value)
            rows.add(VGroup(label, cells))
        how = VGroup(*(text(f"{d.name}: {d.short}", 17, PALETTE["muted"]) for d in dirs))
        how.arrange(DOWN, aligned_edge=LEFT, buff=0.15).to_edge(DOWN, buff=0.4)
        for line in how:
            if line.width > 13.4:
                line.scale_to_fit_width(13.4)
        self.play(Write(head), FadeIn(header))
        self.play(FadeIn(rows, lag_ratio=0.3))
        self.play(FadeIn(how))
        self.wait()

    # 3 -------------------------------------------------------------------------------------------
    def step_inside(self) -> None:
        t = self.traces[0]
        self.section(
            "Inside the block",
            (
                "The MLP block works on each position separately, and all positions at once. "
                "Every vector goes through the same short sequence of operations and comes out as a vector "
                "of the same size, which is then added to the vector that went in. "
                "The vectors do not talk to each other here; that is attention's job."
            ),
        )
        head = title(f"MLP of layer {self.L}: every position on its own, in parallel")
        strip = TokenStrip(t.tokens, font_size=20, min_width=1.7, buff=0.3).next_to(
            head, DOWN, buff=0.4
        )
        n_show = 4
        E = [
            NumericVector(
                t[f"blocks.{self.L}.hook_resid_mid"][i],
                max_entries=n_show,
                head=3,
                tail=0,
                font_size=16,
            )
            for i in range(t.n_tokens)
        ]
        strip.align_below(E, buff=0.25)
        boxes = VGroup()
        for e in E:
            box = RoundedRectangle(
                corner_radius=0.1, width=1.4, height=0.55, stroke_color=PALETTE["accent"]
            )
            label = text("MLP", 18, PALETTE["accent"]).move_to(box)
            boxes.add(VGroup(box, label).next_to(e, DOWN, buff=0.35))
        dE = [
            NumericVector(
                t[f"blocks.{self.L}.hook_mlp_out"][i],
                max_entries=n_show,
                head=3,
                tail=0,
                font_size=16,
            ).next_to(b, DOWN, buff=0.35)
            for i, b in enumerate(boxes)
        ]
        for v, b in zip(dE, boxes, strict=True):
            v.set_x(b.get_x())
        post = [
            NumericVector(
                t[f"blocks.{self.L}.hook_resid_post"][i],
                max_entries=n_show,
                head=3,
                tail=0,
                font_size=16,
            ).move_to(e)
            for i, e in enumerate(E)
        ]
        self.shown["inside_post"] = post
        self.play(Write(head), FadeIn(strip), FadeIn(VGroup(*E)))
        self.play(FadeIn(boxes))
        self.play(
            *(ReplacementTransform(e.copy(), v) for e, v in zip(E, dE, strict=True)), run_time=1.5
        )
        plus = text("E + MLP(E) replaces E", 22, PALETTE["muted"]).to_edge(DOWN, buff=0.3)
        self.play(
            FadeIn(plus),
            *(ReplacementTransform(e, p) for e, p in zip(E, post, strict=True)),
            run_time=1.5,
        )
        self.wait()

    # 4 -------------------------------------------------------------------------------------------
    def step_up(self) -> None:
        n, t = self.neuron, self.traces[0]
        x = t[f"blocks.{self.L}.ln2.hook_normalized"][n.positions[0]]
        W_up = self.model.W("up", self.L)
        row = W_up[:, n.neuron]
        dot = float(row @ x)
        bias = float(self.model.W("b_up", self.L)[n.neuron])
        self.section(
            "Up-projection",
            (
                f"The first step multiplies the vector by a big matrix, W up, with {self.model.cfg.d_mlp} rows. "
                "Each row is a direction, and its dot product with the vector asks a question: how much does "
                f"the vector point this way? The analysis found neuron {n.neuron} of layer {n.layer}. Its row "
                f"gives {dot:.2f} for this vector; adding the bias {bias:.2f} gives {dot + bias:.2f}. "
                "For the two other names the same row gives smaller values. "
                "The vector is first normalised by LayerNorm; the code multiplies row vectors, x times W, "
                "which is the same computation as the lecture's W times x."
            ),
        )
        head = title(f"Rows of W_up ask questions: neuron {n.neuron}")
        matrix = (
            WeightMatrix(
                W_up.T,
                name="W_up: one row per neuron",
                max_rows=7,
                max_cols=5,
                font_size=16,
            )
            .to_edge(LEFT, buff=0.4)
            .shift(UP * 0.6)
        )
        row_v = NumericVector(row, direction="row", max_entries=6, font_size=18)
        row_label = text(f"row {n.neuron}", 20, PALETTE["highlight"])
        x_v = NumericVector(x, direction="row", max_entries=6, font_size=18)
        x_label = text(
            f'x = LayerNorm(vector at "{t.tokens[n.positions[0]].strip()}")', 20, PALETTE["muted"]
        )
        block = VGroup(
            VGroup(row_label, row_v).arrange(RIGHT, buff=0.3),
            VGroup(x_label, x_v).arrange(DOWN, buff=0.15),
        ).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
        block.next_to(matrix, RIGHT, buff=0.7).align_to(matrix, UP)
        eq = VGroup(
            text("row · x =", 24),
            number(dot, sign=True),
            text("+ bias", 24),
            number(bias, sign=True),
            text("=", 24),
            number(dot + bias, sign=True, color=PALETTE["highlight"]),
        )
        eq.arrange(RIGHT, buff=0.2).next_to(block, DOWN, buff=0.4).align_to(block, LEFT)
        self.shown["up_dot"], self.shown["up_bias"], self.shown["up_pre"] = (
            (eq[1], dot),
            (eq[3], bias),
            (eq[5], dot + bias),
        )
        table = VGroup()
        for k, (p, pre) in enumerate(zip(n.prompts, n.pre, strict=True)):
            name = text(self.name_of(p), 22).move_to([0, -0.55 * k, 0], aligned_edge=RIGHT)
            val = number(
                pre, sign=True, color=PALETTE["positive"] if pre > 0 else PALETTE["negative"]
            )
            table.add(VGroup(name, val.next_to(name, RIGHT, buff=0.5)))
            self.shown[f"pre:{self.name_of(p)}"] = (val, pre)
        table_title = text("pre-activation of this neuron", 20, PALETTE["muted"])
        table_group = VGroup(table_title, table).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        table_group.next_to(eq, DOWN, buff=0.45).align_to(eq, LEFT)
        self.play(Write(head), FadeIn(matrix))
        if n.neuron in matrix.rows:  # the neuron's own row is among those drawn
            self.play(Create(matrix.highlight_row(n.neuron)))
        self.play(FadeIn(block))
        self.play(FadeIn(eq, lag_ratio=0.2))
        self.play(FadeIn(table_group, lag_ratio=0.2))
        self.honest_note()
        self.wait()

    # 5 -------------------------------------------------------------------------------------------
    def step_relu(self) -> None:
        n = self.neuron
        names = [self.name_of(p) for p in n.prompts]
        gelu_values = [gelu(z) for z in n.pre]
        self.section(
            "ReLU as a gate",
            (
                "A purely linear step would also respond, more weakly, to Michael Phelps and to Alexis Jordan. "
                "The ReLU keeps positive values and turns negative ones into zero. "
                f"For this neuron that leaves {n.post[0]:.2f} for {names[0]} and "
                + " and ".join(
                    f"{p:.2f} for {nm}" for nm, p in zip(names[1:], n.post[1:], strict=True)
                )
                + ": a yes for the full name only, like an AND gate. Many real models use GELU, a smooth version "
                "of the same curve."
            ),
        )
        head = title("ReLU: negatives become zero")
        lo = min(-2.0, min(n.pre) - 0.5)
        hi = max(2.0, max(n.pre) + 0.5)
        axes = plain_axes([lo, hi, 1], [-0.5, hi, 1], 6, 4.2, include_numbers=False).to_edge(
            LEFT, buff=0.6
        )
        axes.shift(DOWN * 0.4)
        relu = axes.plot(
            lambda z: max(z, 0.0), x_range=[lo, hi], color=PALETTE["positive"], use_smoothing=False
        )
        gelu_curve = DashedVMobject(
            axes.plot(
                gelu,
                x_range=[lo, hi],
                color=PALETTE["accent"],
            )
        )
        colors = [PALETTE["highlight"], PALETTE["negative"], PALETTE["text"]]
        dots = VGroup(
            *(
                Dot(axes.c2p(z, max(z, 0.0)), color=c, radius=0.09)
                for z, c in zip(n.pre, colors, strict=False)
            )
        )
        legend = VGroup(
            text("ReLU", 22, PALETTE["positive"]),
            text("GELU (smooth variant)", 22, PALETTE["accent"]),
        )
        legend.arrange(DOWN, aligned_edge=LEFT).next_to(axes, UP, buff=0.1).align_to(axes, LEFT)
        col = NeuronColumn(list(n.pre), state="pre", radius=0.22, font_size=24, buff=0.35)
        col.next_to(axes, RIGHT, buff=3.3).shift(UP * 0.3)
        labels = VGroup(
            *(
                text(nm, 22, c).next_to(neuron, LEFT, buff=0.3)
                for nm, neuron, c in zip(names, col.neurons, colors, strict=False)
            )
        )
        gelu_nums = VGroup(
            *(number(g, sign=True, size=20, color=PALETTE["accent"]) for g in gelu_values)
        )
        gelu_title = text("GELU would give", 18, PALETTE["accent"])
        self.play(Write(head), Create(axes), Create(relu), FadeIn(legend[0]))
        self.play(FadeIn(col), FadeIn(labels), FadeIn(dots))
        gate = ReLUGate(col)
        self.play(gate)
        self.shown["relu_column"] = gate.result
        for g, neuron in zip(gelu_nums, gate.result.neurons, strict=True):
            g.next_to(neuron, RIGHT, buff=1.6)
        gelu_title.next_to(gelu_nums, UP, buff=0.3)
        self.play(Create(gelu_curve), FadeIn(legend[1]), FadeIn(gelu_nums), FadeIn(gelu_title))
        self.shown["gelu"] = list(zip(gelu_nums, gelu_values, strict=True))
        self.honest_note()
        self.wait()

    # 6 -------------------------------------------------------------------------------------------
    def step_down(self) -> None:
        n, t = self.neuron, self.traces[0]
        W_down = self.model.W("down", self.L)
        post = t[f"blocks.{self.L}.mlp.hook_post"][n.positions[0]]
        active = int(np.sum(post > 0))
        top = [int(i) for i in np.argsort(-post)[:4]]
        contrib = n.post[0] * n.dla
        self.section(
            "Down-projection",
            (
                "The second matrix, W down, is easier to read column by column. Each neuron owns one column, "
                "a direction in the model's space, and an active neuron adds its column, scaled by its "
                f"activation, to the output. Neuron {n.neuron}'s column raises the score of "
                f'"{n.target.strip()}" by {n.dla:.2f} per unit of activation, so its activation of {n.post[0]:.2f} '
                f"adds {contrib:.2f} to that score directly. Here {active} neurons are active; the four "
                "strongest columns are scaled and summed below."
            ),
        )
        head = title(f"Columns of W_down: what each active neuron adds ({active} active)")
        cols = [NumericVector(W_down[i], max_entries=6, font_size=16) for i in top]
        group = VGroup(*cols).arrange(RIGHT, buff=0.9).shift(UP * 0.9)
        names = VGroup(
            *(
                text(
                    f"neuron {i}", 18, PALETTE["highlight"] if i == n.neuron else PALETTE["muted"]
                ).next_to(c, UP, buff=0.55)
                for i, c in zip(top, cols, strict=True)
            )
        )
        dla_lines = (
            VGroup(
                text(f"column {n.neuron} · W_U[{n.target.strip()}]", 22),
                number(n.dla, sign=True),
                text(f"× activation {format_number(n.post[0])} =", 22),
                number(contrib, sign=True, color=PALETTE["highlight"]),
            )
            .arrange(RIGHT, buff=0.2)
            .to_edge(DOWN, buff=0.5)
        )
        self.shown["dla"], self.shown["dla_contrib"] = (
            (dla_lines[1], n.dla),
            (dla_lines[3], contrib),
        )
        self.play(Write(head), FadeIn(group), FadeIn(names))
        summed = WeightedSum(cols, post[top], label=f"sum of these {len(top)}")
        self.play(summed)
        self.shown["down_sum"] = summed.result
        self.play(FadeIn(dla_lines, lag_ratio=0.2))
        self.wait()

    # 7 -------------------------------------------------------------------------------------------
    def step_residual(self) -> None:
        n, t = self.neuron, self.traces[0]
        pos = n.positions[0]
        E_vals = t[f"blocks.{self.L}.hook_resid_mid"][pos]
        dE_vals = t[f"blocks.{self.L}.hook_mlp_out"][pos]
        post_vals = t[f"blocks.{self.L}.hook_resid_post"][pos]
        ball = unembed_direction(self.model, n.target)
        before, after = ball.dot(E_vals), ball.dot(post_vals)
        p_before = probabilities(self.model.readout(E_vals))[n.target_id]
        p_after = probabilities(self.model.readout(post_vals))[n.target_id]
        last = self.L == self.model.cfg.n_layers - 1
        self.section(
            "Residual add",
            (
                "The MLP's output is added to the vector that came in: E plus MLP of E gives the new vector. "
                f'Along the "{n.target.strip()}" direction the vector goes from {before:.2f} to {after:.2f}. '
                f'Read out directly, the probability of "{n.target.strip()}" goes from {100 * p_before:.1f} percent '
                f"to {100 * p_after:.1f} percent"
                + ("." if last else ", if we read the vector out at this point.")
            ),
        )
        head = title("E + MLP(E) = E′")
        E = NumericVector(E_vals, max_entries=8, font_size=20).shift(LEFT * 4.8 + UP * 0.6)
        dE = NumericVector(dE_vals, max_entries=8, font_size=20).next_to(E, RIGHT, buff=1.2)
        labels = VGroup(text("E", 24).next_to(E, UP), text("MLP(E)", 24).next_to(dE, UP))
        self.play(Write(head), FadeIn(E), FadeIn(dE), FadeIn(labels))
        add = ResidualAdd(E, dE)
        self.play(add)
        self.shown["residual_result"] = add.result
        self.play(FadeIn(text("E′", 24).next_to(add.result, UP)))
        rows = (
            VGroup(
                VGroup(
                    text(f"{n.target.strip()} direction:", 22),
                    number(before, sign=True),
                    text("→", 22),
                    number(after, sign=True, color=PALETTE["highlight"]),
                ).arrange(RIGHT, buff=0.25),
                VGroup(
                    text(f"P({n.target.strip()}):", 22),
                    number(100 * p_before, 1, suffix="%"),
                    text("→", 22),
                    number(100 * p_after, 1, suffix="%", color=PALETTE["highlight"]),
                ).arrange(RIGHT, buff=0.25),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            .to_edge(DOWN, buff=0.5)
        )
        self.shown["dir_before"], self.shown["dir_after"] = (
            (rows[0][1], before),
            (rows[0][3], after),
        )
        self.shown["p_before"], self.shown["p_after"] = (
            (rows[1][1], 100 * p_before),
            (rows[1][3], 100 * p_after),
        )
        self.play(FadeIn(rows, lag_ratio=0.2))
        self.wait()

    # 8 -------------------------------------------------------------------------------------------
    def step_count(self) -> None:
        ours, gpt3 = weight_counts(self.model.cfg), weight_counts(GPT3_CONFIG)
        extra = other_parameter_counts(self.model.cfg)
        ours_total = ours["total"] + sum(extra.values())
        ours_mlp = ours["mlp"] + extra["mlp_biases"]
        c, g = self.model.cfg, GPT3_CONFIG
        self.section(
            "Counting parameters",
            (
                f"Each MLP has an up-projection of d model times d mlp weights and a down-projection of the same size. "
                f"For GPT-3 that is {g.d_model:,} times {g.d_mlp:,}, twice, in each of {g.n_layers} layers: "
                f"about {gpt3['mlp'] / 1e9:.0f} billion weights, {100 * gpt3['mlp'] / gpt3['total']:.0f} percent of "
                f"its {gpt3['total'] / 1e9:.0f} billion. In our small model the MLPs hold {ours_mlp:,} of "
                f"{ours_total:,} parameters."
            ),
        )
        head = title("How many parameters live in the MLPs?")
        rows = [
            ("", "this model", "GPT-3"),
            ("d_model × d_mlp", f"{c.d_model} × {c.d_mlp}", f"{g.d_model:,} × {g.d_mlp:,}"),
            ("layers", f"{c.n_layers}", f"{g.n_layers}"),
            ("up + down weights", f"{ours['mlp']:,}", f"{gpt3['mlp']:,}"),
            ("all parameters", f"{ours_total:,}", f"{gpt3['total']:,}"),
            (
                "share in MLPs",
                f"{100 * ours_mlp / ours_total:.1f}%",
                f"{100 * gpt3['mlp'] / gpt3['total']:.1f}%",
            ),
        ]
        table = VGroup()
        for r, cells in enumerate(rows):
            for k, s in enumerate(cells):
                m = text(s, 24, PALETTE["muted"] if r == 0 or k == 0 else PALETTE["text"])
                x = [-2.4, 1.9, 6.3][k]
                m.move_to([x, 1.6 - 0.75 * r, 0], aligned_edge=RIGHT)
                table.add(m)
        note = text(
            f"this model also has {extra['mlp_biases']:,} MLP biases and {extra['position_embedding']:,} "
            "position weights, counted in its total",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.4)
        self.shown["count_rows"] = rows
        self.play(Write(head), FadeIn(table, lag_ratio=0.05), FadeIn(note))
        self.wait()

    # 9 -------------------------------------------------------------------------------------------
    def step_superposition(self) -> None:
        res = load_or_run(SuperpositionConfig())
        cfg, r, o = res.config, res.random_stats, res.optimized_stats
        welch_deg = float(np.degrees(np.arccos(welch_bound(cfg.n_vectors, cfg.dim))))
        self.section(
            "Superposition",
            (
                f"In {cfg.dim} dimensions only {cfg.dim} directions can be exactly perpendicular. "
                f"If we accept nearly perpendicular, far more fit. The code took {cfg.n_vectors:,} random directions in "
                f"{cfg.dim} dimensions and nudged them apart with gradient descent. Before, the angles between pairs "
                f"ranged from {r['min']:.0f} to {r['max']:.0f} degrees; after, from {o['min']:.0f} to {o['max']:.0f}. "
                f"They pile up near {welch_deg:.0f} and {180 - welch_deg:.0f} degrees: no {cfg.n_vectors:,} directions "
                f"in {cfg.dim} dimensions can all be closer to perpendicular than that (the Welch bound). "
                "The Johnson-Lindenstrauss lemma says that the number of nearly perpendicular directions grows "
                "exponentially with the dimension, so a model can store many more features than it has dimensions, "
                "spread over many neurons at once. That is one reason single neurons are hard to interpret."
            ),
        )
        head = title(
            f"{cfg.n_vectors:,} directions in {cfg.dim} dimensions: angles between all pairs"
        )
        edges = np.array(res.bin_edges)
        axes = plain_axes([60, 120, 10], [0, 1, 0.25], 10, 4.2, include_numbers=False).shift(
            DOWN * 0.5
        )
        ticks = VGroup(
            *(
                text(f"{d}°", 18, PALETTE["muted"]).next_to(axes.c2p(d, 0), DOWN, buff=0.15)
                for d in range(60, 121, 10)
            )
        )

        def hist(counts, color, opacity):
            c = np.asarray(counts, dtype=float)
            c = c / c.max()
            bars = VGroup()
            for left, right, h in zip(edges[:-1], edges[1:], c, strict=True):
                if h <= 0:
                    continue
                p0, p1 = axes.c2p(left, 0), axes.c2p(right, h)
                bars.add(
                    Rectangle(
                        width=p1[0] - p0[0],
                        height=p1[1] - p0[1],
                        stroke_width=0,
                        fill_color=color,
                        fill_opacity=opacity,
                    ).move_to((p0 + p1) / 2)
                )
            return bars

        random_h = hist(res.random_counts, PALETTE["muted"], 0.6)
        opt_h = hist(res.optimized_counts, PALETTE["positive"], 0.85)
        legend = (
            VGroup(
                text(f"random: {r['min']:.1f}° to {r['max']:.1f}°", 22, PALETTE["muted"]),
                text(f"optimised: {o['min']:.1f}° to {o['max']:.1f}°", 22, PALETTE["positive"]),
            )
            .arrange(DOWN, aligned_edge=LEFT)
            .next_to(axes, UP, buff=0.1)
            .align_to(axes, LEFT)
        )
        note = text(
            f"{r['pairs']:,.0f} pairs; heights scaled to each histogram's peak; computed on {res.device}",
            16,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.25)
        self.shown["superposition"] = res
        self.play(Write(head), Create(axes), FadeIn(ticks))
        self.play(FadeIn(random_h), FadeIn(legend[0]))
        self.play(FadeIn(opt_h), FadeIn(legend[1]), FadeIn(note))
        self.wait()

    STEPS = (
        "fact",
        "directions",
        "inside",
        "up",
        "relu",
        "down",
        "residual",
        "count",
        "superposition",
    )


class Fact(MLPScene):
    """1. The prompt and the model's real next-token distribution."""

    def construct(self) -> None:
        self.step_fact()


class Directions(MLPScene):
    """2. Dot products of the real vectors with model-derived directions."""

    def construct(self) -> None:
        self.step_directions()


class InsideTheBlock(MLPScene):
    """3. Every position through the MLP on its own, in parallel, and added back."""

    def construct(self) -> None:
        self.step_inside()


class UpProjection(MLPScene):
    """4. The AND neuron's row of W_up, its dot product, the bias, three prompts."""

    def construct(self) -> None:
        self.step_up()


class ReLUGateScene(MLPScene):
    """5. ReLU as a gate on the three prompts; GELU as the smooth variant."""

    def construct(self) -> None:
        self.step_relu()


class DownProjection(MLPScene):
    """6. Columns of W_down, the AND neuron's effect on the target logit, the weighted sum."""

    def construct(self) -> None:
        self.step_down()


class ResidualAddScene(MLPScene):
    """7. E + MLP(E) = E', the target direction and probability before and after."""

    def construct(self) -> None:
        self.step_residual()


class CountingParameters(MLPScene):
    """8. MLP parameters of this model and of GPT-3, computed from their configs."""

    def construct(self) -> None:
        self.step_count()


class Superposition(MLPScene):
    """9. Nearly perpendicular directions: the real optimisation experiment."""

    def construct(self) -> None:
        self.step_superposition()


class MLPChapter(MLPScene):
    """The whole chapter in one video."""

    def construct(self) -> None:
        for step in self.STEPS:
            getattr(self, f"step_{step}")()
            self.clear()

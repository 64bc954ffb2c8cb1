"""Scenes WhyAttention, TheExample (lecture steps B12, B13, E1, E6 in COVERAGE.md).
tests/scenes/test_attention.py pins their section titles, the shown values ``E``, ``cosines``, and
that every number said is on screen.

Steps 1 and 2: why attention (the same word in two contexts), and the example prompt."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeTransform,
    LaggedStart,
    SurroundingRectangle,
    VGroup,
)

from attention_steps.common import READABLE, AttentionScene, shape
from llmviz.animations import LightUp
from llmviz.errors import PromptError
from llmviz.layout import fit_width, prose, text, title
from llmviz.mobjects import Column, NumericVector, ValueTable
from llmviz.model.analysis import cosine
from llmviz.model.trace import hook_name
from llmviz.steps import step
from llmviz.style import PALETTE


class WhyStep(AttentionScene):
    def context_rows(self) -> list[tuple[str, str, list[float]]]:
        """Cosine of the last word's vector between two contexts, stage by stage."""
        stages = [hook_name("embed"), hook_name("resid_pre", 0)] + [
            hook_name("resid_mid", layer) for layer in range(self.model.cfg.n_layers)
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

    @step("Why attention", order=1)
    def step_why(self) -> None:
        rows = self.context_rows()
        n_layers = self.model.cfg.n_layers
        head = title("The same word in different contexts")
        stage_names = ["lookup", "+ position"] + [f"layer {k}" for k in range(n_layers)]
        table = ValueTable(
            [[f"{a}  /  {b}", *cos] for a, b, cos in rows],
            [Column("contexts"), *(Column(s) for s in stage_names)],
            row_names=[f"{a} / {b}" for a, b, _ in rows],
            font_size=24,
            h_buff=0.45,
            v_buff=2.6,
        )
        fit_width(table)
        for name in stage_names:
            for r in table.row_names:
                c = table.value(r, name)
                table.cell(r, name).set_color(
                    PALETTE["highlight"] if c > 0.999 else PALETTE["text"]
                )
        above = text("cosine of the last word's vectors, after:", 20, PALETTE["muted"])
        above.next_to(VGroup(*(table.header[1:])), UP, buff=0.2)
        note = self.footer("attention layers mix the neighbouring words into each vector", 22)
        self.fill(VGroup(above, table), head, note, 1.5)
        self.shown["cosines"] = table
        word = rows[0][0].split()[-1]
        self.say(
            f'A word\'s first vector comes from a table, so "{word}" gets the same vector in '
            "every context.",
            self.title_in(head),
            FadeIn(VGroup(table.header[0], table.column("contexts")), shift=RIGHT * 0.5),
            (
                FadeIn(above, shift=DOWN * 0.3),
                FadeIn(VGroup(table.header[1], table.column("lookup")), shift=UP * 0.3),
            ),
        )
        self.say(
            "We compare the two vectors by the cosine of their angle: after the lookup it is "
            "exactly 1.00.",
            LightUp(table.column("lookup")),
        )
        pos = [table.value(r, "+ position") for r in table.row_names]
        self.say(
            f"Adding the position vector changes it a little: {min(pos):.2f} to {max(pos):.2f}.",
            FadeIn(VGroup(table.header[2], table.column("+ position")), shift=UP * 0.3),
        )
        for k in range(n_layers):
            col = [table.value(r, f"layer {k}") for r in table.row_names]
            what = "the context gets in" if k == 0 else "they move on"
            self.say(
                f"After the attention of layer {k}, {what}: the cosines are {min(col):.2f} to "
                f"{max(col):.2f}.",
                FadeIn(VGroup(table.header[3 + k], table.column(f"layer {k}")), shift=UP * 0.3),
                LightUp(table.column(f"layer {k}")),
            )
        box = SurroundingRectangle(
            VGroup(*(table.column(f"layer {k}") for k in range(n_layers))),
            color=PALETTE["highlight"],
        )
        self.say(
            "Attention is the step where the words of a prompt pass information to one another.",
            Create(box),
            FadeIn(note, shift=UP * 0.3),
        )


class ExampleStep(AttentionScene):
    @step("The example", order=2)
    def step_example(self) -> None:
        head = title(f'"{self.prompt}"')
        strip = self.strip(22, min_width=self.column_width() - 0.1).next_to(head, DOWN, buff=0.35)
        W_E, W_pos = self.model.W_E, self.model.W_pos
        ids = self.t.token_ids
        drawn = self.shown_tokens(strip)  # a long prompt: no vectors under "… N more …"
        E = {i: W_E[ids[i]] + W_pos[i] for i in drawn}
        ends = [0, 1, 2, 3, -1]
        d = self.places(
            np.concatenate(
                [
                    np.stack([W_E[ids[i]] for i in drawn])[:, ends],
                    np.stack(list(E.values()))[:, ends],
                ]
            ),
            self.pitch(strip) - 0.4,
        )
        by_token = {
            i: NumericVector(W_E[ids[i]], max_entries=5, font_size=READABLE, decimals=d)
            for i in drawn
        }
        sums = {
            i: NumericVector(E[i], max_entries=5, font_size=READABLE, decimals=d) for i in drawn
        }
        rows_E, rows_sum = list(by_token.values()), list(sums.values())
        top = self.under(strip, by_token, buff=0.5)
        for v, above in zip(rows_sum, rows_E, strict=True):
            v.next_to(above, DOWN, buff=1.1).set_x(above.get_x())
        lab_E = prose("its vector in $W_E$ (above)", 20, PALETTE["muted"])
        lab_pos = prose("+ its position's vector in $W_{pos}$ = $E$ (below)", 20, PALETTE["muted"])
        labels = VGroup(lab_E, lab_pos).arrange(RIGHT, buff=0.4)
        fit_width(labels).move_to((top.get_bottom() + VGroup(*rows_sum).get_top()) / 2)
        d, g = self.model.cfg.d_model, self.gpt3.d_model
        note = self.footer(f"{shape(d)} numbers per token in this model, {shape(g)} in GPT-3", 20)
        self.fill(VGroup(strip, top, labels, *rows_sum), head, note, 1.3)
        count = text(f"{self.n} tokens", 20, PALETTE["muted"]).next_to(strip, DOWN, buff=0.08)
        count.to_edge(RIGHT, buff=0.5)
        self.shown["E"] = {i: (v, self.t[hook_name("resid_pre", 0)][i]) for i, v in sums.items()}
        self.say(
            "Here is the prompt we will follow through one head of attention.",
            self.title_in(head),
            FadeIn(strip, shift=DOWN * 0.3),
        )
        self.say(
            f"The tokenizer cuts it into {self.n} tokens.",
            LaggedStart(*(LightUp(b) for b in strip.drawn), lag_ratio=0.2),
            FadeIn(count),
        )
        self.say(
            "Each token looks up its vector in the embedding matrix.",
            LaggedStart(*(FadeIn(v, shift=DOWN * 0.4) for v in rows_E), lag_ratio=0.1),
            FadeIn(lab_E),
        )
        self.say(
            "The vector of its position is added, so each token starts as one list of numbers "
            "that says what it is and where it stands.",
            [FadeTransform(a.copy(), b) for a, b in zip(rows_E, rows_sum, strict=True)],
            FadeIn(lab_pos, shift=LEFT * 0.3),
        )
        self.say(
            f"This model uses {shape(d)} numbers per token; GPT-3 uses {shape(g)}.",
            FadeIn(note, shift=UP * 0.3),
            LightUp(VGroup(*rows_sum)),
        )
        if self.q in sums:  # the noun's vector goes on into the head (not behind "… N more …")
            self.hand_over(vector=sums[self.q])

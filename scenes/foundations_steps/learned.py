"""Scenes HowTheModelLearned, EveryPrefix (lecture steps A5, A6, A8, E18, E20 in COVERAGE.md).
tests/scenes/test_foundations.py pins their section titles, the shown values ``causal``,
``checkpoint_note``, ``checkpoints``, ``loss_curve``, ``prefixes``, ``sentence_loss``,
``training_sentence``, and that every number said is on screen.

How the embedded model learned: its recorded loss curve and checkpoints, and one training
sentence with a prediction at every prefix, checked against the causal mask."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    LaggedStart,
    MoveAlongPath,
    ReplacementTransform,
    VGroup,
    VMobject,
    config,
    linear,
)

from foundations_steps.common import FIXED_DIGITS, POINT, FoundationsScene, token_label
from llmviz.animations import LightUp
from llmviz.layout import code, fit_width, plain_axes, text, title
from llmviz.mobjects import Column, ValueTable
from llmviz.model.experiments.learned import (
    _corpus,
    causal_check,
    find_training_sentence,
    prefix_predictions,
)
from llmviz.model.scale import parameter_count
from llmviz.model.trace import probabilities
from llmviz.model.train import checkpoint_predictions, load_training_log
from llmviz.scene import Shown
from llmviz.steps import step
from llmviz.style import PALETTE
from llmviz.words import percent, sci_text

LOSS = "accent"


def spoken(token: str) -> str:
    """A token for the narration: in quotes, or "a stray byte" for a piece of a character."""
    if "\ufffd" in token:
        return "a stray byte"
    return f'"{token_label(token)}"'


def last_token_of(model, ids, sentence: str, prompt: str) -> int:
    """Index of the token of ``sentence`` (tokenized as ``ids``) where ``prompt`` ends."""
    end = sentence.find(prompt) + len(prompt)
    lengths = np.cumsum([len(t) for t in model.tokenizer.token_strings(ids)])
    return int(np.searchsorted(lengths, end))


def logits_at(model, ids, position: int) -> np.ndarray:
    import torch

    with torch.no_grad():
        return (
            model.net(torch.tensor([ids], device=model.device))[0, position].double().cpu().numpy()
        )


class LearnedStep(FoundationsScene):
    @step("How the embedded model learned", order=15, ignores=FIXED_DIGITS)
    def step_learned(self) -> None:
        log = load_training_log(self.model_dir)
        cfg = log["train_config"]
        recorded = list(log["checkpoints"][0]["predictions"]) if log["checkpoints"] else []
        prompt = self.prompt if self.prompt in recorded or not recorded else recorded[0]
        cps = checkpoint_predictions(log, prompt)
        steps = np.array([s for s, _ in log["loss"]], dtype=float)
        losses = np.array([v for _, v in log["loss"]], dtype=float)
        vocab = self.model.cfg.vocab_size
        uniform = math.log(vocab)
        n_params = parameter_count(self.model)
        total = int(steps[-1])  # the usual steps, then the sparse phase (cfg["sparse_steps"])
        head = title("How the embedded model learned")
        facts = text(
            f"{n_params:,} parameters · {total:,} steps of Adam · {cfg['batch_size']} "
            f"windows of {cfg['n_ctx']} tokens per step",
            22,
            PALETTE["muted"],
        )
        fit_width(facts).next_to(head, DOWN, buff=0.2)
        self.say(
            f"The transformer inside llmviz learned the same way, by backpropagation, with all "
            f"{n_params:,} of its parameters.",
            self.title_in(head),
            FadeIn(facts, shift=DOWN * 0.3),
        )
        top = math.ceil(max(uniform, losses.max()) + 0.3)
        axes = plain_axes([0, total, 1000], [0, top, 1], 4.6, 3.6)
        axes.to_edge(LEFT, buff=1.1).shift(DOWN * 0.7)
        tk = self.ticks(axes, xs=(0, total), ys=(0, top), fmt=lambda v: f"{v:,.0f}")
        ylab = text("loss", 20, PALETTE["muted"]).next_to(axes, UP, buff=0.15).align_to(axes, LEFT)
        uni = DashedLine(
            axes.c2p(0, uniform),
            axes.c2p(total, uniform),
            color=PALETTE["muted"],
            stroke_width=2,
        )
        uni_lab = text(f"guessing: ln {vocab:,} = {uniform:.2f}", 20, PALETTE["muted"])
        uni_lab.next_to(uni, UP, buff=0.08).align_to(uni, RIGHT)
        self.say(
            f"Guessing uniformly among its {vocab:,} tokens would cost ln {vocab:,} = {uniform:.2f}.",
            (Create(axes), FadeIn(tk), FadeIn(ylab)),
            (Create(uni), FadeIn(uni_lab)),
        )
        curve = VMobject(color=PALETTE[LOSS], stroke_width=3)
        curve.set_points_as_corners([axes.c2p(s, v) for s, v in zip(steps, losses, strict=True)])
        ends = VGroup(
            self.num(losses[0], 2, 20, color=PALETTE[LOSS]),
            self.num(losses[-1], 2, 20, color=PALETTE[LOSS]),
        )
        ends[0].next_to(axes.c2p(steps[0], losses[0]), RIGHT, buff=0.15)
        ends[1].next_to(axes.c2p(steps[-1], losses[-1]), UP, buff=0.15)
        runner = Dot(curve.get_start(), radius=0.09, color=PALETTE[POINT])
        self.shown["loss_curve"] = (steps, losses)
        self.say(
            f"The recorded loss, the cross-entropy of the true next token, falls from "
            f"{losses[0]:.2f} to {losses[-1]:.2f}.",
            FadeIn(ends[0]),
            (
                Create(curve, rate_func=linear, run_time=3),
                MoveAlongPath(runner, curve, rate_func=linear, run_time=3),
            ),
            FadeOut(runner),
            FadeIn(ends[1]),
        )
        rows = [
            [f"{cp.step:,}", *(f"{token_label(t)} {percent(p)}" for t, p in cp.top[:2])]
            for cp in cps
        ]
        table = ValueTable(
            rows,
            [Column("step"), Column("first choice"), Column("second")],
            row_names=[str(cp.step) for cp in cps],
            font_size=22,
            v_buff=1.3,
        )
        p_head = code(f'"{prompt}" →', 20)
        fit_width(table, 6.2)  # each on its own: the prompt keeps a readable size
        fit_width(p_head, 6.2)
        VGroup(p_head, table).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        VGroup(p_head, table).to_edge(RIGHT, buff=0.6).shift(DOWN * 0.25)
        marks = VGroup(
            *(Dot(axes.c2p(cp.step, 0), radius=0.07, color=PALETTE[POINT]) for cp in cps)
        )
        self.shown["checkpoints"] = (cps, table)
        self.say(
            f'At a few checkpoints the training saved its guesses after "{prompt}".'
            if prompt == self.prompt
            else f'The training saved its guesses only for the lecture prompts, not for "'
            f'{self.prompt}"; here are its guesses after "{prompt}" at a few checkpoints.',
            FadeIn(p_head, shift=LEFT * 0.3),
            (FadeIn(table.header), LaggedStart(*(FadeIn(m, scale=2) for m in marks))),
        )
        self.say(
            "; ".join(
                f"at step {cp.step:,}, {spoken(cp.top[0][0])} at {percent(cp.top[0][1])}"
                for cp in cps
            ).capitalize()
            + ".",
            LaggedStart(
                *(
                    AnimationGroup(FadeIn(r, shift=LEFT * 0.6), LightUp(m))
                    for r, m in zip(table.body, marks, strict=True)
                ),
                lag_ratio=0.6,
                run_time=1.2 * len(cps),
            ),
        )
        note = None
        if prompt != self.prompt:
            note = text(
                f'predictions were saved only for the lecture prompts, not for "{self.prompt}"',
                20,
                PALETTE[POINT],
            )
            fit_width(note).to_edge(DOWN, buff=0.3)
        self.shown["checkpoint_note"] = note
        tail = self.caption(
            "this is pretraining; chat assistants are trained further with human feedback"
        )
        self.say(
            "This stage is called pretraining; chat assistants are then trained further with "
            "human feedback, which this small model never had.",
            FadeIn(note if note is not None else tail, shift=UP * 0.3),
        )
        self.pass_on(prompt=p_head)  # the prompt is a prefix of a training sentence

    @step("A prediction at every prefix", order=16, ignores=FIXED_DIGITS)
    def step_prefixes(self) -> None:
        log = load_training_log(self.model_dir)
        cfg = log["train_config"]
        model = self.model
        found = find_training_sentence(self.prompt, cfg["n_sentences"], cfg["seed"])
        index, sentence = (
            found if found is not None else (0, _corpus(cfg["n_sentences"], cfg["seed"])[0])
        )
        example = sentence + "\n"  # training appends a newline to every sentence
        preds = prefix_predictions(model, example)
        ids = model.encode(example)
        cut = (
            last_token_of(model, ids, sentence, self.prompt) if found is not None else len(ids) // 2
        )
        cut = min(max(cut, 0), len(ids) - 2)
        order = np.argsort(-probabilities(logits_at(model, ids, cut)))
        alt = int(next(i for i in order if i != ids[cut + 1]))
        check = causal_check(model, ids, ids[: cut + 1] + [alt] + ids[cut + 2 :], cut)
        loss = float(np.mean([p.loss for p in preds]))
        n = len(preds)
        right = sum(p.predicted == p.actual for p in preds)
        before = token_label(model.decode_token(ids[cut + 1]))
        after = token_label(model.decode_token(alt))
        head = title(f"Training sentence {index:,}: {n} positions, {n} predictions")
        top = head
        if found is None:
            note = text(
                "the prompt is not in the training corpus; here is the corpus's first sentence",
                20,
                PALETTE[POINT],
            )
            top = fit_width(note).next_to(head, DOWN, buff=0.25)
        fs = 20 if n <= 10 else 16
        rows = [
            [
                self.prefix_text(p.prefix, fs, PALETTE[POINT] if p.position == cut else None),
                text(
                    f"{token_label(p.predicted)} {percent(p.predicted_prob)}",
                    fs,
                    PALETTE["accent"] if p.predicted == p.actual else PALETTE["negative"],
                ),
                code(token_label(p.actual), fs),
                p.loss,
            ]
            for p in preds
        ]
        # under the table: the score line, then two lines about the causal mask at the bottom
        room = top.get_bottom()[1] - 0.35 - (-config.frame_height / 2 + 1.7)
        for v_buff in (1.5, 1.2, 0.9):  # a long sentence: rows closer together, not smaller
            table = ValueTable(
                rows,
                [
                    Column("the model sees", align="right"),
                    Column("its first choice"),
                    Column("true next"),
                    Column("−log p", 3),
                ],
                row_names=[str(p.position) for p in preds],
                font_size=fs,
                v_buff=v_buff,
            )
            fit_width(table, 12.6).next_to(top, DOWN, buff=0.35)
            if table.height <= room:
                break
        self.shown["prefixes"] = (preds, table)
        # the prompt of the last step's checkpoints is one prefix of this sentence: it moves
        # into its row (played alone, that row comes in with the others)
        got = self.received("prompt")
        mine = table.row(str(cut))[0]
        self.say(
            "Training needs no separate example for each prefix of a sentence.",
            self.title_in(head)
            if got is None
            else (self.title_in(head), ReplacementTransform(got, mine)),
        )
        if found is None:  # said first, so that the sentence below is not taken for the prompt
            self.say(
                "The prompt itself is not in the corpus, so here is the corpus's first sentence.",
                FadeIn(note),
            )
        score = text(f"first choice right at {right} of {n}", 20, PALETTE["muted"])
        score.next_to(table, DOWN, buff=0.25).align_to(table, LEFT)
        self.say(
            f"One forward pass over the sentence gives a prediction at each of its {n} positions.",
            FadeIn(table.header),
            LaggedStart(
                *(
                    FadeIn(
                        VGroup(r[1]) if got is not None and r[0] is mine else r[:2],
                        shift=RIGHT * 0.5,
                    )
                    for r in table.body
                ),
                lag_ratio=0.15,
                run_time=3,
            ),
        )
        self.say(
            f"Each is compared with the token that really follows; the first choice is right at "
            f"{right} of {n}.",
            LaggedStart(*(FadeIn(r[2], shift=LEFT * 0.4) for r in table.body), lag_ratio=0.1),
            FadeIn(score, shift=UP * 0.2),
        )
        mean_line = VGroup(
            text("the sentence's loss, the mean:", 20, PALETTE["muted"]),
            self.num(loss, 3, 20, color=PALETTE[POINT]),
        ).arrange(RIGHT, buff=0.15)
        mean_line.next_to(table, DOWN, buff=0.25).align_to(table, RIGHT)
        self.shown["sentence_loss"] = Shown(mean_line[1], loss)
        self.shown["training_sentence"] = (index, sentence, found is not None)
        self.say(
            f"The sentence's loss is the mean of minus the log of each true token's probability: {loss:.3f}.",
            LaggedStart(*(FadeIn(r[3], shift=LEFT * 0.4) for r in table.body), lag_ratio=0.1),
            FadeIn(mean_line, shift=UP * 0.2),
        )
        swap = text(f'causal mask: "{after}" in place of "{before}"', 22)
        change = text(
            f"largest change, first {cut + 1} positions: {sci_text(check.max_change_before)} · "
            f"later: {check.max_change_after:.2f}",
            22,
            PALETTE[POINT],
        )
        block = VGroup(swap, change).arrange(DOWN, buff=0.15)
        fit_width(block).to_edge(DOWN, buff=0.3)
        self.shown["causal"] = (change, check.max_change_before, check.max_change_after, check)
        self.say(
            "That is fair only because of the causal mask: each position looks back, never ahead.",
            (
                VGroup(table, mean_line, score).animate.set_opacity(0.35),
                FadeIn(swap, shift=UP * 0.3),
            ),
            LightUp(table.row(str(cut))[0]),
        )
        same = (
            f"no logit at the first {cut + 1} positions changes at all"
            if check.max_change_before == 0
            else f"the first {cut + 1} positions change by at most {sci_text(check.max_change_before)}, float rounding"
        )
        self.say(
            f'With "{after}" in place of "{before}", {same}, while later ones change by up to '
            f"{check.max_change_after:.2f}.",
            FadeIn(change, shift=UP * 0.3),
        )

    def prefix_text(self, tokens, size: float, color: str | None, width: float = 6.0):
        """A prefix as text, cut at a token boundary with a leading … when it is too wide."""
        t = text("".join(tokens).replace("\n", "↵"), size, color)
        k = 1
        while t.width > width and k < len(tokens):
            t = text("…" + "".join(tokens[k:]).replace("\n", "↵").lstrip(), size, color)
            k += 1
        return fit_width(t, width)

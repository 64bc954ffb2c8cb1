"""The opening chapter: from text to the next token.

Prediction and sampling, tokens, the embedding matrix, the geometry of embeddings, the context
window, unembedding, softmax with temperature, and GPT-3's parameter count. Every number comes
from the embedded model, from an experiment run by the code, or from a formula applied to a
config.

Render one step with ``manim render -ql scenes/next_token.py Tokens`` or the whole chapter with
``manim render -ql scenes/next_token.py NextTokenChapter``. The prompt, the temperature and the
seed follow the llmviz settings (``llmviz render NextTokenChapter --prompt ... --temperature ...
--seed ...``); the other examples are class attributes that a subclass can change.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    GrowArrow,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    UpdateFromAlphaFunc,
    ValueTracker,
    VGroup,
    Write,
    linear,
    smooth,
)

from llmviz.animations import Softmax, Unembed
from llmviz.mobjects import (
    FastText,
    NumericMatrix,
    NumericVector,
    ProbabilityBars,
    TokenStrip,
)
from llmviz.mobjects.numbers import glyph
from llmviz.model.analysis import nearest_neighbours
from llmviz.model.config import GPT3_CONFIG, matrix_families, other_parameter_counts
from llmviz.model.embedding import (
    alignment,
    analogy,
    compare_directions,
    difference_baseline,
    project_embeddings,
    temperature_sweep,
    word_pieces,
)
from llmviz.model.tokenizer import END_OF_TEXT
from llmviz.model.trace import probabilities
from llmviz.scene import LectureScene, number, text, title
from llmviz.style import MONO_FONT, PALETTE, display_token


def fit(mob, width: float = 13.4):
    """Shrink ``mob`` to ``width`` if it is wider (keeps long prompts on screen)."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


def how_many(matrices: int, cfg) -> str:
    """A family's matrix count as the product it comes from: "96 × 96" for one per head and layer."""
    if matrices == cfg.n_layers * cfg.n_heads and cfg.n_heads > 1:
        return f"{cfg.n_layers} × {cfg.n_heads}"
    return f"{matrices:,}"


def safe_token(token: str) -> str:
    """A token as it can be drawn: the end-of-text token (which decodes to nothing) by its name,
    other invisible characters (tab, form feed, ...) escaped."""
    if token == "":
        return END_OF_TEXT
    if token.strip() == "" and set(token) - {" ", "\n"}:
        return repr(token)[1:-1]
    return token


def quoted(token: str) -> str:
    """A token for the narration and the screen: "basketball", or "↵" for a newline."""
    s = token.strip()
    return f"“{s}”" if s else f"“{display_token(token)}”"


def _baseline_offset(body: str, size: float) -> float:
    """How far a FastText's centre sits above its baseline (FastText centres on its glyphs)."""
    ys = [glyph(c, MONO_FONT)[0][:, 1] for c in body if not c.isspace()]
    ys = [y for y in ys if len(y)]
    if not ys:
        return 0.0
    allys = np.concatenate(ys)
    return float((allys.min() + allys.max()) / 2 * size / 48)


def on_baseline(mob: FastText, y: float) -> FastText:
    """Put a FastText's baseline at height ``y`` (FastText centres on its glyphs, so texts with
    and without descenders would not line up otherwise)."""
    return mob.set_y(y + _baseline_offset(mob.text, mob.font_size))


def align_baselines(group: VGroup) -> VGroup:
    """Line up the baselines of a row of FastTexts with that of the first one."""
    items = [m for m in group if isinstance(m, FastText)]
    if items:
        first = items[0]
        base = first.get_y() - _baseline_offset(first.text, first.font_size)
        for m in items[1:]:
            on_baseline(m, base)
    return group


def token_text(
    pieces: list[str],
    colors: list[str],
    width: float = 12.0,
    size: float = 24,
    line_gap: float = 0.5,
) -> VGroup:
    """Tokens laid out as running text (one mobject per token), wrapped at ``width``.

    A newline inside a token shows as "↵" and breaks the line after it. The result's ``[i]`` is
    token ``i`` and has ``.text`` (what is drawn) and ``.token`` (the token itself).
    """
    cw = FastText("0" * 10, font_size=size).advance / 10
    group, x, line = VGroup(), 0.0, 0
    for piece, color in zip(pieces, colors, strict=True):
        shown = piece.replace("\n", "↵")
        lead = len(shown) - len(shown.lstrip(" "))
        body = shown.lstrip(" ")
        if x > 0 and x + len(shown) * cw > width:
            x, line = 0.0, line + 1
            lead = 0  # a space at the start of a line is not drawn
        mob = FastText(body or " ", font_size=size, color=color)
        y = -line * line_gap
        mob.place(x + lead * cw, y + _baseline_offset(body, size), "left")
        mob.token = piece
        group.add(mob)
        x += (lead + len(body)) * cw
        if "\n" in piece:
            x, line = 0.0, line + 1
    return group


class RotatingCloud(VGroup):
    """Labelled points of a 3-D point cloud seen by an orthographic camera turning around the
    vertical axis (``yaw``, radians) and tilted a little towards the viewer. Labels sit on the side
    of their dot that overlaps least with the other dots and labels."""

    def __init__(
        self,
        coords: np.ndarray,
        names: list[str],
        colors: list[str],
        center: np.ndarray,
        tilt: float = 0.35,
        axis_length: float = 3.0,
        label_size: float = 18,
    ) -> None:
        super().__init__()
        self.coords = np.asarray(coords, dtype=np.float64)
        self.center, self.tilt, self.axis_length = (
            np.asarray(center, dtype=float),
            tilt,
            axis_length,
        )
        self.axes = VGroup()
        self.axis_labels = VGroup()
        for k in range(3):
            self.axes.add(Line(LEFT, RIGHT, color=PALETTE["neutral"], stroke_width=2))
            self.axis_labels.add(text(f"PC{k + 1}", 16, PALETTE["muted"]))
        self.dots = VGroup(*(Dot(radius=0.07, color=c) for c in colors))
        self.labels = VGroup(*(text(n, label_size, c) for n, c in zip(names, colors, strict=True)))
        self.add(self.axes, self.axis_labels, self.dots, self.labels)
        self.arrange_at(0.0)

    def screen(self, points: np.ndarray, yaw: float) -> np.ndarray:
        p = np.atleast_2d(points)
        x = p[:, 0] * np.cos(yaw) + p[:, 2] * np.sin(yaw)
        z = -p[:, 0] * np.sin(yaw) + p[:, 2] * np.cos(yaw)
        y = p[:, 1] * np.cos(self.tilt) - z * np.sin(self.tilt)
        return self.center + np.stack([x, y, np.zeros_like(x)], axis=1)

    def layout(self, yaw: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Dot positions, axis ends, label centres and the total overlap area of the labels."""
        dots = self.screen(self.coords, yaw)
        ends = self.screen(np.eye(3) * self.axis_length, yaw)
        boxes = []  # obstacles as (x0, y0, x1, y1)
        for e, lab in zip(ends, self.axis_labels, strict=True):
            c = self.center + (e - self.center) * 1.12
            half = lab.width / 2 + 0.1
            boxes.append((c[0] - half, c[1] - 0.18, c[0] + half, c[1] + 0.18))
        for e in ends:  # the axis lines, as a row of small boxes
            for f in np.linspace(-1, 1, 31):
                q = self.center + (e - self.center) * f
                boxes.append((q[0] - 0.03, q[1] - 0.03, q[0] + 0.03, q[1] + 0.03))
        r = 0.12
        dot_boxes = [(d[0] - r, d[1] - r, d[0] + r, d[1] + r) for d in dots]

        def overlap(a, b):
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            return w * h if w > 0 and h > 0 else 0.0

        centers, total = [], 0.0
        for i, (d, lab) in enumerate(zip(dots, self.labels, strict=True)):
            w, h = lab.width + 0.12, 0.28
            options = [
                (d[0] + 0.1 + w / 2, d[1]),
                (d[0] - 0.1 - w / 2, d[1]),
                (d[0], d[1] + 0.1 + h / 2),
                (d[0], d[1] - 0.1 - h / 2),
            ]
            others = boxes + [b for j, b in enumerate(dot_boxes) if j != i]
            scores = []
            for cx, cy in options:
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                scores.append(sum(overlap(box, o) for o in others))
            k = int(np.argmin(scores))
            cx, cy = options[k]
            boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
            centers.append((cx, cy, 0.0))
            total += scores[k]
        return dots, ends, np.array(centers), total

    def arrange_at(self, yaw: float) -> RotatingCloud:
        dots, ends, centers, _ = self.layout(yaw)
        for line, lab, e in zip(self.axes, self.axis_labels, ends, strict=True):
            line.put_start_and_end_on(2 * self.center - e, e)
            lab.move_to(self.center + (e - self.center) * 1.12)
        for dot, lab, p, c in zip(self.dots, self.labels, dots, centers, strict=True):
            dot.move_to(p)
            lab.move_to(c)
        return self

    def best_yaw(self, steps: int = 72) -> float:
        """The view angle with the least label overlap (ties: the most spread-out dots)."""
        best, best_key = 0.0, None
        for yaw in np.linspace(0, 2 * np.pi, steps, endpoint=False):
            dots, _, _, total = self.layout(float(yaw))
            d = np.linalg.norm(dots[:, None, :2] - dots[None, :, :2], axis=-1)
            spread = d[np.triu_indices(len(dots), 1)].min() if len(dots) > 1 else 0.0
            key = (round(total, 4), -spread)
            if best_key is None or key < best_key:
                best, best_key = float(yaw), key
        return best


class NextTokenScene(LectureScene):
    """Shared settings and the chapter's steps; each step is a method and also its own scene."""

    prompt = "Michael Jordan plays the sport of"
    temperature = 1.0
    seed = 0

    #: How many tokens the sampling loop adds to the prompt.
    loop_tokens = 10
    #: The chatbot framing: a system text, then the user's question, then "Assistant:".
    system_prompt = "A user talks with an assistant who knows every athlete."
    chat_question = "What sport does Michael Jordan play?"
    #: A sentence with punctuation and a word the small vocabulary cuts into pieces.
    token_example = "Unbelievably, Michael Jordan plays unbelievable basketball!"
    #: Words drawn in the 3-D picture of the embedding space, in coloured groups.
    space_groups = (
        ("sports", (" basketball", " golf", " swimming", " boxing")),
        ("people", (" man", " woman", " king", " queen")),
        ("animals", (" cat", " cats", " dog", " dogs")),
    )
    #: The analogy "a is to b as c is to d".
    gender = ((" man", " woman"), (" king", " queen"))
    #: A direction (from, to) and the words whose dot products with it are shown.
    plural = (" cat", " cats")
    alignment_words = (" dog", " dogs", " bird", " birds", " tree", " trees", " the", " basketball")
    #: Temperatures of the text samples in the softmax step.
    text_temperatures = (0.0, 1.0, 2.0, 3.0)
    text_tokens = 12

    def setup(self) -> None:
        super().setup()
        self.shown: dict[str, object] = {}  # key values on screen, for tests
        self.t = self.trace(self.prompt)

    # helpers ---------------------------------------------------------------------------------
    @property
    def answer(self) -> str:
        """The model's most likely next token for the prompt."""
        return self.t.top_k(1)[0].token

    # 1 -------------------------------------------------------------------------------------------
    def step_prediction(self) -> None:
        t, cfg = self.t, self.model.cfg
        top = t.top_k(5)
        self.section(
            "Predicting the next token",
            (
                "A language model is a function that reads a piece of text and says how likely each "
                f"possible next token is. Our small model knows {cfg.vocab_size:,} tokens and gives each "
                f'one a probability. After "{self.prompt}" it puts {100 * top[0].prob:.2f} percent on '
                f"{quoted(top[0].token)}; every other token shares the rest."
            ),
        )
        head = title("A language model predicts the next token")
        strip = fit(TokenStrip(t.tokens, font_size=28)).next_to(head, DOWN, buff=0.9)
        caption = text(
            f"probabilities for all {cfg.vocab_size:,} tokens of the vocabulary; the 5 largest:",
            22,
            PALETTE["muted"],
        ).next_to(strip, DOWN, buff=0.6)
        bars = ProbabilityBars(
            [safe_token(x.token) for x in top], [x.prob for x in top], decimals=3, width=6.0
        )
        bars.shift(
            [
                -bars.bars[0].get_left()[0] - 1.5,
                caption.get_bottom()[1] - 0.55 - bars.get_top()[1],
                0,
            ]
        )
        rest = 1.0 - sum(x.prob for x in top)
        rest_line = text(
            f"the other {cfg.vocab_size - len(top):,} tokens together: {100 * rest:.3f}%",
            22,
            PALETTE["muted"],
        ).next_to(bars, DOWN, buff=0.6)
        rest_line.set_x(0)
        self.shown["prediction_bars"] = bars
        self.shown["prediction_rest"] = (rest_line, rest)
        self.play(Write(head), FadeIn(strip, lag_ratio=0.1))
        self.play(FadeIn(caption), FadeIn(bars, lag_ratio=0.1))
        self.play(FadeIn(rest_line))
        self.wait()
        self.clear()
        self.step_loop()
        self.clear()
        self.step_chat()

    def step_loop(self) -> None:
        t = self.t
        g = self.model.generate(
            self.prompt,
            n_tokens=self.loop_tokens,
            temperature=self.temperature,
            seed=self.seed,
            top_k=4,
            stop_at_newline=False,
        )
        others = [
            self.model.generate(
                self.prompt,
                n_tokens=self.loop_tokens,
                temperature=self.temperature,
                seed=s,
                stop_at_newline=False,
            )
            for s in (self.seed + 1, self.seed + 2)
        ]
        differ = any(o.new_tokens != g.new_tokens for o in others)
        how = (
            "always the most likely token, so every seed gives the same text"
            if self.temperature == 0
            else f"at random in proportion to the probabilities (temperature {self.temperature:g})"
        )
        self.section(
            "Sampling in a loop",
            (
                "To write more than one token we run the model in a loop: it predicts, we pick a token, "
                "append it to the text and predict again. Here the token is picked "
                f"{how}, with random seed {self.seed}, so the video is the same every time it is made. "
                + (
                    "Other seeds pick other tokens where the model is unsure, and the text takes "
                    "another turn."
                    if differ
                    else "Other seeds happen to give the same text here: the model is sure at every step."
                )
                + " After the full stop this small model starts a new sentence of the kind it was "
                "trained on."
            ),
        )
        head = title(
            f"Predict, sample, append, repeat (temperature {self.temperature:g}, seed {self.seed})"
        )
        n0 = len(t.tokens)
        pieces = list(t.tokens) + list(g.new_tokens)
        colors = [PALETTE["text"]] * n0 + [PALETTE["highlight"]] * len(g.new_tokens)
        para = token_text(pieces, colors, width=12.6, size=24)
        para.shift([-6.3 - para.get_left()[0], 2.55 - para[0].get_y(), 0])
        self.shown["loop"] = g
        self.shown["loop_text"] = para
        self.play(Write(head), FadeIn(para[:n0]))
        bars_prev = None
        caption_prev = None
        for i, (cands, tok) in enumerate(zip(g.steps, g.new_tokens, strict=True)):
            j = next(k for k, c in enumerate(cands) if c.token == tok)
            cands = [c for k, c in enumerate(cands) if c.prob > 0 or k == j]  # T = 0: one left
            j = next(k for k, c in enumerate(cands) if c.token == tok)
            bars = ProbabilityBars(
                [safe_token(c.token) for c in cands],
                [c.prob for c in cands],
                width=4.0,
                font_size=22,
            )
            bars.bars[j].set_fill(PALETTE["highlight"])
            bars.shift([-bars.bars[0].get_left()[0] - 0.6, 0.2 - bars.get_top()[1], 0])
            caption = text(
                f"step {i + 1}: sampled {quoted(tok)}, probability {100 * cands[j].prob:.1f}%",
                22,
                PALETTE["muted"],
            ).next_to(bars, UP, buff=0.3)
            caption.set_x(0)
            slow = i < 3
            rt = 1.0 if slow else 0.4
            if bars_prev is None:
                self.play(FadeIn(bars), FadeIn(caption), run_time=rt)
            else:
                self.play(
                    ReplacementTransform(bars_prev, bars),
                    ReplacementTransform(caption_prev, caption),
                    run_time=rt,
                )
            self.play(TransformFromCopy(bars.labels[j], para[n0 + i]), run_time=rt)
            bars_prev, caption_prev = bars, caption
        self.wait(0.5)
        lines = VGroup()
        for s, o in zip((self.seed + 1, self.seed + 2), others, strict=True):
            cont = "".join(o.new_tokens).replace("\n", "↵")
            lines.add(fit(text(f"seed {s}: …{cont}", 20, PALETTE["muted"]), 12.8))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2).to_edge(DOWN, buff=0.35)
        lines.set_x(0)
        self.shown["loop_others"] = others
        self.play(FadeIn(lines, lag_ratio=0.3))
        self.wait()

    def step_chat(self) -> None:
        chat = f"{self.system_prompt}\nUser: {self.chat_question} Assistant:"
        g = self.model.generate(
            chat, n_tokens=16, temperature=self.temperature, seed=self.seed, stop_at_newline=True
        )
        answer = "".join(g.new_tokens).strip()
        self.section(
            "A chatbot continues a text",
            (
                "A chatbot is built from the same loop. Before the user's words we lay out a short text "
                "that sets the scene, a system prompt, then the user's question, then the word Assistant "
                "and a colon. The model simply continues this text, and what it writes reads like the "
                f'assistant\'s reply. Our small model writes "{answer}". Large chat models are also '
                "trained further on conversations and on human feedback, so that their continuations "
                "are helpful."
            ),
        )
        head = title("A chatbot: the model continues a laid-out conversation")
        words_sys = [w if i == 0 else " " + w for i, w in enumerate(self.system_prompt.split(" "))]
        words_user = ["\n" + "User:"] + [" " + w for w in self.chat_question.split(" ")]
        pieces = words_sys + words_user + [" Assistant:"] + list(g.new_tokens)
        colors = (
            [PALETTE["muted"]] * len(words_sys)
            + [PALETTE["text"]] * len(words_user)
            + [PALETTE["accent"]]
            + [PALETTE["highlight"]] * len(g.new_tokens)
        )
        # the newline belongs to the end of the system line: move it there for the layout
        pieces[len(words_sys) - 1] += "\n"
        pieces[len(words_sys)] = "User:"
        doc = token_text(pieces, colors, width=11.6, size=26, line_gap=0.6)
        box = SurroundingRectangle(
            doc, buff=0.35, corner_radius=0.15, stroke_color=PALETTE["muted"], stroke_width=2
        )
        Group(doc, box).move_to([0, 0.6, 0])
        n_fixed = len(pieces) - len(g.new_tokens)
        legend = VGroup(
            text("system prompt", 20, PALETTE["muted"]),
            text("user's text", 20, PALETTE["text"]),
            text("prompted role", 20, PALETTE["accent"]),
            text("the model's continuation", 20, PALETTE["highlight"]),
        ).arrange(RIGHT, buff=0.6)
        legend.next_to(box, DOWN, buff=0.5)
        align_baselines(legend)
        note = text(
            f"one text of {len(self.model.encode(chat))} tokens; sampled with temperature "
            f"{self.temperature:g}, seed {self.seed}",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.4)
        self.shown["chat"] = g
        self.shown["chat_text"] = doc
        self.play(Write(head), Create(box), FadeIn(doc[:n_fixed], lag_ratio=0.05))
        self.play(FadeIn(legend), FadeIn(note))
        for k in range(n_fixed, len(doc)):
            self.play(FadeIn(doc[k], shift=0.1 * UP), run_time=0.35)
        self.wait()

    # 2 -------------------------------------------------------------------------------------------
    def step_tokens(self) -> None:
        t, cfg = self.t, self.model.cfg
        words = word_pieces(self.model, self.token_example)
        split = [w for w in words if w.is_split]
        punct = [w for w in words if w.is_punctuation]
        split_desc = "; ".join(
            f'"{w.text.strip()}" becomes {len(w.pieces)} tokens, '
            + ", ".join(f'"{p.strip()}"' for p in w.pieces)
            for w in split
        )
        self.section(
            "Tokens",
            (
                "The model does not read letters or whole words but tokens: pieces of text from a fixed "
                f"vocabulary, here {cfg.vocab_size:,} of them, found by a tokenizer trained on the same "
                f"text as the model. GPT-3's vocabulary has {GPT3_CONFIG.vocab_size:,}. Our prompt is "
                f"{t.n_tokens} tokens, each with its number in the vocabulary. Frequent words are one "
                "token, and so is the space in front of them. "
                + (f"Rarer words are cut into pieces: {split_desc}. " if split else "")
                + (
                    "Punctuation marks get tokens of their own."
                    if punct
                    else "This sentence has no punctuation."
                )
            ),
        )
        head = title("Text is cut into tokens")
        label1 = text("the prompt", 20, PALETTE["muted"])
        strip = TokenStrip(t.tokens, font_size=24, buff=0.12)
        ids = VGroup(
            *(
                text(str(i), 16, PALETTE["muted"]).next_to(b, DOWN, buff=0.12)
                for i, b in zip(t.token_ids, strip.boxes, strict=True)
            )
        )
        row1 = fit(VGroup(strip, ids))
        row1.next_to(head, DOWN, buff=0.9).set_x(0)
        label1.next_to(row1, UP, buff=0.2).align_to(row1, LEFT)
        ids_caption = text("token ids (its column in the vocabulary)", 18, PALETTE["muted"])
        ids_caption.next_to(row1, DOWN, buff=0.15)

        all_pieces = [p for w in words for p in w.pieces]
        strip2 = fit(TokenStrip(all_pieces, font_size=24, buff=0.12))
        strip2.move_to([0, -0.9, 0])
        sentence = fit(text(f"“{self.token_example}”", 24)).next_to(strip2, UP, buff=0.45)
        marks = VGroup()
        k = 0
        notes = VGroup()
        for w in words:
            boxes = strip2.boxes[k : k + len(w.pieces)]
            if w.is_split:
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
                    text(f"{len(w.pieces)} tokens", 18, PALETTE["highlight"]).next_to(
                        brace, DOWN, buff=0.12
                    )
                )
            elif w.is_punctuation:
                for b in boxes:
                    b[0].set_stroke(PALETTE["accent"], width=3)
            k += len(w.pieces)
        legend = VGroup(
            text("a word cut into pieces", 20, PALETTE["highlight"]),
            text("punctuation", 20, PALETTE["accent"]),
            text("␣ = a space, part of the token", 20, PALETTE["muted"]),
        ).arrange(RIGHT, buff=0.7)
        legend.to_edge(DOWN, buff=0.9)
        align_baselines(legend)
        vocab = text(
            f"vocabulary: {cfg.vocab_size:,} tokens here, {GPT3_CONFIG.vocab_size:,} in GPT-3",
            20,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.35)
        self.shown["tokens_prompt"] = strip
        self.shown["tokens_example"] = (strip2, words)
        self.play(Write(head), FadeIn(label1))
        self.play(FadeIn(strip, lag_ratio=0.15), FadeIn(ids), FadeIn(ids_caption))
        self.play(FadeIn(sentence))
        self.play(
            LaggedStart(*(FadeIn(b, shift=0.35 * DOWN) for b in strip2.boxes), lag_ratio=0.08),
            run_time=1.5,
        )
        self.play(Create(marks), FadeIn(notes), FadeIn(legend))
        self.play(FadeIn(vocab))
        self.wait()

    # 3 -------------------------------------------------------------------------------------------
    def step_lookup(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        W_E = self.model.W_E  # [vocab, d_model]: row i is token i's vector
        ours = cfg.vocab_size * cfg.d_model
        gpt3 = matrix_families(g)[0].weights
        self.section(
            "Embedding lookup",
            (
                "Each token is turned into a list of numbers, a vector, by looking it up in the embedding "
                f"matrix W_E. It has one column for every token in the vocabulary, {cfg.vocab_size:,} "
                f"columns of {cfg.d_model} numbers each in our model. The token with id {t.token_ids[0]} "
                f"takes column {t.token_ids[0]}, and so on. The numbers started random and were learned "
                f"in training. GPT-3 uses {g.d_model:,} numbers per token and {g.vocab_size:,} tokens: "
                f"{g.d_model:,} times {g.vocab_size:,} is {gpt3:,} weights in this one matrix. "
                "The code stores the same matrix with one row per token; the numbers are the same."
            ),
        )
        head = title("Embedding: each token takes its column of W_E")
        matrix = NumericMatrix(W_E.T, max_rows=6, max_cols=7, font_size=16, shape_label=True)
        matrix.move_to([-2.25, 1.35, 0])
        col_ids = VGroup(
            *(
                text(str(j), 14, PALETTE["muted"]).next_to(matrix.get_column(j), UP, buff=0.2)
                for j in matrix.cols
                if j is not None
            )
        )
        name = text("W_E", 26).next_to(matrix, LEFT, buff=0.3)
        col_caption = text("token id", 14, PALETTE["muted"]).next_to(col_ids, LEFT, buff=0.35)
        info = VGroup(
            text(f"vocabulary: {cfg.vocab_size:,} tokens", 20),
            text(f"d_model: {cfg.d_model} numbers per token", 20),
            text(f"{cfg.d_model} × {cfg.vocab_size:,} = {ours:,} weights", 20),
            text("GPT-3:", 20, PALETTE["highlight"]),
            text(f"{g.d_model:,} × {g.vocab_size:,}", 20, PALETTE["highlight"]),
            text(f"= {gpt3:,} weights", 20, PALETTE["highlight"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        info.move_to([1.6, 1.35, 0], aligned_edge=LEFT)
        strip = TokenStrip(t.tokens, font_size=20, min_width=1.6, buff=0.3)
        strip = fit(strip, 12.5).move_to([0, -0.75, 0])
        ids = VGroup(
            *(
                text(f"id {i}", 16, PALETTE["muted"]).next_to(b, UP, buff=0.1)
                for i, b in zip(t.token_ids, strip.boxes, strict=True)
            )
        )
        vecs = [NumericVector(W_E[i], max_entries=6, font_size=16) for i in t.token_ids]
        strip.align_below(vecs, buff=0.3)
        dims = text(f"each: {cfg.d_model} numbers", 16, PALETTE["muted"]).to_edge(DOWN, buff=0.2)
        self.shown["lookup_vectors"] = list(zip(vecs, t.token_ids, strict=True))
        self.shown["lookup_matrix"] = matrix
        self.shown["lookup_gpt3"] = (info[5], gpt3)
        self.play(Write(head), FadeIn(matrix), FadeIn(name), FadeIn(col_ids), FadeIn(col_caption))
        self.play(FadeIn(info[:3], lag_ratio=0.2))
        self.play(FadeIn(strip, lag_ratio=0.1), FadeIn(ids))
        self.play(
            *(FadeIn(v, target_position=matrix.get_center(), scale=0.5) for v in vecs),
            lag_ratio=0.15,
            run_time=2.5,
        )
        self.play(FadeIn(dims))
        self.play(FadeIn(info[3:], lag_ratio=0.2))
        self.wait()

    # 4 -------------------------------------------------------------------------------------------
    def step_space(self) -> None:
        words = [w for _, ws in self.space_groups for w in ws]
        proj = project_embeddings(self.model, words, 3)
        self.section(
            "Embedding space",
            (
                f"Each embedding is a point in a space of {self.model.cfg.d_model} dimensions. We cannot "
                f"draw that, but we can find the three directions along which these {len(words)} words "
                f"spread most, a principal component analysis, and draw the words there. These three "
                f"axes keep {100 * sum(proj.explained):.0f} percent of their spread. Words of a kind "
                "land near each other: training placed them so."
            ),
        )
        head = title(f"{len(words)} embeddings seen along their 3 main directions (PCA)")
        colors = [PALETTE["positive"], PALETTE["highlight"], PALETTE["accent"]]
        color_of = {w: colors[g % 3] for g, (_, ws) in enumerate(self.space_groups) for w in ws}
        cloud = RotatingCloud(
            proj.coords / np.abs(proj.coords).max() * 2.7,
            [w.strip() for w in words],
            [color_of[w] for w in words],
            center=np.array([-2.5, -0.4, 0.0]),
        )
        start = cloud.best_yaw()
        cloud.arrange_at(start)
        panel = VGroup(
            text(f"PCA of {len(words)} rows of W_E", 20),
            text(f"({self.model.cfg.d_model} numbers each)", 20, PALETTE["muted"]),
            *(
                text(f"PC{k + 1}: {100 * e:.0f}% of the spread", 20, PALETTE["muted"])
                for k, e in enumerate(proj.explained)
            ),
            text(f"together: {100 * sum(proj.explained):.0f}%", 20),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        legend = VGroup(
            *(text(name, 20, colors[g % 3]) for g, (name, _) in enumerate(self.space_groups))
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        VGroup(panel, legend).arrange(DOWN, aligned_edge=LEFT, buff=0.5).move_to([4.4, 0, 0])
        self.shown["pca"] = (proj, cloud)
        self.play(Write(head), FadeIn(cloud, lag_ratio=0.02), FadeIn(panel), run_time=1.5)
        self.play(FadeIn(legend))
        self.play(
            UpdateFromAlphaFunc(cloud, lambda m, a: m.arrange_at(start + 2 * np.pi * a)),
            run_time=12,
            rate_func=linear,
        )
        self.clear()
        self.step_neighbours()

    def step_neighbours(self) -> None:
        word = self.answer
        nn = nearest_neighbours(self.model, word, k=6)
        self.section(
            "Nearest neighbours",
            (
                "Closeness is measured by the angle between two vectors: the cosine similarity is 1 "
                "for the same direction and 0 for perpendicular ones. The tokens whose embeddings point "
                f"most nearly the same way as {quoted(word)}, the model's answer to our prompt, are "
                + ", ".join(quoted(w) for w, _ in nn[:3])
                + f", with cosines of {nn[0][1]:.2f}, {nn[1][1]:.2f} and {nn[2][1]:.2f}."
            ),
        )
        head = title(f"Nearest neighbours of {quoted(word)} in W_E (cosine similarity)")
        formula = text("cos(a, b) = a·b / (|a| |b|)", 22, PALETTE["muted"]).next_to(
            head, DOWN, buff=0.4
        )
        rows = VGroup()
        self.shown["neighbours"] = []
        for r, (w, c) in enumerate(nn):
            y = 1.4 - 0.62 * r
            label = text(display_token(w), 24).move_to([-1.6, y, 0], aligned_edge=RIGHT)
            bar = Rectangle(
                width=max(4.5 * c, 0.01),
                height=0.32,
                stroke_width=0,
                fill_color=PALETTE["positive"],
                fill_opacity=1,
            ).move_to([-1.3, y, 0], aligned_edge=LEFT)
            val = number(c, size=22, color=PALETTE["muted"]).next_to(bar, RIGHT, buff=0.15)
            rows.add(VGroup(label, bar, val))
            self.shown["neighbours"].append((val, c, w))
        note = text(
            f"all {self.model.cfg.vocab_size - 1:,} other tokens compared; the 6 closest",
            18,
            PALETTE["muted"],
        ).to_edge(DOWN, buff=0.4)
        self.play(Write(head), FadeIn(formula))
        self.play(FadeIn(rows, lag_ratio=0.2), run_time=2)
        self.play(FadeIn(note))
        self.wait()

    def step_directions(self) -> None:
        (a, b), (c, d) = self.gender
        cmp = compare_directions(self.model, (a, b), (c, d))
        base = difference_baseline(self.model)
        near = analogy(self.model, a, b, c, k=3)
        strong = near[0][0] == d
        self.section(
            "Directions",
            (
                "Directions in this space can carry meaning. Subtract the embedding of "
                f"{quoted(a)} from that of {quoted(b)}, and that of {quoted(c)} from that of {quoted(d)}. "
                f"In our small model the two differences point only partly the same way: their cosine "
                f"is {cmp.cosine:.2f}, where the differences between random pairs of tokens have an "
                f"average cosine of {base:.2f}, in either direction. Yet adding the first difference "
                f"to {quoted(c)} lands closest to {quoted(near[0][0])}"
                + (", the analogy works." if strong else f", not {quoted(d)}.")
                + " The flat picture shows the four words in the plane that keeps most of their spread; "
                "it makes the arrows look more alike than they are in all dimensions."
            ),
        )
        head = title(f"A direction: {b.strip()} − {a.strip()} and {d.strip()} − {c.strip()}")
        quad = [a, b, c, d]
        proj = project_embeddings(self.model, quad, 2)
        E = np.asarray(self.model.W_E, dtype=np.float64)
        ids = [self.model.token_id(w) for w in quad]
        target = E[ids[2]] + E[ids[1]] - E[ids[0]]
        pts = np.vstack([proj.coords, proj.project(target[None])])
        scale = 2.2 / np.abs(pts).max()
        origin = np.array([-3.4, -0.4, 0.0])
        pos = [origin + np.array([p[0], p[1], 0.0]) * scale for p in pts]
        frame = Rectangle(
            width=6.2, height=5.6, stroke_color=PALETTE["neutral"], stroke_width=1
        ).move_to(origin)
        dots = VGroup(*(Dot(p, radius=0.08, color=PALETTE["text"]) for p in pos[:4]))
        labels = VGroup(
            *(
                text(w.strip(), 22).next_to(dt, UP if k % 2 == 0 else DOWN, buff=0.12)
                for k, (w, dt) in enumerate(zip(quad, dots, strict=True))
            )
        )
        arrows = VGroup(
            Arrow(pos[0], pos[1], buff=0.1, color=PALETTE["highlight"], stroke_width=5),
            Arrow(pos[2], pos[3], buff=0.1, color=PALETTE["highlight"], stroke_width=5),
        )
        guess = Circle(radius=0.13, color=PALETTE["accent"], stroke_width=3).move_to(pos[4])
        guess_label = VGroup(
            Circle(radius=0.09, color=PALETTE["accent"], stroke_width=3),
            text(f"{c.strip()} − {a.strip()} + {b.strip()}", 18, PALETTE["accent"]),
        ).arrange(RIGHT, buff=0.15)
        guess_label.move_to(frame.get_corner(DOWN + LEFT) + [0.2, 0.3, 0], aligned_edge=LEFT)
        plane_note = text(
            f"2-D PCA of these 4 rows: {100 * sum(proj.explained):.0f}% of their spread",
            16,
            PALETTE["muted"],
        ).next_to(frame, DOWN, buff=0.15)
        rx = 0.9
        facts = VGroup(
            text(f"in all {self.model.cfg.d_model} dimensions:", 22),
            VGroup(text("cosine of the two arrows", 22), number(cmp.cosine, size=24)).arrange(
                RIGHT, buff=0.25
            ),
            VGroup(
                text("random pairs of tokens", 20, PALETTE["muted"]),
                number(base, size=22, color=PALETTE["muted"]),
            ).arrange(RIGHT, buff=0.25),
            text("(average size of their cosine)", 18, PALETTE["muted"]),
        )
        facts.arrange(DOWN, aligned_edge=LEFT, buff=0.2).move_to([rx, 1.9, 0], aligned_edge=LEFT)
        ana_head = text(f"closest to {c.strip()} − {a.strip()} + {b.strip()}:", 22)
        ana_rows = VGroup(
            *(
                VGroup(
                    text(
                        f"{i + 1}. {w.strip() or display_token(w)}",
                        22,
                        PALETTE["accent"] if i == 0 else PALETTE["text"],
                    ),
                    number(s, size=22, color=PALETTE["muted"]),
                ).arrange(RIGHT, buff=0.3)
                for i, (w, s) in enumerate(near)
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        ana = VGroup(ana_head, ana_rows).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        ana.next_to(facts, DOWN, buff=0.4).align_to(facts, LEFT)
        found = near[0][0].strip() or display_token(near[0][0])
        verdict = VGroup(
            text(f"The arrows agree only partly ({cmp.cosine:.2f}),", 20, PALETTE["highlight"]),
            text(f"more than chance ({base:.2f}), and the analogy", 20, PALETTE["highlight"]),
            text(
                f"still lands on {found}." if strong else f"lands on {found}, not {d.strip()}.",
                20,
                PALETTE["highlight"],
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        fit(verdict, 5.6).next_to(ana, DOWN, buff=0.4).align_to(facts, LEFT)
        self.shown["gender_cosine"] = (facts[1][1], cmp.cosine)
        self.shown["baseline"] = (facts[2][1], base)
        self.shown["analogy"] = [(row[1], s, w) for row, (w, s) in zip(ana_rows, near, strict=True)]
        self.play(Write(head), Create(frame), FadeIn(dots), FadeIn(labels), FadeIn(plane_note))
        self.play(GrowArrow(arrows[0]), GrowArrow(arrows[1]))
        self.play(FadeIn(facts, lag_ratio=0.2))
        self.play(Create(guess), FadeIn(guess_label), FadeIn(ana, lag_ratio=0.2))
        self.play(FadeIn(verdict))
        self.wait()
        self.clear()
        self.step_alignment()

    def step_alignment(self) -> None:
        s, p = self.plural
        dots = alignment(self.model, (s, p), self.alignment_words)
        lo, hi = dots[0], dots[-1]
        self.section(
            "Dot products",
            (
                "The dot product measures how well two vectors line up: positive when they point the "
                "same way, zero when they are perpendicular, negative when they point apart. Take the "
                f"direction from {quoted(s)} to {quoted(p)} as a guess at plurality. Dotted with it, "
                f"{quoted(hi[0])} gives {hi[1]:+.2f} and {quoted(lo[0])} gives {lo[1]:+.2f}: in this "
                "model plural nouns point along it and singular nouns against it, while words with "
                "no number stay nearer zero."
            ),
        )
        head = title(f"Dot products with E({p.strip()}) − E({s.strip()})")
        scale = 5.0 / max(abs(v) for _, v in dots)
        zero_x = 0.8
        axis = Line([zero_x, 2.3, 0], [zero_x, -3.0, 0], color=PALETTE["muted"], stroke_width=2)
        rows = VGroup()
        self.shown["alignment"] = []
        for r, (w, v) in enumerate(dots):
            y = 1.9 - 0.62 * r
            color = PALETTE["positive"] if v > 0 else PALETTE["negative"]
            bar = Rectangle(
                width=max(abs(v) * scale * 0.6, 0.01),
                height=0.34,
                stroke_width=0,
                fill_color=color,
                fill_opacity=1,
            )
            bar.move_to([zero_x, y, 0], aligned_edge=LEFT if v > 0 else RIGHT)
            val = number(v, sign=True, size=22, color=color)
            lab = text(w.strip(), 22)
            if v > 0:
                val.next_to(bar, RIGHT, buff=0.12)
                lab.move_to([zero_x - 0.25, y, 0], aligned_edge=RIGHT)
            else:
                val.next_to(bar, LEFT, buff=0.12)
                lab.move_to([zero_x + 0.25, y, 0], aligned_edge=LEFT)
            rows.add(VGroup(bar, val, lab))
            self.shown["alignment"].append((val, v, w))
        legend = VGroup(
            text("> 0: points the same way", 20, PALETTE["positive"]),
            text("≈ 0: perpendicular", 20, PALETTE["muted"]),
            text("< 0: points the other way", 20, PALETTE["negative"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        legend.arrange(RIGHT, buff=0.8).to_edge(DOWN, buff=0.35)
        align_baselines(legend)
        self.play(Write(head), Create(axis))
        self.play(FadeIn(rows, lag_ratio=0.15), run_time=2.5)
        self.play(FadeIn(legend, lag_ratio=0.2))
        self.wait()

    # 5 -------------------------------------------------------------------------------------------
    def step_context(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        n = t.n_tokens
        self.section(
            "Context window",
            (
                f"The model reads at most a fixed number of tokens at once, its context window: "
                f"{cfg.n_ctx} tokens for our model, {g.n_ctx:,} for GPT-3 when it was trained. Our prompt "
                f"fills {n} of the {cfg.n_ctx} places. Each place holds one vector: the token's column of "
                "W_E plus a vector for its position. So what flows through the model is an array with "
                f"one column per token, here {cfg.d_model} by {n}; for a full GPT-3 context it is "
                f"{g.d_model:,} by {g.n_ctx:,}, {g.d_model * g.n_ctx:,} numbers. Each block of attention "
                f"and MLP changes the numbers but keeps the shape, through all {cfg.n_layers} blocks of "
                "our model."
            ),
        )
        head = title(f"The context window: {cfg.n_ctx} tokens here, {g.n_ctx:,} in GPT-3")
        slot_w = min(0.19, 12.8 / cfg.n_ctx)
        slots = VGroup(
            *(
                Rectangle(
                    width=slot_w * 0.8,
                    height=0.3,
                    stroke_width=1,
                    stroke_color=PALETTE["muted"],
                    fill_color=PALETTE["highlight"] if i < n else PALETTE["box"],
                    fill_opacity=1,
                )
                for i in range(cfg.n_ctx)
            )
        ).arrange(RIGHT, buff=slot_w * 0.2)
        slots.next_to(head, DOWN, buff=0.45)
        used = text(f"{n} of {cfg.n_ctx} places used by the prompt", 18, PALETTE["muted"]).next_to(
            slots, DOWN, buff=0.12
        )
        stages = [
            ("hook_embed", "token columns of W_E"),
            ("blocks.0.hook_resid_pre", "+ position vectors: the input"),
            *(
                (f"blocks.{layer}.hook_resid_post", f"after block {layer + 1} of {cfg.n_layers}")
                for layer in range(cfg.n_layers)
            ),
        ]

        def array(key):
            return NumericMatrix(t[key].T, max_rows=7, max_cols=8, font_size=19, shape_label=True)

        mat = array(stages[0][0]).move_to([-2.3, -0.9, 0])
        cols = [j for j in mat.cols if j is not None]
        col_tokens = VGroup(
            *(
                text(display_token(t.tokens[j]), 16, PALETTE["muted"]).next_to(
                    mat.get_column(j), UP, buff=0.22
                )
                for j in cols
            )
        )
        stage_label = text(stages[0][1], 22, PALETTE["highlight"]).next_to(
            col_tokens, UP, buff=0.35
        )
        stage_label.set_x(mat.get_x())
        side = VGroup(
            text(f"this model: {cfg.d_model} × {n} numbers", 20),
            text(f"full context: {cfg.d_model} × {cfg.n_ctx}", 20, PALETTE["muted"]),
            text(f"GPT-3: {g.d_model:,} × {g.n_ctx:,}", 20, PALETTE["highlight"]),
            text(f"= {g.d_model * g.n_ctx:,} numbers", 20, PALETTE["highlight"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        side.move_to([1.5, -0.9, 0], aligned_edge=LEFT)
        flow = (
            VGroup(
                text(
                    "one column per position: its token's column of W_E plus a position vector",
                    18,
                    PALETTE["muted"],
                ),
                text("every block changes the numbers, never the shape", 18, PALETTE["muted"]),
            )
            .arrange(DOWN, buff=0.12)
            .to_edge(DOWN, buff=0.3)
        )
        self.shown["context_slots"] = slots
        self.play(Write(head), FadeIn(slots, lag_ratio=0.01), FadeIn(used))
        self.play(FadeIn(mat), FadeIn(col_tokens), FadeIn(stage_label), FadeIn(side[:2]))
        shown_stages = [mat]
        for key, label in stages[1:]:
            new = array(key).move_to(mat)
            new_label = text(label, 22, PALETTE["highlight"]).move_to(stage_label)
            self.play(Transform(mat, new), Transform(stage_label, new_label), run_time=1.2)
            shown_stages.append(new)
            self.wait(0.4)
        self.shown["context_arrays"] = list(zip([k for k, _ in stages], shown_stages, strict=True))
        self.play(FadeIn(side[2:], lag_ratio=0.2), FadeIn(flow))
        self.wait()

    # 6 -------------------------------------------------------------------------------------------
    def step_unembedding(self) -> None:
        t, cfg, g = self.t, self.model.cfg, GPT3_CONFIG
        guesses = [t.top_k(1, position=i)[0] for i in range(t.n_tokens)]
        right = sum(g.token == nxt for g, nxt in zip(guesses, t.tokens[1:], strict=False))
        self.section(
            "Why the last position",
            (
                "At the end of the model every position holds a vector, and from each one the model "
                "can read a guess for the token that follows it. In training all of these guesses are "
                "scored at once against the token that really came next, which makes one text many "
                f"training examples; here {right} of the {t.n_tokens - 1} earlier guesses are right. To "
                "continue the text we only need the guess after the last token, so the last vector is "
                "the one we read."
            ),
        )
        head = title("Every position predicts its next token; we need the last")
        strip = TokenStrip(t.tokens, font_size=22, min_width=1.7, buff=0.25)
        strip = fit(strip, 10.6).move_to([1.3, 2.0, 0])
        arrows = VGroup()
        preds = VGroup()
        actual = VGroup()
        for i, (b, gss) in enumerate(zip(strip.boxes, guesses, strict=True)):
            ar = Arrow(b.get_bottom(), b.get_bottom() + 0.8 * DOWN, buff=0.1, stroke_width=3)
            ar.set_color(PALETTE["muted"])
            p = VGroup(
                text(display_token(gss.token), 18),
                text(f"{100 * gss.prob:.1f}%", 16, PALETTE["muted"]),
            ).arrange(DOWN, buff=0.08)
            p.next_to(ar, DOWN, buff=0.1)
            arrows.add(ar)
            preds.add(p)
            if i + 1 < t.n_tokens:
                nxt = t.tokens[i + 1]
                ok = nxt == gss.token
                a = text(display_token(nxt), 18, PALETTE["accent"] if ok else PALETTE["negative"])
            else:
                a = text("?", 20, PALETTE["highlight"])
            actual.add(a.move_to([b.get_x(), -0.9, 0]))
        preds[-1][0].set_color(PALETTE["highlight"])
        arrows[-1].set_color(PALETTE["highlight"])
        last_box = SurroundingRectangle(
            VGroup(strip.boxes[-1], actual[-1]), color=PALETTE["highlight"], buff=0.15
        )
        left = strip.get_left()[0] - 0.3
        row_names = VGroup(
            text("the text", 18, PALETTE["muted"]).move_to(
                [left, strip.get_y(), 0], aligned_edge=RIGHT
            ),
            text("model's guess", 18, PALETTE["muted"]).move_to(
                [left, preds[0].get_y(), 0], aligned_edge=RIGHT
            ),
            text("what came next", 18, PALETTE["muted"]).move_to(
                [left, -0.9, 0], aligned_edge=RIGHT
            ),
        )
        caption = VGroup(
            text(
                "training scores every guess against what really came next (green: right, red: wrong)",
                18,
                PALETTE["muted"],
            ),
            text(
                "to continue the text, only the guess after the last token is new",
                18,
                PALETTE["highlight"],
            ),
        ).arrange(DOWN, buff=0.15)
        caption.move_to([0, -2.3, 0])
        fit(caption)
        self.shown["position_guesses"] = list(zip(preds, guesses, strict=True))
        self.play(Write(head), FadeIn(strip, lag_ratio=0.1), FadeIn(row_names[:2]))
        self.play(*(GrowArrow(a) for a in arrows), FadeIn(preds, lag_ratio=0.1))
        self.play(FadeIn(row_names[2]), FadeIn(actual, lag_ratio=0.1), FadeIn(caption[0]))
        self.play(Create(last_box), FadeIn(caption[1]))
        self.wait()
        self.clear()

        x = t["ln_final.hook_normalized"][-1]
        logits = t["logits"][-1]
        top = np.argsort(-logits, kind="stable")[:5]
        emb_unemb = 2 * matrix_families(g)[-1].weights
        self.section(
            "Unembedding",
            (
                "The unembedding matrix W_U turns that last vector into one score per vocabulary token: "
                f"{cfg.vocab_size:,} numbers called logits. Each score is the dot product of the vector "
                f"with that token's row of W_U. The largest logit here is {logits[top[0]]:.2f} for "
                f"{quoted(self.model.decode_token(int(top[0])))}, next is {logits[top[1]]:.2f} for "
                f"{quoted(self.model.decode_token(int(top[1])))}. Softmax turns the logits into "
                f"probabilities. In GPT-3, W_U has {g.vocab_size:,} rows of {g.d_model:,} numbers, "
                f"another {matrix_families(g)[-1].weights:,} weights; with W_E that is "
                f"{emb_unemb:,}, a little over a billion."
            ),
        )
        head = title("Unembedding: the last vector → one logit per token")
        vec = NumericVector(x, max_entries=8, font_size=18, label=f"last vector ({cfg.d_model})")
        vec.move_to([-5.9, 1.1, 0])
        unembed = Unembed(
            vec, self.model.W_U, lambda i: safe_token(self.model.decode_token(i)), k=5
        )
        unembed.result.shift(RIGHT * 0.2)
        lx = unembed.result.bars[0].get_left()[0]
        y0 = unembed.result.get_bottom()[1] - 0.55
        top_list = VGroup(
            text("their logits", 20, PALETTE["muted"]).move_to([lx, y0, 0], aligned_edge=LEFT)
        )
        for r, i in enumerate(top):
            y = y0 - 0.4 * (r + 1)
            top_list.add(
                VGroup(
                    text(display_token(self.model.decode_token(int(i))), 20).move_to(
                        [lx - 0.2, y, 0], aligned_edge=RIGHT
                    ),
                    number(float(logits[i]), size=20).move_to([lx, y, 0], aligned_edge=LEFT),
                )
            )
        counts = VGroup(
            text(
                f"W_U: {cfg.vocab_size:,} rows × {cfg.d_model} here; "
                f"GPT-3: {g.vocab_size:,} × {g.d_model:,} = {matrix_families(g)[-1].weights:,}",
                18,
                PALETTE["muted"],
            ),
            text(f"W_E + W_U in GPT-3: {emb_unemb:,} weights", 18, PALETTE["highlight"]),
        ).arrange(DOWN, buff=0.12)
        counts.to_edge(DOWN, buff=0.3)
        self.shown["unembed"] = unembed
        self.shown["top_logits"] = [
            (row[1], float(logits[i])) for row, i in zip(top_list[1:], top, strict=True)
        ]
        self.play(Write(head), FadeIn(vec))
        self.play(unembed)
        self.play(FadeIn(top_list, lag_ratio=0.1))
        self.play(FadeIn(counts))
        self.wait()

    # 7 -------------------------------------------------------------------------------------------
    def step_softmax(self) -> None:
        z = np.array([1.0, 2.0, 8.0])
        p = probabilities(z)
        self.section(
            "Softmax",
            (
                "Softmax makes probabilities out of any list of numbers: raise e to the power of each "
                "number and divide by the sum of them all. Every result is between 0 and 1 and together "
                f"they add up to 1. The largest number gets by far the most: softmax of 1, 2 and 8 is "
                f"{p[0]:.3f}, {p[1]:.3f} and {p[2]:.3f}."
            ),
        )
        head = title("Softmax: any numbers → probabilities")
        formula = text("softmax(z)ᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)", 30).next_to(head, DOWN, buff=0.6)
        y = -0.5
        vec = NumericVector(z, decimals=0, font_size=32).move_to([-4.6, y, 0])
        ez = np.exp(z)
        exp_vec = NumericVector(ez, decimals=2, font_size=32).move_to([-0.6, y, 0])
        labels = VGroup(
            text("z", 26, PALETTE["muted"]).next_to(vec, UP, buff=0.3),
            text("exp(z)", 26, PALETTE["muted"]).next_to(exp_vec, UP, buff=0.3),
        )
        arrows = VGroup(
            text("exp →", 24, PALETTE["muted"]).move_to([-2.9, y, 0]),
            text("÷ sum →", 24, PALETTE["muted"]).move_to([1.75, y, 0]),
        )
        exp_sum = text(f"sum = {ez.sum():,.2f}", 22, PALETTE["muted"]).next_to(
            exp_vec, DOWN, buff=0.3
        )
        self.play(Write(head), FadeIn(formula))
        self.play(FadeIn(vec), FadeIn(labels[0]))
        self.play(FadeIn(arrows[0]), TransformFromCopy(vec, exp_vec), FadeIn(labels[1]))
        self.play(FadeIn(exp_sum), FadeIn(arrows[1]))
        sm = Softmax(vec.copy().move_to([4.3, y, 0]), decimals=3)  # computes softmax(z)
        self.play(TransformFromCopy(exp_vec, sm.result), run_time=1.5)
        total = text(f"sum = {p.sum():.3f}", 22, PALETTE["muted"]).next_to(
            sm.result, DOWN, buff=0.3
        )
        p_label = text("probabilities", 26, PALETTE["muted"]).next_to(sm.result, UP, buff=0.3)
        self.shown["softmax_exp"] = exp_vec
        self.play(FadeIn(p_label))
        self.shown["softmax_example"] = sm.result
        self.play(FadeIn(total))
        self.wait()
        self.clear()
        self.step_temperature()

    def step_temperature(self) -> None:
        t = self.t
        logits = t["logits"][-1]
        targets = [1.0, 2.0, 3.0, 0.0]
        if self.temperature not in targets:
            targets.append(float(self.temperature))
        sweep = temperature_sweep(logits, targets, k=5)
        names = [safe_token(self.model.decode_token(i)) for i in sweep.token_ids]
        first = names[0]
        self.section(
            "Temperature",
            (
                "Dividing the logits by a temperature T before the softmax changes how sharp the "
                f"distribution is. At T = 1 {quoted(first)} gets {100 * sweep.at(1.0)[0]:.2f} percent. "
                f"At T = 2 the differences between logits are halved and it drops to "
                f"{100 * sweep.at(2.0)[0]:.1f} percent, while the other tokens together get "
                f"{100 * (1 - sweep.at(2.0)[0]):.1f} percent. At T = 3, more than chat services "
                f"usually allow, it keeps only {100 * sweep.at(3.0)[0]:.1f} percent. At T = 0 the code "
                "does not divide by zero: it gives everything to the largest logit, so sampling always "
                "takes the most likely token."
                + (
                    f" Last, your setting T = {self.temperature:g} gives {quoted(first)} "
                    f"{100 * sweep.at(float(self.temperature))[0]:.1f} percent."
                    if len(targets) > 4
                    else ""
                )
            ),
        )
        head = title("Temperature: softmax(z / T)")
        T = ValueTracker(1.0)
        rest_label = f"all other {self.model.cfg.vocab_size - len(names):,}"
        width = 5.2

        def probs_at(temp: float) -> np.ndarray:
            q = probabilities(logits, temp)[list(sweep.token_ids)]
            return np.append(q, max(0.0, 1.0 - q.sum()))

        bars = ProbabilityBars([*names, rest_label], probs_at(1.0), width=width, decimals=2)
        bars.shift([-bars.bars[0].get_left()[0] - 0.6, 1.3 - bars.get_top()[1], 0])
        bars.bars[-1].set_fill(PALETTE["neutral"])
        left = bars.bars[0].get_left()[0]
        logit_col = VGroup(
            text("logit", 18, PALETTE["muted"]).move_to([-5.4, 1.75, 0]),
            *(
                number(float(logits[i]), size=20, color=PALETTE["muted"]).move_to(
                    [-5.4, bar.get_y(), 0]
                )
                for i, bar in zip(sweep.token_ids, bars.bars, strict=False)
            ),
        )

        def update_bars(group):
            q = probs_at(T.get_value())
            for bar, num, v in zip(group.bars, group.numbers, q, strict=True):
                w = max(width * v, 1e-3)
                bar.stretch_to_fit_width(w)
                bar.move_to([left, bar.get_y(), 0], aligned_edge=LEFT)
                num.set_value(100 * v)
                num.next_to(bar, RIGHT, buff=0.15)

        t_label = VGroup(text("T =", 30), number(1.0, size=30, color=PALETTE["highlight"]))
        t_label.arrange(RIGHT, buff=0.2).move_to([0, -2.2, 0])
        t_label[1].add_updater(lambda m: m.set_value(T.get_value()))
        note = text(
            "T = 0: all of it on the largest logit (no division by zero)", 20, PALETTE["muted"]
        ).to_edge(DOWN, buff=0.4)
        hot_note = text(
            "above 2: more than chat services usually allow", 20, PALETTE["muted"]
        ).to_edge(DOWN, buff=0.4)
        bars.add_updater(update_bars)
        self.play(Write(head), FadeIn(bars), FadeIn(logit_col), FadeIn(t_label))
        stops = {}
        stops[1.0] = [n.text for n in bars.numbers]
        self.wait(1.0)
        for target in targets[1:]:
            self.play(T.animate.set_value(target), run_time=3.0, rate_func=smooth)
            update_bars(bars)
            stops[target] = [n.text for n in bars.numbers]
            if target == 0:
                self.play(FadeIn(note))
            elif target > 2:
                self.play(FadeIn(hot_note))
            self.wait(1.5)
            if target > 2:
                self.play(FadeOut(hot_note), run_time=0.4)
        bars.clear_updaters()
        t_label[1].clear_updaters()
        self.shown["temperature_stops"] = (stops, probs_at)
        self.clear()
        self.step_temperature_text()

    def step_temperature_text(self) -> None:
        gens = {
            T: self.model.generate(
                self.prompt,
                n_tokens=self.text_tokens,
                temperature=T,
                seed=self.seed,
                stop_at_newline=False,
            )
            for T in self.text_temperatures
        }
        hottest = max(self.text_temperatures)
        self.section(
            "Temperature in text",
            (
                f"Here is what the loop writes after the prompt at several temperatures, all with seed "
                f"{self.seed}. At T = 0 it always takes the most likely token. Around T = 1 it picks "
                "less likely tokens now and then. Higher temperatures give rare tokens so much chance "
                f"that the text soon stops making sense, as at T = {hottest:g}; services that let you "
                "set the temperature usually stop at 2."
            ),
        )
        head = title(f"The same prompt at different temperatures (seed {self.seed})")
        prompt = fit(text(f"“{self.prompt}” …", 24, PALETTE["muted"])).next_to(head, DOWN, buff=0.5)
        rows = VGroup()
        for T, gen in gens.items():
            cont = "".join(gen.new_tokens).replace("\n", "↵")
            row = VGroup(
                text(f"T = {T:g}", 22, PALETTE["highlight"]),
                fit(text(cont, 22), 11.0),
            ).arrange(RIGHT, buff=0.4)
            rows.add(row)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.45).next_to(prompt, DOWN, buff=0.6)
        rows.set_x(0)
        notes = [
            f"{self.text_tokens} tokens each; ↵ = a new line; rows above T = 2 go beyond the usual limit"
        ]
        if any("\ufffd" in "".join(gen.new_tokens) for gen in gens.values()):
            notes.append("\ufffd = a token holding only part of a character's bytes")
        note = (
            VGroup(*(text(n, 18, PALETTE["muted"]) for n in notes))
            .arrange(DOWN, buff=0.12)
            .to_edge(DOWN, buff=0.35)
        )
        self.shown["temperature_text"] = gens
        self.play(Write(head), FadeIn(prompt))
        for row in rows:
            self.play(FadeIn(row, shift=0.1 * RIGHT), run_time=0.8)
        self.play(FadeIn(note))
        self.wait()

    # 8 -------------------------------------------------------------------------------------------
    def step_count(self) -> None:
        g, cfg = GPT3_CONFIG, self.model.cfg
        fams, ours = matrix_families(g), matrix_families(cfg)
        n_mat, n_w = sum(f.matrices for f in fams), sum(f.weights for f in fams)
        o_mat, o_w = sum(f.matrices for f in ours), sum(f.weights for f in ours)
        extra = other_parameter_counts(cfg)
        o_all = o_w + sum(extra.values())
        self.section(
            "Counting GPT-3",
            (
                "All of a model's weights sit in eight families of matrices. We have met the embedding "
                "and the unembedding; the key, query, value and output matrices belong to attention, "
                "the up- and down-projections to the MLPs. The code counts them from GPT-3's shape: "
                f"{g.n_layers} layers of {g.n_heads} heads, {g.d_model:,} numbers per token, "
                f"{g.vocab_size:,} tokens. That gives {n_mat:,} matrices holding {n_w:,} weights, the "
                f"175 billion of its name. The same formula on our model gives {o_mat} matrices and "
                f"{o_w:,} weights, plus {sum(extra.values()):,} position weights and biases."
            ),
        )
        head = title(f"GPT-3: {n_mat:,} matrices, {n_w:,} weights")
        header = ["family", "how many", "one matrix", "GPT-3 weights", "ours", "our weights"]
        right = [False, False, False, True, True, True]  # numbers are right-aligned
        rows = [
            [
                f.name,
                how_many(f.matrices, g),
                f"{f.rows:,} × {f.cols:,}",
                f"{f.weights:,}",
                f"{o.matrices}",
                f"{o.weights:,}",
            ]
            for f, o in zip(fams, ours, strict=True)
        ]
        rows.append(["total", f"{n_mat:,}", "", f"{n_w:,}", f"{o_mat}", f"{o_w:,}"])
        cells = []
        for r, row in enumerate([header, *rows]):
            color = (
                PALETTE["muted"]
                if r == 0
                else PALETTE["highlight"]
                if r == len(rows)
                else PALETTE["text"]
            )
            cells.append([text(c, 19, color) if c else None for c in row])
        widths = [max(row[k].width for row in cells if row[k] is not None) for k in range(6)]
        gap = 0.5
        x = -(sum(widths) + gap * 5) / 2
        table = VGroup()
        for k, w in enumerate(widths):
            for r, row in enumerate(cells):
                m = row[k]
                if m is None:
                    continue
                y = 2.55 - 0.5 * r - (0.15 if r == len(rows) else 0)
                if right[k]:
                    m.move_to([x + w, y, 0], aligned_edge=RIGHT)
                else:
                    m.move_to([x, y, 0], aligned_edge=LEFT)
                on_baseline(m, y - 0.08)
                table.add(m)
            x += w + gap
        y_line = 2.55 - 0.5 * len(rows) + 0.27
        line = Line([table.get_left()[0], y_line, 0], [table.get_right()[0], y_line, 0])
        line.set_stroke(PALETTE["muted"], 1)
        note = VGroup(
            text(
                f"one matrix: rows × columns as the lecture draws them; d_head = "
                f"{g.d_model:,} / {g.n_heads} = {g.d_head}",
                17,
                PALETTE["muted"],
            ),
            text(
                f"our model also has {extra['position_embedding']:,} position weights and "
                f"{extra['mlp_biases']:,} MLP biases: {o_all:,} parameters in all",
                17,
                PALETTE["muted"],
            ),
        ).arrange(DOWN, buff=0.12)
        note.to_edge(DOWN, buff=0.3)
        self.shown["count_rows"] = rows
        self.shown["count_totals"] = (n_mat, n_w, o_mat, o_w, o_all)
        self.play(Write(head))
        self.play(FadeIn(table, lag_ratio=0.02), Create(line), run_time=2.5)
        self.play(FadeIn(note))
        self.wait()

    STEPS = (
        "prediction",
        "tokens",
        "lookup",
        "space",
        "directions",
        "context",
        "unembedding",
        "softmax",
        "count",
    )


class Prediction(NextTokenScene):
    """1. The real next-token distribution, the sampling loop with a seed, a chatbot's framing."""

    def construct(self) -> None:
        self.step_prediction()


class Tokens(NextTokenScene):
    """2. The prompt and a sentence cut by the real tokenizer: pieces of words, punctuation."""

    def construct(self) -> None:
        self.step_tokens()


class EmbeddingLookup(NextTokenScene):
    """3. Each token takes its column of W_E; vocabulary x d_model, and GPT-3's 617,558,016."""

    def construct(self) -> None:
        self.step_lookup()


class EmbeddingSpace(NextTokenScene):
    """4a. A rotating 3-D PCA of real embeddings and the nearest neighbours of a word."""

    def construct(self) -> None:
        self.step_space()


class EmbeddingDirections(NextTokenScene):
    """4b. woman - man against queen - king, the analogy, and dot products with a plural direction."""

    def construct(self) -> None:
        self.step_directions()


class Context(NextTokenScene):
    """5. The context window and the context-by-d_model array flowing through the blocks."""

    def construct(self) -> None:
        self.step_context()


class Unembedding(NextTokenScene):
    """6. Why the last position; W_U turns the last vector into logits and probabilities."""

    def construct(self) -> None:
        self.step_unembedding()


class SoftmaxTemperature(NextTokenScene):
    """7. softmax(1, 2, 8), the real bars as T moves through 1, 2 and 0, and text at several T."""

    def construct(self) -> None:
        self.step_softmax()


class CountingGPT3(NextTokenScene):
    """8. The eight matrix families: 27,938 matrices and 175,181,291,520 weights from the config."""

    def construct(self) -> None:
        self.step_count()


class NextTokenChapter(NextTokenScene):
    """The whole opening chapter in one video."""

    chapter_title = "From text to the next token"

    def construct(self) -> None:
        for step in self.STEPS:
            getattr(self, f"step_{step}")()
            self.clear()

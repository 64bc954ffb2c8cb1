"""What every step of the opening chapter shares: its settings and examples, the prompt's trace,
analyses computed once per model and setting, and helpers that write tokens and values the same
way on screen and in the narration."""

from __future__ import annotations

import functools

import numpy as np
from manim import DOWN, RIGHT, UP, ThreeDCamera, ThreeDScene, VGroup

import llmviz
from llmviz.layout import fill_frame, fit_width, text
from llmviz.mobjects import FastText
from llmviz.model.loader import Generation
from llmviz.model.tokenizer import END_OF_TEXT
from llmviz.model.trace import probabilities
from llmviz.scene import LectureScene
from llmviz.style import MONO_FONT, PALETTE

__all__ = [
    "NextTokenScene",
    "fill",
    "safe_token",
    "token_text",
    "token_layout",
    "token_lines",
    "generation",
    "surprise",
    "split_words",
    "own_training_log",
]


def fill(group, title=True, caption=False, max_scale: float = 1.5):
    """:func:`llmviz.layout.fill_frame`, but never smaller: a picture that does not fit the
    frame's safe area keeps its size and place (its text stays as large as it was built)."""
    width, center = group.width, group.get_center()
    fill_frame(group, title=title, caption=caption, max_scale=max_scale)
    if group.width < width - 1e-6:
        group.scale(width / group.width).move_to(center)
    return group


def safe_token(token: str) -> str:
    """A token as it can be drawn: the end-of-text token (which decodes to nothing) by its name,
    other invisible characters (tab, form feed, ...) escaped."""
    if token == "":
        return END_OF_TEXT
    if token.strip() == "" and set(token) - {" ", "\n"}:
        return repr(token)[1:-1]
    return token


def token_layout(pieces: list[str], width: float = 12.0, size: float = 24) -> list[tuple]:
    """Where :func:`token_text` puts each token: ``(x, line, drawn text)``, from the monospace
    font's character width alone (no text is built, so it is cheap to try many prompts)."""
    cw = FastText("0" * 10, font_size=size, font=MONO_FONT).advance / 10
    places, x, line = [], 0.0, 0
    for piece in pieces:
        shown = piece.replace("\n", "↵")
        lead = len(shown) - len(shown.lstrip(" "))
        body = shown.lstrip(" ")
        if x > 0 and x + len(shown) * cw > width:
            x, line = 0.0, line + 1
            lead = 0  # a space at the start of a line is not drawn
        places.append((x + lead * cw, line, body))
        x += (lead + len(body)) * cw
        if "\n" in piece:
            x, line = 0.0, line + 1
    return places


def token_lines(pieces: list[str], width: float = 12.0, size: float = 24) -> int:
    """How many lines :func:`token_text` takes for ``pieces``."""
    places = token_layout(pieces, width, size)
    return places[-1][1] + 1 if places else 0


def token_text(
    pieces: list[str],
    colors: list[str],
    width: float = 12.0,
    size: float = 24,
    line_gap: float = 0.5,
) -> VGroup:
    """Tokens laid out as running text in the monospace font (one mobject per token), wrapped
    at ``width`` (:func:`token_layout`).

    A newline inside a token shows as "↵" and breaks the line after it. The result's ``[i]`` is
    token ``i`` and has ``.text`` (what is drawn) and ``.token`` (the token itself).
    """
    group = VGroup()
    places = token_layout(pieces, width, size)
    for piece, color, (x, line, body) in zip(pieces, colors, places, strict=True):
        mob = FastText(body or " ", font_size=size, font=MONO_FONT, color=color)
        mob.place(x, 0.0, "left")
        mob.shift(UP * (-line * line_gap - mob.baseline))  # tokens share their line's baseline
        mob.token = piece
        group.add(mob)
    return group


@functools.lru_cache(maxsize=64)
def generation(
    model_key: str, prompt: str, n_tokens: int, temperature: float, seed: int, stop: bool
) -> Generation:
    """``Model.generate`` with its candidates (top 4), computed once per setting."""
    model = llmviz.load_model(model_key or None)
    return model.generate(
        prompt,
        n_tokens=n_tokens,
        temperature=temperature,
        seed=seed,
        top_k=4,
        stop_at_newline=stop,
    )


def surprise(model, g: Generation) -> float:
    """The model's mean surprise (``-ln p`` at temperature 1, in nats) at the tokens of ``g``,
    each given the prompt and the tokens before it: low for text it finds likely."""
    ids = model.encode(g.prompt)
    total = 0.0
    for tok, cands in zip(g.new_tokens, g.steps, strict=True):
        tid = next(c.id for c in cands if c.token == tok)
        total -= float(np.log(probabilities(model.next_logits(ids), 1.0)[tid]))
        ids = ids + [tid]
    return total / max(1, len(g.new_tokens))


def split_words(model, words) -> tuple[list[str], list[str]]:
    """``words`` split into those that are one token of the model's vocabulary and those that are
    not (another model's tokenizer cuts them into pieces, or does not have them)."""
    found, missing = [], []
    for w in words:
        (found if model.tokenizer.token_id(w) is not None else missing).append(w)
    return found, missing


def own_training_log(model_dir: str | None) -> dict | None:
    """The training log written beside the model (``llmviz train``), or ``None`` when the model
    has none (a Hugging Face GPT-2 folder): scenes then say so instead of showing another
    model's history."""
    from llmviz.errors import ModelFileError
    from llmviz.model.train import load_training_log

    try:
        return load_training_log(model_dir or None)
    except ModelFileError:
        return None


class NextTokenScene(LectureScene, ThreeDScene):
    """The chapter's settings and examples, the prompt's trace and what is on screen by name.

    ``prompt``, ``temperature`` and ``seed`` follow the llmviz settings; the other examples are
    class attributes that a subclass can change.

    The chapter has three acts: the opening (prediction, GPT, training), tokens and embeddings
    (from "Tokens"), and the model's way through its context (from "Context window"); only
    before those does the screen go dark. Its camera is a ``ThreeDCamera`` (with manim's
    ``ThreeDScene`` mixed in), so that the embedding space turns in 3-D; every other step is
    looked at straight down, as with a flat camera.
    """

    unused_settings = {"contrasts": "they are the MLP chapter's"}

    acts = ("tokens", "context")
    camera_kind = ThreeDCamera
    pulse_below = 0.5  # the beats that barely move end by lighting up what they showed

    prompt = "Michael Jordan plays the sport of"
    temperature = 1.0
    seed = 0

    #: How many tokens the sampling loop adds to the prompt.
    loop_tokens = 10
    #: The chatbot framing: a system text, then the user's question, then "Assistant:".
    system_prompt = "A user talks with an assistant who knows every athlete."
    chat_question = "What sport does Michael Jordan play?"
    #: A sentence with punctuation and words the small vocabulary cuts into pieces.
    token_example = "Unbelievably, Michael Jordan plays unbelievable basketball!"
    #: Words drawn in the 3-D picture of the embedding space, in coloured groups.
    space_groups = (
        ("sports", (" basketball", " golf", " swimming", " boxing")),
        ("people", (" man", " woman", " king", " queen")),
        ("animals", (" cat", " cats", " dog", " dogs")),
    )
    #: Groups of recorded words whose training snapshots are drawn (training_log.json).
    snapshot_groups = (
        ("people", (" man", " woman", " king", " queen")),
        ("animals", (" cat", " cats", " dog", " dogs")),
        ("sports", (" basketball", " swimming", " tennis", " golf")),
        ("adjectives", (" fluffy", " blue", " red", " scaly")),
    )
    #: The analogy "a is to b as c is to d".
    gender = ((" man", " woman"), (" king", " queen"))
    #: A direction (from, to), singular/plural pairs dotted with it, and words the angle sweeps.
    plural = (" cat", " cats")
    noun_pairs = ((" dog", " dogs"), (" bird", " birds"), (" tree", " trees"))
    other_words = (" the", " basketball")
    #: A word with several meanings (its contexts come from the corpus's sentences).
    sense_word = " mole"
    #: A noun in three contexts, and the two model directions its changes are measured against.
    tower_contexts = ("The tower", "The Eiffel tower", "The miniature Eiffel tower")
    tower_directions = (" Paris", " tall")
    #: Temperatures of the text samples in the softmax step.
    text_temperatures = (0.0, 1.0, 2.0, 3.0)
    text_tokens = 12

    def setup(self) -> None:
        super().setup()
        self.t = self.trace(self.prompt)

    @property
    def model_key(self) -> str:
        return self.model_dir or ""

    @property
    def answer(self) -> str:
        """The model's most likely next token for the prompt."""
        return self.t.top_k(1)[0].token

    def generate(self, prompt: str, n_tokens: int, temperature: float, seed: int, stop=False):
        return generation(self.model_key, prompt, n_tokens, float(temperature), seed, stop)

    @staticmethod
    def beside(
        head, left, right, buff: float = 0.6, width: float = 13.0, below: float = 0.35
    ) -> VGroup:
        """Put ``right`` beside ``left`` under ``head``, shrunk together to ``width``; call it
        before drawing anything placed by a plane's coordinates (arrows, dots)."""
        group = VGroup(left, right).arrange(RIGHT, buff=buff, aligned_edge=UP)
        fit_width(group, width)
        return group.next_to(head, DOWN, buff=below)

    def caption_below(self, plane) -> FastText:
        """Move a plane's caption (which projection, how much spread) to the bottom of the
        frame, where a long one has room; it stays ``plane.caption``. Fade it in with the
        plane: it is no longer part of it."""
        cap = plane.caption
        plane.remove(cap)
        fit_width(cap).to_edge(DOWN, buff=0.3)
        return cap

    def not_found(self, s: str) -> FastText:
        """An on-screen note, in the highlight colour, that the model lacks what a step needs."""
        return fit_width(text(s, 24, PALETTE["highlight"]))

    def gather(self, group):
        """Make ``group``, whose parts were animated onto the screen one by one, a single mobject
        on screen (as :meth:`hand_over` needs), and return it."""
        if group not in self.mobjects:
            self.remove(*group.get_family())
            self.add(group)
        return group

    def unpack(self, group):
        """Put the parts of ``group`` on screen one by one instead of ``group`` (after a
        transform into the group, so that each part can be handed over or moved alone)."""
        self.remove(group)
        self.add(*group.submobjects)
        return group

    def received_any(self, *names):
        """The first of ``names`` that the previous step handed over (:meth:`received`), or
        None: a step that takes over one of several possible pictures."""
        for name in names:
            got = self.received(name)
            if got is not None:
                return got
        return None

    def words_of(self, words) -> tuple[list[str], list[str]]:
        """The example words that are single tokens of this model, and those that are not."""
        return split_words(self.model, words)

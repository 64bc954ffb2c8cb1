"""The opening chapter's first eleven steps played as one lecture (dry run): what each step hands
over is what the next step's first beat transforms, the screen goes dark only where the second
act ("Tokens") opens, the embedding lookup moves the camera in and back out, and no text covers
another text halfway through an animation. Each step still opens by itself when played alone."""

import pytest
from manim import config
from scene_loader import flow_problems, load, narration_problems, render

from llmviz.style import format_number

nt = load("next_token")

#: Steps 1 to 11, in the chapter's order.
FIRST_HALF = (
    "prediction",
    "loop",
    "chat",
    "history",
    "gpt",
    "training_data",
    "dials",
    "unseen",
    "tokens",
    "lookup",
    "weights_data",
)
#: What each step hands to the next inside an act (the transitions not named hand nothing).
HANDED = {
    ("prediction", "loop"): {"strip", "bars"},
    ("loop", "chat"): {"text"},
    ("history", "gpt"): {"one_pass"},
    ("gpt", "training_data"): {"pretrained"},
    ("dials", "unseen"): {"prompt"},
    ("tokens", "lookup"): {"prompt", "ids"},
    ("lookup", "weights_data"): {"matrix", "name"},
}
NAMES = {"Michael", "Jordan", "Paris", "Eiffel", "GPT", "Messi", "Tiger", "Woods"}


class FirstHalf(nt.NextTokenChapterScene):
    """Steps 1 to 11 in one scene, the second act opening at "Tokens"; it notes the camera's
    width after every animation."""

    acts = ("tokens",)
    plays = FIRST_HALF

    def setup(self):
        super().setup()
        self.camera_widths = []

    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        section = self.narration[-1][0] if self.narration else None
        self.camera_widths.append((section, float(self._camera_now()[1])))


@pytest.fixture(scope="module")
def half():
    return render(FirstHalf, frame_rate=1)


def test_what_a_step_hands_over_is_what_the_next_transforms(half):
    assert flow_problems(half) == []
    steps = [(h.before, h.after) for h in half.handovers]
    assert steps == list(zip(FIRST_HALF, FIRST_HALF[1:], strict=False))
    dark = [(h.before, h.after) for h in half.handovers if h.dark]
    assert dark == [("unseen", "tokens")]
    for h in half.handovers:
        if h.dark:
            assert h.handed == () and h.transformed == ()
            continue
        expected = HANDED.get((h.before, h.after), set())
        assert set(h.handed) == expected == set(h.transformed), h
    in_act = [h for h in half.handovers if not h.dark]
    assert sum(1 for h in in_act if h.handed) / len(in_act) >= 0.6


def test_the_lecture_is_tidy_during_and_after_every_animation(half):
    assert half.outside == [] and half.overlaps == [] and sorted(set(half.small)) == []
    assert half.overlaps_midway == []
    assert narration_problems(half, NAMES) == []


def test_the_camera_moves_in_and_back_out_within_a_step(half):
    full = config.frame_width
    widths = {}
    for section, width in half.camera_widths:
        widths.setdefault(section, []).append(width)
    lookup = widths["Embedding lookup"]
    assert min(lookup) < 0.7 * full  # in to the first token and its column
    for section, seen in widths.items():
        assert seen[-1] == pytest.approx(full), section  # every step ends zoomed out
    # the other moves in: the dials, the scale up to GPT-3's tokens, a word cut into pieces
    for section in ("Training tunes the dials", "Training data", "Tokens"):
        assert min(widths[section]) < 0.95 * full, section
    # the token the camera moves in on is the one whose column is drawn under it
    vec, token_id = half.shown["lookup_vectors"][0]
    assert token_id == half.t.token_ids[0]


def test_the_handed_objects_keep_the_models_values(half, model):
    # the loop's text (handed on to the chat) is still the prompt and the sampled tokens
    g = half.shown["loop"]
    assert [m.token for m in half.shown["loop_text"]] == [*half.t.tokens, *g.new_tokens]
    # the embedding matrix that becomes W_Q is W_E, transposed
    m = half.shown["lookup_matrix"]
    assert m.shape == (model.cfg.d_model, model.cfg.vocab_size)
    assert m.cell(0, 0).text == format_number(float(model.W_E[0, 0]), 2)


ALONE = {
    "Prediction": "Predicting the next token",
    "SamplingLoop": "Sampling in a loop",
    "Chatbot": "A chatbot continues a text",
    "WordByWord": "One word at a time, or all at once",
    "WhatGPTMeans": "Generative Pre-trained Transformer",
    "Tokens": "Tokens",
    "EmbeddingLookup": "Embedding lookup",
}


@pytest.mark.parametrize("name", list(ALONE))
def test_a_step_alone_builds_its_own_opening(name):
    scene = render(getattr(nt, name), frame_rate=1)
    assert [s for s, _ in scene.narration] == [ALONE[name]]
    assert scene.handovers == []  # nothing before it: no hand-over, nothing received
    assert scene._received == {}
    assert (scene.outside, scene.overlaps, scene.small, scene.overlaps_midway) == ([], [], [], [])
    assert narration_problems(scene, NAMES) == []
    assert not scene.zoomed

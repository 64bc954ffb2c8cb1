"""How steps flow into one another inside a chapter (LectureScene.acts, hand_over, received,
title_in), the camera's zoom, and the checks that the chapter tests run on them."""

from __future__ import annotations

import pytest
from manim import (
    Circle,
    Create,
    FadeIn,
    FadeTransform,
    ReplacementTransform,
    Square,
    Triangle,
    config,
)
from scene_loader import count_problems, flow_problems, render

from llmviz.errors import ArgumentError
from llmviz.layout import title
from llmviz.scene import Handover, LectureScene
from llmviz.steps import ALL_STEPS, step


class Flow(LectureScene):
    """Three steps: the first hands a square to the second, the third opens a new act."""

    acts = ("third",)

    def setup(self):
        super().setup()
        self.seen = {}  # what each step found on screen when it began

    def _look(self, name):
        self.seen[name] = {
            "on_screen": len(self.mobjects),
            "received": self.received("shape"),
            "mobjects": list(self.mobjects),
        }

    @step("First", order=1)
    def step_first(self):
        self._look("first")
        head = title("First")
        self.square, self.circle = Square(), Circle()
        self.circle.shift([3, 0, 0])
        self.first_intro = self.title_in(head)
        self.say(
            "A square and a circle.", self.first_intro, Create(self.square), Create(self.circle)
        )
        self.hand_over(shape=self.square)

    @step("Second", order=2)
    def step_second(self):
        self._look("second")
        head = title("Second")
        self.second_intro = self.title_in(head)
        shape = self.received("shape")
        self.triangle = Triangle()
        opening = ReplacementTransform(shape, self.triangle) if shape else Create(self.triangle)
        self.say("The square becomes a triangle.", self.second_intro, opening)
        self.hand_over(shape=self.triangle)  # lost: the next step opens an act

    @step("Third", order=3)
    def step_third(self):
        self._look("third")
        self.say("A new act.", self.title_in(title("Third")))


class WholeFlow(Flow):
    plays = ALL_STEPS


class SecondAlone(Flow):
    plays = ("second",)


@pytest.fixture(scope="module")
def whole():
    return render(WholeFlow)


def test_a_step_hands_over_inside_an_act_and_goes_dark_only_before_an_act(whole):
    assert whole.handovers == [
        Handover("first", "second", ("shape",), ("shape",), False),
        Handover("second", "third", ("shape",), (), True),
    ]
    assert flow_problems(whole) == []
    second = whole.seen["second"]
    # never dark: everything of the first step is still there when the second begins
    assert second["received"] is whole.square and second["on_screen"] >= 3
    assert whole.seen["third"] == {"on_screen": 0, "received": None, "mobjects": []}


def test_the_title_turns_into_the_next_and_the_rest_fades_with_the_first_play(whole):
    assert isinstance(whole.first_intro, FadeIn)  # the chapter's first title comes from above
    assert isinstance(whole.second_intro, FadeTransform)  # the next turns out of it
    # the circle, not handed over, faded out during the second step's first beat
    assert whole.circle in whole.seen["second"]["mobjects"]
    assert whole.circle not in whole.mobjects and whole.square not in whole.mobjects


def test_a_step_played_alone_builds_its_own_opening():
    alone = render(SecondAlone)
    assert alone.seen["second"]["received"] is None
    assert isinstance(alone.second_intro, FadeIn)
    assert alone.handovers == [] and flow_problems(alone) == []


def test_flow_problems_names_a_hand_over_the_next_step_ignores_and_a_dark_cut_in_an_act():
    class Ignores(WholeFlow):
        acts = ()

        @step("Second", order=2)
        def step_second(self):
            self.say("It builds something else.", self.title_in(title("Second")), Create(Circle()))

    class DarkInside(WholeFlow):
        acts = ()

        @step("First", order=1)
        def step_first(self):
            self.say("Nothing stays.", self.title_in(title("First")))
            self.remove(*self.mobjects)

    ignores = render(Ignores)
    assert flow_problems(ignores) == ["first -> second: handed ['shape'], first beat transforms []"]
    assert flow_problems(render(DarkInside)) == [
        "first -> second: dark inside an act",
        "second -> third: handed ['shape'], first beat transforms []",  # no act opens there now
    ]


class Zoom(LectureScene):
    def construct(self):
        self.section("Zoom")
        self.cell = Square(side_length=0.5).shift([3, 1, 0])
        self.add(self.cell)
        self.say("Look closely.", self.zoom_to(self.cell, margin=2))
        self.zoomed_in = (self.zoomed, self.camera.frame.width, self.camera.frame.get_center())
        self.say("And back.", self.zoom_out())


def test_the_camera_moves_in_to_a_mobject_and_back_out():
    scene = render(Zoom)
    zoomed, width, center = scene.zoomed_in
    assert zoomed and width == pytest.approx(0.5 * 2 * config.frame_width / config.frame_height)
    assert center[:2] == pytest.approx([3, 1])
    assert not scene.zoomed and scene.camera.frame.width == pytest.approx(config.frame_width)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda s: s.zoom_to("cell"), "mobject to look at"),
        (lambda s: s.zoom_to(Square(), margin=0.5), "at least 1"),
        (lambda s: s.hand_over(strip=[1, 2]), "strip must be a mobject"),
        (lambda s: s.received(3), "a name"),
        (lambda s: s.title_in("Title"), "title mobject"),
    ],
)
def test_bad_arguments_say_what_is_allowed(call, match):
    scene = Flow()
    with pytest.raises(ArgumentError, match=match):
        call(scene)


def test_the_chapter_is_one_slide_per_step_and_the_next_slide_opens_on_the_handed_picture(
    tmp_path, monkeypatch
):
    import json

    import av
    from manim import tempconfig

    from llmviz.scene import SLIDES, SLIDES_FOLDER_ENV
    from llmviz.screen import BLANK_INK, frame_ink_fill

    if not SLIDES:
        pytest.skip("manim-slides is not installed")
    monkeypatch.setenv(SLIDES_FOLDER_ENV, str(tmp_path / "slides"))
    with tempconfig({"quality": "low_quality", "media_dir": str(tmp_path / "media")}):
        WholeFlow().render()
    deck = json.loads((tmp_path / "slides" / "WholeFlow.json").read_text())
    assert [s["notes"] for s in deck["slides"]] == [
        "A square and a circle.",
        "The square becomes a triangle.",
        "A new act.",
    ]

    def opening_ink(slide) -> list[float]:
        """The ink of each frame in the slide's first second."""
        with av.open(str(tmp_path / "slides" / slide["file"])) as video:
            frames = [f for _, f in zip(range(15), video.decode(video=0), strict=False)]
        return [frame_ink_fill(f.to_ndarray(format="rgb24"))[0] for f in frames]

    # the second slide opens on what the first left (the square it transforms) and never goes
    # dark; the third, an act of its own, passes through black before its title comes in
    assert min(opening_ink(deck["slides"][1])) > 2 * BLANK_INK
    assert min(opening_ink(deck["slides"][2])) < BLANK_INK


CHAPTER_BASES = {
    "next_token": ("next_token_steps/common.py", "NextTokenScene"),
    "attention": ("attention_steps/common.py", "AttentionScene"),
    "mlp": ("mlp_steps/common.py", "MLPScene"),
    "foundations": ("foundations_steps/common.py", "FoundationsScene"),
}


@pytest.mark.parametrize("chapter", sorted(CHAPTER_BASES))
def test_a_chapter_names_exactly_the_settings_its_steps_never_read(chapter):
    """seed, temperature and contrasts reach a chapter only through ``self.<name>``: the ones a
    chapter declares unused are read by none of its steps, and the others by some step."""
    import re

    from scene_loader import ROOT, load

    module = load(chapter)
    base = next(
        getattr(module, n)
        for n in dir(module)
        if isinstance(getattr(module, n), type)
        and CHAPTER_BASES[chapter][1] in [k.__name__ for k in getattr(module, n).__mro__]
    )
    code = " ".join(p.read_text() for p in [*(ROOT / "scenes" / f"{chapter}_steps").glob("*.py")])
    for name in ("seed", "temperature", "contrasts"):
        read = bool(re.search(rf"self\.{name}\b(?!\s*=[^=])", code))
        assert (name in base.unused_settings) == (not read), (chapter, name)


@pytest.mark.parametrize(
    "sentence, bad",
    [
        ("At the token, 1 neurons are on.", True),
        ("1 of 256 neurons are on at the token.", True),
        ("Here are all 1, summed into what the block adds.", True),
        ("The fewest that do are 0 neurons.", True),
        ("1 of 256 neurons is on at the token.", False),
        ("Step 1 picks a token, and the single 1 picks out row 38.", False),
        ("3 neurons are on, 1 neuron is off, 1.5 points, 10 neurons, 1,001 tokens.", False),
    ],
)
def test_the_narration_check_catches_counts_that_do_not_agree(sentence, bad):
    assert bool(count_problems(sentence)) == bad, count_problems(sentence)

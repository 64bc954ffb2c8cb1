"""The step decorator: a chapter's steps carry their section title and order, a scene plays the
steps it names, and listing reads the titles without rendering anything."""

from __future__ import annotations

import pytest

from llmviz.errors import ArgumentError
from llmviz.scene import LectureScene
from llmviz.steps import ALL_STEPS, Step, chapter_steps, played_steps, step
from llmviz.workflow import find_scenes, scene_listing, scene_sections


class Chapter(LectureScene):
    @step("Later idea", order=2)
    def step_later(self):
        self.opened.append(self._open.name)

    @step("First idea", order=1)
    def step_first(self):
        self.opened.append(self._open.name)


class Whole(Chapter):
    plays = ALL_STEPS


class JustOne(Chapter):
    plays = ("later",)


def test_steps_are_ordered_by_their_decorator_not_their_place_in_the_file():
    assert chapter_steps(Whole) == [Step("first", "First idea", 1), Step("later", "Later idea", 2)]
    assert [s.name for s in played_steps(JustOne)] == ["later"]


def test_calling_a_step_opens_its_section_first():
    class Probe:
        def __init__(self):
            self.opened, self._open = [], None

        def section(self, name):
            self._open = type("S", (), {"name": name})()

    probe = Probe()
    Chapter.step_later(probe)
    assert probe.opened == ["Later idea"]


@pytest.mark.parametrize(
    "title, order, match",
    [("", 1, "section title"), (3, 1, "section title"), ("T", 0, "order"), ("T", True, "order")],
)
def test_a_bad_step_says_what_is_allowed(title, order, match):
    with pytest.raises(ArgumentError, match=match):
        step(title, order)


def test_only_step_methods_can_be_steps_and_plays_names_real_steps():
    with pytest.raises(ArgumentError, match="step_<name>"):
        step("T", 1)(lambda self: None)

    class Wrong(Chapter):
        plays = ("nope",)

    with pytest.raises(ArgumentError, match="no step 'nope'.*first, later"):
        played_steps(Wrong)


SCENE = '''
from llmviz.scene import LectureScene
from llmviz.steps import ALL_STEPS, step

class Base(LectureScene):
    @step("Two", order=2)
    def step_two(self):
        pass

    @step("One", order=1)
    def step_one(self):
        pass

class Everything(Base):
    """Both steps."""
    chapter_title = "A small chapter"
    plays = ALL_STEPS

class Second(Base):
    """The second step."""
    plays = ("two",)

class Own(LectureScene):
    def construct(self):
        self.section("Mine")
'''


def test_listing_reads_sections_from_the_decorators(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "small.py").write_text(SCENE)
    refs = find_scenes(tmp_path / "scenes")
    assert [r.name for r in refs] == ["Everything", "Second", "Own"]  # Base plays nothing
    assert refs[0].title == "A small chapter" and refs[1].doc == "The second step."
    assert scene_sections(refs[1]) == ["Two"]
    listing = dict((r.name, s) for r, s in scene_listing(tmp_path / "scenes"))
    assert listing == {"Everything": ["One", "Two"], "Second": ["Two"], "Own": []}
    assert list((tmp_path / "cache" / "scenes").glob("*.json"))  # kept for the next listing

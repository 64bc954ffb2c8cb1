"""A chapter rendered in parts (llmviz.workflow.parts): the joined video has every frame, the
sound track, the subtitles and the narration of a one-process render; `--part I/N` and
`llmviz join` from the command line, with their errors; the parts on a local Ray."""

import hashlib
import json
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from rendered import scene_project

from llmviz.cli import main
from llmviz.errors import LLMVizError
from llmviz.workflow import render_scenes, resolve_scenes
from llmviz.workflow.parts import (
    _balanced_cuts,
    join_parts,
    parse_part,
    parts_folder,
    plan_parts,
)

pytestmark = pytest.mark.slow

CHAPTER = '''
from manim import Circle, Create, FadeIn, ReplacementTransform, Square, Triangle

from llmviz.layout import title
from llmviz.mobjects import FastNumber
from llmviz.scene import LectureScene
from llmviz.steps import ALL_STEPS, step


class Tiny(LectureScene):
    """Three short steps: the first hands a square on, the third opens an act and zooms."""

    acts = ("third",)

    @step("First", order=1)
    def step_first(self):
        self.square = Square()
        self.say("A square.", self.title_in(title("First")), Create(self.square))
        self.hand_over(shape=self.square)

    @step("Second", order=2)
    def step_second(self):
        self.triangle = Triangle()
        self.say(
            "It becomes a triangle.",
            self.title_in(title("Second")),
            ReplacementTransform(self.received("shape"), self.triangle),
        )

    @step("Third", order=3)
    def step_third(self):
        number = FastNumber(2.5).shift([2, 0, 0])
        self.say("A new act.", self.title_in(title("Third")), FadeIn(number))
        self.say("Look closely.", self.zoom_to(number, margin=2), Create(Circle()))


class TinyChapter(Tiny):
    plays = ALL_STEPS


class TinyFirst(Tiny):
    plays = ("first",)
'''
ENV = {"LLMVIZ_VOICE": "espeak"}  # a sound track, so that its join is checked too
#: x264 with B-frames (tune=animation), whose reordered timestamps the join must keep
PRESET = "veryfast"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return scene_project(tmp_path_factory, "parts", {"tiny.py": CHAPTER})


@pytest.fixture(scope="module")
def ref(project):
    return resolve_scenes(["TinyChapter"], project / "scenes")[0]


@pytest.fixture(scope="module")
def whole(project, ref):
    """The chapter in one process: what the parts must give."""
    (result,) = render_scenes(
        [ref], "l", jobs=1, media_dir=project / "whole", settings_env=ENV, preset=PRESET
    )
    assert result.ok, result.log
    return result.video


def frame_hashes(video: Path) -> list[str]:
    with av.open(str(video)) as container:
        return [
            hashlib.sha256(frame.to_ndarray(format="rgb24").tobytes()).hexdigest()
            for frame in container.decode(video=0)
        ]


def sound(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        assert container.streams.audio, f"{video} has no sound track"
        return np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])


def assert_same_render(joined: Path, whole: Path) -> None:
    """Every decoded frame, the sound, the subtitles and the narration of a one-process render."""
    a, b = frame_hashes(joined), frame_hashes(whole)
    assert len(a) == len(b) and a == b
    assert np.array_equal(sound(joined), sound(whole))
    for suffix in (".srt", ".narration.json"):
        a, b = (v.with_name(v.stem + suffix).read_text() for v in (joined, whole))
        assert a == b, suffix


def test_cuts_balance_the_sections_and_parse_part():
    assert _balanced_cuts([1, 1, 1, 1], 2) == [0, 2, 4]
    assert _balanced_cuts([2, 2, 2, 3, 3], 3) == [0, 2, 4, 5]
    assert _balanced_cuts([3, 1], 5) == [0, 1, 2]  # never an empty part
    assert parse_part(" 3 / 8 ") == (3, 8)
    for bad, why in [("0/2", "from 1 to 2"), ("2/0", "at least 1"), ("a/b", "write I/N")]:
        with pytest.raises(LLMVizError, match=why):
            parse_part(bad)


def test_joined_parts_are_the_one_process_render(project, ref, whole):
    (result,) = render_scenes(
        [ref], "l", jobs=2, media_dir=project / "two", settings_env=ENV, preset=PRESET, parts=2
    )
    assert result.ok, result.log
    assert result.extra["parts"] == 2 and result.video == ref.video(project / "two", "l")
    assert_same_render(result.video, whole)
    # the earlier render's section lengths now balance the cut
    plan = plan_parts(ref, 2, project / "two")
    assert plan.source.endswith("TinyChapter.narration.json") and plan.cuts == (0, 2, 3)
    narration = json.loads(whole.with_suffix(".narration.json").read_text())
    assert [s["name"] for s in narration["sections"]] == ["First", "Second", "Third"]


def test_part_and_join_from_the_command_line(project, ref, whole, monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    run = CliRunner().invoke
    common = ["--scenes-dir", str(project / "scenes"), "--media-dir", str(project / "cli")]
    out = run(main, ["join", "TinyChapter", *common])
    assert out.exit_code == 1 and "no parts of tiny:TinyChapter at -ql" in out.output
    out = run(main, ["render", "TinyChapter", "--part", "3/2", *common])
    assert out.exit_code == 2 and "the part must be from 1 to 2" in out.output
    out = run(main, ["render", "TinyChapter", "--part", "1/4", *common])
    assert out.exit_code == 1 and "at most 3 part(s), not 4" in out.output
    out = run(main, ["render", "TinyChapter", "TinyFirst", "--part", "1/2", *common])
    assert out.exit_code == 1 and "name one scene, not 2" in out.output

    out = run(main, ["render", "TinyChapter", "--part", "2/2", "--preset", PRESET, *common])
    assert out.exit_code == 0, out.output
    assert (
        "part 2/2 of tiny:TinyChapter" in out.output
        and "1 section(s), 'Third' to 'Third'" in out.output
    )
    out = run(main, ["join", "TinyChapter", *common])
    assert out.exit_code == 1 and "part(s) 1/2 missing" in out.output
    out = run(main, ["render", "TinyChapter", "--part", "1/2", "--preset", PRESET, *common])
    assert out.exit_code == 0, out.output
    out = run(main, ["join", "TinyChapter", *common])
    assert out.exit_code == 0, out.output
    assert_same_render(ref.video(project / "cli", "l"), whole)

    # a part of another cut in the folder: the join refuses, naming both cuts
    folder = parts_folder(ref, project / "cli", "l")
    stray = folder / "TinyChapter.part1of3.part.json"
    stray.write_text((folder / "TinyChapter.part01of02.part.json").read_text())
    with pytest.raises(LLMVizError, match="its name and contents disagree"):
        join_parts(ref, "l", project / "cli")
    info = json.loads(stray.read_text())
    stray.write_text(json.dumps({**info, "part": 1, "parts": 3}))
    out = run(main, ["join", "TinyChapter", *common])
    assert out.exit_code == 1 and "cut in 2 and 3 parts" in out.output
    stray.unlink()
    # a part whose video does not match its times
    manifest = folder / "TinyChapter.part02of02.part.json"
    info = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**info, "end": info["end"] + 1}))
    with pytest.raises(LLMVizError, match="part 2/2 has .* frames, not the"):
        join_parts(ref, "l", project / "cli")


def test_the_parts_run_on_a_local_ray(project, ref, whole):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        (result,) = render_scenes(
            [ref],
            "l",
            jobs=2,
            media_dir=project / "ray",
            settings_env=ENV,
            executor="ray",
            preset=PRESET,
            parts=2,
        )
    finally:
        ray.shutdown()
    assert result.ok, result.log
    assert_same_render(result.video, whole)

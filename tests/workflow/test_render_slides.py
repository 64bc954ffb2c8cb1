"""llmviz render / slides / list on small scenes: parallel renders, failures, decks, subtitles."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rendered import scene_project

from llmviz.cli import main
from llmviz.errors import LLMVizError
from llmviz.workflow import find_scenes, make_slides, render_scenes, resolve_scenes

SCENE_A = '''
from manim import FadeIn, FadeOut
from llmviz.mobjects import FastNumber
from llmviz.scene import LectureScene

class Alpha(LectureScene):
    """Two short sections."""
    chapter_title = "Two short sections"
    reading_speed = 0

    def construct(self):
        self.section("First", "One sentence here. Another one follows.")
        self.play(FadeIn(FastNumber(1.5)), run_time=0.5)
        self.section("Second", "The last words.")
        self.play(FadeIn(FastNumber(-2.0).shift([0, -1, 0])), run_time=0.5)


class Gamma(LectureScene):
    """Each section fades out at its end, as the chapters do."""
    reading_speed = 0

    def construct(self):
        for k in range(2):
            self.section(f"Step {k}", "Something is shown.")
            self.play(FadeIn(FastNumber(8.88, font_size=96)), run_time=0.5)
            self.end_section()
            self.play(FadeOut(*self.mobjects), run_time=0.5)
'''
SCENE_B = '''
from manim import FadeIn
from llmviz.mobjects import FastText
from llmviz.scene import LectureScene

class Beta(LectureScene):
    """One section."""
    reading_speed = 0

    def construct(self):
        self.section("Only", "A single section.")
        self.play(FadeIn(FastText("beta")), run_time=0.5)

class Broken(LectureScene):
    """Fails on purpose."""

    def construct(self):
        raise RuntimeError("this scene is broken on purpose")
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return scene_project(tmp_path_factory, "project", {"alpha.py": SCENE_A, "beta.py": SCENE_B})


@pytest.fixture(scope="module")
def rendered(project):
    refs = resolve_scenes(["Alpha", "beta:Beta", "Broken", "Gamma"], project / "scenes")
    results = render_scenes(refs, "l", jobs=3, media_dir=project / "media", sections=True)
    return {r.scene.name: r for r in results}


def test_find_and_resolve_scenes(project):
    names = [s.label for s in find_scenes(project / "scenes")]
    assert names == ["alpha:Alpha", "alpha:Gamma", "beta:Beta", "beta:Broken"]
    with pytest.raises(LLMVizError, match="unknown scene 'Delta'"):
        resolve_scenes(["Delta"], project / "scenes")
    with pytest.raises(LLMVizError, match="scenes directory not found"):
        find_scenes(project / "nope")


def test_parallel_renders_do_not_clash_and_a_failure_does_not_stop_the_others(rendered, project):
    assert rendered["Alpha"].ok and rendered["Beta"].ok
    assert not rendered["Broken"].ok and "broken on purpose" in rendered["Broken"].log
    a, b = rendered["Alpha"].video, rendered["Beta"].video
    assert a.is_file() and b.is_file() and a.parent != b.parent
    partial = sorted(
        p.name for p in (project / "media").rglob("partial_movie_files/*") if p.is_dir()
    )
    assert partial == ["Alpha", "Beta", "Gamma"]  # one partial-movie folder per scene


def test_every_video_gets_subtitles(rendered):
    srt = rendered["Alpha"].video.with_suffix(".srt").read_text()
    cues = re.findall(r"^\d+\n([\d:,]+) --> ([\d:,]+)\n(.+)$", srt, flags=re.M)
    assert [c[2] for c in cues] == ["One sentence here.", "Another one follows.", "The last words."]
    assert cues[0][0] == "00:00:00,000" and cues[1][1] == cues[2][0].replace(",", ",")


def test_slides_markdown_deck_has_the_lecture_shape(rendered, project):
    # deck.md only here; tests/workflow/test_slides.py checks the HTML, PPTX and PDF decks
    out = make_slides(
        rendered["Alpha"].scene, project / "media", "l", project / "media" / "slides", ()
    )
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["01_first.png", "02_second.png"] and len(list(out.glob("*.mp4"))) == 2
    md = (out / "deck.md").read_text()
    slides = md.split("\n--\n")
    assert slides[0].startswith("# Two short sections\n")  # the chapter_title
    assert len(slides) == 3
    for body, png, notes in zip(
        slides[1:],
        pngs,
        ["One sentence here. Another one follows.", "The last words."],
        strict=True,
    ):
        assert '<!-- .slide: class="align-center" -->' in body
        assert f'<img src="{png}" style="max-height: 55vh;">' in body
        assert f"Notes:\n\n{notes}" in body


def test_cli_render_reports_failures_and_exits_nonzero(project, monkeypatch):
    monkeypatch.chdir(project)
    res = CliRunner().invoke(main, ["render", "Beta", "Broken", "-j", "2", "--media-dir", "media2"])
    assert res.exit_code == 1
    assert re.search(r"\[\d/2\] ok   beta:Beta .* -> .*Beta.mp4", res.output)
    assert (
        re.search(r"\[\d/2\] FAIL beta:Broken", res.output) and "1 rendered, 1 failed" in res.output
    )


def test_cli_bad_input_gives_clear_messages(project, monkeypatch):
    monkeypatch.chdir(project)
    r = CliRunner()
    res = r.invoke(main, ["render", "Nope"])
    assert res.exit_code != 0 and "unknown scene 'Nope'" in res.output
    res = r.invoke(main, ["render", "Beta", "--temperature", "-2"])
    assert (
        res.exit_code != 0
        and "temperature (from command line) must be a finite number >= 0" in res.output
    )
    res = r.invoke(main, ["render", "Beta", "--theme", "neon"])
    assert "theme (from command line) must be one of dark, light, projector" in res.output
    res = r.invoke(main, ["render", "Beta", "-q", "x"])
    assert res.exit_code != 0 and "'x' is not one of 'l', 'm', 'h', 'k'" in res.output
    res = r.invoke(main, ["render"])
    assert "name at least one scene, or use --all" in res.output
    assert "Traceback" not in res.output


def test_cli_list_shows_scenes_sections_and_durations(project, rendered, monkeypatch):
    monkeypatch.chdir(project)
    res = CliRunner().invoke(main, ["list"])
    assert res.exit_code == 0, res.output
    assert (
        re.search(r"Alpha\s+480p15 \d+\.\ds", res.output)
        and "- First" in res.output
        and "- Second" in res.output
    )


def test_plain_manim_render_reports_a_bad_setting_cleanly(project):
    env = {**__import__("os").environ, "LLMVIZ_THEME": "neon"}
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("manim")),
            "render",
            "-ql",
            "--dry_run",
            "scenes/beta.py",
            "Beta",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert (
        "llmviz: theme (from LLMVIZ_THEME) must be one of dark, light, projector, not 'neon'"
        in proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_narration_file_beside_the_video(rendered):
    data = json.loads(rendered["Alpha"].video.with_name("Alpha.narration.json").read_text())
    assert [s["name"] for s in data["sections"]] == ["First", "Second"] and data["duration"] > 0


def test_slide_picture_is_taken_before_a_closing_fade(rendered, project):
    import numpy as np
    from PIL import Image

    out = make_slides(
        rendered["Gamma"].scene, project / "media", "l", project / "media" / "slides", ()
    )
    for png in sorted(out.glob("*.png")):
        pixels = np.asarray(Image.open(png).convert("L"))
        assert pixels.max() > 150, f"{png.name} is blank"  # the number is on the slide

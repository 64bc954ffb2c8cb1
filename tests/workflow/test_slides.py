"""Lecture scenes as manim-slides slides, and the decks of ``llmviz slides``, checked for real:
the HTML deck in headless Chromium (offline, as one file), the PPTX with python-pptx, the PDF
with pypdf, and the manim-slides presentation that the render wrote."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS
from click.testing import CliRunner
from rendered import scene_project

from llmviz.cli import main
from llmviz.errors import LLMVizError
from llmviz.workflow import make_slides, parse_formats, require_slides, resolve_scenes

BIN = Path(sys.executable).parent

TINY = '''
from manim import Circle, FadeIn, Square
from llmviz.scene import LectureScene


class Tiny(LectureScene):
    """Two sections in short beats, the screen cleared after each, as in the chapters."""

    chapter_title = "A tiny chapter"
    reading_speed = 40
    min_beat = 0.6

    def construct(self):
        self.section("A circle")
        self.say("A circle appears.", FadeIn(Circle(color="#ffffff", fill_opacity=1)))
        self.say("The gate opens when x > 0 and W_up * x is large.")
        self.clear()
        self.section("A square")
        self.say("Then a square [1] comes in.", FadeIn(Square(color="#ffffff", fill_opacity=1)))
        self.clear()
'''
NARRATION = [
    "A circle appears. The gate opens when x > 0 and W_up * x is large.",
    "Then a square [1] comes in.",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return scene_project(tmp_path_factory, "slides_project", {"tiny.py": TINY})


@pytest.fixture(scope="module")
def decks(project):
    """``llmviz slides Tiny --to html,pptx,pdf -q l``, run once for the whole module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(project)
        res = CliRunner().invoke(main, ["slides", "Tiny", "--to", "html,pptx,pdf", "-q", "l"])
    assert res.exit_code == 0, res.output
    assert "ok   tiny:Tiny: 2 slides" in res.output
    return project / "media" / "slides" / "Tiny"


def _last_frame(video: Path) -> np.ndarray:
    from collections import deque

    with av.open(str(video)) as container:
        (frame,) = deque(container.decode(video=0), maxlen=1)
    return np.asarray(frame.to_image().convert("L"))


def test_each_section_is_a_slide_ending_on_its_picture_with_its_narration(decks, project):
    from manim_slides.config import PresentationConfig

    folder = project / "media" / "videos" / "tiny" / "480p15" / "slides"
    deck = PresentationConfig.from_file(folder / "Tiny.json")
    assert [s.notes for s in deck.slides] == NARRATION  # the closing fade-out is no slide
    recorded = json.loads((folder.parent / "Tiny.narration.json").read_text())
    assert [s["narration"] for s in recorded["sections"]] == NARRATION
    assert tuple(deck.resolution) == (854, 480)
    for slide in deck.slides:
        # each slide stops on its section's picture, not on the fade-out after it
        assert _last_frame(slide.file).max() > 200, slide.file


def test_html_deck_is_one_offline_file_that_plays_with_notes_and_speaker_view(decks, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent; scripts/setup.sh installs it (apt package chromium)")
    from playwright.sync_api import sync_playwright

    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(decks / "deck.html", alone / "deck.html")  # nothing beside it
    outside: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    video = "document.querySelector('.slide-background.present video')"
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 960, "height": 540},
        )
        try:
            ctx.route("**/*", only_local)
            page = ctx.new_page()
            page.goto((alone / "deck.html").as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=60_000)
            assert page.title() == "A tiny chapter"
            assert page.evaluate("Reveal.getTotalSlides()") == 2
            # the audience sees the slide number, and the address keeps the slide on a reload
            config = page.evaluate("[Reveal.getConfig().showSlideNumber, Reveal.getConfig().hash]")
            assert config == ["all", True]
            notes = page.evaluate(
                "Reveal.getSlides().map(s => s.querySelector('aside.notes').textContent.trim())"
            )
            assert notes == NARRATION
            # the first slide's animation plays, then stops on its last frame
            page.wait_for_function(f"{video} && {video}.currentTime > 0", timeout=30_000)
            page.wait_for_function(f"{video}.ended", timeout=60_000)
            t, duration, paused, loop = page.evaluate(
                f"[{video}.currentTime, {video}.duration, {video}.paused, {video}.loop]"
            )
            assert paused and not loop and t == pytest.approx(duration, abs=0.1) and t > 1
            # the speaker view ('s') opens in its own window with this slide's notes
            with ctx.expect_page() as opened:
                page.keyboard.press("s")
            speaker = opened.value
            speaker.wait_for_function(
                "document.querySelector('.speaker-controls-notes')?.innerText.includes("
                f"{json.dumps(NARRATION[0])})",
                timeout=30_000,
            )
            # the next slide plays its own animation
            page.bring_to_front()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("Reveal.getIndices().h === 1", timeout=10_000)
            page.wait_for_function(f"{video} && {video}.currentTime > 0", timeout=30_000)
        finally:
            ctx.close()
    assert outside == []  # nothing was fetched from the network


def test_pptx_has_a_slide_per_section_with_its_clip_its_picture_as_poster_autoplay_and_notes(
    decks,
):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(decks / "deck.pptx"))
    assert len(prs.slides) == 2 and prs.core_properties.title == "A tiny chapter"
    assert [s.notes_slide.notes_text_frame.text for s in prs.slides] == NARRATION
    pngs = sorted(decks.glob("*.png"))
    for slide, png in zip(prs.slides, pngs, strict=True):
        (movie,) = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        # the poster is the section's finished picture, not the clip's first frame
        blip = movie._element.xpath(".//a:blip")[0]
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        assert slide.part.related_part(rid).blob == png.read_bytes()
        # the clip starts by itself: the main sequence's effect begins with it and plays it
        timing = slide.element.xpath("./p:timing")[0]
        assert timing.xpath(".//p:cTn[@nodeType='mainSeq']")
        assert timing.xpath(".//p:cond[@evt='onBegin']/p:tn[@val='2']")
        play = timing.xpath(".//p:cmd[@cmd='playFrom(0.0)']//p:spTgt/@spid")
        assert play == [str(movie.shape_id)]
    assert (prs.slide_width, prs.slide_height) == (854 * 9525, 480 * 9525)


def _soffice_pages(pptx: Path, out: Path) -> list[Path]:
    """The deck as LibreOffice Impress shows it: converted to PDF, each page to a PNG."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        pytest.skip(
            "LibreOffice Impress (soffice) or poppler's pdftoppm is absent; scripts/setup.sh "
            "installs them (apt packages libreoffice-impress and poppler-utils)"
        )
    env = {**os.environ, "HOME": str(out)}  # a profile of its own, so runs never share a lock
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(pptx)],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", str(out / f"{pptx.stem}.pdf"), str(out / "page")],
        check=True,
        timeout=60,
    )
    return sorted(out.glob("page-*.png"))


def test_libreoffice_shows_each_slides_own_finished_picture(decks, tmp_path):
    """Converted by LibreOffice, page N of the deck is picture N (the poster), for every slide,
    and no page is blank or shifted."""
    from PIL import Image

    pages = _soffice_pages(decks / "deck.pptx", tmp_path)
    pngs = sorted(decks.glob("*.png"))
    assert len(pages) == len(pngs) == 2

    def grey(path):
        return np.asarray(Image.open(path).convert("L").resize((214, 120)), dtype=float)

    pictures = [grey(p) for p in pngs]
    for k, page in enumerate(pages):
        diffs = [float(np.abs(grey(page) - pic).mean()) for pic in pictures]
        assert diffs[k] < 1.0, (page.name, diffs)  # the same picture, up to scaling
        assert diffs[k] < min(d for j, d in enumerate(diffs) if j != k) / 3, diffs


def test_pdf_handout_has_a_page_per_slide_with_title_number_picture_and_notes(decks):
    from pypdf import PdfReader

    pdf = PdfReader(str(decks / "deck.pdf"))
    assert len(pdf.pages) == 2 and pdf.metadata.title == "A tiny chapter"
    for k, (page, notes) in enumerate(zip(pdf.pages, NARRATION, strict=True), 1):
        text = " ".join(page.extract_text().split())
        assert "A tiny chapter" in text and f"Slide {k} of 2" in text
        assert " ".join(notes.split()) in text
        assert len(page.images) == 1  # the picture


def test_markdown_deck_and_pngs_keep_the_lecture_format(decks):
    pngs = sorted(p.name for p in decks.glob("*.png"))
    assert pngs == ["01_a-circle.png", "02_a-square.png"]
    md = (decks / "deck.md").read_text()
    assert md.startswith("# A tiny chapter\n")  # the chapter_title
    assert f"Notes:\n\n{NARRATION[0]}" in md and md.count("\n--\n") == 2


def test_formats_are_chosen_and_checked(decks, project, monkeypatch):
    ref = resolve_scenes(["Tiny"], project / "scenes")[0]
    out = make_slides(ref, project / "media", "l", project / "pdf-only", "pdf")
    assert sorted(p.name for p in out.glob("deck.*")) == ["deck.md", "deck.pdf"]
    assert parse_formats("PDF, html,pdf") == ("pdf", "html")
    with pytest.raises(LLMVizError, match="unknown slide format 'doc'; allowed: html, pptx, pdf"):
        parse_formats("html,doc")
    monkeypatch.chdir(project)
    res = CliRunner().invoke(main, ["slides", "Tiny", "--to", "html,doc"])
    assert res.exit_code != 0 and "unknown slide format 'doc'" in res.output
    assert "Traceback" not in res.output


def test_missing_manim_slides_names_the_extra(decks, project, monkeypatch):
    for name in [m for m in sys.modules if m.split(".")[0] == "manim_slides"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "manim_slides", None)  # as if it were not installed
    hint = re.escape("pip install 'llmviz[slides]'")
    with pytest.raises(LLMVizError, match=hint):
        require_slides()
    ref = resolve_scenes(["Tiny"], project / "scenes")[0]
    with pytest.raises(LLMVizError, match=hint):
        make_slides(ref, project / "media", "l", project / "no-extra", "html")
    out = make_slides(ref, project / "media", "l", project / "no-extra", ())
    assert (out / "deck.md").is_file()  # the markdown deck needs no extra
    monkeypatch.chdir(project)
    res = CliRunner().invoke(main, ["slides", "Tiny", "-q", "l"])
    assert res.exit_code != 0 and "pip install 'llmviz[slides]'" in res.output
    assert "Traceback" not in res.output and "rendering" not in res.output  # it stopped first


def test_without_manim_slides_a_lecture_scene_is_a_plain_scene(project, tmp_path):
    script = f"""
import sys
sys.modules["manim_slides"] = None
import manim
from manim import tempconfig
import llmviz.scene as s
assert not s.SLIDES and s.LectureScene.__bases__ == (manim.Scene,)
sys.path.insert(0, {str(project / "scenes")!r})
from tiny import Tiny
cfg = {{"media_dir": {str(tmp_path / "media")!r}, "quality": "low_quality",
       "progress_bar": "none", "verbosity": "ERROR"}}
with tempconfig(cfg):
    scene = Tiny()
    scene.render()
    print(scene.renderer.file_writer.movie_file_path)
print([x.text for x in scene.sections])
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    movie = Path(proc.stdout.splitlines()[0])
    assert movie.is_file() and movie.with_name("Tiny.narration.json").is_file()
    assert str(NARRATION) in proc.stdout
    assert not (tmp_path / "slides").exists()  # no presentation without manim-slides


def test_manim_slides_render_and_a_still_render(project, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(project / "scenes", work / "scenes")
    env = {k: v for k, v in os.environ.items() if k != "MANIM_SLIDES_FOLDER"}
    cmd = [str(BIN / "manim-slides"), "-S", "render", "-ql", "--progress_bar", "none"]
    proc = subprocess.run(
        [*cmd, "scenes/tiny.py", "Tiny"], cwd=work, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    deck = json.loads((work / "slides" / "Tiny.json").read_text())  # where `present` looks
    assert [s["notes"] for s in deck["slides"]] == NARRATION
    listed = subprocess.run(
        [str(BIN / "manim-slides"), "-S", "list-scenes"], cwd=work, capture_output=True, text=True
    )
    assert listed.returncode == 0 and "Tiny" in listed.stdout, listed.stderr[-2000:]
    # `manim render -s` still writes only the last frame, and no presentation
    still = [str(BIN / "manim"), "render", "-s", "-ql", "--media_dir", "stills/media"]
    proc = subprocess.run(
        [*still, "scenes/tiny.py", "Tiny"], cwd=work, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list((work / "stills" / "media").rglob("Tiny*.png"))
    assert not list((work / "stills" / "media").rglob("*.mp4"))
    assert not (work / "stills" / "slides").exists()

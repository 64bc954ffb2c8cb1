"""The built documentation (bash scripts/docs.sh) opens in headless Chromium with real content."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "docs" / "_build" / "html"


@pytest.fixture(scope="module")
def built() -> Path:
    if not (HTML / "index.html").exists():
        if os.environ.get("CI"):
            pytest.fail("docs/_build/html/index.html is missing: run bash scripts/docs.sh first")
        pytest.skip("the documentation is not built (bash scripts/docs.sh)")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip("Chromium is not installed")
    return HTML


def dump_dom(page: Path, tmp_path: Path) -> str:
    """The DOM of ``page`` after Chromium has loaded it (scripts run)."""
    out = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            *CHROMIUM_ARGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout


def test_index_page_has_title_and_contents(built: Path, tmp_path: Path) -> None:
    dom = dump_dom(built / "index.html", tmp_path)
    assert re.search(r"<h1>llmviz<a", dom), "the page heading 'llmviz' is missing"
    for page in ("getting_started.html", "api.html", "chapters.html", "guide/index.html"):
        assert f'href="{page}"' in dom, f"the table of contents does not link {page}"


def test_mobject_page_shows_its_rendered_example(built: Path, tmp_path: Path) -> None:
    page = built / "generated" / "llmviz.mobjects.vectors.html"
    dom = dump_dom(page, tmp_path)
    assert "NumericVector" in dom
    assert 'id="llmviz.mobjects.vectors.NumericVector"' in dom, "the class is not documented here"
    sources = re.findall(r'<img[^>]*\bsrc="([^"]+)"', dom)
    pictures = [src for src in sources if "NumericVectorExample" in src]
    assert pictures, f"no picture of NumericVectorExample among {sources}"
    for src in pictures:
        image = (page.parent / src).resolve()
        assert image.is_file() and image.stat().st_size > 1000, f"{src} is not a rendered image"


def test_chapters_page_lists_every_chapter(built: Path, tmp_path: Path) -> None:
    dom = dump_dom(built / "chapters.html", tmp_path)
    for chapter in ("NextTokenChapter", "AttentionChapter", "MLPChapter", "FoundationsChapter"):
        assert chapter in dom, f"{chapter} is missing from the chapters page"
    assert re.search(r'<img[^>]*src="_images/WhereIsTheFact.png"', dom), (
        "the step table shows no still"
    )
    assert (built / "_images" / "WhereIsTheFact.png").is_file()

"""Slide decks of a rendered scene: a PNG, a clip and notes per section, then HTML, PPTX and
PDF decks made by manim-slides."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from llmviz.errors import LLMVizError
from llmviz.workflow.handouts import write_pdf, write_pptx
from llmviz.workflow.listing import SceneRef

__all__ = ["make_slides", "SLIDE_FORMATS", "parse_formats", "require_slides", "revealjs_assets"]

#: The decks ``llmviz slides`` can write besides the per-section PNGs and ``deck.md``.
SLIDE_FORMATS = ("html", "pptx", "pdf")

SLIDES_EXTRA = "pip install 'llmviz[slides]'"


def _last_frame_png(video: Path, out: Path, at: float | None = None) -> None:
    """Save the last frame of ``video`` (or the last one shown by ``at`` seconds) as a PNG."""
    import av

    with av.open(str(video)) as container:
        last = None
        for frame in container.decode(video=0):
            if at is not None and last is not None and frame.time is not None and frame.time > at:
                break
            last = frame
    if last is None:
        raise LLMVizError(f"no frames in {video}")
    last.to_image().save(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "section"


def require_slides() -> None:
    """Raise a clear :class:`LLMVizError` unless manim-slides (the ``slides`` extra) imports."""
    try:
        import manim_slides.convert  # noqa: F401
        import manim_slides.slide  # noqa: F401
        import pptx  # noqa: F401  (the PowerPoint deck)
        import reportlab  # noqa: F401  (the PDF handout)
    except ImportError as exc:
        raise LLMVizError(
            f"slide decks need manim-slides, python-pptx and reportlab, and one is not "
            f"installed ({exc}); install the slides extra: {SLIDES_EXTRA}"
        ) from None


def parse_formats(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Deck formats from ``"html,pptx"`` (or a list), checked against :data:`SLIDE_FORMATS`.

    Examples
    --------
    >>> parse_formats("pdf, html")
    ('pdf', 'html')
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in SLIDE_FORMATS:
            raise LLMVizError(
                f"unknown slide format {name!r}; allowed: {', '.join(SLIDE_FORMATS)} "
                "(comma-separated, e.g. --to html,pdf)"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise LLMVizError(f"name at least one slide format: {', '.join(SLIDE_FORMATS)}")
    return tuple(out)


# reveal.js files that manim-slides' HTML template links to, by the name its offline mode caches
# them under, and their paths in the reveal.js npm package
_REVEAL_FILES = {
    "reveal.css": "dist/reveal.css",
    "black.css": "dist/theme/black.css",
    "zenburn.css": "dist/plugin/highlight/zenburn.css",
    "reveal.js": "dist/reveal.js",
    "notes.js": "dist/plugin/notes.js",
    "markdown.js": "dist/plugin/markdown.js",
}


def revealjs_assets(fetch: bool = True) -> Path:
    """The folder where manim-slides' offline HTML export finds reveal.js (its own cache), with
    the files there; missing ones are taken from the reveal.js package of the npm registry
    (``npm pack``) when ``fetch`` is true. ``scripts/setup.sh`` calls this, so that decks are
    made with no network at all.

    Raises
    ------
    LLMVizError
        If files are missing and cannot be fetched (no npm, or the registry cannot be reached).
    """
    require_slides()
    from manim_slides.convert import RevealJS
    from platformdirs import user_cache_path  # a dependency of manim-slides

    version = RevealJS.model_fields["reveal_version"].default
    folder = user_cache_path("manim-slides") / f"revealjs{version}"
    missing = [n for n in _REVEAL_FILES if not (folder / n).is_file()]
    if not missing:
        return folder
    why = f"reveal.js {version} is not in {folder} (missing {', '.join(missing)})"
    npm = shutil.which("npm")
    if not fetch or npm is None:
        raise LLMVizError(
            f"{why}; scripts/setup.sh puts it there (it needs npm: apt-get install npm)"
        )
    with tempfile.TemporaryDirectory(prefix="llmviz-reveal-") as tmp:
        proc = subprocess.run(
            [npm, "pack", f"reveal.js@{version}", "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        packs = sorted(Path(tmp).glob("reveal.js-*.tgz"))
        if proc.returncode != 0 or not packs:
            raise LLMVizError(
                f"{why}, and `npm pack reveal.js@{version}` failed: "
                f"{(proc.stderr or proc.stdout).strip()[-500:]}"
            )
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(packs[0]) as tar:
            for name, member in _REVEAL_FILES.items():
                data = tar.extractfile(f"package/{member}").read()
                part = folder / f".{name}.part"
                part.write_bytes(data)
                part.replace(folder / name)  # never a half-written asset
    return folder


def _notes_html(notes: str) -> str:
    """Narration as the HTML deck's notes show it: the template pastes notes into HTML and
    reveal.js reads them as Markdown, so every ASCII punctuation mark is Markdown-escaped and
    the result HTML-escaped (``x < 0``, ``W_up * x`` and ``[1]`` stay as they are)."""
    return html.escape(re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", notes), quote=False)


def _html_deck(presentation, dest: Path, title: str) -> None:
    """Write the HTML deck with manim-slides' reveal.js converter (``manim-slides convert``)."""
    from manim_slides.convert import RevealJS

    try:
        revealjs_assets()
        why = ""
    except LLMVizError as exc:  # manim-slides may still download it (a machine online)
        why = str(exc)
    deck = presentation.model_copy(deep=True)
    for slide in deck.slides:
        slide.notes = _notes_html(slide.notes)
    converter = RevealJS(
        presentation_configs=[deck],
        one_file=True,  # the videos inlined as data URIs
        offline=True,  # and reveal.js itself, from manim-slides' cache
        title=title,
        background_color=presentation.background_color,
        slide_number="c/t",
        show_slide_number="all",  # the audience sees "3/15" too
        hash="true",  # a reload stays on the current slide (a JS boolean, as text)
    )
    try:
        converter.convert_to(dest)
    except RuntimeError as exc:
        raise LLMVizError(
            f"could not make the offline HTML deck: {exc}; {why or 'see the log above'}"
        ) from None
    text = dest.read_text(encoding="utf-8")
    if re.search(r"""(?:src|href)=["']?https?:""", text):
        raise LLMVizError(f"{dest} still links to the network; {why}")


def make_slides(
    ref: SceneRef,
    media_dir: Path,
    quality: str,
    out_dir: Path,
    formats: tuple[str, ...] | list[str] | str = SLIDE_FORMATS,
    title: str | None = None,
) -> Path:
    """Slide decks of a scene rendered with sections (``render_scenes(..., sections=True)``),
    in ``out_dir/<Scene>/``.

    Always a PNG and a clip per section and ``deck.md``, a reveal.js markdown deck in the
    lecture deck's format. Then, for each of ``formats``, made by manim-slides from the
    presentation that the render wrote (one slide per section, its narration as the notes):
    ``deck.html`` (one self-contained file that plays each slide's animation, stops on its last
    frame, shows the slide number and keeps it in the address, and has reveal.js' speaker view
    on ``s``), ``deck.pptx`` (a slide per section: its clip, starting by itself, with the
    section's finished picture as its poster, and its notes) and ``deck.pdf`` (a handout: a page
    per slide with the title, the picture, the slide number and the notes); see
    :mod:`llmviz.workflow.handouts`.

    Parameters
    ----------
    ref
        The scene.
    media_dir
        The media folder it was rendered into.
    quality
        ``l``, ``m``, ``h`` or ``k``: which render to use.
    out_dir
        The decks go into ``out_dir/<Scene>/``, which is made anew.
    formats
        Any of :data:`SLIDE_FORMATS` (a list or ``"html,pdf"``); empty for ``deck.md`` only.
    title
        The deck's title; default the scene's ``chapter_title``, else its class name.

    Returns
    -------
    Path
        The folder with the decks.

    Raises
    ------
    LLMVizError
        Without rendered sections, without manim-slides for a deck format, or when a deck
        cannot be written.
    """
    formats = parse_formats(formats) if formats else ()
    if formats:
        require_slides()
    media_dir = Path(media_dir)
    video = ref.video(media_dir, quality)
    sections_dir = video.parent / "sections"
    index = sections_dir / f"{ref.name}.json"
    narration_file = video.with_name(f"{ref.name}.narration.json")
    if not index.is_file() or not narration_file.is_file():
        raise LLMVizError(
            f"{ref.label} has no rendered sections under {sections_dir}; render it with sections first"
        )
    presentation = None
    if formats:
        from manim_slides.config import PresentationConfig

        deck_file = ref.slides_folder(media_dir, quality) / f"{ref.name}.json"
        if not deck_file.is_file():
            raise LLMVizError(
                f"{ref.label} has no manim-slides presentation at {deck_file}: render it with "
                "manim-slides installed (`llmviz slides` does), as a LectureScene"
            )
        presentation = PresentationConfig.from_file(deck_file)
    sections = json.loads(index.read_text())
    recorded = {s["name"]: s for s in json.loads(narration_file.read_text())["sections"]}
    out = Path(out_dir) / ref.name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    slides = []
    for k, sec in enumerate(s for s in sections if s.get("video")):
        base = f"{k + 1:02d}_{_slug(sec['name'])}"
        clip = out / f"{base}.mp4"
        shutil.copyfile(sections_dir / sec["video"], clip)
        png = out / f"{base}.png"
        info = recorded.get(sec["name"], {})
        # the picture is the frame shown when the section's content was complete (before any
        # fade-out at its end); without that record, the clip's last frame
        still = info["still"] - info["start"] - 1e-3 if "still" in info else None
        _last_frame_png(clip, png, at=still)
        notes = info.get("narration", "")
        slides.append({"name": sec["name"], "png": png.name, "clip": clip.name, "notes": notes})
    title = title or ref.title or ref.name
    (out / "deck.md").write_text(_markdown_deck(title, slides))
    (out / "slides.json").write_text(json.dumps(slides, indent=1) + "\n")
    for fmt in formats:
        if fmt == "pptx":
            write_pptx(slides, out, out / "deck.pptx", title)
        elif fmt == "pdf":
            write_pdf(slides, out, out / "deck.pdf", title)
        else:
            _html_deck(presentation, out / "deck.html", title)
    return out


def _markdown_deck(title: str, slides: list[dict]) -> str:
    """A reveal.js markdown deck in the lecture deck's shape: '--' separators, centred slides,
    the picture, and 'Notes:' with the narration."""
    parts = [f"# {title}\n"]
    for s in slides:
        block = [
            '<!-- .slide: class="align-center" -->',
            "",
            "",
            f'<img src="{s["png"]}" style="max-height: 55vh;">',
            "",
            "",
        ]
        if s["notes"]:
            block += ["Notes:", "", s["notes"], ""]
        parts.append("\n".join(block))
    return "\n--\n\n".join(parts) + "\n"

"""What the ``llmviz`` command does: find scenes, render them in parallel, make slide decks."""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from llmviz.errors import LLMVizError

__all__ = [
    "SceneRef",
    "find_scenes",
    "resolve_scenes",
    "RenderResult",
    "render_scenes",
    "QUALITY_DIRS",
    "make_slides",
    "SLIDE_FORMATS",
    "parse_formats",
    "require_slides",
    "revealjs_assets",
    "video_duration",
]

QUALITY_DIRS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}

#: The decks ``llmviz slides`` can write besides the per-section PNGs and ``deck.md``.
SLIDE_FORMATS = ("html", "pptx", "pdf")

SLIDES_EXTRA = "pip install 'llmviz[slides]'"


@dataclass(frozen=True)
class SceneRef:
    """A scene class in a file of the scenes directory."""

    file: Path
    name: str
    doc: str = ""
    title: str = ""  # the class's ``chapter_title``, or its name

    @property
    def module(self) -> str:
        return self.file.stem

    @property
    def label(self) -> str:
        return f"{self.module}:{self.name}"

    def video(self, media_dir: Path, quality: str) -> Path:
        return media_dir / "videos" / self.module / QUALITY_DIRS[quality] / f"{self.name}.mp4"

    def slides_folder(self, media_dir: Path, quality: str) -> Path:
        """Where its render writes the manim-slides presentation (``<Scene>.json``, ``files/``):
        ``manim-slides present --folder THIS Scene`` shows it."""
        return self.video(media_dir, quality).parent / "slides"


def _load(file: Path):
    spec = importlib.util.spec_from_file_location(f"llmviz_scenes_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(file.parent))
    return module


def find_scenes(scenes_dir: Path) -> list[SceneRef]:
    """Every renderable scene class (one that defines ``construct``) in ``scenes_dir/*.py``."""
    from manim import Scene

    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise LLMVizError(f"scenes directory not found: {scenes_dir} (use --scenes-dir)")
    found = []
    for file in sorted(scenes_dir.glob("*.py")):
        module = _load(file)
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and issubclass(obj, Scene)
                and obj.__module__ == module.__name__
                and "construct" in vars(obj)
            ):
                doc = (obj.__doc__ or "").strip().split("\n")[0]
                found.append(SceneRef(file, name, doc, getattr(obj, "chapter_title", "") or name))
    return found


def resolve_scenes(names: list[str], scenes_dir: Path, all_scenes: bool = False) -> list[SceneRef]:
    """Scene references for names like ``MLPChapter`` or ``mlp:MLPChapter``; clear errors otherwise."""
    available = find_scenes(scenes_dir)
    if all_scenes:
        return available
    if not names:
        raise LLMVizError("name at least one scene, or use --all; see `llmviz list`")
    out = []
    for name in names:
        module, _, cls = name.rpartition(":")
        module = module.removesuffix(".py")
        hits = [s for s in available if s.name == cls and (not module or s.module == module)]
        if not hits:
            close = [s.label for s in available if cls.lower() in s.name.lower()][:5]
            hint = f"; did you mean {', '.join(close)}" if close else "; see `llmviz list`"
            raise LLMVizError(f"unknown scene {name!r}{hint}")
        if len(hits) > 1:
            raise LLMVizError(
                f"scene name {name!r} is in several files: {', '.join(h.label for h in hits)}; "
                "write file:Scene"
            )
        if hits[0] not in out:
            out.append(hits[0])
    return out


@dataclass
class RenderResult:
    scene: SceneRef
    ok: bool
    seconds: float
    video: Path | None
    log: str = ""
    extra: dict = field(default_factory=dict)


def _render_one(
    ref: SceneRef, quality: str, media_dir: Path, env: dict[str, str], sections: bool
) -> RenderResult:
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="llmviz-render-") as tmp:
        # each job gets its own LaTeX and text caches, so parallel renders never write the same file;
        # partial movies already go to a folder per scene
        cfg = Path(tmp) / "manim.cfg"
        cfg.write_text(f"[CLI]\ntex_dir = {tmp}/Tex\ntext_dir = {tmp}/texts\n")
        cmd = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{quality}",
            "--progress_bar",
            "none",
            "--media_dir",
            str(media_dir),
            "--config_file",
            str(cfg),
            str(ref.file),
            ref.name,
        ]
        if sections:
            cmd.insert(4, "--save_sections")
        from llmviz.scene import SLIDES_FOLDER_ENV  # lecture scenes write their slides there

        env = {**env, SLIDES_FOLDER_ENV: str(ref.slides_folder(media_dir, quality))}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=os.getcwd())
    video = ref.video(media_dir, quality)
    ok = proc.returncode == 0 and video.is_file()
    log = (proc.stdout + proc.stderr)[-4000:]
    return RenderResult(ref, ok, time.time() - t0, video if ok else None, log)


def render_scenes(
    refs: list[SceneRef],
    quality: str = "l",
    jobs: int = 2,
    media_dir: Path = Path("media"),
    settings_env: dict[str, str] | None = None,
    sections: bool = False,
    on_start: Callable[[SceneRef], None] | None = None,
    on_done: Callable[[RenderResult, int, int], None] | None = None,
) -> list[RenderResult]:
    """Render scenes in parallel processes; a failing scene does not stop the others."""
    if quality not in QUALITY_DIRS:
        raise LLMVizError(f"quality must be one of {', '.join(QUALITY_DIRS)}, not {quality!r}")
    if jobs < 1:
        raise LLMVizError(f"--jobs must be at least 1, not {jobs}")
    env = {**os.environ, **(settings_env or {})}
    media_dir = Path(media_dir).resolve()
    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {}
        for ref in refs:
            if on_start:
                on_start(ref)
            futures[pool.submit(_render_one, ref, quality, media_dir, env, sections)] = ref
        for k, fut in enumerate(as_completed(futures), 1):
            result = fut.result()
            results.append(result)
            if on_done:
                on_done(result, k, len(refs))
    order = {ref: i for i, ref in enumerate(refs)}
    return sorted(results, key=lambda r: order[r.scene])


def video_duration(path: Path) -> float | None:
    """Seconds of a rendered video, or None if it cannot be read."""
    try:
        import av

        with av.open(str(path)) as container:
            return container.duration / 1e6 if container.duration else None
    except Exception:
        return None


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
    except ImportError as exc:
        raise LLMVizError(
            f"slide decks need manim-slides, which is not installed ({exc}); "
            f"install the slides extra: {SLIDES_EXTRA}"
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


def _convert(presentation, fmt: str, dest: Path, title: str) -> None:
    """Write one deck with manim-slides' converters (what ``manim-slides convert`` runs)."""
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    if fmt == "html":
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
            show_slide_number="speaker",
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
    elif fmt == "pptx":
        width, height = presentation.resolution
        PowerPoint(presentation_configs=[presentation], width=width, height=height).convert_to(dest)
    elif fmt == "pdf":
        PDF(presentation_configs=[presentation], frame_index="last").convert_to(dest)
    else:  # parse_formats keeps this out
        raise LLMVizError(f"unknown slide format {fmt!r}; allowed: {', '.join(SLIDE_FORMATS)}")


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
    frame and has reveal.js' speaker view on ``s``), ``deck.pptx`` (a slide per section with its
    clip and notes) and ``deck.pdf`` (a page per slide: its last frame).

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
        _convert(presentation, fmt, out / f"deck.{fmt}", title)
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

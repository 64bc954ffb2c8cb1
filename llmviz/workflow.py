"""What the ``llmviz`` command does: find scenes, render them in parallel, make slide assets."""

from __future__ import annotations

import base64
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
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
    "video_duration",
]

QUALITY_DIRS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}


@dataclass(frozen=True)
class SceneRef:
    """A scene class in a file of the scenes directory."""

    file: Path
    name: str
    doc: str = ""

    @property
    def module(self) -> str:
        return self.file.stem

    @property
    def label(self) -> str:
        return f"{self.module}:{self.name}"

    def video(self, media_dir: Path, quality: str) -> Path:
        return media_dir / "videos" / self.module / QUALITY_DIRS[quality] / f"{self.name}.mp4"


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
                found.append(SceneRef(file, name, (obj.__doc__ or "").strip().split("\n")[0]))
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


def make_slides(ref: SceneRef, media_dir: Path, quality: str, out_dir: Path) -> Path:
    """From a scene rendered with sections: a PNG and a clip per section, a reveal.js markdown deck
    with speaker notes, and one self-contained HTML deck. Returns the folder."""
    video = ref.video(media_dir, quality)
    sections_dir = video.parent / "sections"
    index = sections_dir / f"{ref.name}.json"
    narration_file = video.with_name(f"{ref.name}.narration.json")
    if not index.is_file() or not narration_file.is_file():
        raise LLMVizError(
            f"{ref.label} has no rendered sections under {sections_dir}; render it with sections first"
        )
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
    title = ref.doc or ref.name
    (out / "deck.md").write_text(_markdown_deck(title, slides))
    (out / "deck.html").write_text(_html_deck(title, slides, out))
    (out / "slides.json").write_text(json.dumps(slides, indent=1) + "\n")
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


def _html_deck(title: str, slides: list[dict], folder: Path) -> str:
    """One HTML file with every image inlined and no external resources: opens offline."""
    items = []
    for k, s in enumerate(slides):
        data = base64.b64encode((folder / s["png"]).read_bytes()).decode()
        items.append(
            f'<section class="slide" data-index="{k}"><h2>{html.escape(s["name"])}</h2>'
            f'<img alt="{html.escape(s["name"])}" src="data:image/png;base64,{data}">'
            f'<aside class="notes">{html.escape(s["notes"])}</aside></section>'
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ margin: 0; background: #0f1117; color: #e8e8e8; font-family: sans-serif; }}
.slide {{ display: none; height: 100vh; box-sizing: border-box; padding: 2vh 4vw; text-align: center; }}
.slide.current {{ display: block; }}
.slide h2 {{ margin: 0 0 1vh 0; font-weight: normal; font-size: 3vh; }}
.slide img {{ max-width: 92vw; max-height: 70vh; }}
.notes {{ display: none; max-width: 80vw; margin: 2vh auto; font-size: 2.2vh; text-align: left; color: #b8bcc4; }}
body.show-notes .notes {{ display: block; }}
#counter {{ position: fixed; right: 2vw; bottom: 2vh; color: #8a8f98; }}
</style></head>
<body>
{chr(10).join(items)}
<div id="counter"></div>
<script>
const slides = document.querySelectorAll('.slide');
let current = 0;
function show(i) {{
  current = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, k) => s.classList.toggle('current', k === current));
  document.getElementById('counter').textContent = (current + 1) + ' / ' + slides.length;
}}
document.addEventListener('keydown', e => {{
  if (['ArrowRight', 'PageDown', ' '].includes(e.key)) show(current + 1);
  if (['ArrowLeft', 'PageUp'].includes(e.key)) show(current - 1);
  if (e.key === 's') document.body.classList.toggle('show-notes');
}});
document.body.dataset.slideCount = slides.length;
show(0);
</script>
<noscript>Use a browser with JavaScript to step through the slides.</noscript>
</body></html>
"""

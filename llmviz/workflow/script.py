"""The narration of a scene for the current settings, without rendering: ``llmviz script``.

The scene is played in manim's dry run (every value is computed, no frame is written), and each
beat gives one row: its id (:func:`llmviz.voice.beat_id`), its written sentence (the subtitle),
its spoken form (what a voice says, and what a teacher reads aloud) and its estimated seconds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
from pathlib import Path

from llmviz.errors import LLMVizError

__all__ = ["load_scene_class", "scene_beats", "script_rows", "script_markdown", "write_script"]

#: Frames a second of the dry run: enough to time a beat to a fifth of a second, few to play.
DRY_FRAME_RATE = 5


def load_scene_class(ref):
    """The scene class that a :class:`~llmviz.workflow.SceneRef` names, from its file."""
    folder = str(Path(ref.file).parent)
    if folder not in sys.path:  # chapters import their step packages (scenes/mlp_steps)
        sys.path.insert(0, folder)
    name = f"llmviz_script_{ref.module}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ref.file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a scene file that does not import: say where and why
            del sys.modules[name]
            raise LLMVizError(
                f"{ref.file} could not be loaded: {type(exc).__name__}: {exc}"
            ) from None
    cls = getattr(sys.modules[name], ref.name, None)
    if cls is None:
        raise LLMVizError(f"{ref.file} has no scene class {ref.name!r}")
    return cls


def scene_beats(cls, env: dict[str, str] | None = None):
    """Play the scene class ``cls`` in a dry run with the ``LLMVIZ_*`` variables ``env`` set;
    returns the scene (its ``sections`` hold the beats)."""
    from manim import tempconfig

    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    options = {
        "dry_run": True,
        "quality": "low_quality",
        "disable_caching": True,
        "frame_rate": DRY_FRAME_RATE,
        "progress_bar": "none",
        "verbosity": "ERROR",
    }
    try:
        with tempconfig(options), contextlib.redirect_stdout(io.StringIO()) as out:
            scene = cls()
            scene.render()
        scene.log = out.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return scene


def script_rows(scene) -> list[dict]:
    """One row per beat: ``{"id", "written", "spoken", "seconds", "section"}``."""
    from llmviz.words import spoken

    return [
        {
            "id": b.id,
            "written": b.text,
            "spoken": spoken(b.text),
            "seconds": round(b.end - b.start, 2),
            "section": s.name,
        }
        for s in scene.sections
        for b in s.beats
    ]


def script_markdown(title: str, rows: list[dict]) -> str:
    """The rows as a Markdown script to read aloud: a heading per section, one numbered line per
    beat with its id (the clip's file name) and estimated seconds."""
    lines = [f"# {title}", "", f"{len(rows)} beats, about {sum(r['seconds'] for r in rows):.0f} s."]
    section = None
    for k, r in enumerate(rows, 1):
        if r["section"] != section:
            section = r["section"]
            lines += ["", f"## {section}", ""]
        lines.append(f"{k}. `{r['id']}` ({r['seconds']:.1f} s): {r['spoken']}")
    return "\n".join(lines) + "\n"


def write_script(rows: list[dict], title: str, out: Path | None) -> str:
    """Markdown, or JSON (a list of ``{"id", "written", "spoken", "seconds"}``) when ``out``
    ends in ``.json``; written to ``out`` under a temporary name, or returned for stdout."""
    if out is not None and out.suffix.lower() == ".json":
        keys = ("id", "written", "spoken", "seconds")
        text = json.dumps([{k: r[k] for k in keys} for r in rows], indent=1, ensure_ascii=False)
        text += "\n"
    else:
        text = script_markdown(title, rows)
    if out is not None:
        part = out.with_name(out.name + ".part")
        part.write_text(text, encoding="utf-8")
        os.replace(part, out)
    return text

"""Load a chapter file from scenes/ and render its scenes in dry-run mode, for the scene tests."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
from manim import tempconfig

ROOT = Path(__file__).resolve().parents[2]


def load(chapter: str):
    """The module ``scenes/<chapter>.py`` (registered in ``sys.modules`` for dataclasses)."""
    name = f"scene_{chapter}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scenes" / f"{chapter}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def render(cls, frame_rate: int = 2):
    """Construct and play a scene without writing frames; returns the scene.

    At 2 frames a second every mobject and animation is still built, with few frames to
    interpolate, so the values on screen can be checked quickly. ``scene.off_frame`` lists, for
    every section of a :class:`~llmviz.scene.LectureScene`, what reached past the frame's edges
    when the section ended (the picture that becomes its slide).
    """
    config = {
        "dry_run": True,
        "quality": "low_quality",
        "disable_caching": True,
        "frame_rate": frame_rate,
    }
    with tempconfig(config):
        scene = cls()
        close = getattr(scene, "_close_section", None)
        if close is not None:
            scene.off_frame = []

            def checked_close():
                if scene.narration and scene._section_start is not None:
                    scene.off_frame.append((scene.narration[-1][0], off_frame(scene)))
                close()

            scene._close_section = checked_close
        scene.render()
    return scene


def off_frame(scene, margin: float = 0.02) -> list[str]:
    """Names of the mobjects on screen that reach past the frame's edges (none, when all fit)."""
    from manim import config

    half_w, half_h = config.frame_width / 2 + margin, config.frame_height / 2 + margin
    out = []
    for top in scene.mobjects:
        for m in top.get_family():
            pts = getattr(m, "points", None)
            if (
                pts is None
                or len(pts) == 0
                or getattr(m, "fill_opacity", 1) == 0
                and (getattr(m, "stroke_width", 0) == 0)
            ):
                continue
            if np.abs(pts[:, 0]).max() > half_w or np.abs(pts[:, 1]).max() > half_h:
                out.append(getattr(m, "text", type(m).__name__))
    return out

"""Load a chapter file from scenes/ and render its scenes in dry-run mode, for the scene tests."""

import importlib.util
import sys
from pathlib import Path

import manim
import numpy as np
from manim import VMobject, tempconfig

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


def off_frame(scene) -> list[str]:
    """What is drawn on screen and reaches past the frame's edges (texts by their text)."""
    half_w, half_h = manim.config.frame_width / 2, manim.config.frame_height / 2
    out = []
    for top in scene.mobjects:
        for m in top.get_family():
            if not isinstance(m, VMobject) or len(m.points) == 0:
                continue
            if m.get_fill_opacity() == 0 and (m.get_stroke_opacity() == 0 or m.stroke_width == 0):
                continue  # draws nothing (an anchor, a value tracker, a faded-out part)
            x, y = np.abs(m.points[:, :2]).max(axis=0)
            if x > half_w or y > half_h:
                out.append(getattr(m, "text", type(m).__name__))
    return out


def render(cls, frame_rate: int = 2):
    """Construct and play a scene without writing frames; returns the scene.

    At 2 frames a second every mobject and animation is still built, with few frames to
    interpolate, so the values on screen can be checked quickly. After every animation and wait,
    whatever reaches past the frame's edges is noted in ``scene.outside`` as
    ``(section, text or type)``; a scene that keeps inside the frame leaves it empty.
    """
    config = {
        "dry_run": True,
        "quality": "low_quality",
        "disable_caching": True,
        "frame_rate": frame_rate,
    }
    with tempconfig(config):
        scene = cls()
        scene.outside = []
        play = scene.play

        def checked_play(*args, **kwargs):
            play(*args, **kwargs)
            narration = getattr(scene, "narration", None)
            section = narration[-1][0] if narration else None
            scene.outside += [(section, name) for name in off_frame(scene)]

        scene.play = checked_play  # Scene.wait plays a Wait animation, so waits are checked too
        scene.render()
    return scene

"""What a viewer would see as broken on a frame: things past its edges, texts drawn over texts.

Importable from every test folder (``tests/`` is on ``sys.path`` through its ``conftest.py``).
"""

from __future__ import annotations

import manim
import numpy as np
from manim import MathTex, Mobject, Text, VMobject

from llmviz.mobjects.numbers import FastText


def _visible(m: VMobject) -> bool:
    if len(m.points) == 0:
        return False
    return not (m.get_fill_opacity() == 0 and (m.get_stroke_opacity() == 0 or m.stroke_width == 0))


def off_frame(mobjects: list[Mobject]) -> list[str]:
    """What is drawn and reaches past the frame's edges (texts by their text)."""
    half_w, half_h = manim.config.frame_width / 2, manim.config.frame_height / 2
    out = []
    for top in mobjects:
        for m in top.get_family():
            if not isinstance(m, VMobject) or not _visible(m):
                continue  # an anchor, a value tracker, a faded-out part
            x, y = np.abs(m.points[:, :2]).max(axis=0)
            if x > half_w or y > half_h:
                out.append(getattr(m, "text", type(m).__name__))
    return out


def _texts(
    mobjects: list[Mobject], min_opacity: float = 0.05, camera=None
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Each visible text once (a mobject can sit in several groups): text, low and high corners.
    A text is visible where its fill is more opaque than ``min_opacity``. With a ``camera`` (a
    3-D scene's), the corners are where that camera draws the text: projected, or fixed in the
    frame, or fixed in orientation beside a projected point."""
    seen, out = set(), []

    def walk(m: Mobject) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        if isinstance(m, FastText | Text | MathTex):
            parts = [m] if isinstance(m, FastText) else m.family_members_with_points()
            points = [
                (p.points if camera is None else camera.transform_points_pre_display(p, p.points))[
                    :, :2
                ]
                for p in parts
                if p.get_fill_opacity() > min_opacity and len(p.points)
            ]
            if points:
                xy = np.concatenate(points)
                out.append((str(getattr(m, "text", "") or m.tex_string), xy.min(0), xy.max(0)))
            return
        for s in m.submobjects:
            walk(s)

    for top in mobjects:
        walk(top)
    return out


def overlapping_texts(
    mobjects: list[Mobject], share: float = 0.2, min_opacity: float = 0.05, camera=None
) -> list[tuple[str, str]]:
    """Pairs of visible texts (fill more opaque than ``min_opacity``) whose boxes share more than
    ``share`` of the smaller box's area.

    Two texts drawn over each other are unreadable; so is a copy an animation forgot to remove,
    which sits under the text it turned into and shows again when that one moves.
    """
    texts = _texts(mobjects, min_opacity, camera)
    if len(texts) < 2:
        return []
    lo = np.array([t[1] for t in texts])
    hi = np.array([t[2] for t in texts])
    size = np.prod(np.maximum(hi - lo, 1e-3), axis=1)
    wh = np.minimum(hi[:, None], hi[None]) - np.maximum(lo[:, None], lo[None])  # [n, n, 2]
    shared = np.where((wh > 0).all(-1), wh.prod(-1), 0.0)
    hit = shared > share * np.minimum(size[:, None], size[None])
    return [(texts[i][0], texts[j][0]) for i, j in zip(*np.nonzero(np.triu(hit, 1)), strict=True)]


#: The smallest font size readable at 480p (about 11 pixels for a capital letter).
MIN_FONT_SIZE = 19.5


_TEXT_SPREAD: dict[tuple, float] = {}


def _spread(points: np.ndarray) -> float:
    """Mean squared distance of points from their centre: kept by moves and rotations, times
    ``s**2`` by a scaling by ``s``."""
    p = points[:, :2]
    return float(((p - p.mean(0)) ** 2).sum(1).mean())


def text_font_size(m: Text) -> float:
    """The font size a manim ``Text`` is drawn at, whatever its rotation.

    ``Text.font_size`` divides the text's height by its height when made, which a quarter turn
    turns into its width; this compares the spread of its points with that of an unscaled copy
    made again with the same settings (the copies' spreads are kept, one per text and font).
    """
    key = (m.original_text, m.font, m._font_size, m.slant, m.weight, m.line_spacing)
    if key not in _TEXT_SPREAD:
        fresh = Text(
            m.original_text,
            font=m.font,
            font_size=m._font_size,
            slant=m.slant,
            weight=m.weight,
            line_spacing=m.line_spacing,
        )
        _TEXT_SPREAD[key] = _spread(fresh.get_all_points())
    points = m.get_all_points()
    if not len(points) or not _TEXT_SPREAD[key]:
        return float(m.font_size)
    return float(m._font_size * np.sqrt(_spread(points) / _TEXT_SPREAD[key]))


def small_texts(
    mobjects: list[Mobject], min_size: float = MIN_FONT_SIZE, zoom: float = 1.0
) -> list[str]:
    """Visible texts drawn smaller than ``min_size`` (their font size times any later scaling,
    times the camera's ``zoom``: 4 when it has moved in to a quarter of the frame's width):
    llmviz's ``FastText`` and manim's ``Text`` (measured unrotated)."""
    from llmviz.mobjects.numbers import _layout

    out = []
    seen: set[int] = set()

    def walk(m: Mobject) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        if isinstance(m, FastText):
            if len(m.points) and m.get_fill_opacity() > 0.05 and m.text.strip():
                pts, _ = _layout(m.text, m.font, m.font_size)
                natural = float(pts[:, 1].max() - pts[:, 1].min()) if len(pts) else 0.0
                if natural > 0 and zoom * m.font_size * m.height / natural < min_size:
                    out.append(m.text)
            return
        if isinstance(m, Text):
            shown = any(p.get_fill_opacity() > 0.05 for p in m.family_members_with_points())
            if shown and m.text.strip() and zoom * text_font_size(m) < min_size:
                out.append(m.text)
            return
        for s in m.submobjects:
            walk(s)

    for top in mobjects:
        walk(top)
    return out

"""Theme and decimals reach the mobjects through one Style object that is replaced, never through
module dictionaries changed in place."""

from __future__ import annotations

import copy

import pytest

from llmviz import style
from llmviz.mobjects import FastNumber


def test_the_views_are_read_only_and_follow_the_current_style():
    themes = copy.deepcopy(style.THEMES)
    with pytest.raises(TypeError):
        style.PALETTE["text"] = "#ffffff"  # type: ignore[index]
    with pytest.raises(TypeError):
        style.DEFAULTS["decimals"] = 4  # type: ignore[index]
    with style.use_style(style.Style(theme="projector", decimals=4)):
        assert style.PALETTE["background"] == "#000000" and style.DEFAULTS["decimals"] == 4
        assert FastNumber(0.5).text == "0.5000"  # a mobject built inside reads it
    assert style.THEMES == themes  # nothing was written into the themes


def test_apply_theme_replaces_the_base_style(monkeypatch):
    before = style.current_style()
    try:
        style.apply_theme("light", decimals=3)
        now = style.current_style()
        assert now is not before and (now.theme, now.decimals) == ("light", 3)
        assert dict(style.PALETTE) == style.THEMES["light"]
        style.apply_theme("dark")  # decimals left as they were
        assert style.current_style().decimals == 3
    finally:
        style.apply_theme(before.theme, before.font, before.decimals)


def test_use_style_wants_a_style():
    with pytest.raises(TypeError, match="Style"):
        with style.use_style("dark"):  # type: ignore[arg-type]
            pass


def test_a_rendered_lecture_scene_gives_back_the_callers_style(monkeypatch):
    """A scene's theme and decimals hold while it renders and never leak into what is built after
    it (a notebook, the next test): the scene puts the caller's base style back."""
    from manim import tempconfig

    from llmviz.scene import LectureScene

    seen = {}

    class Six(LectureScene):
        def construct(self):
            seen["inside"] = (style.current_style().theme, FastNumber(0.5).text)

    before = style.current_style()
    monkeypatch.setenv("LLMVIZ_DECIMALS", "6")
    monkeypatch.setenv("LLMVIZ_THEME", "light")
    with tempconfig({"dry_run": True, "disable_caching": True, "verbosity": "ERROR"}):
        Six().render()
    assert seen["inside"] == ("light", "0.500000")
    assert style.current_style() is before and FastNumber(0.5).text == f"{0.5:.{before.decimals}f}"
    with pytest.raises(TypeError, match="Style"):
        style.set_base_style("dark")

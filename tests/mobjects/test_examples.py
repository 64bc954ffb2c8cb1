"""Every public mobject and animation has a ``.. manim::`` example in its docstring (the docs
render them); each example's code runs and builds its Scene."""

from __future__ import annotations

import inspect
import re
import textwrap

import pytest
from manim import Scene

import llmviz.animations
import llmviz.mobjects

PUBLIC = [getattr(llmviz.mobjects, n) for n in llmviz.mobjects.__all__] + [
    getattr(llmviz.animations, n)
    for n in llmviz.animations.__all__
    if inspect.isclass(getattr(llmviz.animations, n))
]


def example(cls) -> tuple[str, str]:
    """The scene name and the code of ``cls``'s ``.. manim::`` block."""
    doc = inspect.getdoc(cls) or ""
    m = re.search(r"^\.\. manim:: (\w+)\n((?:    :.*\n)*)\n((?:(?:    .*)?\n)+)", doc + "\n", re.M)
    assert m, f"{cls.__name__}'s docstring has no '.. manim::' example"
    return m.group(1), textwrap.dedent(m.group(3))


@pytest.mark.parametrize("cls", PUBLIC, ids=[c.__name__ for c in PUBLIC])
def test_every_public_class_has_an_example_that_builds(cls, monkeypatch):
    name, code = example(cls)
    assert name == f"{cls.__name__}Example"
    assert f"{cls.__name__}(" in code or f"{cls.__name__}." in code  # it shows this class
    space: dict = {}
    exec(compile(code, f"<{name}>", "exec"), space)  # noqa: S102 - our own docstrings
    scene_cls = space[name]
    assert issubclass(scene_cls, Scene)
    scene = scene_cls()
    played = []
    monkeypatch.setattr(scene, "wait", lambda *a, **k: None)
    monkeypatch.setattr(scene, "play", lambda *anims, **k: played.extend(anims))
    scene.construct()
    assert scene.mobjects  # it put something on screen
    if cls.__module__.startswith("llmviz.animations"):
        assert any(isinstance(a, cls) for a in played)

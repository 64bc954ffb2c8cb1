"""A base Scene for llmviz: the palette's background, the model, and sections with narration."""

from __future__ import annotations

from manim import Scene

import llmviz
from llmviz.model.loader import Model
from llmviz.model.trace import Trace
from llmviz.style import BACKGROUND

__all__ = ["LectureScene"]


class LectureScene(Scene):
    """Scene with the llmviz background, a loaded model and narrated sections.

    Subclasses call :meth:`section` instead of ``next_section`` so that each section carries the
    narration spoken over it (used for subtitles and speaker notes).

    Examples
    --------
    >>> from llmviz.scene import LectureScene
    >>> class Hello(LectureScene):
    ...     def construct(self):
    ...         self.section("Hello", "The model reads a prompt.")
    >>> Hello.__mro__[1].__name__
    'LectureScene'
    """

    model_dir: str | None = None  # None: the model shipped inside the package

    def setup(self) -> None:
        self.camera.background_color = BACKGROUND
        self.narration: list[tuple[str, str]] = []
        self._model: Model | None = None

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = llmviz.load_model(self.model_dir)
        return self._model

    def trace(self, prompt: str) -> Trace:
        return self.model.run(prompt)

    def section(self, name: str, narration: str = "", **kwargs) -> None:
        """Start a new section called ``name`` whose narration is ``narration``."""
        self.narration.append((name, narration))
        self.next_section(name, **kwargs)

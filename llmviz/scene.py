"""A base Scene for llmviz: settings, theme, the model, and sections whose narration becomes
subtitles and speaker notes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Axes, FadeOut, Group, Scene, VGroup
from manim.utils.exceptions import EndSceneEarlyException

import llmviz
from llmviz.config import Settings, resolve_settings
from llmviz.errors import LLMVizError
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.model.loader import Model
from llmviz.model.trace import Trace
from llmviz.style import PALETTE, apply_theme

__all__ = ["LectureScene", "split_sentences", "text", "lines", "title", "number", "plain_axes"]


def split_sentences(text: str) -> list[str]:
    """Narration cut into sentences, for one subtitle each.

    Examples
    --------
    >>> split_sentences("One. Two is 2.5 long! Three?")
    ['One.', 'Two is 2.5 long!', 'Three?']
    """
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])", text.strip()) if s]


def text(s: str, size: float = 24, color: str | None = None) -> FastText:
    """Scene text in the theme's font and text colour (numbers never go through LaTeX).

    Examples
    --------
    >>> text("softmax", 30).text
    'softmax'
    """
    return FastText(s, font_size=size, color=color or PALETTE["text"])


def lines(*rows: str, size: float = 24, color: str | None = None, align: str = "center") -> VGroup:
    """Lines of text one under another, their baselines evenly spaced (``align``: ``"left"``,
    ``"center"`` or ``"right"``), so that a line with descenders sits no closer to the next.

    Examples
    --------
    >>> block = lines("no mask:", "every query may", "look at", size=20)
    >>> gaps = [block[i].baseline - block[i + 1].baseline for i in range(2)]
    >>> round(gaps[0], 6) == round(gaps[1], 6)
    True
    """
    edges = {"left": LEFT, "center": ORIGIN, "right": RIGHT}
    if align not in edges:
        raise LLMVizError(f"lines: align must be one of {', '.join(edges)}, not {align!r}")
    edge = edges[align]
    block = VGroup(*(text(r, size, color) for r in rows))
    step = 0.83 * size / 48  # the font's full height at this size (0.67 at 48), plus leading
    for i, row in enumerate(block[1:], start=1):
        row.next_to(block[0], DOWN, aligned_edge=edge)
        row.shift((block[0].baseline - i * step - row.baseline) * UP)
    return block


def title(s: str, max_width: float = 13.2) -> FastText:
    """A step's title at the top edge, shrunk to fit the frame's width."""
    t = text(s, 32)
    if t.width > max_width:
        t.scale_to_fit_width(max_width)
    return t.to_edge(UP, buff=0.35)


def number(v: float, decimals: int = 2, size: float = 26, **kw) -> FastNumber:
    """A real value as a :class:`~llmviz.mobjects.FastNumber` (``format_number`` rules)."""
    return FastNumber(v, decimals=decimals, font_size=size, **kw)


def plain_axes(
    x_range: list[float],
    y_range: list[float],
    x_length: float,
    y_length: float,
    **axis_config,
) -> Axes:
    """Axes in the theme's muted colour without arrow tips (label them with :func:`text`).

    Examples
    --------
    >>> ax = plain_axes([0, 10, 5], [0, 1, 0.5], 4, 2)
    >>> round(float(ax.c2p(10, 0)[0] - ax.c2p(0, 0)[0]), 6)
    4.0
    """
    return Axes(
        x_range=x_range,
        y_range=y_range,
        x_length=x_length,
        y_length=y_length,
        tips=False,
        axis_config={"color": PALETTE["muted"], **axis_config},
    )


class LectureScene(Scene):
    """Scene with llmviz's settings applied, a loaded model and narrated sections.

    Subclasses call :meth:`section` instead of ``next_section``: each section carries the words
    spoken over it. They become the video's subtitles (an ``.srt`` beside the video, one cue per
    sentence, spread over the section's duration) and the speaker notes of ``llmviz slides``.

    Settings (prompt, temperature, seed, model directory, theme, font, decimals) come from class
    attributes, ``llmviz.toml``, ``LLMVIZ_*`` variables or ``llmviz render`` flags, in that order
    of increasing priority (see :mod:`llmviz.config`); ``self.settings`` holds the result.

    Examples
    --------
    >>> from llmviz.scene import LectureScene
    >>> class Hello(LectureScene):
    ...     def construct(self):
    ...         self.section("Hello", "The model reads a prompt.")
    >>> Hello.__mro__[1].__name__
    'LectureScene'
    """

    #: Each section lasts at least as long as its narration takes to read at this many characters
    #: per second (about a speaking pace); 0 turns the padding off.
    reading_speed: float = 15.0

    def setup(self) -> None:
        self.settings: Settings = resolve_settings(type(self))
        apply_theme(self.settings.theme, self.settings.font, self.settings.decimals)
        self.camera.background_color = PALETTE["background"]
        if self.settings.prompt is not None:
            self.prompt = self.settings.prompt
        if self.settings.contrasts is not None:
            self.contrasts = self.settings.contrasts
        self.temperature = self.settings.temperature
        self.seed = self.settings.seed
        self.model_dir = self.settings.model_dir
        self.narration: list[tuple[str, str]] = []
        self._section_start: float | None = None
        self._section_starts: list[float] = []
        self._section_stills: list[float] = []
        self._model: Model | None = None

    def render(self, preview: bool = False):
        """Render; a bad setting or prompt ends with its message instead of a traceback."""
        try:
            return super().render(preview)
        except LLMVizError as exc:
            print(f"llmviz: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = llmviz.load_model(self.model_dir)
        return self._model

    def trace(self, prompt: str) -> Trace:
        return self.model.run(prompt)

    def section(self, name: str, narration: str = "", **kwargs) -> None:
        """Start a new section called ``name`` whose narration is ``narration``."""
        self._close_section()
        self.narration.append((name, narration))
        self._section_start = self.renderer.time
        self._section_starts.append(self.renderer.time)
        self.next_section(name, **kwargs)

    def _close_section(self) -> None:
        """Turn the finished section's narration into subtitle cues spread over its duration."""
        if not self.narration or self._section_start is None:
            return
        text = self.narration[-1][1]
        sentences = split_sentences(text)
        total = sum(len(s) for s in sentences)
        elapsed = self.renderer.time - self._section_start
        if self.reading_speed and elapsed < total / self.reading_speed:
            self.wait(total / self.reading_speed - elapsed)  # hold the picture until it can be read
            elapsed = self.renderer.time - self._section_start
        self._section_stills.append(self.renderer.time)  # the section's content is complete here
        if not sentences or elapsed <= 0:
            self._section_start = None
            return
        offset = -elapsed
        for s in sentences:
            duration = elapsed * len(s) / total
            self.add_subcaption(s, duration=duration, offset=offset)
            offset += duration
        self._section_start = None

    def end_section(self) -> None:
        """End the current section now, while its content is still on screen: its narration gets
        its reading time and subtitles here, and this frame becomes the section's slide picture.
        Call it before clearing the screen at the end of a section."""
        self._close_section()

    def clear(self) -> None:
        """End the step (reading time, subtitles, slide picture) and fade everything out."""
        self.end_section()
        if self.mobjects:
            self.play(FadeOut(Group(*self.mobjects)), run_time=0.5)

    def tear_down(self) -> None:
        try:
            self._close_section()  # the last section's subtitles (and its padding)
        except EndSceneEarlyException:  # `manim render -n 0,K` stopped before the padding
            pass
        self._write_narration()
        super().tear_down()

    def _write_narration(self) -> None:
        """Save section names, start times and narration as ``<Scene>.narration.json`` beside the
        video, for ``llmviz list`` and the speaker notes of ``llmviz slides``."""
        from manim import config

        movie = getattr(self.renderer.file_writer, "movie_file_path", None)
        if config.dry_run or not movie:
            return
        movie = Path(movie)
        # a render cut short (`-n 0,K`) can end before the last sections' stills were taken
        missing = len(self.narration) - len(self._section_stills)
        stills = self._section_stills + [self.renderer.time] * missing
        data = {
            "scene": type(self).__name__,
            "duration": self.renderer.time,
            "sections": [
                {"name": n, "start": t, "still": still, "narration": text}
                for (n, text), t, still in zip(
                    self.narration, self._section_starts, stills, strict=True
                )
            ],
        }
        movie.parent.mkdir(parents=True, exist_ok=True)
        movie.with_name(f"{type(self).__name__}.narration.json").write_text(
            json.dumps(data, indent=1) + "\n"
        )

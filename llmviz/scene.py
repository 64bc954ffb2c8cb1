"""A base Scene for llmviz: settings, theme, the model, and sections whose narration becomes
subtitles and speaker notes."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from manim import (
    ORIGIN,
    AnimationGroup,
    FadeIn,
    FadeOut,
    FadeTransform,
    Group,
    MathTex,
    Mobject,
    MovingCamera,
    Scene,
    config,
)
from manim.animation.animation import prepare_animation
from manim.utils.exceptions import EndSceneEarlyException
from manim.utils.family import extract_mobject_family_members
from manim.utils.iterables import list_update

import llmviz
from llmviz.animations.light_up import LightUp
from llmviz.config import Settings, resolve_settings
from llmviz.errors import ArgumentError, LLMVizError, escape_controls
from llmviz.layout import caption
from llmviz.mobjects.numbers import FastText
from llmviz.model.loader import Model
from llmviz.model.trace import Trace
from llmviz.pulse import natural_time, pulse_target
from llmviz.steps import played_steps
from llmviz.style import PALETTE, apply_theme, set_base_style
from llmviz.voice import READING_SPEED, Voice, beat_id, make_voice

try:  # with the `slides` extra, every lecture scene is a manim-slides slide deck too
    from manim_slides.slide import Slide as _Base
    from manim_slides.slide.base import BaseSlide as _BaseSlide

    SLIDES = True
except ImportError:
    _Base, _BaseSlide = Scene, None
    SLIDES = False

#: Where a lecture scene writes its manim-slides presentation (``<Scene>.json`` and ``files/``)
#: when set; otherwise ``slides/`` beside the media folder: manim-slides' default ``./slides``
#: (where ``manim-slides present`` looks) for manim's default ``./media``. ``llmviz render`` and
#: ``llmviz slides`` set it to ``slides/`` beside the video. (Not an ``LLMVIZ_`` name: those are
#: scene settings.)
SLIDES_FOLDER_ENV = "MANIM_SLIDES_FOLDER"

__all__ = [
    "LectureScene",
    "SLIDES",
    "SLIDES_FOLDER_ENV",
    "Beat",
    "Section",
    "split_sentences",
    "subtitle_cue",
    "shown_texts",
    "Shown",
    "Handover",
]


def split_sentences(text: str) -> list[str]:
    """Narration cut into sentences, for one subtitle each.

    Examples
    --------
    >>> split_sentences("One. Two is 2.5 long! Three?")
    ['One.', 'Two is 2.5 long!', 'Three?']
    """
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])", text.strip()) if s]


def subtitle_cue(sentence: str) -> str:
    r"""A sentence as one subtitle cue: on one line, control characters written as escapes, and
    markup defused with an invisible U+200B (so ``<i>`` and ``{\an8}`` from a prompt show as
    typed, and no ``-->`` line can start a cue of its own).

    Examples
    --------
    >>> subtitle_cue("A <i>prompt</i>\n00:00:00,000 --> 00:59:00,000").replace("\u200b", "|")
    'A <|i>prompt<|/i> 00:00:00,000 -|-> 00:59:00,000'
    """
    one_line = " ".join(str(sentence).split())
    safe = escape_controls(one_line)
    return safe.replace("<", "<\u200b").replace("{", "{\u200b").replace("-->", "-\u200b->")


class Shown(NamedTuple):
    """A value a scene puts on screen, kept for the tests under a name in ``scene.shown``: the
    mobject that draws it and the value it was built from (unpacks as ``mobject, value``).

    Examples
    --------
    >>> from llmviz.mobjects import FastNumber
    >>> shown = Shown(FastNumber(0.25), 0.25)
    >>> shown.value, shown.mobject.value
    (0.25, 0.25)
    """

    mobject: object
    value: object


class Handover(NamedTuple):
    """How a chapter went from step ``before`` to step ``after`` (kept in ``scene.handovers``):
    the names ``before`` handed over (:meth:`LectureScene.hand_over`), the names ``after``'s
    first beat animated (``transformed``), and whether the screen went dark between them (``dark``:
    an act ended there, :attr:`LectureScene.acts`)."""

    before: str
    after: str
    handed: tuple[str, ...]
    transformed: tuple[str, ...]
    dark: bool


def _animated(animations) -> set[int]:
    """The ids of the mobjects that ``animations`` (and the groups in them) move or change."""
    out: set[int] = set()
    for a in animations:
        if isinstance(a, (list, tuple)):
            out |= _animated(a)
            continue
        a = prepare_animation(a)
        out |= _animated(getattr(a, "animations", ()))
        for m in (getattr(a, "mobject", None), getattr(a, "target_mobject", None)):
            if isinstance(m, Mobject):
                out |= {id(f) for f in m.get_family()}
    return out


def shown_texts(mobjects) -> list[str]:
    """The texts, numbers and formulas drawn now (not faded out), for checks of narration."""
    out: list[str] = []
    seen: set[int] = set()

    def walk(m) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        if isinstance(m, (FastText, MathTex)) or type(m).__name__ in ("Text", "MarkupText"):
            parts = [m] if isinstance(m, FastText) else m.family_members_with_points()
            if any(p.get_fill_opacity() > 0.05 for p in parts if len(p.points)):
                out.append(str(getattr(m, "text", "")))
            return
        for sub in m.submobjects:
            walk(sub)

    for top in mobjects:
        walk(top)
    return out


@dataclass
class Beat:
    """One sentence of narration and the change on screen that goes with it; times in seconds
    from the start of the video (``end`` is when the next beat may start)."""

    text: str
    start: float
    end: float
    audio: str | None = None
    shown: tuple[str, ...] = ()  # texts on screen when the sentence ends (for checks)
    id: str = ""  # step, index and hash of the spoken sentence (llmviz.voice.beat_id)


@dataclass
class Section:
    """A named part of a scene: its beats, or one paragraph of narration for a single picture."""

    name: str
    start: float
    paragraph: str = ""
    beats: list[Beat] = field(default_factory=list)
    still: float | None = None  # when its content was complete (the slide's picture)

    @property
    def text(self) -> str:
        return self.paragraph or " ".join(b.text for b in self.beats)


class LectureScene(_Base):
    """Scene with llmviz's settings applied, a loaded model and narrated sections.

    A lecture is told in **beats**: :meth:`say` speaks (or shows, for reading) one sentence while
    the animations that show what it says play over it::

        self.section("Up-projection")
        self.say("Each row of the matrix asks the vector a question.", Create(row_box))
        self.say("The bias sets the bar that only the full name clears.", FadeIn(bar, shift=UP))

    A beat lasts as long as its sentence takes to speak with the ``voice`` setting, or to read at
    :attr:`reading_speed` characters a second when there is no voice; its animations fill most
    of that time. Each beat becomes one subtitle cue (an ``.srt`` beside the video) and its audio
    goes into the video at the same instant; sections and beats, with their times, are written to
    ``<Scene>.narration.json`` for the speaker notes of ``llmviz slides`` and for ``llmviz list``.
    Where a scene truly shows one picture for a whole paragraph, ``section(name, narration)``
    still works: the picture is held until the paragraph can be read.

    Times come from a clock of frames (:attr:`clock`), counted the way the renderer writes them,
    so that a render with a warm cache gives the same frames and times as a cold one.

    With manim-slides installed (``pip install 'llmviz[slides]'``) a lecture scene is also a
    manim-slides ``Slide``: every render writes a presentation (``manim-slides render``, then
    ``manim-slides present``, or ``llmviz slides``) in which each **section is one slide**, whose
    speaker notes are the section's narration. A slide ends where its section's picture is
    complete (:meth:`end_section`, or the next section), so a fade-out between sections opens the
    next slide instead of ending this one on a blank screen; what plays after the last section's
    picture is left out. Without manim-slides it is a plain ``Scene``; nothing else changes.

    Settings (prompt, temperature, seed, model directory, theme, font, decimals, voice) come from
    class attributes, ``llmviz.toml``, ``LLMVIZ_*`` variables or ``llmviz render`` flags, in that
    order of increasing priority (see :mod:`llmviz.config`); ``self.settings`` holds the result.

    Examples
    --------
    >>> from llmviz.scene import LectureScene
    >>> class Hello(LectureScene):
    ...     def construct(self):
    ...         self.section("Hello")
    ...         self.say("The model reads a prompt.")
    >>> Hello.__mro__[1].__name__
    'LectureScene'
    """

    #: Without a voice, a sentence lasts as long as it takes to read at this many characters per
    #: second (about a speaking pace); 0 turns the reading time off.
    reading_speed: float = READING_SPEED
    #: Share of a beat that its animations take when no run_time is given; the rest holds still.
    beat_fill: float = 0.9
    #: A beat never lasts less than this (seconds), so a very short sentence can still be read.
    min_beat: float = 1.2
    #: How many times its own run time an animation may be slowed to fill a sentence (slower
    #: motion reads as a still picture).
    max_stretch: float = 2.0
    #: A beat whose animations read as motion for less than this share of the sentence ends by
    #: lighting up what it brought on screen (:mod:`llmviz.pulse`); 0 (the default) never does.
    pulse_below: float = 0.0
    #: The steps that open a new act of the chapter. Only before them does the screen go dark;
    #: between the other steps, what a step hands over (:meth:`hand_over`) stays and its title
    #: turns into the next one's (:meth:`title_in`), while the rest fades as the next step begins.
    acts: tuple[str, ...] = ()
    #: manim-slides: no reversed copy of each slide (it re-encodes the whole video; the presenter's
    #: reverse key then plays the slide forwards). Set False on a subclass to have them.
    skip_reversing: bool = True
    #: Settings this scene does not use, each with the reason: ``{"seed": "it never samples"}``.
    #: When one of them is set to anything but its default (by any route), the render says so
    #: once on stdout ("seed is not used by NextTokenDemo: ..."); ``<Scene>.narration.json``
    #: lists them all under ``unused_settings``.
    unused_settings: dict[str, str] = {}
    #: The chapter steps this scene plays (their :func:`~llmviz.steps.step` names), in order;
    #: ``ALL_STEPS`` for all of them. A scene with its own ``construct`` ignores it.
    plays: tuple[str, ...] = ()

    #: The camera: a ``MovingCamera``, whose frame :meth:`zoom_to` and :meth:`zoom_out` move.
    camera_kind: type = MovingCamera

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("camera_class", self.camera_kind)
        if not SLIDES:
            super().__init__(*args, **kwargs)
            return

        folder = os.environ.get(SLIDES_FOLDER_ENV) or Path(config.media_dir).parent / "slides"
        kwargs.setdefault("output_folder", Path(folder))
        # the file writer takes the cache limit now; keep every partial movie of this render until
        # the slides are cut from them (render() prunes the cache to the limit afterwards)
        self._cache_limit = config.max_files_cached
        config.max_files_cached = -1
        try:
            # BaseSlide's, not Slide's: that one sets manim options that manim 0.22 no longer has
            _BaseSlide.__init__(self, *args, **kwargs)
        finally:
            config.max_files_cached = self._cache_limit

    def setup(self) -> None:
        from llmviz.mobjects import tokens

        tokens.NOTED.clear()  # the first strip with a <byte 0x..> stand-in explains it
        self.settings: Settings = resolve_settings(type(self))
        # the caller's style comes back in tear_down: a scene's theme and decimals never leak
        self._style_before = apply_theme(
            self.settings.theme, self.settings.font, self.settings.decimals
        )
        self.camera.background_color = PALETTE["background"]
        if self.settings.prompt is not None:
            self.prompt = self.settings.prompt
        if self.settings.contrasts is not None:
            self.contrasts = self.settings.contrasts
        self.temperature = self.settings.temperature
        self.seed = self.settings.seed
        self.model_dir = self.settings.model_dir
        self.voice: Voice = make_voice(
            self.settings.voice, self.reading_speed, self.settings.voice_fallback
        )
        self._say_unused()
        self.sections: list[Section] = []
        #: What the scene put on screen, by name (a :class:`Shown`, or a chapter's own record),
        #: for the tests that check the picture against the model's values.
        self.shown: dict[str, object] = {}
        self.clock = 0.0  # seconds of video so far, counted in whole frames
        self._open: Section | None = None
        self._model: Model | None = None
        self._slide_has_section = False  # the slide being recorded holds a section (slides)
        #: How the chapter went from each step to the next (:class:`Handover`), in order.
        self.handovers: list[Handover] = []
        self._handed: dict[str, Mobject] = {}  # what the step playing now hands on
        self._received: dict[str, Mobject] = {}  # what it was handed
        self._leftovers: list[Mobject] = []  # the last step's rest, faded by the next play
        self._title: Mobject | None = None  # the title of the step playing now
        self._old_title: Mobject | None = None  # the last step's title, until title_in takes it
        self._first_beat = False  # the next say() is a step's first beat

    def _say_unused(self) -> None:
        """Name, once, each setting that the user changed and this scene does not use."""
        from llmviz.config import SETTINGS, ConfigError

        known = {s.name: s for s in SETTINGS}
        unknown = sorted(set(self.unused_settings) - set(known))
        if unknown:
            raise ConfigError(
                f"{type(self).__name__}.unused_settings names no setting: {', '.join(unknown)}; "
                f"settings are {', '.join(known)}"
            )
        unknown = sorted(set(self.steps_ignoring()) - set(known))
        if unknown:
            raise ConfigError(
                f"a step of {type(self).__name__} ignores no setting called {', '.join(unknown)}; "
                f"settings are {', '.join(known)}"
            )
        for name, why in self.unused_settings.items():
            if getattr(self.settings, name) != known[name].default:
                print(f"llmviz: {name} is not used by {type(self).__name__}: {why}", flush=True)
        for name, (titles, why, n) in self.steps_ignoring().items():
            if name in self.unused_settings or getattr(self.settings, name) == known[name].default:
                continue
            if len(titles) == n:  # every step it plays
                print(f"llmviz: {name} is not used by {type(self).__name__}: {why}", flush=True)
            else:
                which = ", ".join(titles)
                if 2 * len(titles) > n:  # name the few steps that do follow it
                    from llmviz.steps import played_steps

                    which = "all but " + ", ".join(
                        s.title for s in played_steps(type(self)) if s.title not in titles
                    )
                print(
                    f"llmviz: {name} is not used by {len(titles)} of the {n} steps of "
                    f"{type(self).__name__} ({which}): {why}",
                    flush=True,
                )
        if self.settings.voice_fallback != "none" and not Path(self.settings.voice).is_dir():
            print(
                "llmviz: voice_fallback is not used: it only speaks the beats that a folder of "
                f"recordings has no clip for, and voice is {self.settings.voice!r}",
                flush=True,
            )

    def steps_ignoring(self) -> dict[str, tuple[list[str], str, int]]:
        """The settings that some of the steps this scene plays do not follow (their
        ``@step(..., ignores=...)``): ``{name: (titles of those steps, the first reason, number
        of steps played)}``."""
        from llmviz.steps import played_steps

        if type(self).construct is not LectureScene.construct:
            return {}
        steps = played_steps(type(self))
        found: dict[str, tuple[list[str], str, int]] = {}
        for info in steps:
            for name, why in info.ignores:
                titles, first, n = found.get(name, ([], why, len(steps)))
                found[name] = ([*titles, info.title], first, n)
        return found

    def construct(self) -> None:
        """Play the steps named in :attr:`plays`: each hands on to the next (:meth:`hand_over`),
        and the screen goes dark only before a step that opens an act (:attr:`acts`)."""
        before = None
        for info in played_steps(type(self)):
            if before is not None:
                self._between(before, info.name)
            self._first_beat = True
            self._step = info.name  # the beats' ids name their step
            getattr(self, f"step_{info.name}")()
            before = info.name

    # --- from one step to the next ----------------------------------------------------------------
    def hand_over(self, **objects: Mobject) -> None:
        """End this step by handing ``objects`` (on screen) to the next step under their names,
        e.g. ``self.hand_over(strip=strip, vector=vector)``: inside a chapter they stay on screen
        and the next step's first beat transforms them (:meth:`received`); played alone, a step
        hands over nothing and the next one builds its own opening.

        Each object becomes a mobject of the scene on its own, out of the groups it was drawn in
        (a ``LaggedStart`` or a larger picture), so that what fades as the next step begins
        leaves it, and the next step's first beat moves it alone."""
        for name, m in objects.items():
            if not isinstance(m, Mobject):
                raise ArgumentError(
                    f"hand_over: {name} must be a mobject on screen, not {type(m).__name__}"
                )
        for m in objects.values():
            self._detach(m)
        self._handed.update(objects)

    def _detach(self, m: Mobject) -> None:
        """Make ``m`` a mobject of the scene on its own, when it is drawn now as a part of
        another (nothing changes on screen)."""
        family = {id(x) for x in m.get_family()}
        found = False
        for top in list(self.mobjects):
            if top is m:
                found = True
                continue
            if id(top) in family:  # a piece of it that was brought on screen alone
                self.remove(top)
                found = True
                continue
            for parent in top.get_family():
                if id(parent) in family:
                    continue
                kept = [c for c in parent.submobjects if id(c) not in family]
                if len(kept) != len(parent.submobjects):
                    parent.submobjects = kept
                    found = True
        if found and m not in self.mobjects:
            self.add(m)

    def received(self, name: str) -> Mobject | None:
        """What the previous step handed over as ``name``, or None: when this step plays alone,
        opens an act, or the previous step handed no such thing. The step then builds its own."""
        if not isinstance(name, str):
            raise ArgumentError(f"received() takes a name (a string), not {type(name).__name__}")
        return self._received.get(name)

    def title_in(self, head: Mobject, **kwargs):
        """The animation that brings a step's title ``head`` on screen: the last step's title
        turning into it inside an act, a fade-in from above otherwise. Given first to
        :meth:`say`, it plays together with the beat's next step, so that the screen never holds
        a title alone."""
        if not isinstance(head, Mobject):
            raise ArgumentError(f"title_in needs the title mobject, not {type(head).__name__}")
        old, self._old_title, self._title = self._old_title, None, head
        if old is not None and old in self.mobjects:
            if old in self._leftovers:
                self._leftovers.remove(old)
            entrance = FadeTransform(old, head, **kwargs)
        else:
            entrance = FadeIn(head, shift=kwargs.pop("shift", 0.5 * np.array([0, -1, 0])), **kwargs)
        entrance.with_picture = True  # say() plays it together with the beat's next step
        return entrance

    def _between(self, before: str, after: str) -> None:
        """End step ``before`` and make ready for ``after``: fade to black before an act, else
        keep what was handed over and the title, and leave the rest for the next play to fade."""
        self.end_section()
        self.camera_home()
        handed, self._handed = self._handed, {}
        handed = {k: m for k, m in handed.items() if m in self.mobjects}
        dark = after in self.acts or not self.mobjects
        self.handovers.append(Handover(before, after, tuple(handed), (), dark))
        if dark:
            self._received, self._old_title = {}, None
            if self.mobjects:
                self.play(FadeOut(Group(*self.mobjects)), run_time=0.5)
            return
        self._received = handed
        keep = set(map(id, handed.values()))
        self._old_title = self._title if self._title in self.mobjects else None
        self._leftovers = [m for m in self.mobjects if id(m) not in keep]

    def _note_first_beat(self, animations) -> None:
        """Record which of the received objects a step's first beat animates."""
        if not self._first_beat:
            return
        self._first_beat = False
        if not self.handovers or not self._received:
            return
        moved = _animated(animations)
        used = tuple(k for k, m in self._received.items() if id(m) in moved)
        self.handovers[-1] = self.handovers[-1]._replace(transformed=used)

    # --- the camera -------------------------------------------------------------------------------
    def zoom_to(self, target: Mobject, margin: float = 1.25, **kwargs):
        """The animation that moves the camera in until ``target`` fills the frame (with
        ``margin`` around it, never further out than the whole frame). With a 3-D camera
        (``camera_kind = ThreeDCamera``) it moves the camera's centre and zoom instead."""
        if not isinstance(target, Mobject):
            raise ArgumentError(f"zoom_to needs a mobject to look at, not {type(target).__name__}")
        if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 1:
            raise ArgumentError(f"zoom_to: margin must be a number of at least 1, not {margin!r}")
        aspect = config.frame_width / config.frame_height
        width = min(config.frame_width, margin * max(target.width, target.height * aspect))
        return self._camera_to(target.get_center(), width, **kwargs)

    def zoom_out(self, **kwargs):
        """The animation that moves the camera back out to the whole frame."""
        return self._camera_to(ORIGIN, config.frame_width, **kwargs)

    def _camera_to(self, center, width: float, **kwargs):
        camera = self.camera
        if hasattr(camera, "frame"):  # a MovingCamera
            return camera.frame.animate(**kwargs).set(width=width).move_to(center)
        return AnimationGroup(  # a ThreeDCamera: its centre and zoom are mobjects too
            camera._frame_center.animate.move_to(center),
            camera.zoom_tracker.animate.set_value(config.frame_width / width),
            **kwargs,
        )

    def _camera_now(self) -> tuple[np.ndarray, float]:
        camera = self.camera
        if hasattr(camera, "frame"):
            return camera.frame.get_center(), float(camera.frame.width)
        return (
            camera._frame_center.get_center(),
            config.frame_width / camera.zoom_tracker.get_value(),
        )

    @property
    def zoomed(self) -> bool:
        """Whether the camera is moved in (or away) from the whole frame."""
        center, width = self._camera_now()
        return bool(abs(width - config.frame_width) > 1e-3 or np.abs(center).max() > 1e-3)

    def camera_home(self) -> None:
        """Put the camera back on the whole frame at once (a step that zoomed in and never
        zoomed out ends so); a 3-D camera also looks straight down again."""
        camera = self.camera
        if hasattr(camera, "frame"):
            if self.zoomed:
                camera.frame.set(width=config.frame_width).move_to(ORIGIN)
            return
        camera._frame_center.move_to(ORIGIN)
        camera.zoom_tracker.set_value(1.0)
        if hasattr(self, "set_camera_orientation"):
            self.stop_ambient_camera_rotation()
            self.set_camera_orientation(phi=0, theta=-np.pi / 2, gamma=0)

    def get_moving_mobjects(self, *animations):
        """As in manim's ``MovingCameraScene``: while the camera's frame moves, everything on
        screen is redrawn in every frame."""
        moving = super().get_moving_mobjects(*animations)
        family = {id(m) for m in extract_mobject_family_members(moving)}
        frames = getattr(self.renderer.camera, "get_mobjects_indicating_movement", list)()
        if any(id(f) in family for f in frames):
            return list_update(self.mobjects, moving)
        return moving

    def render(self, preview: bool = False):
        """Render; a bad setting or prompt ends with its message instead of a traceback. With
        manim-slides, the slides are then cut from the partial movies (``Slide.render``'s work,
        done here because it sets options that manim 0.22 no longer has)."""
        try:
            if not SLIDES:
                return super().render(preview)
            result = Scene.render(self, preview)
            self._save_slides(
                use_cache=not self.disable_caching,
                flush_cache=self.flush_cache,
                skip_reversing=self.skip_reversing,
            )
            self._prune_cache()
            return result
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

    @property
    def narration(self) -> list[tuple[str, str]]:
        """``(section name, its narration)`` for every section so far."""
        return [(s.name, s.text) for s in self.sections]

    @property
    def beats(self) -> list[Beat]:
        return [b for s in self.sections for b in s.beats]

    # --- the clock ------------------------------------------------------------------------------
    def play(self, *args, **kwargs) -> None:
        """``Scene.play``, and the clock moves on by the frames the renderer writes for it. The
        first play of a step inside an act also fades out what the last step left and did not
        hand over."""
        if self._leftovers:
            rest, self._leftovers = self._leftovers, []
            rest = [m for m in rest if m in self.mobjects]
            if rest:
                args = (*args, FadeOut(Group(*rest)))
        super().play(*args, **kwargs)
        fps = self.camera.frame_rate
        if self.is_current_animation_frozen_frame():
            frames = int(self.duration * fps)  # a still wait repeats one frame this many times
        else:
            frames = len(np.arange(0, self.duration, 1 / fps))  # one frame per time step
        self.clock += frames / fps

    def _frames(self, seconds: float) -> float:
        """``seconds`` rounded up to whole frames (at least one), so that a sentence's audio
        always ends within its beat."""
        fps = self.camera.frame_rate
        return max(1, int(np.ceil(seconds * fps - 1e-6))) / fps

    # --- sections and beats ---------------------------------------------------------------------
    def section(self, name: str, narration: str = "", **kwargs) -> None:
        """Start a section called ``name``. Tell it in beats with :meth:`say`, or, for one
        picture shown for a whole paragraph, give the paragraph as ``narration``."""
        self._close_section()
        self._open = Section(name, self.clock, " ".join(narration.split()))
        self.sections.append(self._open)
        if SLIDES:
            # manim's section only (`--save_sections`); the slide started where the last one ended
            Scene.next_section(self, name, **kwargs)
            self._slide_has_section = True
        else:
            self.next_section(name, **kwargs)

    def say(self, sentence: str, *animations, run_time: float | None = None, **play_kwargs) -> Beat:
        """One beat: ``sentence`` is spoken (or left to read) while ``animations`` play.

        The animations play one after another, starting with the sentence; a list or tuple of
        animations plays together as one step. The steps share :attr:`beat_fill` of the
        sentence's duration (or ``run_time``) in proportion to their own run times, each
        stretched at most :attr:`max_stretch` times, so that motion stays visible; the picture
        then holds until the sentence ends. Returns the :class:`Beat` with its times.
        """
        if self._open is None:
            raise LLMVizError("say() needs a section: call self.section(name) first")
        if self._open.paragraph:
            raise LLMVizError(
                f"section {self._open.name!r} was given its narration as a paragraph; "
                "use beats (say) or the paragraph, not both"
            )
        sentence = " ".join(str(sentence).split())
        if len(animations) >= 2 and getattr(animations[0], "with_picture", False):
            # a step's title arrives with its first picture: the screen never holds it alone
            after = animations[1]
            together = [animations[0], *(after if isinstance(after, list | tuple) else [after])]
            animations = (together, *animations[2:])
        step = getattr(self, "_step", None) or type(self).__name__
        self._beat_index = getattr(self, "_beat_index", {})
        index = self._beat_index[step] = self._beat_index.get(step, -1) + 1
        ident = beat_id(step, index, sentence)
        speech = self.voice.speak(sentence, ident)
        duration = self._frames(max(speech.duration, self.min_beat))
        start = self.clock
        self._note_first_beat(animations)
        animations = self._with_pulse(
            list(animations), max(speech.duration, self.min_beat), run_time
        )
        steps = [
            AnimationGroup(*(prepare_animation(a) for a in step))
            if isinstance(step, (list, tuple))
            else prepare_animation(step)
            for step in animations
        ]
        if steps:
            natural = [max(step.get_run_time(), 1e-3) for step in steps]
            fill = run_time if run_time is not None else duration * self.beat_fill
            scale = fill / sum(natural)
            if run_time is None:
                scale = min(scale, self.max_stretch)
            for step, t in zip(steps, natural, strict=True):
                self.play(step, run_time=self._frames(t * scale), **play_kwargs)
        rest = start + duration - self.clock
        if rest > 0.5 / self.camera.frame_rate:
            self.wait(self._frames(rest))
        beat = Beat(
            sentence,
            start,
            self.clock,
            str(speech.audio) if speech.audio else None,
            tuple(shown_texts(self.mobjects)),
            ident,
        )
        self._open.beats.append(beat)
        self.add_subcaption(
            subtitle_cue(sentence), duration=beat.end - beat.start, offset=start - self.time
        )
        return beat

    @staticmethod
    def caption(s: str, size: float = 20):
        """:func:`llmviz.layout.caption`: a small muted line at the bottom of the frame."""
        return caption(s, size)

    def _with_pulse(self, steps: list, duration: float, run_time: float | None) -> list:
        """``steps``, plus an ``Indicate`` of what they bring on screen when they would leave
        most of the sentence still (:attr:`pulse_below`); the one pulse rule of every chapter."""
        if run_time is not None or not steps or not self.pulse_below:
            return steps
        fill = duration * self.beat_fill
        natural = sum(natural_time(step) for step in steps)
        scale = min(fill / max(natural, 1e-3), self.max_stretch)
        visible = sum(natural_time(step, visible=True) for step in steps) * scale
        focus = pulse_target(steps)
        if visible < self.pulse_below * fill and focus is not None:
            steps.append(LightUp(focus, run_time=1.5))
        return steps

    def _close_section(self) -> None:
        """Finish the open section: a paragraph gets its reading time and its subtitles."""
        sec, self._open = self._open, None
        if sec is None:
            return
        if sec.paragraph:
            sentences = split_sentences(sec.paragraph)
            total = sum(len(s) for s in sentences)
            need = total / self.reading_speed if self.reading_speed else 0.0
            if self.clock - sec.start < need:
                self.wait(self._frames(need - (self.clock - sec.start)))  # hold until it is read
            elapsed = self.clock - sec.start
            t = sec.start
            for s in sentences if elapsed > 0 else []:
                duration = elapsed * len(s) / total
                self.add_subcaption(subtitle_cue(s), duration=duration, offset=t - self.time)
                t += duration
        sec.still = self.clock  # the section's content is complete here
        if SLIDES:
            self._end_slide(sec)

    # --- manim-slides ---------------------------------------------------------------------------
    def _end_slide(self, sec: Section) -> None:
        """End the slide being recorded here, at the section's picture, with the section's
        narration as its notes; what plays next (a fade-out, the next section) is the next slide.
        A section that played nothing has no slide (as it has no clip with ``--save_sections``)."""
        self._base_slide_config.notes = sec.text
        _BaseSlide.next_slide(self)  # a slide boundary only: manim's sections start in section()
        self._slide_has_section = False

    def _add_last_slide(self) -> None:
        """manim-slides' closing slide, unless all it would hold is what played after the last
        section's picture (the chapters' closing fade-out)."""
        if self._slides and not self._slide_has_section:
            return
        super()._add_last_slide()

    @property
    def _background_color(self) -> str:
        """The slides' background: the theme's colour (a string here, which manim-slides'
        own property cannot read)."""
        from manim import ManimColor

        return ManimColor(self.camera.background_color).to_hex()

    def _writes_movie(self) -> bool:

        output = getattr(getattr(self, "session_spec", None), "output", None)
        return not config.dry_run and output is not None and output.is_video

    def _save_slides(self, *args, **kwargs) -> None:
        """Write the manim-slides presentation, when this render wrote a movie to cut it from
        (not with ``-s``, ``--dry_run`` or no animation)."""
        if self._writes_movie() and self._current_animation > 0:
            super()._save_slides(*args, **kwargs)

    def _prune_cache(self) -> None:
        """Trim the partial-movie cache to ``max_files_cached``, as manim would have."""
        from manim.utils.caching import prune_segment_cache

        folder = getattr(
            getattr(self.renderer, "file_writer", None), "partial_movie_directory", None
        )
        if self._writes_movie() and folder is not None and Path(folder).is_dir():
            prune_segment_cache(Path(folder), self._cache_limit)

    def end_section(self) -> None:
        """End the current section now, while its content is still on screen: this frame becomes
        the section's slide picture. Call it before clearing the screen at the end of a section."""
        self._close_section()

    def clear(self) -> None:
        """End the step (slide picture) and fade everything out."""
        self.end_section()
        self.camera_home()
        if self.mobjects:
            self.play(FadeOut(Group(*self.mobjects)), run_time=0.5)

    def tear_down(self) -> None:
        try:
            self._close_section()  # the last section's subtitles (and its padding)
        except EndSceneEarlyException:  # `manim render -n 0,K` stopped before the padding
            pass
        try:
            self._add_voice()
            self._write_narration()
            super().tear_down()
        finally:
            set_base_style(self._style_before)

    def _add_voice(self) -> None:
        """Put every beat's audio into the video at the beat's start (added here, at the end,
        so that a cached animation before a beat can never drop its sound)."""

        writer = getattr(self.renderer, "file_writer", None)
        self.sound_times: list[tuple[float, str]] = []
        for note in self.voice.finish():  # a folder voice's missing and stale clips, once
            print(f"llmviz: {note}", flush=True)
        if config.dry_run or writer is None:
            return
        from llmviz.sound import normalise_segment, overlaps
        from llmviz.voice import wav_duration

        clips = []
        for beat in self.beats:
            if beat.audio:
                writer.add_sound(beat.audio, time=beat.start)
                self.sound_times.append((beat.start, beat.audio))
                clips.append((beat.start, wav_duration(beat.audio)))
        clash = overlaps(clips, tolerance=0.5 / self.camera.frame_rate)
        if clash:
            raise LLMVizError(
                "clips overlap in the sound track: "
                + ", ".join(
                    f"{self.sound_times[a][1]} and {self.sound_times[b][1]}" for a, b in clash
                )
            )
        if clips and getattr(writer, "audio_segment", None) is not None:
            track = normalise_segment(writer.audio_segment)
            self.loudness_normalised = track is not writer.audio_segment
            writer.audio_segment = track

    def _write_narration(self) -> None:
        """Save sections and beats with their times as ``<Scene>.narration.json`` beside the
        video, for ``llmviz list`` and the speaker notes of ``llmviz slides``."""

        movie = getattr(self.renderer.file_writer, "movie_file_path", None)
        if config.dry_run or not movie:
            return
        movie = Path(movie)
        data = {
            "scene": type(self).__name__,
            "duration": self.clock,
            "voice": self.voice.name,
            "unused_settings": {
                **{
                    name: why
                    for name, (titles, why, n) in self.steps_ignoring().items()
                    if len(titles) == n
                },
                **self.unused_settings,
            },
            # settings that only some of the steps leave aside: {name: [their titles]}
            "unused_by_steps": {
                name: titles
                for name, (titles, _, n) in self.steps_ignoring().items()
                if len(titles) < n and name not in self.unused_settings
            },
            "sections": [
                {
                    "name": s.name,
                    "start": s.start,
                    # a render cut short (`-n 0,K`) can end before a section's still was taken
                    "still": self.clock if s.still is None else s.still,
                    "narration": s.text,
                    "beats": [
                        {
                            "id": b.id,
                            "text": b.text,
                            "start": b.start,
                            "end": b.end,
                            "audio": b.audio,
                        }
                        for b in s.beats
                    ],
                }
                for s in self.sections
            ],
        }
        movie.parent.mkdir(parents=True, exist_ok=True)
        # named after the video (the scene's name unless `-o NAME`; llmviz render writes under a
        # temporary name and renames both into place), and written whole or not at all
        target = movie.with_name(f"{movie.stem}.narration.json")
        part = target.with_name(f"{target.name}.part")
        part.write_text(json.dumps(data, indent=1) + "\n")
        os.replace(part, target)

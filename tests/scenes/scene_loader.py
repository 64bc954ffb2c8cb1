"""Load a chapter file from scenes/ and render its scenes in dry-run mode, for the scene tests."""

import importlib.util
import re
import sys
from pathlib import Path

from frame_checks import off_frame, overlapping_texts, small_texts
from manim import tempconfig

from llmviz.steps import chapter_steps

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "scenes") not in sys.path:  # chapters import their step modules (scenes/mlp_steps)
    sys.path.insert(0, str(ROOT / "scenes"))


def load(chapter: str):
    """The module ``scenes/<chapter>.py`` (registered in ``sys.modules`` for dataclasses)."""
    name = f"scene_{chapter}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scenes" / f"{chapter}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _drawn(scene):
    """The camera to check texts through: a 3-D scene's, which draws them elsewhere than their
    points (projected, or fixed in the frame or in orientation); None for a flat one."""
    from manim import ThreeDCamera

    if not isinstance(scene.camera, ThreeDCamera):
        return None
    scene.camera.reset_rotation_matrix()  # a dry run draws no frame, which would refresh it
    return scene.camera


def _zoom(scene) -> float:
    """How far the camera has moved in: the frame's width over the width it shows."""
    from manim import config

    frame = getattr(scene.camera, "frame", None)
    if frame is not None:
        return config.frame_width / frame.width
    tracker = getattr(scene.camera, "zoom_tracker", None)
    return float(tracker.get_value()) if tracker is not None else 1.0


def render(cls, frame_rate: int = 2):
    """Construct and play a scene without writing frames; returns the scene.

    At 2 frames a second every mobject and animation is still built, with few frames to
    interpolate, so the values on screen can be checked quickly. After every animation and wait,
    whatever reaches past the frame's edges is noted in ``scene.outside`` as
    ``(section, text or type)``, and texts drawn over one another in ``scene.overlaps`` as
    ``(section, text, text)``, and texts smaller than readable at 480p in ``scene.small``; a
    tidy scene leaves all three empty. Halfway through every animation (the first frame past
    alpha 0.5) solid texts drawn over solid texts are noted too, in ``scene.overlaps_midway``:
    a light-up that grows over its neighbour, a label that slides across another. (Texts half
    faded, as in a cross-fade from one text into another, are not solid.)
    """
    config = {
        "dry_run": True,
        "quality": "low_quality",
        "disable_caching": True,
        "frame_rate": frame_rate,
    }
    with tempconfig(config):
        scene = cls()
        scene.outside, scene.overlaps, scene.small = [], [], []
        play = scene.play

        def checked_play(*args, **kwargs):
            play(*args, **kwargs)
            narration = getattr(scene, "narration", None)
            section = narration[-1][0] if narration else None
            scene.outside += [(section, name) for name in off_frame(scene.mobjects)]
            scene.overlaps += [
                (section, a, b) for a, b in overlapping_texts(scene.mobjects, camera=_drawn(scene))
            ]
            scene.small += [(section, s) for s in small_texts(scene.mobjects, zoom=_zoom(scene))]

        scene.play = checked_play  # Scene.wait plays a Wait animation, so waits are checked too
        scene.overlaps_midway = []
        update = scene.update_to_time

        def checked_update(t):
            update(t)
            duration = getattr(scene, "duration", 0) or 0
            if duration > 0 and scene._midway_pending and t >= duration / 2:
                scene._midway_pending = False
                narration = getattr(scene, "narration", None)
                section = narration[-1][0] if narration else None
                scene.overlaps_midway += [
                    (section, a, b)
                    for a, b in overlapping_texts(
                        scene.mobjects, min_opacity=0.9, camera=_drawn(scene)
                    )
                    if (section, a, b) not in scene.overlaps_midway
                ]

        scene._midway_pending = False
        play_internal = scene.play_internal

        def checked_play_internal(*args, **kwargs):
            scene._midway_pending = True
            play_internal(*args, **kwargs)

        scene.update_to_time = checked_update
        scene.play_internal = checked_play_internal
        scene.render()
    return scene


#: The prompts at the edge of what a teacher may set, shared by the chapters' extremes tests: one
#: that fills the shipped model's 64-token window and ends on the lecture's prompt, right-to-left
#: letters, and emoji (a byte-level tokenizer cuts both into <byte 0x..> tokens).
LONG_PROMPT = (
    "Tonight on TV, after the news and the weather and a long film about the sea and the "
    "mountains, the sport show on the big channel asks who is the best of all Michael Jordan "
    "plays the sport of"
)
RIGHT_TO_LEFT = "שלום עולם, זה מבחן: مرحبا Michael Jordan plays the sport of"
EMOJI = "👩‍👩‍👧 🏀🔥 Michael Jordan plays the sport of 🏀"


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(s: str) -> set[str]:
    """The numbers written in a text, without signs ("-0.58" and "+0.58" give "0.58")."""
    return {n.rstrip(".,") for n in NUMBER.findall(s.replace("\u2212", "-"))}


def narration_problems(scene, names=()) -> list[str]:
    """Numbers, and the given names, that a beat says but that are not on screen when the beat
    ends (every beat records the texts on screen: ``Beat.shown``)."""
    problems = []
    names = set(names)
    for beat in scene.beats:
        screen = " ".join(beat.shown).replace("␣", " ")
        missing = numbers(beat.text) - numbers(screen)
        if missing:
            problems.append(f"{beat.text!r}: numbers {sorted(missing)} not on screen")
        said = {w for w in re.findall(r"[A-Z][a-z]+", beat.text) if w in names}
        # a name may be drawn as several tokens (a byte-level vocabulary splits "Michael" into
        # "Mich" + "ael"): then it is on screen in the texts joined without spaces
        joined = "".join(beat.shown).replace("␣", "")
        unseen = {w for w in said if not re.search(rf"\b{w}\b", screen) and w not in joined}
        if unseen:
            problems.append(f"{beat.text!r}: names {sorted(unseen)} not on screen")
        problems += [f"{beat.text!r}: {p}" for p in count_problems(beat.text)]
    return problems


#: The nouns the chapters count: after a count of one they must be singular ("1 neurons").
_COUNTED = (
    "neurons tokens names heads features athletes layers words answers positions steps rows "
    "columns dimensions directions weights parameters sentences prompts keys values queries "
    "players matrices numbers pixels images vectors digits blocks sports contrasts classes"
).split()


def count_problems(sentence: str) -> list[str]:
    """A count that does not agree with its noun or verb: "1 neurons", "1 of 256 neurons are",
    "all 1," or "0 neurons" said as a finding (say "no neuron")."""
    problems = []
    for m in re.finditer(r"(?<![\d.,])1 ([a-z]+)\b", sentence):
        if m.group(1) in _COUNTED:
            problems.append(f"'1 {m.group(1)}'")
    if re.search(r"(?<![\d.,])1 of [\d,]+ [a-z]+s (are|were|have)\b", sentence):
        problems.append("'1 of N ... are'")
    if re.search(r"\ball 1\b(?![.,]\d)", sentence):
        problems.append("'all 1'")
    if re.search(r"(?<![\d.,])0 (neurons|names|tokens|heads|features)\b", sentence):
        problems.append("'0 <things>' (say 'no ...')")
    return problems


#: A chapter may go dark this many times between its steps (where an act ends; its opening
#: frame, before the first title fades in, makes the third blank screen).
MAX_ACT_BREAKS = 2


def flow_problems(chapter) -> list[str]:
    """What breaks the flow of a rendered chapter (``scene.handovers``): a step that goes dark
    where no act ends, more act breaks than :data:`MAX_ACT_BREAKS`, an act that names no step of
    the chapter, and objects handed over that the next step's first beat does not transform (or
    that it transforms without being handed them)."""
    problems = []
    acts = set(getattr(chapter, "acts", ()))
    steps = {s.name for s in chapter_steps(type(chapter))}
    problems += [f"acts names {a!r}, which is no step of the chapter" for a in sorted(acts - steps)]
    dark = [h for h in chapter.handovers if h.dark]
    if len(dark) > MAX_ACT_BREAKS:
        problems.append(f"{len(dark)} act breaks: {[h.after for h in dark]}")
    for h in chapter.handovers:
        if h.dark and h.after not in acts:
            problems.append(f"{h.before} -> {h.after}: dark inside an act")
        if not h.dark and set(h.handed) != set(h.transformed):
            problems.append(
                f"{h.before} -> {h.after}: handed {sorted(h.handed)}, first beat transforms "
                f"{sorted(h.transformed)}"
            )
    return problems


#: A spoken sentence may hold no number of more than this many digits in a row.
MAX_DIGITS = 4


def spoken_problems(text: str) -> list[str]:
    """What a voice would read badly in ``text`` (a spoken sentence)."""
    problems = []
    if "\u2423" in text:
        problems.append("a token mark \u2423")
    runs = [r for r in re.findall(r"\d+", text) if len(r) > MAX_DIGITS]
    if runs:
        problems.append(f"digit runs {runs}")
    if re.search(r"(?<![\d.])0(\.0+)?\s*(percent|%)", text):
        problems.append("a bare zero percent")
    if re.search(r"\w_\w", text):
        problems.append("an underscore")
    return problems


def spoken_beat_problems(scene) -> list:
    """Each beat of a played scene whose spoken form a voice would read badly, and any beat id
    given twice (a recorded clip is named by its beat's id)."""
    from llmviz.words import spoken

    beats = [b for s in scene.sections for b in s.beats]
    bad = [(b.id, said, p) for b in beats if (p := spoken_problems(said := spoken(b.text)))]
    ids = [b.id for b in beats]
    bad += [(i, "", "id given twice") for i in sorted({i for i in ids if ids.count(i) > 1})]
    return bad if beats else [("", "", "no beats")]

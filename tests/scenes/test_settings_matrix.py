"""Every setting against every scene file (the four chapters, the demo and the gallery), by
behaviour: a setting that a scene reads changes what its help says it changes, on screen or in
the narration; one that it does not read is named on stdout ("seed is not used by ...") and
leaves the narration and the screen as they were.

The settings arrive as ``LLMVIZ_*`` variables, the route ``llmviz render`` and ``llmviz slides``
use to reach their render processes (the precedence of the routes has its own tests in
tests/workflow/test_config.py). Each file is tried on one or two short steps that read the
settings it uses. ``model_dir`` has its own per-chapter tests (a random GPT-2 folder), and the
voices theirs (tests/workflow/test_beats_voice.py).
"""

import re

import pytest
from scene_loader import load, render

from llmviz.config import SETTINGS
from llmviz.style import THEMES

SERENA = "Serena Woods plays the sport of"
LIONEL = "Lionel Ali plays the sport of"
#: A value for each setting, other than its default, and how to see it on screen or in words.
CHANGED = {
    "prompt": SERENA,
    "contrasts": LIONEL,
    "temperature": "0.5",
    "seed": "7",
    "theme": "light",
    "font": "DejaVu Sans",
    "decimals": "4",
}
STYLE = ("theme", "font", "decimals")  # their effects are independent: tried in one render
CONTENT = ("prompt", "contrasts", "temperature", "seed")  # tried one at a time

#: (scene file, step): the steps each file is tried on.
STEPS = [
    ("next_token", "SamplingLoop"),  # prompt, temperature, seed
    ("attention", "TheGrid"),  # prompt
    ("mlp", "ReLUGateScene"),  # prompt, contrasts
    ("foundations", "Backpropagation"),  # seed
    ("foundations", "HowTheModelLearned"),  # prompt
    ("demo", "NextTokenDemo"),  # prompt, temperature
    ("gallery", "NumericVectorGallery"),  # theme, font, decimals only
]
#: Content settings a step does not show although its scene reads them (another step does).
NOT_IN_THIS_STEP = {
    ("foundations", "Backpropagation"): {"prompt"},
    ("foundations", "HowTheModelLearned"): {"seed"},
}


class Seen:
    """What a render put on screen: every text, every font and the background, gathered after
    each animation (a step fades most of it before it ends)."""

    def __init__(self, scene) -> None:
        self.narration = [text for _, text in getattr(scene, "narration", [])]
        self.texts: list[str] = list(scene.seen_texts)
        self.fonts: set[str] = set(scene.seen_fonts)
        self.background = str(scene.camera.background_color).lower()

    def decimals(self) -> set[int]:
        """How many digits follow the point in the numbers on screen."""
        found = set()
        for text in self.texts:
            found |= {len(m) for m in re.findall(r"(?<![\d.])\d+\.(\d+)(?![\d.])", text)}
        return found


def _watched(cls):
    """``cls`` noting the texts and fonts on screen after every animation."""

    def texts_of(scene):
        for top in scene.mobjects:
            for m in top.get_family():
                text = getattr(m, "text", None)
                if isinstance(text, str) and text:
                    scene.seen_texts.append(text)
                    font = getattr(m, "font", None)
                    if isinstance(font, str) and font:
                        scene.seen_fonts.add(font)

    class Watched(cls):
        def setup(self):
            self.seen_texts, self.seen_fonts = [], set()
            super().setup()

        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            texts_of(self)

        def wait(self, *args, **kwargs):
            super().wait(*args, **kwargs)
            texts_of(self)

    Watched.__name__ = Watched.__qualname__ = cls.__name__
    return Watched


def _render(chapter: str, step: str, monkeypatch, capsys, **values) -> tuple[Seen, str]:
    for s in SETTINGS:
        monkeypatch.delenv(s.env, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(next(s.env for s in SETTINGS if s.name == name), value)
    capsys.readouterr()
    scene = render(_watched(getattr(load(chapter), step)), frame_rate=1)
    return Seen(scene), capsys.readouterr().out


_BASE: dict[tuple[str, str], Seen] = {}


def _base(chapter, step, monkeypatch, capsys) -> Seen:
    if (chapter, step) not in _BASE:
        _BASE[chapter, step] = _render(chapter, step, monkeypatch, capsys)[0]
    return _BASE[chapter, step]


def _unused(chapter: str, step: str) -> dict[str, str]:
    return getattr(load(chapter), step).unused_settings


def _ignores(chapter: str, step: str, name: str) -> bool:
    """Whether every step that the scene ``step`` plays leaves the setting ``name`` aside."""
    from llmviz.steps import played_steps

    cls = getattr(load(chapter), step)
    steps = played_steps(cls) if getattr(cls, "plays", ()) else []
    return bool(steps) and all(name in dict(s.ignores) for s in steps)


@pytest.mark.parametrize("chapter, step", STEPS, ids=[f"{c}:{s}" for c, s in STEPS])
def test_theme_font_and_decimals_reach_the_screen(chapter, step, monkeypatch, capsys):
    base = _base(chapter, step, monkeypatch, capsys)
    seen, out = _render(chapter, step, monkeypatch, capsys, **{k: CHANGED[k] for k in STYLE})
    assert base.background == THEMES["dark"]["background"]
    assert seen.background == THEMES["light"]["background"]  # theme
    assert "DejaVu Sans" in seen.fonts and "DejaVu Sans" not in base.fonts  # font
    if _ignores(chapter, step, "decimals"):  # said, and nothing changes
        assert f"llmviz: decimals is not used by {step}: " in out, out[-2000:]
        assert seen.decimals() == base.decimals()
    else:  # values get 4 digits after the point, percentages one fewer (llmviz.words.pct)
        assert "decimals is not used" not in out
        assert max(seen.decimals(), default=0) > max(base.decimals(), default=0) >= 1, (
            base.decimals(),
            seen.decimals(),
        )
    said = re.compile(r"\d\.\d{3,}")  # the words change only where they say a number
    assert len(seen.narration) == len(base.narration)
    for a, b in zip(base.narration, seen.narration, strict=True):
        assert a == b or said.search(b), (a, b)


def _content_cases():
    for chapter, step in STEPS:
        unused = _unused(chapter, step)
        for name in CONTENT:
            if name not in unused and name not in NOT_IN_THIS_STEP.get((chapter, step), ()):
                yield chapter, step, name


CASES = list(_content_cases())


@pytest.mark.parametrize("chapter, step, name", CASES, ids=[f"{c}:{s}:{n}" for c, s, n in CASES])
def test_a_setting_the_scene_reads_changes_what_it_claims(chapter, step, name, monkeypatch, capsys):
    base = _base(chapter, step, monkeypatch, capsys)
    seen, out = _render(chapter, step, monkeypatch, capsys, **{name: CHANGED[name]})
    assert f"{name} is not used" not in out
    words = " ".join(seen.narration)
    if name in ("prompt", "contrasts"):  # the new names are shown and spoken about
        who = {"prompt": "Woods", "contrasts": "Lionel Ali"}[name]
        assert any(who in t for t in seen.texts) and not any(who in t for t in base.texts)
        assert seen.narration != base.narration
    else:  # the values change, not only the caption that names the setting
        value = CHANGED[name]
        if name == "temperature":  # and the temperature is named where it is used
            assert re.search(rf"\b{re.escape(value)}\b", words + " ".join(seen.texts)), value

        def plain(seen):
            return [t for t in seen.texts if name not in t and "T =" not in t]

        assert plain(seen) != plain(base), name


def test_the_cases_cover_every_file_and_setting_that_is_read():
    assert {c for c, _ in STEPS} == {
        "next_token",
        "attention",
        "mlp",
        "foundations",
        "demo",
        "gallery",
    }
    read = {(c, n) for c, _, n in CASES}
    assert read == {
        ("next_token", "prompt"),
        ("next_token", "temperature"),
        ("next_token", "seed"),
        ("attention", "prompt"),
        ("mlp", "prompt"),
        ("mlp", "contrasts"),
        ("foundations", "seed"),
        ("foundations", "prompt"),
        ("demo", "prompt"),
        ("demo", "temperature"),
    }


UNUSED = [(c, s) for c, s in STEPS if any(n in _unused(c, s) for n in CONTENT)]


@pytest.mark.parametrize("chapter, step", UNUSED, ids=[f"{c}:{s}" for c, s in UNUSED])
def test_a_setting_the_scene_does_not_read_is_named_and_changes_nothing(
    chapter, step, monkeypatch, capsys
):
    base = _base(chapter, step, monkeypatch, capsys)
    unused = [n for n in CONTENT if n in _unused(chapter, step)]
    seen, out = _render(chapter, step, monkeypatch, capsys, **{n: CHANGED[n] for n in unused})
    for name in unused:
        assert f"llmviz: {name} is not used by {step}: " in out, (name, out[-2000:])
    assert seen.narration == base.narration and seen.texts == base.texts


def test_a_chapter_names_the_steps_that_leave_a_setting_aside(monkeypatch, capsys):
    """The foundations chapter follows ``decimals`` in one step only; a render that sets it
    says so, naming the step that does, and a step played alone says it plainly."""
    from llmviz.config import resolve_settings

    monkeypatch.setenv("LLMVIZ_DECIMALS", "4")
    module = load("foundations")
    for name in ("FoundationsChapter", "Backpropagation", "NeuronsAndLayers"):
        cls = getattr(module, name)
        scene = cls.__new__(cls)
        scene.settings = resolve_settings(cls)
        scene._say_unused()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "llmviz: decimals is not used by 15 of the 16 steps of FoundationsChapter "
        "(all but Neurons and layers): it writes each number with the digits it needs"
    )
    assert out[1].startswith("llmviz: decimals is not used by Backpropagation: it writes")
    assert len(out) == 2  # Neurons and layers follows it

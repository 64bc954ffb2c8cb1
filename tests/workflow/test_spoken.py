"""The spoken form of the narration: what a voice says for each written sentence, checked on
examples and over every beat of every chapter (played in a dry run, nothing rendered)."""

import re
import sys
from pathlib import Path

import pytest

from llmviz.words import spoken

#: A spoken sentence may hold no number of more than this many digits in a row.
MAX_DIGITS = 4


def spoken_problems(text: str) -> list[str]:
    """What a voice would read badly in ``text`` (a spoken sentence)."""
    problems = []
    if "␣" in text:
        problems.append("a token mark ␣")
    runs = [r for r in re.findall(r"\d+", text) if len(r) > MAX_DIGITS]
    if runs:
        problems.append(f"digit runs {runs}")
    if re.search(r"(?<![\d.])0(\.0+)?\s*(percent|%)", text):
        problems.append("a bare zero percent")
    if re.search(r"\w_\w", text):
        problems.append("an underscore")
    return problems


@pytest.mark.parametrize(
    "written, said",
    [
        ("at the token ␣of", "at the token of"),
        ('Next comes "golf", with 0.0 percent.', 'Next comes "golf", with almost none.'),
        ("It holds 1,207,959,552 weights.", "It holds about 1.2 billion weights."),
        ("GPT-3 has 175,000,000,000 parameters.", "GPT-3 has about 175 billion parameters."),
        ("a share of 0.000123", "a share of about 0.0001"),
        ("about 12345 tokens", "about 12.3 thousand tokens"),
        ("W_down and W_up", "W down and W up"),
        ("E' is E plus a direction", "E prime is E plus a direction"),
        ("x_i times w_i", "x sub i times w sub i"),
        ("3.15 × 10²³ operations", "3.15 times 10 to the 23 operations"),
        ("only <0.01% left, or 0.00%", "only almost none left, or almost none"),
        ("a 2,048-token window and 1,024 weights", "a 2,048-token window and 1,024 weights"),
        ("it falls from 99.9 to 78.1 percent", "it falls from 99.9 to 78.1 percent"),
        ("469,693 words", "about 470 thousand words"),
        ("57,982 million", "about 58 billion"),
        ("gets -0.1087, then -0.06927", "gets -0.1087, then minus about 0.07"),
        ("1 − ŷ, with α = 1", "1 minus y hat, with alpha equals 1"),
        ("it is 2.8e-17", "it is 2.8 times ten to the minus 17"),
    ],
)
def test_the_spoken_form_of_written_sentences(written, said):
    assert spoken(written) == said
    assert not spoken_problems(said)


def test_the_problems_are_found_in_written_sentences():
    written = "At ␣of the share is 0.0 percent of 1207959552 in W_down."
    assert len(spoken_problems(written)) == 4  # the check itself can fail
    assert spoken_problems(spoken(written)) == []


CHAPTERS = [
    ("next_token", "NextTokenChapter"),
    ("attention", "AttentionChapter"),
    ("mlp", "MLPChapter"),
    ("foundations", "FoundationsChapter"),
    ("demo", "NextTokenDemo"),
]


@pytest.fixture(scope="session")
def chapter_beats():
    """Every beat of every chapter, from one dry run each at 1 frame a second."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenes"))
    from scene_loader import load

    from llmviz.workflow import script

    beats = {}
    rate, script.DRY_FRAME_RATE = script.DRY_FRAME_RATE, 1
    try:
        for module, name in CHAPTERS:
            scene = script.scene_beats(getattr(load(module), name))
            beats[name] = script.script_rows(scene)
    finally:
        script.DRY_FRAME_RATE = rate
    return beats


@pytest.mark.slow  # one dry run of each chapter: about 2 minutes on two cores
@pytest.mark.parametrize("chapter", [name for _, name in CHAPTERS])
def test_every_spoken_sentence_of_every_chapter_reads_well(chapter_beats, chapter):
    rows = chapter_beats[chapter]
    assert rows, f"{chapter} has no beats"
    problems = [(r["id"], r["spoken"], p) for r in rows if (p := spoken_problems(r["spoken"]))]
    assert problems == []
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)  # one clip name per beat

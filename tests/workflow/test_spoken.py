"""The spoken form of the narration: what a voice says for each written sentence, checked on
examples. Every beat of every chapter is checked where its chapter is already played in a dry
run: ``spoken_beat_problems`` in ``tests/scenes/test_*.py``."""

import sys
from pathlib import Path

import pytest

from llmviz.words import spoken

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenes"))
from scene_loader import spoken_problems  # noqa: E402


@pytest.mark.parametrize(
    "written, said",
    [
        ("at the token ␣of", "at the token of"),
        ("falls from 99.9 to 0.0 percent.", "falls from 99.9 percent to almost none."),
        ("z = w1 x1 + b", "z equals w1 x1 plus b"),
        ("would cost ln 1,027 = 6.93.", "would cost the natural log of 1,027 equals 6.93."),
        ("with all 283,968 of its", "with all roughly 284 thousand of its"),
        (
            "35.0 percent of its 283,968 parameters",
            "35.0 percent of its roughly 284 thousand parameters",
        ),
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

"""The sound track of a voiced video: normalised to -16 LUFS integrated with true peaks at most
-1 dBTP, measured in the rendered video; and no two clips sound at once."""

import shutil

import numpy as np
import pytest
from manim import DOWN, FadeIn
from rendered import render

from llmviz.layout import text
from llmviz.scene import LectureScene
from llmviz.sound import decode, normalise, overlaps, true_peak

pyloudnorm = pytest.importorskip("pyloudnorm", reason="pyloudnorm is in the voice extra")
ESPEAK = shutil.which("espeak-ng") is not None


class Spoken(LectureScene):
    def construct(self):
        self.section("Read")
        a = text("Michael Jordan", 40)
        self.say("The model reads a prompt, one token after another.", FadeIn(a, shift=DOWN))
        self.say("Then it looks at the token ␣of, and picks the next one.", a.animate.shift(DOWN))


def measure(samples, rate):
    return pyloudnorm.Meter(rate).integrated_loudness(samples)


def test_normalise_reaches_the_target_and_keeps_peaks_under_the_ceiling():
    rate = 48000
    rng = np.random.default_rng(0)
    quiet = 0.01 * rng.standard_normal((rate * 5, 1))
    quiet[rate : rate + 200] = 0.2  # a click far above the rest: it would pass -1 dBTP
    out = normalise(quiet, rate)
    assert measure(out, rate) == pytest.approx(-16, abs=1)
    assert true_peak(out, rate) <= -1.0
    assert measure(quiet, rate) < -30  # it was far from the target


def test_overlapping_clips_are_found():
    assert overlaps([(0.0, 1.0), (1.0, 2.0)]) == []
    assert overlaps([(2.0, 1.0), (0.0, 2.5)]) == [(0, 1)]


@pytest.mark.skipif(not ESPEAK, reason="espeak-ng is not installed (scripts/setup.sh installs it)")
def test_a_voiced_step_measures_minus_16_lufs(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMVIZ_VOICE", "espeak")
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    scene, video = render(Spoken, tmp_path)
    assert scene.loudness_normalised
    samples, rate = decode(video, mono=False)
    level = measure(samples, rate)
    assert level == pytest.approx(-16, abs=1)
    assert true_peak(samples, rate) <= -1.0 + 0.2  # AAC coding may add a little
    raw, raw_rate = decode(scene.beats[0].audio, mono=False)
    assert abs(measure(raw, raw_rate) + 16) > 1  # espeak on its own is not at the target

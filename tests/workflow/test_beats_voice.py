"""Beats: each sentence's subtitle, audio and animation start together; the offline voice; a
warm cache renders the same frames as a cold one."""

import json
import shutil
import wave

import av
import numpy as np
import pytest
import srt
from manim import DOWN, RIGHT, FadeIn, Indicate, tempconfig
from rendered import render

from llmviz.errors import ConfigError
from llmviz.layout import text
from llmviz.scene import LectureScene
from llmviz.voice import Voice, make_voice, wav_duration

ESPEAK = shutil.which("espeak-ng") is not None


class Three(LectureScene):
    """Two sections, three beats, one of them with two steps."""

    def construct(self):
        self.section("One")
        a = text("Michael Jordan", 40)
        self.starts = []
        self.say("The model reads a prompt.", FadeIn(a, shift=DOWN))
        self.say(
            "Then it looks at one name, and then at the other.", Indicate(a), a.animate.shift(RIGHT)
        )
        self.wait(0.4)
        self.section("Two")
        self.say("A short one.", a.animate.shift(DOWN))

    def play(self, *args, **kwargs):
        self.starts.append(self.clock)  # when each animation starts, on the scene's clock
        super().play(*args, **kwargs)


def frames_of(video):
    with av.open(str(video)) as c:
        return sum(1 for _ in c.decode(video=0))


def test_without_a_voice_a_beat_lasts_its_reading_time(tmp_path):
    scene, video = render(Three, tmp_path)
    fps = scene.camera.frame_rate
    for beat in scene.beats:
        want = max(len(beat.text) / scene.reading_speed, scene.min_beat)
        assert want - 1e-9 <= beat.end - beat.start < want + 1.01 / fps
    assert frames_of(video) == round(scene.clock * fps)  # the clock counts the frames written
    cues = list(srt.parse(video.with_suffix(".srt").read_text()))
    assert [c.content for c in cues] == [b.text for b in scene.beats]  # one cue per beat
    data = json.loads(video.with_name("Three.narration.json").read_text())
    assert [len(s["beats"]) for s in data["sections"]] == [2, 1]


@pytest.mark.skipif(not ESPEAK, reason="espeak-ng is not installed (scripts/setup.sh installs it)")
def test_espeak_voice_is_in_the_video_and_starts_with_its_subtitle_and_animation(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LLMVIZ_VOICE", "espeak")
    scene, video = render(Three, tmp_path)
    assert scene.voice.name == "espeak"
    with av.open(str(video)) as c:
        audio = c.streams.audio
        assert audio, "the video has no audio track"
        a_len = float(audio[0].duration * audio[0].time_base)
        v = c.streams.video[0]
        v_len = float(v.duration * v.time_base)
    assert abs(a_len - v_len) <= 0.02 * v_len
    cues = list(srt.parse(video.with_suffix(".srt").read_text()))
    for beat, cue in zip(scene.beats, cues, strict=True):
        assert beat.audio and wav_duration(beat.audio) <= beat.end - beat.start + 1e-6
        # the beat lasts as long as its sentence is spoken (rounded up to whole frames)
        spoken = max(wav_duration(beat.audio), scene.min_beat)
        assert spoken - 1e-9 <= beat.end - beat.start < spoken + 1.01 / scene.camera.frame_rate
        assert cue.start.total_seconds() == pytest.approx(beat.start, abs=1e-3)
        assert beat.start in scene.starts  # an animation starts with the sentence
    sounds = sorted(t for t, _ in scene.sound_times)
    assert sounds == pytest.approx([b.start for b in scene.beats])


@pytest.mark.skipif(not ESPEAK, reason="espeak-ng is not installed")
def test_spoken_sentences_are_cached_by_text_voice_and_rate(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path))
    voice = make_voice("espeak")
    a, b = voice.speak("One sentence."), voice.speak("One sentence.")
    assert a.audio == b.audio and a.duration == b.duration > 0.3
    assert voice.speak("Another sentence.").audio != a.audio
    with wave.open(str(a.audio)) as w:
        assert w.getnframes() > 0
    assert not list(tmp_path.rglob("*.part"))  # written under a temporary name, then renamed


def test_voice_settings_name_the_problem(tmp_path, monkeypatch):
    assert isinstance(make_voice("none"), Voice) and make_voice(None).name == "none"
    with pytest.raises(ConfigError, match="'none', 'espeak'"):
        make_voice("robot")
    with pytest.raises(ConfigError, match="does not exist"):
        make_voice(str(tmp_path / "missing.onnx"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on the PATH
    with pytest.raises(ConfigError, match="espeak-ng.*not installed"):
        make_voice("espeak")


def test_voice_setting_from_the_environment_is_checked(tmp_path):
    from llmviz.config import resolve_settings

    assert resolve_settings(environ={"LLMVIZ_VOICE": "espeak"}).voice == "espeak"
    with pytest.raises(ConfigError, match=r"voice \(from LLMVIZ_VOICE\) must be"):
        resolve_settings(environ={"LLMVIZ_VOICE": "loud"})
    (tmp_path / "v.onnx").write_bytes(b"not a model")
    assert resolve_settings(environ={"LLMVIZ_VOICE": str(tmp_path / "v.onnx")}).voice.endswith(
        "v.onnx"
    )


def test_say_outside_a_section_is_a_clear_error(capsys):
    class NoSection(LectureScene):
        def construct(self):
            self.say("Hello.")

    with pytest.raises(SystemExit), tempconfig({"dry_run": True}):
        NoSection().render()
    assert "say() needs a section" in capsys.readouterr().err


def test_a_warm_cache_renders_the_same_frames_and_times_as_a_cold_one(tmp_path):
    _, cold = render(Three, tmp_path, disable_caching=False)
    cold_frames = frames_of(cold)
    cold_notes = json.loads(cold.with_name("Three.narration.json").read_text())
    _, warm = render(Three, tmp_path, disable_caching=False)  # every animation is cached now
    assert frames_of(warm) == cold_frames
    warm_notes = json.loads(warm.with_name("Three.narration.json").read_text())
    assert warm_notes == cold_notes


def test_beats_spread_their_steps_over_the_sentence(tmp_path):
    scene, _ = render(Three, tmp_path)
    second = scene.beats[1]
    steps = [t for t in scene.starts if second.start <= t < second.end]
    assert len(steps) >= 2 and np.all(np.diff(steps) > 0)  # Indicate, then the shift

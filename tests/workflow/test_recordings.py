"""A folder of recordings as the voice: each beat with a clip lasts as long as the clip (its
silence trimmed to 0.15 s) and its sound starts with the beat; missing and stale clips are named."""

import av
import numpy as np
import pytest
import rendered
from manim import DOWN, FadeIn

from llmviz.errors import ConfigError
from llmviz.layout import text
from llmviz.scene import LectureScene
from llmviz.sound import decode, trim_silence, write_wav
from llmviz.voice import FolderVoice, make_voice
from llmviz.workflow.script import scene_beats, script_rows

RATE = 24000
LEAD, TAIL = 0.5, 0.4  # silence recorded before and after each tone
TONES = [1.6, 1.3, 2.0]  # seconds of sound in each clip
PAUSE = 0.4


class Recorded(LectureScene):
    """One section, three beats and a pause: a short step for recordings."""

    sentence = "The model reads a prompt of 1,207,959,552 tokens."

    def construct(self):
        self.section("Read")
        a = text("Michael Jordan", 40)
        self.say(self.sentence, FadeIn(a, shift=DOWN))
        self.say("Then it looks at one name.", a.animate.shift(DOWN))
        self.wait(PAUSE)
        self.say("A short one.", a.animate.scale(0.8))


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    sound = 0.5 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    return np.concatenate([np.zeros(int(LEAD * RATE)), sound, np.zeros(int(TAIL * RATE))])


def ids(monkeypatch, sentence=None):
    if sentence:
        monkeypatch.setattr(Recorded, "sentence", sentence)
    return [r["id"] for r in script_rows(scene_beats(Recorded))]


def render(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("LLMVIZ_VOICE", str(folder))
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    return rendered.render(Recorded, tmp_path)


def test_trimming_keeps_a_fixed_silence_around_the_sound():
    cut = trim_silence(tone(1.0), RATE, keep=0.15)
    assert len(cut) / RATE == pytest.approx(1.0 + 0.3, abs=0.011)
    short = np.concatenate([np.zeros(int(0.05 * RATE)), 0.5 * np.ones(RATE)])
    assert len(trim_silence(short, RATE)) / RATE == pytest.approx(1.3, abs=0.011)  # padded


def test_each_beat_lasts_its_clip_and_its_sound_starts_with_it(tmp_path, monkeypatch):
    folder = tmp_path / "clips"
    for beat, seconds in zip(ids(monkeypatch), TONES, strict=True):
        write_wav(tone(seconds), RATE, folder / f"{beat}.wav")
    scene, video = render(tmp_path, folder, monkeypatch)
    fps = scene.camera.frame_rate
    assert scene.voice.name == "recordings"
    clip_lengths = [s + 0.3 for s in TONES]  # the tone and 0.15 s of silence on either side
    for beat, length in zip(scene.beats, clip_lengths, strict=True):
        assert beat.audio and beat.end - beat.start == pytest.approx(length, abs=1.01 / fps + 0.011)
    assert [t for t, _ in scene.sound_times] == pytest.approx([b.start for b in scene.beats])
    # the video lasts as long as the clips and the pause
    with av.open(str(video)) as c:
        v = c.streams.video[0]
        v_len = float(v.duration * v.time_base)
    assert v_len == pytest.approx(sum(clip_lengths) + PAUSE, abs=len(TONES) * 1.01 / fps + 0.05)
    # in the sound track, each tone starts 0.15 s after its beat (within a frame)
    samples, rate = decode(video)
    loud = np.abs(samples) > 0.05
    for beat in scene.beats:
        at = int(beat.start * rate)
        onset = at + int(np.argmax(loud[at:]))
        assert onset / rate - beat.start == pytest.approx(0.15, abs=1 / fps)


def test_missing_and_stale_clips_are_named_once_and_not_used(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "clips"
    first, second, third = ids(monkeypatch)
    for beat, seconds in zip((first, second, third), TONES, strict=True):
        write_wav(tone(seconds), RATE, folder / f"{beat}.wav")
    changed = ids(monkeypatch, "The model reads a prompt of 12 tokens.")  # a changed prompt
    assert changed[0] != first and changed[1:] == [second, third]
    scene, _ = render(tmp_path, folder, monkeypatch)
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if line.startswith("llmviz: voice")]
    assert len(notes) == 2
    assert "no recording for 1 beat(s)" in notes[0] and changed[0] in notes[0]
    assert "1 stale recording(s)" in notes[1] and first in notes[1]
    assert scene.beats[0].audio is None  # read in its reading time, silent
    want = len(scene.beats[0].text) / scene.reading_speed
    assert scene.beats[0].end - scene.beats[0].start == pytest.approx(want, abs=1.01 / 15)
    assert scene.beats[1].audio and scene.beats[2].audio


def test_a_folder_voice_setting_and_unreadable_clips_are_clear(tmp_path):
    from llmviz.config import resolve_settings

    (tmp_path / "clips").mkdir()
    settings = resolve_settings(environ={"LLMVIZ_VOICE": str(tmp_path / "clips")})
    assert settings.voice == str((tmp_path / "clips").resolve())
    assert isinstance(make_voice(settings.voice), FolderVoice)
    (tmp_path / "clips" / "Read-00-abcdef.wav").write_bytes(b"not a sound")
    voice = make_voice(str(tmp_path / "clips"))
    with pytest.raises(ConfigError, match="cannot be read as sound"):
        voice.speak("Hello.", "Read-00-abcdef")


def test_a_changed_prompt_reports_the_demos_stale_clips(tmp_path, monkeypatch):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenes"))
    from scene_loader import load

    demo = load("demo").NextTokenDemo
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path / "cache"))
    before = script_rows(scene_beats(demo))
    folder = tmp_path / "clips"
    for row in before:
        write_wav(tone(1.5), RATE, folder / f"{row['id']}.wav")
    same = scene_beats(demo, {"LLMVIZ_VOICE": str(folder)})
    assert all(b.audio for b in same.beats) and "llmviz: voice" not in same.log
    prompt = "Serena Williams plays the sport of"
    changed = scene_beats(demo, {"LLMVIZ_VOICE": str(folder), "LLMVIZ_PROMPT": prompt})
    after = script_rows(changed)
    stale = {b["id"] for b in before} - {a["id"] for a in after}
    assert stale, "the prompt changed no sentence"
    (note,) = [line for line in changed.log.splitlines() if "stale" in line]
    assert f"{len(stale)} stale recording(s)" in note and all(i in note for i in stale)
    unvoiced = [b for b in changed.beats if b.audio is None]
    assert len(unvoiced) == len(stale)


def test_voice_fallback_speaks_the_beats_without_a_clip(tmp_path):
    from llmviz.config import resolve_settings
    from llmviz.voice import EspeakVoice

    (tmp_path / "clips").mkdir()
    env = {"LLMVIZ_VOICE": str(tmp_path / "clips"), "LLMVIZ_VOICE_FALLBACK": "espeak"}
    settings = resolve_settings(environ=env)
    assert settings.voice_fallback == "espeak"
    voice = make_voice(settings.voice, fallback=settings.voice_fallback)
    assert isinstance(voice, FolderVoice) and isinstance(voice.fallback, EspeakVoice)
    assert type(make_voice(settings.voice).fallback).__name__ == "Voice"  # reading time
    with pytest.raises(ConfigError, match="voice_fallback.*folder of recordings cannot"):
        resolve_settings(environ={**env, "LLMVIZ_VOICE_FALLBACK": str(tmp_path)})
    with pytest.raises(ConfigError, match="voice_fallback.*'espeak'"):
        resolve_settings(environ={**env, "LLMVIZ_VOICE_FALLBACK": "robot"})

"""Offline voices for narrated beats: none (reading time), espeak-ng, or a Piper ``.onnx`` voice.

Every sentence is spoken once into a WAV file in a cache folder, named by the hash of the text,
the voice and the rate, and written under a temporary name then renamed into place, so scenes
rendering in parallel never read a half-written file. The beat lasts as long as the audio.

Examples
--------
>>> v = make_voice("none")
>>> v.speak("Twelve characters.").duration == len("Twelve characters.") / 15.0
True
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from llmviz.errors import ConfigError
from llmviz.paths import cache_dir as llmviz_cache

__all__ = ["Speech", "Voice", "make_voice", "VOICE_CHOICES", "cache_dir", "wav_duration"]

VOICE_CHOICES = "'none', 'espeak', or the path of a Piper .onnx voice file"
READING_SPEED = 15.0  # characters a second when nothing is spoken (about a speaking pace)


def cache_dir() -> Path:
    """Where spoken sentences are kept: ``LLMVIZ_CACHE_DIR`` or ``~/.cache/llmviz``, then voice/."""
    return llmviz_cache("voice")


def wav_duration(path: str | Path) -> float:
    """Seconds of audio in a WAV file."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


@dataclass(frozen=True)
class Speech:
    """One spoken sentence: its audio file (``None`` without a voice) and its duration."""

    text: str
    audio: Path | None
    duration: float


class Voice:
    """Turns sentences into :class:`Speech`. The base class speaks nothing: a sentence lasts as
    long as it takes to read at ``reading_speed`` characters a second."""

    name = "none"

    def __init__(self, reading_speed: float = READING_SPEED) -> None:
        self.reading_speed = reading_speed

    def speak(self, text: str) -> Speech:
        return Speech(text, None, len(text) / self.reading_speed if self.reading_speed else 0.0)

    def _cached(self, text: str, key: str, synthesize) -> Speech:
        digest = hashlib.sha256(f"{key}\0{text}".encode()).hexdigest()[:24]
        folder = cache_dir()
        path = folder / f"{digest}.wav"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".wav.part", dir=folder)
            os.close(fd)
            try:
                synthesize(text, Path(tmp))
                os.replace(tmp, path)  # atomic: a parallel render sees all of it or nothing
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        return Speech(text, path, wav_duration(path))


class EspeakVoice(Voice):
    """espeak-ng (``apt-get install espeak-ng``; ``scripts/setup.sh`` installs it)."""

    name = "espeak"

    def __init__(self, language: str = "en-us", words_per_minute: int = 165) -> None:
        super().__init__()
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise ConfigError(
                "voice 'espeak' needs the espeak-ng program, which is not installed; run "
                "`sudo apt-get install espeak-ng` (scripts/setup.sh does), or set voice to 'none'"
            )
        self.exe, self.language, self.wpm = exe, language, words_per_minute

    def speak(self, text: str) -> Speech:
        def synthesize(t: str, out: Path) -> None:
            subprocess.run(
                [self.exe, "-v", self.language, "-s", str(self.wpm), "-w", str(out), "--", t],
                check=True,
                capture_output=True,
            )

        return self._cached(text, f"espeak-ng|{self.language}|{self.wpm}", synthesize)


class PiperVoice(Voice):
    """A Piper voice file (``.onnx`` with its ``.onnx.json`` beside it) that the user downloaded;
    needs the ``piper-tts`` package (``pip install 'llmviz[voice]'``)."""

    name = "piper"

    def __init__(self, model: Path) -> None:
        super().__init__()
        try:
            from piper import PiperVoice as _Piper
        except ImportError:
            raise ConfigError(
                f"voice {str(model)!r} is a Piper voice, which needs the piper-tts package; "
                "install it with `.venv/bin/pip install 'llmviz[voice]'`"
            ) from None
        try:
            self._voice = _Piper.load(str(model))
        except Exception as exc:  # a broken or mismatched voice file
            raise ConfigError(f"voice {str(model)!r} could not be loaded by Piper: {exc}") from None
        self.model = model
        self._key = f"piper|{model.resolve()}|{model.stat().st_size}|{model.stat().st_mtime_ns}"

    def speak(self, text: str) -> Speech:
        def synthesize(t: str, out: Path) -> None:
            with wave.open(str(out), "wb") as w:
                self._voice.synthesize_wav(t, w)

        return self._cached(text, self._key, synthesize)


def make_voice(setting: str | None, reading_speed: float = READING_SPEED) -> Voice:
    """The voice for a ``voice`` setting: ``"none"``, ``"espeak"`` or a Piper ``.onnx`` path.

    A missing engine or voice file raises :class:`~llmviz.errors.ConfigError` naming the setting.
    """
    if setting in (None, "", "none"):
        return Voice(reading_speed)
    if setting == "espeak":
        return EspeakVoice()
    path = Path(str(setting)).expanduser()
    if path.suffix != ".onnx":
        raise ConfigError(f"voice must be {VOICE_CHOICES}, not {setting!r}")
    if not path.is_file():
        raise ConfigError(f"voice: the Piper voice file {str(path)!r} does not exist")
    return PiperVoice(path)

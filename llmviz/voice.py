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
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from llmviz.errors import ConfigError
from llmviz.paths import cache_dir as llmviz_cache
from llmviz.words import spoken

__all__ = [
    "Speech",
    "Voice",
    "FolderVoice",
    "make_voice",
    "beat_id",
    "VOICE_CHOICES",
    "cache_dir",
    "wav_duration",
]

VOICE_CHOICES = (
    "'none', 'espeak', 'flite', 'festival', the path of a Piper .onnx voice file, "
    "or a folder of recorded clips"
)
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

    def speak(self, text: str, beat: str | None = None) -> Speech:
        """``text`` (the written sentence) spoken; ``beat`` is the beat's id (:func:`beat_id`),
        which only a folder of recordings uses."""
        return Speech(text, None, len(text) / self.reading_speed if self.reading_speed else 0.0)

    def finish(self) -> list[str]:
        """Warnings gathered while speaking (a folder voice's missing and stale clips)."""
        return []

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

    def speak(self, text: str, beat: str | None = None) -> Speech:
        def synthesize(t: str, out: Path) -> None:
            subprocess.run(
                [self.exe, "-v", self.language, "-s", str(self.wpm), "-w", str(out), "--", t],
                check=True,
                capture_output=True,
            )

        said = spoken(text)  # the voice reads the sentence for the ear, not the marks
        speech = self._cached(said, f"espeak-ng|{self.language}|{self.wpm}", synthesize)
        return Speech(text, speech.audio, speech.duration)


class _ProgramVoice(Voice):
    """A speech synthesis program that writes a WAV file for a sentence."""

    program = ""
    package = ""

    def __init__(self) -> None:
        super().__init__()
        exe = shutil.which(self.program)
        if exe is None:
            raise ConfigError(
                f"voice {self.name!r} needs the {self.program} program, which is not installed; "
                f"run `sudo apt-get install {self.package}` (scripts/setup.sh does), "
                "or set voice to 'espeak' or 'none'"
            )
        self.exe = exe

    def command(self, text: str, out: Path) -> list[str]:
        raise NotImplementedError

    def speak(self, text: str, beat: str | None = None) -> Speech:
        def synthesize(t: str, out: Path) -> None:
            try:
                subprocess.run(self.command(t, out), check=True, capture_output=True)
            finally:
                out.with_suffix(".txt").unlink(missing_ok=True)  # festival's input file

        speech = self._cached(spoken(text), f"{self.name}|{self.exe}", synthesize)
        return Speech(text, speech.audio, speech.duration)


class FliteVoice(_ProgramVoice):
    """flite with its built-in US English voice "slt" (``apt-get install flite``)."""

    name, program, package = "flite", "flite", "flite"

    def command(self, text: str, out: Path) -> list[str]:
        return [self.exe, "-voice", "slt", "-t", text, "-o", str(out)]


class FestivalVoice(_ProgramVoice):
    """Festival with the HTS voice cmu_us_slt_arctic_hts (``apt-get install festival
    festvox-us-slt-hts``); the sentence goes in through a file, so no quoting can break it."""

    name, program, package = "festival", "text2wave", "festival festvox-us-slt-hts"

    def command(self, text: str, out: Path) -> list[str]:
        source = out.with_suffix(".txt")
        source.write_text(text + "\n", encoding="utf-8")
        return [
            self.exe,
            "-eval",
            "(voice_cmu_us_slt_arctic_hts)",
            str(source),
            "-o",
            str(out),
        ]

    def speak(self, text: str, beat: str | None = None) -> Speech:
        try:
            return super().speak(text, beat)
        except subprocess.CalledProcessError as exc:
            raise ConfigError(
                "voice 'festival' failed; is the festvox-us-slt-hts voice installed? "
                f"({exc.stderr.decode(errors='replace').strip()[-200:]})"
            ) from None


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

    def speak(self, text: str, beat: str | None = None) -> Speech:
        def synthesize(t: str, out: Path) -> None:
            with wave.open(str(out), "wb") as w:
                self._voice.synthesize_wav(t, w)

        speech = self._cached(spoken(text), self._key, synthesize)
        return Speech(text, speech.audio, speech.duration)


def beat_id(step: str, index: int, text: str) -> str:
    """The id of a beat, stable across renders: its step (or scene) name, its index in the
    step, and a short hash of its spoken sentence: ``"Fact-03-1f2e3d"``.

    >>> beat_id("Where is the fact?", 3, "The model knows.")
    'Where_is_the_fact-03-7c70c6'
    """
    name = re.sub(r"[^A-Za-z0-9]+", "_", step).strip("_") or "beat"
    digest = hashlib.sha256(spoken(text).encode()).hexdigest()[:6]
    return f"{name}-{index:02d}-{digest}"


class FolderVoice(Voice):
    """A folder of recordings, one clip per beat, named ``<beat id>.wav`` (or ``.flac``, ``.mp3``,
    ``.ogg``); ``llmviz script`` lists the ids, ``llmviz record`` makes the clips.

    A clip's silence before and after the speech is cut to :attr:`keep` seconds, and the beat
    lasts as long as the clip. A beat with no clip is left to ``fallback`` (reading time unless
    told otherwise); a clip of the same step and index whose hash differs was recorded for
    another sentence (the prompt or the model changed): it is stale, and not used.
    :meth:`finish` gives one warning for each kind.
    """

    name = "recordings"
    keep = 0.15

    def __init__(self, folder: Path, fallback: Voice | None = None) -> None:
        super().__init__()
        from llmviz.sound import CLIP_SUFFIXES

        self.folder = Path(folder)
        self.fallback = fallback or Voice()
        self.clips = {
            p.stem: p for p in sorted(self.folder.iterdir()) if p.suffix.lower() in CLIP_SUFFIXES
        }
        self.missing: list[str] = []
        self.stale: list[str] = []

    def speak(self, text: str, beat: str | None = None) -> Speech:
        from llmviz.sound import decode, trim_silence, write_wav

        clip = self.clips.get(beat) if beat else None
        if clip is None:
            if beat:
                prefix = beat.rsplit("-", 1)[0] + "-"
                self.stale += [n for n in self.clips if n.startswith(prefix) and n != beat]
                self.missing.append(beat)
            return self.fallback.speak(text, beat)
        st = clip.stat()
        key = f"clip|{clip.resolve()}|{st.st_size}|{st.st_mtime_ns}|{self.keep}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        path = cache_dir() / f"{digest}.wav"
        if not path.is_file():
            samples, rate = decode(clip)
            write_wav(trim_silence(samples, rate, self.keep), rate, path)
        return Speech(text, path, wav_duration(path))

    def finish(self) -> list[str]:
        notes = []
        if self.missing:
            notes.append(
                f"voice {str(self.folder)!r}: no recording for {len(self.missing)} beat(s), "
                f"which use {self.fallback.name!r}: {', '.join(self.missing)}"
            )
        if self.stale:
            notes.append(
                f"voice {str(self.folder)!r}: {len(self.stale)} stale recording(s), made for "
                f"another sentence, not used: {', '.join(sorted(set(self.stale)))}"
            )
        self.missing, self.stale = [], []
        return notes


def make_voice(
    setting: str | None, reading_speed: float = READING_SPEED, fallback: str | None = None
) -> Voice:
    """The voice for a ``voice`` setting: ``"none"``, ``"espeak"``, ``"flite"``,
    ``"festival"``, a Piper ``.onnx`` path, or a folder of recordings (:class:`FolderVoice`),
    whose beats without a clip use the ``fallback`` voice (the ``voice_fallback`` setting; by
    default reading time, silent). A folder cannot be the fallback.

    A missing engine or voice file raises :class:`~llmviz.errors.ConfigError` naming the setting.
    """
    if setting in (None, "", "none"):
        return Voice(reading_speed)
    if setting == "espeak":
        return EspeakVoice()
    if setting == "flite":
        return FliteVoice()
    if setting == "festival":
        return FestivalVoice()
    path = Path(str(setting)).expanduser()
    if path.is_dir():
        if fallback not in (None, "", "none") and Path(str(fallback)).expanduser().is_dir():
            raise ConfigError(
                f"voice_fallback must be a voice, not the folder {str(fallback)!r}: a folder of "
                "recordings cannot stand in for missing clips"
            )
        return FolderVoice(path, make_voice(fallback, reading_speed))
    if path.suffix != ".onnx":
        raise ConfigError(f"voice must be {VOICE_CHOICES}, not {setting!r}")
    if not path.is_file():
        raise ConfigError(f"voice: the Piper voice file {str(path)!r} does not exist")
    return PiperVoice(path)

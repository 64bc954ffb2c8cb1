"""``llmviz record``: the teacher reads the narration beat by beat into a microphone, and each
kept take becomes the clip ``<beat id>.wav`` of a folder that ``voice = "DIR"`` then speaks.

The loop shows each sentence, records until the teacher presses Enter, and lets them keep the
take, redo it or skip the beat. The microphone and the keys are passed in, so that the loop is
tested with a fake input stream and fake key presses; :class:`SoundDeviceMicrophone` is the real
one (the ``sounddevice`` package, in the ``voice`` extra, imported only when recording).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llmviz.errors import ConfigError

__all__ = ["RecordResult", "SoundDeviceMicrophone", "record_beats"]

RATE = 48000


class SoundDeviceMicrophone:
    """The default input device through ``sounddevice``: :meth:`start`, then :meth:`stop`
    returns the mono samples recorded in between."""

    def __init__(self, rate: int = RATE) -> None:
        try:
            import sounddevice
        except ImportError:
            raise ConfigError(
                "llmviz record needs the sounddevice package; install it with "
                "`.venv/bin/pip install 'llmviz[voice]'`"
            ) from None
        except OSError as exc:  # the package is there, the PortAudio library is not
            raise ConfigError(
                f"llmviz record: sounddevice cannot load PortAudio ({exc}); "
                "install it with `sudo apt-get install libportaudio2`"
            ) from None
        self._sd, self.rate, self._chunks, self._stream = sounddevice, rate, [], None

    def start(self) -> None:
        self._chunks = []

        def keep(data, frames, time, status) -> None:
            self._chunks.append(data[:, 0].copy())

        try:
            self._stream = self._sd.InputStream(
                samplerate=self.rate, channels=1, dtype="float32", callback=keep
            )
            self._stream.start()
        except Exception as exc:  # no input device, or it is busy
            raise ConfigError(f"llmviz record: the microphone cannot be opened: {exc}") from None

    def stop(self) -> np.ndarray:
        self._stream.stop()
        self._stream.close()
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)


#: What ``llmviz record`` records with; tests put a fake microphone here.
microphone: Callable[[], object] = SoundDeviceMicrophone


@dataclass
class RecordResult:
    recorded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # clips already in the folder, left as they are
    quit: bool = False


def record_beats(
    rows: list[dict],
    folder: Path,
    mic,
    ask: Callable[[str], str],
    show: Callable[[str], None],
    redo: bool = False,
) -> RecordResult:
    """Record a clip for every row of :func:`llmviz.workflow.script.script_rows` into ``folder``.

    ``ask(prompt)`` returns the key the teacher typed ("" for Enter); ``show`` prints a line.
    Before a beat: Enter records, ``s`` skips, ``q`` quits; the recording runs until Enter;
    then Enter or ``k`` keeps the take, ``r`` redoes it and ``s`` skips the beat. A beat whose
    clip is already in the folder is left as it is unless ``redo``.
    """
    from llmviz.sound import write_wav

    folder.mkdir(parents=True, exist_ok=True)
    result = RecordResult()
    for k, row in enumerate(rows, 1):
        target = folder / f"{row['id']}.wav"
        if target.exists() and not redo:
            result.kept.append(row["id"])
            continue
        show(f"\n[{k}/{len(rows)}] {row['id']} (about {row['seconds']:.1f} s)")
        show(f"    {row['spoken']}")
        while True:
            key = ask("Enter: record   s: skip   q: quit").strip().lower()
            if key == "q":
                result.quit = True
                return result
            if key == "s":
                result.skipped.append(row["id"])
                break
            mic.start()
            ask("recording... Enter: stop")
            samples = mic.stop()
            show(f"    {len(samples) / mic.rate:.1f} s recorded")
            key = ask("Enter or k: keep   r: redo   s: skip").strip().lower()
            if key == "s":
                result.skipped.append(row["id"])
                break
            if key in ("", "k"):
                write_wav(samples, mic.rate, target)
                result.recorded.append(row["id"])
                break
            # "r" (or anything else): the same sentence again
    return result

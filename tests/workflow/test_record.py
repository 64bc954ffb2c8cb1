"""``llmviz record``: the recording loop, with a fake input stream and fake key presses."""

import sys

import numpy as np
from click.testing import CliRunner

from llmviz.cli import main
from llmviz.sound import decode
from llmviz.workflow import record
from llmviz.workflow.record import record_beats


class FakeMicrophone:
    """An input stream that hears a tone, one second longer for each take."""

    rate = 16000

    def __init__(self):
        self.takes = 0

    def start(self):
        self.takes += 1

    def stop(self):
        t = np.arange(self.takes * self.rate) / self.rate
        return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


ROWS = [{"id": f"Step-0{k}-abcdef", "spoken": f"Sentence {k}.", "seconds": 2.0} for k in range(3)]


def test_record_keep_redo_and_skip(tmp_path):
    keys = iter(["", "", "r", "", "", "k", "s", "", "", ""])
    shown = []
    mic = FakeMicrophone()
    result = record_beats(ROWS, tmp_path, mic, ask=lambda _: next(keys), show=shown.append)
    assert result.recorded == ["Step-00-abcdef", "Step-02-abcdef"]
    assert result.skipped == ["Step-01-abcdef"] and not result.quit
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Step-00-abcdef.wav",
        "Step-02-abcdef.wav",
    ]
    first, rate = decode(tmp_path / "Step-00-abcdef.wav")
    assert rate == 16000 and len(first) == 2 * rate  # the redone take (the second) was kept
    assert len(decode(tmp_path / "Step-02-abcdef.wav")[0]) == 3 * rate
    assert any("Sentence 1." in line for line in shown)
    # again: clips already there are kept; q stops
    again = record_beats(ROWS, tmp_path, mic, ask=lambda _: "q", show=shown.append)
    assert again.kept == ["Step-00-abcdef"] and again.quit and not again.recorded


def test_the_record_command_writes_clips_the_folder_voice_finds(tmp_path, monkeypatch):
    monkeypatch.setattr(record, "microphone", FakeMicrophone)
    keys = "\n\n\n" + "s\n" * 6  # record and keep the first beat, skip the other six
    result = CliRunner().invoke(
        main, ["record", "NextTokenDemo", "--to", str(tmp_path / "clips")], input=keys
    )
    assert result.exit_code == 0, result.output
    assert "1 recorded, 6 skipped, 0 kept" in result.output
    (clip,) = (tmp_path / "clips").iterdir()
    assert clip.name.startswith("NextTokenDemo-00-") and clip.suffix == ".wav"


def test_without_sounddevice_record_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails
    result = CliRunner().invoke(main, ["record", "NextTokenDemo", "--to", str(tmp_path)])
    assert result.exit_code != 0 and "needs the sounddevice package" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["record", "NoScene", "--to", str(tmp_path)])
    assert "unknown scene 'NoScene'" in result.output

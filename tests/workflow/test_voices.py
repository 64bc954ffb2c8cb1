"""The offline voices beside espeak-ng: flite and Festival's HTS voice speak the spoken form."""

import shutil

import pytest


@pytest.mark.parametrize("name, program", [("flite", "flite"), ("festival", "text2wave")])
def test_flite_and_festival_speak_the_spoken_form(name, program, tmp_path, monkeypatch):
    from llmviz.voice import make_voice, wav_duration

    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (scripts/setup.sh installs it)")
    monkeypatch.setenv("LLMVIZ_CACHE_DIR", str(tmp_path))
    voice = make_voice(name)
    short = voice.speak("The token ␣of.")
    long = voice.speak("That is 1,207,959,552 weights in one layer.")
    assert voice.name == name and 0.3 < wav_duration(short.audio) < wav_duration(long.audio)
    assert long.text == "That is 1,207,959,552 weights in one layer."  # the subtitle's form
    assert sorted(p.suffix for p in tmp_path.rglob("*.*")) == [".wav", ".wav"]  # nothing left over

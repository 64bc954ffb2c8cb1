"""The tutorial, examples/first_lesson.py, renders with plain manim: a video with its two
sections, every sentence a beat, and the model's real next token said and shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import llmviz

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "examples" / "first_lesson.py"


def test_the_first_lesson_renders_and_says_the_models_guess(tmp_path):
    assert len(LESSON.read_text().splitlines()) <= 40  # "your first lesson in 30 lines"
    manim = Path(sys.executable).with_name("manim")
    proc = subprocess.run(
        [str(manim), "render", "-ql", str(LESSON), "FirstLesson", "--media_dir", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    video = tmp_path / "videos" / "first_lesson" / "480p15" / "FirstLesson.mp4"
    assert video.is_file() and video.stat().st_size > 10_000
    data = json.loads(video.with_name("FirstLesson.narration.json").read_text())
    assert [s["name"] for s in data["sections"]] == ["What the model reads", "Where it looks"]
    beats = [b for s in data["sections"] for b in s["beats"]]
    assert len(beats) == 4
    best = llmviz.load_model().run("Michael Jordan plays the sport of").top_k(1)[0]
    assert beats[-1]["text"] == f"Its best guess for the next token is {best.token.strip()}."

"""The wheel as a teacher installs it: built from this checkout, installed with --no-deps into a
folder of its own (this venv's dependencies reused through PYTHONPATH, the checkout not on the
path), then used from an empty folder: the lecture is listed, a lesson folder is made, and one
of its steps renders (dry run)."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("next_token", "foundations", "attention", "mlp")


def run(args, cwd, env, timeout=240):
    proc = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_the_wheel_carries_the_lecture_and_makes_a_lesson(tmp_path):
    wheels, site, empty = tmp_path / "wheels", tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMVIZ_")}
    env["PYTHONPATH"] = str(site)
    run(
        [
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
        ],
        ROOT,
        os.environ,
    )
    (wheel,) = wheels.glob("llmviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for chapter in CHAPTERS:
        assert f"llmviz/lecture/{chapter}.py" in names
        assert f"llmviz/lecture/{chapter}_steps/common.py" in names
    assert "llmviz/lecture/demo.py" in names
    scene_files = {
        p.relative_to(ROOT / "scenes").as_posix()
        for p in (ROOT / "scenes").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert {
        n.removeprefix("llmviz/lecture/") for n in names if n.startswith("llmviz/lecture/")
    } == scene_files
    run(
        ["-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        empty,
        os.environ,
    )

    where = (
        run(["-c", "import llmviz; print(llmviz.__file__)"], empty, env).strip().splitlines()[-1]
    )
    assert Path(where) == site / "llmviz" / "__init__.py"  # the wheel's copy, not the checkout

    listing = run(["-m", "llmviz", "list", "--no-sections"], empty, env)
    for chapter in (*CHAPTERS, "demo"):
        assert str(site / "llmviz" / "lecture" / f"{chapter}.py") in listing, chapter
    for scene in (
        "NextTokenChapter",
        "FoundationsChapter",
        "AttentionChapter",
        "MLPChapter",
        "Fact",
    ):
        assert f"  {scene} " in listing, scene

    out = run(["-m", "llmviz", "init", "lesson", "mlp"], empty, env)
    lesson = empty / "lesson"
    assert "mlp" in out and (lesson / "scenes" / "mlp.py").is_file()
    assert (lesson / "scenes" / "mlp_steps" / "fact.py").is_file() and (
        lesson / "llmviz.toml"
    ).is_file()
    assert not (lesson / "scenes" / "attention.py").exists()
    listing = run(["-m", "llmviz", "list", "--no-sections"], lesson, env)
    assert "scenes/mlp.py" in listing and "attention" not in listing  # the lesson's own scenes
    # sections come from the step decorators, read in a child process from the lesson's scenes
    # (a fresh cache, so they are read, not recalled)
    listing = run(
        ["-m", "llmviz", "list"], lesson, {**env, "LLMVIZ_CACHE_DIR": str(tmp_path / "c")}
    )
    assert "      - Where is the fact?" in listing, listing

    log = run(["-m", "manim", "render", "-ql", "--dry_run", "scenes/mlp.py", "Fact"], lesson, env)
    assert "Rendered Fact" in log and "Played" in log and "Traceback" not in log

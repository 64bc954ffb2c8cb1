"""The file system's edge and faults: every folder a user names is checked before any work, a
failed render says why in one line and keeps its whole log, a render dies with its parent even
on SIGKILL, and ``llmviz list`` names the files it could not read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmviz import paths
from llmviz.cli import main
from llmviz.errors import ConfigError, PathProblem
from llmviz.paths import writable_folder
from llmviz.workflow.render import failure_cause

BIN = Path(sys.executable).parent

SCENES = """
from manim import Circle, FadeIn
from llmviz.scene import LectureScene


class Slow(LectureScene):
    def construct(self):
        self.section("Slow")
        self.say("A circle.", FadeIn(Circle()))
        self.wait(120)


class Voiced(LectureScene):
    def construct(self):
        self.section("Voiced")
        self.say("A short sentence, spoken.", FadeIn(Circle()))


class Broken(LectureScene):
    def construct(self):
        self.section("Broken")
        raise RuntimeError("this scene breaks on purpose")
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "scenes").mkdir()
    (tmp_path / "scenes" / "edge.py").write_text(SCENES)
    (tmp_path / "a_file").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "given, problem",
    [
        ("", "is empty; give a folder"),
        ("   ", "is empty; give a folder"),
        ("a_file", "a_file is a file, not a folder"),
        ("a_file/deeper/still", "a_file is a file, not a folder"),
        ("bad\0name", "holds a NUL character"),
        (3, "must be a folder's path, not int"),
    ],
)
def test_a_folder_that_cannot_be_used_is_named_with_its_problem(project, given, problem):
    with pytest.raises(PathProblem, match="^--out .*" + problem.replace("(", r"\(")):
        writable_folder(given, "--out")


def test_not_writable_read_only_and_full_disks_are_refused(project, monkeypatch):
    assert writable_folder("new/inside", "--media-dir") == project / "new" / "inside"
    with pytest.raises(PathProblem, match="already exists"):
        writable_folder("scenes", "llmviz init", must_be_new=True)
    with monkeypatch.context() as m:
        m.setattr(paths.os, "access", lambda *a: False)
        with pytest.raises(PathProblem, match=f"{project} is not writable by this user"):
            writable_folder("new", "--media-dir")

    class ReadOnly:
        f_flag = os.ST_RDONLY

    with monkeypatch.context() as m:
        m.setattr(paths.os, "statvfs", lambda p: ReadOnly())
        with pytest.raises(PathProblem, match="is on a read-only file system"):
            writable_folder("new", "--out")
    with monkeypatch.context() as m:
        m.setattr(paths.shutil, "disk_usage", lambda p: type("U", (), {"free": 3 * 2**20})())
        with pytest.raises(
            PathProblem, match="only 3 MB free on its disk; llmviz needs at least 50"
        ):
            writable_folder("new", "--out")
    assert not (project / "new").exists()  # nothing was created by any check


@pytest.mark.parametrize(
    "args, env, message",
    [
        (
            ["render", "Slow", "--media-dir", "a_file"],
            {},
            "--media-dir {p}/a_file: {p}/a_file is a file",
        ),
        (["render", "Slow", "--media-dir", ""], {}, "--media-dir is empty"),
        (["slides", "Slow", "--media-dir", "a_file/x"], {}, "{p}/a_file is a file, not a folder"),
        (["train", "--out", ""], {}, "--out is empty; give a folder"),
        (["train", "--out", "a_file"], {}, "--out {p}/a_file: {p}/a_file is a file"),
        (["init", "a_file/lesson"], {}, "llmviz init {p}/a_file/lesson: {p}/a_file is a file"),
        (
            ["list"],
            {"LLMVIZ_CACHE_DIR": "a_file"},
            "LLMVIZ_CACHE_DIR {p}/a_file: {p}/a_file is a file",
        ),
        (["list"], {"LLMVIZ_CACHE_DIR": ""}, "LLMVIZ_CACHE_DIR is empty"),
        (["render", "Slow", "--model-dir", "a_file"], {}, "'a_file' is a file, not a model folder"),
    ],
)
def test_the_cli_checks_every_path_before_any_work(project, monkeypatch, args, env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    t0 = time.time()
    res = CliRunner().invoke(main, args)
    assert res.exit_code != 0 and res.exception is None or isinstance(res.exception, SystemExit)
    assert message.format(p=project) in res.output, res.output
    assert "Traceback" not in res.output and time.time() - t0 < 10  # refused, not trained/rendered


@pytest.mark.parametrize(
    "toml, message",
    [
        (
            'theme = "light"\n[llmviz]\nseed = 3\n',
            "sets theme at the top level and has an [llmviz]",
        ),
        ("llmviz = 3\n", "llmviz must be a table"),
        ("seed = 1\nseed = 2\n", "is not valid TOML"),
        ("[llmviz]\ntheme = 3\n", "theme (from"),
    ],
)
def test_a_setting_set_twice_or_of_the_wrong_kind_in_llmviz_toml_is_an_error(
    project, toml, message
):
    from llmviz.config import resolve_settings

    (project / "llmviz.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        resolve_settings(directory=project)
    assert message in str(err.value)


def test_a_failed_render_says_why_in_one_line_and_names_its_whole_log(project):
    run = subprocess.run(
        [str(BIN / "llmviz"), "render", "Broken"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 1
    line = next(ln for ln in run.stdout.splitlines() if "FAIL" in ln)
    assert line.endswith("-> RuntimeError: this scene breaks on purpose")
    assert "│" not in run.stdout and "Traceback" not in run.stdout  # no rich box, no traceback
    log = project / "media" / "logs" / "edge.Broken.log"
    assert f"the whole log: {log}" in run.stdout
    assert "this scene breaks on purpose" in log.read_text()


def test_failure_cause_reads_llmviz_messages_and_exceptions_in_rich_boxes():
    assert failure_cause("x\nllmviz: prompt is empty\n") == "llmviz: prompt is empty"
    boxed = "╭──╮\n│ code │\n╰──╯\n│ OSError: [Errno 30] Read-only file system: 'm' │\n"
    assert failure_cause(boxed) == "OSError: [Errno 30] Read-only file system: 'm'"
    assert failure_cause("") == "the render process ended without output"


def test_a_render_dies_with_its_parent_even_on_sigkill(project):
    parent = subprocess.Popen(
        [str(BIN / "llmviz"), "render", "Slow"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child = None
        for _ in range(120):
            time.sleep(0.5)
            out = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True)
            if out.stdout.strip():
                child = int(out.stdout.split()[0])
                break
        assert child is not None, "the render process never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        for _ in range(20):
            if not Path(f"/proc/{child}").exists() or "zombie" in _state(child):
                break
            time.sleep(0.25)
        assert not Path(f"/proc/{child}").exists() or "zombie" in _state(child)
    finally:
        if parent.poll() is None:
            parent.kill()


def _state(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    return next((ln for ln in status.splitlines() if ln.startswith("State:")), "")


def test_list_names_a_scene_file_it_could_not_read(project):
    (project / "scenes" / "half_typed.py").write_text("class Half(:\n")
    res = CliRunner().invoke(main, ["list", "--no-sections"])
    assert res.exit_code == 0, res.output
    assert "half_typed.py" in res.output
    assert "not read, so none of its scenes are listed: SyntaxError at line 1" in res.output
    assert "Slow" in res.output and "Broken" in res.output


def test_a_voiced_render_leaves_nothing_under_its_partial_name(project):
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    run = subprocess.run(
        [str(BIN / "llmviz"), "render", "Voiced", "--voice", "espeak"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    folder = project / "media" / "videos" / "edge" / "480p15"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "Voiced.mp4",
        "Voiced.narration.json",
        "Voiced.srt",
    ]

"""llmviz init: a lesson folder with the chosen chapters, a commented llmviz.toml and a README;
inside it the CLI uses its scenes; existing folders and unknown chapters are clear errors."""

import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from llmviz.cli import main
from llmviz.config import SETTINGS, toml_template
from llmviz.lesson import chapters, packaged_scenes, scenes_dir


def test_init_writes_the_chosen_chapters_and_lists_them_inside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner()
    res = r.invoke(main, ["init", "lesson", "mlp", "demo"])
    assert res.exit_code == 0, res.output
    lesson = tmp_path / "lesson"
    source = packaged_scenes()
    for f in chapters()["mlp"]:
        copy = lesson / "scenes" / f.relative_to(source)
        assert copy.read_bytes() == f.read_bytes()
    assert (lesson / "scenes" / "demo.py").is_file() and not (
        lesson / "scenes" / "attention.py"
    ).exists()
    assert (lesson / "llmviz.toml").read_text() == toml_template()
    assert tomllib.loads((lesson / "llmviz.toml").read_text()) == {}  # every setting commented
    assert all(f"# {s.toml_key} = " in toml_template() for s in SETTINGS)
    assert "llmviz render Fact" in (lesson / "README.md").read_text()
    monkeypatch.chdir(lesson)
    assert scenes_dir() == Path("scenes")
    res = r.invoke(main, ["list", "--no-sections"])
    assert res.exit_code == 0, res.output
    assert (
        "scenes/mlp.py" in res.output
        and "Fact" in res.output
        and "AttentionChapter" not in res.output
    )


def test_init_with_no_chapters_copies_all(tmp_path):
    res = CliRunner().invoke(main, ["init", str(tmp_path / "all")])
    assert res.exit_code == 0, res.output
    written = sorted(p.stem for p in (tmp_path / "all" / "scenes").glob("*.py"))
    assert written == sorted(chapters()) and {
        "mlp",
        "attention",
        "next_token",
        "foundations",
    } <= set(written)


def test_init_refuses_an_existing_folder_and_an_unknown_chapter(tmp_path):
    r = CliRunner()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep")
    res = r.invoke(main, ["init", str(tmp_path / "taken"), "mlp"])
    assert res.exit_code == 1 and "already exists" in res.output and "Traceback" not in res.output
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"]
    res = r.invoke(main, ["init", str(tmp_path / "new"), "mlp", "chemistry"])
    assert res.exit_code == 1 and "unknown chapter 'chemistry'" in res.output
    assert "attention, demo, foundations" in res.output and not (tmp_path / "new").exists()


def test_scenes_dir_falls_back_to_the_packaged_lecture(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert scenes_dir() == packaged_scenes() and (packaged_scenes() / "mlp.py").is_file()
    res = CliRunner().invoke(main, ["list", "--no-sections"])
    assert res.exit_code == 0 and "MLPChapter" in res.output


def test_manim_plugin_is_registered():
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="manim.plugins") if e.name == "llmviz"]
    assert ep.load().__name__ == "llmviz"
    manim = Path(sys.executable).with_name("manim")
    proc = subprocess.run(
        [str(manim), "plugins", "-l"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "• llmviz" in proc.stdout, proc.stdout + proc.stderr

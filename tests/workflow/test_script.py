"""``llmviz script``: the narration of a scene for the current settings, without rendering."""

import json
import re

from click.testing import CliRunner

from llmviz.cli import main
from llmviz.words import spoken


def script(*args):
    return CliRunner().invoke(main, ["script", *args], catch_exceptions=False)


def test_the_script_of_the_demo_lists_every_beat_with_a_stable_id(tmp_path):
    out = tmp_path / "demo.json"
    result = script("NextTokenDemo", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert len(rows) == 7 and f"{len(rows)} beats" in result.output
    assert all(set(r) == {"id", "written", "spoken", "seconds"} for r in rows)
    assert all(r["spoken"] == spoken(r["written"]) and r["seconds"] >= 1.2 for r in rows)
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert ids[0].startswith("NextTokenDemo-00-") and ids[6].startswith("NextTokenDemo-06-")
    again = tmp_path / "again.json"
    script("NextTokenDemo", "--out", str(again))
    assert [r["id"] for r in json.loads(again.read_text())] == ids  # stable across runs
    # a changed setting changes the sentences that say its values, and only their hashes
    hotter = tmp_path / "hot.json"
    assert script("NextTokenDemo", "--temperature", "3", "--out", str(hotter)).exit_code == 0
    hot = [r["id"] for r in json.loads(hotter.read_text())]
    assert [i.rsplit("-", 1)[0] for i in hot] == [i.rsplit("-", 1)[0] for i in ids]
    assert hot != ids and hot[0] == ids[0]


def test_markdown_on_stdout_holds_each_spoken_sentence():
    result = script("NextTokenDemo")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if re.match(r"\d+\. `", line)]
    assert len(lines) == 7 and "`NextTokenDemo-03-" in lines[3]
    assert result.output.startswith("# NextTokenDemo")


def test_bad_scene_or_out_path_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["script", "NoSuchScene"])
    assert result.exit_code != 0 and "unknown scene 'NoSuchScene'" in result.output
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["script", "NextTokenDemo", "--out", f"{tmp_path}/file/x.md"])
    assert result.exit_code != 0 and "is a file, not a folder" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["script", "NextTokenDemo", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "is a folder; give a file" in result.output
    result = CliRunner().invoke(main, ["script", "NextTokenDemo", "--temperature", "-1"])
    assert result.exit_code != 0 and "temperature" in result.output


def test_a_scene_file_that_does_not_import_is_a_clear_error(tmp_path):
    (tmp_path / "broken.py").write_text(
        "from llmviz.scene import LectureScene\nimport no_such_module\n\n"
        "class Broken(LectureScene):\n    def construct(self):\n        pass\n"
    )
    result = CliRunner().invoke(main, ["script", "Broken", "--scenes-dir", str(tmp_path)])
    assert result.exit_code != 0 and "could not be loaded: ModuleNotFoundError" in result.output
    assert "Traceback" not in result.output

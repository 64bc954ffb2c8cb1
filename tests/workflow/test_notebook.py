"""The example notebook's cells run, %%manim magic included (dry run, so no video is written)."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "llmviz_in_jupyter.ipynb"


def test_notebook_cells_run_with_the_manim_magic(monkeypatch, tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from manim.utils.ipython_magic import ManimMagic

    nb = json.loads(NOTEBOOK.read_text())
    assert nb["nbformat"] == 4
    monkeypatch.chdir(NOTEBOOK.parent)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # the notebook sets LLMVIZ_* variables
    shell = InteractiveShell.instance()
    shell.register_magics(ManimMagic)
    magics = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if source.startswith("%%manim"):
            line, _, body = source.partition("\n")
            # the scene name must stay last: manim's magic puts the file argument before it
            result = shell.run_cell_magic(
                "manim", f"--dry_run --media_dir {tmp_path} " + line[len("%%manim") :].strip(), body
            )
            magics += 1
        else:
            result = shell.run_cell(source)
            if result is not None and not result.success:
                pytest.fail(f"cell failed: {source[:60]!r}: {result.error_in_exec}")
    assert magics == 3
    assert shell.user_ns["SerenaUp"].prompt == "Serena Woods plays the sport of"

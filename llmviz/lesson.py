"""Where the lecture's scenes are, and ``llmviz init``: a lesson folder a teacher edits.

The chapters live once, in the repository's top-level ``scenes/``. The wheel carries that same
folder as ``llmviz/lecture/`` (``setup.py`` maps it there), so an installed llmviz has the
lecture too. The scenes folder the CLI uses is ``./scenes`` when it exists (a clone, or a lesson
folder made by ``llmviz init``), else the lecture in the package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from llmviz.errors import LLMVizError
from llmviz.paths import writable_folder

__all__ = ["packaged_scenes", "scenes_dir", "chapters", "init_lesson"]


def packaged_scenes() -> Path | None:
    """The lecture shipped with llmviz: ``llmviz/lecture`` in an installed wheel, or the
    repository's ``scenes/`` beside an editable checkout; None when neither is there."""
    here = Path(__file__).resolve().parent
    for folder in (here / "lecture", here.parent / "scenes"):
        if folder.is_dir() and any(folder.glob("*.py")):
            return folder
    return None


def scenes_dir(given: str | Path | None = None) -> Path:
    """The scenes folder to use: ``given`` when set, else ``./scenes`` when it exists, else the
    lecture shipped with llmviz."""
    if given is not None:
        return Path(given)
    local = Path("scenes")
    if local.is_dir():
        return local
    return packaged_scenes() or local


def chapters(source: Path | None = None) -> dict[str, list[Path]]:
    """``{chapter: files}`` of the shipped lecture: each top-level scene file with its step
    package (``mlp.py`` and ``mlp_steps/``), in name order."""
    source = source or packaged_scenes()
    if source is None:
        raise LLMVizError("this llmviz has no lecture scenes (neither llmviz/lecture nor scenes/)")
    out = {}
    for file in sorted(source.glob("*.py")):
        files = [file]
        steps = source / f"{file.stem}_steps"
        if steps.is_dir():
            files += sorted(p for p in steps.rglob("*.py") if "__pycache__" not in p.parts)
        out[file.stem] = files
    return out


README = """# {name}

A lesson made with `llmviz init`: the lecture's chapters ({chapters}) copied into
`scenes/`, for you to edit. Each chapter is a scene file (`scenes/mlp.py`) with its steps in a
package beside it (`scenes/mlp_steps/`); each step is a method that the scene classes play.

From this folder:

- `llmviz list` lists the scenes and their sections;
- `llmviz render Fact -q l` renders one (videos go to `media/`);
- `llmviz slides mlp:Fact -q l --to html` makes a slide deck;
- `llmviz.toml` holds every setting, commented: uncomment a line to change the prompt, the
  theme, the number of decimals, the voice, ... (`llmviz settings` prints them all).
"""


def init_lesson(folder: str | Path, names: list[str] | None = None) -> list[str]:
    """Write a lesson folder: ``scenes/`` with the chosen chapters (all by default), an
    ``llmviz.toml`` with every setting commented, and a ``README.md``. Returns the chapters.

    An existing ``folder`` is never overwritten, and an unknown chapter is an error listing the
    allowed ones (an :class:`~llmviz.errors.LLMVizError` either way).
    """
    from llmviz.config import CONFIG_FILE, toml_template

    available = chapters()
    names = list(dict.fromkeys(names or available))
    unknown = [n for n in names if n.removesuffix(".py") not in available]
    if unknown:
        raise LLMVizError(
            f"unknown chapter {', '.join(map(repr, unknown))}; chapters: {', '.join(available)}"
        )
    names = [n.removesuffix(".py") for n in names]
    if isinstance(folder, str) and not folder.strip():
        raise LLMVizError("llmviz init needs a folder to write, and the one given is empty")
    if Path(folder).exists():
        raise LLMVizError(f"{folder} already exists; llmviz init writes a new folder only")
    folder = writable_folder(folder, "llmviz init")
    source = packaged_scenes()
    tmp = folder.with_name(f".{folder.name}.llmviz-init")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for name in names:
            for file in available[name]:
                dst = tmp / "scenes" / file.relative_to(source)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, dst)
        (tmp / CONFIG_FILE).write_text(toml_template())
        (tmp / "README.md").write_text(README.format(name=folder.name, chapters=", ".join(names)))
        tmp.rename(folder)  # the folder appears complete or not at all
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LLMVizError(f"could not write {folder}: {exc}") from None
    return names

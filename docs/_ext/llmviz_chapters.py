"""The ``llmviz-chapters`` directive: a table of every chapter's steps, read from the scenes.

Each chapter module under ``scenes/`` has one whole-chapter scene (``plays = ALL_STEPS``) and
one scene per step. The directive lists the steps in chapter order with the scene that plays
each one, and shows the committed still ``docs/images/<Scene>.png`` where there is one.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ("next_token", "attention", "mlp", "foundations")


def chapter_table(module_name: str, images: Path) -> tuple[list[str], int, int]:
    """reST lines for one chapter, the number of its steps and how many have a still."""
    from llmviz.steps import ALL_STEPS, chapter_steps, played_steps

    if str(ROOT / "scenes") not in sys.path:
        sys.path.insert(0, str(ROOT / "scenes"))
    module = importlib.import_module(module_name)
    scenes = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and getattr(cls, "plays", None)
    ]
    whole = [cls for cls in scenes if tuple(cls.plays) == ALL_STEPS]
    if not whole:
        return [], 0, 0
    chapter = whole[0]
    players: dict[str, list[str]] = {}
    for cls in scenes:
        if cls is chapter:
            continue
        for s in played_steps(cls):
            players.setdefault(s.name, []).append(cls.__name__)
    doc = inspect.getdoc(module) or ""
    summary = doc.split("\n\n")[0].replace("\n", " ")
    title = f"{module_name} — ``{chapter.__name__}``"
    lines = [title, "-" * len(title), "", summary, ""]
    lines += [
        f"Source: ``scenes/{module_name}.py``. Render the whole chapter with "
        f"``llmviz render {chapter.__name__} -q l``.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 6 34 25 35",
        "",
        "   * - #",
        "     - Step",
        "     - Scene",
        "     - Still",
    ]
    steps = chapter_steps(chapter)
    with_still = 0
    for s in steps:
        names = players.get(s.name, [])
        stills = [n for n in names if (images / f"{n}.png").exists()]
        if stills:
            with_still += 1
            still = [f"     - .. image:: images/{stills[0]}.png", "          :width: 260px"]
        else:
            still = ["     - no still yet"]
        scene = ", ".join(f"``{n}``" for n in names) or "(whole chapter only)"
        lines += [
            f"   * - {s.order}",
            f"     - {s.title} (``{s.name}``)",
            f"     - {scene}",
            *still,
        ]
    lines.append("")
    return lines, len(steps), with_still


class ChaptersDirective(SphinxDirective):
    """Insert the chapter tables (no arguments)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        images = Path(self.env.srcdir) / "images"
        lines: list[str] = []
        total = stills = 0
        for name in CHAPTERS:
            part, n, k = chapter_table(name, images)
            lines += part
            total += n
            stills += k
        lines = [f"{total} steps in {len(CHAPTERS)} chapters; {stills} have a still.", ""] + lines
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="llmviz-chapters"), container)
        return container.children


def setup(app):
    app.add_directive("llmviz-chapters", ChaptersDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx configuration for the llmviz documentation (built by scripts/docs.sh)."""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

project = "llmviz"
author = "llmviz contributors"
copyright = "llmviz contributors"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
    "manim.utils.docbuild.manim_directive",
    "llmviz_chapters",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "media", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]


autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
nitpicky = False
# autosummary_context holds a function (see below), which Sphinx cannot pickle into its
# environment cache; the only effect is a full re-read when the config changes.
suppress_warnings = ["config.cache"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "llmviz"

# manim's directive renders each ``.. manim::`` example at its "example" quality (854x480).
# It writes under docs/media (fixed by the directive) and logs timings to a CSV path relative
# to the working directory; keep that CSV inside the build folder instead.
from manim.utils.docbuild import manim_directive  # noqa: E402

(DOCS / "_build").mkdir(exist_ok=True)
manim_directive.rendering_times_file_path = DOCS / "_build" / "rendering_times.csv"


def _defined_in(module: str, name: str) -> bool:
    """Whether ``module.name`` is defined in ``module`` (not re-exported from a submodule)."""
    import importlib

    obj = getattr(importlib.import_module(module), name, None)
    return getattr(obj, "__module__", module) == module


# The module template (docs/_templates/autosummary/module.rst) documents each class and
# function once, on the page of the module that defines it; packages list their re-exports.
autosummary_context = {"defined_in": _defined_in}

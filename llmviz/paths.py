"""Every folder llmviz reads or writes, in one place.

* :data:`PACKAGE_DATA`: what ships in the package (the model, the experiments' results);
* :func:`cache_dir`: what llmviz keeps between runs (spoken sentences, the scene listing,
  experiments re-run with other settings): ``$LLMVIZ_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/llmviz``, else ``~/.cache/llmviz``;
* :data:`MEDIA_DIR`: where renders go by default, ``./media`` (manim's own default).

Examples
--------
>>> import os
>>> os.environ["LLMVIZ_CACHE_DIR"] = "/tmp/llmviz-doc"
>>> str(cache_dir("voice"))
'/tmp/llmviz-doc/voice'
>>> del os.environ["LLMVIZ_CACHE_DIR"]
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "PACKAGE_DATA", "MEDIA_DIR", "cache_dir"]

#: The environment variable that moves every cache.
CACHE_ENV = "LLMVIZ_CACHE_DIR"
#: The shipped data folder: the embedded model and the experiments' shipped results.
PACKAGE_DATA = Path(__file__).parent / "model" / "data"
#: Renders go here unless ``--media-dir`` says otherwise (relative to the working folder).
MEDIA_DIR = Path("media")


def cache_dir(*parts: str) -> Path:
    """The cache folder (``$LLMVIZ_CACHE_DIR``, ``$XDG_CACHE_HOME/llmviz`` or
    ``~/.cache/llmviz``), joined with ``parts``; nothing is created."""
    root = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "llmviz"
    )
    return Path(root).joinpath(*parts)

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
import shutil
from pathlib import Path

from llmviz.errors import PathProblem

__all__ = [
    "CACHE_ENV",
    "PACKAGE_DATA",
    "MEDIA_DIR",
    "MIN_FREE_MB",
    "cache_dir",
    "writable_folder",
]

#: The environment variable that moves every cache.
CACHE_ENV = "LLMVIZ_CACHE_DIR"
#: The shipped data folder: the embedded model and the experiments' shipped results.
PACKAGE_DATA = Path(__file__).parent / "model" / "data"
#: Renders go here unless ``--media-dir`` says otherwise (relative to the working folder).
MEDIA_DIR = Path("media")


#: A folder llmviz writes to needs at least this much free space (a low-quality chapter video
#: and its partial movies take tens of megabytes).
MIN_FREE_MB = 50


def writable_folder(path, what: str, must_be_new: bool = False, min_free_mb: float = MIN_FREE_MB):
    """``path`` as an absolute folder that llmviz can create and write to, checked before any
    work starts; else a :class:`PathProblem` that names ``what`` (e.g. "--media-dir"), the path
    and the problem. Nothing is created. ``must_be_new``: the folder must not exist yet.

    Examples
    --------
    >>> str(writable_folder("/tmp/llmviz-doc/new", "--out"))
    '/tmp/llmviz-doc/new'
    >>> writable_folder("", "--out")
    Traceback (most recent call last):
    ...
    llmviz.errors.PathProblem: --out is empty; give a folder
    >>> writable_folder("/etc/hostname/x", "--media-dir")
    Traceback (most recent call last):
    ...
    llmviz.errors.PathProblem: --media-dir /etc/hostname/x: /etc/hostname is a file, not a folder
    """
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
        raise PathProblem(f"{what} must be a folder's path, not {type(path).__name__}")
    if not str(path).strip():
        raise PathProblem(f"{what} is empty; give a folder")
    if "\0" in str(path):
        raise PathProblem(f"{what} {str(path)!r} holds a NUL character; give a folder's path")
    folder = Path(path).expanduser().absolute()
    if folder.exists() and must_be_new:
        raise PathProblem(f"{what} {folder} already exists; give a new folder")
    existing = folder
    while not existing.exists():  # the nearest folder that exists: where the new ones go
        existing = existing.parent
    if not existing.is_dir():
        raise PathProblem(f"{what} {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PathProblem(f"{what} {folder}: {existing} is not writable by this user")
    try:
        statvfs = os.statvfs(existing)
    except OSError:
        statvfs = None
    if statvfs is not None and statvfs.f_flag & os.ST_RDONLY:
        raise PathProblem(f"{what} {folder}: {existing} is on a read-only file system")
    free = shutil.disk_usage(existing).free / 2**20
    if free < min_free_mb:
        raise PathProblem(
            f"{what} {folder}: only {free:.0f} MB free on its disk; llmviz needs at least "
            f"{min_free_mb:.0f} MB there"
        )
    return folder


def cache_dir(*parts: str) -> Path:
    """The cache folder (``$LLMVIZ_CACHE_DIR``, ``$XDG_CACHE_HOME/llmviz`` or
    ``~/.cache/llmviz``), joined with ``parts``; nothing is created. A ``LLMVIZ_CACHE_DIR`` that
    is set must be a folder llmviz can write (:func:`writable_folder`), else a
    :class:`~llmviz.errors.PathProblem` says what is wrong with it."""
    if CACHE_ENV in os.environ:
        return writable_folder(os.environ[CACHE_ENV], CACHE_ENV, min_free_mb=5).joinpath(*parts)
    root = os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "llmviz"
    )
    return Path(root).joinpath(*parts)

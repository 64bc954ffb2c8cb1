"""The headless Chromium that the docs and slide-deck tests drive (Debian's package; nothing is
downloaded), and the flags that keep it off the network and out of first-run dialogs.

Importable from every test folder (``tests/`` is on ``sys.path`` through its ``conftest.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

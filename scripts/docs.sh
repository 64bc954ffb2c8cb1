#!/usr/bin/env bash
# Build the documentation into docs/_build/html (warnings are errors). Extra arguments go to sphinx.
# The API pages render each docstring's `.. manim::` example (854x480, last frame only) into docs/media.
set -euo pipefail
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg
exec .venv/bin/python -m sphinx.cmd.build -W --keep-going -b html "$@" docs docs/_build/html

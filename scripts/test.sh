#!/usr/bin/env bash
# Run the llmviz test suite (sets up first if needed; idempotent). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-render
echo "==> running the test suite"
# two workers, each test file in one of them (its module fixtures render a chapter once);
# a later -n in the arguments wins (-n 0 runs in this process, e.g. for pdb)
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"

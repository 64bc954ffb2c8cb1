#!/usr/bin/env bash
# Run the llmviz test suite (sets up first if needed; idempotent). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-render
echo "==> running the test suite"
exec .venv/bin/python -m pytest "$@"

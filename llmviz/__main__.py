"""``python -m llmviz``: the ``llmviz`` command."""

from llmviz.cli import main

main()

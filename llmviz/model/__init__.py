"""The transformer, its tokenizer, loader, trace and hooks.

Importing this package is cheap (no torch): :func:`hook_name` lives in :mod:`llmviz.model.trace`,
which needs only numpy.
"""

from llmviz.model.trace import hook_name

__all__ = ["hook_name"]

"""The transformer, its tokenizer, loader, trace and hooks.

Importing this package is cheap (no torch): :func:`hook_name` lives in :mod:`llmviz.model.trace`,
which needs only numpy, and ``load_model``, ``Model`` and ``Trace`` are imported on first use.
"""

from llmviz.model.trace import hook_name

__all__ = ["hook_name", "load_model", "Model", "Trace"]

_LAZY = {"load_model": "loader", "Model": "loader", "Trace": "trace"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"llmviz.model.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'llmviz.model' has no attribute {name!r}")

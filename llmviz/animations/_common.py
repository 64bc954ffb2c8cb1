"""Small helpers shared by the animations."""

from __future__ import annotations

from llmviz.mobjects.numbers import FastText
from llmviz.style import PALETTE

__all__ = ["symbol", "head_count", "tail_count", "expect"]


def expect(value, cls, arg: str, what: str) -> None:
    """A clear error unless ``value`` is a ``cls`` (a mobject an animation works on)."""
    from llmviz.errors import ArgumentError

    if not isinstance(value, cls):
        names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        raise ArgumentError(
            f"{what}: {arg} must be a {names} (from llmviz.mobjects), not {type(value).__name__}"
        )


def symbol(text: str, font_size: float = 36) -> FastText:
    """An operator such as "+" or "=" drawn like the numbers around it."""
    return FastText(text, font_size=font_size, color=PALETTE["text"])


def head_count(indices: list) -> int | None:
    """How many entries a shown-indices list has before its ellipsis (None if it has none)."""
    return indices.index(None) if None in indices else None


def tail_count(indices: list) -> int | None:
    """How many entries a shown-indices list has after its ellipsis (None if it has none)."""
    return len(indices) - indices.index(None) - 1 if None in indices else None

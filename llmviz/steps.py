"""Steps: a chapter's methods marked with their section title and place in the lecture.

A chapter is a :class:`~llmviz.scene.LectureScene` subclass whose methods ``step_<name>`` are
decorated with :func:`step`. A scene plays some of them by naming them in ``plays``; the
chapter's whole-lecture scene plays them all (``plays = ALL_STEPS``), in the order the
decorators give. Listing (``llmviz list --sections``) reads the titles from the decorators, so it
never parses code or runs a step.

Examples
--------
>>> from llmviz.scene import LectureScene
>>> class Chapter(LectureScene):
...     @step("Second idea", order=2)
...     def step_two(self):
...         self.say("Then this.")
...     @step("First idea", order=1)
...     def step_one(self):
...         self.say("This first.")
>>> class Whole(Chapter):
...     plays = ALL_STEPS
>>> [s.title for s in chapter_steps(Whole)], [s.title for s in played_steps(Whole)]
(['First idea', 'Second idea'], ['First idea', 'Second idea'])
>>> class One(Chapter):
...     plays = ("two",)
>>> [s.title for s in played_steps(One)]
['Second idea']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from llmviz.errors import ArgumentError

__all__ = ["Step", "step", "ALL_STEPS", "chapter_steps", "played_steps"]

#: ``plays = ALL_STEPS``: every step of the chapter, in order.
ALL_STEPS: tuple[str, ...] = ("*",)


@dataclass(frozen=True)
class Step:
    """A step of a chapter: ``name`` (``step_<name>`` is its method), the ``title`` of the section
    it opens, and its ``order`` in the chapter (1 for the first)."""

    name: str
    title: str
    order: int
    #: Settings this step does not follow, each with the reason (see :func:`step`).
    ignores: tuple[tuple[str, str], ...] = ()


def step(title: str, order: int, ignores: dict[str, str] | None = None):
    """Mark a method ``step_<name>`` as a step of its chapter: calling it opens a section called
    ``title`` (:meth:`~llmviz.scene.LectureScene.section`), then runs the method. ``order`` places
    it in the chapter (1 for the first); listing and the whole-chapter scene read both.

    ``ignores`` names the settings that this step does not follow although its chapter does,
    each with the reason, e.g. ``{"decimals": "it shows each number with the digits it needs"}``:
    a render that sets one of them says which of the steps it plays leave it aside
    (:attr:`~llmviz.scene.LectureScene.unused_settings` is the same for a whole scene)."""
    if not isinstance(title, str) or not title.strip():
        raise ArgumentError(f"step() needs a section title (a non-empty string), not {title!r}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ArgumentError(f"step() needs order as a whole number from 1, not {order!r}")

    if ignores is not None and (
        not isinstance(ignores, dict)
        or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in ignores.items())
    ):
        raise ArgumentError(
            f"step() takes ignores as a dict of setting name to reason, not {ignores!r}"
        )
    kept = tuple((ignores or {}).items())

    def mark(fn):
        if not getattr(fn, "__name__", "").startswith("step_"):
            raise ArgumentError(
                f"@step marks methods called step_<name>, not {getattr(fn, '__name__', fn)!r}"
            )

        @functools.wraps(fn)
        def run(self, *args, **kwargs):
            self.section(title)
            return fn(self, *args, **kwargs)

        run.step = Step(fn.__name__.removeprefix("step_"), title, order, kept)
        return run

    return mark


def chapter_steps(cls: type) -> list[Step]:
    """Every :func:`step` of ``cls`` and its bases, in their chapter order."""
    found: dict[str, Step] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            info = getattr(value, "step", None)
            if attr.startswith("step_") and isinstance(info, Step):
                found[info.name] = info
    return sorted(found.values(), key=lambda s: (s.order, s.name))


def played_steps(cls: type) -> list[Step]:
    """The steps that ``cls`` plays (its ``plays``), in the order it plays them."""
    plays = tuple(getattr(cls, "plays", ()) or ())
    every = chapter_steps(cls)
    if plays == ALL_STEPS:
        return every
    by_name = {s.name: s for s in every}
    unknown = [p for p in plays if p not in by_name]
    if unknown:
        raise ArgumentError(
            f"{cls.__name__}.plays names no step {', '.join(map(repr, unknown))}; "
            f"its steps are {', '.join(by_name) or 'none'}"
        )
    return [by_name[p] for p in plays]

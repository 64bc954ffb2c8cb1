"""The one rule for lighting up a beat's picture: when a sentence's animations leave most of it
still (they are short, or they barely read as motion at 480p), the beat ends by lighting up
(:class:`~llmviz.animations.LightUp`, a colour flash that never grows) what it brought on screen, so that the picture keeps answering the words.

:meth:`llmviz.scene.LectureScene.say` applies it; ``LectureScene.pulse_below`` sets how still a
beat may be (0 turns pulses off).
"""

from __future__ import annotations

import numpy as np
from manim import (
    Animation,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromCenter,
    GrowFromEdge,
    GrowFromPoint,
    Indicate,
    LaggedStart,
    Mobject,
    Transform,
    Uncreate,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
)

from llmviz.animations.light_up import LightUp

__all__ = ["natural_time", "seen_share", "pulse_target"]


def natural_time(step, visible: bool = False) -> float:
    """An animation step's own run time (a list or tuple plays together); with ``visible``, the
    part of it that reads as motion at 480p (see :func:`seen_share`)."""
    if isinstance(step, (list, tuple)):
        return max((natural_time(s, visible) for s in step), default=0.0)
    if isinstance(step, Animation):
        return float(step.get_run_time()) * (seen_share(step) if visible else 1.0)
    return float(getattr(step, "anim_args", {}).get("run_time", 1.0))  # an .animate builder


def seen_share(step: Animation) -> float:
    """How much of an animation reads as motion at 480p: a move, a transform or an emphasis
    does; a thin stroke drawn bit by bit, a fade in place or a small thing growing hardly does."""
    if isinstance(step, (LaggedStart, AnimationGroup)):
        return float(np.mean([seen_share(a) for a in step.animations])) if step.animations else 0.0
    if isinstance(step, (Create, Write, GrowArrow, Uncreate)):
        return 0.2
    big = getattr(step, "mobject", None) is not None and step.mobject.width >= 1.5
    if isinstance(step, (FadeIn, FadeOut)):
        moves = np.linalg.norm(getattr(step, "shift_vector", np.zeros(3))) >= 0.25
        scales = getattr(step, "scale_factor", 1) != 1
        return 1.0 if big and (moves or scales) else 0.2
    if isinstance(step, (GrowFromCenter, GrowFromPoint, GrowFromEdge)):
        return 1.0 if big else 0.2
    return 1.0


def pulse_target(steps) -> Mobject | None:
    """What a beat's steps bring on or change, to light up at its end: all of it when it fits
    in half the frame, else what the last step brought; None for fade-outs, emphases and
    trackers."""
    found = []
    gone: set[int] = set()  # what the beat fades out: lighting it would bring it back

    def leaving(step) -> None:
        if isinstance(step, (list, tuple)):
            for s in step:
                leaving(s)
        elif isinstance(step, FadeOut) or (isinstance(step, Animation) and step.remover):
            gone.update(id(m) for m in step.mobject.get_family())
        for s in getattr(step, "animations", ()):
            leaving(s)

    def walk(step) -> None:
        if isinstance(step, (list, tuple)):
            for s in step:
                walk(s)
            return
        if isinstance(step, (FadeOut, Indicate, LightUp)):
            return
        if isinstance(step, FadeTransform):
            m = step.to_add_on_completion
        elif isinstance(step, Animation) and step.remover:
            return  # what it animates leaves the scene
        elif isinstance(step, Transform) and step.replace_mobject_with_target_in_scene:
            m = step.target_mobject  # the animated copy leaves the scene; its target stays
        else:
            m = getattr(step, "mobject", None)
        if m is not None and not isinstance(m, ValueTracker) and m.get_family():
            found.append(m)

    leaving(list(steps))
    walk(list(steps))
    found = [m for m in found if not any(id(f) in gone for f in m.get_family())]
    if not found:
        return None
    group = VGroup(*(m for m in found if isinstance(m, VMobject)))
    if len(group) and group.width < 7 and group.height < 4:
        return group
    last = found[-1]
    return last if last.width < 11 and last.height < 5 else None

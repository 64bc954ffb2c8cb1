"""How a rendered video uses the screen: its blank screens and how much of the frame its picture
fills (``python -m llmviz.bench screen VIDEO...``).

A frame is sampled every :data:`SAMPLE_EVERY` seconds. On each sample:

- the **background** is the most common colour of the frame's border (its outermost pixels);
- **ink** is the share of pixels that differ from the background by more than
  :data:`GREY_LEVELS` levels in some colour channel;
- **fill** is the share of the frame inside the smallest rectangle that holds 99% of the ink
  (:data:`TRIM` of it cut off on each of the four sides);
- a **blank screen** is a run of consecutive samples whose ink is under :data:`BLANK_INK`.

Examples
--------
>>> import numpy as np
>>> frame = np.zeros((100, 200, 3), np.uint8)
>>> frame[20:70, 50:150] = 255  # a white box on black, half the width and height
>>> ink, fill = frame_ink_fill(frame)
>>> round(ink, 3), round(fill, 2)
(0.25, 0.25)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llmviz.errors import LLMVizError

__all__ = [
    "ScreenProfile",
    "screen_profile",
    "frame_ink_fill",
    "SAMPLE_EVERY",
    "GREY_LEVELS",
    "BLANK_INK",
    "TRIM",
]

SAMPLE_EVERY = 0.53  # seconds between sampled frames
GREY_LEVELS = 24  # a pixel is ink when a channel is further than this from the background
BLANK_INK = 0.002  # a sample with less ink than this share of the frame is blank
TRIM = 0.005  # share of the ink cut off on each side of the fill rectangle


def _background(frame: np.ndarray) -> np.ndarray:
    """The most common colour of the frame's outermost rows and columns."""
    border = np.concatenate([frame[0], frame[-1], frame[:, 0], frame[:, -1]]).reshape(-1, 3)
    colours, counts = np.unique(border, axis=0, return_counts=True)
    return colours[counts.argmax()].astype(np.int16)


def _span(weights: np.ndarray) -> int:
    """How many rows (or columns) lie between the :data:`TRIM` quantiles of ``weights``."""
    cum = np.cumsum(weights) / weights.sum()
    lo = int(np.searchsorted(cum, TRIM, side="right"))
    hi = int(np.searchsorted(cum, 1 - TRIM, side="left"))
    return max(0, hi - lo + 1)


def frame_ink_fill(frame: np.ndarray) -> tuple[float, float]:
    """``(ink, fill)`` of one RGB frame (``height x width x 3``, 0-255), as shares of the frame."""
    arr = np.asarray(frame)
    if arr.ndim != 3 or arr.shape[2] < 3 or min(arr.shape[:2]) < 2:
        raise LLMVizError(f"a frame must be an RGB image (height x width x 3), not {arr.shape}")
    rgb = arr[..., :3].astype(np.int16)
    ink = (np.abs(rgb - _background(rgb)) > GREY_LEVELS).any(axis=2)
    share = float(ink.mean())
    if not ink.any():
        return share, 0.0
    h, w = ink.shape
    fill = _span(ink.sum(axis=1)) * _span(ink.sum(axis=0)) / (h * w)
    return share, float(fill)


@dataclass(frozen=True)
class ScreenProfile:
    """What one video shows: ``ink`` and ``fill`` of each sample (every :data:`SAMPLE_EVERY`
    seconds from 0) and ``blanks``, the ``(start, end)`` seconds of each blank screen."""

    video: str
    seconds: float
    ink: tuple[float, ...]
    fill: tuple[float, ...]
    blanks: tuple[tuple[float, float], ...]

    @property
    def blanks_per_minute(self) -> float:
        return len(self.blanks) / max(self.seconds / 60, 1e-9)

    def fill_at(self, q: float) -> float:
        """The ``q``-th percentile of fill over the samples that are not blank."""
        shown = [f for f, i in zip(self.fill, self.ink, strict=True) if i >= BLANK_INK]
        return float(np.percentile(shown, q)) if shown else 0.0

    def line(self) -> str:
        where = ", ".join(f"{a:.0f}-{b:.0f} s" for a, b in self.blanks[:12])
        more = f" (+{len(self.blanks) - 12} more)" if len(self.blanks) > 12 else ""
        return (
            f"{Path(self.video).name}: {self.seconds:.0f} s, {len(self.blanks)} blank screens "
            f"({self.blanks_per_minute:.1f} per minute{': ' + where + more if where else ''}), "
            f"fill median {100 * self.fill_at(50):.0f}%, 25th percentile "
            f"{100 * self.fill_at(25):.0f}%"
        )


def screen_profile(video: str | Path) -> ScreenProfile:
    """Measure a video file (anything PyAV reads), by the definitions at the top of this module."""
    from llmviz.motion import video_frames

    path = Path(video)
    fps, frames = video_frames(path, "rgb24")
    inks, fills = [], []
    n, next_at = 0, 0.0
    for frame in frames:
        if n / fps + 0.5 / fps >= next_at:
            ink, fill = frame_ink_fill(frame)
            inks.append(ink)
            fills.append(fill)
            next_at += SAMPLE_EVERY
        n += 1
    if n == 0:
        raise LLMVizError(f"{path} has no frames")
    blanks, start = [], None
    for k, ink in enumerate([*inks, 1.0]):
        if ink < BLANK_INK and start is None:
            start = k
        elif ink >= BLANK_INK and start is not None:
            blanks.append((start * SAMPLE_EVERY, k * SAMPLE_EVERY))
            start = None
    return ScreenProfile(str(path), n / fps, tuple(inks), tuple(fills), tuple(blanks))

"""How much a rendered video moves: the share of frames that differ from the one before, and the
longest stretch that holds still (``python -m llmviz.bench motion VIDEO...``).

A frame *moves* when at least 0.05% of its pixels differ from the previous frame's by more than
24 grey levels, so that encoder noise at keyframes does not count as motion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llmviz.errors import LLMVizError

__all__ = ["MotionProfile", "motion_profile", "video_frames", "PIXEL_SHARE", "GREY_LEVELS"]

PIXEL_SHARE = 0.0005  # a frame moves when at least this share of its pixels changed ...
GREY_LEVELS = 24  # ... by more than this many grey levels


@dataclass(frozen=True)
class MotionProfile:
    """Motion of one video: ``moving`` is the share of frames (after the first) that move;
    ``stills`` the lengths in seconds of the runs of frames that do not, longest first."""

    video: str
    seconds: float
    frames: int
    moving: float
    stills: tuple[float, ...]

    @property
    def longest_still(self) -> float:
        return self.stills[0] if self.stills else 0.0

    def count_over(self, seconds: float) -> int:
        return sum(s > seconds for s in self.stills)

    def line(self) -> str:
        return (
            f"{Path(self.video).name}: {self.seconds:.1f} s, {100 * self.moving:.0f}% of frames "
            f"move, still stretches over 8 s: {self.count_over(8)}, over 10 s: "
            f"{self.count_over(10)}, longest still {self.longest_still:.1f} s"
        )


def video_frames(video: str | Path, format: str = "gray"):
    """``(fps, frames)`` of a video file (anything PyAV reads): ``frames`` yields each frame as
    an array in ``format`` ("gray", "rgb24"). A missing, unreadable or silent file is an
    :class:`~llmviz.errors.LLMVizError` naming it."""
    import av

    path = Path(video)
    if not path.is_file():
        raise LLMVizError(f"no video at {path}")
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise LLMVizError(f"{path} is not a readable video: {exc}") from None
    if not container.streams.video:
        container.close()
        raise LLMVizError(f"{path} has no video stream")
    stream = container.streams.video[0]
    fps = float(stream.average_rate or stream.guessed_rate or 15)

    def frames():
        with container:
            for frame in container.decode(stream):
                yield frame.to_ndarray(format=format)

    return fps, frames()


def motion_profile(video: str | Path) -> MotionProfile:
    """Measure a video file (anything PyAV reads)."""
    path = Path(video)
    fps, frames = video_frames(path)
    prev, n, moving, run, runs = None, 0, 0, 0, []
    for frame in frames:
        grey = frame.astype(np.int16)
        if prev is not None:
            if (np.abs(grey - prev) > GREY_LEVELS).mean() >= PIXEL_SHARE:
                moving += 1
                if run:
                    runs.append(run)
                run = 0
            else:
                run += 1
        prev, n = grey, n + 1
    if run:
        runs.append(run)
    if n == 0:
        raise LLMVizError(f"{path} has no frames")
    return MotionProfile(
        str(path),
        n / fps,
        n,
        moving / max(1, n - 1),
        tuple(sorted((r / fps for r in runs), reverse=True)),
    )

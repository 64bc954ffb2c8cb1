"""The screen measure (llmviz.screen, ``python -m llmviz.bench screen``) on videos whose blank
screens and fill are known, and the motion measure beside it."""

from __future__ import annotations

import subprocess
import sys

import av
import numpy as np
import pytest

from llmviz.errors import LLMVizError
from llmviz.screen import SAMPLE_EVERY, frame_ink_fill, screen_profile

FPS = 15
BG = (14, 17, 23)


def frame(box=None, colour=(230, 230, 230)) -> np.ndarray:
    """A 480 x 270 frame of the dark theme's background, with ``box`` (x0, y0, x1, y1) filled."""
    f = np.empty((270, 480, 3), np.uint8)
    f[:] = BG
    if box is not None:
        x0, y0, x1, y1 = box
        f[y0:y1, x0:x1] = colour
    return f


def write_video(path, pieces) -> None:
    """``pieces``: (seconds, frame) in order."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 480, 270, "yuv420p"
        for seconds, f in pieces:
            for _ in range(round(seconds * FPS)):
                out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode())


def test_ink_is_what_differs_from_the_border_colour_and_fill_its_rectangle():
    assert frame_ink_fill(frame()) == (0.0, 0.0)
    ink, fill = frame_ink_fill(frame((120, 27, 360, 243)))  # half the width, 80% of the height
    assert ink == pytest.approx(0.4) and fill == pytest.approx(0.4, abs=0.01)
    # a dim colour 20 levels from the background is not ink; a coloured one of the same grey is
    assert frame_ink_fill(frame((0, 100, 40, 140), colour=(34, 37, 43)))[0] == 0.0
    assert frame_ink_fill(frame((10, 100, 50, 140), colour=(14, 60, 23)))[0] > 0
    # a speck of 0.4% of the ink far from the rest is trimmed off the rectangle
    f = frame((120, 27, 360, 243))
    f[260:262, 470:472] = 255
    assert frame_ink_fill(f)[1] == pytest.approx(0.4, abs=0.01)
    with pytest.raises(LLMVizError, match="RGB image"):
        frame_ink_fill(np.zeros((4, 4)))


def test_blank_screens_are_counted_with_their_times_and_fill_skips_them(tmp_path):
    video = tmp_path / "v.mp4"
    small, big = frame((200, 100, 280, 170)), frame((24, 14, 456, 256))
    write_video(video, [(2, small), (1.6, frame()), (3.9, big), (0.3, frame()), (2.2, big)])
    p = screen_profile(video)
    assert p.seconds == pytest.approx(10, abs=0.1)
    assert len(p.ink) == pytest.approx(10 / SAMPLE_EVERY, abs=1)
    assert [round(a) for a, _ in p.blanks] == [2]  # the 0.3 s one falls between two samples
    assert p.blanks[0][1] - p.blanks[0][0] == pytest.approx(1.6, abs=SAMPLE_EVERY)
    assert p.fill_at(50) == pytest.approx(0.81, abs=0.03)  # the big box, most of the time
    assert p.fill_at(0) == pytest.approx(80 * 70 / (480 * 270), abs=0.01)
    assert "1 blank screens (6.0 per minute: 2-4 s)" in p.line()
    assert f"fill median {100 * p.fill_at(50):.0f}%" in p.line()


def test_bench_screen_prints_one_line_a_video_and_a_clear_error(tmp_path):
    video = tmp_path / "v.mp4"
    write_video(video, [(1, frame((24, 14, 456, 256)))])
    cmd = [sys.executable, "-m", "llmviz.bench", "screen", str(video), str(tmp_path / "none.mp4")]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stdout.startswith("v.mp4: 1 s, 0 blank screens")
    assert run.stderr.strip() == f"llmviz: no video at {tmp_path / 'none.mp4'}"
    assert "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "llmviz.bench", "screen"], capture_output=True)
    assert run.returncode == 2 and b"usage" in run.stderr

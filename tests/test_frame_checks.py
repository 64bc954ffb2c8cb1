"""The frame checks used by the scene and animation tests can fail."""

import numpy as np
from frame_checks import off_frame, overlapping_texts
from manim import RIGHT, Square, VGroup

from llmviz.mobjects.numbers import FastNumber, FastText


def test_off_frame_names_what_reaches_past_the_edge():
    inside, outside = FastText("inside"), FastText("far right").move_to([7.0, 0, 0])
    assert off_frame([inside, outside]) == ["far right"]
    assert off_frame([VGroup(inside, Square(0.5).move_to([-6.9, 3.8, 0]))]) == ["Square"]
    outside.set_fill(opacity=0)  # faded out: draws nothing
    assert off_frame([outside]) == []


def test_overlapping_texts_finds_texts_drawn_over_texts():
    a, b = FastNumber(-1.41), FastNumber(0.0)
    assert overlapping_texts([a, b]) == [("-1.41", "0.00")]
    assert overlapping_texts([VGroup(a, VGroup(b))]) == [("-1.41", "0.00")]  # inside groups too
    b.next_to(a, RIGHT, buff=0.1)
    assert overlapping_texts([a, b]) == []
    b.shift(-b.width * 0.5 * RIGHT)  # half of b over a
    assert overlapping_texts([a, b]) == [("-1.41", "0.00")]


def test_overlapping_texts_counts_each_text_once_and_skips_invisible_ones():
    a = FastText("word")
    assert overlapping_texts([a, VGroup(a)]) == []  # the same mobject in two groups
    hidden = FastText("word").set_fill(opacity=0)
    assert overlapping_texts([a, hidden]) == []
    assert overlapping_texts([FastText("x").move_to(np.array([3.0, 0, 0])), a]) == []

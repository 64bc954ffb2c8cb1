"""The frame checks used by the scene and animation tests can fail."""

import numpy as np
from frame_checks import MIN_FONT_SIZE, off_frame, overlapping_texts, small_texts, text_font_size
from manim import PI, RIGHT, Square, Text, VGroup

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


def test_small_texts_finds_small_fast_texts_and_manim_texts():
    assert small_texts([FastText("big", 24), FastText("tiny", 12)]) == ["tiny"]
    assert small_texts([FastText("shrunk", 24).scale(0.5)]) == ["shrunk"]
    label = Text("token", font_size=24)
    assert small_texts([VGroup(label)]) == []
    assert small_texts([VGroup(Text("small", font_size=12))]) == ["small"]
    label.scale(0.5)  # scaled after it was made
    assert small_texts([label]) == ["token"]
    assert small_texts([Text("faded", font_size=12).set_opacity(0)]) == []


def test_a_rotated_text_is_measured_unrotated():
    # a quarter turn swaps height and width: Text.font_size calls this one 73 points
    upright = Text("creature", font_size=12).rotate(PI / 2)
    assert abs(text_font_size(upright) - 12) < 0.1
    assert small_texts([upright]) == ["creature"]
    assert abs(text_font_size(Text("a", font_size=30).rotate(PI / 2)) - 30) < 0.1
    assert small_texts([Text("creature", font_size=MIN_FONT_SIZE + 1).rotate(PI / 2)]) == []


def test_through_a_3d_camera_texts_are_checked_where_they_are_drawn():
    """A word whose points lie apart from a caption fixed in the frame is drawn over it once the
    camera turns, and so is a label kept beside a dot in orientation (drawn at the dot's
    projection plus its offset)."""
    from manim import ThreeDCamera

    caption = FastText("caption").move_to([2.0, 0, 0])
    word = FastText("word").move_to([0, 2.0, 0])
    camera = ThreeDCamera()
    camera.add_fixed_in_frame_mobjects(caption)
    camera.reset_rotation_matrix()
    assert overlapping_texts([caption, word], camera=camera) == []  # unturned: apart
    camera.set_theta(0)  # a quarter turn about the vertical: (0, 2) is drawn at (2, 0)
    camera.reset_rotation_matrix()
    assert overlapping_texts([caption, word]) == []  # their points stay apart
    assert overlapping_texts([caption, word], camera=camera) == [("caption", "word")]
    label = FastText("label").move_to([0, 2.0, 0])
    camera.add_fixed_orientation_mobjects(label, center_func=lambda: np.array([0, 2.0, 0]))
    assert overlapping_texts([caption, label], camera=camera) == [("caption", "label")]
    label.shift([0, 1.0, 0])  # its offset from the dot is kept on screen: above the caption
    assert overlapping_texts([caption, label], camera=camera) == []

"""The pulse rule's target: what a beat brought on screen, never what the same beat faded out."""

from manim import Circle, Create, FadeIn, FadeOut, Square, VGroup

from llmviz.animations import LightUp
from llmviz.pulse import pulse_target


def test_the_target_is_what_the_beat_brought_and_kept():
    a, b = Square(), Circle()
    target = pulse_target([FadeIn(a), Create(b)])
    assert list(target) == [a, b]


def test_what_the_beat_fades_out_is_never_lit_back_on_screen():
    probe, kept = Circle(radius=0.1), Square()
    target = pulse_target(
        [FadeIn(probe), probe.animate.shift([1, 0, 0]), FadeOut(probe), Create(kept)]
    )
    assert list(target) == [kept]
    group = VGroup(Square(), Circle())
    assert pulse_target([FadeIn(group), FadeOut(group[1])]) is None  # part of it leaves
    assert pulse_target([FadeIn(probe), FadeOut(probe)]) is None
    assert pulse_target([LightUp(kept)]) is None  # an emphasis is not lit again

"""Pixel tests: stills and a short animation compared with committed control frames.

Regenerate after an intended visual change with ``pytest tests/test_pixels.py --set_test``.
The frames depend on Cairo and Pango; ``control_data/RENDER_ENV.json`` records the versions they
were made with, and on other versions these tests are skipped with that reason.
"""

import numpy as np
import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from llmviz.animations import ReLUGate, Softmax
from llmviz.mobjects import (
    AttentionGrid,
    FastNumber,
    NeuronColumn,
    NumericMatrix,
    NumericVector,
    ProbabilityBars,
    TokenStrip,
    WeightMatrix,
)

__module_test__ = "llmviz"
pytestmark = pytest.mark.pixel

PATTERN = np.array([[1.0, 0, 0, 0], [0.3, 0.7, 0, 0], [0.1, 0.45, 0.45, 0], [0.05, 0.5, 0.3, 0.15]])


@frames_comparison
def test_fast_numbers(scene):
    nums = [
        FastNumber(v, decimals=d, sign=s)
        for v, d, s in [
            (-1.2345, 3, False),
            (0.5, 2, True),
            (float("-inf"), 2, False),
            (float("nan"), 2, False),
        ]
    ]
    for i, n in enumerate(nums):
        n.move_to([0, 1.5 - i, 0])
    scene.add(*nums, FastNumber(175_181_291_520, decimals=0, thousands=True).to_edge([0, -1, 0]))


@frames_comparison
def test_numeric_vector(scene):
    scene.add(
        NumericVector(np.linspace(-2, 3, 40), max_entries=8, label=True).shift([-3, 0, 0]),
        NumericVector([0.25, -1.5, 3.0], direction="row").shift([2, 0, 0]),
    )


@frames_comparison
def test_numeric_matrix(scene):
    m = NumericMatrix(np.arange(-24, 24).reshape(6, 8) / 7, max_rows=5, max_cols=5).shift(
        [-2.5, 0, 0]
    )
    g = WeightMatrix(None, shape=(12_288, 50_257), name="W_E").shift([3.5, 0, 0])
    scene.add(m, m.highlight_row(1), g)


@frames_comparison
def test_token_strip(scene):
    scene.add(TokenStrip(["a", " fluffy", " blue", " creature", "\n"]))


@frames_comparison
def test_attention_grid(scene):
    dots = AttentionGrid(PATTERN, tokens=["a", " fluffy", " blue", " creature"]).shift([-3, 0, 0])
    heat = AttentionGrid(PATTERN, kind="heat", show_numbers=True).shift([3, -0.3, 0])
    scene.add(dots, heat)


@frames_comparison
def test_neuron_column_and_bars(scene):
    scene.add(
        NeuronColumn([-1.0, 0.2, 2.5, -0.1], state="pre", highlight=[2]).shift([-4, 0, 0]),
        ProbabilityBars([" basketball", " golf", " tennis"], [0.8, 0.15, 0.05]).shift([0, 0.5, 0]),
    )


@frames_comparison(last_frame=False)
def test_relu_gate_animation(scene):
    col = NeuronColumn([-1.0, 0.5, 2.0], state="pre")
    scene.add(col)
    scene.play(ReLUGate(col), run_time=1)


@frames_comparison(last_frame=False)
def test_softmax_animation(scene):
    v = NumericVector([1.0, 2.0, 8.0])
    scene.add(v)
    scene.play(Softmax(v, decimals=3, run_time=1))

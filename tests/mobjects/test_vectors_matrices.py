import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from llmviz.errors import LLMVizError
from llmviz.mobjects import NumericMatrix, NumericVector, WeightMatrix
from llmviz.model.trace import hook_name
from llmviz.style import format_number


def test_vector_shows_the_trace_values(mj_trace):
    x = mj_trace[hook_name("resid_post", 0)][1]
    v = NumericVector(x, max_entries=8, label=True)
    assert v.indices == [0, 1, 2, 3, 4, None, 62, 63]
    assert [e.text for e in v.entries] == [format_number(x[i]) for i in (0, 1, 2, 3, 4, 62, 63)]
    assert v.label.text == "64" and v.ellipsis is not None
    assert v.get_entry(63).value == pytest.approx(float(x[63]))
    with pytest.raises(LLMVizError, match="entry 10 is not shown"):
        v.get_entry(10)


def test_column_entries_are_right_aligned_and_ordered():
    v = NumericVector([1.0, -22.5, 3.25], decimals=2)
    rights = [e.get_right()[0] for e in v.entries]
    assert max(rights) - min(rights) < 1e-6
    ys = [e.get_y() for e in v.entries]
    assert ys == sorted(ys, reverse=True)


def test_vector_groups_thousands_when_asked():
    values = np.array([2980.958, -12345.5, 7.0])
    assert [e.text for e in NumericVector(values).entries] == ["2980.96", "-12345.50", "7.00"]
    grouped = NumericVector(values, thousands=True).copy_with(values * 10)
    assert [e.text for e in grouped.entries] == ["29,809.58", "-123,455.00", "70.00"]


def test_row_direction_and_label():
    v = NumericVector([1.0, 2.0, 3.0], direction="row", label="12,288")
    xs = [e.get_x() for e in v.entries]
    assert xs == sorted(xs) and v.label.text == "12,288"


@pytest.mark.parametrize(
    "values,match",
    [
        ([[1.0, 2.0]], r"shape \(n,\), got shape \(1, 2\)"),
        ("abc", "values must be real numbers"),
        (3.0, r"got shape \(\)"),
    ],
)
def test_vector_wrong_shape(values, match):
    with pytest.raises(LLMVizError, match=match):
        NumericVector(values)


def test_vector_hostile_values():
    v = NumericVector([np.nan, np.inf, -np.inf, 1e30, -0.0])
    assert [e.text for e in v.entries] == ["NaN", "∞", "-∞", format_number(1e30), "0.00"]
    empty = NumericVector([], label=True)
    assert len(empty.entries) == 0 and empty.label.text == "0" and empty.width > 0


@given(
    arrays(np.float64, st.integers(0, 40), elements=st.floats(allow_nan=True, allow_infinity=True)),
    st.integers(3, 12),
)
@settings(max_examples=40, deadline=None)
def test_vector_builder_property(values, max_entries):
    v = NumericVector(values, max_entries=max_entries)
    shown = [i for i in v.indices if i is not None]
    assert len(shown) == min(len(values), max_entries - (1 if len(values) > max_entries else 0))
    assert [e.text for e in v.entries] == [format_number(values[i]) for i in shown]
    assert (None in v.indices) == (len(values) > max_entries)


def test_matrix_shows_real_weights(model):
    W = model.W("up", 0).T
    m = WeightMatrix(W, name="W_up", max_rows=5, max_cols=4)
    assert m.shape == (256, 64) and m.shape_text == "256 × 64"
    assert m.rows == [0, 1, 2, None, 254, 255] or None in m.rows
    for i in (r for r in m.rows if r is not None):
        for j in (c for c in m.cols if c is not None):
            assert m.cell(i, j).text == format_number(W[i, j])
    assert len(m.get_row(0)) == len([c for c in m.cols if c is not None])
    assert m.highlight_row(0).width > m.get_row(0).width
    with pytest.raises(LLMVizError, match="row 100 is not shown"):
        m.highlight_row(100)


def test_row_highlight_stays_inside_the_brackets_of_a_shrunk_matrix():
    values = np.array([[0.908, -0.002, -0.906], [-0.002, 2.464, -2.462], [-0.906, -2.462, 3.368]])
    for scale in (1.0, 0.7, 0.4):
        m = NumericMatrix(values, decimals=3, h_buff=0.3).scale(scale)
        rect, row = m.highlight_row(1), m.get_row(1)
        assert m.brackets[0].get_right()[0] < rect.get_left()[0] < row.get_left()[0], scale
        assert row.get_right()[0] < rect.get_right()[0] < m.brackets[1].get_left()[0], scale


def test_gpt3_sized_matrix_is_not_materialised():
    m = NumericMatrix(None, shape=(12_288, 50_257), shape_label=True, max_rows=5, max_cols=5)
    assert m.values is None and m.shape_text == "12,288 × 50,257"
    assert len(m.get_family()) < 100
    with pytest.raises(LLMVizError, match="not shown"):
        m.cell(0, 0)


@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.floats(-1e6, 1e6)
    )
)
@settings(max_examples=25, deadline=None)
def test_matrix_builder_property(values):
    m = NumericMatrix(values, max_rows=5, max_cols=5)
    for (i, j), cell in m._cells.items():
        assert cell.text == format_number(values[i, j])


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 2, 2))])
def test_matrix_wrong_shape(bad):
    with pytest.raises(LLMVizError, match=r"values must have shape \(rows, cols\)"):
        NumericMatrix(bad)
    with pytest.raises(LLMVizError, match="needs shape=\\(rows, cols\\)"):
        NumericMatrix(None)

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmviz.mobjects import FastNumber, FastText
from llmviz.style import PALETTE, format_number, value_to_color


@pytest.mark.parametrize(
    "value,kwargs,text",
    [
        (-1.23456, {"decimals": 3}, "-1.235"),
        (0.5, {"sign": True}, "+0.50"),
        (175_181_291_520, {"decimals": 0, "thousands": True}, "175,181,291,520"),
        (float("-inf"), {}, "-∞"),
        (float("inf"), {}, "∞"),
        (float("inf"), {"sign": True}, "+∞"),
        (float("nan"), {}, "NaN"),
        (-0.0, {}, "0.00"),
        (-0.001, {"sign": True}, "0.00"),
        (1e30, {"decimals": 1}, f"{1e30:.1f}"),
        (99.97, {"decimals": 1, "suffix": "%"}, "100.0%"),
    ],
)
def test_fast_number_text(value, kwargs, text):
    n = FastNumber(value, **kwargs)
    assert n.text == text
    assert len(n.points) > 0 and n.width > 0


def test_minus_is_drawn_as_a_real_minus_sign():
    # "-" is drawn as U+2212, which is wider than a hyphen
    assert FastNumber(-1.0).width > FastText("-1.00").width


def test_set_value_keeps_centre_and_changes_text():
    n = FastNumber(1.0).move_to([2, 1, 0])
    n.set_value(-123.456)
    assert n.text == "-123.46" and n.get_value() == -123.456
    np.testing.assert_allclose(n.get_center(), [2, 1, 0], atol=1e-6)


def test_layout_is_monospace_and_cached():
    a, b = FastNumber(1.0), FastNumber(8.0)
    assert a.width == pytest.approx(b.width, rel=0.3)
    assert FastNumber(1000.0).width > FastNumber(1.0).width


def test_empty_fast_text_is_a_valid_invisible_anchor():
    t = FastText("")
    assert t.text == "" and len(t.points) > 0


@given(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 6), st.booleans(), st.booleans()
)
@settings(max_examples=200, deadline=None)
def test_format_number_properties(x, decimals, sign, thousands):
    text = format_number(x, decimals, sign, thousands)
    if math.isnan(x):
        assert text == "NaN"
    elif math.isinf(x):
        assert text.endswith("∞") and (text.startswith("-") == (x < 0))
    else:
        parsed = float(text.replace(",", ""))
        assert parsed == pytest.approx(round(x, decimals), rel=1e-12, abs=10**-decimals)
        assert not text.startswith("-0") or text.strip("-0.,") != ""  # never "-0.00"
        if sign and parsed != 0:
            assert text[0] in "+-"
        if decimals:
            assert len(text.split(".")[-1]) == decimals


@given(st.floats(allow_nan=True, allow_infinity=True, width=32))
@settings(max_examples=60, deadline=None)
def test_fast_number_never_fails(x):
    assert FastNumber(x).text == format_number(x)


def test_value_to_color_extremes():
    assert value_to_color(0.0) == PALETTE["neutral"]
    assert value_to_color(10.0, scale=1) == PALETTE["positive"]
    assert value_to_color(-10.0, scale=1) == PALETTE["negative"]
    assert value_to_color(float("nan")) == PALETTE["highlight"]

import numpy as np
import pytest
from manim import ManimColor

from llmviz.mobjects import AttentionGrid, FastNumber, FastText, NumericMatrix, NumericVector
from llmviz.style import DEFAULTS, FONTS, PALETTE, THEMES, apply_theme


@pytest.fixture
def light():
    apply_theme("light", decimals=3)
    yield THEMES["light"]
    apply_theme("dark", font="DejaVu Sans", decimals=2)


def same(color, hex_):
    return ManimColor(color).to_hex().lower() == hex_.lower()


def test_theme_font_and_decimals_reach_every_default(light):
    assert PALETTE["background"] == light["background"] and DEFAULTS["decimals"] == 3
    assert same(FastText("x").get_fill_color(), light["text"])
    assert FastNumber(1.23456).text == "1.235"
    v = NumericVector([1.0, -1.0])
    assert same(v.brackets[0].get_stroke_color(), light["muted"]) and v.entries[0].text == "1.000"
    m = NumericMatrix(np.eye(2))
    assert same(m.highlight_row(0).get_stroke_color(), light["highlight"])
    g = AttentionGrid(np.eye(2), causal=False)
    assert same(g.highlight_cell(0, 0).get_stroke_color(), light["highlight"])
    assert FONTS["text"] == "DejaVu Sans"


def test_unknown_theme():
    with pytest.raises(ValueError, match="dark, light"):
        apply_theme("neon")

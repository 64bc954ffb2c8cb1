import numpy as np
import pytest
from manim import ManimColor

from llmviz.mobjects import AttentionGrid, FastNumber, FastText, NumericMatrix, NumericVector
from llmviz.style import (
    DEFAULTS,
    FONTS,
    PALETTE,
    TEXT_COLORS,
    THEMES,
    apply_theme,
    contrast,
    installed,
    value_to_color,
)


@pytest.fixture
def light():
    apply_theme("light", decimals=3)
    yield THEMES["light"]
    apply_theme("dark", decimals=2)


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
    assert FONTS["text"] == ("CMU Serif" if installed("CMU Serif") else "DejaVu Serif")
    assert FastText("x").font == FONTS["text"] and FastNumber(1).font == FONTS["numbers"]


def test_unknown_theme():
    with pytest.raises(ValueError, match="dark, light, projector"):
        apply_theme("neon")


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_text_and_value_colour_is_readable_on_a_projector(theme):
    """WCAG AA: 4.5:1 against the background, for every text colour and every value colour
    (near-zero values included), in every theme."""
    colours = THEMES[theme]
    bg = colours["background"]
    low = {
        k: round(contrast(colours[k], bg), 2) for k in TEXT_COLORS if contrast(colours[k], bg) < 4.5
    }
    assert low == {}
    apply_theme(theme)
    try:
        worst = min(contrast(value_to_color(v), bg) for v in np.linspace(-1, 1, 201))
    finally:
        apply_theme("dark")
    assert worst >= 4.5


def test_the_contrast_check_can_fail():
    assert contrast("#5c6370", "#0f1117") < 4.5  # the old near-zero grey on the dark background
    assert contrast("#b7791f", "#fbfbf8") < 4.5  # the old light-theme gold

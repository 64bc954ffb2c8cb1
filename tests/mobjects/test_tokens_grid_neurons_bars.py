import numpy as np
import pytest

from llmviz.errors import LLMVizError
from llmviz.mobjects import AttentionGrid, NeuronColumn, NumericVector, ProbabilityBars, TokenStrip
from llmviz.model.analysis import find_adjective_head, find_and_neuron
from llmviz.model.trace import hook_name
from llmviz.style import format_number

CREATURE = "a fluffy blue creature roamed the verdant forest"


def test_token_strip_uses_the_real_tokens(model):
    t = model.run("🏀 Michael Jordan\nplays")
    strip = TokenStrip(t.tokens)
    assert strip.tokens == list(t.tokens) and len(strip) == t.n_tokens
    assert " Jordan" in strip.tokens and "␣Jordan" in strip.labels
    vectors = [NumericVector([0.0, 1.0]) for _ in t.tokens]
    strip.align_below(vectors)
    for box, vec in zip(strip.boxes, vectors, strict=True):
        assert vec.get_x() == pytest.approx(box.get_x()) and vec.get_top()[1] < box.get_bottom()[1]
    with pytest.raises(LLMVizError, match="one mobject per token"):
        strip.align_below(vectors[:1])
    with pytest.raises(LLMVizError, match="list of token strings"):
        TokenStrip("Michael")


@pytest.fixture(scope="module")
def adj(model):
    head = find_adjective_head(model)
    t = model.run(CREATURE)
    return head, t, t[hook_name("pattern", head.layer)][head.head]


def test_grid_orientation_keys_rows_queries_columns(adj):
    head, t, pattern = adj
    g = AttentionGrid(pattern, tokens=t.tokens)
    for q in range(t.n_tokens):
        for k in range(t.n_tokens):
            assert g.display_value(key=k, query=q) == pytest.approx(pattern[q, k])
    # key labels run down the left, query labels along the top
    assert g.key_labels[1].get_y() > g.key_labels[2].get_y()
    assert g.query_labels[1].get_x() < g.query_labels[2].get_x()
    assert g.key_labels.get_right()[0] < g.cell_center(0, 0)[0]
    assert g.query_labels.get_bottom()[1] > g.cell_center(0, 0)[1]


def test_grid_masks_later_keys_and_sizes_dots_by_value(adj):
    head, t, pattern = adj
    g = AttentionGrid(pattern, tokens=t.tokens)
    T = t.n_tokens
    assert np.array_equal(g.masked, np.tril(np.ones((T, T), dtype=bool), k=-1))  # rows are keys
    assert np.all(g.radii[g.masked] == 0)
    col = 3  # " creature": dot areas are proportional to the weights within the column
    w = pattern[col, : col + 1]
    areas = g.radii[: col + 1, col] ** 2
    np.testing.assert_allclose(areas / areas.max(), w / w.max(), rtol=1e-6)
    # creature's two biggest dots are on fluffy and blue
    assert set(np.argsort(-g.radii[:, 3])[:2]) == {1, 2}


def test_grid_numbers_and_cell_centres_follow_moves(adj):
    head, t, pattern = adj
    g = AttentionGrid(pattern[:4, :4], tokens=t.tokens[:4], show_numbers=True)
    assert g.numbers[(1, 3)].text == format_number(pattern[3, 1])
    assert g.numbers[(3, 1)].text == "0.00"  # masked cell of the real pattern
    before = g.cell_center(2, 3)
    g.shift([1.0, -2.0, 0]).scale(0.5)
    np.testing.assert_allclose(g.numbers[(2, 3)].get_center(), g.cell_center(2, 3), atol=1e-6)
    assert not np.allclose(before, g.cell_center(2, 3))


def test_grid_heat_mode_scores_with_minus_inf(model):
    t = model.run("a fluffy blue creature")
    scores = t[hook_name("attn_scores", 0)][0]
    g = AttentionGrid(scores, tokens=t.tokens, kind="heat", show_numbers=True, normalize="global")
    assert g.numbers[(3, 0)].text == "-∞"
    assert len(g.cells) >= 1


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"tokens": ["a"]}, "has 1 tokens but values have 3"),
        ({"kind": "pie"}, "'dots' or 'heat'"),
        ({"normalize": "row"}, "'column' or 'global'"),
        ({"tokens": ["a", "b", "c"], "labelled": [3]}, r"indices \[3\] are outside"),
    ],
)
def test_grid_bad_input(kwargs, match):
    with pytest.raises(LLMVizError, match=match):
        AttentionGrid(np.eye(3), **kwargs)


def test_grid_labels_stay_readable_in_small_cells(adj):
    from frame_checks import MIN_FONT_SIZE, overlapping_texts, small_texts
    from manim import Text

    head, t, pattern = adj
    T = t.n_tokens
    # cells of a quarter unit (a row of four heads): every token still written, readable
    g = AttentionGrid(pattern, tokens=t.tokens, cell_size=0.25, font_size=11)
    assert g.label_size(0.25, 11) >= MIN_FONT_SIZE
    assert small_texts([g]) == [] and overlapping_texts([g]) == []
    assert g.labelled_tokens == list(range(T))
    # long upright query labels reach above the grid; the key labels' rows match the cells'
    for k in range(T):
        assert g.key_labels[k].get_y() == pytest.approx(g.cell_center(k, 0)[1], abs=0.06)
    # cells too small for a label per row: every k-th token, counted back from the last
    tiny = AttentionGrid(pattern, tokens=t.tokens, cell_size=0.1)
    shown = tiny.labelled_tokens
    assert T - 1 in shown and 1 < len(shown) < T
    assert len(set(np.diff(shown))) == 1  # evenly spaced
    assert small_texts([tiny]) == [] and overlapping_texts([tiny]) == []
    assert len(tiny.key_labels) == T  # placeholders keep key_labels[i] as token i's
    assert [isinstance(lab, Text) for lab in tiny.key_labels] == [i in shown for i in range(T)]
    # the tokens a scene names come first, the others fill in around them; one too close to
    # an earlier named one is left out
    chosen = AttentionGrid(pattern, tokens=t.tokens, cell_size=0.1, labelled=[1, 4, 5])
    assert chosen.labelled_tokens == [1, 4, 7]
    assert [isinstance(lab, Text) for lab in chosen.query_labels] == [
        i in (1, 4, 7) for i in range(T)
    ]
    assert small_texts([chosen]) == [] and overlapping_texts([chosen]) == []
    roomy = AttentionGrid(pattern, tokens=t.tokens, labelled=[2])
    assert roomy.labelled_tokens == list(range(T))  # room for all: all are written
    old = AttentionGrid(pattern, tokens=t.tokens, cell_size=0.25, font_size=11, min_label_size=0)
    assert small_texts([old]) != []  # the old sizes, on request


def test_grid_hostile_values():
    g = AttentionGrid(np.array([[np.nan, 0.0], [1e30, -5.0]]), causal=False, show_numbers=True)
    assert g.numbers[(0, 0)].text == "NaN" and np.isfinite(g.radii).all()
    empty = AttentionGrid(np.zeros((0, 0)))
    assert len(empty.cells) == 0


def test_neuron_column_shows_the_and_neuron(model):
    n = find_and_neuron(model)
    t = model.run(n.prompts[0])
    pre = t[hook_name("pre", n.layer)][n.positions[0]]
    col = NeuronColumn(
        pre,
        state="pre",
        max_neurons=10,
        head=4,
        tail=5,
        highlight=[n.neuron] if n.neuron >= 251 else [],
    )
    assert [x.text for x in col.numbers] == [
        format_number(pre[i]) for i in col.indices if i is not None
    ]
    assert col.ellipsis is not None and len(col.neurons) == 9
    pick = [0, 1, n.neuron]
    small = NeuronColumn(t[hook_name("post", n.layer)][n.positions[0]][pick], highlight=[2])
    assert small.number(2).value == pytest.approx(n.post[0]) and len(small.rings) == 1
    with pytest.raises(LLMVizError, match="hidden behind the ellipsis"):
        NeuronColumn(pre, max_neurons=6, highlight=[100])


def test_neuron_post_state_dark_for_zero():
    col = NeuronColumn([0.0, 2.0], state="post")
    assert col.neurons[0].get_fill_opacity() == 1.0 and col.neurons[
        1
    ].get_fill_opacity() == pytest.approx(1.0)
    assert col.neurons[0].get_fill_color() != col.neurons[1].get_fill_color()
    with pytest.raises(LLMVizError, match="'pre' or 'post'"):
        NeuronColumn([1.0], state="mid")


def test_probability_bars_from_trace_and_temperature(mj_trace):
    bars = ProbabilityBars.from_trace(mj_trace, k=4)
    top = mj_trace.top_k(4)
    assert bars.tokens == [c.token for c in top]
    assert [n.text for n in bars.numbers] == [f"{format_number(100 * c.prob, 1)}%" for c in top]
    hot = bars.at_temperature(2.0)
    np.testing.assert_allclose(hot.probs, mj_trace.probs(2.0)[bars.token_ids])
    assert hot.tokens == bars.tokens
    np.testing.assert_allclose(hot.bars[0].get_left(), bars.bars[0].get_left(), atol=1e-9)
    widths = np.array([b.width for b in hot.bars])
    np.testing.assert_allclose(widths / widths[0], hot.probs / hot.probs[0], rtol=1e-3)


def test_probability_bars_bad_input():
    with pytest.raises(LLMVizError, match="one probability per token"):
        ProbabilityBars(["a", "b"], [0.5])
    with pytest.raises(LLMVizError, match="in \\[0, 1\\]"):
        ProbabilityBars(["a"], [np.nan])
    with pytest.raises(LLMVizError, match="from_trace"):
        ProbabilityBars(["a"], [1.0]).at_temperature(2.0)

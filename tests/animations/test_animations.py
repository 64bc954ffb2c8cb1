"""Each animation ends in the right state, holding the real values of the trace."""

import numpy as np
import pytest
from frame_checks import overlapping_texts
from manim import RIGHT, Scene, VGroup, tempconfig

from llmviz.animations import (
    CausalMask,
    MatrixVectorProduct,
    ReLUGate,
    ResidualAdd,
    Softmax,
    Unembed,
    WeightedSum,
)
from llmviz.errors import LLMVizError
from llmviz.mobjects import AttentionGrid, NeuronColumn, NumericMatrix, NumericVector
from llmviz.model.analysis import find_adjective_head, find_and_neuron
from llmviz.model.trace import hook_name
from llmviz.style import format_number

CREATURE = "a fluffy blue creature"


def play(*mobjects, animation):
    """Play ``animation`` in a dry-run scene holding ``mobjects``; return what is on screen.

    Also checks that the animation leaves no text drawn over another (a copy it forgot to
    remove sits under what it turned into).
    """

    class Probe(Scene):
        def construct(self):
            self.add(*mobjects)
            self.play(animation)

    with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True}):
        scene = Probe()
        scene.render()
    assert overlapping_texts(scene.mobjects) == []
    return scene.mobjects


def on_screen(mobject, mobjects):
    return any(mobject is m or mobject in m.get_family() for m in mobjects)


def texts_match(vector, values):
    return [e.text for e in vector.entries] == [
        format_number(values[e.source_index], vector.decimals) for e in vector.entries
    ]


@pytest.fixture(scope="module")
def head(model):
    return find_adjective_head(model)


@pytest.fixture(scope="module")
def creature(model):
    return model.run(CREATURE)


def test_matrix_vector_product_gives_the_query(model, head, creature):
    x = creature[hook_name("ln1", head.layer)][3]
    W = model.W("Q", head.layer, head.head).T  # [d_head, d_model]
    matrix = NumericMatrix(W, max_rows=5, max_cols=4)
    vector = NumericVector(x, max_entries=6)
    VGroup(matrix, vector).arrange(RIGHT, buff=0.4)  # laid out as a scene would
    anim = MatrixVectorProduct(matrix, vector)
    q = creature[hook_name("q", head.layer)][3, head.head]
    np.testing.assert_allclose(anim.result.values, q, atol=1e-4)
    shown = play(matrix, vector, animation=anim)
    assert on_screen(anim.result, shown) and texts_match(anim.result, q)
    assert [e.source_index for e in anim.result.entries] == [
        r for r in matrix.rows if r is not None
    ]
    for e in anim.result.entries:  # each output level with its row
        assert e.get_y() == pytest.approx(matrix.row_y(e.source_index), abs=1e-6)


def test_matrix_vector_product_with_bias(model, creature):
    x = creature[hook_name("ln2", 0)][3]
    anim = MatrixVectorProduct(
        NumericMatrix(model.W("up", 0).T), NumericVector(x), bias=model.W("b_up", 0)
    )
    np.testing.assert_allclose(anim.result.values, creature[hook_name("pre", 0)][3], atol=1e-4)


def test_matrix_vector_product_bad_shapes():
    with pytest.raises(LLMVizError, match="expected shapes \\(m, n\\) and \\(n,\\)"):
        MatrixVectorProduct(NumericMatrix(np.ones((2, 3))), NumericVector([1.0, 2.0]))
    with pytest.raises(LLMVizError, match="shape-only"):
        MatrixVectorProduct(NumericMatrix(None, shape=(2, 2)), NumericVector([1.0, 2.0]))


def test_causal_mask_then_softmax_gives_the_pattern(model, head, creature):
    q = creature[hook_name("q", head.layer)][:, head.head]
    k = creature[hook_name("k", head.layer)][:, head.head]
    raw = q @ k.T / np.sqrt(model.cfg.d_head)
    grid = AttentionGrid(raw, tokens=creature.tokens, causal=False, show_numbers=True)
    anim = CausalMask(grid)
    assert np.isneginf(anim.stage_inf.values[0, 1]) and anim.stage_inf.numbers[(1, 0)].text == "-∞"
    pattern = creature[hook_name("pattern", head.layer)][head.head]
    np.testing.assert_allclose(anim.result.values, pattern, atol=1e-5)
    shown = play(grid, animation=anim)
    assert on_screen(anim.result, shown) and not on_screen(grid, shown)
    assert anim.result.numbers[(1, 0)].text == "0.00"


def test_softmax_on_grid_columns_matches_the_trace(head, creature):
    scores = creature[hook_name("attn_scores", head.layer)][head.head]
    grid = AttentionGrid(scores, tokens=creature.tokens)
    anim = Softmax(grid)
    np.testing.assert_allclose(
        anim.result.values, creature[hook_name("pattern", head.layer)][head.head], atol=1e-5
    )
    assert on_screen(anim.result, play(grid, animation=anim))


def test_softmax_on_vector_with_temperature(mj_trace):
    logits = mj_trace["logits"][-1][:6]
    v = NumericVector(logits)
    for T in (0.5, 1.0, 2.0):
        p = Softmax(v, temperature=T).result.values
        e = np.exp((logits - logits.max()) / T)
        np.testing.assert_allclose(p, e / e.sum(), rtol=1e-6)
    anim = Softmax(NumericVector([1.0, 2.0, 8.0]), decimals=3)
    assert [e.text for e in anim.result.entries] == ["0.001", "0.002", "0.997"]


def test_relu_gate_gives_the_mlp_activations(model):
    n = find_and_neuron(model)
    t = model.run(n.prompts[0])
    pick = [0, 1, 2, 3, n.neuron]
    pre = t[hook_name("pre", n.layer)][n.positions[0]][pick]
    col = NeuronColumn(pre, state="pre")
    anim = ReLUGate(col)
    post = t[hook_name("post", n.layer)][n.positions[0]][pick]
    np.testing.assert_allclose(anim.result.values, post, atol=1e-6)
    shown = play(col, animation=anim)
    assert on_screen(anim.result, shown) and anim.result.state == "post"
    assert [x.text for x in anim.result.numbers] == [format_number(v) for v in post]
    vec = ReLUGate(NumericVector([-1.0, 0.5])).result
    assert [e.text for e in vec.entries] == ["0.00", "0.50"]


def test_residual_add_gives_resid_post(mj_trace):
    E = NumericVector(mj_trace[hook_name("resid_mid", 2)][-1], max_entries=6)
    dE = NumericVector(mj_trace[hook_name("mlp_out", 2)][-1], max_entries=6).shift([0, -3, 0])
    anim = ResidualAdd(E, dE)
    post = mj_trace[hook_name("resid_post", 2)][-1]
    np.testing.assert_allclose(anim.result.values, post, atol=1e-5)
    shown = play(E, dE, animation=anim)
    assert on_screen(anim.result, shown) and texts_match(anim.result, anim.result.values)
    assert dE.get_y() == pytest.approx(E.get_y(), abs=1e-6)  # ΔE slid into the row
    with pytest.raises(LLMVizError, match="must match"):
        ResidualAdd(NumericVector([1.0]), NumericVector([1.0, 2.0]))


def test_weighted_sum_gives_the_head_output(head, creature):
    v = creature[hook_name("v", head.layer)][:, head.head]
    w = creature[hook_name("pattern", head.layer)][head.head, 3]
    vectors = [NumericVector(v[i], max_entries=5) for i in range(4)]
    VGroup(*vectors).arrange(RIGHT, buff=0.5)
    anim = WeightedSum(vectors, w)
    np.testing.assert_allclose(
        anim.result.values, creature[hook_name("z", head.layer)][3, head.head], atol=1e-5
    )
    shown = play(*vectors, animation=anim)
    assert on_screen(anim.result, shown)
    assert [lab.text for lab in anim.weight_labels] == [format_number(x) for x in w]
    with pytest.raises(LLMVizError, match="one weight per vector"):
        WeightedSum(vectors, w[:2])


def test_unembed_gives_the_logits_and_top_token(model, mj_trace):
    x = NumericVector(mj_trace[hook_name("ln_final")][-1])
    anim = Unembed(x, model.W_U, model.decode_token, k=3)
    np.testing.assert_allclose(anim.logits, mj_trace["logits"][-1], atol=1e-4)
    assert anim.result.tokens == [t.token for t in mj_trace.top_k(3)]
    assert on_screen(anim.result, play(x, animation=anim))
    with pytest.raises(LLMVizError, match="W_U must have shape"):
        Unembed(x, model.W_U.T, model.decode_token)


def test_animations_never_call_play():
    import inspect

    import llmviz.animations as animations

    for name in animations.__all__:
        obj = getattr(animations, name)
        code = inspect.getsource(obj).replace(obj.__doc__ or "", "")  # its docs' example may play
        assert obj.__doc__ is None or obj.__doc__ in inspect.getsource(obj), name
        assert ".play(" not in code, name


def test_sums_do_not_inherit_the_label_of_their_first_input():
    E = NumericVector([1.0, 2.0], label="E")
    add = ResidualAdd(E, NumericVector([0.5, -3.0]), result_label="E′")
    assert add.result.label.text == "E′"
    vs = [NumericVector([1.0, 0.0], label='v("a")'), NumericVector([0.0, 2.0], label='v("b")')]
    assert WeightedSum(vs, [0.5, 0.5]).result.label is None


def test_light_up_flashes_without_growing_over_its_neighbours(mj_trace):
    from llmviz.animations import LightUp
    from llmviz.errors import ArgumentError

    vector = NumericVector(mj_trace[hook_name("resid_post", 0)][-1], max_entries=6)
    entry = vector.entries[0]
    box, colour = (entry.width, entry.height, *entry.get_center()), entry.get_color()
    light = LightUp(entry)
    flash, wave, line = light.animations  # a colour flash, a small wave, a line run around it
    flash.begin()
    flash.interpolate(0.5)
    assert entry.get_color() != colour  # lit ...
    midway = (entry.width, entry.height, *entry.get_center())
    assert midway == pytest.approx(box) and light.result is entry  # ... and not one bit bigger
    assert type(line).__name__ == "Circumscribe"
    flash.interpolate(0.0)
    before = entry.get_all_points().copy()
    wave.begin()
    wave.interpolate(0.3)
    moved = entry.get_all_points() - before
    assert 0 < np.abs(moved[:, 1]).max() <= 0.05 + 1e-9  # it moves, a little, and only up
    assert np.abs(moved[:, 0]).max() < 1e-9 and entry.width == pytest.approx(box[0])
    # one bump from left to right: at a quarter of the way its top is over the left half, and
    # at the end every point is back where it started
    wave.interpolate(0.0)
    start_x = entry.get_all_points()[:, 0]
    wave.interpolate(0.25)
    lifted = entry.get_all_points()[:, 1] - before[:, 1]
    mid = (start_x.min() + start_x.max()) / 2
    assert lifted[start_x < mid].max() > lifted[start_x > mid].max() >= 0
    wave.interpolate(1.0)
    np.testing.assert_allclose(entry.get_all_points(), before, atol=1e-12)
    assert overlapping_texts([vector]) == []
    with pytest.raises(ArgumentError, match="a mobject to light up"):
        LightUp("entry")
    with pytest.raises(ArgumentError, match="buff"):
        LightUp(entry, buff=-1)
    with pytest.raises(ArgumentError, match="amplitude"):
        LightUp(entry, amplitude=1)
    from manim import UP, Line

    upright = LightUp(Line(UP, -UP))  # no width for a wave to run along: flash and line only
    assert [type(a).__name__ for a in upright.animations] == ["Indicate", "Circumscribe"]

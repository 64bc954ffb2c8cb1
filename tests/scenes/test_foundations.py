"""Render each foundations step in dry-run mode and check the numbers on screen, by name, against
the experiments, torch autograd and the shipped model; every number of the narration must be on
screen when its sentence ends."""

import math

import numpy as np
import pytest
from scene_loader import EMOJI, RIGHT_TO_LEFT, flow_problems, load, narration_problems, render
from scene_loader import LONG_PROMPT as LONG

from llmviz.model import experiments as F
from llmviz.model import train
from llmviz.model.experiments.chain_rule import bce_chain, softmax_jacobian
from llmviz.model.experiments.landscape import costs_at, descend, lowest_point
from llmviz.model.trace import probabilities
from llmviz.steps import played_steps
from llmviz.style import format_number
from llmviz.words import percent

fnd = load("foundations")

# scene class -> (its step method, its section)
STEPS = {
    "Sigmoid": ("sigmoid", "The sigmoid"),
    "DecisionBoundary": ("boundary", "The decision boundary"),
    "CrossEntropy": ("bce", "Binary cross-entropy"),
    "Likelihood": ("likelihood", "Where the loss comes from"),
    "ChainRule": ("chain_rule", "The chain rule, factor by factor"),
    "CostLandscape": ("landscape", "The cost landscape"),
    "GradientDescent": ("descent", "Gradient descent"),
    "LearningRate": ("learning_rate", "The learning rate"),
    "SoftmaxClasses": ("softmax", "Softmax for many classes"),
    "NeuronsAndLayers": ("neurons", "Neurons and layers"),
    "ReLUVersusSigmoid": ("relu", "ReLU versus sigmoid"),
    "Backpropagation": ("backprop", "Backpropagation"),
    "DigitBackpropagation": ("digit_backprop", "Backpropagation in the digit network"),
    "MiniBatches": ("minibatches", "Mini-batches"),
    "HowTheModelLearned": ("learned", "How the embedded model learned"),
    "EveryPrefix": ("prefixes", "A prediction at every prefix"),
}


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(fnd, name)) for name in STEPS}


@pytest.fixture(scope="module")
def data():
    return F.make_dataset(20, 0)


@pytest.fixture(scope="module")
def run(data):
    return F.train_logistic(data, 1.0, 40)


@pytest.fixture(scope="module")
def mlp():
    return F.train_digit_mlp(F.MLPConfig())


def shows(pair, decimals=2, **fmt):
    mob, value = pair
    return mob.text == format_number(value, decimals, **fmt)


# --- structure -------------------------------------------------------------------------------
def test_every_step_is_its_own_scene_with_one_section(scenes):
    for name, (_, section) in STEPS.items():
        assert [s for s, _ in scenes[name].narration] == [section], name


def test_the_chapter_plays_every_step_in_order():
    assert [st.name for st in played_steps(fnd.FoundationsChapter)] == [
        s for s, _ in STEPS.values()
    ]
    for name, (step, _) in STEPS.items():
        assert [st.name for st in played_steps(getattr(fnd, name))] == [step], name


def test_every_sentence_is_a_beat_that_shows_something(scenes):
    for name, scene in scenes.items():
        assert len(scene.beats) >= 3, name
        for beat in scene.beats:
            assert beat.end > beat.start and beat.text.endswith((".", "?", "!")), beat


def test_every_number_of_the_narration_is_on_screen(scenes):
    assert {n: narration_problems(s) for n, s in scenes.items() if narration_problems(s)} == {}


def test_nothing_reaches_past_the_frame(scenes):
    assert {n: s.outside for n, s in scenes.items() if s.outside} == {}


def test_no_text_is_drawn_over_another(scenes):
    assert {n: s.overlaps for n, s in scenes.items() if s.overlaps} == {}


def test_no_text_is_too_small_for_480p(scenes):
    assert {n: sorted(set(s.small)) for n, s in scenes.items() if s.small} == {}


def test_no_text_runs_over_text_halfway_through_an_animation(scenes):
    assert {n: s.overlaps_midway for n, s in scenes.items() if s.overlaps_midway} == {}


# --- the whole chapter -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chapter():
    return render(fnd.FoundationsChapter)


def test_the_chapter_hands_objects_from_step_to_step(chapter):
    assert flow_problems(chapter) == []
    # dark only where an act opens: many classes and networks, then the embedded model
    assert [h.after for h in chapter.handovers if h.dark] == ["softmax", "learned"]
    inside = [h for h in chapter.handovers if not h.dark]
    real = {(h.before, h.after): h.transformed for h in inside if h.transformed}
    assert len(real) >= 0.6 * len(inside), real
    # the geometry that carries over: the sigmoid's axes, the loss's formula, the landscape,
    # the digit network
    assert real[("sigmoid", "boundary")] == ("sigmoid",)
    assert real[("bce", "likelihood")] == ("loss",)
    assert set(real[("landscape", "descent")]) == {"landscape", "data"}
    assert real[("descent", "learning_rate")] == ("landscape",)
    assert real[("neurons", "relu")] == ("network",)
    assert real[("relu", "backprop")] == ("network",)
    assert real[("backprop", "digit_backprop")] == ("rule",)


def test_the_chapter_keeps_every_step_and_its_text_tidy(chapter, scenes):
    assert [s for s, _ in chapter.narration] == [sec for _, sec in STEPS.values()]
    assert len(chapter.beats) == sum(len(s.beats) for s in scenes.values())
    assert narration_problems(chapter) == []
    assert chapter.outside == [] and chapter.small == []
    assert chapter.overlaps == [] and chapter.overlaps_midway == []
    assert not chapter.zoomed


# --- logistic regression ---------------------------------------------------------------------
def test_sigmoid_numbers(scenes, data, run):
    shown = scenes["Sigmoid"].shown
    w, b = run.w[-1], run.b[-1]
    k = shown["point"]
    z = float(data.x[k] @ w + b)
    assert shown["z"][1] == pytest.approx(z)
    assert shown["sigma"][1] == pytest.approx(1 / (1 + math.exp(-z)))
    assert shown["w"][1] == w[0] and shown["x"][1] == data.x[k][0] and shown["b"][1] == b
    for key in ("w", "x", "z", "sigma", "b", "p0"):
        assert shows(shown[key]), key
    assert data.y[k] == 1 and 0.5 < shown["sigma"][1] < 0.99


def test_decision_boundary(scenes, data, run):
    shown = scenes["DecisionBoundary"].shown
    zs = data.x @ run.w[-1] + run.b[-1]
    np.testing.assert_allclose([v for _, v in shown["landed"]], zs)
    right = int(((zs >= 0) == (data.y == 1)).sum())
    mob, count = shown["boundary_right"]
    assert count == right and mob.text.startswith(f"{right} of {data.n}")


def test_likelihood_table(scenes, data, run):
    table = scenes["Likelihood"].shown["likelihood_table"]
    lik0, log0 = F.likelihood(run.w[0], run.b[0], data)
    lik1, log1 = F.likelihood(run.w[-1], run.b[-1], data)
    assert table.cell("likelihood", "random start").text == f"{lik0:.1e}"
    assert table.cell("likelihood", "after training").text == f"{lik1:.1e}"
    assert table.value("log-likelihood", "random start") == pytest.approx(log0)
    assert table.value("mean BCE", "random start") == pytest.approx(run.loss[0])
    assert table.value("mean BCE", "after training") == pytest.approx(run.loss[-1])
    assert table.cell("mean BCE", "after training").text == format_number(run.loss[-1], 3)


def test_the_three_chain_rule_factors_equal_autograd(scenes, data, run):
    shown = scenes["ChainRule"].shown
    k, ch = shown["chain_point"]
    expect = bce_chain(run.w[0], run.b[0], data.x[k], data.y[k])
    f = shown["factors"]
    assert f["dl_dyhat"][1] == expect.dl_dyhat and f["dyhat_dz"][1] == expect.dyhat_dz
    assert f["dz_dw1"][1] == data.x[k][0]
    assert all(shows(f[key], 3) for key in f)
    hand, auto = shown["chain_w1"]["hand"], shown["chain_w1"]["autograd"]
    product = f["dl_dyhat"][1] * f["dyhat_dz"][1] * f["dz_dw1"][1]
    assert hand[1] == pytest.approx(product, abs=1e-15)
    assert auto[1] == pytest.approx(product, abs=1e-12) and hand[0].text == auto[0].text
    assert shown["error"][1] == pytest.approx(expect.y_hat - expect.y, abs=1e-15)
    table = shown["gradient_table"]
    truth = F.logistic_gradient_autograd(run.w[0], run.b[0], data).vector
    for col, v in zip(("∂C/∂w1", "∂C/∂w2", "∂C/∂b"), truth, strict=True):
        assert table.value("by hand", col) == pytest.approx(v, abs=1e-12)
        assert table.value("torch autograd", col) == pytest.approx(v, abs=1e-12)
        assert table.cell("by hand", col).text == table.cell("torch autograd", col).text
    assert shown["gradient_diff"][1] < 1e-12


# --- the landscape -------------------------------------------------------------------------
def test_the_landscape_is_the_real_cost_and_the_arrow_points_downhill(scenes, data):
    shown = scenes["CostLandscape"].shown
    path, low = descend(data, 1.0, 40), lowest_point(data)
    w0 = F.initial_parameters(0)[0]
    start = shown["start"]
    assert (start["w1"][1], start["w2"][1]) == (w0[0], w0[1])
    assert start["cost"][1] == pytest.approx(float(costs_at(data, w0[None])[0]))
    assert shown["lowest"][1] == pytest.approx(low.loss) and low.loss < path.loss[-1]
    arrow, downhill = shown["downhill"]
    np.testing.assert_allclose(downhill, -F.logistic_gradient(w0, 0.0, data).grad_w)
    direction = arrow.get_end() - arrow.get_start()
    assert np.all(np.sign(direction[:2]) == np.sign(downhill))  # drawn the way it says
    for (mob, v, move), d in zip(shown["downhill_parts"], downhill, strict=True):
        assert v == d and mob.text == format_number(d, 3, sign=True)
        assert move == ("raise" if d > 0 else "lower")
    assert shown["after_one"][1] == pytest.approx(path.loss[1]) and path.loss[1] < path.loss[0]
    # the contour lines are drawn at costs of the surface itself
    levels = shown["contour_levels"]
    assert costs_at(data, low.w[None])[0] < levels[0] and np.all(np.diff(levels) > 0)


def test_the_descent_path_is_the_recorded_run(scenes, data):
    shown = scenes["GradientDescent"].shown
    path, low = descend(data, 1.0, 40), lowest_point(data)
    final = shown["descent_final"]
    assert final["cost"][1] == path.loss[-1] and shows(final["cost"], 3)
    assert final["accuracy"][1] == 100 * path.accuracy[-1]
    lengths = shown["step_lengths"]
    assert lengths["first"][1] == pytest.approx(np.linalg.norm(path.w[1] - path.w[0]))
    assert lengths["first"][1] > 10 * lengths["last"][1]
    assert shown["gap_to_lowest"][1] == pytest.approx(path.loss[-1] - low.loss)


def test_learning_rates_on_the_landscape(scenes, data):
    shown = scenes["LearningRate"].shown
    table, verdicts = shown["lr_table"], shown["lr_verdicts"]
    for lr in (0.05, 1.0, 40.0):
        p = descend(data, lr, 40)
        assert table.value(f"{lr:g}", "final cost") == pytest.approx(p.loss[-1])
        assert table.value(f"{lr:g}", "rises") == p.rises
    assert "far" in verdicts["0.05"] and "rose" in verdicts["40"] and "fell" in verdicts["1"]


class ShiftedBias(fnd.FoundationsChapterScene):
    landscape_bias = 1.0

    def construct(self):
        self.step_landscape()


def test_another_bias_is_another_landscape(scenes, data):
    shown = render(ShiftedBias).shown
    w0 = F.initial_parameters(0)[0]
    assert shown["start"]["cost"][1] == pytest.approx(float(costs_at(data, w0[None], 1.0)[0]))
    assert shown["start"]["cost"][1] != scenes["CostLandscape"].shown["start"]["cost"][1]
    assert not np.allclose(shown["contour_levels"], scenes["CostLandscape"].shown["contour_levels"])
    expect = -F.logistic_gradient(w0, 1.0, data).grad_w
    np.testing.assert_allclose(shown["downhill"][1], expect)
    assert [m for _, _, m in shown["downhill_parts"]] == [
        "raise" if v > 0 else "lower" for v in expect
    ]


# --- softmax ---------------------------------------------------------------------------------
def test_softmax_numbers(scenes):
    shown = scenes["SoftmaxClasses"].shown
    probs = shown["probs"]
    assert [e.text for e in probs.entries] == ["0.001", "0.002", "0.997"]
    np.testing.assert_allclose(probs.values, probabilities(np.array([1.0, 2.0, 8.0])))
    assert shown["exp_sum"][1] == pytest.approx(math.exp(1) + math.exp(2) + math.exp(8))
    bases = shown["bases"]
    p2 = probabilities(np.array([1.0, 2.0, 8.0]), 1 / math.log(2))
    for i, v in enumerate(p2):
        assert bases.value("2", f"class {i + 1}") == pytest.approx(v)
    assert bases.value("10", "T") == pytest.approx(1 / math.log(10))
    grad = shown["softmax_grad"]
    jac = softmax_jacobian([1.0, 2.0, 8.0], 1)
    for i in range(3):
        assert grad.value("ŷ − y, by hand", f"class {i + 1}") == pytest.approx(
            jac.grad_autograd[i], abs=1e-12
        )
        assert (
            grad.cell("ŷ − y, by hand", f"class {i + 1}").text
            == grad.cell("torch autograd", f"class {i + 1}").text
        )
    assert [grad.cell(0, c).text for c in ("class 1", "class 2", "class 3")] == [
        "+0.001",
        "-0.998",
        "+0.997",
    ]
    assert shown["softmax_diff"][1] < 1e-12


def test_the_shown_softmax_jacobian_is_the_real_one(scenes):
    import torch

    shown = scenes["SoftmaxClasses"].shown
    matrix, power = shown["jacobian_matrix"]
    z = torch.tensor([1.0, 2.0, 8.0], dtype=torch.float64)
    auto = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), z).numpy()
    jac = softmax_jacobian([1.0, 2.0, 8.0], 1)
    assert power == -3 and matrix.shape == (3, 3)
    np.testing.assert_allclose(matrix.values * 10.0**power, jac.jacobian, rtol=0, atol=1e-15)
    np.testing.assert_allclose(matrix.values * 10.0**power, auto, rtol=0, atol=1e-12)
    p = jac.probs
    for i in range(3):
        for j in range(3):  # drawn as the formula says: y_i (delta_ij - y_j), times 1000
            expect = 1000 * p[i] * ((i == j) - p[j])
            assert matrix.cell(i, j).text == format_number(expect, 3)
    assert matrix.cell(1, 1).text == "2.464" and matrix.cell(0, 1).text == "-0.002"
    said = dict(scenes["SoftmaxClasses"].narration)["Softmax for many classes"]
    assert "entries are positive" in said and "two probabilities, negative" in said
    assert "units of 10 to the minus 3" in said
    dl = shown["dl_dyhat"]
    assert [e.text for e in dl.entries] == ["0.0", "-404.8", "0.0"]
    np.testing.assert_allclose(dl.values, -jac.target / p)
    # J^T dL/dy_hat, from the shown pieces, is the gradient in the table
    grad = matrix.values.T @ dl.values * 10.0**power
    np.testing.assert_allclose(grad, p - jac.target, atol=1e-12)
    table = shown["softmax_grad"]
    assert [table.value("ŷ − y, by hand", f"class {i + 1}") for i in range(3)] == pytest.approx(
        list(grad), abs=1e-12
    )
    assert "keeps row 2 of J, scaled by -404.8" in said


# --- the digit network -----------------------------------------------------------------------
def test_network_shows_the_real_forward_pass(scenes, mlp):
    shown = scenes["NeuronsAndLayers"].shown
    x = mlp.x_test[0]
    fp = mlp.model.forward(x)
    np.testing.assert_allclose(shown["output"].values, fp.output)
    pred, label = shown["prediction"]
    assert pred == int(np.argmax(fp.output)) and label == int(mlp.y_test[0])
    calc = shown["calc"]
    j = calc["neuron"]
    assert calc["weighted"][1] == pytest.approx(float(mlp.model.W[0][j] @ x))
    assert calc["weighted"][1] + calc["bias"][1] == pytest.approx(calc["z"][1])
    assert calc["a"][1] == pytest.approx(1 / (1 + math.exp(-calc["z"][1])))
    assert all(shows(calc[k]) for k in ("weighted", "bias", "z", "a"))
    mob, acc = shown["accuracy"]
    assert acc == 100 * mlp.test_accuracy[-1] and f"{acc:.1f}% right" in mob.text


def test_the_matrix_form_shows_the_networks_first_layer(scenes, mlp):
    from manim import ManimColor, interpolate_color

    from llmviz.style import PALETTE, value_to_color

    scene = scenes["NeuronsAndLayers"]
    form, calc = scene.shown["matrix_form"], scene.shown["calc"]
    net, x = mlp.model, mlp.x_test[0]
    fp = net.forward(x)
    W, a0, b, a1 = (form[k] for k in ("W", "a0", "b", "a1"))
    assert W.values.shape == (16, 64)
    np.testing.assert_array_equal(W.values, net.W[0])
    np.testing.assert_array_equal(a0.values, x)
    np.testing.assert_array_equal(b.values, net.b[0])
    np.testing.assert_allclose(a1.values, fp.a[1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(a1.values, 1 / (1 + np.exp(-(W.values @ a0.values + b.values))))
    assert (len(a0[0]), len(b[0]), len(a1[0])) == (64, 16, 16)
    # every weight is a cell coloured by its level (12 per sign, saturating at the 95th
    # percentile of |W|); the cells of one level are one path of 4-curve squares
    scale = float(np.percentile(np.abs(net.W[0]), 95))
    expect = np.sign(net.W[0]) * np.rint(np.minimum(np.abs(net.W[0]) / scale, 1) * 11)
    np.testing.assert_array_equal(W.levels, expect)
    assert len({lv for lv, _ in W.level_colors}) > 12  # both signs, many levels
    for path, (lv, color) in zip(W[0], W.level_colors, strict=True):
        assert color == value_to_color(lv / 11)
        assert path.get_fill_color().to_hex().lower() == color.lower()
        assert len(path.points) == 16 * int((W.levels == lv).sum())
    for i, v in enumerate(fp.a[1]):  # the activations' cells: dark for 0, light for 1
        assert (
            a1[0][i].get_fill_color().to_hex().lower()
            == interpolate_color(ManimColor(PALETTE["box"]), ManimColor(PALETTE["text"]), float(v))
            .to_hex()
            .lower()
        )
    j = form["neuron"]
    assert j == calc["neuron"]
    row = form["row"]
    row_y = W[1].get_top()[1] - (j + 0.5) * W.side  # row j of W, level with entry j
    assert abs(row.get_y() - row_y) < 1e-9 and abs(a1[0][j].get_y() - row_y) < 1e-9
    mob, value = form["value"]
    assert value == fp.a[1][j] and mob.text == calc["a"][0].text == format_number(value, 2)
    said = dict(scene.narration)["Neurons and layers"]
    assert f"Row {j} of W holds neuron {j}'s weights, and its entry is the {mob.text}" in said


def test_relu_versus_sigmoid_gradients(scenes, mlp):
    table = scenes["ReLUVersusSigmoid"].shown["norms"]
    sig = F.gradient_norms(mlp.initial, mlp.x_train, mlp.y_train)
    rel = F.gradient_norms(mlp.initial.with_hidden("relu"), mlp.x_train, mlp.y_train)
    for i in range(len(sig)):
        assert table.value("sigmoid", f"W{i + 1}") == pytest.approx(sig[i])
        assert table.value("ReLU", f"W{i + 1}") == pytest.approx(rel[i])
    rs, rr = table.value("sigmoid", "first ÷ last"), table.value("ReLU", "first ÷ last")
    assert rs == pytest.approx(100 * sig[0] / sig[-1]) and rr == pytest.approx(
        100 * rel[0] / rel[-1]
    )
    assert rs < rr


def test_chain_numbers_equal_autograd(scenes):
    shown = scenes["Backpropagation"].shown
    ex = F.one_neuron_chain(3, 1.0, 0)
    f = shown["chain_factors"]
    assert f["a"][1] * f["slope"][1] * f["error"][1] == pytest.approx(
        shown["chain_last"][1], abs=1e-12
    )
    assert shown["chain_last"][1] == pytest.approx(ex.autograd_dw[-1], abs=1e-12)
    table = shown["chain_table"]
    for layer in range(3):
        row = f"l = {layer + 1}"
        assert table.value(row, "∂C/∂w") == pytest.approx(table.value(row, "autograd w"), abs=1e-12)
        assert table.value(row, "∂C/∂b") == pytest.approx(table.value(row, "autograd b"), abs=1e-12)
        assert table.cell(row, "∂C/∂w").text == table.cell(row, "autograd w").text
        assert table.value(row, "∂C/∂a") == ex.dC_da[layer + 1]
    # the gradient fades on its way back through the sigmoids
    assert abs(table.value("l = 1", "∂C/∂w")) < abs(table.value("l = 3", "∂C/∂w"))


def test_digit_network_backprop_equals_autograd(scenes, mlp):
    shown = scenes["DigitBackpropagation"].shown
    index, label, pred = shown["backprop_example"]
    out = mlp.model.forward(mlp.x_test).output
    cost = ((out - np.eye(10)[mlp.y_test]) ** 2).sum(1)
    assert index == int(np.argmax(cost)) and label == mlp.y_test[index] and pred != label
    auto = mlp.model.autograd(mlp.x_test[index], label)
    np.testing.assert_allclose(shown["delta"].values, auto.dz[-1], atol=1e-12)
    np.testing.assert_allclose(shown["delta_auto"].values, auto.dz[-1], atol=0)
    np.testing.assert_allclose(shown["da_prev"].values, auto.da[-2], atol=1e-12)
    assert [e.text for e in shown["da_prev"].entries] == [
        e.text for e in shown["da_prev_auto"].entries
    ]
    one = shown["one_weight"]
    assert one["hand"][1] == pytest.approx(one["autograd"][1], abs=1e-12)
    assert shows(one["hand"], 5) and shows(one["autograd"], 5)
    assert shown["max_diff"][1] < 1e-12


def test_minibatch_cosines(scenes, mlp):
    shown = scenes["MiniBatches"].shown
    table = shown["minibatch"]
    expect = F.minibatch_agreement(mlp.initial, mlp.x_train, mlp.y_train, (1, 32, 256), 30, 0)
    start = [table.value("at the start", f"{s}") for s in (1, 32, 256)]
    later = [table.value("after epoch 1", f"{s}") for s in (1, 32, 256)]
    np.testing.assert_allclose(start, [expect[s] for s in (1, 32, 256)])
    assert start == sorted(start) and later == sorted(later)
    mob, acc = shown["final_accuracy"]
    assert acc == 100 * mlp.test_accuracy[-1] and f"{acc:.1f}%" in mob.text


# --- how the embedded model learned -----------------------------------------------------------
def test_loss_curve_and_checkpoints_come_from_the_log(scenes):
    shown = scenes["HowTheModelLearned"].shown
    log = train.load_training_log()
    _steps, losses = shown["loss_curve"]
    np.testing.assert_array_equal(losses, [v for _, v in log["loss"]])
    cps, table = shown["checkpoints"]
    assert cps == train.checkpoint_predictions(log, "Michael Jordan plays the sport of")
    last = cps[-1]
    cell = table.cell(str(last.step), "first choice").text
    p = last.top[0][1]  # written as the lecture writes percentages, and within its rounding
    assert cell == f"basketball {percent(p)}"
    assert abs(float(cell.split()[1].rstrip("%")) - 100 * p) <= 0.05
    assert table.row_names == [str(c.step) for c in cps]
    assert shown["checkpoint_note"] is None  # the lecture prompt was recorded


def test_every_prefix_and_the_causal_mask(scenes, model):
    shown = scenes["EveryPrefix"].shown
    preds, table = shown["prefixes"]
    sentence = "Michael Jordan plays the sport of basketball.\n"
    assert preds == F.prefix_predictions(model, sentence)
    assert table.cell("5", "the model sees").text.endswith("sport of")
    assert table.cell("5", "its first choice").text.startswith("basketball")
    for p in preds:
        assert table.value(str(p.position), "−log p") == pytest.approx(p.loss)
    assert shown["sentence_loss"][1] == pytest.approx(np.mean([p.loss for p in preds]))
    mob, before, after, check = shown["causal"]
    assert before < 1e-5 < 0.1 < after
    assert f"later: {after:.2f}" in mob.text
    assert check.cut == 5 and check.altered_tokens[6] != " basketball"


class OtherPrompt(fnd.FoundationsChapterScene):
    prompt = "Serena Woods plays the sport of"

    def construct(self):
        self.step_learned()
        self.step_prefixes()


def test_a_prompt_without_checkpoints_says_so():
    scene = render(OtherPrompt)
    note = scene.shown["checkpoint_note"]
    assert note is not None and "Serena Woods" in note.text and "only for" in note.text
    cps, _ = scene.shown["checkpoints"]
    assert cps == train.checkpoint_predictions(
        train.load_training_log(), "Michael Jordan plays the sport of"
    )
    index, sentence, found = scene.shown["training_sentence"]
    assert found and sentence.startswith("Serena Woods plays the sport of")
    preds, _ = scene.shown["prefixes"]
    assert "".join(preds[-1].prefix + (preds[-1].actual,)) == sentence + "\n"


class BadDigit(fnd.FoundationsChapterScene):
    digit_index = 999

    def construct(self):
        self.step_neurons()


def test_a_bad_digit_index_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        render(BadDigit)
    assert "digit_index must be between 0 and 359" in capsys.readouterr().err


# --- the extremes a teacher may set: 0 and 6 decimals, a prompt that fills the context window,
# right-to-left letters and emoji --------------------------------------------------------------
# Each setting lists the steps it changes: the decimals setting only the network's output
# numbers (every other number of the chapter has its own decimals), the prompt only the last two.
PROMPT_STEPS = ["HowTheModelLearned", "EveryPrefix"]
EXTREMES = {
    "decimals 0": ({"decimals": 0}, ["NeuronsAndLayers"]),
    "decimals 6": ({"decimals": 6}, ["NeuronsAndLayers"]),
    "64 tokens": ({"prompt": LONG}, PROMPT_STEPS),
    "right to left": ({"prompt": RIGHT_TO_LEFT}, PROMPT_STEPS),
    "emoji": ({"prompt": EMOJI}, PROMPT_STEPS),
}


@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_settings_stay_in_frame_and_true(case, model):
    attrs, steps = EXTREMES[case]
    scenes = {}
    for name in steps:
        scene = render(type(name, (getattr(fnd, name),), dict(attrs)), frame_rate=1)
        assert (scene.outside, scene.overlaps, scene.small) == ([], [], []), (case, name)
        assert narration_problems(scene) == [], (case, name)
        scenes[name] = scene
    if "decimals" in attrs:
        scene = scenes["NeuronsAndLayers"]
        pred, _ = scene.shown["prediction"]
        out = scene.shown["output"]
        shown = format_number(float(out.values[pred]), attrs["decimals"])
        assert out.number(pred).text == shown
        assert f"most active, at {shown}." in dict(scene.narration)["Neurons and layers"]
    else:
        if case == "64 tokens":
            assert model.run(LONG).n_tokens == model.cfg.n_ctx == 64
        assert scenes["HowTheModelLearned"].shown["checkpoint_note"] is not None
        prefix = scenes["EveryPrefix"]
        index, sentence, found = prefix.shown["training_sentence"]
        assert not found and index == 0
        screen = " ".join(s for b in prefix.beats for s in b.shown)
        assert "the prompt is not in the training corpus" in screen
        said = dict(prefix.narration)["A prediction at every prefix"]
        assert "The prompt itself is not in the corpus" in said


def test_every_beat_of_the_chapter_reads_well_aloud(chapter):
    """A voice says each beat's spoken form: no token marks, long digit runs or bare zeros."""
    from scene_loader import spoken_beat_problems

    assert spoken_beat_problems(chapter) == []

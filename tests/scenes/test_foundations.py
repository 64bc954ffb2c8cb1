"""Render the foundations chapter in dry-run mode and check the numbers on screen against the
experiments, torch autograd and the shipped model."""

import math

import numpy as np
import pytest
from scene_loader import load, render

from llmviz.model import foundations as F
from llmviz.model.trace import probabilities
from llmviz.style import format_number

fnd = load("foundations")

STEPS = {
    "Sigmoid": "sigmoid",
    "CrossEntropy": "bce",
    "GradientDescent": "gradient_descent",
    "SoftmaxClasses": "softmax",
    "NeuronsAndLayers": "neurons",
    "Backpropagation": "backprop",
    "HowTheModelLearned": "learned",
}
SECTIONS = [
    "The sigmoid",
    "Binary cross-entropy",
    "Gradient descent",
    "The learning rate",
    "Softmax for many classes",
    "Neurons and layers",
    "ReLU versus sigmoid",
    "Backpropagation",
    "Backpropagation in the digit network",
    "Mini-batches",
    "How the embedded model learned",
    "A prediction at every prefix",
]


@pytest.fixture(scope="module")
def chapter():
    return render(fnd.FoundationsChapter)


@pytest.fixture(scope="module")
def shown(chapter):
    return chapter.shown


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
def test_the_chapter_plays_every_section_in_order(chapter):
    assert [name for name, _ in chapter.narration] == SECTIONS
    assert all(len(text) > 150 for _, text in chapter.narration)


@pytest.mark.parametrize("name", list(STEPS))
def test_each_scene_renders_its_own_step(name, chapter):
    scene = render(getattr(fnd, name))
    mine = [n for n, _ in scene.narration]
    assert mine and mine == [n for n in SECTIONS if n in mine]
    assert set(mine) <= set(SECTIONS)
    # the same numbers as in the chapter
    for key, value in scene.shown.items():
        assert key in chapter.shown, key
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], float):
            assert value[1] == pytest.approx(chapter.shown[key][1]), key


def test_nothing_reaches_past_the_frame(chapter):
    assert chapter.outside == []


def test_no_text_is_drawn_over_another(chapter):
    assert chapter.overlaps == []


def test_step_scenes_call_their_step():
    class Recorder:
        def __init__(self):
            self.calls = []

        def __getattr__(self, attr):
            return lambda *a, **k: self.calls.append(attr)

    for cls_name, step in STEPS.items():
        rec = Recorder()
        getattr(fnd, cls_name).construct(rec)
        assert rec.calls == [f"step_{step}"], cls_name
    assert fnd.FoundationsScene.STEPS == tuple(STEPS.values())


# --- 1 to 3: logistic regression ---------------------------------------------------------------
def test_sigmoid_numbers(shown, data, run):
    w, b = run.w[-1], run.b[-1]
    k = shown["point"]
    z = float(data.x[k] @ w + b)
    assert shown["z"][1] == pytest.approx(z)
    assert shown["sigma"][1] == pytest.approx(1 / (1 + math.exp(-z)))
    assert shown["w"][1] == w[0] and shown["x"][1] == data.x[k][0] and shown["b"][1] == b
    for key in ("w", "x", "z", "sigma", "b"):
        assert shows(shown[key]), key
    assert data.y[k] == 1 and 0.5 < shown["sigma"][1] < 0.99
    # every point lands on the sigmoid at its own z (clipped to the plotted range)
    zs = data.x @ w + b
    np.testing.assert_allclose([v for _, v in shown["landed"]], zs)


def test_bce_numbers_and_gradient_equal_autograd(shown, data, run):
    lik0, log0 = F.likelihood(run.w[0], run.b[0], data)
    (m0, v0), (m1, v1) = shown["likelihood"]
    assert v0 == lik0 and m0.text == f"{lik0:.1e}" and m1.text == f"{v1:.1e}"
    assert shown["loglik"][0][1] == pytest.approx(log0)
    assert shown["bce"][0][1] == pytest.approx(run.loss[0])
    assert shown["bce"][1][1] == pytest.approx(run.loss[-1])
    auto = F.logistic_gradient_autograd(run.w[0], run.b[0], data)
    for (mh, vh), (ma, va), expect in zip(
        shown["grad_hand"], shown["grad_auto"], auto.vector, strict=True
    ):
        assert vh == pytest.approx(expect, abs=1e-12) and va == pytest.approx(expect, abs=1e-12)
        assert mh.text == ma.text == format_number(expect, 4, sign=True)
    assert shown["grad_diff"][1] < 1e-12


def test_gradient_descent_and_learning_rates(shown, data, run):
    assert shown["gd_first"] == run.loss[0]
    assert shows(shown["gd_final"], 3) and shown["gd_final"][1] == run.loss[-1]
    runs = F.learning_rate_comparison(data, (0.05, 1.0, 40.0), 40)
    for r in runs:
        mob, final, rises, verdict = shown[f"lr:{r.lr}"]
        assert final == r.loss[-1] and mob.text == format_number(final, 3)
        assert rises == r.rises and (("rose" in verdict) == (r.rises > 0))
    assert "far" in shown["lr:0.05"][3] and "rose" in shown["lr:40.0"][3]


# --- 4: softmax ----------------------------------------------------------------------------------
def test_softmax_numbers(shown):
    probs = shown["probs"]
    assert [e.text for e in probs.entries] == ["0.001", "0.002", "0.997"]
    np.testing.assert_allclose(probs.values, probabilities(np.array([1.0, 2.0, 8.0])))
    assert shows(shown["exp_sum"]) and shown["exp_sum"][1] == pytest.approx(
        math.exp(1) + math.exp(2) + math.exp(8)
    )
    ex = F.softmax_example((1.0, 2.0, 8.0), 1)
    for (mh, vh), (ma, va) in zip(shown["softmax_grad"], shown["softmax_auto"], strict=True):
        assert vh == pytest.approx(va, abs=1e-12) and mh.text == ma.text
    np.testing.assert_allclose([v for _, v in shown["softmax_auto"]], ex.grad_autograd)
    assert [m.text for m, _ in shown["softmax_grad"]] == ["+0.001", "-0.998", "+0.997"]
    nums, p2 = shown["base:2"]
    np.testing.assert_allclose(p2, probabilities(np.array([1.0, 2.0, 8.0]), 1 / math.log(2)))
    assert [n.text for n in nums] == [format_number(v, 3) for v in p2]


# --- 5: neurons and layers -----------------------------------------------------------------------
def test_network_shows_the_real_forward_pass(shown, mlp):
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
    assert shown["accuracy"][1] == 100 * mlp.test_accuracy[-1]
    assert shown["accuracy"][0].text == f"{100 * mlp.test_accuracy[-1]:.1f}%"


def test_relu_versus_sigmoid_gradients(shown, mlp):
    sig = F.gradient_norms(mlp.initial, mlp.x_train, mlp.y_train)
    rel = F.gradient_norms(mlp.initial.with_hidden("relu"), mlp.x_train, mlp.y_train)
    np.testing.assert_allclose([v for _, v in shown["norms:sigmoid"]], sig)
    np.testing.assert_allclose([v for _, v in shown["norms:ReLU"]], rel)
    (ms, rs), (mr, rr) = shown["ratios"]
    assert rs == pytest.approx(100 * sig[0] / sig[-1]) and rr == pytest.approx(
        100 * rel[0] / rel[-1]
    )
    assert rs < rr


# --- 6: backpropagation --------------------------------------------------------------------------
def test_chain_numbers_equal_autograd(shown):
    ex = F.one_neuron_chain(3, 1.0, 0)
    (_, a), (_, s), (fc_mob, c) = shown["chain_factors"]
    assert fc_mob.text == format_number(c, 3)
    assert a * s * c == pytest.approx(shown["chain_last"][1], abs=1e-12)
    assert shown["chain_last"][1] == pytest.approx(ex.autograd_dw[-1], abs=1e-12)
    for layer in range(3):
        cells = shown[f"chain_row:{layer}"]
        (_, da), (mh, wh), (ma, wa), (bh_m, bh), (ba_m, ba) = cells
        assert wh == pytest.approx(wa, abs=1e-12) and mh.text == ma.text
        assert bh == pytest.approx(ba, abs=1e-12) and bh_m.text == ba_m.text
        assert da == ex.dC_da[layer + 1]
    # the gradient fades on its way back through the sigmoids
    assert abs(shown["chain_row:0"][1][1]) < abs(shown["chain_row:2"][1][1])


def test_digit_network_backprop_equals_autograd(shown, mlp):
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
    assert shown["one_weight"][1] == pytest.approx(shown["one_weight_auto"][1], abs=1e-12)
    assert shows(shown["one_weight"], 5) and shows(shown["one_weight_auto"], 5)
    assert shown["max_diff"][1] < 1e-12


def test_minibatch_cosines(shown, mlp):
    start = [v for _, v in shown["minibatch:at the start"]]
    later = [v for _, v in shown["minibatch:after epoch 1"]]
    expect = F.minibatch_agreement(mlp.initial, mlp.x_train, mlp.y_train, (1, 32, 256), 30, 0)
    np.testing.assert_allclose(start, [expect[s] for s in (1, 32, 256)])
    assert start == sorted(start) and later == sorted(later)
    mob, acc = shown["final_accuracy"]
    assert acc == 100 * mlp.test_accuracy[-1] and mob.text == f"{acc:.1f}%"


# --- 7: how the embedded model learned -----------------------------------------------------------
def test_loss_curve_and_checkpoints_come_from_the_log(shown):
    log = F.load_training_log()
    steps, losses = shown["loss_curve"]
    np.testing.assert_array_equal(losses, [v for _, v in log["loss"]])
    cps, table = shown["checkpoints"]
    assert cps == F.checkpoint_predictions(log, "Michael Jordan plays the sport of")
    last = cps[-1].top[0]
    assert table[-1][1].text.startswith(f"basketball {100 * last[1]:.2f}%")
    assert [row[0].text for row in table] == [f"{c.step:,}" for c in cps]


def test_every_prefix_and_the_causal_mask(shown, model):
    preds, rows = shown["prefixes"]
    text = "Michael Jordan plays the sport of basketball.\n"
    assert preds == F.prefix_predictions(model, text)
    assert rows[5][0].text.endswith("sport of") and rows[5][1].text.startswith("basketball")
    assert shown["sentence_loss"][1] == pytest.approx(np.mean([p.loss for p in preds]))
    before_mob, before, after_mob, after, check = shown["causal"]
    assert before < 1e-5 < 0.1 < after
    assert before_mob.text == ("0" if before == 0 else f"{before:.1e}")
    assert shows((after_mob, after))
    assert check.cut == 5 and check.altered_tokens[6] != " basketball"


class OtherPrompt(fnd.FoundationsScene):
    prompt = "Serena Woods plays the sport of"

    def construct(self):
        self.step_learned()


def test_a_prompt_without_checkpoints_says_so(shown):
    assert shown["checkpoint_note"] is None  # the lecture prompt was recorded
    scene = render(OtherPrompt)
    note = scene.shown["checkpoint_note"]
    assert note is not None and "Serena Woods" in note.text and "only for" in note.text
    cps, _ = scene.shown["checkpoints"]
    assert cps == F.checkpoint_predictions(
        F.load_training_log(), "Michael Jordan plays the sport of"
    )
    index, sentence, found = scene.shown["training_sentence"]
    assert found and sentence.startswith("Serena Woods plays the sport of")
    preds, _ = scene.shown["prefixes"]
    assert "".join(preds[-1].prefix + (preds[-1].actual,)) == sentence + "\n"


class BadDigit(fnd.FoundationsScene):
    digit_index = 999

    def construct(self):
        self.step_neurons()


def test_a_bad_digit_index_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        render(BadDigit)
    assert "digit_index must be between 0 and 359" in capsys.readouterr().err

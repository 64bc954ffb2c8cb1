"""The foundations experiments: hand-derived gradients against torch autograd, training runs,
the shipped digits, and the embedded model's prefixes, causal mask and training log."""

import math

import numpy as np
import pytest
import torch

from llmviz.errors import LLMVizError
from llmviz.model import experiments as F
from llmviz.model import train
from llmviz.model.trace import probabilities

TIGHT = 1e-12


@pytest.fixture(scope="module")
def data():
    return F.make_dataset()


@pytest.fixture(scope="module")
def mlp():
    return F.train_digit_mlp()


# --- the 2-D data and logistic regression ----------------------------------------------------
def test_dataset_is_seeded_balanced_and_overlapping(data):
    again = F.make_dataset()
    np.testing.assert_array_equal(data.x, again.x)
    assert not np.array_equal(data.x, F.make_dataset(seed=1).x)
    assert data.x.shape == (40, 2) and data.y.sum() == 20
    assert not data.x.flags.writeable
    # the clouds overlap: even the trained boundary gets some points wrong
    run = F.train_logistic(data, 1.0, 200)
    assert 0.75 < run.accuracy[-1] < 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logistic_gradient_equals_autograd(data, seed):
    rng = np.random.default_rng(seed)
    w, b = rng.normal(0, 2, 2), float(rng.normal())
    hand = F.logistic_gradient(w, b, data)
    auto = F.logistic_gradient_autograd(w, b, data)
    np.testing.assert_allclose(hand.vector, auto.vector, rtol=0, atol=TIGHT)
    assert hand.loss == pytest.approx(auto.loss, abs=TIGHT)
    # and the lecture's formula, written out once more
    y_hat = 1 / (1 + np.exp(-(data.x @ w + b)))
    np.testing.assert_allclose(
        hand.grad_w, ((y_hat - data.y)[:, None] * data.x).mean(0), atol=TIGHT
    )


def test_likelihood_log_is_minus_n_times_mean_bce(data):
    w, b = np.array([1.5, -0.3]), 0.2
    p, log_p = F.likelihood(w, b, data)
    assert math.log(p) == pytest.approx(log_p, rel=1e-10)
    assert -log_p / data.n == pytest.approx(F.logistic_gradient(w, b, data).loss, rel=1e-10)
    y_hat = F.sigmoid(data.x @ w + b)
    assert float(np.mean(F.bce(y_hat, data.y))) == pytest.approx(-log_p / data.n, rel=1e-10)


def test_training_records_every_update(data):
    run = F.train_logistic(data, lr=1.0, steps=40)
    assert run.w.shape == (41, 2) and run.loss.shape == (41,)
    w0, b0 = F.initial_parameters(data.seed)
    np.testing.assert_array_equal(run.w[0], w0)
    for t in range(run.steps):  # each step is w - lr * gradient, the gradient recorded at step t
        g = F.logistic_gradient(run.w[t], run.b[t], data)
        np.testing.assert_allclose(run.grads[t], g.vector, atol=TIGHT)
        np.testing.assert_allclose(run.w[t + 1], run.w[t] - run.lr * g.grad_w, atol=TIGHT)
        assert run.b[t + 1] == pytest.approx(run.b[t] - run.lr * g.grad_b, abs=TIGHT)
    assert run.rises == 0 and run.loss[-1] < 0.5 * run.loss[0]


def test_learning_rates_too_small_good_too_large(data):
    small, good, large = F.learning_rate_comparison(data, (0.05, 1.0, 40.0), 40)
    assert small.loss[-1] > good.loss[-1] + 0.1  # still far from the bottom
    assert small.rises == 0 and good.rises == 0
    assert large.rises > 0  # overshoots: the loss goes up at some steps
    np.testing.assert_array_equal(small.w[0], large.w[0])  # the same start


# --- softmax ---------------------------------------------------------------------------------
def test_softmax_of_1_2_8_and_its_gradient():
    ex = F.softmax_example((1.0, 2.0, 8.0), true_class=1)
    assert ex.probs.round(3).tolist() == [0.001, 0.002, 0.997]
    np.testing.assert_allclose(ex.grad, ex.probs - np.array([0, 1, 0]), atol=TIGHT)
    np.testing.assert_allclose(ex.grad, ex.grad_autograd, atol=TIGHT)
    assert ex.loss == pytest.approx(-math.log(ex.probs[1]))
    np.testing.assert_allclose(ex.exps, np.exp([1.0, 2.0, 8.0]))


@pytest.mark.parametrize("base", [2.0, 10.0, 1.5])
def test_a_softmax_base_is_a_temperature(base):
    z = np.array([1.0, 2.0, 8.0])
    np.testing.assert_allclose(
        F.softmax_base(z, base), probabilities(z, 1 / math.log(base)), atol=TIGHT
    )


# --- the digits and the network --------------------------------------------------------------
def test_shipped_digits():
    d = F.load_digits()
    assert d.images.shape == (1797, 8, 8) and d.images.min() == 0 and d.images.max() == 16
    assert np.bincount(d.labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert F.DIGITS_FILE.stat().st_size < 100_000


def test_shipped_digits_are_scikit_learns():
    sk = pytest.importorskip("sklearn.datasets")
    ref = sk.load_digits()
    d = F.load_digits()
    np.testing.assert_array_equal(d.images, ref.images)
    np.testing.assert_array_equal(d.labels, ref.target)


def test_write_digits_round_trip(tmp_path):
    pytest.importorskip("sklearn")
    path = F.write_digits(tmp_path / "d.npz")
    np.testing.assert_array_equal(F.load_digits(path).images, F.load_digits().images)


def test_missing_digits_file_says_how_to_make_it(tmp_path):
    with pytest.raises(LLMVizError, match="--write-digits"):
        F.load_digits(tmp_path / "nothing.npz")


def test_training_is_deterministic_and_learns(mlp):
    assert F.train_digit_mlp() is mlp  # cached
    from llmviz.model.experiments.digits import _train

    again = _train.__wrapped__(F.MLPConfig())
    for a, b in zip(mlp.model.W, again.model.W, strict=True):
        np.testing.assert_array_equal(a, b)
    assert mlp.test_accuracy[0] < 0.2 and mlp.test_accuracy[-1] > 0.93
    assert mlp.train_cost[-1] < 0.1 * mlp.train_cost[0]
    assert mlp.n_steps == 30 * math.ceil(1437 / 32)
    assert set(mlp.train_idx).isdisjoint(mlp.test_idx) and len(mlp.test_idx) == 360


@pytest.mark.parametrize("hidden", ["sigmoid", "relu"])
def test_backprop_by_hand_equals_autograd(mlp, hidden):
    net = mlp.model.with_hidden(hidden)
    for x, y in ((mlp.x_test[:17], mlp.y_test[:17]), (mlp.x_test[5], mlp.y_test[5])):
        hand, auto = net.backprop(x, y), net.autograd(x, y)
        assert hand.max_difference(auto) < TIGHT
        assert hand.cost == pytest.approx(net.cost(x, y), abs=TIGHT)


def test_backprop_agrees_with_finite_differences(mlp):
    net, x, y = mlp.initial, mlp.x_test[3], mlp.y_test[3]
    g = net.backprop(x, y)
    eps = 1e-6
    for layer, (i, j) in ((0, (2, 10)), (1, (5, 7)), (2, (y, 3))):
        W = [w.copy() for w in net.W]
        W[layer][i, j] += eps
        up = F.DigitMLP(tuple(W), net.b).cost(x, y)
        W[layer][i, j] -= 2 * eps
        down = F.DigitMLP(tuple(W), net.b).cost(x, y)
        assert g.dW[layer][i, j] == pytest.approx((up - down) / (2 * eps), abs=1e-8)


def test_forward_is_sigma_of_w_a_plus_b(mlp):
    net, x = mlp.model, mlp.x_test[0]
    fp = net.forward(x)
    a = x
    for W, b, z, out in zip(net.W, net.b, fp.z, fp.a[1:], strict=True):
        np.testing.assert_allclose(z, W @ a + b, atol=TIGHT)
        np.testing.assert_allclose(out, 1 / (1 + np.exp(-z)), atol=TIGHT)
        a = out
    assert int(net.predict(x)) == int(np.argmax(fp.output))


def test_sigmoid_gradients_fade_and_relu_ones_do_not(mlp):
    sig = F.gradient_norms(mlp.initial, mlp.x_train, mlp.y_train)
    rel = F.gradient_norms(mlp.initial.with_hidden("relu"), mlp.x_train, mlp.y_train)
    assert sig[0] < sig[1] < sig[2]  # shrinking on the way back
    assert rel[0] / rel[-1] > 3 * sig[0] / sig[-1]


def test_bigger_batches_point_more_like_the_full_gradient(mlp):
    agree = F.minibatch_agreement(mlp.initial, mlp.x_train, mlp.y_train, (1, 32, 256), 10)
    assert agree[1] < agree[32] < agree[256] <= 1.0


# --- the chain of one-neuron layers ----------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 3])
def test_chain_rule_of_the_notes_and_autograd(seed):
    ex = F.one_neuron_chain(3, y=1.0, seed=seed)
    L = ex.n_layers - 1
    s = F.sigmoid_prime(ex.z[L])
    assert ex.dC_dw[L] == pytest.approx(ex.a[L] * s * 2 * (ex.a[-1] - ex.y), abs=TIGHT)
    assert ex.dC_db[L] == pytest.approx(s * 2 * (ex.a[-1] - ex.y), abs=TIGHT)
    assert ex.dC_da[L] == pytest.approx(ex.w[L] * s * 2 * (ex.a[-1] - ex.y), abs=TIGHT)
    np.testing.assert_allclose(ex.dC_dw, ex.autograd_dw, atol=TIGHT)
    np.testing.assert_allclose(ex.dC_db, ex.autograd_db, atol=TIGHT)
    assert ex.dC_da[0] == pytest.approx(ex.autograd_da0, abs=TIGHT)
    assert ex.cost == pytest.approx((ex.a[-1] - 1.0) ** 2)


# --- how the embedded model learned ----------------------------------------------------------
def test_training_log_checkpoints_go_from_noise_to_basketball(model):
    log = train.load_training_log()
    cps = train.checkpoint_predictions(log, "Michael Jordan plays the sport of")
    cfg = log["train_config"]
    assert [c.step for c in cps] == [*cfg["checkpoints"], cfg["steps"] + cfg["sparse_steps"]]
    final = model.run("Michael Jordan plays the sport of").top_k(1)[0]
    assert cps[0].top[0][1] < 0.01 and cps[-1].top[0] == (
        " basketball",
        pytest.approx(final.prob, abs=1e-5),
    )
    assert cps[0].prob_of(" basketball") is None
    with pytest.raises(LLMVizError, match="only for"):
        train.checkpoint_predictions(log, "not a recorded prompt")


def test_prefix_predictions_are_the_forward_pass(model):
    text = "Michael Jordan plays the sport of basketball.\n"
    preds = F.prefix_predictions(model, text)
    trace = model.run(text)
    assert len(preds) == trace.n_tokens - 1
    for p in preds:
        probs = trace.probs(position=p.position)
        assert p.actual == trace.tokens[p.position + 1]
        assert p.actual_prob == pytest.approx(probs[trace.token_ids[p.position + 1]], abs=1e-6)
        assert p.predicted_prob == pytest.approx(probs.max(), abs=1e-6)
        assert p.actual_rank == 1 + int(np.sum(probs > probs[p.actual_id] + 1e-9))
    assert preds[5].prefix[-1] == " of" and preds[5].predicted == " basketball"


def test_the_causal_mask_hides_later_tokens(model):
    ids = model.encode("Michael Jordan plays the sport of basketball.\n")
    other = ids[:6] + [model.token_id(" golf")] + ids[7:]
    check = F.causal_check(model, ids, other, cut=5)
    assert check.max_change_before < 1e-5
    assert check.max_change_after > 0.1
    assert check.prediction == " basketball"
    assert check.prediction_prob == check.altered_prediction_prob
    with pytest.raises(LLMVizError, match="agree"):
        F.causal_check(model, ids, other, cut=6)


def test_finding_the_training_sentence():
    log = train.load_training_log()
    cfg = log["train_config"]
    i, s = F.find_training_sentence(
        "Michael Jordan plays the sport of", cfg["n_sentences"], cfg["seed"]
    )
    from llmviz.model.corpus import generate_corpus

    assert generate_corpus(i + 1, cfg["seed"])[i] == s
    assert F.find_training_sentence("no such words xyzzy", 500, 0) is None


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda d: F.train_logistic(d, lr=0), "learning rate"),
        (lambda d: F.train_logistic(d, lr=float("nan")), "learning rate"),
        (lambda d: F.train_logistic(d, steps=0), "steps"),
        (lambda d: F.make_dataset(n_per_class=1), "n_per_class"),
        (lambda d: F.softmax_example((1.0, 2.0), true_class=2), "true_class"),
        (lambda d: F.softmax_base([1.0, 2.0], base=1), "base"),
        (lambda d: F.softmax_base([1.0], base=2), "two"),
        (lambda d: F.train_digit_mlp(F.MLPConfig(hidden="tanh")), "sigmoid, relu"),
        (lambda d: F.train_digit_mlp(F.MLPConfig(sizes=(64, 5))), "sizes"),
        (lambda d: F.DigitMLP.random((64, 10)).forward(np.zeros(3)), "shape"),
        (lambda d: F.DigitMLP.random((64, 10)).backprop(np.zeros(64), 12), "0..9"),
        (lambda d: F.learning_rate_comparison(d, ()), "at least one"),
    ],
)
def test_bad_input_is_named(data, call, match):
    with pytest.raises(LLMVizError, match=match):
        call(data)


def test_autograd_helpers_leave_torch_state_alone(data):
    before = torch.is_grad_enabled()
    F.logistic_gradient_autograd([0.1, 0.2], 0.0, data)
    assert torch.is_grad_enabled() == before

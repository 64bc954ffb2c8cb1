"""The cost landscape of the two-weight logistic regression and the chain rule's factors: every
number against a direct computation or torch's autograd, and bad input as clear errors."""

import numpy as np
import pytest
import torch

from llmviz.errors import LLMVizError
from llmviz.model import experiments as F
from llmviz.model.experiments.chain_rule import bce_chain, softmax_jacobian
from llmviz.model.experiments.landscape import (
    contour_levels,
    contour_segments,
    cost_surface,
    costs_at,
    descend,
    lowest_point,
    window,
)


@pytest.fixture(scope="module")
def data():
    return F.make_dataset()


def torch_cost(data, w, bias=0.0):
    wt = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    z = torch.tensor(data.x) @ wt + bias
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(data.y))
    loss.backward()
    return float(loss.detach()), wt.grad.numpy()


# --- the landscape ---------------------------------------------------------------------------
def test_the_surface_is_the_mean_bce_at_every_grid_point(data):
    s = cost_surface(data, (-1.0, 3.0), (-2.0, 2.0), n=9, bias=0.5)
    assert s.cost.shape == (9, 9) and not s.cost.flags.writeable
    for i, j in ((0, 0), (3, 7), (8, 2)):
        expect, _ = torch_cost(data, [s.w1[j], s.w2[i]], 0.5)
        assert s.cost[i, j] == pytest.approx(expect, abs=1e-12)
    assert s.low == s.cost.min() < s.high


def test_contour_lines_lie_on_their_level(data):
    s = cost_surface(data, (-1.0, 4.0), (-2.0, 2.0), n=61)
    levels = contour_levels(s, 5)
    assert np.all(np.diff(levels) > 0) and s.low < levels[0] < levels[-1] < s.high
    for level in levels:
        seg = contour_segments(s, level)
        assert len(seg) > 5
        np.testing.assert_allclose(costs_at(data, seg.reshape(-1, 2)), level, atol=0.02)
    assert len(contour_segments(s, s.high + 1)) == 0  # a level above everything: no line


def test_descent_follows_autograds_gradient_downhill(data):
    p = descend(data, lr=1.0, steps=20)
    w0 = F.initial_parameters(data.seed)[0]
    np.testing.assert_array_equal(p.w[0], w0)
    for t in (0, 5, 19):
        loss, grad = torch_cost(data, p.w[t])
        assert p.loss[t] == pytest.approx(loss, abs=1e-12)
        np.testing.assert_allclose(p.grad[t], grad, atol=1e-12)
        np.testing.assert_allclose(p.w[t + 1], p.w[t] - grad, atol=1e-12)
    assert p.rises == 0 and np.all(np.diff(p.step_lengths[:10]) < 0)  # shorter as it flattens


def test_a_large_learning_rate_overshoots(data):
    assert descend(data, lr=40.0, steps=40).rises > 0
    assert descend(data, lr=0.05, steps=40).rises == 0


def test_the_lowest_point_is_where_the_gradient_vanishes(data):
    low = lowest_point(data)
    _, grad = torch_cost(data, low.w)
    assert np.abs(grad).max() < 1e-10
    around = low.w + np.array([[0.05, 0], [-0.05, 0], [0, 0.05], [0, -0.05]])
    assert np.all(costs_at(data, around) > low.loss)
    assert descend(data, 1.0, 200).loss[-1] == pytest.approx(low.loss, abs=1e-3)


def test_window_holds_the_points_with_a_margin():
    pts = np.array([[0.0, 0.0], [2.0, 1.0]])
    (a1, b1), (a2, b2) = window(pts, margin=0.5)
    assert a1 < 0 and b1 > 2 and a2 < 0 and b2 > 1 and b1 - a1 == pytest.approx(b2 - a2)


def test_bad_landscape_input_is_a_clear_error(data):
    with pytest.raises(LLMVizError, match="at least 2 grid points"):
        cost_surface(data, n=1)
    with pytest.raises(LLMVizError, match="from low to high"):
        cost_surface(data, (3.0, 1.0))
    with pytest.raises(LLMVizError, match="positive number"):
        descend(data, lr=-1.0)
    with pytest.raises(LLMVizError, match="whole number"):
        descend(data, steps=0)
    with pytest.raises(LLMVizError, match=r"shape \[m, 2\]"):
        costs_at(data, np.zeros((1, 3)))


# --- the chain rule --------------------------------------------------------------------------
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_the_three_factors_multiply_to_autograds_gradient(y):
    w, b, x = np.array([0.7, -1.3]), 0.2, np.array([1.5, 0.4])
    ch = bce_chain(w, b, x, y)
    z = float(w @ x + b)
    p = 1 / (1 + np.exp(-z))
    assert ch.z == pytest.approx(z) and ch.y_hat == pytest.approx(p)
    assert ch.dyhat_dz == pytest.approx(p * (1 - p))
    np.testing.assert_array_equal(ch.dz_dw, x)
    assert ch.error == pytest.approx(p - y, abs=1e-15)
    np.testing.assert_allclose(ch.grad, ch.dl_dyhat * ch.dyhat_dz * x)
    np.testing.assert_allclose(ch.grad, ch.grad_autograd, atol=1e-15)
    # the mean over points of these per-point gradients is the dataset's gradient
    data = F.make_dataset()
    per_point = [bce_chain(w, b, xi, yi).grad for xi, yi in zip(data.x, data.y, strict=True)]
    np.testing.assert_allclose(np.mean(per_point, 0), F.logistic_gradient(w, b, data).grad_w)


def test_the_softmax_jacobian_equals_autograd():
    jac = softmax_jacobian([1.0, 2.0, 8.0], true_class=1)
    np.testing.assert_allclose(jac.jacobian, jac.jacobian_autograd, atol=1e-15)
    np.testing.assert_allclose(jac.jacobian.sum(0), 0, atol=1e-15)  # probabilities sum to 1
    np.testing.assert_allclose(jac.grad, jac.probs - jac.target, atol=1e-15)
    np.testing.assert_allclose(jac.grad, jac.grad_autograd, atol=1e-15)
    assert jac.loss == pytest.approx(-np.log(jac.probs[1])) and jac.largest_difference < 1e-15


def test_bad_chain_rule_input_is_a_clear_error():
    with pytest.raises(LLMVizError, match="label must be 0 or 1"):
        bce_chain([0.0, 0.0], 0.0, [1.0, 1.0], 0.5)
    with pytest.raises(LLMVizError, match="same length"):
        bce_chain([0.0], 0.0, [1.0, 1.0], 1.0)
    with pytest.raises(LLMVizError, match="true_class must be between 0 and 2"):
        softmax_jacobian([1.0, 2.0, 3.0], 3)

"""llmviz.model.pretraining: the corpus search, the dials and the rebuilt step 0, including
bad input (a clear llmviz error, never a traceback from torch or numpy)."""

import copy

import numpy as np
import pytest

import llmviz
from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.pretraining import (
    data_size,
    dial_sweep,
    in_corpus,
    initial_matches_log,
    turned,
    unseen_names,
)
from llmviz.model.trace import hook_name
from llmviz.model.train import load_training_log

PROMPT = "Michael Jordan plays the sport of"


@pytest.fixture(scope="module")
def model():
    return llmviz.load_model()


@pytest.fixture(scope="module")
def log():
    return load_training_log()


def test_turned_restores_the_weight_even_after_an_error(model):
    before = model.run(PROMPT).probs()
    with pytest.raises(RuntimeError):
        with turned(model, "blocks.1.mlp.b_up", 141, -5.0):
            assert float(model.weights["blocks.1.mlp.b_up"][141]) == -5.0
            raise RuntimeError("stop")
    assert np.array_equal(model.run(PROMPT).probs(), before)


@pytest.mark.parametrize(
    "name, index, value, words",
    [
        ("blocks.9.mlp.b_up", 0, 1.0, "no weight named"),
        ("blocks.1.mlp.b_up", 256, 1.0, "is not one entry"),
        ("blocks.1.mlp.W_up", 3, 1.0, "is not one entry"),
        ("blocks.1.mlp.b_up", 3, float("nan"), "finite"),
    ],
)
def test_bad_dials_get_clear_errors(model, name, index, value, words):
    with pytest.raises(LLMVizError, match=words):
        with turned(model, name, index, value):
            pass


def test_a_sweep_moves_the_probability_and_a_bias_equals_a_shift_of_the_neurons_input(model):
    from llmviz.model.analysis import find_and_neuron

    n = find_and_neuron(model, PROMPT)  # the neuron the chapters turn
    bias = f"blocks.{n.layer}.mlp.b_up"
    b = float(model.weights[bias][n.neuron])
    p = dial_sweep(model, PROMPT, bias, n.neuron, [b, b - 2.0], [" basketball"])

    def shift(a, _):
        a[..., n.neuron] -= 2.0
        return a

    hooked = model.run_with_hooks(PROMPT, [(hook_name("pre", n.layer), shift)]).probs()
    assert p[0, 0] == pytest.approx(model.run(PROMPT).probs()[model.token_id(" basketball")])
    assert p[1, 0] == pytest.approx(hooked[model.token_id(" basketball")], abs=1e-6)
    assert p[0, 0] - p[1, 0] > 0.5


def test_the_corpus_search(log):
    assert in_corpus("Michael Jordan plays the sport of basketball.", log)
    assert not in_corpus("Michael Jordan plays the sport of golf.", log)
    with pytest.raises(LLMVizError, match="non-empty"):
        in_corpus("  ", log)


def test_unseen_names_are_the_grid_minus_the_fact_table(model, log):
    guesses = unseen_names(model, log)
    assert len(guesses) == 100 - 40
    assert all(not in_corpus(g.name, log) for g in guesses)
    assert all(0 < g.prob <= 1 and len(g.first_sports) == len(g.last_sports) == 4 for g in guesses)


def test_a_log_without_its_corpus_or_a_changed_step_0_is_caught(model, log):
    broken = {k: v for k, v in log.items() if k != "train_config"}
    with pytest.raises(ModelFileError, match="corpus"):
        data_size(model, broken)
    other = copy.deepcopy(log)
    other["train_config"]["seed"] = 1
    assert initial_matches_log(model, log) and not initial_matches_log(model, other)

"""The foundations chapter: from logistic regression to backpropagation, and how the embedded
model learned.

Every number comes from an experiment that the code runs (``llmviz.model.experiments``: a
generated 2-D dataset, logistic regression, its cost landscape (``llmviz.model.experiments.landscape``), the
chain rule against autograd (``llmviz.model.experiments.chain_rule``), softmax, a digit network trained on
real handwritten digits) or from the shipped model and its recorded training log. Render one
step with ``manim render -ql scenes/foundations.py CostLandscape`` or the whole chapter with
``manim render -ql scenes/foundations.py FoundationsChapter``. Change the experiments by
subclassing (class attributes ``learning_rate``, ``learning_rates``, ``landscape_bias``,
``mlp_lr``, ``digit_index``, ...; the ``seed`` setting seeds them all) and the prompt of the
last steps with the ``prompt`` setting. The steps' code is in ``foundations_steps/``.
"""

from __future__ import annotations

from foundations_steps.backprop import BackpropStep
from foundations_steps.chain import ChainStep
from foundations_steps.common import FoundationsScene
from foundations_steps.landscape import LandscapeStep
from foundations_steps.learned import LearnedStep
from foundations_steps.logistic import LogisticStep
from foundations_steps.network import NetworkStep
from foundations_steps.softmax import SoftmaxStep

from llmviz.steps import ALL_STEPS

__all__ = ["FoundationsChapterScene", "FoundationsScene"]


class FoundationsChapterScene(
    LogisticStep, ChainStep, LandscapeStep, SoftmaxStep, NetworkStep, BackpropStep, LearnedStep
):
    """Every step of the chapter as a method (``step_<name>``); each scene below plays one."""


class Sigmoid(FoundationsChapterScene):
    """1. The sigmoid, z = w·x + b for one generated point, its probability."""

    plays = ("sigmoid",)


class DecisionBoundary(FoundationsChapterScene):
    """2. The 2-D data, z = 0 as the decision boundary, every point on the sigmoid."""

    plays = ("boundary",)


class CrossEntropy(FoundationsChapterScene):
    """3. The two BCE curves, one formula for both labels, the example point's loss."""

    plays = ("bce",)


class Likelihood(FoundationsChapterScene):
    """4. The likelihood as a product, its log as a sum, the mean BCE before and after training."""

    plays = ("likelihood",)


class ChainRule(FoundationsChapterScene):
    """5. The three chain-rule factors of one point's BCE gradient, against autograd."""

    plays = ("chain_rule",)


class CostLandscape(FoundationsChapterScene):
    """6. The contour map of C(w1, w2), minus the gradient and its signs, the first step."""

    plays = ("landscape",)


class GradientDescent(FoundationsChapterScene):
    """7. The recorded descent path down the landscape while the boundary turns."""

    plays = ("descent",)


class LearningRate(FoundationsChapterScene):
    """8. Three learning rates' paths on the same landscape."""

    plays = ("learning_rate",)


class SoftmaxClasses(FoundationsChapterScene):
    """9. softmax((1, 2, 8)), other bases as temperatures, the gradient y_hat - y vs autograd."""

    plays = ("softmax",)


class NeuronsAndLayers(FoundationsChapterScene):
    """10. The trained digit network on a real test image."""

    plays = ("neurons",)


class ReLUVersusSigmoid(FoundationsChapterScene):
    """11. ReLU and the sigmoid, and the gradient's size per layer at the random start."""

    plays = ("relu",)


class Backpropagation(FoundationsChapterScene):
    """12. The chain of one-neuron layers, by hand and by autograd."""

    plays = ("backprop",)


class DigitBackpropagation(FoundationsChapterScene):
    """13. The trained network's derivatives for its worst test image, vs autograd."""

    plays = ("digit_backprop",)


class MiniBatches(FoundationsChapterScene):
    """14. How well mini-batch gradients point like the full one; the training run."""

    plays = ("minibatches",)


class HowTheModelLearned(FoundationsChapterScene):
    """15. The shipped model's loss curve and checkpoints."""

    plays = ("learned",)


class EveryPrefix(FoundationsChapterScene):
    """16. One training sentence, a prediction at every prefix, and the causal mask."""

    plays = ("prefixes",)


class FoundationsChapter(FoundationsChapterScene):
    """The whole chapter in one video."""

    chapter_title = "Foundations: from logistic regression to backpropagation"

    plays = ALL_STEPS

"""The chapters' small experiments, each real and seeded: logistic regression and softmax
(:mod:`~llmviz.model.experiments.logistic`, on the functions of
:mod:`~llmviz.model.experiments.functions`), its cost landscape
(:mod:`~llmviz.model.experiments.landscape`), the chain rule on numbers
(:mod:`~llmviz.model.experiments.chain_rule`), a digit-reading network and its backpropagation
(:mod:`~llmviz.model.experiments.digits`), how the embedded model learned
(:mod:`~llmviz.model.experiments.learned`), Word2Vec (:mod:`~llmviz.model.experiments.word2vec`),
nearly perpendicular directions (:mod:`~llmviz.model.experiments.superposition`,
:mod:`~llmviz.model.experiments.capacity`) and a sparse autoencoder
(:mod:`~llmviz.model.experiments.sae`).

The foundations chapter's experiments (functions, logistic, digits, learned) are importable
from here; the others from their own modules.
"""

from llmviz.model.experiments.digits import *  # noqa: F403
from llmviz.model.experiments.digits import __all__ as _digits
from llmviz.model.experiments.functions import *  # noqa: F403
from llmviz.model.experiments.functions import __all__ as _functions
from llmviz.model.experiments.learned import *  # noqa: F403
from llmviz.model.experiments.learned import __all__ as _learned
from llmviz.model.experiments.logistic import *  # noqa: F403
from llmviz.model.experiments.logistic import __all__ as _logistic

__all__ = [*_functions, *_logistic, *_digits, *_learned]

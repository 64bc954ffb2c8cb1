"""Interpretability on real values: what neurons, heads and directions of the model do, and
causal tests of where a fact lives. Nothing here is hand-set: every function reads the model's
weights or runs its forward pass.

One module per subject: :mod:`~llmviz.model.analysis.neurons`,
:mod:`~llmviz.model.analysis.heads`, :mod:`~llmviz.model.analysis.directions`,
:mod:`~llmviz.model.analysis.causal`, what may be said about a neuron
(:mod:`~llmviz.model.analysis.verdicts`), plus the embedding measurements of the opening chapter
(:mod:`~llmviz.model.analysis.embedding`). Every public name is importable from here.
"""

from llmviz.model.analysis.causal import *  # noqa: F403
from llmviz.model.analysis.causal import __all__ as _causal
from llmviz.model.analysis.directions import *  # noqa: F403
from llmviz.model.analysis.directions import __all__ as _directions
from llmviz.model.analysis.embedding import *  # noqa: F403
from llmviz.model.analysis.embedding import __all__ as _embedding
from llmviz.model.analysis.heads import *  # noqa: F403
from llmviz.model.analysis.heads import __all__ as _heads
from llmviz.model.analysis.neurons import *  # noqa: F403
from llmviz.model.analysis.neurons import __all__ as _neurons
from llmviz.model.analysis.verdicts import *  # noqa: F403
from llmviz.model.analysis.verdicts import __all__ as _verdicts

__all__ = [*_neurons, *_heads, *_directions, *_causal, *_embedding, *_verdicts]

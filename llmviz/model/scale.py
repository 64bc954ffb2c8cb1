"""How big a model and its training are: LayerNorm parameters beside the eight matrix families,
and training compute by the ``6 N D`` rule of thumb, for the embedded model (from its training
log) and for GPT-3 (from its published figures).

The rule: training costs about 6 operations per parameter per training token, 2 for the forward
pass (a multiply and an add per weight) and 4 for the backward pass. ``N`` is the parameter
count and ``D`` the number of tokens the model was trained on; the embedded model's ``D`` is
steps x batch size x context length, read from ``training_log.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.config import ModelConfig, weight_counts

__all__ = [
    "GPT3_PUBLISHED",
    "PublishedRun",
    "LayerNormCount",
    "layernorm_parameters",
    "model_layernorm_parameters",
    "TrainingRun",
    "parameter_count",
    "training_compute",
    "training_run",
    "SECONDS_PER_YEAR",
]

SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass(frozen=True)
class PublishedRun:
    """A training run's published size: parameters, training tokens, and where it is stated."""

    name: str
    parameters: float
    tokens: float
    source: str

    @property
    def compute(self) -> float:
        """``6 N D`` operations."""
        return training_compute(self.parameters, self.tokens)


#: GPT-3 175B as published: 175 billion parameters trained on 300 billion tokens.
GPT3_PUBLISHED = PublishedRun(
    "GPT-3",
    175e9,
    300e9,
    "Brown et al. 2020, Language Models are Few-Shot Learners",
)


def training_compute(parameters: float, tokens: float) -> float:
    """Operations to train ``parameters`` on ``tokens`` by the rule of thumb ``6 N D``.

    Examples
    --------
    >>> training_compute(175e9, 300e9)
    3.15e+23
    """
    if not (parameters > 0 and tokens > 0):
        raise LLMVizError(f"parameters and tokens must be positive, got {parameters}, {tokens}")
    return 6.0 * float(parameters) * float(tokens)


# --- LayerNorm ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerNormCount:
    """LayerNorm parameters of a config with a learned gain and bias per number: ``per_norm`` =
    2 x d_model, ``norms`` = two per layer (before attention, before the MLP) plus the final one,
    ``total``; ``share`` of the eight matrix families' weights plus these."""

    d_model: int
    per_norm: int
    norms: int
    total: int
    share: float


def layernorm_parameters(cfg: ModelConfig) -> LayerNormCount:
    """LayerNorm parameters of a GPT-style model whose LayerNorms learn a gain and a bias.

    Examples
    --------
    >>> from llmviz.model.config import GPT3_CONFIG
    >>> c = layernorm_parameters(GPT3_CONFIG)
    >>> c.per_norm, c.norms, c.total, f"{100 * c.share:.4f}%"
    (24576, 193, 4743168, '0.0027%')
    """
    per = 2 * cfg.d_model
    norms = 2 * cfg.n_layers + 1
    total = per * norms
    return LayerNormCount(
        cfg.d_model, per, norms, total, total / (weight_counts(cfg)["total"] + total)
    )


def model_layernorm_parameters(model) -> int:
    """Learned parameters in the LayerNorm modules of a loaded model (0 for the embedded model,
    whose LayerNorms only normalise, and for a GPT-2 whose gains and biases are folded away).

    Examples
    --------
    >>> import llmviz
    >>> model_layernorm_parameters(llmviz.load_model())
    0
    """
    from llmviz.model.transformer import LayerNorm

    return sum(
        p.numel()
        for m in model.net.modules()
        if isinstance(m, LayerNorm)
        for p in m.parameters(recurse=False)
    )


# --- the embedded model's training run -----------------------------------------------------------
@dataclass(frozen=True)
class TrainingRun:
    """The embedded model's training as its log records it.

    ``steps`` counts every optimiser step (the main run plus ``sparse_steps`` in which only some
    MLPs learned); each step reads ``batch_size`` windows of ``n_ctx`` tokens. ``compute`` counts
    every step as a full one (``6 N D``), an upper bound for the sparse steps; ``rate`` is that
    compute over the recorded wall-clock ``seconds``.
    """

    parameters: int
    main_steps: int
    sparse_steps: int
    batch_size: int
    n_ctx: int
    seconds: float
    device: str

    @property
    def steps(self) -> int:
        return self.main_steps + self.sparse_steps

    @property
    def tokens(self) -> int:
        return self.steps * self.batch_size * self.n_ctx

    @property
    def compute(self) -> float:
        return training_compute(self.parameters, self.tokens)

    @property
    def rate(self) -> float:
        """Operations per second of the recorded run."""
        return self.compute / self.seconds

    def years_for(self, compute: float) -> float:
        """How long ``compute`` would take at this run's rate, in years."""
        return compute / self.rate / SECONDS_PER_YEAR


def parameter_count(model) -> int:
    """Every learned number of ``model`` (weights and biases of every matrix and vector).

    Examples
    --------
    >>> import llmviz
    >>> parameter_count(llmviz.load_model())
    284992
    """
    return int(sum(w.size for w in model.weights.values()))


def training_run(log: dict, parameters: int) -> TrainingRun:
    """The training run recorded in ``log`` (from ``llmviz train``) for a model of
    ``parameters`` parameters.

    Examples
    --------
    >>> import llmviz
    >>> from llmviz.model.train import load_training_log
    >>> model = llmviz.load_model()
    >>> run = training_run(load_training_log(), parameter_count(model))
    >>> run.steps, run.tokens
    (5500, 11264000)
    """
    try:
        cfg = log["train_config"]
        run = TrainingRun(
            int(parameters),
            int(cfg["steps"]),
            int(cfg.get("sparse_steps", 0) or 0),
            int(cfg["batch_size"]),
            int(cfg["n_ctx"]),
            float(log["seconds"]),
            str(log.get("device", "unknown")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"the training log lacks what a run needs: {exc}") from None
    if run.seconds <= 0 or run.tokens <= 0:
        raise ModelFileError("the training log records no time or no tokens")
    return run

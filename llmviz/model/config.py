"""The model's hyper-parameters, stored beside the weights as ``config.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from llmviz.errors import ModelFileError

__all__ = [
    "ModelConfig",
    "ACT_FNS",
    "GPT3_CONFIG",
    "MatrixFamily",
    "matrix_families",
    "weight_counts",
    "other_parameter_counts",
    "attention_parameters",
    "pattern_entries",
]


#: The MLP's activations: ReLU, exact GELU, and GELU's tanh approximation (GPT-2's "gelu_new").
ACT_FNS = ("relu", "gelu", "gelu_tanh")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a GPT-style decoder-only transformer.

    Examples
    --------
    >>> cfg = ModelConfig(vocab_size=100, d_model=16, n_heads=2, n_layers=1)
    >>> cfg.d_head, cfg.d_mlp
    (8, 64)
    """

    vocab_size: int = 2048
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_mlp: int = 0  # 0 means 4 * d_model
    n_ctx: int = 64
    act_fn: str = "relu"  # one of ACT_FNS
    ln_eps: float = 1e-5
    biases: bool = False  # attention (b_Q, b_K, b_V, b_O) and unembedding (b_U) biases, as GPT-2

    def __post_init__(self) -> None:
        for name in ("vocab_size", "d_model", "n_heads", "n_layers", "d_mlp", "n_ctx"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be a whole number, not {value!r}")
            low = 0 if name == "d_mlp" else 1
            if value < low:
                raise ValueError(
                    f"{name} must be at least {low}{' (0 means 4 * d_model)' if low == 0 else ''}, "
                    f"not {value}"
                )
        if isinstance(self.ln_eps, bool) or not isinstance(self.ln_eps, (int, float)):
            raise ValueError(f"ln_eps must be a number > 0, not {self.ln_eps!r}")
        if not 0 < self.ln_eps < 1:
            raise ValueError(f"ln_eps must be a number between 0 and 1, not {self.ln_eps!r}")
        if not isinstance(self.biases, bool):
            raise ValueError(f"biases must be true or false, not {self.biases!r}")
        if not isinstance(self.act_fn, str):
            raise ValueError(f"act_fn must be one of {', '.join(ACT_FNS)}, not {self.act_fn!r}")
        if self.d_mlp == 0:
            object.__setattr__(self, "d_mlp", 4 * self.d_model)
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads}); "
                f"for example n_heads {', '.join(str(h) for h in range(1, 17) if self.d_model % h == 0)}"
            )
        if self.act_fn not in ACT_FNS:
            raise ValueError(f"act_fn must be one of {', '.join(ACT_FNS)}, not {self.act_fn!r}")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def to_json(self, path: Path) -> None:
        data = asdict(self)
        if not self.biases:
            del data["biases"]  # configs without biases are written as before the key existed
        Path(path).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> ModelConfig:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ModelFileError(f"model config not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"model config {path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ModelFileError(
                f"model config {path} must be a JSON object of settings, not {type(data).__name__}"
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelFileError(
                f"model config {path} has unknown keys {unknown}; allowed: {sorted(known)}"
            )
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"model config {path} is invalid: {exc}") from None


#: GPT-3 175B's published shape, used for the lecture's parameter counts (never run).
GPT3_CONFIG = ModelConfig(
    vocab_size=50_257,
    d_model=12_288,
    n_heads=96,
    n_layers=96,
    d_mlp=49_152,
    n_ctx=2048,
    act_fn="gelu",
)


def weight_counts(cfg: ModelConfig) -> dict[str, int]:
    """Weights in the lecture's eight matrix families, computed from a config.

    Biases, LayerNorm and position embeddings are left out, as in the lecture's count; see
    :func:`other_parameter_counts` for those.

    Examples
    --------
    >>> counts = weight_counts(GPT3_CONFIG)
    >>> counts["embedding"], counts["total"]
    (617558016, 175181291520)
    """
    d, L = cfg.d_model, cfg.n_layers
    per_map = cfg.n_heads * d * cfg.d_head  # one of W_Q, W_K, "value down", "value up" (W_O)
    counts = {
        "embedding": cfg.vocab_size * d,
        "query": L * per_map,
        "key": L * per_map,
        "value": L * per_map * 2,  # value-down (W_V) and value-up (W_O) together
        "up_projection": L * d * cfg.d_mlp,
        "down_projection": L * cfg.d_mlp * d,
        "unembedding": d * cfg.vocab_size,
    }
    counts["attention"] = counts["query"] + counts["key"] + counts["value"]
    counts["mlp"] = counts["up_projection"] + counts["down_projection"]
    counts["total"] = (
        counts["embedding"] + counts["attention"] + counts["mlp"] + counts["unembedding"]
    )
    return counts


@dataclass(frozen=True)
class MatrixFamily:
    """One of the lecture's eight families of weight matrices.

    ``matrices`` counts separate matrices as the lecture draws them (one query map per head and
    layer, one output matrix per layer with its heads' value-up maps stapled together);
    ``rows`` x ``cols`` is the shape of one of them; ``weights`` is the family's total.
    """

    name: str
    matrices: int
    rows: int
    cols: int

    @property
    def weights(self) -> int:
        return self.matrices * self.rows * self.cols


def matrix_families(cfg: ModelConfig) -> list[MatrixFamily]:
    """The eight matrix families of a config, in the order data flows through them.

    The value map of each head is counted as its value-down matrix (``W_V``, d_head x d_model);
    its value-up half lives in the layer's output matrix ``W_O`` (d_model x heads*d_head). Shapes
    are given as the lecture writes them (output rows x input columns).

    Examples
    --------
    >>> fams = matrix_families(GPT3_CONFIG)
    >>> [f.name for f in fams]
    ['Embedding', 'Key', 'Query', 'Value', 'Output', 'Up-projection', 'Down-projection', 'Unembedding']
    >>> sum(f.matrices for f in fams), sum(f.weights for f in fams)
    (27938, 175181291520)
    """
    d, L, H, dh = cfg.d_model, cfg.n_layers, cfg.n_heads, cfg.d_head
    return [
        MatrixFamily("Embedding", 1, d, cfg.vocab_size),
        MatrixFamily("Key", L * H, dh, d),
        MatrixFamily("Query", L * H, dh, d),
        MatrixFamily("Value", L * H, dh, d),
        MatrixFamily("Output", L, d, H * dh),
        MatrixFamily("Up-projection", L, cfg.d_mlp, d),
        MatrixFamily("Down-projection", L, d, cfg.d_mlp),
        MatrixFamily("Unembedding", 1, cfg.vocab_size, d),
    ]


def other_parameter_counts(cfg: ModelConfig) -> dict[str, int]:
    """Parameters outside the eight families: position embedding and MLP biases, and with
    ``cfg.biases`` the attention and unembedding biases (LayerNorms have no parameters here: a
    loaded GPT-2's gains and biases are folded into the next weights).

    Examples
    --------
    >>> other_parameter_counts(ModelConfig(vocab_size=10, d_model=4, n_heads=2, n_layers=1, n_ctx=3))
    {'position_embedding': 12, 'mlp_biases': 20}
    """
    counts = {
        "position_embedding": cfg.n_ctx * cfg.d_model,
        "mlp_biases": cfg.n_layers * (cfg.d_mlp + cfg.d_model),
    }
    if cfg.biases:
        counts["attention_biases"] = cfg.n_layers * (3 * cfg.n_heads * cfg.d_head + cfg.d_model)
        counts["unembedding_bias"] = cfg.vocab_size
    return counts


def attention_parameters(cfg: ModelConfig) -> dict[str, int]:
    """Attention weights of a config: one map, one head, one layer, all layers, and the share of
    the eight families; the value map's full and factored sizes.

    Examples
    --------
    >>> p = attention_parameters(GPT3_CONFIG)
    >>> p["map"], p["head"], p["all_layers"]
    (1572864, 6291456, 57982058496)
    """
    fams = {f.name: f for f in matrix_families(cfg)}
    per_map = cfg.d_head * cfg.d_model
    total_attn = sum(fams[n].weights for n in ("Query", "Key", "Value", "Output"))
    return {
        "map": per_map,
        "head": 4 * per_map,  # query, key, value-down, value-up
        "layer": 4 * per_map * cfg.n_heads,
        "all_layers": total_attn,
        "total": weight_counts(cfg)["total"],
        "value_full": cfg.d_model * cfg.d_model,
        "value_factored": 2 * per_map,
    }


def pattern_entries(n_tokens: int, cfg: ModelConfig) -> tuple[int, int]:
    """Entries in one head's pattern, and in all heads of all layers, for ``n_tokens``.

    Examples
    --------
    >>> pattern_entries(2048, GPT3_CONFIG)
    (4194304, 38654705664)
    """
    per_head = n_tokens * n_tokens
    return per_head, per_head * cfg.n_heads * cfg.n_layers

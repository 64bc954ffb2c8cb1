"""The model's hyper-parameters, stored beside the weights as ``config.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from llmviz.errors import ModelFileError

__all__ = ["ModelConfig", "GPT3_CONFIG"]


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
    act_fn: str = "relu"  # "relu" or "gelu"
    ln_eps: float = 1e-5

    def __post_init__(self) -> None:
        if self.d_mlp == 0:
            object.__setattr__(self, "d_mlp", 4 * self.d_model)
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads})"
            )
        if self.act_fn not in ("relu", "gelu"):
            raise ValueError(f"act_fn must be 'relu' or 'gelu', not {self.act_fn!r}")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> ModelConfig:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ModelFileError(f"model config not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"model config {path} is not valid JSON: {exc}") from None
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelFileError(
                f"model config {path} has unknown keys {unknown}; allowed: {sorted(known)}"
            )
        return cls(**data)


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

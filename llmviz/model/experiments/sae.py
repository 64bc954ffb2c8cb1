"""A small sparse autoencoder on one MLP layer's neurons, trained on activations over the corpus.

A sparse autoencoder rewrites each activation vector (``blocks.L.mlp.hook_post`` at one token,
``d_mlp`` numbers) as a sparse mix of learned *features*: ``a ≈ b_dec + Σ_f z_f d_f`` with
``z = ReLU((a - b_dec) W_enc + b_enc)`` and a penalty on ``|z|`` that keeps few features on.
Interpretability research uses this to split neurons that carry several features. Here it is small
(a few hundred features, seconds to train) and seeded; the shipped summary of the default run
(``data/sae.json``: each feature's strongest contexts in the corpus; ``data/sae.safetensors``: its
weights, for the tests to check the summary against) comes from
``python -m llmviz.model.experiments.sae``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from llmviz.errors import LLMVizError
from llmviz.model.trace import hook_name
from llmviz.paths import PACKAGE_DATA

__all__ = [
    "strongest_feature",
    "features_at_tokens",
    "TokenFeature",
    "SAEConfig",
    "SAEResult",
    "SAEWeights",
    "train_sae",
    "load_sae",
    "load_sae_weights",
    "model_fingerprint",
    "SHIPPED",
    "SHIPPED_WEIGHTS",
]

SHIPPED = PACKAGE_DATA / "sae.json"
SHIPPED_WEIGHTS = PACKAGE_DATA / "sae.safetensors"


def model_fingerprint(model) -> str:
    """The SHA-256 of the model's ``model.safetensors``: which model an autoencoder belongs to
    ("" for a model with no such file)."""
    path = Path(model.path) / "model.safetensors"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


@dataclass(frozen=True)
class SAEWeights:
    """The trained autoencoder: ``z = ReLU((a - b_dec) W_enc + b_enc)``, ``a ≈ z W_dec + b_dec``."""

    W_enc: np.ndarray  # [d_mlp, n_features]
    b_enc: np.ndarray  # [n_features]
    W_dec: np.ndarray  # [n_features, d_mlp]
    b_dec: np.ndarray  # [d_mlp]

    def encode(self, acts: np.ndarray) -> np.ndarray:
        """Feature values for activations shaped ``[..., d_mlp]`` (float32, a new array)."""
        a = np.asarray(acts, dtype=np.float32)
        return np.maximum((a - self.b_dec) @ self.W_enc + self.b_enc, 0.0)

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        save_file({k: np.ascontiguousarray(getattr(self, k)) for k in _WEIGHT_NAMES}, str(path))


_WEIGHT_NAMES = ("W_enc", "b_enc", "W_dec", "b_dec")


@dataclass(frozen=True)
class SAEConfig:
    layer: int = 1
    n_features: int = 512
    n_sentences: int = 3000  # corpus sentences whose every token's activations train it
    steps: int = 3000
    batch: int = 512
    lr: float = 1e-3
    l1: float = 3e-2
    seed: int = 0
    top_k: int = 5  # strongest contexts kept per feature


@dataclass(frozen=True)
class SAEResult:
    """What the trained autoencoder found: per feature, its strongest contexts (text up to and
    including the token, the token, the feature's value), and its alignment with single
    neurons; plus the training's reconstruction quality and sparsity."""

    config: SAEConfig
    explained: float  # share of the activations' variance the reconstruction keeps
    mean_active: float  # features on per token, on average
    dead: int  # features never on
    features: dict[int, dict] = field(default_factory=dict)
    probes: dict[str, list[list[float]]] = field(default_factory=dict)  # prompt: [[f, value]]
    seconds: float = 0.0
    model_sha256: str = ""  # the model it was trained on (see model_fingerprint)

    def fits(self, model) -> bool:
        """Whether this autoencoder was trained on ``model`` (the same weights file)."""
        return bool(self.model_sha256) and self.model_sha256 == model_fingerprint(model)

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> SAEResult:
        data = json.loads(Path(path).read_text())
        data["config"] = SAEConfig(**data["config"])
        data["features"] = {int(k): v for k, v in data["features"].items()}
        return cls(**data)

    def strongest_for(self, prompt: str) -> tuple[int, float]:
        """The feature most on at the last token of a probe prompt, and its value."""
        if prompt not in self.probes or not self.probes[prompt]:
            raise LLMVizError(f"{prompt!r} was not probed; probed prompts: {list(self.probes)}")
        f, v = self.probes[prompt][0]
        return int(f), float(v)


def _activations(model, cfg: SAEConfig) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Activations of every token of the first sentences of the corpus, with each token's
    context (the sentence up to it) and the token."""
    from llmviz.model.corpus import generate_corpus

    rows, where = [], []
    hook = hook_name("post", cfg.layer)
    for sentence in generate_corpus(cfg.n_sentences, seed=cfg.seed + 1):
        t = model.run(sentence)
        rows.append(t[hook])
        for i, tok in enumerate(t.tokens):
            where.append(("".join(t.tokens[: i + 1]), tok))
    return np.concatenate(rows).astype(np.float32), where


def train_sae(
    model, cfg: SAEConfig = SAEConfig(), verbose: bool = False
) -> tuple[SAEResult, SAEWeights]:
    """Train the autoencoder on ``model``'s activations (CPU, seeded); its summary and weights.

    Examples
    --------
    >>> import llmviz
    >>> r, w = train_sae(llmviz.load_model(), SAEConfig(n_features=32, n_sentences=40, steps=50))
    >>> 0 <= r.explained <= 1 and r.mean_active > 0, w.W_enc.shape[1]
    (True, 32)
    """
    if cfg.layer not in range(model.cfg.n_layers):
        raise LLMVizError(f"layer must be 0..{model.cfg.n_layers - 1}, not {cfg.layer}")
    t0 = time.time()
    acts, where = _activations(model, cfg)
    X = torch.from_numpy(acts)
    n, d = X.shape
    gen = torch.Generator().manual_seed(cfg.seed)
    W_dec = torch.randn(cfg.n_features, d, generator=gen)
    W_dec = (W_dec / W_dec.norm(dim=1, keepdim=True)).requires_grad_(True)
    W_enc = W_dec.detach().T.clone().requires_grad_(True)
    b_enc = torch.zeros(cfg.n_features, requires_grad=True)
    b_dec = X.mean(0).clone().requires_grad_(True)
    opt = torch.optim.Adam([W_enc, b_enc, W_dec, b_dec], lr=cfg.lr)

    def encode(x):
        return torch.relu((x - b_dec) @ W_enc + b_enc)

    for step in range(cfg.steps):
        idx = torch.randint(n, (min(cfg.batch, n),), generator=gen)
        x = X[idx]
        z = encode(x)
        recon = z @ W_dec + b_dec
        loss = (recon - x).pow(2).sum(-1).mean() + cfg.l1 * (z * W_dec.norm(dim=1)).sum(-1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if verbose and (step + 1) % 500 == 0:
            print(f"  step {step + 1}/{cfg.steps}  loss {loss.item():.4f}", flush=True)
    with torch.no_grad():
        Z = encode(X)
        recon = Z @ W_dec + b_dec
        explained = 1 - float((recon - X).pow(2).sum() / (X - X.mean(0)).pow(2).sum())
        on = Z > 0
        dec = (W_dec / W_dec.norm(dim=1, keepdim=True)).numpy()
        from llmviz.model.corpus import LECTURE_PROMPTS

        probes = {}
        for p in LECTURE_PROMPTS:
            z = encode(torch.tensor(model.run(p)[hook_name("post", cfg.layer)][-1:]))[0]
            order = torch.argsort(z, descending=True)[:3]
            probes[p] = [[int(f), round(float(z[f]), 4)] for f in order if z[f] > 0]
        features = {}
        for f in range(cfg.n_features):
            col = Z[:, f]
            if not bool(on[:, f].any()):
                continue
            top, seen = [], set()  # the strongest distinct contexts (the corpus repeats sentences)
            for i in torch.topk(col, min(64 * cfg.top_k, n)).indices.tolist():
                if col[i] > 0 and where[i][0] not in seen and len(top) < cfg.top_k:
                    seen.add(where[i][0])
                    top.append(
                        {
                            "context": where[i][0],
                            "token": where[i][1],
                            "value": round(float(col[i]), 4),
                        }
                    )
            neuron = int(np.argmax(np.abs(dec[f])))
            features[f] = {
                "top": top,
                "frequency": round(float(on[:, f].float().mean()), 5),
                "neuron": neuron,  # the neuron its decoder direction leans on most
                "neuron_weight": round(float(dec[f, neuron]), 4),  # that neuron's share (cosine)
            }
    result = SAEResult(
        cfg,
        max(0.0, min(1.0, explained)),
        float(on.float().sum(1).mean()),
        int(cfg.n_features - len(features)),
        features,
        probes,
        round(time.time() - t0, 1),
        model_fingerprint(model),
    )
    weights = SAEWeights(*(t.detach().numpy().copy() for t in (W_enc, b_enc, W_dec, b_dec)))
    return result, weights


@dataclass(frozen=True)
class TokenFeature:
    """The feature most on at one token of a prompt: ``feature`` is None (and ``value`` 0) where
    no feature is on."""

    position: int
    token: str
    feature: int | None
    value: float


def _fitting(model, result: SAEResult | None) -> SAEResult:
    result = result or load_sae()
    if not result.fits(model):
        raise LLMVizError(
            "the shipped autoencoder was trained on the embedded model, not on this one; "
            "run python -m llmviz.model.experiments.sae with this model to train one"
        )
    return result


def features_at_tokens(model, prompt: str, result: SAEResult | None = None) -> list[TokenFeature]:
    """For every token of ``prompt`` (any prompt: its activations are encoded with the shipped
    weights), the feature of the shipped autoencoder most on there and its value.

    Raises
    ------
    LLMVizError
        If the shipped autoencoder was trained on another model than ``model``.

    Examples
    --------
    >>> import llmviz
    >>> per_token = features_at_tokens(llmviz.load_model(), "Michael Jordan plays the sport of")
    >>> [t.token for t in per_token][:2], all(t.value >= 0 for t in per_token)
    (['Michael', ' Jordan'], True)
    """
    result = _fitting(model, result)
    trace = model.run(prompt)
    z = load_sae_weights().encode(trace[hook_name("post", result.config.layer)])  # [pos, feature]
    out = []
    for i, token in enumerate(trace.tokens):
        f = int(np.argmax(z[i]))
        on = bool(z[i, f] > 0)
        out.append(TokenFeature(i, token, f if on else None, float(z[i, f]) if on else 0.0))
    return out


def strongest_feature(
    model, prompt: str, result: SAEResult | None = None
) -> tuple[int, float] | None:
    """The last token's entry of :func:`features_at_tokens` (which see for the errors) as
    ``(feature, value)``; None when no feature is on there.

    Examples
    --------
    >>> import llmviz
    >>> f = strongest_feature(llmviz.load_model(), "Michael Jordan plays the sport of")
    >>> f is None or f[1] > 0
    True
    """
    last = features_at_tokens(model, prompt, result)[-1]
    return None if last.feature is None else (last.feature, last.value)


def load_sae() -> SAEResult:
    """The shipped summary of the default run."""
    if not SHIPPED.is_file():
        raise LLMVizError(
            f"no autoencoder summary at {SHIPPED}; run python -m llmviz.model.experiments.sae"
        )
    return SAEResult.from_json(SHIPPED)


def load_sae_weights(path: Path = SHIPPED_WEIGHTS) -> SAEWeights:
    """The shipped autoencoder's weights (``data/sae.safetensors``)."""
    from safetensors.numpy import load_file

    if not Path(path).is_file():
        raise LLMVizError(
            f"no autoencoder weights at {path}; run python -m llmviz.model.experiments.sae"
        )
    t = load_file(str(path))
    return SAEWeights(*(t[k] for k in _WEIGHT_NAMES))


def main(argv: list[str] | None = None) -> None:
    import llmviz

    parser = argparse.ArgumentParser(
        prog="python -m llmviz.model.experiments.sae", description=__doc__
    )
    parser.add_argument("--out", type=Path, default=SHIPPED)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    r, w = train_sae(llmviz.load_model(device="cpu"), verbose=True)
    r.to_json(args.out)
    w.save(args.out.with_suffix(".safetensors"))
    print(
        f"explained {100 * r.explained:.1f}% of the variance, {r.mean_active:.1f} features on per "
        f"token, {r.dead} dead; {r.seconds}s -> {args.out}"
    )


if __name__ == "__main__":
    main()

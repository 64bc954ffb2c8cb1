"""Rebuild the shipped model from the generated corpus: ``llmviz train`` or ``python -m llmviz.model.train``.

Deterministic for a given seed and device. Training has two phases. First the whole model learns
the corpus. Then only the MLPs of the later layers train a while longer with a penalty on their
neurons' total activation, so that each fact comes to rest in few neurons instead of being spread
over many (see the README: before this, no single neuron's removal changed an answer).

Records the loss curve, the model's top predictions for the lecture prompts at a handful of
checkpoints, and the embedding rows of the lecture's words as training goes into
``training_log.json`` beside the weights.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from llmviz.device import device as pick_device
from llmviz.errors import LLMVizError, ModelFileError
from llmviz.model.config import ModelConfig
from llmviz.model.corpus import LECTURE_PROMPTS, SNAPSHOT_WORDS, generate_corpus
from llmviz.model.tokenizer import Tokenizer
from llmviz.model.trace import hook_name
from llmviz.model.transformer import Transformer
from llmviz.paths import writable_folder

__all__ = [
    "TrainConfig",
    "train",
    "DEFAULT_OUT",
    "main",
    "load_training_log",
    "Checkpoint",
    "checkpoint_predictions",
]

DEFAULT_OUT = Path(__file__).parent / "data"


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    n_sentences: int = 60_000
    vocab_size: int = 2048
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 3
    n_ctx: int = 64
    act_fn: str = "relu"
    d_mlp: int = 0  # 0 means 4 * d_model
    steps: int = 4000
    batch_size: int = 32
    lr: float = 3e-3
    warmup: int = 100
    weight_decay: float = 0.05
    log_every: int = 10
    mlp_l1: float = 0.01  # penalty on the MLP neurons' mean total activation (sparse neurons)
    sparse_steps: int = 1500  # then only the MLPs train this many steps more, with the penalty
    sparse_layers: tuple[int, ...] | None = (1, 2)  # the MLPs that train then (None: all)
    checkpoints: tuple[int, ...] = (0, 25, 100, 300, 1000, 3000)  # plus the final step
    #: steps at which the embedding rows of the lecture's words are recorded (plus the last)
    snapshots: tuple[int, ...] = (
        0,
        10,
        25,
        50,
        100,
        150,
        200,
        300,
        500,
        750,
        1000,
        1500,
        2000,
        3000,
        4000,
    )

    @property
    def total_steps(self) -> int:
        """Optimiser steps in all: ``steps`` of the whole model, then ``sparse_steps`` of the
        MLPs alone."""
        return self.steps + self.sparse_steps

    @classmethod
    def in_all(cls, total: int, **kwargs) -> TrainConfig:
        """A config that trains ``total`` optimiser steps in all, however many phases: the
        default split between the two phases (4000 then 1500) kept in proportion.

        Examples
        --------
        >>> c = TrainConfig.in_all(1)
        >>> c.total_steps, c.steps, c.sparse_steps
        (1, 1, 0)
        >>> c = TrainConfig.in_all(5500)
        >>> c.steps, c.sparse_steps
        (4000, 1500)
        """
        if not isinstance(total, int) or isinstance(total, bool) or total < 1:
            from llmviz.errors import ArgumentError

            raise ArgumentError(f"steps must be a whole number >= 1, not {total!r}")
        base = cls(**kwargs)
        if not base.sparse_steps:
            return cls(**{**kwargs, "steps": total})
        first = max(1, round(total * base.steps / base.total_steps))
        return cls(**{**kwargs, "steps": first, "sparse_steps": total - first})


def _batches(stream: np.ndarray, starts: np.ndarray, cfg: TrainConfig, gen: torch.Generator):
    """Yield ``(x, y)`` windows of ``n_ctx`` tokens that begin at sentence starts."""
    idx = torch.arange(cfg.n_ctx + 1)
    stream_t = torch.from_numpy(stream)
    starts_t = torch.from_numpy(starts)
    while True:
        pick = starts_t[torch.randint(len(starts_t), (cfg.batch_size,), generator=gen)]
        window = stream_t[pick[:, None] + idx[None, :]]  # [batch, n_ctx + 1]
        yield window[:, :-1], window[:, 1:]


def _lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def _predictions(model: Transformer, tok: Tokenizer, dev: torch.device, k: int = 5) -> dict:
    out = {}
    for prompt in LECTURE_PROMPTS:
        ids = torch.tensor([tok.encode(prompt)], device=dev)
        probs = model(ids)[0, -1].float().softmax(-1).cpu()
        top = probs.topk(k)
        out[prompt] = [
            [tok.decode([int(i)]), round(float(p), 5)]
            for p, i in zip(top.values, top.indices, strict=True)
        ]
    return out


def train(
    cfg: TrainConfig = TrainConfig(),
    out: Path = DEFAULT_OUT,
    device: str | None = None,
    verbose: bool = True,
) -> dict:
    """Train the model and write weights, config, tokenizer and training log into ``out``.

    Runs on one CPU thread: the model is tiny, one thread is fastest, and the result then does
    not depend on how many cores the machine has (sums in another order round differently).
    """
    out = writable_folder(out, "out")  # before minutes of training, not after
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(cfg, out, device, verbose)
    finally:
        torch.set_num_threads(threads)


def _train(cfg: TrainConfig, out: Path, device: str | None, verbose: bool) -> dict:
    t0 = time.time()
    dev = pick_device(device)
    torch.manual_seed(cfg.seed)
    sentences = generate_corpus(cfg.n_sentences, cfg.seed)
    tok = Tokenizer.train(sentences, vocab_size=cfg.vocab_size)
    encoded = [tok.encode(s + "\n") for s in sentences]
    lengths = np.array([len(e) for e in encoded])
    stream = np.concatenate([np.concatenate(encoded), np.zeros(cfg.n_ctx + 1, dtype=np.int64)])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    starts = starts[starts + cfg.n_ctx + 1 <= lengths.sum()]
    mcfg = ModelConfig(
        vocab_size=tok.vocab_size,
        d_model=cfg.d_model,
        n_heads=cfg.n_heads,
        n_layers=cfg.n_layers,
        n_ctx=cfg.n_ctx,
        act_fn=cfg.act_fn,
        d_mlp=cfg.d_mlp,
    )
    model = Transformer(mcfg).to(dev)
    neurons: list[torch.Tensor] = []  # this step's MLP activations, for the sparsity penalty
    posts = {hook_name("post", layer) for layer in range(mcfg.n_layers)}
    for name, hp in model.hook_points.items():
        if name in posts and cfg.mlp_l1:
            hp.register_forward_hook(lambda _m, _i, out: neurons.append(out))
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=(0.9, 0.98),
    )
    gen = torch.Generator().manual_seed(cfg.seed)
    batches = _batches(stream.astype(np.int64), starts.astype(np.int64), cfg, gen)
    if verbose:
        n_params = sum(p.numel() for p in model.parameters())
        print(
            f"llmviz train: {len(sentences):,} sentences, {int(lengths.sum()):,} tokens, "
            f"vocab {tok.vocab_size}, {n_params:,} parameters, device {dev}"
        )
    log = {"train_config": asdict(cfg), "loss": [], "checkpoints": []}
    words = [w for w in SNAPSHOT_WORDS if tok.token_id(w) is not None]
    word_ids = torch.tensor([tok.token_id(w) for w in words], dtype=torch.long)
    log["embeddings"] = {"words": words, "steps": [], "rows": []}
    running = 0.0
    total = cfg.steps + cfg.sparse_steps
    for step in range(total + 1):
        if step in cfg.snapshots or step == total:  # rows of W_E, rounded: [word, d_model]
            rows = model.embed.W_E.detach()[word_ids.to(dev)].cpu().numpy().round(4)
            log["embeddings"]["steps"].append(step)
            log["embeddings"]["rows"].append(rows.tolist())
        if step in cfg.checkpoints or step == total:
            model.eval()
            log["checkpoints"].append({"step": step, "predictions": _predictions(model, tok, dev)})
            model.train()
        if step == total:
            break
        if step == cfg.steps and cfg.sparse_steps:
            # second phase: only the MLPs learn, with the sparsity penalty, so that each fact
            # moves into few neurons while attention keeps what it learned
            for name, p in model.named_parameters():
                layer = int(name.split(".")[1]) if name.startswith("blocks.") else -1
                p.requires_grad_(
                    ".mlp." in name and (cfg.sparse_layers is None or layer in cfg.sparse_layers)
                )
            opt = torch.optim.AdamW(
                [p for p in model.parameters() if p.requires_grad],
                lr=cfg.lr * 0.1,
                betas=(0.9, 0.98),
                weight_decay=cfg.weight_decay,
            )
        x, y = next(batches)
        x, y = x.to(dev), y.to(dev)
        for group in opt.param_groups:
            group["lr"] = _lr_at(step, cfg) if step < cfg.steps else cfg.lr * 0.1
        neurons.clear()
        logits, y = model(x).flatten(0, 1), y.flatten()
        loss = F.cross_entropy(logits, y)
        if cfg.mlp_l1 and (step >= cfg.steps or not cfg.sparse_steps):
            loss = loss + cfg.mlp_l1 * sum(a.abs().sum(-1).mean() for a in neurons)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        # the log records the plain cross-entropy (what a uniform guess, ln vocab, is compared to)
        running += F.cross_entropy(logits.detach(), y).item() if cfg.mlp_l1 else loss.item()
        if (step + 1) % cfg.log_every == 0:
            log["loss"].append([step + 1, round(running / cfg.log_every, 5)])
            if verbose and (step + 1) % (cfg.log_every * 25) == 0:
                print(
                    f"  step {step + 1:5d}/{total}  loss {running / cfg.log_every:.4f}  "
                    f"{time.time() - t0:6.1f}s",
                    flush=True,
                )
            running = 0.0
    log["seconds"] = round(time.time() - t0, 1)
    log["device"] = str(dev)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = {
        k: v.detach().cpu().contiguous()
        for k, v in model.state_dict().items()
        if k != "mask" and not k.endswith(".mask")
    }
    save_file(state, str(out / "model.safetensors"))
    mcfg.to_json(out / "config.json")
    tok.save(out / "tokenizer.json")
    (out / "training_log.json").write_text(json.dumps(log, indent=1) + "\n")
    if verbose:
        print(f"llmviz train: wrote {out} in {log['seconds']}s")
    return log


# --- the training log: what a run recorded beside the weights ---------------------------------
def load_training_log(model_dir: str | Path | None = None) -> dict:
    """The log written by ``llmviz train`` beside a model: ``loss`` as ``[step, loss]`` pairs (the
    mean over each ``log_every`` steps), ``checkpoints`` with top-5 predictions for the lecture
    prompts, and ``train_config``.

    Examples
    --------
    >>> log = load_training_log()
    >>> len(log["loss"]), [c["step"] for c in log["checkpoints"]]
    (550, [0, 25, 100, 300, 1000, 3000, 5500])
    """
    from llmviz.model.loader import DEFAULT_MODEL_DIR

    path = (Path(model_dir).expanduser() if model_dir else DEFAULT_MODEL_DIR) / "training_log.json"
    if not path.is_file():
        raise ModelFileError(
            f"no training log at {path}; 'llmviz train' writes training_log.json beside the weights"
        )
    try:
        log = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"training log {path} is not valid JSON: {exc}") from None
    missing = [k for k in ("loss", "checkpoints", "train_config") if k not in log]
    if missing:
        raise ModelFileError(f"training log {path} lacks {', '.join(missing)}")
    return log


@dataclass(frozen=True)
class Checkpoint:
    """The model's top predictions for one prompt at one training step."""

    step: int
    top: tuple[tuple[str, float], ...]  # (token, probability), most likely first

    def prob_of(self, token: str) -> float | None:
        """The recorded probability of ``token``, or None if it was not among the top ones."""
        return next((p for t, p in self.top if t == token), None)


def checkpoint_predictions(log: dict, prompt: str) -> list[Checkpoint]:
    """The recorded predictions for ``prompt`` at each checkpoint of a training log.

    Examples
    --------
    >>> cps = checkpoint_predictions(load_training_log(), "Michael Jordan plays the sport of")
    >>> cps[-1].top[0][0]
    ' basketball'
    """
    out = []
    recorded = list(log["checkpoints"][0]["predictions"]) if log["checkpoints"] else []
    if prompt not in recorded:
        raise LLMVizError(
            f"the training log has predictions only for {recorded}, not for {prompt!r}"
        )
    for c in log["checkpoints"]:
        out.append(
            Checkpoint(int(c["step"]), tuple((t, float(p)) for t, p in c["predictions"][prompt]))
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m llmviz.model.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--steps",
        type=int,
        default=TrainConfig().total_steps,
        help="optimiser steps in all, both phases (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: auto)")
    args = parser.parse_args(argv)
    train(TrainConfig.in_all(args.steps, seed=args.seed), out=args.out, device=args.device)


if __name__ == "__main__":
    main()

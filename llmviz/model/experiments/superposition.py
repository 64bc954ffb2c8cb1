"""How many nearly perpendicular directions fit in N dimensions? A real torch experiment.

``run_experiment`` draws many random unit vectors (by default 3,000 in 100 dimensions), then
nudges them with gradient descent so that every pair is as close to perpendicular as possible, and
returns histograms of all pairwise angles before and after. In N dimensions at most N directions
are *exactly* perpendicular, but far more can be *nearly* perpendicular (the Johnson-Lindenstrauss
lemma: the number grows exponentially with N for a fixed tolerance).

The result is cached as JSON: the package ships the default run, so scenes render without
recomputing; ``python -m llmviz.model.experiments.superposition`` (or ``--device cuda``) recomputes it.
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

from llmviz.device import device as pick_device
from llmviz.paths import PACKAGE_DATA
from llmviz.paths import cache_dir as llmviz_cache

__all__ = [
    "SuperpositionConfig",
    "SuperpositionResult",
    "run_experiment",
    "load_or_run",
    "welch_bound",
    "SHIPPED_RESULT",
]

SHIPPED_RESULT = PACKAGE_DATA / "superposition.json"
BIN_EDGES = np.linspace(60.0, 120.0, 241)  # quarter-degree bins


@dataclass(frozen=True)
class SuperpositionConfig:
    """The shipped default fits a 2-core CPU in about two minutes; the lecture's 10,000 vectors
    run with ``--n-vectors 10000`` (best on a GPU: every step compares all pairs)."""

    n_vectors: int = 3000
    dim: int = 100
    steps: int = 300
    batch: int = 3000  # vectors updated per step, each against all the others (all of them here)
    lr: float = 100_000.0  # large because the loss is a mean over n * batch pairs
    seed: int = 0


@dataclass(frozen=True)
class SuperpositionResult:
    config: SuperpositionConfig
    bin_edges: list[float]
    random_counts: list[int]  # histogram of pairwise angles (degrees) of the random start
    optimized_counts: list[int]  # ... after optimisation
    random_stats: dict[str, float]
    optimized_stats: dict[str, float]
    loss: list[float]  # loss at each step
    seconds: float
    device: str

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self)) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> SuperpositionResult:
        data = json.loads(Path(path).read_text())
        data["config"] = SuperpositionConfig(**data["config"])
        return cls(**data)


def _angle_histogram(x: torch.Tensor, chunk: int = 2048) -> tuple[np.ndarray, dict[str, float]]:
    """Histogram of the angles between all pairs of rows of ``x`` (unit length), chunk by chunk."""
    n = x.shape[0]
    counts = np.zeros(len(BIN_EDGES) - 1, dtype=np.int64)
    total, s1, s2, lo, hi, within1 = 0, 0.0, 0.0, 180.0, 0.0, 0
    for start in range(0, n, chunk):
        block = x[start : start + chunk] @ x.T  # [chunk, n] cosines
        rows = torch.arange(start, min(start + chunk, n), device=x.device)
        mask = torch.arange(n, device=x.device)[None, :] > rows[:, None]  # each pair once
        cos = block[mask].clamp(-1, 1)
        angles = torch.rad2deg(torch.arccos(cos)).double().cpu().numpy()
        counts += np.histogram(angles, BIN_EDGES)[0]
        total += angles.size
        s1 += angles.sum()
        s2 += (angles**2).sum()
        lo, hi = min(lo, float(angles.min())), max(hi, float(angles.max()))
        within1 += int(np.sum(np.abs(angles - 90) <= 1))
    mean = s1 / total
    stats = {
        "pairs": total,
        "mean": mean,
        "std": math.sqrt(max(s2 / total - mean**2, 0.0)),
        "min": lo,
        "max": hi,
        "within_1_degree": within1 / total,
    }
    return counts, stats


def welch_bound(n: int, dim: int) -> float:
    """The smallest possible largest ``|cos|`` among ``n`` unit vectors in ``dim`` dimensions (Welch, 1974).

    Examples
    --------
    >>> round(welch_bound(10_000, 100), 4)   # no 10,000 directions in 100-D are all within 84.3-95.7 deg
    0.0995
    """
    return math.sqrt(max(n - dim, 0) / (dim * (n - 1))) if n > 1 else 0.0


def run_experiment(
    config: SuperpositionConfig = SuperpositionConfig(),
    device: str | None = None,
    verbose: bool = False,
) -> SuperpositionResult:
    """Optimise ``n_vectors`` unit vectors in ``dim`` dimensions to be pairwise nearly perpendicular."""
    t0 = time.time()
    dev = pick_device(device)
    gen = torch.Generator().manual_seed(config.seed)
    x = torch.randn(config.n_vectors, config.dim, generator=gen).to(dev)
    x = x / x.norm(dim=1, keepdim=True)
    random_counts, random_stats = _angle_histogram(x)
    x.requires_grad_(True)
    opt = torch.optim.SGD([x], lr=config.lr)  # plain gradient descent, projected onto the sphere
    bound = welch_bound(config.n_vectors, config.dim)
    batch = min(config.batch, config.n_vectors)
    losses = []
    for step in range(config.steps):
        rows = torch.randperm(config.n_vectors, generator=gen)[:batch].to(dev)
        unit = x / x.norm(dim=1, keepdim=True)
        cos = unit[rows] @ unit.T  # [batch, n]: cosines of the sampled vectors with all others
        cos = cos.masked_fill(
            torch.arange(config.n_vectors, device=dev)[None, :] == rows[:, None], 0.0
        )
        # penalise only pairs further from 90 degrees than the Welch bound allows on average
        loss = (
            (cos.abs() - bound).relu().pow(2).mean()
        )  # per pair: the step size does not grow with n
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():  # stay on the unit sphere: only directions matter
            x /= x.norm(dim=1, keepdim=True)
        losses.append(float(loss.detach()))
        if verbose and (step + 1) % 50 == 0:
            print(
                f"  step {step + 1}/{config.steps}  loss {losses[-1]:.5f}  {time.time() - t0:.1f}s",
                flush=True,
            )
    with torch.no_grad():
        unit = x / x.norm(dim=1, keepdim=True)
        opt_counts, opt_stats = _angle_histogram(unit)
    return SuperpositionResult(
        config,
        BIN_EDGES.tolist(),
        random_counts.tolist(),
        opt_counts.tolist(),
        random_stats,
        opt_stats,
        losses,
        round(time.time() - t0, 1),
        str(dev),
    )


def load_or_run(
    config: SuperpositionConfig = SuperpositionConfig(),
    cache_dir: Path | None = None,
    device: str | None = None,
) -> SuperpositionResult:
    """The shipped result when ``config`` is the default, else a cached or freshly computed one."""
    if SHIPPED_RESULT.exists():
        shipped = SuperpositionResult.from_json(SHIPPED_RESULT)
        if shipped.config == config:
            return shipped
    cache_dir = Path(cache_dir) if cache_dir else llmviz_cache()
    key = "_".join(f"{k}{v}" for k, v in asdict(config).items())
    path = cache_dir / f"superposition_{key}.json"
    if path.exists():
        return SuperpositionResult.from_json(path)
    result = run_experiment(config, device=device)
    cache_dir.mkdir(parents=True, exist_ok=True)
    result.to_json(path)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.model.experiments.superposition",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=SHIPPED_RESULT)
    parser.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--n-vectors", type=int, default=SuperpositionConfig.n_vectors)
    parser.add_argument("--dim", type=int, default=SuperpositionConfig.dim)
    parser.add_argument("--steps", type=int, default=SuperpositionConfig.steps)
    args = parser.parse_args(argv)
    cfg = SuperpositionConfig(
        n_vectors=args.n_vectors, dim=args.dim, steps=args.steps, batch=args.n_vectors
    )
    result = run_experiment(cfg, device=args.device, verbose=True)
    result.to_json(args.out)
    r, o = result.random_stats, result.optimized_stats
    print(
        f"random:    angles {r['min']:.1f}..{r['max']:.1f} deg, std {r['std']:.2f}, within 1 deg of 90: "
        f"{100 * r['within_1_degree']:.1f}%"
    )
    print(
        f"optimised: angles {o['min']:.1f}..{o['max']:.1f} deg, std {o['std']:.2f}, within 1 deg of 90: "
        f"{100 * o['within_1_degree']:.1f}%   ({result.seconds}s on {result.device}) -> {args.out}"
    )


if __name__ == "__main__":
    main()

"""How many nearly perpendicular directions fit in 2, 3, 10, 100 and 1,000 dimensions?

A real experiment behind the intuition of the Johnson-Lindenstrauss lemma: for each dimension,
``capacity_sweep`` looks for the largest number of unit vectors whose every pair is within
``tolerance`` degrees of perpendicular, by gradient descent on the sphere (each try starts from
random directions and pushes apart every pair that is too close to parallel). The count climbs
from the dimension itself (2, 3, 10) to far more than the dimension (100, 1,000), where the search
stops at ``max_n`` and says so.

The default sweep ships as ``data/capacity.json``; ``python -m llmviz.model.experiments.capacity`` (on CUDA
when present, ``--device cpu`` to force) recomputes it.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from llmviz.device import device as pick_device
from llmviz.errors import LLMVizError
from llmviz.paths import PACKAGE_DATA

__all__ = ["CapacityConfig", "Capacity", "fits", "capacity_sweep", "load_capacity", "SHIPPED"]

SHIPPED = PACKAGE_DATA / "capacity.json"


@dataclass(frozen=True)
class CapacityConfig:
    dims: tuple[int, ...] = (2, 3, 10, 100, 1000)
    tolerance: float = 5.0  # degrees from 90 that every pair may be
    max_n: int = 1024  # the search stops here (a lower bound then)
    steps: int = 300  # gradient steps per try
    lr: float = 0.05
    seed: int = 0


@dataclass(frozen=True)
class Capacity:
    """For each dimension: the most vectors found with every pair within the tolerance, whether
    the search stopped at ``max_n`` (then it is only a lower bound), and the worst pair's angle
    from 90 degrees for that many vectors."""

    config: CapacityConfig
    counts: dict[int, int]
    capped: dict[int, bool]
    worst: dict[int, float]  # degrees away from 90 of the worst pair at the count found
    tries: list[tuple[int, int, float]] = field(default_factory=list)  # (dim, n, worst degrees)
    seconds: float = 0.0
    device: str = "cpu"

    def to_json(self, path: Path) -> None:
        data = asdict(self)
        data["config"]["dims"] = list(self.config.dims)
        Path(path).write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> Capacity:
        data = json.loads(Path(path).read_text())
        cfg = data.pop("config")
        cfg["dims"] = tuple(cfg["dims"])
        ints = lambda d: {int(k): v for k, v in d.items()}  # noqa: E731  (JSON keys are text)
        return cls(
            CapacityConfig(**cfg),
            ints(data["counts"]),
            ints(data["capped"]),
            ints(data["worst"]),
            [tuple(t) for t in data["tries"]],
            data["seconds"],
            data["device"],
        )


def fits(n: int, dim: int, cfg: CapacityConfig, dev: torch.device) -> float:
    """The worst pair's distance from 90 degrees after pushing ``n`` random unit vectors in
    ``dim`` dimensions apart (``cfg.steps`` steps of Adam, back on the sphere after each).

    Examples
    --------
    >>> import torch
    >>> cfg, cpu = CapacityConfig(steps=50), torch.device("cpu")
    >>> fits(2, 2, cfg, cpu) <= cfg.tolerance, fits(3, 2, cfg, cpu) > cfg.tolerance  # 2 fit a plane, 3 do not
    (True, True)
    """
    if n < 2:
        return 0.0
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + dim * 7919 + n)
    x = torch.randn(n, dim, generator=gen).to(dev)
    x = (x / x.norm(dim=1, keepdim=True)).requires_grad_(True)
    target = math.sin(math.radians(cfg.tolerance)) * 0.9  # aim a little inside the tolerance
    opt = torch.optim.Adam([x], lr=cfg.lr)
    eye = torch.eye(n, dtype=torch.bool, device=dev)
    for _ in range(cfg.steps):
        unit = x / x.norm(dim=1, keepdim=True)
        cos = (unit @ unit.T).masked_fill(eye, 0.0)
        loss = (cos.abs() - target).relu().pow(2).sum() / n
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            x /= x.norm(dim=1, keepdim=True)
    with torch.no_grad():
        unit = x / x.norm(dim=1, keepdim=True)
        worst = (unit @ unit.T).masked_fill(eye, 0.0).abs().max().clamp(max=1.0)
    return float(math.degrees(math.asin(float(worst))))


def capacity_sweep(
    cfg: CapacityConfig = CapacityConfig(), device: str | None = None, verbose: bool = False
) -> Capacity:
    """For each dimension, the largest count that fits (doubling from the dimension, then
    bisecting between the last count that fit and the first that did not)."""
    if cfg.tolerance <= 0 or cfg.tolerance >= 90:
        raise LLMVizError(f"tolerance must be between 0 and 90 degrees, not {cfg.tolerance}")
    if any(d < 1 for d in cfg.dims) or cfg.max_n < 2:
        raise LLMVizError("dims must be positive and max_n at least 2")
    t0, dev = time.time(), pick_device(device)
    counts, capped, worst, tries = {}, {}, {}, []

    def ok(n: int, dim: int) -> bool:
        w = fits(n, dim, cfg, dev)
        tries.append((dim, n, round(w, 3)))
        if verbose:
            print(f"  {dim:5d} dims, {n:5d} vectors: worst pair {w:5.2f} deg from 90", flush=True)
        return w <= cfg.tolerance

    for dim in cfg.dims:
        good, bad, n = 1, None, max(2, min(dim, cfg.max_n))
        while True:  # double until a count does not fit, or max_n fits
            if not ok(n, dim):
                bad = n
                break
            good = n
            if n >= cfg.max_n:
                break
            n = min(2 * n, cfg.max_n)
        if bad is not None:
            while bad - good > max(1, good // 16):  # bisect to about 6%
                mid = (good + bad) // 2
                good, bad = (mid, bad) if ok(mid, dim) else (good, mid)
        counts[dim], capped[dim] = good, bad is None
        worst[dim] = next((w for d, k, w in reversed(tries) if d == dim and k == good), 0.0)
    return Capacity(cfg, counts, capped, worst, tries, round(time.time() - t0, 1), str(dev))


def load_capacity() -> Capacity:
    """The shipped sweep (``data/capacity.json``)."""
    if not SHIPPED.is_file():
        raise LLMVizError(
            f"no capacity sweep at {SHIPPED}; run python -m llmviz.model.experiments.capacity"
        )
    return Capacity.from_json(SHIPPED)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.model.experiments.capacity", description=__doc__
    )
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--max-n", type=int, default=CapacityConfig.max_n)
    args = parser.parse_args(argv)
    result = capacity_sweep(CapacityConfig(max_n=args.max_n), args.device, verbose=True)
    result.to_json(args.out)
    for d in result.config.dims:
        more = " (the search stopped there)" if result.capped[d] else ""
        print(
            f"{d:5d} dimensions: {result.counts[d]:6d} directions within ±{result.config.tolerance:g}° of 90°{more}"
        )
    print(f"{result.seconds}s on {result.device} -> {args.out}")


if __name__ == "__main__":
    main()

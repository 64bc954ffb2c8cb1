"""The ``llmviz`` command."""

from __future__ import annotations

from pathlib import Path

import click

from llmviz.errors import LLMVizError

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmviz")
def main() -> None:
    """llmviz: lecture scenes about LLMs, every value from a real forward pass."""


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: the package's shipped model directory).",
)
@click.option(
    "--steps", type=click.IntRange(min=1), default=None, help="Optimiser steps (default 4000)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for the corpus and training."
)
@click.option(
    "--device", default=None, help="cpu, cuda or cuda:N (default: CUDA if present, else CPU)."
)
def train(out: Path | None, steps: int | None, seed: int, device: str | None) -> None:
    """Rebuild the embedded model from the generated corpus."""
    from llmviz.model.train import DEFAULT_OUT, TrainConfig
    from llmviz.model.train import train as run_training

    cfg = TrainConfig(seed=seed) if steps is None else TrainConfig(seed=seed, steps=steps)
    try:
        run_training(cfg, out=out or DEFAULT_OUT, device=device)
    except LLMVizError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("prompt")
@click.option("-k", "--top", "k", type=click.IntRange(1, 50), default=8, show_default=True)
@click.option("--temperature", "-t", type=click.FloatRange(min=0), default=1.0, show_default=True)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A trained model directory (default: the embedded model).",
)
def trace(prompt: str, k: int, temperature: float, model_dir: Path | None) -> None:
    """Show the tokens, top next tokens, strongest attention per head and most active neurons."""
    import numpy as np

    import llmviz
    from llmviz.model.analysis import strongest_attention
    from llmviz.style import display_token

    try:
        model = llmviz.load_model(model_dir)
        t = model.run(prompt)
        top = t.top_k(k, temperature=temperature)
    except LLMVizError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"tokens ({t.n_tokens}): " + " | ".join(display_token(s) for s in t.tokens))
    click.echo(f"\nnext token (temperature {temperature:g}):")
    for cand in top:
        click.echo(
            f"  {display_token(cand.token):>14}  {cand.prob:7.2%}  " + "#" * round(40 * cand.prob)
        )
    click.echo("\nstrongest attention per head (query <- key, ignoring self and position 0):")
    for layer, head, q, key, w in strongest_attention(t):
        click.echo(
            f"  L{layer}H{head}: {display_token(t.tokens[q]):>12} <- {display_token(t.tokens[key]):<12} {w:.2f}"
        )
    click.echo("\nmost active MLP neurons at the last token:")
    for layer in range(model.cfg.n_layers):
        post = t[f"blocks.{layer}.mlp.hook_post"][-1]
        best = np.argsort(-post)[:5]
        click.echo(f"  layer {layer}: " + ", ".join(f"#{n} {post[n]:.2f}" for n in best))


if __name__ == "__main__":
    main()

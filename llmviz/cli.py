"""The ``llmviz`` command."""

from __future__ import annotations

import time
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


SETTING_OPTIONS = [
    click.option("--prompt", default=None, help="The scene's prompt (text)."),
    click.option(
        "--contrasts", default=None, help="Contrast prompts, separated by '|' (MLP chapter)."
    ),
    click.option("--temperature", type=float, default=None, help="Softmax temperature (>= 0)."),
    click.option("--seed", type=int, default=None, help="Sampling seed (>= 0)."),
    click.option("--model-dir", default=None, help="A trained model directory."),
    click.option("--theme", default=None, help="Colour theme: dark or light."),
    click.option("--font", default=None, help="Font for words and tokens."),
    click.option(
        "--decimals", type=int, default=None, help="Digits after the decimal point (0-6)."
    ),
    click.option(
        "--voice",
        default=None,
        help="Narration voice: none (default; subtitles), espeak, or a Piper .onnx voice file.",
    ),
]


def setting_options(fn):
    for option in reversed(SETTING_OPTIONS):
        fn = option(fn)
    return fn


def _settings_env(**values) -> dict[str, str]:
    """Flags to LLMVIZ_* variables for the render processes, checked first."""
    from llmviz.config import resolve_settings

    overrides = {k: v for k, v in values.items() if v is not None}
    resolve_settings(overrides=overrides)  # raises a ConfigError naming the key
    return {f"LLMVIZ_{k.upper()}": str(v) for k, v in overrides.items()}


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from None


@main.command("list")
@click.option(
    "--scenes-dir", type=click.Path(path_type=Path), default=Path("scenes"), show_default=True
)
@click.option(
    "--media-dir", type=click.Path(path_type=Path), default=Path("media"), show_default=True
)
@click.option(
    "--sections/--no-sections", default=True, help="Run each scene dry to list its sections."
)
def list_scenes(scenes_dir: Path, media_dir: Path, sections: bool) -> None:
    """Chapters, their scene classes, sections and rendered durations."""
    from llmviz.workflow import QUALITY_DIRS, find_scenes, video_duration

    try:
        refs = find_scenes(scenes_dir)
    except LLMVizError as exc:
        _fail(exc)
    current = None
    for ref in refs:
        if ref.module != current:
            current = ref.module
            click.echo(f"\n{ref.file}")
        rendered = []
        for q, folder in QUALITY_DIRS.items():
            d = video_duration(ref.video(media_dir, q))
            if d is not None:
                rendered.append(f"{folder} {d:.1f}s")
        click.echo(f"  {ref.name:<28} {', '.join(rendered) or 'not rendered':<24} {ref.doc}")
        if sections:
            try:
                names = _section_names(ref)
            except (Exception, SystemExit) as exc:  # a broken scene is reported, not fatal
                click.echo(f"      (could not run it to list sections: {exc})")
                continue
            for name in names:
                click.echo(f"      - {name}")


def _section_names(ref) -> list[str]:
    from manim import tempconfig

    from llmviz.workflow import _load

    cls = getattr(_load(ref.file), ref.name)
    with tempconfig(
        {
            "dry_run": True,
            "quality": "low_quality",
            "disable_caching": True,
            "verbosity": "ERROR",
            "progress_bar": "none",
        }
    ):
        scene = cls()
        scene.render()
    return [name for name, _ in getattr(scene, "narration", [])]


@main.command()
@click.argument("scenes", nargs=-1)
@click.option(
    "--all", "all_scenes", is_flag=True, help="Render every scene in the scenes directory."
)
@click.option(
    "-q",
    "--quality",
    type=click.Choice(["l", "m", "h", "k"]),
    default="l",
    show_default=True,
    help="480p15, 720p30, 1080p60 or 2160p60.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Scenes rendered at once, each in its own process.",
)
@click.option(
    "--scenes-dir", type=click.Path(path_type=Path), default=Path("scenes"), show_default=True
)
@click.option(
    "--media-dir", type=click.Path(path_type=Path), default=Path("media"), show_default=True
)
@setting_options
def render(scenes, all_scenes, quality, jobs, scenes_dir, media_dir, **settings) -> None:
    """Render scenes in parallel processes, for example MLPChapter or mlp:UpProjection."""
    from llmviz.workflow import render_scenes, resolve_scenes

    try:
        env = _settings_env(**settings)
        refs = resolve_scenes(list(scenes), scenes_dir, all_scenes)
    except LLMVizError as exc:
        _fail(exc)
    click.echo(f"rendering {len(refs)} scene(s) at -q{quality} with {min(jobs, len(refs))} job(s)")

    def done(result, k, n):
        mark = "ok  " if result.ok else "FAIL"
        where = result.video if result.ok else "see the log below"
        click.echo(f"[{k}/{n}] {mark} {result.scene.label} ({result.seconds:.1f}s) -> {where}")
        if not result.ok:
            click.echo("      " + result.log.strip()[-2000:].replace("\n", "\n      "))

    results = render_scenes(refs, quality, jobs, media_dir, env, on_done=done)
    failed = [r for r in results if not r.ok]
    click.echo(f"{len(results) - len(failed)} rendered, {len(failed)} failed")
    if failed:
        raise SystemExit(1)


@main.command()
@click.argument("scenes", nargs=-1, required=True)
@click.option(
    "-q",
    "--quality",
    type=click.Choice(["l", "m", "h", "k"]),
    default="m",
    show_default=True,
    help="480p15, 720p30, 1080p60 or 2160p60.",
)
@click.option(
    "--to",
    "formats",
    default="html,pptx,pdf",
    show_default=True,
    help="Decks to write, comma-separated: html (one offline file with speaker view), pptx, pdf.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--scenes-dir", type=click.Path(path_type=Path), default=Path("scenes"), show_default=True
)
@click.option(
    "--media-dir", type=click.Path(path_type=Path), default=Path("media"), show_default=True
)
@setting_options
def slides(scenes, quality, formats, jobs, scenes_dir, media_dir, **settings) -> None:
    """Slide decks with speaker notes (one slide per section, its narration as the notes), in
    MEDIA_DIR/slides/SCENE/: deck.html, deck.pptx, deck.pdf, a PNG per section and deck.md."""
    from llmviz.workflow import (
        make_slides,
        parse_formats,
        render_scenes,
        require_slides,
        resolve_scenes,
    )

    try:
        chosen = parse_formats(formats)
        require_slides()  # before minutes of rendering
        env = _settings_env(**settings)
        refs = resolve_scenes(list(scenes), scenes_dir)
    except LLMVizError as exc:
        _fail(exc)
    click.echo(
        f"rendering {len(refs)} scene(s) with sections at -q{quality}, "
        f"then writing {', '.join(chosen)}, PNGs and deck.md"
    )
    results = render_scenes(refs, quality, jobs, media_dir, env, sections=True)
    failed = False
    for result in results:
        if not result.ok:
            click.echo(f"FAIL {result.scene.label}:\n{result.log}")
            failed = True
            continue
        t0 = time.time()
        try:
            out = make_slides(
                result.scene, media_dir.resolve(), quality, media_dir / "slides", chosen
            )
        except LLMVizError as exc:
            click.echo(f"FAIL {result.scene.label}: {exc}")
            failed = True
            continue
        n = len(list(out.glob("*.png")))
        decks = ", ".join(f"deck.{f}" for f in (*chosen, "md"))
        click.echo(
            f"ok   {result.scene.label}: {n} slides (render {result.seconds:.1f}s, decks "
            f"{time.time() - t0:.1f}s) -> {out}/ {decks}"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

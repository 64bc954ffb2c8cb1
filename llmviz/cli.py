"""The ``llmviz`` command."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import click

from llmviz.errors import LLMVizError, escape_controls
from llmviz.model.trace import hook_name
from llmviz.paths import writable_folder

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmviz")
def main() -> None:
    """llmviz: lecture scenes about LLMs, every value from a real forward pass."""


@main.command()
@click.option(
    "--out",
    type=str,  # checked by llmviz (an empty one would be the working folder to click)
    default=None,
    help="Output directory (default: the package's shipped model directory).",
)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=None,
    help="Optimiser steps in all, both phases (default 5500: 4000 for the whole model, then "
    "1500 for the MLPs alone).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**32 - 1),
    default=0,
    show_default=True,
    help="Seed for the corpus and training.",
)
@click.option(
    "--device", default=None, help="cpu, cuda or cuda:N (default: CUDA if present, else CPU)."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar with step, loss and time left (default: when the output is a terminal).",
)
def train(
    out: str | None, steps: int | None, seed: int, device: str | None, progress: bool | None
) -> None:
    """Rebuild the embedded model from the generated corpus."""
    import contextlib

    from llmviz.model.train import DEFAULT_OUT, TrainConfig
    from llmviz.model.train import train as run_training

    cfg = TrainConfig(seed=seed) if steps is None else TrainConfig.in_all(steps, seed=seed)
    try:
        out = writable_folder(DEFAULT_OUT if out is None else out, "--out")
    except LLMVizError as exc:
        _fail(exc)
    with _progress_display(progress) as live:
        writer = _TrainProgress(live, cfg.total_steps) if live is not None else None
        try:
            with contextlib.redirect_stdout(writer) if writer else contextlib.nullcontext():
                run_training(cfg, out=out, device=device)
        except LLMVizError as exc:
            _fail(exc)


class _TrainProgress:
    """Reads llmviz train's step lines and moves a rich bar: step, loss, time left."""

    _STEP = re.compile(r"step\s+(\d+)/(\d+)\s+loss\s+([\d.]+)")

    def __init__(self, live, total: int) -> None:
        self.live = live
        self.task = live.add_task("training", total=total, loss="")
        self.buffer = ""

    def write(self, text: str) -> int:
        self.buffer += text
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            m = self._STEP.search(line)
            if m:
                step, total, loss = int(m.group(1)), int(m.group(2)), m.group(3)
                self.live.update(
                    self.task, completed=step, total=total, loss=f"step {step}/{total} loss {loss}"
                )
            elif line.strip():
                self.live.console.print(line, markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def _progress_display(enabled: bool | None):
    """A rich Progress (bars with elapsed and estimated time left) when ``enabled`` (default:
    the output is a terminal), else None."""
    import sys

    if enabled is None:
        enabled = sys.stdout.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    live = Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.fields[loss]}"),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=Console(file=sys.stdout, force_terminal=True),
    )
    with live:
        yield live


MODEL_DIR_OPTION = click.option(
    "--model-dir",
    "--model",
    "model_dir",
    default=None,
    help="A trained model directory or a GPT-2 folder (default: the embedded model); "
    "--model is the same flag.",
)


@main.command()
@MODEL_DIR_OPTION
def facts(model_dir: str | None) -> None:
    """What the embedded model knows, with the model's own probability for each: the athletes
    and their sports, names it never saw, the creatures' verbs, capitals and other lecture
    words. Pick prompts for your class from these."""
    import llmviz
    from llmviz.config import check_setting
    from llmviz.model.pretraining import model_facts
    from llmviz.style import display_token

    try:
        if model_dir is not None:
            model_dir = check_setting("model_dir", model_dir, "--model-dir")
        model = llmviz.load_model(model_dir)
        sections = model_facts(model)
    except LLMVizError as exc:
        _fail(exc)
    click.echo(f"What {model.path} predicts (P = the model's probability of the expected token)")
    click.echo(
        "Names of the grid are made up unless marked real; a real athlete keeps a real sport."
    )
    for name, rows in sections:
        click.echo(f"\n{name}:")
        for prompt, expected, top, p, agrees in rows:
            mark = "" if agrees else f"   (its top token is {display_token(top)})"
            click.echo(
                f"  {prompt:<40} -> {display_token(expected):<12} P = {p:6.1%}{mark}"
                f"{_real_mark(prompt)}"
            )


def _real_mark(prompt: str) -> str:
    """``"   [real athlete: golf]"`` after a fact prompt that names a real athlete, else ``""``."""
    from llmviz.model.corpus import real_sport

    name = prompt.removesuffix(" plays the sport of")
    sport = real_sport(name) if name != prompt else None
    return f"   [real athlete: {sport}]" if sport else ""


@main.command()
@click.argument("prompt")
@click.option("-k", "--top", "k", type=click.IntRange(1, 50), default=8, show_default=True)
@click.option("--temperature", "-t", type=click.FloatRange(min=0), default=1.0, show_default=True)
@MODEL_DIR_OPTION
def trace(prompt: str, k: int, temperature: float, model_dir: str | None) -> None:
    """Show the tokens, top next tokens, strongest attention per head and most active neurons.

    Tokens and characters that would steer a terminal (ESC, BEL) are printed as escapes."""
    import numpy as np

    import llmviz
    from llmviz.config import check_setting
    from llmviz.model.analysis import strongest_attention
    from llmviz.style import display_token

    try:
        if model_dir is not None:  # checked as the setting is, naming the flag
            model_dir = check_setting("model_dir", model_dir, "--model-dir")
        model = llmviz.load_model(model_dir)
        t = model.run(prompt)
        top = t.top_k(k, temperature=temperature)
    except LLMVizError as exc:
        _fail(exc)
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
        post = t[hook_name("post", layer)][-1]
        best = [n for n in np.argsort(-post)[:5] if post[n] > 0.005]  # active: shown as > 0.00
        shown = ", ".join(f"#{n} {post[n]:.2f}" for n in best)
        click.echo(f"  layer {layer}: {shown or 'no neuron is active'}")


def _setting_option(entry):
    """A CLI flag generated from an entry of the settings registry (llmviz.config.SETTINGS)."""
    types = {"temperature": float, "seed": int, "decimals": int}
    return click.option(
        entry.flag,
        *entry.aliases,
        entry.name,
        type=types.get(entry.name, str),
        default=None,
        help=f"{entry.full_help[0].upper()}{entry.full_help[1:]}; also {entry.env}.",
    )


def _setting_options():
    from llmviz.config import SETTINGS

    return [_setting_option(entry) for entry in SETTINGS]


SETTING_OPTIONS = _setting_options()


SCENES_DIR_OPTION = click.option(
    "--scenes-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of scene files (default: ./scenes if it exists, else the lecture in the package).",
)

PROGRESS_OPTION = click.option(
    "--progress/--no-progress",
    default=None,
    help="A bar per scene with elapsed and estimated time (default: when the output is a terminal).",
)


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


def _scenes_dir(given: Path | None) -> Path:
    from llmviz.lesson import scenes_dir

    return scenes_dir(given)


def _fail(exc: Exception) -> None:
    raise click.ClickException(escape_controls(str(exc), keep_newlines=True)) from None


@main.command("list")
@SCENES_DIR_OPTION
@click.option(
    "--media-dir", type=click.Path(path_type=Path), default=Path("media"), show_default=True
)
@click.option(
    "--sections/--no-sections",
    default=True,
    help="List each scene's sections (read from its code; nothing is run).",
)
def list_scenes(scenes_dir: Path, media_dir: Path, sections: bool) -> None:
    """Chapters, their scene classes, sections and rendered durations.

    Scenes and their sections are read from the code (its syntax tree), never by running or
    rendering it, and kept in a cache under a hash of every scene file's contents, so the list
    is instant and always matches the files."""
    from llmviz.workflow import QUALITY_DIRS, scene_listing, unreadable_files, video_duration

    try:
        folder = _scenes_dir(scenes_dir)
        listing = scene_listing(folder)
    except LLMVizError as exc:
        _fail(exc)
    for file, why in unreadable_files(folder):
        click.echo(
            f"\n{file}\n  not read, so none of its scenes are listed: {escape_controls(why)}"
        )
    current = None
    for ref, names in listing:
        if ref.module != current:
            current = ref.module
            click.echo(f"\n{ref.file}")
        rendered = []
        for q, folder in QUALITY_DIRS.items():
            video = ref.video(media_dir, q)
            d = video_duration(video) if video.is_file() else None
            if d is not None:
                rendered.append(f"{folder} {d:.1f}s")
        click.echo(f"  {ref.name:<28} {', '.join(rendered) or 'not rendered':<24} {ref.doc}")
        if sections:
            for name in names:
                click.echo(f"      - {escape_controls(name)}")


def _part_option(ctx, param, value):
    if value is None:
        return None
    from llmviz.workflow.parts import parse_part

    try:
        return parse_part(value)
    except LLMVizError as exc:
        raise click.BadParameter(re.sub(r"^--part [^:]*: ", "", str(exc))) from None


QUALITY_OPTION = click.option(
    "-q",
    "--quality",
    type=click.Choice(["l", "m", "h", "k"]),
    default="l",
    show_default=True,
    help="480p15, 720p30, 1080p60 or 2160p60.",
)


@main.command()
@click.argument("scenes", nargs=-1)
@click.option(
    "--all", "all_scenes", is_flag=True, help="Render every scene in the scenes directory."
)
@QUALITY_OPTION
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Render processes at once: one per scene, or, for one chapter at -q h or k, one per "
    "part of it.",
)
@click.option(
    "--part",
    "part",
    metavar="I/N",
    callback=_part_option,
    default=None,
    help="Render part I of N of one chapter (whole steps) into its parts folder; "
    "`llmviz join` joins the parts.",
)
@click.option(
    "--parts",
    "parts",
    type=click.IntRange(min=1),
    default=None,
    help="Cut one chapter into this many parts (default at -q h and k: --jobs; else 1, one "
    "process).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where the parts of a chapter run: processes here, or Ray tasks (the `cluster` extra).",
)
@click.option(
    "--address",
    default=None,
    help="The Ray cluster for --executor ray (default: a local one with --jobs CPUs).",
)
@click.option(
    "--preset",
    type=click.Choice(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"]),
    default=None,
    help="x264's speed against file size, at the same quality (crf 23); default ultrafast. "
    "medium is manim's own: about 4 times smaller files, 1.6 times the render time.",
)
@SCENES_DIR_OPTION
@click.option("--media-dir", type=str, default="media", show_default=True)
@PROGRESS_OPTION
@setting_options
def render(
    scenes,
    all_scenes,
    quality,
    jobs,
    part,
    parts,
    executor,
    address,
    preset,
    scenes_dir,
    media_dir,
    progress,
    **settings,
) -> None:
    """Render scenes in parallel processes, for example MLPChapter or mlp:UpProjection.

    One chapter at -q h or k with --jobs above 1 is cut into parts at its steps, rendered in
    parallel and joined without re-encoding (the same frames as one process). --part I/N renders one part
    only (a job of a CI matrix or a batch scheduler), and `llmviz join` joins them."""
    from llmviz.workflow import RenderInterrupted, render_scenes, resolve_scenes

    try:
        env = _settings_env(**settings)
        refs = resolve_scenes(list(scenes), _scenes_dir(scenes_dir), all_scenes)
        media_dir = writable_folder(media_dir, "--media-dir")
        if (part or parts or executor != "local" or address) and len(refs) != 1:
            raise LLMVizError(
                "--part, --parts, --executor and --address render one chapter in parts: "
                f"name one scene, not {len(refs)}"
            )
        if address and executor != "ray":
            raise LLMVizError("--address is the Ray cluster of --executor ray")
        if part and (parts or executor != "local"):
            raise LLMVizError("--part renders one part here; it takes no --parts or --executor")
    except LLMVizError as exc:
        _fail(exc)
    if part:
        _render_part(refs[0], part, quality, media_dir, env, preset)
        return
    failed = []
    with _progress_display(progress) as live:
        bars = _RenderBars(live, refs, quality, media_dir)

        def done(result, k, n):
            bars.finish(result)
            mark = "ok  " if result.ok else "FAIL"
            where = result.video if result.ok else escape_controls(result.cause)
            cut = f", {result.extra['parts']} parts" if result.extra.get("parts") else ""
            bars.echo(
                f"[{k}/{n}] {mark} {result.scene.label} ({result.seconds:.1f}s{cut}) -> {where}"
            )
            for note in result.extra.get("notes", ()):
                bars.echo(f"      {escape_controls(note)}")
            if not result.ok and result.log_file is not None:
                bars.echo(f"      the whole log: {result.log_file}")

        def part_done(result, k, n):
            i, total = result.extra.get("part", (k, n))
            mark = "ok  " if result.ok else "FAIL"
            where = "" if result.ok else f" -> {escape_controls(result.cause)}"
            bars.echo(f"      part {i}/{total} {mark} ({result.seconds:.1f}s){where}")

        plan = None
        from llmviz.workflow.render import SPLIT_QUALITIES

        auto = jobs > 1 and quality in SPLIT_QUALITIES  # at -ql/-qm one process is faster
        explicit = parts is not None or executor != "local"
        if len(refs) == 1 and (explicit or auto) and parts != 1:
            from llmviz.workflow.parts import plan_parts, step_sections

            steps = step_sections(refs[0]) or []
            if explicit or len(steps) > 1:
                try:
                    n = parts or max(1, min(jobs, len(steps)))
                    plan = plan_parts(refs[0], n, media_dir, steps or None, env)
                except LLMVizError as exc:
                    bars.stop()
                    _fail(exc)
        how = (
            f"in {plan.parts} parts, {min(jobs, plan.parts)} at a time"
            + (" on Ray" if executor == "ray" else "")
            if plan
            else f"with {min(jobs, len(refs))} job(s)"
        )
        bars.echo(f"rendering {len(refs)} scene(s) at -q{quality} {how}")
        try:
            results = render_scenes(
                refs,
                quality,
                jobs,
                media_dir,
                env,
                on_done=done,
                on_progress=bars.advance,
                parts=plan or (1 if len(refs) == 1 else None),
                executor=executor,
                address=address,
                on_part=part_done,
                preset=preset,
            )
        except RenderInterrupted as exc:
            bars.stop()
            click.echo(f"llmviz render: {exc}", err=True)
            raise SystemExit(130) from None
        except LLMVizError as exc:
            bars.stop()
            _fail(exc)
    failed = [r for r in results if not r.ok]
    click.echo(f"{len(results) - len(failed)} rendered, {len(failed)} failed")
    if failed:
        raise SystemExit(1)


def _render_part(ref, part, quality, media_dir, env, preset) -> None:
    """``llmviz render SCENE --part I/N``: one part, in this process's child."""
    from llmviz.workflow.parts import render_part, reuse_or_plan

    i, n = part
    try:
        plan = reuse_or_plan(ref, n, quality, media_dir, env)
    except LLMVizError as exc:
        _fail(exc)
    first, end = plan.cuts[i - 1], plan.cuts[i]
    names = plan.sections[first:end]
    click.echo(
        f"rendering part {i}/{n} of {ref.label} at -q{quality}: "
        f"{len(names)} section(s), {escape_controls(names[0])!r} to {escape_controls(names[-1])!r}"
    )
    try:
        result = render_part(ref, i, plan, quality, media_dir, env, preset=preset)
    except LLMVizError as exc:
        _fail(exc)
    if not result.ok:
        click.echo(f"FAIL part {i}/{n} ({result.seconds:.1f}s): {escape_controls(result.cause)}")
        if result.log_file is not None:
            click.echo(f"      the whole log: {result.log_file}")
        raise SystemExit(1)
    click.echo(f"ok   part {i}/{n} ({result.seconds:.1f}s) -> {result.video}")
    click.echo(
        f"then, with every part in {result.video.parent}: llmviz join {ref.name} -q {quality}"
    )


@main.command()
@click.argument("scene")
@QUALITY_OPTION
@SCENES_DIR_OPTION
@click.option("--media-dir", type=str, default="media", show_default=True)
@click.option(
    "--keep/--delete-parts",
    default=True,
    help="Keep the parts' videos after joining them (their partial movies always stay).",
)
def join(scene, quality, scenes_dir, media_dir, keep) -> None:
    """Join the parts of SCENE (rendered with `llmviz render SCENE --part I/N`) into its video,
    subtitles and narration, without re-encoding."""
    from llmviz.workflow import resolve_scenes
    from llmviz.workflow.parts import join_parts, parts_folder

    try:
        (ref,) = resolve_scenes([scene], _scenes_dir(scenes_dir))
        media_dir = writable_folder(media_dir, "--media-dir")
        t0 = time.time()
        video = join_parts(ref, quality, media_dir, keep=keep)
    except LLMVizError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(LLMVizError(f"joining the parts in {parts_folder(ref, media_dir, quality)}: {exc}"))
    click.echo(f"joined the parts of {ref.label} ({time.time() - t0:.1f}s) -> {video}")


class _RenderBars:
    """One rich bar per scene: animations written out of those of its last render (so the
    time left is estimated from that render), elapsed time; plain lines without a terminal."""

    def __init__(self, live, refs, quality: str, media_dir: Path) -> None:
        from llmviz.workflow import previous_render

        self.live = live
        self.tasks = {}
        self.totals = {}
        if live is None:
            return
        for ref in refs:
            last = previous_render(ref, quality, media_dir) or {}
            total = last.get("animations") or None
            note = f"last {last['seconds']:.0f}s" if last.get("seconds") else "first render"
            self.tasks[ref] = live.add_task(ref.label, total=total, loss=note, start=False)
            self.totals[ref] = total

    def advance(self, ref, animations: int) -> None:
        if self.live is None:
            return
        task = self.tasks[ref]
        self.live.start_task(task)
        total = self.totals[ref]
        if total is not None and animations >= total:  # more than last time: estimate anew
            self.totals[ref] = animations + 1
            self.live.update(task, total=animations + 1)
        self.live.update(task, completed=animations, loss=f"{animations} animations")

    def finish(self, result) -> None:
        if self.live is None:
            return
        task = self.tasks[result.scene]
        self.live.start_task(task)
        done = result.extra.get("animations") or 1
        self.live.update(task, total=done, completed=done, loss="done" if result.ok else "FAILED")

    def echo(self, line: str) -> None:
        if self.live is None:
            click.echo(line)
        else:
            self.live.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()


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
@SCENES_DIR_OPTION
@click.option("--media-dir", type=str, default="media", show_default=True)
@PROGRESS_OPTION
@setting_options
def slides(scenes, quality, formats, jobs, scenes_dir, media_dir, progress, **settings) -> None:
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
        refs = resolve_scenes(list(scenes), _scenes_dir(scenes_dir))
        media_dir = writable_folder(media_dir, "--media-dir")
    except LLMVizError as exc:
        _fail(exc)
    click.echo(
        f"rendering {len(refs)} scene(s) with sections at -q{quality}, "
        f"then writing {', '.join(chosen)}, PNGs and deck.md"
    )
    with _progress_display(progress) as live:
        bars = _RenderBars(live, refs, quality, media_dir)
        try:
            results = render_scenes(
                refs,
                quality,
                jobs,
                media_dir,
                env,
                sections=True,
                on_done=lambda r, k, n: bars.finish(r),
                on_progress=bars.advance,
            )
        except LLMVizError as exc:  # RenderInterrupted
            bars.stop()
            click.echo(f"llmviz slides: {exc}", err=True)
            raise SystemExit(130) from None
    failed = False
    for result in results:
        if not result.ok:
            where = f" (the whole log: {result.log_file})" if result.log_file else ""
            click.echo(f"FAIL {result.scene.label}: {escape_controls(result.cause)}{where}")
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


@main.command()
@click.argument("scene")
@click.option(
    "--out",
    type=str,
    default=None,
    help="File to write: Markdown, or JSON when it ends in .json (default: Markdown on stdout).",
)
@SCENES_DIR_OPTION
@setting_options
def script(scene, out, scenes_dir, **settings) -> None:
    """The narration of SCENE for the current settings, one row per beat, without rendering:
    read it aloud, or record it beat by beat (`llmviz record`)."""
    from llmviz.errors import PathProblem
    from llmviz.workflow import resolve_scenes
    from llmviz.workflow.script import load_scene_class, scene_beats, script_rows, write_script

    try:
        env = _settings_env(**settings)
        (ref,) = resolve_scenes([scene], _scenes_dir(scenes_dir))
        target = None
        if out is not None:
            if not out.strip():
                raise PathProblem("--out is empty; give a file such as script.md or script.json")
            target = Path(out).expanduser().absolute()
            if target.is_dir():
                raise PathProblem(f"--out {target} is a folder; give a file")
            writable_folder(target.parent, "--out")
        played = scene_beats(load_scene_class(ref), env)
        rows = script_rows(played)
        text = write_script(rows, ref.name, target)
    except LLMVizError as exc:
        _fail(exc)
    for line in played.log.splitlines():
        if line.startswith("llmviz:"):
            click.echo(line, err=True)
    if target is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"{len(rows)} beats of {ref.label} -> {target}")


@main.command()
@click.argument("scene")
@click.option(
    "--to",
    "folder",
    type=str,
    required=True,
    help="Folder for the clips (<beat id>.wav); then render with --voice FOLDER.",
)
@click.option("--redo/--keep", default=False, help="Record again beats that have a clip already.")
@SCENES_DIR_OPTION
@setting_options
def record(scene, folder, redo, scenes_dir, **settings) -> None:
    """Read SCENE's narration into the microphone, beat by beat: each sentence is shown, you
    record it, then keep, redo or skip it. Needs the voice extra (sounddevice)."""
    from llmviz.workflow import record as recording
    from llmviz.workflow import resolve_scenes
    from llmviz.workflow.script import load_scene_class, scene_beats, script_rows

    try:
        env = _settings_env(**settings)
        (ref,) = resolve_scenes([scene], _scenes_dir(scenes_dir))
        target = writable_folder(folder, "--to")
        mic = recording.microphone()
        rows = script_rows(scene_beats(load_scene_class(ref), env))
        click.echo(f"{len(rows)} beats of {ref.label}; clips go to {target}")
        done = recording.record_beats(
            rows,
            target,
            mic,
            ask=lambda prompt: click.prompt(prompt, default="", show_default=False),
            show=click.echo,
            redo=redo,
        )
    except LLMVizError as exc:
        _fail(exc)
    click.echo(
        f"{len(done.recorded)} recorded, {len(done.skipped)} skipped, {len(done.kept)} kept from "
        f"before{' (stopped early)' if done.quit else ''}; render with --voice {target}"
    )


@main.command()
@click.argument("folder", type=str)  # checked by llmviz (click would make '' the working folder)
@click.argument("chapters", nargs=-1)
def init(folder: str, chapters: tuple[str, ...]) -> None:
    """Write a lesson folder to edit: the chosen chapters' scene files (all by default), an
    llmviz.toml with every setting commented, and a short README. Inside FOLDER, llmviz list,
    render and slides use its scenes/."""
    from llmviz.lesson import init_lesson

    try:
        written = init_lesson(folder, list(chapters))
    except LLMVizError as exc:
        _fail(exc)
    click.echo(f"wrote {folder}/ with {', '.join(written)}")
    click.echo(f"next: cd {folder} && llmviz list")


@main.command()
def settings() -> None:
    """Every setting as a Markdown table: type, default, allowed values, CLI flag,
    environment variable and where it is used (the table in the README)."""
    from llmviz.config import settings_markdown

    click.echo(settings_markdown(), nl=False)


if __name__ == "__main__":
    main()

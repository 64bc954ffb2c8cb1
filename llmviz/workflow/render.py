"""Rendering scenes in parallel processes, each video put in place only when it is complete."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from llmviz.errors import LLMVizError
from llmviz.paths import writable_folder
from llmviz.workflow.listing import QUALITY_DIRS, SceneRef

__all__ = [
    "RenderResult",
    "RenderInterrupted",
    "render_scenes",
    "previous_render",
    "video_duration",
    "is_decodable",
    "STOP_GRACE",
    "SLIDES_FOLDER_ENV",
    "failure_cause",
    "log_folder",
    "ENCODER_PRESETS",
    "SPLIT_QUALITIES",
    "DEFAULT_PRESET",
    "encoder_options",
    "RenderJob",
]


@dataclass
class RenderResult:
    """How one scene's render went: ``log`` is the end of manim's output; for a failure,
    ``cause`` is its reason in one line and ``log_file`` the file with the whole output."""

    scene: SceneRef
    ok: bool
    seconds: float
    video: Path | None
    log: str = ""
    extra: dict = field(default_factory=dict)
    cause: str = ""
    log_file: Path | None = None


#: A line of a child's output that says why it failed: an llmviz message, or the last line of a
#: Python traceback (``SomeError: what``), in manim's rich box or not.
_CAUSE = re.compile(
    r"^[\s│|]*((?:llmviz: .+)|(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit)\b:? .+?))[\s│|]*$"
)


def failure_cause(log: str) -> str:
    r"""The one line of a failed render's output that says why: its last llmviz message or
    exception line, else its last line.

    Examples
    --------
    >>> failure_cause("Traceback ...\n│ x │\nNotADirectoryError: [Errno 20] Not a directory: 'm'\n")
    "NotADirectoryError: [Errno 20] Not a directory: 'm'"
    """
    lines = [ln for ln in log.splitlines() if ln.strip()]
    for line in reversed(lines):
        m = _CAUSE.match(line)
        if m:
            return m.group(1).strip()
    return lines[-1].strip() if lines else "the render process ended without output"


class RenderInterrupted(LLMVizError):
    """``llmviz render`` was stopped by SIGINT or SIGTERM; no partial video was put in place."""


#: The render processes running now, stopped together on SIGINT or SIGTERM.
_RUNNING: set[subprocess.Popen] = set()
_LOCK = threading.Lock()
_STOP = threading.Event()
#: Seconds a stopped render process gets to exit before it is killed.
STOP_GRACE = 0.6
#: Where lecture scenes write their manim-slides presentation (llmviz.scene.SLIDES_FOLDER_ENV;
#: named here too so that this module does not import manim).
SLIDES_FOLDER_ENV = "MANIM_SLIDES_FOLDER"
_ANIMATION = re.compile(r"Animation (\d+)\s*:")

#: The qualities at which one chapter with ``--jobs`` above 1 is rendered in parts unless
#: ``--parts`` says otherwise. At -ql a part's share of running the chapter's Python (every part
#: runs it from the start) outweighs what it saves: MLPChapter took 111 s in 2 parts and 102 s in
#: one process on 2 cores; at -qh, 373 s in 2 parts (drawing and encoding 1080p60 dominate).
SPLIT_QUALITIES = ("h", "k")
#: x264 presets ``llmviz render --preset`` offers, fastest first.
ENCODER_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium")
#: The preset of every partial movie ``llmviz render`` writes unless ``--preset`` says otherwise,
#: chosen from measurements at -qh on a 2-core machine (docs/guide/teaching.md, "Where the time
#: goes"); manim's own default is x264's ``medium`` at ``crf=23``.
DEFAULT_PRESET = "ultrafast"


def encoder_options(preset: str | None = None) -> dict[str, str]:
    """The x264 options for ``preset`` (default :data:`DEFAULT_PRESET`), at manim's quality
    (``crf=23``); every preset but ``ultrafast`` is tuned for animation (``tune=animation``:
    flat areas, sharp edges; ``ultrafast`` would gain B-frames from it and lose its speed).

    Examples
    --------
    >>> encoder_options("veryfast")
    {'crf': '23', 'preset': 'veryfast', 'tune': 'animation'}
    """
    preset = preset or DEFAULT_PRESET
    if preset not in ENCODER_PRESETS:
        raise LLMVizError(f"--preset must be one of {', '.join(ENCODER_PRESETS)}, not {preset!r}")
    options = {"crf": "23", "preset": preset}
    if preset != "ultrafast":
        options["tune"] = "animation"
    return options


@dataclass(frozen=True)
class RenderJob:
    """Where one render process writes (``media``: its ``--media_dir``) and where its files are
    put when complete (``dest`` folder, ``name`` stem); ``hook`` runs before manim's command line
    (``python -m llmviz.workflow.child PID *hook manim ...``); ``slides`` is its slides folder."""

    media: Path
    dest: Path
    name: str
    hook: tuple[str, ...] = ("llmviz.workflow.parts", "0", "end")  # every section
    slides: Path | None = None


def log_folder(media_dir: Path) -> Path:
    """Where ``llmviz render`` keeps the whole output of each render that failed."""
    return Path(media_dir) / "logs"


def _partial_stem(ref: SceneRef) -> str:
    """The name a scene's video is written under until it is complete."""
    return f"{ref.name}__llmviz_partial_{os.getpid()}_{threading.get_ident()}"


def is_decodable(video: Path) -> bool:
    """Whether ``video`` opens, has a video stream with frames, and its first and last packets
    are readable (a file cut off while being written fails this).

    Examples
    --------
    >>> is_decodable(Path("no-such-video.mp4"))
    False
    """
    try:
        import av

        with av.open(str(video)) as container:
            if not container.streams.video:
                return False
            packets = sum(1 for p in container.demux(video=0) if p.size)
        with av.open(str(video)) as container:
            first = next(container.decode(video=0), None)
        return packets > 0 and first is not None
    except Exception:
        return False


def _publish(
    ref: SceneRef,
    folder: Path,
    stem: str,
    sections: bool,
    dest: Path | None = None,
    name: str | None = None,
) -> Path:
    """Move a finished render's files from the partial name to the scene's own (or to ``name``
    in folder ``dest``): sections and subtitles first, the video last (each by an atomic
    rename)."""
    dest = folder if dest is None else dest
    name = ref.name if name is None else name
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / f"{name}.mp4"
    video = folder / f"{stem}.mp4"
    if not is_decodable(video):
        raise LLMVizError(f"the render of {ref.label} wrote no readable video at {video}")
    for suffix in (".srt", ".narration.json"):
        src, dst = folder / f"{stem}{suffix}", dest / f"{name}{suffix}"
        if src.is_file():
            os.replace(src, dst)
        elif dst.is_file():
            dst.unlink()  # from an older render; it would not match the new video
    index = folder / "sections" / f"{stem}.json"
    if sections and index.is_file():
        entries = json.loads(index.read_text())
        target = dest / "sections"
        target.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            clip = str(entry.get("video") or "")
            if clip.startswith(stem):
                new = name + clip[len(stem) :]
                os.replace(index.parent / clip, target / new)
                entry["video"] = new
        tmp = target / f"{name}.json.part"
        tmp.write_text(json.dumps(entries, indent=4))
        os.replace(tmp, target / f"{name}.json")
        index.unlink()
    os.replace(video, final)
    for leftover in folder.glob(f"{stem}*"):  # the sound track manim mixed (<stem>.wav), ...
        if leftover.is_file():
            leftover.unlink()
    return final


def _discard(folder: Path, stem: str) -> None:
    """Remove what an interrupted or failed render left under its partial name."""
    for path in [*folder.glob(f"{stem}*"), *(folder / "sections").glob(f"{stem}*")]:
        try:
            path.unlink()
        except OSError:
            pass


def _stats_file(media_dir: Path) -> Path:
    return media_dir / ".llmviz-renders.json"


def _read_stats(media_dir: Path) -> dict:
    try:
        data = json.loads(_stats_file(media_dir).read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _render_one(
    ref: SceneRef,
    quality: str,
    media_dir: Path,
    env: dict[str, str],
    sections: bool,
    on_progress: Callable[[SceneRef, int], None] | None = None,
    job: RenderJob | None = None,
    preset: str | None = None,
) -> RenderResult:
    t0 = time.time()
    if job is None:
        job = RenderJob(media_dir, ref.video(media_dir, quality).parent, ref.name)
    folder = ref.video(job.media, quality).parent
    stem = _partial_stem(ref)
    if _STOP.is_set():
        return RenderResult(ref, False, 0.0, None, "not started: the render was interrupted")
    lines: list[str] = []
    everything: list[str] = []  # the whole output, for the log file of a failed render
    animations = 0
    with tempfile.TemporaryDirectory(prefix="llmviz-render-") as tmp:
        # each job gets its own LaTeX and text caches, so parallel renders never write the same file;
        # partial movies already go to a folder per scene
        cfg = Path(tmp) / "manim.cfg"
        cfg.write_text(encoder_config(tmp, encoder_options(preset)))
        cmd = [
            sys.executable,
            "-m",
            "llmviz.workflow.child",  # the render dies with this process, even on SIGKILL
            str(os.getpid()),
            *job.hook,
            "manim",
            "render",
            f"-q{quality}",
            "--progress_bar",
            "none",
            "--media_dir",
            str(job.media),
            "--config_file",
            str(cfg),
            "-o",
            stem,  # the video is renamed into place only once it is complete
            str(ref.file),
            ref.name,
        ]
        if sections:
            cmd.insert(cmd.index("render") + 1, "--save_sections")
        env = {
            **env,
            SLIDES_FOLDER_ENV: str(job.slides or ref.slides_folder(media_dir, quality)),
            "COLUMNS": "200",  # manim's log lines unwrapped
        }
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=env,
            cwd=os.getcwd(),
            start_new_session=True,  # signals reach it from llmviz only, which forwards them
        )
        with _LOCK:
            _RUNNING.add(proc)
        try:
            for line in proc.stdout:
                lines.append(line)
                if len(everything) < 200_000:
                    everything.append(line)
                if len(lines) > 400:
                    del lines[:200]
                m = _ANIMATION.search(line)
                if m:
                    animations = max(animations, int(m.group(1)) + 1)
                    if on_progress:
                        on_progress(ref, animations)
            proc.wait()
        finally:
            with _LOCK:
                _RUNNING.discard(proc)
    note = ""  # what llmviz adds to manim's output
    ok = proc.returncode == 0 and not _STOP.is_set()
    video = None
    if ok:
        try:
            video = _publish(ref, folder, stem, sections, job.dest, job.name)
        except (LLMVizError, OSError) as exc:
            ok, note = False, f"\n{exc}"
    if not ok:
        _discard(folder, stem)
        if _STOP.is_set():
            note += f"\ninterrupted; nothing was written at {job.dest / (job.name + '.mp4')}"
    log = "".join(lines)[-4000:] + note
    result = RenderResult(ref, ok, time.time() - t0, video, log)
    result.extra["animations"] = animations
    # what the scene says about the settings (llmviz.scene.LectureScene.unused_settings)
    result.extra["notes"] = list(
        dict.fromkeys(
            ln.strip()
            for ln in everything
            if " is not used by " in ln and ln.startswith("llmviz: ")
        )
    )
    if not ok:
        result.cause = failure_cause(log)
        result.log_file = _keep_log(media_dir, ref, "".join(everything) + note)
    return result


def encoder_config(tmp: str | Path, options: dict[str, str]) -> str:
    """The per-job ``manim.cfg``: its own LaTeX and text caches under ``tmp`` and the x264
    ``options`` (manim's ``[video_encoder.options]``)."""
    options = "".join(f"{k} = {v}\n" for k, v in options.items())
    return (
        f"[CLI]\ntex_dir = {tmp}/Tex\ntext_dir = {tmp}/texts\n\n[video_encoder.options]\n{options}"
    )


def _keep_log(media_dir: Path, ref: SceneRef, text: str) -> Path | None:
    """Write a failed render's whole output to ``media/logs/<file>.<Scene>.log``; None when
    that folder cannot be written (the cause is still reported)."""
    target = log_folder(media_dir) / f"{ref.module}.{ref.name}.log"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, errors="replace")
    except OSError:
        return None
    return target


def _stop_children(signum: int) -> None:
    """Pass ``signum`` to every render process group, then kill what is left after
    :data:`STOP_GRACE` seconds."""
    _STOP.set()
    with _LOCK:
        procs = list(_RUNNING)
    for proc in procs:
        try:
            os.killpg(proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.time() + STOP_GRACE
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for proc in procs:
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass


def _run_parallel(
    tasks: list[tuple[SceneRef, Callable[[], RenderResult]]],
    jobs: int,
    on_start: Callable[[SceneRef], None] | None = None,
    on_done: Callable[[RenderResult, int, int], None] | None = None,
) -> list[RenderResult]:
    """Run render ``tasks`` (each renders one scene or part, in a process of its own) ``jobs``
    at a time, in their order; SIGINT and SIGTERM stop every render process
    (:class:`RenderInterrupted`)."""
    results = []
    _STOP.clear()
    stopped: list[int] = []

    def handler(signum, _frame):
        stopped.append(signum)
        _stop_children(signum)
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = {}
    if main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {}
        for ref, task in tasks:
            if on_start:
                on_start(ref)
            futures[pool.submit(task)] = ref
        for k, fut in enumerate(as_completed(futures), 1):
            result = fut.result()
            results.append(result)
            if on_done:
                on_done(result, k, len(tasks))
    except KeyboardInterrupt:
        if not stopped:  # Ctrl-C outside the handler (not the main thread's signal)
            _stop_children(signal.SIGINT)
        pool.shutdown(wait=True, cancel_futures=True)
        name = signal.Signals(stopped[0]).name if stopped else "SIGINT"
        raise RenderInterrupted(
            f"stopped by {name}; the render processes were stopped and no partial video was "
            "put in place (finished scenes are kept)"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for sig, old in previous.items():
            signal.signal(sig, old)
    return results


def render_scenes(
    refs: list[SceneRef],
    quality: str = "l",
    jobs: int = 2,
    media_dir: Path = Path("media"),
    settings_env: dict[str, str] | None = None,
    sections: bool = False,
    on_start: Callable[[SceneRef], None] | None = None,
    on_done: Callable[[RenderResult, int, int], None] | None = None,
    on_progress: Callable[[SceneRef, int], None] | None = None,
    parts=None,
    executor: str = "local",
    address: str | None = None,
    on_part: Callable[[RenderResult, int, int], None] | None = None,
    preset: str | None = None,
) -> list[RenderResult]:
    """Render scenes in parallel processes; a failing scene does not stop the others.

    Each video is written under a temporary name and renamed into place when it is complete
    and readable, so an interrupted or failed render never leaves a broken video at
    ``media/videos/<file>/<quality>/<Scene>.mp4`` (an older one stays). SIGINT and SIGTERM are
    passed on to the render processes, which get :data:`STOP_GRACE` seconds before they are
    killed; then :class:`RenderInterrupted` is raised. ``on_progress(ref, n)`` is called as the
    ``n``-th animation of a scene is written; ``preset`` is x264's (:func:`encoder_options`).

    One chapter (a scene whose steps are its sections) at a quality of :data:`SPLIT_QUALITIES`
    with ``jobs`` above 1, or one scene with ``parts`` given (a number, or a
    :class:`~llmviz.workflow.parts.PartPlan`), is rendered in parts, ``jobs`` at a time, and the parts joined (:mod:`llmviz.workflow.parts`; ``executor="ray"`` runs them on
    Ray); ``on_part(result, k, n)`` is called as each part is done. ``parts=1`` renders it in
    one process.
    """
    if quality not in QUALITY_DIRS:
        raise LLMVizError(f"quality must be one of {', '.join(QUALITY_DIRS)}, not {quality!r}")
    if jobs < 1:
        raise LLMVizError(f"--jobs must be at least 1, not {jobs}")
    encoder_options(preset)  # a bad preset fails here, before any render
    env = {**os.environ, **(settings_env or {})}
    media_dir = writable_folder(media_dir, "--media-dir").resolve()
    plan = None
    explicit = parts is not None or executor != "local"  # asked for parts
    auto = jobs > 1 and not sections and quality in SPLIT_QUALITIES
    if not isinstance(parts, int | None):
        plan = parts  # a PartPlan
    elif len(refs) == 1 and parts != 1 and (explicit or auto):
        from llmviz.workflow.parts import plan_parts, step_sections

        # by itself, only a scene whose steps are its sections is cut (slides need one process)
        steps = step_sections(refs[0]) or []
        if explicit or len(steps) > 1:
            n = parts or max(1, min(jobs, len(steps)))
            plan = plan_parts(refs[0], n, media_dir, steps or None, settings_env)
    if plan is not None:
        from llmviz.workflow.parts import render_in_parts

        ref = refs[0]
        if on_start:
            on_start(ref)
        result = render_in_parts(
            ref,
            quality,
            jobs,
            media_dir,
            settings_env,
            sections,
            plan,
            executor,
            address,
            on_part,
            on_progress,
            preset,
        )
        if on_done:
            on_done(result, 1, 1)
        results = [result]
    else:
        tasks = [
            (
                ref,
                lambda ref=ref: _render_one(
                    ref, quality, media_dir, env, sections, on_progress, None, preset
                ),
            )
            for ref in refs
        ]
        results = _run_parallel(tasks, jobs, on_start, on_done)
    stats = _read_stats(media_dir)
    for r in results:
        if r.ok:
            key = f"{r.scene.label}@{quality}"
            stats[key] = {"seconds": round(r.seconds, 1), "animations": r.extra.get("animations")}
    try:
        tmp = _stats_file(media_dir).with_suffix(".part")
        media_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(stats, indent=1))
        os.replace(tmp, _stats_file(media_dir))
    except OSError:
        pass
    order = {ref: i for i, ref in enumerate(refs)}
    return sorted(results, key=lambda r: order[r.scene])


def previous_render(ref: SceneRef, quality: str, media_dir: Path) -> dict | None:
    """``{"seconds": ..., "animations": ...}`` of the last successful ``llmviz render`` of
    ``ref`` at ``quality`` into ``media_dir`` (for estimates), or None."""
    return _read_stats(Path(media_dir).resolve()).get(f"{ref.label}@{quality}")


def video_duration(path: Path) -> float | None:
    """Seconds of a rendered video, or None if it cannot be read."""
    try:
        import av

        with av.open(str(path)) as container:
            return container.duration / 1e6 if container.duration else None
    except Exception:
        return None

"""One chapter rendered in parts, in parallel processes (or on Ray), and the parts joined.

A lecture scene's sections are its steps. A *part* is a run of whole sections: its render
process runs the scene's ``construct`` from the start, but manim skips the animations of the
sections before the part (they are played, not drawn: manim's own mechanism for
``manim render -n START,END``, here selected by section instead of by animation number) and
the render ends where the next part begins. So every part's video starts at a section boundary,
and its narration times, subtitle cues and sound track are in the chapter's own time.

:func:`join_parts` puts the parts together without re-encoding: the video streams are copied
one after another (as manim joins its partial movies), the sound track is copied from the last
part (whose render placed every beat's audio, in chapter time), and the subtitles,
``<Scene>.narration.json`` and the ``--save_sections`` index are taken from the part that
rendered each section. The joined video has the very frames a one-process render has.

Where the parts go: ``<video folder>/parts/<Scene>/`` (:func:`parts_folder`), each part as
``<Scene>.part02of04.mp4`` with its ``.srt``, ``.narration.json`` and ``.part.json`` (what
:func:`join_parts` checks), plus ``<Scene>.plan.json``: which sections each part holds.

This module does not import manim (only the render process does, through :func:`main`).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmviz.errors import LLMVizError
from llmviz.workflow.listing import QUALITY_DIRS, SceneRef, _step_titles, scene_sections
from llmviz.workflow.render import (
    RenderJob,
    RenderResult,
    _render_one,
    _run_parallel,
    is_decodable,
)

__all__ = [
    "parse_part",
    "PartPlan",
    "plan_parts",
    "parts_folder",
    "part_name",
    "render_part",
    "render_in_parts",
    "join_parts",
    "EXECUTORS",
    "step_sections",
    "reuse_or_plan",
    "measure_sections",
    "install_range",
]

#: How the parts of ``llmviz render --jobs N`` run: processes on this machine, or Ray tasks.
EXECUTORS = ("local", "ray")
_PART = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_part(text: str) -> tuple[int, int]:
    """``"2/4"`` as ``(2, 4)``: part 2 of 4 (counted from 1).

    Examples
    --------
    >>> parse_part("2/4")
    (2, 4)
    >>> parse_part("5/4")
    Traceback (most recent call last):
    ...
    llmviz.errors.LLMVizError: --part 5/4: the part must be from 1 to 4
    """
    m = _PART.match(str(text))
    if not m:
        raise LLMVizError(f"--part {text!r}: write I/N, for example 2/4 (part 2 of 4)")
    i, n = int(m.group(1)), int(m.group(2))
    if n < 1:
        raise LLMVizError(f"--part {text}: the number of parts must be at least 1")
    if not 1 <= i <= n:
        raise LLMVizError(f"--part {text}: the part must be from 1 to {n}")
    return i, n


def parts_folder(ref: SceneRef, media_dir: Path, quality: str) -> Path:
    """Where the parts of ``ref`` at ``quality`` are rendered and found by :func:`join_parts`."""
    return ref.video(Path(media_dir), quality).parent / "parts" / ref.name


def part_name(ref: SceneRef, i: int, n: int) -> str:
    """The file stem of part ``i`` of ``n``: ``MLPChapter.part02of04``."""
    width = max(2, len(str(n)))
    return f"{ref.name}.part{i:0{width}d}of{n:0{width}d}"


@dataclass(frozen=True)
class PartPlan:
    """How a scene is cut: part ``k`` (from 0) holds sections ``cuts[k]`` to ``cuts[k + 1]``
    (``cuts[0] == 0``, ``cuts[-1] == len(sections)``); ``weights`` are the seconds of video
    each section had in the render they come from (``source``), or 1 each."""

    scene: str
    sections: tuple[str, ...]
    cuts: tuple[int, ...]
    weights: tuple[float, ...]
    source: str

    @property
    def parts(self) -> int:
        return len(self.cuts) - 1

    def units(self, i: int) -> tuple[int, int | None]:
        """The section calls part ``i`` (from 1) renders: manim's sections ``first`` to
        ``end`` (0 is what plays before the first section; None: to the end)."""
        first = 0 if i == 1 else self.cuts[i - 1] + 1
        end = None if i == self.parts else self.cuts[i] + 1
        return first, end

    @property
    def key(self) -> str:
        """Names the cut, so that parts of different plans are never joined."""
        import hashlib

        text = json.dumps([self.scene, self.sections, self.cuts])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {
            "scene": self.scene,
            "sections": list(self.sections),
            "cuts": list(self.cuts),
            "weights": list(self.weights),
            "source": self.source,
            "key": self.key,
        }


def _balanced_cuts(weights: list[float], n: int) -> list[int]:
    """Cut ``weights`` into ``n`` runs, none empty, whose largest sum is as small as it can be:
    the run boundaries, from 0 to ``len(weights)``.

    Examples
    --------
    >>> _balanced_cuts([1, 1, 1, 1], 2)
    [0, 2, 4]
    >>> _balanced_cuts([5, 1, 1, 1, 1, 1], 2)
    [0, 1, 6]
    >>> _balanced_cuts([1, 2, 3], 3)
    [0, 1, 2, 3]
    """
    k = len(weights)
    n = max(1, min(n, k))
    prefix = [0.0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    # best[j][m]: the smallest largest run over the first m weights cut into j runs
    inf = float("inf")
    best = [[inf] * (k + 1) for _ in range(n + 1)]
    back = [[0] * (k + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for j in range(1, n + 1):
        for m in range(j, k + 1):
            for c in range(j - 1, m):
                cost = max(best[j - 1][c], prefix[m] - prefix[c])
                if cost < best[j][m] - 1e-12:
                    best[j][m], back[j][m] = cost, c
    cuts, m = [k], k
    for j in range(n, 0, -1):
        m = back[j][m]
        cuts.append(m)
    return cuts[::-1]


def _recorded_weights(ref: SceneRef, media_dir: Path, titles: list[str]) -> tuple[list, str]:
    """Seconds of each section in an earlier render's ``<Scene>.narration.json`` (any quality;
    section times do not depend on it), if its sections are ``titles``."""
    for q in QUALITY_DIRS:
        path = ref.video(media_dir, q).with_name(f"{ref.name}.narration.json")
        try:
            data = json.loads(path.read_text())
            sections = data["sections"]
            if [s["name"] for s in sections] != titles:
                continue
            starts = [float(s["start"]) for s in sections] + [float(data["duration"])]
            weights = [max(b - a, 0.0) for a, b in zip(starts, starts[1:], strict=False)]
            return weights, str(path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return [], ""


def _timing_file(ref: SceneRef, env: dict[str, str]) -> Path:
    """Where :func:`measure_sections` keeps its result: under a hash of every scene file, the
    scene and the ``LLMVIZ_*`` settings (which can change how long a beat lasts)."""
    import hashlib

    from llmviz.paths import cache_dir
    from llmviz.workflow.listing import _listing_key

    settings = sorted((k, v) for k, v in env.items() if k.startswith("LLMVIZ_"))
    text = json.dumps([_listing_key(ref.file.parent), ref.label, settings])
    return cache_dir("parts") / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"


def measure_sections(ref: SceneRef, env: dict[str, str] | None = None) -> tuple[list, str]:
    """Seconds of video of each section of ``ref``, from a render that skips every animation
    (the scene's Python runs, nothing is drawn or encoded: about 20 s for MLPChapter), kept in
    the cache for the same scene files and settings. ``([], why)`` when that render fails."""
    import subprocess

    env = {**os.environ, **(env or {})}
    try:
        cached = _timing_file(ref, env)
        data = json.loads(cached.read_text())
        return [float(w) for w in data["weights"]], f"measured (cached in {cached})"
    except (OSError, ValueError, KeyError, TypeError, LLMVizError):
        pass
    with tempfile.TemporaryDirectory(prefix="llmviz-timing-") as tmp:
        cfg = Path(tmp) / "manim.cfg"
        cfg.write_text(f"[CLI]\ntex_dir = {tmp}/Tex\ntext_dir = {tmp}/texts\n")
        stem = f"{ref.name}__llmviz_timing"
        cmd = [
            sys.executable,
            "-m",
            "llmviz.workflow.child",
            str(os.getpid()),
            "llmviz.workflow.parts",
            str(10**9),  # no section is drawn
            "end",
            "manim",
            "render",
            "-ql",
            "--progress_bar",
            "none",
            "--media_dir",
            tmp,
            "--config_file",
            str(cfg),
            "-o",
            stem,
            str(ref.file),
            ref.name,
        ]
        output = ""
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, errors="replace", env=env, timeout=1800
            )
            output = proc.stdout + proc.stderr
            narration = ref.video(Path(tmp), "l").with_name(f"{stem}.narration.json")
            data = json.loads(narration.read_text())
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            return [], f"the timing render failed: {output[-300:] or exc}"
    starts = [float(s["start"]) for s in data["sections"]] + [float(data["duration"])]
    weights = [max(b - a, 0.0) for a, b in zip(starts, starts[1:], strict=False)]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        part.write_text(json.dumps({"scene": ref.label, "weights": weights}))
        os.replace(part, cached)
    except OSError:
        pass
    return weights, "measured (a render that skips every animation)"


def plan_parts(
    ref: SceneRef,
    n: int,
    media_dir: Path = Path("media"),
    titles: list[str] | None = None,
    env: dict[str, str] | None = None,
    measure: bool = True,
) -> PartPlan:
    """Cut ``ref``'s sections (``titles``, else :func:`~llmviz.workflow.scene_sections`) into
    ``n`` parts of about equal length of video. The lengths are those of an earlier render (its
    ``<Scene>.narration.json``), else :func:`measure_sections` (with ``measure``), else each
    section counts the same. Raises an :class:`LLMVizError` for a scene that cannot be cut so."""
    titles = list(titles) if titles else scene_sections(ref, media_dir)
    if n < 1:
        raise LLMVizError(f"a scene is rendered in at least 1 part, not {n}")
    if not titles:
        raise LLMVizError(
            f"{ref.label} has no sections known before it is rendered, so it cannot be rendered "
            "in parts (its steps are its sections; see `llmviz list`)"
        )
    if n > len(titles):
        raise LLMVizError(
            f"{ref.label} has {len(titles)} section(s), so it can be cut into at most "
            f"{len(titles)} part(s), not {n}"
        )
    weights, source = _recorded_weights(ref, Path(media_dir), titles)
    if not weights and measure and n > 1:
        weights, source = measure_sections(ref, env)
        if len(weights) != len(titles):
            weights = []
    if not weights:
        weights, source = [1.0] * len(titles), "one per section (no earlier render)"
    cuts = _balanced_cuts([max(w, 1e-3) for w in weights], n)
    return PartPlan(ref.label, tuple(titles), tuple(cuts), tuple(weights), source)


def step_sections(ref: SceneRef) -> list[str] | None:
    """The section titles of a scene that plays chapter steps (its steps), else None."""
    return _step_titles(ref.file.parent, [ref]).get(f"{ref.file}:{ref.name}")


def _plan_file(ref: SceneRef, media_dir: Path, quality: str) -> Path:
    return parts_folder(ref, media_dir, quality) / f"{ref.name}.plan.json"


def reuse_or_plan(
    ref: SceneRef, n: int, quality: str, media_dir: Path, env: dict[str, str] | None = None
) -> PartPlan:
    """The cut that the parts already in the parts folder were rendered with, when it has ``n``
    parts and the scene's sections are still its sections; else a new :func:`plan_parts`,
    written there (so that every ``--part I/N`` of one cut renders the same sections)."""
    media_dir = Path(media_dir).resolve()
    titles = scene_sections(ref, media_dir)
    path = _plan_file(ref, media_dir, quality)
    try:
        data = json.loads(path.read_text())
        plan = PartPlan(
            data["scene"],
            tuple(data["sections"]),
            tuple(data["cuts"]),
            tuple(data["weights"]),
            data["source"],
        )
        if plan.scene == ref.label and plan.parts == n and list(plan.sections) == titles:
            return plan
    except (OSError, ValueError, KeyError, TypeError):
        pass
    plan = plan_parts(ref, n, media_dir, titles, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(plan.as_dict(), indent=1))
    os.replace(tmp, path)
    return plan


def _manifest(folder: Path, stem: str) -> Path:
    return folder / f"{stem}.part.json"


def render_part(
    ref: SceneRef,
    i: int,
    plan: PartPlan,
    quality: str = "l",
    media_dir: Path = Path("media"),
    env: dict[str, str] | None = None,
    sections: bool = False,
    on_progress: Callable[[SceneRef, int], None] | None = None,
    folder: Path | None = None,
    preset: str | None = None,
) -> RenderResult:
    """Render part ``i`` (from 1) of ``plan`` into :func:`parts_folder` (or ``folder``):
    ``<Scene>.partIIofNN.mp4`` with its subtitles, narration and ``.part.json``. The part
    renders into a media folder of its own (its partial movies are kept there for the next
    render of the same part); it writes no manim-slides presentation."""
    media_dir = Path(media_dir).resolve()
    folder = Path(folder) if folder is not None else parts_folder(ref, media_dir, quality)
    n = plan.parts
    stem = part_name(ref, i, n)
    first, end = plan.units(i)
    job = RenderJob(
        media=folder / f"{stem}.media",
        dest=folder,
        name=stem,
        hook=("llmviz.workflow.parts", str(first), "end" if end is None else str(end)),
        slides=folder / f"{stem}.media" / "slides",
    )
    folder.mkdir(parents=True, exist_ok=True)
    for old in (folder / f"{stem}.mp4", _manifest(folder, stem)):
        old.unlink(missing_ok=True)  # a failed render leaves no stale part to join
    env = {**os.environ, **(env or {})}
    result = _render_one(ref, quality, media_dir, env, sections, on_progress, job, preset)
    result.extra["part"] = (i, n)
    if not result.ok:
        return result
    try:
        narration = json.loads((folder / f"{stem}.narration.json").read_text())
        secs = narration["sections"]
        start = 0.0 if first == 0 else float(secs[first - 1]["start"])
        info = {
            "scene": ref.label,
            "quality": quality,
            "part": i,
            "parts": n,
            "units": [first, end],
            "plan": plan.key,
            "start": start,
            "end": float(narration["duration"]),
            "sections": sections,
            "frames": _frame_count(folder / f"{stem}.mp4"),
        }
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        result.ok, result.cause = (
            False,
            f"part {i}/{n} of {ref.label} has no usable narration ({exc})",
        )
        return result
    tmp = _manifest(folder, stem).with_suffix(".part")
    tmp.write_text(json.dumps(info, indent=1))
    os.replace(tmp, _manifest(folder, stem))
    return result


def _frame_count(video: Path) -> int:
    import av

    with av.open(str(video)) as container:
        return sum(1 for p in container.demux(video=0) if p.size)


def _fps(video: Path):
    """A video's frame rate (as set, not averaged over its length: B-frames make that one
    differ between files of the same rate), frame size and pixel format."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = stream.base_rate or stream.guessed_rate
        return rate, stream.width, stream.height, stream.codec_context.pix_fmt


def _read_parts(ref: SceneRef, quality: str, folder: Path) -> list[dict]:
    """The parts in ``folder``, checked: one plan, parts 1 to N each once, back to back."""
    found = []
    pattern = re.compile(re.escape(ref.name) + r"\.part(\d+)of(\d+)\.part\.json$")
    for path in sorted(folder.glob(f"{ref.name}.part*.part.json")):
        m = pattern.match(path.name)
        if not m:
            continue
        try:
            info = json.loads(path.read_text())
            info["stem"] = path.name.removesuffix(".part.json")
            if (info["part"], info["parts"]) != (int(m.group(1)), int(m.group(2))):
                raise ValueError("its name and contents disagree")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LLMVizError(f"cannot read the part {path}: {exc}") from None
        if info.get("scene") != ref.label or info.get("quality") != quality:
            raise LLMVizError(
                f"{path} is a part of {info.get('scene')} at -q{info.get('quality')}, "
                f"not of {ref.label} at -q{quality}"
            )
        found.append(info)
    if not found:
        raise LLMVizError(
            f"no parts of {ref.label} at -q{quality} in {folder}; render them with "
            f"`llmviz render {ref.name} -q {quality} --part I/N`"
        )
    counts = sorted({p["parts"] for p in found})
    if len(counts) > 1:
        raise LLMVizError(
            f"{folder} holds parts of {ref.label} cut in {' and '.join(map(str, counts))} parts; "
            "delete the parts of the other cut (or render them all again)"
        )
    n = counts[0]
    plans = sorted({p["plan"] for p in found})
    if len(plans) > 1:
        raise LLMVizError(
            f"the parts of {ref.label} in {folder} come from different cuts of its sections "
            "(the scene or an earlier render changed between them); render them all again"
        )
    have = {p["part"] for p in found}
    missing = [i for i in range(1, n + 1) if i not in have]
    if missing:
        raise LLMVizError(
            f"{ref.label} at -q{quality}: part(s) {', '.join(f'{i}/{n}' for i in missing)} "
            f"missing in {folder} (found {', '.join(f'{i}/{n}' for i in sorted(have))})"
        )
    parts = sorted(found, key=lambda p: p["part"])
    for p in parts:
        video = folder / f"{p['stem']}.mp4"
        if not is_decodable(video):
            raise LLMVizError(f"part {p['part']}/{n} has no readable video at {video}")
        p["video"] = video
    for a, b in zip(parts, parts[1:], strict=False):
        if a["units"][1] != b["units"][0] or a["sections"] != b["sections"]:
            raise LLMVizError(
                f"parts {a['part']}/{n} and {b['part']}/{n} of {ref.label} do not follow one "
                "another (different cuts); render them all again"
            )
    return parts


def join_parts(
    ref: SceneRef, quality: str = "l", media_dir: Path = Path("media"), keep: bool = True
) -> Path:
    """Join the parts of ``ref`` found in :func:`parts_folder` into the scene's video (and its
    ``.srt``, ``.narration.json`` and sections index), without re-encoding. Raises an
    :class:`LLMVizError` for missing, extra or mismatched parts; the video is put in place
    only when it is complete. ``keep=False`` deletes the parts' videos afterwards (their
    partial movies stay, for the next render)."""
    import srt

    media_dir = Path(media_dir).resolve()
    folder = parts_folder(ref, media_dir, quality)
    parts = _read_parts(ref, quality, folder)
    n = len(parts)
    first = _fps(parts[0]["video"])
    rate = first[0]
    for p in parts:
        if _fps(p["video"]) != first:
            raise LLMVizError(
                f"part {p['part']}/{n} has another frame rate, size or pixel format than part 1"
            )
        expected = round((p["end"] - p["start"]) * float(rate))
        if abs(p["frames"] - expected) > 1:
            raise LLMVizError(
                f"part {p['part']}/{n} has {p['frames']} frames, not the {expected} its times "
                "say; render it again"
            )
    for a, b in zip(parts, parts[1:], strict=False):
        if abs(a["end"] - b["start"]) > 0.5 / float(rate):
            raise LLMVizError(
                f"part {b['part']}/{n} starts at {b['start']:.3f} s, not where part "
                f"{a['part']}/{n} ends ({a['end']:.3f} s); render them all again"
            )
    final = ref.video(media_dir, quality)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp_stem = f"{ref.name}__llmviz_join_{os.getpid()}_{threading.get_ident()}"
    tmp = final.with_name(f"{tmp_stem}.mp4")
    try:
        _join_streams([p["video"] for p in parts], tmp)
        if not is_decodable(tmp):
            raise LLMVizError(f"joining the parts of {ref.label} wrote no readable video")
        # subtitles: each part's cues of its own stretch of time (they are in chapter time)
        cues = []
        for k, p in enumerate(parts):
            path = folder / f"{p['stem']}.srt"
            if not path.is_file():
                continue
            hi = math.inf if k == n - 1 else p["end"]
            for cue in srt.parse(path.read_text(encoding="utf-8")):
                if p["start"] - 1e-6 <= cue.start.total_seconds() < hi - 1e-6:
                    cues.append(cue)
        srt_out = final.with_suffix(".srt")
        if cues:
            part_file = srt_out.with_name(f"{srt_out.name}.part")
            part_file.write_text(srt.compose(cues, reindex=True), encoding="utf-8")
            os.replace(part_file, srt_out)
        elif srt_out.is_file():
            srt_out.unlink()
        _join_narration(ref, parts, folder, final)
        if parts[0]["sections"]:
            _join_sections(ref, parts, folder, final.parent / "sections")
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    if not keep:
        for p in parts:
            for suffix in (".mp4", ".srt", ".narration.json", ".part.json"):
                (folder / f"{p['stem']}{suffix}").unlink(missing_ok=True)
    return final


def _join_streams(videos: list[Path], out: Path) -> None:
    """The video streams of ``videos`` one after another and the last one's sound track, copied
    packet by packet (manim's own way of joining partial movies)."""
    import io

    import av

    quoted = (str(v.resolve()).replace("'", "'\\''") for v in videos)  # ffconcat quoting
    manifest = "".join(f"file 'file:{q}'\n" for q in quoted).encode()
    with av.open(io.BytesIO(manifest), format="concat", options={"safe": "0", "an": "1"}) as src:
        stream = src.streams.video[0]
        with av.open(str(out), mode="w") as dst:
            vout = dst.add_stream_from_template(template=stream)
            audio_src = av.open(str(videos[-1]))
            try:
                aout = None
                if audio_src.streams.audio:
                    aout = dst.add_stream_from_template(template=audio_src.streams.audio[0])
                for packet in src.demux(stream):
                    if packet.dts is None:
                        continue
                    packet.dts = None  # consecutive files' dts are not monotonic: libav sets it
                    packet.stream = vout
                    dst.mux(packet)
                if aout is not None:
                    for packet in audio_src.demux(audio_src.streams.audio[0]):
                        if packet.dts is None:
                            continue
                        packet.stream = aout
                        dst.mux(packet)
            finally:
                audio_src.close()


def _join_narration(ref: SceneRef, parts: list[dict], folder: Path, final: Path) -> None:
    """``<Scene>.narration.json``: each section from the part that rendered it."""
    target = final.with_name(f"{ref.name}.narration.json")
    datas = []
    for p in parts:
        path = folder / f"{p['stem']}.narration.json"
        datas.append(json.loads(path.read_text()))
    joined = dict(datas[-1])
    sections = []
    for p, data in zip(parts, datas, strict=True):
        first, end = p["units"]
        lo = max(first - 1, 0)
        hi = len(data["sections"]) if end is None else end - 1
        sections.extend(data["sections"][lo:hi])
    joined["sections"] = sections
    part_file = target.with_name(f"{target.name}.part")
    part_file.write_text(json.dumps(joined, indent=1) + "\n")
    os.replace(part_file, target)


def _join_sections(ref: SceneRef, parts: list[dict], folder: Path, target: Path) -> None:
    """The ``--save_sections`` index and clips: each part's clips, renamed for the scene."""
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for p in parts:
        index = folder / "sections" / f"{p['stem']}.json"
        if not index.is_file():
            continue
        for entry in json.loads(index.read_text()):
            clip = str(entry.get("video") or "")
            if clip.startswith(p["stem"]):
                new = ref.name + clip[len(p["stem"]) :]
                shutil.copyfile(index.parent / clip, target / new)
                entry = {**entry, "video": new}
            entries.append(entry)
    tmp = target / f"{ref.name}.json.part"
    tmp.write_text(json.dumps(entries, indent=4))
    os.replace(tmp, target / f"{ref.name}.json")


def _ray_part(args: tuple) -> tuple[RenderResult, dict[str, bytes]]:
    """A Ray task: render one part into a folder of the worker's and return its files."""
    ref, i, plan, quality, env, sections, preset = args
    with tempfile.TemporaryDirectory(prefix="llmviz-ray-part-") as tmp:
        out = Path(tmp) / "part"
        result = render_part(
            ref, i, plan, quality, Path(tmp) / "media", env, sections, None, out, preset
        )
        files = {}
        if result.ok:
            for path in out.rglob("*"):
                rel = path.relative_to(out)
                if path.is_file() and not rel.parts[0].endswith(".media"):
                    files[str(rel)] = path.read_bytes()
        result.video = None
        return result, files


def _run_on_ray(
    ref: SceneRef,
    plan: PartPlan,
    quality: str,
    media_dir: Path,
    env: dict[str, str],
    sections: bool,
    address: str | None,
    jobs: int,
    on_done: Callable[[RenderResult, int, int], None] | None,
    preset: str | None = None,
) -> list[RenderResult]:
    try:
        import ray
    except ImportError:
        raise LLMVizError(
            "--executor ray needs Ray: pip install 'llmviz[cluster]' (or pip install ray)"
        ) from None
    started = False
    if not ray.is_initialized():
        kwargs = {"address": address} if address else {"num_cpus": jobs}
        ray.init(log_to_driver=False, include_dashboard=False, **kwargs)
        started = True
    folder = parts_folder(ref, media_dir, quality)
    try:
        task = ray.remote(num_cpus=1)(_ray_part)
        pending = {
            task.remote((ref, i, plan, quality, env, sections, preset)): i
            for i in range(1, plan.parts + 1)
        }
        results = []
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            i = pending.pop(done[0])
            result, files = ray.get(done[0])
            for rel, data in files.items():
                path = folder / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            if result.ok:
                result.video = folder / f"{part_name(ref, i, plan.parts)}.mp4"
            results.append(result)
            if on_done:
                on_done(result, len(results), plan.parts)
        return results
    except KeyboardInterrupt:
        for ref_ in list(pending):
            ray.cancel(ref_, force=True)
        raise
    finally:
        if started:
            ray.shutdown()


def render_in_parts(
    ref: SceneRef,
    quality: str = "l",
    jobs: int = 2,
    media_dir: Path = Path("media"),
    settings_env: dict[str, str] | None = None,
    sections: bool = False,
    plan: PartPlan | int | None = None,
    executor: str = "local",
    address: str | None = None,
    on_part: Callable[[RenderResult, int, int], None] | None = None,
    on_progress: Callable[[SceneRef, int], None] | None = None,
    preset: str | None = None,
) -> RenderResult:
    """Render ``ref`` in parts (``plan``: a :class:`PartPlan` or a number of parts; default
    ``jobs`` parts), ``jobs`` at a time, on this
    machine (``executor="local"``) or as Ray tasks (``"ray"``, on the cluster at ``address``,
    else a local one), then :func:`join_parts` them (and delete the parts' videos; their partial
    movies stay for the next render). One :class:`RenderResult` for the scene."""
    if executor not in EXECUTORS:
        raise LLMVizError(f"--executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    t0 = time.time()
    media_dir = Path(media_dir).resolve()
    if not isinstance(plan, PartPlan):
        plan = plan_parts(ref, plan or jobs, media_dir, env=settings_env)
    folder = parts_folder(ref, media_dir, quality)
    folder.mkdir(parents=True, exist_ok=True)
    _plan_file(ref, media_dir, quality).write_text(json.dumps(plan.as_dict(), indent=1))
    for stale in folder.glob(f"{ref.name}.part*.part.json"):
        stale.unlink()  # only this cut's parts are joined
    env = {**os.environ, **(settings_env or {})}
    written: dict[int, tuple[int, int]] = {}

    def progress(i):
        def report(_ref, animations):
            lo, _ = written.get(i, (animations, animations))
            written[i] = (lo, animations)
            if on_progress:
                on_progress(ref, sum(b - a + 1 for a, b in written.values()))

        return report

    if executor == "ray":
        results = _run_on_ray(
            ref, plan, quality, media_dir, env, sections, address, jobs, on_part, preset
        )
    else:
        tasks = [
            (
                ref,
                lambda i=i: render_part(
                    ref, i, plan, quality, media_dir, env, sections, progress(i), None, preset
                ),
            )
            for i in range(1, plan.parts + 1)
        ]
        results = _run_parallel(tasks, jobs, None, on_part)
    failed = [r for r in results if not r.ok]
    result = RenderResult(ref, not failed, 0.0, None)
    result.extra["parts"] = plan.parts
    result.extra["animations"] = sum(r.extra.get("animations", 0) for r in results)
    result.extra["notes"] = list(
        dict.fromkeys(note for r in results for note in r.extra.get("notes", ()))
    )
    if failed:
        first = min(failed, key=lambda r: r.extra.get("part", (0, 0)))
        i, n = first.extra.get("part", (0, plan.parts))
        result.cause = f"part {i}/{n}: {first.cause}"
        result.log, result.log_file = first.log, first.log_file
    else:
        try:
            result.video = join_parts(ref, quality, media_dir, keep=False)
        except (LLMVizError, OSError) as exc:
            result.ok, result.cause, result.log = False, str(exc), str(exc)
    result.seconds = time.time() - t0
    return result


# --- in the render process ----------------------------------------------------------------------
def install_encoder() -> None:
    """Make manim's segment encoder turn each RGBA frame into the codec's pixel format once,
    however many times the frame repeats (a wait, or a still beat, hands manim one frame to
    write ``repeat`` times, and manim's encoder converted it again for every copy), reading the
    frame's array in place instead of copying it first (6.6 ms a 1080p frame here, as long as
    the conversion itself). The frames that x264 receives are the same, so the video is the
    same; only the time goes."""
    from fractions import Fraction

    import av
    from manim.scene import scene_file_writer
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    class ConvertOnce(VideoSegmentEncoder):
        def write_frame(self, pixels, *, repeat: int = 1) -> None:
            self._validate_frame(pixels, repeat)
            rate = self.spec.frame_rate
            time_base = Fraction(rate.denominator, rate.numerator)
            try:
                # the RGBA array is read where it is (from_ndarray copied its 8 MB first)
                frame = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
                frame = frame.reformat(format=self.spec.pixel_format)
                for _ in range(repeat):
                    frame.pts = self._next_pts
                    frame.time_base = time_base
                    self._next_pts += 1
                    for packet in self._stream.encode(frame):
                        self._container.mux(packet)
            except BaseException as error:
                raise self._operation_error("encode", error) from error

    def create(self, target):
        if self.video_encoder is None:
            raise RuntimeError("Video segment encoding requires resolved settings.")
        return ConvertOnce(target=target, spec=self.video_encoder)

    scene_file_writer.SceneFileWriter._create_segment_encoder = create


def install_range(first: int, end: int | None) -> None:
    """Make this process's manim render only its sections ``first`` to ``end`` (``None``: to
    the end; 0 is the section manim opens before the scene's first): the sections before are
    played with their animations skipped, as ``-n`` skips them, and the render ends at the
    first animation of section ``end``. No manim-slides presentation is written."""
    from manim.renderer.cairo_renderer import CairoRenderer
    from manim.scene.scene_file_writer import SceneFileWriter
    from manim.utils.exceptions import EndSceneEarlyException

    next_section = SceneFileWriter.next_section
    update_skipping_status = CairoRenderer.update_skipping_status

    def section_in_range(self, name, type_, skip_animations):
        unit = getattr(self, "_llmviz_section", -1) + 1
        self._llmviz_section = unit
        outside = unit < first or (end is not None and unit >= end)
        next_section(self, name, type_, skip_animations or outside)

    def skipping_in_range(self):
        update_skipping_status(self)
        unit = getattr(self.file_writer, "_llmviz_section", 0)
        if end is not None and unit >= end:
            self.skip_animations = True
            raise EndSceneEarlyException()

    SceneFileWriter.next_section = section_in_range
    CairoRenderer.update_skipping_status = skipping_in_range
    try:  # a part is no slide deck: `llmviz slides` cuts those from a whole render
        from manim_slides.slide.base import BaseSlide

        BaseSlide._save_slides = lambda self, *args, **kwargs: None
    except ImportError:
        pass


def main(argv: list[str] | None = None) -> None:
    """``python -m llmviz.workflow.parts FIRST END|end manim render ...``: manim's command
    line with llmviz's encoder (:func:`install_encoder`), rendering sections ``FIRST`` to
    ``END`` only (:func:`install_range`; ``0 end``: all of them, as one-process renders do)."""
    import runpy

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or not argv[0].isdigit() or not (argv[1].isdigit() or argv[1] == "end"):
        print("usage: python -m llmviz.workflow.parts FIRST END|end MODULE [ARGS...]")
        raise SystemExit(2)
    first, end = int(argv[0]), None if argv[1] == "end" else int(argv[1])
    install_encoder()
    if (first, end) != (0, None):
        install_range(first, end)
    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

"""What the ``llmviz`` command does: find scenes, render them in parallel, make slide decks."""

from __future__ import annotations

import ast
import html
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from llmviz.errors import LLMVizError

__all__ = [
    "SceneRef",
    "find_scenes",
    "resolve_scenes",
    "RenderResult",
    "render_scenes",
    "QUALITY_DIRS",
    "make_slides",
    "SLIDE_FORMATS",
    "parse_formats",
    "require_slides",
    "revealjs_assets",
    "video_duration",
    "scene_sections",
    "scene_listing",
    "RenderInterrupted",
    "is_decodable",
    "previous_render",
]

QUALITY_DIRS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}

#: The decks ``llmviz slides`` can write besides the per-section PNGs and ``deck.md``.
SLIDE_FORMATS = ("html", "pptx", "pdf")

SLIDES_EXTRA = "pip install 'llmviz[slides]'"


@dataclass(frozen=True)
class SceneRef:
    """A scene class in a file of the scenes directory."""

    file: Path
    name: str
    doc: str = ""
    title: str = ""  # the class's ``chapter_title``, or its name

    @property
    def module(self) -> str:
        return self.file.stem

    @property
    def label(self) -> str:
        return f"{self.module}:{self.name}"

    def video(self, media_dir: Path, quality: str) -> Path:
        return media_dir / "videos" / self.module / QUALITY_DIRS[quality] / f"{self.name}.mp4"

    def slides_folder(self, media_dir: Path, quality: str) -> Path:
        """Where its render writes the manim-slides presentation (``<Scene>.json``, ``files/``):
        ``manim-slides present --folder THIS Scene`` shows it."""
        return self.video(media_dir, quality).parent / "slides"


def _load(file: Path):
    spec = importlib.util.spec_from_file_location(f"llmviz_scenes_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(file.parent))
    return module


def find_scenes(scenes_dir: Path) -> list[SceneRef]:
    """Every renderable scene class (one that defines ``construct``) in ``scenes_dir/*.py``,
    in the order of the files and of the classes in them.

    The files are read, not run (their syntax tree), so that listing is instant and a scene
    that fails when it runs is still listed; ``chapter_title`` is taken from the class or a base
    class when it is a literal.
    """
    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise LLMVizError(f"scenes directory not found: {scenes_dir} (use --scenes-dir)")
    found = []
    for file in sorted(scenes_dir.glob("*.py")):
        index = _SceneIndex(file)
        for cls in index.module_classes(file):
            if "construct" not in _methods(cls):
                continue
            doc = (ast.get_docstring(cls) or "").strip().split("\n")[0]
            title = index.attribute(file, cls, "chapter_title")
            found.append(
                SceneRef(
                    file, cls.name, doc, title if isinstance(title, str) and title else cls.name
                )
            )
    return found


# --- reading scenes without running them ---------------------------------------------------------
_TREES: dict[Path, tuple[float, int, ast.Module | None]] = {}


def _tree(file: Path) -> ast.Module | None:
    """The syntax tree of ``file`` (cached while its modification time and size stay the same),
    or None when it cannot be parsed."""
    try:
        st = file.stat()
    except OSError:
        return None
    hit = _TREES.get(file)
    if hit and hit[:2] == (st.st_mtime, st.st_size):
        return hit[2]
    try:
        tree = ast.parse(file.read_bytes(), filename=str(file))
    except (SyntaxError, ValueError):
        tree = None
    _TREES[file] = (st.st_mtime, st.st_size, tree)
    return tree


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


class _SceneIndex:
    """Classes of a scene file and of the step modules it imports from the scenes folder
    (``from mlp_steps.fact import FactStep``), looked up by name as Python would."""

    def __init__(self, file: Path) -> None:
        self.root = file.parent
        self._trees: dict[Path, ast.Module | None] = {}
        self._files: dict[str, Path | None] = {}
        self._lookups: dict[tuple[Path, str], tuple[Path, ast.ClassDef] | None] = {}
        self._mros: dict[tuple[Path, str], list[tuple[Path, ast.ClassDef]]] = {}
        self._plans: dict[int, list] = {}

    def tree(self, file: Path) -> ast.Module | None:
        if file not in self._trees:
            self._trees[file] = _tree(file)
        return self._trees[file]

    def _module_file(self, dotted: str) -> Path | None:
        if dotted not in self._files:
            base = self.root.joinpath(*dotted.split("."))
            found = None
            for cand in (base.with_suffix(".py"), base / "__init__.py"):
                if cand.is_file():
                    found = cand
                    break
            self._files[dotted] = found
        return self._files[dotted]

    def module_classes(self, file: Path) -> list[ast.ClassDef]:
        tree = self.tree(file)
        return [n for n in tree.body if isinstance(n, ast.ClassDef)] if tree else []

    def lookup(self, file: Path, name: str, depth: int = 0) -> tuple[Path, ast.ClassDef] | None:
        """The class called ``name`` as seen from ``file`` (defined there or imported)."""
        key = (file, name)
        if key not in self._lookups:
            self._lookups[key] = self._lookup(file, name, depth)
        return self._lookups[key]

    def _lookup(self, file: Path, name: str, depth: int) -> tuple[Path, ast.ClassDef] | None:
        tree = self.tree(file)
        if tree is None or depth > 8:
            return None
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return file, node
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        target = self._module_file(node.module)
                        if target is not None:
                            return self.lookup(target, alias.name, depth + 1)
        return None

    def mro(self, file: Path, cls: ast.ClassDef) -> list[tuple[Path, ast.ClassDef]]:
        """``cls`` and its bases that live in the scenes folder, depth first, without repeats."""
        key = (file, cls.name)
        if key in self._mros:
            return self._mros[key]
        out: list[tuple[Path, ast.ClassDef]] = []
        seen: set[tuple[Path, str]] = set()

        def visit(f: Path, c: ast.ClassDef) -> None:
            if (f, c.name) in seen or len(seen) > 200:
                return
            seen.add((f, c.name))
            out.append((f, c))
            for base in c.bases:
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                hit = self.lookup(f, name) if name else None
                if hit:
                    visit(*hit)

        visit(file, cls)
        self._mros[key] = out
        return out

    def plan(self, fn: ast.FunctionDef) -> list:
        """:func:`_plan` of a method, made once."""
        key = id(fn)
        if key not in self._plans:
            out: list = []
            for stmt in fn.body:
                _plan(stmt, out)
            self._plans[key] = out
        return self._plans[key]

    def method(self, file: Path, cls: ast.ClassDef, name: str):
        for f, c in self.mro(file, cls):
            if name in _methods(c):
                return f, c, _methods(c)[name]
        return None

    def attribute(self, file: Path, cls: ast.ClassDef, name: str):
        """A class attribute's literal value (``STEPS = ("fact", ...)``), or None."""
        for _, c in self.mro(file, cls):
            for node in c.body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign) and node.value is not None
                    else []
                )
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    try:
                        return ast.literal_eval(node.value)
                    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                        return None
        return None


def _self_attr(node: ast.AST) -> str | None:
    """``name`` for ``self.name``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == "self":
            return node.attr
    return None


def scene_sections(ref: SceneRef, index: _SceneIndex | None = None) -> list[str]:
    r"""The section titles a scene opens, read from its code: the ``self.section("...")`` calls
    that its ``construct`` reaches through ``self.method()`` calls (and ``getattr(self,
    f"step_{name}")()`` over a literal tuple such as ``STEPS``), in order. A title that is not
    a literal string shows as the class's docstring line (once). Nothing is run.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.py").write_text(
    ...     "class A:\n"
    ...     "    STEPS = ('one', 'two')\n"
    ...     "    def step_one(self):\n        self.section('First')\n"
    ...     "    def step_two(self):\n        self.section('Second', narration='')\n"
    ...     "class B(A):\n"
    ...     "    def construct(self):\n"
    ...     "        for s in self.STEPS:\n            getattr(self, f'step_{s}')()\n"
    ... )
    >>> scene_sections(find_scenes(folder)[0])
    ['First', 'Second']
    """
    index = index if index is not None and index.root == ref.file.parent else _SceneIndex(ref.file)
    hit = index.lookup(ref.file, ref.name)
    if hit is None:
        return []
    file, cls = hit
    doc = (ast.get_docstring(cls) or ref.name).strip().split("\n")[0]
    names: list[str] = []
    active: set[str] = set()

    def run(plan: list, env: dict[str, tuple]) -> None:
        for item in plan:
            kind = item[0]
            if kind == "section":
                if item[1] is not None:
                    names.append(item[1])
                elif doc not in names:
                    names.append(doc)
            elif kind == "call":
                walk_method(item[1], env)
            elif kind == "getattr":
                key = item[1]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    walk_method(key.value, env)
                elif isinstance(key, ast.JoinedStr):
                    for target in _expand(key, env):
                        walk_method(target, env)
            elif kind == "for":
                _, var, iter_node, body = item
                values = _literal_iter(iter_node, index, file, cls)
                for v in values if values is not None else [None]:
                    run(body, {**env, var: (v,)} if v is not None else env)

    def walk_method(name: str, env: dict[str, tuple]) -> None:
        found = index.method(file, cls, name)
        if found is None or name in active or len(active) > 50:
            return
        active.add(name)
        run(index.plan(found[2]), env)
        active.discard(name)

    walk_method("construct", {})
    return names


def _listing_key(scenes_dir: Path) -> str:
    """A hash of every ``.py`` file under ``scenes_dir`` (names and contents) and of this
    module's own code: any change to a scene or to the reader gives another key."""
    import hashlib

    h = hashlib.sha256(Path(__file__).read_bytes())
    for file in sorted(scenes_dir.rglob("*.py")):
        h.update(str(file.relative_to(scenes_dir)).encode() + b"\0")
        h.update(file.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def _listing_cache() -> Path:
    root = os.environ.get("LLMVIZ_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "llmviz"
    )
    return Path(root) / "scenes"


def scene_listing(scenes_dir: Path) -> list[tuple[SceneRef, list[str]]]:
    """Every scene of :func:`find_scenes` with its :func:`scene_sections`, from a cache that
    cannot go stale: it is kept under a hash of the contents of every ``.py`` file in
    ``scenes_dir`` (and of this reader), so any edit reads the code again.
    """
    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise LLMVizError(f"scenes directory not found: {scenes_dir} (use --scenes-dir)")
    key = _listing_key(scenes_dir)
    cache = _listing_cache() / f"{key}.json"
    try:
        rows = json.loads(cache.read_text())
        return [
            (SceneRef(scenes_dir / r["file"], r["name"], r["doc"], r["title"]), r["sections"])
            for r in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    out = []
    index = None
    for ref in find_scenes(scenes_dir):
        if index is None or index.root != ref.file.parent:
            index = _SceneIndex(ref.file)
        out.append((ref, scene_sections(ref, index)))
    rows = [
        {
            "file": ref.file.name,
            "name": ref.name,
            "doc": ref.doc,
            "title": ref.title,
            "sections": names,
        }
        for ref, names in out
    ]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        part = cache.with_name(f"{cache.name}.{os.getpid()}.part")
        part.write_text(json.dumps(rows))
        os.replace(part, cache)
    except OSError:
        pass  # a read-only cache folder: list anyway
    return out


def _plan(node: ast.AST, out: list) -> list:
    """What a method body does that matters for its sections, in source order: section calls,
    calls of other methods on self, and loops (whose variable may name the method)."""
    if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
        body: list = []
        for stmt in node.body:
            _plan(stmt, body)
        if body:
            out.append(("for", node.target.id, node.iter, body))
        for stmt in node.orelse:
            _plan(stmt, out)
        return out
    if isinstance(node, ast.Call):
        for arg in [node.func, *node.args, *(k.value for k in node.keywords)]:
            _plan(arg, out)
        attr = _self_attr(node.func)
        if attr in ("section", "next_section"):
            first = node.args[0] if node.args else None
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            out.append(("section", first.value if literal else None))
        elif attr:
            out.append(("call", attr))
        else:
            g = node.func
            if (
                isinstance(g, ast.Call)
                and isinstance(g.func, ast.Name)
                and g.func.id == "getattr"
                and len(g.args) >= 2
                and isinstance(g.args[0], ast.Name)
                and g.args[0].id == "self"
            ):
                out.append(("getattr", g.args[1]))
        return out
    for child in ast.iter_child_nodes(node):
        _plan(child, out)
    return out


def _literal_iter(node: ast.AST, index: _SceneIndex, file: Path, cls: ast.ClassDef):
    """The values of ``self.STEPS`` or a literal tuple/list, or None."""
    attr = _self_attr(node)
    value = index.attribute(file, cls, attr) if attr else None
    if value is None:
        try:
            value = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
    return list(value) if isinstance(value, (list, tuple)) else None


def _expand(key: ast.JoinedStr, env: dict[str, tuple]) -> Iterator[str]:
    """``f"step_{name}"`` with ``name`` bound by an enclosing loop."""
    parts = []
    for v in key.values:
        if isinstance(v, ast.Constant):
            parts.append(str(v.value))
        elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name):
            bound = env.get(v.value.id)
            if not bound:
                return
            parts.append(str(bound[0]))
        else:
            return
    yield "".join(parts)


def resolve_scenes(names: list[str], scenes_dir: Path, all_scenes: bool = False) -> list[SceneRef]:
    """Scene references for names like ``MLPChapter`` or ``mlp:MLPChapter``; clear errors otherwise."""
    available = find_scenes(scenes_dir)
    if all_scenes:
        return available
    if not names:
        raise LLMVizError("name at least one scene, or use --all; see `llmviz list`")
    out = []
    for name in names:
        module, _, cls = name.rpartition(":")
        module = module.removesuffix(".py")
        hits = [s for s in available if s.name == cls and (not module or s.module == module)]
        if not hits:
            close = [s.label for s in available if cls.lower() in s.name.lower()][:5]
            hint = f"; did you mean {', '.join(close)}" if close else "; see `llmviz list`"
            raise LLMVizError(f"unknown scene {name!r}{hint}")
        if len(hits) > 1:
            raise LLMVizError(
                f"scene name {name!r} is in several files: {', '.join(h.label for h in hits)}; "
                "write file:Scene"
            )
        if hits[0] not in out:
            out.append(hits[0])
    return out


@dataclass
class RenderResult:
    scene: SceneRef
    ok: bool
    seconds: float
    video: Path | None
    log: str = ""
    extra: dict = field(default_factory=dict)


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


def _publish(ref: SceneRef, folder: Path, stem: str, sections: bool) -> Path:
    """Move a finished render's files from the partial name to the scene's own: sections and
    subtitles first, the video last (each by an atomic rename)."""
    final = folder / f"{ref.name}.mp4"
    video = folder / f"{stem}.mp4"
    if not is_decodable(video):
        raise LLMVizError(f"the render of {ref.label} wrote no readable video at {video}")
    for suffix in (".srt", ".narration.json"):
        src, dst = folder / f"{stem}{suffix}", folder / f"{ref.name}{suffix}"
        if src.is_file():
            os.replace(src, dst)
        elif dst.is_file():
            dst.unlink()  # from an older render; it would not match the new video
    index = folder / "sections" / f"{stem}.json"
    if sections and index.is_file():
        entries = json.loads(index.read_text())
        for entry in entries:
            name = str(entry.get("video") or "")
            if name.startswith(stem):
                new = ref.name + name[len(stem) :]
                os.replace(index.parent / name, index.parent / new)
                entry["video"] = new
        tmp = index.with_name(f"{ref.name}.json.part")
        tmp.write_text(json.dumps(entries, indent=4))
        os.replace(tmp, index.with_name(f"{ref.name}.json"))
        index.unlink()
    os.replace(video, final)
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
) -> RenderResult:
    t0 = time.time()
    folder = ref.video(media_dir, quality).parent
    stem = _partial_stem(ref)
    if _STOP.is_set():
        return RenderResult(ref, False, 0.0, None, "not started: the render was interrupted")
    lines: list[str] = []
    animations = 0
    with tempfile.TemporaryDirectory(prefix="llmviz-render-") as tmp:
        # each job gets its own LaTeX and text caches, so parallel renders never write the same file;
        # partial movies already go to a folder per scene
        cfg = Path(tmp) / "manim.cfg"
        cfg.write_text(f"[CLI]\ntex_dir = {tmp}/Tex\ntext_dir = {tmp}/texts\n")
        cmd = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{quality}",
            "--progress_bar",
            "none",
            "--media_dir",
            str(media_dir),
            "--config_file",
            str(cfg),
            "-o",
            stem,  # the video is renamed into place only once it is complete
            str(ref.file),
            ref.name,
        ]
        if sections:
            cmd.insert(4, "--save_sections")
        env = {
            **env,
            SLIDES_FOLDER_ENV: str(ref.slides_folder(media_dir, quality)),
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
    log = "".join(lines)[-4000:]
    ok = proc.returncode == 0 and not _STOP.is_set()
    video = None
    if ok:
        try:
            video = _publish(ref, folder, stem, sections)
        except (LLMVizError, OSError) as exc:
            ok, log = False, f"{log}\n{exc}"
    if not ok:
        _discard(folder, stem)
        if _STOP.is_set():
            log = f"{log}\ninterrupted; nothing was written at {folder / (ref.name + '.mp4')}"
    result = RenderResult(ref, ok, time.time() - t0, video, log)
    result.extra["animations"] = animations
    return result


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
) -> list[RenderResult]:
    """Render scenes in parallel processes; a failing scene does not stop the others.

    Each video is written under a temporary name and renamed into place when it is complete
    and readable, so an interrupted or failed render never leaves a broken video at
    ``media/videos/<file>/<quality>/<Scene>.mp4`` (an older one stays). SIGINT and SIGTERM are
    passed on to the render processes, which get :data:`STOP_GRACE` seconds before they are
    killed; then :class:`RenderInterrupted` is raised. ``on_progress(ref, n)`` is called as the
    ``n``-th animation of a scene is written.
    """
    if quality not in QUALITY_DIRS:
        raise LLMVizError(f"quality must be one of {', '.join(QUALITY_DIRS)}, not {quality!r}")
    if jobs < 1:
        raise LLMVizError(f"--jobs must be at least 1, not {jobs}")
    env = {**os.environ, **(settings_env or {})}
    media_dir = Path(media_dir).resolve()
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
        for ref in refs:
            if on_start:
                on_start(ref)
            futures[
                pool.submit(_render_one, ref, quality, media_dir, env, sections, on_progress)
            ] = ref
        for k, fut in enumerate(as_completed(futures), 1):
            result = fut.result()
            results.append(result)
            if on_done:
                on_done(result, k, len(refs))
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


def _last_frame_png(video: Path, out: Path, at: float | None = None) -> None:
    """Save the last frame of ``video`` (or the last one shown by ``at`` seconds) as a PNG."""
    import av

    with av.open(str(video)) as container:
        last = None
        for frame in container.decode(video=0):
            if at is not None and last is not None and frame.time is not None and frame.time > at:
                break
            last = frame
    if last is None:
        raise LLMVizError(f"no frames in {video}")
    last.to_image().save(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "section"


def require_slides() -> None:
    """Raise a clear :class:`LLMVizError` unless manim-slides (the ``slides`` extra) imports."""
    try:
        import manim_slides.convert  # noqa: F401
        import manim_slides.slide  # noqa: F401
    except ImportError as exc:
        raise LLMVizError(
            f"slide decks need manim-slides, which is not installed ({exc}); "
            f"install the slides extra: {SLIDES_EXTRA}"
        ) from None


def parse_formats(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Deck formats from ``"html,pptx"`` (or a list), checked against :data:`SLIDE_FORMATS`.

    Examples
    --------
    >>> parse_formats("pdf, html")
    ('pdf', 'html')
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    out: list[str] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in SLIDE_FORMATS:
            raise LLMVizError(
                f"unknown slide format {name!r}; allowed: {', '.join(SLIDE_FORMATS)} "
                "(comma-separated, e.g. --to html,pdf)"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise LLMVizError(f"name at least one slide format: {', '.join(SLIDE_FORMATS)}")
    return tuple(out)


# reveal.js files that manim-slides' HTML template links to, by the name its offline mode caches
# them under, and their paths in the reveal.js npm package
_REVEAL_FILES = {
    "reveal.css": "dist/reveal.css",
    "black.css": "dist/theme/black.css",
    "zenburn.css": "dist/plugin/highlight/zenburn.css",
    "reveal.js": "dist/reveal.js",
    "notes.js": "dist/plugin/notes.js",
    "markdown.js": "dist/plugin/markdown.js",
}


def revealjs_assets(fetch: bool = True) -> Path:
    """The folder where manim-slides' offline HTML export finds reveal.js (its own cache), with
    the files there; missing ones are taken from the reveal.js package of the npm registry
    (``npm pack``) when ``fetch`` is true. ``scripts/setup.sh`` calls this, so that decks are
    made with no network at all.

    Raises
    ------
    LLMVizError
        If files are missing and cannot be fetched (no npm, or the registry cannot be reached).
    """
    require_slides()
    from manim_slides.convert import RevealJS
    from platformdirs import user_cache_path  # a dependency of manim-slides

    version = RevealJS.model_fields["reveal_version"].default
    folder = user_cache_path("manim-slides") / f"revealjs{version}"
    missing = [n for n in _REVEAL_FILES if not (folder / n).is_file()]
    if not missing:
        return folder
    why = f"reveal.js {version} is not in {folder} (missing {', '.join(missing)})"
    npm = shutil.which("npm")
    if not fetch or npm is None:
        raise LLMVizError(
            f"{why}; scripts/setup.sh puts it there (it needs npm: apt-get install npm)"
        )
    with tempfile.TemporaryDirectory(prefix="llmviz-reveal-") as tmp:
        proc = subprocess.run(
            [npm, "pack", f"reveal.js@{version}", "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        packs = sorted(Path(tmp).glob("reveal.js-*.tgz"))
        if proc.returncode != 0 or not packs:
            raise LLMVizError(
                f"{why}, and `npm pack reveal.js@{version}` failed: "
                f"{(proc.stderr or proc.stdout).strip()[-500:]}"
            )
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(packs[0]) as tar:
            for name, member in _REVEAL_FILES.items():
                data = tar.extractfile(f"package/{member}").read()
                part = folder / f".{name}.part"
                part.write_bytes(data)
                part.replace(folder / name)  # never a half-written asset
    return folder


def _notes_html(notes: str) -> str:
    """Narration as the HTML deck's notes show it: the template pastes notes into HTML and
    reveal.js reads them as Markdown, so every ASCII punctuation mark is Markdown-escaped and
    the result HTML-escaped (``x < 0``, ``W_up * x`` and ``[1]`` stay as they are)."""
    return html.escape(re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", notes), quote=False)


def _convert(presentation, fmt: str, dest: Path, title: str) -> None:
    """Write one deck with manim-slides' converters (what ``manim-slides convert`` runs)."""
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    if fmt == "html":
        try:
            revealjs_assets()
            why = ""
        except LLMVizError as exc:  # manim-slides may still download it (a machine online)
            why = str(exc)
        deck = presentation.model_copy(deep=True)
        for slide in deck.slides:
            slide.notes = _notes_html(slide.notes)
        converter = RevealJS(
            presentation_configs=[deck],
            one_file=True,  # the videos inlined as data URIs
            offline=True,  # and reveal.js itself, from manim-slides' cache
            title=title,
            background_color=presentation.background_color,
            slide_number="c/t",
            show_slide_number="speaker",
        )
        try:
            converter.convert_to(dest)
        except RuntimeError as exc:
            raise LLMVizError(
                f"could not make the offline HTML deck: {exc}; {why or 'see the log above'}"
            ) from None
        text = dest.read_text(encoding="utf-8")
        if re.search(r"""(?:src|href)=["']?https?:""", text):
            raise LLMVizError(f"{dest} still links to the network; {why}")
    elif fmt == "pptx":
        width, height = presentation.resolution
        PowerPoint(presentation_configs=[presentation], width=width, height=height).convert_to(dest)
    elif fmt == "pdf":
        PDF(presentation_configs=[presentation], frame_index="last").convert_to(dest)
    else:  # parse_formats keeps this out
        raise LLMVizError(f"unknown slide format {fmt!r}; allowed: {', '.join(SLIDE_FORMATS)}")


def make_slides(
    ref: SceneRef,
    media_dir: Path,
    quality: str,
    out_dir: Path,
    formats: tuple[str, ...] | list[str] | str = SLIDE_FORMATS,
    title: str | None = None,
) -> Path:
    """Slide decks of a scene rendered with sections (``render_scenes(..., sections=True)``),
    in ``out_dir/<Scene>/``.

    Always a PNG and a clip per section and ``deck.md``, a reveal.js markdown deck in the
    lecture deck's format. Then, for each of ``formats``, made by manim-slides from the
    presentation that the render wrote (one slide per section, its narration as the notes):
    ``deck.html`` (one self-contained file that plays each slide's animation, stops on its last
    frame and has reveal.js' speaker view on ``s``), ``deck.pptx`` (a slide per section with its
    clip and notes) and ``deck.pdf`` (a page per slide: its last frame).

    Parameters
    ----------
    ref
        The scene.
    media_dir
        The media folder it was rendered into.
    quality
        ``l``, ``m``, ``h`` or ``k``: which render to use.
    out_dir
        The decks go into ``out_dir/<Scene>/``, which is made anew.
    formats
        Any of :data:`SLIDE_FORMATS` (a list or ``"html,pdf"``); empty for ``deck.md`` only.
    title
        The deck's title; default the scene's ``chapter_title``, else its class name.

    Returns
    -------
    Path
        The folder with the decks.

    Raises
    ------
    LLMVizError
        Without rendered sections, without manim-slides for a deck format, or when a deck
        cannot be written.
    """
    formats = parse_formats(formats) if formats else ()
    if formats:
        require_slides()
    media_dir = Path(media_dir)
    video = ref.video(media_dir, quality)
    sections_dir = video.parent / "sections"
    index = sections_dir / f"{ref.name}.json"
    narration_file = video.with_name(f"{ref.name}.narration.json")
    if not index.is_file() or not narration_file.is_file():
        raise LLMVizError(
            f"{ref.label} has no rendered sections under {sections_dir}; render it with sections first"
        )
    presentation = None
    if formats:
        from manim_slides.config import PresentationConfig

        deck_file = ref.slides_folder(media_dir, quality) / f"{ref.name}.json"
        if not deck_file.is_file():
            raise LLMVizError(
                f"{ref.label} has no manim-slides presentation at {deck_file}: render it with "
                "manim-slides installed (`llmviz slides` does), as a LectureScene"
            )
        presentation = PresentationConfig.from_file(deck_file)
    sections = json.loads(index.read_text())
    recorded = {s["name"]: s for s in json.loads(narration_file.read_text())["sections"]}
    out = Path(out_dir) / ref.name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    slides = []
    for k, sec in enumerate(s for s in sections if s.get("video")):
        base = f"{k + 1:02d}_{_slug(sec['name'])}"
        clip = out / f"{base}.mp4"
        shutil.copyfile(sections_dir / sec["video"], clip)
        png = out / f"{base}.png"
        info = recorded.get(sec["name"], {})
        # the picture is the frame shown when the section's content was complete (before any
        # fade-out at its end); without that record, the clip's last frame
        still = info["still"] - info["start"] - 1e-3 if "still" in info else None
        _last_frame_png(clip, png, at=still)
        notes = info.get("narration", "")
        slides.append({"name": sec["name"], "png": png.name, "clip": clip.name, "notes": notes})
    title = title or ref.title or ref.name
    (out / "deck.md").write_text(_markdown_deck(title, slides))
    (out / "slides.json").write_text(json.dumps(slides, indent=1) + "\n")
    for fmt in formats:
        _convert(presentation, fmt, out / f"deck.{fmt}", title)
    return out


def _markdown_deck(title: str, slides: list[dict]) -> str:
    """A reveal.js markdown deck in the lecture deck's shape: '--' separators, centred slides,
    the picture, and 'Notes:' with the narration."""
    parts = [f"# {title}\n"]
    for s in slides:
        block = [
            '<!-- .slide: class="align-center" -->',
            "",
            "",
            f'<img src="{s["png"]}" style="max-height: 55vh;">',
            "",
            "",
        ]
        if s["notes"]:
            block += ["Notes:", "", s["notes"], ""]
        parts.append("\n".join(block))
    return "\n--\n\n".join(parts) + "\n"

"""Finding scenes: the scene classes of a scenes folder, their sections, and names resolved."""

from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from pathlib import Path

from llmviz.errors import LLMVizError
from llmviz.paths import cache_dir

__all__ = [
    "SceneRef",
    "find_scenes",
    "resolve_scenes",
    "scene_sections",
    "scene_listing",
    "unreadable_files",
    "QUALITY_DIRS",
]

QUALITY_DIRS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}


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


def find_scenes(scenes_dir: Path) -> list[SceneRef]:
    """Every renderable scene class in ``scenes_dir/*.py`` (one that defines ``construct`` or
    names the chapter steps it ``plays``), in the order of the files and of the classes in them.

    The files are read, not run (the classes at their top level), so that listing is instant and
    a scene that fails when it runs is still listed; ``chapter_title`` is taken from the class
    when it is a literal.
    """
    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise LLMVizError(f"scenes directory not found: {scenes_dir} (use --scenes-dir)")
    found = []
    for file in sorted(scenes_dir.glob("*.py")):
        for cls in _classes(file):
            names = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
            if "construct" not in names and _literal(cls, "plays") is None:
                continue
            doc = (ast.get_docstring(cls) or "").strip().split("\n")[0]
            title = _literal(cls, "chapter_title")
            title = title if isinstance(title, str) and title else cls.name
            found.append(SceneRef(file, cls.name, doc, title))
    return found


def _parse(file: Path) -> tuple[ast.Module | None, str]:
    """The file's syntax tree, or None and why it could not be read, in one line."""
    try:
        return ast.parse(file.read_bytes(), filename=str(file)), ""
    except SyntaxError as exc:
        return None, f"{type(exc).__name__} at line {exc.lineno}: {exc.msg}"
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _classes(file: Path) -> list[ast.ClassDef]:
    tree, _ = _parse(file)
    return [] if tree is None else [n for n in tree.body if isinstance(n, ast.ClassDef)]


def unreadable_files(scenes_dir: Path) -> list[tuple[Path, str]]:
    """The files of ``scenes_dir/*.py`` that cannot be read as Python, each with why (a syntax
    error and its line, a file that cannot be opened); :func:`find_scenes` lists none of their
    scenes, and ``llmviz list`` says so."""
    out = []
    for file in sorted(Path(scenes_dir).glob("*.py")):
        tree, why = _parse(file)
        if tree is None:
            out.append((file, why))
    return out


def _literal(cls: ast.ClassDef, name: str):
    """The literal value a class body gives ``name`` (a name such as ``ALL_STEPS`` counts as
    given, as ``...``), or None."""
    for node in cls.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(
                isinstance(t, ast.Name) and t.id == name for t in targets
            ):
                try:
                    return ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    return ...
    return None


# The sections of step scenes are read from their @step decorators (llmviz.steps), in a child
# process so that importing the scenes (manim, torch, their step packages) leaves this one as it
# was; a file that cannot be imported lists its scenes without sections.
_READ_STEPS = """
import importlib.util, json, sys
from llmviz.steps import played_steps
root, files = sys.argv[1], sys.argv[2:]
sys.path.insert(0, root)
out = {}
for path in files:
    try:
        spec = importlib.util.spec_from_file_location("_llmviz_listing_" + str(len(out)), path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    except Exception:
        continue
    for name, cls in vars(module).items():
        if isinstance(cls, type) and getattr(cls, "plays", ()):
            try:
                out[path + ":" + name] = [s.title for s in played_steps(cls)]
            except Exception:
                pass
print(json.dumps(out))
"""


def _step_titles(scenes_dir: Path, refs: list[SceneRef]) -> dict[str, list[str]]:
    """``{"file:Class": [section titles]}`` for the scenes that play chapter steps."""
    import subprocess
    import sys

    files = sorted({str(r.file) for r in refs})
    if not files:
        return {}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _READ_STEPS, str(scenes_dir), *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
        return json.loads(proc.stdout) if proc.returncode == 0 else {}
    except (OSError, ValueError, subprocess.SubprocessError):
        return {}


def scene_sections(ref: SceneRef, media_dir: Path = Path("media")) -> list[str]:
    r"""The section titles of a scene: for a scene that plays chapter steps, their
    :func:`~llmviz.steps.step` titles (nothing is rendered); for a scene with its own
    ``construct``, those its last render recorded (``<Scene>.narration.json``), else none.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.py").write_text(
    ...     "from llmviz.scene import LectureScene\n"
    ...     "from llmviz.steps import ALL_STEPS, step\n"
    ...     "class A(LectureScene):\n"
    ...     "    @step('Second', order=2)\n    def step_two(self): pass\n"
    ...     "    @step('First', order=1)\n    def step_one(self): pass\n"
    ...     "class B(A):\n    plays = ALL_STEPS\n"
    ... )
    >>> scene_sections(find_scenes(folder)[0])
    ['First', 'Second']
    """
    titles = _step_titles(ref.file.parent, [ref]).get(f"{ref.file}:{ref.name}")
    return titles if titles is not None else _rendered_sections(ref, media_dir)


def _rendered_sections(ref: SceneRef, media_dir: Path) -> list[str]:
    for q in ("k", "h", "m", "l"):
        try:
            data = json.loads(
                ref.video(media_dir, q).with_name(f"{ref.name}.narration.json").read_text()
            )
            return [str(s["name"]) for s in data["sections"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return []


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
    return cache_dir("scenes")


def scene_listing(
    scenes_dir: Path, media_dir: Path = Path("media")
) -> list[tuple[SceneRef, list[str]]]:
    """Every scene of :func:`find_scenes` with its :func:`scene_sections`. The step titles come
    from a cache that cannot go stale: it is kept under a hash of the contents of every ``.py``
    file in ``scenes_dir`` (and of this reader), so any edit reads the steps again.
    """
    scenes_dir = Path(scenes_dir)
    if not scenes_dir.is_dir():
        raise LLMVizError(f"scenes directory not found: {scenes_dir} (use --scenes-dir)")
    refs = find_scenes(scenes_dir)
    cache = _listing_cache() / f"{_listing_key(scenes_dir)}.json"
    try:
        titles = json.loads(cache.read_text())
        if not isinstance(titles, dict):
            raise ValueError
    except (OSError, ValueError):
        found = _step_titles(scenes_dir, refs)  # keyed by "path:Class"; kept by "file name:Class"
        titles = {}
        for key, names in found.items():
            path, _, cls = key.rpartition(":")
            titles[f"{Path(path).name}:{cls}"] = names
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            part = cache.with_name(f"{cache.name}.{os.getpid()}.part")
            part.write_text(json.dumps(titles))
            os.replace(part, cache)
        except OSError:
            pass  # a read-only cache folder: list anyway
    return [
        (ref, titles.get(f"{ref.file.name}:{ref.name}") or _rendered_sections(ref, media_dir))
        for ref in refs
    ]


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

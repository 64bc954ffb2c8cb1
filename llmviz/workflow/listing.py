"""Finding scenes: the scene classes of a scenes folder, their sections, and names resolved."""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
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
    return cache_dir("scenes")


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

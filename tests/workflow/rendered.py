"""One way for the workflow tests to render a small scene for real: at -ql into ``tmp_path``,
with no cache, returning the scene and its video."""

from manim import tempconfig


def render(cls, tmp_path, **extra):
    config = {
        "quality": "low_quality",
        "media_dir": str(tmp_path / "media"),
        "progress_bar": "none",
        "verbosity": "WARNING",
        "disable_caching": True,
        **extra,
    }
    with tempconfig(config):
        scene = cls()
        scene.render()
    video = next((tmp_path / "media").rglob(f"{cls.__name__}.mp4"))
    return scene, video


def scene_project(tmp_path_factory, name: str, files: dict[str, str]):
    """A project folder for the command-line tests: ``scenes/<file>`` holding each source."""
    root = tmp_path_factory.mktemp(name)
    (root / "scenes").mkdir()
    for file, source in files.items():
        (root / "scenes" / file).write_text(source)
    return root

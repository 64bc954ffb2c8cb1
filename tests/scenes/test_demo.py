import importlib.util
from pathlib import Path

import pytest
from manim import MathTex, tempconfig

import llmviz
from llmviz.style import format_number

ROOT = Path(__file__).resolve().parents[2]


def load_scene(file: str, name: str):
    spec = importlib.util.spec_from_file_location(
        f"scene_{Path(file).stem}", ROOT / "scenes" / file
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_demo_shows_the_trace_values(model):
    scene_cls = load_scene("demo.py", "NextTokenDemo")
    with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True}):
        scene = scene_cls()
        scene.render()
    top = model.run(scene_cls.prompt).top_k(scene_cls.k, temperature=2.0)
    assert scene.bars.tokens == [c.token for c in top]
    assert [n.text for n in scene.bars.numbers] == [
        f"{format_number(100 * c.prob, 1)}%" for c in top
    ]
    assert on_screen_texts(scene) >= {"temperature 2", "What comes next?"}
    assert [name for name, _ in scene.narration] == [
        "Prompt",
        "Distribution at temperature 1",
        "Distribution at temperature 2",
    ]


def on_screen_texts(scene):
    return {
        m.text
        for top in scene.mobjects
        for m in top.get_family()
        if hasattr(m, "text") and isinstance(m.text, str)
    }


@pytest.mark.slow
def test_demo_renders_a_video(tmp_path):
    scene_cls = load_scene("demo.py", "NextTokenDemo")
    with tempconfig(
        {
            "quality": "low_quality",
            "media_dir": str(tmp_path),
            "disable_caching": True,
            "progress_bar": "none",
            "verbosity": "WARNING",
        }
    ):
        scene_cls().render()
    videos = list(tmp_path.rglob("NextTokenDemo.mp4"))
    assert videos and videos[0].stat().st_size > 10_000


def test_latex_subset_is_installed(tmp_path):
    # the setup script installs the LaTeX subset that MathTex needs
    with tempconfig({"media_dir": str(tmp_path), "tex_dir": str(tmp_path / "tex")}):
        tex = MathTex(r"E + \Delta E = E'")
    assert len(tex.submobjects) > 0


def test_model_is_the_package_default():
    assert llmviz.load_model() is llmviz.load_model()

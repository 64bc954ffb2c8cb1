import pytest
from manim import MathTex, tempconfig
from scene_loader import load

import llmviz
from llmviz.style import format_number


def load_scene(file: str, name: str):
    return getattr(load(file.removesuffix(".py")), name)


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


def test_a_render_cut_short_with_n_keeps_its_narration(tmp_path):
    # `manim render -n 0,1`: the scene stops after two animations, before its reading-time padding
    scene_cls = load_scene("demo.py", "NextTokenDemo")
    config = {
        "quality": "low_quality",
        "media_dir": str(tmp_path),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "from_animation_number": 0,
        "upto_animation_number": 1,
    }
    with tempconfig(config):
        scene_cls().render()
    notes = list(tmp_path.rglob("NextTokenDemo.narration.json"))
    assert notes and '"sections"' in notes[0].read_text()

import pytest
from manim import MathTex, tempconfig
from scene_loader import load, spoken_beat_problems

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


def _demo_under(monkeypatch, **env):
    from scene_loader import render

    for key, value in env.items():
        monkeypatch.setenv(f"LLMVIZ_{key.upper()}", str(value))
    return render(load_scene("demo.py", "NextTokenDemo"))


@pytest.mark.parametrize("temperature", ["0", "-0", "0.5", "1", "2", "7.5"])
def test_the_demo_says_what_its_temperature_really_does(monkeypatch, model, temperature):
    scene = _demo_under(monkeypatch, temperature=temperature)
    t = float(temperature)
    said = " ".join(text for _, text in scene.narration)
    base = model.run(scene.prompt).top_k(1)[0].prob
    hot = scene.bars.probs[0]
    assert "-0" not in said and "temperature of -" not in said
    if t == 0:
        assert "A temperature of zero leaves all the probability on the top token" in said
        assert hot == 1.0 and "no chance at all" in said
    elif t == 1:
        assert "changes nothing" in said and hot == pytest.approx(base)
    elif t < 1:
        assert "sharpens the distribution" in said and "flattens" not in said
        assert hot >= base and "even less of a chance" in said
    else:
        assert "flattens the distribution" in said and "sharpens" not in said
        assert hot < base and "more of a chance" in said
    way = "rises" if hot > base else "falls"
    if format_number(100 * hot, 1) != format_number(100 * base, 1):
        assert f"the top share {way} from {format_number(100 * base, 1)}" in said
    assert spoken_beat_problems(scene) == []  # and at every temperature it reads well aloud


def test_the_seed_is_said_to_be_unused_and_really_changes_nothing(monkeypatch, capsys):
    plain = _demo_under(monkeypatch)
    assert "seed is not used" not in capsys.readouterr().out
    seeded = _demo_under(monkeypatch, seed=7)
    out = capsys.readouterr().out
    assert out.count("llmviz: seed is not used by NextTokenDemo: it never samples") == 1
    assert [b.text for b in seeded.beats] == [b.text for b in plain.beats]
    assert [b.shown for b in seeded.beats] == [b.shown for b in plain.beats]
    assert set(seeded.unused_settings) == {"seed", "contrasts"}


def test_the_decimals_setting_reaches_the_percentages_on_screen_and_in_the_narration(
    monkeypatch, model
):
    scene = _demo_under(monkeypatch, decimals=4)
    top = model.run(scene.prompt).top_k(scene.k, temperature=2.0)
    assert [n.text for n in scene.bars.numbers] == [
        f"{format_number(100 * c.prob, 3)}%" for c in top
    ]
    said = " ".join(text for _, text in scene.narration)
    assert f"gets {format_number(100 * top[0].prob, 3)} percent" in said

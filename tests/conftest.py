import os
from pathlib import Path

import pytest
import torch

import llmviz

# The embedded model is tiny: one thread runs it fastest, and two threads on two busy cores wait
# on each other (measured: several times slower).
torch.set_num_threads(1)

# Under pytest-xdist (scripts/test.sh) each worker gets its own LaTeX and text caches: manim
# writes a formula's .tex/.dvi/.svg in place, so two processes compiling the same formula into
# one cold cache read each other's half-written files ("conversion failed").
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    from manim import config as _manim_config

    _caches = Path(_manim_config.media_dir).resolve() / f"pytest-{_WORKER}"
    _manim_config.tex_dir = str(_caches / "Tex")
    _manim_config.text_dir = str(_caches / "texts")


@pytest.fixture(scope="session")
def model():
    return llmviz.load_model(device="cpu")


@pytest.fixture(scope="session")
def mj_trace(model):
    return model.run("Michael Jordan plays the sport of")


# --- pixel tests (manim's frames_comparison) --------------------------------------------------
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import cairo  # noqa: E402
import manimpango  # noqa: E402
from manim.utils.testing import frames_comparison as _fc  # noqa: E402

RENDER_ENV_FILE = Path(__file__).parent / "control_data" / "RENDER_ENV.json"


def render_env() -> dict:
    """What the pixels depend on: the Cairo and Pango libraries manim draws with."""
    return {"cairo": cairo.cairo_version_string(), "pango": manimpango.pango_version()}


def pytest_addoption(parser):
    parser.addoption(
        "--set_test",
        action="store_true",
        default=False,
        help="write the control frames of the pixel tests instead of comparing",
    )
    parser.addoption(
        "--show_diff",
        action="store_true",
        default=False,
        help="show a picture of the difference when a pixel test fails",
    )


def pytest_configure(config):
    # manim skips every Cairo pixel test below Cairo 1.18; Debian 12 has 1.16. The control data
    # here were made with a known Cairo, so compare against that instead (see below).
    _fc.MIN_CAIRO_VERSION = 0
    config.addinivalue_line(
        "markers", "pixel: compares rendered frames with committed control data"
    )
    if config.getoption("--set_test"):
        RENDER_ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
        RENDER_ENV_FILE.write_text(json.dumps(render_env(), indent=2) + "\n")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--set_test"):
        return
    recorded = json.loads(RENDER_ENV_FILE.read_text()) if RENDER_ENV_FILE.exists() else None
    here = render_env()
    if recorded == here:
        return
    reason = (
        f"pixel control data were made with {recorded}, this machine renders with {here}; "
        "regenerate with: pytest tests/test_pixels.py --set_test"
    )
    for item in items:
        if item.get_closest_marker("pixel"):
            item.add_marker(pytest.mark.skip(reason=reason))

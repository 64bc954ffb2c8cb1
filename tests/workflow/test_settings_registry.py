"""One settings registry (llmviz.config.SETTINGS): the CLI flags and their help, the llmviz.toml
keys, the LLMVIZ_* variables and the README's table all agree with it."""

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmviz.cli import main
from llmviz.config import (
    KEYS,
    SETTINGS,
    Settings,
    resolve_settings,
    settings_markdown,
    toml_template,
)
from llmviz.errors import ConfigError

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def test_the_registry_names_every_setting_once():
    assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)]
    assert list(KEYS) == [s.name for s in SETTINGS]


def test_theme_allows_what_the_style_has():
    from llmviz.style import THEMES

    theme = next(s for s in SETTINGS if s.name == "theme")
    assert theme.choices == tuple(THEMES)
    assert all(name in theme.full_help for name in THEMES)  # projector too, not "dark or light"


@pytest.mark.parametrize("command", ["render", "slides"])
def test_cli_flags_and_help_come_from_the_registry(command):
    params = {p.name: p for p in main.commands[command].params}
    for s in SETTINGS:
        option = params[s.name]
        assert option.opts == [s.flag, *s.aliases]
        assert s.full_help[1:] in option.help and s.env in option.help
    text = CliRunner().invoke(main, [command, "--help"], terminal_width=400).output
    assert "dark, light, projector" in text and "dark or light" not in text


def test_toml_template_lists_every_key_with_its_help_and_parses_when_uncommented(tmp_path):
    text = toml_template()
    assert all(line.startswith("#") or not line for line in text.splitlines())  # all commented
    lines = [
        ln[2:] if ln.startswith("# ") and " = " in ln and ln[2:3] != " " else ln
        for ln in text.splitlines()
    ]
    data = tomllib.loads("\n".join(lines))
    assert list(data) == [s.toml_key for s in SETTINGS]
    for s in SETTINGS:
        assert s.help in text and s.allowed in text and s.env in text
    # each key is one resolve_settings reads (model_dir and font need a real folder and font)
    data = {k: v for k, v in data.items() if k not in ("model_dir", "font", "prompt")}
    (tmp_path / "llmviz.toml").write_text(
        "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in data.items())
    )
    resolve_settings(directory=tmp_path, environ={})


def test_every_setting_has_its_environment_variable(tmp_path):
    given = {
        "temperature": ("0.5", 0.5),
        "seed": ("3", 3),
        "theme": ("projector", "projector"),
        "decimals": ("4", 4),
        "voice": ("espeak", "espeak"),
        "contrasts": ("a b|c d", ("a b", "c d")),
        "model_dir": (str(tmp_path), None),  # checked: no config.json there
    }
    for s in SETTINGS:
        if s.name in given and s.name != "model_dir":
            text, value = given[s.name]
            assert (
                getattr(resolve_settings(directory=tmp_path, environ={s.env: text}), s.name)
                == value
            )
    with pytest.raises(ConfigError, match="model_dir .from LLMVIZ_MODEL_DIR"):
        resolve_settings(directory=tmp_path, environ={"LLMVIZ_MODEL_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="LLMVIZ_THEME.*dark, light, projector"):
        resolve_settings(directory=tmp_path, environ={"LLMVIZ_THEME": "neon"})


def test_settings_command_prints_the_table():
    res = CliRunner().invoke(main, ["settings"])
    assert res.exit_code == 0 and res.output == settings_markdown()
    for s in SETTINGS:
        assert f"`{s.flag}`" in res.output and f"`{s.env}`" in res.output


def _readme_table() -> str | None:
    text = README.read_text()
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def test_readme_table_is_the_registry_table():
    assert _readme_table() is not None, "README.md lost its settings markers"
    assert _readme_table() == settings_markdown().strip()

from click.testing import CliRunner

from llmviz.cli import main


def test_help_on_every_subcommand():
    r = CliRunner()
    assert r.invoke(main, ["--help"]).exit_code == 0
    for cmd in ("train", "trace"):
        res = r.invoke(main, [cmd, "--help"])
        assert res.exit_code == 0 and "Usage" in res.output


def test_trace_command_shows_real_prediction():
    res = CliRunner().invoke(main, ["trace", "Michael Jordan plays the sport of", "-k", "3"])
    assert res.exit_code == 0, res.output
    assert "␣basketball" in res.output and "L0H0" in res.output


def test_trace_command_bad_input_is_a_clear_message():
    res = CliRunner().invoke(main, ["trace", "   "])
    assert res.exit_code != 0 and "prompt is empty" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["trace", "x", "--temperature", "-1"])
    assert res.exit_code != 0 and "-1" in res.output

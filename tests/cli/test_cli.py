from click.testing import CliRunner

from llmviz.cli import main
from llmviz.model.trace import hook_name


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


def test_facts_lists_what_the_model_knows_with_its_own_probabilities(model):
    from llmviz.model.corpus import athletes

    res = CliRunner().invoke(main, ["facts"])
    assert res.exit_code == 0, res.output
    p = model.run("Michael Jordan plays the sport of").probs()[model.token_id(" basketball")]
    line = next(ln for ln in res.output.splitlines() if "Michael Jordan plays" in ln)
    assert "␣basketball" in line and f"{p:6.1%}" in line
    known = res.output.split("Names not in the training data")[0]
    assert all(f"{a.name} plays the sport of" in known for a in athletes())
    assert "Roger Woods plays the sport of" not in known  # the README's contrast: not a fact
    # real athletes keep their real sports and are marked; made-up pairs are not
    line = next(ln for ln in res.output.splitlines() if "Simone Biles plays" in ln)
    assert "␣gymnastics" in line and line.endswith("[real athlete: gymnastics]")
    line = next(ln for ln in res.output.splitlines() if "Tiger Woods plays" in ln)
    assert line.endswith("[real athlete: golf]")  # never named in the corpus: a guess
    line = next(ln for ln in res.output.splitlines() if "Alexis Jordan plays" in ln)
    assert "real athlete" not in line
    assert "made up unless marked real" in res.output
    p = model.run("a fluffy creature").probs()[model.token_id(" roamed")]
    line = next(ln for ln in res.output.splitlines() if ln.strip().startswith("a fluffy creature"))
    assert "␣roamed" in line and f"{p:6.1%}" in line
    assert "Berlin is the capital of" in res.output and "␣Germany" in res.output


def test_model_dir_flag_and_its_alias_on_every_command():
    r = CliRunner()
    for cmd in ("trace", "render", "slides", "facts"):
        text = r.invoke(main, [cmd, "--help"]).output
        assert "--model-dir" in text and "--model" in text, cmd
    a = r.invoke(main, ["trace", "Michael Jordan", "--model-dir", "/no/such/dir"])
    b = r.invoke(main, ["trace", "Michael Jordan", "--model", "/no/such/dir"])
    assert a.exit_code == b.exit_code == 1 and a.output == b.output
    assert "model_dir (from --model-dir): no such directory" in a.output


def test_train_progress_reads_steps_and_loss(monkeypatch):
    import llmviz.model.train as train_module

    seen = []

    def fake_train(cfg, out, device=None):  # prints what the real one prints
        seen.append(cfg)
        for step in (250, 500):
            print(f"  step {step:5d}/{cfg.total_steps}  loss {3.0 / step:.4f}     1.0s", flush=True)
        print("llmviz train: wrote somewhere")

    monkeypatch.setattr(train_module, "train", fake_train)
    res = CliRunner().invoke(main, ["train", "--steps", "500", "--progress", "--out", "x"])
    assert res.exit_code == 0, res.output
    assert "step 500/500 loss 0.0060" in res.output and "left" in res.output
    assert "llmviz train: wrote somewhere" in res.output
    assert seen[0].total_steps == 500  # --steps counts every optimiser step, both phases


def test_trace_lists_only_neurons_that_are_active(model):
    res = CliRunner().invoke(main, ["trace", "the"])
    assert res.exit_code == 0, res.output
    lines = res.output.split("most active MLP neurons at the last token:\n")[1].splitlines()
    t = model.run("the")
    for layer, line in enumerate(lines[: model.cfg.n_layers]):
        post = t[hook_name("post", layer)][-1]
        n_active = min(5, int((post > 0.005).sum()))
        assert line.count("#") == n_active, line
        assert " 0.00" not in line and (n_active or "no neuron is active" in line)


def test_render_in_parts_options_and_join_are_listed_and_checked():
    r = CliRunner()
    text = r.invoke(main, ["render", "--help"]).output
    for option in ("--part I/N", "--parts", "--executor [local|ray]", "--address"):
        assert option in text, option
    assert "Usage" in r.invoke(main, ["join", "--help"]).output
    res = r.invoke(main, ["render", "MLPChapter", "--part", "2/x"])
    assert res.exit_code == 2 and "write I/N, for example 2/4" in res.output
    res = r.invoke(main, ["render", "MLPChapter", "--address", "ray://h:1"])
    assert res.exit_code == 1 and "--address is the Ray cluster of --executor ray" in res.output
    res = r.invoke(main, ["render", "--all", "--part", "1/2"])
    assert res.exit_code == 1 and "name one scene, not" in res.output
    res = r.invoke(main, ["join", "NoSuchChapter"])
    assert res.exit_code == 1 and "unknown scene 'NoSuchChapter'" in res.output

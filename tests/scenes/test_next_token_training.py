"""The opening chapter's pre-training steps (training data, dials, unseen text) and the measured
rate of the compute step, rendered alone in dry-run mode; what they show is checked against the
model, its training log and a corpus generated here independently of the scenes."""

import pytest
import torch
from safetensors.numpy import load_file
from scene_loader import load, narration_problems, render

import llmviz
from llmviz.bench import write_random_gpt2
from llmviz.model import corpus
from llmviz.model.scale import GPT3_PUBLISHED, training_run
from llmviz.model.trace import hook_name
from llmviz.model.train import load_training_log
from llmviz.model.transformer import Transformer
from llmviz.steps import chapter_steps
from llmviz.style import format_number

nt = load("next_token")

SECTIONS = {
    "TrainingData": "Training data",
    "TuningDials": "Training tunes the dials",
    "UnseenText": "Text it never saw",
}
NAMES = {"Michael", "Jordan", "GPT", "Messi", "Tiger", "Woods"}


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(nt, name), frame_rate=1) for name in SECTIONS}


@pytest.fixture(scope="module")
def model():
    return llmviz.load_model()


@pytest.fixture(scope="module")
def log():
    return load_training_log()


@pytest.fixture(scope="module")
def text(log):
    """The training corpus, generated here from the log's settings (not through the library
    the scenes use)."""
    cfg = log["train_config"]
    return "\n".join(corpus.generate_corpus(cfg["n_sentences"], cfg["seed"]))


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_step_renders_alone_tidily_and_says_only_what_it_shows(scenes, name):
    scene = scenes[name]
    assert [s for s, _ in scene.narration] == [SECTIONS[name]]
    assert scene.outside == [] and scene.overlaps == [] and scene.small == []
    assert scene.overlaps_midway == []  # nor halfway through an animation
    assert narration_problems(scene, NAMES) == []
    assert len(scene.beats) >= 5


def test_the_steps_sit_after_gpt_and_before_tokens():
    steps = tuple(st.name for st in chapter_steps(nt.NextTokenChapter))
    at = steps.index("gpt")
    assert steps[at + 1 : at + 4] == ("training_data", "dials", "unseen")
    assert steps[at + 4] == "tokens"


def test_training_data_is_the_generated_corpus_against_gpt3(scenes, model, log, text):
    counts, size = scenes["TrainingData"].shown["data"]
    sentences = text.split("\n")
    tokens = sum(len(model.tokenizer.encode(s + "\n")) for s in sentences)
    assert (size.sentences, size.words, size.characters) == (60000, len(text.split()), len(text))
    assert size.tokens == tokens
    run = training_run(log, sum(w.size for w in model.weights.values()))
    assert size.seen == run.tokens == 5500 * 32 * 64
    assert [c[0].text for c in counts] == [f"{v:,}" for v in (60000, size.words, tokens)]
    label, times = scenes["TrainingData"].shown["data_gap"]
    assert times == pytest.approx(GPT3_PUBLISHED.tokens / run.tokens)
    assert label.text == f"× {GPT3_PUBLISHED.tokens / run.tokens:,.0f}" == "× 26,634"
    said = " ".join(b.text for b in scenes["TrainingData"].beats)
    assert "generated" in said and "internet" in said and "300 billion" in said


def test_the_dials_are_real_weights_at_step_0_and_now(scenes, model, log):
    row, dials, now, start, n_params, _ = scenes["TuningDials"].shown["dials"]
    assert n_params == sum(w.size for w in model.weights.values())
    assert now == [float(model.weights[name][idx]) for name, idx in dials]
    assert [d.number.text for d in row[1:]] == [format_number(v, 2) for v in now[1:]]
    # step 0 rebuilt here: the training seeds torch with the log's seed, then builds the model
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(log["train_config"]["seed"])
        net0 = Transformer(model.cfg)
    state = net0.state_dict()
    assert start == pytest.approx([float(state[name][idx]) for name, idx in dials])
    *_, g_tok, g_p = scenes["TuningDials"].shown["dials_start"]
    assert [g_tok, round(g_p, 5)] == log["checkpoints"][0]["predictions"][model_prompt()][0]


def model_prompt():
    return nt.TuningDials.prompt


def test_turning_the_bias_dial_changes_the_probability_the_screen_says(scenes, model):
    scene = scenes["TuningDials"]
    dial, bars, turn, probs, tokens = scene.shown["dials_turn"]
    name, (n,) = scene.shown["dials"][1][0]
    layer = int(name.split(".")[1])
    b = float(load_file(str(model.path / "model.safetensors"))[name][n])  # the shipped value
    ids = [model.token_id(t) for t in tokens]

    def hooked(v):  # the bias moved by (v - b): the neuron's input moves by the same amount
        def fn(a, _):
            a[..., n] += v - b
            return a

        logits = model.run_with_hooks(model_prompt(), [(hook_name("pre", layer), fn)])
        return torch.tensor(logits["logits"][-1]).softmax(-1).numpy()[ids]

    assert turn[0] == pytest.approx(b)
    assert probs[0] == pytest.approx(hooked(turn[0]), abs=1e-5)
    assert probs[-1] == pytest.approx(hooked(turn[-1]), abs=1e-5)
    # the fact breaks (below one half) and the runner-up rises
    assert probs[0, 0] > 0.9 and probs[-1, 0] < 0.5 and probs[-1, 1] > probs[0, 1]
    said = [b.text for b in scene.beats]
    assert any(f"falls to {100 * probs[-1, 0]:.1f} percent" in s for s in said)
    # the scene ends with the dial turned back, and the model itself is unchanged
    assert dial.number.text == format_number(b, 2)
    assert [x.text for x in bars.numbers] == [f"{100 * p:.1f}%" for p in probs[0]]
    assert float(model.weights[name][n]) == b == scene.shown["dials"][2][0]
    assert model.run(model_prompt()).probs()[ids] == pytest.approx(probs[0], abs=1e-6)


def test_unseen_prompts_are_not_in_the_corpus_and_the_answers_are_the_models(scenes, model, text):
    scene = scenes["UnseenText"]
    line, tag, bars, lead, n_sent = scene.shown["unseen"]
    assert lead.prompt not in text and not lead.seen and n_sent == 60000
    assert lead.prompt.endswith(nt.UnseenText.prompt) and line.text == lead.prompt
    top = model.run(lead.prompt).top_k(1)[0]
    assert (bars.tokens[0], bars.probs[0]) == (top.token, pytest.approx(top.prob))
    line2, bars2, pick = scene.shown["unseen_name"]
    said = " ".join(t for _, t in scene.narration)
    assert pick.name not in text and corpus.known_athlete(pick.name) is None
    # the example is a made-up name, and the screen and the narration say so
    assert corpus.made_up(pick.name) and "made-up name" in scene.shown["unseen_tag2"].text
    assert f"{pick.name}, a made-up name," in said
    top = model.run(f"{pick.name} plays the sport of").top_k(1)[0]
    assert (pick.token, bars2.tokens[0]) == (top.token, top.token)
    athletes = corpus.athletes()
    first, last = pick.name.split()
    assert top.token.strip() in {a.sport for a in athletes if a.first == first}
    assert top.token.strip() in {a.sport for a in athletes if a.last == last}
    label, fits, total = scene.shown["unseen_count"]
    assert total == 60 and label.text == str(fits)
    fail, worst, wrong = scene.shown["unseen_fail"]
    assert fits + wrong == total and worst.name not in text
    assert worst.token.strip() not in worst.shared and worst.name in fail.text
    real = corpus.real_sport(worst.name)  # a real athlete's failure says the real sport
    assert (f"the real one plays {real}" in fail.text) == bool(real)
    assert (f"the real {worst.name} plays {real}" in said) == bool(real)


def test_compute_shows_the_measured_rate(model, log):
    scene = render(nt.TrainingCompute, frame_rate=1)
    line, rate, seconds, device = scene.shown["compute_rate"]
    run = training_run(log, sum(w.size for w in model.weights.values()))
    assert (seconds, device) == (log["seconds"], log["device"])
    assert rate == pytest.approx(6 * run.parameters * run.tokens / log["seconds"])
    mantissa, exponent = f"{rate:.2e}".split("e")
    sup = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert line[1].text.startswith(f"{mantissa} × 10{sup}")
    assert narration_problems(scene, NAMES) == []


def test_on_a_gpt2_folder_the_steps_say_what_is_missing(tmp_path):
    folder = write_random_gpt2(
        tmp_path / "gpt2", vocab_size=600, n_positions=128, n_embd=48, n_layer=2, n_head=3
    )

    class OnGPT2(nt.NextTokenChapterScene):
        model_dir = str(folder)

        def construct(self):
            for step in ("training_data", "dials", "unseen"):
                getattr(self, f"step_{step}")()
                self.clear()

    scene = render(OnGPT2, frame_rate=1)
    assert [s for s, _ in scene.narration] == list(SECTIONS.values())
    assert scene.outside == [] and scene.overlaps == []
    assert scene.shown["data"] is None and scene.shown["unseen"] is None
    screen = " ".join(t for b in scene.beats for t in b.shown)
    assert "records no training corpus" in screen
    assert "training corpus is not known here" in screen
    assert narration_problems(scene, {"Michael", "Jordan", "GPT"}) == []

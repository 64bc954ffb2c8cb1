"""Render each attention step in dry-run mode: the values on screen against the trace and the
analysis, every number of the narration on screen, and the whole chapter on a random GPT-2 folder
whose verdicts say what was and was not found."""

import math

import numpy as np
import pytest
from manim import config
from scene_loader import flow_problems, load, narration_problems, render

from llmviz.bench import write_random_gpt2
from llmviz.model.analysis import cosine, find_adjective_head, strongest_attention
from llmviz.model.projection import plane_of
from llmviz.model.trace import hook_name
from llmviz.steps import chapter_steps
from llmviz.style import format_number

attention = load("attention")

STEPS = {
    "WhyAttention": "Why attention",
    "TheExample": "The example",
    "QueriesAndKeys": "Queries and keys",
    "KeysLineUp": "Keys that line up",
    "TheGrid": "The grid",
    "ScaleMaskSoftmax": "Scale, mask, softmax",
    "Values": "Values",
    "EachKeysShare": "Each key's share",
    "TheValueMap": "The value map",
    "MultiHead": "Multi-head attention",
    "AnotherHead": "Another head, another update",
    "CountingAttention": "Counting parameters",
    "CrossAttention": "Cross-attention",
    "ContextSize": "Context size",
    "FarBack": "Far back in the context",
}
PROMPT = attention.AttentionScene.prompt


@pytest.fixture(scope="module")
def scenes():
    return {name: render(getattr(attention, name)) for name in STEPS}


@pytest.fixture(scope="module")
def trace(model):
    return model.run(PROMPT)


@pytest.fixture(scope="module")
def head(model):
    return find_adjective_head(model)


def shows_vector(vec, values, atol=1e-5):
    """Every entry on screen is the formatted true value, and the vector holds the true values."""
    values = np.asarray(values, dtype=np.float64)
    assert np.allclose(vec.values, values, atol=atol)
    return all(e.text == format_number(values[e.source_index], vec.decimals) for e in vec.entries)


def test_every_step_is_its_own_scene_with_one_section_told_in_beats(scenes):
    for name, section in STEPS.items():
        s = scenes[name]
        assert [n for n, _ in s.narration] == [section], name
        assert len(s.beats) >= 4, name
        assert all(b.end > b.start and b.text.endswith((".", "?", "!")) for b in s.beats), name
    order = [st.title for st in chapter_steps(attention.AttentionChapter)]
    assert order == list(STEPS.values())  # the decorators' order is the chapter's


def test_nothing_reaches_past_the_frame_or_overlaps(scenes):
    assert {name: s.outside for name, s in scenes.items() if s.outside} == {}
    assert {name: s.overlaps for name, s in scenes.items() if s.overlaps} == {}
    # halfway through every animation too: no light-up or moving copy covers another text
    assert {name: s.overlaps_midway for name, s in scenes.items() if s.overlaps_midway} == {}


def test_every_step_played_alone_builds_its_own_opening_and_hands_nothing_on(scenes):
    for name, s in scenes.items():
        assert s.handovers == [], name  # one step: no step before it to receive from
        assert not s.zoomed, name  # a step that moves the camera in moves it back out


@pytest.fixture(scope="module")
def chapter():
    return render(attention.AttentionChapter)


#: What each step hands to the next inside an act (the rest fades as the next step begins).
HANDED = {
    ("example", "queries_keys"): ("vector",),  # the noun's E becomes x, into W_Q
    ("queries_keys", "key_space"): ("query",),  # its query vector becomes an arrow
    ("key_space", "grid"): ("keys",),  # the keys' names become the grid's rows
    ("grid", "scale_mask_softmax"): ("grid",),  # the scores go through scale, mask, softmax
    ("scale_mask_softmax", "values"): ("values",),  # the formula's V becomes v = W_V x
    ("values", "creature"): ("change",),  # ΔE becomes its sum over keys
    ("multi_head", "other_head"): ("maps",),  # the value-up maps become the two heads' table
    ("other_head", "count"): ("table",),  # that table becomes the bill
    ("cross", "context"): ("grid",),  # the schematic's grid of pairs becomes a real pattern
    ("context", "long_range"): ("pattern",),  # the longest pattern waits for the far head's
}


def test_the_chapter_flows_from_step_to_step_and_goes_dark_only_between_acts(chapter):
    assert flow_problems(chapter) == []
    assert [h.after for h in chapter.handovers if h.dark] == ["multi_head", "cross"]
    inside = [h for h in chapter.handovers if not h.dark]
    assert len(inside) == len(STEPS) - 1 - 2
    handed = {(h.before, h.after): h.handed for h in inside if h.handed}
    assert handed == HANDED
    assert len(handed) >= 0.6 * len(inside)  # most steps go on from the last one's picture
    # each first beat transformed exactly what it was handed (flow_problems checks it too)
    assert all(h.transformed == h.handed for h in inside)
    assert [n for n, _ in chapter.narration] == list(STEPS.values())
    assert (chapter.outside, chapter.overlaps, chapter.small) == ([], [], [])
    assert chapter.overlaps_midway == []


def test_the_grid_zooms_in_to_the_nouns_best_key_and_back_out(scenes):
    s = scenes["TheGrid"]
    key, query, width, center = s.shown["zoom"]
    assert query == s.q
    assert key == max(range(s.q + 1), key=lambda k: s.dots[s.q, k])  # the largest score
    assert width < config.frame_width / 2  # moved in, more than twice as close
    height = width * config.frame_height / config.frame_width
    grid = s.shown["grid"]
    for point in (grid.cell_center(key, query), grid.key_labels[key].get_center()):
        assert abs(point[0] - center[0]) < width / 2 and abs(point[1] - center[1]) < height / 2
    assert not s.zoomed


def test_every_picture_is_readable_at_480p(scenes):
    assert {n: sorted(set(s.small))[:5] for n, s in scenes.items() if s.small} == {}


def test_every_number_of_the_narration_is_on_screen(scenes):
    assert {n: narration_problems(s) for n, s in scenes.items() if narration_problems(s)} == {}


def test_why_attention_shows_cosines_of_the_same_word_across_contexts(scenes, model):
    table = scenes["WhyAttention"].shown["cosines"]
    a, b = model.run("The tower"), model.run("The Eiffel tower")
    row = "The tower / The Eiffel tower"
    expected = {
        "lookup": cosine(a[hook_name("embed")][-1], b[hook_name("embed")][-1]),
        "+ position": cosine(a[hook_name("resid_pre", 0)][-1], b[hook_name("resid_pre", 0)][-1]),
        "layer 0": cosine(a[hook_name("resid_mid", 0)][-1], b[hook_name("resid_mid", 0)][-1]),
    }
    for col, exp in expected.items():
        assert table.value(row, col) == pytest.approx(exp, abs=1e-6)
        assert table.cell(row, col).text == format_number(exp, 2)
    assert expected["lookup"] == pytest.approx(1.0)  # the lookup is the same in every context
    assert expected["layer 0"] < 0.9  # attention has moved the vector


def test_the_example_shows_embedding_plus_position(scenes, trace, model):
    rows = scenes["TheExample"].shown["E"]
    assert sorted(rows) == list(range(trace.n_tokens))  # 8 tokens: every one has its vector
    for i, (vec, _) in rows.items():
        true = model.W_E[trace.token_ids[i]] + model.W_pos[i]
        assert shows_vector(vec, true)
        assert np.allclose(true, trace[hook_name("resid_pre", 0)][i], atol=1e-5)


def test_queries_and_keys_are_the_heads_real_vectors(scenes, trace, head):
    s = scenes["QueriesAndKeys"]
    assert (s.L, s.h) == (head.layer, head.head)  # found by the analysis, not hard-coded
    q_all = trace[hook_name("q", head.layer)][:, head.head]
    k_all = trace[hook_name("k", head.layer)][:, head.head]
    vec, _ = s.shown["q"]
    assert shows_vector(vec, q_all[s.q], atol=1e-4)  # W_Q x recomputed from shown matrix and x
    assert sorted(s.shown["queries"]) == sorted(s.shown["keys"]) == list(range(trace.n_tokens))
    for i, (vec, _) in s.shown["queries"].items():
        assert shows_vector(vec, q_all[i])
    for i, (vec, _) in s.shown["keys"].items():
        assert shows_vector(vec, k_all[i])


def test_the_adjectives_keys_line_up_with_the_nouns_query_in_a_measured_plane(scenes, trace, head):
    s = scenes["KeysLineUp"]
    q = trace[hook_name("q", head.layer)][:, head.head]
    k = trace[hook_name("k", head.layer)][:, head.head]
    proj = s.shown["kq_plane"]
    want = plane_of(np.vstack([q[s.q], k[: s.q + 1]]), q[s.q], k[s.focus.keys[0]])
    np.testing.assert_allclose(proj.coords, want.coords, atol=1e-6)
    assert f"keeps {100 * want.kept:.0f}% of the spread" in " ".join(s.beats[-1].shown)
    shown = s.shown["kq_cosines"]
    for word, (mob, value) in shown.items():
        pos = [t.strip() for t in trace.tokens].index(word)
        assert value == pytest.approx(cosine(q[s.q], k[pos]))
        assert mob.text == format_number(value, 2, sign=True)
    adjectives = {shown[w][1] for w in ("fluffy", "blue")}
    assert min(adjectives) > max(v for w, (_, v) in shown.items() if w not in ("fluffy", "blue"))
    assert s.shown["keys_line_up"] is True


def test_the_grid_is_every_key_query_dot_product_and_creature_attends_to_its_adjectives(
    scenes, trace, head
):
    s = scenes["TheGrid"]
    tokens = [t.strip() for t in trace.tokens]
    assert tokens[s.q] == "creature" and [tokens[k] for k in s.focus.keys] == ["fluffy", "blue"]
    q = trace[hook_name("q", head.layer)][:, head.head].astype(np.float64)
    k = trace[hook_name("k", head.layer)][:, head.head].astype(np.float64)
    assert np.allclose(s.shown["grid"].values, q @ k.T, atol=1e-4)
    listed = s.shown["dots"]
    assert [v for _, v in listed] == sorted((v for _, v in listed), reverse=True)
    assert all(mob.text == format_number(v, 2, sign=True) for mob, v in listed)
    assert {round(v, 6) for _, v in listed[:2]} == {
        round(float(q[s.q] @ k[j]), 6) for j in s.focus.keys
    }


def test_scale_mask_softmax_stages_match_the_trace_and_the_formula_is_written(scenes, trace, head):
    s = scenes["ScaleMaskSoftmax"]
    scores = trace[hook_name("attn_scores", head.layer)][head.head]  # scaled, masked by the model
    finite = np.isfinite(scores)
    dk = trace[hook_name("q", head.layer)].shape[-1]
    assert np.allclose(s.shown["scaled"].values, s.shown["raw"].values / math.sqrt(dk))
    assert np.allclose(s.shown["scaled"].values[finite], scores[finite], atol=1e-4)
    masked = s.shown["masked"].values
    assert np.array_equal(np.isinf(masked), ~finite) and (masked[~finite] < 0).all()
    pattern = s.shown["pattern"].values
    assert np.allclose(pattern, trace[hook_name("pattern", head.layer)][head.head], atol=1e-5)
    assert "softmax" in s.shown["formula"].text and r"\sqrt{d_k}" in s.shown["formula"].text
    # the noun's column, written out beside the grid at every stage, is the grid's column
    for stage, grid in (("raw", s.shown["raw"]), ("pattern", s.shown["pattern"])):
        column = s.shown["column"][stage]
        assert len(column) == trace.n_tokens
        for k, num in enumerate(column):
            assert num.text == format_number(grid.display_value(k, s.q), num.decimals)
    said = s.beats[-2].text
    assert all(num.decimals >= 2 for num in s.shown["column"]["pattern"])
    top = np.argsort(-pattern[s.q])[:2]
    assert all(format_number(pattern[s.q, k], 2) in said for k in top)


def test_values_weighted_sum_and_residual_add_are_real(scenes, trace, head, model):
    s = scenes["Values"]
    v = trace[hook_name("v", head.layer)][:, head.head]
    pattern = trace[hook_name("pattern", head.layer)][head.head]
    keys = s.shown["value_keys"]
    assert keys == list(range(s.q + 1))  # few enough keys: every value vector is drawn
    for k, (vec, _) in zip(keys, s.shown["values"], strict=True):
        assert shows_vector(vec, v[k])
    for k, (lab, w) in zip(keys, s.shown["weights"], strict=True):
        assert w == pytest.approx(float(pattern[s.q, k])) and lab.text == format_number(w, 2)
    z = trace[hook_name("z", head.layer)][s.q, head.head]
    assert shows_vector(s.shown["z"][0], z, atol=1e-5)
    dE = z.astype(np.float64) @ model.W("O", head.layer, head.head)
    assert shows_vector(s.shown["dE"][0], dE, atol=1e-5)
    assert shows_vector(
        s.shown["E_new"][0], trace[hook_name("resid_pre", head.layer)][s.q] + dE, atol=1e-5
    )


def test_each_keys_share_adds_up_to_the_change_and_the_verdict_follows_the_signs(
    scenes, trace, head, model
):
    s = scenes["EachKeysShare"]
    shares = s.shown["shares"]
    z = trace[hook_name("z", head.layer)][s.q, head.head].astype(np.float64)
    np.testing.assert_allclose(shares.total, z @ model.W("O", head.layer, head.head), atol=1e-5)
    E = trace[hook_name("resid_pre", head.layer)].astype(np.float64)
    for word, k in (("fluffy", 1), ("blue", 2)):
        u = E[k] - E[s.q]
        along = float(shares.shares[k] @ u / np.linalg.norm(u))
        assert s.shown["along"][word] == pytest.approx(along, abs=1e-6)
        mob_w, w, mob_a, a = s.shown[f"share:{word}"]
        assert w == pytest.approx(float(trace[hook_name("pattern", head.layer)][head.head][s.q, k]))
        assert mob_w.text == format_number(w, 2) and mob_a.text == format_number(a, 2, sign=True)
    ok = all(a > 0 for a in s.shown["along"].values())
    assert s.shown["moves_toward_both"] is ok
    said = s.beats[-2].text
    assert ("moves first toward" in said) is ok and ("points away" in said) is (not ok)


def test_the_value_map_is_drawn_to_shape_and_its_rank_is_measured(scenes, model):
    s = scenes["TheValueMap"]
    cfg = model.cfg
    shapes = s.shown["value_shapes"]
    assert (shapes["down"].rows, shapes["down"].cols) == (cfg.d_head, cfg.d_model)
    assert (shapes["up"].rows, shapes["up"].cols) == (cfg.d_model, cfg.d_head)
    assert shapes["up"].box.height > 3 * shapes["up"].box.width  # tall and thin
    W = model.W("V", s.L, s.h).astype(np.float64) @ model.W("O", s.L, s.h)
    assert s.shown["value_rank"] == np.linalg.matrix_rank(W) == cfg.d_head


def test_multi_head_outputs_sum_to_the_layers_attention_output(scenes, trace, head):
    s = scenes["MultiHead"]
    heads = s.shown["heads"]
    assert len(heads) == trace[hook_name("pattern", head.layer)].shape[0]
    total = sum(np.asarray(vec.values) for vec, _ in heads)
    attn_out = trace[hook_name("attn_out", head.layer)][s.q]
    assert np.allclose(total, attn_out, atol=1e-4)
    assert shows_vector(s.shown["attn_out"][0], attn_out)
    # every token is written, readable (test_every_picture_is_readable_at_480p), on every head
    every = list(range(s.n))
    assert all(cols == every for cols, _ in s.shown["labelled"].values())
    assert s.shown["labelled"][s.shown["heads_drawn"][0]][1] == every


def test_another_head_updates_the_noun_another_way(scenes, trace, model):
    s = scenes["AnotherHead"]
    o = s.shown["other_head"]
    assert (o.layer, o.head) != (s.L, s.h)
    table = s.shown["two_heads"]
    name = f"layer {o.layer}, head {o.head}"
    pattern = trace[hook_name("pattern", o.layer)][o.head][s.q]
    assert s.shown["two_heads_keys"] == list(range(s.q + 1))  # few keys: a column for each
    for k in range(s.q + 1):
        assert table.value(name, f'"{s.tok(k)}"') == pytest.approx(float(pattern[k]))
    assert o.share_on_keys == pytest.approx(float(pattern[list(s.focus.keys)].sum()))
    mine_share = float(s.pattern[s.q, list(s.focus.keys)].sum())
    assert o.share_on_keys < mine_share / 2  # it looks elsewhere
    z = trace[hook_name("z", o.layer)][s.q]
    mine = trace[hook_name("z", s.L)][s.q, s.h].astype(np.float64) @ model.W("O", s.L, s.h)
    other = z[o.head].astype(np.float64) @ model.W("O", o.layer, o.head)
    assert o.cosine == pytest.approx(cosine(mine, other))
    mob, value = s.shown["two_changes_cosine"]
    assert mob.text == format_number(value, 2)


def test_counting_uses_the_configs(scenes, model):
    values = scenes["CountingAttention"].shown["count_values"]
    cfg = model.cfg
    ours, _, gpt, g = values["all layers"]
    assert ours.text == f"{4 * cfg.n_heads * cfg.n_layers * cfg.d_head * cfg.d_model:,}"
    assert g == 57_982_058_496 and gpt.text == "57,982"  # millions
    share = values["share of all weights"]
    assert share[2].text == "33.1%" and share[3] == pytest.approx(0.331, abs=1e-3)
    assert values["one head"][3] == 6_291_456 and values["one head"][2].text == "6.3"


def test_context_size_shows_real_patterns_of_growing_prompts(scenes, model):
    sizes = scenes["ContextSize"].shown["sizes"]
    lengths = [n for n in attention.AttentionScene.context_lengths if n <= model.cfg.n_ctx]
    assert [n for _, n in sizes] == lengths
    for grid, n in sizes:
        assert grid.values.shape == (n, n) and np.allclose(grid.values.sum(axis=1), 1.0, atol=1e-5)
    mob, total = scenes["ContextSize"].shown["model_entries"]
    assert total == lengths[-1] ** 2 * model.cfg.n_heads * model.cfg.n_layers
    assert f"{total:,}" in mob.text


def test_far_back_finds_the_farthest_looking_head_and_tests_the_far_text(scenes, model):
    s = scenes["FarBack"]
    far = s.shown["far_head"]
    ids = s.long_token_ids()[: model.cfg.n_ctx]
    t = model.run_ids(ids)
    n = len(ids)
    dist = np.arange(n)[:, None] - np.arange(n)[None, :]
    means = {}
    for L in range(model.cfg.n_layers):
        for h in range(model.cfg.n_heads):
            P = t[hook_name("pattern", L)][h].astype(np.float64).copy()
            P[:, 0] = 0
            means[(L, h)] = (P * dist).sum(1)[n // 2 :].mean()
    assert (far.layer, far.head) == max(means, key=means.get)
    assert far.mean_distance == pytest.approx(means[(far.layer, far.head)])
    a, b, start = s.shown["context_effect"]
    assert a == model.run_ids(ids[start:]).top_k(1)[0] and b == t.top_k(1)[0]
    same = a.token == b.token and abs(a.prob - b.prob) < 0.1
    assert s.shown["far_context_matters"] is (not same)
    assert ("barely changes" in s.beats[-1].text) is same


def test_a_prompt_without_adjectives_follows_the_strongest_head_and_says_so():
    class NoAdjectives(attention.TheGrid):
        prompt = "Michael Jordan plays the sport of"

    s = render(NoAdjectives)
    assert not s.focus.adjective_head and "no adjective" in s.focus.how
    assert any(s.focus.how in " ".join(b.shown) for b in s.beats)


def test_a_prompt_too_long_for_the_grid_gets_a_clear_message(capsys):
    class Long(attention.TheGrid):
        prompt = " ".join(["a fluffy blue creature roamed the verdant forest"] * 3)

    with pytest.raises(SystemExit) as exc:
        render(Long)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "2 to 12 tokens" in err and "has 24" in err


@pytest.fixture(scope="module")
def gpt2_chapter(tmp_path_factory):
    """The whole chapter on a random GPT-2 folder (3 heads, d_model 48, byte-level tokens)."""
    folder = write_random_gpt2(
        tmp_path_factory.mktemp("gpt2"),
        vocab_size=300,
        n_positions=64,
        n_embd=48,
        n_layer=2,
        n_head=3,
    )

    class OnGPT2(attention.AttentionChapter):
        model_dir = str(folder)
        prompt = "a blue cat"

    return render(OnGPT2)


def test_the_chapter_plays_every_step_in_order_on_a_random_gpt2(gpt2_chapter):
    s = gpt2_chapter
    assert [n for n, _ in s.narration] == list(STEPS.values())
    assert s.model.cfg.n_heads == 3 and s.model.cfg.d_model == 48
    assert (s.outside, s.overlaps, s.small) == ([], [], [])
    assert flow_problems(s) == []  # another model's chapter flows from step to step too


def test_on_gpt2_the_verdicts_say_what_was_not_found(gpt2_chapter):
    s = gpt2_chapter
    said = " ".join(b.text for b in s.beats)
    screen = " ".join(t for b in s.beats for t in b.shown)
    assert not s.focus.adjective_head  # byte-level tokens: no adjective before a noun
    assert "no adjective before a noun" in said and s.focus.how in screen
    assert "fluffy" not in said  # nothing of the embedded model's story is claimed
    far = s.shown["far_head"]
    assert f"layer {far.layer}, head {far.head}" in said
    assert ("moves first toward" in said) is s.shown["moves_toward_both"]


def test_a_gpt2_sized_layer_of_12_heads_is_drawn_by_a_few_heads_and_labels(tmp_path):
    folder = write_random_gpt2(
        tmp_path, vocab_size=300, n_positions=16, n_embd=96, n_layer=1, n_head=12
    )

    class Twelve(attention.MultiHead):
        model_dir = str(folder)
        prompt = "a blue cat"

    s = render(Twelve)
    assert (s.outside, s.overlaps, s.small) == ([], [], [])
    drawn = s.shown["heads_drawn"]
    assert len(drawn) < 12 and s.h in drawn and {0, 11} <= set(drawn)
    screen = " ".join(t for b in s.beats for t in b.shown)
    assert "All 12 heads" in screen and "12 value-up maps" in screen
    assert s.shown["attn_out"][1].shape == (96,)  # the sum of all 12 heads, from the trace


def test_values_beyond_the_room_are_summed_into_one_true_vector(trace, head):
    class FewValues(attention.Values):
        max_values = 3  # the default prompt's 4 keys do not fit: 2 drawn, 2 summed

    s = render(FewValues, frame_rate=1)
    v = trace[hook_name("v", head.layer)][:, head.head].astype(np.float64)
    w = trace[hook_name("pattern", head.layer)][head.head][s.q].astype(np.float64)
    keys = s.shown["value_keys"]
    assert len(keys) == 3 and keys[-1] is None
    drawn = keys[:-1]
    rest = [k for k in range(s.q + 1) if k not in drawn]
    assert sorted(drawn, key=lambda k: -w[k]) == sorted(range(s.q + 1), key=lambda k: -w[k])[:2]
    mean = w[rest] @ v[rest] / w[rest].sum()  # the others: their weighted mean
    assert shows_vector(s.shown["values"][-1][0], mean)
    assert s.shown["weights"][-1][1] == pytest.approx(w[rest].sum())
    z = trace[hook_name("z", head.layer)][s.q, head.head]
    assert shows_vector(s.shown["z"][0], z, atol=1e-5)  # the sum is still the head's output
    assert "2 others" in " ".join(t for b in s.beats for t in b.shown)
    assert (s.outside, s.overlaps, s.small) == ([], [], [])


# --- the extremes a teacher may set: no decimals, 6 decimals, the longest prompt, right-to-left
# and emoji prompts (byte-level tokens drawn as stand-ins such as <byte 0xD7>) -----------------
LONGEST = "a fluffy blue creature roamed the verdant forest at dawn"
HEBREW = "טוב לב"
EMOJI = "a fluffy blue 🐉 roamed"
NUMBERS = ["QueriesAndKeys", "ScaleMaskSoftmax", "Values", "MultiHead"]
EXTREMES = {
    "decimals 0": ({"decimals": 0}, NUMBERS[:3]),  # the heads' picture: as wide as at 2
    "decimals 6": ({"decimals": 6}, ["TheExample", *NUMBERS]),
    "12 tokens": ({"prompt": LONGEST}, ["TheExample", "TheGrid", *NUMBERS]),
    "right to left": (
        {"prompt": HEBREW},
        ["TheExample", "QueriesAndKeys", "KeysLineUp", "ScaleMaskSoftmax", "Values", "AnotherHead"],
    ),
    "emoji": ({"prompt": EMOJI}, ["QueriesAndKeys", "EachKeysShare", "Values"]),
}


@pytest.mark.parametrize("case", EXTREMES)
def test_extreme_settings_stay_in_frame_readable_and_true(case, model):
    attrs, steps = EXTREMES[case]
    if "prompt" in attrs:
        t = model.run(attrs["prompt"])
        assert t.n_tokens == {"12 tokens": attention.MAX_TOKENS, "right to left": 11}.get(
            case, t.n_tokens
        )
        assert case == "12 tokens" or any(tok.startswith("<byte") for tok in t.tokens)
    for name in steps:
        scene = render(type(name, (getattr(attention, name),), dict(attrs)), frame_rate=1)
        assert (scene.outside, scene.overlaps, scene.small) == ([], [], []), (case, name)
        assert narration_problems(scene) == [], (case, name)
        if name == "Values":  # however many digits fit, the sum shown is the head's output
            z = scene.t[hook_name("z", scene.L)][scene.q, scene.h]
            assert shows_vector(scene.shown["z"][0], z, atol=1e-5)
        if case == "12 tokens" and name == "MultiHead":  # too many tokens for a label each:
            labelled = scene.shown["labelled"]  # the followed head's link and the noun are written
            links = {(la, hd): (q, k) for la, hd, q, k, _ in strongest_attention(scene.t)}
            q, k = links[(scene.L, scene.h)]
            rows = labelled[scene.shown["heads_drawn"][0]][1]
            assert q in labelled[scene.h][0] and {k, scene.q} <= set(rows)
            assert len(rows) < scene.n
        if "decimals" in attrs and name == "QueriesAndKeys":
            d = scene.shown["q"][0].decimals  # as many digits as the setting, or as fit
            assert d <= attrs["decimals"] and (d == attrs["decimals"] or d >= 2)


def test_every_beat_of_the_chapter_reads_well_aloud(chapter):
    """A voice says each beat's spoken form: no token marks, long digit runs or bare zeros."""
    from scene_loader import spoken_beat_problems

    assert spoken_beat_problems(chapter) == []

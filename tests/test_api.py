"""The public building blocks at their edge: a table of ordinary mistakes and ordinary uses of the
mobjects, animations, model functions, ready-made hooks and model folders.

Each case expects one class: ``ok`` (the call works and its result is checked to be right) or
``clear error`` (an llmviz error whose message names the argument and what is allowed). Running
the table classifies every case as ok, clear error, traceback (any other exception) or wrong (no
error but a wrong result, or an llmviz error that does not say what the case asks for).

``python tests/test_api.py --summary`` prints the counts by class and by area, without asserting.
"""

from __future__ import annotations

import functools
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from outcomes import edited_model_folder, judge

MJ = "Michael Jordan plays the sport of"
AREAS = ("mobjects", "animations", "model", "hooks", "folders")


@dataclass
class Case:
    """``run()`` returns a value; ``ok(value)`` says whether it is right. With ``error`` (a regex
    the message must match, naming the argument) the call must raise an llmviz error instead."""

    area: str
    name: str
    run: Callable
    ok: Callable | None = None
    error: str | None = None


@functools.cache
def M():
    import llmviz

    return llmviz.load_model(device="cpu")


@functools.cache
def T():
    return M().run(MJ)


def mob(name):
    import llmviz.mobjects

    return getattr(llmviz.mobjects, name)


def anim(name):
    import llmviz.animations

    return getattr(llmviz.animations, name)


def hooks():
    import llmviz.model.hooks

    return llmviz.model.hooks


def _texts(v):
    return [e.text for e in v.entries]


def _vector_view():
    base = np.zeros(6)
    v = mob("NumericVector")(base[:4])
    base[0] = 9.0
    return v


def _writeable_after(build):
    a = np.array([1.0, -2.0, 3.0])
    build(a)
    a[0] = 5.0  # the caller's array stays the caller's
    return a


def _vector_hook_ret(value):
    return M().run_with_hooks(MJ, [("blocks.0.hook_mlp_out", lambda a, n: value(a))])


def _timed(fn, limit=5.0):
    def run():
        start = time.perf_counter()
        try:
            return fn()
        finally:
            if time.perf_counter() - start > limit:
                raise AssertionError(f"took over {limit} s")

    return run


# --- model folders -------------------------------------------------------------------------------
_TMP: list[Path] = []


def _tmp() -> Path:
    if not _TMP:
        _TMP.append(Path(tempfile.mkdtemp(prefix="llmviz-api-")))
    d = _TMP[0] / f"m{len(list(_TMP[0].iterdir()))}"
    d.mkdir()
    return d


def _folder(edit=None, **files) -> Path:
    return edited_model_folder(_tmp() / "model", edit, **files)


def _load(edit=None, **files):
    import llmviz

    return lambda: llmviz.load_model(_folder(edit, **files), device="cpu")


def _set(**kv):
    def edit(cfg):
        cfg.update(kv)

    return edit


_GPT2 = {"model_type": "gpt2", "n_embd": 64, "n_layer": 1, "n_head": 4, "n_positions": 64}


def _int_weights(raw: bytes) -> bytes:
    """The embedded weights with one tensor stored as int32 (a file of the right shapes)."""
    import torch
    from safetensors.torch import load, save

    state = load(raw)
    state["embed.W_E"] = state["embed.W_E"].to(torch.int32)
    return save(state)


def _file_not_folder():
    import llmviz

    f = _tmp() / "model.safetensors"
    f.write_bytes(b"not a folder")
    return llmviz.load_model(f, device="cpu")


def _missing_folder():
    import llmviz

    return llmviz.load_model(_tmp() / "no such model", device="cpu")


def _V(values, **kw):
    return mob("NumericVector")(values, **kw)


def _Mx(values, **kw):
    return mob("NumericMatrix")(values, **kw)


def _pattern():
    return T()["blocks.0.attn.hook_pattern"][0]


def _relu_ok(r):
    return r.values.tolist() == [0.0, 2.0] and r.result.values.tolist() == [0.0, 2.0]


CASES: list[Case] = [
    # --- mobjects: NumericVector ---------------------------------------------------------------
    Case(
        "mobjects",
        "vector of a real residual row",
        lambda: _V(T()["blocks.0.hook_resid_post"][-1], max_entries=6),
        ok=lambda v: (
            v.values.shape == (64,)
            and v.shown_values[0] == float(np.float32(T()["blocks.0.hook_resid_post"][-1][0]))
        ),
    ),
    Case(
        "mobjects",
        "vector NaN and infinities drawn as such",
        lambda: _V([np.nan, np.inf, -np.inf]),
        ok=lambda v: _texts(v) == ["NaN", "∞", "-∞"],
    ),
    Case(
        "mobjects", "vector of complex", lambda: _V(np.array([1 + 2j, 3])), error="values.*complex"
    ),
    Case("mobjects", "vector of bools", lambda: _V(np.array([True, False])), error="values.*bool"),
    Case(
        "mobjects",
        "vector of strings",
        lambda: _V(np.array(["1", "2"])),
        error="values.*(str|text)",
    ),
    Case(
        "mobjects",
        "vector of objects",
        lambda: _V(np.array([1.0, None], dtype=object)),
        error="values",
    ),
    Case(
        "mobjects",
        "vector given a matrix",
        lambda: _V(np.eye(2)),
        error=r"values.*\(n,\).*\(2, 2\)",
    ),
    Case("mobjects", "vector decimals=-1", lambda: _V([1.0], decimals=-1), error="decimals.*0.*6"),
    Case(
        "mobjects", "vector decimals=2.5", lambda: _V([1.0], decimals=2.5), error="decimals.*0.*6"
    ),
    Case(
        "mobjects", "vector decimals=True", lambda: _V([1.0], decimals=True), error="decimals.*0.*6"
    ),
    Case("mobjects", "vector decimals=7", lambda: _V([1.0], decimals=7), error="decimals.*0.*6"),
    Case(
        "mobjects",
        "vector decimals=0",
        lambda: _V([1.4, -2.6], decimals=0),
        ok=lambda v: _texts(v) == ["1", "-3"],
    ),
    Case(
        "mobjects",
        "vector decimals=6",
        lambda: _V([1 / 3], decimals=6),
        ok=lambda v: _texts(v) == ["0.333333"],
    ),
    Case(
        "mobjects",
        "vector max_entries=0",
        lambda: _V(np.arange(9.0), max_entries=0),
        error="max_entries",
    ),
    Case(
        "mobjects",
        "vector max_entries=2.5",
        lambda: _V(np.arange(9.0), max_entries=2.5),
        error="max_entries",
    ),
    Case("mobjects", "vector head=-1", lambda: _V(np.arange(20.0), head=-1), error="head"),
    Case("mobjects", "vector font_size=0", lambda: _V([1.0], font_size=0), error="font_size"),
    Case("mobjects", "vector saturation=-1", lambda: _V([1.0], saturation=-1), error="saturation"),
    Case(
        "mobjects",
        "vector direction=diagonal",
        lambda: _V([1.0], direction="diagonal"),
        error="direction",
    ),
    Case(
        "mobjects",
        "vector keeps no view of a slice",
        _vector_view,
        ok=lambda v: v.values[0] == 0.0 and v.entries[0].text == "0.00",
    ),
    Case(
        "mobjects",
        "vector leaves the caller's array writeable",
        lambda: _writeable_after(_V),
        ok=lambda a: a.tolist() == [5.0, -2.0, 3.0],
    ),
    # --- NumericMatrix, WeightMatrix, MatrixShape ------------------------------------------------
    Case(
        "mobjects",
        "matrix of a real W_Q head",
        lambda: _Mx(M().W("Q", 0, head=1), max_rows=4, max_cols=4),
        ok=lambda m: (
            m.shape == (64, 16) and m.cell(0, 0).value == float(M().W("Q", 0, head=1)[0, 0])
        ),
    ),
    Case("mobjects", "matrix of complex", lambda: _Mx(np.eye(2) * 1j), error="values.*complex"),
    Case(
        "mobjects",
        "matrix given a vector",
        lambda: _Mx(np.ones(3)),
        error=r"values.*\(rows, cols\)",
    ),
    Case("mobjects", "matrix max_rows=0", lambda: _Mx(np.eye(3), max_rows=0), error="max_rows"),
    Case("mobjects", "matrix max_cols=-1", lambda: _Mx(np.eye(3), max_cols=-1), error="max_cols"),
    Case(
        "mobjects", "matrix decimals=7", lambda: _Mx(np.eye(2), decimals=7), error="decimals.*0.*6"
    ),
    Case("mobjects", "matrix shape=(2.5, 3)", lambda: _Mx(None, shape=(2.5, 3)), error="shape"),
    Case("mobjects", "matrix shape=(-1, 2)", lambda: _Mx(None, shape=(-1, 2)), error="shape"),
    Case(
        "mobjects",
        "matrix NaN and -inf drawn as such",
        lambda: _Mx(np.array([[np.nan, -np.inf], [0.5, 1.0]])),
        ok=lambda m: (m.cell(0, 0).text, m.cell(0, 1).text) == ("NaN", "-∞"),
    ),
    Case(
        "mobjects",
        "matrix leaves the caller's array writeable",
        lambda: _writeable_after(lambda a: _Mx(a[None, :])),
        ok=lambda a: a.tolist() == [5.0, -2.0, 3.0],
    ),
    Case(
        "mobjects",
        "weight matrix of W_up, shape written",
        lambda: mob("WeightMatrix")(M().W("up", 0), name="W_up"),
        ok=lambda m: m.shape_text == "64 × 256" and m.name_label.text == "W_up",
    ),
    Case("mobjects", "matrix shape rows=0", lambda: mob("MatrixShape")(0, 3), error="rows"),
    Case("mobjects", "matrix shape rows=2.5", lambda: mob("MatrixShape")(2.5, 3), error="rows"),
    Case(
        "mobjects",
        "matrix shape height=0",
        lambda: mob("MatrixShape")(2, 3, height=0),
        error="height",
    ),
    # --- FastNumber, FastText --------------------------------------------------------------------
    Case(
        "mobjects",
        "number decimals=-1",
        lambda: mob("FastNumber")(1.5, decimals=-1),
        error="decimals.*0.*6",
    ),
    Case("mobjects", "number of complex", lambda: mob("FastNumber")(1 + 2j), error="value.*real"),
    Case("mobjects", "number of a string", lambda: mob("FastNumber")("abc"), error="value.*real"),
    Case(
        "mobjects",
        "number NaN",
        lambda: mob("FastNumber")(float("nan")),
        ok=lambda n: n.text == "NaN",
    ),
    Case(
        "mobjects",
        "number of a float32",
        lambda: mob("FastNumber")(np.float32(1.25), decimals=1),
        ok=lambda n: n.text == "1.2" and n.value == 1.25,
    ),
    Case(
        "mobjects",
        "number font_size=0",
        lambda: mob("FastNumber")(1.0, font_size=0),
        error="font_size",
    ),
    Case("mobjects", "text of a number", lambda: mob("FastText")(123), error="text.*str"),
    # --- TokenStrip ------------------------------------------------------------------------------
    Case(
        "mobjects",
        "token strip of a real trace",
        lambda: mob("TokenStrip")(T().tokens),
        ok=lambda s: s.labels[:2] == ["Michael", "␣Jordan"] and len(s) == T().n_tokens,
    ),
    Case("mobjects", "token strip of one string", lambda: mob("TokenStrip")("abc"), error="tokens"),
    Case(
        "mobjects", "token strip with a number", lambda: mob("TokenStrip")(["a", 3]), error="tokens"
    ),
    Case(
        "mobjects",
        "token strip font_size=-5",
        lambda: mob("TokenStrip")(["a"], font_size=-5),
        error="font_size",
    ),
    Case(
        "mobjects",
        "token strip max_width=0",
        lambda: mob("TokenStrip")(["a"], max_width=0),
        error="max_width",
    ),
    # --- AttentionGrid ---------------------------------------------------------------------------
    Case(
        "mobjects",
        "attention grid of a real pattern",
        lambda: mob("AttentionGrid")(_pattern(), tokens=T().tokens),
        ok=lambda g: g.display_value(key=0, query=2) == float(_pattern()[2, 0]),
    ),
    Case(
        "mobjects",
        "attention grid given a vector",
        lambda: mob("AttentionGrid")(np.ones(3)),
        error="values",
    ),
    Case(
        "mobjects",
        "attention grid of complex",
        lambda: mob("AttentionGrid")(np.eye(2) + 0j),
        error="values.*complex",
    ),
    Case(
        "mobjects",
        "attention grid with too few tokens",
        lambda: mob("AttentionGrid")(np.eye(3), tokens=["a", "b"]),
        error="query_tokens",
    ),
    Case(
        "mobjects",
        "attention grid kind=bars",
        lambda: mob("AttentionGrid")(np.eye(2), kind="bars"),
        error="kind",
    ),
    Case(
        "mobjects",
        "attention grid cell_size=0",
        lambda: mob("AttentionGrid")(np.eye(2), cell_size=0),
        error="cell_size",
    ),
    Case(
        "mobjects",
        "attention grid labelled=[99]",
        lambda: mob("AttentionGrid")(np.eye(2), tokens=["a", "b"], labelled=[99]),
        error="labelled",
    ),
    Case(
        "mobjects",
        "attention grid decimals=2.5",
        lambda: mob("AttentionGrid")(np.eye(2), show_numbers=True, decimals=2.5),
        error="decimals.*0.*6",
    ),
    Case(
        "mobjects",
        "attention grid -inf written as such",
        lambda: mob("AttentionGrid")(
            np.array([[0.0, -np.inf], [1.0, 2.0]]), causal=False, show_numbers=True
        ),
        ok=lambda g: g.numbers[(1, 0)].text == "-∞",
    ),
    # --- NeuronColumn ----------------------------------------------------------------------------
    Case(
        "mobjects",
        "neuron column of real activations",
        lambda: mob("NeuronColumn")(T()["blocks.0.mlp.hook_post"][-1], max_neurons=6),
        ok=lambda c: (
            c.values.shape == (256,)
            and c.numbers[0].value == float(T()["blocks.0.mlp.hook_post"][-1][0])
        ),
    ),
    Case(
        "mobjects",
        "neuron column state=mid",
        lambda: mob("NeuronColumn")([1.0], state="mid"),
        error="state",
    ),
    Case(
        "mobjects",
        "neuron column highlight=[-1]",
        lambda: mob("NeuronColumn")([1.0, 2.0], highlight=[-1]),
        error="highlight",
    ),
    Case(
        "mobjects",
        "neuron column of complex",
        lambda: mob("NeuronColumn")(np.array([1j])),
        error="values.*complex",
    ),
    Case(
        "mobjects",
        "neuron column max_neurons=0",
        lambda: mob("NeuronColumn")(np.ones(5), max_neurons=0),
        error="max_neurons",
    ),
    Case(
        "mobjects",
        "neuron column radius=0",
        lambda: mob("NeuronColumn")([1.0], radius=0),
        error="radius",
    ),
    # --- ProbabilityBars, ValueTable, VectorPlane, Bracket -------------------------------------
    Case(
        "mobjects",
        "probability bars of a real trace",
        lambda: mob("ProbabilityBars").from_trace(T(), k=3),
        ok=lambda b: (
            b.tokens[0] == " basketball" and abs(b.probs[0] - T().top_k(1)[0].prob) < 1e-12
        ),
    ),
    Case(
        "mobjects",
        "probability bars with NaN",
        lambda: mob("ProbabilityBars")(["a"], [np.nan]),
        error="probs",
    ),
    Case(
        "mobjects",
        "probability bars of complex",
        lambda: mob("ProbabilityBars")(["a"], np.array([0.5 + 0.1j])),
        error="probs.*complex",
    ),
    Case(
        "mobjects",
        "probability bars decimals=7",
        lambda: mob("ProbabilityBars")(["a"], [0.5], decimals=7),
        error="decimals.*0.*6",
    ),
    Case(
        "mobjects",
        "probability bars width=0",
        lambda: mob("ProbabilityBars")(["a"], [0.5], width=0),
        error="width",
    ),
    Case(
        "mobjects",
        "value table of numbers and words",
        lambda: mob("ValueTable")(
            [["MJ", 0.9987], ["MP", float("nan")]],
            [mob("Column")("who"), mob("Column")("P", decimals=3)],
        ),
        ok=lambda t: t.cell("MJ", "P").text == "0.999" and t.cell("MP", "P").text == "NaN",
    ),
    Case(
        "mobjects",
        "value table Column decimals=-1",
        lambda: mob("ValueTable")([["a", 1.0]], ["x", mob("Column")("y", decimals=-1)]),
        error="decimals.*0.*6",
    ),
    Case(
        "mobjects",
        "vector plane of complex",
        lambda: mob("VectorPlane")(np.array([[1j, 0]])),
        error="extent.*complex",
    ),
    Case(
        "mobjects",
        "vector plane of three numbers",
        lambda: mob("VectorPlane")([1.0, 2.0, 3.0]),
        error=r"extent.*\[n, 2\]",
    ),
    Case(
        "mobjects",
        "vector plane size=0",
        lambda: mob("VectorPlane")([[1.0, 0.0]], size=0),
        error="size",
    ),
    Case("mobjects", "bracket side=top", lambda: mob("Bracket")(1.0, side="top"), error="side"),
    # --- animations ------------------------------------------------------------------------------
    Case(
        "animations",
        "W x on a real head",
        lambda: anim("MatrixVectorProduct")(
            _Mx(M().W("Q", 0, head=0).T), _V(T()["blocks.0.ln1.hook_normalized"][-1])
        ),
        ok=lambda a: np.allclose(
            a.values,
            M().W("Q", 0, head=0).T.astype(float)
            @ T()["blocks.0.ln1.hook_normalized"][-1].astype(float),
        ),
    ),
    Case(
        "animations",
        "W x with a mismatched vector",
        lambda: anim("MatrixVectorProduct")(_Mx(np.eye(3)), _V([1.0])),
        error="vector",
    ),
    Case(
        "animations",
        "W x with numpy arrays",
        lambda: anim("MatrixVectorProduct")(np.eye(2), np.ones(2)),
        error="matrix.*NumericMatrix",
    ),
    Case(
        "animations",
        "W x with a bad bias",
        lambda: anim("MatrixVectorProduct")(_Mx(np.eye(2)), _V([1.0, 2.0]), bias=[1.0]),
        error="bias",
    ),
    Case(
        "animations",
        "softmax of a vector",
        lambda: anim("Softmax")(_V([1.0, 2.0, 8.0]), decimals=3),
        ok=lambda a: a.values.round(3).tolist() == [0.001, 0.002, 0.997],
    ),
    Case(
        "animations",
        "softmax temperature=-1",
        lambda: anim("Softmax")(_V([1.0, 2.0]), temperature=-1),
        error="temperature",
    ),
    Case(
        "animations",
        "softmax decimals=9",
        lambda: anim("Softmax")(_V([1.0, 2.0]), decimals=9),
        error="decimals.*0.*6",
    ),
    Case("animations", "softmax of a list", lambda: anim("Softmax")([1.0, 2.0]), error="target"),
    Case(
        "animations",
        "softmax_columns of a vector",
        lambda: anim("softmax_columns")(np.ones(3)),
        error=r"values.*\[query, key\]",
    ),
    Case(
        "animations",
        "causal mask gives the real pattern",
        lambda: anim("CausalMask")(
            mob("AttentionGrid")(
                T()["blocks.0.attn.hook_attn_scores"][0].copy() * 0
                + np.tril(np.ones((T().n_tokens,) * 2)),
                causal=False,
            )
        ),
        ok=lambda a: np.allclose(a.values.sum(1), 1.0) and np.all(np.triu(a.values, 1) == 0),
    ),
    Case(
        "animations",
        "causal mask of a vector",
        lambda: anim("CausalMask")(_V([1.0])),
        error="grid.*AttentionGrid",
    ),
    Case(
        "animations",
        "ReLU of a neuron column",
        lambda: anim("ReLUGate")(mob("NeuronColumn")([-1.0, 2.0], state="pre")),
        ok=_relu_ok,
    ),
    Case(
        "animations",
        "ReLU of a numpy array",
        lambda: anim("ReLUGate")(np.array([-1.0, 2.0])),
        error="target",
    ),
    Case(
        "animations",
        "residual add",
        lambda: anim("ResidualAdd")(_V([1.0, 2.0]), _V([0.5, -3.0])),
        ok=lambda a: a.result.values.tolist() == [1.5, -1.0],
    ),
    Case(
        "animations",
        "residual add mismatched",
        lambda: anim("ResidualAdd")(_V([1.0, 2.0]), _V([1.0])),
        error="dE",
    ),
    Case(
        "animations",
        "residual add of arrays",
        lambda: anim("ResidualAdd")(np.ones(2), np.ones(2)),
        error="E.*NumericVector",
    ),
    Case(
        "animations",
        "weighted sum",
        lambda: anim("WeightedSum")([_V([1.0, 0.0]), _V([0.0, 2.0])], [0.25, 0.75]),
        ok=lambda a: a.values.tolist() == [0.25, 1.5],
    ),
    Case(
        "animations",
        "weighted sum one weight short",
        lambda: anim("WeightedSum")([_V([1.0]), _V([2.0])], [1.0]),
        error="weights",
    ),
    Case(
        "animations",
        "weighted sum of no vectors",
        lambda: anim("WeightedSum")([], []),
        error="vectors",
    ),
    Case(
        "animations",
        "weighted sum complex weights",
        lambda: anim("WeightedSum")([_V([1.0])], np.array([1j])),
        error="weights.*complex",
    ),
    Case(
        "animations",
        "unembed the real last vector",
        lambda: anim("Unembed")(
            _V(T()["ln_final.hook_normalized"][-1]), M().W_U, M().decode_token, k=3
        ),
        ok=lambda u: u.result.tokens[0] == " basketball",
    ),
    Case(
        "animations",
        "unembed W_U the wrong way round",
        lambda: anim("Unembed")(_V([1.0, 0.0]), np.ones((3, 2)), str),
        error="W_U",
    ),
    Case(
        "animations",
        "unembed k=2.5",
        lambda: anim("Unembed")(_V([1.0, 0.0]), np.ones((2, 3)), str, k=2.5),
        error="k",
    ),
    Case(
        "animations",
        "unembed k=0",
        lambda: anim("Unembed")(_V([1.0, 0.0]), np.ones((2, 3)), str, k=0),
        error="k",
    ),
    # --- model functions ------------------------------------------------------------------------
    Case(
        "model",
        "run a prompt",
        lambda: M().run(MJ),
        ok=lambda t: t.top_k(1)[0].token == " basketball",
    ),
    Case("model", "run an empty prompt", lambda: M().run(""), error="prompt.*empty"),
    Case("model", "run a number", lambda: M().run(42), error="prompt.*text"),
    Case("model", "top_k k=0", lambda: T().top_k(0), error="k"),
    Case("model", "top_k k=2.5", lambda: T().top_k(2.5), error="k"),
    Case("model", "top_k position=99", lambda: T().top_k(1, position=99), error="position"),
    Case(
        "model",
        "top_k probabilities are the softmax",
        lambda: T().top_k(3),
        ok=lambda top: np.isclose(
            top[0].prob,
            np.exp(
                T()["logits"][-1].astype(float)
                - np.logaddexp.reduce(T()["logits"][-1].astype(float))
            )[top[0].id],
        ),
    ),
    Case(
        "model",
        "trace key misspelt",
        lambda: T()["blocks.0.attn.hook_patern"],
        error="hook_patern.*blocks.0.attn.hook_pattern",
    ),
    Case(
        "model",
        "generate greedily",
        lambda: M().generate(MJ, 1, temperature=0),
        ok=lambda g: g.new_tokens == (" basketball",),
    ),
    Case("model", "generate n_tokens=-1", lambda: M().generate(MJ, -1), error="n_tokens"),
    Case(
        "model",
        "generate temperature=hot",
        lambda: M().generate(MJ, 1, temperature="hot"),
        error="temperature",
    ),
    Case("model", "generate seed=1.5", lambda: M().generate(MJ, 1, seed=1.5), error="seed"),
    Case(
        "model",
        "load_model device=tpu",
        lambda: __import__("llmviz").load_model(device="tpu"),
        error="device",
    ),
    # --- hooks ---------------------------------------------------------------------------------
    Case(
        "hooks",
        "hook name misspelt lists the nearest",
        lambda: M().run_with_hooks(MJ, [("blocks.0.mlp.hook_pots", lambda a, n: a)]),
        error="hook_pots.*blocks.0.mlp.hook_post",
    ),
    Case(
        "hooks",
        "a name filter that matches nothing",
        lambda: M().run_with_hooks(MJ, [(lambda n: "nothing" in n, lambda a, n: a)]),
        error="filter.*match",
    ),
    Case(
        "hooks",
        "hook returns a string",
        lambda: _vector_hook_ret(lambda a: "zero"),
        error="hook.*returned.*str",
    ),
    Case(
        "hooks",
        "hook returns the wrong shape",
        lambda: _vector_hook_ret(lambda a: a[:, :3]),
        error="hook.*shape",
    ),
    Case(
        "hooks",
        "hook returns complex",
        lambda: _vector_hook_ret(lambda a: a.numpy() * 1j),
        error="hook.*complex",
    ),
    Case(
        "hooks",
        "hook returns booleans",
        lambda: _vector_hook_ret(lambda a: a > 0),
        error="hook.*bool",
    ),
    Case(
        "hooks",
        "hook returns None keeps its in-place edit",
        lambda: _vector_hook_ret(lambda a: a.mul_(0)),
        ok=lambda t: not t["blocks.0.hook_mlp_out"].any(),
    ),
    Case(
        "hooks",
        "hook returns None without an edit keeps the value",
        lambda: _vector_hook_ret(lambda a: None),
        ok=lambda t: np.array_equal(t["logits"], T()["logits"]),
    ),
    Case(
        "hooks",
        "hook returns a numpy array",
        lambda: _vector_hook_ret(lambda a: np.zeros(tuple(a.shape))),
        ok=lambda t: not t["blocks.0.hook_mlp_out"].any(),
    ),
    Case(
        "hooks",
        "hook fn not callable",
        lambda: M().run_with_hooks(MJ, [("logits", 3)]),
        error="hook.*function",
    ),
    Case("hooks", "hook not a pair", lambda: M().run_with_hooks(MJ, ["logits"]), error="pair"),
    Case(
        "hooks",
        "zero_neurons zeroes exactly those",
        lambda: M().run_with_hooks(MJ, [hooks().zero_neurons(0, [3, 5])]),
        ok=lambda t: (
            not t["blocks.0.mlp.hook_post"][:, [3, 5]].any()
            and t["blocks.0.mlp.hook_post"][:, 4].tolist()
            == T()["blocks.0.mlp.hook_post"][:, 4].tolist()
        ),
    ),
    Case(
        "hooks",
        "zero_neurons of layer 99",
        lambda: M().run_with_hooks(MJ, [hooks().zero_neurons(99, 3)]),
        error="blocks.99.mlp.hook_post",
    ),
    Case("hooks", "zero_neurons of layer -1", lambda: hooks().zero_neurons(-1, 3), error="layer"),
    Case(
        "hooks",
        "zero_neurons of neuron 10**6",
        lambda: M().run_with_hooks(MJ, [hooks().zero_neurons(0, [10**6])]),
        error="neurons",
    ),
    Case(
        "hooks",
        "zero_head of head 99",
        lambda: M().run_with_hooks(MJ, [hooks().zero_head(0, 99)]),
        error="head",
    ),
    Case(
        "hooks",
        "patch of the wrong shape",
        lambda: M().run_with_hooks(MJ, [hooks().patch("logits", np.zeros(3), -1)]),
        error="values.*shape",
    ),
    Case(
        "hooks",
        "patch of complex values",
        lambda: M().run_with_hooks(
            MJ, [hooks().patch("blocks.0.hook_mlp_out", np.zeros(64) * 1j, -1)]
        ),
        error="values.*complex",
    ),
    Case(
        "hooks",
        "patch at position 99",
        lambda: M().run_with_hooks(MJ, [hooks().patch("logits", None, 99)]),
        error="positions",
    ),
    Case(
        "hooks",
        "mean_activation of no prompts",
        lambda: hooks().mean_activation(M(), [], "logits"),
        error="prompt",
    ),
    Case(
        "hooks",
        "mean_activation of a misspelt hook",
        lambda: hooks().mean_activation(M(), [MJ], "hook_embedd"),
        error="hook_embedd.*hook_embed",
    ),
    Case(
        "hooks",
        "hook_name unknown kind",
        lambda: hooks().hook_name("patern", 0),
        error="patern.*pattern",
    ),
    Case(
        "hooks",
        "hook_name per-layer kind without a layer",
        lambda: hooks().hook_name("post"),
        error="layer",
    ),
    # --- model folders -------------------------------------------------------------------------
    Case(
        "folders",
        "a copy of the embedded model",
        _load(),
        ok=lambda m: m.run(MJ).top_k(1)[0].token == " basketball",
    ),
    Case(
        "folders",
        "config.json claims vocab_size 10**12",
        _timed(_load(_set(vocab_size=10**12))),
        error="vocab_size",
    ),
    Case(
        "folders",
        "config.json d_model mismatches the weights",
        _timed(_load(_set(d_model=128, n_heads=8))),
        error="d_model|shape",
    ),
    Case(
        "folders",
        "config.json has one layer too many",
        _timed(_load(_set(n_layers=4))),
        error="n_layers|blocks.3",
    ),
    Case("folders", "config.json n_ctx 10**9", _timed(_load(_set(n_ctx=10**9))), error="n_ctx"),
    Case("folders", "config.json d_mlp 10**10", _timed(_load(_set(d_mlp=10**10))), error="d_mlp"),
    Case("folders", "weights missing", _load(model_safetensors=None), error="model.safetensors"),
    Case(
        "folders",
        "weights are garbage bytes",
        _load(model_safetensors=b"\x00garbage" * 10),
        error="model.safetensors",
    ),
    Case(
        "folders",
        "weights cut in half",
        _load(model_safetensors=lambda b: b[: len(b) // 2]),
        error="model.safetensors",
    ),
    Case(
        "folders",
        "weights stored as integers",
        _load(model_safetensors=_int_weights),
        error="embed.W_E.*floating",
    ),
    Case("folders", "config.json not JSON", _load(config_json="{vocab"), error="config.json.*JSON"),
    Case("folders", "config.json a list", _load(config_json="[1, 2]"), error="config.json.*object"),
    Case("folders", "tokenizer.json missing", _load(tokenizer_json=None), error="tokenizer.json"),
    Case(
        "folders",
        "a GPT-2 config.json claiming vocab_size 10**12",
        _timed(_load(lambda cfg: {**_GPT2, "vocab_size": 10**12})),
        error="GPT-2 tensors",
    ),
    Case("folders", "a file instead of a folder", _file_not_folder, error="model directory"),
    Case(
        "folders",
        "a folder that does not exist",
        _missing_folder,
        error="model directory not found",
    ),
]


def classify(case: Case) -> tuple[str, str]:
    """``("ok" | "clear error" | "traceback" | "wrong", detail)``; numpy dropping an imaginary
    part in silence (its ComplexWarning) is wrong."""
    import warnings

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            return case.run()

    def clear(exc, message):
        return bool(re.search(case.error, message, flags=re.S))

    return judge(run, case.error, case.ok, clear, wrong=(np.exceptions.ComplexWarning,))


def test_the_table_covers_every_area():
    assert len(CASES) >= 60
    assert {c.area for c in CASES} == set(AREAS)
    assert len({(c.area, c.name) for c in CASES}) == len(CASES)
    for c in CASES:  # each case expects exactly one class
        assert (c.ok is None) != (c.error is None), c.name


@pytest.mark.parametrize("case", CASES, ids=[f"{c.area}: {c.name}" for c in CASES])
def test_api(case):
    outcome, detail = classify(case)
    assert outcome == ("clear error" if case.error else "ok"), detail


def summary() -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {a: {} for a in AREAS}
    for case in CASES:
        outcome, detail = classify(case)
        table[case.area][outcome] = table[case.area].get(outcome, 0) + 1
        if outcome in ("traceback", "wrong"):
            print(f"{outcome:<9} {case.area}: {case.name}: {detail[:150]!r}")
    return table


if __name__ == "__main__":
    if "--summary" in sys.argv:
        table = summary()
        classes = ("ok", "clear error", "traceback", "wrong")
        total = {k: sum(t.get(k, 0) for t in table.values()) for k in classes}
        print(f"{len(CASES)} cases:", ", ".join(f"{k} {v}" for k, v in total.items()))
        for area, t in table.items():
            print(f"  {area:<11}", ", ".join(f"{k} {t.get(k, 0)}" for k in classes))


# --- every public mobject copies what it is given -------------------------------------------------
def _builders():
    """For each public mobject: a builder from a caller's array, and how to read back the values
    it holds (None for those that take no array)."""
    import llmviz.mobjects as m

    vec = lambda a: m.NumericVector(a), lambda o: o.values  # noqa: E731
    return {
        "NumericVector": vec,
        "NumericMatrix": (lambda a: m.NumericMatrix(a.reshape(2, 3)), lambda o: o.values.ravel()),
        "WeightMatrix": (lambda a: m.WeightMatrix(a.reshape(3, 2)), lambda o: o.values.ravel()),
        "AttentionGrid": (
            lambda a: m.AttentionGrid(a.reshape(2, 3), causal=False),
            lambda o: o.values.ravel(),
        ),
        "NeuronColumn": (lambda a: m.NeuronColumn(a), lambda o: o.values),
        "ProbabilityBars": (
            lambda a: m.ProbabilityBars(list("abcdef"), np.abs(a) / 10),
            lambda o: o.probs * 10,
        ),
        "VectorPlane": (lambda a: m.VectorPlane(a.reshape(3, 2)), lambda o: o.extent.ravel()),
        "ValueTable": (
            lambda a: m.ValueTable(a.reshape(3, 2), ["x", "y"]),
            lambda o: np.array(o.values, dtype=float).ravel(),
        ),
        "FastNumber": (lambda a: m.FastNumber(a[0]), lambda o: np.array([o.value])),
        # these take no array of values
        "FastText": None,
        "Bracket": None,
        "MatrixShape": None,
        "TokenStrip": None,
        "Column": None,
    }


def test_the_builders_cover_every_public_mobject():
    import llmviz.mobjects

    assert set(_builders()) == set(llmviz.mobjects.__all__)


@pytest.mark.parametrize("name", [k for k, v in _builders().items() if v is not None])
def test_a_mobject_copies_the_callers_array(name):
    build, read = _builders()[name]
    a = np.array([0.5, -1.0, 2.0, 0.25, -0.75, 1.5])
    before = a.copy()
    obj = build(a)
    assert a.flags.writeable, f"{name} made the caller's array read-only"
    np.testing.assert_array_equal(a, before)  # nor changed it
    shown = np.array(read(obj), dtype=float)
    n = len(shown)
    np.testing.assert_allclose(
        shown, np.abs(before[:n]) if name == "ProbabilityBars" else before[:n]
    )
    a[:] = 9.0  # the caller's later changes do not reach the mobject
    np.testing.assert_allclose(np.array(read(obj), dtype=float), shown)

"""Benchmark llmviz's mobjects against plain manim, in one run: ``python -m llmviz.bench``.

1. Building an 8 x 8 matrix of real weights: llmviz's ``NumericMatrix`` against manim's
   ``DecimalMatrix`` (LaTeX, cache warm) and a ``Matrix`` of ``Text`` entries.
2. Per-frame render time at 480p of an ``AttentionGrid`` on real patterns of 8, 16, 32 and 64
   tokens, against the same dots drawn as one manim ``Circle`` each.
3. Per-frame render time of a 64-entry ``MatrixVectorProduct`` halfway through.
4. Loading and tracing a GPT-2-small-shaped model (124M parameters of random weights, written
   as a Hugging Face folder with safetensors and a 50,257-token tokenizer.json in a temporary
   folder) beside the embedded model: load time, a traced forward pass of 64 tokens with every
   hook (``model.run``) and peak memory (VmHWM, each model in a fresh subprocess); on CUDA when
   present, the same, and how far its logits are from the CPU's.

Timings are medians of repeated runs on this machine; the ratios are what matter.

``python -m llmviz.bench motion VIDEO...`` measures rendered videos instead: the share of frames
that move and the longest still stretch (see :mod:`llmviz.motion`).
``python -m llmviz.bench screen VIDEO...`` prints each video's blank screens (count and per
minute) and the median and 25th-percentile share of the frame its picture fills (see
:mod:`llmviz.screen`).
``--section model`` runs only the 4th (no manim needed), ``--section mobjects`` the first three.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from llmviz.model.trace import hook_name

__all__ = ["main", "write_random_gpt2", "GPT2_SMALL"]


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _frame_timer(mobjects, repeat: int, scene=None) -> float:
    from manim import Scene

    if scene is None:
        scene = Scene()
        scene.add(*mobjects)
    renderer = scene.renderer
    renderer.update_frame(scene)  # warm up
    return _median_time(lambda: renderer.update_frame(scene), repeat)


def _prompt_of(model, n_tokens: int) -> str:
    from llmviz.model.corpus import generate_corpus

    words: list[str] = []
    for sentence in generate_corpus(200, seed=7):
        words.append(sentence)
        text = " ".join(words)
        ids = model.tokenizer.encode(text)
        if len(ids) >= n_tokens:
            return model.tokenizer.decode(ids[:n_tokens])
    raise RuntimeError("corpus too short")


#: GPT-2 small's shape (openai-community/gpt2): 124M parameters.
GPT2_SMALL = {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12}


def write_random_gpt2(folder: Path, seed: int = 0, **shape: int) -> Path:
    """Write a Hugging Face GPT-2 folder of random weights (GPT-2 small's shape by default):
    ``config.json``, ``model.safetensors`` (tensor names as in the original GPT-2 files) and a
    byte-level BPE ``tokenizer.json`` of ``vocab_size`` tokens (256 bytes, merges of byte pairs,
    ``<|endoftext|>`` last, as in GPT-2). For benchmarks: nothing is downloaded.

    Examples
    --------
    >>> import tempfile, llmviz
    >>> path = write_random_gpt2(Path(tempfile.mkdtemp()), vocab_size=300, n_positions=16,
    ...                          n_embd=24, n_layer=1, n_head=2)
    >>> m = llmviz.load_model(path, device="cpu")
    >>> m.cfg.d_model, m.cfg.act_fn, m.run("hello").n_tokens
    (24, 'gelu_tanh', 5)
    """
    import torch
    from safetensors.torch import save_file
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    c = {**GPT2_SMALL, **shape}
    V, N, D, L = c["vocab_size"], c["n_positions"], c["n_embd"], c["n_layer"]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)

    def rand(*size: int, mean: float = 0.0) -> torch.Tensor:
        return torch.randn(*size, generator=gen) * 0.02 + mean

    tensors = {"wte.weight": rand(V, D), "wpe.weight": rand(N, D)}
    for i in range(L):
        h = f"h.{i}."
        for ln in ("ln_1", "ln_2"):
            tensors |= {h + ln + ".weight": rand(D, mean=1.0), h + ln + ".bias": rand(D)}
        for name, n_in, n_out in (
            ("attn.c_attn", D, 3 * D),
            ("attn.c_proj", D, D),
            ("mlp.c_fc", D, 4 * D),
            ("mlp.c_proj", 4 * D, D),
        ):
            tensors |= {h + name + ".weight": rand(n_in, n_out), h + name + ".bias": rand(n_out)}
    tensors |= {"ln_f.weight": rand(D, mean=1.0), "ln_f.bias": rand(D)}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    config = {"model_type": "gpt2", "activation_function": "gelu_new", **c}
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    merges = []
    for a in alphabet:
        for b in alphabet:
            if len(vocab) >= V - 1:
                break
            merges.append((a, b))
            vocab[a + b] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|endoftext|>"])
    tok.save(str(folder / "tokenizer.json"))
    return folder


def _vm(field: str) -> float:
    """A ``/proc/self/status`` memory figure (``VmHWM``: peak resident set) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: peak only


def _measure(model_dir: str, device: str, logits_out: str, repeat: int) -> dict:
    """Run in a fresh subprocess: load one model, trace 64 tokens, report times and memory.

    On the CPU the forward pass is timed with torch's threads and with one thread, and its CPU
    time is given too: when other processes share the cores, threads that wait on each other
    make the wall time grow far more than the work.
    """
    import numpy as np
    import torch

    import llmviz

    base = _vm("VmRSS")  # python, torch and llmviz imported, no model yet
    t0 = time.perf_counter()
    model = llmviz.load_model(model_dir or None, device=device)
    load_s = time.perf_counter() - t0
    prompt = _prompt_of(model, min(64, model.cfg.n_ctx))
    trace = model.run(prompt)  # warm up
    np.save(logits_out, trace[hook_name("logits")])
    out = {
        "load_s": load_s,
        "forward_ms": 1000 * _median_time(lambda: model.run(prompt), repeat),
        "threads": torch.get_num_threads(),
        "tokens": trace.n_tokens,
        "hooks": len(trace),
        "params_m": sum(p.numel() for p in model.net.parameters()) / 1e6,
        "W_U_m": model.W_U.size / 1e6,
    }
    if device == "cpu":
        c0 = time.process_time()
        model.run(prompt)
        out["cpu_ms"] = 1000 * (time.process_time() - c0)
        torch.set_num_threads(1)
        out["one_thread_ms"] = 1000 * _median_time(lambda: model.run(prompt), repeat)
    else:
        out["gpu_peak_mb"] = torch.cuda.max_memory_allocated() / 2**20
    out |= {"base_mb": base, "peak_mb": _vm("VmHWM")}
    return out


def _run_measure(model_dir: str, device: str, repeat: int, logits_out: str) -> dict:
    cmd = [sys.executable, "-m", "llmviz.bench", "--measure", model_dir, device, logits_out]
    done = subprocess.run(
        cmd + ["--repeat", str(repeat)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"measuring {model_dir or 'the embedded model'} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def model_section(repeat: int) -> None:
    """Section 4: the embedded model and a GPT-2-small-shaped one, loaded and traced."""
    import numpy as np
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("4. load a model and trace 64 tokens (model.run, every hook), each in a fresh process")
    print(
        f"   {os.cpu_count()} CPUs, load average {load:.1f} before the runs (other processes on "
        "the cores slow every figure)"
    )
    with tempfile.TemporaryDirectory(prefix="llmviz-bench-") as tmp:
        t0 = time.perf_counter()
        gpt2_dir = write_random_gpt2(Path(tmp) / "gpt2-small-random")
        print(f"   (a random GPT-2 small folder written in {time.perf_counter() - t0:.1f} s)")
        print(
            "   model            device  load s  forward ms  (threads)  1 thread ms  CPU ms  "
            "peak MB  (imports)  max |logits - CPU's|"
        )
        for label, path in (("embedded", ""), ("GPT-2 small", str(gpt2_dir))):
            cpu_logits = None
            for dev in devices:
                out_file = str(Path(tmp) / f"logits-{dev}.npy")
                r = _run_measure(path, dev, repeat, out_file)
                logits = np.load(out_file)
                if cpu_logits is None:
                    cpu_logits, diff = logits, "-"
                else:
                    diff = f"{np.abs(logits - cpu_logits).max():.1e}"
                one = f"{r['one_thread_ms']:11.1f}" if "one_thread_ms" in r else f"{'-':>11s}"
                cpu = f"{r['cpu_ms']:6.0f}" if "cpu_ms" in r else f"{'-':>6s}"
                gpu = f" (GPU {r['gpu_peak_mb']:.0f} MB)" if "gpu_peak_mb" in r else ""
                print(
                    f"   {label:16s} {dev:6s} {r['load_s']:7.2f} {r['forward_ms']:11.1f} "
                    f"{r['threads']:10d} {one} {cpu} {r['peak_mb']:8.0f} {r['base_mb']:10.0f}  "
                    f"{diff}{gpu}"
                )
            if label == "GPT-2 small":
                print(
                    f"   (GPT-2 small: {r['params_m']:.1f}M parameters in llmviz, "
                    f"{r['params_m'] - r['W_U_m']:.1f}M in GPT-2's count: the folded W_U, "
                    f"ln_f's gain times W_E.T, is a matrix of its own; {r['tokens']} tokens, "
                    f"{r['hooks']} hook values)"
                )
        print(
            "   targets for GPT-2 small: load <= 5 s, forward <= 300 ms on 2 CPU cores, "
            "peak <= 1500 MB"
        )


def video_main(kind: str, videos: list[str]) -> int:
    """``python -m llmviz.bench motion|screen VIDEO...``: how much each video moves, or how it
    uses the screen."""
    from llmviz.errors import LLMVizError
    from llmviz.motion import motion_profile
    from llmviz.screen import screen_profile

    if not videos:
        print(f"usage: python -m llmviz.bench {kind} VIDEO [VIDEO ...]", file=sys.stderr)
        return 2
    measure = {"motion": motion_profile, "screen": screen_profile}[kind]
    status = 0
    for video in videos:
        try:
            print(measure(video).line())
        except LLMVizError as exc:
            print(f"llmviz: {exc}", file=sys.stderr)
            status = 2
    return status


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["motion"], ["screen"]):
        raise SystemExit(video_main(argv[0], argv[1:]))
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument(
        "--section",
        choices=("all", "mobjects", "model"),
        default="all",
        help="mobjects: sections 1-3 (manim); model: section 4 (loading and tracing)",
    )
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)  # DIR DEVICE LOGITS.npy
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    if args.measure:
        print(json.dumps(_measure(*args.measure, repeat)))
        return
    if args.section == "model":
        model_section(repeat)
        return

    from manim import Circle, DecimalMatrix, Matrix, Scene, Text, VGroup, config, tempconfig

    import llmviz
    from llmviz.animations import MatrixVectorProduct
    from llmviz.mobjects import AttentionGrid, NumericMatrix, NumericVector
    from llmviz.model.analysis import find_adjective_head

    config.verbosity = "ERROR"
    model = llmviz.load_model(device="cpu")
    print(
        f"llmviz benchmark (manim {__import__('manim').__version__}, {repeat} timed runs each, medians)\n"
    )

    # 1. building an 8 x 8 matrix of the same real values ------------------------------------
    values = model.W("Q", 0, 0)[:8, :8].astype(float)  # 8 x 8 block of a real W_Q
    NumericMatrix(values)  # warm the glyph cache
    DecimalMatrix(
        values, element_to_mobject_config={"num_decimal_places": 2}
    )  # warm the LaTeX cache
    Matrix(values, element_to_mobject=lambda v: Text(f"{v:.2f}"))  # warm Pango's cache
    t_llmviz = _median_time(lambda: NumericMatrix(values), repeat)
    t_decimal = _median_time(
        lambda: DecimalMatrix(values, element_to_mobject_config={"num_decimal_places": 2}), repeat
    )
    t_text = _median_time(
        lambda: Matrix(values, element_to_mobject=lambda v: Text(f"{v:.2f}")), repeat
    )
    print("1. build an 8 x 8 matrix of real W_Q values")
    print(f"   llmviz NumericMatrix           {1000 * t_llmviz:9.2f} ms")
    print(
        f"   manim DecimalMatrix (LaTeX)    {1000 * t_decimal:9.2f} ms   llmviz is {t_decimal / t_llmviz:6.1f}x faster"
    )
    print(
        f"   manim Matrix of Text           {1000 * t_text:9.2f} ms   llmviz is {t_text / t_llmviz:6.1f}x faster\n"
    )

    # 2. per-frame render time of an attention grid ------------------------------------------
    head = find_adjective_head(model)
    print(
        f"2. one 480p frame of an AttentionGrid (layer {head.layer} head {head.head}, real patterns)"
    )
    print("   tokens  cells   llmviz ms  ms/1k cells   one Circle per cell ms   ratio")
    base = None
    with tempconfig({"pixel_height": 480, "pixel_width": 854, "disable_caching": True}):
        for n in (8, 16, 32, 64):
            trace = model.run(_prompt_of(model, n))
            pattern = trace[hook_name("pattern", head.layer)][head.head]
            size = 6.0 / n
            grid = AttentionGrid(pattern, cell_size=size, show_grid_lines=n <= 32)
            t_grid = _frame_timer([grid], repeat)
            circles = VGroup(
                *(
                    Circle(
                        radius=max(grid.radii[k, q], 1e-3), fill_opacity=1, stroke_width=0
                    ).move_to(grid.cell_center(k, q))
                    for k in range(n)
                    for q in range(n)
                    if grid.radii[k, q] > 1e-3
                )
            )
            t_circles = _frame_timer([circles], repeat)
            per_k = 1000 * t_grid / (n * n / 1000)
            base = base or per_k
            print(
                f"   {n:6d} {n * n:6d}   {1000 * t_grid:9.2f}  {per_k:11.2f}   {1000 * t_circles:22.2f}   "
                f"{t_circles / t_grid:5.1f}x"
            )
        print(
            "   (time per 1,000 cells staying flat or falling = growth no faster than the cell count)\n"
        )

        # 3. a 64-entry matrix-vector product, halfway -----------------------------------------
        W = model.W("up", 0).T[:64]  # 64 neurons x 64 inputs
        x = model.run("Michael Jordan plays the sport of")[hook_name("ln2", 0)][1]
        matrix = NumericMatrix(W, max_rows=64, max_cols=6, font_size=6, v_buff=0.0).shift(
            [-2.5, 0, 0]
        )
        vector = NumericVector(x, max_entries=64, font_size=6, entry_buff=0.0).next_to(
            matrix, [1, 0, 0]
        )
        anim = MatrixVectorProduct(matrix, vector)
        scene = Scene()
        scene.add(matrix, vector)
        anim._setup_scene(scene)  # what scene.play does before the first frame
        anim.begin()
        anim.interpolate(0.5)
        t_mvp = _frame_timer([], repeat, scene=scene)
        print(
            f"3. one 480p frame of a 64-entry MatrixVectorProduct, halfway: {1000 * t_mvp:.2f} ms\n"
        )
    if args.section == "all":
        model_section(repeat)


if __name__ == "__main__":
    main()

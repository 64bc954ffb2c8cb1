"""Benchmark llmviz's mobjects against plain manim, in one run: ``python -m llmviz.bench``.

1. Building an 8 x 8 matrix of real weights: llmviz's ``NumericMatrix`` against manim's
   ``DecimalMatrix`` (LaTeX, cache warm) and a ``Matrix`` of ``Text`` entries.
2. Per-frame render time at 480p of an ``AttentionGrid`` on real patterns of 8, 16, 32 and 64
   tokens, against the same dots drawn as one manim ``Circle`` each.
3. Per-frame render time of a 64-entry ``MatrixVectorProduct`` halfway through.

Timings are medians of repeated runs on this machine; the ratios are what matter.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

__all__ = ["main"]


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m llmviz.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median)")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

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
            pattern = trace[f"blocks.{head.layer}.attn.hook_pattern"][head.head]
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
        x = model.run("Michael Jordan plays the sport of")["blocks.0.ln2.hook_normalized"][1]
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
            f"3. one 480p frame of a 64-entry MatrixVectorProduct, halfway: {1000 * t_mvp:.2f} ms"
        )


if __name__ == "__main__":
    main()

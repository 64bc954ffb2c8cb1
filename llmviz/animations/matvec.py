"""W x, row by row: each output entry appears as the real dot product."""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    LEFT,
    RIGHT,
    Add,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    Succession,
    TransformFromCopy,
)

from llmviz.animations._common import expect, head_count, symbol, tail_count
from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_size, real_array
from llmviz.mobjects.matrices import NumericMatrix
from llmviz.mobjects.vectors import NumericVector
from llmviz.style import PALETTE

__all__ = ["MatrixVectorProduct"]


class MatrixVectorProduct(Succession):
    """``W x`` row by row: each shown row lights up and its output entry appears as the real dot
    product of the *whole* row with the whole vector (hidden columns included).

    Parameters
    ----------
    matrix
        A :class:`NumericMatrix` with values, ``[rows, cols]``.
    vector
        A :class:`NumericVector` of length ``cols``.
    bias
        Optional bias added to each output (``W x + b``).
    run_time_per_row
        Seconds per row.

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import NumericMatrix, NumericVector
    >>> from llmviz.animations import MatrixVectorProduct
    >>> W, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
    >>> anim = MatrixVectorProduct(NumericMatrix(W), NumericVector(x))
    >>> anim.result.values.tolist()
    [-1.0, -1.0]

    .. manim:: MatrixVectorProductExample
        :save_last_frame:

        from manim import LEFT, RIGHT, Scene
        from llmviz.animations import MatrixVectorProduct
        from llmviz.mobjects import NumericMatrix, NumericVector
        from llmviz.model import hook_name, load_model

        class MatrixVectorProductExample(Scene):
            def construct(self):
                model = load_model()
                x = model.run("Michael Jordan plays the sport of")[hook_name("ln1", 0)][-1]
                W = NumericMatrix(model.W("Q", 0, head=0).T, max_rows=4, max_cols=4).shift(3 * LEFT)
                v = NumericVector(x, max_entries=4).next_to(W, RIGHT)
                self.add(W, v)
                self.play(MatrixVectorProduct(W, v, run_time_per_row=0.2))
    """

    def __init__(
        self,
        matrix: NumericMatrix,
        vector: NumericVector,
        bias: Sequence[float] | None = None,
        run_time_per_row: float = 0.6,
        **kwargs,
    ) -> None:
        expect(matrix, NumericMatrix, "matrix", "MatrixVectorProduct")
        expect(vector, NumericVector, "vector", "MatrixVectorProduct")
        check_size(run_time_per_row, "run_time_per_row", "MatrixVectorProduct")
        if matrix.values is None:
            raise LLMVizError(
                "MatrixVectorProduct needs a matrix with real values, not a shape-only matrix"
            )
        if matrix.values.shape[1] != len(vector.values):
            raise LLMVizError(
                f"MatrixVectorProduct: matrix has {matrix.values.shape[1]} columns but the vector has "
                f"{len(vector.values)} entries; expected shapes (m, n) and (n,)"
            )
        out = matrix.values @ vector.values
        if bias is not None:
            b = real_array(bias, 1, "MatrixVectorProduct", "bias", str(out.shape))
            if b.shape != out.shape:
                raise LLMVizError(
                    f"MatrixVectorProduct: bias has shape {b.shape}, expected {out.shape}"
                )
            out = out + b
        self.values = out
        self.result = NumericVector(
            out,
            max_entries=len(matrix.rows),
            head=head_count(matrix.rows),
            tail=tail_count(matrix.rows),
            decimals=vector.decimals,
            font_size=vector._options["font_size"],
        )
        self.result.next_to(vector, RIGHT, buff=0.8)
        for entry in self.result.entries:  # each output entry level with its matrix row
            entry.set_y(matrix.row_y(entry.source_index))
        if self.result.ellipsis is not None:
            self.result.ellipsis.set_y(
                matrix.grid[matrix.rows.index(None) * len(matrix.cols)].get_y()
            )
        self.equals = symbol("=").next_to(self.result, LEFT, buff=0.25)
        steps = [AnimationGroup(FadeIn(self.result.brackets), FadeIn(self.equals))]
        for entry in self.result.entries:
            rect = matrix.highlight_row(entry.source_index)
            steps.append(
                Succession(
                    Create(rect, run_time=run_time_per_row * 0.3),
                    AnimationGroup(
                        Indicate(vector.cells, scale_factor=1.0, color=PALETTE["highlight"]),
                        TransformFromCopy(matrix.get_row(entry.source_index), entry),
                        run_time=run_time_per_row * 0.5,
                    ),
                    FadeOut(rect, run_time=run_time_per_row * 0.2),
                )
            )
        if self.result.ellipsis is not None:
            steps.append(FadeIn(self.result.ellipsis, run_time=0.2))
        steps.append(Add(self.result))  # the whole result stays on screen as one mobject
        super().__init__(*steps, **kwargs)

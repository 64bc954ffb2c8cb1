"""Matrices of real values, with row and column ellipses; huge shapes shown by label only."""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Mobject, Rectangle, SurroundingRectangle, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_count, check_decimals, check_size
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.mobjects.vectors import (
    as_array,
    bounds,
    brackets_around,
    color_scale,
    recenter,
    shown_indices,
)
from llmviz.style import DEFAULTS, PALETTE, value_to_color

__all__ = ["NumericMatrix", "WeightMatrix", "MatrixShape"]


class NumericMatrix(VGroup):
    """A matrix of real values in brackets, with ellipses past ``max_rows`` x ``max_cols``.

    The matrix copies ``values`` when it is built: the numbers it shows and reports
    (:attr:`values`, read-only) are those at construction; the caller's array is never frozen,
    changed or kept.

    Parameters
    ----------
    values
        A 2-D array of real numbers (NaN and ±inf are drawn as such), or ``None`` together with ``shape`` for a matrix too large to hold (GPT-3's
        12,288 x 50,257): its cells are then drawn as empty dots, never as made-up numbers.
    shape
        ``(rows, cols)`` when ``values`` is None.
    max_rows, max_cols
        How many rows and columns to draw before ellipses (first ones, an ellipsis, last ones).
    decimals, font_size, color_by_value
        As for :class:`~llmviz.mobjects.NumericVector`.
    name
        Optional name written above (e.g. ``"W_up"``).
    shape_label
        Write the shape under the matrix ("64 × 256").
    label_size
        Size of the shape label (default: 0.85 of ``font_size``).

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import NumericMatrix
    >>> m = NumericMatrix(np.eye(3))
    >>> m.cell(1, 1).text
    '1.00'
    >>> NumericMatrix(None, shape=(12_288, 50_257), shape_label=True).shape_text
    '12,288 × 50,257'

    .. manim:: NumericMatrixExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import NumericMatrix
        from llmviz.model import load_model

        class NumericMatrixExample(Scene):
            def construct(self):
                W_Q = load_model().W("Q", 0, head=0)  # layer 0, head 0: [d_model, d_head]
                self.add(NumericMatrix(W_Q, name="W_Q", shape_label=True, font_size=30))
                self.wait(0.1)
    """

    def __init__(
        self,
        values: np.ndarray | None,
        shape: tuple[int, int] | None = None,
        max_rows: int = 6,
        max_cols: int = 6,
        decimals: int | None = None,
        font_size: float = 20,
        color_by_value: bool = True,
        saturation: float | None = None,
        name: str | Mobject | None = None,
        shape_label: bool = False,
        h_buff: float = 0.25,
        v_buff: float = 0.12,
        label_size: float | None = None,
        **kwargs,
    ) -> None:
        what = type(self).__name__
        decimals = check_decimals(DEFAULTS["decimals"] if decimals is None else decimals, what)
        max_rows = check_count(max_rows, "max_rows", what)
        max_cols = check_count(max_cols, "max_cols", what)
        check_size(font_size, "font_size", what)
        check_size(label_size, "label_size", what, optional=True)
        check_size(saturation, "saturation", what, optional=True)
        check_size(h_buff, "h_buff", what, zero=True)
        check_size(v_buff, "v_buff", what, zero=True)
        if values is None:
            whole = (
                isinstance(shape, (tuple, list))
                and len(shape) == 2
                and all(
                    isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0
                    for s in shape
                )
            )
            if not whole:
                raise LLMVizError(
                    f"{what} without values needs shape=(rows, cols), two whole numbers >= 0, "
                    f"got {shape!r}"
                )
            shown_values = None
            matrix_shape = (int(shape[0]), int(shape[1]))
        else:
            shown_values = as_array(values, 2, what, "(rows, cols)")  # our own copy
            shown_values.setflags(write=False)
            matrix_shape = shown_values.shape
        super().__init__(**kwargs)
        self.values, self.shape = shown_values, matrix_shape
        self.rows = shown_indices(self.shape[0], max_rows)
        self.cols = shown_indices(self.shape[1], max_cols)
        shown = (
            np.array(
                [
                    [self.values[i, j] for j in self.cols if j is not None]
                    for i in self.rows
                    if i is not None
                ]
            )
            if self.values is not None
            else np.zeros(0)
        )
        self.saturation = saturation if saturation is not None else color_scale(shown)
        self._cells: dict[tuple[int, int], FastNumber] = {}
        if self.values is not None:  # build the numbers first: the widest one sets the column width
            for i in self.rows:
                for j in self.cols:
                    if i is not None and j is not None:
                        v = float(self.values[i, j])
                        color = (
                            value_to_color(v, self.saturation)
                            if color_by_value
                            else PALETTE["text"]
                        )
                        self._cells[(i, j)] = FastNumber(
                            v, decimals=decimals, font_size=font_size, color=color
                        )
        widest = max(
            (np.ptp(c.points[:, 0]) for c in self._cells.values()), default=font_size / 48 * 0.3
        )
        col_w, row_h = widest + h_buff, font_size / 48 * 0.62 + v_buff
        grid = VGroup()
        for r, i in enumerate(self.rows):
            for c, j in enumerate(self.cols):
                pos = np.array([c * col_w, -r * row_h, 0.0])
                if (i, j) in self._cells:  # right-aligned within its column
                    cell = self._cells[(i, j)].place(pos[0] + widest / 2, pos[1], "right")
                else:
                    glyph = (
                        "⋱"
                        if i is None and j is None
                        else "⋮"
                        if i is None
                        else "⋯"
                        if j is None
                        else "·"
                    )
                    cell = FastText(glyph, font_size=font_size, color=PALETTE["muted"]).place(
                        pos[0], pos[1]
                    )
                grid.add(cell)
        self.grid = grid
        lo, hi = bounds(grid)
        self.brackets = brackets_around(lo, hi, buff=0.12, min_height=0.5)
        self.add(self.brackets, grid)
        blo, bhi = bounds(self.brackets)
        self.name_label = self.shape_label = None
        if name is not None and not (isinstance(name, str) and not name):
            if isinstance(name, Mobject):  # a typeset name, e.g. W with a subscript
                self.name_label = name
                name.move_to([(blo[0] + bhi[0]) / 2, bhi[1] + 0.15 + name.height / 2, 0])
            else:
                self.name_label = FastText(name, font_size=font_size * 1.1, color=PALETTE["text"])
                self.name_label.place(
                    (blo[0] + bhi[0]) / 2, bhi[1] + 0.15 + self.name_label.height / 2
                )
            self.add(self.name_label)
        self.shape_text = f"{self.shape[0]:,} × {self.shape[1]:,}"
        if shape_label:
            self.shape_label = FastText(
                self.shape_text,
                font_size=font_size * 0.85 if label_size is None else label_size,
                color=PALETTE["muted"],
            )
            self.shape_label.place(
                (blo[0] + bhi[0]) / 2, blo[1] - 0.15 - self.shape_label.height / 2
            )
            self.add(self.shape_label)
        recenter(self)

    def cell(self, i: int, j: int) -> FastNumber:
        """The mobject showing ``values[i, j]``; a clear error if it is hidden or there are no values."""
        try:
            return self._cells[(i, j)]
        except KeyError:
            raise LLMVizError(
                f"cell ({i}, {j}) is not shown; shown rows {[r for r in self.rows if r is not None]}, "
                f"columns {[c for c in self.cols if c is not None]}"
            ) from None

    def get_row(self, i: int) -> VGroup:
        return VGroup(
            *(self._cells[(i, j)] for j in self.cols if j is not None and (i, j) in self._cells)
        )

    def get_column(self, j: int) -> VGroup:
        return VGroup(
            *(self._cells[(i, j)] for i in self.rows if i is not None and (i, j) in self._cells)
        )

    def row_y(self, i: int) -> float:
        return float(self.grid[self.rows.index(i) * len(self.cols)].get_y())

    def highlight_row(self, i: int, color: str | None = None) -> SurroundingRectangle:
        """A rectangle around row ``i`` (returned, not added), inside the brackets: never wider
        than the room between their arms, however the matrix was scaled."""
        if i not in self.rows:
            raise LLMVizError(
                f"row {i} is not shown; shown rows {[r for r in self.rows if r is not None]}"
            )
        k = self.rows.index(i)
        row = VGroup(*self.grid[k * len(self.cols) : (k + 1) * len(self.cols)])
        rect = SurroundingRectangle(
            row, color=color or PALETTE["highlight"], buff=0.1, stroke_width=3
        )
        room = self.brackets[1].get_left()[0] - self.brackets[0].get_right()[0]
        if rect.width > room > row.width + 0.02:
            rect.stretch_to_fit_width(room - 0.02)
        return rect

    def highlight_column(self, j: int, color: str | None = None) -> SurroundingRectangle:
        if j not in self.cols:
            raise LLMVizError(
                f"column {j} is not shown; shown columns {[c for c in self.cols if c is not None]}"
            )
        k = self.cols.index(j)
        col = VGroup(*self.grid[k :: len(self.cols)])
        return SurroundingRectangle(
            col, color=color or PALETTE["highlight"], buff=0.1, stroke_width=3
        )


class WeightMatrix(NumericMatrix):
    """A named weight matrix with its shape written underneath (``name`` and ``shape_label`` on).

    Examples
    --------
    >>> from llmviz.mobjects import WeightMatrix
    >>> WeightMatrix(None, shape=(49_152, 12_288), name="W_up").shape_text
    '49,152 × 12,288'

    .. manim:: WeightMatrixExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import WeightMatrix
        from llmviz.model import load_model

        class WeightMatrixExample(Scene):
            def construct(self):
                self.add(WeightMatrix(load_model().W("up", 0), name="W_up", font_size=30))
                self.wait(0.1)
    """

    def __init__(
        self,
        values: np.ndarray | None,
        shape: tuple[int, int] | None = None,
        name: str | Mobject = "W",
        **kwargs,
    ) -> None:
        kwargs.setdefault("shape_label", True)
        super().__init__(values, shape=shape, name=name, **kwargs)


class MatrixShape(VGroup):
    """A matrix drawn to its shape, before its entries matter: a ``rows`` x ``cols`` rectangle
    (tall and thin, short and wide) with its name and its size, and strips for one row or one
    column.

    Parameters
    ----------
    rows, cols
        The matrix's shape (as the lecture writes it: output rows x input columns).
    height
        Drawn height of the longer side; the other side keeps the true ratio, but never thinner
        than ``min_side`` so that a 12,288 x 128 map still shows.
    name
        A mobject (a formula) or text written above.

    Examples
    --------
    >>> m = MatrixShape(256, 64, height=4)
    >>> round(float(m.box.height / m.box.width), 6), m.size_text
    (4.0, '256 × 64')

    .. manim:: MatrixShapeExample
        :save_last_frame:

        from manim import LEFT, RIGHT, Scene
        from llmviz.mobjects import MatrixShape
        from llmviz.model import load_model

        class MatrixShapeExample(Scene):
            def construct(self):
                cfg = load_model().cfg
                up = MatrixShape(cfg.d_mlp, cfg.d_model, height=4, name="W_up").shift(2 * LEFT)
                down = MatrixShape(cfg.d_model, cfg.d_mlp, height=4, name="W_down").shift(2 * RIGHT)
                self.add(up, down)
                self.wait(0.1)
    """

    def __init__(
        self,
        rows: int,
        cols: int,
        height: float = 4.0,
        name: str | Mobject | None = None,
        color: str | None = None,
        min_side: float = 0.12,
        font_size: float = 22,
        size_label: bool = True,
        **kwargs,
    ) -> None:
        rows = check_count(rows, "rows", "MatrixShape")
        cols = check_count(cols, "cols", "MatrixShape")
        check_size(height, "height", "MatrixShape")
        check_size(min_side, "min_side", "MatrixShape")
        check_size(font_size, "font_size", "MatrixShape")
        super().__init__(**kwargs)
        self.rows, self.cols = rows, cols
        scale = height / max(self.rows, self.cols)
        w, h = max(self.cols * scale, min_side), max(self.rows * scale, min_side)
        c = color or PALETTE["positive"]
        self.box = Rectangle(
            width=w, height=h, stroke_color=c, stroke_width=2, fill_color=c, fill_opacity=0.18
        )
        self.add(self.box)
        self.size_text = f"{self.rows:,} × {self.cols:,}"
        self.name_label = self.size_label = None
        if name is not None:
            self.name_label = (
                name if isinstance(name, Mobject) else FastText(name, font_size * 1.1)
            ).next_to(self.box, UP, buff=0.15)
            self.add(self.name_label)
        if size_label:
            self.size_label = FastText(self.size_text, font_size, color=PALETTE["muted"])
            self.size_label.next_to(self.box, DOWN, buff=0.15)
            self.add(self.size_label)

    def row_strip(self, i: int, color: str | None = None, min_height: float = 0.05) -> Rectangle:
        """A thin bar over row ``i`` (returned, not added)."""
        if not 0 <= i < self.rows:
            raise LLMVizError(f"row {i} is outside 0..{self.rows - 1}")
        h = max(self.box.height / self.rows, min_height)
        top = self.box.get_top()[1] - (i + 0.5) * self.box.height / self.rows
        strip = Rectangle(
            width=self.box.width,
            height=h,
            stroke_width=0,
            fill_color=color or PALETTE["highlight"],
            fill_opacity=0.95,
        )
        return strip.move_to([self.box.get_x(), top, 0])

    def column_strip(self, j: int, color: str | None = None, min_width: float = 0.05) -> Rectangle:
        """A thin bar over column ``j`` (returned, not added)."""
        if not 0 <= j < self.cols:
            raise LLMVizError(f"column {j} is outside 0..{self.cols - 1}")
        w = max(self.box.width / self.cols, min_width)
        left = self.box.get_left()[0] + (j + 0.5) * self.box.width / self.cols
        strip = Rectangle(
            width=w,
            height=self.box.height,
            stroke_width=0,
            fill_color=color or PALETTE["highlight"],
            fill_opacity=0.95,
        )
        return strip.move_to([left, self.box.get_y(), 0])

    def edge(self, side) -> np.ndarray:
        """A point on the box's ``LEFT``/``RIGHT``/``UP``/``DOWN`` edge."""
        return self.box.get_edge_center(side)

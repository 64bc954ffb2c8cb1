"""A table of words and real values: a header, aligned columns, highlights, values kept by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from manim import LEFT, RIGHT, UP, Mobject, SurroundingRectangle, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_choice, check_decimals, check_size
from llmviz.mobjects.numbers import FastNumber, FastText
from llmviz.style import PALETTE

__all__ = ["Column", "ValueTable"]


@dataclass(frozen=True)
class Column:
    """How one column shows its cells: numbers with ``decimals``, a ``sign`` and a ``suffix``
    ("%"), grouped ``thousands``; ``align`` is ``"left"``, ``"center"`` or ``"right"`` (default:
    right for numbers, which lines them up on the decimal point, left for words).

    Examples
    --------
    .. manim:: ColumnExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import Column, ValueTable
        from llmviz.model import load_model

        class ColumnExample(Scene):
            def construct(self):
                top = load_model().run("Michael Jordan plays the sport of").top_k(3)
                percent = Column("P", decimals=1, suffix="%")
                table = ValueTable(
                    [[t.token.strip(), 100 * t.prob] for t in top], ["token", percent], font_size=40
                )
                self.add(table.center())
                self.wait(0.1)
    """

    name: str
    decimals: int = 2
    sign: bool = False
    suffix: str = ""
    thousands: bool = False
    align: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise LLMVizError(f"Column: name must be a str, not {self.name!r}")
        check_decimals(self.decimals, f"Column {self.name!r}")
        if self.align is not None:
            check_choice(self.align, "align", f"Column {self.name!r}", ("left", "center", "right"))


class ValueTable(VGroup):
    """Rows of cells under a header; numbers stay numbers (``value``) and each cell is found by
    its row and column name (``cell("Michael Jordan", "P after")``).

    Parameters
    ----------
    rows
        One sequence per row: a ``str`` (drawn as prose), a number (a :class:`FastNumber` with
        the column's format) or a ready mobject (a token, a formula).
    columns
        The columns, as :class:`Column` or plain names; their names form the header.
    row_names
        A name per row for look-ups (default: each row's first cell when it is text).
    header
        Draw the header row (in the muted colour).
    font_size, h_buff, v_buff
        Text size, space between columns, and between rows (baseline to baseline, in font
        heights).

    Examples
    --------
    >>> t = ValueTable([["Michael Jordan", 0.9987], ["Michael Phelps", 0.0001]],
    ...                [Column("name"), Column("P", decimals=4)])
    >>> t.value("Michael Jordan", "P"), t.cell("Michael Phelps", "P").text
    (0.9987, '0.0001')

    .. manim:: ValueTableExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import Column, ValueTable
        from llmviz.model import load_model

        class ValueTableExample(Scene):
            def construct(self):
                top = load_model().run("Michael Jordan plays the sport of").top_k(3)
                rows = [[t.token.strip(), t.id, t.prob] for t in top]
                columns = [Column("token"), Column("id", decimals=0), Column("P", decimals=3)]
                self.add(ValueTable(rows, columns, font_size=40).center())
                self.wait(0.1)
    """

    def __init__(
        self,
        rows: Sequence[Sequence[object]],
        columns: Sequence[Column | str],
        row_names: Sequence[str] | None = None,
        header: bool = True,
        font_size: float = 24,
        h_buff: float = 0.6,
        v_buff: float = 1.55,
        header_color: str | None = None,
        **kwargs,
    ) -> None:
        check_size(font_size, "font_size", "ValueTable")
        check_size(h_buff, "h_buff", "ValueTable", zero=True)
        check_size(v_buff, "v_buff", "ValueTable", zero=True)
        super().__init__(**kwargs)
        self.columns = [c if isinstance(c, Column) else Column(str(c)) for c in columns]
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise LLMVizError(f"ValueTable: column names must differ, got {names}")
        for r, row in enumerate(rows):
            if len(row) != len(self.columns):
                raise LLMVizError(
                    f"ValueTable: row {r} has {len(row)} cells but there are {len(self.columns)} "
                    f"columns ({', '.join(names)})"
                )
        self.row_names = (
            list(row_names)
            if row_names is not None
            else [
                row[0] if len(row) and isinstance(row[0], str) else str(r)
                for r, row in enumerate(rows)
            ]
        )
        if len(self.row_names) != len(rows):
            raise LLMVizError("ValueTable: give one row name per row")
        # copies of the rows (numbers as plain floats): later changes to the caller's rows or
        # array do not reach the table, which shows and reports the values at construction
        self.values = [
            [float(v) if isinstance(v, (np.integer, np.floating)) else v for v in row]
            for row in rows
        ]
        self.font_size = font_size
        color = header_color or PALETTE["muted"]
        self.header = VGroup(*(FastText(c.name, font_size, color=color) for c in self.columns))
        self.body = VGroup(
            *(
                VGroup(*(self._cell(v, c) for v, c in zip(row, self.columns, strict=True)))
                for row in rows
            )
        )
        grid = ([self.header] if header else []) + list(self.body)
        self._lay_out(grid, h_buff, v_buff * font_size / 48)
        if header:
            self.add(self.header)
        self.add(self.body)

    def _cell(self, value: object, col: Column) -> Mobject:
        if isinstance(value, Mobject):
            return value
        if isinstance(value, str):
            return FastText(value, self.font_size)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return FastNumber(
                float(value),
                decimals=col.decimals,
                sign=col.sign,
                thousands=col.thousands,
                suffix=col.suffix,
                font_size=self.font_size,
            )
        raise LLMVizError(f"ValueTable: a cell must be text, a number or a mobject, not {value!r}")

    def _lay_out(self, grid: list[VGroup], h_buff: float, step: float) -> None:
        widths = [max(row[j].width for row in grid) for j in range(len(self.columns))]
        lefts = np.concatenate([[0.0], np.cumsum(np.array(widths) + h_buff)[:-1]])
        for i, row in enumerate(grid):
            y = -i * step
            for j, (cell, col) in enumerate(zip(row, self.columns, strict=True)):
                numeric = isinstance(cell, FastNumber)
                align = col.align or ("right" if numeric else "left")
                if align not in ("left", "center", "right"):
                    raise LLMVizError(f"Column {col.name!r}: align must be left, center or right")
                x = {"left": lefts[j], "right": lefts[j] + widths[j]}.get(
                    align, lefts[j] + widths[j] / 2
                )
                edge = {"left": LEFT, "right": RIGHT}.get(align)
                cell.move_to([x, 0, 0], aligned_edge=edge if edge is not None else np.zeros(3))
                base = cell.baseline if hasattr(cell, "baseline") else cell.get_bottom()[1]
                cell.shift((y - base) * UP)

    # --- look-ups -------------------------------------------------------------------------------
    def _index(self, row: int | str, col: int | str) -> tuple[int, int]:
        names = [c.name for c in self.columns]
        try:
            i = row if isinstance(row, int) else self.row_names.index(row)
            j = col if isinstance(col, int) else names.index(col)
        except ValueError:
            raise LLMVizError(
                f"ValueTable has no cell ({row!r}, {col!r}); rows: {self.row_names}, columns: {names}"
            ) from None
        return i, j

    def cell(self, row: int | str, col: int | str) -> Mobject:
        i, j = self._index(row, col)
        return self.body[i][j]

    def value(self, row: int | str, col: int | str) -> object:
        i, j = self._index(row, col)
        return self.values[i][j]

    def row(self, row: int | str) -> VGroup:
        return self.body[self._index(row, 0)[0]]

    def column(self, col: int | str) -> VGroup:
        j = self._index(0, col)[1]
        return VGroup(*(r[j] for r in self.body))

    def highlight_row(self, row: int | str, color: str | None = None) -> SurroundingRectangle:
        return SurroundingRectangle(
            self.row(row), color=color or PALETTE["highlight"], buff=0.1, corner_radius=0.05
        )

    def highlight_cell(
        self, row: int | str, col: int | str, color: str | None = None
    ) -> SurroundingRectangle:
        return SurroundingRectangle(
            self.cell(row, col), color=color or PALETTE["highlight"], buff=0.08, corner_radius=0.05
        )

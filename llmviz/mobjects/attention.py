"""The attention grid: keys as rows on the left, queries as columns on top, one dot per pair."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    LEFT,
    ORIGIN,
    PI,
    UP,
    Circle,
    Rectangle,
    Square,
    Text,
    VectorizedPoint,
    VGroup,
    VMobject,
)

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_choice, check_decimals, check_size
from llmviz.mobjects.numbers import FastNumber
from llmviz.mobjects.vectors import as_array, constructor_options
from llmviz.style import DEFAULTS, FONTS, PALETTE, display_token, value_to_color

__all__ = ["AttentionGrid"]

_N_BINS = 12  # colour levels per sign; cells of one level are drawn as one path
_CIRCLE = Circle(radius=1.0, num_components=9).points  # unit circle, reused for every dot
_SQUARE = Square(side_length=2.0).points  # unit half-width square

#: The smallest font size of the token labels: readable at 480p (the scene tests' frame checks
#: refuse text under 19.5).
MIN_LABEL_SIZE = 20


class AttentionGrid(VGroup):
    """A grid of attention values drawn as dots sized by value (or as heat colours).

    ``values`` uses the trace's layout, ``[query, key]`` (``trace["blocks.0.attn.hook_pattern"][h]``);
    the grid draws it in the lecture's orientation: **keys as rows** on the left, **queries as
    columns** on top, so the cell in row ``k`` and column ``q`` shows ``values[q, k]``.

    The grid copies ``values`` when it is built: what it shows and reports (:attr:`values`,
    read-only) are the values at construction; the caller's array is never frozen, changed or
    kept.

    Parameters
    ----------
    values
        ``[n_queries, n_keys]`` real scores or pattern weights; ``-inf`` marks masked cells
        (written "−∞"), NaN is drawn as a small highlight square.
    tokens
        Token strings for both axes (self-attention); or give ``query_tokens`` and ``key_tokens``.
    kind
        ``"dots"``: a dot per cell whose *area* is proportional to ``|value|`` (blue positive,
        orange negative); ``"heat"``: a coloured square per cell.
    causal
        Grey out the cells where the key comes after the query (the causal mask).
    normalize
        ``"column"``: each query's column is scaled to its own largest magnitude (per-column
        normalisation); ``"global"``: one scale for the whole grid.
    show_numbers
        Write each value in its cell (masked cells too, in a muted colour: "−∞" or "0.00").
    cell_size
        Side of one cell in scene units.
    font_size
        Size of the numbers in the cells and of the token labels; labels are drawn at
        :meth:`label_size` (never under ``min_label_size``, however small the cells).
    min_label_size
        The smallest font size of a token label (readable at 480p by default; 0 for none).
    labelled
        Indices of the tokens whose labels must be written, most important first (the tokens a
        scene names). Every token is labelled when the cells leave room for a readable label per
        row; when they do not, these come first (a later one too close to an earlier one is
        left out), then every ``k``-th of the others, counted back from the last token (the
        query the lecture follows). Unwritten labels are empty placeholders, so
        ``key_labels[i]`` is always token ``i``'s; ``written_queries`` and ``written_keys`` say
        which are written (``labelled_tokens``: the keys', or the queries' when the grid has no
        key labels).
    labelled_keys
        The same for the key labels (rows) alone, where they differ from the queries'
        (``labelled`` by default).

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import AttentionGrid
    >>> pattern = np.array([[1.0, 0.0], [0.25, 0.75]])
    >>> g = AttentionGrid(pattern, tokens=["a", " cat"])
    >>> g.display_value(key=0, query=1)
    0.25
    >>> bool(g.masked[1, 0])  # key 1 comes after query 0
    True

    .. manim:: AttentionGridExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import AttentionGrid
        from llmviz.model import hook_name, load_model

        class AttentionGridExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                pattern = trace[hook_name("pattern", 0)][0]  # layer 0, head 0: [query, key]
                self.add(AttentionGrid(pattern, tokens=trace.tokens, cell_size=0.6))
                self.wait(0.1)
    """

    def __init__(
        self,
        values: np.ndarray,
        tokens: Sequence[str] | None = None,
        query_tokens: Sequence[str] | None = None,
        key_tokens: Sequence[str] | None = None,
        kind: str = "dots",
        causal: bool = True,
        normalize: str = "column",
        show_numbers: bool = False,
        decimals: int | None = None,
        cell_size: float = 0.5,
        font_size: float = 22,
        show_grid_lines: bool = True,
        min_label_size: float = MIN_LABEL_SIZE,
        labelled: Sequence[int] | None = None,
        labelled_keys: Sequence[int] | None = None,
        **kwargs,
    ) -> None:
        options = constructor_options(locals(), "values")
        what = "AttentionGrid"
        decimals = check_decimals(DEFAULTS["decimals"] if decimals is None else decimals, what)
        check_choice(kind, "kind", what, ("dots", "heat"))
        check_choice(normalize, "normalize", what, ("column", "global"))
        check_size(cell_size, "cell_size", what)
        check_size(font_size, "font_size", what)
        check_size(min_label_size, "min_label_size", what, zero=True)
        grid_values = as_array(values, 2, what, "(n_queries, n_keys)")  # our own copy
        super().__init__(**kwargs)
        self._options = options
        self.values = grid_values
        self.values.setflags(write=False)
        nq, nk = self.values.shape
        if tokens is not None:
            query_tokens = key_tokens = tokens
        for name, toks, n in (("query_tokens", query_tokens, nq), ("key_tokens", key_tokens, nk)):
            if toks is not None and len(toks) != n:
                raise LLMVizError(
                    f"AttentionGrid: {name} has {len(toks)} tokens but values have {n} along that axis "
                    f"(values are [n_queries, n_keys] = {self.values.shape})"
                )
        self.kind, self.cell_size = kind, cell_size
        # invisible points at the centres of cells (0, 0) and (1, 1): they follow moves and scaling
        self._anchors = VGroup(
            VectorizedPoint([0, 0, 0]), VectorizedPoint([cell_size, -cell_size, 0])
        )
        self.add(self._anchors)
        grid = self.values.T  # [key, query]: what is drawn at row key, column query
        self.masked = np.zeros_like(grid, dtype=bool)
        if causal:
            self.masked = np.arange(nk)[:, None] > np.arange(nq)[None, :]
        finite = np.isfinite(grid) & ~self.masked
        mags = np.where(finite, np.abs(grid), 0.0)
        if normalize == "column":
            norm = mags.max(axis=0, keepdims=True) if mags.size else np.zeros((1, nq))
        else:
            norm = np.full((1, nq), mags.max() if mags.size else 0.0)
        norm = np.where(norm > 0, norm, 1.0)
        self.magnitudes = mags / norm  # in [0, 1], for sizes and colours
        self.radii = np.where(
            finite, 0.46 * cell_size * np.sqrt(self.magnitudes), 0.0
        )  # area ∝ value

        self.cells = VGroup()  # batched paths: one VMobject per colour level
        levels = np.rint(self.magnitudes * (_N_BINS - 1)).astype(int)
        signs = np.sign(np.where(finite, grid, 0.0))
        for s in (1, -1):
            for level in range(_N_BINS):
                sel = finite & (signs == s) & (levels == level)
                if kind == "dots":
                    sel &= self.radii > 1e-3
                if not sel.any():
                    continue
                color = value_to_color(s * max(level, 1) / (_N_BINS - 1))
                ks, qs = np.nonzero(sel)
                if kind == "dots":
                    pts = self._batch(_CIRCLE, ks, qs, self.radii[ks, qs])
                else:
                    pts = self._batch(_SQUARE, ks, qs, np.full(len(ks), 0.48 * cell_size))
                # under numbers, dots are dimmed so that the numbers stay readable
                path = VMobject(
                    fill_color=color, fill_opacity=0.4 if show_numbers else 1, stroke_width=0
                )
                path.set_points(pts)
                self.cells.add(path)
        special = []
        if self.masked.any():
            ks, qs = np.nonzero(self.masked)
            mask = VMobject(fill_color=PALETTE["box"], fill_opacity=0.55, stroke_width=0)
            mask.set_points(self._batch(_SQUARE, ks, qs, np.full(len(ks), 0.48 * cell_size)))
            self.mask_region = mask
            special.append(mask)
        else:
            self.mask_region = None
        nan = np.isnan(grid) & ~self.masked
        if nan.any():
            ks, qs = np.nonzero(nan)
            bad = VMobject(fill_color=PALETTE["highlight"], fill_opacity=1, stroke_width=0)
            bad.set_points(self._batch(_SQUARE, ks, qs, np.full(len(ks), 0.2 * cell_size)))
            special.append(bad)
        self.add(*special, self.cells)
        self.lines = None
        if show_grid_lines and nq and nk:
            self.lines = self._grid_lines(nk, nq)
            self.add(self.lines)
        self.numbers: dict[tuple[int, int], FastNumber] = {}
        if show_numbers:
            nums = VGroup()
            for k in range(nk):
                for q in range(nq):
                    v = float(grid[k, q])
                    n = FastNumber(
                        v,
                        decimals=decimals,
                        font_size=min(font_size, 36 * cell_size),
                        color=PALETTE["text"] if not self.masked[k, q] else PALETTE["muted"],
                    )
                    n.move_to(self.cell_center(k, q))
                    if n.width > 0.8 * cell_size:
                        n.scale_to_fit_width(0.8 * cell_size)
                    self.numbers[(k, q)] = n
                    nums.add(n)
            self.add(nums)
        self.query_labels = self.key_labels = None
        self.written_queries: list[int] = []  # the tokens written along the top
        self.written_keys: list[int] = []  # and down the left
        size = self.label_size(cell_size, font_size, min_label_size)
        if labelled_keys is None:
            labelled_keys = labelled
        for chosen in (labelled, labelled_keys):
            bad = [
                i
                for i in chosen or ()
                if not isinstance(i, (int, np.integer)) or not 0 <= i < max(nq, nk)
            ]
            if bad:
                raise LLMVizError(
                    f"AttentionGrid: labelled token indices {bad} are outside the grid "
                    f"({nq} queries, {nk} keys)"
                )
        if query_tokens is not None:
            self.query_labels = self._labels(query_tokens, size, labelled, top=True)
            self.add(self.query_labels)
        if key_tokens is not None:
            self.key_labels = self._labels(key_tokens, size, labelled_keys, top=False)
            self.add(self.key_labels)
        self.move_to(ORIGIN)  # like other mobjects: created at the centre of the frame

    # geometry -----------------------------------------------------------------------------
    def cell_center(self, key: int, query: int) -> np.ndarray:
        """Scene point at the centre of the cell in row ``key``, column ``query`` (follows moves
        and scaling of the grid)."""
        a0, a1 = self._anchors[0].get_center(), self._anchors[1].get_center()
        return a0 + np.array([query * (a1[0] - a0[0]), key * (a1[1] - a0[1]), 0.0])

    @property
    def current_cell_size(self) -> float:
        return float(self._anchors[1].get_center()[0] - self._anchors[0].get_center()[0])

    def _batch(
        self, template: np.ndarray, ks: np.ndarray, qs: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        centers = np.stack([qs * self.cell_size, -ks * self.cell_size, np.zeros(len(ks))], axis=1)
        pts = template[None, :, :] * sizes[:, None, None] + centers[:, None, :]
        return pts.reshape(-1, 3)

    def _grid_lines(self, nk: int, nq: int) -> VMobject:
        c, h = self.cell_size, self.cell_size / 2
        x0, x1, y0, y1 = -h, (nq - 1) * c + h, h, -(nk - 1) * c - h
        lines = VMobject(stroke_color=PALETTE["neutral"], stroke_width=1, stroke_opacity=0.6)
        for r in range(nk + 1):
            lines.start_new_path(np.array([x0, y0 - r * c, 0.0]))
            lines.add_line_to(np.array([x1, y0 - r * c, 0.0]))
        for q in range(nq + 1):
            lines.start_new_path(np.array([x0 + q * c, y0, 0.0]))
            lines.add_line_to(np.array([x0 + q * c, y1, 0.0]))
        return lines

    @property
    def labelled_tokens(self) -> list[int]:
        """The tokens whose labels are written: the keys', or the queries' when the grid has no
        key labels."""
        return self.written_keys if self.key_labels is not None else self.written_queries

    @staticmethod
    def label_size(
        cell_size: float, font_size: float = 22, min_label_size: float = MIN_LABEL_SIZE
    ) -> float:
        """The font size of the token labels of a grid with these settings (for layouts that
        leave room for the labels before the grid is built)."""
        return max(min_label_size, min(font_size, 60 * cell_size))

    def _labels(
        self, tokens: Sequence[str], size: float, labelled: Sequence[int] | None, top: bool
    ) -> VGroup:
        """One label per token (an empty placeholder where a token is not written). Top labels
        turn upright when wider than a cell; two written labels are at least ``k`` cells apart,
        ``k`` the least number of cells as tall as a label's line (its boxes may overlap the
        next one's by a sixth)."""
        c = self.cell_size
        texts = [
            Text(display_token(tok), font=FONTS["mono"], font_size=size, color=PALETTE["text"])
            for tok in tokens
        ]
        n = len(texts)
        line = max((t.height for t in texts), default=0.0)
        k = 1 if line <= 1.2 * c else int(np.ceil(line / c))  # least gap between two labels
        shown: list[int] = []
        for i in [*(labelled or ()), *range(n - 1, -1, -1)]:
            if i < n and i not in shown and all(abs(i - j) >= k for j in shown):
                shown.append(i)
        shown.sort()
        if top:
            self.written_queries = shown
        else:
            self.written_keys = shown
        labels = VGroup()
        for i, t in enumerate(texts):
            if i not in shown:
                t = VectorizedPoint()
            elif top and t.width > 0.95 * c:
                t.rotate(PI / 2)
            if top:
                t.next_to(np.array([i * c, c / 2, 0]), UP, buff=0.12)
            else:
                t.next_to(np.array([-c / 2, -i * c, 0]), LEFT, buff=0.15)
            labels.add(t)
        return labels

    # queries ------------------------------------------------------------------------------
    def display_value(self, key: int, query: int) -> float:
        """The value drawn in row ``key``, column ``query`` (that is, ``values[query, key]``)."""
        return float(self.values[query, key])

    def dot_radius(self, key: int, query: int) -> float:
        return float(self.radii[key, query])

    def highlight_cell(self, key: int, query: int, color: str | None = None) -> Square:
        """A square around one cell (returned, not added)."""
        return Square(
            side_length=self.current_cell_size, color=color or PALETTE["highlight"], stroke_width=4
        ).move_to(self.cell_center(key, query))

    def highlight_column(self, query: int, color: str | None = None) -> VMobject:
        nk = self.values.shape[1]
        top, bottom = self.cell_center(0, query), self.cell_center(nk - 1, query)
        size = self.current_cell_size
        return Rectangle(
            width=size, height=nk * size, color=color or PALETTE["highlight"], stroke_width=4
        ).move_to((top + bottom) / 2)

    def copy_with(self, values: np.ndarray, **overrides) -> AttentionGrid:
        """A grid of the same style with other values, at the same place."""
        new = AttentionGrid(values, **{**self._options, **overrides})
        new.shift(self.cell_center(0, 0) - new.cell_center(0, 0))
        return new

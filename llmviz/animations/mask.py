"""The causal mask: later keys to -inf, which softmax turns into 0."""

from __future__ import annotations

import numpy as np
from manim import (
    ReplacementTransform,
    Succession,
    Wait,
)

from llmviz.animations._common import expect
from llmviz.animations.softmax import softmax_columns
from llmviz.mobjects.attention import AttentionGrid

__all__ = ["CausalMask"]


class CausalMask(Succession):
    """The causal mask: every cell whose key comes after its query is set to −∞ (a token may not
    look ahead); then softmax, column by column, turns those −∞ into exactly 0.

    Start from the scaled key-query scores with ``causal=False``. ``.stage_inf`` is the grid with
    −∞ in the masked cells, ``.result`` the pattern after the softmax (it equals the trace's
    ``hook_pattern`` when started from the trace's queries and keys).

    Examples
    --------
    >>> import numpy as np
    >>> from llmviz.mobjects import AttentionGrid
    >>> from llmviz.animations import CausalMask
    >>> mask = CausalMask(AttentionGrid(np.zeros((2, 2)), causal=False))
    >>> float(mask.masked_values[0, 1]), mask.result.values.tolist()
    (-inf, [[1.0, 0.0], [0.5, 0.5]])

    .. manim:: CausalMaskExample
        :save_last_frame:

        import numpy as np
        from manim import Scene
        from llmviz.animations import CausalMask
        from llmviz.mobjects import AttentionGrid
        from llmviz.model import hook_name, load_model

        class CausalMaskExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                q, k = trace[hook_name("q", 0)][:, 0], trace[hook_name("k", 0)][:, 0]  # head 0
                scores = q @ k.T / np.sqrt(q.shape[-1])  # [query, key], nothing masked yet
                grid = AttentionGrid(scores, tokens=trace.tokens, causal=False, cell_size=0.6)
                self.add(grid)
                self.play(CausalMask(grid, pause=0.1))
    """

    def __init__(
        self, grid: AttentionGrid, temperature: float = 1.0, pause: float = 0.5, **kwargs
    ) -> None:
        expect(grid, AttentionGrid, "grid", "CausalMask")
        nq, nk = grid.values.shape
        later = np.arange(nk)[None, :] > np.arange(nq)[:, None]  # [query, key]: key after query
        self.masked_values = np.where(later, -np.inf, grid.values)
        self.values = softmax_columns(self.masked_values, temperature)
        self.stage_inf = grid.copy_with(self.masked_values, causal=True)
        self.result = grid.copy_with(self.values, causal=True)
        super().__init__(
            ReplacementTransform(grid, self.stage_inf, run_time=1.0),
            Wait(pause),
            ReplacementTransform(self.stage_inf, self.result, run_time=1.0),
            **kwargs,
        )

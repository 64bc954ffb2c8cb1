"""A plane for 2-D pictures of real vectors: arrows from one origin, dots, trails, a caption."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Dot, Line, TracedPath, VGroup

from llmviz.errors import LLMVizError
from llmviz.mobjects._checks import check_size, real_array
from llmviz.mobjects.numbers import FastText
from llmviz.style import PALETTE

__all__ = ["VectorPlane"]


class VectorPlane(VGroup):
    """Faint axes through an origin, scaled so that the given 2-D points fit in a square of
    ``size``; arrows and dots are placed by their coordinates (:meth:`point`).

    Parameters
    ----------
    extent
        Real 2-D coordinates (``[n, 2]``, or one point ``[2]``) that must fit; the scale is
        chosen from them. They are copied (:attr:`extent`).
    size
        Side of the drawn square.
    caption
        A short line under the plane saying which projection it is (see
        :meth:`llmviz.model.projection.Projection.caption`).

    Examples
    --------
    >>> import numpy as np
    >>> plane = VectorPlane(np.array([[1.0, 0.0], [0.0, 2.0]]), size=4)
    >>> bool(np.allclose(plane.point([0.0, 2.0]), [0, 1.8, 0]))
    True
    >>> _ = plane.shift([1, 0, 0]).scale(0.5)
    >>> bool(np.allclose(plane.point([0.0, 2.0]), [1, 0.9, 0]))
    True

    .. manim:: VectorPlaneExample
        :save_last_frame:

        from manim import Scene
        from llmviz.mobjects import VectorPlane
        from llmviz.model import hook_name, load_model

        class VectorPlaneExample(Scene):
            def construct(self):
                trace = load_model().run("Michael Jordan plays the sport of")
                xy = trace[hook_name("embed")][:, :2]  # the first two coordinates of each token's row
                plane = VectorPlane(xy, size=6, caption="embedding coordinates 0 and 1")
                self.add(plane, *(plane.arrow(p) for p in xy))
                self.wait(0.1)
    """

    def __init__(
        self,
        extent: Sequence | np.ndarray,
        size: float = 4.0,
        caption: str | None = None,
        font_size: float = 20,
        margin: float = 0.1,
        **kwargs,
    ) -> None:
        pts = real_array(
            extent,
            np.ndim(extent) if np.ndim(extent) in (1, 2) else 2,
            "VectorPlane",
            "extent",
            "[n, 2]",
        )
        if pts.ndim == 1 and len(pts) == 2:
            pts = pts.reshape(1, 2)
        if pts.ndim != 2 or (pts.size and pts.shape[1] != 2):
            raise LLMVizError(f"VectorPlane: extent must have shape [n, 2], got shape {pts.shape}")
        pts = pts.reshape(-1, 2)
        if not np.isfinite(pts).all():
            raise LLMVizError("VectorPlane: the extent coordinates contain NaN or infinite values")
        check_size(size, "size", "VectorPlane")
        check_size(font_size, "font_size", "VectorPlane")
        if not (isinstance(margin, (int, float)) and 0 <= margin < 1):
            raise LLMVizError(f"VectorPlane: margin must be a number in [0, 1), not {margin!r}")
        super().__init__(**kwargs)
        self.extent = pts
        self.extent.setflags(write=False)
        reach = float(np.abs(pts).max()) if pts.size else 1.0
        self.unit = (size / 2) * (1 - margin) / (reach if reach > 0 else 1.0)
        self._size = size
        half = size / 2
        self.axes = VGroup(
            Line(LEFT * half, RIGHT * half, color=PALETTE["muted"], stroke_width=1.5),
            Line(DOWN * half, UP * half, color=PALETTE["muted"], stroke_width=1.5),
        ).set_opacity(0.5)
        self.add(self.axes)
        self.caption = None
        if caption:
            self.caption = FastText(caption, font_size, color=PALETTE["muted"])
            self.caption.next_to(self.axes, DOWN, buff=0.2)
            self.add(self.caption)

    def point(self, xy: Sequence[float] | np.ndarray) -> np.ndarray:
        """The scene point of 2-D coordinates ``xy`` (follows the plane when it moves)."""
        x, y = np.asarray(xy, dtype=np.float64)[:2]
        center = self.axes[0].get_center()
        unit = self.unit * self.axes[0].get_length() / self._size  # the plane may be scaled
        return center + unit * np.array([x, y, 0.0])

    def arrow(self, xy, color: str | None = None, **kwargs) -> Arrow:
        """An arrow from the origin to ``xy`` (returned, not added)."""
        kwargs.setdefault("stroke_width", 5)
        kwargs.setdefault("max_tip_length_to_length_ratio", 0.15)
        return Arrow(
            self.point((0, 0)), self.point(xy), buff=0, color=color or PALETTE["text"], **kwargs
        )

    def dot(self, xy, color: str | None = None, radius: float = 0.07) -> Dot:
        """A dot at ``xy`` (returned, not added)."""
        return Dot(self.point(xy), radius=radius, color=color or PALETTE["text"])

    def trail(self, mobject, color: str | None = None) -> TracedPath:
        """A faint trail behind a moving dot or arrow tip (add it before moving ``mobject``)."""
        end = mobject.get_end if isinstance(mobject, Arrow) else mobject.get_center
        return TracedPath(
            end, stroke_color=color or PALETTE["muted"], stroke_width=2, stroke_opacity=0.6
        )

"""What every step of the foundations chapter shares: the experiments (run once per setting and
cached), the chapter's colours, and helpers that put real values on screen and into the
narration with the same format."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Axes,
    Dot,
    FadeTransform,
    Line,
    MathTex,
    Mobject,
    VGroup,
    VMobject,
)

from llmviz.errors import ConfigError
from llmviz.layout import plain_axes, text
from llmviz.mobjects import FastNumber
from llmviz.model.experiments.digits import DigitTraining, MLPConfig, train_digit_mlp
from llmviz.model.experiments.functions import sigmoid
from llmviz.model.experiments.landscape import (
    CostSurface,
    DescentPath,
    LowestPoint,
    contour_levels,
    contour_segments,
    cost_surface,
    descend,
    lowest_point,
    window,
)
from llmviz.model.experiments.logistic import Dataset2D, LogisticRun, make_dataset, train_logistic
from llmviz.scene import LectureScene
from llmviz.style import PALETTE, display_token

__all__ = [
    "FoundationsScene",
    "Logistic",
    "logistic_lab",
    "token_label",
    "tex",
    "boundary_points",
    "travel",
    "FIXED_DIGITS",
]

#: The steps that write each number with the digits it needs, whatever the ``decimals`` setting:
#: a gradient of 0.0003 needs four, a loss of 0.69 two, and the narration says the same digits.
#: Only "Neurons and layers" (the digit network's activations) follows the setting.
FIXED_DIGITS = {
    "decimals": "it writes each number with the digits it needs (a gradient of 0.0003 four, a "
    "loss of 0.69 two), on screen and in the narration alike"
}

#: One colour per idea, the whole chapter long.
CLASS1, CLASS0 = "positive", "negative"  # the two classes of the 2-D data
CURVE = "accent"  # the sigmoid (and softmax) as a function
POINT = "highlight"  # the chosen example and the current weights
DOWNHILL = "accent"  # minus the gradient


def token_label(tok: str) -> str:
    """A token for a table: without its leading space, or with ␣ / ↵ when it is only that."""
    return display_token(tok) if not tok.strip() else tok.strip()


def tex(*parts: str, size: float = 32, color: str | None = None) -> MathTex:
    """A typeset formula in parts (``formula[1]`` is the second part, to light up or move); its
    ``text`` is the whole source, for the frame checks and the narration check."""
    m = MathTex(*parts, font_size=size, color=color or PALETTE["text"])
    m.text = " ".join(parts)
    return m


def travel(source, target, **kwargs) -> FadeTransform:
    """A copy of ``source`` turns into ``target``, which ends on screen as it was built (manim's
    TransformFromCopy re-aligns the target's parts, and a number would lose its text)."""
    return FadeTransform(source.copy(), target, **kwargs)


def boundary_points(w, b: float, lim: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Ends of the line ``w . x + b = 0`` inside the square ``[-lim, lim]^2`` (None if it misses)."""
    w1, w2 = float(w[0]), float(w[1])
    pts = []
    if abs(w2) > 1e-12:
        for x in (-lim, lim):
            y = -(w1 * x + b) / w2
            if -lim <= y <= lim:
                pts.append((x, y))
    if abs(w1) > 1e-12:
        for y in (-lim, lim):
            x = -(w2 * y + b) / w1
            if -lim <= x <= lim:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts = sorted(set(pts))
    return np.array(pts[0]), np.array(pts[-1])


@dataclass(frozen=True)
class Logistic:
    """The 2-D data and every logistic-regression experiment the chapter shows."""

    data: Dataset2D
    run: LogisticRun  # two weights and a bias, from the random start (sigmoid, BCE)
    point: int  # the example point: class 1, trained probability nearest 0.8
    path: DescentPath  # two weights, the bias held: the landscape's descent
    runs: tuple[DescentPath, ...]  # the same descent at each learning rate
    low: LowestPoint
    surface: CostSurface
    levels: np.ndarray
    contours: tuple[np.ndarray, ...]  # [k, 2, 2] pieces of line per level


@functools.lru_cache(maxsize=8)
def logistic_lab(
    n_per_class: int,
    seed: int,
    lr: float,
    steps: int,
    lrs: tuple[float, ...],
    bias: float,
    grid: int,
) -> Logistic:
    data = make_dataset(n_per_class, seed)
    run = train_logistic(data, lr, steps)
    zs = data.x @ run.w[-1] + run.b[-1]
    ones = np.flatnonzero(data.y == 1)
    point = int(ones[np.argmin(np.abs(sigmoid(zs[ones]) - 0.8))])
    path = descend(data, lr, steps, bias)
    low = lowest_point(data, bias)
    w1r, w2r = window(np.vstack([path.w, low.w[None]]))
    surface = cost_surface(data, w1r, w2r, grid, bias)
    levels = contour_levels(surface, 6)
    return Logistic(
        data,
        run,
        point,
        path,
        tuple(descend(data, r, steps, bias) for r in lrs),
        low,
        surface,
        levels,
        tuple(contour_segments(surface, lv) for lv in levels),
    )


class FoundationsScene(LectureScene):
    """The chapter's experiments (class attributes change them; the ``seed`` setting seeds every
    one) and helpers shared by its steps."""

    pulse_below = 0.75  # the beats that barely move end by lighting up what they showed
    unused_settings = {
        "temperature": "its probabilities are the models' own, at temperature 1",
        "contrasts": "they are the MLP chapter's",
    }
    #: The acts of the chapter: logistic regression and its training (from the sigmoid to the
    #: learning rate), then many classes and networks (softmax to mini-batches), then how the
    #: embedded transformer learned. Only before these does the screen go dark.
    acts = ("softmax", "learned")

    prompt = "Michael Jordan plays the sport of"
    # the 2-D dataset and its logistic regression
    n_per_class: int = 20
    learning_rate: float = 1.0
    gd_steps: int = 40
    learning_rates: tuple[float, ...] = (0.05, 1.0, 40.0)
    landscape_bias: float = 0.0  # the bias held fixed for the cost landscape C(w1, w2)
    landscape_grid: int = 41
    # softmax
    softmax_logits: tuple[float, ...] = (1.0, 2.0, 8.0)
    softmax_true_class: int = 1  # 0-based; shown as "class 2"
    softmax_bases: tuple[float, ...] = (np.e, 2.0, 10.0)
    # the digit network
    mlp_sizes: tuple[int, ...] = (64, 16, 16, 10)
    mlp_lr: float = 3.0
    mlp_epochs: int = 30
    batch_size: int = 32
    digit_index: int = 0  # the test image the network reads
    backprop_index: int | None = None  # backprop's test image; None: the one it gets most wrong
    # the chain of one-neuron layers
    chain_layers: int = 3
    chain_target: float = 1.0

    def setup(self) -> None:
        super().setup()
        self.lab = logistic_lab(
            self.n_per_class,
            self.seed,
            float(self.learning_rate),
            int(self.gd_steps),
            tuple(float(r) for r in self.learning_rates),
            float(self.landscape_bias),
            int(self.landscape_grid),
        )
        self.data, self.run = self.lab.data, self.lab.run

    # --- the digit network --------------------------------------------------------------------
    def mlp_config(self, epochs: int | None = None, hidden: str = "sigmoid") -> MLPConfig:
        return MLPConfig(
            sizes=tuple(self.mlp_sizes),
            hidden=hidden,
            lr=self.mlp_lr,
            epochs=self.mlp_epochs if epochs is None else epochs,
            batch_size=self.batch_size,
            seed=self.seed,
        )

    @property
    def mlp(self) -> DigitTraining:
        return train_digit_mlp(self.mlp_config())

    def digit_example(self) -> tuple[np.ndarray, int]:
        """The test image ``digit_index`` and its label."""
        mlp = self.mlp
        if not 0 <= self.digit_index < len(mlp.test_idx):
            raise ConfigError(
                f"digit_index must be between 0 and {len(mlp.test_idx) - 1}, not {self.digit_index}"
            )
        return mlp.x_test[self.digit_index], int(mlp.y_test[self.digit_index])

    # --- from one step to the next -------------------------------------------------------------
    def pass_on(self, **parts) -> None:
        """Hand on to the next step, under each name, one mobject or a group of mobjects on screen
        (gathered into one VGroup, so that the next step's first beat can transform it whole)."""
        groups = {}
        for name, part in parts.items():
            group = part if isinstance(part, Mobject) else VGroup(*part)
            self.add(group)  # its members stop being separate mobjects of the scene
            groups[name] = group
        self.hand_over(**groups)

    @staticmethod
    def whole(formula, run_time: float = 0.2):
        """A step that leaves ``formula`` one mobject again on screen: lighting up one of its parts
        makes the scene hold the parts separately, and then the checks of the narration no longer
        read the formula's text."""
        return Animation(formula, run_time=run_time)

    # --- words and small pictures -------------------------------------------------------------

    @staticmethod
    def num(v: float, decimals: int = 2, size: float = 24, **kw) -> FastNumber:
        return FastNumber(v, decimals=decimals, font_size=size, **kw)

    def class_color(self, label: float) -> str:
        return PALETTE[CLASS1] if label == 1 else PALETTE[CLASS0]

    def plane(self, size: float = 4.2) -> Axes:
        """Axes for the 2-D data, a square that holds every point."""
        self.lim = float(np.ceil(np.abs(self.data.x).max() * 2) / 2)
        lim = self.lim
        return plain_axes([-lim, lim, 1], [-lim, lim, 1], size, size, include_ticks=False)

    def scatter(self, axes: Axes) -> VGroup:
        return VGroup(
            *(
                Dot(axes.c2p(*p), radius=0.06, color=self.class_color(y))
                for p, y in zip(self.data.x, self.data.y, strict=True)
            )
        )

    def boundary(self, axes: Axes, w, b: float) -> VMobject:
        ends = boundary_points(w, b, self.lim)
        if ends is None:
            return VMobject()
        return Line(axes.c2p(*ends[0]), axes.c2p(*ends[1]), color=PALETTE[POINT], stroke_width=4)

    def legend(self) -> VGroup:
        return VGroup(
            Dot(radius=0.07, color=PALETTE[CLASS1]),
            text("class 1", 20, PALETTE["muted"]),
            Dot(radius=0.07, color=PALETTE[CLASS0]),
            text("class 0", 20, PALETTE["muted"]),
        ).arrange(RIGHT, buff=0.12)

    def ticks(self, axes: Axes, xs=(), ys=(), size: float = 20, fmt=lambda v: f"{v:g}") -> VGroup:
        g = VGroup()
        for x in xs:
            g.add(
                text(fmt(x), size, PALETTE["muted"]).next_to(
                    axes.c2p(x, axes.y_range[0]), DOWN, buff=0.12
                )
            )
        for y in ys:
            g.add(
                text(fmt(y), size, PALETTE["muted"]).next_to(
                    axes.c2p(axes.x_range[0], y), LEFT, buff=0.12
                )
            )
        return g

    @staticmethod
    def drop_below(mobject, anchor, buff: float = 0.5):
        """Move ``mobject`` straight down or up (keeping its x) to sit ``buff`` under ``anchor``."""
        return mobject.shift(UP * (anchor.get_bottom()[1] - buff - mobject.get_top()[1]))

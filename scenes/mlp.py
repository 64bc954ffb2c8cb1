"""The MLP chapter: how might a language model store a fact?

Every number comes from the embedded model's forward pass or from an experiment run by the code,
and every sentence of narration is built from those values. Render one step with
``manim render -ql scenes/mlp.py UpProjection`` or the whole chapter with
``manim render -ql scenes/mlp.py MLPChapter``. Change the prompt with the ``prompt`` setting
(contrasts are derived from it) or set ``contrasts`` too. The steps' code is in ``mlp_steps/``.
"""

from __future__ import annotations

from mlp_steps.beyond import BeyondStep, RoomStep
from mlp_steps.block import BlockStep
from mlp_steps.common import MLPScene
from mlp_steps.directions import DirectionsStep
from mlp_steps.down import DownStep
from mlp_steps.fact import FactStep, WhereStep
from mlp_steps.gate import GateStep

from llmviz.steps import ALL_STEPS

__all__ = ["MLPChapterScene", "MLPScene"]


class MLPChapterScene(
    FactStep, WhereStep, DirectionsStep, BlockStep, GateStep, DownStep, BeyondStep, RoomStep
):
    """Every step of the chapter as a method (``step_<name>``); each scene below plays one."""

    #: Three acts: where the fact is (the fact, causal tracing, directions); inside the block
    #: (up-projection, row, gate, ablation, down-projection, residual); beyond one neuron
    #: (directions across layers, parameter counts, superposition, room, the autoencoder).
    acts = ("inside", "layers")
    #: Animations may stretch to three times their own run time over a long sentence, so that
    #: the picture keeps moving while it is read.
    max_stretch = 3.0


class Fact(MLPChapterScene):
    """1. The prompt, the model's real next-token distribution, and the fact table it learned."""

    plays = ("fact",)


class WhereIsTheFact(MLPChapterScene):
    """2. Causal tracing: which layer's MLP, at which token, brings the answer back."""

    plays = ("where",)


class Directions(MLPChapterScene):
    """3. First-name and last-name directions measured from the model, their angle, and each
    prompt's dot products with them."""

    plays = ("directions",)


class InsideTheBlock(MLPChapterScene):
    """4. Every position through the MLP on its own, in parallel, and added back."""

    plays = ("inside",)


class UpProjection(MLPChapterScene):
    """5. The up-projection drawn to shape, the neuron's row, its dot product and bias."""

    plays = ("up",)


class RowOfNames(MLPChapterScene):
    """6. The row as first name plus last name, each prompt's score split into parts, the bias
    as the bar to clear."""

    plays = ("row",)


class ReLUGateScene(MLPChapterScene):
    """7. ReLU as a gate on the three prompts; GELU as the smooth variant."""

    plays = ("relu",)


class SwitchItOff(MLPChapterScene):
    """8. The neuron zeroed: the real next-token bars of the ablated run, and the contrasts."""

    plays = ("ablation",)


class DownProjection(MLPChapterScene):
    """9. Columns of W_down: the neuron's column, the tokens it raises, a column shared by two
    facts, the weighted sum of active columns."""

    plays = ("down",)


class ResidualAddScene(MLPChapterScene):
    """10. E + MLP(E) = E', the target direction and probability before and after."""

    plays = ("residual",)


class DirectionAcrossLayers(MLPChapterScene):
    """11. The first-name direction measured after every block, compared across blocks."""

    plays = ("layers",)


class CountingParameters(MLPChapterScene):
    """12. MLP parameters of this model and of GPT-3, computed from their configs."""

    plays = ("count",)


class Superposition(MLPChapterScene):
    """13. Nearly perpendicular directions: the real optimisation experiment."""

    plays = ("superposition",)


class RoomInHighDimensions(MLPChapterScene):
    """14. How many nearly perpendicular directions fit in 2 to 1,000 dimensions (a real search)."""

    plays = ("room",)


class SparseAutoencoder(MLPChapterScene):
    """15. A sparse autoencoder trained on layer 1's neurons: the feature it finds for the fact."""

    plays = ("sae",)


class MLPChapter(MLPChapterScene):
    """How might a language model store a fact? The whole MLP chapter in one video."""

    chapter_title = "How might a language model store a fact?"

    plays = ALL_STEPS

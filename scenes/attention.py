"""The attention chapter: how the vectors of a prompt pass information to one another.

Every number comes from the model's forward pass (queries, keys, values, patterns and head
outputs are read from the trace), from an experiment the code runs (a head switched to another
context, the farthest-looking head), or from a formula over a model config (parameter counts).
Render one step with ``manim render -ql scenes/attention.py TheGrid`` or the whole chapter with
``manim render -ql scenes/attention.py AttentionChapter``; change the prompt without editing code
with ``llmviz render AttentionChapter --prompt "a scaly red beast roamed the misty valley"``.
The steps' code is in ``attention_steps/``.
"""

from __future__ import annotations

from attention_steps.common import MAX_TOKENS, AttentionScene
from attention_steps.context import CrossStep, LongRangeStep
from attention_steps.multihead import CountStep, MultiHeadStep, OtherHeadStep
from attention_steps.queries import GridStep, KeySpaceStep, QueriesKeysStep
from attention_steps.softmax import SoftmaxStep
from attention_steps.values import CreatureStep, ValueMapStep, ValuesStep
from attention_steps.why import ExampleStep, WhyStep

from llmviz.steps import ALL_STEPS

__all__ = ["AttentionChapterScene", "AttentionScene", "MAX_TOKENS"]


class AttentionChapterScene(
    WhyStep,
    ExampleStep,
    QueriesKeysStep,
    KeySpaceStep,
    GridStep,
    SoftmaxStep,
    ValuesStep,
    CreatureStep,
    ValueMapStep,
    MultiHeadStep,
    OtherHeadStep,
    CountStep,
    CrossStep,
    LongRangeStep,
):
    """Every step of the chapter as a method (``step_<name>``); each scene below plays one."""


class WhyAttention(AttentionChapterScene):
    """1. The same word in two contexts: cosines after the lookup, the position and each layer."""

    plays = ("why",)


class TheExample(AttentionChapterScene):
    """2. The prompt's tokens, their vectors in W_E, plus their positions' vectors."""

    plays = ("example",)


class QueriesAndKeys(AttentionChapterScene):
    """3. W_Q times the noun's vector, row by row; every token's query and key."""

    plays = ("queries_keys",)


class KeysLineUp(AttentionChapterScene):
    """4. The noun's query and the keys as arrows in a plane of key-query space."""

    plays = ("key_space",)


class TheGrid(AttentionChapterScene):
    """5. Every key-query dot product as a dot; the noun's column ranked."""

    plays = ("grid",)


class ScaleMaskSoftmax(AttentionChapterScene):
    """6. softmax(QKᵀ/√d_k + M)V part by part: scale, mask, softmax down each column."""

    plays = ("scale_mask_softmax",)


class Values(AttentionChapterScene):
    """7. Value vectors, the weighted sum down the noun's column, value-up, E + ΔE = E′."""

    plays = ("values",)


class EachKeysShare(AttentionChapterScene):
    """8. ΔE split by key: the noun moving in a plane toward (or away from) each key's vector."""

    plays = ("creature",)


class TheValueMap(AttentionChapterScene):
    """9. Value-down and value-up drawn to shape; the rank of their product, measured."""

    plays = ("value_map",)


class MultiHead(AttentionChapterScene):
    """10. Every head of the layer, their changes summed; W_O as value-up maps side by side."""

    plays = ("multi_head",)


class AnotherHead(AttentionChapterScene):
    """11. A head that updates the noun another way than the followed head (found)."""

    plays = ("other_head",)


class CountingAttention(AttentionChapterScene):
    """12. Attention weights of this model and of GPT-3, from their configs."""

    plays = ("count",)


class CrossAttention(AttentionChapterScene):
    """13. Cross-attention as a labelled schematic (this model has none): no mask, no numbers."""

    plays = ("cross",)


class ContextSize(AttentionChapterScene):
    """14. The head's real pattern for prompts of growing length; entries grow with the square."""

    plays = ("context",)


class FarBack(AttentionChapterScene):
    """15. The head that looks farthest back, and whether the far text changes the answer."""

    plays = ("long_range",)


class AttentionChapter(AttentionChapterScene):
    """All the steps in order."""

    chapter_title = "Attention: how vectors take in their context"

    plays = ALL_STEPS

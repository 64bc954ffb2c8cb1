"""What the ``llmviz`` command does, one job per module: :mod:`~llmviz.workflow.listing` finds
scenes and their sections, :mod:`~llmviz.workflow.render` renders them in parallel processes,
:mod:`~llmviz.workflow.parts` renders one chapter in parts and joins them,
:mod:`~llmviz.workflow.slides` makes slide decks. None of them imports manim or torch."""

from llmviz.workflow.listing import (
    QUALITY_DIRS,
    SceneRef,
    find_scenes,
    resolve_scenes,
    scene_listing,
    scene_sections,
    unreadable_files,
)
from llmviz.workflow.render import (
    RenderInterrupted,
    RenderResult,
    is_decodable,
    previous_render,
    render_scenes,
    video_duration,
)
from llmviz.workflow.slides import (
    SLIDE_FORMATS,
    make_slides,
    parse_formats,
    require_slides,
    revealjs_assets,
)

__all__ = [
    "unreadable_files",
    "SceneRef",
    "find_scenes",
    "resolve_scenes",
    "RenderResult",
    "render_scenes",
    "QUALITY_DIRS",
    "make_slides",
    "SLIDE_FORMATS",
    "parse_formats",
    "require_slides",
    "revealjs_assets",
    "video_duration",
    "scene_sections",
    "scene_listing",
    "RenderInterrupted",
    "is_decodable",
    "previous_render",
    "PartPlan",
    "parse_part",
    "plan_parts",
    "render_part",
    "render_in_parts",
    "join_parts",
]

#: Names of :mod:`llmviz.workflow.parts`, imported when first used: its render processes run it
#: as ``python -m llmviz.workflow.parts``, which must find it not yet imported by this package.
_PARTS = {"PartPlan", "parse_part", "plan_parts", "render_part", "render_in_parts", "join_parts"}


def __getattr__(name: str):
    if name in _PARTS:
        from llmviz.workflow import parts

        return getattr(parts, name)
    raise AttributeError(f"module 'llmviz.workflow' has no attribute {name!r}")

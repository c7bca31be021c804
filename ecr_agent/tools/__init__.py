"""The ECR tools for agent graphs: emotions, recommendations, movie knowledge and the empathetic reply.

``get_tools()`` returns all four, ready for any tool-calling chat model::

    from ecr_agent.tools import get_tools

    tools = get_tools()          # detect_emotions, recommend_movies, search_movie_knowledge, empathetic_reply
    model.bind_tools(tools)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from ecr_agent.config import Paths

_EXPORTS = {
    "EmotionClassifierTool": "ecr_agent.tools.emotion",
    "EmotionAwareRankerTool": "ecr_agent.tools.ranker",
    "MovieKnowledgeTool": "ecr_agent.tools.knowledge",
    "EmpatheticReplyTool": "ecr_agent.tools.reply",
}
__all__ = [*_EXPORTS, "get_tools"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ecr_agent.tools' has no attribute {name!r}")


def get_tools(paths: Paths | None = None, include: tuple[str, ...] | None = None) -> list[BaseTool]:
    """The ECR tools, each loading its model from ``paths`` (default ``$ECR_STORE_DIR``) on first use.

    Args:
        paths: where the stores and models are.
        include: tool names to keep (default all four).
    """
    tools: list[BaseTool] = [
        __getattr__(name).from_store(paths)
        for name in ("EmotionClassifierTool", "EmotionAwareRankerTool", "MovieKnowledgeTool", "EmpatheticReplyTool")
    ]
    return [t for t in tools if include is None or t.name in include]

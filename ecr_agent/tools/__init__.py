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

    from ecr_agent.chain import ECRChain
    from ecr_agent.config import Paths
    from ecr_agent.tools.shared import SharedChain

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


def get_tools(
    paths: Paths | None = None,
    include: tuple[str, ...] | None = None,
    chain: ECRChain | SharedChain | None = None,
) -> list[BaseTool]:
    """The ECR tools, sharing one `ECRChain`'s parts: ``chain``, or one loaded from ``paths`` on first use.

    Every model and store is loaded once for all four tools (and for the chain itself), whichever tool runs first.

    Args:
        paths: the data and the store the chain is loaded from, when no ``chain`` is given (default: the
            environment's ``ECR_DATA_DIR`` and ``ECR_STORE_DIR``).
        include: tool names to keep (default all four).
        chain: an `ECRChain` already loaded (e.g. the one your app serves), whose parts the tools use.
    """
    from ecr_agent.tools.shared import SharedChain

    shared = chain if isinstance(chain, SharedChain) else SharedChain(paths, chain)
    tools: list[BaseTool] = [
        __getattr__(name).from_chain(shared)
        for name in ("EmotionClassifierTool", "EmotionAwareRankerTool", "MovieKnowledgeTool", "EmpatheticReplyTool")
    ]
    return [t for t in tools if include is None or t.name in include]

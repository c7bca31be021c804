"""`build_agent`: a LangGraph agent that composes the ECR tools with a tool of another kind (showtimes).

Any tool-calling chat model can be its brain::

    from langchain.chat_models import init_chat_model
    agent = build_agent(model=init_chat_model("openai:gpt-4o-mini"))

Offline it is `RuleBasedToolCaller`, a transparent rule-based router. Conversation memory comes from a LangGraph
checkpointer: each ``thread_id`` keeps its messages, so requests and turn-downs of earlier turns (a movie the user
hated) shape the next recommendation exactly as in `ECRChain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool, tool
from langgraph.checkpoint.memory import InMemorySaver

from ecr_agent.agent.router import RuleBasedToolCaller

if TYPE_CHECKING:
    from ecr_agent.chain import ECRChain
    from ecr_agent.config import Paths

SYSTEM_PROMPT = (
    "You are a movie recommender. For recommendations call empathetic_reply with the whole conversation; for facts "
    "about a movie call search_movie_knowledge with the movie the user names (or the one you last talked about); for "
    "showtimes call find_showtimes. Answer the user in plain sentences, never with raw tool output."
)


@tool
def find_showtimes(title: str) -> str:
    """EXAMPLE STUB, not real data: tonight's showtimes for a movie title (stands for any non-ECR tool)."""
    from ecr_agent.opening import join_names

    slots = ("17:00", "19:15", "21:30", "23:45")[: 2 + len(title) % 3]
    return f"(example data) {title} plays tonight at {join_names(slots)}."


def build_agent(
    model: BaseChatModel | None = None,
    tools: Sequence[BaseTool] | None = None,
    checkpointer: Any = None,
    chain: ECRChain | None = None,
    paths: Paths | None = None,
):
    """A LangGraph agent over the ECR tools plus `find_showtimes`, with in-memory conversation memory by default.

    Args:
        model: the agent's brain; default the offline `RuleBasedToolCaller`.
        tools: the ECR tools; default ``empathetic_reply`` and ``search_movie_knowledge`` sharing ``chain``'s parts.
        checkpointer: LangGraph memory; default in-memory.
        chain: the `ECRChain` whose loaded parts the tools and the router share (loaded from the store if None).
        paths: the data and store the chain is loaded from when no ``chain`` is given (default: the environment's).
    """
    from ecr_agent.tools import get_tools
    from ecr_agent.tools.shared import SharedChain

    if tools is None:
        tools = get_tools(chain=SharedChain(paths, chain), include=("empathetic_reply", "search_movie_knowledge"))
    if model is None:
        model = RuleBasedToolCaller(linker=_linker_of(chain, tools, paths))
    return create_agent(
        model,
        [*tools, find_showtimes],
        system_prompt=SYSTEM_PROMPT,
        checkpointer=checkpointer if checkpointer is not None else InMemorySaver(),
    )


def _linker_of(chain: ECRChain | None, tools: Sequence[BaseTool], paths: Paths | None) -> Any:
    """The entity linker the router should share: the chain's, else (on first use) the one of the chain the tools
    share, else one loaded from ``paths``; None when none of them exists (the router then loads its own)."""
    if chain is not None:
        return chain.pipeline.linker
    shared = next((s for t in tools if (s := getattr(t, "_shared", None)) is not None), None)
    if shared is not None:
        return lambda: shared.get().pipeline.linker
    if paths is not None:
        from ecr_agent.linking import EntityLinker

        return lambda: EntityLinker.load(paths)
    return None

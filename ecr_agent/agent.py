"""An example agent: a tool-calling chat model composes the ECR tools with a tool of another kind (showtimes).

The local SmolLM2 cannot call tools, so the offline demo uses `RuleBasedToolCaller`: a small, transparent, RULE-BASED
chat model (keyword routing, no learning). Any tool-calling chat model drops in instead::

    from langchain.chat_models import init_chat_model
    agent = build_agent(model=init_chat_model("openai:gpt-4o-mini"))

Conversation memory comes from a LangGraph checkpointer: each ``thread_id`` keeps its messages, so emotions and
feedback of earlier turns (a movie the user hated) shape the next recommendation.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool, tool
from langgraph.checkpoint.memory import InMemorySaver

SHOWTIMES = re.compile(r"\b(showtimes?|playing|cinema|theat(er|re)s?|tickets?)\b", re.IGNORECASE)
FACTS = re.compile(r"\b(who (directed|stars|is in|wrote)|tell me (more )?about|what is .+ about)\b", re.IGNORECASE)
NAMED = re.compile(
    r"\b(?:is|are|for|of|see|watch|where's|when's)\s+(?P<title>[A-Z0-9][\w'’:&.-]*(?:\s+[\w'’:&.-]+)*?)"
    r"\s+(?:playing|showing|on|tonight|today|in\s+(?:theat|cinema))",
)
"""A title named in a showtimes question ("Where is Titanic playing tonight?"), capitalised as people type titles."""
PRONOUNS = frozenset({"it", "that", "this", "that one", "this one", "the movie", "the film"})
SYSTEM_PROMPT = (
    "You are a movie recommender. For recommendations call empathetic_reply with the whole conversation; for facts "
    "about a movie call search_movie_knowledge; for showtimes call find_showtimes. Answer with the tool's words."
)


@tool
def find_showtimes(title: str) -> str:
    """EXAMPLE STUB, not real data: tonight's showtimes for a movie title (stands for any non-ECR tool)."""
    slots = 3 + len(title) % 3
    return f"(example data) {title}: " + ", ".join(f"{17 + 2 * i}:{15 * (i % 4):02d}" for i in range(slots))


def conversation(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The user/assistant dialogue inside an agent's messages (tool calls and results left out)."""
    turns = []
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append({"role": "user", "content": str(message.content)})
        elif isinstance(message, AIMessage) and message.content and not message.tool_calls:
            turns.append({"role": "assistant", "content": str(message.content)})
    return turns


def named_title(text: str) -> str | None:
    """The movie a showtimes question names, None for "it" / "that one" (then the last recommendation is meant)."""
    match = NAMED.search(text)
    if match is None or match.group("title").lower() in PRONOUNS:
        return None
    return match.group("title").strip(" ?.!")


class RuleBasedToolCaller(BaseChatModel):
    """A RULE-BASED tool-calling chat model for offline demos and tests (not a language model).

    On a user message it calls ``find_showtimes`` (showtime words), ``search_movie_knowledge`` (fact questions)
    or ``empathetic_reply`` (anything else); after a tool result it answers with the tool's words: a fact result is
    worded into a sentence (`tools.knowledge.word_answer`), never shown as JSON.
    """

    tool_names: list[str] = []
    last_title: str | None = None

    @property
    def _llm_type(self) -> str:
        return "ecr-rule-based-tool-caller"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> RuleBasedToolCaller:  # type: ignore[override]
        names = [
            t.name if isinstance(t, BaseTool) else t.get("name", "") if isinstance(t, dict) else t.__name__
            for t in tools
        ]
        return self.model_copy(update={"tool_names": names})

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, **kwargs: Any) -> ChatResult:
        last = messages[-1]
        if isinstance(last, ToolMessage) and last.name == "search_movie_knowledge":
            from ecr_agent.tools.knowledge import word_answer

            question = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
            message = AIMessage(content=word_answer(question, last.artifact or str(last.content)))
        elif isinstance(last, ToolMessage):
            message = AIMessage(content=str(last.content))
        else:
            message = self._route(str(last.content), messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _route(self, text: str, messages: list[BaseMessage]) -> AIMessage:
        title = named_title(text) or self._last_recommended_title(messages)
        if SHOWTIMES.search(text) and title and "find_showtimes" in self.tool_names:
            return self._call("find_showtimes", {"title": title})
        if FACTS.search(text) and "search_movie_knowledge" in self.tool_names:
            movie = re.sub(r".*\b(about|directed|stars|in|wrote)\s+", "", text).strip(" ?.!")
            movie = title if not movie or movie.lower() in PRONOUNS else movie  # "who directed it?": the last pick
            return self._call("search_movie_knowledge", {"query": text, "movie": movie})
        return self._call("empathetic_reply", {"messages": conversation(messages)})

    @staticmethod
    def _call(name: str, args: dict[str, Any]) -> AIMessage:
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"}])

    @staticmethod
    def _last_recommended_title(messages: list[BaseMessage]) -> str | None:
        for message in reversed(messages):
            if isinstance(message, ToolMessage) and message.name == "empathetic_reply" and message.artifact:
                recommendations = message.artifact.get("recommendations") or []
                if recommendations:
                    return recommendations[0]["title"]
        return None


def build_agent(model: BaseChatModel | None = None, tools: Sequence[BaseTool] | None = None, checkpointer: Any = None):
    """A LangGraph agent over the ECR tools plus `find_showtimes`, with in-memory conversation memory by default."""
    if tools is None:
        from ecr_agent.tools import get_tools

        tools = get_tools(include=("empathetic_reply", "search_movie_knowledge"))
    return create_agent(
        model or RuleBasedToolCaller(),
        [*tools, find_showtimes],
        system_prompt=SYSTEM_PROMPT,
        checkpointer=checkpointer if checkpointer is not None else InMemorySaver(),
    )

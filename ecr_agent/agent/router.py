"""`RuleBasedToolCaller`: the offline agent's brain, a RULE-BASED router posing as a tool-calling chat model.

The local SmolLM2 cannot call tools, so offline the agent routes by the intent table (`ecr_agent.agent.intents`),
acts on the movie the message names or the thread's last movie (`ecr_agent.agent.focus`), and words every tool
result into a sentence. It learns nothing and says so; any real tool-calling chat model can take its place.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any, cast

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import PrivateAttr

from ecr_agent.agent.focus import CANDIDATE, SHOWING, MovieFocus
from ecr_agent.agent.intents import classify

FACT_RESULTS = 12
"""Triples fetched for a fact question: enough to hold a movie's whole cast."""
ASK_TASTE = "What kind of movies do you enjoy, or one you loved recently?"
ASK_NEXT = "Want another suggestion, or to know more about the last one?"
WHICH_MOVIE = "Which movie do you mean? Tell me its title and I'll look it up."
IDENTITY = re.compile(r"\b(who|what) are you\b|\byour name\b|\bare you (an? )?(bot|robot|ai|human|person|real)\b", re.I)
"""Small talk about who is answering (answered honestly: a program)."""


def conversation(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The recommendation dialogue inside an agent's messages, as `ECRChain` reads it.

    Every user message, and the assistant's own replies (``empathetic_reply``'s, small talk); answers worded from
    other tools (facts, showtimes) are left out, so that naming a movie in a fact answer never reads as suggesting it.
    """
    turns = []
    tool: str | None = None
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append({"role": "user", "content": str(message.content)})
            tool = None
        elif isinstance(message, ToolMessage):
            tool = message.name
        elif isinstance(message, AIMessage) and message.content and not message.tool_calls:
            if tool in (None, "empathetic_reply"):
                turns.append({"role": "assistant", "content": str(message.content)})
    return turns


def small_talk(text: str, picked_before: bool) -> str:
    """A short, honest answer to small talk, steering back to movies."""
    if IDENTITY.search(text):
        said = "I'm ECR, a movie recommender: a program, not a person."
    elif re.search(r"\bjoke\b", text, re.I):
        said = "I'm much better at movies than at jokes."
    elif greeting := re.match(r"\W*(good (morning|afternoon|evening))\b", text, re.I):
        said = f"{greeting.group(1).capitalize()}!"
    else:
        said = "I'm doing well, thanks for asking!"
    return f"{said} {ASK_NEXT if picked_before else ASK_TASTE}"


def word_tool_result(content: Any) -> str:
    """A sentence from any other tool's result: its text as is, a JSON object as "key: value" pairs."""
    text = str(content).strip()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return text if text.endswith((".", "!", "?")) else f"{text}."
    if isinstance(parsed, dict):
        return "Here is what I found: " + "; ".join(f"{k}: {v}" for k, v in parsed.items()) + "."
    return f"Here is what I found: {parsed}."


class RuleBasedToolCaller(BaseChatModel):
    """A RULE-BASED tool-calling chat model for offline demos and tests (not a language model).

    On a user message it picks the intent (`INTENT_RULES`): showtimes → ``find_showtimes``, a fact question →
    ``search_movie_knowledge``, small talk → its own short answer, anything else → ``empathetic_reply`` with the whole
    conversation. After a tool result it answers in words: a fact result becomes a sentence with its source, never JSON.
    """

    tool_names: list[str] = []
    linker: Any = None
    """The `EntityLinker` that finds named movies, or a function returning it (`build_agent` passes the shared
    chain's); loaded from ``$ECR_DATA_DIR`` on first use if None."""
    _focus: MovieFocus | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "ecr-rule-based-tool-caller"

    @property
    def focus(self) -> MovieFocus:
        if self._focus is None:
            linker = self.linker() if callable(self.linker) else self.linker
            if linker is None:
                from ecr_agent.config import Paths
                from ecr_agent.linking import EntityLinker

                linker = EntityLinker.load(Paths.from_env())
            self._focus = MovieFocus(linker)
        return self._focus

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """The router, told which tools exist (it calls them by rule; ``tool_choice`` is not needed)."""
        names = [
            t.name if isinstance(t, BaseTool) else t.get("name", "") if isinstance(t, dict) else t.__name__
            for t in tools
        ]
        return cast(Runnable[LanguageModelInput, AIMessage], self.model_copy(update={"tool_names": names}))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, **kwargs: Any) -> ChatResult:
        last = messages[-1]
        message = self._answer(last, messages) if isinstance(last, ToolMessage) else self._route(messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _route(self, messages: list[BaseMessage]) -> AIMessage:
        text, history = str(messages[-1].content), messages[:-1]
        rule = classify(text)
        if rule.intent == "small_talk":
            picked = any(isinstance(m, ToolMessage) and m.name == "empathetic_reply" for m in history)
            return AIMessage(content=small_talk(text, picked))
        if rule.intent in ("showtimes", "fact") and rule.action in self.tool_names:
            movie = self.focus.about(text, history, SHOWING if rule.intent == "showtimes" else CANDIDATE)
            if movie is None:
                return AIMessage(content=WHICH_MOVIE)
            title = movie if isinstance(movie, str) else movie.title
            if rule.intent == "showtimes":
                return self._call("find_showtimes", {"title": title})
            return self._call("search_movie_knowledge", {"query": text, "movie": title, "k": FACT_RESULTS})
        return self._call("empathetic_reply", {"messages": conversation(messages)})

    def _answer(self, result: ToolMessage, messages: list[BaseMessage]) -> AIMessage:
        if result.name == "search_movie_knowledge":
            from ecr_agent.tools.knowledge import read_result, word_answer

            payload = read_result(result.artifact or str(result.content))
            if payload is None:
                return AIMessage(content=word_tool_result(result.content))
            question = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
            movie = self.focus.linker.catalog.get(payload.get("movie_id") or "")
            return AIMessage(content=word_answer(question, payload, movie))
        if result.name == "empathetic_reply":
            return AIMessage(content=str(result.content))
        return AIMessage(content=word_tool_result(result.content))

    @staticmethod
    def _call(name: str, args: dict[str, Any]) -> AIMessage:
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}"}])

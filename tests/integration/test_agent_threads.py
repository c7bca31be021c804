"""The agent a user meets: 20 scripted multi-turn threads, and a scripted tool-calling model in the same graph.

Each step checks the tool the turn called, the movie it acted on, that the final message is worded (never a tool's
JSON), that stated facts are true against the KG or the movie metadata, that a movie the user turned down never
comes back in the thread, and, where the user asked for something, that later picks still honour it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import Field

from ecr_agent.agent import build_agent, conversation
from ecr_agent.ranker.requests import read_request, satisfies
from ecr_agent.types import ChatTurn

PICK = "pick"
"""In a step's ``movie``: the thread's last recommendation before this step."""


@dataclass(frozen=True)
class Step:
    text: str
    tool: str | None
    """The tool the turn calls; None when the router answers itself."""
    movie: str | None = None
    """The ReDial id the tool acts on, or `PICK`."""
    says: str | None = None
    """A phrase the final message contains."""
    honours_request: bool = False
    """The pick satisfies the request the thread made earlier."""


R, F, S = "empathetic_reply", "search_movie_knowledge", "find_showtimes"
EXORCIST, VOW, BRAVE, CLOVERFIELD, AVENGERS, GREEN_MILE = "76012", "76042", "76483", "76519", "78418", "78480"
WALL_E, KANE, CLICK, SCARY_MOVIE, REACHER, TITANIC = "77707", "77455", "78874", "78186", "77115", "175096"

THREADS: dict[str, list[Step]] = {
    "romance, then a turn-down keeps the romance": [
        Step("I love romantic movies like The Notebook", R),
        Step("I hated that one. Something else?", R, honours_request=True),
        Step("Nah, not that one either", R, honours_request=True),
    ],
    "director by name": [Step("Who directed The Exorcist?", F, EXORCIST, "directed by")],
    "cast, then year and plot of it": [
        Step("Who is in The Green Mile?", F, GREEN_MILE, "stars"),
        Step("When did it come out?", F, GREEN_MILE, "1999"),
        Step("What is it about?", F, GREEN_MILE, "source: movie metadata"),
    ],
    "showtimes by name, then a fact about it": [
        Step("Where is Cloverfield playing tonight?", S, CLOVERFIELD, "plays tonight"),
        Step("Who directed it?", F, CLOVERFIELD, "directed by"),
    ],
    "facts and showtimes of the pick": [
        Step("I loved WALL-E, what else is good?", R),
        Step("Who is in it?", F, PICK),
        Step("Where is it playing?", S, PICK),
    ],
    "greeting, small talk, then a request": [
        Step("Hi there!", R, says="?"),
        Step("How are you today?", None, says="doing well"),
        Step("Something funny please", R, honours_request=True),
    ],
    "are you a bot": [Step("Are you a bot?", None, says="not a person")],
    "an unknown title": [Step("Who directed Zzyzx Qqqq?", F, None, "couldn't find a movie called")],
    "it, with nothing in the thread": [Step("Who directed it?", None, says="Which movie")],
    "horror, two turn-downs": [
        Step("I like scary movies like The Exorcist", R),
        Step("Not for me. Something else?", R, honours_request=True),
        Step("Something different please", R, honours_request=True),
    ],
    "tell me about": [Step("Tell me about Brave", F, BRAVE, "source: DBpedia")],
    "genre": [Step("What genre is Click?", F, CLICK, "source:")],
    "thanks, then goodbye": [
        Step("I love The Avengers", R),
        Step("Thank you so much!", R),
        Step("Good night", R),
    ],
    "cast, then showtimes of it": [
        Step("Who stars in Citizen Kane?", F, KANE, "stars"),
        Step("Is it playing anywhere tonight?", S, KANE),
    ],
    "a person request": [
        Step("Something with Tom Hanks please", R, honours_request=True),
        Step("I don't like that one", R, honours_request=True),
    ],
    "a named turn-down, then a fact about it": [
        Step("I hated Scary Movie, it was so dumb", R),
        Step("Who wrote Scary Movie?", F, SCARY_MOVIE),
        Step("Anything else?", R),
    ],
    "a movie outside the knowledge slice": [Step("Who directed Titanic?", F, TITANIC, "James Cameron")],
    "year by name": [Step("What year was Jack Reacher made?", F, REACHER, "2012")],
    "tickets": [Step("Can I get tickets for The Vow?", S, VOW, "plays tonight")],
    "seen it, then a fact about the new pick": [
        Step("I love Pretty in Pink", R),
        Step("Seen it already, what else?", R),
        Step("Who directed that one?", F, PICK, "directed by"),
    ],
}


@pytest.fixture(scope="module")
def chain(tiny_store):
    from ecr_agent.chain import ECRChain

    return ECRChain.from_store()


@pytest.fixture(scope="module")
def agent(chain):
    return build_agent(chain=chain)


def kg_names(chain, movie_id: str) -> set[str]:
    """Every name the KG and the metadata give for ``movie_id`` (people, genres, years)."""
    movie = chain.pipeline.linker.catalog[movie_id]
    names = {t.tail for t in chain.pipeline.linker.kg.movie_facts(movie_id)}
    for key in ("director", "star", "writer", "genre"):
        names.update(movie.info.get(key, []))
    return {n.lower() for n in names}


def stated_names(answer: str) -> list[str]:
    """The names a worded fact states: what follows "directed by", "stars", "written by"."""
    said = re.findall(r"\b(?:directed by|stars|written by) (.+?)(?= and stars | \(source)", answer)
    return [n.strip().lower() for names in said for n in re.split(r", | and ", names)]


def turn_calls(messages: list[BaseMessage], before: int) -> list[dict[str, Any]]:
    return [c for m in messages[before:] if isinstance(m, AIMessage) for c in m.tool_calls]


@pytest.mark.parametrize("name", list(THREADS))
def test_scripted_thread(name, agent, chain):
    config = {"configurable": {"thread_id": name}}
    last_pick: str | None = None
    turned_down: set[str] = set()
    seen_count = 0
    for step in THREADS[name]:
        state = agent.invoke({"messages": [{"role": "user", "content": step.text}]}, config)
        messages = state["messages"]
        calls = turn_calls(messages, seen_count)
        seen_count = len(messages)
        final = str(messages[-1].content)
        assert [c["name"] for c in calls] == ([step.tool] if step.tool else []), step.text
        assert final and final[-1] in ".!?" and "{" not in final and '"results"' not in final, final
        if step.says:
            assert step.says in final, (step.text, final)
        if step.movie is not None:
            wanted = last_pick if step.movie == PICK else step.movie
            acted_on = calls[0]["args"].get("movie") or calls[0]["args"].get("title")
            assert chain.pipeline.linker.titles.get(_key(acted_on)) == wanted, (step.text, acted_on)
            if step.tool == F:
                names = stated_names(final)
                assert set(names) <= kg_names(chain, wanted), (final, names)
        if step.tool == R:
            result = next(m for m in reversed(messages) if isinstance(m, ToolMessage)).artifact
            turned_down |= {m["movie_id"] for m in result["turned_down"]}
            picks = [r["movie_id"] for r in result["recommendations"]]
            assert not turned_down & set(picks), (step.text, result["turned_down"], picks)
            if picks:
                last_pick = picks[0]
                assert chain.pipeline.linker.catalog[last_pick].name in final
            if step.honours_request:
                turns = [ChatTurn(**t) for t in conversation(messages[:-2])]
                request = read_request(turns, chain.pipeline.linker)
                assert request is not None, step.text
                linker = chain.pipeline.linker
                assert satisfies(last_pick, request, linker.kg, linker.catalog), (step.text, request, final)
    if name == "thanks, then goodbye":
        assert result["recommendations"] == []  # a farewell, no new pick


def _key(title: str) -> str:
    from ecr_agent.linking import title_key

    return title_key(title)


class ScriptedToolCaller(GenericFakeChatModel):
    """langchain-core's fake chat model, scripted to call tools as a hosted model would; records what it was sent."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedToolCaller:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any):
        self.received.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def test_a_tool_calling_model_drops_in(chain):
    def call(name: str, args: dict, id_: str) -> AIMessage:
        return AIMessage("", tool_calls=[{"name": name, "args": args, "id": id_}])

    dialogue = [{"role": "user", "content": "I love The Avengers"}]
    model = ScriptedToolCaller(
        messages=iter(
            [
                call("search_movie_knowledge", {"query": "who directed it", "movie": "The Exorcist"}, "c1"),
                AIMessage("The Exorcist was directed by William Friedkin."),
                call("empathetic_reply", {"messages": dialogue}, "c2"),
                AIMessage("Here is my pick."),
            ]
        )
    )
    agent = build_agent(model=model, chain=chain)
    config = {"configurable": {"thread_id": "hosted"}}
    first = agent.invoke({"messages": [{"role": "user", "content": "Who directed The Exorcist?"}]}, config)
    fact = next(m for m in first["messages"] if isinstance(m, ToolMessage))
    assert fact.name == "search_movie_knowledge" and '"movie_id": "76012"' in fact.content
    assert "William Friedkin" in fact.content  # the tool found the true director for the model to word
    second = agent.invoke({"messages": [{"role": "user", "content": "I love The Avengers"}]}, config)
    reply = [m for m in second["messages"] if isinstance(m, ToolMessage)][-1]
    assert reply.name == "empathetic_reply" and reply.artifact["recommendations"]
    assert reply.artifact["recommendations"][0]["movie_id"] != AVENGERS
    # thread memory: on the second turn the model was sent the whole first turn, tool result included
    sent = model.received[2]
    assert [m.content for m in sent if m.type == "human"] == ["Who directed The Exorcist?", "I love The Avengers"]
    assert any(isinstance(m, ToolMessage) and m.tool_call_id == "c1" for m in sent)
    assert second["messages"][-1].content == "Here is my pick."

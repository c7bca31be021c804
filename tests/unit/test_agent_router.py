"""The offline router: which tool each message calls, on which movie, and answers in words (real entity linker)."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from ecr_agent.agent import RuleBasedToolCaller, conversation, find_showtimes, word_tool_result
from ecr_agent.linking import EntityLinker

TOOLS = [find_showtimes, {"name": "search_movie_knowledge"}, {"name": "empathetic_reply"}]


@pytest.fixture(scope="module")
def router(paths) -> RuleBasedToolCaller:
    return RuleBasedToolCaller(linker=EntityLinker.load(paths)).bind_tools(TOOLS)


def picked(title: str, movie_id: str) -> list:
    """A thread in which the assistant recommended ``title`` through ``empathetic_reply``."""
    result = ToolMessage(
        content=f"How about {title}?",
        name="empathetic_reply",
        tool_call_id="call_1",
        artifact={"recommendations": [{"movie_id": movie_id, "title": title}]},
    )
    call = AIMessage("", tool_calls=[{"name": "empathetic_reply", "args": {"messages": []}, "id": "call_1"}])
    return [HumanMessage("I like action"), call, result, AIMessage(result.content)]


DIE_HARD = picked("Die Hard (1988)", "161313")


def route(router: RuleBasedToolCaller, text: str, history: list | None = None) -> AIMessage:
    return router.invoke([*(DIE_HARD if history is None else history), HumanMessage(text)])


def test_showtimes_act_on_the_movie_the_user_named(router):
    call = route(router, "Where is Titanic playing tonight?").tool_calls[0]
    assert call["name"] == "find_showtimes" and call["args"] == {"title": "Titanic (1997)"}


def test_it_and_that_one_mean_the_threads_last_movie(router):
    for text in ("Is it playing tonight?", "Where is that one playing?", "Great, any showtimes tonight?"):
        assert route(router, text).tool_calls[0]["args"] == {"title": "Die Hard (1988)"}, text
    asked_about_up = [*DIE_HARD, HumanMessage("Who is in Up?")]
    assert route(router, "Where is it playing?", asked_about_up).tool_calls[0]["args"] == {"title": "Up (2009)"}


def test_fact_questions_act_on_the_named_movie_or_on_it(router):
    named = route(router, "Who directed Titanic?").tool_calls[0]
    assert named["name"] == "search_movie_knowledge" and named["args"]["movie"] == "Titanic (1997)"
    assert route(router, "Who directed it?").tool_calls[0]["args"]["movie"] == "Die Hard (1988)"
    assert route(router, "What is Up about?").tool_calls[0]["args"]["movie"] == "Up (2009)"


def test_an_unknown_title_is_looked_up_as_typed_and_no_title_at_all_asks_which(router):
    assert route(router, "Who directed Zzyzx Qqqq?").tool_calls[0]["args"]["movie"] == "Zzyzx Qqqq"
    asked = route(router, "Who directed it?", history=[])
    assert not asked.tool_calls and "Which movie" in asked.content


def test_small_talk_is_answered_by_the_router_itself(router):
    for text, said in (("How are you today?", "doing well"), ("Are you a bot?", "not a person")):
        answer = route(router, text)
        assert not answer.tool_calls and said in answer.content and answer.content.endswith("?")


def test_anything_else_goes_to_the_chain_with_the_whole_conversation(router):
    call = route(router, "I hated that one. Something else?").tool_calls[0]
    assert call["name"] == "empathetic_reply"
    assert call["args"]["messages"][-1] == {"role": "user", "content": "I hated that one. Something else?"}


def test_a_tool_result_is_answered_in_words(router):
    fact = ToolMessage(
        content='{"movie_id": "175096", "results": [{"text": "Titanic (1997)\'s director is James Cameron", '
        '"kind": "triples"}]}',
        name="search_movie_knowledge",
        tool_call_id="c2",
    )
    answer = router.invoke([HumanMessage("Who directed Titanic?"), fact])
    assert answer.content == "Titanic (1997) was directed by James Cameron (source: DBpedia)."
    shown = router.invoke([HumanMessage("Any showtimes?"), ToolMessage('{"Titanic": "21:30"}', tool_call_id="c3")])
    assert shown.content == "Here is what I found: Titanic: 21:30."


def test_the_chain_reads_the_recommendation_dialogue_without_fact_answers():
    fact_call = AIMessage("", tool_calls=[{"name": "search_movie_knowledge", "args": {}, "id": "c4"}])
    thread = [
        *DIE_HARD,
        HumanMessage("Who directed Titanic?"),
        fact_call,
        ToolMessage("{}", name="search_movie_knowledge", tool_call_id="c4"),
        AIMessage("Titanic (1997) was directed by James Cameron (source: DBpedia)."),
        HumanMessage("Something scary please"),
    ]
    roles = [(t["role"], t["content"][:12]) for t in conversation(thread)]
    assert roles == [
        ("user", "I like actio"),
        ("assistant", "How about Di"),
        ("user", "Who directed"),
        ("user", "Something sc"),
    ]


def test_other_tools_text_gets_a_full_stop():
    assert word_tool_result("  Sold out ") == "Sold out."
    assert word_tool_result("(example data) Up plays tonight at 17:00.") == "(example data) Up plays tonight at 17:00."


def test_small_talk_answers_what_was_asked():
    from ecr_agent.agent.router import small_talk

    assert small_talk("How are you? Really tired today", False).startswith("I'm doing well")  # "really" is no "real"
    assert small_talk("What's your name?", True).startswith("I'm ECR") and small_talk("x", True).endswith("last one?")
    assert small_talk("good evening, how are you", False).startswith("Good evening!")


def test_the_router_shares_the_linker_of_the_chain_its_tools_use(paths):
    from types import SimpleNamespace

    from ecr_agent.agent.graph import _linker_of

    linker = object()
    loaded = []
    shared = SimpleNamespace(get=lambda: loaded.append(1) or SimpleNamespace(pipeline=SimpleNamespace(linker=linker)))
    tools = [SimpleNamespace(_shared=shared), find_showtimes]
    source = _linker_of(None, tools, paths)
    assert callable(source) and not loaded  # nothing loaded until the router needs a title
    assert source() is linker and loaded == [1]  # the tools' own chain, not a second one
    assert _linker_of(SimpleNamespace(pipeline=SimpleNamespace(linker=linker)), [], paths) is linker
    assert callable(_linker_of(None, [find_showtimes], paths))  # no shared chain: a linker of the paths given
    assert _linker_of(None, [find_showtimes], None) is None  # nothing given: the router loads its own linker

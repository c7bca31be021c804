from __future__ import annotations

import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool

from ecr_agent.agent import RuleBasedToolCaller, build_agent, conversation
from ecr_agent.tools import get_tools

NAMES = {"detect_emotions", "recommend_movies", "search_movie_knowledge", "empathetic_reply"}


@pytest.fixture(scope="module")
def tools(tiny_store):
    return get_tools()


def test_get_tools_describes_all_four_for_a_tool_calling_model(tools):
    assert {t.name for t in tools} == NAMES
    for tool in tools:
        spec = convert_to_openai_tool(tool)["function"]
        assert len(spec["description"]) > 40
        assert spec["parameters"]["properties"], tool.name


def test_each_tool_runs_on_the_real_models(tools):
    by_name = {t.name: t for t in tools}
    emotions = by_name["detect_emotions"].invoke({"text": "I hated that movie, it was awful"})
    assert emotions
    picks = by_name["recommend_movies"].invoke({"messages": [{"role": "user", "content": "I love Titanic"}], "k": 3})
    assert picks
    facts = by_name["search_movie_knowledge"].invoke({"query": "who directed it", "movie": "Angels in the Outfield"})
    assert facts["movie_id"] == "75815" and facts["results"]
    unknown = by_name["search_movie_knowledge"].invoke({"query": "x", "movie": "No Such Film Qwz"})
    assert unknown["results"] == [] and "unknown movie" in unknown["note"]


def test_agent_composes_tools_and_remembers_a_rejection(tools):
    agent = build_agent(tools=[t for t in tools if t.name in ("empathetic_reply", "search_movie_knowledge")])
    config = {"configurable": {"thread_id": "t1"}}
    first = agent.invoke(
        {"messages": [{"role": "user", "content": "I love romantic movies like The Notebook"}]}, config
    )
    reply = first["messages"][-1]
    pick = next(m for m in reversed(first["messages"]) if m.type == "tool").artifact["recommendations"][0]
    assert pick["title"] in reply.content
    second = agent.invoke({"messages": [{"role": "user", "content": "I hated that one. Something else?"}]}, config)
    new_pick = next(m for m in reversed(second["messages"]) if m.type == "tool").artifact["recommendations"]
    assert pick["movie_id"] not in {r["movie_id"] for r in new_pick}
    assert len(conversation(second["messages"])) == 4  # memory: both turns of the thread are there
    third = agent.invoke({"messages": [{"role": "user", "content": "Great, any showtimes tonight?"}]}, config)
    tool_names = [m.name for m in third["messages"] if m.type == "tool"]
    assert tool_names[-1] == "find_showtimes" and "(example data)" in third["messages"][-1].content
    fourth = agent.invoke({"messages": [{"role": "user", "content": "Who directed Titanic?"}]}, config)
    answer = fourth["messages"][-1].content
    assert [m.name for m in fourth["messages"] if m.type == "tool"][-1] == "search_movie_knowledge"
    assert "{" not in answer and answer.endswith(".")  # a worded sentence, never the tool's JSON


def test_rule_based_caller_says_what_it_is():
    model = RuleBasedToolCaller().bind_tools([])
    assert "rule-based" in model._llm_type

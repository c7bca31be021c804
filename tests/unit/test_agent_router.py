from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from ecr_agent.agent import RuleBasedToolCaller, find_showtimes

PICKED = ToolMessage(
    content="How about Die Hard (1988)?",
    name="empathetic_reply",
    tool_call_id="call_1",
    artifact={"recommendations": [{"movie_id": "1", "title": "Die Hard (1988)"}]},
)


def route(text: str) -> dict:
    model = RuleBasedToolCaller().bind_tools([find_showtimes, {"name": "search_movie_knowledge"}])
    history = [HumanMessage("I like action"), AIMessage("", tool_calls=[]), PICKED, AIMessage(PICKED.content)]
    message = model.invoke([*history, HumanMessage(text)])
    return message.tool_calls[0]


def test_showtimes_act_on_the_movie_the_user_named():
    call = route("Where is Titanic playing tonight?")
    assert call["name"] == "find_showtimes" and call["args"] == {"title": "Titanic"}


def test_it_and_that_one_mean_the_last_recommendation():
    for text in ("Is it playing tonight?", "Where is that one playing?", "Great, any showtimes tonight?"):
        assert route(text)["args"] == {"title": "Die Hard (1988)"}, text


def test_fact_questions_act_on_the_named_movie_or_on_it():
    named = route("Who directed Titanic?")
    assert named["name"] == "search_movie_knowledge" and named["args"]["movie"] == "Titanic"
    assert route("Who directed it?")["args"]["movie"] == "Die Hard (1988)"

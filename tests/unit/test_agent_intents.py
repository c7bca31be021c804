"""The router's intent table: every documented phrase routes as documented, and look-alikes do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_agent.agent import INTENT_RULES, classify
from ecr_agent.agent.intents import intent_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "agent.md"


@pytest.mark.parametrize(("intent", "example"), [(r.intent, e) for r in INTENT_RULES for e in r.examples])
def test_every_example_routes_to_its_intent(intent, example):
    assert classify(example).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("What is a good movie about space?", "recommend"),  # a request, not "what is X about"
        ("I love the story of Titanic", "recommend"),
        ("Who is playing the lead in it?", "fact"),  # "playing" a role, not in a cinema
        ("I have seen it, loved it", "recommend"),  # the chain reads seen-and-liked itself
        ("Thanks! Who directed it?", "fact"),  # the question wins over the thanks
        ("No thanks, bye", "goodbye"),
        ("Is it scary?", "fact"),
        ("Tell me about The Vow", "fact"),
    ],
)
def test_look_alike_phrases(text, intent):
    assert classify(text).intent == intent


def test_the_docs_print_the_table_the_router_uses():
    assert intent_table() in DOCS.read_text(encoding="utf-8")

from __future__ import annotations

import json

from ecr_agent.tools.knowledge import word_answer

TITANIC = {
    "movie_id": "175096",
    "results": [
        {"text": "Titanic (1997)'s starring is Kate Winslet", "kind": "triples", "movie_id": "175096"},
        {"text": "Titanic (1997)'s director is James Cameron", "kind": "triples", "movie_id": "175096"},
        {"text": "Titanic (1997)'s starring is Leonardo DiCaprio", "kind": "triples", "movie_id": "175096"},
        {"text": "A timeless love story, I cried.", "kind": "reviews", "movie_id": "175096"},
    ],
}


def test_a_fact_question_gets_a_sentence_with_its_source_never_json():
    assert (
        word_answer("Who directed Titanic?", TITANIC)
        == "Titanic (1997) was directed by James Cameron (source: DBpedia)."
    )
    cast = word_answer("Who is in Titanic?", json.dumps(TITANIC))
    assert cast == "Titanic (1997) stars Kate Winslet and Leonardo DiCaprio (source: DBpedia)."


def test_missing_facts_and_unknown_movies_are_said_plainly():
    said = word_answer("Who wrote Titanic?", TITANIC)
    assert said.startswith("My knowledge graph (DBpedia) has no writer facts about Titanic (1997)")
    unknown = word_answer("Who directed Zzyzx?", {"movie_id": None, "results": [], "note": "unknown movie 'Zzyzx'"})
    assert "unknown movie 'Zzyzx'" in unknown and "{" not in unknown

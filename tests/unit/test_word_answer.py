from __future__ import annotations

import json

from ecr_agent.data.movies import Movie
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
    assert unknown == "I couldn't find a movie called “Zzyzx” in my catalogue, so I can't answer that."


def test_metadata_answers_what_dbpedia_lacks_and_orders_the_cast_by_billing():
    titanic = Movie(
        "175096",
        "Titanic (1997)",
        10,
        info={
            "plot": "A girl aboard the R.M.S. Titanic falls in love. More.",
            "star": ["Leonardo DiCaprio", "Kate Winslet"],
        },
    )
    assert (
        word_answer("When did it come out?", TITANIC, titanic) == "Titanic came out in 1997 (source: movie metadata)."
    )
    plot = word_answer("What is it about?", TITANIC, titanic)
    assert (
        plot == "Titanic (1997) is about this: A girl aboard the R.M.S. Titanic falls in love (source: movie metadata)."
    )
    cast = word_answer("Who is in it?", TITANIC, titanic)
    assert cast == "Titanic (1997) stars Leonardo DiCaprio and Kate Winslet (source: DBpedia)."  # billing order
    said = word_answer("Who wrote it?", TITANIC, Movie("175096", "Titanic (1997)", 10, info={"writer": ["J. Cameron"]}))
    assert (
        said
        == "Titanic (1997) was written by J. Cameron (source: movie metadata; DBpedia has no writer facts about it)."
    )


def test_tell_me_about_it_summarises_director_and_stars():
    summary = word_answer("Tell me about Titanic", TITANIC)
    assert summary == (
        "Titanic (1997) was directed by James Cameron and stars Kate Winslet and Leonardo DiCaprio (source: DBpedia)."
    )

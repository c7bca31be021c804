from __future__ import annotations

import json

import pytest

import ecr_agent.generator as generator_package
from ecr_agent.generator.data import leading_sentences, parse_knowledge, split_of_movie
from ecr_agent.generator.prompt import (
    MAX_ENTITIES,
    GenerationPrompt,
    build_prompt,
    dialogue_window,
    format_emotions,
)
from ecr_agent.sentences import is_sentence_end, split_sentences
from ecr_agent.types import ChatTurn, Recommendation

EXPECTED_ALL = [
    "DecodingConfig",
    "EmpatheticGenerator",
    "GenerationPrompt",
    "build_prompt",
    "evaluate_generator",
    "measure_decoding",
    "train_generator",
]


def triple(movie_id: str, head: str, relation: str, tail: str) -> dict:
    return {
        "text": f"{head}'s {relation} is {tail}",
        "metadata": {"movie_id": movie_id, "relation": relation, "tail": tail, "source": "dbpedia"},
    }


def test_all_is_pinned() -> None:
    assert sorted(EXPECTED_ALL) == sorted(generator_package.__all__)


def test_render_holds_every_field_and_no_probabilities() -> None:
    prompt = GenerationPrompt(
        movie="Titanic (1997)",
        opening="Have you seen Titanic (1997)?",
        dialogue=(ChatTurn("user", "I want a love story"), ChatTurn("assistant", "What did you like?")),
        emotions={"like": 0.7, "neutral": 0.6, "curious": 0.05, "nostalgia": 0.3},
        entities=("Romance film", "Kate Winslet"),
        triples=("Titanic (1997)'s director is James Cameron",),
        snippets=("It broke my heart.",),
    )
    text = prompt.render()
    for part in (
        "Titanic (1997)",
        "Have you seen Titanic (1997)?",
        "I want a love story",
        "Recommender: What did",
        "James Cameron",
        "Kate Winslet",
        "It broke my heart.",
    ):
        assert part in text
    assert "The user feels: like, nostalgia." in text  # neutral and below-β labels left out, strongest first
    assert "0.7" not in text
    assert prompt.messages()[1] == ("user", text)
    assert prompt.messages()[0][0] == "system"


def test_prompt_caps_entities_and_triples() -> None:
    with pytest.raises(ValueError):
        GenerationPrompt(movie="X", opening="o", entities=tuple("abcde"))
    with pytest.raises(ValueError):
        GenerationPrompt(movie="X", opening="o", triples=("a", "b", "c"))
    with pytest.raises(ValueError):
        GenerationPrompt(movie=" ", opening="o")


def test_compose_drops_a_repeated_opening() -> None:
    prompt = GenerationPrompt(movie="Up (2009)", opening="You should watch Up (2009).")
    assert prompt.compose(" I cried.") == "You should watch Up (2009). I cried."
    assert prompt.compose("You should watch Up (2009). I cried.") == "You should watch Up (2009). I cried."
    assert prompt.compose("") == "You should watch Up (2009)."


def test_build_prompt_from_store_hits() -> None:
    movie = Recommendation(movie_id="1", title="Alien (1979)", score=0.9)
    knowledge = [
        triple("1", "Alien (1979)", "distributor", "20th Century Fox"),
        triple("1", "Alien (1979)", "starring", "Sigourney Weaver"),
        triple("2", "Heat (1995)", "director", "Michael Mann"),  # another movie: ignored
        triple("1", "Alien (1979)", "director", "Ridley Scott"),
        triple("1", "Alien (1979)", "starring", "Tom Skerritt"),
        triple("1", "Alien (1979)", "music composer", "Jerry Goldsmith"),
        triple("1", "Alien (1979)", "starring", "Sigourney Weaver"),  # duplicate
        triple("1", "Alien (1979)", "writer", "Dan O'Bannon"),
        triple("1", "Alien (1979)", "genre", "Science fiction film"),
        {"text": "The chestburster scene still haunts me.", "metadata": {"movie_id": "1", "source": "imdb_review"}},
    ]
    turns = [ChatTurn("user", f"turn {i}") for i in range(6)]
    prompt = build_prompt(turns, {"like": 0.9}, movie, knowledge)
    assert prompt.triples == ("Alien (1979)'s director is Ridley Scott", "Alien (1979)'s starring is Sigourney Weaver")
    assert len(prompt.entities) == MAX_ENTITIES
    assert "Michael Mann" not in prompt.render()
    assert len(set(prompt.entities)) == len(prompt.entities)
    assert "Sigourney Weaver" not in prompt.entities  # already in a triple
    assert prompt.entities[0] == "Tom Skerritt"  # starring ranks before writer, genre, composer
    assert prompt.snippets == ("The chestburster scene still haunts me.",)
    assert [t.content for t in prompt.dialogue] == [f"turn {i}" for i in range(6)]  # fewer than 4 + 4: all shown
    assert prompt.opening == "You should watch Alien (1979)."


def test_build_prompt_without_knowledge() -> None:
    prompt = build_prompt([], {}, Recommendation(movie_id="9", title="Heat (1995)", score=1.0), [])
    assert prompt.triples == () and prompt.entities == () and prompt.snippets == ()
    assert "Heat (1995)" in prompt.render()


def test_the_dialogue_window_keeps_its_start_while_the_chat_grows() -> None:
    chat = [ChatTurn("user" if i % 2 == 0 else "assistant", f"turn {i}") for i in range(13)]
    shown = [dialogue_window(chat[:n]) for n in range(1, 14, 2)]  # what each user turn's prompt shows
    assert [len(turns) for turns in shown] == [1, 3, 5, 7, 5, 7, 5]
    for before, after in zip(shown, shown[1:], strict=False):
        if after[0] == before[0]:  # the window did not jump: the old dialogue is the new one's beginning
            assert after[: len(before)] == before
    assert sum(after[0] == before[0] for before, after in zip(shown, shown[1:], strict=False)) == 4
    assert dialogue_window(chat, step=1) == tuple(chat[-4:]) and dialogue_window(chat, window=0) == ()
    prompt = build_prompt(chat[:9], {}, Recommendation("1", "Heat (1995)", 1.0), [])
    assert [t.content for t in prompt.dialogue] == [f"turn {i}" for i in range(4, 9)]


def test_format_emotions_top_three() -> None:
    assert format_emotions({"a": 0.2, "b": 0.9, "c": 0.5, "d": 0.4, "neutral": 0.99}) == "b, c, d"


def test_parse_knowledge_of_a_real_row(data_dir) -> None:
    lines = (data_dir / "reviews" / "emotional_responses.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines[:300]]
    row = next(r for r in rows if "productionCompany" in r["knowledge_used"])
    parsed = parse_knowledge(row["knowledge_used"])
    assert parsed["movie"] == row["rec"][0]
    assert parsed["triples"] and all(t.startswith(parsed["movie"]) for t in parsed["triples"])
    assert any("'s production company is " in t for t in parsed["triples"])
    assert not any("productionCompany" in t for t in parsed["triples"])


def test_movie_split_is_stable_and_roughly_80_10_10() -> None:
    titles = [f"Movie {i} ({1950 + i % 70})" for i in range(3000)]
    splits = [split_of_movie(t) for t in titles]
    assert splits == [split_of_movie(t.upper()) for t in titles]  # case-insensitive
    for name, share in (("train", 0.8), ("valid", 0.1), ("test", 0.1)):
        assert abs(splits.count(name) / len(splits) - share) < 0.03


def test_leading_sentences_keeps_whole_sentences() -> None:
    review = "Wow.I loved it! " + " ".join(f"Sentence number {i} is here." for i in range(40))
    short = leading_sentences(review, words=20)
    assert short.startswith("Wow. I loved it!")
    assert short.endswith(".") and len(short.split()) <= 20


def test_sentence_boundaries() -> None:
    assert is_sentence_end("I loved it.") and is_sentence_end("Wow!!") and is_sentence_end('He said "go."')
    assert not is_sentence_end("The Talented Mr.") and not is_sentence_end("by J.") and not is_sentence_end("and")
    assert split_sentences("Dr. No is great. I cried! Really") == ["Dr. No is great.", "I cried!", "Really"]

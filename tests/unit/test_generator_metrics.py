from __future__ import annotations

import math

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from ecr_agent.evaluation.generation import (
    corpus_bleu,
    distinct_n,
    fact_targets,
    hallucination_stats,
    kg_coverage,
    named_spans,
    unsupported_names,
)
from ecr_agent.evaluation.judge import DIMENSIONS, LLMJudge, parse_scores
from ecr_agent.generator.decoding import DecodingConfig, _ngram_bans
from ecr_agent.generator.emotions import non_neutral

JSON_ANSWER = (
    '{"emotional_intensity": 7, "emotional_persuasiveness": 6, "logic_persuasiveness": 5, '
    '"informativeness": 4, "lifelikeness": 8}'
)


def test_distinct_n() -> None:
    assert distinct_n(["a b c", "a b d"], 1) == pytest.approx(4 / 6)
    assert distinct_n(["a b c", "a b d"], 2) == pytest.approx(3 / 4)
    assert distinct_n(["You should watch X."] * 5, 2) < distinct_n(["You should watch X.", "I loved Y so much."], 2)
    assert distinct_n([], 1) == 0.0


def test_corpus_bleu() -> None:
    assert corpus_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(1.0)
    assert corpus_bleu(["dog barks loudly"], ["the cat sat on the mat"]) == 0.0
    partial = corpus_bleu(["the cat is on a mat today"], ["the cat sat on the mat"])
    assert 0.0 < partial < 1.0
    short = corpus_bleu(["the cat"], ["the cat sat on the mat"], max_n=2)
    assert short < corpus_bleu(["the cat sat"], ["the cat sat on the mat"], max_n=2)  # brevity penalty
    with pytest.raises(ValueError):
        corpus_bleu(["a"], [])


def test_named_spans() -> None:
    spans = named_spans("You should watch Zero Dark Thirty (2012). Then Tom Hanks showed up in The Lord of the Rings.")
    assert spans == ["Zero Dark Thirty", "Tom Hanks", "Lord of the Rings"]
    assert named_spans("I loved it. It was great and moving.") == []


def test_unsupported_names_and_rate() -> None:
    knowledge = "Zero Dark Thirty (2012)'s starring is Jessica Chastain"
    reply = "You should watch Zero Dark Thirty (2012). I loved Jessica Chastain's role, and Tom Hanks too."
    assert unsupported_names(reply, knowledge) == ["Tom Hanks"]
    stats = hallucination_stats([reply, "I loved it."], [knowledge, knowledge])
    assert stats["hallucination_rate"] == pytest.approx(1 / 3)
    assert stats["replies_with_hallucination"] == pytest.approx(0.5)


def test_kg_coverage() -> None:
    facts = fact_targets(["Heat (1995)'s director is Michael Mann"], ["Crime film"])
    assert facts == ["Michael Mann", "Crime film"]
    result = kg_coverage(["Mann's direction is superb", "Nothing here", "x"], [facts, facts, []])
    assert result["kg_coverage"] == pytest.approx(0.25)  # 1/2 and 0/2; the prompt without facts is skipped
    assert result["fact_mention_rate"] == pytest.approx(0.5)


def test_parse_scores_json_lines_and_clamping() -> None:
    scores = parse_scores("Here you go: " + JSON_ANSWER.replace("5", "12"))
    assert scores["logic_persuasiveness"] == 9.0 and scores["emotional_intensity"] == 7.0
    lines = parse_scores("Emotional intensity: 7\nEmo Pers = 5\nLogic persuasiveness: 3/9\nInfo: 2\nLifelikeness: 9.5")
    assert lines == {
        "emotional_intensity": 7.0,
        "emotional_persuasiveness": 5.0,
        "logic_persuasiveness": 3.0,
        "informativeness": 2.0,
        "lifelikeness": 9.0,
    }
    missing = parse_scores('{"emotional_intensity": 4}')
    assert missing["emotional_intensity"] == 4.0 and math.isnan(missing["lifelikeness"])
    assert all(math.isnan(v) for v in parse_scores("I cannot score this.").values())


def test_judge_with_fake_chat_models() -> None:
    judge = LLMJudge(FakeListChatModel(responses=[JSON_ANSWER]))
    scores = judge.score("User: I want a thriller", "You should watch Heat (1995). I loved it!")
    assert scores == {
        "emotional_intensity": 7.0,
        "emotional_persuasiveness": 6.0,
        "logic_persuasiveness": 5.0,
        "informativeness": 4.0,
        "lifelikeness": 8.0,
    }
    messages = judge.messages("User: hi", "reply text")
    assert all(name in messages[0][1] for name in DIMENSIONS) and "reply text" in messages[1][1]
    answers = iter([AIMessage(content=JSON_ANSWER), AIMessage(content="garbage")])
    means = LLMJudge(GenericFakeChatModel(messages=answers)).score_many([("c1", "r1"), ("c2", "r2")])
    assert means["emotional_intensity"] == 7.0 and means["parsed"] == 0.5


def test_decoding_helpers() -> None:
    assert _ngram_bans([1, 2, 3, 1, 2], 3) == {3}
    assert _ngram_bans([1, 2, 3], 0) == set()
    assert DecodingConfig(max_new_tokens=60).min_tokens == 20
    assert DecodingConfig().with_(max_new_tokens=9, temperature=None).max_new_tokens == 9
    with pytest.raises(ValueError):
        DecodingConfig(max_new_tokens=0)


def test_non_neutral_proxy() -> None:
    assert non_neutral({"neutral": 0.25, "like": 0.75}) == pytest.approx(0.75)
    assert non_neutral({"neutral": 0.9, "like": 0.6, "happy": 0.3}) == pytest.approx(0.6)  # multi-label scores
    assert non_neutral({}) == 0.0

from __future__ import annotations

from ecr_agent.pipeline import ask_about_taste, clip, dominant_feeling, is_smalltalk


def test_a_near_tie_with_negative_is_not_a_rejection():
    assert dominant_feeling({"negative": 0.42, "like": 0.41, "curious": 0.14}) == "like"
    assert dominant_feeling({"negative": 0.97}) == "negative"
    assert dominant_feeling({"negative": 0.45}) is None
    assert dominant_feeling(None) is None


def test_small_talk_and_clipping():
    assert is_smalltalk("Hi! How are you today?") and is_smalltalk("")
    assert not is_smalltalk("hi, I love horror movies")
    assert ask_about_taste("hello").endswith("?")
    assert clip("x" * 5000).startswith("x") and len(clip("ab" * 5000)) == 2000

from __future__ import annotations

from ecr_agent.pipeline import ask_about_taste, clip, dominant_feeling, is_smalltalk, opening_sentence


def test_a_near_tie_with_negative_is_not_a_rejection():
    assert dominant_feeling({"negative": 0.42, "like": 0.41, "curious": 0.14}) == "like"
    assert dominant_feeling({"negative": 0.97}) == "negative"
    assert dominant_feeling({"negative": 0.45}) is None
    assert dominant_feeling(None) is None


def test_opening_acknowledges_the_feeling_and_names_the_pick():
    assert opening_sentence("Up (2009)", {"negative": 0.9}, "Cars (2006)").startswith("I'm sorry Cars (2006)")
    assert "Up (2009)" in opening_sentence("Up (2009)", {"negative": 0.9}, None)
    loved = opening_sentence("Up (2009)", {"negative": 0.42, "like": 0.41}, "Cars (2006)")
    assert "sorry" not in loved.lower() and "Up (2009)" in loved


def test_small_talk_and_clipping():
    assert is_smalltalk("Hi! How are you today?") and is_smalltalk("")
    assert not is_smalltalk("hi, I love horror movies")
    assert ask_about_taste("hello").endswith("?")
    assert clip("x" * 5000).startswith("x") and len(clip("ab" * 5000)) == 2000

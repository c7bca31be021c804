from __future__ import annotations

from ecr_agent.pipeline import QUESTION_SENTENCE, ask_about_taste, clip, is_smalltalk


def test_small_talk_and_clipping():
    assert is_smalltalk("Hi! How are you today?") and is_smalltalk("")
    assert not is_smalltalk("hi, I love horror movies")
    assert is_smalltalk("Greetings")  # replayed ReDial test 21716 got Black Panther
    assert is_smalltalk("Hey how are ya?")  # replayed ReDial test 21982 got Get Out and no word back
    # replayed ReDial valid 2165 and 15561 got Black Panther too
    assert is_smalltalk("hellllo how r u") and is_smalltalk("heloo") and is_smalltalk("heyyy, hiii")
    assert is_smalltalk("merrryyyyy christmas!")  # replayed ReDial valid 1797
    assert not is_smalltalk("heloo, anything scary?")
    assert ask_about_taste("hello").endswith("?")
    assert clip("x" * 5000).startswith("x") and len(clip("ab" * 5000)) == 2000


def test_how_are_you_gets_a_plain_answer_before_the_question_about_taste():
    answered = ask_about_taste("Hi. How are you?")
    assert answered.startswith("Hi there! All good here") and answered.endswith("?")
    assert "All good" not in ask_about_taste("hello")
    # replayed ReDial test 21984: "Great, thanks!" there answers the greeting; it got "Anytime!" and a pick
    greeting = "Hey there! How's it going? Great, thanks!"
    assert is_smalltalk(greeting) and ask_about_taste(greeting).startswith("Hi there! All good here")
    # replayed ReDial test 20970: the seeker asks back, and got a pick with no word
    asked_back = "Hello there! I'm pretty good What about you?"
    assert is_smalltalk(asked_back) and ask_about_taste(asked_back).startswith("Hi there! All good here")


def test_a_question_is_read_from_its_question_word():
    # replayed ReDial test 20642: the question asks about the pick, not about Click named before it
    text = "i like comdy movies like Click  (2006) No, i have not, what is that about? it sounds interesting"
    assert QUESTION_SENTENCE.findall(text) == ["what is that about?"]
    # replayed ReDial test 22257: "Do you think" starts the question, so it holds the movie it asks about
    asked = "Do you think The Lego Batman Movie (2017) is kids friendly? Me neither"
    assert QUESTION_SENTENCE.findall(asked) == ["Do you think The Lego Batman Movie (2017) is kids friendly?"]


def test_ty_for_asking_and_a_bare_you_are_small_talk():
    # replayed ReDial test 21839: "I am good ty for asking" got "Anytime!" and a pick; "you?" got the same pick again
    assert is_smalltalk("I am good ty for asking") and not is_smalltalk("hi, looking for a movie")
    assert ask_about_taste("you?").startswith("All good here, thanks for asking!")


def test_a_marked_question_is_read_from_its_last_comma():
    from ecr_agent.pipeline import MARKED_QUESTION

    # "You mean Star Wars (1977) ? What is that about?" (replayed ReDial test 20850) names the movie asked about
    found = MARKED_QUESTION.findall("You mean Star Wars (1977) ? What is that about?")
    assert found[0] == "You mean Star Wars (1977) ?"
    # a question after commas does not take the movie liked before them
    assert MARKED_QUESTION.findall("i like comedies like Click No, i have not, what is that about?") == [
        " what is that about?"
    ]


def test_small_talk_answers_every_message_since_the_assistant_spoke():
    # replayed ReDial test 22446: "Hello, how are you?" then "It's going great, thanks!" got "My pleasure!" and a pick
    said = ask_about_taste("Hello, how are you? It's going great, thanks!")
    assert said.startswith("Hi there! Glad to hear it! All good here, thanks for asking!") and said.endswith("?")
    assert is_smalltalk("It's going great, thanks!")

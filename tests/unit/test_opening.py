from __future__ import annotations

from dataclasses import replace

from ecr_agent.data.movies import Movie
from ecr_agent.opening import (
    ABOUT_ME,
    GOODBYES,
    LAUGHS,
    LOW_MOOD,
    PERSON_QUESTION,
    SYMPATHY,
    THANKS,
    TurnReading,
    about_me,
    acknowledge,
    answer,
    answer_question,
    closes_with_thanks,
    explain_pick,
    farewell,
    pick_fact,
    question_topic,
    tell_series,
    thank_and_close,
    user_act,
    write_opening,
)

MISERY = Movie(
    "1",
    "Misery (1990)",
    10,
    info={
        "genre": ["drama", "thriller"],
        "director": ["Rob Reiner"],
        "writer": ["Stephen King", "William Goldman"],
        "star": ["James Caan", "Kathy Bates", "Richard Farnsworth"],
        "plot": "A famous novelist is rescued by a fan. She holds him captive.",
    },
)
BARE = Movie("2", "Obscure (1950)", 1)


def test_acts_are_read_from_the_message():
    assert user_act("Thanks, bye!") == "goodbye"
    assert user_act("That one is the best! thanks for the help") == "goodbye"
    assert user_act("Thank you so much for the suggestions.") == "goodbye"
    assert user_act("Thanks for the suggestions, any more?") == "thanks"
    assert user_act("Thanks for the help, can you find another one like it") == "thanks"
    assert user_act("Thanks!") == "thanks"
    assert user_act("You too!") == "goodbye" and user_act("Do you like horror too?") == "question"
    assert user_act("Thank you so much") == "thanks"
    assert user_act("Haha! What's wrong with me then?") == "laugh"
    assert user_act("No. Haven't even heard of it. Who is in it?") == "question"
    assert user_act("I love scary movies") == "statement"
    # replayed ReDial test 21012: a wish for a good day ends the chat; "im great thanks" answers "how are you?"
    assert user_act("Great talking to you though have a wonderful day. And yes it was") == "goodbye"
    assert user_act("Have a great day! Any more like it?") == "question"
    assert user_act("Hello im great thanks what have you seen new") == "question"
    assert user_act("I'm doing well thank you. I like horror") == "statement"
    assert user_act("Great, thanks!") == "thanks"
    assert user_act("Thanks you too!") == "goodbye" and user_act("You too! Any more?") == "question"  # 21932
    assert user_act("thanks you to") == "goodbye"  # replayed ReDial test 21387 got "Anytime!" and a pick
    # replayed ReDial test 20642
    asking = "i like comdy movies like Click No, i have not, what is that about? it sounds interesting"
    assert user_act(asking) == "question"
    assert user_act("That man knows how to make a movie Well, thank you for helping me") == "goodbye"
    assert user_act("I hope I helped you some today.") == "goodbye"  # the 08:56 reply bench recommended on
    assert user_act("thanks anyway") == user_act("never mind") == "goodbye"  # a scripted chat, 2026-12-03
    # replayed ReDial test 22257 and 21019
    assert user_act("Do you think The Lego Batman Movie (2017) is kids friendly? Me neither") == "question"
    assert question_topic("Do you think The Lego Batman Movie (2017) is kids friendly? Me neither") == "rating"
    assert question_topic("I'm open to any suggestion! No, i haven't, is it interesting?") == "quality"
    assert user_act("I hope that helps, what else do you have?") == "question"
    assert about_me("My day is awesome, what about your day?") == "All good here, thanks for asking!"
    assert about_me("Hello what a good movie you have seen?") in ABOUT_ME[1][1]  # replayed ReDial test 21166
    assert about_me("Fine thanks. What are your top favorite three movies?") in ABOUT_ME[0][1]  # replayed 21409
    # a scripted chat answered "how old are you?" with the pick's year (2026-12-03)
    assert question_topic("how old are you?") is None and question_topic("how old is it?") == "year"
    assert about_me("how old are you?") == about_me("are you a bot?") == ABOUT_ME[3][1][0]
    assert question_topic("Who is in it?") == "cast"
    assert question_topic("who directed that one") == "director"
    assert question_topic("what else did that director make?") is None  # a request for more of their movies
    assert question_topic("What's it about?") == "plot"
    assert question_topic("Is it any good?") == "quality"
    assert question_topic("I have not Is that a good mmovie?") == "quality"  # replayed ReDial test 20458
    assert question_topic("What is good about it?") is None
    assert question_topic("How many stars would you give it?") == "quality"  # a replayed ReDial test got a new pick
    assert PERSON_QUESTION.search("is that the Tarantino movie?")  # was read as a request for his movies
    assert not PERSON_QUESTION.search("is that the best movie?")
    assert question_topic("I'm looking for an old Disney movie. Do you know of any good ones?") is None  # 22919
    assert question_topic("Is Inglourious Basterds (2009) a comedy?") == "genre"  # replayed ReDial test 21269
    assert question_topic("Is it a cartoon?") == "genre"
    # replayed ReDial test 21008: a question to the assistant without a question mark
    assert user_act("Hello what movie have you seen Im good thanks") == "question"
    # sharing a movie, not asking: "Have you seen San Andreas (2015) really great movie with the Rock" (20991)
    assert user_act("Have you seen San Andreas (2015) really great movie with the Rock") == "statement"


def test_answers_come_from_the_metadata_and_say_we_dont_know_without_it():
    assert answer("cast", MISERY) == "Misery (1990) stars James Caan, Kathy Bates and Richard Farnsworth."
    assert answer("director", MISERY) == "Misery (1990) was directed by Rob Reiner."
    assert answer("plot", MISERY) == "Misery (1990) is about this: A famous novelist is rescued by a fan."
    assert answer("year", MISERY) == "Misery came out in 1990."
    # a misdescribed movie has no metadata: "Who is in It (1990)?" got another pick instead of an answer
    assert answer("cast", BARE) == f"I don't have the cast of {BARE.title}, sorry."
    assert answer("director", BARE) == f"I don't know who directed {BARE.title}, sorry."
    assert answer("year", replace(BARE, title="Untitled")) is None


def test_the_fact_names_the_requested_person_with_their_role():
    assert pick_fact(MISERY) == "a drama and thriller movie directed by Rob Reiner, with James Caan and Kathy Bates"
    assert pick_fact(MISERY, focus=["Stephen King"]) == "a drama and thriller movie written by Stephen King"
    assert pick_fact(MISERY, focus=["Thriller film"]).startswith("a thriller and drama movie")
    # replayed ReDial test 22632: "interested in sci-fic" got "Black Panther: it's an action and adventure movie"
    panther = Movie("1", "Black Panther (2018)", 0, info={"genre": ["action", "adventure", "sci-fi"]})
    assert pick_fact(panther, focus=["Science fiction film"]) == "a sci-fi and action movie"
    assert pick_fact(BARE) is None


def test_acknowledgement_follows_the_feedback_not_the_feeling():
    loved = TurnReading("I loved Jeff Bridges in Tron: Legacy", accepted=("Tron: Legacy (2010)",))
    assert "sorry" not in acknowledge(loved).lower() and "Tron: Legacy (2010)" in acknowledge(loved)
    seen = TurnReading("I have. Did a binge before Infinity War", seen=("Avengers (2012)",))
    assert "sorry" not in acknowledge(seen).lower() and "Avengers (2012)" in acknowledge(seen)
    down = TurnReading("I saw it and hated it", turned_down=("Cars (2006)",))
    assert "Cars (2006)" in acknowledge(down)
    both = {
        acknowledge(TurnReading("Not those", turned_down=("Cars (2006)", "Up (2009)")), key=str(i)) for i in range(20)
    }
    assert all("Cars (2006) and Up (2009)" in a and " is " not in a for a in both)
    assert acknowledge(TurnReading("Okay.")) == ""
    asked = TurnReading("Who is in it?", asked_about=MISERY)
    assert acknowledge(asked).startswith("Misery (1990) stars James Caan")


def test_a_suggestion_the_user_moved_on_from_is_skipped_without_an_apology():
    downs = ("Cars (2006)",)
    moved = {acknowledge(TurnReading("Seen it. Anything else?", downs, moved_on=downs), str(i)) for i in range(20)}
    assert all("Cars (2006)" in a and "sorry" not in a.lower() and "for everyone" not in a for a in moved)
    disliked = {acknowledge(TurnReading("Seen it, hated it. Anything else?", downs), str(i)) for i in range(20)}
    assert not disliked & moved


def test_openings_vary_across_conversations_and_stay_fixed_within_one():
    openings = {write_opening(TurnReading("I like thrillers"), MISERY, key=f"chat {i}") for i in range(40)}
    assert len(openings) >= 4
    assert all("Misery (1990)" in o and "Rob Reiner" in o for o in openings)
    reading = TurnReading("Thanks! Anything else?")
    assert write_opening(reading, MISERY, key="a") == write_opening(reading, MISERY, key="a")


def test_questions_about_the_assistant_itself_get_an_honest_answer_not_a_life():
    for text in ("have you seen it?", "What is your favorite movie?", "Did you like it?"):
        said = acknowledge(TurnReading(text), key=text)
        assert said.startswith(("I don't", "No favourites", "I can't")), said
    assert acknowledge(TurnReading("Have you seen it? I loved it")) == ""  # a statement, not a question to answer
    assert acknowledge(TurnReading("Do you know any comedies?")) == ""
    said = acknowledge(TurnReading("Hello im great thanks what have you seen new"))
    assert said.startswith("I don't watch movies") or said.startswith("I can't watch movies"), said


def test_a_turn_down_beside_a_movie_taken_up_names_both():
    reading = TurnReading(
        "EuroTrip was good, a bit strange for us to watch. But we will watch Super Troopers. Thanks!",
        turned_down=("EuroTrip (2004)",),
        accepted=("Super Troopers (2001)",),
    )
    said = acknowledge(reading)
    assert "EuroTrip (2004)" in said and said.endswith("I hope you enjoy Super Troopers (2001)!")


def test_movies_the_user_likes_come_before_a_laugh():
    reading = TurnReading("such a cheesy smile, haha I also like Zombieland", liked_named=("Zombieland (2009)",))
    assert "Zombieland (2009)" in acknowledge(reading) and acknowledge(reading) not in LAUGHS


def test_thanks_for_a_movie_taken_up_names_it():
    reading = TurnReading("I think I'll go with this one. Thank you", accepted=("Austin Powers in Goldmember (2002)",))
    said = acknowledge(reading)
    assert said.endswith("I hope you enjoy Austin Powers in Goldmember (2002).") and said != reading.accepted[0]


def test_thanks_beside_a_first_request_is_small_talk():
    # replayed ReDial test 22102: "Anytime!" answered "Great, thanks! I'm in the mood for something with suspense"
    said = "Great, thanks! I'm in the mood for something with suspense. I really loved Gone Girl (2014)"
    reading = TurnReading(said, request="a thriller", liked_named=("Gone Girl (2014)",))
    assert acknowledge(reading) not in THANKS and "thriller" in acknowledge(reading)
    assert acknowledge(TurnReading("Great, thanks!")) in THANKS
    # replayed ReDial test 21409: "You're welcome!" answered "Fine thanks. What are your top favorite three movies?"
    assert acknowledge(TurnReading("Fine thanks. What are your top favorite three movies?")) in ABOUT_ME[0][1]


def test_what_the_user_says_of_the_movie_comes_before_the_laugh():
    seen = TurnReading("lol that one is hilarious, seen it a million times", liked_seen=("Step Brothers (2008)",))
    assert "Step Brothers (2008)" in acknowledge(seen)
    # "yeah, they are all great movies!" after two picks names both (replayed ReDial valid 13076 named the second)
    both = TurnReading("yeah, they are all great movies!", liked_seen=("Patch Adams (1998)", "Hook (1991)"))
    for key in ("a", "b", "c", "d"):
        assert "Patch Adams (1998) and Hook (1991)" in acknowledge(both, key), key
    assert acknowledge(TurnReading("Haha! What's wrong with me then?")) in LAUGHS


def test_questions_the_metadata_cannot_answer_are_admitted_not_skipped():
    assert question_topic("How long is it?") == "length"
    assert question_topic("Is it very violent?") == "rating"
    assert answer("length", MISERY).startswith("I don't know how long Misery (1990) runs")
    assert "content ratings" in answer("rating", MISERY)
    # no ratings in the data: "is it good?" gets what the movie is about, framed honestly
    assert (
        answer("quality", MISERY)
        == "I can't rate it for you, but Misery (1990) is a drama and thriller movie directed by Rob Reiner, with James"
        " Caan and Kathy Bates. Here's the gist: A famous novelist is rescued by a fan."
    )
    assert answer("quality", BARE) is None


def test_movies_the_user_says_they_like_get_a_word_when_nothing_else_is_said():
    shared = TurnReading("One of my favorites would be Super Troopers", liked_named=("Super Troopers (2001)",))
    assert "Super Troopers (2001)" in acknowledge(shared)
    asked = TurnReading("I loved Super Troopers. Something like it?", liked_named=("Super Troopers (2001)",))
    assert acknowledge(replace(asked, request="something like Super Troopers (2001)")).endswith(
        ("Super Troopers (2001) it is!", "something like Super Troopers (2001).", "coming up.")
    )  # the request says more than the liking


def test_what_is_that_one_about_asks_for_the_plot():
    assert question_topic("what is that one about?") == question_topic("What is it about?") == "plot"
    assert question_topic("What about Bob?") is None  # a title, not a question about the plot


def test_is_it_a_cartoon_gets_a_yes_or_a_no():
    beast = Movie("3", "Beauty and the Beast (2017)", 5, info={"genre": ["adventure", "family", "fantasy"]})
    frozen = Movie("4", "Frozen (2013)", 5, info={"genre": ["animation", "adventure", "comedy"]})
    said = answer_question(TurnReading("Is it a cartoon?", asked_about=beast))
    assert said == "No, Beauty and the Beast (2017) is not animated: it's an adventure and family movie."
    said = answer_question(TurnReading("Is it animated?", asked_about=frozen))
    # not "Yes, It is a horror movie: it's a horror movie."
    assert said == "Yes, Frozen (2013) is an animation, adventure and comedy movie."
    # played chats: "Is it scary?" got "Wonder Woman is an action and adventure movie." with no yes or no
    scared = answer_question(TurnReading("is it too scary for a 6 year old?", asked_about=frozen))
    assert scared == "No, Frozen (2013) is not a horror movie: it's an animation and adventure movie."
    # a third genre is named in the yes (a scripted chat: "Yes, Zombieland (2009) is a horror movie: it's an action
    # and comedy movie.")
    funny = answer_question(TurnReading("Is it funny?", asked_about=frozen))
    assert funny == "Yes, Frozen (2013) is an animation, adventure and comedy movie."
    # scripted chats (2026-12-02): "is that one scary too?" was read as a request for horror, and "Is it a kids
    # movie?" got "Thor: Ragnarok (2017) is an action and adventure movie." with no yes or no
    assert question_topic("is that one scary too?") == "genre"
    kids = answer_question(TurnReading("Is it a kids movie?", asked_about=beast))
    assert kids == "Yes, Beauty and the Beast (2017) is an adventure, family and fantasy movie."
    unsure = answer_question(TurnReading("Is it a kids movie?", asked_about=frozen))  # not "No": few are tagged family
    assert unsure == (
        "Frozen (2013) is an animation and adventure movie; I don't have content ratings to say whether it suits kids."
    )


def test_is_someone_in_it_gets_a_yes_or_a_no_from_the_credits():
    # a played chat left "isn't Devito in that?" unanswered
    said = answer_question(
        TurnReading("isn't Devito in that?", asked_about=MISERY, asked_people=(("Danny DeVito", None),))
    )
    assert said == (
        "No, I don't see Danny DeVito in the credits of Misery (1990): "
        "it stars James Caan, Kathy Bates and Richard Farnsworth."
    )
    said = answer_question(
        TurnReading("Is Kathy Bates in it?", asked_about=MISERY, asked_people=(("Kathy Bates", "star"),))
    )
    assert said == "Yes, Kathy Bates is in Misery (1990)."
    directed = TurnReading("Did Rob Reiner direct it?", asked_about=MISERY, asked_people=(("Rob Reiner", "director"),))
    assert answer_question(directed) == "Yes, Rob Reiner directed Misery (1990)."
    # a request naming someone is not a question about the pick
    wish = TurnReading(
        "Is there anything with Kathy Bates?", asked_about=MISERY, asked_people=(("Kathy Bates", "star"),)
    )
    assert answer_question(wish) is None


def test_a_requested_person_the_metadata_misses_is_named_from_the_kg_credits():
    # replayed ReDial test 22119: "something with Christopher Walken" got Pulp Fiction "with John Travolta and Uma
    # Thurman"; the KG credits him, the metadata's three stars do not
    fact = pick_fact(MISERY, focus=["James Caan"])
    assert fact is not None and "with James Caan" in fact
    credited = pick_fact(MISERY, focus=["Lauren Bacall"], credits={"star": ["Lauren Bacall"]})
    assert credited is not None and credited.endswith("with Lauren Bacall")
    assert "Lauren Bacall" not in (pick_fact(MISERY, focus=["Lauren Bacall"]) or "")


def test_boredom_gets_a_word_before_the_pick():
    # a played chat (2026-12-04): "I'm bored" got a horror pick and not a word
    from ecr_agent.opening import BORED_REPLIES

    said = write_opening(TurnReading("I'm bored"), MISERY, key="k")
    assert said.startswith(BORED_REPLIES)
    assert not write_opening(TurnReading("I like thrillers"), MISERY, key="k").startswith(BORED_REPLIES)


def test_a_plan_to_watch_the_pick_settles_the_search():
    # a played chat (2026-12-04): "ok I'll watch that one" got "How about Saw (2004)?"
    from ecr_agent.opening import OPEN_DOOR, TurnReading, settle, settles_on_a_pick

    said = TurnReading("ok I'll watch that one", accepted=("The Sixth Sense (1999)",))
    assert settles_on_a_pick(said)
    assert settle(said, "k").endswith("I hope you enjoy The Sixth Sense (1999). " + OPEN_DOOR)
    for text in ("I'll check it out", "I'll watch that one, anything else?", "ok I'll watch that one. Who is in it?"):
        assert not settles_on_a_pick(TurnReading(text, accepted=("The Sixth Sense (1999)",))), text
    assert not settles_on_a_pick(TurnReading("ok I'll watch that one"))  # nothing taken up
    seen = TurnReading("I'll watch that one again", accepted=("Up (2009)",), seen=("Up (2009)",))
    assert not settles_on_a_pick(seen)


def test_a_goodbye_that_turns_a_movie_down_is_answered_first():
    said = farewell("k", ("Daddy's Home 2 (2017)",))
    assert said.startswith("Sorry Daddy's Home 2 (2017) didn't work for you.") and "Enjoy" not in said
    assert farewell("k") in GOODBYES
    # replayed ReDial test 21987: a plan to watch the movie taken up is wished well, a plain goodbye is not
    said = "I have been meaning to check out The BFG (2016) I will watch that! Thanks for your help"
    assert farewell("k", (), said, ("The BFG (2016)",)).startswith("I hope you enjoy The BFG (2016). ")
    assert farewell("k", (), "Yes, that's a classic! Thanks. Bye for now.", ("Stripes (1981)",)) in GOODBYES
    # replayed ReDial test 21113: no thanks, no "You're welcome"
    for key in "abcdefgh":
        assert not farewell(key, (), "That's great. Have a good night!").startswith(("You're welcome", "My pleasure"))


def test_a_suggestion_the_user_has_not_heard_of_is_acknowledged_before_a_laugh():
    # a played chat answered "Haha what? I've never heard of that" with "Haha, good one!"
    said = acknowledge(TurnReading("Haha what? I've never heard of that", not_seen=("Sing (2016)",)))
    assert "Sing (2016)" in said and "new" in said


def test_moving_on_with_a_request_acknowledges_the_request():
    # a scripted chat: "something a bit older, maybe 80s?" after The Martian got only "let's find something besides"
    reading = TurnReading(
        "something a bit older, maybe 80s?",
        turned_down=("The Martian (2015)",),
        moved_on=("The Martian (2015)",),
        request="something from the 1980s",
    )
    assert acknowledge(reading) == "Sure, something from the 1980s instead of The Martian (2015)."


def test_would_i_like_it_gets_what_the_movie_is():
    # replayed ReDial test 20210: "if I like The Hangover would I like it?" went unanswered
    said = answer_question(TurnReading("I haven't seen it, if I like Carrie would I like it?", asked_about=MISERY))
    assert said is not None and said.startswith("I can't rate it for you, but Misery (1990) is a drama")


def test_taking_a_pick_up_and_asking_for_more_acknowledges_both():
    # a scripted chat: "Haha nice. Anything like it but newer?" got only "I think you'll like Suicide Squad (2016)!"
    reading = TurnReading(
        "Haha nice. Anything like it but newer?",
        accepted=("Suicide Squad (2016)",),
        request="something like Suicide Squad (2016) from 2017 on",
    )
    said = acknowledge(reading)
    assert "Suicide Squad (2016)" in said and "from 2017 on" in said


def test_being_all_set_is_a_goodbye():
    # replayed ReDial test 20377 got a new pick after "I think I can plan my movie night now"
    assert user_act("Well thank you so much I think I can plan my movie night now.") == "goodbye"
    assert user_act("I'm all set, thanks!") == "goodbye"
    assert user_act("You, too.") == "goodbye"  # replayed ReDial test 21313 got a new pick
    for said in ("cya", "ok see ya", "alright, peace out."):  # replayed ReDial valid 10949 got a new pick
        assert user_act(said) == "goodbye", said
    assert user_act("I'll watch it later tonight") != "goodbye"
    assert user_act("I think I can pick one, but what else is like Heat?") != "goodbye"


def test_tell_me_more_who_plays_the_lead_and_is_it_long_are_questions_about_the_pick():
    # a scripted chat: each of these got a new pick and no answer
    assert user_act("Tell me more") == "question" and question_topic("Tell me more") == "plot"
    assert user_act("Tell me more movies like that") != "question"
    assert question_topic("Who plays the lead?") == "cast"
    assert answer_question(TurnReading("Who plays the lead?", asked_about=MISERY)).startswith("Misery (1990) stars")
    assert question_topic("Is it long?") == "length"


def test_a_user_feeling_low_hears_sorry_first():
    # a scripted chat (2026-12-02): "I'm feeling kind of down today" got Black Panther and not a word for the feeling
    for said in (
        "I'm feeling kind of down today",
        "rough day at work, need a movie",
        "I am so stressed out",
        "I just broke up with my girlfriend",  # a scripted chat, 2026-12-03
    ):
        assert LOW_MOOD.search(said), said
        assert acknowledge(TurnReading(said, request="a comedy movie"), key=said) in SYMPATHY
    for said in ("I'm down for anything", "The Notebook made me sad", "I'm not sad at all", "I'm feeling great"):
        assert not LOW_MOOD.search(said), said
    asked = acknowledge(TurnReading("I'm sad, anything with Tom Hanks?", request="something with Tom Hanks"))
    assert asked.split(". ")[0] + "." in {s.split(". ")[0] + "." for s in SYMPATHY} or asked.startswith("Sorry")
    assert "something with Tom Hanks" in asked


def test_a_movie_we_do_not_know_is_said_not_passed_over():
    said = acknowledge(TurnReading("I loved Zorblax Returns, anything like that?", unknown=("Zorblax Returns",)))
    assert said == "I don't know Zorblax Returns, sorry: it isn't in my catalogue, which ends around 2018."
    asked = acknowledge(
        TurnReading("I liked Oppenheimer, something by Christopher Nolan?", unknown=("Oppenheimer",), request="x")
    )
    assert asked.startswith("I don't know Oppenheimer, sorry") and asked.count(".") == 2


def test_thanks_for_the_suggestion_alone_closes_but_offers_another_pick():
    from ecr_agent.opening import OPEN_DOOR, user_act

    # the note of 2026-12-02: "Thanks for the suggestion!" mid-chat closed the chat with "Have a great movie night!"
    said = "Thanks for the suggestion!"
    assert user_act(said) == "goodbye" and farewell("k", (), said).endswith(OPEN_DOOR)
    assert farewell("k", (), "thanks for the help, bye!") in GOODBYES
    assert not farewell("k", (), "Thanks for the suggestions, have a nice day").endswith(OPEN_DOOR)


def test_have_you_seen_without_a_question_mark_is_still_answered():
    from ecr_agent.opening import ABOUT_ME

    # replayed ReDial test 20943: the question had no "?", and the reply was a new pick with no word for it
    said = "Still go and see it, it's still worth it! Have you seen Deadpool 2 (2018) yet"
    assert user_act(said) == "statement"
    assert acknowledge(TurnReading(said), "k") in ABOUT_ME[1][1]
    assert acknowledge(TurnReading("I like comedy, action, and musicals."), "k") == ""


def test_what_can_you_help_with_is_answered():
    # replayed ReDial valid 13175: "what can you help with?" got a pick and no answer
    for said in ("what can you help with?", "What else can you do?"):
        assert acknowledge(TurnReading(said), "k").startswith("I recommend movies"), said
    assert not acknowledge(TurnReading("What do you know about Titanic?"), "k").startswith("I recommend movies")


def test_what_about_a_movie_says_what_it_is():
    # replayed ReDial valid 4362: "What about Slumdog Millionaire (2008)?" got a pick and no word of it
    said = acknowledge(TurnReading("What about Misery (1990)? I loved Pan's.", asked_about=MISERY), "k")
    assert said.startswith("Misery (1990) is a drama and thriller movie directed by Rob Reiner")
    assert acknowledge(TurnReading("what about something older?", asked_about=MISERY), "k") != said
    # a chat's "what about Marvel? something funny" names no movie: the pick on the table is not described
    assert not acknowledge(TurnReading("what about Marvel? something funny", asked_about=MISERY), "k").startswith("Mis")


def test_an_unmet_request_names_the_part_the_pick_meets():
    # a played chat (2026-12-02): "I couldn't find something about time travel like Looper (2012) in my catalogue,
    # sorry. Try About Time (2013)" did not say why About Time came next
    reading = TurnReading("time travel movies like Looper", request="something about time travel like Looper (2012)")
    unmet = replace(reading, request_met=False, nearest="something about time travel")
    assert acknowledge(unmet).endswith("in my catalogue, so here is something about time travel.")
    assert acknowledge(replace(reading, request_met=False)).endswith("in my catalogue, sorry.")


def test_why_asks_for_the_reason_of_the_pick():
    for text in ("why would you recommend that?", "Why?", "but why that one", "what makes you think I'd like it?"):
        assert question_topic(text) == "reason", text
        assert user_act(text) == "question", text
    for text in ("Why not?", "I don't know why I'm afraid of heights", "why is it rated R?"):
        assert question_topic(text) != "reason", text
    reading = TurnReading("why would you recommend that?", asked_about=MISERY, reasons=("you asked for a thriller",))
    assert answer_question(reading) == "I suggested Misery (1990) because you asked for a thriller."
    guess = answer_question(replace(reading, reasons=()))
    assert guess.startswith("It was my best guess from what you've said so far: Misery (1990) is a drama")
    assert explain_pick(BARE, ()).startswith("It was my best guess from what you've said so far.")


def test_a_complaint_about_the_picks_gets_an_apology():
    for text in ("your recommendations are terrible", "that's not what I asked for", "you're not listening"):
        assert acknowledge(TurnReading(text)).startswith("Sorry"), text
    assert acknowledge(TurnReading("I hate horror movies")) == ""
    # a movie turned down is named in the apology instead
    down = TurnReading("that's a terrible suggestion", turned_down=("Misery (1990)",))
    assert "Misery (1990)" in acknowledge(down)


def test_a_sequel_question_is_answered_from_the_series():
    assert question_topic("Loved it! Is there a sequel?") == "sequel"
    assert question_topic("Is the sequel any good?") == "sequel"
    first, second, third = (
        Movie(str(i), f"Saga{n} ({year})", 1) for i, (n, year) in enumerate((("", 1990), (" 2", 1995), (" 3", 2001)))
    )
    assert tell_series(first, [second, third]) == "Saga (1990) is followed by Saga 2 (1995) and Saga 3 (2001)."
    assert (
        tell_series(second, [first, third]) == "Saga 2 (1995) follows Saga (1990) and it is followed by Saga 3 (2001)."
    )
    assert tell_series(MISERY, []) == "I don't know of a sequel or prequel to Misery (1990), sorry."
    reading = TurnReading("Is there a sequel?", asked_about=first, series=(second,))
    assert answer_question(reading) == "Saga (1990) is followed by Saga 2 (1995)."
    loved = replace(reading, text="Loved it! Is there a sequel?", liked_seen=("Saga (1990)",))
    assert answer_question(loved) == "Glad you enjoyed Saga (1990)! Saga (1990) is followed by Saga 2 (1995)."


def test_an_actor_with_a_writing_credit_is_named_for_the_acting():
    # replayed ReDial test 21668: "Ghostbusters (1984) … written by Rick Moranis" (the metadata lists him as a writer)
    ghostbusters = Movie(
        "3",
        "Ghostbusters (1984)",
        5,
        info={"genre": ["comedy"], "writer": ["Dan Aykroyd", "Rick Moranis"], "star": ["Bill Murray"]},
    )
    credits = {"star": ["Rick Moranis"]}
    assert pick_fact(ghostbusters, ["Rick Moranis"], credits) == "a comedy movie with Rick Moranis"
    assert pick_fact(MISERY, ["Stephen King"]) == "a drama and thriller movie written by Stephen King"


def test_what_are_they_about_asks_for_the_plot():
    assert question_topic("Never heard of them. But I'll check them out. what are they about?") == "plot"


def test_thanks_that_end_the_search_close_it_instead_of_pushing_a_new_pick():
    # replayed ReDial test 22182, 21641, 21674, 21655: each got a pick nobody asked for
    taken = TurnReading("Thanks i will try Risky Business (1983)", accepted=("Risky Business (1983)",))
    assert closes_with_thanks(taken)
    said = thank_and_close(taken)
    assert "I hope you enjoy Risky Business (1983)." in said and said.endswith("If you'd like another pick, just ask.")
    # replayed ReDial valid 13723: "yes we did Thanks for the advice" after "Did you see The Avengers (2012)"
    seen = TurnReading("yes we did Thanks", accepted=("The Avengers (2012)",), seen=("The Avengers (2012)",))
    assert "enjoy" not in thank_and_close(seen)
    for text in (
        "Thank you!",
        "you too thanks",
        "Ok thanks so much",
        "You had some good suggestions. Thank you",
        "kk thx",
    ):
        assert closes_with_thanks(TurnReading(text)), text
    assert user_act("Thanks for the great action movie recommendations :)") == "goodbye"
    assert farewell(text="Thanks for the great action movie recommendations :)").endswith("just ask.")
    assert user_act("I think I already have my list of movies for this weekend and you?") == "goodbye"
    # thanks that ask for more, request something, or turn a movie down keep the search going
    assert not closes_with_thanks(TurnReading("Thanks! Anything else?"))
    assert not closes_with_thanks(TurnReading("Thanks! Who is in it?"))
    assert not closes_with_thanks(TurnReading("Thanks, something funny now", request="a comedy movie"))
    assert not closes_with_thanks(TurnReading("Thanks, but I hated it", turned_down=("Misery (1990)",)))
    assert not closes_with_thanks(TurnReading("Thanks, I love Stephen King"))
    # "the others" are movies already named (replayed ReDial valid 779 got a new pick)
    said = "Ooo! I loved the first 2, but I haven't seen any of the others. I'll check it out. Thanks!"
    assert closes_with_thanks(TurnReading(said))
    assert not closes_with_thanks(TurnReading("Thanks! Any others?"))


def test_thanks_with_a_plan_to_watch_or_a_choice_between_suggestions_close_the_search():
    for text in ("Ready the popcorn! Thank you!", "Sounds great, thanks", "That looks really good. Thanks!"):
        assert closes_with_thanks(TurnReading(text)), text
    # one suggestion turned down, the other taken: the user has chosen (a replayed ReDial test got a third pick)
    chose = TurnReading(
        "EuroTrip was good, a bit strange for us. But we will watch Super Troopers. Thanks!",
        turned_down=("EuroTrip (2004)",),
        accepted=("Super Troopers (2001)",),
    )
    said = thank_and_close(chose)
    assert closes_with_thanks(chose) and "I hope you enjoy Super Troopers (2001)." in said
    assert said.index("EuroTrip (2004)") < said.index("Super Troopers")  # the turn-down is said too, first
    assert not closes_with_thanks(TurnReading("Thanks, but that sounds boring", turned_down=("Misery (1990)",)))


def test_how_are_you_answered_with_thanks_is_small_talk():
    assert user_act("It's going great, thanks!") == "statement"  # replayed ReDial test 22446 got "My pleasure!"
    assert acknowledge(TurnReading("It's going great, thanks!")) == "Glad to hear it!"
    assert acknowledge(TurnReading("I'm good, thanks for asking")) == "Glad to hear it!"


def test_asked_whether_i_saw_a_movie_says_no_life_and_what_the_movie_is():
    said = acknowledge(TurnReading("Have you seen Misery (1990)", asked_about=MISERY))
    assert said.startswith(tuple(a for _, answers in ABOUT_ME for a in answers))
    assert "Misery (1990) is a drama and thriller movie directed by Rob Reiner" in said
    assert about_me("What are you going to watch") is not None  # replayed ReDial test 21678 got only a pick


def test_a_kind_question_without_an_article_is_answered():
    # replayed ReDial test 22915: "was Veronica (1972) also horror?" got a pick and no answer
    veronica = Movie("5", "Veronica (1972)", 1, info={"genre": ["drama"]})
    reading = TurnReading("I haven't seen Veronica (2017) was Veronica (1972) also horror?", asked_about=veronica)
    assert answer_question(reading) == "No, Veronica (1972) is not a horror movie: it's a drama movie."


def test_a_plot_question_may_name_the_movie_and_a_movie_coming_out_asks_no_year():
    assert question_topic("What is The Lucky One (2012) about?") == "plot"  # replayed ReDial valid 14193: no answer
    assert question_topic("What is your favorite movie about time travel?") is None
    # replayed ReDial valid 10457, of a video game: "Hannibal came out in 2001."
    assert question_topic("Oh yes, heard of that. Didn't a movie come out about that?") is None
    assert question_topic("When did it come out?") == question_topic("Has it come out yet?") == "year"


def test_questions_read_from_more_validation_chats():
    assert user_act("Thanks so for your time") == "goodbye"  # replayed ReDial valid 13816 got a new pick
    # replayed ReDial valid 4322 and 16239: a pick and no answer
    said = "I havent't seen Hush (2016) yet Who's in that one? That sounds like a movie I would get into"
    assert user_act(said) == "question" and question_topic(said) == "cast"
    assert question_topic("What type of movie is that?") == "genre"


def test_closings_read_from_more_validation_chats():
    # replayed ReDial valid 15458, 3958 and 6965: each got a new pick
    assert user_act("Well, thanks you for help") == "goodbye"
    assert user_act("no i think i am good with those thank you") == "goodbye"
    assert user_act("I'm good with horror though") == "statement"
    assert user_act("Sure, I'm fine with that. What else?") == "question"
    assert user_act("That's good enough, any more like it?") == "question"
    assert closes_with_thanks(TurnReading("awesome ill have to check it out thanks"))
    assert not closes_with_thanks(TurnReading("thanks, I'll watch it. Anything else?"))


def test_more_closings_and_questions_from_validation_chats():
    assert user_act("Thank you for all of the wonderful suggestions!") == "goodbye"  # valid 15046: a new pick
    assert user_act("Ohh those are good enough, thank you!") == "goodbye"  # valid 18116: a new pick
    assert closes_with_thanks(TurnReading("Thank you! Great!"))  # valid 9935: a new pick
    assert acknowledge(TurnReading("I am, thanks. I hope you are as well.")) == "Glad to hear it!"  # "Happy to help!"
    assert question_topic("Did it get good reviews?") == "quality"
    # valid 15830: "Is The Dark Knight (2008) the film with Heath Ledger?" was read as a request for him
    knight = Movie("6", "The Dark Knight (2008)", 9, info={"star": ["Christian Bale", "Heath Ledger"]})
    reading = TurnReading(
        "Is The Dark Knight (2008) the film with Heath Ledger?",
        asked_about=knight,
        asked_people=(("Heath Ledger", "star"),),
    )
    assert answer_question(reading) == "Yes, Heath Ledger is in The Dark Knight (2008)."


def test_thanks_for_those_and_appreciation_close_too():
    # replayed ReDial valid 13908 and 3561 got a new pick
    for text in ("Okay, well thanks for those", "thank you so much i appriciate it!", "Thanks, I really appreciate it"):
        assert closes_with_thanks(TurnReading(text)), text
    assert not closes_with_thanks(TurnReading("thanks for that, anything else?"))


def test_which_is_better_compares_the_two_suggestions_without_a_verdict():
    # a replayed ReDial test turn answered "which do you think is better?" with a third pick
    assert question_topic("which do you think is better?") == "compare"
    assert question_topic("Which one would you pick?") == "compare"
    assert question_topic("Which one is scarier?") == "compare"
    assert question_topic("Which one has Stephen King in it?") != "compare"
    reading = TurnReading("which do you think is better?", asked_about=MISERY, compared=(MISERY, BARE))
    said = answer_question(reading)
    assert said.startswith("I can't say which you'd enjoy more")
    assert "Misery (1990) is a drama and thriller movie" in said and "I know little about Obscure (1950)" in said
    # with one movie on the table it is a question about that one
    alone = answer_question(TurnReading("which do you think is better?", asked_about=MISERY))
    assert alone.startswith("I can't rate it for you")


def test_is_it_like_another_movie_is_answered_by_what_they_share():
    # replayed ReDial valid 4520: "Is it like Moana (2016) in terms of feel good?" got a pick and no answer
    assert question_topic("Is it like Moana (2016) in terms of feel good?") == "likeness"
    said = answer_question(TurnReading("Is it like Misery?", asked_about=MISERY, compared=(MISERY, MISERY)))
    assert said.startswith("In some ways: Misery (1990) and Misery (1990) are both drama and thriller movies")
    assert answer_question(TurnReading("Is it like Obscure?", asked_about=MISERY, compared=(MISERY, BARE))).startswith(
        "Not by what I know of them: Misery (1990) is a drama and thriller movie"
    )


def test_a_turn_down_beside_a_movie_seen_and_liked_wishes_no_enjoyment_of_it():
    # an IARD reply: "I have seen Only You (1994) and enjoyed it but never seen Lionheart (1990). I'm not a big fan of
    # thriller movies." had been answered "… I hope you enjoy Only You (1994)!"
    reading = TurnReading(
        "I have seen Only You (1994) and enjoyed it but never seen Lionheart (1990). Not a big fan of thrillers.",
        turned_down=("Lionheart (1990)",),
        accepted=("Only You (1994)",),
        seen=("Only You (1994)",),
        liked_seen=("Only You (1994)",),
    )
    said = acknowledge(reading)
    assert "I hope you enjoy" not in said and said.endswith("Glad you enjoyed Only You (1994), though!")
    assert "I hope you enjoy" not in acknowledge(
        TurnReading("Loved it, thanks!", accepted=("Elf (2003)",), seen=("Elf (2003)",))
    )


def test_knowing_what_to_watch_closes_the_chat():
    # replayed ReDial test 21982 (2026-12-04 evening) got a new pick
    assert user_act("Those are all great suggestions, I know what to watch tonight now!") == "goodbye"
    assert user_act("I don't know what to watch tonight") != "goodbye"

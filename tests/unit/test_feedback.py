"""The feedback reader without a trained model: cue rules, targets marked in the input, real ReDial/IARD examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import ecr_agent.feedback
from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.data.redial import MOVIE_MENTION, split_of
from ecr_agent.feedback.dataset import (
    OTHER,
    TARGET,
    TEST_AUDIT_FILE,
    TRAIN_AUDIT_FILE,
    LinkedTurn,
    audited_iard_examples,
    audited_test_examples,
    audited_train_examples,
    feedback_items,
    iard_examples,
    mention_spans,
    questionnaire_examples,
    redial_turns,
    single_suggestion_items,
    target_clause,
)
from ecr_agent.feedback.evaluation import (
    AGREEMENT_FILES,
    annotator_agreement,
    binary_scores,
    emotion_rule_verdicts,
    is_rejection,
    score_verdicts,
)
from ecr_agent.feedback.reader import (
    DialogueFeedback,
    FeedbackReader,
    MovieFeedback,
    rule_settles,
    verdicts_from_probabilities,
)
from ecr_agent.feedback.rules import cues, rule_verdict
from ecr_agent.types import ChatTurn


@pytest.fixture(scope="module")
def linker(paths):
    from ecr_agent.linking import EntityLinker

    return EntityLinker.load(paths)


@pytest.fixture(scope="module")
def rules(linker) -> FeedbackReader:
    return FeedbackReader.rules(linker)


def test_public_api_is_pinned():
    expected = ["DialogueFeedback", "FeedbackReader", "MovieFeedback"]
    assert sorted(ecr_agent.feedback.__all__) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "seen", "not_seen", "negative", "positive"),
    [
        ("I've seen it and loved it", True, False, False, True),
        ("I haven't seen it, sounds good!", False, True, False, True),
        ("Not a fan of MovieX", False, False, True, False),
        ("Hitchcock never disappoints", False, False, False, True),  # praise by denying a negative
        ("You can't go wrong with MovieX", False, False, False, True),
        ("It was disappointing", False, False, True, False),
        ("Is it interesting?", False, False, False, False),  # a question: the good word asks
        ("nah too sappy", False, False, True, False),
        ("It's a bit too predictable", False, False, True, False),
        ("Me too, that's too funny", False, False, False, True),
        ("Is it good? Sounds great!", False, False, False, True),
        ("I didn't really like it", True, False, True, False),  # a past liking denied: they know the movie
        ("I have. Did a binge to prepare for it", True, False, False, False),
        ("I did see that one", True, False, False, False),
        ("haha I will definitely have to watch that one!", False, False, False, True),  # takes it up, has not seen it
        ("I have't seen that. I'll check it out.", False, True, False, True),
        ("I saw the trailer and didn't like it", True, True, True, False),  # not seen wins in rule_verdict
        ("I don’t like horror", False, False, True, False),  # curly apostrophe
        ("I'll check it out, thanks", False, False, False, True),
        ("Saw it, hated it.", True, False, True, False),
        ("One of my favorites, can't wait for the sequel", True, False, False, True),
        ("I think I'm going to add MovieX to my list of movies", False, False, False, True),
        # replayed ReDial test 21785 and 22632
        ("I have seen both of those! Those are exactly the kind of movie I'm looking for!", True, False, False, True),
        ("Nope not in Marvel so no MovieX", False, False, True, False),
        ("lol already seen that too. something older maybe, like 80s?", True, False, False, False),  # a played chat
        ("I haven't seen that one, but I've been meaning to for years!", False, True, False, True),  # audited train
        ("No I haven't, adding it to my list!", False, True, False, True),
        ("I have not seen MovieX I think I will give that one a try!", False, True, False, True),  # 21701
        ("Haven't seen that one. But will give it a go.", False, True, False, True),
        ("I don't care much for comic book movies though. I want to go to the theater.", False, False, True, False),
        # the audited train replies the reader missed (2026-12-02 15:00), and two that are no critique
        ("i kind of avoid DC movies since Nolan left", False, False, True, False),
        ("Rotten Tomatoes kept me away", False, False, True, False),
        ("Those two movies aren't really thrillers.", False, False, True, False),
        ("I wasnt a very big fan of MovieX", False, False, True, False),
        ("No, I'm really really tired of remakes", False, False, True, False),
        ("That movie was strange atleast in my opinion", False, False, True, False),
        ("I love ghostbusters I never get tired of it", True, False, False, True),
        ("Oh yes, that was weird though", False, False, False, False),
        ("I have heard of it but I don't think he seen that one.", False, True, False, False),  # replayed 21387
        ("So many good part twos coming out", False, False, False, False),  # other movies' good word
        # the audited validation replies the reader missed or misread (2026-12-03)
        ("yes ive watched that one not too long ago", True, False, False, False),
        ("Im really not too picky as long as the movie has a good plot", False, False, False, True),
        ("yes i have seen it but it is not that good", True, False, True, False),
        ("I never did watch that one!", False, True, False, False),
        ("That was a good one They don't make movies like that anymore.", True, False, False, True),
        ("They didn't really enthuse me.", False, False, True, False),
        ("I heard mixed reviews so I'm going to hold off on seeing it", False, False, True, False),
        ("I am not sure about MovieX. It didn't seem to be for me.", False, False, True, False),
        ("Pff..", False, False, True, False),
        ("not too keen on that", False, False, True, False),
        ("ok we'll go with that", False, False, False, True),  # a scripted chat, 2026-12-03
        ("haha ok that works", False, False, False, True),
        ("your suggestions are bad", False, False, True, False),  # a scripted chat, 2026-12-03
        # asked of the recommender, not said of the user (a scripted chat, 2026-12-04, marked two movies seen)
        ("Have you seen it?", False, False, False, False),
        ("Have you seen it? I have!", True, False, False, False),
        ("Is it like MovieX?", False, False, False, False),  # whether the suggestion resembles it (2026-12-04)
        ("MovieX is good as well? What's that movie about?", False, False, False, False),  # an IARD reply, asking
        ("MovieX is good!", False, False, False, True),
        ("I saw Iron Man (2008) but not Thor. Was Thor any good?", False, True, False, False),  # IARD, titles typed
        ("Lady Bird (2017) is good as well? What's that movie about?", False, False, False, False),
        # a comparison, not a no: "It was okay, not as good as the book" (an IARD reply; reading "not as good as"
        # as a no, tried 2026-12-04, turned The Martian down there and was a wash on the validation audit)
        ("It was okay, not as good as the book.", True, False, False, False),
    ],
)
def test_cues(text, seen, not_seen, negative, positive):
    found = cues(text)
    assert (found.seen, found.not_seen, found.negative, found.positive) == (seen, not_seen, negative, positive)


def test_rule_verdict_reads_seen_where_the_reply_speaks_of_the_target():
    trailer = "I saw the trailer and didn't like it"
    assert rule_verdict(trailer, trailer, named=False).seen is False
    # a reply that does not name the target: "I liked MovieY" is about the other movie
    assert rule_verdict("Any movies like that?", f"I liked {OTHER}. Any movies like that?", named=False).seen is None
    # replayed ReDial valid 13076, after "Have you seen that one?" (Aladdin): said nothing of it
    superb = "I have and he certainly did a superb job with the voice too"
    verdict = rule_verdict(superb, superb, named=False, just_suggested=True)
    assert verdict.seen is True and verdict.accepted


@pytest.mark.parametrize(
    ("clause", "reply", "silent", "seen", "accepted"),
    [
        # replayed ReDial test 22632: "I liked Cocoon" answered "you need a movie now Grimm"
        (f"I liked {OTHER}", f"I liked {OTHER}", True, None, False),
        (f"I liked {OTHER} but it was long", f"I liked {OTHER} but it was long", True, None, False),  # no cue
        (f"I liked {OTHER} but it was too long", f"I liked {OTHER} but it was too long", False, None, False),
        (f"Yes! Cute movie. As good as {OTHER}", f"Yes! Cute movie. As good as {OTHER}", False, None, False),
        (f"yes, he loved that and also {OTHER}", f"yes, he loved that and also {OTHER}", False, True, True),
        (
            f"That one I have not seen, I also liked {OTHER}",
            f"That one I have not seen, I also liked {OTHER}",
            False,
            False,
            False,
        ),
        ("It was fun", f"I love {OTHER}. It was fun", False, True, True),
        # words after the other movie that ask for more like it say nothing of the target (replayed ReDial test 21692
        # marked Deadpool 2 taken up and seen)
        (
            f"I love {OTHER} , can you recommend anything like that?",
            f"I love {OTHER} , can you recommend anything like that?",
            True,
            None,
            False,
        ),
        ("Seen it though", f"I liked {OTHER}. Seen it though", False, True, False),
    ],
)
def test_a_reply_naming_other_movies_speaks_of_the_target_only_in_its_own_words(clause, reply, silent, seen, accepted):
    verdict = rule_verdict(clause, reply, named=False, just_suggested=True)
    assert (verdict.silent, verdict.seen, verdict.accepted) == (silent, seen, accepted)
    assert not verdict.turned_down
    assert rule_settles(verdict) is (False if silent else None)


@pytest.mark.parametrize(
    "reply",
    [
        "I've seen that one\n.Do you have one more?",
        "That's a TV show\nI'm looking for something more along the lines of a feature release",
        "I've seen it. it's a bit more of a teen movie than what I am after.",
        "I would like something more recent.",
        "lol no that's a kids movie",  # a scripted chat, after "like Toy Story but for adults"
        "More on the romantic side",  # audited validation replies
        "seen it already lol, wat else",  # a scripted chat took it up
        "i saw MovieY\nyes i have seen it\nwhich other ones would you recommend me?",
    ],
)
def test_a_reply_moving_on_from_the_suggestion_just_before_turns_it_down(reply):
    verdict = rule_verdict(reply, reply, named=False, just_suggested=True)
    assert verdict.turned_down and verdict.moved_on and not verdict.accepted
    # the same words about a movie suggested turns ago, or said with a good word for it, decline nothing
    assert not rule_verdict(reply, reply, named=False, just_suggested=False).turned_down
    liked = f"Sounds good! {reply}"
    assert not rule_verdict(liked, liked, named=False, just_suggested=True).turned_down
    named = f"MovieX is more what I'm after. {reply}"
    assert not rule_verdict(named, named, named=True, just_suggested=True).moved_on


@pytest.mark.parametrize(
    "reply",
    [
        "ugh\npass",
        "No thank you",
        "No I will not watch that ever",
        "not one of my favorites though",
        "I don't think it is my cup of tea",
        "a little too slapstick for me",
        "That one sucked",  # the audited train replies, 2026-12-01 11:50 UTC
        "Well I tried I was so lost those movies made no sense to me",
        "but their movies have been hot garbage",
        "I disagree, MovieX not so much",
        "did't love that one",
    ],
)
def test_more_ways_to_say_no(reply):
    assert cues(reply).negative
    assert not cues("It really sucked me in, loved it").negative


def test_a_bare_no_turns_down_an_offer_but_only_says_not_seen_to_a_question():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.reader import item_rule_verdict

    def verdict(suggestion: str, reply: str):
        return item_rule_verdict(FeedbackItem("1", "suggested", 2, reply, reply, suggestion, False, False, reply))

    assert verdict("ok, how about MovieX", "lol no").turned_down  # the audited train replies
    assert verdict("HOW ABOUT THIS MOVIE? MovieX", "No, not at all.").turned_down
    assert verdict("You might like MovieX", "Nope.").said_no
    assert not verdict("Have you seen MovieX?", "no").turned_down
    assert verdict("Have you seen MovieX?", "no").seen is False
    assert not verdict("How about MovieX? Have you seen it?", "no").turned_down
    assert not verdict("How about MovieX", "no, but it sounds fun").turned_down  # more than a bare no


def test_seen_it_alone_says_seen_and_nothing_more():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.reader import item_rule_verdict

    def verdict(reply: str):
        return item_rule_verdict(FeedbackItem("1", "suggested", 2, reply, reply, "Try MovieX", False, False, reply))

    # a scripted chat: the head took "seen it" for liking the movie, so the ranker counted it among the likes
    for reply in ("seen it", "I've already seen that one.", "Yeah watched it"):
        found = verdict(reply)
        assert (found.seen, found.seen_only, found.accepted, found.turned_down) == (True, True, False, False), reply
    assert verdict("seen it, loved it").accepted
    assert verdict("seen it already lol, wat else").moved_on
    assert verdict("seen it, another one").moved_on  # a scripted chat took Inside Out up on it


def test_a_no_that_asks_for_something_else_moves_on():
    # "no, something actually good" after a pick: the scripted chat read nothing and said nothing of it
    for reply in ("no, something actually good", "Nope, anything else?", "no. something different"):
        assert cues(reply).moves_on, reply
    assert not cues("no, I haven't seen it").moves_on


def test_a_yes_no_question_about_the_movie_is_no_critique():
    for reply in ("is it too scary for a 6 year old?", "Isn't that one too long?"):
        assert not rule_verdict(reply, reply, named=False, just_suggested=True).said_no, reply
    said = "It's too scary. Is there another?"
    assert rule_verdict(said, said, named=False).said_no


def test_i_could_try_it_takes_the_pick_up_whatever_the_head_says():
    # replayed ReDial test 20850: the head left Nutcracker (1982) open after "I guess i could try it."
    for reply in ("I guess i could try it.", "we might watch that"):
        assert rule_verdict(reply, reply, named=False, just_suggested=True).takes_it_up, reply
    # replayed ReDial valid 4008: "I haven't seen The Princess Bride (1987). I will have to watch it!" took nothing up
    said = "I haven't seen MovieX. I will have to watch it!"
    assert rule_verdict(said, said, named=True).takes_it_up
    said = "I think I'm going to show them MovieX."  # replayed ReDial valid 10711 got a new pick and no word for it
    assert rule_verdict(said, said, named=True).takes_it_up
    assert not rule_verdict("could you try another?", "could you try another?", named=False).takes_it_up


def test_sounds_cute_takes_the_pick_up():
    # a played chat (date night): "ok that one sounds cute" got no acknowledgement
    for reply in ("ok that one sounds cute", "sounds really lovely", "that sounds promising"):
        assert rule_verdict(reply, reply, named=False, just_suggested=True).accepted, reply


def test_thanks_for_asking_how_i_am_takes_nothing_up():
    for reply in ("I'm good, thanks for asking!", "Doing well thanks. Got any thrillers?"):
        assert not rule_verdict(reply, reply, named=False, just_suggested=True).accepted, reply
    assert rule_verdict("Great, thanks!", "Great, thanks!", named=False, just_suggested=True).accepted


def test_a_concession_about_the_chat_takes_nothing_back():
    reply = "Lol No thanks my platoon would hate it. I have to go, but this was fun."
    assert rule_verdict(reply, reply, named=False, just_suggested=True).said_no


def test_rule_verdict_reads_the_clause_of_a_named_target():
    verdict = rule_verdict(clause="I hated MovieX", reply="I love MovieY. I hated MovieX", named=True)
    assert verdict.turned_down and not verdict.accepted
    liked = rule_verdict(clause="I love MovieX", reply="I love MovieX. I hated MovieY", named=True)
    assert not liked.turned_down and liked.accepted


def test_marked_replaces_the_target_and_the_other_movies():
    turn = LinkedTurn("user", "I love @111 but not @222", mention_spans("I love @111 but not @222"))
    assert turn.marked("111") == f"I love {TARGET} but not {OTHER}"
    assert turn.marked("222") == f"I love {OTHER} but not {TARGET}"
    assert turn.movies == ("111", "222")


def test_target_clause_keeps_the_target_clause_and_what_follows_it():
    assert target_clause(f"I love {OTHER}, but I hated {TARGET}") == f"I hated {TARGET}"
    assert (
        target_clause(f"I have seen {TARGET}. But I did not like it") == f"I have seen {TARGET} But I did not like it"
    )
    # a reply that does not name the target: the clauses that name no other movie
    assert target_clause(f"{OTHER} is my favourite. No, I don't like that one") == "No, I don't like that one"
    # a title alone after a comma takes the words before it (replayed ReDial test 20387 read 22 Jump Street as seen)
    said = f"I have seen that movie. I have yet to watch the next one though, {TARGET}."
    assert "yet to watch" in target_clause(said)
    assert target_clause(f"I loved {OTHER}. {TARGET}") == f"{TARGET}"  # not another movie's words


def test_asking_for_movies_like_the_target_likes_it_and_you_liked_is_the_assistants_taste():
    # replayed ReDial test 20392: "I dont like the movie get out" (unlinked) had turned Titanic down
    said = f"Something like the {TARGET} Or {OTHER} I dont like the movie get out"
    verdict = rule_verdict(said, said, named=True)
    assert verdict.accepted and not verdict.turned_down and verdict.wants_more_like
    said = f"Something like {OTHER} Or {TARGET}"
    assert rule_verdict(said, said, named=True).wants_more_like
    # replayed ReDial test 22152: "similar to" asks the same
    said = f"Do you know of any movies similar to {TARGET} that I might like I'm not so much into teenage movies"
    verdict = rule_verdict(said, said, named=True)
    assert verdict.wants_more_like and not verdict.turned_down
    for said in (f"But we don't like movies like {TARGET}", f"Can't stand movies like {TARGET}"):
        assert rule_verdict(said, said, named=True).turned_down  # design-set replies: no request
    # replayed ReDial test 23055: "you liked them?" asks about the assistant's taste
    said = "I actually haven't seen any of those you liked them?"
    verdict = rule_verdict(said, said, named=False)
    assert not verdict.accepted and verdict.seen is False


def test_feedback_items_pair_a_reply_with_the_suggestion_before_it():
    turns = redial_turns(
        [
            ("seeker", "I liked @1"),
            ("recommender", "If you liked @1, try @2"),
            ("recommender", "or @3"),
            ("seeker", "Seen @3, not a fan"),
        ]
    )
    assert [t.role for t in turns] == ["user", "assistant", "user"]
    items = {(i.turn_index, i.movie_id): i for i in feedback_items(turns)}
    assert set(items) == {(0, "1"), (2, "2"), (2, "3")}  # @1 was named by the user: no feedback asked again
    assert items[(0, "1")].source == "named" and items[(0, "1")].suggestion == ""
    three = items[(2, "3")]
    assert three.source == "suggested" and three.named and three.reply == f"Seen {TARGET}, not a fan"
    assert TARGET in three.suggestion and "@" not in three.suggestion
    two = items[(2, "2")]
    assert not two.named and two.others == 1 and two.reply == f"Seen {OTHER}, not a fan"


def test_questionnaire_examples_use_the_validation_split_and_mark_targets(paths):
    examples = questionnaire_examples("valid", paths, limit=15)
    assert examples and {split_of(e.conversation_id) for e in examples} == {"valid"}
    for example in examples:
        item = example.item
        assert not MOVIE_MENTION.search(item.reply) and not MOVIE_MENTION.search(item.suggestion)
        assert (TARGET in item.reply) == item.named
        if item.source == "suggested":
            assert TARGET in item.suggestion
        assert example.liked in (0, 1, 2) and example.seen in (0, 1, 2)
    train = questionnaire_examples("train", paths, limit=15)
    assert not {e.conversation_id for e in train} & {e.conversation_id for e in examples}


def test_iard_examples_label_single_suggestions(paths):
    examples = iard_examples(paths)
    assert len(examples) > 400
    assert all(e.item.source == "suggested" and TARGET in e.item.suggestion for e in examples)
    assert sum(e.turned_down for e in examples) > 50
    assert sum(e.turned_down for e in iard_examples(paths, broad=True)) > sum(e.turned_down for e in examples)


def test_the_audit_labels_every_iard_item(paths):
    intents, audited = iard_examples(paths), audited_iard_examples(paths)
    assert [e.item for e in audited] == [e.item for e in intents]
    assert all(not (e.turned_down and e.accepted) for e in audited)
    assert all(e.seen in (0, 1, 2) for e in audited)
    rejected = [a.turned_down for a, i in zip(audited, intents, strict=True) if i.turned_down]
    assert sum(rejected) / len(rejected) > 0.8  # mostly agrees with IARD's REJ (and adds refusals IARD calls CRI-F)


def test_a_reply_answers_the_new_pick_not_the_movie_the_turn_acknowledges():
    turns = redial_turns(
        [
            ("seeker", "Any horror?"),
            ("recommender", "Try @2"),
            ("seeker", "Seen @2, loved it"),
            ("recommender", "Glad you enjoyed @2! You might enjoy @3"),
            ("seeker", "Not a fan of that"),
            ("recommender", "Then @2 again?"),
            ("seeker", "no"),
        ]
    )
    about = {i.turn_index: [] for i in feedback_items(turns)}
    for item in feedback_items(turns, newest_suggestions=True):
        about[item.turn_index].append(item.movie_id)
    assert about == {2: ["2"], 4: ["3"], 6: ["2"]}  # a turn that brings up nothing new still asks about what it names
    assert [i.movie_id for i in feedback_items(turns) if i.turn_index == 4] == ["2", "3"]


def test_single_suggestion_items_skip_replies_to_two_suggestions():
    turns = redial_turns(
        [
            ("seeker", "Any comedy like @1?"),
            ("recommender", "Try @2"),
            ("seeker", "Not a fan"),
            ("recommender", "Then @3 or @4"),
            ("seeker", "No thanks"),
            ("recommender", "Like @1, @5 is fun"),
            ("seeker", "ok"),
        ]
    )
    chosen = [(i.turn_index, i.movie_id) for i in single_suggestion_items(turns)]
    assert chosen == [(2, "2"), (6, "5")]  # "No thanks" could be about @3 or @4; @1 is the user's


def test_the_test_audit_labels_test_replies_only(paths):
    audited = audited_test_examples(paths)
    assert len(audited) == len(TEST_AUDIT_FILE.read_text().splitlines())  # every label found its item
    assert not {e.conversation_id for e in audited} & {e.conversation_id for e in audited_iard_examples(paths)}
    assert all(not (e.turned_down and e.accepted) for e in audited)
    assert 10 < sum(e.turned_down for e in audited) < len(audited) / 4


def test_the_train_audit_labels_train_replies_never_validation_or_test(paths):
    audited = audited_train_examples(paths)
    assert len(audited) == len(TRAIN_AUDIT_FILE.read_text().splitlines())  # every label found its item
    assert {split_of(e.conversation_id) for e in audited} == {"train"}
    assert not {e.conversation_id for e in audited} & {e.conversation_id for e in audited_test_examples(paths)}
    assert all(not (e.turned_down and e.accepted) for e in audited)
    assert 50 < sum(e.turned_down for e in audited) < len(audited) / 4


def test_annotator_agreement_scores_the_second_annotation_against_the_first(tmp_path: Path):
    rows = [{"conversation_id": "1", "turn_index": i, "movie_id": "9", "seen": "yes"} for i in range(4)]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(json.dumps(r | {"turned_down": i < 2, "accepted": i >= 2}) for i, r in enumerate(rows)))
    second.write_text("\n".join(json.dumps(r | {"turned_down": i < 1, "accepted": i >= 1}) for i, r in enumerate(rows)))
    agreement = annotator_agreement(first, second)
    assert agreement["turned_down"]["precision"] == 1.0 and agreement["turned_down"]["recall"] == 0.5
    assert agreement["accepted"]["precision"] == 2 / 3 and agreement["seen_same"] == 1.0
    second.write_text("\n".join(json.dumps(r | {"movie_id": "8", "turned_down": 0, "accepted": 0}) for r in rows))
    with pytest.raises(ValueError, match="different items"):
        annotator_agreement(first, second)
    for pair in AGREEMENT_FILES.values():  # the shipped annotations label the same items
        assert annotator_agreement(*pair)["items"] > 500


def test_linked_titles_are_marked(linker):
    from ecr_agent.feedback.dataset import link_turn

    turn = link_turn(ChatTurn("user", "I loved Jeff Bridges in Tron: Legacy"), linker)
    assert len(turn.movies) == 1
    assert turn.marked(turn.movies[0]) == f"I loved Jeff Bridges in {TARGET}"


def test_rule_reader_does_not_apologise_for_a_binge(rules, linker):
    feedback = rules.read(
        [
            ChatTurn("user", "Any superhero movies?"),
            ChatTurn("assistant", "Have you seen Avengers: Infinity War?"),
            ChatTurn("user", "I have. Did a binge to prepare for Avengers: Infinity War"),
        ]
    )
    assert feedback.turned_down() == []
    assert [m.source for m in feedback.movies] == ["suggested"]


def test_a_title_chosen_from_an_offer_as_a_sentence_of_its_own_is_taken_up(rules, linker):
    # replayed ReDial validation 779: the full stop after "Kingsman" had been swallowed, so both were turned down
    feedback = rules.read(
        [
            ChatTurn("user", "I'm looking for a good action flick"),
            ChatTurn("assistant", "Kingsman: The Secret Service (2014) or Spider-Man: Homecoming (2017)?"),
            ChatTurn("user", "Kingsman. I dont care for superhero films"),
        ]
    )
    assert [linker.catalog[m].title for m in feedback.accepted()] == ["Kingsman: The Secret Service (2014)"]
    assert [linker.catalog[m].title for m in feedback.turned_down()] == ["Spider-Man: Homecoming (2017)"]


def test_asking_whether_the_suggestion_is_like_a_movie_takes_neither_up(rules, linker):
    for asked in ("is that anything like Titanic?", "Is it like Titanic?"):
        feedback = rules.read(
            [
                ChatTurn("user", "I want a thriller"),
                ChatTurn("assistant", "How about Gone Girl (2014)?"),
                ChatTurn("user", asked),
            ]
        )
        assert feedback.accepted() == [] and feedback.turned_down() == [], asked


def test_moving_on_turns_down_the_new_pick_only(rules, linker):
    feedback = rules.read(
        [
            ChatTurn("user", "I loved The Shining"),
            ChatTurn("assistant", "If you loved The Shining, try Misery."),
            ChatTurn("user", "I've seen that one. Do you have one more?"),
        ]
    )
    assert [linker.catalog[m].name for m in feedback.turned_down()] == ["Misery"]
    assert [m.moved_on for m in feedback.movies if m.turned_down] == [True]


def test_a_reply_answers_every_assistant_message_since_the_last_user_turn(rules, linker):
    feedback = rules.read(
        [
            ChatTurn("user", "Hi, how are you? I want a heist movie"),
            ChatTurn("assistant", "Have you seen Heat?"),
            ChatTurn("assistant", "I'm great, thanks for asking!"),
            ChatTurn("user", "No, I haven't. I really want to see it"),
        ]
    )
    latest = feedback.latest()
    assert [linker.catalog[f.movie_id].name for f in latest] == ["Heat"]
    assert latest[0].accepted and latest[0].seen is False and latest[0].turn_index == 3


def test_rule_reader_splits_a_turn_naming_two_movies(rules, linker):
    feedback = rules.read([ChatTurn("user", "I love The Shining, but I hated Titanic")])
    titles = {linker.catalog[m].name for m in feedback.turned_down()}
    assert titles == {"Titanic"}
    assert {linker.catalog[m].name for m in feedback.accepted()} == {"The Shining"}


def test_latest_verdicts_come_from_the_last_user_turn(rules):
    feedback = rules.read(
        [
            ChatTurn("user", "I hated Titanic"),
            ChatTurn("assistant", "How about Avatar?"),
            ChatTurn("user", "Haven't seen it, sounds good!"),
        ]
    )
    latest = feedback.latest()
    assert len(latest) == 1 and latest[0].turn_index == 2 and latest[0].accepted and latest[0].seen is False
    assert len(feedback.turned_down()) == 1 and feedback.turned_down() != [latest[0].movie_id]


def test_missing_or_corrupt_model_names_the_command(tmp_path: Path, data_dir: Path, linker):
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    with pytest.raises(StoreNotBuiltError, match="ecr train feedback"):
        FeedbackReader.load(paths, linker)
    directory = paths.model_dir("feedback")
    directory.mkdir(parents=True)
    (directory / "config.json").write_text("{}")
    (directory / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(StoreNotBuiltError, match="corrupt.*ecr train feedback"):
        FeedbackReader.load(paths, linker)


def test_binary_scores():
    scores = binary_scores([True, True, False, False], [True, False, True, False])
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5 and scores["support"] == 2
    assert binary_scores([False], [False])["f1"] == 0.0


def test_emotion_rule_baseline_reads_the_turn_and_the_clause(paths):
    examples = questionnaire_examples("valid", paths, limit=10)

    def all_negative(texts):
        return [{"negative": 0.9, "like": 0.1} for _ in texts]

    verdicts = emotion_rule_verdicts(examples, all_negative)
    for example, verdict in zip(examples, verdicts, strict=True):
        # a reply naming other movies but not this one never turns this one down
        expected = example.item.named or (example.item.others == 0 and bool(example.item.suggestion))
        assert verdict.turned_down == expected
    assert score_verdicts(verdicts, examples)["examples"] == len(examples)
    assert not is_rejection({"negative": 0.45, "like": 0.3}) and is_rejection({"negative": 0.6})


def test_words_against_the_target_settle_it_and_a_question_does_not():
    for reply in ("Sounds boring", "nah too sappy", "seen it. didn't really like it", "boring, but I love MovieY"):
        assert rule_verdict(reply, reply, named=False, just_suggested=True).said_no, reply
    assert not rule_verdict("Not bad, sounds good", "Not bad, sounds good", named=False).said_no
    asked = rule_verdict("Who wrote it?", "Who wrote it?", named=False, just_suggested=True)
    assert asked.asks and not asked.turned_down
    assert rule_settles(asked) is False and rule_settles(rule_verdict("nah", "nah", named=False)) is True
    assert rule_settles(rule_verdict("It has Tom Hanks", "It has Tom Hanks", named=False)) is None
    # replayed ReDial test 21012: the head turned down both movies the recommender had named
    conceded = "To be honest I never was a fan of any of it but I enjoy them now"
    took_back = rule_verdict(conceded, conceded, named=False, just_suggested=True)
    assert took_back.took_back and not took_back.turned_down and rule_settles(took_back) is False


@pytest.mark.parametrize(
    ("reply", "said_no"),
    [
        ("No, I haven't it sounds great", False),  # "haven't" is about having seen it, not a negation of "great"
        ("I have not I really want to but my fiance does not", False),
        ("Oh no i haven't is it good?", False),
        ("Nothing too serious for tonight. I'll check it out.", False),  # a wish, not a critique
        ("Yea but not as good as MovieY", False),  # a comparison
        ("I should watch MovieX! It's been too long!", False),
        ("I liked that one too much", False),
        ("Yeah, some scenes in it I didn't like, but overall pretty good", False),  # conceded
        ("That seems good. Who doesn't like gnomes?", False),  # rhetorical praise
        ("Yes I liked MovieY but I didn't like MovieY", False),  # about the other movies
        ("I'm not a big Vin Diesel fan, but I'll check out the others!", True),  # the concession is about others
        ("I have, but I'm actually not a Jim Carrey fan.", True),
        ("That one's great, but not what I'm in the mood for.", True),
        ("I have seen it, for whatever reason it does not interest me", True),
        ("It really wasn't my favorite.", True),
        ("That is a little young for them", True),
        ("I've seen that one too, it was a little vulgar for my taste.", True),
        # replayed ReDial tests 23145 and 22065 (2026-12-02): "too Hey" is no "too sappy"
        ("I liked that too Hey you too and thanks", False),
        ("Hmm they are good but not quite right I like cars a lot too", True),
        # audited validation replies (2026-12-03 night)
        ("No I didn't I saw the trailer and was afraid it would be like a musical", True),
        ("Any genre is great I am just bored watching Netflix\nI have seen that it is one of my favorites", False),
        ("I liked that movie, but I didn't exactly love it.", False),  # lukewarm
        ("I have not seen it either. It's one of the forgettable Marvel movies I guess. lol", True),
        ("its depressing", True),  # replayed ReDial valid 1107, after "what about Les Misérables (2012) ??"
        ("I thought it would be alot scarier than it was, which is a let down", True),  # replayed ReDial valid 4322
        ("Nolan never lets me down", False),
        ("300 was good too.\nI didn't really like the sequel", False),  # replayed ReDial valid 13905: another movie
        ("I love depressing movies", False),
        # audited IARD and train replies (2026-12-04)
        ("No, I haven't seen that. Haven't really wanted to. And never read the books", True),
        ("It was ok. Its not something i'd watch again.", True),
        ("I have seen some parts of this but I didn't continued watching so I probably lost my interest in it.", True),
        ("I haven't seen that one. I'm not sure if I really want to watch a cartoon though.", True),
        ("No. I'm not much of an Adam Sandler fan", True),
        ("I do not think she would be into that", True),
        (
            "Oh I watched that one. Not a huge fan of Katherine Heigel though. I really enjoy Sandra Bullock movies.",
            True,
        ),
        ("I haven't watched it again", False),
        # played chats (2026-12-04): a plot called weird; a mood, not a verdict
        ("sounds weird", True),
        ("I don't want to cry tonight", False),
        # IARD 19664 (the evening reply bench): took Wall Street up
        ("Not too sure about MovieX though, think i'll give it a pass.", True),
    ],
)
def test_what_says_no_to_the_target(reply, said_no):
    assert rule_verdict(reply, reply, named=False, just_suggested=True).said_no is said_no


@pytest.mark.parametrize(
    ("reply", "moved_on"),
    [
        ("I have seen\nOther?", True),  # seen it and asks for more: it does not fit
        # a good word, then a reason it does not fit (the audited train and validation replies turn these down)
        ("Great choice, but again I have seen it.  Anything newer?", True),
        ("something like MovieY\nI love that one, but want something newer", True),
        ("We do enjoy singing along with it, but I am looking for something new to us.", True),
        ("I liked it, but I'll check out the others too. Anything newer?", False),  # a good word after the concession
        ("Sounds great! Anything more?", False),  # collecting options
        # a wish, not a good word (audited train replies, 2026-12-03 night)
        ("I'm interested in more adult stuff.", True),
        ("lol, i like more movies like MovieY", True),
        ("looking for something romantic. not about a crazy clown", True),
        ("No, but btw, I'm looking for a mystery movie, do you know of any good ones?", True),
        ("That's more like it!", False),  # takes it up
        ("Not yet but I really want to see it.\nOne more suggestion please.", False),  # collecting options
        ("I have never seen that one.\nWhat else do you suggest?", False),
        ("Can you do one more example?", False),
        ("I really wanted something in the theaters this weekend.", True),
        ("Preferably, something that is not animated", True),
        ("I was looking for something I haven't seen before.", True),
        ("Also pretty old\nDo you know something more recent?", True),
        ("do you know of any more recent ones?", True),
        ("Is there movies more masculine?", True),  # audited IARD
        ("Hmm, might look into that.\nAnything a bit more indie or older you can recommend?", False),  # lukewarm
        # a reply naming another movie moves on in the words before it (audited train)
        ("What about something for fictional. Maybe science fiction. MovieY is nice.", True),
    ],
)
def test_what_moves_on_from_the_suggestion(reply, moved_on):
    assert rule_verdict(reply, reply, named=False, just_suggested=True).moved_on is moved_on


def test_a_named_suggestion_liked_then_a_concession_that_moves_on_moves_on():
    # replayed ReDial valid 4596: "Oh nice, you've already seen Moana (2016)!"
    reply = "I liked MovieX more than most disney offerings but I guess I was looking for Anime"
    clause = "I liked MovieX more than most disney offerings I guess I was looking for Anime"  # target_clause
    assert rule_verdict(clause, reply, named=True, just_suggested=True).moved_on
    assert not rule_verdict(clause, reply, named=True).moved_on  # a movie the user brought up: not a suggestion
    other = "MovieX was pretty good\nMovieY was visually beautiful but lost something from the original"
    assert not rule_verdict("MovieX was pretty good", other, named=True, just_suggested=True).moved_on


def test_seen_like_50_times_is_no_liking():
    # a scripted chat: "she already saw frozen like 50 times" got "Ah, Frozen (2013), good choice."
    verdict = rule_verdict("she already saw MovieX like 50 times", "she already saw MovieX like 50 times", named=True)
    assert verdict.seen and not verdict.accepted


def test_a_title_alone_picked_from_an_offer_takes_it_up(rules):
    # "Kingsman. I dont care for superhero films" after "Kingsman or Spider-Man: Homecoming?" turned both down
    # (replayed ReDial valid 779; there the short title "Kingsman" links nothing, so it is still misread)
    offer = [ChatTurn("user", "a comedy"), ChatTurn("assistant", "How about Elf (2003) or Step Brothers (2008)?")]
    verdicts = {
        m.movie_id: m for m in rules.read([*offer, ChatTurn("user", "Step Brothers! Not into Will Ferrell")]).movies
    }
    chosen = [m for m in verdicts.values() if m.chosen]
    assert len(chosen) == 1 and chosen[0].accepted and not chosen[0].turned_down
    one = [ChatTurn("user", "a comedy"), ChatTurn("assistant", "How about Step Brothers (2008)?")]
    assert not any(m.chosen for m in rules.read([*one, ChatTurn("user", "Step Brothers. Hated it")]).movies)


def test_thats_more_like_it_takes_the_pick_up():
    verdict = rule_verdict("That's more like it!", "That's more like it!", named=False, just_suggested=True)
    assert verdict.accepted and verdict.takes_it_up and not verdict.turned_down


def test_a_liking_said_of_the_named_movie_is_not_undone_by_words_before_it():
    # replayed ReDial valid 13564: "No problem, let's skip Saw (2004) and The Photographer (2000)"
    reply = "is good movie, but I do not like it so much it, is good I like MovieX and MovieY hat kind of movies?"
    clause = "I do not like it so much it, is good I like MovieX and MovieY hat kind of movies"
    assert not rule_verdict(clause, reply, named=True).turned_down
    assert rule_verdict("I do not like MovieX", "I do not like MovieX", named=True).turned_down
    assert rule_verdict("I dont like MovieX", "I dont like MovieX", named=True).turned_down


def test_the_audience_too_old_for_a_named_movie_turns_it_down():
    reply = "I was thinking something like MovieY . They are a bit old for MovieX"
    assert rule_verdict("They are a bit old for MovieX", reply, named=True).said_no


def test_sparing_clears_only_the_turn_down_of_the_movies_asked_for_more_of():
    down = MovieFeedback("1", "suggested", True, False, None, 2, 0.9, moved_on=True)
    other = MovieFeedback("2", "named", True, False, True, 0, 0.8)
    spared = DialogueFeedback((other, down)).sparing(["1"])
    assert spared.turned_down() == ["2"]
    assert spared.movies[1].p_turned_down == 0.9 and not spared.movies[1].moved_on


def test_the_head_may_not_take_up_a_movie_the_words_say_nothing_of_or_only_have_not_seen():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.model import FeedbackModelConfig

    def item(reply: str, named: bool = False) -> FeedbackItem:
        return FeedbackItem("1", "suggested", 2, reply, reply, "How about MovieX?", named, OTHER in reply, reply)

    # the head is sure of "accepted" and "seen" for every item
    replies = ["I liked MovieY", "No, I've never heard of that!", "I haven't seen it but I want to!", "Sounds fun"]
    items = [item(reply) for reply in replies]
    liked = torch.tensor([[0.05, 0.9, 0.05]] * len(items))
    seen = torch.tensor([[0.02, 0.97, 0.01]] * len(items))
    config = FeedbackModelConfig(accepted_threshold=0.5, turned_down_threshold=0.5, seen_threshold=0.9)
    verdicts = verdicts_from_probabilities(items, liked, seen, config)
    # replayed ReDial test 22632 ("I liked Cocoon" after "you need a movie now Grimm") and 20743
    assert [v.accepted for v in verdicts] == [False, False, True, True]
    assert [v.seen for v in verdicts] == [None, False, False, True]
    # a played chat (2026-12-04): "Have you seen Hereditary?" asks the assistant, the head marked it seen
    asked = [FeedbackItem("1", "named", 2, "Have you seen MovieX?", "Have you seen MovieX", "", True, False, "")]
    verdict = verdicts_from_probabilities(asked, liked[:1], seen[:1], config)[0]
    assert verdict.seen is None


def test_a_bare_yes_or_no_to_have_you_seen_it_says_seen_or_not_and_nothing_more():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.model import FeedbackModelConfig

    # a scripted chat (2026-12-02): "yes" to "Have you seen Jumanji (2017)?" took it up ("I think you'll like it!")
    def item(reply: str, suggestion: str) -> FeedbackItem:
        return FeedbackItem("1", "suggested", 2, reply, reply, suggestion, False, False, reply)

    items = [item("yes", "Have you seen MovieX? It's a comedy."), item("yes", "Try MovieX: it's a comedy.")]
    items.append(item("Yes! Loved it", "Have you seen MovieX?"))
    items.append(item("no", "Have you seen MovieX? It's an action movie."))  # the opening said nothing of it
    liked = torch.tensor([[0.7, 0.2, 0.1], [0.05, 0.9, 0.05], [0.05, 0.9, 0.05], [0.7, 0.2, 0.1]])
    seen = torch.tensor([[0.5, 0.3, 0.2]] * 4)
    config = FeedbackModelConfig(accepted_threshold=0.5, turned_down_threshold=0.5, seen_threshold=0.9)
    verdicts = verdicts_from_probabilities(items, liked, seen, config)
    assert [(v.turned_down, v.accepted, v.seen) for v in verdicts] == [
        (False, False, True),
        (False, True, None),  # a yes to an offer takes it up
        (False, True, True),
        (False, False, False),
    ]


def test_a_question_about_the_movie_does_not_take_it_up():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.model import FeedbackModelConfig

    # a scripted chat (2026-12-02): the head took "Is Shrek funny?" as liking Shrek
    def item(reply: str) -> FeedbackItem:
        return FeedbackItem("1", "suggested", 2, reply, reply, "How about MovieX?", True, False, reply)

    replies = ["Is MovieX funny?", "Is it scary?", "Loved MovieX! Is there a sequel?", "MovieX sounds good"]
    liked = torch.tensor([[0.05, 0.9, 0.05]] * len(replies))
    seen = torch.tensor([[0.3, 0.3, 0.4]] * len(replies))
    config = FeedbackModelConfig(accepted_threshold=0.5, turned_down_threshold=0.5, seen_threshold=0.9)
    verdicts = verdicts_from_probabilities([item(r) for r in replies], liked, seen, config)
    assert [v.accepted for v in verdicts] == [False, False, True, True]
    assert not any(v.turned_down for v in verdicts)


def test_a_no_before_saying_the_movie_was_seen_moves_on_from_it():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.model import FeedbackModelConfig

    # a scripted chat (2026-12-02): the head took Hook up, and the opening said "Ah, you've already seen Hook (1991)."
    def item(reply: str) -> FeedbackItem:
        return FeedbackItem(
            "1", "suggested", 2, reply, reply, "Have you seen MovieX? It's a family movie.", False, 0, reply
        )

    replies = ["No, they have seen that a hundred times", "No, I have seen it and loved it", "No, I haven't seen it"]
    items = [item(reply) for reply in replies] + [item("No, I've seen MovieY")]
    liked = torch.tensor([[0.05, 0.9, 0.05]] * len(items))
    seen = torch.tensor([[0.02, 0.97, 0.01]] * len(items))
    config = FeedbackModelConfig(accepted_threshold=0.5, turned_down_threshold=0.5, seen_threshold=0.9)
    verdicts = verdicts_from_probabilities(items, liked, seen, config)
    assert [v.turned_down for v in verdicts] == [True, False, False, False]
    assert not verdicts[0].accepted and verdicts[0].seen is True
    assert verdicts[0].moved_on  # no dislike: "no, already seen" got "Sorry Finding Nemo (2003) didn't work for you"


def test_a_title_with_its_year_is_marked_with_the_bracket(linker):
    from ecr_agent.feedback.dataset import link_turn

    # ECR's own replies write "Hook (1991)"; the marked text read "Have you seen MovieX)?"
    turn = link_turn(ChatTurn("assistant", "Have you seen Hook (1991)? It's a family movie."), linker)
    assert turn.marked(turn.movies[0]) == f"Have you seen {TARGET}? It's a family movie."


def test_a_kind_asked_for_is_no_praise_of_the_suggestion():
    # a scripted chat (2026-12-02): "something funny but also romantic" got "Wonderful, Thor: Ragnarok (2017) is a good
    # choice."
    assert not cues("something funny but also romantic").positive
    assert not cues("anything good on netflix?").positive
    assert cues("that one was funny").positive and cues("Sounds good, anything else?").positive


def test_what_about_something_else_moves_on():
    # a scripted chat (2026-12-02): "ok what about something with Tom Hanks" after The Avengers got "Fair enough, The
    # Avengers (2012) isn't for everyone."
    said = "ok what about something with Tom Hanks"
    verdict = rule_verdict(said, said, named=False, just_suggested=True)
    assert verdict.moved_on and verdict.turned_down and not verdict.said_no
    said = "What about MovieX, is it good?"
    assert not rule_verdict(said, said, named=True, just_suggested=True).moved_on


def test_a_reply_that_takes_the_suggestion_up_is_accepted_whatever_the_head_says():
    from ecr_agent.feedback.dataset import FeedbackItem
    from ecr_agent.feedback.model import FeedbackModelConfig

    def item(reply: str) -> FeedbackItem:
        return FeedbackItem("1", "suggested", 2, reply, reply, "You might enjoy MovieX.", False, OTHER in reply, reply)

    # scripted chats of 2026-12-02: the head gave "Sounds good" p = 0.47 and the opening said nothing of the movie
    replies = ["Sounds good", "I'll check it out, thanks", "Perfect, thank you so much", "Thanks, bye", "Nice"]
    replies += ["MovieY sounds perfect", "Sounds good but I've seen it and hated it"]
    replies += ["Oh I haven't seen Nice Guys will look into it"]  # replayed ReDial test 22073 said nothing of it
    items = [item(reply) for reply in replies]
    liked = torch.tensor([[0.06, 0.46, 0.48]] * len(items))
    seen = torch.tensor([[0.5, 0.3, 0.2]] * len(items))
    config = FeedbackModelConfig(accepted_threshold=0.5, turned_down_threshold=0.5, seen_threshold=0.9)
    accepted = [v.accepted for v in verdicts_from_probabilities(items, liked, seen, config)]
    assert accepted == [True, True, True, False, False, False, False, True]


def test_a_fault_found_with_a_genre_the_suggestion_is_not_does_not_turn_it_down(rules):
    # a scripted chat (2026-12-02): "she doesn't like horror" after Black Panther got "No problem, let's skip Black
    # Panther (2018)."
    def down(suggestion: str, said: str) -> list[bool]:
        turns = [ChatTurn("user", "a movie tonight"), ChatTurn("assistant", suggestion), ChatTurn("user", said)]
        return [m.turned_down for m in rules.read(turns).latest()]

    assert down("How about Black Panther (2018)?", "she doesn't like horror") == [False]
    assert down("How about It (2017)?", "she doesn't like horror") == [True]
    assert down("How about Black Panther (2018)?", "I don't like superhero movies") == [True]  # not checkable
    assert down("How about Black Panther (2018)?", "not my thing, I hate romantic comedies") == [True]
    # the audited train replies: the genres the user likes are no fault
    assert down("How about Peter Rabbit (2018)?", "That is a little young for them, they do like action/sci-fi") == [
        True
    ]
    # audited validation reply: the metadata calls La La Land "music", and the user fears a musical
    assert down("Did you see La La Land (2016)?", "No I saw the trailer and was afraid it would be like a musical") == [
        True
    ]


def test_a_fault_found_with_a_genre_the_named_movie_is_turns_it_down(rules):
    # audited validation reply: "I'm not big on horror" beside "I've never seen It" turns the horror movie down
    def down(suggestion: str, said: str) -> list[bool]:
        turns = [ChatTurn("user", "a movie tonight"), ChatTurn("assistant", suggestion), ChatTurn("user", said)]
        return [m.turned_down for m in rules.read(turns).latest()]

    assert down("Have you seen It (2017)?", "Not so much horror. I'm not big on horror. I've never seen It (2017)") == [
        True
    ]
    assert down("Have you seen Coco (2017)?", "I'm not big on horror. I've never seen Coco (2017)") == [False]
    # replayed ReDial test 22380: the fault is the suggestion's, and the named comedy is asked about
    said = "I don't really think I like that type of humor. I saw bits of it on tv Have you seen Tropic Thunder (2008)"
    turns = [ChatTurn("user", "hi"), ChatTurn("assistant", "How about Ghostbusters (2016)?"), ChatTurn("user", said)]
    read = {rules.linker.catalog[m.movie_id].title: m.turned_down for m in rules.read(turns).latest()}
    assert read == {"Tropic Thunder (2008)": False, "Ghostbusters (2016)": True}
    # IARD 10600 (the evening reply bench): the one musical the user likes is spared
    said = "I don't really like musicals very much. The only one I like is Grease (1978)"
    turns = [
        ChatTurn("user", "something fun"),
        ChatTurn("assistant", "Have you seen Coco (2017)?"),
        ChatTurn("user", said),
    ]
    grease = [m for m in rules.read(turns).latest() if rules.linker.catalog[m.movie_id].title == "Grease (1978)"]
    assert grease and not grease[0].turned_down and grease[0].accepted
    assert down("Have you seen It (2017)?", "If not horror you know any good comedies? Haven't seen It (2017)") == [
        False
    ]


@pytest.mark.parametrize("reply", ["yess ilove it", "i go watch it", "I'll go see it", "ok we'll try it", "great"])
def test_plain_and_run_together_words_take_the_pick_up(reply):
    # replayed ReDial test 22638 read nothing of either
    assert rule_verdict(reply, reply, named=False, just_suggested=True).accepted


def test_hearing_that_a_movie_was_good_is_not_having_seen_it():
    # IARD 19664 (the evening reply bench)
    assert not cues("I heard that MovieX was good. Think I'll try that one.").seen
    assert cues("MovieX was good.").seen


def test_a_movie_we_do_not_know_is_another_movie_not_the_pick(rules):
    # a played chat (2026-12-04): "I loved Knives Out" (2019) took It (2017) up, and the ranker then offered horror
    def read(said: str) -> list[tuple[bool, bool | None]]:
        turns = [ChatTurn("user", "something"), ChatTurn("assistant", "I'd suggest It (2017)."), ChatTurn("user", said)]
        return [(m.accepted, m.seen) for m in rules.read(turns).latest()]

    assert read("I loved Knives Out") == [(False, None)]
    assert read("I loved it") == [(True, True)]


def test_taking_a_pick_up_in_the_words_before_another_movie(rules):
    # replayed ReDial test 21410: "Good choices!" after two suggestions, before asking about a third movie
    turns = [
        ChatTurn("user", "I love 80s films"),
        ChatTurn("assistant", "How about Rain Man (1988) or Back to the Future (1985)?"),
        ChatTurn("user", "I haven't seen either. Good choices! Do you like The Breakfast Club (1985)?"),
    ]
    read = {m.movie_id: m for m in rules.read(turns).latest()}
    titles = {rules.linker.catalog[m].title: v for m, v in read.items()}
    assert titles["Rain Man (1988)"].accepted and titles["Back to the Future (1985)"].accepted
    assert titles["Rain Man (1988)"].seen is False


def test_a_fault_found_with_someone_not_in_the_suggestion_does_not_turn_it_down(rules, linker):
    # a played chat: "Fair enough, The Game (1997) isn't for everyone" answered a dislike of Jake Gyllenhaal
    def down(said: str) -> list[bool]:
        suggestion = "Have you seen The Game (1997)? It is directed by David Fincher."
        turns = [ChatTurn("user", "a thriller"), ChatTurn("assistant", suggestion), ChatTurn("user", said)]
        return [m.turned_down for m in rules.read(turns).latest()]

    assert down("Hmm I don't really like Jake Gyllenhaal") == [False]
    assert down("Hmm I don't really like Michael Douglas") == [True]  # he stars in it
    assert down("not a fan of that one") == [True]


def test_a_fault_found_with_someone_spares_a_movie_the_kg_lacks_too(rules, linker):
    # a scripted chat: "hmm I don't like Adam Sandler" turned down Jumanji (2017), which has no KG entity
    suggestion = "Try Jumanji (2017): it's a comedy and action movie directed by Jake Kasdan."
    turns = [ChatTurn("user", "cheer me up"), ChatTurn("assistant", suggestion)]
    read = rules.read([*turns, ChatTurn("user", "hmm I don't like Adam Sandler")]).latest()
    assert [m.turned_down for m in read] == [False]
    read = rules.read([*turns, ChatTurn("user", "hmm I don't like Dwayne Johnson")]).latest()
    assert [m.turned_down for m in read] == [True]  # he stars in it (the metadata says so)


def test_turned_down_threshold_is_a_model_score_below_one_even_when_only_rules_call_turned_down():
    from ecr_agent.feedback.training import best_threshold, model_thresholds

    # Two items the words settle (1.0 turned down, 0.0 not) and three the model scores; only the settled one is down.
    scores = torch.tensor([0.9, 0.1, 0.2, 0.4, 0.3])
    settled = [True, False, None, None, None]
    down_scores = [1.0, 0.0, 0.2, 0.4, 0.3]
    candidates = model_thresholds(scores, settled)
    threshold = best_threshold(down_scores, [True, False, False, False, False], candidates=candidates)
    assert 0.4 < threshold < 1.0
    # When the model does find one, its score is the threshold.
    assert best_threshold(down_scores, [True, False, False, True, False], candidates=candidates) == pytest.approx(0.4)


def test_doubting_having_seen_it_is_not_seen_and_planning_to_find_it_takes_it_up():
    # replayed ReDial test 22844 said "Ah, you've already seen The Town (2010)."
    for reply in ("hmm I don’t belive I seen MovieX", "I don't believe I've ever seen it", "I don't recall I saw it"):
        assert rule_verdict(reply, reply, named="MovieX" in reply, just_suggested=True).seen is False, reply
    # replayed ReDial tests 22364 and 20906: the pick was taken up without a word for it
    for reply in ("I have to look for that one.", "Ok I can try it."):
        assert rule_verdict(reply, reply, named=False, just_suggested=True).accepted, reply
    assert not rule_verdict("I need to find something else", "", named=False, just_suggested=True).accepted


def test_not_remembering_whether_one_saw_it_says_neither():
    # replayed ReDial valid 13544 said "Ah, you've already seen Bridesmaids"
    reply = "I can't remember if I've seen that."
    assert rule_verdict(reply, reply, named=False, just_suggested=True).seen is None


def test_a_denied_bad_is_praise():
    # IARD 11372: "It doesn't sound too bad." got "Sorry Hot Fuzz (2007) didn't work for you."
    for reply in ("It doesn't sound too bad.", "not bad at all", "It wasn't that bad"):
        verdict = rule_verdict(reply, reply, named=False, just_suggested=True)
        assert not verdict.turned_down and verdict.accepted, reply

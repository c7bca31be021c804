from __future__ import annotations

import pytest

from ecr_agent.config import DataNotFoundError, Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import Feedback, load_dialogues, parse_dialogue, render_mentions, split_of
from ecr_agent.data.samples import build_samples, merge_turns


@pytest.fixture(scope="module")
def dialogue_20001(paths):
    return next(d for d in load_dialogues("test", paths) if d.conversation_id == "20001")


def test_split_sizes_and_disjointness(paths):
    train, valid, test = (load_dialogues(s, paths) for s in ("train", "valid", "test"))
    assert len(train) + len(valid) == len(load_dialogues("train_full", paths)) == 3458
    assert len(test) == 1342
    ids = [{d.conversation_id for d in split} for split in (train, valid, test)]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert 0.07 < len(valid) / 3458 < 0.13
    assert all(split_of(d.conversation_id) == "valid" for d in valid)


def test_unknown_split_is_rejected(paths):
    with pytest.raises(ValueError, match="unknown split"):
        load_dialogues("dev", paths)  # type: ignore[arg-type]


def test_roles_and_feedback_of_a_hand_checked_dialogue(dialogue_20001):
    roles = [m.role for m in dialogue_20001.messages]
    assert roles[:3] == ["seeker", "recommender", "seeker"]
    assert dialogue_20001.messages[0].movie_ids == ("111776",)
    assert dialogue_20001.render(dialogue_20001.messages[0]) == "Hi I am looking for a movie like Super Troopers (2001)"


def test_samples_of_a_hand_checked_dialogue(dialogue_20001):
    # Read off test_data.jsonl by hand: recommender turns 1, 3, 7, 9, 11 mention movies.
    samples = build_samples([dialogue_20001])
    got = [(s.turn_index, s.label, s.dedup) for s in samples]
    assert got == [
        (1, "151656", True),
        (3, "151656", False),  # already suggested in turn 1
        (3, "94688", True),
        (7, "101794", True),
        (9, "91481", True),
        (11, "124771", True),
    ]
    first = samples[0]
    assert [t.text for t in first.context] == ["Hi I am looking for a movie like @111776"]
    assert first.feedback == Feedback(dialogue_20001.seeker_feedback["151656"])
    turns = merge_turns(dialogue_20001)
    assert turns[2].positions == (2, 3)  # two consecutive seeker messages form one turn


def test_seeker_labels_are_extra_samples_from_seeker_turns(dialogue_20001):
    recommender = build_samples([dialogue_20001])
    both = build_samples([dialogue_20001], roles=("recommender", "seeker"))
    extra = [s for s in both if s.role == "seeker"]
    assert [s for s in both if s.role == "recommender"] == recommender
    turns = merge_turns(dialogue_20001)
    assert extra and all(turns[s.turn_index].role == "seeker" and s.turn_index > 0 for s in extra)
    assert all(s.label in turns[s.turn_index].movie_ids and len(s.context) == s.turn_index for s in extra)
    assert "111776" not in {s.label for s in extra}  # named in the opening turn, which has no context


def test_feedback_codes_and_empty_questionnaire():
    raw = {
        "conversationId": "1",
        "initiatorWorkerId": 1,
        "messages": [{"senderWorkerId": 1, "text": "hi @5"}, {"senderWorkerId": 2, "text": "try @6"}],
        "movieMentions": {"5": "Five (2000)", "6": None},
        "initiatorQuestions": [],
    }
    dialogue = parse_dialogue(raw)
    assert dialogue.seeker_feedback == {}
    assert [s.feedback for s in build_samples([dialogue])] == [Feedback.UNKNOWN]
    assert {Feedback.from_code(c) for c in (1, 0, 2, None)} == {Feedback.LIKE, Feedback.DISLIKE, Feedback.UNKNOWN}
    assert render_mentions("see @6 and @5", dialogue.movie_mentions) == "see @6 and Five (2000)"


def test_missing_data_names_the_file(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"missing data file .*redial/movie_dbpedia.json.*ECR_DATA_DIR"):
        MovieCatalog.load(Paths(data_dir=tmp_path, store_dir=tmp_path))


def test_catalogue_covers_every_mentioned_movie(paths):
    catalog = MovieCatalog.load(paths)
    assert len(catalog) == 6924
    mentioned = {m for d in load_dialogues("test", paths) for msg in d.messages for m in msg.movie_ids}
    assert len(mentioned - set(catalog.movies)) / len(mentioned) < 0.01
    assert catalog["151656"].name == "Police Academy"


def test_namesakes_are_remakes_and_duplicate_entries(paths):
    catalog = MovieCatalog.load(paths)
    # The Notebook (2004) and (2013), and ReDial's "Notebook (2006)" and "Notebook"
    assert catalog.namesakes({"185139"}) == {"185139", "97219", "202418", "194600"}
    assert catalog.namesakes(["134643"]) == {"134643", "192131"}  # "American Pie (1999)" and "American Pie"
    # two spellings of one movie in one year (replayed ReDial test 21313 offered Klowns to a user who named Clowns)
    assert catalog.namesakes(["206027"]) == {"206027", "195004"}
    assert catalog.namesakes({"163739", "not-a-movie"}) == {"163739", "not-a-movie"}  # American Pie 2 stands alone
    assert {"185139", "97219"} <= catalog.namesakes(["202418"])  # replayed ReDial test 21498 offered The Notebook
    fellowship = catalog.namesakes(["187310"])  # the yearless "The Lord of the Rings" entry, not the 1978 film
    assert [catalog[m].title for m in sorted(fellowship - {"187310"})] == ["The Lord of the Rings"]


def test_a_misread_redial_id_means_its_namesake(paths):
    from ecr_agent.linking import EntityLinker
    from ecr_agent.ranker.inference import popular_movies

    catalog = MovieCatalog.load(paths)
    # ReDial users picked "The Notebook (2013)", a Hungarian war drama, for the 2004 romance
    assert catalog.meant("97219") == "185139" and catalog.meant("185139") == "185139"
    assert catalog.meant("not-a-movie") == "not-a-movie"
    assert all(
        catalog[m].name.lower().removeprefix("the ") == catalog[n].name.lower().removeprefix("the ")
        for m, n in catalog.misread.items()
    )
    assert not set(catalog.misread) & set(catalog.misread.values())  # nothing meant is itself misread
    linker = EntityLinker.load(paths)
    assert linker.link("I loved Independence Day").movie_ids == ("157991",)  # the 1996 film, not the 2000 one
    assert linker.link("Have you seen Independence Day (2000)?").movie_ids == ("169085",)  # the year says which
    # "It (1990)" came with Goodfellas' metadata: none is loaded, so no reply states it
    assert catalog["204794"].info == {} and catalog["187028"].info["director"] == ["Andy Muschietti"]
    assert "Scorsese" not in catalog["204794"].describe()
    mentions = {m.movie_id: m.mentions for m in catalog.movies.values()}
    popular = popular_movies(catalog, k=len(catalog))
    assert not {r.movie_id for r in popular} & set(catalog.misread) and any(mentions[m] > 50 for m in catalog.misread)


def test_the_entity_linker_reads_the_data_folder_it_is_given(tmp_path):
    from ecr_agent.linking import EntityLinker

    elsewhere = Paths(data_dir=tmp_path / "no-data-here", store_dir=tmp_path / "store")
    with pytest.raises(DataNotFoundError, match="no-data-here"):
        EntityLinker.load(elsewhere)  # before, it read $ECR_DATA_DIR whatever paths the chain was given

from __future__ import annotations

import numpy as np
import pytest

from ecr_agent.ranker.cooccurrence import build_cooccurrence, dialogue_pairs, fold_matrices
from ecr_agent.ranker.features import (
    TurnInfo,
    clause_rejections,
    disliked_movies,
    entity_mentions,
    needs_clauses,
    split_clauses,
    turn_emotions,
)


def seeker(nodes=(), emotions=None, movies=()):
    return TurnInfo("seeker", tuple(movies), tuple(nodes), emotions or {})


def recommender(nodes=(), movies=()):
    return TurnInfo("recommender", tuple(movies), tuple(nodes), {})


def test_turn_emotions_keep_labels_above_beta_and_the_last_three():
    merged = turn_emotions([{"like": 0.9, "happy": 0.05}, {"curious": 0.6, "neutral": 0.3, "agreement": 0.2}])
    assert merged == {"curious": 0.6, "neutral": 0.3, "agreement": 0.2}  # happy ≤ β dropped, like pushed out
    assert turn_emotions([{"like": 0.8}, None, {"like": 0.4}]) == {"like": 0.4}  # a repeated label takes the later one
    assert turn_emotions([]) == {}


def test_seeker_entities_take_their_turn_and_recommender_entities_the_next_seeker_turn():
    turns = [
        seeker([1], {"like": 0.9}),
        recommender([2, 3]),
        seeker([4], {"negative": 0.7}),
        recommender([5]),
    ]
    mentions = {m.node: m for m in entity_mentions(turns)}
    assert mentions[1].emotions == {"like": 0.9} and mentions[1].distance == 3
    assert mentions[2].emotions == {"negative": 0.7} and mentions[2].role == "recommender"
    assert mentions[4].emotions == {"negative": 0.7}
    # the last recommender turn has no seeker reply inside the context: no emotions, no peeking beyond the end
    assert mentions[5].emotions == {} and mentions[5].distance == 0


def test_a_recommender_repeating_what_the_seeker_named_leaves_the_seekers_emotions():
    # "I loved Titanic" / "Oh, I see you like Titanic. Try The Notebook" / "Hated that one"
    turns = [seeker([1], {"like": 0.9}), recommender([1, 2]), seeker([], {"negative": 0.8})]
    mentions = {m.node: m for m in entity_mentions(turns)}
    assert mentions[1].emotions == {"like": 0.9} and mentions[1].role == "seeker"
    assert mentions[2].emotions == {"negative": 0.8}


def test_context_cut_changes_only_what_is_inside():
    turns = [seeker([1], {"like": 0.9}), recommender([2]), seeker([], {"negative": 0.8})]
    assert {m.node: m.emotions for m in entity_mentions(turns[:2])}[2] == {}
    assert {m.node: m.emotions for m in entity_mentions(turns)}[2] == {"negative": 0.8}


def test_latest_mention_wins_and_window_keeps_most_recent():
    turns = [seeker([1, 2], {"like": 0.9}), recommender([3]), seeker([1], {"happy": 0.5})]
    mentions = entity_mentions(turns)
    assert [m.node for m in mentions] == [2, 3, 1]
    assert mentions[-1].emotions == {"happy": 0.5}
    assert [m.node for m in entity_mentions(turns, window=2)] == [3, 1]


def test_disliked_movies_come_from_negative_seeker_turns():
    turns = [
        recommender([10], movies=["m1"]),
        seeker([], {"negative": 0.8, "neutral": 0.2}),  # "I hated that one" -> the recommender's pick
        seeker([11], {"like": 0.9}, movies=["m2"]),
        seeker([12], {"negative": 0.6, "like": 0.3}, movies=["m3"]),
        seeker([13], {"like": 0.6, "negative": 0.3}, movies=["m4"]),  # negative is not the strongest emotion
    ]
    assert disliked_movies(turns) == ["m1", "m3"]


def test_a_negative_turn_naming_several_movies_is_read_clause_by_clause():
    assert split_clauses("I love scary movies like @1, but I hated @2") == ["I love scary movies like @1", "I hated @2"]
    assert split_clauses("Loved @1.\nHated @2!") == ["Loved @1", "Hated @2"]
    # replayed ReDial test 22068: the cheesy smile is not said of the movies after the laugh
    laughing = "he has such a cheesy smile, haha I also like @1"
    assert split_clauses(laughing) == ["he has such a cheesy smile", "I also like @1"]
    assert split_clauses("haha that was funny") == ["haha that was funny"]
    assert split_clauses("  ") == []

    def movies_in(clause: str) -> list[str]:
        return [word[1:] for word in clause.split() if word.startswith("@")]

    def detect(texts: list[str]) -> list[dict[str, float]]:  # a stand-in for the classifier: "hated" is negative
        return [{"negative": 0.9} if "hated" in t else {"like": 0.8, "negative": 0.1} for t in texts]

    text = "I love scary movies like @1 and @3, but I hated @2"
    assert clause_rejections(text, ["1", "3", "2"], movies_in, detect) == ("2",)
    assert clause_rejections("@1 and @2 were awful, I hated them", ["1", "2"], movies_in, detect) == ("1", "2")
    assert clause_rejections("I loved @1 and @2. I hated the ending", ["1", "2"], movies_in, detect) == ()
    # A movie the split cannot place (its mention straddles a break) keeps the turn's verdict.
    assert clause_rejections("I hated @1", ["1", "9"], movies_in, detect) == ("1", "9")
    seen: list[str] = []
    clause_rejections("@1 was great, but I hated @2", ["1", "2"], movies_in, lambda t: seen.extend(t) or detect(t),
                      render=str.upper)  # fmt: skip
    assert seen == ["@1 WAS GREAT", "I HATED @2"]  # the classifier reads rendered clauses

    assert needs_clauses("seeker", {"negative": 0.7, "like": 0.3}, ["1", "2"])
    assert not needs_clauses("seeker", {"negative": 0.7}, ["1", "1"])
    assert not needs_clauses("seeker", {"like": 0.7}, ["1", "2"]) and not needs_clauses("recommender", {}, ["1", "2"])
    both = TurnInfo("seeker", ("1", "2"), emotions={"negative": 0.7, "like": 0.3}, rejected=("2",))
    assert disliked_movies([both]) == ["2"]
    assert (
        disliked_movies(
            [TurnInfo("recommender", ("5",)), TurnInfo("seeker", ("1", "2"), emotions={"negative": 0.7}, rejected=())]
        )
        == []
    )


def test_cooccurrence_counts_emotion_consistent_ordered_pairs_once_per_dialogue():
    dialogue = [
        seeker([0], {"like": 0.9, "happy": 0.3}),
        recommender([1]),
        seeker([2], {"happy": 0.6}),  # shares "happy" with node 0; node 1 takes these emotions too
        seeker([3], {"negative": 0.9}),
        seeker([0], {"like": 0.5}),
    ]
    pairs = dialogue_pairs(dialogue)
    assert (0, 1) in pairs and (0, 2) in pairs and (1, 2) in pairs
    assert (0, 3) not in pairs and (3, 0) not in pairs  # no shared label
    assert (2, 0) not in pairs  # node 0 again later, but with {"like"} only: no shared label with {"happy"}


def test_cooccurrence_matrix_is_row_normalised_sparse_and_pruned():
    a = [seeker([0], {"like": 0.9, "happy": 0.3}), recommender([1]), seeker([2], {"happy": 0.6})]
    b = [seeker([0], {"like": 0.9}), seeker([1], {"like": 0.5}), seeker([0], {"like": 0.7})]
    matrix = build_cooccurrence([a, b], num_nodes=4)
    # counts: (0,1): 2, (0,2): 1, (1,2): 1, (1,0): 1
    dense = np.zeros((4, 4))
    for row in range(4):
        for col, value in matrix.row(row).items():
            dense[row, col] = value
    expected = np.array([[0, 2 / 3, 1 / 3, 0], [0.5, 0, 0.5, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert np.allclose(dense, expected)
    assert matrix.nnz == 4
    pruned = build_cooccurrence([a, b], num_nodes=4, top_k=1)
    assert pruned.row(0) == pytest.approx({1: 2 / 3}) and pruned.row(1) == pytest.approx({0: 0.5})
    rows, cols, vals = matrix.gather(np.array([1, -1, 0]))
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 2), (2, 1), (2, 2)]


def test_out_of_fold_matrices_leave_their_dialogues_out():
    dialogues = {f"c{i}": [seeker([i], {"like": 0.9}), seeker([i + 10], {"like": 0.8})] for i in range(6)}
    full, folds = fold_matrices(dialogues, num_nodes=20, folds=3)
    assert full.nnz == 6
    assert sum(m.nnz for m in folds) == 6 * 2  # each pair is missing from exactly one of the three folds


def test_cooccurrence_lookup_reads_single_entries():
    a = [seeker([0], {"like": 0.9, "happy": 0.3}), recommender([1]), seeker([2], {"happy": 0.6})]
    matrix = build_cooccurrence([a], num_nodes=4)  # (0,1), (0,2), (1,2): rows 0 and 1 split evenly / fully
    table = matrix.lookup(np.array([0, 1, -1]), np.array([[1, 2, 3], [2, 0, 1], [1, 2, 0]]))
    assert table.tolist() == [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_sibling_seeds_are_the_other_seeds_of_the_same_variant_and_profile(tmp_path):
    from ecr_agent.config import Paths
    from ecr_agent.ranker.assets import run_dir, sibling_seeds

    paths = Paths(data_dir=tmp_path, store_dir=tmp_path)
    for name in ("ecr-seed0", "ecr-seed1", "ecr-seed2-quick", "no_emotion-seed1", "ecr-seed3", "ecr-seed4-smoke"):
        folder = run_dir(paths, name)
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")
        (folder / "model.safetensors").write_bytes(b"")
    (run_dir(paths, "ecr-seed3") / "model.safetensors").unlink()  # unfinished: not a member
    assert sibling_seeds(paths, "ecr-seed0") == ["ecr-seed1"]
    assert sibling_seeds(paths, "ecr-seed4-smoke") == []
    assert sibling_seeds(paths, None) == [] and sibling_seeds(paths, "something-else") == []

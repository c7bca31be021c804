from __future__ import annotations

import math

import pytest

from ecr_agent.evaluation.ranking import (
    auc,
    auc_batched,
    average_ranks,
    pairwise_auc,
    ranking_metrics,
    recall_at,
    recall_true_at,
)

RANKS = [1, 5, 20, 60]
FEEDBACK = ["like", "dislike", "like", "unknown"]
SCORES = [0.9, 0.5, 0.4, 0.1]


def test_recall_counts_labels_within_the_cutoff():
    assert recall_at(RANKS, 1) == 0.25
    assert recall_at(RANKS, 10) == 0.5
    assert recall_at(RANKS, 50) == 0.75
    assert recall_at(RANKS, 60) == 1.0
    assert math.isnan(recall_at([], 10))


def test_recall_true_only_counts_liked_labels():
    assert recall_true_at(RANKS, FEEDBACK, 1) == 0.5  # liked ranks are 1 and 20
    assert recall_true_at(RANKS, FEEDBACK, 10) == 0.5
    assert recall_true_at(RANKS, FEEDBACK, 50) == 1.0


def test_auc_compares_liked_with_disliked_labels_and_splits_ties():
    assert auc(SCORES, FEEDBACK) == 0.5  # 0.9 > 0.5 wins, 0.4 < 0.5 loses
    assert pairwise_auc([0.5], [0.5]) == 0.5
    assert pairwise_auc([0.7, 0.7, 0.2], [0.7, 0.1]) == pytest.approx((0.5 + 1 + 0.5 + 1 + 0 + 1) / 6)
    assert math.isnan(auc([0.3, 0.2], ["like", "unknown"]))


def test_average_ranks_share_ties():
    assert average_ranks([3.0, 1.0, 3.0, 2.0]).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_batched_auc_replicates_the_reference_and_depends_on_batch_size():
    # batches of 2: [(0.9 like), (0.5 dislike)] -> 1.0; [(0.4 like), (0.1 unknown)] has no pair and is skipped
    assert auc_batched(SCORES, FEEDBACK, batch_size=2) == 1.0
    assert auc_batched(SCORES, FEEDBACK, batch_size=4) == 0.5
    # each batch weighs the same, whatever its number of pairs: (1.0 + 0.0) / 2, not 2/3 over all 3 pairs
    scores = [0.9, 0.8, 0.1, 0.2, 0.3, 0.0]
    feedback = ["like", "like", "dislike", "like", "dislike", "unknown"]
    assert auc_batched(scores, feedback, batch_size=3) == 0.5
    assert auc(scores, feedback) == pytest.approx(5 / 6)


def test_ranking_metrics_has_every_column_and_dedup_subset():
    metrics = ranking_metrics(RANKS, SCORES, FEEDBACK, dedup=[True, False, True, False], dedup_ranks=[1, 1, 9, 2])
    assert set(metrics) == {
        "auc",
        "auc_batch32",
        *(f"recall_true@{n}" for n in (1, 10, 50)),
        *(f"recall@{n}" for n in (1, 10, 50)),
        *(f"dedup_recall@{n}" for n in (1, 10, 50)),
    }
    assert metrics["dedup_recall@1"] == 0.5  # dedup samples 0 and 2 with their dedup ranks 1 and 9
    assert metrics["dedup_recall@10"] == 1.0

from __future__ import annotations

import pytest
import torch

from ecr_agent.emotion.evaluation import (
    confusion,
    macro_f1,
    per_label_scores,
    predicted_labels,
    recall_at_k,
    score_predictions,
    top_k,
)
from ecr_agent.emotion.inference import above
from ecr_agent.emotion.labels import EMOTIONS
from ecr_agent.emotion.training import emotion_loss, learning_rate, make_batches


def probs(**values: float) -> dict[str, float]:
    """Nine probabilities: the given ones, the rest sharing what is left."""
    rest = (1.0 - sum(values.values())) / (len(EMOTIONS) - len(values))
    return {label: values.get(label, rest) for label in EMOTIONS}


def test_recall_at_2_counts_the_share_of_gold_labels_in_the_top_two() -> None:
    gold = [["like"], ["like", "curious"], ["negative"]]
    predicted = [
        probs(like=0.6, happy=0.3),  # 1/1
        probs(curious=0.5, neutral=0.4),  # 1/2
        probs(neutral=0.5, like=0.3),  # 0/1
    ]
    assert recall_at_k(gold, predicted, 2) == pytest.approx((1 + 0.5 + 0) / 3)
    assert recall_at_k(gold, predicted, 1) == pytest.approx((1 + 0.5 + 0) / 3)
    assert recall_at_k(gold, predicted, 9) == pytest.approx(1.0)


def test_recall_at_k_rejects_mismatched_lengths_and_handles_empty_input() -> None:
    with pytest.raises(ValueError, match="2 gold"):
        recall_at_k([["like"], ["happy"]], [probs(like=0.9)])
    assert recall_at_k([], []) == 0.0


def test_top_k_breaks_ties_by_label_order() -> None:
    tied = dict.fromkeys(EMOTIONS, 1 / 9)
    assert top_k(tied, 2) == ["like", "curious"]


def test_predicted_labels_keeps_labels_above_beta_and_never_returns_nothing() -> None:
    assert predicted_labels(probs(negative=0.7, like=0.2)) == ["negative", "like"]
    flat = dict.fromkeys(EMOTIONS, 0.05) | {"happy": 0.09}
    assert predicted_labels(flat) == ["happy"]
    assert above(flat) == {"happy": 0.09}
    assert list(above(probs(like=0.5, negative=0.4))) == ["like", "negative"]


def test_per_label_scores_on_a_hand_worked_example() -> None:
    gold = [["like"], ["like", "negative"], ["neutral"], ["negative"]]
    predicted = [["like"], ["like"], ["like"], ["negative", "neutral"]]
    scores = per_label_scores(gold, predicted)
    assert scores["like"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2})
    assert scores["negative"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert scores["neutral"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert scores["surprise"]["support"] == 0
    assert macro_f1(scores) == pytest.approx((0.8 + 2 / 3 + 0.0) / 3)


def test_confusion_compares_the_first_gold_label_with_the_top_prediction() -> None:
    gold = [["like", "happy"], ["negative"], ["negative"], ["neutral"]]
    predicted = [probs(like=0.8), probs(neutral=0.6), probs(negative=0.9), probs(neutral=0.9)]
    result = confusion(gold, predicted)
    index = {label: i for i, label in enumerate(result["labels"])}
    assert result["matrix"][index["negative"]][index["neutral"]] == 1
    assert result["matrix"][index["like"]][index["like"]] == 1
    assert sum(map(sum, result["matrix"])) == 4
    assert result["top1_accuracy"] == pytest.approx(0.75)
    assert result["top_confusions"] == [{"gold": "negative", "predicted": "neutral", "count": 1}]


def test_score_predictions_reports_the_contract_keys() -> None:
    report = score_predictions([["negative"]], [probs(negative=0.8)])
    assert {"recall_at_2", "per_label", "confusion", "negative_recall", "macro_f1"} <= set(report)
    assert report["negative_recall"] == 1.0
    assert set(report["per_label"]) == set(EMOTIONS)


def test_loss_ignores_labels_outside_the_mask_and_uses_soft_targets() -> None:
    logits = torch.randn(2, 9)
    targets = torch.zeros(2, 9)
    targets[0, 0] = 1.0
    targets[1, [1, 2]] = 0.5
    mask = torch.ones(2, 9, dtype=torch.bool)
    mask[:, 6] = False  # nostalgia unknown
    weights = torch.ones(2)
    ones = torch.ones(9)
    loss = emotion_loss(logits, targets, mask, weights, ones)
    changed = logits.clone()
    changed[:, 6] += 50.0  # a masked label's logit must not matter
    assert emotion_loss(changed, targets, mask, weights, ones) == pytest.approx(float(loss))
    unmasked = torch.ones(2, 9, dtype=torch.bool)
    assert emotion_loss(changed, targets, unmasked, weights, ones) > loss + 10
    expected = -torch.log_softmax(logits.masked_fill(~mask, -1e4), -1)
    manual = (expected[0, 0] + 0.5 * (expected[1, 1] + expected[1, 2])) / 2
    assert float(loss) == pytest.approx(float(manual), rel=1e-5)


def test_loss_weights_examples_and_classes() -> None:
    logits = torch.zeros(2, 9)
    targets = torch.zeros(2, 9)
    targets[0, 4] = 1.0  # negative
    targets[1, 0] = 1.0  # like
    mask = torch.ones(2, 9, dtype=torch.bool)
    base = emotion_loss(logits, targets, mask, torch.ones(2), torch.ones(9))
    class_weights = torch.ones(9)
    class_weights[4] = 3.0
    assert emotion_loss(logits, targets, mask, torch.ones(2), class_weights) == pytest.approx(2 * float(base))
    only_first = emotion_loss(logits, targets, mask, torch.tensor([1.0, 0.0]), torch.ones(9))
    assert only_first == pytest.approx(float(base))


def test_learning_rate_warms_up_then_decays_to_zero() -> None:
    rates = [learning_rate(step, 100, 1.0, 0.1) for step in range(100)]
    assert rates[0] == pytest.approx(0.1)
    assert rates[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(rates[9:], rates[10:], strict=False))
    assert rates[-1] < 0.02


def test_batches_cover_every_example_once_and_are_reproducible() -> None:
    lengths = [(i * 7) % 23 + 1 for i in range(1000)]
    batches = make_batches(lengths, 32, torch.Generator().manual_seed(1))
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(1000))
    assert max(map(len, batches)) == 32
    assert batches == make_batches(lengths, 32, torch.Generator().manual_seed(1))
    assert batches != make_batches(lengths, 32, torch.Generator().manual_seed(2))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 5  # similar lengths batched together

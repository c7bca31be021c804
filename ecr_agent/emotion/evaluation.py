"""Emotion metrics (Recall@k, per-label precision/recall/F1, confusion) and ``ecr eval emotion --gold FILE``.

The metric functions are pure (label sets and probability dicts in, numbers out) so the ranker and the benchmarks can
reuse them. A prediction's label set is what `EmotionPredictor.detect` keeps: every label with p > β (the top label
always passes, since nine probabilities summing to 1 have a maximum ≥ 1/9 > β).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecr_agent.emotion.labels import BETA, EMOTIONS

if TYPE_CHECKING:
    from ecr_agent.config import Paths
    from ecr_agent.emotion.dataset import EmotionExample
    from ecr_agent.emotion.inference import EmotionPredictor

Probabilities = Mapping[str, float]


def top_k(probabilities: Probabilities, k: int) -> list[str]:
    """The ``k`` most probable labels, ties broken by the label order of `EMOTIONS`."""
    order = {label: i for i, label in enumerate(EMOTIONS)}
    return sorted(probabilities, key=lambda label: (-probabilities[label], order.get(label, 99)))[:k]


def recall_at_k(gold: Sequence[Sequence[str]], predicted: Sequence[Probabilities], k: int = 2) -> float:
    """Mean over utterances of |gold ∩ top-k predicted| / |gold| (the paper's Recall@2 with k = 2)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions")
    if not gold:
        return 0.0
    scores = [len(set(g) & set(top_k(p, k))) / len(set(g)) for g, p in zip(gold, predicted, strict=True)]
    return sum(scores) / len(scores)


def predicted_labels(probabilities: Probabilities, beta: float = BETA) -> list[str]:
    """Labels with p > β, most probable first; never empty (the top label is always kept)."""
    ranked = top_k(probabilities, len(probabilities))
    return [label for label in ranked if probabilities[label] > beta] or ranked[:1]


def per_label_scores(
    gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], labels: Sequence[str] = EMOTIONS
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of each label, treating each utterance's label set as multi-label truth.

    A label never predicted has precision 0; one never in gold has recall 0 and support 0.
    """
    scores: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(label in p for p in predicted)
        support = sum(label in g for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return scores


def macro_f1(scores: Mapping[str, Mapping[str, float]]) -> float:
    """Mean F1 over the labels that occur in gold (support > 0)."""
    present = [s["f1"] for s in scores.values() if s["support"]]
    return sum(present) / len(present) if present else 0.0


def confusion(
    gold: Sequence[Sequence[str]], predicted: Sequence[Probabilities], labels: Sequence[str] = EMOTIONS
) -> dict[str, Any]:
    """Confusion of the most salient gold label (the first) against the top-1 prediction.

    Returns ``labels``, ``matrix`` (rows gold, columns predicted, counts), ``top1_accuracy`` and ``top_confusions``
    (the most frequent off-diagonal gold → predicted pairs).
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    pairs: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        first, top = g[0], top_k(p, 1)[0]
        matrix[index[first]][index[top]] += 1
        if first != top:
            pairs[(first, top)] += 1
    total = sum(map(sum, matrix))
    correct = sum(matrix[i][i] for i in range(len(labels)))
    return {
        "labels": list(labels),
        "matrix": matrix,
        "top1_accuracy": correct / total if total else 0.0,
        "top_confusions": [{"gold": a, "predicted": b, "count": n} for (a, b), n in pairs.most_common(8)],
    }


def score_predictions(
    gold: Sequence[Sequence[str]], predicted: Sequence[Probabilities], beta: float = BETA
) -> dict[str, Any]:
    """Every emotion metric for a list of gold label sets and predicted probability dicts (all nine labels)."""
    kept = [predicted_labels(p, beta) for p in predicted]
    per_label = per_label_scores(gold, kept)
    return {
        "n": len(gold),
        "recall_at_2": recall_at_k(gold, predicted, 2),
        "recall_at_1": recall_at_k(gold, predicted, 1),
        "macro_f1": macro_f1(per_label),
        "negative_recall": per_label["negative"]["recall"],
        "mean_labels_kept": sum(map(len, kept)) / len(kept) if kept else 0.0,
        "beta": beta,
        "per_label": per_label,
        "confusion": confusion(gold, predicted),
    }


def evaluate_examples(predictor: EmotionPredictor, examples: Sequence[EmotionExample]) -> dict[str, Any]:
    """Predict ``examples`` with ``predictor`` and score them against their labels."""
    probabilities = predictor.predict([e.text for e in examples])
    return score_predictions([e.labels for e in examples], probabilities)


def evaluate_gold_file(path: Path, paths: Paths) -> dict[str, Any]:
    """``ecr eval emotion --gold FILE``: score the trained model on JSON lines with ``text`` and ``labels``.

    Returns ``recall_at_2``, ``per_label`` ({label: precision, recall, f1, support}), ``confusion`` and the other
    figures of `score_predictions`, plus the ``model`` that was scored. Raises `StoreNotBuiltError` without a model.
    """
    from ecr_agent.emotion.dataset import read_gold_file
    from ecr_agent.emotion.inference import EmotionPredictor

    examples = read_gold_file(Path(path))
    predictor = EmotionPredictor.load(paths)
    report = evaluate_examples(predictor, examples)
    report["gold"] = str(path)
    report["model"] = {"dir": str(predictor.model_dir), "recipe": predictor.config.recipe}
    return report

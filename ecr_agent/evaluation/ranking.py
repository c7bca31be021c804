"""Pure ranking metrics of ECR's recommendation evaluation (tiny functions, hand-checked by unit tests).

Inputs are per sample: the 1-based rank of the label among all items, the label's score (the model's softmax
probability of it), and the seeker's feedback on the label (``like`` / ``dislike`` / ``unknown``).

- ``recall@n`` (R@n): share of samples whose label is in the top n.
- ``recall_true@n`` (RT@n): the same over samples whose feedback is ``like``.
- ``auc``: batch-free AUC: over every (liked sample, disliked sample) pair of the whole set, how often the liked
  label's probability is higher (ties count ½), i.e. the Mann–Whitney U statistic normalised to [0, 1].
- ``auc_batch32``: what the ECR reference code reports as AUC (``RecEvaluator.evaluate_AUC``). Samples are taken in
  evaluation order in consecutive batches of 32; inside a batch, every (liked, disliked) pair is compared on the label
  probabilities (ties ½) and divided by |liked|·|disliked|; batches without both kinds are skipped (its
  ``ZeroDivisionError`` is swallowed); the result is the mean over the remaining batches. It therefore depends on
  batch size and sample order, weighs a batch with 1 pair as much as one with 30, and compares probabilities across
  different contexts. We report it only to compare with the paper.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LIKE, DISLIKE = "like", "dislike"
CUTOFFS = (1, 10, 50)


def recall_at(ranks: Sequence[int], n: int) -> float:
    """Share of samples whose label rank (1-based) is ≤ n; NaN for no samples."""
    ranks = np.asarray(ranks)
    return float((ranks <= n).mean()) if ranks.size else float("nan")


def recall_true_at(ranks: Sequence[int], feedback: Sequence[str], n: int) -> float:
    """R@n over the samples whose feedback is ``like`` (RT@n)."""
    liked = np.asarray(feedback) == LIKE
    return recall_at(np.asarray(ranks)[liked], n)


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """1-based ranks of ``values`` (ascending), ties sharing their average rank."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=float)
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def pairwise_auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(a positive score beats a negative one), ties ½; NaN if either side is empty."""
    pos, neg = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not pos.size or not neg.size:
        return float("nan")
    ranks = average_ranks(np.concatenate([pos, neg]))
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2
    return float(u / (pos.size * neg.size))


def auc(scores: Sequence[float], feedback: Sequence[str]) -> float:
    """Batch-free AUC of label scores: liked labels against disliked labels over the whole set."""
    scores, feedback = np.asarray(scores, dtype=float), np.asarray(feedback)
    return pairwise_auc(scores[feedback == LIKE], scores[feedback == DISLIKE])


def auc_batched(scores: Sequence[float], feedback: Sequence[str], batch_size: int = 32) -> float:
    """The reference code's batch AUC (see the module docstring); NaN when no batch has both kinds."""
    scores, feedback = np.asarray(scores, dtype=float), np.asarray(feedback)
    values = []
    for start in range(0, len(scores), batch_size):
        s, f = scores[start : start + batch_size], feedback[start : start + batch_size]
        value = pairwise_auc(s[f == LIKE], s[f == DISLIKE])
        if not np.isnan(value):
            values.append(value)
    return float(np.mean(values)) if values else float("nan")


def ranking_metrics(
    ranks: Sequence[int],
    scores: Sequence[float],
    feedback: Sequence[str],
    dedup: Sequence[bool] | None = None,
    dedup_ranks: Sequence[int] | None = None,
    cutoffs: Sequence[int] = CUTOFFS,
) -> dict[str, float]:
    """All metrics of the side-by-side table for one system.

    Args:
        ranks: label rank per sample (1-based) in the system's ranking.
        scores: label probability per sample.
        feedback: ``like`` / ``dislike`` / ``unknown`` per sample.
        dedup: whether each sample belongs to the deduplicated protocol (label not mentioned before).
        dedup_ranks: label ranks with context movies removed from the ranking (default: ``ranks``).
        cutoffs: the n of R@n and RT@n.
    """
    metrics = {"auc": auc(scores, feedback), "auc_batch32": auc_batched(scores, feedback, 32)}
    for n in cutoffs:
        metrics[f"recall_true@{n}"] = recall_true_at(ranks, feedback, n)
    for n in cutoffs:
        metrics[f"recall@{n}"] = recall_at(ranks, n)
    if dedup is not None:
        keep = np.asarray(dedup, dtype=bool)
        kept = np.asarray(dedup_ranks if dedup_ranks is not None else ranks)[keep]
        for n in cutoffs:
            metrics[f"dedup_recall@{n}"] = recall_at(kept, n)
    return metrics

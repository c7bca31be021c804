"""How well verdicts match held-out labels: precision / recall / F1 of turned down, accepted and seen.

Held-out sets (`evaluation_sets`):

- ``valid``: questionnaires of the validation dialogues carved from ReDial train;
- ``valid_audited``: the 733 single-suggestion replies of the same dialogues labelled by our audit guideline
  (`audited_valid_examples`; thresholds are chosen here and on ``iard_audited``);
- ``test``: questionnaires of the official test split (reporting only);
- ``test_agreed``: the test items on which the recommender's questionnaire agrees with the seeker's about ``liked``
  (feedback a reader of the dialogue could see; the seeker's answer alone often is not in the text);
- ``test_audited``: 600 single-suggestion replies of test dialogues labelled by our audit guideline
  (`audited_test_examples`): the question the chain acts on, per (reply, movie) pair, on data no model trains on;
- ``iard``: 207 extra ReDial dialogues whose seeker replies carry IARD intents REJ / ACC / SEE (never trained on);
- ``iard_broad``: the same items with the critique-of-a-feature intent CRI-F also read as turning the movie down;
- ``iard_audited``: the same items labelled by our audit (`audited_iard_examples`), per (reply, movie) pair.

`emotion_rule_verdicts` is the baseline the reader replaces: a turn turns down its movies when its top emotion is
*negative* with p ≥ 0.5 (the chain's rule before this package, clause by clause for a turn naming several movies).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths
from ecr_agent.feedback.dataset import (
    AUDIT_FILE,
    TARGET,
    TEST_AUDIT_FILE,
    VALID_AUDIT_FILE,
    FeedbackExample,
    audited_iard_examples,
    audited_test_examples,
    audited_valid_examples,
    iard_examples,
    questionnaire_examples,
)
from ecr_agent.feedback.reader import FeedbackReader, MovieFeedback
from ecr_agent.sentences import split_clauses

EVALUATION_SETS = (
    "valid",
    "valid_audited",
    "test",
    "test_agreed",
    "test_audited",
    "iard",
    "iard_broad",
    "iard_audited",
)
NEGATIVE_CONFIDENCE = 0.5
"""The chain's old rule: a turn is a rejection when *negative* is its top label with at least this probability."""


def binary_scores(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, with the counts behind them."""
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    n_predicted, n_gold = sum(predicted), sum(gold)
    precision = tp / n_predicted if n_predicted else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": n_gold, "predicted": n_predicted}


def score_verdicts(verdicts: Sequence[MovieFeedback], examples: Sequence[FeedbackExample]) -> dict[str, Any]:
    """Scores of ``verdicts`` (one per example, same order) for turned down, accepted, seen and not seen.

    ``not_seen`` is left out where the labels never say "not seen" (IARD has no such intent).
    """
    scores: dict[str, Any] = {
        "examples": len(examples),
        "turned_down": binary_scores([v.turned_down for v in verdicts], [e.turned_down for e in examples]),
        "accepted": binary_scores([v.accepted for v in verdicts], [e.accepted for e in examples]),
        "seen": binary_scores([v.seen is True for v in verdicts], [e.seen == 1 for e in examples]),
    }
    if any(e.seen == 0 for e in examples):
        scores["not_seen"] = binary_scores([v.seen is False for v in verdicts], [e.seen == 0 for e in examples])
    return scores


def evaluation_sets(
    paths: Paths, names: Sequence[str] = EVALUATION_SETS, limit: int | None = None
) -> dict[str, list[FeedbackExample]]:
    """The labelled held-out examples of each named set (``limit``: first dialogues of the questionnaire sets)."""
    sets: dict[str, list[FeedbackExample]] = {}
    for name in names:
        if name in ("iard", "iard_broad"):
            sets[name] = iard_examples(paths, broad=name == "iard_broad")
        elif name == "iard_audited":
            sets[name] = audited_iard_examples(paths)
        elif name == "test_audited":
            sets[name] = audited_test_examples(paths)
        elif name == "valid_audited":
            sets[name] = audited_valid_examples(paths)
        elif name in ("valid", "test"):
            sets[name] = questionnaire_examples(name, paths, limit=limit)  # type: ignore[arg-type]
        elif name == "test_agreed":
            test = sets.get("test") or questionnaire_examples("test", paths, limit=limit)
            sets[name] = [e for e in test if e.liked == e.recommender_liked]
        else:
            raise ValueError(f"unknown evaluation set {name!r}; choose from {', '.join(EVALUATION_SETS)}")
    return sets


def evaluate_reader(reader: FeedbackReader, sets: Mapping[str, Sequence[FeedbackExample]]) -> dict[str, dict[str, Any]]:
    """Scores of ``reader`` on each held-out set (e.g. `evaluation_sets`: valid, test, IARD), plus the same per
    source."""
    results: dict[str, dict[str, Any]] = {}
    for name, examples in sets.items():
        verdicts = reader.judge([e.item for e in examples])
        results[name] = score_verdicts(verdicts, examples)
        for source in ("suggested", "named"):
            chosen = [(v, e) for v, e in zip(verdicts, examples, strict=True) if e.item.source == source]
            if chosen and any(e.turned_down for _, e in chosen):
                results[name][source] = score_verdicts([v for v, _ in chosen], [e for _, e in chosen])
    return results


Detect = Callable[[list[str]], Sequence[Mapping[str, float]]]


def is_rejection(probabilities: Mapping[str, float]) -> bool:
    """The old rule: *negative* is the top label with p ≥ `NEGATIVE_CONFIDENCE`."""
    if not probabilities:
        return False
    top = max(probabilities, key=probabilities.__getitem__)
    return top == "negative" and probabilities[top] >= NEGATIVE_CONFIDENCE


def emotion_rule_verdicts(examples: Sequence[FeedbackExample], predict: Detect) -> list[MovieFeedback]:
    """The chain's old reading of rejections, per example, from an emotion classifier's ``predict``.

    A negative user turn turns down the movies it names (only those named in a negative clause when it names several),
    or, when it names none, the movies of the suggestion just before it. It never says "accepted" or "seen".
    """
    texts: list[str] = []
    for example in examples:
        texts.append(_readable(example.item.reply))
        texts.extend(_readable(c) for c in _named_clauses(example))
    distinct = list(dict.fromkeys(texts))
    emotions = dict(zip(distinct, predict(distinct), strict=True)) if distinct else {}
    verdicts = []
    for example in examples:
        item = example.item
        negative = is_rejection(emotions[_readable(item.reply)])
        if item.named and item.others > 0 and negative:
            negative = any(is_rejection(emotions[_readable(c)]) for c in _named_clauses(example)) or not _named_clauses(
                example
            )
        elif not item.named:
            negative = negative and item.others == 0 and bool(item.suggestion)
        verdicts.append(
            MovieFeedback(item.movie_id, item.source, negative, False, None, item.turn_index, float(negative))
        )
    return verdicts


def _named_clauses(example: FeedbackExample) -> list[str]:
    return [c for c in split_clauses(example.item.reply) if TARGET in c] if example.item.named else []


def _readable(marked: str) -> str:
    """A marked text as the emotion classifier reads it (placeholders as plain words)."""
    return marked.replace(TARGET, "the movie").replace("MovieY", "another movie")


AGREEMENT_FILES = {
    "test_audited": (TEST_AUDIT_FILE, TEST_AUDIT_FILE.with_name("redial_test_audit_second.jsonl")),
    "iard_audited": (AUDIT_FILE, AUDIT_FILE.with_name("iard_audit_second.jsonl")),
    "valid_audited": (VALID_AUDIT_FILE, VALID_AUDIT_FILE.with_name("redial_valid_audit_second.jsonl")),
}
"""Each audited set's labels and a second, independent annotation of the same items by the same guideline."""


def annotator_agreement(first: Path, second: Path) -> dict[str, Any]:
    """How well a second annotation reproduces the first: precision / recall / F1 of its turned down and accepted
    (the first read as gold), and the share of items with the same ``seen`` answer.

    It bounds what a reader can be expected to score against these labels: where two careful readers of the
    guideline disagree, a model that matches either is partly "wrong".
    """
    rows = [[json.loads(line) for line in path.read_text().splitlines()] for path in (first, second)]
    keys = [[(r["conversation_id"], r["turn_index"], r["movie_id"]) for r in labels] for labels in rows]
    if keys[0] != keys[1]:
        raise ValueError(f"{first.name} and {second.name} label different items")
    gold, other = rows
    return {
        "items": len(gold),
        "turned_down": binary_scores([r["turned_down"] for r in other], [r["turned_down"] for r in gold]),
        "accepted": binary_scores([r["accepted"] for r in other], [r["accepted"] for r in gold]),
        "seen_same": sum(a["seen"] == b["seen"] for a, b in zip(gold, other, strict=True)) / len(gold),
    }

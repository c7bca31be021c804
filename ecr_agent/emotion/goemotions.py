"""GoEmotions (Demszky et al., 2020) mapped onto ECR's nine labels: a weak, out-of-domain training source.

The mapping and its justification are written down in ``GOEMOTIONS_MAPPING.md`` beside this module; a unit test keeps
the two in step. GoEmotions has no label for *nostalgia*, so a mapped comment says nothing about it: its examples carry
a label mask that leaves nostalgia out of the loss instead of teaching "not nostalgic".
"""

from __future__ import annotations

import logging
from collections import Counter

from ecr_agent.config import Paths
from ecr_agent.emotion.dataset import EmotionExample
from ecr_agent.emotion.labels import EMOTIONS

logger = logging.getLogger(__name__)

GOEMOTIONS_LABELS: tuple[str, ...] = (
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
)
"""The 28 GoEmotions labels in id order (``emotions/goemotions_labels.txt``)."""

GOEMOTIONS_TO_ECR: dict[str, str | None] = {
    # like: positive appreciation of something, or wanting it
    "admiration": "like",
    "love": "like",
    "desire": "like",
    # curious: asking, wondering, not understanding yet
    "curiosity": "curious",
    "confusion": "curious",
    # happy: cheerful, amused, excited, pleased
    "joy": "happy",
    "amusement": "happy",
    "excitement": "happy",
    "optimism": "happy",
    "relief": "happy",
    "pride": "happy",
    # grateful
    "gratitude": "grateful",
    # negative: every adverse emotion, including rejecting what someone said
    "anger": "negative",
    "annoyance": "negative",
    "disappointment": "negative",
    "disapproval": "negative",
    "disgust": "negative",
    "sadness": "negative",
    "grief": "negative",
    "fear": "negative",
    "nervousness": "negative",
    "embarrassment": "negative",
    "remorse": "negative",
    # agreement has no direct GoEmotions label; approval ("yeah, agreed", "good point") is its nearest proxy
    "approval": "agreement",
    # surprise: astonishment and unexpected discovery
    "surprise": "surprise",
    "realization": "surprise",
    "neutral": "neutral",
    # caring (concern for someone else's wellbeing) has no counterpart in a seeker's movie talk: dropped
    "caring": None,
}
"""GoEmotions label → ECR label (None: dropped). No GoEmotions label maps to *nostalgia*."""

UNMAPPED_ECR_LABELS: tuple[str, ...] = tuple(e for e in EMOTIONS if e not in set(GOEMOTIONS_TO_ECR.values()))
"""ECR labels no GoEmotions label maps to; masked out of the loss of GoEmotions examples."""


def map_labels(goemotions: list[str]) -> tuple[str, ...]:
    """Map GoEmotions labels to ECR labels, most frequent first, without duplicates; dropped labels vanish."""
    mapped = [GOEMOTIONS_TO_ECR[label] for label in goemotions]
    counts = Counter(label for label in mapped if label is not None)
    return tuple(label for label, _ in counts.most_common())


def load_goemotions(split: str, paths: Paths, limit: int | None = None) -> list[EmotionExample]:
    """GoEmotions comments of ``split`` (train/dev/test) as ECR examples; comments whose labels all drop are skipped.

    Args:
        split: the GoEmotions split file to read.
        paths: where the data is.
        limit: keep the first ``limit`` usable comments (for quick runs and tests).
    """
    source = paths.data_file(f"emotions/goemotions_{split}.tsv")
    mask = tuple(label not in UNMAPPED_ECR_LABELS for label in EMOTIONS)
    examples: list[EmotionExample] = []
    skipped = 0
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text, ids, _comment_id = line.split("\t")
        labels = map_labels([GOEMOTIONS_LABELS[int(i)] for i in ids.split(",")])
        if not labels:
            skipped += 1
            continue
        examples.append(EmotionExample(text=text, labels=labels, source="goemotions", label_mask=mask))
        if limit is not None and len(examples) >= limit:
            break
    logger.info("GoEmotions %s: %d comments mapped, %d dropped (caring only)", split, len(examples), skipped)
    return examples

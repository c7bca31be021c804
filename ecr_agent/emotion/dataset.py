"""Training and evaluation examples for the emotion classifier: hand annotations, questionnaire evidence, gold files.

Every source becomes a list of `EmotionExample` (text, labels, which labels the source can speak about, weight), so the
trainer never needs to know where an example came from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import Dialogue, Feedback, load_dialogues
from ecr_agent.emotion.labels import EMOTIONS, load_annotations

logger = logging.getLogger(__name__)

ALL_LABELS_KNOWN: tuple[bool, ...] = (True,) * len(EMOTIONS)


@dataclass(frozen=True)
class EmotionExample:
    """One training or evaluation text with its labels (most salient first).

    ``label_mask`` marks the labels this source can speak about: a label outside it is neither a positive nor a
    negative for this example (GoEmotions has no *nostalgia*). ``weight`` scales the example's loss.
    """

    text: str
    labels: tuple[str, ...]
    source: str = "annotation"
    weight: float = 1.0
    label_mask: tuple[bool, ...] = field(default=ALL_LABELS_KNOWN)
    key: tuple[str, int] | None = None
    """``(conversation_id, position)`` of a ReDial utterance; None for other sources."""

    def __post_init__(self) -> None:
        unknown = [label for label in self.labels if label not in EMOTIONS]
        if unknown or not self.labels:
            raise ValueError(f"labels must be a non-empty subset of {EMOTIONS}; got {self.labels!r}")

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "labels": list(self.labels),
            "source": self.source,
            "weight": self.weight,
            "label_mask": list(self.label_mask),
        } | ({"key": list(self.key)} if self.key else {})

    @classmethod
    def from_json(cls, row: dict) -> EmotionExample:
        return cls(
            text=row["text"],
            labels=tuple(row["labels"]),
            source=row.get("source", "gold"),
            weight=float(row.get("weight", 1.0)),
            label_mask=tuple(row.get("label_mask", ALL_LABELS_KNOWN)),
            key=(str(row["key"][0]), int(row["key"][1])) if row.get("key") else None,
        )


def _dialogues_for(split: str, paths: Paths) -> dict[str, Dialogue]:
    source = "test" if split == "test" else "train_full"
    return {d.conversation_id: d for d in load_dialogues(source, paths)}  # type: ignore[arg-type]


def annotated_examples(split: str, paths: Paths, limit: int | None = None) -> list[EmotionExample]:
    """The hand-annotated seeker utterances of ``split`` (train / valid / test), rendered with movie titles."""
    dialogues = _dialogues_for(split, paths)
    titles = MovieCatalog.load(paths).titles
    examples = []
    for annotation in load_annotations(split)[:limit]:
        dialogue = dialogues[annotation.conversation_id]
        message = dialogue.messages[annotation.position]
        if message.role != "seeker":
            raise ValueError(f"annotation {annotation} does not point at a seeker message")
        key = (annotation.conversation_id, annotation.position)
        examples.append(EmotionExample(dialogue.render(message, titles), annotation.labels, key=key))
    return examples


def questionnaire_examples(paths: Paths, weight: float = 1.0, exclude_annotated: bool = True) -> list[EmotionExample]:
    """Weak *negative* examples: train-split seeker utterances that mention only movies the seeker disliked.

    The ReDial questionnaire (``initiatorQuestions[movie].liked == 0``) says the seeker disliked the movie; an
    utterance naming it (and no other movie) is evidence of a negative emotion. On the annotated utterances of the
    train file this rule is right 17 times out of 20 (docs/emotion.md). Only dialogues of the ``train`` split are
    used (never the ranker's valid split, nor test), minus those holding a validation annotation (which would leak
    into the emotion validation); utterances that carry a hand label are skipped.
    """
    titles = MovieCatalog.load(paths).titles
    annotated = {(a.conversation_id, a.position) for a in load_annotations()} if exclude_annotated else set()
    held_out = {a.conversation_id for a in load_annotations("valid")}
    examples = []
    for dialogue in load_dialogues("train", paths):
        if dialogue.conversation_id in held_out:
            continue
        for message in dialogue.seeker_messages():
            feedback = {dialogue.seeker_feedback.get(m, Feedback.UNKNOWN) for m in message.movie_ids}
            key = (dialogue.conversation_id, message.position)
            if feedback != {Feedback.DISLIKE} or key in annotated:
                continue
            text = dialogue.render(message, titles)
            examples.append(EmotionExample(text, ("negative",), source="questionnaire", weight=weight, key=key))
    logger.info("questionnaire evidence: %d utterances naming only disliked movies", len(examples))
    return examples


def write_gold_file(examples: Iterable[EmotionExample], path: Path) -> Path:
    """Write ``examples`` as the gold format of ``ecr eval emotion``: JSON lines with ``text`` and ``labels``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps({"text": example.text, "labels": list(example.labels)}, ensure_ascii=False) + "\n")
    return path


def read_gold_file(path: Path) -> list[EmotionExample]:
    """Read a gold file (JSON lines with ``text`` and ``labels``); a bad line raises `ValueError` naming it."""
    if not path.exists():
        raise FileNotFoundError(f"gold file {path} does not exist")
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            labels = row["labels"]
            examples.append(EmotionExample(str(row["text"]), tuple([labels] if isinstance(labels, str) else labels)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}:{number}: expected {{'text': str, 'labels': [label, ...]}}: {error}") from error
    if not examples:
        raise ValueError(f"gold file {path} holds no examples")
    return examples

"""ECR's nine utterance-level emotion labels and the hand annotations shipped with the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

EMOTIONS: tuple[str, ...] = (
    "like",
    "curious",
    "happy",
    "grateful",
    "negative",
    "neutral",
    "nostalgia",
    "agreement",
    "surprise",
)
BETA = 0.1
"""Labels with probability above β are kept (the paper's threshold)."""
ANNOTATIONS = Path(__file__).parent / "data" / "annotations.jsonl"


@dataclass(frozen=True)
class Annotation:
    """Hand labels of one seeker utterance, keyed by dialogue id and message position (never by text)."""

    conversation_id: str
    position: int
    split: Literal["train", "valid", "test"]
    labels: tuple[str, ...]


def load_annotations(split: str | None = None, path: Path = ANNOTATIONS) -> list[Annotation]:
    """Annotations of ``split`` (train / valid / test; train and valid come from ReDial train, test from test)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [
        Annotation(r["conversation_id"], int(r["position"]), r["split"], tuple(r["labels"]))
        for r in rows
        if split is None or r["split"] == split
    ]

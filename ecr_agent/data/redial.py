"""ReDial dialogues as typed objects: messages with roles, movie mentions and the seeker's feedback.

The seeker is the initiator. Movies appear in text as ``@<movieId>``; `render` swaps them for titles.
There is no official validation split, so `split_of` carves 10 % of train by a stable hash of the id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from ecr_agent.config import Paths

Role = Literal["seeker", "recommender"]
Split = Literal["train", "valid", "test", "train_full"]
SPLITS: tuple[str, ...] = ("train", "valid", "test", "train_full")
MOVIE_MENTION = re.compile(r"@(\d+)")
VALID_FRACTION_PERCENT = 10


class Feedback(StrEnum):
    """The seeker's questionnaire answer about a movie (``liked``: 1, 0, 2)."""

    LIKE = "like"
    DISLIKE = "dislike"
    UNKNOWN = "unknown"

    @classmethod
    def from_code(cls, code: object) -> Feedback:
        return {1: cls.LIKE, 0: cls.DISLIKE}.get(code if isinstance(code, int) else -1, cls.UNKNOWN)


@dataclass(frozen=True)
class Message:
    """One ReDial message; ``position`` is its index in the dialogue (the key of emotion annotations)."""

    position: int
    role: Role
    text: str

    @property
    def movie_ids(self) -> tuple[str, ...]:
        return tuple(MOVIE_MENTION.findall(self.text))


@dataclass(frozen=True)
class Dialogue:
    """A ReDial conversation with the seeker's questionnaire (the label side: never model input)."""

    conversation_id: str
    messages: tuple[Message, ...]
    movie_mentions: Mapping[str, str] = field(default_factory=dict)
    seeker_feedback: Mapping[str, Feedback] = field(default_factory=dict)

    def render(self, message: Message, titles: Mapping[str, str] | None = None) -> str:
        """Message text with ``@id`` replaced by the movie title (dialogue mentions first, then ``titles``)."""
        return render_mentions(message.text, self.movie_mentions, titles)

    def seeker_messages(self) -> Iterator[Message]:
        return (m for m in self.messages if m.role == "seeker")


def render_mentions(text: str, mentions: Mapping[str, str], fallback: Mapping[str, str] | None = None) -> str:
    """Replace each ``@<movieId>`` with its title; unknown ids stay as they are."""

    def title(match: re.Match[str]) -> str:
        movie_id = match.group(1)
        name = mentions.get(movie_id) or (fallback or {}).get(movie_id)
        return normalise_title(name) if name else match.group(0)

    return MOVIE_MENTION.sub(title, text)


def normalise_title(title: str) -> str:
    """Collapse the double spaces ReDial leaves before years (``Police Academy  (1984)``) and decode its URL escapes
    (``Why Him%3F (2016)`` → ``Why Him? (2016)``: a reply wrote "Try Why Him%3F (2016)")."""
    return " ".join(unquote(title).split())


def parse_dialogue(raw: Mapping[str, object]) -> Dialogue:
    """Build a `Dialogue` from one line of the original ReDial schema."""
    seeker_id = raw["initiatorWorkerId"]
    messages = tuple(
        Message(position=i, role="seeker" if m["senderWorkerId"] == seeker_id else "recommender", text=m["text"])
        for i, m in enumerate(raw["messages"])  # type: ignore[arg-type]
    )
    questions = raw.get("initiatorQuestions") or {}
    feedback = {movie: Feedback.from_code(q.get("liked")) for movie, q in dict(questions).items()}  # type: ignore[union-attr]
    mentions = raw.get("movieMentions") or {}
    return Dialogue(
        conversation_id=str(raw["conversationId"]),
        messages=messages,
        movie_mentions={k: v for k, v in dict(mentions).items() if v},  # type: ignore[union-attr]
        seeker_feedback=feedback,
    )


def split_of(conversation_id: str) -> Literal["train", "valid"]:
    """Deterministic train/valid assignment of a train-file dialogue (10 % valid, by SHA-1 of the id)."""
    bucket = int(hashlib.sha1(conversation_id.encode()).hexdigest(), 16) % 100
    return "valid" if bucket < VALID_FRACTION_PERCENT else "train"


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_dialogues(split: Split, paths: Paths) -> list[Dialogue]:
    """Dialogues of ``train`` (minus valid), ``valid``, ``test`` or ``train_full`` (train + valid)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return list(_load_cached(split, paths.data_dir))


@lru_cache(maxsize=8)
def _load_cached(split: str, data_dir: Path) -> tuple[Dialogue, ...]:
    paths = Paths(data_dir=data_dir, store_dir=Path("."))
    name = "test_data.jsonl" if split == "test" else "train_data.jsonl"
    dialogues = (parse_dialogue(raw) for raw in read_jsonl(paths.data_file(f"redial/{name}")))
    if split in ("test", "train_full"):
        return tuple(dialogues)
    return tuple(d for d in dialogues if split_of(d.conversation_id) == split)

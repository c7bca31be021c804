"""Plain data passed between the steps of a turn (no LangChain here: adapters convert at the edges)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

ChatRole = Literal["user", "assistant"]
Emotions = dict[str, float]
"""Probability per emotion label (``like``, ``negative``, …), usually those above β, sorted high to low."""


@dataclass(frozen=True)
class ChatTurn:
    """One message of a conversation as users give it: ``user`` is the seeker, ``assistant`` the recommender."""

    role: ChatRole
    content: str


@dataclass(frozen=True)
class Recommendation:
    """A ranked movie with the evidence that put it there.

    ``evidence`` lists the context entities/emotions that contributed most (human-readable strings);
    ``popular_fallback`` is True when the pick came from popularity because the context said nothing usable.
    """

    movie_id: str
    title: str
    score: float
    evidence: list[str] = field(default_factory=list)
    popular_fallback: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

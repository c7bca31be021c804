"""Recommendation samples: the context before a recommender turn, one movie it mentions as label, its feedback.

Consecutive messages of one speaker are merged into a turn (as UniCRS/ECR preprocess ReDial); each turn keeps
the positions of its messages so per-message emotions can be attached. ``dedup`` marks samples whose label was
not mentioned earlier in the dialogue (the deduplicated protocol: repeating a context movie is a shortcut).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ecr_agent.data.redial import Dialogue, Feedback, Role


@dataclass(frozen=True)
class Turn:
    """Consecutive messages of one speaker; ``text`` joins them with spaces (``@ids`` kept)."""

    role: Role
    text: str
    positions: tuple[int, ...]
    movie_ids: tuple[str, ...]


@dataclass(frozen=True)
class RecommendationSample:
    """One (context, recommended movie) pair; ``feedback`` is the seeker's questionnaire answer (label side only)."""

    conversation_id: str
    turn_index: int
    context: tuple[Turn, ...]
    label: str
    feedback: Feedback
    dedup: bool
    role: Role = "recommender"

    @property
    def context_movie_ids(self) -> list[str]:
        return [m for turn in self.context for m in turn.movie_ids]


def merge_turns(dialogue: Dialogue) -> list[Turn]:
    """Group consecutive messages of the same role into turns."""
    turns: list[Turn] = []
    for message in dialogue.messages:
        if turns and turns[-1].role == message.role:
            last = turns[-1]
            turns[-1] = Turn(
                role=last.role,
                text=f"{last.text} {message.text}".strip(),
                positions=(*last.positions, message.position),
                movie_ids=(*last.movie_ids, *message.movie_ids),
            )
        else:
            turns.append(Turn(message.role, message.text, (message.position,), message.movie_ids))
    return turns


def dialogue_samples(
    dialogue: Dialogue, known_movies: set[str] | None = None, roles: tuple[Role, ...] = ("recommender",)
) -> Iterator[RecommendationSample]:
    """Samples of one dialogue: every movie a turn of ``roles`` mentions, given a non-empty context.

    The task (and every evaluation) labels the recommender's movies only; ``roles=("recommender", "seeker")`` adds
    the movies seekers name as extra training labels.
    """
    turns = merge_turns(dialogue)
    for index, turn in enumerate(turns):
        if turn.role not in roles or index == 0:
            continue
        context = tuple(turns[:index])
        mentioned = {m for t in context for m in t.movie_ids}
        for movie_id in dict.fromkeys(turn.movie_ids):
            if known_movies is not None and movie_id not in known_movies:
                continue
            yield RecommendationSample(
                conversation_id=dialogue.conversation_id,
                turn_index=index,
                context=context,
                label=movie_id,
                feedback=dialogue.seeker_feedback.get(movie_id, Feedback.UNKNOWN),
                dedup=movie_id not in mentioned,
                role=turn.role,
            )


def build_samples(
    dialogues: Iterable[Dialogue], known_movies: set[str] | None = None, roles: tuple[Role, ...] = ("recommender",)
) -> list[RecommendationSample]:
    """All samples of ``dialogues`` in dialogue order (labels from turns of ``roles``)."""
    return [sample for dialogue in dialogues for sample in dialogue_samples(dialogue, known_movies, roles)]

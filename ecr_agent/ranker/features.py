"""What the ranker reads from a dialogue: turns, the entities they mention, and the emotions attached to them.

Pure functions shared by training, evaluation and inference, so the three see a context the same way:

- `turn_emotions` merges the emotions of a turn's messages (the last ``max_labels`` labels, later messages win);
- `entity_mentions` attaches emotions to entities (DESIGN.md): a seeker-mentioned entity takes that turn's emotions,
  a recommender-mentioned one takes the emotions of the *next seeker turn inside the context* (never beyond it),
  unless the seeker named it before: then the seeker's own turn keeps it;
- `disliked_movies` reads the movies the seeker turned down from the dialogue itself (never the questionnaire);
  a negative turn that names several movies is read clause by clause (`clause_rejections`), so "I loved The
  Shining, but I hated Titanic" turns down Titanic only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ecr_agent.data.redial import Role
from ecr_agent.emotion.labels import BETA
from ecr_agent.sentences import split_clauses

MAX_LABELS = 3
"""n_f: emotion labels kept per entity (the paper's 3)."""


@dataclass(frozen=True)
class TurnInfo:
    """One merged turn as the ranker sees it.

    Attributes:
        role: ``seeker`` or ``recommender``.
        movies: ReDial ids the turn mentions (``@ids`` and typed titles), in order.
        nodes: ranker node ids the turn mentions (its movies first, then people, genres, …).
        emotions: the seeker's emotions in this turn (label → probability > β, at most `MAX_LABELS`); empty for
            recommender turns.
        text_index: row of this turn's text embedding in its cache (or in the batch being built).
        rejected: the movies this turn turns down, read clause by clause (`clause_rejections`) when it is a negative
            seeker turn naming several movies; None: the turn's strongest emotion decides for all its movies.
    """

    role: Role
    movies: tuple[str, ...] = ()
    nodes: tuple[int, ...] = ()
    emotions: Mapping[str, float] = field(default_factory=dict)
    text_index: int = -1
    rejected: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Mention:
    """A context entity with the emotions attached to it; ``distance`` counts turns back from the context end."""

    node: int
    role: Role
    distance: int
    emotions: Mapping[str, float]
    movie: str | None = None


def turn_emotions(messages: Sequence[Mapping[str, float] | None], max_labels: int = MAX_LABELS) -> dict[str, float]:
    """Merge per-message emotions of one turn: labels above β in message order; the last ``max_labels`` survive.

    Within a message labels go from most to least probable, so the last labels of a turn are the strongest ones of
    its latest message (the paper keeps the last three labels of a turn).
    """
    merged: dict[str, float] = {}
    for emotions in messages:
        for label, prob in sorted((emotions or {}).items(), key=lambda item: -item[1]):
            if prob > BETA:
                merged.pop(label, None)
                merged[label] = float(prob)
    return dict(list(merged.items())[-max_labels:])


def attached_emotions(turns: Sequence[TurnInfo]) -> list[Mapping[str, float]]:
    """Per turn, the emotions its entities take: a seeker turn's own, or the next seeker turn's (empty if none)."""
    attached: list[Mapping[str, float]] = [{}] * len(turns)
    upcoming: Mapping[str, float] = {}
    for index in range(len(turns) - 1, -1, -1):
        attached[index] = turns[index].emotions if turns[index].role == "seeker" else upcoming
        if turns[index].role == "seeker":
            upcoming = turns[index].emotions
    return attached


def entity_mentions(turns: Sequence[TurnInfo], window: int | None = None) -> list[Mention]:
    """Entities of ``turns`` (a context, oldest first) with their emotions; the latest mention of a node wins.

    Args:
        turns: the context; nothing after its last turn is looked at.
        window: keep only the ``window`` most recent distinct entities.
    """
    latest: dict[int, Mention] = {}
    for index, (turn, emotions) in enumerate(zip(turns, attached_emotions(turns), strict=True)):
        movie_of = dict(zip(turn.nodes, turn.movies, strict=False))
        for node in turn.nodes:
            if turn.role == "recommender" and node in latest and latest[node].role == "seeker":
                continue  # "Oh, I see you like Titanic. Try X": the next reply answers X, not Titanic
            latest.pop(node, None)
            latest[node] = Mention(node, turn.role, len(turns) - 1 - index, emotions, movie_of.get(node))
    mentions = list(latest.values())
    return mentions[-window:] if window else mentions


def top_label(emotions: Mapping[str, float]) -> str | None:
    return max(emotions, key=emotions.__getitem__) if emotions else None


def disliked_movies(turns: Sequence[TurnInfo]) -> list[str]:
    """Movies the seeker turned down, read from the dialogue (never from the questionnaire).

    A seeker turn whose strongest emotion is ``negative`` rejects the movies it names (those of its negative clauses
    when it was read clause by clause, `TurnInfo.rejected`); if it names none, it rejects the movies of the
    recommender turn just before it ("I hated that one").
    """
    rejected: list[str] = []
    for index, turn in enumerate(turns):
        if turn.role != "seeker" or top_label(turn.emotions) != "negative":
            continue
        if turn.movies:
            rejected.extend(turn.movies if turn.rejected is None else turn.rejected)
        elif index > 0 and turns[index - 1].role == "recommender":
            rejected.extend(turns[index - 1].movies)
    return list(dict.fromkeys(rejected))


def needs_clauses(role: str, emotions: Mapping[str, float], movies: Sequence[str]) -> bool:
    """A negative seeker turn naming several movies: its strongest emotion may belong to only some of them."""
    return role == "seeker" and len(set(movies)) > 1 and top_label(emotions) == "negative"


def clause_rejections(
    text: str,
    movies: Sequence[str],
    movies_in: Callable[[str], Sequence[str]],
    detect: Callable[[list[str]], Sequence[Mapping[str, float] | None]],
    render: Callable[[str], str] = str,
) -> tuple[str, ...]:
    """The turn's movies whose own clause is negative: `disliked_movies` for a turn that names several movies.

    Args:
        text: the turn's text.
        movies: the movies the whole turn names.
        movies_in: the movies a clause names (the entity linker).
        detect: emotions of rendered clauses (the classifier).
        render: a clause as the classifier reads it (e.g. ``@id`` → title).

    A movie named in a negative clause is rejected; one named only in other clauses is not. A movie found in no
    clause (the split cut its title) keeps the turn's verdict, so it is rejected as before.
    """
    clauses = [(clause, tuple(movies_in(clause))) for clause in split_clauses(text)]
    clauses = [(clause, named) for clause, named in clauses if named]
    feelings = detect([render(clause) for clause, _ in clauses]) if clauses else []
    negative = {
        m for (_, named), f in zip(clauses, feelings, strict=True) if top_label(f or {}) == "negative" for m in named
    }
    placed = {m for _, named in clauses for m in named}
    return tuple(m for m in dict.fromkeys(movies) if m in negative or m not in placed)


def mentioned_movies(turns: Sequence[TurnInfo]) -> list[str]:
    return list(dict.fromkeys(m for turn in turns for m in turn.movies))

"""The emotion-aligned generation prompt (the paper's Eq. 8): movie, related entities, KG triples, opening sentence.

ECR prompts its generator with the recommended movie, up to 4 related entities and up to 2 KG triples retrieved for
it, and the recommender's opening sentence; the model continues in the first person with feeling and facts. We add
the recent dialogue, the user's detected emotions and optional review snippets, so a hosted chat model given the
same text has what it needs too. Pure Python: the rendered text is the LM input and also a plain chat message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ecr_agent.types import ChatTurn, Recommendation

MAX_ENTITIES = 4
MAX_TRIPLES = 2
MAX_SNIPPETS = 1
DIALOGUE_WINDOW = 4
WINDOW_STEP = 4
"""The dialogue window's first turn moves in jumps of this many turns (`dialogue_window`)."""
TURN_CHARS = 300
SNIPPET_CHARS = 240
EMOTION_THRESHOLD = 0.1
"""β: emotions at or below it are left out of the prompt (the paper's threshold)."""

SYSTEM_PROMPT = (
    "You are a warm, enthusiastic movie lover chatting with a friend. You speak in the first person, "
    "share how the movie made you feel, and only state facts that are given to you."
)
INSTRUCTION = (
    "Continue it with two or three sentences in the first person about why you loved {movie} "
    "and how it made you feel. Use only the facts above."
)
OPENINGS = (
    "You should watch {title}.",
    "Have you seen {title}?",
    "I'd recommend {title}.",
    "How about {title}?",
    "You might like {title}.",
)
"""Recommender opening sentences used to build training prompts; evaluation uses the first one."""
REVIEW_SOURCES = frozenset({"imdb_review", "imdb"})
TRIPLE_SOURCES = frozenset({"dbpedia"})
RELATION_PRIORITY = (
    "director",
    "starring",
    "writer",
    "genre",
    "music composer",
    "producer",
    "cinematography",
    "based on",
    "narrator",
    "editing",
    "country",
    "language",
    "distributor",
    "production company",
)
"""Relations a person asking about a movie cares about first; the rest keep their retrieval order after these."""


@dataclass(frozen=True)
class GenerationPrompt:
    """Everything the generator may say about one recommended movie.

    Attributes:
        dialogue: the recent turns (``user`` = seeker, ``assistant`` = recommender), oldest first.
        emotions: the user's detected emotions, ``{label: probability}``.
        movie: the recommended movie's title, e.g. ``"Titanic (1997)"``.
        entities: up to 4 related entity names (``"James Cameron"``, ``"Romance film"``).
        triples: up to 2 KG facts as sentences (``"Titanic (1997)'s director is James Cameron"``).
        snippets: short review snippets about the movie (optional grounding).
        opening: the recommender's opening sentence; the generator continues after it.
    """

    movie: str
    opening: str
    dialogue: tuple[ChatTurn, ...] = ()
    emotions: Mapping[str, float] = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    triples: tuple[str, ...] = ()
    snippets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.movie.strip():
            raise ValueError("GenerationPrompt needs a movie title")
        if len(self.entities) > MAX_ENTITIES or len(self.triples) > MAX_TRIPLES:
            raise ValueError(f"at most {MAX_ENTITIES} entities and {MAX_TRIPLES} triples (the paper's p_ne, p_nt)")

    def render(self) -> str:
        """The user-message text given to the LM (or to any chat model) to continue the reply."""
        lines = []
        if self.dialogue:
            lines.append("Here is a chat about movies.")
            for turn in self.dialogue:
                speaker = "User" if turn.role == "user" else "Recommender"
                lines.append(f"{speaker}: {_clip(turn.content, TURN_CHARS)}")
        feelings = format_emotions(self.emotions)
        if feelings:
            lines.append(f"The user feels: {feelings}.")
        knowledge = f"You are recommending {self.movie}."
        if self.triples:
            knowledge += f" Facts you know: {'; '.join(self.triples)}."
        if self.entities:
            knowledge += f" Related: {', '.join(self.entities)}."
        lines.append(knowledge)
        for snippet in self.snippets:
            lines.append(f'A reviewer wrote: "{_clip(snippet, SNIPPET_CHARS)}"')
        lines.append(f'Your reply starts with: "{self.opening}"')
        lines.append(INSTRUCTION.format(movie=self.movie))
        return "\n".join(lines)

    def messages(self) -> list[tuple[str, str]]:
        """``[("system", ...), ("user", render())]``: the same prompt as chat messages for any chat model."""
        return [("system", SYSTEM_PROMPT), ("user", self.render())]

    def knowledge_text(self) -> str:
        """Everything the reply may draw names from (for the hallucination check): prompt facts and dialogue."""
        parts = [self.movie, self.opening, *self.entities, *self.triples, *self.snippets]
        parts += [turn.content for turn in self.dialogue]
        return "\n".join(parts)

    def compose(self, continuation: str) -> str:
        """The reply a user sees: the opening sentence followed by the generated continuation.

        A continuation that starts by repeating the opening sentence (small models do) loses the repeat.
        """
        continuation = continuation.strip()
        if continuation.lower().startswith(self.opening.lower()):
            continuation = continuation[len(self.opening) :].strip()
        return f"{self.opening} {continuation}".strip() if continuation else self.opening


def format_emotions(emotions: Mapping[str, float], threshold: float = EMOTION_THRESHOLD, top: int = 3) -> str:
    """``"like, curious"``: the strongest labels above β (strongest first), neutral left out.

    Probabilities are left out on purpose: small LMs copy numbers into the reply.
    """
    kept = sorted(
        ((label, p) for label, p in emotions.items() if p > threshold and label != "neutral"),
        key=lambda item: -item[1],
    )[:top]
    return ", ".join(label for label, _ in kept)


def opening_sentence(title: str, variant: int = 0) -> str:
    """A recommender opening for ``title`` (``variant`` picks one of `OPENINGS`)."""
    return OPENINGS[variant % len(OPENINGS)].format(title=title)


def build_prompt(
    turns: Sequence[ChatTurn],
    emotions: Mapping[str, float],
    recommendation: Recommendation,
    knowledge: Sequence[Mapping],
    opening: str | None = None,
    window: int = DIALOGUE_WINDOW,
    step: int = WINDOW_STEP,
) -> GenerationPrompt:
    """Assemble the prompt from a turn's pieces.

    Args:
        turns: the conversation so far (the last ``window`` turns are kept).
        emotions: the user's emotions for the latest message, ``{label: prob}``.
        recommendation: the movie to talk about.
        knowledge: hits as `KnowledgeStore.search` returns them (``text`` and ``metadata`` with ``movie_id``,
            ``relation``, ``tail``, ``source``); hits about other movies are ignored. KG facts (``source`` =
            ``dbpedia``) fill the 2 triples (by `RELATION_PRIORITY`, then retrieval order) and the tails of the
            other facts the 4 entities; review hits give a snippet.
        opening: the opening sentence; default ``"You should watch <title>."``.
        window: how many recent turns to keep at least (`dialogue_window`).
        step: how far the window's first turn jumps (1: a plain sliding window of ``window`` turns).
    """
    relevant = [
        k
        for k in knowledge
        if str((k.get("metadata") or {}).get("movie_id", recommendation.movie_id)) == str(recommendation.movie_id)
    ]
    facts = [k for k in relevant if (k.get("metadata") or {}).get("source") in TRIPLE_SOURCES]
    facts = _dedupe(facts, key=lambda k: k.get("text", ""))
    facts.sort(key=lambda k: _relation_rank((k.get("metadata") or {}).get("relation", "")))
    triples = tuple(_sentence(k["text"]) for k in facts[:MAX_TRIPLES])
    mentioned = " ".join(triples).lower()
    entities: list[str] = []
    for fact in facts[MAX_TRIPLES:]:
        tail = str((fact.get("metadata") or {}).get("tail", "")).strip()
        if tail and tail.lower() not in mentioned and tail not in entities and tail != recommendation.title:
            entities.append(tail)
        if len(entities) == MAX_ENTITIES:
            break
    reviews = [k for k in relevant if (k.get("metadata") or {}).get("source") in REVIEW_SOURCES]
    snippets = tuple(_clip(k["text"], SNIPPET_CHARS) for k in reviews[:MAX_SNIPPETS])
    return GenerationPrompt(
        movie=recommendation.title,
        opening=opening or opening_sentence(recommendation.title),
        dialogue=dialogue_window(turns, window, step),
        emotions=dict(emotions),
        entities=tuple(entities),
        triples=triples,
        snippets=snippets,
    )


def dialogue_window(
    turns: Sequence[ChatTurn], window: int = DIALOGUE_WINDOW, step: int = WINDOW_STEP
) -> tuple[ChatTurn, ...]:
    """The recent turns the prompt shows: at least ``window`` and fewer than ``window + step``.

    The first turn shown moves only in jumps of ``step``, so the next turn's prompt begins with this one's dialogue and
    llama.cpp reuses the keys and values it cached for it; a window sliding by one turn changed the prompt right after
    the system prompt every turn, and every turn evaluated its whole prompt again.
    """
    if window <= 0:
        return ()
    start = max(0, len(turns) - window) // max(1, step) * max(1, step)
    return tuple(turns[start:])


def _relation_rank(relation: str) -> int:
    return RELATION_PRIORITY.index(relation) if relation in RELATION_PRIORITY else len(RELATION_PRIORITY)


def _dedupe(items: list, key) -> list:  # noqa: ANN001 - a small local helper
    seen: set = set()
    kept = []
    for item in items:
        value = key(item)
        if value not in seen:
            seen.add(value)
            kept.append(item)
    return kept


def _sentence(text: str) -> str:
    return " ".join(str(text).split()).rstrip(".")


def _clip(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary near ``limit`` characters."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end > limit // 2:
        return cut[: end + 1]
    return re.sub(r"\s+\S*$", "", cut) + "…"

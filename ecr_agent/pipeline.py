"""One ECR turn without LangChain: detect emotions, link entities, rank movies, retrieve knowledge, build the prompt.

`ECRPipeline.prepare` does everything up to the language model; `ecr_agent.chain.ECRChain` adds the chat model and the
LangChain interface. Every step but linking is optional, so a missing model degrades the turn and says so in ``notes``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.data.linking import EntityLinker
from ecr_agent.ranker.features import clause_rejections, needs_clauses
from ecr_agent.types import ChatTurn, Emotions, Recommendation

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut (keeping the end, where the latest wishes are) before any model sees them."""
WINDOW_TURNS = 40
SMALLTALK = frozenset(
    "hi hello hey hiya howdy yo good morning evening afternoon day night how are you doing today there thanks thank "
    "ok okay cool great fine well i am im i'm not bad too and what's up sup nice to meet".split()
)
WORD = re.compile(r"[a-z']+")


class EmotionDetector(Protocol):
    """What the pipeline needs of an emotion classifier (`EmotionPredictor`)."""

    def detect(self, texts: list[str]) -> list[Emotions]: ...


class MovieRanker(Protocol):
    """What the pipeline needs of a ranker (`EmotionAwareRanker`)."""

    def rank(
        self, turns: list[ChatTurn], emotions: list[Emotions | None] | None = None, k: int = 10, **kwargs: Any
    ) -> list[Recommendation]: ...


class KnowledgeSearch(Protocol):
    """What the pipeline needs of the knowledge stores (`KnowledgeStore`)."""

    def search(self, query: str, kind: Any, k: int = 4, movie_ids: list[str] | None = None) -> list[dict]: ...


@dataclass
class PreparedTurn:
    """Everything known before the language model speaks; ``prompt`` is None when ECR should ask, not recommend."""

    turns: list[ChatTurn]
    emotions: list[Emotions | None]
    recommendations: list[Recommendation] = field(default_factory=list)
    knowledge: list[dict] = field(default_factory=list)
    opening: str = ""
    prompt: Any = None
    rejected: list[str] = field(default_factory=list)
    avoid_names: list[str] = field(default_factory=list)
    """Movies the reply should not talk about (names without the year): the ones turned down, the earlier picks."""
    notes: list[str] = field(default_factory=list)


def is_smalltalk(text: str) -> bool:
    """True for greetings and pleasantries that say nothing about taste ("hi", "hello, how are you?")."""
    words = WORD.findall(text.lower())
    return all(w in SMALLTALK for w in words)


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[-limit:]


NEGATIVE_CONFIDENCE = 0.5
"""A turn counts as a rejection only when *negative* is its top label with at least this probability: a near tie
("they made me cry", negative 0.42 vs like 0.41) must not make ECR apologise for a movie the user loved."""


def dominant_feeling(emotions: Emotions | None) -> str | None:
    """The feeling a reply should respond to: *negative* only when confident, else the strongest other label."""
    if not emotions:
        return None
    top = max(emotions, key=emotions.__getitem__)
    if top == "negative" and emotions[top] >= NEGATIVE_CONFIDENCE:
        return "negative"
    others = {label: p for label, p in emotions.items() if label != "negative"}
    return max(others, key=others.__getitem__) if others else None


class ECRPipeline:
    """The steps of one turn; any of detector, ranker and knowledge may be None (weaker, flagged behaviour)."""

    def __init__(
        self,
        linker: EntityLinker,
        detector: EmotionDetector | None = None,
        ranker: MovieRanker | None = None,
        knowledge: KnowledgeSearch | None = None,
        k: int = 5,
    ) -> None:
        self.linker = linker
        self.detector = detector
        self.ranker = ranker
        self.knowledge = knowledge
        self.k = k

    @classmethod
    def from_store(cls, paths: Paths | None = None, strict: bool = False, k: int = 5) -> ECRPipeline:
        """Load every part that is built; with ``strict`` a missing part raises `StoreNotBuiltError`."""
        from ecr_agent.knowledge.stores import KnowledgeStore

        paths = paths or Paths.from_env()
        linker = EntityLinker.load()
        detector = ranker = None
        try:
            from ecr_agent.emotion.inference import EmotionPredictor

            detector = EmotionPredictor.load(paths)
        except StoreNotBuiltError as error:
            if strict:
                raise
            logger.warning("emotion classifier unavailable: %s", error)
        try:
            from ecr_agent.ranker.inference import EmotionAwareRanker

            ranker = EmotionAwareRanker.load(paths, detector=detector)
        except StoreNotBuiltError as error:
            if strict:
                raise
            logger.warning("ranker unavailable: %s", error)
        store = KnowledgeStore.connect(paths)
        try:
            store.check("triples")
        except StoreNotBuiltError:
            if strict:
                raise
            logger.warning("knowledge stores are not built; run `ecr build`")
            store = None  # type: ignore[assignment]
        return cls(linker, detector, ranker, store, k=k)

    def detect(self, turns: list[ChatTurn]) -> list[Emotions | None]:
        """Emotions of each user turn (None for assistant turns and when no classifier is loaded)."""
        user = [i for i, t in enumerate(turns) if t.role == "user"]
        emotions: list[Emotions | None] = [None] * len(turns)
        if self.detector is None or not user:
            return emotions
        for index, detected in zip(user, self.detector.detect([turns[i].content for i in user]), strict=True):
            emotions[index] = detected
        return emotions

    def rejected_movies(self, turns: list[ChatTurn], emotions: list[Emotions | None]) -> list[str]:
        """Movies the user turned down in this dialogue: named in a negative user turn, or the assistant's pick
        right before a negative user turn that names no movie ("I hated that one").

        A negative turn naming several movies is read clause by clause, as the ranker reads it
        (`features.clause_rejections`): "I loved The Shining, but I hated Titanic" turns down Titanic only.
        """
        rejected: list[str] = []
        for index, turn in enumerate(turns):
            if turn.role != "user" or dominant_feeling(emotions[index]) != "negative":
                continue
            named = self.linker.link(turn.content).movie_ids
            if needs_clauses("seeker", emotions[index] or {}, named) and self.detector is not None:
                rejected.extend(
                    clause_rejections(
                        turn.content, named, lambda clause: self.linker.link(clause).movie_ids, self.detector.detect
                    )
                )
            elif named:
                rejected.extend(named)
            elif index > 0 and turns[index - 1].role == "assistant":
                rejected.extend(self.linker.link(turns[index - 1].content).movie_ids)
        return list(dict.fromkeys(rejected))

    def recommend(
        self, turns: list[ChatTurn], emotions: list[Emotions | None], exclude: set[str]
    ) -> tuple[list[Recommendation], list[str]]:
        notes = []
        if self.ranker is not None:
            ranked = self.ranker.rank(turns, emotions, k=self.k + len(exclude), exclude_mentioned=False)
        else:
            from ecr_agent.ranker.inference import popular_movies

            notes.append("ranker not trained (`ecr train ranker`): popular movies instead")
            ranked = popular_movies(self.k + len(exclude))
        return [r for r in ranked if r.movie_id not in exclude][: self.k], notes

    def prepare(self, turns: list[ChatTurn]) -> PreparedTurn:
        """Run every step before the language model for a conversation that ends with a user turn."""
        turns = [ChatTurn(t.role, clip(t.content)) for t in turns[-WINDOW_TURNS:]]
        emotions = self.detect(turns)
        turn = PreparedTurn(turns=turns, emotions=emotions)
        if self.detector is None:
            turn.notes.append("emotion classifier not trained (`ecr train emotion`): emotions unknown")
        user_text = " ".join(t.content for t in turns if t.role == "user")
        linked = self.linker.link(user_text)
        if all(is_smalltalk(t.content) for t in turns if t.role == "user") and not linked.entity_ids:
            turn.opening = ask_about_taste(turns[-1].content)
            return turn
        turn.rejected = self.rejected_movies(turns, emotions)
        suggested = {m for t in turns if t.role == "assistant" for m in self.linker.link(t.content).movie_ids}
        exclude = set(turn.rejected) | suggested | set(linked.movie_ids)
        turn.recommendations, notes = self.recommend(turns, emotions, exclude)
        turn.notes.extend(notes)
        if not turn.recommendations:
            turn.opening = "I couldn't find a movie for that yet. Could you tell me one you enjoyed?"
            return turn
        best = turn.recommendations[0]
        turn.avoid_names = self._names((set(turn.rejected) | suggested) - {best.movie_id})
        turn.knowledge = self.retrieve(best, turns[-1].content)
        turn.opening = opening_sentence(best.title, emotions[-1], self._rejected_title(turn.rejected))
        from ecr_agent.generator.prompt import build_prompt

        turn.prompt = build_prompt(turns, emotions[-1] or {}, best, turn.knowledge, opening=turn.opening)
        return turn

    def retrieve(self, recommendation: Recommendation, query: str) -> list[dict]:
        """Up to 2 KG triples and 2 review snippets about the recommended movie, nearest to the user's words."""
        if self.knowledge is None:
            return []
        ids = [recommendation.movie_id]
        return [
            {**hit, "kind": kind}
            for kind in ("triples", "reviews")
            for hit in self.knowledge.search(query, kind, k=2 if kind == "reviews" else 4, movie_ids=ids)
        ]

    def _names(self, movie_ids: set[str]) -> list[str]:
        movies = (self.linker.catalog.get(movie_id) for movie_id in sorted(movie_ids))
        return [movie.name for movie in movies if movie is not None]

    def _rejected_title(self, rejected: list[str]) -> str | None:
        if not rejected:
            return None
        movie = self.linker.catalog.get(rejected[-1])
        return movie.title if movie else None


def ask_about_taste(last_message: str) -> str:
    """The reply to small talk: a warm question about taste instead of a forced recommendation."""
    greeting = "Hi there! " if any(w in WORD.findall(last_message.lower()) for w in ("hi", "hello", "hey")) else ""
    return f"{greeting}I'd love to help you find a movie. What kind of films do you enjoy, or one you loved recently?"


def opening_sentence(title: str, emotions: Emotions | None, rejected_title: str | None) -> str:
    """First sentence of the reply: acknowledge what the user feels, then name the pick."""
    feeling = dominant_feeling(emotions)
    if feeling == "negative":
        if rejected_title:
            return f"I'm sorry {rejected_title} didn't work for you. How about {title} instead?"
        return f"Sorry that wasn't for you. How about {title} instead?"
    if feeling == "nostalgia":
        return f"If you miss the classics, you should watch {title}."
    if feeling in ("like", "happy", "agreement", "grateful"):
        return f"Since you enjoy those, I think you'd love {title}."
    return f"You should watch {title}."

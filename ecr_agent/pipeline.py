"""One ECR turn without LangChain: detect emotions, link entities, rank movies, retrieve knowledge, build the prompt.

`ECRPipeline.prepare` does everything up to the language model; `ecr_agent.chain.ECRChain` adds the chat model and the
LangChain interface. Every step but linking is optional, so a missing model degrades the turn and says so in ``notes``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.evaluation.claims import FactBook
from ecr_agent.gate import SentenceGate
from ecr_agent.linking import EntityLinker, brought_up
from ecr_agent.loading import paused_gc
from ecr_agent.opening import (
    ASKS_IF_I_SAW,
    FINE_THANKS,
    KIND_QUESTION,
    LIKENESS_QUESTION,
    PERSON_QUESTION,
    UNMET_REQUEST,
    TurnReading,
    answer_question,
    closes_with_thanks,
    farewell,
    question_topic,
    settle,
    settles_on_a_pick,
    thank_and_close,
    user_act,
    write_opening,
)
from ecr_agent.types import ChatTurn, Emotions, Recommendation
from ecr_agent.unknown_titles import UnknownTitles

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
"""Longer messages are cut (keeping the end, where the latest wishes are) before any model sees them."""
WINDOW_TURNS = 40
KG_ROLES = {"starring": "star", "director": "director", "writer": "writer", "author": "writer"}
"""KG relations that credit a person on a movie → the metadata key of the same role."""
QUESTION_SENTENCE = re.compile(
    r"\b(?:(?:do|would|could|can)\s+you\s+(?:think|know)|what|who|when|where|which|how|is|was|does|did|has)\b[^.!?,]*\?",
    re.I,
)
"""The questions of a message, from their first question word (chats run sentences together: "i like comedies like
Click No, i have not, what is that about?" asks about the pick, not about Click; "Do you think The Lego Batman
Movie (2017) is kids friendly?" about The Lego Batman Movie, not the Batman of the turn before: replayed ReDial test
22257)."""
MARKED_QUESTION = re.compile(r"[^.!?,]+\?")
"""Any question with its mark, whatever its words ("You mean Star Wars (1977) ?"), from its last comma: "i like
comedies like Click No, i have not, what is that about?" still asks about the pick."""
ENDS_ON_IT = re.compile(r"\b(?:it|that(?:\s+one)?|this(?:\s+one)?)\W*$", re.I)
"""A message whose last words point back at a movie ("… Have you seen it?"): the one named last."""
WHAT_ABOUT = re.compile(r"\b(?:what|how)\s+about\s+([^,.!?;]+)", re.I)
"""A movie the message brings up before its question ("what about Shrek, did it get a sequel?")."""
SMALLTALK = frozenset(
    "hi hello hey hiya howdy yo good morning evening afternoon day night how are you doing today there thanks thank "
    "ok okay cool great fine well i am im i'm not bad too and what's up sup nice to meet how's hows it is going "
    "greetings things pretty about yourself u what ty thx for asking r ur doin whats wassup merry christmas happy "
    "holidays new year it's its ya yah y'all yall".split()
)
REPEATS = re.compile(r"(.)\1+")
SQUEEZED_SMALLTALK = frozenset(REPEATS.sub(r"\1", word) for word in SMALLTALK)
"""`SMALLTALK` with letters typed twice or more read once, so greetings typed long or short match ("hellllo",
"heloo", "hiii", "merrryyyyy christmas"): replayed ReDial valid 2165, 15561 and 1797 got Black Panther for "hellllo …
how r u", "heloo … hello" and "merrryyyyy christmas!", not a question about taste."""
WORD = re.compile(r"[a-z']+")
REQUEST_POOL = 200
"""Ranked candidates searched for movies that satisfy an explicit request before the KG fills in."""


class EmotionDetector(Protocol):
    """What the pipeline needs of an emotion classifier (`EmotionPredictor`)."""

    def detect(self, texts: list[str]) -> list[Emotions]: ...


class MovieRanker(Protocol):
    """What the pipeline needs of a ranker (`EmotionAwareRanker`)."""

    def rank(
        self, turns: list[ChatTurn], emotions: list[Emotions | None] | None = None, k: int = 10, **kwargs: Any
    ) -> list[Recommendation]: ...


class FeedbackReading(Protocol):
    """What the pipeline needs of a feedback reader (`ecr_agent.feedback.FeedbackReader`)."""

    def read(self, turns: list[ChatTurn]) -> Any: ...


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
    """Movies the user turned down in the conversation (the feedback reader's verdicts)."""
    accepted: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    subject_id: str | None = None
    """The movie the generated part talks about: the pick, or the movie a question asked about."""
    request: Any = None
    """What the user explicitly asked for (`ecr_agent.ranker.requests.Request`), None when nothing."""
    avoid_names: list[str] = field(default_factory=list)
    """Movies the reply should not talk about (names without the year): the ones turned down, the earlier picks."""
    notes: list[str] = field(default_factory=list)


@dataclass
class StepRun:
    """One traced step of a turn: what it hands back, and the callbacks for runs inside it (a chat model's)."""

    outputs: dict[str, Any] = field(default_factory=dict)
    callbacks: Any = None


StepTracer = Callable[[str, dict[str, Any]], AbstractContextManager[StepRun]]
"""Opens a named step with its inputs (`ECRChain` opens a child run of its LangChain run for each)."""


@contextmanager
def untraced(name: str, inputs: dict[str, Any]) -> Iterator[StepRun]:
    """The default `StepTracer`: the step runs, nothing is recorded."""
    yield StepRun()


def is_smalltalk(text: str) -> bool:
    """True for greetings and pleasantries that say nothing about taste ("hi", "hello, how are you?")."""
    words = WORD.findall(text.lower())
    return all(w in SMALLTALK or REPEATS.sub(r"\1", w) in SQUEEZED_SMALLTALK for w in words)


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[-limit:]


class ECRPipeline:
    """The steps of one turn; any of detector, ranker, knowledge and feedback may be None (weaker, flagged)."""

    def __init__(
        self,
        linker: EntityLinker,
        detector: EmotionDetector | None = None,
        ranker: MovieRanker | None = None,
        knowledge: KnowledgeSearch | None = None,
        k: int = 5,
        feedback: FeedbackReading | None = None,
        gate: SentenceGate | None = None,
    ) -> None:
        self.linker = linker
        self.detector = detector
        self.ranker = ranker
        self.knowledge = knowledge
        self.k = k
        if feedback is None:
            from ecr_agent.feedback import FeedbackReader

            feedback = FeedbackReader.rules(linker)
        self.feedback = feedback
        self.gate = gate or SentenceGate()
        self.unknown_titles = UnknownTitles(linker)

    @classmethod
    def from_store(
        cls, paths: Paths, strict: bool = False, k: int = 5, knowledge: KnowledgeSearch | None = None
    ) -> ECRPipeline:
        """Load every part built in ``paths``; with ``strict`` a missing part raises `StoreNotBuiltError`.

        A part whose files are damaged (`StoreCorruptError`, a `StoreNotBuiltError`) counts as missing: without
        ``strict`` it is left out with a warning that names the file and the command that rebuilds it. ``knowledge``
        replaces the Chroma stores, which are then not opened (e.g. `ecr_agent.integrations.VectorStoreKnowledge`).
        """
        with paused_gc():
            return cls._load(paths, strict, k, knowledge)

    @classmethod
    def _load(cls, paths: Paths, strict: bool, k: int, knowledge: KnowledgeSearch | None) -> ECRPipeline:
        from ecr_agent.feedback import FeedbackReader
        from ecr_agent.knowledge.stores import KnowledgeStore

        linker = EntityLinker.load(paths)
        linker.read_misspellings = True  # "somethin like jurasic park pls" is typed, not a ReDial @id
        detector = ranker = feedback = None
        try:
            from ecr_agent.emotion.inference import EmotionPredictor
            from ecr_agent.hardware import native_bfloat16

            detector = EmotionPredictor.load(paths, bf16=native_bfloat16())
            _share_embeddings(detector)
        except StoreNotBuiltError as error:
            if strict:
                raise
            logger.warning("emotion classifier unavailable: %s", error)
        try:
            from ecr_agent.ranker.inference import EmotionAwareRanker

            ranker = EmotionAwareRanker.load(paths, detector=detector, linker=linker)
            ranker.release_entity_inputs()
        except StoreNotBuiltError as error:
            if strict:
                raise
            logger.warning("ranker unavailable: %s", error)
        try:
            feedback = FeedbackReader.load(paths, linker=linker)
        except StoreNotBuiltError as error:
            if strict:
                raise
            logger.warning("feedback model unavailable (%s): reading feedback with rules", error)
        if knowledge is None:
            try:
                store = KnowledgeStore.connect(paths)
                store.check("triples")
                knowledge = store
            except StoreNotBuiltError as error:  # missing, half-built or damaged (`StoreCorruptError`)
                if strict:
                    raise
                logger.warning("knowledge stores unavailable: %s", error)
        book = FactBook.load(paths, catalog=linker.catalog, graph=linker.kg)
        return cls(linker, detector, ranker, knowledge, k=k, feedback=feedback, gate=SentenceGate(book))

    def detect(self, turns: list[ChatTurn]) -> list[Emotions | None]:
        """Emotions of each user turn (None for assistant turns and when no classifier is loaded)."""
        user = [i for i, t in enumerate(turns) if t.role == "user"]
        emotions: list[Emotions | None] = [None] * len(turns)
        if self.detector is None or not user:
            return emotions
        for index, detected in zip(user, self.detector.detect([turns[i].content for i in user]), strict=True):
            emotions[index] = detected
        return emotions

    def recommend(
        self,
        turns: list[ChatTurn],
        emotions: list[Emotions | None],
        exclude: set[str],
        turned_down: Sequence[str] = (),
        request: Any = None,
    ) -> tuple[list[Recommendation], list[str], bool]:
        """The top ``k`` movies outside ``exclude``; with a ``request``, the ones that satisfy it first.

        ``turned_down`` (a part of ``exclude``) reaches the ranker, whose evidence then names those movies as such.
        Returns the movies, notes for the user, and whether the request (if any) could be met.
        """
        notes = []
        wanted = (REQUEST_POOL if request is not None else self.k) + len(exclude)
        if self.ranker is not None:
            ranked = self.ranker.rank(turns, emotions, k=wanted, exclude_mentioned=False, turned_down=list(turned_down))
        else:
            from ecr_agent.ranker.inference import popular_movies

            notes.append("ranker not trained (`ecr train ranker`): popular movies instead")
            ranked = popular_movies(self.linker.catalog, wanted)
        ranked = [r for r in ranked if r.movie_id not in exclude]
        satisfied = True
        if request is not None:
            from ecr_agent.ranker.requests import honour_request

            ranked, satisfied = honour_request(
                ranked, request, self.linker.kg, self.linker.catalog, k=self.k, exclude=exclude
            )
            if not satisfied:
                notes.append(f"nothing in the catalogue matches the request ({request.describe()})")
        return ranked[: self.k], notes, satisfied

    def prepare(self, turns: list[ChatTurn], step: StepTracer = untraced) -> PreparedTurn:
        """Run every step before the language model for a conversation that ends with a user turn.

        Torch runs with one thread per core other processes leave free (`free_threads`): on a busy machine, two
        threads that meet at a barrier after every product made this step 40× slower (benchmarks/chain).
        """
        from ecr_agent.cpu import torch_threads
        from ecr_agent.distributed import free_threads

        with torch_threads(free_threads()):
            return self._prepare(turns, step)

    def _prepare(self, turns: list[ChatTurn], step: StepTracer) -> PreparedTurn:
        turns = [ChatTurn(t.role, clip(t.content)) for t in turns[-WINDOW_TURNS:]]
        with step("emotions", {"messages": [t.content for t in turns if t.role == "user"]}) as run:
            emotions = self.detect(turns)
            run.outputs["emotions"] = [e for e, t in zip(emotions, turns, strict=True) if t.role == "user"]
        turn = PreparedTurn(turns=turns, emotions=emotions)
        if self.detector is None:
            turn.notes.append("emotion classifier not trained (`ecr train emotion`): emotions unknown")
        user_text = " ".join(t.content for t in turns if t.role == "user")
        linked = self.linker.link(user_text)
        key = "\n".join(t.content for t in turns)
        if all(is_smalltalk(t.content) for t in turns if t.role == "user") and not linked.entity_ids:
            turn.opening = ask_about_taste(" ".join(_latest_user_run(turns)))
            return turn
        with step("feedback", {"messages": len(turns)}) as run:
            feedback = self.feedback.read(turns)
            turn.rejected, turn.accepted, turn.seen = feedback.turned_down(), feedback.accepted(), feedback.seen()
            run.outputs.update(turned_down=turn.rejected, accepted=turn.accepted, seen=turn.seen)
        if user_act(turns[-1].content) == "goodbye":
            from ecr_agent.feedback.rules import cues

            # only a goodbye with words against a movie is sorry for it ("Bye!" and "Thank you for all the
            # suggestions" got "Sorry Hostel (2011) didn't work for you.": replayed ReDial valid 16505, 13317)
            against = cues(turns[-1].content).negative
            downs = [m.movie_id for m in feedback.latest() if m.turned_down and not m.moved_on and against]
            fresh = [m.movie_id for m in feedback.latest() if m.accepted and m.seen is not True]
            turn.opening = farewell(key, self._titles(downs), turns[-1].content, self._titles(fresh))
            return turn
        from ecr_agent.ranker.requests import read_request

        with step("ranking", {"turned_down": turn.rejected}) as run:
            turn.request = read_request(turns, self.linker) or None
            if turn.request is not None and turn.request.like_movies:  # "What else is like it?" wants more of it
                feedback = feedback.sparing(turn.request.like_movies)
                turn.rejected = feedback.turned_down()
            suggested = {m for t in turns if t.role == "assistant" for m in self.linker.link_message(t).movie_ids}
            exclude = self.linker.catalog.namesakes(set(turn.rejected) | suggested | set(linked.movie_ids))
            exclude |= self.linker.catalog.sequels(
                m.movie_id for m in feedback.movies if m.turned_down and not m.moved_on
            )
            picks, notes, request_met = self.recommend(turns, emotions, exclude, turn.rejected, turn.request)
            turn.recommendations = picks
            turn.notes.extend(notes)
            run.outputs.update(
                recommendations=[r.title for r in picks], request=turn.request and turn.request.describe()
            )
        if not turn.recommendations:
            turn.opening = "I couldn't find a movie for that yet. Could you tell me one you enjoyed?"
            return turn
        reading = self.reading(turns, feedback, turn.request, request_met)
        if closes_with_thanks(reading):
            turn.opening, turn.recommendations = thank_and_close(reading, key), []
            return turn
        if settles_on_a_pick(reading):
            turn.opening, turn.recommendations = settle(reading, key), []
            return turn
        if reading.request and not request_met:
            from ecr_agent.ranker.requests import part_met

            met = part_met(turn.request, turn.recommendations[0].movie_id, self.linker.kg, self.linker.catalog)
            reading = replace(reading, nearest=met.describe() if met is not None else None)
        best = turn.recommendations[0]
        focus = []
        if turn.request:
            from ecr_agent.data.movies import genre_needs

            # "a romantic comedy" names the catalogue's comedy and romance, which the fact then shows first
            needs = [genre for name in turn.request.genre_names for genre in sorted(genre_needs(name))]
            focus = [*turn.request.person_names, *turn.request.genre_names, *needs]
        focus += [self.linker.kg.name(e) for e in linked.entity_ids if e not in self.linker.kg.entity_movie]
        subject = best
        if (answered := answer_question(reading)) and reading.asked_about is not None:
            asked = reading.asked_about
            subject = Recommendation(asked.movie_id, asked.title, 0.0, ["you asked about it"])
            turn.opening = answered
        else:
            credits = self._credits(best.movie_id, turn.request.person_names if turn.request else ())
            turn.opening = write_opening(reading, self.linker.catalog[best.movie_id], focus, key, credits)
        turn.avoid_names = self._names((set(turn.rejected) | suggested) - {subject.movie_id})
        turn.subject_id = subject.movie_id
        with step("retrieval", {"movie": subject.title, "query": turns[-1].content}) as run:
            turn.knowledge = self.retrieve(subject, turns[-1].content)
            run.outputs["knowledge"] = [k["text"] for k in turn.knowledge]
        from ecr_agent.generator.prompt import build_prompt

        turn.prompt = build_prompt(turns, emotions[-1] or {}, subject, turn.knowledge, opening=turn.opening)
        return turn

    def reading(self, turns: list[ChatTurn], feedback: Any, request: Any, request_met: bool = True) -> TurnReading:
        """What the user's last message did, for the opening: verdicts of that message, its act, its question."""
        if request is not None and request.implied:  # liked movies honoured, not a request to announce
            request, request_met = None, True
        last = len(turns) - 1
        latest = [f for f in feedback.movies if f.turn_index == last]
        named_ids = self.linker.link(turns[-1].content).movie_ids
        named = set(named_ids)
        # A message that names movies speaks about those: "I don't like The Lion King" acknowledges The Lion King
        # only, and "Have you seen San Andreas?" says nothing to acknowledge about the last suggestion.
        downs = [f for f in latest if f.turned_down and (not named or f.movie_id in named)]
        turned_down = {f.movie_id for f in latest if f.turned_down}
        suggested = {f.movie_id for f in latest if f.source == "suggested"}
        # answers to the suggestions: all of them when the message names no movie, else the suggestions it names,
        # provided it names nothing else ("EuroTrip was good ... But we will watch Super Troopers" answers both)
        answers = [
            f for f in latest if f.source == "suggested" and (not named or (f.movie_id in named and named <= suggested))
        ]
        titles = self._titles
        asked_about, asked_people, reasons, series, compared = None, (), (), (), ()
        # "Have you seen Clue (1985)" asks about the movie too, with or without its question mark
        if user_act(turns[-1].content) == "question" or ASKS_IF_I_SAW.search(turns[-1].content):
            # the movies the last assistant turn that names one names, its new pick first: "Who is in it?" asks about
            # that one ("How about Heat?", "How are you?"; an answer naming no year, "Yes, It is a horror movie.",
            # keeps the movie asked about before: "Did James Wan direct it?" was read as a request)
            picks: tuple[str, ...] = ()
            for index in range(len(turns) - 2, -1, -1):
                if turns[index].role == "assistant":
                    new, named_before = brought_up(turns, index, self.linker)
                    if picks := (*new, *named_before):
                        break
            # "i like comedies like Click. what is that about?": a question naming no movie asks about the pick
            questions = QUESTION_SENTENCE.findall(turns[-1].content)
            in_question = [m for q in questions for m in self.linker.link(q).movie_ids]
            # "I haven't seen Veronica (2017) was Veronica (1972) also horror?": the movie the yes/no question names
            text = turns[-1].content
            asking = [found.group() for pattern in (KIND_QUESTION, PERSON_QUESTION) for found in pattern.finditer(text)]
            in_question = [m for span in asking for m in self.linker.link(span).movie_ids] or in_question
            # "what about Shrek, did it get a sequel?": the movie the message brings up, not the pick; "You mean Star
            # Wars (1977) ? What is that about?" (replayed ReDial test 20850 told the plot of the pick, Elf)
            in_question = in_question or [
                m
                for about in (*WHAT_ABOUT.findall(turns[-1].content), *MARKED_QUESTION.findall(turns[-1].content))
                for m in self.linker.link(about).movie_ids
            ]
            # "I like When Harry Met Sally... (1989) too Have you seen it?": "it" is the movie named last, not Titanic,
            # named first (replayed ReDial validation 14199)
            named_order = named_ids[::-1] if ENDS_ON_IT.search(text) else named_ids
            movie_id = (in_question or (picks if questions else ()) or named_order or picks or (None,))[0]
            # "Is it like Moana (2016) in terms of feel good?": about the pick, compared with the movie it names
            likened = [m for m in named_ids if m not in picks] if LIKENESS_QUESTION.search(text) and picks else []
            if likened:
                movie_id = picks[0]
                compared = tuple(self.linker.catalog[m] for m in (picks[0], likened[0]) if m in self.linker.catalog)
            asked_about = self.linker.catalog.get(movie_id) if movie_id else None
            if asked_about is not None:
                from ecr_agent.ranker.requests import credited_role, people_named

                asked_people = tuple(
                    (name, credited_role(asked_about.movie_id, person, self.linker))
                    for person, name in people_named(" ".join(questions) or turns[-1].content, self.linker).items()
                )
                topic = question_topic(turns[-1].content)
                if topic == "reason":  # "why would you recommend that?"
                    from ecr_agent.ranker.requests import pick_reasons

                    liked = [m for m in feedback.accepted() if m != asked_about.movie_id]
                    reasons = pick_reasons(asked_about.movie_id, request, liked, self.linker.kg, self.linker.catalog)
                elif topic == "compare":  # "which do you think is better?": the two it names, else the last picks
                    among = next((ids for ids in (in_question, named_ids) if len(set(ids)) > 1), picks)
                    compared = tuple(self.linker.catalog[m] for m in dict.fromkeys(among) if m in self.linker.catalog)
                elif topic == "sequel":  # "Loved it! Is there a sequel?"
                    from ecr_agent.ranker.requests import same_series

                    found = same_series(asked_about.movie_id, self.linker.kg, self.linker.catalog)
                    series = tuple(self.linker.catalog[m] for m in found)
        from ecr_agent.feedback.rules import BARE_NO, cues
        from ecr_agent.ranker.requests import liked_movies

        # a standing request that the catalogue cannot meet is said once, not again on every later turn
        unmet_news = (
            request is not None
            and not request_met
            and not any(
                f"{UNMET_REQUEST} {request.describe()}" in turn.content for turn in turns if turn.role == "assistant"
            )
        )
        # The opening only acknowledges what the message says in words: the reader's "liked" leans on the prior
        # that seekers like suggestions, so "Seen it already, what else?" would otherwise read as "a good choice".
        said = cues(turns[-1].content)
        seen = [f for f in answers if f.seen or (said.seen and not said.not_seen and f.seen is None)]
        return TurnReading(
            text=turns[-1].content,
            turned_down=titles(f.movie_id for f in downs),
            moved_on=titles(f.movie_id for f in downs if f.moved_on),
            accepted=titles(
                f.movie_id for f in answers if f.accepted and not f.turned_down and (said.positive or f.chosen)
            ),
            seen=titles(f.movie_id for f in seen),
            liked_seen=titles(f.movie_id for f in seen if f.accepted and said.positive),
            # a bare "no" answers "Have you seen X?" (the reader only then calls X unseen on it)
            not_seen=titles(
                f.movie_id
                for f in answers
                if f.seen is False and (said.not_seen or BARE_NO.match(turns[-1].content)) and not f.turned_down
            )
            if not said.positive
            else (),
            liked_named=titles(m for m in liked_movies(turns[-1].content, self.linker) if m not in turned_down),
            # a standing request was acknowledged when it was made: only a failure to meet it is news
            request=request.describe() if request is not None and (not request.continued or unmet_news) else None,
            request_met=request_met,
            asked_about=asked_about,
            asked_people=asked_people,
            unknown=self.unknown_titles.read(turns[-1].content),
            reasons=reasons,
            series=series,
            compared=compared,
        )

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

    def _credits(self, movie_id: str, names: Iterable[str]) -> dict[str, list[str]]:
        """Of ``names``, those the KG credits on the movie, by role (``star``, ``director``, ``writer``)."""
        wanted = {name.lower() for name in names}
        credits: dict[str, list[str]] = {}
        for triple in self.linker.kg.movie_facts(movie_id) if wanted else ():
            role = KG_ROLES.get(triple.relation)
            if role is not None and triple.tail.lower() in wanted:
                credits.setdefault(role, []).append(triple.tail)
        return credits

    def _names(self, movie_ids: set[str]) -> list[str]:
        movies = (self.linker.catalog.get(movie_id) for movie_id in sorted(movie_ids))
        return [movie.name for movie in movies if movie is not None]

    def _titles(self, movie_ids: Iterable[str]) -> tuple[str, ...]:
        movies = (self.linker.catalog.get(movie_id) for movie_id in dict.fromkeys(movie_ids))
        return tuple(movie.title for movie in movies if movie is not None)


HOW_ARE_YOU = re.compile(
    # "Hey how are ya?" (replayed ReDial test 21982 got a pick and no word back)
    r"\bhow(?:\s+are\s+(?:you|u|ya|y'?all)|\s+r\s+(?:u|ya)|\s+is\s+it\s+going|['’]?s\s+it\s+going|\s+are\s+things)\b"
    # "Hello there! I'm pretty good What about you?" (replayed ReDial test 20970 got a pick and no word back)
    r"|\b(?:what|how)\s+about\s+(?:you|u|yourself)\b|\band\s+(?:you|u|yourself)\s*\?"
    r"|^\W*(?:you|u|yourself)\s*\?\W*$",  # "you?" asking back (replayed ReDial test 21839)
    re.I,
)


def ask_about_taste(last_message: str) -> str:
    """The reply to small talk: a warm question about taste instead of a forced recommendation ("how are you?" gets
    a plain "All good here", which claims no life)."""
    words = WORD.findall(last_message.lower())
    greeting = "Hi there! " if any(w in words for w in ("hi", "hello", "hey")) else ""
    if FINE_THANKS.search(last_message):  # "It's going great, thanks!"
        greeting += "Glad to hear it! "
    if HOW_ARE_YOU.search(last_message):
        greeting += "All good here, thanks for asking! "
    return f"{greeting}I'd love to help you find a movie. What kind of films do you enjoy, or one you loved recently?"


def _latest_user_run(turns: Sequence[ChatTurn]) -> list[str]:
    """The user's messages since the assistant last spoke, oldest first ("Hello, how are you?", "It's going great,
    thanks!": replayed ReDial test 22446 answered only the second)."""
    run: list[str] = []
    for turn in reversed(turns):
        if turn.role != "user":
            break
        run.append(turn.content)
    return run[::-1]


def _share_embeddings(detector: Any) -> None:
    """Let the emotion classifier read its frozen word embeddings from the shared sentence encoder (23 MB less)."""
    from ecr_agent.minilm import share_word_embeddings
    from ecr_agent.text_encoder import shared_encoder

    if share_word_embeddings(detector.model.encoder, shared_encoder().model):
        logger.debug("the emotion classifier shares the sentence encoder's word embeddings")

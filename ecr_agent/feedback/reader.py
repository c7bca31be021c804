"""Read, for each movie of a conversation, what the user said about it: accepted, turned down, seen, not seen.

The verdict is about one movie at a time (target-aware), not about the mood of the whole message: "I have. Did a binge
to prepare for Avengers: Infinity War" does not turn anything down, "I loved The Shining, but Titanic was awful"
turns down Titanic only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import torch

from ecr_agent.config import Paths, StoreNotBuiltError, force_offline
from ecr_agent.data.movies import genre_needs
from ecr_agent.feedback.dataset import FeedbackItem, feedback_items, link_chat
from ecr_agent.feedback.model import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    FeedbackHead,
    FeedbackModelConfig,
    featurize,
    load_model,
)
from ecr_agent.feedback.rules import (
    ASKS_IF_SEEN,
    BARE_NO,
    BARE_SEEN,
    BARE_YES,
    CHOSEN,
    NEGATIVE,
    NO_SEEN_IT,
    OFFER,
    OFFERS_A_CHOICE,
    OTHER,
    TARGET,
    RuleVerdict,
    cues,
    rule_verdict,
)
from ecr_agent.linking import EntityLinker
from ecr_agent.sentences import split_clauses
from ecr_agent.types import ChatTurn
from ecr_agent.unknown_titles import UnknownTitles

force_offline()

logger = logging.getLogger(__name__)

MODEL_NAME = "feedback"
IF = re.compile(r"\W*if\b", re.I)
THAT_KIND = re.compile(r"\b(?:that|this|those|these)\s+(?:type|kind|sort|style)s?\s+of\b", re.I)
"""A fault with the kind of something said before ("that type of humor"), not with a kind the user names."""


@dataclass(frozen=True)
class MovieFeedback:
    """The verdict on one movie.

    Attributes:
        movie_id: the ReDial movie id.
        source: ``suggested`` (the assistant mentioned it first) or ``named`` (the user did).
        turned_down: the user does not want it / did not like it.
        accepted: the user takes the suggestion / likes the movie.
        seen: True "I've seen it", False "haven't seen it", None not said.
        turn_index: index in the turns given to `FeedbackReader.read` of the user turn the verdict comes from.
        p_turned_down: the model's probability of *turned down* (1.0 / 0.0 from the rules).
        moved_on: turned down only because the reply moved on from the suggestion ("Seen it. Anything else?"), not
            because it said a word against the movie: the opening skips it without saying sorry.
    """

    movie_id: str
    source: Literal["suggested", "named"]
    turned_down: bool
    accepted: bool
    seen: bool | None
    turn_index: int
    p_turned_down: float
    moved_on: bool = False
    chosen: bool = False
    """Picked from an offer of it or another by its title alone ("Step Brothers!" after "Elf or Step Brothers?"):
    taken up though the words say nothing good of it."""

    @property
    def says_something(self) -> bool:
        return self.turned_down or self.accepted or self.seen is not None


@dataclass(frozen=True)
class DialogueFeedback:
    """The latest verdict per movie of a conversation (in order of the turns they come from)."""

    movies: tuple[MovieFeedback, ...] = ()

    def turned_down(self) -> list[str]:
        return [m.movie_id for m in self.movies if m.turned_down]

    def accepted(self) -> list[str]:
        return [m.movie_id for m in self.movies if m.accepted]

    def seen(self) -> list[str]:
        return [m.movie_id for m in self.movies if m.seen]

    def sparing(self, movie_ids: Collection[str]) -> DialogueFeedback:
        """The same verdicts with ``movie_ids`` not turned down: the user asked for more like them ("What else is
        like it?"), whatever the words around the request read as."""
        return DialogueFeedback(
            tuple(replace(m, turned_down=False, moved_on=False) if m.movie_id in movie_ids else m for m in self.movies)
        )

    def latest(self) -> list[MovieFeedback]:
        """Verdicts that come from the conversation's last user turn (what a reply's opening responds to)."""
        if not self.movies:
            return []
        last = max(m.turn_index for m in self.movies)
        return [m for m in self.movies if m.turn_index == last]


class FeedbackReader:
    """Target-aware feedback on movies, from a trained head or from transparent rules.

    Setup: ``ecr train feedback`` writes ``$ECR_STORE_DIR/models/feedback`` (safetensors + JSON).

    Instantiate:
        .. code-block:: python

            from ecr_agent.config import Paths
            from ecr_agent.feedback import FeedbackReader
            from ecr_agent.types import ChatTurn

            paths = Paths.from_env()                          # or Paths(data_dir=..., store_dir=...)
            reader = FeedbackReader.load(paths)               # trained model; StoreNotBuiltError when missing
            # reader = FeedbackReader.rules(EntityLinker.load(paths))  # no model: cue rules only

    Use:
        .. code-block:: python

            feedback = reader.read([
                ChatTurn("user", "I loved Jeff Bridges in Tron: Legacy"),
                ChatTurn("assistant", "Then try Avatar!"),
                ChatTurn("user", "Saw it, hated it."),
            ])
            feedback.turned_down()   # ['<Avatar id>']
            feedback.seen()          # ['<Avatar id>', ...]
    """

    def __init__(self, linker: EntityLinker, model: FeedbackHead | None = None) -> None:
        self.linker = linker
        self.model = model

    @classmethod
    def load(cls, paths: Paths, linker: EntityLinker | None = None) -> FeedbackReader:
        """The trained reader of ``models/feedback`` in the store of ``paths``; missing → `StoreNotBuiltError`, an
        unreadable file → its subclass `StoreCorruptError` naming the file."""
        directory = paths.model_dir(MODEL_NAME)
        hint = f"run `ecr train feedback` (with ECR_STORE_DIR={directory.parents[1]}) to train it"
        if not (directory / CONFIG_FILE).exists() or not (directory / WEIGHTS_FILE).exists():
            raise StoreNotBuiltError(f"no feedback reader in {directory}: {hint}")
        model = load_model(directory)  # before the linker: a damaged file fails fast
        return cls(linker or EntityLinker.load(paths=paths), model)

    @classmethod
    def rules(cls, linker: EntityLinker) -> FeedbackReader:
        """A reader without a model: cue rules only ("not a fan", "seen it", "sounds good", …)."""
        return cls(linker, None)

    @property
    def trained(self) -> bool:
        return self.model is not None

    def read(self, turns: Sequence[ChatTurn]) -> DialogueFeedback:
        """The latest verdict on every movie the assistant suggested or the user named in ``turns``.

        A later turn's verdict replaces an earlier one, unless the later turn says nothing about the movie.
        """
        turns = [self._unknown_as_another_movie(turn) for turn in turns]
        items = feedback_items(link_chat(turns, self.linker), newest_suggestions=True)
        latest: dict[str, MovieFeedback] = {}
        for verdict in self.judge(items):
            previous = latest.get(verdict.movie_id)
            if previous is None or verdict.says_something or not previous.says_something:
                latest.pop(verdict.movie_id, None)
                latest[verdict.movie_id] = verdict
        return DialogueFeedback(tuple(sorted(latest.values(), key=lambda m: m.turn_index)))

    @cached_property
    def _unknown_titles(self) -> UnknownTitles:
        return UnknownTitles(self.linker)

    def _unknown_as_another_movie(self, turn: ChatTurn) -> ChatTurn:
        """A user turn with the movies it names that we do not know written as another movie (`OTHER`): "I loved
        Knives Out" after a suggestion of It (2017) took It up (a played chat, 2026-12-04), and the ranker then
        offered horror."""
        if turn.role != "user":
            return turn
        text = turn.content
        for title in self._unknown_titles.read(text):
            text = re.sub(rf"(?<!\w){re.escape(title)}(?!\w)", OTHER, text)
        return turn if text == turn.content else ChatTurn(turn.role, text)

    def judge(self, items: Sequence[FeedbackItem]) -> list[MovieFeedback]:
        """One verdict per item (the model when trained, else the rules)."""
        if not items:
            return []
        verdicts = [self._rule(item) for item in items] if self.model is None else self._model_verdicts(items)
        judged = []
        for item, verdict in zip(items, verdicts, strict=True):
            if verdict.turned_down and (self._faults_someone_else(item) or self._faults_another_kind(item)):
                verdict = replace(verdict, turned_down=False)
            # "I don't really like musicals very much. The only one I like is Grease (1978)" spares Grease (IARD)
            elif not (verdict.turned_down or verdict.chosen or verdict.accepted) and self._faults_its_kind(item):
                verdict = replace(verdict, turned_down=True, accepted=False, p_turned_down=1.0)
            judged.append(verdict)
        return judged

    def _genre_faults(self, clauses: Sequence[str]) -> list[frozenset[str]] | None:
        """The catalogue genres each of ``clauses``' words against something names ("I'm not big on horror" →
        horror), or None when a fault names no genre the catalogue can check."""
        faults = [said for clause in clauses if (said := _words_against(clause))]
        genres = [[e for e in self.linker.link(c).entity_ids if e in self.linker.genre_entities] for c in faults]
        if not faults or not all(genres):
            return None
        needs = [genre_needs(self.linker.kg.name(genre)) for found in genres for genre in found]
        return needs if all(needs) else None

    def _movie_genres(self, movie_id: str) -> set[str]:
        genres = set(self.linker.catalog[movie_id].info.get("genre", ()))
        if "music" in genres:  # "afraid it would be like a musical" of La La Land, which the metadata calls music
            genres.add("musical")
        return genres

    def _faults_its_kind(self, item: FeedbackItem) -> bool:
        """Whether a reply that names the target finds fault, in words naming no movie, with a genre the target is
        ("Not so much horror. I'm not big on horror. I've never seen MovieX" of a horror movie: audited validation):
        the user turns the kind away, and this movie with it."""
        # "I don't really think I like that type of humor. … Have you seen Tropic Thunder (2008)": the fault is the
        # suggestion's ("that type"), and the named movie is asked about (replayed ReDial test 22380)
        if not item.named or ASKS_IF_SEEN.search(item.clause):
            return False
        # "If not horror you know any good comedies?" asks, it finds no fault (audited train)
        free = [
            c
            for c in split_clauses(item.reply)
            if TARGET not in c and OTHER not in c and not IF.match(c) and not THAT_KIND.search(c)
        ]
        needs = self._genre_faults(free)
        genres = self._movie_genres(item.movie_id)
        return needs is not None and any(need <= genres for need in needs)

    def _faults_another_kind(self, item: FeedbackItem) -> bool:
        """Whether a reply that does not name the target finds fault only with genres the target is not ("she
        doesn't like horror" after Black Panther, which the opening then skipped): the user turns the kind away, not
        the movie (`ecr_agent.ranker.requests` keeps the genre out of the picks). A genre the catalogue cannot check
        ("superhero movies") leaves the turn-down standing."""
        if item.named or OTHER in item.reply:
            return False
        needs = self._genre_faults(split_clauses(item.reply))
        genres = self._movie_genres(item.movie_id)
        return needs is not None and all(not need <= genres for need in needs)

    def _faults_someone_else(self, item: FeedbackItem) -> bool:
        """Whether a reply that does not name the target finds fault with film people who are not in it ("Hmm I
        don't really like Jake Gyllenhaal" after a suggestion of The Game): the user turns the person away, not the
        movie (`ecr_agent.ranker.requests` keeps the person out of the picks)."""
        movie = self.linker.kg.movie_entity.get(item.movie_id)  # None for a movie the KG lacks (Jumanji, 2017)
        if item.named:
            return False
        faults = [clause for clause in split_clauses(item.reply) if OTHER not in clause and cues(clause).negative]
        named = [[e for e in self.linker.link(c).entity_ids if e in self.linker.film_people] for c in faults]
        if not faults or not all(named):  # "no not really, … I love Mike Myers": the fault is the movie's
            return False
        people = {person for found in named for person in found}
        if movie is not None and people & self.linker.kg.tails(movie):
            return False
        info = self.linker.catalog[item.movie_id].info  # the KG misses credits the metadata has (Stephen King)
        credited = {name.lower() for key in ("director", "writer", "star") for name in info.get(key, [])}
        return not any(self.linker.kg.name(person).lower() in credited for person in people)

    def probabilities(self, items: Sequence[FeedbackItem]) -> tuple[torch.Tensor, torch.Tensor]:
        """``liked`` and ``seen`` probabilities, each (len(items), 3) over codes 0 / 1 / 2 (trained reader only)."""
        if self.model is None:
            raise ValueError("the rule-only reader has no probabilities")
        from ecr_agent.text_encoder import shared_encoder

        with torch.inference_mode():
            liked, seen = self.model(featurize(items, shared_encoder()))
        return liked.softmax(-1), seen.softmax(-1)

    def _model_verdicts(self, items: Sequence[FeedbackItem]) -> list[MovieFeedback]:
        assert self.model is not None
        liked, seen = self.probabilities(items)
        return verdicts_from_probabilities(items, liked, seen, self.model.config)

    @staticmethod
    def _rule(item: FeedbackItem) -> MovieFeedback:
        verdict = item_rule_verdict(item)
        return MovieFeedback(
            movie_id=item.movie_id,
            source=item.source,
            turned_down=verdict.turned_down,
            accepted=verdict.accepted,
            seen=verdict.seen,
            turn_index=item.turn_index,
            p_turned_down=1.0 if verdict.turned_down else 0.0,
            moved_on=verdict.moved_on,
            chosen=verdict.chosen,
        )


def _words_against(clause: str) -> str:
    """The words of ``clause`` from its first negative cue to the next comma or concession ("she doesn't like horror";
    "a little young for them" of "That is a little young for them, they do like action/sci-fi"), or "" when it has
    none."""
    if not cues(clause).negative or not (found := NEGATIVE.search(clause)):
        return ""
    return re.split(r"[,;]|\b(?:but|though|although)\b", clause[found.start() :], maxsplit=1)[0]


def item_rule_verdict(item: FeedbackItem) -> RuleVerdict:
    """`rule_verdict` of one item: "moves on" counts when the assistant suggested the target in the turn just before,
    and a bare "no" says no to it when that turn offered it rather than asked whether the user had seen it
    (`BARE_NO`: "lol no" after "ok, how about MovieX"), and after "have you seen MovieX?" says it was not seen; a bare
    "yes" to that question says it was seen (`BARE_YES`), as "seen it" alone does after any suggestion (`BARE_SEEN`).
    These say nothing more (`RuleVerdict.seen_only`).
    A "no" leading a reply that says the movie was seen moves on from it (`NO_SEEN_IT`: "no, already seen" is no
    dislike, and got "Sorry Finding Nemo (2003) didn't work for you")."""
    just_suggested = item.source == "suggested" and bool(item.suggestion)
    verdict = rule_verdict(item.clause, item.reply, item.named, just_suggested=just_suggested)
    if item.named and CHOSEN.match(item.reply) and OFFERS_A_CHOICE.search(item.suggestion):
        return replace(
            verdict, turned_down=False, said_no=False, moved_on=False, accepted=True, takes_it_up=True, chosen=True
        )
    if not just_suggested:
        return verdict
    asks_if_seen = bool(ASKS_IF_SEEN.search(item.suggestion))
    bare_no = bool(BARE_NO.match(item.reply))
    if bare_no and not asks_if_seen and OFFER.search(item.suggestion):
        return replace(verdict, turned_down=True, accepted=False, said_no=True)
    if NO_SEEN_IT.match(item.reply) and verdict.seen is True and not verdict.accepted and OTHER not in item.reply:
        return replace(verdict, turned_down=True, moved_on=True)
    if BARE_SEEN.match(item.reply) or (asks_if_seen and (bare_no or BARE_YES.match(item.reply))):
        return replace(verdict, turned_down=False, accepted=False, seen=not bare_no, seen_only=True)
    return verdict


def rule_settles(rule: RuleVerdict) -> bool | None:
    """Whether the words alone settle "turned down" whatever the head says: True when they say no or move on, False
    when the reply only asks about the movie, takes its critique back, speaks only of other movies, only says it
    was seen, asks for movies like it or picks it from an offer, None when the head decides."""
    if rule.said_no or rule.moved_on:
        return True
    settled = rule.asks or rule.took_back or rule.silent or rule.seen_only or rule.wants_more_like or rule.chosen
    return False if settled else None


def verdicts_from_probabilities(
    items: Sequence[FeedbackItem], liked: torch.Tensor, seen: torch.Tensor, config: FeedbackModelConfig
) -> list[MovieFeedback]:
    """Decide each item from its ``liked`` / ``seen`` probabilities (N, 3) with the thresholds of ``config``.

    ``seen`` comes from the words first ("I saw it", "haven't seen it": `rule_verdict`), and from the model only when
    they say nothing and it is sure (``seen_threshold``): the questionnaire that trained the head records whether the
    seeker had seen the movie, which the reply often does not say, and the opening must not tell a user who wrote
    "I'll have to watch that one!" that they have seen it. A reply that moves on from the suggestion just before it
    ("I've seen that one. Do you have one more?") turns it down whatever the head says (`RuleVerdict.moved_on`);
    one that only asks a question about it ("Who wrote it?") does not (`RuleVerdict.asks`), and words against it
    ("seen it, didn't really like it") do (`RuleVerdict.said_no`); a reply that speaks only of other movies ("I liked
    Cocoon" after "you need a movie now: Grimm") says nothing of it (`RuleVerdict.silent`). "Sounds good" or "I'll
    check it out" takes it up whatever the head says (`RuleVerdict.takes_it_up`).
    """
    verdicts = []
    for item, p_liked, p_seen in zip(items, liked.tolist(), seen.tolist(), strict=True):
        rule = item_rule_verdict(item)
        settled = rule_settles(rule)
        said_no = rule.said_no or (settled is None and p_liked[0] >= config.turned_down_threshold)
        turned_down = said_no or rule.moved_on
        unseen_only = rule.seen is False and not rule.accepted  # "No, I've never heard of that!"
        asks_only = rule.asks and not rule.accepted  # "Is Shrek funny?" asks; "Loved it! Is there a sequel?" takes it
        accepted = not (turned_down or rule.silent or unseen_only or rule.seen_only or asks_only) and (
            p_liked[1] >= config.accepted_threshold or rule.takes_it_up
        )
        said = rule.seen
        # "Have you seen Hereditary?" asks the assistant: the user has not said either way (a played chat marked it
        # seen)
        asked = bool(ASKS_IF_SEEN.search(item.clause))
        if said is None and not rule.silent and not asked and max(p_seen[0], p_seen[1]) >= config.seen_threshold:
            said = p_seen[1] >= p_seen[0]
        verdicts.append(
            MovieFeedback(
                movie_id=item.movie_id,
                source=item.source,
                turned_down=turned_down,
                accepted=accepted,
                seen=said,
                turn_index=item.turn_index,
                p_turned_down=float(p_liked[0]),
                moved_on=rule.moved_on and not said_no,
                chosen=rule.chosen,
            )
        )
    return verdicts

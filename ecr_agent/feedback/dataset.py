"""What the feedback reader reads: user turns, the movies they are about, and (for training) the seeker's verdicts.

One view serves training, evaluation and inference, so the model sees a chat the way it saw ReDial:

- a conversation becomes `LinkedTurn`s: merged turns with the character spans of every movie they mention (``@ids``
  in ReDial, typed titles found by the `EntityLinker` in a chat);
- `feedback_items` pairs each user turn with the movies it gives feedback on: the movies the assistant suggested in
  the turn just before it, and the movies the user names; each `FeedbackItem` carries the user turn with the target
  movie replaced by `TARGET` and every other movie by `OTHER`, the clause(s) naming the target
  (`ecr_agent.sentences.split_clauses`), and the marked suggestion turn as context;
- `questionnaire_examples` labels the first item of each movie with the ReDial questionnaire (``liked``, ``seen``);
  `iard_examples` labels items with the IARD intents REJ / ACC / SEE (an independent, held-out evaluation set).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ecr_agent.config import Paths
from ecr_agent.data.redial import MOVIE_MENTION, parse_dialogue, read_jsonl, split_of
from ecr_agent.feedback.rules import OTHER, TARGET, WORD
from ecr_agent.linking import EntityLinker
from ecr_agent.sentences import split_clauses
from ecr_agent.types import ChatTurn

Source = Literal["suggested", "named"]
IARD_FILE = "redial/train_extra_iard.jsonl"
QUESTIONNAIRE_SPLITS = ("train", "valid", "test")
IARD_JOIN = "..."
"""IARD merged consecutive messages of a speaker with ``...``; read back as message breaks."""


@dataclass(frozen=True)
class LinkedTurn:
    """One merged turn with its movie mentions.

    Attributes:
        role: ``user`` (the seeker) or ``assistant`` (the recommender).
        text: the turn's text (messages of one speaker joined by line breaks).
        mentions: ``(movie_id, start, end)`` character spans, in order of appearance.
    """

    role: Literal["user", "assistant"]
    text: str
    mentions: tuple[tuple[str, int, int], ...] = ()

    @property
    def movies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(movie for movie, _, _ in self.mentions))

    def marked(self, target: str) -> str:
        """The text with ``target``'s mentions replaced by `TARGET` and every other movie by `OTHER`."""
        pieces, last = [], 0
        for movie, start, end in self.mentions:
            pieces.extend((self.text[last:start], TARGET if movie == target else OTHER))
            last = end
        pieces.append(self.text[last:])
        return "".join(pieces)


@dataclass(frozen=True)
class FeedbackItem:
    """A (user turn, movie) pair the reader gives a verdict on: what the model reads.

    Attributes:
        movie_id: the target movie.
        source: ``suggested`` when the assistant mentioned it first, ``named`` when the user did.
        turn_index: index of the user turn in the conversation's turns (merged turns for ReDial).
        reply: the user turn, target marked (`LinkedTurn.marked`).
        clause: the reply's clauses that name the target, joined; the whole reply when it does not name it.
        suggestion: the assistant turn just before (consecutive assistant turns joined), target marked, when it
            mentions the target; else ``""``.
        named: whether the reply names the target itself.
        others: how many other movies the reply names.
        text: the user turn as typed (movies not marked), for baselines reading the raw text.
    """

    movie_id: str
    source: Source
    turn_index: int
    reply: str
    clause: str
    suggestion: str
    named: bool
    others: int
    text: str


@dataclass(frozen=True)
class FeedbackExample:
    """A labelled item. ``liked``/``seen`` use the questionnaire codes: 1 yes, 0 no, 2 not said.

    ``recommender_liked`` is the recommender's own questionnaire answer about the seeker's opinion (ReDial's
    ``respondentQuestions``; 2 when absent): a second reader of the same dialogue, used as a soft training target
    and to pick the items on which both agree.
    """

    conversation_id: str
    item: FeedbackItem
    liked: int
    seen: int
    recommender_liked: int = 2

    @property
    def turned_down(self) -> bool:
        return self.liked == 0

    @property
    def accepted(self) -> bool:
        return self.liked == 1


def target_clause(marked: str, follow: int = 2) -> str:
    """The part of a marked reply that speaks about `TARGET`.

    When the reply names the target: each clause naming it, plus up to ``follow`` clauses after it that name no
    movie ("I have seen MovieX. But I did not like it"), and the clause before one that is the title alone ("I have
    yet to watch the next one though, MovieX": replayed ReDial test 20387 read it as seen). When it does not: the
    clauses that name no other movie ("MovieY is my favourite. No, I don't like that one" → the second). The whole
    reply when nothing is left.
    """
    clauses = split_clauses(marked)
    named = [TARGET in clause for clause in clauses]
    movie = [TARGET in clause or OTHER in clause for clause in clauses]
    keep: list[int] = []
    if any(named):
        for index, is_target in enumerate(named):
            if not is_target:
                continue
            if index and not movie[index - 1] and not WORD.search(clauses[index].replace(TARGET, "")):
                keep.append(index - 1)  # "I have yet to watch the next one though, MovieX": the words come before
            keep.append(index)
            for after in range(index + 1, min(len(clauses), index + 1 + follow)):
                if movie[after]:
                    break
                keep.append(after)
    else:
        keep = [index for index, has_movie in enumerate(movie) if not has_movie]
    chosen = [clauses[index] for index in dict.fromkeys(keep)]
    return " ".join(chosen) if chosen else marked.strip()


def feedback_items(turns: Sequence[LinkedTurn], newest_suggestions: bool = False) -> list[FeedbackItem]:
    """Every (user turn, movie) pair a conversation gives feedback on, in turn order.

    A user turn speaks about the movies it names, and about the movies the assistant suggested in the turn (or the
    run of turns) just before it (a movie counts as suggested when the assistant mentioned it before the user did,
    so "if you liked Titanic, try Avatar" asks for feedback on Avatar only).

    ``newest_suggestions``: when the turn before brings up movies for the first time, only those count as suggested
    there. ECR's replies name earlier movies in their first sentence ("Oh nice, you've already seen Carrie! You might
    enjoy Pet Sematary"); a "not a fan of that" answers the new pick, not the movie the user just said they loved.
    """
    first_role: dict[str, str] = {}
    first_turn: dict[str, int] = {}
    items: list[FeedbackItem] = []
    for index, turn in enumerate(turns):
        for movie in turn.movies:
            first_role.setdefault(movie, turn.role)
            first_turn.setdefault(movie, index)
        if turn.role != "user":
            continue
        start = index
        while start > 0 and turns[start - 1].role == "assistant":
            start -= 1
        before = _joined(turns[start:index])
        suggested = [m for m in before.movies if first_role.get(m) == "assistant"] if before else []
        if newest_suggestions and suggested:
            suggested = [m for m in suggested if first_turn[m] >= start] or suggested
        for movie in dict.fromkeys([*turn.movies, *suggested]):
            marked = turn.marked(movie)
            items.append(
                FeedbackItem(
                    movie_id=movie,
                    source="suggested" if first_role.get(movie) == "assistant" else "named",
                    turn_index=index,
                    reply=marked,
                    clause=target_clause(marked),
                    suggestion=before.marked(movie) if before and movie in before.movies else "",
                    named=movie in turn.movies,
                    others=len([m for m in turn.movies if m != movie]),
                    text=turn.text,
                )
            )
    return items


def _joined(run: Sequence[LinkedTurn]) -> LinkedTurn | None:
    """The assistant's messages just before a user turn as one turn (joined by line breaks, as ReDial's are): a chat
    history may hold "How about Avatar?", then "I'm great, thanks for asking!", and the reply answers both."""
    if len(run) <= 1:
        return run[0] if run else None
    text, mentions = "", []
    for turn in run:
        offset = len(text) + (1 if text else 0)
        text = f"{text}\n{turn.text}" if text else turn.text
        mentions.extend((movie, start + offset, end + offset) for movie, start, end in turn.mentions)
    return LinkedTurn("assistant", text, tuple(mentions))


def first_items(items: Iterable[FeedbackItem]) -> dict[str, FeedbackItem]:
    """The first item of each movie: where ReDial seekers give the feedback the questionnaire records."""
    first: dict[str, FeedbackItem] = {}
    for item in items:
        first.setdefault(item.movie_id, item)
    return first


# --- ReDial and IARD ---------------------------------------------------------------------------------------------


def mention_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """Spans of the ``@<movieId>`` mentions of a ReDial text."""
    return tuple((m.group(1), m.start(), m.end()) for m in MOVIE_MENTION.finditer(text))


def redial_turns(roles_and_texts: Iterable[tuple[str, str]]) -> list[LinkedTurn]:
    """Merge consecutive ReDial messages of one speaker (joined by line breaks) into `LinkedTurn`s."""
    merged: list[list[str]] = []
    for role, text in roles_and_texts:
        chat_role = "user" if role == "seeker" else "assistant"
        if merged and merged[-1][0] == chat_role:
            merged[-1][1] += "\n" + text
        else:
            merged.append([chat_role, text])
    return [LinkedTurn(role, text, mention_spans(text)) for role, text in merged]  # type: ignore[arg-type]


Split = Literal["train", "valid", "test"]


def _questionnaire_file(split: str) -> str:
    return "redial/test_data.jsonl" if split == "test" else "redial/train_data.jsonl"


def _code(value: object) -> int:
    return value if isinstance(value, int) and value in (0, 1) else 2


def questionnaire_examples(split: Split, paths: Paths, limit: int | None = None) -> list[FeedbackExample]:
    """Items of a ReDial split labelled by the seeker's questionnaire (first item per movie with an answer).

    ``train`` and ``valid`` are the splits `ecr_agent.data.redial.split_of` carves from the train file (the same
    validation dialogues every model of the project is tuned on); ``test`` is the official test split.
    ``limit`` keeps the first dialogues only (tests, smoke runs).
    """
    if split not in QUESTIONNAIRE_SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(QUESTIONNAIRE_SPLITS)}")
    examples: list[FeedbackExample] = []
    dialogues = 0
    for raw in read_jsonl(paths.data_file(_questionnaire_file(split))):
        conversation_id = str(raw["conversationId"])
        if split != "test" and split_of(conversation_id) != split:
            continue
        if limit is not None and dialogues >= limit:
            break
        dialogues += 1
        examples.extend(dialogue_examples(raw))
    return examples


def dialogue_examples(raw: Mapping[str, object]) -> list[FeedbackExample]:
    """The questionnaire-labelled items of one raw ReDial dialogue."""
    dialogue = parse_dialogue(raw)
    questions = dict(raw.get("initiatorQuestions") or {})  # type: ignore[call-overload]
    second = dict(raw.get("respondentQuestions") or {})  # type: ignore[call-overload]
    turns = redial_turns((m.role, m.text) for m in dialogue.messages)
    examples = []
    for movie, item in first_items(feedback_items(turns)).items():
        answer = questions.get(movie)
        if not isinstance(answer, Mapping):
            continue
        other = second.get(movie)
        recommender = _code(other.get("liked")) if isinstance(other, Mapping) else 2
        liked, seen = _code(answer.get("liked")), _code(answer.get("seen"))
        examples.append(FeedbackExample(dialogue.conversation_id, item, liked, seen, recommender))
    return examples


def single_suggestion_items(turns: Sequence[LinkedTurn]) -> list[FeedbackItem]:
    """Items about the one movie the assistant suggested in the turn just before the reply.

    A verdict read from the whole reply (an IARD intent, an annotator's label) is only unambiguous then: with several
    suggestions a "no thanks" could be about any of them.
    """
    items = feedback_items(turns)
    chosen = []
    for item in items:
        before = turns[item.turn_index - 1] if item.turn_index > 0 else None
        if item.source != "suggested" or before is None or before.role != "assistant":
            continue
        if item.movie_id not in before.movies:
            continue
        suggested = [i for i in items if i.turn_index == item.turn_index and i.movie_id in before.movies]
        if len([i for i in suggested if i.source == "suggested"]) == 1:
            chosen.append(item)
    return chosen


def iard_examples(paths: Paths, broad: bool = False) -> list[FeedbackExample]:
    """Suggested movies labelled by the IARD intent of the seeker's reply (REJ → turned down, ACC → accepted,
    SEE → seen; any other reply: neither, seen not said).

    ``broad`` also counts CRI-F as turned down: IARD labels "I don't like violence" / "not a Kevin Hart fan" after a
    suggestion as a critique of a feature, not as a rejection, though a user saying it does not want the movie.

    The reply must directly follow a recommender turn (intent REC-S or REC-E) that suggests this one movie
    (`single_suggestion_items`): IARD intents belong to the whole reply.
    """
    examples: list[FeedbackExample] = []
    for raw in read_jsonl(paths.data_file(IARD_FILE)):
        seeker = raw["initiatorWorkerId"]
        messages = raw["messages"]
        roles = ["seeker" if m["senderWorkerId"] == seeker else "recommender" for m in messages]
        texts = [m["text"].replace(IARD_JOIN, "\n") for m in messages]
        intents = [set(m.get("_iard_intent") or ()) for m in messages]
        turns = redial_turns(zip(roles, texts, strict=True))
        if len(turns) != len(messages):  # IARD merged turns already; anything else is not this format
            continue
        for item in single_suggestion_items(turns):
            if not intents[item.turn_index - 1] & {"REC-S", "REC-E"}:
                continue
            labels = intents[item.turn_index]
            rejected = "REJ" in labels or (broad and "CRI-F" in labels)
            liked = 0 if rejected else 1 if "ACC" in labels else 2
            examples.append(FeedbackExample(str(raw["conversationId"]), item, liked, 1 if "SEE" in labels else 2))
    return examples


AUDIT_DIR = Path(__file__).parent / "data"
AUDIT_FILE = AUDIT_DIR / "iard_audit.jsonl"
"""Our own labels of every IARD item (`iard_examples`), read against ``data/IARD_AUDIT_GUIDELINE.md``."""
TEST_AUDIT_FILE = AUDIT_DIR / "redial_test_audit.jsonl"
"""Labels, by the same guideline, of 600 single-suggestion replies from 261 ReDial test dialogues (never trained on)."""
TRAIN_AUDIT_FILE = AUDIT_DIR / "redial_train_audit.jsonl"
"""Labels, by the same guideline, of 2,100 single-suggestion replies from 856 ReDial train dialogues (training data)."""
VALID_AUDIT_FILE = AUDIT_DIR / "redial_valid_audit.jsonl"
"""Labels, by the same guideline, of the 733 single-suggestion replies of the 357 validation dialogues."""
SEEN_CODES = {"no": 0, "yes": 1, "unsaid": 2}


def _relabelled(examples: Iterable[FeedbackExample], audit_file: Path) -> list[FeedbackExample]:
    """The examples that ``audit_file`` labels, with the audit's ``turned_down``/``accepted``/``seen``."""
    labels = {
        (row["conversation_id"], row["turn_index"], row["movie_id"]): row
        for row in map(json.loads, audit_file.read_text().splitlines())
    }
    relabelled = []
    for example in examples:
        label = labels.get((example.conversation_id, example.item.turn_index, example.item.movie_id))
        if label is None:
            continue
        liked = 0 if label["turned_down"] else 1 if label["accepted"] else 2
        relabelled.append(FeedbackExample(example.conversation_id, example.item, liked, SEEN_CODES[label["seen"]]))
    return relabelled


def audited_iard_examples(paths: Paths) -> list[FeedbackExample]:
    """The IARD items with the audit's labels instead of the intents.

    IARD's intents belong to a whole reply and mark a lukewarm refusal ("Meh, I'm looking for something older") as a
    critique (CRI-F) rather than a rejection; the audit asks of each (reply, movie) pair the question the chain acts on:
    does the user turn this movie down, take it, say they have seen it?
    """
    return _relabelled(iard_examples(paths), AUDIT_FILE)


def audited_test_examples(paths: Paths) -> list[FeedbackExample]:
    """Single-suggestion replies of ReDial test dialogues labelled by the audit guideline (`TEST_AUDIT_FILE`)."""
    return _audited_redial_examples("test", TEST_AUDIT_FILE, paths)


def audited_train_examples(paths: Paths) -> list[FeedbackExample]:
    """Single-suggestion replies of ReDial train dialogues (the train carve, never ``valid``) labelled by the audit
    guideline (`TRAIN_AUDIT_FILE`): per-reply labels of the reader's own question, in the test audit's domain."""
    return _audited_redial_examples("train", TRAIN_AUDIT_FILE, paths)


def audited_valid_examples(paths: Paths) -> list[FeedbackExample]:
    """Single-suggestion replies of the validation carve of ReDial train (`split_of`) labelled by the audit guideline
    (`VALID_AUDIT_FILE`): what the reader's thresholds are chosen on, with the IARD audit."""
    return _audited_redial_examples("valid", VALID_AUDIT_FILE, paths)


def redial_items(split: Split, paths: Paths) -> list[tuple[str, FeedbackItem]]:
    """(conversation id, item) of every single-suggestion reply in a ReDial split (``train`` and ``valid`` are the
    carves of ReDial's train file, `split_of`)."""
    pairs = []
    for raw in read_jsonl(paths.data_file(_questionnaire_file(split))):
        dialogue = parse_dialogue(raw)
        if split != "test" and split_of(dialogue.conversation_id) != split:
            continue
        turns = redial_turns((m.role, m.text) for m in dialogue.messages)
        pairs.extend((dialogue.conversation_id, item) for item in single_suggestion_items(turns))
    return pairs


def _audited_redial_examples(split: Split, audit_file: Path, paths: Paths) -> list[FeedbackExample]:
    examples = [FeedbackExample(conversation, item, 2, 2) for conversation, item in redial_items(split, paths)]
    return _relabelled(examples, audit_file)


# --- chats --------------------------------------------------------------------------------------------------------


def _title_pattern(key: str) -> re.Pattern[str]:
    """A linked name's spans in the text; a name ending in a year takes the bracket closing it ("Hook (1991)" is one
    mention, not "MovieX)"), and a trailing stop or colon unless it ends the sentence ("Kingsman. I dont care for
    superhero films" picks Kingsman out of an offer: `feedback.rules.CHOSEN` needs its full stop)."""
    tokens = key.split()
    body = r"[^A-Za-z0-9@]+".join(re.escape(token) for token in tokens)
    close = r"\)?" if re.fullmatch(r"(?:19|20)\d\d", tokens[-1]) else ""
    return re.compile(rf"(?<![A-Za-z0-9@]){body}{close}(?:[.:](?!\s+[A-Z]|\s*$))?(?![A-Za-z0-9])", re.I)


def link_turn(turn: ChatTurn, linker: EntityLinker) -> LinkedTurn:
    """A chat turn with the spans of the movies it mentions: ``@ids`` and titles the linker finds."""
    text = turn.content
    spans = [(movie, start, end) for movie, start, end in mention_spans(text) if movie in linker.catalog]
    linked = linker.link_message(turn)
    taken = [(start, end) for _, start, end in spans]
    typed = dict(linked.typed)  # a misspelt title is found where it was typed
    for name in linked.names:
        movie = linker.titles.get(name)
        if movie is None or movie not in linked.movie_ids:
            continue
        for match in _title_pattern(typed.get(name, name)).finditer(text):
            if not any(match.start() < end and start < match.end() for start, end in taken):
                spans.append((movie, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return LinkedTurn(turn.role, text, tuple(sorted(spans, key=lambda span: span[1])))


def link_chat(turns: Sequence[ChatTurn], linker: EntityLinker) -> list[LinkedTurn]:
    """Link every turn of a chat (roles kept: ``user`` / ``assistant``)."""
    return [link_turn(turn, linker) for turn in turns]

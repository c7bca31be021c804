"""``ecr eval reply``: play held-out ReDial contexts through the chain and score what a user reads.

A context is a real conversation up to a seeker turn, from the test split (or validation); the chain answers it as
it would answer a user. The scores are automatic and transparent:

- wrong apologies: replies that apologise for (or drop) a movie the seeker did not turn down. Gold comes from the
  questionnaire (a movie of the turn the seeker marked *disliked*) and, independently, from the IARD intent labels
  (``REJ``) of 207 annotated training-period dialogues that no model here trains on;
- request satisfaction@1/@5 on contexts whose last seeker message names a person, a genre or "something like X";
- fact precision and the share of replies with a true fact about the pick (`evaluation.replies`);
- the invented-life rate, distinct-n, the most frequent opening 4-gram, and the emotion strength of the replies;
- popularity collapse: distinct top-1 movies and the share of the most frequent one.

Scoring works on saved replies too (`score_replies`), so another version of the chain can be compared on the same
contexts (benchmarks/reply_bench.py does this for the code before and after a change).
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ecr_agent.config import Paths
from ecr_agent.data.redial import Dialogue, Feedback, load_dialogues, read_jsonl, render_mentions
from ecr_agent.opening import UNMET_REQUEST

IARD_FILE = "redial/train_extra_iard.jsonl"
APOLOGY = re.compile(
    r"\b(sorry|apologi[sz]e|(?:is|are)n't for everyone|didn't work for you|let's skip|off the list|not for you"
    r"|something (?:other than|besides)(?! (?:[\w-]+ (?:or|and) )*[\w-]+ movies\b))\b",
    re.I,
)
"""How a reply treats the user's last message as a turn-down (the old and the new openings alike). Until 2026-12-04
17:15 UTC "aren't for everyone", the opening for two movies, went uncounted; until 19:20 UTC a request's echo,
"Something other than horror or war movies it is!", counted as one."""
UNMET = re.compile(rf"\b{re.escape(UNMET_REQUEST)}\b[^.!?]*[.!?]")
"""The opening's "I couldn't find … in my catalogue, sorry." (`opening.UNMET_REQUEST`): an apology for the catalogue,
not a reading of the user's message as a turn-down (until 2026-12-01 05:00 UTC it counted as one)."""


@dataclass(frozen=True)
class ReplyContext:
    """One held-out conversation to answer.

    Attributes:
        key: ``<conversation id>:<index of the human reply>``.
        messages: ``[{"role", "content"}]`` up to and including the seeker's turn, titles written out.
        human_reply: what the ReDial recommender answered.
        turned_down: gold: the seeker's last turn turned down a movie of that turn or of the suggestion before it
            (questionnaire *disliked*, or the IARD ``REJ`` intent); None when the source cannot say.
        source: ``test``/``valid`` (questionnaire gold) or ``iard`` (intent gold).
    """

    key: str
    messages: tuple[dict[str, str], ...]
    human_reply: str
    turned_down: bool | None
    source: str
    turned_down_broad: bool | None = None
    """IARD only: ``REJ`` or ``CRI-F`` (a critique of the movie: "not really into Stephen King stuff")."""


@dataclass
class ReplyRow:
    """What the chain did for one context (what `score_replies` reads)."""

    key: str
    reply: str
    opening: str = ""
    recommendations: list[str] = field(default_factory=list)
    subject: str | None = None
    """The movie the reply talks about (the pick, or the movie a question asked about)."""
    seconds: float = 0.0

    @property
    def continuation(self) -> str:
        """The generated part: the reply after its opening."""
        return self.reply[len(self.opening) :].strip() if self.reply.startswith(self.opening) else self.reply


def reply_contexts(split: Literal["valid", "test"], limit: int, paths: Paths) -> list[ReplyContext]:
    """``limit`` contexts of ``split``: seeker turns answered by the recommender, in a fixed hash order."""
    contexts = [c for dialogue in load_dialogues(split, paths) for c in _dialogue_contexts(dialogue, split)]
    return _sample(contexts, limit)


def iard_contexts(paths: Paths) -> list[ReplyContext]:
    """Every IARD context whose last seeker message answers a recommender message that names a movie."""
    contexts = []
    for raw in read_jsonl(paths.data_file(IARD_FILE)):
        seeker = raw["initiatorWorkerId"]
        mentions = {k: v for k, v in (raw.get("movieMentions") or {}).items() if v}
        messages = raw["messages"]
        for index in range(1, len(messages) - 1):
            message, previous = messages[index], messages[index - 1]
            if message["senderWorkerId"] != seeker or previous["senderWorkerId"] == seeker:
                continue
            if "@" not in previous["text"] or messages[index + 1]["senderWorkerId"] == seeker:
                continue
            intents = set(message.get("_iard_intent") or ())
            history = tuple(
                {"role": "user" if m["senderWorkerId"] == seeker else "assistant", "content": _render(m, mentions)}
                for m in messages[: index + 1]
            )
            contexts.append(
                ReplyContext(
                    key=f"{raw['conversationId']}:{index + 1}",
                    messages=history,
                    human_reply=_render(messages[index + 1], mentions),
                    turned_down="REJ" in intents,
                    source="iard",
                    turned_down_broad=bool(intents & {"REJ", "CRI-F"}),
                )
            )
    return contexts


Answer = Callable[[list[dict[str, str]]], ReplyRow]
"""Answers one context's messages; the row's ``key`` is filled in by `play`."""


def play(answer: Answer, contexts: Sequence[ReplyContext], progress: bool = True) -> list[ReplyRow]:
    """Answer every context, timing each turn."""
    from tqdm.auto import tqdm

    rows = []
    for context in tqdm(contexts, desc="replies", disable=not progress):
        started = time.perf_counter()
        row = answer(list(context.messages))
        row.key, row.seconds = context.key, round(time.perf_counter() - started, 3)
        rows.append(row)
    return rows


def chain_answer(chain: Any, generate: bool = True) -> Answer:
    """An `Answer` from an `ECRChain`'s stream; ``generate=False`` stops at its first chunk, before the language model
    speaks (the opening only)."""

    def answer(messages: list[dict[str, str]]) -> ReplyRow:
        chunks = chain.stream({"messages": messages})
        first = next(chunks)  # the movies, the subject and the opening sentence
        if generate:
            reply = sum(chunks, first).reply
        else:
            chunks.close()
            reply = first.reply
        picks = [r.movie_id for r in first.recommendations]
        subject = first.subject["movie_id"] if first.subject else None
        return ReplyRow("", reply, first.reply, picks, subject)

    return answer


def request_scores(rows: Sequence[ReplyRow], contexts: Sequence[ReplyContext], linker: Any) -> dict[str, float | int]:
    """Request satisfaction@1/@5 over the contexts where an explicit request stands (not one implied by movies the
    user says they like: `Request.implied`)."""
    from ecr_agent.ranker.requests import read_request, satisfies
    from ecr_agent.types import ChatTurn

    by_key = {c.key: c for c in contexts}
    at1, at5 = [], []
    for row in rows:
        turns = [ChatTurn(m["role"], m["content"]) for m in by_key[row.key].messages]  # type: ignore[arg-type]
        request = read_request(turns, linker)
        if not request or request.implied or not row.recommendations:
            continue
        met = [satisfies(m, request, linker.kg, linker.catalog) for m in row.recommendations[:5]]
        at1.append(met[0])
        at5.append(sum(met) / len(met))
    return {
        "request_contexts": len(at1),
        "request_satisfaction_at_1": round(statistics.fmean(at1), 3) if at1 else 0.0,
        "request_satisfaction_at_5": round(statistics.fmean(at5), 3) if at5 else 0.0,
    }


def text_scores(rows: Sequence[ReplyRow], book: Any, emotions: Callable[[list[str]], list[dict]] | None) -> dict:
    """Facts, invented life, diversity and boilerplate of the replies (full replies, and the generated parts)."""
    from ecr_agent.evaluation.claims import fact_report
    from ecr_agent.evaluation.generation import distinct_n
    from ecr_agent.evaluation.life import invented_life_rate
    from ecr_agent.evaluation.replies import opening_ngram_share, repeated_ngram_share
    from ecr_agent.generator.emotions import non_neutral

    spoken = [r for r in rows if r.subject is not None]
    full = fact_report([r.reply for r in spoken], [r.subject for r in spoken], book)  # type: ignore[misc]
    generated = fact_report([r.continuation for r in spoken], [r.subject for r in spoken], book)  # type: ignore[misc]
    replies = [r.reply for r in rows]
    opening, opening_share = opening_ngram_share(replies, 4)
    repeated, repeated_share = repeated_ngram_share([r.continuation for r in rows], 4)
    scores = {
        "fact_precision": full["fact_precision"],
        "claims_per_reply": full["claims_per_reply"],
        "relevant_fact_rate": full["relevant_fact_rate"],
        "generated_fact_precision": generated["fact_precision"],
        "generated_claims_per_reply": generated["claims_per_reply"],
        "false_claims": [{**c, "key": spoken[c["reply"]].key} for c in full["false_claims"]][:20],
        "invented_life_rate": round(invented_life_rate(replies), 3),
        "distinct_1": round(distinct_n(replies, 1), 3),
        "distinct_2": round(distinct_n(replies, 2), 3),
        "top_opening_4gram": opening,
        "top_opening_4gram_share": round(opening_share, 3),
        "top_repeated_4gram": repeated,
        "top_repeated_4gram_share": round(repeated_share, 3),
        "words_per_reply": round(statistics.fmean(len(r.split()) for r in replies), 1) if replies else 0.0,
    }
    if emotions is not None and replies:
        scores["emotion_non_neutral"] = round(statistics.fmean(non_neutral(e) for e in emotions(replies)), 3)
    return scores


def score_replies(
    rows: Sequence[ReplyRow],
    contexts: Sequence[ReplyContext],
    linker: Any,
    book: Any,
    emotions: Callable[[list[str]], list[dict]] | None = None,
) -> dict[str, Any]:
    """Every automatic reply metric of the module docstring for replies to ``contexts``."""
    return {
        "replies": len(rows),
        **apology_scores(rows, contexts),
        **request_scores(rows, contexts, linker),
        **text_scores(rows, book, emotions),
        **collapse_scores(rows),
        **latency_scores(rows),
    }


def evaluate_replies(
    split: Literal["valid", "test"] = "test",
    limit: int = 200,
    out: Path | None = None,
    *,
    paths: Paths,
    progress: bool = True,
) -> dict[str, Any]:
    """``ecr eval reply``: the shipped chain on ``limit`` held-out contexts, plus the IARD apology check.

    The IARD contexts are scored on the opening alone (the apology is decided before the language model speaks).
    ``out``: also write the replies as JSON lines (one `ReplyRow` each).
    """
    from ecr_agent.chain import ECRChain
    from ecr_agent.generator.emotions import emotion_scorer

    chain = ECRChain.from_store(paths=paths)
    contexts = reply_contexts(split, limit, paths)
    rows = play(chain_answer(chain), contexts, progress)
    if out is not None:
        save_rows(rows, out)
    pipeline = chain.pipeline
    report = score_replies(rows, contexts, pipeline.linker, pipeline.gate.book, emotion_scorer(paths))
    iard = iard_contexts(paths)
    iard_rows = play(chain_answer(chain, generate=False), iard, progress)
    report["iard"] = apology_scores(iard_rows, iard)
    report["iard_broad"] = apology_scores(iard_rows, iard, broad=True)
    return {"split": split, **report}


def apology_scores(
    rows: Sequence[ReplyRow], contexts: Sequence[ReplyContext], broad: bool = False
) -> dict[str, float | int]:
    """Apologies against gold turn-downs: precision, recall, and the wrong-apology rate (1 - precision).

    ``broad``: IARD's wider gold (a rejection or a critique of the movie).
    """
    gold = {c.key: c.turned_down_broad if broad else c.turned_down for c in contexts}
    judged = [(treats_as_turn_down(r.opening or r.reply), gold[r.key]) for r in rows if gold[r.key] is not None]
    apologies = sum(said for said, _ in judged)
    right = sum(said and truth for said, truth in judged)
    downs = sum(bool(truth) for _, truth in judged)
    return {
        "contexts": len(judged),
        "turned_down": downs,
        "apologies": apologies,
        "apology_precision": round(right / apologies, 3) if apologies else 0.0,
        "apology_recall": round(right / downs, 3) if downs else 0.0,
        "wrong_apology_rate": round((apologies - right) / apologies, 3) if apologies else 0.0,
        "wrong_apologies_per_100_replies": round(100 * (apologies - right) / len(judged), 1) if judged else 0.0,
    }


def treats_as_turn_down(opening: str) -> bool:
    """Whether an opening answers the user's message as a turn-down ("Sorry X didn't work for you", "let's skip X")."""
    return APOLOGY.search(UNMET.sub(" ", opening)) is not None


def collapse_scores(rows: Sequence[ReplyRow]) -> dict[str, float | int | str]:
    """Popularity collapse: how many distinct movies come first, and how often the most frequent one does."""
    firsts = Counter(r.recommendations[0] for r in rows if r.recommendations)
    if not firsts:
        return {"top1_distinct": 0, "top1_most_frequent_share": 0.0, "top1_most_frequent": ""}
    movie, count = firsts.most_common(1)[0]
    return {
        "top1_distinct": len(firsts),
        "top1_most_frequent_share": round(count / sum(firsts.values()), 3),
        "top1_most_frequent": movie,
    }


def latency_scores(rows: Sequence[ReplyRow]) -> dict[str, float]:
    seconds = sorted(r.seconds for r in rows)
    if not seconds:
        return {}
    return {"turn_p50_s": round(statistics.median(seconds), 3), "turn_max_s": round(seconds[-1], 3)}


def save_rows(rows: Sequence[ReplyRow], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def load_rows(path: Path) -> list[ReplyRow]:
    return [ReplyRow(**row) for row in read_jsonl(path)]


def _dialogue_contexts(dialogue: Dialogue, source: str) -> list[ReplyContext]:
    messages = dialogue.messages
    out = []
    for index in range(1, len(messages)):
        if messages[index].role != "recommender" or messages[index - 1].role != "seeker":
            continue
        start = index - 1
        while start > 0 and messages[start - 1].role == "seeker":
            start -= 1
        before = start - 1
        movies = {m for message in messages[start:index] for m in message.movie_ids}
        while before >= 0 and messages[before].role == "recommender":
            movies |= set(messages[before].movie_ids)
            before -= 1
        feedback = [dialogue.seeker_feedback.get(m) for m in movies]
        turned_down = Feedback.DISLIKE in feedback if movies else False
        history = tuple(
            {"role": "user" if m.role == "seeker" else "assistant", "content": dialogue.render(m)}
            for m in messages[:index]
        )
        out.append(
            ReplyContext(
                key=f"{dialogue.conversation_id}:{index}",
                messages=history,
                human_reply=dialogue.render(messages[index]),
                turned_down=turned_down,
                source=source,
            )
        )
    return out


def _render(message: dict[str, Any], mentions: dict[str, str]) -> str:
    return render_mentions(str(message["text"]).replace("...", ". "), mentions)


def _sample(contexts: list[ReplyContext], limit: int) -> list[ReplyContext]:
    ordered = sorted(contexts, key=lambda c: hashlib.sha1(c.key.encode()).hexdigest())
    return ordered[:limit]

"""Training and held-out examples for the generator: ECR prompts paired with emotional 10/10 review text.

Two sources (``reviews/``): ``emotional_responses.jsonl`` carries ready ECR prompts (movie, related entities, KG
triples, and the seeker line the paper calls "First Sentence"); ``imdb_reviews.json`` holds more reviews with their
DBpedia entities, and we build their prompts from the KG. The data's "First Sentence" is the seeker's line, so it
goes into the dialogue, and a recommender opening ("Have you seen X?") plays the paper's u_r. Entities and
triples are capped at 4 and 2 (the paper's p_ne, p_nt) by seeded random choice; in training prompts the ones the
target text mentions come first, so the model learns that prompt facts are there to be used (held-out prompts stay
purely random: they must not peek at their reference). The target is about 60 words of whole sentences, so the
model learns a short reply that ends: in training, starting at the first sentence that mentions one of the
example's facts (the paper trains on whole reviews, which mention their entities; a 60-word cut of the opening
mostly does not); held out, the review's leading sentences.

Splits are by movie (a stable hash of the title): 80 % train, 10 % valid (model selection), 10 % test (reported),
so held-out movies were never seen in training.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ecr_agent.config import Paths
from ecr_agent.data.movies import Movie, MovieCatalog
from ecr_agent.evaluation.generation import mentions
from ecr_agent.evaluation.life import drop_invented_life
from ecr_agent.generator.emotions import EmotionScorer
from ecr_agent.generator.prompt import MAX_ENTITIES, MAX_TRIPLES, SNIPPET_CHARS, GenerationPrompt, opening_sentence
from ecr_agent.opening import TurnReading, write_opening
from ecr_agent.sentences import split_sentences
from ecr_agent.types import ChatTurn

logger = logging.getLogger(__name__)

ReviewSplit = Literal["train", "valid", "test"]
EMOTIONAL_RESPONSES = "reviews/emotional_responses.jsonl"
IMDB_REVIEWS = "reviews/imdb_reviews.json"
RESPONSE_WORDS = 60
SNIPPET_RATE = 0.5
"""Share of training prompts given a snippet of another review of the same movie (when there is one)."""


@dataclass(frozen=True)
class ReviewExample:
    """One (prompt, target continuation) pair; ``movie`` is the title, ``source`` the file it came from."""

    prompt: GenerationPrompt
    response: str
    movie: str
    source: str
    split: ReviewSplit


def split_of_movie(title: str) -> ReviewSplit:
    """``test`` (10 %), ``valid`` (10 %) or ``train`` by a stable hash of the normalised title."""
    bucket = int(hashlib.sha1(_norm(title).encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < 10 else "valid" if bucket < 20 else "train"


def clean_review(text: str) -> str:
    """Collapse whitespace and put the missing space back in ``amazing.I recommend``."""
    text = " ".join(str(text).split())
    return re.sub(r"([a-z])([.!?])([A-Z])", r"\1\2 \3", text)


def leading_sentences(text: str, words: int = RESPONSE_WORDS) -> str:
    """The review's first whole sentences, about ``words`` words in all (at least one sentence)."""
    sentences = split_sentences(clean_review(text))
    kept: list[str] = []
    count = 0
    for sentence in sentences:
        size = len(sentence.split())
        if kept and count + size > words:
            break
        kept.append(sentence)
        count += size
    return " ".join(kept)


def fact_window(text: str, facts: Sequence[str], words: int = RESPONSE_WORDS) -> str:
    """About ``words`` words of whole sentences starting at the first sentence that mentions one of ``facts``.

    Falls back to the leading sentences when no sentence mentions a fact.
    """
    sentences = split_sentences(clean_review(text))
    start = next((i for i, s in enumerate(sentences) if any(mentions(s, f) for f in facts)), 0)
    return leading_sentences(" ".join(sentences[start:]), words)


def parse_knowledge(knowledge: str) -> dict[str, object]:
    """Split an ECR ``knowledge_used`` block into movie, entities (list) and triples (list of sentences)."""
    fields: dict[str, str] = {}
    for line in knowledge.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    movie = fields.get("Movie Name", "")
    entities = [e.strip() for e in fields.get("Related Entities", "").split(",") if e.strip() and e.strip() != "None"]
    raw = fields.get("Related Knowledge from KG", "")
    triples = [] if raw in ("", "None") else re.split(r", (?=[^,]*?'s [a-zA-Z]+ is )", raw)
    return {"movie": movie, "entities": entities, "triples": [_spaced_relation(t) for t in triples]}


def load_review_examples(paths: Paths, seed: int = 0, emotions: EmotionScorer | None = None) -> list[ReviewExample]:
    """All examples from both review files (``imdb_reviews.json`` is optional: skipped with a log when absent)."""
    rows = _emotional_rows(paths) + _imdb_rows(paths)
    by_movie: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_movie[_norm(row["movie"])].append(row["review"])
    scores = emotions([row["context"] for row in rows]) if emotions else [{} for _ in rows]
    catalog = {_norm(m.title): m for m in MovieCatalog.load(paths).movies.values()}
    examples: list[ReviewExample] = []
    seen: set[tuple[str, str]] = set()
    for row, feeling in zip(rows, scores, strict=True):
        key = (row["context"], row["review"][:200])
        if key in seen:
            continue
        seen.add(key)
        rng = random.Random(f"{seed}|{row['movie']}|{row['context']}|{row['review'][:200]}")  # per row: stable
        split = split_of_movie(row["movie"])
        others = [r for r in by_movie[_norm(row["movie"])] if r[:200] != row["review"][:200]]
        snippet = ()
        if others and (split != "train" or rng.random() < SNIPPET_RATE):
            snippet = (_snippet(rng.choice(others)),)
        grounded = split == "train"  # held-out prompts and references never depend on each other
        facts = [*row["entities"], *(t.split(" is ", 1)[-1] for t in row["triples"])]
        if grounded:  # the model learns feelings about the movie, not a reviewer's life (age, family, theaters)
            target = fact_window(drop_invented_life(row["review"]), facts)
            if not target:
                continue
        else:
            target = leading_sentences(row["review"])
        entities = _pick(row["entities"], MAX_ENTITIES, target if grounded else "", rng)
        tails = [t.split(" is ", 1)[-1] for t in row["triples"]]
        picked = _pick(tails, MAX_TRIPLES, target if grounded else "", rng)
        triples = [row["triples"][tails.index(t)] for t in picked]
        variant = rng.randrange(5) if split == "train" else 0
        prompt = GenerationPrompt(
            movie=row["movie"],
            opening=_opening(row, catalog.get(_norm(row["movie"])), variant),
            dialogue=(ChatTurn("user", row["context"]),) if row["context"] else (),
            emotions=feeling,
            entities=tuple(entities),
            triples=tuple(triples),
            snippets=snippet,
        )
        examples.append(ReviewExample(prompt, target, row["movie"], row["source"], split))
    return examples


def examples_for_split(
    split: ReviewSplit, paths: Paths, seed: int = 0, emotions: EmotionScorer | None = None
) -> list[ReviewExample]:
    """The examples of one split, in a fixed order (by a hash of movie and response)."""
    chosen = [e for e in load_review_examples(paths, seed, emotions) if e.split == split]
    if split != "train":  # held-out: one example per distinct review text
        unique = {e.response: e for e in chosen}
        chosen = list(unique.values())
    return sorted(chosen, key=lambda e: hashlib.sha1(f"{e.movie}|{e.response}".encode()).hexdigest())


def _emotional_rows(paths: Paths) -> list[dict]:
    rows = []
    path = paths.data_file(EMOTIONAL_RESPONSES)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        knowledge = parse_knowledge(record.get("knowledge_used", ""))
        movie = " ".join(((record.get("rec") or [""])[0] or str(knowledge["movie"])).split())
        context = " ".join(str(c).split(":", 1)[-1].strip() for c in record.get("context", []))
        if not movie or not record.get("resp"):
            continue
        rows.append(
            {
                "movie": movie,
                "context": context,
                "review": clean_review(record["resp"]),
                "entities": knowledge["entities"],
                "triples": knowledge["triples"],
                "source": "emotional_responses",
            }
        )
    return rows


def _imdb_rows(paths: Paths) -> list[dict]:
    path = paths.data_dir / IMDB_REVIEWS
    if not path.exists():
        logger.warning("%s is absent: training on emotional_responses.jsonl only", path)
        return []
    from ecr_agent.data.movies import MovieCatalog
    from ecr_agent.knowledge.graph import KnowledgeGraph, entity_label

    catalog = MovieCatalog.load(paths)
    graph = KnowledgeGraph.load(paths, catalog)
    by_title = {_norm(m.title): m.movie_id for m in catalog.movies.values()}
    rows = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        movie = " ".join(str(record.get("movie_name", "")).split())
        if not movie or not record.get("content"):
            continue
        movie_id = by_title.get(_norm(movie))
        facts = graph.movie_facts(movie_id) if movie_id else []
        rows.append(
            {
                "movie": movie,
                "context": "",
                "review": clean_review(record["content"]),
                "entities": list(dict.fromkeys(entity_label(u) for u in record.get("e_review", []))),
                "triples": [f"{movie}'s {t.relation} is {t.tail}" for t in facts],
                "source": "imdb_reviews",
            }
        )
    return rows


def _opening(row: dict, movie: Movie | None, variant: int) -> str:
    """The opening the chain would write (acknowledgement, pick, a fact from the metadata) when the movie is in
    the catalogue, so training prompts look like the ones users' turns produce; else a short recommender opening."""
    if movie is None:
        return opening_sentence(row["movie"], variant)
    return write_opening(TurnReading(row["context"]), movie, key=f"{variant}|{row['movie']}|{row['context']}")


def _pick(items: list[str], k: int, target: str, rng: random.Random) -> list[str]:
    """``k`` random items, those the target text mentions first (training prompts teach using the facts)."""
    items = list(dict.fromkeys(items))
    mentioned = [i for i in items if target and mentions(target, i)]
    rest = [i for i in items if i not in mentioned]
    rng.shuffle(mentioned)
    rng.shuffle(rest)
    return (mentioned + rest)[:k]


def _spaced_relation(triple: str) -> str:
    """``"X's productionCompany is Y"`` → ``"X's production company is Y"`` (our KG's verbalisation)."""
    return re.sub(
        r"'s ([a-z]+[A-Z][a-zA-Z]*) is ",
        lambda m: "'s " + re.sub(r"(?<!^)(?=[A-Z])", " ", m.group(1)).lower() + " is ",
        triple.strip(),
        count=1,
    )


def _snippet(review: str) -> str:
    return leading_sentences(review, words=SNIPPET_CHARS // 6)


def _norm(title: str) -> str:
    return " ".join(str(title).lower().split())


def count_by_split(examples: Sequence[ReviewExample]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        counts[f"{example.source}:{example.split}"] += 1
    return dict(counts)

"""Reply metrics: distinct-n, corpus BLEU, KG-fact coverage and a name-level hallucination rate (pure functions).

Hallucination here is checkable without a reference: a *name* in the reply (a person or a title: two or more
capitalised words, e.g. "Jessica Chastain", "Black Hawk Down") that appears nowhere in what the generator was given
(the prompt's movie, entities, facts, snippets and dialogue). It is a heuristic — single-word names ("Damon") and
lower-case titles are not checked — so it under-counts; it never flags a name the prompt contains.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
CAPITALISED = re.compile(r"[A-Z][\w'’.\-]*")
CONNECTORS = frozenset(
    {"of", "the", "and", "in", "a", "an", "on", "at", "to", "for", "de", "la", "le", "von", "van", "&"}
)
NOT_NAMES = frozenset(
    """i i'm i've i'd i'll it it's this that these those then but and so if when what why how who you you're you'll
    we they he she my your our his her its there here also oh wow yes no well as after before while although
    because even just one all both some many most every each any another such not never always maybe perhaps
    overall still yet however plus the a an in on at of for to with from by movie film story great good""".split()
)


def words(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens."""
    return WORD.findall(text.lower())


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Corpus distinct-n: unique n-grams / all n-grams over ``texts`` (0 when there are none)."""
    grams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        tokens = words(text)
        grams.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    total = sum(grams.values())
    return len(grams) / total if total else 0.0


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], max_n: int = 4) -> float:
    """Corpus BLEU (Papineni et al.) with one reference each, brevity penalty, add-one smoothing for n > 1."""
    if len(hypotheses) != len(references):
        raise ValueError("one reference per hypothesis")
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        hyp, ref = words(hypothesis), words(reference)
        hyp_len += len(hyp)
        ref_len += len(ref)
        for n in range(1, max_n + 1):
            hyp_grams = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
            ref_grams = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum(min(count, ref_grams[gram]) for gram, count in hyp_grams.items())
            totals[n - 1] += sum(hyp_grams.values())
    if hyp_len == 0 or matches[0] == 0:
        return 0.0
    log_precision = 0.0
    for n in range(max_n):
        smooth = 0 if n == 0 else 1
        log_precision += math.log((matches[n] + smooth) / (totals[n] + smooth)) / max_n
    brevity = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return brevity * math.exp(log_precision)


def named_spans(text: str) -> list[str]:
    """Names in ``text``: runs of two or more capitalised words (connectors like "of the" allowed inside).

    A sentence-initial word such as "Then" or "I" is dropped from the run; ``(1997)`` years are ignored.
    """
    spans: list[str] = []
    tokens = re.findall(r"[\w'’.\-&]+|[^\w\s]", text)
    run: list[str] = []
    for index, token in enumerate([*tokens, "."]):
        is_cap = bool(CAPITALISED.fullmatch(token)) and index < len(tokens)
        if is_cap or (run and token.lower() in CONNECTORS and _capital_follows(tokens, index + 1)):
            run.append(token)
            continue
        while run and (run[-1].lower() in CONNECTORS):
            run.pop()
        while run and run[0].lower().strip(".") in NOT_NAMES:
            run.pop(0)
        content = [t for t in run if t.lower() not in CONNECTORS]
        if len(content) >= 2:
            spans.append(" ".join(run).strip("."))
        run = []
    return spans


def _capital_follows(tokens: list[str], start: int) -> bool:
    """True when connectors from ``start`` on lead to a capitalised word ("of the Rings")."""
    for token in tokens[start:]:
        if CAPITALISED.fullmatch(token):
            return True
        if token.lower() not in CONNECTORS:
            return False
    return False


def word_set(text: str) -> set[str]:
    """Lower-cased words of ``text`` with possessive ``'s`` removed."""
    return {re.sub(r"['’]s$", "", w) for w in words(text) if w[0].isalnum()}


def unsupported_names(reply: str, knowledge: str) -> list[str]:
    """Names in ``reply`` with a word that appears nowhere in ``knowledge`` (case-insensitive)."""
    known = word_set(knowledge)
    missing = []
    for span in named_spans(reply):
        content = [w for w in word_set(span) if w not in CONNECTORS]
        if any(w not in known for w in content):
            missing.append(span)
    return missing


def hallucination_stats(replies: Sequence[str], knowledge: Sequence[str]) -> dict[str, float]:
    """``hallucination_rate`` (unsupported names / names), ``replies_with_hallucination``, ``names_per_reply``."""
    names = unsupported = flagged = 0
    for reply, known in zip(replies, knowledge, strict=True):
        spans = named_spans(reply)
        missing = unsupported_names(reply, known)
        names += len(spans)
        unsupported += len(missing)
        flagged += bool(missing)
    count = max(len(replies), 1)
    return {
        "hallucination_rate": unsupported / names if names else 0.0,
        "replies_with_hallucination": flagged / count,
        "names_per_reply": names / count,
    }


def fact_targets(triples: Sequence[str], entities: Sequence[str]) -> list[str]:
    """What a reply can mention: the tail of each ``"X's relation is Y"`` triple, and each entity."""
    tails = [t.split(" is ", 1)[1] if " is " in t else t for t in triples]
    return [x.strip() for x in (*tails, *entities) if x.strip()]


def mentions(reply: str, target: str) -> bool:
    """``target`` occurs in ``reply`` (case-insensitive), or — for a capitalised multi-word name — its last word."""
    lowered = " ".join(reply.lower().split())
    if target.lower() in lowered:
        return True
    parts = target.split()
    last = parts[-1] if parts else ""
    return len(parts) >= 2 and len(last) >= 4 and last[:1].isupper() and last.lower() in word_set(reply)


def kg_coverage(replies: Sequence[str], targets: Sequence[Sequence[str]]) -> dict[str, float]:
    """``kg_coverage``: mean share of each prompt's facts the reply mentions (prompts with facts only);
    ``fact_mention_rate``: share of those replies mentioning at least one fact."""
    shares, any_hit = [], 0
    for reply, facts in zip(replies, targets, strict=True):
        if not facts:
            continue
        hits = sum(mentions(reply, f) for f in facts)
        shares.append(hits / len(facts))
        any_hit += hits > 0
    return {
        "kg_coverage": sum(shares) / len(shares) if shares else 0.0,
        "fact_mention_rate": any_hit / len(shares) if shares else 0.0,
    }

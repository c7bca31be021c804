"""Sentence boundaries and stock phrases shared by decoding, data preparation, the chain and metrics (pure Python)."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*$")
STOCK_PHRASES = ("I was", "one of my favorite", "I think the movie was")
"""Phrases the fine-tuned model fell back on reply after reply (`ecr eval reply`'s most repeated 4-gram: "I was so
excited to see", then, once that was banned, "I was so glad / impressed / taken"; "I think the movie was a great
choice for me" in four of fifteen replayed turns, which banning only its end turned into "a great way to start my
day"): the chain never lets them be written whole (`DecodingConfig.avoid_sequences`). Claims of fandom ("I'm a
huge fan of …") are dropped by the gate instead (`life.LIFE_PATTERNS["fandom"]`): banning "a huge fan" gave "I am a
huge Jumanji fan"."""
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "no", "vol", "prof", "mt"})


def is_sentence_end(text: str) -> bool:
    """True when ``text`` ends a sentence (``.``/``!``/``?``), not an abbreviation like ``Dr.`` or an initial."""
    stripped = text.rstrip()
    if not SENTENCE_END.search(stripped):
        return False
    if stripped.endswith(".") and not stripped.endswith(".."):
        word = re.split(r"[\s(\"']", stripped[:-1])[-1] if stripped[:-1] else ""
        if word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split on whitespace after a sentence end (abbreviations and initials do not end sentences)."""
    sentences: list[str] = []
    current = ""
    for chunk in re.split(r"(\s+)", " ".join(text.split())):
        if not chunk.strip():
            continue
        current = f"{current} {chunk}" if current else chunk
        if is_sentence_end(current):
            sentences.append(current)
            current = ""
    if current:
        sentences.append(current)
    return sentences


CLAUSE_BREAK = re.compile(
    r"\s*\n\s*|[.!?;]+\s+|[.!?;]+$|,?\s+\b(?:but|however|although|though|whereas|except)\b\s*"
    r"|,?\s+\b(?:ha(?:ha)+|lol|lmao)\b[!.,]*\s+(?=\S)",
    re.I,
)
"""Where a clause ends: a line break (between messages), a sentence end, a contrastive conjunction ("…, but …"), or a
laugh between two sentences typed without a full stop ("he has such a cheesy smile, haha I also like Zombieland")."""


def split_clauses(text: str) -> list[str]:
    """Non-empty clauses of ``text`` (sentences, and the parts around "but", "although", …)."""
    return [part.strip() for part in CLAUSE_BREAK.split(text) if part and part.strip()]

"""Transparent reply checks (pure text, no models): fact claims, invented life, boilerplate.

One import for everything `ecr eval reply` and the chain need:

- `find_claims` / `verify` / `fact_report` / `false_claims` with a `FactBook` (ecr_agent/evaluation/claims.py):
  director, cast, role, writer, year and genre claims checked against the KG and the movie metadata.
- `invented_life` / `invented_life_rate` / `drop_invented_life` (ecr_agent/evaluation/life.py): claimed
  experiences ("I was 12", "my kids", "I saw it in theaters", "watched it 10 times").
- `opening_ngram_share` / `repeated_ngram_share` (here): boilerplate across replies ("I was so excited to see
  this movie" in 11 of 40 replies). Pass the generated continuations, not the replies with their fixed opening
  sentence ("You should watch X."), or the template is what gets measured.

Example:
    >>> from ecr_agent.evaluation.replies import FactBook, fact_report, invented_life_rate, opening_ngram_share
    >>> from ecr_agent.config import Paths
    >>> book = FactBook.load(Paths.from_env())
    >>> fact_report(["Tom Hanks plays Forrest."], ["162882"], book)["fact_precision"]
    1.0
    >>> opening_ngram_share(["I was so excited to see it.", "I was so excited to watch.", "It is great."])
    ('i was so excited', 0.6666666666666666)

See docs/replies.md for the patterns and the limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ecr_agent.evaluation.claims import (
    CLAIM_PATTERNS,
    Claim,
    FactBook,
    MovieFacts,
    fact_report,
    false_claims,
    find_claims,
    verify,
)
from ecr_agent.evaluation.generation import words
from ecr_agent.evaluation.life import (
    LIFE_PATTERNS,
    drop_invented_life,
    invented_life,
    invented_life_matches,
    invented_life_rate,
)
from ecr_agent.sentences import split_sentences

__all__ = [
    "CLAIM_PATTERNS",
    "LIFE_PATTERNS",
    "Claim",
    "FactBook",
    "MovieFacts",
    "drop_invented_life",
    "fact_report",
    "false_claims",
    "find_claims",
    "invented_life",
    "invented_life_matches",
    "invented_life_rate",
    "opening_ngram_share",
    "repeated_ngram_share",
    "verify",
]


def _word_tokens(text: str) -> list[str]:
    """Lower-cased words of ``text`` without punctuation (``"it's"`` stays one word)."""
    return [token for token in words(text) if token[0].isalnum()]


def opening_ngram_share(replies: Sequence[str], n: int = 4) -> tuple[str, float]:
    """The most frequent opening n-gram (first ``n`` words, lower-cased) and the share of replies starting with it.

    Replies shorter than ``n`` words have no opening n-gram but count in the denominator. Ties go to the
    n-gram seen first. ``("", 0.0)`` when no reply has ``n`` words.
    """
    openings = Counter(" ".join(tokens[:n]) for tokens in map(_word_tokens, replies) if len(tokens) >= n)
    if not openings:
        return "", 0.0
    gram, count = openings.most_common(1)[0]
    return gram, count / len(replies)


def repeated_ngram_share(replies: Sequence[str], n: int = 4) -> tuple[str, float]:
    """The n-gram found in the most replies (anywhere in them) and the share of replies that contain it.

    Each reply counts an n-gram once, so one reply repeating itself does not look like boilerplate across
    replies; n-grams do not cross sentence ends. ``("", 0.0)`` when no reply has ``n`` words.
    """
    in_replies: Counter[str] = Counter()
    for reply in replies:
        grams: set[str] = set()
        for sentence in split_sentences(reply):
            tokens = _word_tokens(sentence)
            grams.update(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        in_replies.update(grams)
    if not in_replies:
        return "", 0.0
    gram, count = in_replies.most_common(1)[0]
    return gram, count / len(replies)

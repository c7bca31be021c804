"""Movies the user names that we do not know, so the reply can say so instead of passing over them.

"I loved Zorblax Returns, anything like that?" got Black Panther and not a word about the movie. Most capitalised
names after "I like" that link to nothing are not unknown movies, though: on 25,476 ReDial train seeker messages a
first reading flagged 44, and all were misspelt people ("Seth Rogan", "Nick Cage"), decades ("90s"), genres
("Comedys"), acronyms ("NPH") or misspelt titles ("Psyco"). `UnknownTitles` leaves those out: a name that is close
to a known title, person or genre, holds a person's first or family name, a digit or an acronym, is not a title.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from ecr_agent.data.redial import MOVIE_MENTION
from ecr_agent.knowledge.graph import entity_label
from ecr_agent.linking import STOPWORDS, EntityLinker, everyday_words, title_key

CUE = re.compile(
    r"\b(?:loved|liked|enjoyed|love|like|adore|adored|watched|saw|seen|rewatched)\s+"
    r"(?P<title>[A-Z][\w'’:&-]*(?:\s+(?:(?:of|the|a|an|and|in|on|at|to|for|from|with)\s+)*[A-Z][\w'’:&-]*)*)"
)
"""A capitalised name after a word of liking or watching: a movie the user names ("I loved Zorblax Returns")."""
NOT_TITLES = frozenset(
    "marvel disney pixar netflix dc hbo hulu amazon dreamworks ghibli bollywood hollywood anime youtube imax".split()
)
"""Studios and services people like, which are no movie titles ("I love Pixar")."""
NEAR = 0.8
"""`difflib` similarity from which a name is a misspelling of a known one ("seth rogan" of "seth rogen")."""


@dataclass(frozen=True)
class _Index:
    name_words: frozenset[str]  # first and family names of film people
    known: list[str]  # title, person, name and genre keys: what a misspelling is close to
    title_keys: str  # every title key, joined: `_in_a_title` searches it


@lru_cache(maxsize=2)
def _index_of(linker: EntityLinker) -> _Index:
    """Built on the first name read (about 0.2 s), not at load: few messages have one. One per linker, shared by the
    pipeline's opening and the feedback reader."""
    people = [title_key(entity_label(linker.kg.uris[p])).split() for p in linker.film_people]
    titles = {re.sub(r" \d{4}$", "", key) for key in linker.titles}
    names = {w for words in people if len(words) > 1 for w in (words[0], words[-1])}
    return _Index(
        name_words=frozenset(names),
        known=sorted(titles | {" ".join(words) for words in people} | set(linker.genres) | names),
        title_keys=" | ".join(titles),
    )


class UnknownTitles:
    """Reads names a message says it liked or watched that no movie, person or genre of the linker matches."""

    def __init__(self, linker: EntityLinker) -> None:
        self.linker = linker

    @property
    def _index(self) -> _Index:
        return _index_of(self.linker)

    def read(self, text: str) -> tuple[str, ...]:
        """The unknown names of ``text``, as typed ("Zorblax Returns")."""
        found: list[str] = []
        for match in CUE.finditer(MOVIE_MENTION.sub(" | ", text)):
            title = re.sub(r"['’]s$", "", match.group("title").rstrip(":-’'"))
            if self._unknown(title):
                found.append(title)
        return tuple(dict.fromkeys(found))

    def _unknown(self, title: str) -> bool:
        raw = title.split()
        words = [w.strip("'’:&-").lower() for w in raw]
        named = [w for w, r in zip(words, raw, strict=True) if r[:1].isupper() and w not in STOPWORDS]
        if not named or NOT_TITLES.intersection(words):
            return False
        if any(any(c.isdigit() for c in r) or sum(c.isupper() for c in r) > 1 for r in raw):
            return False  # "90s", "WW2", "NPH", "DDl"
        capitalised = sum(r[:1].isupper() for r in raw)  # "Knives Out": its second word is a stopword
        if capitalised < 2 and (named[0] in everyday_words() or len(named[0]) < 5):
            return False  # "I like Chris", "I have not seen Elg": nobody and nothing we can tell
        if self._index.name_words.intersection(named):  # the index last: most names are ruled out above
            return False
        key = title_key(title)
        linked = self.linker.link(title)
        if linked.movie_ids or linked.entity_ids or self._in_a_title(key):
            return False
        return not difflib.get_close_matches(key, self._index.known, n=1, cutoff=NEAR)

    def _in_a_title(self, key: str) -> bool:
        """Whether ``key`` is part of a catalogue title ("nice guys" of "the nice guys"): a title said short."""
        return re.search(rf"(?:^| ){re.escape(key)}(?: |$)", self._index.title_keys, re.M) is not None

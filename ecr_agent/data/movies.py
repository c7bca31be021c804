"""The ReDial movie catalogue: ids, titles, popularity, DBpedia links and metadata."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.redial import normalise_title

CORRECTIONS_FILE = Path(__file__).with_name("redial_corrections.json")
"""Our corrections of ReDial's movie list, each entry with its evidence in docs/data.md:

- ``misread``: ids whose mentions mean a namesake, ``{"97219": "185139"}``: The Notebook (2013), a Hungarian war
  drama, picked from ReDial's list by users who meant the 2004 romance;
- ``misdescribed``: ids whose metadata (``id2info.json``) is another film's: "It (1990)" came with Goodfellas'
  director and cast. Their metadata is not loaded, so no reply states it.
"""

YEAR_SUFFIX = re.compile(r"\((\d{4})\)\s*$")
"""The year a ReDial title ends with: ``"Secret Window (2004)"``."""


@dataclass(frozen=True)
class Movie:
    """One ReDial movie; ``info`` holds iEvaLM metadata (genre, plot, director, writer, star) when known."""

    movie_id: str
    title: str
    mentions: int
    dbpedia_uri: str | None = None
    info: dict = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """Title without the trailing ``(year)``."""
        title = self.title
        if title.endswith(")") and "(" in title:
            head, _, year = title.rpartition("(")
            if year[:-1].isdigit():
                return head.strip()
        return title

    @property
    def year(self) -> int | None:
        """The year the title ends with (``"Secret Window (2004)"`` → 2004), None when it has none."""
        found = YEAR_SUFFIX.search(self.title)
        return int(found.group(1)) if found else None

    def describe(self) -> str:
        """A one-paragraph text of the movie for embedding (title, genres, people, plot)."""
        parts = [self.title]
        for key, label in (("genre", "Genre"), ("director", "Directed by"), ("star", "Starring")):
            if self.info.get(key):
                parts.append(f"{label}: {', '.join(self.info[key])}")
        if self.info.get("plot"):
            parts.append(str(self.info["plot"]))
        return ". ".join(parts)


class MovieCatalog:
    """All 6,924 ReDial movies keyed by id, with title lookup."""

    def __init__(self, movies: dict[str, Movie], misread: Mapping[str, str] | None = None) -> None:
        self.movies = movies
        self.misread = {k: v for k, v in (misread or {}).items() if k in movies and v in movies}
        """ReDial id → the namesake its mentions mean (`CORRECTIONS_FILE`); both in the catalogue."""

    @classmethod
    def load(cls, paths: Paths) -> MovieCatalog:
        links = json.loads(paths.data_file("redial/movie_dbpedia.json").read_text())
        infos = json.loads(paths.data_file("movies/id2info.json").read_text())
        corrections = json.loads(CORRECTIONS_FILE.read_text(encoding="utf-8"))
        misdescribed = set(corrections["misdescribed"])
        movies: dict[str, Movie] = {}
        with paths.data_file("redial/movies_with_mentions.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                movie_id = row["movieId"]
                movies[movie_id] = Movie(
                    movie_id=movie_id,
                    title=normalise_title(row["movieName"]),
                    mentions=int(row["nbMentions"]),
                    dbpedia_uri=links.get(movie_id),
                    info={} if movie_id in misdescribed else infos.get(movie_id, {}),
                )
        return cls(movies, corrections["misread"])

    def meant(self, movie_id: str) -> str:
        """The movie ReDial's users meant by ``movie_id``: the ranker learnt id 97219, "The Notebook (2013)", from
        talk about the 2004 romance, so a pick of it is that film (its metadata would describe a war drama)."""
        return self.misread.get(movie_id, movie_id)

    def __len__(self) -> int:
        return len(self.movies)

    def __contains__(self, movie_id: object) -> bool:
        return movie_id in self.movies

    def __getitem__(self, movie_id: str) -> Movie:
        return self.movies[movie_id]

    def get(self, movie_id: str) -> Movie | None:
        return self.movies.get(movie_id)

    @cached_property
    def titles(self) -> dict[str, str]:
        return {m.movie_id: m.title for m in self.movies.values()}

    @cached_property
    def _ids_by_name(self) -> dict[str, list[str]]:
        """Movie ids by `_name_key`: "Notebook" and "The Notebook" share one."""
        named: dict[str, list[str]] = {}
        for movie in self.movies.values():
            named.setdefault(_name_key(movie.name), []).append(movie.movie_id)
        return named

    @cached_property
    def _by_year(self) -> dict[int, list[Movie]]:
        years: dict[int, list[Movie]] = {}
        for movie in self.movies.values():
            if movie.year is not None:
                years.setdefault(movie.year, []).append(movie)
        return years

    def namesakes(self, movie_ids: Iterable[str]) -> set[str]:
        """``movie_ids`` and every movie of the same name: remakes ("The Notebook" of 2004 and of 2013), the name
        without its article ("Notebook (2006)", which ReDial links for "Notebook": replayed ReDial test 21498 then
        offered The Notebook (2013)), ReDial's duplicate entries ("American Pie (1999)" and "American Pie"), its
        yearless entry for a series, and its spellings of one movie in one year ("Killer Klowns from Outer Space
        (1988)" for a user who named "Killer Clowns from Outer Space (1988)", replayed ReDial test 21313). A user who
        just named one is not offered the other as something new."""
        movies = [movie for movie in map(self.get, movie_ids) if movie is not None]
        names = {_name_key(movie.name) for movie in movies}
        found = set(movie_ids) | {other for name in names for other in self._ids_by_name.get(name, ())}
        # a yearless entry named like a title's series ("The Lord of the Rings" for "The Lord of the Rings: The
        # Fellowship of the Ring") is ReDial's entry for the series (replayed ReDial test 21222 offered it as new)
        series = {_name_key(movie.name.split(":")[0]) for movie in movies if ":" in movie.name}
        found.update(m for name in series for m in self._ids_by_name.get(name, ()) if self.movies[m].year is None)
        for movie in movies:
            found.update(m.movie_id for m in self._by_year.get(movie.year or 0, ()) if _spelt_alike(m.name, movie.name))
        return found

    def sequels(self, movie_ids: Iterable[str]) -> set[str]:
        """Movies of the same series as ``movie_ids`` by name: "Annabelle 2", "Annabelle: Creation" and "It Chapter
        Two" for Annabelle and It (not "It Follows"). A user who said no to a movie is not offered its sequel next
        (the sequel of a turned-down Annabelle came right after it in a played chat, 2026-12-01)."""
        names = [movie.name.lower() for movie in map(self.get, movie_ids) if movie is not None]
        return {
            movie.movie_id
            for movie in self.movies.values()
            for name in names
            if movie.name.lower().startswith(name) and SEQUEL_MARK.match(movie.name[len(name) :])
        }

    @cached_property
    def ids(self) -> list[str]:
        """Movie ids in a fixed order (the item index of the ranker)."""
        return sorted(self.movies, key=int)


def _name_key(name: str) -> str:
    """A name in lower case without its leading article: ``"The Notebook"`` → ``"notebook"``."""
    return re.sub(r"^(?:the|a|an)\s+", "", name.strip().lower())


def _spelt_alike(name: str, other: str) -> bool:
    """Two spellings of one long title: at most two letters apart in 30 ("Killer Klowns" / "Killer Clowns")."""
    if name == other or min(len(name), len(other)) < MIN_SPELT_ALIKE or abs(len(name) - len(other)) > 2:
        return False
    matcher = SequenceMatcher(None, name.lower(), other.lower())
    return (
        matcher.real_quick_ratio() >= SPELT_ALIKE
        and matcher.quick_ratio() >= SPELT_ALIKE
        and matcher.ratio() >= SPELT_ALIKE
    )


MIN_SPELT_ALIKE = 12
SPELT_ALIKE = 0.93
SEQUEL_MARK = re.compile(
    r"\s*(?::|-\s|\d+\b|(?:II|III|IV|V|VI)\b|(?:Part|Chapter|Returns|Reloaded)\b|(?:the\s+)?(?:Second|Third|Fourth|Final)\b)",
    re.I,
)
"""What follows a movie's name in a sequel's: "Annabelle 2", "Annabelle: Creation", "It Chapter Two"."""

GENRE_DISPLAY = {
    "sci-fi": "Science fiction film", "film-noir": "Film noir", "animation": "Animated film",
    "biography": "Biographical film", "history": "Historical film", "sport": "Sports film", "western": "Western",
}  # fmt: skip


CATALOGUE_GENRE_WORDS = {
    "action": "action", "adventure": "adventure", "animation": "animation", "animated": "animation",
    "cartoon": "animation", "biography": "biography", "biographical": "biography", "biopic": "biography",
    "comedy": "comedy", "comedies": "comedy", "comedic": "comedy", "humor": "comedy", "humour": "comedy",
    "crime": "crime", "gangster": "crime", "heist": "crime", "documentary": "documentary", "drama": "drama",
    "family": "family", "children's": "family", "fantasy": "fantasy", "history": "history", "historical": "history",
    "horror": "horror", "slasher": "horror", "zombie": "horror", "musical": "musical", "mystery": "mystery",
    "noir": "film-noir", "romance": "romance", "romantic": "romance", "scifi": "sci-fi", "sport": "sport",
    "sports": "sport", "thriller": "thriller", "suspense": "thriller", "war": "war", "western": "western",
}  # fmt: skip
"""Words of a genre entity's label → the catalogue genre they name (``id2info.json`` keys, lower case).

``short`` (a short film, or a short movie?) and ``music`` (music styles are KG genres too) are left out on purpose.
"""


def genre_needs(label: str) -> frozenset[str]:
    """Catalogue genres a genre label names, all of them required (``"Romantic comedy"`` → romance, comedy)."""
    text = label.lower().replace("science fiction", "scifi").replace("sci-fi", "scifi").replace("sci fi", "scifi")
    return frozenset(CATALOGUE_GENRE_WORDS[w] for w in re.findall(r"[a-z']+", text) if w in CATALOGUE_GENRE_WORDS)


def genre_display(genre: str) -> str:
    """Readable name of a catalogue genre (``"sci-fi"`` → ``"Science fiction film"``), as the KG names genres."""
    return GENRE_DISPLAY.get(genre, f"{genre.capitalize()} film")

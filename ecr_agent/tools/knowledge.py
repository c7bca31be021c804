"""`MovieKnowledgeTool` (``search_movie_knowledge``): the Chroma knowledge stores as an agent tool."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ecr_agent.opening import join_names
from ecr_agent.tools.shared import UsesSharedChain, resolve_paths

if TYPE_CHECKING:
    from ecr_agent.config import Paths
    from ecr_agent.data.movies import Movie
    from ecr_agent.tools.shared import SharedChain


TOPIC_RELATIONS = {
    "director": ("director",),
    "cast": ("starring",),
    "writer": ("writer", "screenplay", "based on"),
    "genre": ("genre",),
}
"""The KG relations that answer each kind of fact question (`ecr_agent.opening.question_topic`)."""
TRIPLE = re.compile(r"^(?P<movie>.+?)'s (?P<relation>[a-z ]+) is (?P<value>.+)$")
VERBS = {
    "director": "was directed by",
    "starring": "stars",
    "writer": "was written by",
    "screenplay": "was written by",
    "based on": "is based on",
    "genre": "is a",  # DBpedia genres read as nouns: "is a Drama film"
}
METADATA_TOPICS = ("plot", "year")
"""Facts DBpedia's triples do not hold; the movie metadata (id2info.json) answers them."""
MAX_NAMES = 4
MOVIE_TRIPLES = 64
"""Enough to hold every triple of one movie (the most linked have about 40)."""


def read_result(payload: dict[str, Any] | str) -> dict[str, Any] | None:
    """``search_movie_knowledge``'s result as a dict, from itself or its JSON text; None for any other text."""
    if isinstance(payload, dict):
        return payload
    try:
        parsed = json.loads(payload)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def word_answer(question: str, payload: dict[str, Any] | str, movie: Movie | None = None) -> str:
    """A sentence answering a fact question from ``search_movie_knowledge``'s result (its dict or its JSON text).

    "Who directed Titanic?" → "Titanic (1997) was directed by James Cameron (source: DBpedia)."; says so plainly when
    the movie is unknown or the knowledge graph has no such fact, and never shows the tool's JSON. ``movie`` (the
    catalogue entry) answers what DBpedia lacks, the year and the plot, from the movie metadata, and orders a cast
    by billing.
    """
    from ecr_agent.opening import answer, question_topic

    if (parsed := read_result(payload)) is None:
        return str(payload)
    payload = parsed
    if payload.get("movie_id") is None and payload.get("note", "").startswith("unknown movie"):
        asked = payload["note"].removeprefix("unknown movie ").strip("'\"")
        return f"I couldn't find a movie called “{asked}” in my catalogue, so I can't answer that."
    topic = question_topic(question)
    if topic in METADATA_TOPICS and movie is not None:
        if said := answer(topic, movie):
            return f"{said[:-1]} (source: movie metadata)."
        return f"My movie metadata has no {topic} of {movie.name}."
    triples = [r["text"] for r in payload.get("results", []) if r.get("kind") == "triples"]
    facts = [m.groupdict() for text in triples if (m := TRIPLE.match(text))]
    title = facts[0]["movie"] if facts else movie.title if movie else "that movie"
    if topic is None:
        return _summary(title, facts)
    wanted = TOPIC_RELATIONS.get(topic, ())
    values = list(dict.fromkeys(f["value"] for f in facts if f["relation"] in wanted))
    if not values:
        said = answer(topic, movie) if movie is not None else None
        if said:
            return f"{said[:-1]} (source: movie metadata; DBpedia has no {topic} facts about it)."
        return f"My knowledge graph (DBpedia) has no {topic} facts about {title}."
    if topic == "cast" and movie is not None:
        billing = {name: rank for rank, name in enumerate(movie.info.get("star", []))}
        values.sort(key=lambda name: billing.get(name, len(billing)))
    relation = next(f["relation"] for f in facts if f["relation"] in wanted)
    return f"{title} {VERBS[relation]} {join_names(values[:MAX_NAMES])} (source: DBpedia)."


def _summary(title: str, facts: list[dict[str, str]]) -> str:
    """The answer to "tell me about it": the movie's director and first stars from the triples."""
    by_relation: dict[str, list[str]] = {}
    for fact in facts:
        by_relation.setdefault(fact["relation"], []).append(fact["value"])
    parts = [f"{VERBS[r]} {join_names(by_relation[r][:2])}" for r in ("director", "starring") if r in by_relation]
    if not parts:
        return f"My knowledge graph (DBpedia) has nothing I can tell you about {title}."
    return f"{title} {' and '.join(parts)} (source: DBpedia)."


class KnowledgeQuery(BaseModel):
    """Arguments of ``search_movie_knowledge``."""

    query: str = Field(description="What to look up, e.g. 'who directed it' or 'why do people love it'")
    movie: str | None = Field(default=None, description="A movie title or ReDial id to restrict the search to")
    k: int = Field(default=4, ge=1, le=20, description="How many facts and review snippets to return")


class MovieKnowledgeTool(UsesSharedChain, BaseTool):
    """Facts (DBpedia triples) and emotional review snippets about movies.

    Instantiate:
        .. code-block:: python

            from ecr_agent.tools import MovieKnowledgeTool

            tool = MovieKnowledgeTool.from_store()
            tool.invoke({"query": "who directed it", "movie": "Angels in the Outfield"})
            # {"movie_id": "75815", "results": [{"text": "...'s director is William Dear", "kind": "triples"}, ...]}
    """

    name: str = "search_movie_knowledge"
    description: str = (
        "Look up facts (director, cast, genre, studio) and what fans say about a movie. Use it to ground a "
        "recommendation in real knowledge. Input: a query and optionally a movie title."
    )
    args_schema: type[BaseModel] = KnowledgeQuery
    model_config = ConfigDict(arbitrary_types_allowed=True)
    paths: Any = None
    _store: Any = PrivateAttr(default=None)
    _linker: Any = PrivateAttr(default=None)
    _shared: SharedChain | None = PrivateAttr(default=None)

    @classmethod
    def from_store(cls, paths: Paths | None = None) -> MovieKnowledgeTool:
        """A tool that connects to the stores (``$ECR_STORE_DIR`` or the Chroma server) on first use."""
        return cls(paths=paths)

    def _load(self) -> None:
        if self._store is None and self._shared is not None:
            pipeline = self._shared.get().pipeline
            if pipeline.knowledge is None:
                from ecr_agent.config import StoreNotBuiltError

                raise StoreNotBuiltError("the knowledge stores are not built: run `ecr build`")
            self._store, self._linker = pipeline.knowledge, pipeline.linker
        if self._store is None:
            from ecr_agent.knowledge.stores import KnowledgeStore
            from ecr_agent.linking import EntityLinker

            paths = resolve_paths(self.paths)
            self._store = KnowledgeStore.connect(paths)
            self._store.check("triples")
            self._linker = EntityLinker.load(paths)

    def resolve(self, movie: str) -> str | None:
        """A ReDial id for a title or id; None when the movie is unknown."""
        self._load()
        if movie.strip().lstrip("@") in self._linker.catalog:
            return movie.strip().lstrip("@")
        from ecr_agent.linking import title_key

        return self._linker.titles.get(title_key(movie))

    def _run(self, query: str, movie: str | None = None, k: int = 4, **_: Any) -> dict[str, Any]:
        self._load()
        movie_ids = None
        if movie:
            movie_id = self.resolve(movie)
            if movie_id is None:
                return {"movie_id": None, "results": [], "note": f"unknown movie {movie!r}"}
            movie_ids = [movie_id]
        results = [
            {"text": hit["text"], "kind": kind, "movie_id": hit["metadata"].get("movie_id")}
            for kind in ("triples", "reviews")
            for hit in self._search(query, kind, k, movie_ids)
        ]
        return {"movie_id": movie_ids[0] if movie_ids else None, "results": results}

    def _search(self, query: str, kind: str, k: int, movie_ids: list[str] | None) -> list[dict]:
        """The ``k`` nearest documents; for one movie's triples, those of the relation the query asks about first
        ("who directed it" → its director, even when a dozen cast and crew triples are nearer in embedding space)."""
        from ecr_agent.opening import question_topic

        wanted = TOPIC_RELATIONS.get(question_topic(query) or "", ())
        if kind != "triples" or not movie_ids or not wanted:
            return self._store.search(query, kind, k=k, movie_ids=movie_ids)
        hits = self._store.search(query, kind, k=MOVIE_TRIPLES, movie_ids=movie_ids)
        asked = [h for h in hits if (m := TRIPLE.match(h["text"])) and m.group("relation") in wanted]
        return (asked + [h for h in hits if h not in asked])[:k]

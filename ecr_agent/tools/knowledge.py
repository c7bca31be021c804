"""`MovieKnowledgeTool` (``search_movie_knowledge``): the Chroma knowledge stores as an agent tool."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

if TYPE_CHECKING:
    from ecr_agent.config import Paths


TOPIC_RELATIONS = {
    "director": ("director",),
    "cast": ("starring",),
    "writer": ("writer", "screenplay", "based on"),
    "genre": ("genre",),
}
"""The KG relations that answer each kind of fact question (`ecr_agent.opening.question_topic`)."""
TRIPLE = re.compile(r"^(?P<movie>.+?)'s (?P<relation>[a-z ]+) is (?P<value>.+)$")
VERBS = {"director": "was directed by", "starring": "stars", "writer": "was written by", "genre": "is a"}


def word_answer(question: str, payload: dict[str, Any] | str) -> str:
    """A sentence answering a fact question from ``search_movie_knowledge``'s result (its dict or its JSON text).

    "Who directed Titanic?" → "Titanic (1997) was directed by James Cameron (source: DBpedia)."; says so plainly when
    the movie is unknown or the knowledge graph has no such fact, and never shows the tool's JSON.
    """
    from ecr_agent.opening import join_names, question_topic

    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError:
            return payload
    if not payload.get("results"):
        return f"I don't know that movie ({payload['note']})." if payload.get("note") else "I found nothing on that."
    facts = [m.groupdict() for r in payload["results"] if r.get("kind") == "triples" and (m := TRIPLE.match(r["text"]))]
    topic = question_topic(question)
    wanted = TOPIC_RELATIONS.get(topic or "", ())
    chosen = [f for f in facts if not wanted or f["relation"] in wanted]
    if not chosen:
        movie = facts[0]["movie"] if facts else "that movie"
        return f"My knowledge graph (DBpedia) has no {topic or 'such'} facts about {movie}."
    movie, relation = chosen[0]["movie"], chosen[0]["relation"]
    values = list(dict.fromkeys(f["value"] for f in chosen if f["relation"] == relation))
    verb = VERBS.get(relation, f"'s {relation} is")
    space = "" if verb.startswith("'") else " "  # "Titanic (1997)'s budget is …" takes no space
    sentence = f"{movie}{space}{verb} {join_names(values)}"
    return f"{sentence} (source: DBpedia)."


class KnowledgeQuery(BaseModel):
    """Arguments of ``search_movie_knowledge``."""

    query: str = Field(description="What to look up, e.g. 'who directed it' or 'why do people love it'")
    movie: str | None = Field(default=None, description="A movie title or ReDial id to restrict the search to")
    k: int = Field(default=4, ge=1, le=20, description="How many facts and review snippets to return")


class MovieKnowledgeTool(BaseTool):
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

    @classmethod
    def from_store(cls, paths: Paths | None = None) -> MovieKnowledgeTool:
        """A tool that connects to the stores (``$ECR_STORE_DIR`` or the Chroma server) on first use."""
        return cls(paths=paths)

    def _load(self) -> None:
        if self._store is None:
            from ecr_agent.data.linking import EntityLinker
            from ecr_agent.knowledge.stores import KnowledgeStore

            self._store = KnowledgeStore.connect(self.paths)
            self._store.check("triples")
            self._linker = EntityLinker.load()

    def resolve(self, movie: str) -> str | None:
        """A ReDial id for a title or id; None when the movie is unknown."""
        self._load()
        if movie.strip().lstrip("@") in self._linker.catalog:
            return movie.strip().lstrip("@")
        from ecr_agent.data.linking import title_key

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
            for hit in self._store.search(query, kind, k=k, movie_ids=movie_ids)
        ]
        return {"movie_id": movie_ids[0] if movie_ids else None, "results": results}

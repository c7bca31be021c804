"""`VectorStoreKnowledge`: any LangChain vector store as the chain's knowledge source (a thin edge adapter).

It gives `ECRPipeline` what it asks of the knowledge stores (`ecr_agent.pipeline.KnowledgeSearch`): the documents
about a movie nearest to the user's words, as the hits `KnowledgeStore.search` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore, VectorStore

if TYPE_CHECKING:  # your own stores need neither chromadb nor ours
    from ecr_agent.knowledge.stores import Kind, KnowledgeStore

MovieFilter = Callable[[list[str]], Any]
"""Builds a vector store's ``filter`` argument that keeps the documents whose ``movie_id`` is one of the ids."""
SOURCES: dict[str, str] = {"triples": "dbpedia", "reviews": "imdb_review"}
"""The ``source`` a document without one gets: the prompt tells KG facts from review snippets by it."""


def mongo_filter(movie_ids: list[str]) -> dict[str, Any]:
    """``{"movie_id": ...}`` in the Mongo-like syntax of Chroma, PGVector, Pinecone, FAISS and others."""
    return {"movie_id": movie_ids[0]} if len(movie_ids) == 1 else {"movie_id": {"$in": movie_ids}}


def predicate_filter(movie_ids: list[str]) -> Callable[[Document], bool]:
    """A predicate over documents, the filter `InMemoryVectorStore` takes."""
    wanted = set(movie_ids)
    return lambda document: str(document.metadata.get("movie_id")) in wanted


class VectorStoreKnowledge:
    """KG facts and review snippets from your own LangChain vector stores, for `ECRChain` and the tools.

    Each kind of knowledge lives in its own store (or collection), as ours do. Documents carry our metadata keys:

    - ``triples``: ``page_content`` a verbalised fact, ``"Titanic (1997)'s director is James Cameron"``; metadata
      ``movie_id`` (the ReDial id as a string; searches filter on it), ``relation`` (``"director"``; facts are ranked
      by it), ``tail`` (``"James Cameron"``; the related entities of the prompt), ``source`` (``"dbpedia"``).
    - ``reviews``: ``page_content`` a review snippet; metadata ``movie_id`` and ``source`` (``"imdb_review"``).

    A document without ``source`` gets its kind's (``dbpedia``, ``imdb_review``). The store must filter on metadata:
    the default filter is a predicate for `InMemoryVectorStore` and ``{"movie_id": {"$in": [...]}}`` for any other
    store (Chroma, PGVector, Pinecone, FAISS, ...); pass ``movie_filter`` for another syntax. Hits come nearest first
    and carry no ``distance`` (stores score differently).

    Instantiate:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore

            from ecr_agent.integrations import MiniLMEmbeddings, VectorStoreKnowledge

            facts = InMemoryVectorStore(MiniLMEmbeddings())
            facts.add_texts(
                ["Titanic (1997)'s director is James Cameron"],
                metadatas=[{"movie_id": "204870", "relation": "director", "tail": "James Cameron"}],
            )
            knowledge = VectorStoreKnowledge(triples=facts, reviews=my_review_store)

    Use in the chain (and its tools):
        .. code-block:: python

            from ecr_agent import ECRChain

            chain = ECRChain.from_store(knowledge=knowledge)
            chain.invoke({"messages": [...]}).knowledge   # hits from your stores

    Our own collections, through `langchain_chroma`:
        .. code-block:: python

            knowledge = VectorStoreKnowledge.from_knowledge_store(KnowledgeStore.connect(Paths.from_env()))
    """

    def __init__(
        self,
        triples: VectorStore | None = None,
        reviews: VectorStore | None = None,
        movie_filter: MovieFilter | None = None,
    ) -> None:
        self.stores: dict[str, VectorStore] = {
            kind: store for kind, store in (("triples", triples), ("reviews", reviews)) if store is not None
        }
        self.movie_filter = movie_filter

    @classmethod
    def from_knowledge_store(cls, store: KnowledgeStore) -> VectorStoreKnowledge:
        """Our Chroma collections, each seen as a `langchain_chroma.Chroma` store (`knowledge_vector_store`)."""
        from ecr_agent.integrations.vectorstores import knowledge_vector_store

        return cls(knowledge_vector_store(store, "triples"), knowledge_vector_store(store, "reviews"))

    def search(self, query: str, kind: Kind, k: int = 4, movie_ids: Sequence[str] | None = None) -> list[dict]:
        """The ``k`` documents of ``kind`` nearest to ``query``: dicts with ``id``, ``text``, ``metadata``."""
        store = self.stores.get(kind)
        if store is None or k <= 0:
            return []
        kwargs: dict[str, Any] = {}
        if movie_ids:
            ids = [str(m) for m in movie_ids]
            build = self.movie_filter or (predicate_filter if isinstance(store, InMemoryVectorStore) else mongo_filter)
            kwargs["filter"] = build(ids)
        documents = store.similarity_search(query or " ", k=k, **kwargs)
        return [
            {"id": d.id, "text": d.page_content, "metadata": {"source": SOURCES[kind], **d.metadata}} for d in documents
        ]

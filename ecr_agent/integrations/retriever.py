"""`KnowledgeRetriever`: the Chroma knowledge stores as a LangChain retriever (a thin adapter)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from ecr_agent.config import Paths
from ecr_agent.knowledge.stores import Kind, KnowledgeStore


class KnowledgeRetriever(BaseRetriever):
    """KG triples and review snippets about movies, nearest to a query.

    Setup:
        ``ecr build`` fills the stores under ``$ECR_STORE_DIR`` (or the Chroma server named by ``ECR_CHROMA_HOST``).

    Instantiate:
        .. code-block:: python

            from ecr_agent.integrations import KnowledgeRetriever

            retriever = KnowledgeRetriever.from_env(k=4)

    Invoke, optionally filtered to movies (ReDial ids) and with another ``k``:
        .. code-block:: python

            docs = retriever.invoke("who directed it?", movie_ids=["75815"], k=2)
            docs[0].page_content  # "Angels in the Outfield (1994)'s director is William Dear"
            docs[0].metadata      # {"movie_id": "75815", "relation": "director", "kind": "triples", ...}

    Unknown movie ids give an empty list, not an error.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    store: KnowledgeStore
    """The Chroma collections to search."""
    k: int = 4
    """Documents returned: the ``k`` nearest over all ``kinds`` together (LangChain's retriever contract)."""
    kinds: tuple[Kind, ...] = Field(default=("triples", "reviews"))
    """Which collections to search: ``triples`` (DBpedia facts), ``reviews`` (emotional review snippets)."""

    @classmethod
    def from_env(cls, **kwargs: Any) -> KnowledgeRetriever:
        """Connect to the store that ``ECR_STORE_DIR`` / ``ECR_CHROMA_HOST`` point at."""
        return cls(store=KnowledgeStore.connect(Paths.from_env()), **kwargs)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        movie_ids: Sequence[str] | None = None,
        k: int | None = None,
    ) -> list[Document]:
        k = self.k if k is None else k
        documents: list[Document] = []
        for kind in self.kinds:  # each collection's k nearest, then the k nearest of those (same encoder, same metric)
            for hit in self.store.search(query, kind, k=k, movie_ids=movie_ids):
                metadata = {**hit["metadata"], "kind": kind, "distance": hit["distance"]}
                documents.append(Document(page_content=hit["text"], metadata=metadata, id=hit["id"]))
        return sorted(documents, key=lambda d: d.metadata["distance"])[:k]

"""Our Chroma knowledge collections as `langchain_chroma.Chroma` vector stores (a thin edge adapter)."""

from __future__ import annotations

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from ecr_agent.integrations.embeddings import MiniLMEmbeddings
from ecr_agent.knowledge.stores import COLLECTIONS, Kind, KnowledgeStore


def knowledge_vector_store(store: KnowledgeStore, kind: Kind, embedding: Embeddings | None = None) -> Chroma:
    """One knowledge collection (``"triples"`` or ``"reviews"``) as a LangChain vector store.

    The view shares ``store``'s Chroma client (embedded folder or server) and embeds queries with `MiniLMEmbeddings`,
    the encoder that embedded the collection, so it never falls back to Chroma's default embedding function (which
    downloads a model). Its search, filters and scores are Chroma's own: ``filter={"movie_id": "75815"}``, cosine
    distance in ``similarity_search_with_score``, ``1 - distance`` as relevance.

    Setup:
        ``ecr build`` fills the collections under ``$ECR_STORE_DIR`` (or on the server ``ECR_CHROMA_HOST`` names).

    Instantiate:
        .. code-block:: python

            from ecr_agent.config import Paths
            from ecr_agent.integrations import knowledge_vector_store
            from ecr_agent.knowledge import KnowledgeStore

            triples = knowledge_vector_store(KnowledgeStore.connect(Paths.from_env()), "triples")

    Search, filtered to a movie (ReDial id):
        .. code-block:: python

            triples.similarity_search("who directed it?", k=2, filter={"movie_id": "75815"})
            # [Document(page_content="Angels in the Outfield (1994)'s director is William Dear",
            #           metadata={"movie_id": "75815", "relation": "director", "source": "dbpedia", ...}), ...]

    Use as Retriever:
        .. code-block:: python

            retriever = triples.as_retriever(search_kwargs={"k": 4, "filter": {"movie_id": "75815"}})

    Raises:
        StoreNotBuiltError: the collection is missing or half-built (``ecr build`` fills it).
    """
    store.check(kind)  # refuse a missing or half-built collection, naming the command that builds it
    return Chroma(
        client=store.client,
        collection_name=COLLECTIONS[kind],
        embedding_function=embedding or MiniLMEmbeddings(),
        create_collection_if_not_exists=False,
    )

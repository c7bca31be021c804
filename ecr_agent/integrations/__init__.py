"""LangChain adapters at the edge of the science packages, one module per LangChain interface.

The generator as a `BaseChatModel` (`ECRChatModel`), the knowledge stores as a `BaseRetriever`
(`KnowledgeRetriever`), MiniLM as `Embeddings`, our Chroma collections as `langchain_chroma` vector stores, and any
vector store as the chain's knowledge source::

    from ecr_agent.integrations import MiniLMEmbeddings, VectorStoreKnowledge, knowledge_vector_store

    embeddings = MiniLMEmbeddings()                                   # langchain_core Embeddings
    triples = knowledge_vector_store(KnowledgeStore.connect(paths), "triples")  # langchain_chroma.Chroma
    chain = ECRChain.from_store(knowledge=VectorStoreKnowledge(triples=my_store, reviews=my_reviews))

Each name is imported on first use, so the embeddings alone do not load Chroma.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecr_agent.integrations.chat_model import ECRChatModel
    from ecr_agent.integrations.embeddings import MiniLMEmbeddings
    from ecr_agent.integrations.knowledge import VectorStoreKnowledge
    from ecr_agent.integrations.retriever import KnowledgeRetriever
    from ecr_agent.integrations.vectorstores import knowledge_vector_store

_EXPORTS = {
    "ECRChatModel": "ecr_agent.integrations.chat_model",
    "KnowledgeRetriever": "ecr_agent.integrations.retriever",
    "MiniLMEmbeddings": "ecr_agent.integrations.embeddings",
    "VectorStoreKnowledge": "ecr_agent.integrations.knowledge",
    "knowledge_vector_store": "ecr_agent.integrations.vectorstores",
}
__all__ = ["ECRChatModel", "KnowledgeRetriever", "MiniLMEmbeddings", "VectorStoreKnowledge", "knowledge_vector_store"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ecr_agent.integrations' has no attribute {name!r}")

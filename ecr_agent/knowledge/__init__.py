"""Knowledge: the DBpedia subgraph (rdflib), the Chroma stores and the LangChain retriever."""

from ecr_agent.knowledge.graph import KnowledgeGraph, RDFGraph, Triple
from ecr_agent.knowledge.stores import KnowledgeStore, build_stores

__all__ = ["KnowledgeGraph", "KnowledgeRetriever", "KnowledgeStore", "RDFGraph", "Triple", "build_stores"]


def __getattr__(name: str) -> object:
    if name == "KnowledgeRetriever":  # keeps LangChain out of the science imports
        from ecr_agent.knowledge.retriever import KnowledgeRetriever

        return KnowledgeRetriever
    raise AttributeError(name)

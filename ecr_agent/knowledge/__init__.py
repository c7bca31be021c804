"""Knowledge: the DBpedia subgraph (rdflib) and the Chroma stores (LangChain views: `ecr_agent.integrations`)."""

from ecr_agent.knowledge.graph import KnowledgeGraph, RDFGraph, Triple
from ecr_agent.knowledge.stores import KnowledgeStore, build_stores

__all__ = ["KnowledgeGraph", "KnowledgeStore", "RDFGraph", "Triple", "build_stores"]

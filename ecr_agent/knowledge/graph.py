"""The DBpedia subgraph around the ReDial movies: ids and edges for the R-GCN, an rdflib graph for SPARQL.

Entities and relations keep their DBpedia URIs. Movies also carry ``ecr:redialId`` and an ``rdfs:label`` with
the ReDial title, so a SPARQL query can go from a ReDial id to its facts and back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal
from urllib.parse import unquote

import numpy as np

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.store_files import reading

DBPEDIA_RESOURCE = "http://dbpedia.org/resource/"
ECR_NS = "https://ecr-agent.dev/ns#"
SELF_LOOP = "self_loop"
DBPEDIA_ONTOLOGY = "http://dbpedia.org/ontology/"
PERSON_RELATIONS = (
    "director", "starring", "writer", "author", "producer", "executiveProducer", "musicComposer", "composer",
    "cinematography", "editing", "editor", "narrator", "person",
)  # fmt: skip
"""DBpedia relations whose tail is a person: an entity at the tail of one of these is a person."""
REBUILD = "run `ecr build` to rebuild it"
DISAMBIGUATION = re.compile(r"\s*\([^)]*\)$")
"""The bracket that tells DBpedia resources of one name apart: "Titanic (1997 film)"."""


def strip_brackets(uri: str) -> str:
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def entity_label(uri: str) -> str:
    """Readable name of a DBpedia resource: ``<…/Titanic_(1997_film)>`` → ``'Titanic'``."""
    local = strip_brackets(uri).rsplit("/", 1)[-1]
    local = (unquote(local) if "%" in local else local).replace("_", " ")
    return (DISAMBIGUATION.sub("", local).strip() or local) if local.endswith(")") else local.strip() or local


def relation_label(uri: str) -> str:
    """``<http://dbpedia.org/ontology/musicComposer>`` → ``'music composer'``."""
    local = strip_brackets(uri).rsplit("/", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower()


@dataclass(frozen=True)
class Triple:
    """One KG fact with readable names; ``head_movie_id`` is the ReDial id when the head is a movie."""

    head: str
    relation: str
    tail: str
    head_uri: str
    relation_uri: str
    tail_uri: str
    head_movie_id: str | None = None

    def verbalise(self) -> str:
        """``"Titanic (1997)'s director is James Cameron"``."""
        return f"{self.head}'s {self.relation} is {self.tail}"


class KnowledgeGraph:
    """Entities, relations and edges of the DBpedia subgraph (UniCRS format), with ReDial movie links."""

    def __init__(self, entity_ids: dict[str, int], relation_ids: dict[str, int], adjacency: dict[str, list]) -> None:
        self.entity_ids = entity_ids
        self.relation_ids = relation_ids
        self.uris = [""] * len(entity_ids)
        for uri, index in entity_ids.items():
            self.uris[index] = uri
        self.relation_uris = [""] * len(relation_ids)
        for uri, index in relation_ids.items():
            self.relation_uris[index] = uri
        self._adjacency = adjacency
        self.movie_entity: dict[str, int] = {}
        self.entity_movie: dict[int, str] = {}
        self.movie_titles: dict[int, str] = {}
        self._movie_facts: dict[int, list[Triple]] = {}

    @classmethod
    def load(cls, paths: Paths, catalog: MovieCatalog | None = None) -> KnowledgeGraph:
        graph = cls(
            json.loads(paths.data_file("kg/entity2id.json").read_text()),
            json.loads(paths.data_file("kg/relation2id.json").read_text()),
            json.loads(paths.data_file("kg/dbpedia_subkg.json").read_text()),
        )
        graph.link_movies(catalog or MovieCatalog.load(paths))
        return graph

    def link_movies(self, catalog: MovieCatalog) -> None:
        """Attach ReDial ids and titles to the movie entities of the graph."""
        self._movie_facts.clear()
        for movie in catalog.movies.values():
            index = self.entity_ids.get(movie.dbpedia_uri or "")
            if index is not None:
                self.movie_entity[movie.movie_id] = index
                self.entity_movie.setdefault(index, movie.movie_id)
                self.movie_titles.setdefault(index, movie.title)

    @property
    def num_entities(self) -> int:
        return len(self.uris)

    @property
    def num_relations(self) -> int:
        return len(self.relation_uris)

    def ontology_relations(self, names: Iterable[str]) -> set[int]:
        """Ids of the DBpedia ontology relations ``names`` ("director", "starring", …) that this graph has."""
        found = (self.relation_ids.get(f"<{DBPEDIA_ONTOLOGY}{name}>") for name in names)
        return {relation for relation in found if relation is not None}

    def name(self, entity: int) -> str:
        """ReDial title for movies, the DBpedia label for everything else."""
        return self.movie_titles.get(entity) or entity_label(self.uris[entity])

    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """``(edge_index (2, E), edge_type (E,))`` for message passing, self loops excluded, both directions."""
        heads, tails, types = [], [], []
        self_loop = self.relation_ids.get(SELF_LOOP)
        for head, edges in self._adjacency.items():
            for relation, tail in edges:
                if relation != self_loop:
                    heads.append(int(head))
                    tails.append(tail)
                    types.append(relation)
        h, t, r = np.array(heads), np.array(tails), np.array(types)
        index = np.stack([np.concatenate([h, t]), np.concatenate([t, h])])
        return index, np.concatenate([r, r + self.num_relations])

    def triples(self) -> Iterator[Triple]:
        """Every fact of the graph (no self loops) with readable names."""
        for head in self._adjacency:
            yield from self._head_triples(int(head))

    def _head_triples(self, head: int) -> Iterator[Triple]:
        self_loop = self.relation_ids.get(SELF_LOOP)
        for relation, tail in self._adjacency.get(str(head), ()):
            if relation == self_loop:
                continue
            yield Triple(
                head=self.name(head),
                relation=relation_label(self.relation_uris[relation]),
                tail=self.name(tail),
                head_uri=strip_brackets(self.uris[head]),
                relation_uri=strip_brackets(self.relation_uris[relation]),
                tail_uri=strip_brackets(self.uris[tail]),
                head_movie_id=self.entity_movie.get(head),
            )

    def tails(self, entity: int) -> set[int]:
        """The entities ``entity``'s facts point to (a movie's director, stars, genres, …)."""
        return {tail for _, tail in self._adjacency.get(str(entity), ())}

    def movie_facts(self, movie_id: str) -> list[Triple]:
        """Facts whose head is the given ReDial movie (empty for unknown or unlinked movies).

        Built per movie on first use: naming all 81k facts up front took 1.3 s and 43 MB in a chat's first turn.
        """
        entity = self.movie_entity.get(movie_id)
        if entity is None:
            return []
        facts = self._movie_facts.get(entity)
        if facts is None:
            facts = self._movie_facts[entity] = list(self._head_triples(entity))
        return list(facts)


class RDFGraph:
    """The subgraph as an rdflib graph persisted as N-Triples under ``$ECR_STORE_DIR/kg``; answers SPARQL."""

    def __init__(self, graph: object) -> None:
        self.graph = graph

    @classmethod
    def build(cls, kg: KnowledgeGraph, paths: Paths) -> RDFGraph:
        from rdflib import Graph, Literal, Namespace, URIRef
        from rdflib.namespace import RDFS

        ecr = Namespace(ECR_NS)
        graph = Graph()
        for triple in kg.triples():
            graph.add((URIRef(triple.head_uri), URIRef(triple.relation_uri), URIRef(triple.tail_uri)))
        for index, uri in enumerate(kg.uris):
            graph.add((URIRef(strip_brackets(uri)), RDFS.label, Literal(kg.name(index))))
        for movie_id, index in kg.movie_entity.items():
            graph.add((URIRef(strip_brackets(kg.uris[index])), ecr.redialId, Literal(movie_id)))
        target = paths.graph_file
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        graph.serialize(partial, format="nt", encoding="utf-8")
        partial.replace(target)
        return cls(graph)

    @classmethod
    def open(cls, paths: Paths, backend: Literal["oxigraph", "memory"] = "oxigraph") -> RDFGraph:
        """Load the persisted graph (``oxigraph`` by default: same rdflib API, much faster; benchmarks/foundation)."""
        from rdflib import Graph

        if not paths.graph_file.exists():
            raise StoreNotBuiltError(f"no RDF graph at {paths.graph_file}; {REBUILD}")
        graph = Graph(store="Oxigraph") if backend == "oxigraph" else Graph()
        # `ecr build` keeps an existing graph file, so a damaged one goes first
        with reading(paths.graph_file, f"rm {paths.graph_file} && ecr build"):
            graph.parse(paths.graph_file, format="ox-nt" if backend == "oxigraph" else "nt")
        return cls(graph)

    def query(self, sparql: str) -> list[tuple[str, ...]]:
        """Run a SPARQL SELECT and return its rows as strings."""
        return [tuple(str(value) for value in row) for row in self.graph.query(sparql)]  # type: ignore[attr-defined]

    def movie_facts(self, movie_id: str) -> list[tuple[str, str, str]]:
        """``(relation, object label, object uri)`` for a ReDial movie id; empty when unknown."""
        from rdflib import Literal

        return self.query(  # type: ignore[return-value]
            f"""PREFIX ecr: <{ECR_NS}>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?relation ?label ?object WHERE {{
              ?movie ecr:redialId {Literal(str(movie_id)).n3()} ; ?relation ?object .
              ?object rdfs:label ?label .
            }}"""
        )

    def movies_sharing(self, entity_uri: str, limit: int = 50) -> list[str]:
        """ReDial ids of movies linked to ``entity_uri`` by any relation (e.g. all films of a director)."""
        from rdflib import URIRef

        rows = self.query(
            f"""PREFIX ecr: <{ECR_NS}>
            SELECT DISTINCT ?id WHERE {{ ?movie ?relation {URIRef(entity_uri).n3()} ; ecr:redialId ?id . }}
            LIMIT {int(limit)}"""
        )
        return [row[0] for row in rows]

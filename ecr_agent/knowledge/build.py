"""``ecr build``: the RDF graph and both Chroma collections, with progress bars and timings."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.knowledge.graph import KnowledgeGraph, RDFGraph
from ecr_agent.knowledge.stores import BATCH, build_stores
from ecr_agent.store_lock import store_lock


def _progress(starts: Iterable[int], total: int) -> Iterable[int]:
    with tqdm(total=total, desc="embedding", unit="doc") as bar:
        for start in starts:
            yield start
            bar.update(min(BATCH, total - start))


def build_knowledge(paths: Paths, limit_movies: int | None = None) -> dict[str, Any]:
    """Build (or finish building) the RDF graph and the Chroma stores; return counts and seconds.

    Raises:
        StoreBusyError: another process is writing the store (`ecr_agent.store_lock`).
    """
    with store_lock(paths.store_dir, "ecr build"):
        started = time.perf_counter()
        report: dict[str, Any] = {"store_dir": str(paths.store_dir)}
        if not paths.graph_file.exists():
            kg = KnowledgeGraph.load(paths, MovieCatalog.load(paths))
            report["rdf_triples"] = len(RDFGraph.build(kg, paths).graph)  # type: ignore[arg-type]
        report["rdf_seconds"] = round(time.perf_counter() - started, 2)
        report["added"] = build_stores(paths, progress=_progress, limit_movies=limit_movies)
        report["seconds"] = round(time.perf_counter() - started, 2)
        return report

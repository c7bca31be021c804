"""Foundation benchmark: full `ecr build` time and peak memory, retrieval latency (embedded and server), SPARQL latency.

Usage: python benchmarks/foundation_bench.py [--store DIR] [--build] [--queries 200]
Writes benchmarks/foundation/results.json and results.md. `--build` times a full build into a fresh temporary store.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ecr_agent.config import ChromaServer, Paths
from ecr_agent.knowledge.graph import RDFGraph
from ecr_agent.knowledge.stores import KnowledgeStore

OUT = Path(__file__).parent / "foundation"
QUERIES = ["who directed it", "a funny movie for the family", "scary and dark", "great soundtrack", "the lead actor"]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def time_build() -> dict:
    with tempfile.TemporaryDirectory() as store:
        env = {**os.environ, "ECR_STORE_DIR": store}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ecr_agent.cli", "--json", "build"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"build_seconds": round(seconds, 1), "build_peak_rss_mb": round(peak_mb), "load_avg_1m": os.getloadavg()[0]}


def retrieval(store: KnowledgeStore, movie_ids: list[str], n: int) -> dict:
    rng = random.Random(0)
    store.search("warm up", "triples", k=4)
    timings = []
    for i in range(n):
        kind = "triples" if i % 2 == 0 else "reviews"
        filter_ids = [rng.choice(movie_ids)] if i % 4 < 2 else None
        started = time.perf_counter()
        store.search(rng.choice(QUERIES), kind, k=4, movie_ids=filter_ids)
        timings.append(time.perf_counter() - started)
    return percentiles(timings)


def server_retrieval(paths: Paths, movie_ids: list[str], n: int) -> dict:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(paths.chroma_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        address = ChromaServer("127.0.0.1", port)
        for _ in range(120):
            try:
                store = KnowledgeStore.connect(paths, server=address)
                store.client.heartbeat()
                break
            except Exception:
                time.sleep(0.5)
        return retrieval(store, movie_ids, n)
    finally:
        server.terminate()
        server.wait(timeout=30)


def sparql(paths: Paths, movie_ids: list[str]) -> dict:
    result = {}
    for backend in ("oxigraph", "memory"):
        started = time.perf_counter()
        graph = RDFGraph.open(paths, backend=backend)  # type: ignore[arg-type]
        load = time.perf_counter() - started
        timings = []
        for movie_id in movie_ids[:20]:
            started = time.perf_counter()
            graph.movie_facts(movie_id)
            timings.append(time.perf_counter() - started)
        result[backend] = {"load_s": round(load, 2), **percentiles(timings)}
    result["speedup_p50"] = round(result["memory"]["p50_ms"] / max(result["oxigraph"]["p50_ms"], 1e-3), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a built store (default $ECR_STORE_DIR)")
    parser.add_argument("--build", action="store_true", help="also time a full build into a fresh store")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if args.store:
        os.environ["ECR_STORE_DIR"] = str(args.store)
    paths = Paths.from_env()
    store = KnowledgeStore.connect(paths)
    sizes = {kind: store.check(kind) for kind in ("triples", "reviews")}
    movie_ids = sorted({m["movie_id"] for m in store.collection("triples").get(limit=2000)["metadatas"]})
    results: dict = {"documents": sizes, "cpu_count": os.cpu_count()}
    results["retrieval_embedded"] = retrieval(store, movie_ids, args.queries)
    del store
    results["retrieval_server"] = server_retrieval(paths, movie_ids, args.queries)
    results["sparql_movie_facts"] = sparql(paths, movie_ids)
    if args.build:
        results["full_build"] = time_build()
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

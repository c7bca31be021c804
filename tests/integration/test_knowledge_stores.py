from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ecr_agent.config import ChromaServer, Paths, StoreNotBuiltError
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.knowledge.graph import KnowledgeGraph, RDFGraph
from ecr_agent.knowledge.stores import KnowledgeStore, build_stores, triple_records

SLICE = 12
ANGELS = "75815"  # Angels in the Outfield (1994), directed by William Dear


@pytest.fixture(scope="module")
def store_paths(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Paths:
    paths = Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("kstore"))
    added = build_stores(paths, limit_movies=SLICE)
    assert added["triples"] > 100 and added["reviews"] > 10
    return paths


def test_rebuild_adds_nothing_twice(store_paths):
    assert build_stores(store_paths, limit_movies=SLICE) == {"triples": 0, "reviews": 0}


def test_search_filters_by_movie_and_unknown_movies_are_empty(store_paths):
    store = KnowledgeStore.connect(store_paths)
    hits = store.search("who directed the film", "triples", k=3, movie_ids=[ANGELS])
    assert hits and all(h["metadata"]["movie_id"] == ANGELS for h in hits)
    assert any("director is William Dear" in h["text"] for h in store.search("director", "triples", 5, [ANGELS]))
    assert store.search("anything", "triples", k=3, movie_ids=["0"]) == []
    assert store.search("anything", "reviews", k=0) == []


def test_a_movie_filtered_search_ranks_as_chromas_own_filtered_query(store_paths):
    store = KnowledgeStore.connect(store_paths)
    for kind in ("triples", "reviews"):
        collection = store.collection(kind)
        movies = sorted({m["movie_id"] for m in collection.get(include=["metadatas"])["metadatas"]})
        assert len(movies) >= 5
        for movie in movies:
            for query in ("who directed the film", "a funny family movie"):
                ours = store.search(query, kind, k=3, movie_ids=[movie])
                theirs = collection.query(query_texts=[query], n_results=3, where={"movie_id": movie})
                assert [h["id"] for h in ours] == theirs["ids"][0]
                assert [h["distance"] for h in ours] == pytest.approx(theirs["distances"][0], abs=1e-4)
    both = sorted({m["movie_id"] for m in store.collection("triples").get(include=["metadatas"])["metadatas"]})[:2]
    two = store.search("director", "triples", k=50, movie_ids=both)
    assert {h["metadata"]["movie_id"] for h in two} == set(both)


def test_collections_reopen_in_a_new_process(store_paths):
    code = (
        "import json; from ecr_agent.integrations import KnowledgeRetriever; "
        "r = KnowledgeRetriever.from_env(k=2); "
        f"print(json.dumps([d.metadata['movie_id'] for d in r.invoke('director', movie_ids=['{ANGELS}'])]))"
    )
    env = {**os.environ, "ECR_STORE_DIR": str(store_paths.store_dir), "ECR_DATA_DIR": str(store_paths.data_dir)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    ids = json.loads(out.stdout.strip().splitlines()[-1])
    assert ids and set(ids) == {ANGELS}


def test_half_built_store_is_detected_and_resumed(tmp_path, data_dir):
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    kg = KnowledgeGraph.load(paths, MovieCatalog.load(paths))
    records = [r for r in triple_records(kg) if r.metadata["movie_id"] == ANGELS]
    store = KnowledgeStore.connect(paths)
    with pytest.raises(StoreNotBuiltError, match="ecr build"):
        store.check("triples")
    store.collection("triples", create=True).add(ids=[records[0].id], documents=[records[0].text])
    with pytest.raises(StoreNotBuiltError, match="half-built.*ecr build"):
        store.check("triples")
    assert store.build("triples", records) == len(records) - 1  # the interrupted build finishes
    assert store.check("triples") == len(records)


def test_rdf_graph_sparql_roundtrip(tmp_path, data_dir):
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    kg = KnowledgeGraph.load(paths, MovieCatalog.load(paths))
    RDFGraph.build(kg, paths)
    graph = RDFGraph.open(paths)
    facts = graph.movie_facts(ANGELS)
    assert ("http://dbpedia.org/ontology/director", "William Dear", "http://dbpedia.org/resource/William_Dear") in facts
    assert ANGELS in graph.movies_sharing("http://dbpedia.org/resource/William_Dear")
    assert graph.movie_facts("0") == []
    paths.graph_file.write_text("<broken")
    with pytest.raises(StoreNotBuiltError, match="corrupt.*ecr build"):
        RDFGraph.open(paths)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.server
def test_server_mode_with_a_real_chroma_run(tmp_path, data_dir):
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        address = ChromaServer(host="127.0.0.1", port=port)
        paths = Paths(data_dir=data_dir, store_dir=tmp_path / "local")
        served = replace(paths, chroma=address)  # the server, as `Paths.from_env` reads it from ECR_CHROMA_HOST
        deadline = time.monotonic() + 60
        while True:
            try:
                KnowledgeStore.connect(served).client.heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        kg = KnowledgeGraph.load(paths, MovieCatalog.load(paths))
        records = [r for r in triple_records(kg) if r.metadata["movie_id"] == ANGELS]
        store = KnowledgeStore.connect(served)
        assert store.build("triples", records) == len(records)
        assert store.check("triples") == len(records)
        hits = KnowledgeStore.connect(paths, server=address).search("director", "triples", k=2, movie_ids=[ANGELS])
        assert hits and hits[0]["metadata"]["movie_id"] == ANGELS
        assert not (tmp_path / "local" / "chroma").exists()  # nothing went to the embedded store
    finally:
        server.terminate()
        server.wait(timeout=30)

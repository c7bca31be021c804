"""The knowledge side as LangChain parts: MiniLM as `Embeddings`, our collections through `langchain_chroma`, and a
user's own vector store as the chain's knowledge source, end to end on the tiny store and real data."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from langchain_core.vectorstores import InMemoryVectorStore

from ecr_agent import ECRChain
from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.integrations import MiniLMEmbeddings, VectorStoreKnowledge, knowledge_vector_store
from ecr_agent.knowledge.stores import KnowledgeRecord, KnowledgeStore, review_records, triple_records
from ecr_agent.pipeline import ECRPipeline
from ecr_agent.text_encoder import shared_encoder

pytestmark = pytest.mark.slow

USERS_MOVIE = "Children of Men (2006)"
"""Outside the tiny store's slice: whatever the chain says about it must come from the user's store."""
OTHER_MOVIE = "Pacific Rim (2013)"
QUERY = "Haven't seen it. Who is in it?"


def asked_about(title: str) -> list[dict[str, str]]:
    """A conversation whose subject is ``title``: the user asks about the movie just suggested."""
    return [
        {"role": "user", "content": "I like movies that make me think"},
        {"role": "assistant", "content": f"How about {title}?"},
        {"role": "user", "content": QUERY},
    ]


@pytest.fixture(scope="module")
def records(tiny_store) -> dict[str, dict[str, list[KnowledgeRecord]]]:
    """Real KG facts and review snippets of two movies, by title and kind."""
    from ecr_agent.data.movies import MovieCatalog
    from ecr_agent.knowledge.graph import KnowledgeGraph

    paths = Paths.from_env()
    catalog = MovieCatalog.load(paths)
    ids = {m.movie_id: m.title for m in catalog.movies.values() if m.title in (USERS_MOVIE, OTHER_MOVIE)}
    found = {"triples": triple_records(KnowledgeGraph.load(paths, catalog)), "reviews": review_records(paths, catalog)}
    chosen = {title: {"triples": [], "reviews": []} for title in ids.values()}
    for kind, all_records in found.items():
        for record in all_records:
            if record.metadata["movie_id"] in ids:
                chosen[ids[record.metadata["movie_id"]]][kind].append(record)
    return chosen


@pytest.fixture(scope="module")
def users_stores(records) -> dict[str, InMemoryVectorStore]:
    """The user's own stores: both movies' facts, and snippets of reviews, embedded with `MiniLMEmbeddings`."""
    stores = {}
    for kind in ("triples", "reviews"):
        store = InMemoryVectorStore(MiniLMEmbeddings())
        chosen = [r for title in (USERS_MOVIE, OTHER_MOVIE) for r in records[title][kind][:12]]
        store.add_texts([r.text for r in chosen], metadatas=[r.metadata for r in chosen], ids=[r.id for r in chosen])
        stores[kind] = store
    return stores


@pytest.fixture(scope="module")
def chain(users_stores, tiny_store) -> ECRChain:
    """A chain whose knowledge is the user's stores (the Chroma stores are not opened)."""
    knowledge = VectorStoreKnowledge(triples=users_stores["triples"], reviews=users_stores["reviews"])
    return ECRChain.from_store(str(tiny_store), strict=True, knowledge=knowledge)


@pytest.fixture(scope="module")
def store(tiny_store) -> KnowledgeStore:
    return KnowledgeStore.connect(Paths.from_env())


def test_embeddings_are_the_store_encoder():
    texts = ["Titanic (1997)'s director is James Cameron", "a movie that made me cry", ""]
    embeddings = MiniLMEmbeddings()
    vectors = np.array(embeddings.embed_documents(texts))
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(vectors, shared_encoder().encode(texts).numpy(), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embeddings.embed_query(texts[1]), vectors[1], atol=1e-6)
    assert np.allclose(asyncio.run(embeddings.aembed_query(texts[1])), vectors[1], atol=1e-6)
    assert embeddings.embed_documents([]) == []
    assert vectors[0] @ vectors[1] < vectors[1] @ np.array(embeddings.embed_query("a film that made me weep"))


def test_the_chroma_view_finds_what_the_store_finds(store):
    top = store.search("a wonderful film", "reviews", k=1)[0]["metadata"]["movie_id"]
    for kind in ("triples", "reviews"):
        view = knowledge_vector_store(store, kind)
        assert isinstance(view.embeddings, MiniLMEmbeddings)
        ours = store.search("who is in it", kind, k=3, movie_ids=[top])
        theirs = view.similarity_search_with_score("who is in it", k=3, filter={"movie_id": top})
        assert ours and [d.id for d, _ in theirs] == [h["id"] for h in ours]
        assert [d.metadata for d, _ in theirs] == [h["metadata"] for h in ours]
        np.testing.assert_allclose([s for _, s in theirs], [h["distance"] for h in ours], atol=1e-5)
        relevance = view.similarity_search_with_relevance_scores("who is in it", k=3)
        assert all(0.0 <= score <= 1.0 for _, score in relevance)


def test_the_chroma_view_refuses_an_unbuilt_store(tmp_path):
    empty = KnowledgeStore.connect(Paths(data_dir=Paths.from_env().data_dir, store_dir=tmp_path))
    with pytest.raises(StoreNotBuiltError, match="ecr build"):
        knowledge_vector_store(empty, "triples")
    assert empty.client.list_collections() == []  # looking did not create it


def test_vector_store_knowledge_over_chroma_is_the_store(store):
    knowledge = VectorStoreKnowledge.from_knowledge_store(store)
    movies = sorted({h["metadata"]["movie_id"] for h in store.search("a wonderful film", "reviews", k=10)})
    for kind in ("triples", "reviews"):
        for movie_ids in (movies[:1], movies[:3], None):
            ours = store.search("I loved the actors", kind, k=4, movie_ids=movie_ids)
            theirs = knowledge.search("I loved the actors", kind, k=4, movie_ids=movie_ids)
            assert [(h["id"], h["text"], h["metadata"]) for h in theirs] == [
                (h["id"], h["text"], h["metadata"]) for h in ours
            ]


def test_a_users_store_is_filtered_by_movie(users_stores, records):
    knowledge = VectorStoreKnowledge(triples=users_stores["triples"])
    users_id = records[USERS_MOVIE]["triples"][0].metadata["movie_id"]
    other_id = records[OTHER_MOVIE]["triples"][0].metadata["movie_id"]
    hits = knowledge.search("who directed it", "triples", k=6, movie_ids=[users_id])
    assert len(hits) == 6 and {h["metadata"]["movie_id"] for h in hits} == {users_id}
    assert all(h["metadata"]["source"] == "dbpedia" and h["metadata"]["relation"] for h in hits)
    both = knowledge.search("who directed it", "triples", k=24, movie_ids=[users_id, other_id])
    assert {h["metadata"]["movie_id"] for h in both} == {users_id, other_id}
    assert knowledge.search("who directed it", "reviews", k=4) == []  # no review store given
    assert knowledge.search("who directed it", "triples", k=0) == []


def test_a_document_without_source_takes_its_kinds():
    store = InMemoryVectorStore(MiniLMEmbeddings())
    store.add_texts(["A haunting, beautiful film about hope."], metadatas=[{"movie_id": "1"}])
    hit = VectorStoreKnowledge(reviews=store).search("hope", "reviews", movie_ids=["1"])[0]
    assert hit["metadata"] == {"movie_id": "1", "source": "imdb_review"}


def test_a_chain_turn_uses_facts_from_the_users_store(chain, store, users_stores, records):
    users_id = records[USERS_MOVIE]["triples"][0].metadata["movie_id"]
    assert store.search(QUERY, "triples", movie_ids=[users_id]) == []  # our store knows nothing about it
    users_texts = {r.text for kind in ("triples", "reviews") for r in records[USERS_MOVIE][kind][:12]}

    result = chain.invoke({"messages": asked_about(USERS_MOVIE)})
    assert result.knowledge and {k["text"] for k in result.knowledge} <= users_texts
    assert {k["kind"] for k in result.knowledge} == {"triples", "reviews"}
    assert {k["metadata"]["movie_id"] for k in result.knowledge} == {users_id}
    assert result.reply.startswith(USERS_MOVIE.split(" (")[0])

    prompt = chain.prepare({"messages": asked_about(USERS_MOVIE)}).prompt
    assert prompt.triples and prompt.snippets
    assert all(any(t.rstrip(".") in text for text in users_texts) for t in prompt.triples)
    assert all(any(s.rstrip(".…") in text for text in users_texts) for s in prompt.snippets)

    from ecr_agent.tools import get_tools

    (tool,) = get_tools(chain=chain, include=("search_movie_knowledge",))
    answer = tool.invoke({"query": "who is in it", "movie": USERS_MOVIE})
    assert "results" in answer and {r["text"] for r in answer["results"]} <= users_texts


def test_a_chain_over_the_chroma_view_answers_as_over_the_store(chain, store):
    top = store.search("a wonderful film", "reviews", k=1)[0]["metadata"]["movie_id"]
    title = chain.pipeline.linker.catalog[top].title
    parts = chain.pipeline
    over_store = ECRChain(
        ECRPipeline(parts.linker, parts.detector, parts.ranker, store, feedback=parts.feedback), chain.chat_model
    )
    over_view = ECRChain(
        ECRPipeline(
            parts.linker,
            parts.detector,
            parts.ranker,
            VectorStoreKnowledge.from_knowledge_store(store),
            feedback=parts.feedback,
        ),
        chain.chat_model,
    )
    expected = over_store.prepare({"messages": asked_about(title)})
    seen = over_view.prepare({"messages": asked_about(title)})
    assert expected.subject_id == top and expected.knowledge
    assert [k["id"] for k in seen.knowledge] == [k["id"] for k in expected.knowledge]
    assert seen.prompt.render() == expected.prompt.render()

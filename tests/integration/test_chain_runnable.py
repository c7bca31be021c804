"""`ECRChain` keeps LangChain's Runnable contract: typed streams that add up, one traced run with a child run per
step, and the standard wrappers (`with_retry`, `with_fallbacks`, `with_config`, ``|``)."""

from __future__ import annotations

import asyncio
from functools import reduce
from operator import add
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableLambda

from ecr_agent.chain import ECRChain, ECRResponse

LOVED = {"messages": [{"role": "user", "content": "I really loved The Notebook and Titanic. Any ideas?"}]}
STEPS = ["emotions", "feedback", "ranking", "retrieval", "generation"]


@pytest.fixture(scope="module")
def chain(tiny_store) -> ECRChain:
    return ECRChain.from_store(str(tiny_store), strict=True)


class RunRecorder(BaseCallbackHandler):
    """Every chain and chat-model run started, with its name and parent."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, UUID, UUID | None]] = []
        self.ended: set[UUID] = set()

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id=None, **kwargs: Any):
        self.runs.append((kwargs.get("name") or (serialized or {}).get("name", "?"), run_id, parent_run_id))

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, parent_run_id=None, **kwargs):
        self.runs.append(("chat_model", run_id, parent_run_id))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any):
        self.ended.add(run_id)

    def by_name(self) -> dict[str, tuple[UUID, UUID | None]]:
        return {name: (run_id, parent) for name, run_id, parent in self.runs}


def test_stream_chunks_add_up_to_what_invoke_returns(chain):
    chunks = list(chain.stream(LOVED))
    assert all(isinstance(c, ECRResponse) for c in chunks)
    assert chunks[0].recommendations and not any(c.recommendations for c in chunks[1:])  # the first carries the rest
    whole = reduce(add, chunks)
    result = chain.invoke(LOVED)
    assert whole.reply.strip() == result.reply
    assert whole.recommendations == result.recommendations and whole.emotions == result.emotions
    assert [c.reply for c in chunks] == list(chain.stream_text(LOVED))


def test_astream_and_astream_text_match_the_sync_stream(chain):
    async def collect():
        chunks = [c async for c in chain.astream(LOVED)]
        text = [t async for t in chain.astream_text(LOVED)]
        return chunks, text

    chunks, text = asyncio.run(collect())
    assert [c.reply for c in chunks] == text == list(chain.stream_text(LOVED))


@pytest.mark.parametrize("call", ["invoke", "stream"])
def test_a_callback_sees_one_chain_run_with_a_child_run_per_step(chain, call):
    recorder = RunRecorder()
    config = {"callbacks": [recorder]}
    if call == "invoke":
        chain.invoke(LOVED, config)
    else:
        list(chain.stream(LOVED, config))
    runs = recorder.by_name()
    root, parent = runs["ECRChain"]
    assert parent is None
    assert [name for name, _, p in recorder.runs if p == root] == STEPS
    generation = runs["generation"][0]
    assert runs["chat_model"][1] == generation  # the model's own run sits inside the generation step
    assert {run_id for name, run_id, _ in recorder.runs if name != "chat_model"} <= recorder.ended


def test_astream_events_name_every_step(chain):
    async def events():
        return [e async for e in chain.astream_events(LOVED, version="v2")]

    seen = asyncio.run(events())
    starts = [e["name"] for e in seen if e["event"] == "on_chain_start"]
    assert starts[0] == "ECRChain" and set(STEPS) <= set(starts)
    streamed = [e["data"]["chunk"] for e in seen if e["event"] == "on_chain_stream" and e["name"] == "ECRChain"]
    assert streamed and all(isinstance(c, ECRResponse) for c in streamed)
    end = next(e for e in seen if e["event"] == "on_chain_end" and e["name"] == "ECRChain")
    assert end["data"]["output"].reply.strip() == reduce(add, streamed).reply.strip()


def test_with_config_names_the_run_and_composition_works(chain):
    recorder = RunRecorder()
    named = chain.with_config(run_name="movie-turn", callbacks=[recorder])
    titles = named | RunnableLambda(lambda result: [r.title for r in result.recommendations])
    picked = titles.invoke(LOVED)
    assert picked and all(isinstance(t, str) for t in picked)
    assert "movie-turn" in recorder.by_name()


def test_with_fallbacks_answers_what_the_chain_refuses(chain):
    sorry = RunnableLambda(lambda _: ECRResponse(reply="Sorry, I could not read that conversation."))
    guarded = chain.with_fallbacks([sorry], exceptions_to_handle=(ValueError,))
    assert guarded.invoke({"messages": []}).reply.startswith("Sorry")
    assert guarded.invoke(LOVED).recommendations


def test_with_retry_retries_a_failing_step(chain):
    attempts = []

    def flaky(input: dict) -> dict:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("transient")
        return input

    retried = (RunnableLambda(flaky) | chain).with_retry(
        stop_after_attempt=2, retry_if_exception_type=(ConnectionError,)
    )
    assert retried.invoke(LOVED).reply and len(attempts) == 2

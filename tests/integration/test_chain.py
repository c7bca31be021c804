from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from ecr_agent import ECRChain
from ecr_agent.chain import to_turns
from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.pipeline import ECRPipeline

LOVED = [{"role": "user", "content": "I really loved The Notebook and Titanic, they made me cry. Any ideas?"}]


@pytest.fixture(scope="module")
def chain(tiny_store) -> ECRChain:
    return ECRChain.from_store(str(tiny_store), strict=True)


def test_invoke_returns_reply_movies_emotions_and_knowledge(chain):
    result = chain.invoke({"messages": LOVED})
    assert result.reply.strip()
    assert len(result.recommendations) == 5
    top = result.recommendations[0]
    assert top.title in result.reply  # the opening sentence names the pick
    assert len(result.emotions) == 1 and result.emotions[0]
    assert all(0.0 <= p <= 1.0 for p in result.emotions[0].values())
    assert all(k["metadata"]["movie_id"] == top.movie_id for k in result.knowledge)
    assert not {r.movie_id for r in result.recommendations} & {"185139", "175096"}  # already named by the user
    payload = result.to_dict()
    assert set(payload) >= {"reply", "recommendations", "emotions", "knowledge"}
    assert set(payload["recommendations"][0]) >= {"movie_id", "title", "score", "evidence"}


def test_langchain_messages_and_dicts_are_equivalent(chain):
    as_messages = [SystemMessage("be nice"), HumanMessage(LOVED[0]["content"])]
    assert to_turns(as_messages) == to_turns(LOVED)
    assert chain.invoke({"messages": as_messages}).recommendations == chain.invoke({"messages": LOVED}).recommendations


def test_small_talk_gets_a_question_not_a_forced_recommendation(chain):
    result = chain.invoke({"messages": [{"role": "user", "content": "hi"}]})
    assert result.recommendations == []
    assert result.reply.endswith("?")


def test_a_rejected_pick_is_acknowledged_and_replaced(chain):
    first = chain.invoke({"messages": LOVED})
    title = first.recommendations[0].title
    messages = [
        *LOVED,
        {"role": "assistant", "content": first.reply},
        {"role": "user", "content": f"I watched {title} last year and I hated it, it was so boring."},
    ]
    second = chain.invoke({"messages": messages})
    assert second.recommendations[0].movie_id != first.recommendations[0].movie_id
    assert first.recommendations[0].movie_id not in {r.movie_id for r in second.recommendations}
    assert title in second.reply and "sorry" in second.reply.lower()
    # the generated part is kept off the rejected movie and off the earlier reply's wording
    constraints = chain._decoding(chain.prepare({"messages": messages}))
    name = title.rsplit(" (", 1)[0]
    assert name in constraints["avoid_phrases"] and constraints["avoid_echo_of"] == (first.reply,)
    assert name not in second.reply[len(second.reply.split("?")[0]) :]  # only the apology names it


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        ([], "empty"),
        ([{"role": "wizard", "content": "hi"}], "unknown role"),
        ([{"role": "assistant", "content": "hello"}], "no user message"),
        ([{"role": "user", "content": ["not", "text"]}], "must be text"),
        (["just a string"], "neither"),
    ],
)
def test_bad_messages_get_clear_errors(chain, messages, match):
    with pytest.raises(ValueError, match=match):
        chain.invoke({"messages": messages})


def test_empty_and_huge_messages_still_answer(chain):
    assert chain.invoke({"messages": [{"role": "user", "content": ""}]}).reply
    huge = "I love space adventures like Interstellar. " * 2500  # ~100,000 characters
    result = chain.invoke({"messages": [{"role": "user", "content": huge}]})
    assert result.reply and result.recommendations


def test_stream_batch_and_ainvoke(chain):
    pieces = list(chain.stream({"messages": LOVED}))
    assert len(pieces) > 2 and pieces[0].startswith(("Since", "You should", "If you", "I'm sorry", "Sorry"))
    assert "".join(pieces).strip()
    batch = chain.batch([{"messages": LOVED}, {"messages": [{"role": "user", "content": "hello"}]}])
    assert batch[0].recommendations and not batch[1].recommendations
    result = asyncio.run(chain.ainvoke({"messages": LOVED}))
    assert result.recommendations[0].movie_id == batch[0].recommendations[0].movie_id


def test_history_of_thousands_of_turns(chain):
    long = []
    for i in range(1500):
        long += [{"role": "user", "content": f"message {i}"}, {"role": "assistant", "content": "ok"}]
    result = chain.invoke({"messages": [*long, *LOVED]})
    assert result.recommendations


def test_chain_without_ranker_falls_back_to_popular_picks(chain):
    pipeline = chain.pipeline
    weaker = ECRChain(ECRPipeline(pipeline.linker, pipeline.detector, None, pipeline.knowledge), chain.chat_model)
    result = weaker.invoke({"messages": LOVED})
    assert result.recommendations and all(r.popular_fallback for r in result.recommendations)
    assert any("ecr train ranker" in note for note in result.notes)


def test_strict_loading_names_the_missing_command(tmp_path):
    paths = Paths.from_env()
    with pytest.raises(StoreNotBuiltError, match="ecr (train|build)"):
        ECRChain.from_store(str(tmp_path), strict=True)
    assert paths.store_dir != tmp_path


def test_any_chat_model_can_stand_in(chain):
    from langchain_core.language_models import GenericFakeChatModel

    hosted = GenericFakeChatModel(messages=iter([AIMessage("It is a wonderful, moving film.")]))
    result = ECRChain(chain.pipeline, hosted).invoke({"messages": LOVED})
    assert result.reply.endswith("It is a wonderful, moving film.")


def test_bench_times_forced_budget_turns_and_shipped_replies(tiny_store):
    from ecr_agent.bench import run_bench

    figures = run_bench(turns=2, new_tokens=8)
    assert set(figures) >= {
        "turn_latency_p50_s",
        "turn_latency_p95_s",
        "first_token_s",
        "tokens_per_s",
        "peak_rss_mb",
        "cold_start_s",
        "rank_contexts_per_s",
    }
    assert 0 < figures["first_token_s"] < figures["turn_latency_p50_s"] <= figures["turn_latency_p95_s"]
    assert figures["tokens_per_s"] > 0 and figures["cold_start_s"] > 0 and figures["peak_rss_mb"] > 100
    assert figures["reply_tokens_median"] <= 8 + 2  # the budget holds (re-tokenising may differ by a token or two)

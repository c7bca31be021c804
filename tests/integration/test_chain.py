from __future__ import annotations

import asyncio

import pytest
import torch
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
    assert title in second.reply  # the opening acknowledges the turn-down by name
    assert {"movie_id": first.recommendations[0].movie_id, "title": title} in second.to_dict()["turned_down"]
    # the generated part is kept off the rejected movie and off the earlier reply's wording
    prepared = chain.prepare({"messages": messages})
    constraints = chain._decoding(prepared)
    name = title.rsplit(" (", 1)[0]
    assert name in constraints["avoid_phrases"] and constraints["avoid_echo_of"] == (
        first.reply,
        messages[-1]["content"],
    )
    assert second.reply.startswith(prepared.opening) and name not in second.reply[len(prepared.opening) :]


def test_only_chat_models_that_declare_it_get_decoding_constraints(chain):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    prepared = chain.prepare({"messages": LOVED})
    plain = ECRChain(chain.pipeline, GenericFakeChatModel(messages=iter(["Sure."])))
    assert chain._decoding(prepared)["avoid_sequences"] and plain._decoding(prepared) == {}


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
    pieces = list(chain.stream_text({"messages": LOVED}))
    assert pieces[0] == chain.prepare({"messages": LOVED}).opening  # then the kept sentences, each whole
    assert "".join(pieces).strip() == chain.invoke({"messages": LOVED}).reply  # what streams is what invoke returns
    assert "".join(pieces).strip()
    batch = chain.batch([{"messages": LOVED}, {"messages": [{"role": "user", "content": "hello"}]}])
    assert batch[0].recommendations and not batch[1].recommendations
    result = asyncio.run(chain.ainvoke({"messages": LOVED}))
    assert result.recommendations[0].movie_id == batch[0].recommendations[0].movie_id


def test_the_subject_names_the_pick_or_the_movie_asked_about(chain):
    result = chain.invoke({"messages": LOVED})
    top = result.recommendations[0]
    assert result.subject == {"movie_id": top.movie_id, "title": top.title} == result.to_dict()["subject"]
    first = next(iter(chain.stream({"messages": LOVED})))  # the first chunk carries it, before any generation
    assert first.subject == result.subject
    asked = [
        {"role": "user", "content": "I like romance"},
        {"role": "assistant", "content": "How about Sleepless in Seattle (1993)?"},
        {"role": "user", "content": "No. Haven't even heard of it. Who is in it?"},
    ]
    answer = chain.invoke({"messages": asked})
    assert answer.subject is not None and answer.subject["title"] == "Sleepless in Seattle (1993)"
    assert answer.reply.startswith("Sleepless in Seattle")  # the opening talks about the subject
    assert chain.invoke({"messages": [{"role": "user", "content": "hi"}]}).subject is None  # nothing picked
    acknowledged = [
        {"role": "user", "content": "I like romance. I loved Titanic (1997)"},
        {"role": "assistant", "content": "Titanic (1997) is a great one! How about Sleepless in Seattle (1993)?"},
        {"role": "user", "content": "Who is in it?"},
    ]
    answer = chain.invoke({"messages": acknowledged})  # "it" is the new pick, not the movie the turn acknowledged
    assert answer.subject is not None and answer.subject["title"] == "Sleepless in Seattle (1993)"


def test_why_and_sequel_questions_are_answered_about_the_movie_on_the_table(chain):
    asked = [
        {"role": "user", "content": "I loved Toy Story (1995). Something animated?"},
        {"role": "assistant", "content": "How about Toy Story 2 (1999)?"},
        {"role": "user", "content": "why that one?"},
    ]
    why = chain.invoke({"messages": asked})
    assert why.subject is not None and why.subject["title"] == "Toy Story 2 (1999)"
    assert why.reply.startswith("I suggested Toy Story 2 (1999) because you asked for")
    asked[-1] = {"role": "user", "content": "what about Shrek (2001), did it get a sequel?"}
    sequel = chain.invoke({"messages": asked})
    assert sequel.subject is not None and sequel.subject["title"] == "Shrek (2001)"
    assert sequel.reply.startswith("Shrek (2001) is followed by Shrek 2 (2004)")


def test_reply_eval_reads_a_turn_through_the_stream(chain):
    from ecr_agent.reply_eval import chain_answer

    result = chain.invoke({"messages": LOVED})
    row = chain_answer(chain)(LOVED)
    assert row.reply == result.reply and result.reply.startswith(row.opening) and row.opening
    assert row.subject == result.subject["movie_id"] == row.recommendations[0]
    assert row.recommendations == [r.movie_id for r in result.recommendations]
    opening_only = chain_answer(chain, generate=False)(LOVED)
    assert opening_only.reply == opening_only.opening == row.opening and opening_only.subject == row.subject


def test_history_of_thousands_of_turns(chain):
    long = []
    for i in range(1500):
        long += [{"role": "user", "content": f"message {i}"}, {"role": "assistant", "content": "ok"}]
    result = chain.invoke({"messages": [*long, *LOVED]})
    assert result.recommendations


def test_chain_without_ranker_falls_back_to_popular_picks(chain):
    pipeline = chain.pipeline
    weaker = ECRChain(ECRPipeline(pipeline.linker, pipeline.detector, None, pipeline.knowledge), chain.chat_model)
    plain = weaker.invoke({"messages": [{"role": "user", "content": "Can you recommend a movie for tonight?"}]})
    assert plain.recommendations and all(r.popular_fallback for r in plain.recommendations)
    assert any("ecr train ranker" in note for note in plain.notes)
    # movies the user loves still steer the picks: the catalogue's movies like them (an implied request)
    result = weaker.invoke({"messages": LOVED})
    assert result.recommendations and any("ecr train ranker" in note for note in result.notes)
    assert all(r.popular_fallback or "added for the request" in " ".join(r.evidence) for r in result.recommendations)


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
    assert sorted(figures["cold_start_runs_s"])[1] == figures["cold_start_s"]  # the median of three fresh processes
    assert figures["chat_reply_latency_p50_s"] > 0
    assert figures["reply_tokens_median"] <= 8 + 2  # the budget holds (re-tokenising may differ by a token or two)


def _catalog_ids(chain, title_start: str) -> str:
    return next(m.movie_id for m in chain.pipeline.linker.catalog.movies.values() if m.title.startswith(title_start))


def test_an_explicit_request_is_honoured_and_named(chain):
    result = chain.invoke({"messages": [{"role": "user", "content": "I'm in the mood for something by Stephen King"}]})
    info = [chain.pipeline.linker.catalog[r.movie_id].info for r in result.recommendations]
    people = [{*i.get("writer", []), *i.get("director", []), *i.get("star", [])} for i in info]
    assert all("Stephen King" in p for p in people)  # every pick has him, whatever the barely trained ranker says
    assert "Stephen King" in result.reply.split(".")[0] + result.reply.split(".")[1]


def test_a_request_the_catalogue_cannot_meet_is_said_once(chain):
    messages = [{"role": "user", "content": "Anything with Elizabeth Taylor, something like Cleopatra?"}]
    first = chain.invoke({"messages": messages})
    assert first.reply.startswith("I couldn't find something with Elizabeth Taylor")
    messages += [{"role": "assistant", "content": first.reply}, {"role": "user", "content": "Okay, what else?"}]
    again = chain.invoke({"messages": messages})
    assert "couldn't find" not in again.reply  # the request still stands, but the user has heard it
    messages += [{"role": "assistant", "content": again.reply}, {"role": "user", "content": "Another one?"}]
    assert "couldn't find" not in chain.invoke({"messages": messages}).reply


def test_a_loved_suggestion_is_not_apologised_for(chain):
    tron = _catalog_ids(chain, "Tron: Legacy")
    messages = [
        {"role": "user", "content": "I like action movies"},
        {"role": "assistant", "content": "You might like Tron: Legacy (2010)."},
        {"role": "user", "content": "I loved Jeff Bridges in Tron: Legacy, great pick!"},
    ]
    result = chain.invoke({"messages": messages})
    assert result.turned_down == [] and "sorry" not in result.reply.lower()
    assert {"movie_id": tron, "title": chain.pipeline.linker.catalog[tron].title} in result.accepted


def test_a_bare_no_to_have_you_seen_it_is_acknowledged_and_a_no_before_seen_turns_it_down(chain):
    # scripted chats of 2026-12-02: "no" got a new pick with no word; "No, they have seen that a hundred times" had
    # the movie taken up
    asked = [
        {"role": "user", "content": "I like romance"},
        {"role": "assistant", "content": "Have you seen Sleepless in Seattle (1993)? It's a romance."},
    ]
    opening = chain.prepare({"messages": [*asked, {"role": "user", "content": "no"}]}).opening
    assert opening.startswith(("Ah, Sleepless in Seattle (1993) would be", "No worries, Sleepless in Seattle (1993)"))
    tired = {"role": "user", "content": "No, they have seen that a hundred times"}
    result = chain.invoke({"messages": [*asked, tired]})
    assert [m["title"] for m in result.turned_down] == ["Sleepless in Seattle (1993)"] and not result.accepted


def test_a_question_about_the_suggestion_is_answered_from_the_metadata(chain):
    messages = [
        {"role": "user", "content": "I like romance"},
        {"role": "assistant", "content": "How about Sleepless in Seattle (1993)?"},
        {"role": "user", "content": "No. Haven't even heard of it. Who is in it?"},
    ]
    result = chain.invoke({"messages": messages})
    assert result.reply.startswith("Sleepless in Seattle (1993) stars Tom Hanks, Meg Ryan")
    assert "Sleepless in Seattle (1993)" not in [m["title"] for m in result.turned_down]


def test_a_question_whether_someone_made_it_is_answered_and_the_next_turn_down_still_reads(chain):
    # a played chat: "Did James Wan direct it?" was read as a request, and after the answer, which named It without
    # its year, "not a fan of that one" turned nothing down
    messages = [
        {"role": "user", "content": "I'm into horror"},
        {"role": "assistant", "content": "How about It (2017)? It's a horror movie."},
        {"role": "user", "content": "Did James Wan direct it?"},
    ]
    answered = chain.invoke({"messages": messages})
    assert answered.reply.startswith("No, I don't see James Wan in the credits of It (2017)")
    messages += [
        {"role": "assistant", "content": answered.reply},
        {"role": "user", "content": "not a fan of that one"},
    ]
    result = chain.invoke({"messages": messages})
    assert "It (2017)" in [m["title"] for m in result.turned_down]


def test_a_goodbye_gets_a_farewell_not_a_new_pick(chain):
    messages = [
        *LOVED,
        {"role": "assistant", "content": "How about Avatar (2009)?"},
        {"role": "user", "content": "Thanks, bye!"},
    ]
    result = chain.invoke({"messages": messages})
    assert result.recommendations == [] and "?" not in result.reply and result.reply


def test_choosing_one_of_two_suggestions_with_thanks_closes_with_both_read(chain):
    messages = [
        {"role": "user", "content": "We want a comedy for a road trip night"},
        {"role": "assistant", "content": "Have you seen EuroTrip (2004) or Super Troopers (2001)?"},
        {"role": "user", "content": "EuroTrip was strange for us. But i think we will watch Super Troopers. THanks!"},
    ]
    result = chain.invoke({"messages": messages})
    assert [m["title"] for m in result.accepted] == ["Super Troopers (2001)"]
    assert [m["title"] for m in result.turned_down] == ["EuroTrip (2004)"]
    assert result.recommendations == [] and "I hope you enjoy Super Troopers (2001)." in result.reply


def test_have_you_seen_it_asked_of_us_is_about_the_movie_named_last_and_marks_nothing_seen(chain):
    messages = [
        {"role": "user", "content": "Do you know of any good romance movies?"},
        {"role": "assistant", "content": "Ghost (1990) That is the best one I have ever watched."},
        {
            "role": "user",
            "content": "I like Titanic (1997) too. I love When Harry Met Sally... (1989) Have you seen it?",
        },
    ]
    turn = chain.prepare({"messages": messages})
    assert "When Harry Met Sally... (1989)" in turn.opening and "Titanic" not in turn.opening
    asked = [{"role": "user", "content": "I like action movies"}, {"role": "assistant", "content": "Die Hard (1988)?"}]
    result = chain.invoke({"messages": [*asked, {"role": "user", "content": "Have you seen it?"}]})
    assert result.seen == []


def test_the_generated_part_never_claims_a_life(chain):
    from ecr_agent.evaluation.life import invented_life

    for text in ("I loved Titanic, it made me cry", "Any good comedies?", "I want something scary tonight"):
        reply = chain.invoke({"messages": [{"role": "user", "content": text}]}).reply
        assert not invented_life(reply), reply


CONVERSATIONS = [
    [{"role": "user", "content": text}]
    for text in (
        "I loved The Notebook and Titanic, any ideas for tonight?",
        "I'm in the mood for a scary movie like The Conjuring.",
        "Something funny please, I adored Superbad.",
        "I like action movies with Tom Cruise.",
        "My kids loved Frozen and Moana. What next?",
        "I want a sad drama that will make me cry.",
    )
]


def test_concurrent_batch_and_abatch_return_what_sequential_invokes_return(chain):
    inputs = [{"messages": messages} for messages in CONVERSATIONS]
    sequential = [chain.invoke(x) for x in inputs]
    concurrent = chain.batch(inputs, config={"max_concurrency": 4})
    gathered = asyncio.run(chain.abatch(inputs, config={"max_concurrency": 4}))
    for one, two, three in zip(sequential, concurrent, gathered, strict=True):
        assert one.reply == two.reply == three.reply
        assert one.recommendations == two.recommendations == three.recommendations


def test_threads_streaming_at_once_never_interleave(chain):
    from concurrent.futures import ThreadPoolExecutor

    inputs = [{"messages": messages} for messages in CONVERSATIONS[:4]]
    expected = ["".join(chain.stream_text(x)).strip() for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        streamed = list(pool.map(lambda x: "".join(chain.stream_text(x)).strip(), inputs))
    assert streamed == expected


def test_the_emotion_classifier_reads_the_sentence_encoders_word_embeddings(chain):
    from ecr_agent.hardware import native_bfloat16
    from ecr_agent.text_encoder import shared_encoder

    table = chain.pipeline.detector.model.encoder.embeddings.word_embeddings.weight
    if not native_bfloat16():
        pytest.skip("float32 here: the classifier and the encoder keep their own tables")
    assert table.dtype == torch.bfloat16
    assert table is shared_encoder().model.embeddings.word_embeddings.weight  # one 23 MB table, not two


def test_a_chat_too_long_for_the_generator_sheds_its_oldest_turns(chain):
    wide = ("电影很好看我喜欢😀" * 60)[:300]  # 2-3 tokens a character: seven such turns are ~4,700 tokens
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": wide} for i in range(6)]
    messages.append({"role": "user", "content": f"{LOVED[-1]['content']} {wide}"})
    turn = chain.prepare({"messages": messages})
    fitted = chain.chat_model.generator.fit(turn.prompt)
    assert len(turn.prompt.dialogue) == 7 and 1 <= len(fitted.dialogue) < 7
    assert fitted.dialogue[-1] == turn.prompt.dialogue[-1]  # the user's last message always stays
    result = chain.invoke({"messages": messages})  # it raised "the prompt has 4712 tokens" before
    assert result.reply.strip() and result.recommendations

"""The ranker end to end on small real slices: the session's tiny store (``smoke`` profiles: a real emotion classifier
and ranker trained for a few steps on slices), reload, rank, predict, evaluate, tool.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.types import ChatTurn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tiny_store: Path):
    """The session's tiny store (smoke emotion classifier and smoke ranker) and the ranker's training report."""
    paths = Paths.from_env()
    report = json.loads((paths.model_dir("ranker") / "runs" / "ecr-seed0-smoke" / "report.json").read_text())
    return paths, report


@pytest.fixture(scope="module")
def ranker(store):
    from ecr_agent.ranker.inference import EmotionAwareRanker

    return EmotionAwareRanker.load(store[0])


def test_training_writes_safetensors_configs_and_a_report(store):
    paths, report = store
    directory = paths.model_dir("ranker")
    assert report["emotion_source"] == "classifier" and report["best_epoch"] == 1
    assert report["steps"] >= 1 and 0.0 <= report["valid"]["recall@50"] <= 1.0 and report["history"]
    for name in ("model.safetensors", "config.json", "cooccurrence.safetensors"):
        assert (directory / name).exists()
    config = json.loads((directory / "config.json").read_text())
    assert config["run"] == "ecr-seed0-smoke" and config["model"]["use_global"]
    assert config["train"]["feedback_weights"] == {"like": 2.0, "dislike": 1.0, "unknown": 0.5}
    assert not list(directory.rglob("*.pt")) and not list(directory.rglob("*.bin"))


def test_a_finished_run_is_reused_not_retrained(store):
    from ecr_agent.ranker.training import train_ranker

    paths, report = store
    started = time.perf_counter()
    again = train_ranker("smoke", paths=paths)
    assert again["runs"]["ecr"]["fingerprint"] == report["fingerprint"]
    assert again["runs"]["ecr"]["history"] == report["history"]
    assert again["default"] == "ecr-seed0-smoke"
    assert time.perf_counter() - started < max(30.0, report["train_seconds"])


def test_rank_returns_titles_scores_and_evidence(ranker):
    turns = [
        ChatTurn("user", "Hi! I loved Toy Story and Finding Nemo, something funny for my kids?"),
        ChatTurn("assistant", "Have you seen Shrek (2001)?"),
        ChatTurn("user", "Yes, we loved it!"),
    ]
    picks = ranker.rank(turns, k=5)
    assert len(picks) == 5 and not any(p.popular_fallback for p in picks)
    assert [p.score for p in picks] == sorted((p.score for p in picks), reverse=True)
    assert all(p.title and p.movie_id in ranker.assets.catalog for p in picks)
    assert all(isinstance(p.evidence, list) for p in picks)
    batch = ranker.rank_batch([turns, turns[:1]], k=5)
    assert [p.movie_id for p in batch[0]] == [p.movie_id for p in picks]


def test_a_pick_of_a_misread_redial_id_is_the_movie_meant(ranker, monkeypatch: pytest.MonkeyPatch):
    turns = [ChatTurn("user", "I loved Toy Story and Finding Nemo, something funny for my kids?")]
    picks = [p.movie_id for p in ranker.rank(turns, k=5)]
    outside = next(m for m in ranker.assets.catalog.ids if m not in picks)
    monkeypatch.setattr(ranker.assets.catalog, "misread", {picks[0]: outside, picks[2]: picks[1]})
    again = ranker.rank(turns, k=5)
    assert [p.movie_id for p in again[:3]] == [outside, picks[1], picks[3]]  # the meant pick once, in the first place
    assert again[0].title == ranker.assets.catalog.titles[outside] and len(again) == 5
    down = ranker.rank(turns, k=5, turned_down=[outside])  # a movie turned down does not come back as a meant one
    assert outside not in [p.movie_id for p in down] and picks[0] not in [p.movie_id for p in down]


class CountingDetector:
    """The real detector, counting the messages it is asked about."""

    def __init__(self, detector) -> None:
        self.detector, self.asked = detector, []

    def detect(self, texts: list[str]) -> list[dict[str, float]]:
        self.asked += texts
        return self.detector.detect(texts)


def test_a_growing_chat_detects_and_embeds_each_message_once(ranker, monkeypatch: pytest.MonkeyPatch):
    from ecr_agent.ranker import inference
    from ecr_agent.ranker.inference import EmotionAwareRanker

    embedded: list[str] = []
    encode = inference.embed_texts
    monkeypatch.setattr(inference, "embed_texts", lambda texts: embedded.extend(texts) or encode(texts))
    counting = CountingDetector(ranker.detector)
    chat = EmotionAwareRanker(ranker.run, ranker.assets, counting)
    turns = [
        ChatTurn("user", "I loved Toy Story!"),
        ChatTurn("assistant", "Try Shrek (2001)."),
        ChatTurn("user", "Meh."),
    ]
    first = chat.rank(turns[:1], k=5)
    grown = chat.rank(turns, k=5)
    assert counting.asked == ["I loved Toy Story!", "Meh."]  # the first message is not detected again
    assert embedded == ["I loved Toy Story!", "Try Shrek (2001).", "Meh."]  # nor embedded again
    fresh = EmotionAwareRanker(ranker.run, ranker.assets, CountingDetector(ranker.detector))
    assert [p.movie_id for p in fresh.rank(turns, k=5)] == [p.movie_id for p in grown]  # memos change nothing
    assert first and grown
    # A batch with more distinct messages than the memo holds still works (values outlive their eviction).
    monkeypatch.setattr(inference, "TEXT_CACHE", 2)
    many = [[ChatTurn("user", f"I loved movie number {n} with Tom Hanks")] for n in range(5)]
    small = EmotionAwareRanker(ranker.run, ranker.assets, ranker.detector)
    assert [len(picks) for picks in small.rank_batch(many, k=3)] == [3] * 5
    assert len(small._texts) == len(small._emotions) == 2


def test_an_ensemble_averages_its_members_log_probabilities(store, ranker):
    from ecr_agent.ranker.assets import load_run, ranker_dir
    from ecr_agent.ranker.inference import EmotionAwareRanker

    paths, _ = store
    assert EmotionAwareRanker.load(paths, detector=None, ensemble=True).members == []  # one seed trained: alone
    twin = load_run(ranker_dir(paths), ranker.assets)
    twin.model.item_bias.data += torch.linspace(0, 3, twin.model.item_bias.numel())  # a different second member
    pair = EmotionAwareRanker(ranker.run, ranker.assets, ranker.detector, members=[twin])
    turns = [ChatTurn("user", "I loved Toy Story and Finding Nemo, something funny for my kids?")]
    alone, mixed = ranker.rank(turns, k=50), pair.rank(turns, k=50)
    assert [p.movie_id for p in alone] != [p.movie_id for p in mixed]
    evidence = {p.movie_id: p.evidence for p in alone}
    shared = [p for p in mixed if p.movie_id in evidence]
    assert shared and all(p.evidence == evidence[p.movie_id] for p in shared)  # explained by the default model


def test_disliked_movies_are_never_recommended_and_mentioned_ones_on_request(ranker):
    titanic = ranker.assets.linker.link("Titanic").movie_ids[0]
    turns = [ChatTurn("user", "I watched Titanic last night and I hated it. Any other ideas?")]
    everything = ranker.rank(turns, emotions=[{"negative": 0.9}], k=7000)
    assert titanic not in {p.movie_id for p in everything}
    liked = ranker.rank(turns, emotions=[{"like": 0.9}], k=7000)
    assert titanic in {p.movie_id for p in liked}
    excluded = ranker.rank(turns, emotions=[{"like": 0.9}], k=7000, exclude_mentioned=True)
    assert titanic not in {p.movie_id for p in excluded}


def test_samples_align_with_turns_and_emotions(store):
    from ecr_agent.data.redial import load_dialogues
    from ecr_agent.data.samples import merge_turns
    from ecr_agent.emotion.inference import EmotionPredictor
    from ecr_agent.ranker.assets import RankerAssets
    from ecr_agent.ranker.dataset import load_split
    from ecr_agent.ranker.features import turn_emotions

    paths, _ = store
    assets = RankerAssets(paths)
    data = load_split("valid", assets.linker, assets.nodes, paths, limit=5)
    dialogues = {d.conversation_id: d for d in load_dialogues("valid", paths)[:5]}
    predictor = EmotionPredictor.load(paths)
    for sample in data.samples:
        dialogue = dialogues[sample.conversation_id]
        turns = merge_turns(dialogue)
        assert len(sample.context) == sample.turn_index and turns[sample.turn_index].role == "recommender"
        for cached, turn in zip(sample.context, turns, strict=False):
            assert cached.role == turn.role
            if turn.role == "seeker":
                texts = [dialogue.render(dialogue.messages[p], assets.catalog.titles) for p in turn.positions]
                assert dict(cached.emotions) == pytest.approx(turn_emotions(predictor.detect(texts)))


def test_the_questionnaire_never_reaches_the_model(store, ranker):
    from ecr_agent.ranker.assets import RankerAssets
    from ecr_agent.ranker.dataset import load_split
    from ecr_agent.ranker.scoring import score_contexts

    paths, _ = store
    assets = RankerAssets(paths)
    data = load_split("valid", assets.linker, assets.nodes, paths, limit=40)
    by_context: dict[tuple[str, int], list] = {}
    for sample in data.samples:
        by_context.setdefault((sample.conversation_id, sample.turn_index), []).append(sample)
    pairs = [group for group in by_context.values() if len({s.feedback for s in group}) > 1]
    assert pairs, "the slice should hold a recommender turn whose movies got different feedback"
    contexts = [s.context for group in pairs for s in group[:2]]
    scored = next(score_contexts(ranker.model, contexts, data.embeddings, assets.item_index, ranker.run.cooccurrence))
    for i in range(0, len(contexts), 2):  # same context, different questionnaire answers: identical scores
        assert torch.equal(scored.logits[i], scored.logits[i + 1])


def test_predict_writes_the_jsonl_contract(store, tmp_path):
    from ecr_agent.ranker.evaluation import predict_ranker

    paths, _ = store
    out = tmp_path / "predictions.jsonl"
    summary = predict_ranker("test", out, paths=paths, limit=8)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == summary["samples"] > 0
    for row in rows:
        assert {"conversation_id", "label", "feedback", "label_score", "label_rank", "top50", "dedup"} <= set(row)
        assert row["feedback"] in ("like", "dislike", "unknown") and isinstance(row["dedup"], bool)
        assert len(row["top50"]) == 50 and row["label_rank"] >= 1 and 0.0 <= row["label_score"] <= 1.0
        assert (row["label_rank"] <= 50) == (row["label"] in row["top50"])


def test_evaluate_puts_baselines_and_model_side_by_side(store):
    from ecr_agent.ranker.evaluation import evaluate_ranker

    paths, _ = store
    table = evaluate_ranker("valid", paths=paths, limit=12)
    assert list(table["systems"]) == [
        "popularity",
        "co-occurrence only (no training)",
        "ECR (+ feedback reweighting)",
    ]  # smoke: no movie text
    for metrics in table["systems"].values():
        assert {"auc", "auc_batch32", "recall@10", "recall_true@50", "dedup_recall@1"} <= set(metrics)
    assert table["seeds"]["ECR (+ feedback reweighting)"] == [0]


def test_the_reference_item_set_keeps_kg_labels_and_ranks_only_kg_movies(store):
    from ecr_agent.ranker.assets import RankerAssets, load_run
    from ecr_agent.ranker.dataset import load_split
    from ecr_agent.ranker.evaluation import evaluate_ranker, kg_candidates, only_candidates
    from ecr_agent.ranker.scoring import label_ranks, score_contexts

    paths, _ = store
    assets = RankerAssets(paths)
    candidates = kg_candidates(assets)
    assert 0 < int(candidates.sum()) < assets.nodes.num_items
    data = load_split("valid", assets.linker, assets.nodes, paths, limit=12)
    labels = torch.tensor([assets.item_index[s.label] for s in data.samples])
    in_kg = candidates[labels]
    assert 0 < int(in_kg.sum()) < len(labels)  # the slice has labels on both sides

    table = evaluate_ranker("valid", paths=paths, limit=12, items="kg")
    assert table["items"] == "kg" and table["samples"] == int(in_kg.sum())
    # Dropping candidates can only lift a KG label: its rank among KG movies is at most its rank among all.
    run = load_run(paths.model_dir("ranker"), assets)
    contexts = [s.context for s in data.samples]
    scored = next(score_contexts(run.model, contexts, data.embeddings, assets.item_index, run.cooccurrence))
    everywhere, _ = label_ranks(scored.ranked, labels)
    restricted, _ = label_ranks(only_candidates(scored.ranked, candidates), labels)
    kept = in_kg.numpy()
    assert (restricted[kept] <= everywhere[kept]).all() and (restricted[kept] < everywhere[kept]).any()
    scorable = kept & (everywhere < assets.nodes.num_items)  # a label the dislike rule bans stays last either way
    assert (restricted[scorable] <= int(candidates.sum())).all()
    # The table's model row is computed from exactly these restricted ranks.
    row = table["per_seed"]["ECR (+ feedback reweighting)"]["0"]
    for n in (1, 10, 50):
        assert row[f"recall@{n}"] == pytest.approx(float((restricted[kept] <= n).mean()), abs=1e-4)
    assert table["candidates"] == int(candidates.sum())
    with pytest.raises(ValueError, match="items"):
        evaluate_ranker("valid", paths=paths, limit=12, items="imdb")


class HatedIsNegative:
    """A deterministic stand-in for the emotion classifier: a text with "hated" is negative, any other is like."""

    def detect(self, texts: list[str]) -> list[dict[str, float]]:
        return [{"negative": 0.9, "like": 0.05} if "hated" in t.lower() else {"like": 0.9} for t in texts]


def test_a_mixed_message_turns_down_only_the_movie_it_hates(store):
    from ecr_agent.pipeline import ECRPipeline
    from ecr_agent.ranker.inference import EmotionAwareRanker

    paths, _ = store
    ranker = EmotionAwareRanker.load(paths, detector=HatedIsNegative())
    linker = ranker.assets.linker
    message = "I love scary movies like The Shining, but I hated Titanic"
    shining, titanic = linker.link("The Shining").movie_ids[0], linker.link("Titanic").movie_ids[0]
    assert set(linker.link(message).movie_ids) == {shining, titanic}

    ranked = {r.movie_id for r in ranker.rank([ChatTurn("user", message)], k=ranker.assets.nodes.num_items)}
    assert titanic not in ranked and shining in ranked
    both = "I hated The Shining and Titanic"  # one clause: both turned down, as before
    ranked = {r.movie_id for r in ranker.rank([ChatTurn("user", both)], k=ranker.assets.nodes.num_items)}
    assert titanic not in ranked and shining not in ranked

    # Evidence never presents a turned-down movie as liked, even after the assistant names it again.
    apology = [
        ChatTurn("user", "I hated Titanic"),
        ChatTurn("assistant", "Sorry Titanic was not for you. How about The Shining?"),
        ChatTurn("user", "Sounds great, thank you"),
    ]
    evidence = [e for r in ranker.rank(apology, k=50) for e in r.evidence if e.startswith("Titanic")]
    assert evidence and all(e.endswith("(you turned it down)") for e in evidence)

    # The chain reads the same message per movie, with the feedback reader's rules (no emotion involved).
    chain = ECRPipeline(linker, HatedIsNegative())
    assert chain.feedback.read([ChatTurn("user", message)]).turned_down() == [titanic]


def test_tool_handles_empty_unknown_and_huge_histories(store):
    from ecr_agent.tools import EmotionAwareRankerTool

    paths, _ = store
    tool = EmotionAwareRankerTool.from_store(paths)
    empty = tool.invoke({"messages": [], "k": 4})
    assert len(empty["recommendations"]) == 4 and all(r["popular_fallback"] for r in empty["recommendations"])
    unknown = tool.invoke({"messages": [{"role": "user", "content": "I adored Zorblax Returns and Quibbleworth"}]})
    assert len(unknown["recommendations"]) == 5 and not unknown["recommendations"][0]["popular_fallback"]
    huge = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} about Star Wars and The Matrix"}
        for i in range(5000)
    ]
    started = time.perf_counter()
    long = tool.invoke({"messages": huge, "emotions": [{"like": 0.8} if i % 2 == 0 else None for i in range(5000)]})
    assert len(long["recommendations"]) == 5 and time.perf_counter() - started < 10
    with pytest.raises(ValueError):
        tool.invoke({"messages": [{"role": "user", "content": "hi"}], "emotions": [None, None]})


def test_missing_or_corrupt_model_names_the_train_command(tmp_path, data_dir):
    from ecr_agent.ranker.inference import EmotionAwareRanker

    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    with pytest.raises(StoreNotBuiltError, match="ecr train ranker"):
        EmotionAwareRanker.load(paths, detector=None)
    directory = paths.model_dir("ranker")
    directory.mkdir(parents=True)
    (directory / "config.json").write_text("{}")
    (directory / "model.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(StoreNotBuiltError, match="ecr train ranker"):
        EmotionAwareRanker.load(paths, detector=None)


def test_a_serving_ranker_frees_its_entity_inputs_and_ranks_the_same(store, ranker):
    from ecr_agent.ranker.inference import EmotionAwareRanker

    turns = [ChatTurn("user", "I loved Titanic, it made me cry. Something like it?")]
    serving = EmotionAwareRanker.load(store[0])  # its own models: the module's ranker keeps its inputs
    before = [(r.movie_id, round(r.score, 5)) for r in serving.rank(turns, k=5)]
    serving.release_entity_inputs()
    assert serving.model.node_embeds.numel() == 0 and serving.model.movie_text.numel() == 0
    assert [(r.movie_id, round(r.score, 5)) for r in serving.rank(turns, k=5)] == before
    assert ranker.model.node_embeds.numel() > 0


def test_entity_states_are_kept_beside_the_weights_and_computed_again_when_stale(
    store, ranker, monkeypatch: pytest.MonkeyPatch
):
    from ecr_agent.ranker.inference import EmotionAwareRanker
    from ecr_agent.ranker.model import EmotionAwareRankerModel
    from ecr_agent.ranker.states_cache import STATES_FILE, write_states

    folder = store[0].model_dir("ranker")
    assert (folder / STATES_FILE).exists()  # the first load kept them
    with torch.no_grad():
        computed = ranker.model.entity_states()
    passes = []
    original = EmotionAwareRankerModel.entity_states
    monkeypatch.setattr(EmotionAwareRankerModel, "entity_states", lambda *a, **k: passes.append(1) or original(*a, **k))
    reloaded = EmotionAwareRanker.load(store[0], detector=None)
    assert torch.equal(reloaded.states, ranker.states) and torch.allclose(reloaded.states, computed)
    assert passes == []  # read, not computed
    for damage in ("garbled", "stale"):
        if damage == "garbled":
            (folder / STATES_FILE).write_bytes(b"not safetensors")
        else:  # another model's states
            write_states(folder, "another-fingerprint", torch.zeros_like(ranker.states), torch.zeros_like(ranker.items))
        passes.clear()
        again = EmotionAwareRanker.load(store[0], detector=None)
        assert torch.allclose(again.states, computed) and passes == [1]
        assert torch.equal(EmotionAwareRanker.load(store[0], detector=None).states, again.states)
        assert passes == [1]  # the next load reads what this one wrote

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from ecr_agent.ranker.batching import NO_EMOTION, collate, emotion_slots
from ecr_agent.ranker.config import RankerConfig, TrainConfig, config_hash, variant_configs
from ecr_agent.ranker.cooccurrence import build_cooccurrence
from ecr_agent.ranker.dataset import RankerSample, SplitData, random_dialogues
from ecr_agent.ranker.features import TurnInfo
from ecr_agent.ranker.model import EmotionAwareRankerModel
from ecr_agent.ranker.scoring import apply_bans, banned_items, label_ranks

NODES, ITEMS = 12, 6
ITEM_IDS = [f"m{i}" for i in range(ITEMS)]
ITEM_INDEX = {m: i for i, m in enumerate(ITEM_IDS)}


def model(variant: str = "ecr", seed: int = 0) -> EmotionAwareRankerModel:
    torch.manual_seed(seed)
    config, _ = variant_configs(variant, RankerConfig(entity_dim=16, emotion_dim=8, num_bases=2, dropout=0.0))
    edge_index = torch.tensor([[0, 1, 2, 6, 7, 8, 9], [6, 6, 7, 0, 1, 2, 3]])
    edge_type = torch.tensor([0, 0, 1, 2, 2, 3, 1])
    return EmotionAwareRankerModel(
        config, NODES, 4, edge_index, edge_type, torch.arange(ITEMS), torch.randn(ITEMS, 384)
    ).eval()


def contexts() -> list[list[TurnInfo]]:
    return [
        [
            TurnInfo("seeker", ("m0",), (0, 6), {"like": 0.8, "happy": 0.2}, 0),
            TurnInfo("recommender", ("m1",), (1,), {}, 1),
            TurnInfo("seeker", ("m2",), (2, 7), {"negative": 0.9}, 2),
        ],
        [TurnInfo("seeker", (), (8,), {"curious": 0.6}, 3)],
    ]


def batch(with_cooccurrence: bool = True):
    cooc = build_cooccurrence(contexts(), NODES) if with_cooccurrence else None
    return collate(contexts(), torch.randn(4, 384), model().config, ITEM_INDEX, cooc)


def test_collate_pads_and_aligns_entities_with_their_emotions():
    b = batch()
    assert b.turn_role.tolist() == [[1, 2, 1], [1, 0, 0]]
    assert b.turn_distance[0].tolist() == [2, 1, 0]
    assert b.entity_node[0].tolist() == [0, 6, 1, 2, 7]
    # node 1 was mentioned by the recommender: it carries the next seeker turn's emotions (negative)
    assert b.emotion_ids[0, 2].tolist() == emotion_slots({"negative": 0.9})[0]
    assert b.entity_item[0].tolist() == [0, -1, 1, 2, -1]
    assert b.entity_role[1].tolist() == [1, 0, 0, 0, 0] and b.emotion_ids[1, 1].tolist() == [NO_EMOTION] * 3


def test_every_variant_scores_every_item():
    for variant in ("no_emotion", "local", "local_global", "ecr"):
        logits = model(variant)(batch())
        assert logits.shape == (2, ITEMS) and torch.isfinite(logits).all()


def test_emotions_change_scores_only_for_emotion_variants():
    flat = [[replace(t, emotions={"neutral": 1.0} if t.role == "seeker" else {}) for t in c] for c in contexts()]
    embeddings = torch.randn(4, 384)
    for variant, should_change in (("no_emotion", False), ("local", True)):
        m = model(variant)
        a = m(collate(contexts(), embeddings, m.config, ITEM_INDEX))
        b = m(collate(flat, embeddings, m.config, ITEM_INDEX))
        assert (not torch.allclose(a, b)) is should_change


def test_contributions_decompose_the_context_part_of_a_score_exactly():
    m, b = model("ecr"), batch()
    with torch.no_grad():
        out = m(b, parts=True)
        items = torch.tensor([[0, 3, 5], [1, 2, 4]])
        cooc = torch.zeros(2, b.entity_node.shape[1], 3)
        matrix = build_cooccurrence(contexts(), NODES)
        for row in range(2):
            for j, node in enumerate(b.entity_node[row].tolist()):
                for slot, item in enumerate(items[row].tolist()):
                    cooc[row, j, slot] = matrix.row(node).get(item, 0.0) if b.entity_role[row, j] > 0 else 0.0
        parts = m.contributions(out, b, items, cooc)
        base = (m.out_text(out["text"]) + m.user_bias) @ out["items"].T + m.item_bias
        for row in range(2):
            for slot, item in enumerate(items[row].tolist()):
                context_part = out["logits"][row, item] - base[row, item]
                assert parts[row, :, slot].sum() == pytest.approx(float(context_part), abs=1e-4)


def test_disliked_movies_are_banned_and_ranked_last():
    banned = banned_items(contexts(), ITEM_INDEX, disliked=True, mentioned=False)
    assert banned == [[2], []]  # m2 was named in a negative seeker turn
    assert banned_items(contexts(), ITEM_INDEX, disliked=True, mentioned=True)[0] == [2, 0, 1]
    logits = torch.tensor([[0.1, 0.2, 9.0, 0.3, 0.4, 0.5], [0.0] * ITEMS])
    ranked = apply_bans(logits, banned)
    ranks, probs = label_ranks(ranked, torch.tensor([2, 1]))
    assert ranks[0] == ITEMS and probs[0] == 0.0
    assert ranked[0].argmax() == 5


def test_configs_validate():
    with pytest.raises(ValueError):
        TrainConfig(variant="nope")
    with pytest.raises(ValueError):
        TrainConfig(feedback_weights={"like": 1.0})
    with pytest.raises(ValueError):
        RankerConfig(movie_text="poster")
    assert variant_configs("ecr")[1] == {"like": 2.0, "dislike": 1.0, "unknown": 0.5}
    assert variant_configs("local_global")[1] == {"like": 1.0, "dislike": 1.0, "unknown": 1.0}
    assert not variant_configs("no_emotion")[0].use_local_emotions


def test_fields_added_later_leave_published_fingerprints_alone_until_set():
    model_config, train_config = RankerConfig(), TrainConfig(average_decay=0.0)
    # The fingerprint of the full-profile runs published before `seeker_label_weight` existed (raw weights).
    assert config_hash(model_config, train_config) == "8fbb0b152f40"
    assert config_hash(model_config, TrainConfig()) != "8fbb0b152f40"  # the averaged default retrains
    assert config_hash(model_config, replace(train_config, seeker_label_weight=0.5)) != "8fbb0b152f40"
    assert config_hash(model_config, replace(train_config, lr=1e-3)) != "8fbb0b152f40"
    with pytest.raises(ValueError):
        TrainConfig(seeker_label_weight=-1.0)
    with pytest.raises(ValueError, match="select_metric='last'"):
        TrainConfig(train_split="train_full")  # validation would choose epochs on its own training dialogues
    refit = TrainConfig(train_split="train_full", select_metric="last")
    assert config_hash(model_config, refit) != "8fbb0b152f40"
    subset = TrainConfig(average_decay=0.0, train_limit=100, train_subset_seed=0)
    assert config_hash(model_config, subset) != config_hash(model_config, replace(subset, train_subset_seed=None))
    with pytest.raises(ValueError, match="set train_limit"):
        TrainConfig(train_subset_seed=0)


def test_a_random_subset_spans_the_whole_split_and_keeps_only_its_own_samples():
    ids = [str(i) for i in range(1, 201)]  # collection order, as in the training file
    turns = [TurnInfo(role="seeker", movies=(), nodes=(), emotions={}, text_index=0)]
    samples = [RankerSample(cid, 1, tuple(turns), "m", "like", True) for cid in ids for _ in range(2)]
    data = SplitData("train", samples, {cid: turns for cid in ids}, torch.zeros(1, 4), "classifier")
    subset = random_dialogues(data, 50, seed=0)
    chosen = sorted(map(int, subset.dialogues))
    assert len(chosen) == 50 and len(subset.samples) == 100
    assert {s.conversation_id for s in subset.samples} == set(subset.dialogues)
    assert min(chosen) <= 40 and max(chosen) >= 160  # not the first 50 (the oldest)
    assert sorted(random_dialogues(data, 50, seed=0).dialogues) == sorted(subset.dialogues)
    assert sorted(random_dialogues(data, 50, seed=1).dialogues) != sorted(subset.dialogues)


def test_recency_weights_halve_every_half_life_back_from_the_latest_dialogue():
    from ecr_agent.ranker.training import recency_weights

    ids = ["900", "20", "1000", "100", "300"]  # numeric order: 20, 100, 300, 900, 1000
    weights = recency_weights(ids, half_life=0.5)
    assert weights["1000"] == 1.0 and weights["20"] == pytest.approx(0.25)
    assert weights["100"] < weights["300"] < weights["900"] < weights["1000"]
    assert weights["300"] == pytest.approx(0.5)  # halfway back = one half-life
    assert set(recency_weights(ids, half_life=0.0).values()) == {1.0}


def test_the_parameter_average_is_a_bias_corrected_ema_applied_only_inside_its_block():
    from ecr_agent.ranker.averaging import ParameterAverage

    layer = torch.nn.Linear(2, 1, bias=False)
    initial = layer.weight.detach().clone()
    average = ParameterAverage(layer, decay=0.5)
    with average.applied() as untouched:  # no update yet: the model as it is
        assert torch.equal(untouched.weight, initial)
    for value in (1.0, 3.0):
        with torch.no_grad():
            layer.weight.fill_(value)
        average.update()
    # m = 0.5·(0.5·1) + 0.5·3 = 1.75, corrected by 1 − 0.5² = 0.75: (0.5·1 + 1·3) / 1.5 = 7/3
    with average.applied() as averaged:
        assert torch.allclose(averaged.weight, torch.full((1, 2), 7 / 3))
    assert torch.equal(layer.weight, torch.full((1, 2), 3.0))  # the trained weights are back
    with pytest.raises(RuntimeError), average.applied():
        raise RuntimeError("evaluation failed")
    assert torch.equal(layer.weight, torch.full((1, 2), 3.0))  # also after an error inside the block

    restored = ParameterAverage(layer, decay=0.5)
    restored.load_state_tensors(average.state_tensors())
    assert restored.updates == 2 and torch.equal(restored.averaged("weight"), average.averaged("weight"))
    partial = {k: v for k, v in average.state_tensors().items() if k != "average_updates"}
    with pytest.raises(KeyError):
        ParameterAverage(layer, decay=0.5).load_state_tensors(partial)
    with pytest.raises(ValueError):
        ParameterAverage(layer, decay=1.0)
    with pytest.raises(ValueError):
        TrainConfig(average_decay=1.0)


def test_a_checkpoint_resumes_model_optimiser_and_average_whole_or_not_at_all(tmp_path):
    from ecr_agent.ranker.averaging import ParameterAverage
    from ecr_agent.ranker.training import _checkpoint, _resume

    def build() -> tuple:
        net = model()
        optimizer = torch.optim.AdamW(net.parameters(), lr=0.1)
        return net, optimizer, ParameterAverage(net, decay=0.9)

    net, optimizer, average = build()
    batch = collate(contexts(), torch.randn(4, 384), net.config, ITEM_INDEX)
    net.train()
    for _ in range(2):
        optimizer.zero_grad()
        net(batch).logsumexp(1).sum().backward()
        optimizer.step()
        average.update()
    state = {"epoch": 0, "step": 2}
    _checkpoint(tmp_path, "fp", net, optimizer, state, average)

    again, again_optimizer, again_average = build()
    assert _resume(tmp_path, "fp", again, again_optimizer, again_average) == state
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), again.parameters(), strict=True))
    assert again_average.updates == 2 and torch.equal(again_average.sums["user_bias"], average.sums["user_bias"])
    assert len(again_optimizer.state) == len(optimizer.state)

    # A checkpoint without the average (made without one) is refused whole: nothing is half loaded.
    _checkpoint(tmp_path, "fp", net, optimizer, state, None)
    fresh, fresh_optimizer, fresh_average = build()
    before = [p.detach().clone() for p in fresh.parameters()]
    assert _resume(tmp_path, "fp", fresh, fresh_optimizer, fresh_average)["step"] == 0
    assert all(torch.equal(a, b) for a, b in zip(before, fresh.parameters(), strict=True))
    assert not fresh_optimizer.state and fresh_average.updates == 0


def test_configs_saved_before_a_field_existed_load_with_its_legacy_value():
    from ecr_agent.ranker.config import from_json, to_json

    saved = {k: v for k, v in to_json(TrainConfig()).items() if k != "average_decay"}
    assert from_json(TrainConfig, saved).average_decay == 0.0  # those runs kept the raw weights
    assert from_json(TrainConfig, to_json(TrainConfig())).average_decay == 0.99


def test_ranker_package_exports_are_pinned_and_lazy():
    import ecr_agent.ranker as ranker

    assert sorted(ranker.__all__) == sorted(
        ["EmotionAwareRanker", "popular_movies", "train_ranker", "evaluate_ranker", "predict_ranker"]
    )
    assert callable(ranker.popular_movies) and callable(ranker.train_ranker)
    with pytest.raises(AttributeError):
        ranker.nothing_here  # noqa: B018


def test_the_readers_verdicts_replace_the_dislike_rule_for_every_model():
    verdicts = [{"m0"}, {"m1", "unknown"}]  # the reader kept m2 (a loved movie in a sad-sounding turn)
    assert banned_items(contexts(), ITEM_INDEX, disliked=True, mentioned=False, turned_down=verdicts) == [[0], [1]]
    assert banned_items(contexts(), ITEM_INDEX, disliked=False, mentioned=False, turned_down=verdicts) == [[0], [1]]

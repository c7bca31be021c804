from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from ecr_agent.config import Paths
from ecr_agent.data.redial import load_dialogues, split_of
from ecr_agent.emotion.dataset import (
    EmotionExample,
    annotated_examples,
    questionnaire_examples,
    read_gold_file,
    write_gold_file,
)
from ecr_agent.emotion.labels import EMOTIONS, load_annotations
from ecr_agent.emotion.model import EmotionModelConfig
from ecr_agent.emotion.training import PROFILES, TrainProfile


def test_annotation_splits_have_the_documented_sizes_and_valid_labels() -> None:
    sizes = {split: len(load_annotations(split)) for split in ("train", "valid", "test")}
    assert sizes == {"train": 2700, "valid": 500, "test": 500}
    for annotation in load_annotations():
        assert 1 <= len(annotation.labels) <= 2
        assert set(annotation.labels) <= set(EMOTIONS)


def test_test_annotations_come_from_test_dialogues_and_the_others_from_the_train_file(paths: Paths) -> None:
    test_ids = {d.conversation_id for d in load_dialogues("test", paths)}
    train_ids = {d.conversation_id for d in load_dialogues("train_full", paths)}
    assert {a.conversation_id for a in load_annotations("test")} <= test_ids
    assert {a.conversation_id for split in ("train", "valid") for a in load_annotations(split)} <= train_ids
    # train and valid annotations were sampled by utterance, so they share dialogues (a known caveat)
    keys = [(a.conversation_id, a.position) for a in load_annotations()]
    assert len(keys) == len(set(keys))


def test_annotated_examples_render_movie_titles(paths: Paths) -> None:
    examples = annotated_examples("valid", paths)
    assert len(examples) == 500
    assert all(e.text.strip() for e in examples)
    with_ids = [e.text for e in examples if re.search(r"@\d{3,}", e.text)]
    assert len(with_ids) <= 2  # only ids missing from the catalogue stay as @id
    assert Counter(label for e in examples for label in e.labels)["like"] > 100


def test_questionnaire_evidence_is_negative_weak_and_never_a_hand_labelled_utterance(paths: Paths) -> None:
    examples = questionnaire_examples(paths, weight=0.5)
    assert 150 < len(examples) < 400
    assert all(e.labels == ("negative",) and e.source == "questionnaire" and e.weight == 0.5 for e in examples)
    annotated = {(a.conversation_id, a.position) for a in load_annotations()}
    valid_dialogues = {a.conversation_id for a in load_annotations("valid")}
    assert all(e.key is not None and e.key not in annotated for e in examples)
    assert {split_of(e.key[0]) for e in examples if e.key} == {"train"}
    assert not {e.key[0] for e in examples if e.key} & valid_dialogues


def test_gold_file_round_trip_and_clear_errors(tmp_path: Path) -> None:
    examples = [EmotionExample("I loved it", ("like",)), EmotionExample("Thanks! Bye", ("grateful", "happy"))]
    path = write_gold_file(examples, tmp_path / "gold.jsonl")
    assert [(e.text, e.labels) for e in read_gold_file(path)] == [(e.text, e.labels) for e in examples]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "ok", "labels": ["like"]}) + "\n" + json.dumps({"text": "x", "labels": ["joy"]}))
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        read_gold_file(bad)
    single = tmp_path / "single.jsonl"
    single.write_text(json.dumps({"text": "meh", "labels": "negative"}))
    assert read_gold_file(single)[0].labels == ("negative",)
    with pytest.raises(FileNotFoundError):
        read_gold_file(tmp_path / "missing.jsonl")


def test_examples_and_configs_validate_their_fields(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EmotionExample("text", ())
    with pytest.raises(ValueError):
        EmotionExample("text", ("anger",))
    config = EmotionModelConfig(recipe="annotations", logit_bias=[0.0] * 4 + [1.5] + [0.0] * 4)
    config.save(tmp_path)
    assert EmotionModelConfig.load(tmp_path) == config
    with pytest.raises(ValueError):
        EmotionModelConfig(label_mask=[False] * 9)
    with pytest.raises(ValueError):
        EmotionModelConfig(finetune="adapter")
    with pytest.raises(ValueError):
        TrainProfile(finetune="adapter")


def test_profiles_name_their_recipes() -> None:
    assert PROFILES["full"].recipe == "goemotions+annotations+questionnaire"
    assert PROFILES["quick"].recipe == "annotations+questionnaire"
    assert PROFILES["full"].annotate and not PROFILES["quick"].annotate

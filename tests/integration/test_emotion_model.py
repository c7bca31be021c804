"""Train a tiny emotion classifier on real data slices (a few steps), then use it the ways users do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.emotion.dataset import annotated_examples, write_gold_file
from ecr_agent.emotion.evaluation import evaluate_gold_file
from ecr_agent.emotion.inference import (
    EmotionPredictor,
    _fresh_cache,
    annotate_split,
    cache_file,
    file_sha256,
    load_utterance_emotions,
)
from ecr_agent.emotion.labels import BETA, EMOTIONS
from ecr_agent.emotion.training import TrainProfile, train_emotion

pytestmark = pytest.mark.slow

TINY = TrainProfile(
    name="test",
    goemotions=32,
    annotation_epochs=1,
    questionnaire=False,
    limit_annotations=96,
    limit_valid=48,
    max_length=32,
    checkpoint_every=2,
    annotate=False,
)
SEED = 3


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> dict:
    """Train TINY twice: once interrupted after 2 steps and resumed, once straight through."""
    resumed = Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("emotion_resumed"))
    straight = Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("emotion_straight"))
    stopped = train_emotion(TINY, seed=SEED, paths=resumed, progress=False, stop_after_steps=2, threads=1)
    checkpoint_left = (resumed.model_dir("emotion") / "checkpoint" / "state.json").exists()
    with pytest.raises(StoreNotBuiltError):
        EmotionPredictor.load(resumed)  # nothing final is written before training ends
    report = train_emotion(TINY, seed=SEED, paths=resumed, progress=False, threads=1)
    reference = train_emotion(TINY, seed=SEED, paths=straight, progress=False, threads=1)
    return {
        "paths": resumed,
        "stopped": stopped,
        "checkpoint_left": checkpoint_left,
        "report": report,
        "reference": reference,
        "straight": straight,
    }


@pytest.fixture(scope="module")
def predictor(trained: dict) -> EmotionPredictor:
    return EmotionPredictor.load(trained["paths"])


def test_an_interrupted_run_resumes_to_the_same_weights(trained: dict) -> None:
    from safetensors.torch import load_file

    assert trained["stopped"]["finished"] is False and trained["checkpoint_left"]
    report = trained["report"]
    assert report["finished"] and report["resumed_from"] == {"stage": 1, "epoch": 0, "step": 1}
    assert not (trained["paths"].model_dir("emotion") / "checkpoint").exists()
    ours = load_file(str(trained["paths"].model_dir("emotion") / "model.safetensors"))
    theirs = load_file(str(trained["straight"].model_dir("emotion") / "model.safetensors"))
    assert ours.keys() == theirs.keys()
    assert all(bool((ours[k] == theirs[k]).all()) for k in ours)
    assert report["history"] == trained["reference"]["history"]


def test_the_report_holds_per_epoch_validation_and_calibration(trained: dict) -> None:
    report = trained["report"]
    assert [h["stage"] for h in report["history"]] == ["goemotions", "annotations"]
    assert all(0.0 <= h["valid"]["recall_at_2"] <= 1.0 for h in report["history"])
    assert report["examples"] == {"goemotions": 32, "annotations": 96}
    assert report["calibration"]["negative_bias"] >= 0.0
    assert json.loads(json.dumps(report)) == report  # JSON-able
    config = json.loads((trained["paths"].model_dir("emotion") / "config.json").read_text())
    assert config["logit_bias"][EMOTIONS.index("negative")] == report["calibration"]["negative_bias"]


def test_a_fresh_predictor_gives_nine_probabilities_summing_to_one(predictor: EmotionPredictor, data_dir: Path) -> None:
    texts = ["I hated that movie, so boring", "Thank you so much, bye!", "What is it about?"]
    results = predictor.predict(texts)
    assert len(results) == 3
    for probabilities in results:
        assert list(probabilities) == list(EMOTIONS)
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    paths = Paths(data_dir=data_dir, store_dir=predictor.model_dir.parents[1])
    second = EmotionPredictor.load(paths)
    assert second.predict(texts) == results
    fast = EmotionPredictor(predictor.model, predictor.tokenizer, predictor.model_dir, bf16=True)
    for exact, approximate in zip(results, fast.predict(texts), strict=True):
        assert max(abs(exact[k] - approximate[k]) for k in EMOTIONS) < 0.05
    with pytest.raises(ValueError, match="float32"):
        annotate_split(fast, "valid", paths)
    half = EmotionPredictor.load(paths, bf16=True)  # bfloat16 weights: what the chain loads where the CPU has bf16
    assert half.model.encoder.embeddings.word_embeddings.weight.dtype == torch.bfloat16
    for exact, approximate in zip(results, half.predict(texts), strict=True):
        assert max(abs(exact[k] - approximate[k]) for k in EMOTIONS) < 0.05
    for detected in predictor.detect(texts):
        values = list(detected.values())
        assert values == sorted(values, reverse=True)
        assert all(p > BETA for p in values[1:])


def test_the_saved_model_reproduces_the_validation_figures_of_training(trained: dict, tmp_path: Path) -> None:
    gold = write_gold_file(annotated_examples("valid", trained["paths"], limit=48), tmp_path / "gold.jsonl")
    import os

    previous = os.environ.get("ECR_STORE_DIR")
    os.environ["ECR_STORE_DIR"] = str(trained["paths"].store_dir)
    try:
        from ecr_agent.cli import main

        printed: list[str] = []
        assert main(["--json", "eval", "emotion", "--gold", str(gold)], out=printed.append) == 0
    finally:
        if previous is None:
            os.environ.pop("ECR_STORE_DIR")
        else:
            os.environ["ECR_STORE_DIR"] = previous
    result = json.loads(printed[0])
    assert result["recall_at_2"] == pytest.approx(trained["report"]["valid"]["recall_at_2"], abs=1e-9)
    assert set(result["per_label"]) == set(EMOTIONS)
    assert {"precision", "recall", "f1", "support"} <= set(result["per_label"]["like"])
    assert "matrix" in result["confusion"]
    direct = evaluate_gold_file(gold, trained["paths"])
    assert direct["recall_at_2"] == result["recall_at_2"]


def test_missing_or_corrupt_models_raise_store_not_built(tmp_path: Path, data_dir: Path, trained: dict) -> None:
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    with pytest.raises(StoreNotBuiltError, match="ecr train emotion"):
        EmotionPredictor.load(paths)
    with pytest.raises(StoreNotBuiltError, match="ecr train emotion"):
        load_utterance_emotions("valid", paths)
    target = paths.model_dir("emotion")
    target.mkdir(parents=True)
    source = trained["paths"].model_dir("emotion")
    (target / "config.json").write_text((source / "config.json").read_text())
    (target / "model.safetensors").write_bytes((source / "model.safetensors").read_bytes()[:5000])
    with pytest.raises(StoreNotBuiltError, match="corrupt"):
        EmotionPredictor.load(paths)
    (target / "config.json").write_text("{not json")
    with pytest.raises(StoreNotBuiltError, match="corrupt"):
        EmotionPredictor.load(paths)


def test_utterance_emotions_are_cached_per_model(trained: dict) -> None:
    from ecr_agent.data.redial import load_dialogues

    paths = trained["paths"]
    emotions = load_utterance_emotions("valid", paths)
    dialogues = load_dialogues("valid", paths)
    expected = {(d.conversation_id, m.position) for d in dialogues for m in d.seeker_messages()}
    assert set(emotions) == expected
    some = next(iter(emotions.values()))
    assert set(some) <= set(EMOTIONS) and list(some.values()) == sorted(some.values(), reverse=True)
    cache = cache_file("valid", paths)
    written = cache.stat().st_mtime_ns
    assert load_utterance_emotions("valid", paths) == emotions
    assert cache.stat().st_mtime_ns == written  # read back, not recomputed
    sha = file_sha256(paths.model_dir("emotion") / "model.safetensors")
    assert _fresh_cache("valid", paths, sha) is not None
    assert _fresh_cache("valid", paths, "other weights") is None  # a changed model makes the cache stale
    with pytest.raises(ValueError, match="unknown split"):
        load_utterance_emotions("dev", paths)


@pytest.fixture(scope="module")
def tool(predictor: EmotionPredictor):
    from ecr_agent.tools import EmotionClassifierTool

    return EmotionClassifierTool.from_store(predictor=predictor)


def test_the_tool_is_a_langchain_tool_with_a_schema(tool) -> None:
    from langchain_core.tools import BaseTool

    assert isinstance(tool, BaseTool) and tool.name == "detect_emotions"
    assert set(tool.args) == {"text"}
    result = tool.invoke({"text": "I really did not like that movie"})
    assert set(result) >= {"text", "emotions", "top"} and result["top"] == next(iter(result["emotions"]))
    with pytest.raises(Exception):  # noqa: B017 - pydantic's ValidationError
        tool.invoke({"text": 5})
    with pytest.raises(Exception):  # noqa: B017
        tool.invoke({"text": "hi", "extra": 1})


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_the_tool_calls_empty_text_neutral_with_a_note(tool, text: str) -> None:
    result = tool.invoke({"text": text})
    assert result["emotions"] == {"neutral": 1.0} and "empty" in result["note"]


def test_the_tool_truncates_huge_text_and_answers_other_languages(tool) -> None:
    huge = tool.invoke({"text": "I loved the soundtrack of that film. " * 20000})
    assert huge["emotions"] and "longer than 32 tokens" in huge["note"]
    for text in ("Je déteste ce film, il est vraiment nul.", "この映画が大好きです", "Привет! 😀"):
        result = tool.invoke({"text": text})
        assert result["emotions"] and "note" not in result
        assert set(result["emotions"]) <= set(EMOTIONS)


def test_the_tool_batches_a_list_of_texts(tool) -> None:
    texts = [f"utterance {i}: I liked movie number {i}" for i in range(300)] + [""]
    results = tool.invoke({"text": texts})
    assert isinstance(results, list) and len(results) == 301
    assert [r["text"] for r in results] == texts
    for result in results:
        values = list(result["emotions"].values())
        assert values == sorted(values, reverse=True)
    assert results[-1]["emotions"] == {"neutral": 1.0}
    assert tool.invoke({"text": []}) == []


def test_the_tool_without_a_model_names_the_training_command(tmp_path: Path, data_dir: Path) -> None:
    from ecr_agent.tools import EmotionClassifierTool

    tool = EmotionClassifierTool.from_store(Paths(data_dir=data_dir, store_dir=tmp_path))
    with pytest.raises(StoreNotBuiltError, match="ecr train emotion"):
        tool.invoke({"text": "hello"})

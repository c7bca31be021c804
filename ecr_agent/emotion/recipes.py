"""Compare training recipes on the validation annotations (which weak sources help, full fine-tuning vs LoRA).

Each variant is a `TrainProfile`; runs that share a GoEmotions stage (same size, learning rate, fine-tuning mode and
seed) train it once and continue from a copy, so a whole table costs one GoEmotions pass per seed and mode.
Used by ``benchmarks/emotion_bench.py``; the examples can come from the data folder or from an exported bundle.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths
from ecr_agent.emotion.dataset import EmotionExample
from ecr_agent.emotion.training import (
    Encoded,
    Fitter,
    Stage,
    TrainProfile,
    build_stages,
    calibrate_negative,
    compact,
    finish_model,
    new_model,
    trained_label_mask,
    validation_scores,
)

logger = logging.getLogger(__name__)

SOURCES = ("goemotions", "annotations", "questionnaire", "valid")


def _stage_key(profile: TrainProfile, seed: int) -> tuple:
    return (
        profile.goemotions,
        profile.goemotions_epochs,
        profile.goemotions_lr,
        profile.finetune,
        profile.lora_rank,
        profile.freeze_word_embeddings,
        profile.max_length,
        profile.batch_size,
        seed,
    )


def run_variant(
    name: str,
    profile: TrainProfile,
    seed: int,
    sources: dict[str, list[EmotionExample]],
    tokenizer: Any,
    device: str,
    encoder_dir: Path | None,
    snapshots: dict[tuple, Any],
    paths: Paths,
) -> dict[str, Any]:
    """Train one variant with one seed and score it on ``sources['valid']`` (uncalibrated and calibrated); what
    ``sources`` lacks is read from ``paths``."""
    started = time.perf_counter()
    valid = sources["valid"]
    stages = build_stages(profile, paths, sources=sources)
    label_mask = trained_label_mask(stages)
    model = new_model(profile, seed, label_mask, encoder_dir)
    history: list[dict[str, Any]] = []
    remaining: list[Stage] = stages
    key = _stage_key(profile, seed)
    if stages and stages[0].name == "goemotions":
        if key in snapshots:
            state, history = snapshots[key]
            model.load_state_dict(state)
            history = list(history)
        else:
            fitter = Fitter(model, tokenizer, profile, seed, device, valid, progress=False)
            fitter.fit(stages[:1])
            history = list(fitter.history)
            snapshots[key] = (copy.deepcopy(model.state_dict()), tuple(history))
        remaining = stages[1:]
    model.config.label_mask = label_mask
    if remaining:
        fitter = Fitter(model, tokenizer, profile, seed, device, valid, progress=False)
        fitter.history = history
        fitter.fit(remaining, offset=len(stages) - len(remaining))  # same data order and dropout as `train_emotion`
        history = fitter.history
    model.to(device)
    finish_model(model)
    encoded = Encoded.from_examples(valid, tokenizer, profile.max_length)
    gold = [e.labels for e in valid]
    raw = validation_scores(model, encoded, gold, device)
    calibration = calibrate_negative(model, tokenizer, valid, profile, device)
    calibrated = validation_scores(model, encoded, gold, device)
    return {
        "variant": name,
        "recipe": profile.recipe,
        "seed": seed,
        "profile": asdict(profile),
        "examples": {stage.name: len(stage.examples) for stage in stages},
        "history": history,
        "valid": raw,
        "valid_calibrated": compact(calibrated) | {"negative_bias": calibration["negative_bias"]},
        "seconds": round(time.perf_counter() - started, 1),
    }


def compare_recipes(
    variants: dict[str, TrainProfile],
    seeds: Sequence[int],
    sources: dict[str, list[EmotionExample]],
    tokenizer: Any,
    device: str = "cpu",
    encoder_dir: Path | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    snapshots: dict[tuple, Any] | None = None,
    *,
    paths: Paths,
) -> list[dict[str, Any]]:
    """Run every variant with every seed; ``on_result`` sees each run as it finishes (to save partial results).

    ``snapshots`` holds trained GoEmotions stages across calls (keyed by their settings and seed).
    """
    results = []
    snapshots = {} if snapshots is None else snapshots
    for seed in seeds:
        for name, profile in variants.items():
            result = run_variant(name, profile, seed, sources, tokenizer, device, encoder_dir, snapshots, paths)
            logger.info("%s seed %d: %s", name, seed, compact(result["valid"]))
            results.append(result)
            if on_result:
                on_result(result)
    return results


def standard_variants(base: TrainProfile) -> dict[str, TrainProfile]:
    """The four recipes the issue asks for (plus annotations + questionnaire), from one base profile."""
    return {
        "goemotions": replace(base, annotation_epochs=0, questionnaire=False),
        "annotations": replace(base, goemotions=0, questionnaire=False),
        "goemotions+annotations": replace(base, questionnaire=False),
        "goemotions+annotations+questionnaire": replace(base, questionnaire=True),
        "annotations+questionnaire": replace(base, goemotions=0, questionnaire=True),
    }

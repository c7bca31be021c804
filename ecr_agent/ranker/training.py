"""Train the emotion-aware ranker: ``ecr train ranker --profile quick|full --seed N``.

Recipe: assets → cached split data (linked turns, MiniLM embeddings, classifier emotions) → co-occurrence from the
training dialogues (out-of-fold for the training samples) → model → AdamW on (feedback-)weighted cross-entropy over all
items → validation metrics after each epoch → the best epoch (on validation, never test) is saved as safetensors.

Profiles: ``full`` trains every ablation variant (no emotions, + local, + global, full ECR) on the whole training split
so ``ecr eval ranker`` can put them side by side; ``quick`` trains only full ECR on a slice for a few epochs;
``smoke`` takes a few steps on a small slice without movie-text embeddings (tests; not a usable model).
Runs are resumable (a checkpoint after every epoch) and idempotent (a finished run with the same configs is reused).
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch.nn import functional as F
from tqdm.auto import tqdm

from ecr_agent.config import Paths
from ecr_agent.cpu import keep_heap_memory, torch_threads
from ecr_agent.distributed import DataParallel
from ecr_agent.evaluation.ranking import ranking_metrics
from ecr_agent.optim_state import load_optimizer, optimizer_tensors
from ecr_agent.ranker.assets import (
    RankerAssets,
    default_run_name,
    publish_default,
    run_dir,
    save_run,
)
from ecr_agent.ranker.averaging import ParameterAverage
from ecr_agent.ranker.batching import collate
from ecr_agent.ranker.config import VARIANTS, RankerConfig, TrainConfig, config_hash, save_json, variant_configs
from ecr_agent.ranker.cooccurrence import Cooccurrence, fold_matrices, fold_of
from ecr_agent.ranker.dataset import RankerSample, SplitData, load_split, random_dialogues
from ecr_agent.ranker.model import EmotionAwareRankerModel
from ecr_agent.ranker.scoring import label_ranks, score_contexts
from ecr_agent.store_files import replacing
from ecr_agent.store_lock import store_lock

logger = logging.getLogger(__name__)

PROFILES: dict[str, dict[str, Any]] = {
    # the demo's ranker: the first 1,550 dialogues, 3 epochs. Valid R@10 0.177 (co-occurrence alone: 0.113) in 100 s
    # on a fresh store; 400 dialogues × 6 epochs (before 2026-12-01) scored 0.097 in 93 s.
    "quick": {"variants": ("ecr",), "train_limit": 1550, "valid_limit": None, "epochs": 3},
    "full": {"variants": tuple(VARIANTS), "train_limit": None, "valid_limit": None},
    # a few steps on a slice, no movie-text embeddings (tests, notebooks under test; not a usable model)
    "smoke": {
        "variants": ("ecr",),
        "train_limit": 200,
        "valid_limit": 100,
        "epochs": 1,
        "patience": 1,
        "model": {"movie_text": "none"},
    },
}
"""Training settings per profile: the variants, `TrainConfig` fields and (``model``) `RankerConfig` fields."""
PROFILE_ORDER = ("smoke", "quick", "full")
"""Which profile's run may replace the inference default (a later one beats an earlier one)."""


def train_ranker(
    profile: str = "full",
    seed: int = 0,
    *,
    paths: Paths,
    variants: tuple[str, ...] | None = None,
    model_config: RankerConfig | None = None,
    threads: int | None = 1,
    **overrides: Any,
) -> dict[str, Any]:
    """Train the ranker variants of ``profile`` for ``seed`` into ``models/ranker`` of the store in ``paths``.

    Args:
        profile: ``full``, ``quick`` or ``smoke`` (see the module docstring).
        seed: seeds initialisation, dropout and batch order.
        paths: data and store locations.
        variants: which of `VARIANTS` to train (default: the profile's).
        model_config: architecture (default `RankerConfig()`); variant flags are set per variant.
        threads: torch intra-op threads while training (1 is fastest on a loaded 2-core machine, see `runtime`).
        **overrides: `TrainConfig` fields (e.g. ``epochs``, ``train_limit``, ``max_steps``) for experiments and tests.

    Under a multi-process launch only the main process trains (the whole ladder takes minutes on one CPU process);
    the others return at once, so the command still works inside a launch that trains the other models.

    Returns:
        ``{"profile", "seed", "runs": {variant: report}, "default", "wall_s"}``; each report holds the per-epoch
        validation metrics, the best epoch and its metrics, and the training wall time.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    parallel = DataParallel.from_env()
    if parallel.enabled and not parallel.is_main:
        logger.warning("ranker training runs in one process: process %d leaves it to process 0", parallel.rank)
        return {"profile": profile, "seed": seed, "skipped": "trained by the main process only", "rank": parallel.rank}
    with store_lock(paths.store_dir, "ecr train ranker"), torch_threads(threads):
        return _train(profile, seed, paths, variants, model_config, overrides)


def _train(
    profile: str,
    seed: int,
    paths: Paths,
    variants: tuple[str, ...] | None,
    model_config: RankerConfig | None,
    overrides: dict[str, Any],
) -> dict[str, Any]:
    started = time.perf_counter()
    keep_heap_memory()
    settings = {k: v for k, v in PROFILES[profile].items() if k not in ("variants", "model")} | overrides
    variants = tuple(variants or PROFILES[profile]["variants"])
    assets = RankerAssets(paths)
    base = model_config or replace(RankerConfig(), **PROFILES[profile].get("model", {}))
    data = TrainConfig(**settings)  # the data settings every variant shares
    roles = ("recommender", "seeker") if data.seeker_label_weight > 0 else ("recommender",)
    first = data.train_limit if data.train_subset_seed is None else None
    train = load_split(data.train_split, assets.linker, assets.nodes, paths, limit=first, roles=roles, rules=False)
    if data.train_subset_seed is not None:
        train = random_dialogues(train, data.train_limit, data.train_subset_seed)  # type: ignore[arg-type]
    valid = load_split("valid", assets.linker, assets.nodes, paths, limit=data.valid_limit)
    logger.info("ranker data: %d train / %d valid samples", len(train.samples), len(valid.samples))
    cooc_cache: dict[tuple[int, int], tuple[Cooccurrence, list[Cooccurrence]]] = {}
    reports = {}
    for variant in variants:
        config, weights = variant_configs(variant, base)
        train_config = TrainConfig(variant=variant, profile=profile, seed=seed, feedback_weights=weights, **settings)
        key = (config.global_top_k, config.global_folds)
        if config.use_global and key not in cooc_cache:
            cooc_cache[key] = fold_matrices(
                train.dialogues, assets.nodes.num_nodes, max(config.global_folds, 1), config.global_top_k
            )
        reports[variant] = train_run(assets, config, train_config, train, valid, cooc_cache.get(key))
    default = _update_default(paths, reports)
    return {
        "profile": profile,
        "seed": seed,
        "runs": reports,
        "default": default,
        "emotion_source": train.emotion_source,
        "wall_s": round(time.perf_counter() - started, 1),
    }


def _update_default(paths: Paths, reports: dict[str, dict]) -> str | None:
    """Make the ECR run the inference default unless a better one (full profile, seed 0) is already there."""
    current = default_run_name(paths)
    if "ecr" not in reports:
        return current
    new = reports["ecr"]["run"]

    def rank(name: str | None) -> tuple[int, int]:
        if name is None or not (run_dir(paths, name) / "config.json").exists():
            return (-1, -1)
        suffix = name.rsplit("-", 1)[-1]
        return (
            PROFILE_ORDER.index(suffix) if suffix in PROFILE_ORDER else len(PROFILE_ORDER),
            int(name.startswith("ecr-seed0")),
        )

    if current is None or rank(new) >= rank(current):
        publish_default(paths, new)
        return new
    return current


def _finished_report(path: Path) -> dict[str, Any]:
    """A run's saved report; an unreadable one is empty, so the run is trained again rather than crash the command."""
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        logger.warning("retraining: the report %s is unreadable (%s)", path, error)
        return {}
    return report if isinstance(report, dict) else {}


def train_run(
    assets: RankerAssets,
    config: RankerConfig,
    train_config: TrainConfig,
    train: SplitData,
    valid: SplitData,
    cooccurrence: tuple[Cooccurrence, list[Cooccurrence]] | None,
) -> dict[str, Any]:
    """Train one variant/seed; resume from its checkpoint; return its report (also saved as ``report.json``)."""
    paths = assets.paths
    directory = run_dir(paths, train_config.run_name)
    fingerprint = config_hash(config, train_config) + f"|{train.emotion_source}|{len(train.samples)}"
    report_path = directory / "report.json"
    if report_path.exists():
        report = _finished_report(report_path)
        if report.get("fingerprint") == fingerprint and (directory / "config.json").exists():
            logger.info("ranker run %s is already trained; delete %s to retrain", train_config.run_name, directory)
            return report
    started = time.perf_counter()
    torch.manual_seed(train_config.seed)
    model = assets.build_model(config)
    optimizer = torch.optim.AdamW(parameter_groups(model, train_config), lr=train_config.lr)
    average = ParameterAverage(model, train_config.average_decay) if train_config.average_decay > 0 else None
    state = _resume(directory, fingerprint, model, optimizer, average)
    resumed = state["epoch"] + 1 if state["epoch"] >= 0 else None
    full, folds = cooccurrence if cooccurrence is not None else (None, [])
    recency = recency_weights(list(train.dialogues), train_config.recency_half_life)
    weights = torch.tensor([_sample_weight(s, train_config) * recency[s.conversation_id] for s in train.samples])
    labels = torch.tensor([assets.item_index[s.label] for s in train.samples])
    sample_folds = [fold_of(s.conversation_id, len(folds)) if folds else 0 for s in train.samples]
    steps_per_epoch = math.ceil(len(train.samples) / train_config.batch_size)
    total_steps = train_config.epochs * steps_per_epoch
    if train_config.max_steps is not None:
        total_steps = min(total_steps, train_config.max_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: max(0.05, 1 - step / max(total_steps, 1)))
    scheduler.last_epoch = state["step"]
    for epoch in range(state["epoch"] + 1, train_config.epochs):
        if state["step"] >= total_steps or state["stale"] >= train_config.patience:
            break
        torch.manual_seed(train_config.seed * 1000 + epoch)
        order = np.random.default_rng(train_config.seed * 1000 + epoch).permutation(len(train.samples))
        model.train()
        losses = []
        bar = tqdm(
            range(0, len(order), train_config.batch_size),
            desc=f"ranker {train_config.run_name} epoch {epoch + 1}/{train_config.epochs}",
            unit="step",
            leave=False,
        )
        for start in bar:
            if state["step"] >= total_steps:
                break
            index = order[start : start + train_config.batch_size]
            batch = collate(
                [train.samples[i].context for i in index],
                train.embeddings,
                config,
                assets.item_index,
                [folds[sample_folds[i]] for i in index] if config.use_global and folds else None,
            )
            logits = model(batch)
            assert isinstance(logits, torch.Tensor)
            loss_vec = F.cross_entropy(logits, labels[index], reduction="none")
            loss = (loss_vec * weights[index]).sum() / weights[index].sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            if average is not None:
                average.update()
            state["step"] += 1
            losses.append(float(loss.detach()))
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
        bar.close()
        with with_average(average):
            metrics = evaluate_samples(model, valid, assets.item_index, full)
        score = select_score(metrics, train_config.select_metric, epoch)
        better = score > state["best_score"]
        state["history"].append({"epoch": epoch + 1, "train_loss": float(np.mean(losses)), "valid": metrics})
        logger.info("ranker %s epoch %d: loss %.3f, valid %s", train_config.run_name, epoch + 1, np.mean(losses), score)
        tqdm.write(
            f"ranker {train_config.run_name} epoch {epoch + 1}: loss {np.mean(losses):.3f} "
            f"valid R@1 {metrics['recall@1']:.3f} R@10 {metrics['recall@10']:.3f} R@50 {metrics['recall@50']:.3f} "
            f"AUC {metrics['auc']:.3f}" + (" *" if better else ""),
            file=sys.stderr,
        )
        if better:
            state.update(best_score=score, best_epoch=epoch + 1, best_metrics=metrics, stale=0)
            with with_average(average):
                _save_best(directory, model, config, train_config, valid, full, state, fingerprint)
        else:
            state["stale"] += 1
        state["epoch"] = epoch
        state["train_seconds"] += time.perf_counter() - started
        started = time.perf_counter()
        _checkpoint(directory, fingerprint, model, optimizer, state, average)
    state["train_seconds"] += time.perf_counter() - started
    if state["best_epoch"] == 0:  # no epoch finished (e.g. max_steps inside the first epoch): keep what we have
        with with_average(average):
            metrics = evaluate_samples(model, valid, assets.item_index, full)
            score = select_score(metrics, train_config.select_metric, epoch=0)
            state.update(best_epoch=1, best_metrics=metrics, best_score=score)
            _save_best(directory, model, config, train_config, valid, full, state, fingerprint)
    report = {
        "run": train_config.run_name,
        "variant": train_config.variant,
        "seed": train_config.seed,
        "profile": train_config.profile,
        "fingerprint": fingerprint,
        "train_split": train_config.train_split,  # train_full: the validation metrics are on training dialogues
        "train_samples": len(train.samples),
        "valid_samples": len(valid.samples),
        "emotion_source": train.emotion_source,
        "best_epoch": state["best_epoch"],
        "valid": state["best_metrics"],
        "history": state["history"],
        "resumed_after_epoch": resumed,
        "steps": state["step"],
        "train_seconds": round(state["train_seconds"], 1),
        "cooccurrence_nnz": full.nnz if full is not None else 0,
    }
    save_json(directory / "report.json", report)
    for name in ("checkpoint.safetensors", "checkpoint.json"):  # finished: the report marks it, no resume needed
        (directory / name).unlink(missing_ok=True)
    return report


def with_average(average: ParameterAverage | None) -> AbstractContextManager[Any]:
    """A block in which the model holds its averaged parameters (nothing changes without an average)."""
    return average.applied() if average is not None else nullcontext()


def _sample_weight(sample: RankerSample, config: TrainConfig) -> float:
    """Loss weight: the feedback weight of the label, times `TrainConfig.seeker_label_weight` for a seeker's movie."""
    weight = config.feedback_weights[sample.feedback.value]
    return weight * config.seeker_label_weight if sample.role == "seeker" else weight


def recency_weights(conversation_ids: list[str], half_life: float) -> dict[str, float]:
    """Per dialogue ``0.5 ** ((1 - q) / half_life)``, q its quantile by conversation id (all 1.0 when 0)."""
    if half_life <= 0 or len(conversation_ids) < 2:
        return dict.fromkeys(conversation_ids, 1.0)
    order = sorted(conversation_ids, key=lambda cid: (len(cid), cid))  # numeric ids: shorter is smaller
    last = len(order) - 1
    return {cid: 0.5 ** ((1 - rank / last) / half_life) for rank, cid in enumerate(order)}


def parameter_groups(model: EmotionAwareRankerModel, config: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: node embeddings (their own learning-rate factor), decayed weights, undecayed biases/embeddings."""
    nodes, decay, no_decay = [], [], []
    for name, parameter in model.named_parameters():
        if name == "node_embeds":
            nodes.append(parameter)
        elif name.endswith("bias") or "embeds" in name:
            no_decay.append(parameter)
        else:
            decay.append(parameter)
    return [
        {"params": nodes, "weight_decay": config.weight_decay, "lr": config.lr * config.node_lr_factor},
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def select_score(metrics: dict[str, float], name: str, epoch: int) -> float:
    """The score that picks the best epoch: ``a+b`` sums validation metrics, ``last`` prefers the later epoch."""
    if name == "last":
        return float(epoch)
    return float(sum(metrics[part] for part in name.split("+")))


def evaluate_samples(
    model: EmotionAwareRankerModel, data: SplitData, item_index: dict[str, int], cooccurrence: Cooccurrence | None
) -> dict[str, float]:
    """Ranking metrics of ``model`` on ``data`` (rules applied as at inference)."""
    contexts = [s.context for s in data.samples]
    labels = torch.tensor([item_index[s.label] for s in data.samples])
    ranks, probs = [], []
    for scored in score_contexts(model, contexts, data.embeddings, item_index, cooccurrence):
        r, p = label_ranks(scored.ranked, labels[scored.start : scored.start + scored.ranked.shape[0]])
        ranks.append(r)
        probs.append(p)
    feedback = [s.feedback.value for s in data.samples]
    rank_all = np.concatenate(ranks) if ranks else np.zeros(0)
    prob_all = np.concatenate(probs) if probs else np.zeros(0)
    return ranking_metrics(rank_all, prob_all, feedback)


def _save_best(directory, model, config, train_config, valid: SplitData, cooccurrence, state, fingerprint: str) -> None:  # type: ignore[no-untyped-def]
    meta = {
        "run": train_config.run_name,
        "best_epoch": state["best_epoch"],
        "valid": state["best_metrics"],
        "emotion_source": valid.emotion_source,
        "fingerprint": fingerprint,
    }
    save_run(directory, model, config, train_config, meta, cooccurrence if config.use_global else None)


def _checkpoint(directory, fingerprint: str, model, optimizer, state: dict, average) -> None:  # type: ignore[no-untyped-def]
    """Model, AdamW state and parameter average (safetensors) plus the loop state (JSON), written after each epoch.

    Each file is replaced whole; the tensors carry their epoch, so a run killed between the two files does not resume
    the older loop state with the newer weights (`_resume` checks that they match).
    """
    tensors = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    if average is not None:
        tensors.update(average.state_tensors())
    moments, param_groups = optimizer_tensors(optimizer)
    tensors.update(moments)
    directory.mkdir(parents=True, exist_ok=True)
    with replacing(directory / "checkpoint.safetensors") as partial:
        save_file(tensors, str(partial), metadata={"epoch": str(state["epoch"])})
    save_json(
        directory / "checkpoint.json",
        {"fingerprint": fingerprint, "state": state, "param_groups": param_groups},
    )


def _resume(directory, fingerprint: str, model, optimizer, average) -> dict:  # type: ignore[no-untyped-def]
    fresh = {
        "epoch": -1,
        "step": 0,
        "best_score": -math.inf,
        "best_epoch": 0,
        "best_metrics": {},
        "stale": 0,
        "history": [],
        "train_seconds": 0.0,
    }
    meta_path, weights_path = directory / "checkpoint.json", directory / "checkpoint.safetensors"
    if not (meta_path.exists() and weights_path.exists()):
        return fresh
    kept = {name: value.clone() for name, value in model.state_dict().items()}
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") != fingerprint:
            return fresh
        with safe_open(str(weights_path), framework="pt") as handle:
            epoch = (handle.metadata() or {}).get("epoch")
        if epoch != str(meta["state"]["epoch"]):  # killed between the two files: the loop state is an epoch behind
            raise ValueError(f"the weights are of epoch {epoch}, the loop state of epoch {meta['state']['epoch']}")
        tensors = load_file(str(weights_path))
        if average is not None:
            average.check_state_tensors(tensors)  # before anything changes: a checkpoint loads whole or not at all
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        load_optimizer(optimizer, tensors, meta["param_groups"])
        if average is not None:
            average.load_state_tensors(tensors)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as error:
        logger.warning("ignoring unreadable ranker checkpoint in %s (%s)", directory, error)
        model.load_state_dict(kept)
        optimizer.state.clear()
        if average is not None:
            average.reset()
        return fresh
    logger.info("resuming ranker training in %s after epoch %d", directory, meta["state"]["epoch"] + 1)
    return meta["state"]

"""LoRA fine-tuning of the generator on emotional reviews (``ecr train generator``).

The loss covers the response tokens only (the reference code also trained on the prompt — a bug, DESIGN.md), and
the LM head is applied only at those positions, which also saves most of the 49k-word softmax. The adapter with the
best validation loss (held-out movies) among the trained steps is kept and saved as safetensors beside its config JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths, force_offline
from ecr_agent.distributed import DataParallel, available_cpus, other_load
from ecr_agent.generator.base import ensure_base_checkpoint
from ecr_agent.generator.checkpoint import LoopState, TrainingCheckpoint, config_key
from ecr_agent.generator.data import ReviewExample, count_by_split, load_review_examples
from ecr_agent.generator.emotions import emotion_scorer
from ecr_agent.generator.model import TRAINING_CONFIG, adapter_dir, encode_messages
from ecr_agent.generator.prompt import SYSTEM_PROMPT
from ecr_agent.hardware import native_bfloat16
from ecr_agent.store_lock import store_lock

force_offline()

import torch  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

logger = logging.getLogger(__name__)

IGNORE = -100
PAD_MULTIPLE = 32
BUCKET_BATCHES = 16
"""Batches are drawn from pools of this many batches sorted by length (less padding), then shuffled."""
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
PROFILES: dict[str, dict[str, Any]] = {
    # the demo's adapter: 100 steps keep a fresh clone's demo under 15 min (200 steps took 7.8 min of its 17.5 on
    # 2026-12-01; validation loss 3.295 at step 80 and 3.276 at step 200 of that run)
    "quick": {
        "steps": 100,
        "batch_size": 4,
        "max_length": 320,
        "eval_every": 50,
        "valid_examples": 48,
        "max_minutes": 18.0,
    },
    "full": {"steps": 600, "batch_size": 8, "max_length": 320, "eval_every": 100, "valid_examples": 160},
    # two steps on a slice: tests and notebooks under test (not a usable adapter)
    "smoke": {
        "steps": 2,
        "batch_size": 4,
        "max_length": 320,  # every example of the slice fits, so the batches differ
        "eval_every": 2,
        "valid_examples": 4,
        "limit_examples": 8,
    },
}


@dataclass
class GeneratorTrainConfig:
    """Hyper-parameters of one fine-tuning run (saved as ``generator_config.json`` beside the adapter).

    Attributes:
        profile: ``quick`` (< 20 min on a 2-core CPU) or ``full``.
        steps: optimiser steps (each ``batch_size`` examples).
        max_length: prompt + response tokens; longer responses are cut (then without end-of-turn).
        lr: AdamW learning rate (linear warm-up, cosine decay to 10 %).
        lora_r / lora_alpha / lora_dropout / target_modules: the LoRA adapter (attention and MLP projections).
        eval_every: validation-loss interval in steps; the best adapter is kept.
        valid_examples: held-out examples (movies never trained on) used for the validation loss.
        bf16_autocast: bfloat16 matmuls; about 1.7× faster than float32 with AMX / AVX512-BF16. None (default): where
            the CPU has them (`native_bfloat16`). Emulated elsewhere, a step took 207 s instead of a few (an AVX2-only
            AMD EPYC, 2026-12-02).
        threads: torch threads; 0 = the cores not already busy (a 2-core box shared with another job: 1).
        max_minutes: stop early at this wall time (then evaluate and save); None = no limit.
        limit_examples: train on the first N training examples only (tests).
    """

    profile: str = "quick"
    seed: int = 0
    steps: int = 200
    batch_size: int = 4
    max_length: int = 320
    lr: float = 3e-4
    warmup_steps: int = 10
    weight_decay: float = 0.0
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    target_modules: tuple[str, ...] = field(default=LORA_TARGETS)
    eval_every: int = 40
    valid_examples: int = 48
    bf16_autocast: bool | None = None
    threads: int = 0
    max_minutes: float | None = None
    limit_examples: int | None = None

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1 or self.max_length < 64:
            raise ValueError("steps >= 1, batch_size >= 1 and max_length >= 64 are required")

    @classmethod
    def for_profile(cls, profile: str, seed: int = 0, **overrides: Any) -> GeneratorTrainConfig:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
        return cls(profile=profile, seed=seed, **{**PROFILES[profile], **overrides})


@dataclass(frozen=True)
class Encoded:
    """One tokenised example: ``input_ids`` and ``labels`` (``-100`` on the prompt)."""

    input_ids: list[int]
    labels: list[int]


def encode_example(tokenizer: Any, example: ReviewExample, max_length: int) -> Encoded | None:
    """Prompt (chat template) + response + end-of-turn, labels on the response only; None if the prompt is too long."""
    prompt = encode_messages(tokenizer, example.prompt.messages(), SYSTEM_PROMPT)
    if len(prompt) > max_length - 16:
        return None
    response = tokenizer(" " + example.response.strip(), add_special_tokens=False)["input_ids"]
    response = [*response, tokenizer.convert_tokens_to_ids("<|im_end|>")]
    response = response[: max_length - len(prompt)]
    return Encoded(input_ids=prompt + response, labels=[IGNORE] * len(prompt) + response)


def collate(batch: list[Encoded], pad_id: int, multiple: int = PAD_MULTIPLE) -> dict[str, torch.Tensor]:
    """Right-pad a batch to a multiple of ``multiple`` tokens: ``input_ids``, ``attention_mask``, ``labels`` (B, T).

    Few distinct shapes keep the CPU allocator from fragmenting over a run.
    """
    width = max(len(e.input_ids) for e in batch)
    width = -(-width // multiple) * multiple
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def response_loss(causal_lm: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean cross-entropy over response tokens; the LM head runs only where a label is set.

    ``causal_lm`` is a ``LlamaForCausalLM`` (LoRA layers injected in place); batch tensors are (B, T).
    """
    hidden = causal_lm.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    logits = causal_lm.lm_head(hidden[:, :-1][keep]).float()
    return torch.nn.functional.cross_entropy(logits, targets[keep])


def choose_threads(requested: int = 0) -> int:
    """``requested`` if > 0, else the cores other processes leave idle (`other_load`), at least 1."""
    if requested > 0:
        return requested
    cores = available_cpus()
    return max(1, min(cores, cores - round(other_load())))


def train_generator(
    profile: str = "full",
    seed: int = 0,
    *,
    paths: Paths,
    stop_after_steps: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Fine-tune the LoRA adapter and save it under ``models/generator`` of the store; return a report.

    Args:
        profile: ``quick`` or ``full`` (see `PROFILES`).
        seed: seeds data order, LoRA init and the random entity/triple selection.
        paths: where the data and the stores are.
        stop_after_steps: stop at the first checkpoint this many steps in, saving no adapter (tests; the next call
            resumes, as after a kill).
        **overrides: any `GeneratorTrainConfig` field (e.g. ``steps=2`` in tests).

    Under ``accelerate launch``/``torchrun`` with several processes, each step takes one batch per process and
    averages the LoRA gradients (an effective batch of ``processes × batch_size``); the main process saves.
    """
    config = GeneratorTrainConfig.for_profile(profile, seed, **overrides)
    parallel = DataParallel.from_env()
    with store_lock(paths.store_dir, "ecr train generator"):
        parallel.start("cpu")
        try:
            return _train(config, seed, paths, parallel, stop_after_steps)
        finally:
            parallel.stop()


def _train(
    config: GeneratorTrainConfig, seed: int, paths: Paths, parallel: DataParallel, stop_after_steps: int | None
) -> dict[str, Any]:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    threads = config.threads or parallel.cpu_threads(choose_threads())
    torch.set_num_threads(threads)
    random.seed(seed)
    torch.manual_seed(seed)

    scorer = emotion_scorer(paths)
    examples = load_review_examples(paths, seed=seed, emotions=scorer)
    train = [e for e in examples if e.split == "train"][: config.limit_examples]
    valid = [e for e in examples if e.split == "valid"][: config.valid_examples]
    base = ensure_base_checkpoint(paths)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    causal_lm = model.get_base_model()
    train_set = [x for x in (encode_example(tokenizer, e, config.max_length) for e in train) if x is not None]
    valid_set = [x for x in (encode_example(tokenizer, e, config.max_length) for e in valid) if x is not None]
    if not train_set:
        raise ValueError("no training example fits max_length")
    logger.info("generator: %d train / %d valid examples, %d threads", len(train_set), len(valid_set), threads)

    named = {name: p for name, p in model.named_parameters() if p.requires_grad}
    trainable = list(named.values())
    optimiser = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: _lr_factor(step, config))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    bf16 = native_bfloat16() if config.bf16_autocast is None else config.bf16_autocast
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)

    def validation_loss() -> float:
        if not valid_set or not parallel.is_main:  # only the main process chooses (and saves) the best step
            return float("nan")
        model.eval()
        total, count = 0.0, 0
        with torch.inference_mode(), autocast:
            for start in range(0, len(valid_set), 8):
                chunk = valid_set[start : start + 8]
                batch = collate(chunk, pad_id)
                tokens = int((batch["labels"][:, 1:] != IGNORE).sum())
                total += float(response_loss(causal_lm, batch)) * tokens
                count += tokens
        model.train()
        return total / max(count, 1)

    target = adapter_dir(paths)
    checkpoint = TrainingCheckpoint(target.with_name(target.name + ".checkpoint"), config_key(config))
    order = _batches([len(x.input_ids) for x in train_set], config.batch_size, seed)
    resumed = checkpoint.restore(named, optimiser)
    if resumed is None:
        history = [{"step": 0, "valid_loss": round(validation_loss(), 4)}]
        best: dict[str, Any] = {"step": 0, "valid_loss": float("inf"), "state": _lora_state(model)}
        # the untrained adapter (step 0) is the baseline, never the pick: a few smoke steps may not beat it yet
        loop = LoopState(step=0)
    else:
        loop, best_state = resumed
        history = loop.history
        best = {"step": loop.best_step, "valid_loss": loop.best_valid_loss, "state": best_state}
        schedule.last_epoch = loop.step  # the learning rate itself came back with the optimiser's param groups
        for _ in range(loop.step * parallel.world_size):
            next(order)  # the batches the killed run took
    model.train()
    tokens_seen, running, stopped_early = loop.tokens_seen, [], False
    train_started = time.perf_counter() - loop.train_seconds
    bar = tqdm(
        total=config.steps, initial=loop.step, desc="generator", unit="step", disable=not parallel.is_main,
        dynamic_ncols=True,
    )  # fmt: skip
    for step in range(loop.step + 1, config.steps + 1):
        drawn = [next(order) for _ in range(parallel.world_size)]  # the same draws everywhere; one is ours
        batch = collate([train_set[i] for i in drawn[parallel.rank]], pad_id)
        with autocast:
            loss = response_loss(causal_lm, batch)
        loss.backward()
        parallel.average_gradients(trainable)
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
        running.append(float(loss.detach()))
        tokens_seen += int(batch["attention_mask"].sum())
        bar.update(1)
        bar.set_postfix(loss=f"{sum(running) / len(running):.3f}")
        out_of_time = config.max_minutes is not None and time.perf_counter() - started > 60 * config.max_minutes
        out_of_time = parallel.any(out_of_time)  # every process stops at the same step
        if step % config.eval_every == 0 or step == config.steps or out_of_time:
            entry = {"step": step, "train_loss": round(sum(running) / len(running), 4)}
            entry["valid_loss"] = round(validation_loss(), 4)
            entry["elapsed_s"] = round(time.perf_counter() - started, 1)
            history.append(entry)
            running = []
            logger.info("generator step %d: %s", step, entry)
            if parallel.is_main:
                tqdm.write(f"generator step {step}: train loss {entry['train_loss']}, valid loss {entry['valid_loss']}")
            if entry["valid_loss"] < best["valid_loss"]:
                best = {"step": step, "valid_loss": entry["valid_loss"], "state": _lora_state(model)}
            if parallel.is_main and step < config.steps and not out_of_time:
                state = LoopState(
                    step, history, best["step"], best["valid_loss"], tokens_seen, time.perf_counter() - train_started
                )
                checkpoint.save(state, named, best["state"], optimiser)
            if stop_after_steps is not None and step - loop.step >= stop_after_steps:
                bar.close()
                return {"finished": False, "steps_done": step, "checkpoint": str(checkpoint.folder)}
        if out_of_time:
            stopped_early = step < config.steps
            logger.warning("generator training stopped at step %d: %.0f min budget reached", step, config.max_minutes)
            break
    bar.close()
    train_seconds = time.perf_counter() - train_started

    last_step = adapter_fingerprint(trainable)  # equal on every process of a launch iff gradients were averaged
    model.load_state_dict(best["state"], strict=False)
    report = {
        "finished": True,
        "resumed_from": loop.step or None,
        "profile": config.profile,
        "seed": seed,
        "adapter_dir": str(target),
        "examples": {"train": len(train_set), "valid": len(valid_set), **count_by_split(examples)},
        "emotion_labels": "classifier" if scorer else "unavailable",
        "threads": threads,
        "bf16_autocast": bf16,
        "steps_done": history[-1]["step"],
        "stopped_early": stopped_early,
        "best_step": best["step"],
        "valid_loss_base": history[0]["valid_loss"],
        "valid_loss_best": best["valid_loss"],
        "valid_perplexity_best": round(math.exp(best["valid_loss"]), 2) if best["valid_loss"] < 50 else None,
        "train_tokens_per_s": round(tokens_seen / max(train_seconds, 1e-9), 1),
        "history": history,
        "processes": parallel.world_size,
        "rank": parallel.rank,
        "last_step_fingerprint": last_step,
    }
    if not parallel.is_main:  # the processes hold the same adapter; one writes it
        return report
    _save(model, target, config, report)
    checkpoint.remove()
    report["wall_s"] = round(time.perf_counter() - started, 1)
    return report


def adapter_fingerprint(parameters: list[torch.nn.Parameter]) -> str:
    """A short hash of the trainable weights' bytes: tells whether two processes hold the same adapter."""
    digest = hashlib.sha256()
    for parameter in parameters:
        digest.update(parameter.detach().float().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _lr_factor(step: int, config: GeneratorTrainConfig) -> float:
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def _batches(lengths: list[int], batch_size: int, seed: int):  # noqa: ANN202 - an endless index-list generator
    """Shuffled batches of similar lengths: pools of `BUCKET_BATCHES` batches are sorted by length, then split."""
    rng = random.Random(seed)
    pool = batch_size * BUCKET_BATCHES
    while True:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        batches = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
            batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        rng.shuffle(batches)
        yield from (b for b in batches if len(b) == batch_size or len(lengths) < batch_size)


def _lora_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters() if p.requires_grad}


def _save(model: Any, target: Path, config: GeneratorTrainConfig, report: dict[str, Any]) -> None:
    """Write adapter safetensors + configs into a partial folder, then swap it in (never a half-written adapter).

    The old folder is renamed away before the new one takes its name (two renames, no copying), so a run killed at
    any point leaves the old adapter, no adapter, or the new one, and a file someone added to the old folder cannot
    make the swap fail.
    """
    partial, old = target.with_name(target.name + ".partial"), target.with_name(target.name + ".old")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial, safe_serialization=True)
    (partial / "README.md").unlink(missing_ok=True)  # peft's empty model card
    record = {"config": asdict(config), "report": report}
    (partial / TRAINING_CONFIG).write_text(json.dumps(record, indent=2, default=list))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    partial.replace(target)
    shutil.rmtree(old, ignore_errors=True)

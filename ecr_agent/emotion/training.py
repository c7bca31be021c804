"""Train the emotion classifier: ``ecr train emotion --profile quick|full --seed N`` calls `train_emotion`.

A recipe is a list of stages, each fine-tuning the same model on one set of examples: first (optionally) GoEmotions
mapped to the nine labels, then the hand annotations (optionally with the questionnaire's negative evidence).
The loss is a soft-target cross-entropy over the nine labels (a two-label utterance puts 1/2 on each), restricted to
the labels each source can speak about. After training, a bias on the *negative* logit is chosen on the validation
annotations so that negative feedback is detected (recall ≥ 0.80 where reachable). Training is seeded and resumable:
a checkpoint (weights, optimizer, position) is written every ``checkpoint_every`` steps and at each epoch's end.
Under ``accelerate launch``/``torchrun`` with several processes, each trains on its share of every epoch's batches
with gradients averaged by DDP (an effective batch of ``processes × batch_size``); the main process writes the files.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths, StoreNotBuiltError, force_offline
from ecr_agent.distributed import DataParallel, available_cpus, idle_threads
from ecr_agent.emotion.dataset import EmotionExample, annotated_examples, questionnaire_examples
from ecr_agent.emotion.evaluation import score_predictions
from ecr_agent.emotion.labels import EMOTIONS
from ecr_agent.emotion.model import (
    CONFIG_FILE,
    EmotionClassifier,
    EmotionModelConfig,
    batch_logits,
    calibrated_log_probs,
    load_tokenizer,
    save_weights,
    tokenize,
)
from ecr_agent.minilm import pad_batch
from ecr_agent.optim_state import load_optimizer, optimizer_tensors
from ecr_agent.store_files import check_tensors, read_json, replacing
from ecr_agent.store_lock import store_lock

force_offline()

import torch  # noqa: E402

logger = logging.getLogger(__name__)

NEGATIVE = EMOTIONS.index("negative")
MASKED_LOGIT = -1e4
"""Logit given to labels outside an example's mask (finite, so 0 · log p stays 0)."""


@dataclass(frozen=True)
class TrainProfile:
    """Everything that decides a training run (saved in the report; a resumed run must match it)."""

    name: str = "full"
    goemotions: int | None = None
    """GoEmotions comments in the first stage: 0 skips the stage, None uses all (≈43k)."""
    goemotions_epochs: int = 1
    goemotions_lr: float = 5e-5
    annotation_epochs: int = 5
    lr: float = 5e-5
    questionnaire: bool = True
    """Add the questionnaire's weak negative examples to the annotation stage."""
    questionnaire_weight: float = 1.0
    negative_weight: float = 1.0
    """Class weight of *negative* in the loss (the rarest label that matters most to the ranker)."""
    batch_size: int = 32
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_length: int = 64
    finetune: str = "full"
    """``full`` fine-tuning or ``lora`` (peft adapters on every linear layer, merged before saving)."""
    lora_rank: int = 16
    freeze_word_embeddings: bool = True
    """Keep the 11.7M-parameter token embedding fixed (full fine-tuning): half the optimizer work on CPU."""
    calibrate: bool = True
    target_negative_recall: float = 0.80
    max_recall_at_2_drop: float = 0.01
    """Calibration never buys negative recall with more than this much validation Recall@2."""
    annotate: bool = False
    """Cache the emotions of every seeker utterance (train, valid, test) after training."""
    limit_annotations: int | None = None
    """Use only the first N train annotations (tests)."""
    limit_valid: int | None = None
    checkpoint_every: int = 200

    def __post_init__(self) -> None:
        if self.finetune not in ("full", "lora"):
            raise ValueError(f"finetune must be 'full' or 'lora', got {self.finetune!r}")
        if self.annotation_epochs < 1 and self.goemotions == 0:
            raise ValueError("nothing to train: no GoEmotions stage and no annotation epochs")

    @property
    def recipe(self) -> str:
        parts = ["goemotions"] if self.goemotions != 0 else []
        if self.annotation_epochs > 0:
            parts.append("annotations")
            if self.questionnaire:
                parts.append("questionnaire")
        return "+".join(parts)


PROFILES: dict[str, TrainProfile] = {
    # annotations + questionnaire only, 2 short epochs: < 3 min on 2 CPU cores; the cache is built lazily
    "quick": TrainProfile(name="quick", goemotions=0, annotation_epochs=2, lr=1e-4, annotate=False),
    # the recipe chosen on validation (benchmarks/emotion/results.md): 12k GoEmotions comments (as good as all 43k
    # there, at a quarter of the CPU time), then annotations + questionnaire evidence for 5 epochs, then calibration
    "full": TrainProfile(name="full", goemotions=12000, annotation_epochs=5, annotate=True),
    # a few steps on a slice: tests, notebooks under test, first-contact smoke runs (not a usable model)
    "smoke": TrainProfile(
        name="smoke", goemotions=0, annotation_epochs=1, limit_annotations=96, limit_valid=48, calibrate=False
    ),
}


@dataclass
class Stage:
    """One pass of fine-tuning over ``examples`` for ``epochs`` epochs at peak learning rate ``lr``."""

    name: str
    examples: list[EmotionExample]
    epochs: int
    lr: float


@dataclass
class Encoded:
    """Examples as token ids and tensors: targets (N, 9) sum to 1 per row, masks (N, 9), weights (N,)."""

    ids: list[list[int]]
    targets: torch.Tensor
    masks: torch.Tensor
    weights: torch.Tensor

    @classmethod
    def from_examples(cls, examples: Sequence[EmotionExample], tokenizer: Any, max_length: int) -> Encoded:
        targets = torch.zeros(len(examples), len(EMOTIONS))
        for row, example in enumerate(examples):
            for label in example.labels:
                targets[row, EMOTIONS.index(label)] = 1.0 / len(example.labels)
        return cls(
            ids=tokenize(tokenizer, [e.text for e in examples], max_length),
            targets=targets,
            masks=torch.tensor([e.label_mask for e in examples], dtype=torch.bool),
            weights=torch.tensor([e.weight for e in examples], dtype=torch.float),
        )


def emotion_loss(
    logits: torch.Tensor, targets: torch.Tensor, masks: torch.Tensor, weights: torch.Tensor, class_weights: torch.Tensor
) -> torch.Tensor:
    """Weighted soft-target cross-entropy over each example's known labels: (B, 9) logits → scalar."""
    log_probs = torch.log_softmax(logits.masked_fill(~masks, MASKED_LOGIT), dim=-1)
    per_example = -(targets * class_weights * log_probs).sum(-1)
    return (per_example * weights).sum() / weights.sum()


def make_batches(lengths: Sequence[int], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffled batches of similar-length examples (sorted within pools of 50 batches) to cut padding on CPU."""
    permutation = torch.randperm(len(lengths), generator=generator).tolist()
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(permutation), pool):
        chunk = sorted(permutation[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def learning_rate(step: int, total: int, peak: float, warmup: float) -> float:
    """Linear warm-up over the first ``warmup`` fraction of ``total`` steps, then linear decay to 0."""
    warm = max(1, int(total * warmup))
    if step < warm:
        return peak * (step + 1) / warm
    return peak * max(0.0, (total - step) / max(1, total - warm))


def derived_seed(*parts: int) -> int:
    return int.from_bytes(str(parts).encode(), "little") % (2**31 - 1)


def set_cpu_threads(threads: int | None = None, parallel: DataParallel | None = None) -> int:
    """Set torch's CPU threads: ``threads``, or `idle_threads` (every CPU when the machine is idle, 1 when busy,
    decided before training starts); training processes launched together on one machine (``parallel``) split its
    CPUs between them.
    """
    if threads is None:
        idle = idle_threads()
        threads = 1 if idle == 1 else (parallel or DataParallel()).cpu_threads(idle)
    torch.set_num_threads(max(1, threads))
    logger.info("torch uses %d CPU thread(s) of %d", torch.get_num_threads(), available_cpus())
    return torch.get_num_threads()


def validation_scores(
    model: EmotionClassifier, valid: Encoded | None, gold: Sequence[Sequence[str]], device: str
) -> dict[str, Any] | None:
    """Metrics of ``model`` on the validation annotations (its current calibration), or None without them."""
    if valid is None:
        return None
    probabilities = calibrated_log_probs(batch_logits(model, valid.ids, device=device), model.config).exp()
    return score_predictions(gold, [dict(zip(EMOTIONS, row.tolist(), strict=True)) for row in probabilities])


def compact(scores: dict[str, Any]) -> dict[str, float]:
    keys = ("recall_at_2", "recall_at_1", "macro_f1", "negative_recall")
    return {k: round(float(scores[k]), 4) for k in keys} | {
        "negative_f1": round(scores["per_label"]["negative"]["f1"], 4)
    }


class Checkpoint:
    """Weights, optimizer state and position of an unfinished run (safetensors + JSON; no pickles)."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint

    def read_state(self) -> dict[str, Any] | None:
        """The saved position, or None without a checkpoint, with an unreadable one, or one from another run."""
        path = self.directory / "state.json"
        if not path.exists():
            return None
        try:
            state = read_json(path, "ecr train emotion")
            for name in ("model.safetensors", "optimizer.safetensors"):
                check_tensors(self.directory / name, "ecr train emotion")
        except StoreNotBuiltError as error:  # a torn checkpoint must not stop the command that replaces it
            logger.warning("ignoring checkpoint %s: %s; training from the start", self.directory, error)
            return None
        if not isinstance(state, dict) or state.get("fingerprint") != self.fingerprint:
            logger.warning("ignoring checkpoint %s: it belongs to another profile or seed", self.directory)
            return None
        return state

    def save(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any]) -> None:
        from safetensors.torch import save_file

        self.directory.mkdir(parents=True, exist_ok=True)
        # state.json marks the checkpoint whole: it goes first and comes back last, so a run killed in between
        # resumes from nothing rather than from new weights with an old position
        (self.directory / "state.json").unlink(missing_ok=True)
        weights = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
        with replacing(self.directory / "model.safetensors") as partial:
            save_file(weights, str(partial))
        tensors, param_groups = optimizer_tensors(optimizer)
        with replacing(self.directory / "optimizer.safetensors") as partial:
            save_file(tensors, str(partial))
        state = state | {"fingerprint": self.fingerprint, "param_groups": param_groups}
        with replacing(self.directory / "state.json") as partial:
            partial.write_text(json.dumps(state))

    def load_model(self, model: torch.nn.Module) -> None:
        from safetensors.torch import load_file

        model.load_state_dict(load_file(str(self.directory / "model.safetensors")))

    def load_optimizer(self, optimizer: torch.optim.Optimizer, state: dict[str, Any]) -> None:
        from safetensors.torch import load_file

        load_optimizer(optimizer, load_file(str(self.directory / "optimizer.safetensors")), state["param_groups"])

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Fitter:
    """Runs the stages of a recipe on one model, with per-epoch validation, progress bars and checkpoints."""

    model: EmotionClassifier
    tokenizer: Any
    profile: TrainProfile
    seed: int = 0
    device: str = "cpu"
    valid: list[EmotionExample] | None = None
    checkpoint: Checkpoint | None = None
    progress: bool = True
    history: list[dict[str, Any]] = field(default_factory=list)
    stop_after_steps: int | None = None
    """Stop (leaving the checkpoint) after this many optimisation steps in this process: used to test resuming."""
    parallel: DataParallel = field(default_factory=DataParallel)
    """This process's share of a data-parallel run (one process by default)."""

    def __post_init__(self) -> None:
        self.model.to(self.device)
        self._trained = self.model  # the DDP wrapper under several processes, set in `fit`
        self._valid = Encoded.from_examples(self.valid, self.tokenizer, self.profile.max_length) if self.valid else None
        self._gold = [e.labels for e in self.valid or []]
        weights = torch.ones(len(EMOTIONS))
        weights[NEGATIVE] = self.profile.negative_weight
        self._class_weights = weights.to(self.device)
        self._steps_here = 0

    @property
    def steps_done(self) -> int:
        """Optimisation steps this process took (resumed steps not counted)."""
        return self._steps_here

    def fit(self, stages: Sequence[Stage], offset: int = 0) -> bool:
        """Run ``stages`` (resuming from the checkpoint when it matches); False when stopped early.

        ``offset`` is the index of the first stage in its recipe (it seeds data order and dropout), for continuing
        from a model whose earlier stages were trained elsewhere.
        """
        state = self.checkpoint.read_state() if self.checkpoint else None
        start = (0, 0, 0)
        if state is not None:
            self.checkpoint.load_model(self.model)  # type: ignore[union-attr]
            self.history = state["history"]
            start = (state["stage"], state["epoch"], state["step"])
            logger.info("resuming from %s: stage %d, epoch %d, step %d", self.checkpoint.directory, *start)  # type: ignore[union-attr]
        # after resuming: DDP starts every process from rank 0's weights; LoRA adapters on the unused pooler get no
        # gradient, so DDP must look for them
        self._trained = self.parallel.wrap(self.model, find_unused_parameters=self.profile.finetune == "lora")
        for index, stage in enumerate(stages, start=offset):
            if index < start[0]:
                continue
            resume = state if index == start[0] and state is not None else None
            if not self._run_stage(index, stage, resume):
                return False
        return True

    def _run_stage(self, index: int, stage: Stage, resume: dict[str, Any] | None) -> bool:
        encoded = Encoded.from_examples(stage.examples, self.tokenizer, self.profile.max_length)
        lengths = [len(ids) for ids in encoded.ids]
        batches_per_epoch = len(self.parallel.shard(range(-(-len(lengths) // self.profile.batch_size))))
        total = batches_per_epoch * stage.epochs
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=stage.lr, weight_decay=self.profile.weight_decay, fused=True)
        first_epoch, first_step = 0, 0
        if resume is not None:
            first_epoch, first_step = resume["epoch"], resume["step"]
            if first_epoch or first_step:
                self.checkpoint.load_optimizer(optimizer, resume)  # type: ignore[union-attr]
        for epoch in range(first_epoch, stage.epochs):
            generator = torch.Generator().manual_seed(derived_seed(self.seed, index, epoch))
            batches = self.parallel.shard(make_batches(lengths, self.profile.batch_size, generator))
            skip = first_step if epoch == first_epoch else 0
            losses = (resume.get("loss_sum", 0.0), resume.get("loss_count", 0)) if skip and resume else (0.0, 0)
            if not self._run_epoch(index, stage, epoch, encoded, batches, skip, optimizer, total, losses):
                return False
        return True

    def _run_epoch(
        self,
        index: int,
        stage: Stage,
        epoch: int,
        data: Encoded,
        batches: list[list[int]],
        skip: int,
        optimizer: torch.optim.Optimizer,
        total: int,
        losses: tuple[float, int] = (0.0, 0),
    ) -> bool:
        from tqdm.auto import tqdm

        main = self.parallel.is_main
        self.model.train()
        every = self.profile.checkpoint_every
        bar = tqdm(
            total=len(batches),
            initial=skip,
            desc=f"emotion {stage.name} epoch {epoch + 1}/{stage.epochs}",
            disable=not (self.progress and main),
            file=sys.stderr,
            dynamic_ncols=True,
        )
        ranks = (self.parallel.rank,) if self.parallel.enabled else ()  # each process its own dropout
        loss_sum, loss_count = losses
        for number in range(skip, len(batches)):
            torch.manual_seed(derived_seed(self.seed, index, epoch, number, *ranks))  # a resumed run replays exactly
            batch = batches[number]
            step = epoch * len(batches) + number
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, total, stage.lr, self.profile.warmup)
            input_ids, attention = pad_batch([data.ids[i] for i in batch])
            logits = self._trained(input_ids.to(self.device), attention.to(self.device))
            loss = emotion_loss(
                logits,
                data.targets[batch].to(self.device),
                data.masks[batch].to(self.device),
                data.weights[batch].to(self.device),
                self._class_weights,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            optimizer.step()
            loss_sum, loss_count = loss_sum + float(loss.detach()), loss_count + 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss_sum / loss_count:.3f}")
            self._steps_here += 1
            done = number + 1
            stopping = self.stop_after_steps is not None and self._steps_here >= self.stop_after_steps
            if main and self.checkpoint and (done % every == 0 or stopping) and done < len(batches):
                position = {
                    "stage": index,
                    "epoch": epoch,
                    "step": done,
                    "loss_sum": loss_sum,
                    "loss_count": loss_count,
                }
                self.checkpoint.save(self.model, optimizer, position | {"history": self.history})
            if stopping and done < len(batches):
                bar.close()
                return False
        bar.close()
        report = {"stage": stage.name, "epoch": epoch + 1, "train_loss": round(loss_sum / max(1, loss_count), 4)}
        scores = validation_scores(self.model, self._valid, self._gold, self.device) if main else None
        if scores is not None:
            report |= {"valid": compact(scores)}
        self.history.append(report)
        message = f"emotion {stage.name} epoch {epoch + 1}/{stage.epochs}: {json.dumps(report)}"
        if self.progress and main:
            tqdm.write(message, file=sys.stderr)
        else:
            logger.info(message)
        if main and self.checkpoint:
            self.checkpoint.save(
                self.model, optimizer, {"stage": index, "epoch": epoch + 1, "step": 0, "history": self.history}
            )
        stopping = self.stop_after_steps is not None and self._steps_here >= self.stop_after_steps
        return not stopping


def build_stages(
    profile: TrainProfile, paths: Paths, sources: dict[str, list[EmotionExample]] | None = None
) -> list[Stage]:
    """The stages of ``profile``'s recipe; ``sources`` (goemotions / annotations / questionnaire) skips re-loading."""
    sources = dict(sources or {})
    stages = []
    if profile.goemotions != 0:
        if "goemotions" not in sources:
            from ecr_agent.emotion.goemotions import load_goemotions

            sources["goemotions"] = load_goemotions("train", paths)
        comments = sources["goemotions"]
        if profile.goemotions is not None and profile.goemotions < len(comments):
            comments = random.Random(0).sample(comments, profile.goemotions)  # a fixed sample, whatever the seed
        stages.append(Stage("goemotions", comments, profile.goemotions_epochs, profile.goemotions_lr))
    if profile.annotation_epochs > 0:
        examples = sources.get("annotations") or annotated_examples("train", paths, limit=profile.limit_annotations)
        if profile.questionnaire:
            weak = sources.get("questionnaire") or questionnaire_examples(paths)
            examples = examples + [replace(e, weight=profile.questionnaire_weight) for e in weak]
        stages.append(Stage("annotations", examples, profile.annotation_epochs, profile.lr))
    return stages


def trained_label_mask(stages: Sequence[Stage]) -> list[bool]:
    """Labels that occur as a positive somewhere in the training data (the others cannot be predicted)."""
    seen = {label for stage in stages for example in stage.examples for label in example.labels}
    return [label in seen for label in EMOTIONS]


def new_model(
    profile: TrainProfile, seed: int, label_mask: list[bool], encoder_dir: Path | None = None
) -> EmotionClassifier:
    """A classifier on the pretrained MiniLM, seeded; with LoRA adapters when the profile says so."""
    torch.manual_seed(seed)
    config = EmotionModelConfig(
        max_length=profile.max_length, label_mask=label_mask, recipe=profile.recipe, finetune=profile.finetune
    )
    model = EmotionClassifier.from_pretrained_encoder(config, encoder_dir)
    if profile.freeze_word_embeddings:
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    if getattr(model.encoder, "pooler", None) is not None:
        model.encoder.pooler.requires_grad_(False)  # we mean-pool: the [CLS] pooler never reaches the loss
    if profile.finetune == "lora":
        from peft import LoraConfig, get_peft_model

        adapters = LoraConfig(
            r=profile.lora_rank,
            lora_alpha=2 * profile.lora_rank,
            lora_dropout=0.1,
            target_modules=["query", "key", "value", "dense"],
        )
        model.encoder = get_peft_model(model.encoder, adapters)
    return model


def finish_model(model: EmotionClassifier) -> EmotionClassifier:
    """Merge LoRA adapters into the encoder (a plain MiniLM again); a no-op for full fine-tuning."""
    if hasattr(model.encoder, "merge_and_unload"):
        model.encoder = model.encoder.merge_and_unload()
    return model.eval()


def calibrate_negative(
    model: EmotionClassifier,
    tokenizer: Any,
    valid: Sequence[EmotionExample],
    profile: TrainProfile,
    device: str = "cpu",
) -> dict[str, Any]:
    """Pick the smallest bias on the *negative* logit that reaches the target validation negative recall.

    Candidates go from 0 to 4 in steps of 0.25; a bias is allowed only while validation Recall@2 stays within
    ``max_recall_at_2_drop`` of the uncalibrated model. The chosen bias is written into ``model.config``.
    """
    logits = batch_logits(model, tokenize(tokenizer, [e.text for e in valid], profile.max_length), device=device)
    gold = [e.labels for e in valid]
    trace = []
    for step in range(17):
        bias = step * 0.25
        model.config.logit_bias[NEGATIVE] = bias
        probabilities = calibrated_log_probs(logits, model.config).exp()
        scores = score_predictions(gold, [dict(zip(EMOTIONS, row.tolist(), strict=True)) for row in probabilities])
        trace.append({"bias": bias} | compact(scores))
    allowed = [t for t in trace if t["recall_at_2"] >= trace[0]["recall_at_2"] - profile.max_recall_at_2_drop]
    reaching = [t for t in allowed if t["negative_recall"] >= profile.target_negative_recall]
    chosen = reaching[0] if reaching else max(allowed, key=lambda t: (t["negative_recall"], -t["bias"]))
    model.config.logit_bias[NEGATIVE] = chosen["bias"]
    return {"negative_bias": chosen["bias"], "target_reached": bool(reaching), "chosen": chosen, "trace": trace}


def train_emotion(
    profile: str | TrainProfile = "full",
    seed: int = 0,
    *,
    paths: Paths,
    device: str = "cpu",
    progress: bool = True,
    stop_after_steps: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Train the emotion classifier into ``models/emotion`` of the store in ``paths``; return a JSON-able report.

    Args:
        profile: ``quick`` (annotations + questionnaire, < 3 min on 2 CPU cores), ``full`` (the recipe chosen on
            validation, < 15 min) or a `TrainProfile`.
        seed: seeds the head, LoRA adapters, data order and dropout.
        paths: the data to read and the store to write.
        device: torch device (``cpu``; ``cuda`` works too).
        progress: show progress bars on stderr.
        stop_after_steps: stop after this many steps, leaving a checkpoint that the next call resumes (tests).
        threads: torch CPU threads (default: all CPUs on an idle machine, 1 on a busy one; see `set_cpu_threads`).

    The report holds the profile, data sizes, per-epoch validation figures, the calibration and the final validation
    metrics; with ``profile.annotate`` the emotions of every seeker utterance are cached for the ranker.
    """
    settings = PROFILES[profile] if isinstance(profile, str) else profile
    parallel = DataParallel.from_env()
    device = parallel.device(device)
    previous_threads = torch.get_num_threads()
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    with store_lock(paths.store_dir, "ecr train emotion"):
        try:
            used = set_cpu_threads(threads, parallel) if device == "cpu" else None
            parallel.start(device)
            report = _train(settings, seed, paths, device, progress, stop_after_steps, parallel)
        finally:
            torch.set_num_threads(previous_threads)  # leave the process as we found it
            parallel.stop()
    return {"cpu_threads": used, "load_average_at_start": load} | report


def _train(
    settings: TrainProfile,
    seed: int,
    paths: Paths,
    device: str,
    progress: bool,
    stop_after_steps: int | None,
    parallel: DataParallel,
) -> dict[str, Any]:
    started = time.perf_counter()
    valid = annotated_examples("valid", paths, limit=settings.limit_valid)
    stages = build_stages(settings, paths)
    fingerprint = json.dumps({"profile": asdict(settings), "seed": seed, "sizes": [len(s.examples) for s in stages]})
    model_dir = paths.model_dir("emotion")
    checkpoint = Checkpoint(model_dir / "checkpoint", fingerprint)
    resumed = checkpoint.read_state()
    model = new_model(settings, seed, trained_label_mask(stages))
    tokenizer = load_tokenizer()
    fitter = Fitter(
        model, tokenizer, settings, seed, device, valid, checkpoint, progress, [], stop_after_steps, parallel
    )
    finished = fitter.fit(stages)
    report: dict[str, Any] = {
        "profile": asdict(settings),
        "recipe": settings.recipe,
        "seed": seed,
        "device": device,
        "cpu_threads": torch.get_num_threads() if device == "cpu" else None,
        "examples": {stage.name: len(stage.examples) for stage in stages},
        "valid_examples": len(valid),
        "resumed_from": {k: resumed[k] for k in ("stage", "epoch", "step")} if resumed else None,
        "history": fitter.history,
        "finished": finished,
        "model_dir": str(model_dir),
        "processes": parallel.world_size,
        "rank": parallel.rank,
        "steps_per_process": fitter.steps_done,
    }
    if not finished or not parallel.is_main:  # only the main process of a data-parallel run writes the model
        report["train_seconds"] = round(time.perf_counter() - started, 1)
        return report
    finish_model(model)
    if settings.calibrate:
        report["calibration"] = calibrate_negative(model, tokenizer, valid, settings, device)
    encoded_valid = Encoded.from_examples(valid, tokenizer, settings.max_length)
    report["valid"] = validation_scores(model, encoded_valid, [e.labels for e in valid], device)
    model.to("cpu")
    (model_dir / CONFIG_FILE).unlink(missing_ok=True)  # the config marks the model whole: written after the weights
    save_weights(model, model_dir)
    model.config.save(model_dir)
    checkpoint.clear()
    report["train_seconds"] = round(time.perf_counter() - started, 1)
    with replacing(model_dir / "report.json") as partial:
        partial.write_text(json.dumps(report, indent=1) + "\n")
    if settings.annotate:
        report["annotate_seconds"] = annotate_all(paths)
    logger.info("emotion classifier saved in %s (%.0f s)", model_dir, report["train_seconds"])
    return report


def annotate_all(paths: Paths) -> float:
    """Cache the emotions of every seeker utterance of train, valid and test; returns the seconds it took."""
    from ecr_agent.emotion.inference import SOURCE_SPLITS, EmotionPredictor, annotate_split

    started = time.perf_counter()
    predictor = EmotionPredictor.load(paths)
    for split in SOURCE_SPLITS:
        annotate_split(predictor, split, paths)
    return round(time.perf_counter() - started, 1)

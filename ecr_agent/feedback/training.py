"""Train the feedback reader: ``ecr train feedback --profile smoke|quick|full`` calls `train_feedback`.

Recipe: questionnaire-labelled items of the ReDial train split (`questionnaire_examples`) → frozen MiniLM features
(`featurize`, cached under ``$ECR_STORE_DIR/cache/feedback``) → a small MLP with a ``liked`` and a ``seen`` head,
trained with class-weighted cross-entropy (a turned-down movie is ~5 % of the items) on a ``liked`` target that
mixes the seeker's questionnaire answer with the recommender's (ReDial asks both; where they disagree the text rarely
shows the seeker's answer) → decision thresholds chosen on the audited replies of the validation split
(`audited_valid_examples`, `split_of`) together with the IARD audit (`audited_iard_examples`: both labelled per reply,
as the chain asks; never test) → ``model.safetensors`` + ``config.json`` in ``$ECR_STORE_DIR/models/feedback``.

Profiles: ``full`` (every train dialogue, 64 hidden units, 20 epochs: ~10 s after the features, which take
~1.5 min to embed once on one core and are cached), ``quick`` (the same data, fewer epochs), ``smoke`` (600
dialogues, a smaller head: ~20 s, for tests; reads clear cases, not a model to ship).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch.nn import functional as F

from ecr_agent.config import Paths, force_offline
from ecr_agent.cpu import torch_threads
from ecr_agent.feedback.dataset import (
    FeedbackExample,
    FeedbackItem,
    audited_iard_examples,
    audited_valid_examples,
    questionnaire_examples,
)
from ecr_agent.feedback.evaluation import binary_scores
from ecr_agent.feedback.model import (
    EMBEDDING_DIM,
    FeedbackHead,
    FeedbackModelConfig,
    embed_texts,
    save_model,
    with_flags,
)
from ecr_agent.feedback.reader import MODEL_NAME, item_rule_verdict, rule_settles, verdicts_from_probabilities
from ecr_agent.store_files import replacing
from ecr_agent.store_lock import store_lock

force_offline()

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedbackTrainProfile:
    """Everything that decides a training run (saved in the model's config under ``training``)."""

    name: str = "full"
    hidden: int = 64
    dropout: float = 0.2
    epochs: int = 20
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-2
    class_power: float = 0.5
    """``liked`` class weights are (1 / frequency) ** class_power (0: unweighted, 1: fully balanced)."""
    recommender_weight: float = 0.0
    """Share of the ``liked`` target taken from the recommender's questionnaire (0: the seeker's answer only)."""
    seen_weight: float = 0.5
    """Weight of the ``seen`` head's loss next to the ``liked`` head's."""
    limit_train: int | None = None
    """Use only the first N train dialogues (smoke runs)."""
    limit_valid: int | None = None
    limit_audited: int | None = None
    """Use only the first N items of the IARD audit for thresholds (smoke runs)."""
    audited_valid: bool = True
    """Choose thresholds on the audited validation replies (labelled by what the reply says) instead of the validation
    questionnaires (what the seeker answered after the chat, often not in the text)."""
    seed: int = 0


PROFILES: dict[str, FeedbackTrainProfile] = {
    # chosen on validation turned-down F1: 64 hidden units / 20 epochs 0.42 (256 / 40: 0.38, logistic head: 0.40);
    # 30 % of the liked target from the recommender's questionnaire 0.43 (0 %: 0.42, 50 %: 0.42)
    "full": FeedbackTrainProfile(name="full", recommender_weight=0.3),
    "quick": FeedbackTrainProfile(name="quick", epochs=8, recommender_weight=0.3),
    # a slice of the data: the test suite's store (reads clear cases; not a model to ship)
    "smoke": FeedbackTrainProfile(
        name="smoke",
        recommender_weight=0.3,
        hidden=32,
        epochs=15,
        limit_train=600,
        limit_valid=100,
        limit_audited=100,
    ),
}


def train_feedback(
    profile: str = "full",
    *,
    paths: Paths,
    progress: bool = True,
    threads: int = 1,
    **overrides: Any,
) -> dict[str, Any]:
    """Train the reader of ``profile`` into ``models/feedback`` of the store in ``paths``; return its report.

    Args:
        profile: ``full``, ``quick`` or ``smoke`` (see the module docstring).
        paths: where the data is and where the model goes.
        progress: log each epoch's training loss at INFO level.
        threads: torch CPU threads while embedding and training. One by default: the head is tiny, and on a shared
            machine extra threads wait on each other (a smoke run took 121 s with 2 threads while the demo trained,
            18 s with 1; `ecr_agent.distributed.idle_threads` had judged the machine idle).
        overrides: `FeedbackTrainProfile` fields to change (experiments).

    Returns:
        ``{"profile", "train_examples", "valid_examples", "valid": scores, "thresholds", "wall_s", "model_dir"}``.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    settings = replace(PROFILES[profile], **overrides)
    with store_lock(paths.store_dir, "ecr train feedback"), torch_threads(max(1, threads)):
        return _train(profile, settings, paths, progress)


def _train(profile: str, settings: FeedbackTrainProfile, paths: Paths, progress: bool) -> dict[str, Any]:
    started = time.perf_counter()
    torch.manual_seed(settings.seed)
    train = questionnaire_examples("train", paths, limit=settings.limit_train)
    valid = (
        audited_valid_examples(paths)[: settings.limit_valid]
        if settings.audited_valid
        else questionnaire_examples("valid", paths, limit=settings.limit_valid)
    )
    audited = audited_iard_examples(paths)[: settings.limit_audited]
    train_x, valid_x = cached_features(train, paths), cached_features([*valid, *audited], paths)
    features_s = time.perf_counter() - started
    config = FeedbackModelConfig(hidden=settings.hidden, dropout=settings.dropout)
    model = fit_head(config, train_x, train, settings, progress)
    said = len(audited) + (len(valid) if settings.audited_valid else 0)  # labelled by what the reply says
    thresholds = choose_thresholds(model, valid_x, [*valid, *audited], audited=said)
    model.config = replace(model.config, **thresholds)
    scores = validation_scores(model, valid_x, [*valid, *audited])
    wall = time.perf_counter() - started
    model.config.training = {
        "profile": asdict(settings),
        "train_examples": len(train),
        "valid_examples": len(valid),
        "valid": scores,
        "features_s": round(features_s, 1),
        "wall_s": round(wall, 1),
    }
    directory = paths.model_dir(MODEL_NAME)
    save_model(model, directory)
    logger.info("feedback reader trained in %.1f s: valid turned_down %s", wall, scores["turned_down"])
    return {
        "profile": profile,
        "train_examples": len(train),
        "valid_examples": len(valid),
        "valid": scores,
        "thresholds": thresholds,
        "features_s": round(features_s, 1),
        "wall_s": round(wall, 1),
        "model_dir": str(directory),
    }


def cached_features(examples: Sequence[FeedbackExample], paths: Paths) -> torch.Tensor:
    """`featurize` the examples' items; the MiniLM embeddings (the slow part) are cached in
    ``$ECR_STORE_DIR/cache/feedback/<hash>.safetensors`` and the cue flags computed afresh, so changed rules never
    meet stale features."""
    items = [e.item for e in examples]
    key = items_hash(items)
    path = paths.cache_dir / "feedback" / f"{key}.safetensors"
    if path.exists():
        try:
            embeddings = load_file(str(path))["embeddings"]
            if embeddings.shape == (len(items), 3 * EMBEDDING_DIM):
                return with_flags(embeddings, items)
        except Exception:  # a torn or old-format cache file is rebuilt below
            logger.warning("rebuilding the feature cache %s", path)
    from ecr_agent.text_encoder import shared_encoder

    embeddings = embed_texts(items, shared_encoder())
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial:
        save_file({"embeddings": embeddings.contiguous()}, str(partial))
    return with_flags(embeddings, items)


def items_hash(items: Sequence[FeedbackItem]) -> str:
    """A key of the texts `embed_texts` reads, so a changed dataset never reuses stale embeddings."""
    digest = hashlib.sha256()
    for item in items:
        digest.update("\x1f".join((item.reply, item.clause, item.suggestion)).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:24]


def labels(examples: Sequence[FeedbackExample], recommender_weight: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Soft ``liked`` targets (N, 3) mixing the seeker's and the recommender's answers, and ``seen`` codes (N,)."""
    seeker = F.one_hot(torch.tensor([e.liked for e in examples], dtype=torch.long), 3).float()
    recommender = F.one_hot(torch.tensor([e.recommender_liked for e in examples], dtype=torch.long), 3).float()
    liked = (1 - recommender_weight) * seeker + recommender_weight * recommender
    return liked, torch.tensor([e.seen for e in examples])


def fit_head(
    config: FeedbackModelConfig,
    features: torch.Tensor,
    examples: Sequence[FeedbackExample],
    settings: FeedbackTrainProfile,
    progress: bool = False,
) -> FeedbackHead:
    """Train a `FeedbackHead` with AdamW on class-weighted cross-entropy of both heads (a fixed number of epochs)."""
    liked, seen = labels(examples, settings.recommender_weight)
    counts = liked.sum(0).clamp(min=1)
    class_weights = (counts.sum() / counts) ** settings.class_power
    class_weights = class_weights / class_weights.mean()
    model = FeedbackHead(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    generator = torch.Generator().manual_seed(settings.seed)
    steps = settings.epochs * max(1, -(-len(examples) // settings.batch_size))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=settings.lr, total_steps=max(1, steps))
    model.train()
    for epoch in range(settings.epochs):
        total = 0.0
        for rows in torch.randperm(len(examples), generator=generator).split(settings.batch_size):
            liked_logits, seen_logits = model(features[rows])
            loss = F.cross_entropy(liked_logits, liked[rows], weight=class_weights)
            loss = loss + settings.seen_weight * F.cross_entropy(seen_logits, seen[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * len(rows)
        if progress:
            logger.info("epoch %d/%d: loss %.4f", epoch + 1, settings.epochs, total / max(1, len(examples)))
    return model.eval()


def predict_probabilities(model: FeedbackHead, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    with torch.inference_mode():
        liked, seen = model(features)
    return liked.softmax(-1), seen.softmax(-1)


def best_threshold(
    scores: Sequence[float],
    gold: Sequence[bool],
    macro: bool = False,
    candidates: Sequence[float] | None = None,
) -> float:
    """The threshold on ``scores`` with the best F1 of ``gold`` (0.5 when there is no positive example).

    ``macro`` maximises the mean F1 of both classes instead: for a majority class (accepted, seen) plain F1 is best
    when everything is called positive, which says nothing. ``candidates`` are the thresholds tried (all scores when
    not given).
    """
    if not any(gold) or all(gold):
        return 0.5
    gold = list(gold)
    negatives = [not g for g in gold]
    best, best_score = 0.5, -1.0
    for threshold in sorted({round(s, 3) for s in (scores if candidates is None else candidates)}):
        predicted = [s >= threshold for s in scores]
        score = binary_scores(predicted, gold)["f1"]
        if macro:
            score = (score + binary_scores([not p for p in predicted], negatives)["f1"]) / 2
        if score > best_score:
            best, best_score = threshold, score
    return float(best)


def model_thresholds(scores: torch.Tensor, settled: Sequence[bool | None]) -> list[float]:
    """Thresholds worth trying on the model's ``scores``: those of the items the words leave open, and one just above
    them all (the model adds nothing). Always below 1, so a settled item's score of 1.0 is never the threshold.
    """
    open_scores = [round(p, 3) for p, s in zip(scores.tolist(), settled, strict=True) if s is None]
    ceiling = min(max(open_scores, default=0.5) + 0.001, 0.999)
    return [p for p in open_scores if p < 1.0] + [ceiling]


def choose_thresholds(
    model: FeedbackHead, features: torch.Tensor, examples: Sequence[FeedbackExample], audited: int = 0
) -> dict[str, float]:
    """Thresholds on validation ``examples``: best F1 of turned down and best macro-F1 of accepted on all of them;
    for "seen", the best macro-F1 of the reader's seen / not seen (words first, then the model above the threshold)
    on the last ``audited`` examples, labelled by what the reply says (the questionnaire's ``seen`` is not that).
    """
    liked, seen = predict_probabilities(model, features)
    settled = [rule_settles(item_rule_verdict(e.item)) for e in examples]
    down_scores = torch.tensor(  # the items the words settle, whatever the threshold
        [p if s is None else float(s) for p, s in zip(liked[:, 0].tolist(), settled, strict=True)]
    )
    turned_down = best_threshold(
        down_scores.tolist(), [e.turned_down for e in examples], candidates=model_thresholds(liked[:, 0], settled)
    )
    not_down = down_scores < turned_down
    accepted = best_threshold((liked[:, 1] * not_down).tolist(), [e.accepted for e in examples], macro=True)
    said_examples = list(examples[len(examples) - audited :]) if audited else list(examples)
    sure = seen[len(examples) - len(said_examples) :, :2]
    best, best_score = 0.5, -1.0
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        config = FeedbackModelConfig(seen_threshold=threshold)
        verdicts = verdicts_from_probabilities(
            [e.item for e in said_examples], torch.zeros(len(said_examples), 3), F.pad(sure, (0, 1)), config
        )
        score = sum(
            binary_scores([v.seen is value for v in verdicts], [e.seen == code for e in said_examples])["f1"]
            for value, code in ((True, 1), (False, 0))
        )
        if score > best_score:
            best, best_score = threshold, score
    return {"turned_down_threshold": turned_down, "accepted_threshold": accepted, "seen_threshold": best}


def validation_scores(
    model: FeedbackHead, features: torch.Tensor, examples: Sequence[FeedbackExample]
) -> dict[str, Any]:
    """Scores of the model with its thresholds on ``examples`` (as `FeedbackReader` would decide)."""
    from ecr_agent.feedback.evaluation import score_verdicts

    liked, seen = predict_probabilities(model, features)
    verdicts = verdicts_from_probabilities([e.item for e in examples], liked, seen, model.config)
    return score_verdicts(verdicts, examples)

"""Typed configs of the emotion-aware ranker (saved as JSON beside the safetensors weights).

`RankerConfig` describes the model, `TrainConfig` one training run. `VARIANTS` are the ablation ladder of the
side-by-side evaluation: no emotions (UniCRS-like) → + local emotions → + global emotion-aware entities →
full ECR (+ feedback-aware reweighting of the loss).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

VARIANTS: dict[str, str] = {
    "no_emotion": "no emotions (UniCRS-like)",
    "local": "+ local emotions",
    "local_global": "+ global emotion-aware entities",
    "ecr": "ECR (+ feedback reweighting)",
}
"""Trained variants, in ablation order, with their display names."""
DEFAULT_VARIANT = "ecr"
FEEDBACK_WEIGHTS = {"like": 2.0, "dislike": 1.0, "unknown": 0.5}
"""The paper's feedback-aware weights (like / dislike / not said)."""
UNIFORM_WEIGHTS = {"like": 1.0, "dislike": 1.0, "unknown": 1.0}


@dataclass(frozen=True)
class RankerConfig:
    """Architecture of `EmotionAwareRankerModel`.

    Attributes:
        entity_dim: width of node embeddings and of the R-GCN (the paper's UniCRS uses 384; 128 keeps CPU cheap).
        emotion_dim: width of the learnable emotion vectors v_f (the paper's 48).
        num_bases: R-GCN basis matrices (the paper's 8).
        text_window: most recent turns whose MiniLM embeddings the context encoder attends over.
        entity_window: most recent distinct context entities used.
        max_distance: turn distances beyond this share one recency embedding.
        dropout: dropout on pooled context vectors and entity inputs.
        use_local_emotions: fuse each context entity with its emotions (local emotion-aware entities).
        use_global: add co-occurrence neighbours (global emotion-aware entities) and their item scores.
        global_top_k: neighbours kept per row of P(e_j | e_i).
        global_folds: out-of-fold co-occurrence matrices used for training samples (0 disables).
        cooc_epsilon: floor ε of the collaborative term ``λ·log(1 + q(item)/ε)``.
        movie_text: text embedded for every movie: ``describe`` (title, genres, people, plot), ``title``, or
            ``none`` (zeros: no MiniLM pass over 6,924 movies; smoke tests only).
    """

    entity_dim: int = 128
    emotion_dim: int = 48
    num_bases: int = 8
    text_window: int = 12
    entity_window: int = 32
    max_distance: int = 15
    dropout: float = 0.2
    use_local_emotions: bool = True
    use_global: bool = True
    global_top_k: int = 100
    global_folds: int = 5
    cooc_epsilon: float = 1e-3
    movie_text: str = "describe"

    def __post_init__(self) -> None:
        if self.movie_text not in ("describe", "title", "none"):
            raise ValueError(f"movie_text must be 'describe', 'title' or 'none', not {self.movie_text!r}")
        if min(self.entity_dim, self.emotion_dim, self.num_bases, self.text_window, self.entity_window) < 1:
            raise ValueError("dimensions and windows must be positive")


@dataclass(frozen=True)
class TrainConfig:
    """One training run.

    Attributes:
        variant: one of `VARIANTS`.
        profile: ``full``, ``quick`` (a slice, a few epochs: demos) or ``smoke`` (tests).
        seed: seeds parameters, dropout and batch order.
        epochs: maximum epochs; the best epoch on validation is kept.
        patience: stop after this many epochs without a better validation score.
        batch_size: samples per step (the paper's 128; chosen on validation over 256, benchmarks/ranker/sweep.md).
        lr: AdamW learning rate.
        weight_decay: AdamW decoupled weight decay.
        node_lr_factor: learning rate of the 33k node embeddings relative to ``lr`` (they overfit first).
        feedback_weights: loss weight of a sample by the seeker's feedback on its label (like / dislike / unknown).
        train_limit: only the first N training dialogues (None: all).
        train_subset_seed: take the ``train_limit`` dialogues at random (seeded by this), not the first ones. The
            training file is in conversation-id order, which is collection order, so the first N are also the
            oldest; a random subset spans the whole period (learning curves measure the amount of data alone).
        valid_limit: only the first N validation dialogues (None: all).
        max_steps: stop after this many optimiser steps in total (tests).
        select_metric: validation metric that picks the best epoch (``a+b`` sums metrics; ``last``: the last epoch).
        seeker_label_weight: also train on the movies seekers name (each given its context), at this loss weight
            relative to the recommender's; 0 trains on the recommender's movies only, as the paper does.
        train_split: ``train`` (validation held out, the default) or ``train_full`` (train + validation: a refit
            whose length comes from an earlier run's best epoch, via ``max_steps``; validation is then inside the
            training data, so ``select_metric`` must be ``last``).
        recency_half_life: weigh later dialogues more (ReDial's test dialogues were collected after all training
            ones): a sample's loss weight halves every this fraction of the training dialogues, ordered by
            conversation id, back from the latest; 0 weighs all alike.
        average_decay: evaluate and save an exponential moving average of the parameters with this decay per
            step (`averaging.ParameterAverage`) instead of the raw weights; 0 keeps the raw weights. 0.99 (about
            one epoch of ~95 steps) won on validation for both seeds tried (benchmarks/ranker/averaging.md).
    """

    variant: str = DEFAULT_VARIANT
    profile: str = "full"
    seed: int = 0
    epochs: int = 8
    patience: int = 2
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.01
    node_lr_factor: float = 0.1
    feedback_weights: dict[str, float] = field(default_factory=lambda: dict(FEEDBACK_WEIGHTS))
    train_limit: int | None = None
    train_subset_seed: int | None = None
    valid_limit: int | None = None
    max_steps: int | None = None
    select_metric: str = "recall@10+recall@50"
    seeker_label_weight: float = 0.0
    recency_half_life: float = 0.0
    train_split: str = "train"
    average_decay: float = 0.99

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown ranker variant {self.variant!r}; choose one of {', '.join(VARIANTS)}")
        if set(self.feedback_weights) != set(FEEDBACK_WEIGHTS):
            raise ValueError(f"feedback_weights needs exactly the keys {sorted(FEEDBACK_WEIGHTS)}")
        if self.batch_size < 1 or self.epochs < 1 or self.lr <= 0:
            raise ValueError("batch_size and epochs must be positive, lr > 0")
        if self.train_subset_seed is not None and self.train_limit is None:
            raise ValueError("train_subset_seed picks train_limit dialogues at random: set train_limit too")
        if self.seeker_label_weight < 0 or self.recency_half_life < 0:
            raise ValueError("seeker_label_weight and recency_half_life must be 0 or more")
        if not 0.0 <= self.average_decay < 1.0:
            raise ValueError(f"average_decay must be in [0, 1), not {self.average_decay}")
        if self.train_split not in ("train", "train_full"):
            raise ValueError(f"train_split must be 'train' or 'train_full', not {self.train_split!r}")
        if self.train_split == "train_full" and self.select_metric != "last":
            raise ValueError("training on train_full includes the validation dialogues: use select_metric='last'")

    @property
    def run_name(self) -> str:
        """``<variant>-seed<N>``, with ``-<profile>`` unless the profile is ``full``."""
        return f"{self.variant}-seed{self.seed}" + ("" if self.profile == "full" else f"-{self.profile}")


def variant_configs(variant: str, model: RankerConfig | None = None) -> tuple[RankerConfig, dict[str, float]]:
    """The model flags and loss weights that define an ablation variant."""
    model = model or RankerConfig()
    if variant not in VARIANTS:
        raise ValueError(f"unknown ranker variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    local = variant != "no_emotion"
    use_global = variant in ("local_global", "ecr")
    weights = dict(FEEDBACK_WEIGHTS) if variant == "ecr" else dict(UNIFORM_WEIGHTS)
    return replace(model, use_local_emotions=local, use_global=use_global), weights


def to_json(config: Any) -> dict[str, Any]:
    return asdict(config)


def from_json(cls: type, data: dict[str, Any]) -> Any:
    """Build a config dataclass from JSON, ignoring unknown keys (older or newer files still load).

    A field the file predates takes its `LEGACY_VALUES` value (what the run did), not today's default.
    """
    names = {f.name for f in fields(cls)}
    legacy = {k: v for k, v in LEGACY_VALUES.items() if k in names and k not in data}
    return cls(**legacy, **{k: v for k, v in data.items() if k in names})


LEGACY_VALUES: dict[str, Any] = {
    "seeker_label_weight": 0.0,
    "recency_half_life": 0.0,
    "train_split": "train",
    "average_decay": 0.0,
    "train_subset_seed": None,
}
"""Fields added after runs were published, with the behaviour those runs had: at that value a field leaves a
run's fingerprint as it was (whatever the field's default is now)."""


def config_hash(*configs: Any) -> str:
    """Fingerprint of configs (a finished run with the same fingerprint is reused, not retrained)."""
    data = [{k: v for k, v in asdict(c).items() if not (k in LEGACY_VALUES and v == LEGACY_VALUES[k])} for c in configs]
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def save_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    partial.replace(path)

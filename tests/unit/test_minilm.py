"""Our plain-torch MiniLM and its tokenizer give what transformers gives for the packaged weights."""

import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from ecr_agent.minilm import MiniLM, WordPieceTokenizer, mean_pool, pad_batch, share_word_embeddings
from ecr_agent.text_encoder import minilm_path

TEXTS = [
    "Hello there!",
    "I love scary movies like The Shining, but nothing too gory.",
    "é 日本 🙂 " * 30,
    "",
    "x" * 3000,
    "\x00\x07 tabs\tand\nnew lines",
]


@pytest.fixture(scope="module")
def ours() -> tuple[MiniLM, WordPieceTokenizer]:
    return MiniLM.from_pretrained(minilm_path()), WordPieceTokenizer(minilm_path())


def test_token_ids_match_the_reference_tokenizer(ours: tuple[MiniLM, WordPieceTokenizer]) -> None:
    reference = AutoTokenizer.from_pretrained(minilm_path())
    for limit in (8, 64, 256):
        assert ours[1].encode(TEXTS, limit) == reference(TEXTS, truncation=True, max_length=limit)["input_ids"]
    assert all(len(ids) <= 8 and ids[0] == 101 and ids[-1] == 102 for ids in ours[1].encode(TEXTS, 8))


def test_hidden_states_match_transformers_bert(ours: tuple[MiniLM, WordPieceTokenizer]) -> None:
    model, tokenizer = ours
    reference = AutoModel.from_pretrained(minilm_path()).eval()
    input_ids, mask = pad_batch(tokenizer.encode(TEXTS, 64))
    with torch.inference_mode():
        got = model(input_ids, mask).last_hidden_state
        want = reference(input_ids=input_ids, attention_mask=mask).last_hidden_state
    valid = mask.bool()
    assert (got - want)[valid].abs().max() < 1e-4  # padding positions are never read (mean pooling masks them)
    cosine = torch.nn.functional.cosine_similarity(mean_pool(got, mask), mean_pool(want, mask))
    assert cosine.min() > 0.99999


def test_padding_does_not_change_a_text(ours: tuple[MiniLM, WordPieceTokenizer]) -> None:
    model, tokenizer = ours
    short, long = tokenizer.encode(["a short one", "a much longer sentence about a movie I saw last week"], 64)
    input_ids, mask = pad_batch([short, long])
    with torch.inference_mode():
        batched = mean_pool(model(input_ids, mask).last_hidden_state, mask)[0]
        alone = model(torch.tensor([short])).last_hidden_state.mean(1)[0]
    assert torch.allclose(batched, alone, atol=1e-5)


def test_training_mode_uses_dropout(ours: tuple[MiniLM, WordPieceTokenizer]) -> None:
    model, tokenizer = ours
    input_ids, mask = pad_batch(tokenizer.encode(["dropout changes the states while training"], 32))
    model.train()
    try:
        first, second = (model(input_ids, mask).last_hidden_state for _ in range(2))
    finally:
        model.eval()
    assert not torch.allclose(first, second)


def test_threads_asking_for_different_lengths_do_not_mix(ours: tuple[MiniLM, WordPieceTokenizer]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    tokenizer = ours[1]
    want = {limit: tokenizer.encode(TEXTS, limit) for limit in (8, 64)}
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda limit: (limit, tokenizer.encode(TEXTS, limit)), [8, 64] * 50))
    assert all(ids == want[limit] for limit, ids in got)


def test_equal_word_embeddings_are_shared_and_different_ones_kept() -> None:
    source = MiniLM.from_pretrained(minilm_path()).to(torch.bfloat16)
    frozen = MiniLM.from_pretrained(minilm_path()).to(torch.bfloat16)  # as the emotion classifier trains it
    assert share_word_embeddings(frozen, source)
    assert frozen.embeddings.word_embeddings.weight is source.embeddings.word_embeddings.weight
    ids, mask = pad_batch([[101, 7592, 102]])
    assert torch.equal(frozen(ids, mask).last_hidden_state, source(ids, mask).last_hidden_state)
    tuned = MiniLM.from_pretrained(minilm_path()).to(torch.bfloat16)
    with torch.no_grad():
        tuned.embeddings.word_embeddings.weight[7592] += 1
    assert not share_word_embeddings(tuned, source)
    assert tuned.embeddings.word_embeddings.weight is not source.embeddings.word_embeddings.weight
    assert not share_word_embeddings(MiniLM.from_pretrained(minilm_path()), source)  # float32 against bfloat16

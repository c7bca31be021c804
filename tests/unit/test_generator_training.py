from __future__ import annotations

import pytest
import torch

from ecr_agent.generator.training import (
    IGNORE,
    PROFILES,
    Encoded,
    GeneratorTrainConfig,
    _batches,
    _lr_factor,
    collate,
    response_loss,
)


def test_profiles_and_validation() -> None:
    quick = GeneratorTrainConfig.for_profile("quick", seed=3)
    assert quick.seed == 3 and quick.steps == PROFILES["quick"]["steps"] and quick.max_minutes is not None
    assert GeneratorTrainConfig.for_profile("full").steps > quick.steps
    assert GeneratorTrainConfig.for_profile("quick", steps=2).steps == 2
    with pytest.raises(ValueError):
        GeneratorTrainConfig.for_profile("huge")
    with pytest.raises(ValueError):
        GeneratorTrainConfig(steps=0)


def test_collate_pads_right_and_masks_the_prompt() -> None:
    batch = collate([Encoded([5, 6, 7], [IGNORE, 6, 7]), Encoded([8], [IGNORE])], pad_id=2, multiple=4)
    assert batch["input_ids"].tolist() == [[5, 6, 7, 2], [8, 2, 2, 2]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0], [1, 0, 0, 0]]
    assert batch["labels"].tolist() == [[IGNORE, 6, 7, IGNORE], [IGNORE] * 4]


def test_batches_cover_every_example_and_group_lengths() -> None:
    lengths = list(range(100, 164))
    stream = _batches(lengths, batch_size=4, seed=0)
    epoch = [next(stream) for _ in range(16)]
    assert sorted(i for batch in epoch for i in batch) == list(range(64))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in epoch) / len(epoch)
    assert spread < 16  # random batches of 4 from 64 lengths would spread ~38 on average
    again = _batches(lengths, batch_size=4, seed=0)
    assert [next(again) for _ in range(16)] == epoch


def test_learning_rate_schedule() -> None:
    config = GeneratorTrainConfig(steps=100, warmup_steps=10)
    assert _lr_factor(0, config) == pytest.approx(0.1)
    assert _lr_factor(10, config) == pytest.approx(1.0)
    assert _lr_factor(100, config) == pytest.approx(0.1)
    assert _lr_factor(55, config) == pytest.approx(0.55)


class TinyLM(torch.nn.Module):
    """A two-layer stand-in with the ``.model`` / ``.lm_head`` shape of a causal LM."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)
        self.lm_head = torch.nn.Linear(4, 10)

    def model(self, input_ids, attention_mask):  # noqa: ANN001, ANN201
        return type("Out", (), {"last_hidden_state": self.embed(input_ids)})()


def test_response_loss_ignores_prompt_and_padding() -> None:
    torch.manual_seed(0)
    lm = TinyLM()
    batch = collate([Encoded([1, 2, 3, 4], [IGNORE, IGNORE, 3, 4])], pad_id=0, multiple=8)
    loss = response_loss(lm, batch)
    logits = lm.lm_head(lm.embed(torch.tensor([[2, 3]])))[0]
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor([3, 4]))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    changed = collate([Encoded([1, 9, 3, 4], [IGNORE, IGNORE, 3, 4])], pad_id=0, multiple=8)
    assert response_loss(lm, changed).item() != pytest.approx(loss.item())  # the prompt still conditions it


def _trained_linear() -> tuple[torch.nn.Linear, torch.optim.AdamW]:
    model = torch.nn.Linear(2, 2)
    optimiser = torch.optim.AdamW(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    optimiser.step()
    return model, optimiser


def test_a_checkpoint_restores_the_adapter_and_the_optimiser_unless_torn_or_foreign(tmp_path) -> None:
    from ecr_agent.generator.checkpoint import LoopState, TrainingCheckpoint

    model, optimiser = _trained_linear()
    named = dict(model.named_parameters())
    checkpoint = TrainingCheckpoint(tmp_path / "generator.checkpoint", "run-a")
    best = {n: p.detach().clone() for n, p in named.items()}
    checkpoint.save(LoopState(step=2, history=[{"step": 2, "valid_loss": 1.5}], best_step=2), named, best, optimiser)

    fresh = torch.nn.Linear(2, 2)
    fresh_optimiser = torch.optim.AdamW(fresh.parameters())
    restored = checkpoint.restore(dict(fresh.named_parameters()), fresh_optimiser)
    assert restored is not None
    state, best_state = restored
    assert state.step == 2 and state.history == [{"step": 2, "valid_loss": 1.5}] and state.best_step == 2
    assert torch.equal(fresh.weight, model.weight) and torch.equal(best_state["bias"], model.bias)
    moments, fresh_moments = optimiser.state[model.weight], fresh_optimiser.state[fresh.weight]
    assert torch.equal(fresh_moments["exp_avg_sq"], moments["exp_avg_sq"]) and fresh_moments["step"] == moments["step"]

    foreign = TrainingCheckpoint(checkpoint.folder, "run-b")  # a checkpoint of other settings
    assert foreign.restore(dict(fresh.named_parameters()), fresh_optimiser) is None
    loop_state = (checkpoint.folder / "state.json").read_text()
    checkpoint.save(LoopState(step=4), named, best, optimiser)
    (checkpoint.folder / "state.json").write_text(loop_state)  # killed between the step-4 tensors and their state
    assert checkpoint.restore(dict(fresh.named_parameters()), fresh_optimiser) is None
    (checkpoint.folder / "checkpoint.safetensors").write_bytes(b"\x00" * 16)  # torn tensors
    assert checkpoint.restore(dict(fresh.named_parameters()), fresh_optimiser) is None

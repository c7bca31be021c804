"""An optimiser's state as flat tensors (for safetensors) plus its param groups (for JSON), and back.

The ranker's and the generator's training checkpoints keep their AdamW state this way: safetensors holds tensors
only, and no pickle is ever loaded.
"""

from __future__ import annotations

from typing import Any

import torch

PREFIX = "optim."


def optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], list[dict[str, Any]]]:
    """``({"optim.<param index>.<slot>": tensor}, param_groups)`` of ``optimizer``."""
    state = optimizer.state_dict()
    tensors = {
        f"{PREFIX}{index}.{slot}": torch.as_tensor(value).contiguous()
        for index, slots in state["state"].items()
        for slot, value in slots.items()
    }
    return tensors, state["param_groups"]


def load_optimizer(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], param_groups: list[dict[str, Any]]
) -> None:
    """Restore what `optimizer_tensors` saved (other keys of ``tensors`` are ignored)."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith(PREFIX):
            index, slot = key.removeprefix(PREFIX).split(".", 1)
            state.setdefault(int(index), {})[slot] = value
    optimizer.load_state_dict({"state": state, "param_groups": param_groups})

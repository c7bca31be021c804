"""An exponential moving average of a model's parameters, evaluated and saved in place of the raw weights.

The ranker overfits within a few epochs (its 33k node embeddings learn fastest), so the weights at an
epoch's end are a noisy point on a short path; averaging the recent steps is a cheap ensemble over that path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


class ParameterAverage:
    """EMA of ``model``'s trainable parameters with decay ``d`` per step, bias-corrected like Adam's moments.

    The running sum starts at zero, ``m ← d·m + (1 − d)·θ``, and is read as ``m / (1 − d^t)``: a weighted mean of
    the ``t`` parameter vectors seen so far, so neither the initial weights nor a warm-up schedule shape it.
    """

    def __init__(self, model: nn.Module, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be in (0, 1), not {decay}")
        self.decay = decay
        self.updates = 0
        self.model = model
        self.sums = {name: torch.zeros_like(p) for name, p in model.named_parameters() if p.requires_grad}

    @torch.no_grad()
    def update(self) -> None:
        """Fold the current parameters into the average (call after each optimiser step)."""
        for name, parameter in self.model.named_parameters():
            if name in self.sums:
                self.sums[name].mul_(self.decay).add_(parameter.detach(), alpha=1.0 - self.decay)
        self.updates += 1

    def averaged(self, name: str) -> torch.Tensor:
        """The bias-corrected average of parameter ``name`` (needs at least one `update`)."""
        return self.sums[name] / (1.0 - self.decay**self.updates)

    @contextmanager
    def applied(self) -> Iterator[nn.Module]:
        """Inside the block the model holds the averaged parameters; the trained ones come back after it."""
        kept = {}
        if self.updates == 0:  # nothing averaged yet: the model as it is
            yield self.model
            return
        with torch.no_grad():
            for name, parameter in self.model.named_parameters():
                if name in self.sums:
                    kept[name] = parameter.detach().clone()
                    parameter.copy_(self.averaged(name))
        try:
            yield self.model
        finally:
            with torch.no_grad():
                for name, parameter in self.model.named_parameters():
                    if name in kept:
                        parameter.copy_(kept[name])

    def reset(self) -> None:
        """Forget every update (a fresh average)."""
        for value in self.sums.values():
            value.zero_()
        self.updates = 0

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """The running sums (and the update count) as tensors for a safetensors checkpoint."""
        tensors = {f"average.{name}": value.contiguous() for name, value in self.sums.items()}
        tensors["average_updates"] = torch.tensor(self.updates)
        return tensors

    def check_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Raise ``KeyError`` (changing nothing) unless ``tensors`` hold everything `load_state_tensors` reads."""
        missing = [key for key in (*(f"average.{name}" for name in self.sums), "average_updates") if key not in tensors]
        if missing:
            raise KeyError(f"parameter average missing from the checkpoint: {', '.join(missing[:3])}")

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        """Restore what `state_tensors` wrote (``KeyError``, with nothing changed, if any part is missing)."""
        self.check_state_tensors(tensors)
        for name in self.sums:
            self.sums[name].copy_(tensors[f"average.{name}"])
        self.updates = int(tensors["average_updates"])

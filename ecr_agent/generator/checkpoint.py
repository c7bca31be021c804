"""Mid-run checkpoints of the LoRA fine-tuning, so a killed `ecr train generator` resumes instead of starting over.

At each validation step the main process writes ``<store>/models/generator.checkpoint/``: one safetensors file with
the adapter, the best adapter so far, AdamW's state (`ecr_agent.optim_state`, as the ranker keeps it) and torch's RNG
state, then ``state.json`` with the loop state (step, history, best step) and AdamW's param groups. ``state.json``
is written last and names the step the tensors carry, so a run killed between the two files resumes from neither
(the tensors' step disagrees) and starts over. A checkpoint of another configuration (profile, seed, steps, data
slice) is ignored, never mixed in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from ecr_agent.optim_state import load_optimizer, optimizer_tensors
from ecr_agent.store_files import replacing

logger = logging.getLogger(__name__)

TENSORS = "checkpoint.safetensors"
STATE = "state.json"


@dataclass
class LoopState:
    """Where the training loop stood after ``step``: enough, with the tensors, to go on as if never stopped."""

    step: int
    history: list[dict[str, Any]] = field(default_factory=list)
    best_step: int = 0
    best_valid_loss: float = float("inf")
    tokens_seen: int = 0
    train_seconds: float = 0.0
    config_key: str = ""


def config_key(config: Any) -> str:
    """A short hash of what decides the run's numbers (a checkpoint resumes only the run it came from); the thread
    count and the time budget may change between the killed run and the next."""
    settings = {k: v for k, v in asdict(config).items() if k not in ("threads", "max_minutes")}
    text = json.dumps(settings, sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TrainingCheckpoint:
    """The checkpoint folder of one generator run."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key

    def save(
        self,
        state: LoopState,
        trainable: dict[str, torch.nn.Parameter],
        best: dict[str, torch.Tensor],
        optimiser: torch.optim.Optimizer,
    ) -> None:
        """Write the tensors, then the loop state that vouches for them."""
        moments, param_groups = optimizer_tensors(optimiser)
        tensors = {f"adapter.{n}": p.detach().contiguous() for n, p in trainable.items()}
        tensors |= {f"best.{n}": t.contiguous() for n, t in best.items()}
        tensors |= moments | {"rng": torch.get_rng_state()}
        self.folder.mkdir(parents=True, exist_ok=True)
        with replacing(self.folder / TENSORS) as partial:
            save_file(tensors, str(partial), metadata={"step": str(state.step), "config_key": self.key})
        with replacing(self.folder / STATE) as partial:
            record = asdict(replace(state, config_key=self.key)) | {"param_groups": param_groups}
            partial.write_text(json.dumps(record, indent=1))

    def restore(
        self,
        trainable: dict[str, torch.nn.Parameter],
        optimiser: torch.optim.Optimizer,
    ) -> tuple[LoopState, dict[str, torch.Tensor]] | None:
        """Load a whole checkpoint of this run into the adapter and the optimiser; None when there is none to trust."""
        try:
            record = json.loads((self.folder / STATE).read_text())
            param_groups = record.pop("param_groups")
            state = LoopState(**record)
            with safe_open(str(self.folder / TENSORS), framework="pt") as handle:
                written = handle.metadata() or {}
                tensors = {key: handle.get_tensor(key) for key in handle.keys()}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, SafetensorError) as error:
            logger.warning("generator checkpoint %s is unreadable (%s): training starts over", self.folder, error)
            return None
        if state.config_key != self.key or written.get("config_key") != self.key:
            logger.warning("generator checkpoint %s is of another configuration: training starts over", self.folder)
            return None
        if written.get("step") != str(state.step):
            logger.warning("generator checkpoint %s is torn (killed while writing): training starts over", self.folder)
            return None
        if any(f"adapter.{name}" not in tensors for name in trainable):
            logger.warning("generator checkpoint %s holds another adapter: training starts over", self.folder)
            return None
        with torch.no_grad():
            for name, parameter in trainable.items():
                parameter.copy_(tensors[f"adapter.{name}"])
        load_optimizer(optimiser, tensors, param_groups)
        torch.set_rng_state(tensors["rng"])
        best = {k.removeprefix("best."): v for k, v in tensors.items() if k.startswith("best.")}
        logger.info("generator training resumes after step %d (%s)", state.step, self.folder)
        return state, best

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

"""Entity states of a saved ranker, computed once and kept beside its weights, so a chat process starts fast.

Ranking reads the R-GCN's states of every graph node (`EmotionAwareRankerModel.entity_states`) and the item vectors
made from them. Both are a pure function of the weights and the graph, yet building the graph's aggregation matrices
and running the pass took about a second of the chat's cold start on 2 cores. The first load of a saved run writes
them to ``entity_states.safetensors`` in the run's folder; later loads read that file. It records a fingerprint of
the weights file and the graph's edges: a file that does not match (retrained, another graph), or cannot be read,
is computed again and rewritten. A store that cannot be written to still works: the states are then computed at
every load, as before.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from ecr_agent.store_files import replacing

logger = logging.getLogger(__name__)

STATES_FILE = "entity_states.safetensors"
FORMAT = "1"
"""Bumped when what the states mean changes (a new model pass), so older files are recomputed."""


def fingerprint(weights: Path, edge_index: torch.Tensor, edge_type: torch.Tensor) -> str:
    """A short hash of the weights file's bytes and the graph's edges (~40 ms for the 29 MB quick ranker)."""
    digest = hashlib.sha1(FORMAT.encode())
    with weights.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(edge_index.contiguous().numpy().tobytes())
    digest.update(edge_type.contiguous().numpy().tobytes())
    return digest.hexdigest()[:24]


def read_states(directory: Path, key: str) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(states, items)`` saved for ``key`` in ``directory``; None when missing, stale or unreadable."""
    path = directory / STATES_FILE
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="pt") as handle:
            if (handle.metadata() or {}).get("fingerprint") != key:
                return None
            return handle.get_tensor("states"), handle.get_tensor("items")
    except Exception as error:  # a torn or garbled file: it is derived data, so compute it again
        logger.warning("%s is unreadable (%s): computing the entity states again", path, error)
        return None


def write_states(directory: Path, key: str, states: torch.Tensor, items: torch.Tensor) -> None:
    """Save ``(states, items)`` under ``key``, whole or not at all; a read-only store is left as it is."""
    try:
        with replacing(directory / STATES_FILE) as partial:
            tensors = {"states": states.contiguous(), "items": items.contiguous()}
            save_file(tensors, str(partial), metadata={"fingerprint": key})
    except OSError as error:
        logger.info(
            "could not keep the ranker's entity states in %s (%s): they are computed at each load", directory, error
        )

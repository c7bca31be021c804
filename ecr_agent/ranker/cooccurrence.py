"""Global emotion-aware co-occurrence: a sparse, row-normalised P(e_j | e_i) from the training dialogues.

In each dialogue, entities are taken in the order they are mentioned, each with the emotions attached to it
(`features.entity_mentions` rules: a seeker's own turn, or the next seeker turn for recommender mentions). An ordered
pair (earlier e_i → later e_j) counts once per dialogue when the two entities' top-3 emotion labels overlap (the
paper's emotion filter). Rows are normalised to P(e_j | e_i) and pruned to the ``top_k`` most likely neighbours.

The reference code stores this matrix densely (N² floats, ~4 GB for this KG); here it is CSR with a few hundred
thousand non-zeros. `fold_matrices` builds out-of-fold copies so a training sample never sees pairs counted from its
own dialogue (otherwise its label leaks in through the co-occurrence of its own future mentions).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ecr_agent.ranker.features import TurnInfo, attached_emotions


@dataclass(frozen=True)
class Cooccurrence:
    """A CSR matrix over ranker nodes: ``P(col | row)`` for the stored non-zeros."""

    crow: np.ndarray
    col: np.ndarray
    val: np.ndarray
    num_nodes: int

    @property
    def nnz(self) -> int:
        return int(self.col.size)

    def row(self, node: int) -> dict[int, float]:
        start, end = self.crow[node], self.crow[node + 1]
        return dict(zip(self.col[start:end].tolist(), self.val[start:end].tolist(), strict=True))

    def gather(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """COO triplets ``(row position in nodes, col, P)`` of the rows ``nodes`` (negative nodes give no entries)."""
        nodes = np.asarray(nodes)
        valid = nodes >= 0
        starts = np.where(valid, self.crow[np.clip(nodes, 0, None)], 0)
        lengths = np.where(valid, self.crow[np.clip(nodes, 0, None) + 1] - starts, 0)
        total = int(lengths.sum())
        rows = np.repeat(np.arange(nodes.size), lengths)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        index = np.repeat(starts, lengths) + offsets
        return rows, self.col[index], self.val[index]

    def lookup(self, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
        """``P(tails[m, t] | heads[m])`` for heads (M,) and tails (M, K); 0 where not stored or head < 0."""
        heads, tails = np.asarray(heads), np.asarray(tails)
        rows, cols, vals = self.gather(heads)
        keys = rows * self.num_nodes + cols
        order = np.argsort(keys, kind="stable")
        keys, vals = keys[order], vals[order]
        query = np.arange(heads.size)[:, None] * self.num_nodes + tails
        out = np.zeros(query.shape, dtype=np.float32)
        if keys.size:
            pos = np.clip(np.searchsorted(keys, query), 0, keys.size - 1)
            hit = keys[pos] == query
            out[hit] = vals[pos[hit]]
        return out

    def to_tensors(self, prefix: str = "") -> dict[str, torch.Tensor]:
        return {
            f"{prefix}crow": torch.from_numpy(self.crow.astype(np.int64)),
            f"{prefix}col": torch.from_numpy(self.col.astype(np.int64)),
            f"{prefix}val": torch.from_numpy(self.val.astype(np.float32)),
        }

    @classmethod
    def from_tensors(cls, tensors: dict[str, torch.Tensor], num_nodes: int, prefix: str = "") -> Cooccurrence:
        return cls(
            tensors[f"{prefix}crow"].numpy(),
            tensors[f"{prefix}col"].numpy(),
            tensors[f"{prefix}val"].numpy(),
            num_nodes,
        )


def top_labels(emotions: dict[str, float] | object, n: int = 3) -> frozenset[str]:
    items = sorted(dict(emotions).items(), key=lambda item: -item[1])  # type: ignore[call-overload]
    return frozenset(label for label, _ in items[:n])


def dialogue_pairs(turns: Sequence[TurnInfo], n_labels: int = 3) -> set[tuple[int, int]]:
    """Emotion-consistent ordered pairs (earlier mention → later mention) of one dialogue, each counted once."""
    sequence = [
        (node, top_labels(emotions, n_labels))
        for turn, emotions in zip(turns, attached_emotions(turns), strict=True)
        for node in turn.nodes
    ]
    pairs: set[tuple[int, int]] = set()
    for i, (head, head_labels) in enumerate(sequence):
        if not head_labels:
            continue
        for tail, tail_labels in sequence[i + 1 :]:
            if tail != head and head_labels & tail_labels:
                pairs.add((head, tail))
    return pairs


def build_cooccurrence(dialogues: Iterable[Sequence[TurnInfo]], num_nodes: int, top_k: int = 64) -> Cooccurrence:
    """Row-normalised, top-k pruned P(e_j | e_i) over ``dialogues`` (the training dialogues only)."""
    return from_pairs((dialogue_pairs(turns) for turns in dialogues), num_nodes, top_k)


def from_pairs(pair_sets: Iterable[set[tuple[int, int]]], num_nodes: int, top_k: int = 64) -> Cooccurrence:
    """The matrix from per-dialogue pair sets: count, normalise each row over all its pairs, keep the top k."""
    counts: Counter[tuple[int, int]] = Counter()
    for pairs in pair_sets:
        counts.update(pairs)
    by_row: dict[int, list[tuple[int, int]]] = {}
    for (head, tail), count in counts.items():
        by_row.setdefault(head, []).append((tail, count))
    crow = np.zeros(num_nodes + 1, dtype=np.int64)
    cols: list[int] = []
    vals: list[float] = []
    for head in range(num_nodes):
        row = by_row.get(head)
        if row:
            total = sum(c for _, c in row)
            kept = sorted(row, key=lambda item: (-item[1], item[0]))[:top_k]
            cols.extend(t for t, _ in kept)
            vals.extend(c / total for _, c in kept)
        crow[head + 1] = len(cols)
    return Cooccurrence(crow, np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32), num_nodes)


def fold_of(conversation_id: str, folds: int) -> int:
    """Stable fold of a training dialogue (SHA-1 of its id)."""
    return int(hashlib.sha1(f"fold:{conversation_id}".encode()).hexdigest(), 16) % folds


def fold_matrices(
    dialogues: dict[str, Sequence[TurnInfo]], num_nodes: int, folds: int, top_k: int = 64
) -> tuple[Cooccurrence, list[Cooccurrence]]:
    """The matrix of all ``dialogues`` and ``folds`` out-of-fold ones (matrix k leaves out the dialogues of fold k)."""
    pairs = {cid: dialogue_pairs(turns) for cid, turns in dialogues.items()}
    full = from_pairs(pairs.values(), num_nodes, top_k)
    held_out = [
        from_pairs((p for cid, p in pairs.items() if fold_of(cid, folds) != k), num_nodes, top_k) for k in range(folds)
    ]
    return full, held_out

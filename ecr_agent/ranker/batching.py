"""Turn contexts (lists of `TurnInfo`) into the padded tensors `EmotionAwareRankerModel` reads.

Shapes: B contexts, T ≤ ``text_window`` turns, L ≤ ``entity_window`` entities, 3 emotion slots per entity.
Role ids: 0 padding, 1 seeker, 2 recommender. Distances count turns back from the context end (0 = last turn).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ecr_agent.emotion.labels import EMOTIONS
from ecr_agent.ranker.config import RankerConfig
from ecr_agent.ranker.cooccurrence import Cooccurrence
from ecr_agent.ranker.features import MAX_LABELS, Mention, TurnInfo, entity_mentions

ROLE_IDS = {"seeker": 1, "recommender": 2}
EMOTION_IDS = {label: index for index, label in enumerate(EMOTIONS)}
NO_EMOTION = len(EMOTIONS)


@dataclass
class Batch:
    """Model input for B contexts (see the module docstring for shapes)."""

    turn_embeddings: torch.Tensor  # (B, T, 384)
    turn_role: torch.Tensor  # (B, T) long
    turn_distance: torch.Tensor  # (B, T) long
    entity_node: torch.Tensor  # (B, L) long, 0 where padded
    entity_role: torch.Tensor  # (B, L) long, 0 where padded
    entity_distance: torch.Tensor  # (B, L) long
    emotion_ids: torch.Tensor  # (B, L, 3) long, NO_EMOTION where empty
    emotion_probs: torch.Tensor  # (B, L, 3) float, 0 where empty
    entity_item: torch.Tensor  # (B, L) long, item index of a movie mention else -1
    neighbours: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None  # COO (row b·L+j, node, P(node | e_j))
    mentions: list[list[Mention]]

    @property
    def size(self) -> int:
        return int(self.turn_role.shape[0])


def emotion_slots(emotions: dict[str, float] | object) -> tuple[list[int], list[float]]:
    """At most `MAX_LABELS` (label id, probability) pairs, padded with `NO_EMOTION` / 0."""
    items = [(EMOTION_IDS[k], float(v)) for k, v in dict(emotions).items() if k in EMOTION_IDS][:MAX_LABELS]  # type: ignore[call-overload]
    ids = [i for i, _ in items] + [NO_EMOTION] * (MAX_LABELS - len(items))
    probs = [p for _, p in items] + [0.0] * (MAX_LABELS - len(items))
    return ids, probs


def collate(
    contexts: Sequence[Sequence[TurnInfo]],
    embeddings: torch.Tensor,
    config: RankerConfig,
    item_index: dict[str, int],
    cooccurrence: Sequence[Cooccurrence | None] | Cooccurrence | None = None,
) -> Batch:
    """Pad ``contexts`` into a `Batch`.

    Args:
        contexts: each a list of turns (oldest first); ``turn.text_index`` indexes ``embeddings``.
        embeddings: (rows, 384) MiniLM turn embeddings.
        config: windows and flags.
        item_index: ReDial id → item index.
        cooccurrence: one matrix for all contexts, or one per context (out-of-fold training); None skips it.
    """
    size = len(contexts)
    windows = [list(c)[-config.text_window :] for c in contexts]
    mentions = [entity_mentions(c, config.entity_window) for c in contexts]
    t_len = max(1, max((len(w) for w in windows), default=1))
    l_len = max(1, max((len(m) for m in mentions), default=1))
    rows = np.zeros((size, t_len), dtype=np.int64)
    turn_role = np.zeros((size, t_len), dtype=np.int64)
    turn_distance = np.zeros((size, t_len), dtype=np.int64)
    node = np.zeros((size, l_len), dtype=np.int64)
    role = np.zeros((size, l_len), dtype=np.int64)
    distance = np.zeros((size, l_len), dtype=np.int64)
    emo_ids = np.full((size, l_len, MAX_LABELS), NO_EMOTION, dtype=np.int64)
    emo_probs = np.zeros((size, l_len, MAX_LABELS), dtype=np.float32)
    item = np.full((size, l_len), -1, dtype=np.int64)
    for b, (window, found) in enumerate(zip(windows, mentions, strict=True)):
        for t, turn in enumerate(window):
            rows[b, t] = turn.text_index
            turn_role[b, t] = ROLE_IDS[turn.role]
            turn_distance[b, t] = min(len(window) - 1 - t, config.max_distance)
        for j, mention in enumerate(found):
            node[b, j] = mention.node
            role[b, j] = ROLE_IDS[mention.role]
            distance[b, j] = min(mention.distance, config.max_distance)
            emo_ids[b, j], emo_probs[b, j] = emotion_slots(mention.emotions)
            if mention.movie is not None:
                item[b, j] = item_index.get(mention.movie, -1)
    roles = torch.from_numpy(turn_role)
    turn_embeddings = embeddings[torch.from_numpy(rows).view(-1)].view(size, t_len, -1) * (roles > 0).unsqueeze(-1)
    neighbours = None
    if cooccurrence is not None:
        matrices = cooccurrence if isinstance(cooccurrence, Sequence) else [cooccurrence] * size
        neighbours = neighbour_rows(node, role > 0, matrices)
    return Batch(
        turn_embeddings=turn_embeddings,
        turn_role=roles,
        turn_distance=torch.from_numpy(turn_distance),
        entity_node=torch.from_numpy(node),
        entity_role=torch.from_numpy(role),
        entity_distance=torch.from_numpy(distance),
        emotion_ids=torch.from_numpy(emo_ids),
        emotion_probs=torch.from_numpy(emo_probs),
        entity_item=torch.from_numpy(item),
        neighbours=neighbours,
        mentions=mentions,
    )


def neighbour_rows(
    node: np.ndarray, valid: np.ndarray, matrices: Sequence[Cooccurrence | None]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each context entity (row ``b·L + j``) its row of P(e_j | e_i), as COO ``(rows, nodes, P)``."""
    width = node.shape[1]
    parts_r, parts_c, parts_v = [], [], []
    for b, matrix in enumerate(matrices):
        if matrix is None:
            continue
        r, c, v = matrix.gather(np.where(valid[b], node[b], -1))
        parts_r.append(r + b * width)
        parts_c.append(c)
        parts_v.append(v)
    if not parts_r:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), torch.zeros(0)
    return (
        torch.from_numpy(np.concatenate(parts_r)),
        torch.from_numpy(np.concatenate(parts_c)),
        torch.from_numpy(np.concatenate(parts_v)).float(),
    )

"""Score many contexts with a trained model, apply the ranking rules, and read off label ranks.

Rules applied after the model (same at evaluation and inference):
- movies the seeker turned down in the dialogue (`features.disliked_movies`, from the text and detected emotions)
  are never recommended — only for models that read emotions (the no-emotion ablation cannot know); at inference the
  chain passes its feedback reader's verdicts instead (``turned_down``), which hold for every model;
- with ``exclude_mentioned`` the movies already in the context are removed too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ecr_agent.ranker.batching import Batch, collate
from ecr_agent.ranker.cooccurrence import Cooccurrence
from ecr_agent.ranker.features import TurnInfo, disliked_movies, mentioned_movies
from ecr_agent.ranker.model import EmotionAwareRankerModel

BANNED = float("-inf")


@dataclass
class ScoredBatch:
    """Model output for a slice of contexts: raw scores and the ones the ranking uses (rules applied)."""

    start: int
    batch: Batch
    logits: torch.Tensor
    ranked: torch.Tensor
    parts: dict


def banned_items(
    contexts: Sequence[Sequence[TurnInfo]],
    item_index: dict[str, int],
    disliked: bool,
    mentioned: bool,
    turned_down: Sequence[Collection[str]] | None = None,
) -> list[list[int]]:
    """Per context, the item indices the rules remove.

    ``turned_down`` (one collection per context): the movies the user turned down as the chain's feedback reader
    decided; given, they replace the dislike rule (`features.disliked_movies`) and are removed for every model.
    """
    banned = []
    for row, turns in enumerate(contexts):
        if turned_down is not None:
            downs = list(turned_down[row])
        else:
            downs = disliked_movies(turns) if disliked else []
        movies = downs + (mentioned_movies(turns) if mentioned else [])
        banned.append([item_index[m] for m in dict.fromkeys(movies) if m in item_index])
    return banned


def apply_bans(logits: torch.Tensor, banned: Sequence[Sequence[int]]) -> torch.Tensor:
    out = logits.clone()
    for row, items in enumerate(banned):
        if items:
            out[row, list(items)] = BANNED
    return out


@torch.no_grad()
def score_contexts(
    model: EmotionAwareRankerModel,
    contexts: Sequence[Sequence[TurnInfo]],
    embeddings: torch.Tensor,
    item_index: dict[str, int],
    cooccurrence: Cooccurrence | None,
    batch_size: int = 256,
    exclude_mentioned: bool = False,
    states: torch.Tensor | None = None,
    items: torch.Tensor | None = None,
    parts: bool = False,
    turned_down: Sequence[Collection[str]] | None = None,
) -> Iterator[ScoredBatch]:
    """Yield scored batches of ``contexts`` in order (eval mode; entity and item states computed once).

    ``turned_down``: per context, the movies the feedback reader says the user turned down (see `banned_items`).
    """
    model.eval()
    states = model.entity_states() if states is None else states
    items = model.item_states(states) if items is None else items
    use_global = model.config.use_global and cooccurrence is not None
    for start in range(0, len(contexts), batch_size):
        chunk = contexts[start : start + batch_size]
        batch = collate(
            chunk,
            embeddings,
            model.config,
            item_index,
            cooccurrence if use_global else None,
        )
        out = model(batch, states=states, items=items, parts=True)
        assert isinstance(out, dict)
        downs = turned_down[start : start + batch_size] if turned_down is not None else None
        banned = banned_items(chunk, item_index, model.config.use_local_emotions, exclude_mentioned, downs)
        yield ScoredBatch(start, batch, out["logits"], apply_bans(out["logits"], banned), out if parts else {})


def log_probabilities(
    model: EmotionAwareRankerModel,
    contexts: Sequence[Sequence[TurnInfo]],
    embeddings: torch.Tensor,
    item_index: dict[str, int],
    cooccurrence: Cooccurrence | None,
    **options: Any,
) -> torch.Tensor:
    """(len(contexts), num_items) log-softmax of the model's raw scores (no rules): one ensemble member's share.

    ``options`` go to `score_contexts` (``batch_size``, precomputed ``states`` and ``items``).
    """
    blocks = [
        torch.log_softmax(scored.logits, dim=1)
        for scored in score_contexts(model, contexts, embeddings, item_index, cooccurrence, **options)
    ]
    return torch.cat(blocks) if blocks else torch.zeros(0, len(item_index))


def label_ranks(ranked: torch.Tensor, labels: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """1-based rank of each label (ties broken against the label) and its softmax probability."""
    label_scores = ranked.gather(1, labels.unsqueeze(1))
    ranks = (ranked >= label_scores).sum(1)
    probs = torch.softmax(ranked, dim=1).gather(1, labels.unsqueeze(1)).squeeze(1)
    return ranks.numpy(), probs.numpy()

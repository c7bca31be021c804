"""Recommendation samples of a split joined with the ranker's view of their context (turns, entities, emotions).

Emotions come from the emotion classifier's per-message predictions (`load_utterance_emotions`, seeker messages,
labels above β). The questionnaire feedback of a sample is kept beside it for the loss weight and the metrics only:
nothing in `RankerSample.context` is derived from it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.data.redial import Dialogue, Feedback, Role, load_dialogues, render_mentions
from ecr_agent.data.samples import build_samples
from ecr_agent.linking import EntityLinker
from ecr_agent.ranker.cache import SplitCache, split_cache
from ecr_agent.ranker.features import TurnInfo, clause_rejections, needs_clauses, turn_emotions
from ecr_agent.ranker.graph import NodeSpace

logger = logging.getLogger(__name__)

PLACEHOLDER_ENV = "ECR_RANKER_PLACEHOLDER_EMOTIONS"
"""Set to 1 to develop with every seeker message marked ``neutral`` when no emotion model exists (never report)."""
PLACEHOLDER = "placeholder-neutral"
CLASSIFIER = "classifier"


@dataclass(frozen=True)
class RankerSample:
    """A recommendation sample: its context as the ranker sees it, and the label side (never a model input)."""

    conversation_id: str
    turn_index: int
    context: tuple[TurnInfo, ...]
    label: str
    feedback: Feedback
    dedup: bool
    role: Role = "recommender"


@dataclass
class SplitData:
    """Samples of a split, every dialogue's turns (with emotions) and the turn embeddings they index."""

    split: str
    samples: list[RankerSample]
    dialogues: dict[str, list[TurnInfo]]
    embeddings: torch.Tensor
    emotion_source: str


def utterance_emotions(
    split: str, paths: Paths, dialogues: Sequence[Dialogue] | None = None
) -> tuple[Mapping[tuple[str, int], dict], str]:
    """Per seeker message ``{(conversation_id, position): {label: prob}}`` and where it came from.

    A whole split reads the emotion model's per-split cache (`load_utterance_emotions`); a slice (``dialogues``)
    runs `EmotionPredictor.detect` on just its seeker messages, rendered the same way.

    Raises:
        StoreNotBuiltError: no trained emotion model (and no explicit placeholder request).
    """
    try:
        if dialogues is None:
            from ecr_agent.emotion.inference import load_utterance_emotions

            return load_utterance_emotions(split, paths), CLASSIFIER
        return _detect_slice(dialogues, paths), CLASSIFIER
    except (ImportError, StoreNotBuiltError) as error:
        if os.environ.get(PLACEHOLDER_ENV) == "1":
            logger.warning("no emotion model (%s): every seeker message is 'neutral' (development only)", error)
            return _Neutral(), PLACEHOLDER
        raise StoreNotBuiltError(
            f"the ranker needs per-message emotions and none are available ({error}); run `ecr train emotion` first"
        ) from error


def _detect_slice(dialogues: Sequence[Dialogue], paths: Paths) -> dict[tuple[str, int], dict]:
    from ecr_agent.data.movies import MovieCatalog
    from ecr_agent.emotion.inference import EmotionPredictor

    predictor = EmotionPredictor.load(paths)
    titles = MovieCatalog.load(paths).titles
    keys, texts = [], []
    for dialogue in dialogues:
        for message in dialogue.seeker_messages():
            keys.append((dialogue.conversation_id, message.position))
            texts.append(dialogue.render(message, titles))
    return dict(zip(keys, predictor.detect(texts), strict=True))


class _Neutral(dict):
    def get(self, key: object, default: object = None) -> dict:  # type: ignore[override]
        return {"neutral": 1.0}


def attach(cache: SplitCache, emotions: Mapping[tuple[str, int], dict]) -> dict[str, list[TurnInfo]]:
    """`TurnInfo` lists of every cached dialogue, seeker turns carrying their merged message emotions."""
    dialogues: dict[str, list[TurnInfo]] = {}
    for cid, turns in cache.dialogues.items():
        dialogues[cid] = [
            TurnInfo(
                role=t.role,  # type: ignore[arg-type]
                movies=t.movies,
                nodes=t.nodes,
                emotions=turn_emotions([emotions.get((cid, p)) for p in t.positions]) if t.role == "seeker" else {},
                text_index=t.row,
            )
            for t in turns
        ]
    return dialogues


def read_clauses(
    dialogues: dict[str, list[TurnInfo]], raw: Sequence[Dialogue], linker: EntityLinker, paths: Paths
) -> int:
    """Set `TurnInfo.rejected` on every negative seeker turn naming several movies (in place); return their count.

    Each message of such a turn is split into clauses, linked and classified (`features.clause_rejections`), as
    the ranker does at inference, so evaluation applies the same dislike rule.
    """
    from ecr_agent.data.samples import merge_turns

    wanted = [
        (dialogue, index, turn)
        for dialogue in raw
        for index, turn in enumerate(merge_turns(dialogue))
        if needs_clauses(turn.role, dialogues[dialogue.conversation_id][index].emotions,
                         dialogues[dialogue.conversation_id][index].movies)
    ]  # fmt: skip
    if not wanted:
        return 0
    from ecr_agent.emotion.inference import EmotionPredictor

    detect = EmotionPredictor.load(paths).detect
    titles = linker.catalog.titles
    by_position = {d.conversation_id: {m.position: m.text for m in d.messages} for d, _, _ in wanted}
    for dialogue, index, turn in wanted:
        cid = dialogue.conversation_id
        info = dialogues[cid][index]
        text = "\n".join(by_position[cid][p] for p in turn.positions)
        rejected = clause_rejections(
            text,
            info.movies,
            lambda clause: linker.link(clause).movie_ids,
            detect,
            lambda clause, d=dialogue: render_mentions(clause, d.movie_mentions, titles),
        )
        dialogues[cid][index] = replace(info, rejected=rejected)
    return len(wanted)


def random_dialogues(data: SplitData, count: int, seed: int) -> SplitData:
    """``data`` cut to ``count`` dialogues drawn at random (seeded), with their samples."""
    ids = sorted(data.dialogues, key=int)
    chosen = {ids[i] for i in np.random.default_rng(seed).permutation(len(ids))[:count]}
    return replace(
        data,
        samples=[s for s in data.samples if s.conversation_id in chosen],
        dialogues={cid: turns for cid, turns in data.dialogues.items() if cid in chosen},
    )


def load_split(
    split: str,
    linker: EntityLinker,
    nodes: NodeSpace,
    paths: Paths,
    limit: int | None = None,
    roles: tuple[Role, ...] = ("recommender",),
    rules: bool = True,
) -> SplitData:
    """Samples, turns and embeddings of ``split`` (first ``limit`` dialogues) for training or evaluation.

    ``roles``: whose movie mentions are labels (evaluation: the recommender's only). ``rules``: prepare what the
    ranking rules read (`read_clauses`, which runs the emotion classifier); training samples never go through the
    rules, so their split skips it.
    """
    cache = split_cache(split, linker, nodes, paths, limit=limit)
    raw = load_dialogues(split, paths)[:limit]  # type: ignore[arg-type]
    emotions, source = utterance_emotions(split, paths, None if limit is None else raw)
    dialogues = attach(cache, emotions)
    if rules and source == CLASSIFIER:
        read_clauses(dialogues, raw, linker, paths)
    known = set(nodes.item_ids)
    samples = [
        RankerSample(
            conversation_id=s.conversation_id,
            turn_index=s.turn_index,
            context=tuple(dialogues[s.conversation_id][: s.turn_index]),
            label=s.label,
            feedback=s.feedback,
            dedup=s.dedup,
            role=s.role,
        )
        for s in build_samples(raw, known, roles)
    ]
    return SplitData(split, samples, dialogues, cache.embeddings, source)

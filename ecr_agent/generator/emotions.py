"""The emotion classifier as seen by the generator: label the seeker lines of training prompts, score replies.

The classifier (``ecr_agent.emotion.inference.EmotionPredictor``) is trained by ``ecr train emotion``; when it is
not there (or not built yet), the generator trains without emotion lines and evaluation reports the emotional
intensity proxy as unavailable instead of guessing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ecr_agent.config import Paths

logger = logging.getLogger(__name__)

EmotionScorer = Callable[[list[str]], list[dict[str, float]]]


def emotion_scorer(paths: Paths) -> EmotionScorer | None:
    """A function ``texts -> [{label: prob}]`` backed by the trained classifier, or None when there is none."""
    try:
        from ecr_agent.emotion.inference import EmotionPredictor
    except ImportError:
        logger.warning("no emotion classifier module (ecr_agent.emotion.inference): emotions unavailable")
        return None
    try:
        predictor = EmotionPredictor.load(paths)
    except Exception as error:  # a missing or corrupt model: StoreNotBuiltError, OSError, ...
        logger.warning("the emotion classifier could not be loaded (%s): emotions unavailable", error)
        return None

    def score(texts: list[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        result = predictor.predict(list(texts))
        if isinstance(result, dict):  # a single-text API
            result = [result]
        return [{str(k): float(v) for k, v in dict(r).items()} for r in result]

    return score


def non_neutral(emotions: dict[str, float]) -> float:
    """Emotional-intensity proxy of one text: 1 − p(neutral) for a distribution, else the top non-neutral prob."""
    if not emotions:
        return 0.0
    total = sum(emotions.values())
    if 0.98 <= total <= 1.02:
        return max(0.0, 1.0 - emotions.get("neutral", 0.0))
    return max((p for label, p in emotions.items() if label != "neutral"), default=0.0)

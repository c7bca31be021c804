"""The emotion-aware ranker (paper §4.2): model, training, evaluation and inference in plain PyTorch.

``EmotionAwareRanker`` ranks movies for live conversations; ``train_ranker``, ``evaluate_ranker`` and
``predict_ranker`` back ``ecr train|eval|predict ranker``. Imports are lazy: ``import ecr_agent.ranker`` loads no model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "EmotionAwareRanker": "ecr_agent.ranker.inference",
    "popular_movies": "ecr_agent.ranker.inference",
    "train_ranker": "ecr_agent.ranker.training",
    "evaluate_ranker": "ecr_agent.ranker.evaluation",
    "predict_ranker": "ecr_agent.ranker.evaluation",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ecr_agent.ranker' has no attribute {name!r}")

"""Emotion-aligned reply generation: the prompt, LoRA fine-tuning and decoding.

Importing this package stays light and LangChain-free; the model classes load on first use. The LangChain chat model
around the generator is `ecr_agent.integrations.ECRChatModel`.
"""

from __future__ import annotations

from typing import Any

from ecr_agent.generator.prompt import GenerationPrompt, build_prompt

__all__ = [
    "DecodingConfig",
    "EmpatheticGenerator",
    "GenerationPrompt",
    "build_prompt",
    "evaluate_generator",
    "measure_decoding",
    "train_generator",
]

_LAZY = {
    "DecodingConfig": "ecr_agent.generator.decoding",
    "EmpatheticGenerator": "ecr_agent.generator.model",
    "evaluate_generator": "ecr_agent.generator.evaluation",
    "measure_decoding": "ecr_agent.generator.bench",
    "train_generator": "ecr_agent.generator.training",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)

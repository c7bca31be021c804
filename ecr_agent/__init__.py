"""ecr-agent: the Empathetic Conversational Recommender (ECR, RecSys 2024) as an offline-first LangChain plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["ECRChain", "ECRResponse", "__version__"]

if TYPE_CHECKING:
    from ecr_agent.chain import ECRChain, ECRResponse


def __getattr__(name: str) -> object:
    """Import the chain lazily: the science modules stay importable without loading LangChain."""
    if name in ("ECRChain", "ECRResponse"):
        from ecr_agent import chain

        return getattr(chain, name)
    raise AttributeError(f"module 'ecr_agent' has no attribute {name!r}")

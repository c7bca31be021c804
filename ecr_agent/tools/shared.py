"""`SharedChain`: one `ECRChain` whose loaded parts all the tools of `get_tools` (and the agent) share."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from ecr_agent.chain import ECRChain
    from ecr_agent.config import Paths


class SharedChain:
    """An `ECRChain` given, or loaded from ``paths`` on first use (once, even when tools are called from threads).

    The emotion classifier, ranker, entity linker and knowledge stores the tools use are this chain's parts, so
    ``get_tools()`` loads each of them once, whatever tools are called first.
    """

    def __init__(self, paths: Paths | None = None, chain: ECRChain | None = None) -> None:
        self.paths = paths
        self._chain = chain
        self._lock = threading.Lock()

    def get(self) -> ECRChain:
        with self._lock:
            if self._chain is None:
                from ecr_agent.chain import ECRChain

                self._chain = ECRChain.from_store(paths=self.paths)
            return self._chain


def resolve_paths(paths: Paths | None) -> Paths:
    """``paths``, or the environment's (``ECR_DATA_DIR``, ``ECR_STORE_DIR``) when the user gave none."""
    from ecr_agent.config import Paths

    return paths if paths is not None else Paths.from_env()


class UsesSharedChain:
    """Mixin of the four tools: ``from_chain`` builds a tool that takes its model from a `SharedChain`."""

    @classmethod
    def from_chain(cls, shared: SharedChain) -> Self:
        """A tool that uses the parts of a shared `ECRChain` (see `get_tools`)."""
        make: Any = cls  # each tool class takes ``paths``; the mixin alone does not say so
        tool = make(paths=shared.paths)
        tool._shared = shared
        return tool

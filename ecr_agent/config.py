"""Where data and built artefacts live, resolved once from the environment.

The contract (DESIGN.md): ``ECR_DATA_DIR`` (default ``../shared/data`` when it exists, else ``./data``),
``ECR_STORE_DIR`` (default ``./stores``), and ``ECR_CHROMA_HOST`` / ``ECR_CHROMA_PORT`` for a Chroma server.
Only the edges (the CLI, ``ECRChain.from_store``, the tools and agent factories, the integrations' ``from_env``)
call `Paths.from_env`; everything else takes the `Paths` it is given (tests/unit/test_package_boundaries.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
QUIET_ENV = {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}
"""Loading a model from a library call draws no "Loading weights" bar on the user's terminal (set the variable to
0 to see it); our own bars (training, building, evaluating) are unaffected."""


def force_offline() -> None:
    """Make every Hugging Face / Chroma code path refuse the network, and model loading quiet; call before
    importing models. Variables the user already set win."""
    for key, value in {**OFFLINE_ENV, **QUIET_ENV}.items():
        os.environ.setdefault(key, value)


class DataNotFoundError(FileNotFoundError):
    """A dataset file is missing; the message names the file and how to point at the data."""


class StoreNotBuiltError(RuntimeError):
    """A built artefact is missing or corrupt; the message names the command that rebuilds it."""


class StoreCorruptError(StoreNotBuiltError):
    """A built file exists but cannot be read (truncated, garbled); the message names it and its rebuild command.

    A subclass of `StoreNotBuiltError` on purpose: every caller that degrades without a part (the pipeline's
    non-strict loading, ``ecr demo`` rebuilding what is missing, the CLI's one-line error) treats a corrupt part
    exactly like a missing one, while a caller that cares can still tell them apart.
    """

    def __init__(self, path: Path, command: str, reason: str = "") -> None:
        self.path, self.command, self.reason = Path(path), command, reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f"{path} is corrupt or truncated{detail}; rebuild it with `{command}`")

    def __reduce__(self) -> tuple[type, tuple[Path, str, str]]:
        return type(self), (self.path, self.command, self.reason)  # survives pickling between processes


class StoreBusyError(RuntimeError):
    """Another process is writing the store (``ecr build`` / ``ecr train``); the message names it."""


def _default_data_dir() -> Path:
    shared = Path("../shared/data")
    return shared if shared.exists() else Path("data")


@dataclass(frozen=True)
class Paths:
    """Resolved locations of the input data and the built stores."""

    data_dir: Path
    store_dir: Path
    chroma: ChromaServer | None = None
    """The Chroma server holding the knowledge collections; None: the embedded store under ``store_dir``."""

    @classmethod
    def from_env(cls) -> Paths:
        """Read ``ECR_DATA_DIR``, ``ECR_STORE_DIR`` and ``ECR_CHROMA_HOST`` (with the DESIGN.md defaults)."""
        data = Path(os.environ.get("ECR_DATA_DIR") or _default_data_dir())
        store = Path(os.environ.get("ECR_STORE_DIR") or "stores")
        return cls(data_dir=data.resolve(), store_dir=store.resolve(), chroma=ChromaServer.from_env())

    def data_file(self, relative: str) -> Path:
        """Return ``data_dir / relative``, or raise a `DataNotFoundError` that says how to fix it."""
        path = self.data_dir / relative
        if not path.exists():
            raise DataNotFoundError(
                f"missing data file {path}. Point ECR_DATA_DIR at the ecr-agent data folder "
                f"(the one holding redial/, kg/, movies/, reviews/, emotions/); now it is {self.data_dir}."
            )
        return path

    @property
    def chroma_dir(self) -> Path:
        return self.store_dir / "chroma"

    @property
    def graph_file(self) -> Path:
        return self.store_dir / "kg" / "dbpedia_subkg.nt"

    def model_dir(self, name: str) -> Path:
        return self.store_dir / "models" / name

    @property
    def cache_dir(self) -> Path:
        return self.store_dir / "cache"


@dataclass(frozen=True)
class ChromaServer:
    """Address of a Chroma server (``chroma run``); absent when the embedded store is used."""

    host: str
    port: int

    @classmethod
    def from_env(cls) -> ChromaServer | None:
        host = os.environ.get("ECR_CHROMA_HOST")
        if not host:
            return None
        return cls(host=host, port=int(os.environ.get("ECR_CHROMA_PORT") or 8000))

"""Fixtures of the unit tests: the real data folder as `Paths`, with a store of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_agent.config import Paths


@pytest.fixture(scope="session")
def paths(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The data folder and an empty store (unit tests read the data; what they write is caches)."""
    return Paths(data_dir=data_dir, store_dir=tmp_path_factory.mktemp("unit_store"))

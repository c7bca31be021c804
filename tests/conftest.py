"""Shared fixtures: the real data folder, and an isolated store directory per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("ECR_DATA_DIR", str((ROOT.parent / "shared" / "data").resolve()))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Path(os.environ["ECR_DATA_DIR"])
    if not (path / "redial").exists():
        pytest.fail(f"ECR_DATA_DIR={path} does not hold the ecr-agent data (redial/, kg/, ...)")
    return path


@pytest.fixture(scope="session")
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory shared by the integration tests of one session (built lazily by the fixtures that need it)."""
    return tmp_path_factory.mktemp("ecr_store")

"""Shared fixtures: the real data folder, a private store per test session, and a small but complete trained store.

Tests never touch ``./stores``: ``ECR_STORE_DIR`` points at a fresh temporary folder for the whole session.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("ECR_DATA_DIR", str((ROOT.parent / "shared" / "data").resolve()))
os.environ["ECR_STORE_DIR"] = tempfile.mkdtemp(prefix="ecr_test_store_")
atexit.register(shutil.rmtree, os.environ["ECR_STORE_DIR"], ignore_errors=True)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

TINY_MOVIES = 150
"""Knowledge-store slice of the tiny store: facts and reviews of the first movies by id."""


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


@pytest.fixture(scope="session")
def tiny_store(data_dir: Path) -> Path:
    """``$ECR_STORE_DIR`` with every part built small: a store slice, and models trained for a few steps.

    The models are real (the packaged MiniLM and SmolLM2, real data) but barely trained: tests check behaviour
    and contracts here, never quality.
    """
    from ecr_agent.config import Paths
    from ecr_agent.emotion.training import train_emotion
    from ecr_agent.feedback.training import train_feedback
    from ecr_agent.generator.training import train_generator
    from ecr_agent.knowledge.build import build_knowledge
    from ecr_agent.ranker.training import train_ranker

    paths = Paths.from_env()
    build_knowledge(paths, limit_movies=TINY_MOVIES)
    train_emotion("smoke", paths=paths, progress=False)
    train_feedback("smoke", paths=paths, progress=False)
    train_ranker("smoke", paths=paths)
    train_generator("smoke", paths=paths)
    return paths.store_dir

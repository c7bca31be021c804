"""Shared fixtures: the real data folder, a private store per test session, and a small but complete trained store.

Tests never touch ``./stores``: ``ECR_STORE_DIR`` points at a fresh temporary folder for the whole session. Under
``pytest -n`` (pytest-xdist, as `bash run.sh test` runs) the workers share that folder, the first worker that needs
the tiny store builds it while the others wait, and each worker runs on a core of its own: a worker is then a
one-core machine whose thread choices (`ecr_agent.distributed`) see no neighbour, instead of two workers' threads
meeting at barriers on shared cores.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("ECR_DATA_DIR", str((ROOT.parent / "shared" / "data").resolve()))
if "PYTEST_XDIST_WORKER" in os.environ and "ECR_TEST_STORE_DIR" in os.environ:
    os.environ["ECR_STORE_DIR"] = os.environ["ECR_TEST_STORE_DIR"]  # made by the controller, which removes it
    _cpus = sorted(os.sched_getaffinity(0))
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    if len(_cpus) > 1 and _worker < len(_cpus):
        os.sched_setaffinity(0, {_cpus[_worker]})  # inherited by the threads and processes the tests start
else:
    os.environ["ECR_STORE_DIR"] = os.environ["ECR_TEST_STORE_DIR"] = tempfile.mkdtemp(prefix="ecr_test_store_")
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
    built = paths.store_dir / ".tiny-store-built"
    with FileLock(paths.store_dir / ".tiny-store.lock"):
        if not built.exists():
            build_knowledge(paths, limit_movies=TINY_MOVIES)
            train_emotion("smoke", paths=paths, progress=False)
            train_feedback("smoke", paths=paths, progress=False)
            train_ranker("smoke", paths=paths)
            train_generator("smoke", paths=paths)
            built.touch()
    return paths.store_dir


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the two ``os.devnull`` files llama-cpp-python opens when imported and never closes
    (``llama_cpp/_utils.py``): otherwise a worker that loaded llama.cpp prints "ResourceWarning: unclosed file …
    /dev/null" at exit, after pytest's warning filters are gone. No test runs after this hook."""
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None:
            handle.close()

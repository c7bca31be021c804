"""A writer killed with SIGKILL part-way leaves a store the same command finishes; readers' writes take turns.

The killed commands run as real processes (``python -m ecr_agent.cli``) on slices of the data, each in a private
store; the uninterrupted runs they are compared with are the session's tiny store (same slice, same profile).
benchmarks/faults.py does the same at random kill times, five times per command.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import TINY_MOVIES

from ecr_agent.config import Paths, StoreBusyError
from ecr_agent.store_lock import LOCK_FILE

TOLERANCE = 0.02
"""Largest accepted difference of a validation metric between a killed-and-rerun run and an uninterrupted one."""


def _env(store: Path) -> dict[str, str]:
    return {**os.environ, "ECR_STORE_DIR": str(store)}


def _ecr(*args: str, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecr_agent.cli", "--json", *args],
        capture_output=True,
        text=True,
        env=_env(store),
        timeout=600,
    )


def kill_when(args: list[str], store: Path, ready: Callable[[str], bool], timeout: float = 300) -> str:
    """Run ``ecr ARGS`` and SIGKILL it as soon as ``ready(its stderr so far)``; return that stderr.

    Fails if the command ends (or the time runs out) first: then nothing was killed mid-way.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "ecr_agent.cli", "--json", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(store),
    )
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(process.stderr.fileno(), 4096), b"")))
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while not ready(b"".join(chunks).decode(errors="replace")):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`ecr {' '.join(args)}` was not caught mid-way:\n{b''.join(chunks).decode()[-2000:]}")
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join()
    return b"".join(chunks).decode(errors="replace")


PROGRESS = re.compile(r"embedding:.*?\|\s*(\d+)/(\d+)")


def embedding_mid_way(stderr: str) -> bool:
    """The build's progress bar shows some documents of a collection embedded and stored, not all."""
    return any(0 < int(done) < int(total) for done, total in PROGRESS.findall(stderr))


@pytest.mark.slow
def test_a_killed_build_is_finished_by_the_next_one(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    from ecr_agent.knowledge.stores import KnowledgeStore

    store = tmp_path / "store"
    slice_ = ["build", "--limit-movies", str(TINY_MOVIES)]
    kill_when(slice_, store, embedding_mid_way)
    assert (store / "kg" / "dbpedia_subkg.nt").exists()  # written whole before the embedding started

    rerun = _ecr(*slice_, store=store)
    assert rerun.returncode == 0, rerun.stderr[-2000:]  # no stale lock, nothing the rerun cannot open
    report = json.loads(rerun.stdout)
    assert "rdf_triples" not in report  # the graph was kept

    reference = KnowledgeStore.connect(Paths(data_dir=data_dir, store_dir=tiny_store))  # built uninterrupted
    rebuilt = KnowledgeStore.connect(Paths(data_dir=data_dir, store_dir=store))
    kept = 0
    for kind in ("triples", "reviews"):
        count = rebuilt.check(kind)  # complete, with the count the build promised
        assert count == reference.check(kind)
        kept += count - report["added"][kind]
        found = rebuilt.collection(kind).query(query_texts=["a film"], n_results=count, include=[])
        assert len(set(found["ids"][0])) == count  # the vector index answers for every document, not only sqlite
    assert kept > 0  # the rerun resumed: what the killed build had stored was kept, not embedded again


def training_started(stderr: str) -> bool:
    return "ranker ecr-seed0-smoke epoch 1/1" in stderr


@pytest.mark.slow
def test_killed_training_is_finished_by_the_next_run(tiny_store: Path, tmp_path: Path, data_dir: Path) -> None:
    from ecr_agent.ranker.assets import RankerAssets, load_run, ranker_dir, run_dir

    store = tmp_path / "store"
    (store / "models").mkdir(parents=True)
    (store / "models" / "emotion").symlink_to(tiny_store / "models" / "emotion")  # what the ranker reads
    kill_when(["train", "ranker", "--profile", "smoke"], store, training_started)
    paths = Paths(data_dir=data_dir, store_dir=store)
    caches = {p: p.stat().st_mtime_ns for p in (paths.cache_dir / "ranker").glob("*.safetensors")}
    assert caches and not list(paths.cache_dir.rglob("*.partial"))  # the caches were written whole before training
    assert not (ranker_dir(paths) / "config.json").exists()  # and no model yet

    rerun = _ecr("train", "ranker", "--profile", "smoke", store=store)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    run = json.loads(rerun.stdout)["runs"]["ecr"]
    assert {p: p.stat().st_mtime_ns for p in caches} == caches  # trusted, not rebuilt

    reference = json.loads((run_dir(Paths(data_dir, tiny_store), "ecr-seed0-smoke") / "report.json").read_text())
    assert run["train_samples"] == reference["train_samples"] and run["best_epoch"] == reference["best_epoch"]
    for name in ("recall@1", "recall@10", "recall@50", "auc"):
        assert abs(run["valid"][name] - reference["valid"][name]) <= TOLERANCE, name
    load_run(ranker_dir(paths), RankerAssets(paths))  # the inference default loads


def test_a_checkpoint_an_epoch_behind_its_weights_is_not_resumed(tmp_path: Path) -> None:
    """Killed between the checkpoint's tensors and its loop state: resuming would train one epoch twice."""
    import torch

    from ecr_agent.ranker.training import _checkpoint, _resume

    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW(model.parameters())
    state = {"epoch": 0, "step": 3, "best_score": 0.1, "best_epoch": 1, "best_metrics": {}, "stale": 0}
    _checkpoint(tmp_path, "run", model, optimizer, state | {"history": [], "train_seconds": 1.0}, None)
    assert _resume(tmp_path, "run", model, optimizer, None)["epoch"] == 0  # a whole checkpoint resumes
    loop_state = (tmp_path / "checkpoint.json").read_text()
    _checkpoint(tmp_path, "run", model, optimizer, state | {"epoch": 1, "history": [], "train_seconds": 2.0}, None)
    (tmp_path / "checkpoint.json").write_text(loop_state)  # as a kill between the two files leaves them
    assert _resume(tmp_path, "run", model, optimizer, None)["epoch"] == -1  # trained from the start instead


def test_a_feedback_model_killed_between_its_files_reads_as_missing(
    tiny_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecr_agent.config import StoreNotBuiltError
    from ecr_agent.feedback.model import CONFIG_FILE, WEIGHTS_FILE, FeedbackModelConfig, load_model, save_model

    directory = tmp_path / "feedback"
    shutil.copytree(tiny_store / "models" / "feedback", directory)
    model = load_model(directory)

    class Killed(BaseException):
        pass

    def killed(_config: FeedbackModelConfig, _directory: Path) -> Path:
        raise Killed  # the process dies once the weights are written, before the config

    monkeypatch.setattr(FeedbackModelConfig, "save", killed)
    with pytest.raises(Killed):
        save_model(model, directory)
    monkeypatch.undo()
    assert (directory / WEIGHTS_FILE).exists() and not (directory / CONFIG_FILE).exists()
    assert not list(directory.glob("*.partial"))
    with pytest.raises(StoreNotBuiltError):  # not new weights read with the old thresholds
        load_model(directory)


# --- readers that write: the converted base model and the llama.cpp exports wait for the store lock ---------------

HOLD = """
import sys, time
from pathlib import Path
from ecr_agent.store_lock import store_lock
with store_lock(Path(sys.argv[1]), "ecr train generator"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    Path(sys.argv[3]).write_text("done")
"""


@pytest.fixture
def trained_store(tmp_path: Path) -> Iterator[Callable[[float], tuple[Path, Path, subprocess.Popen]]]:
    """Start a process that holds ``tmp_path/store``'s lock for some seconds (as `ecr train generator`)."""
    holders: list[subprocess.Popen] = []

    def hold(seconds: float) -> tuple[Path, Path, subprocess.Popen]:
        store, released = tmp_path / "store", tmp_path / "released"
        store.mkdir(exist_ok=True)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(store), str(seconds), str(released)], stdout=subprocess.PIPE, text=True
        )
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        return store, released, holder

    yield hold
    for holder in holders:
        holder.kill()
        holder.wait()


def _adapter_copy(tiny_store: Path, store: Path) -> Path:
    from ecr_agent.generator.llama_runtime import ADAPTER_GGUF

    folder = store / "models" / "generator"
    shutil.copytree(tiny_store / "models" / "generator", folder)
    for export in [*folder.glob("*.gguf"), *folder.glob("*.partial")]:  # any export an earlier test left
        export.unlink()
    assert not (folder / ADAPTER_GGUF).exists()
    return folder


def test_a_llama_cpp_export_waits_for_a_writer_to_finish(
    tiny_store: Path, trained_store: Callable[[float], tuple[Path, Path, subprocess.Popen]]
) -> None:
    pytest.importorskip("gguf")
    from ecr_agent.generator.llama_runtime import exported_adapter, whole_gguf

    store, released, holder = trained_store(2.0)
    export = exported_adapter(_adapter_copy(tiny_store, store))  # needs writing while the store is held
    assert holder.wait(timeout=30) == 0
    assert whole_gguf(export) and export.stat().st_mtime_ns >= released.stat().st_mtime_ns  # after it, not beside


def test_a_reader_that_must_write_gives_up_after_waiting(
    tiny_store: Path, trained_store: Callable[[float], tuple[Path, Path, subprocess.Popen]], monkeypatch
) -> None:
    pytest.importorskip("gguf")
    import ecr_agent.generator.base as base
    import ecr_agent.generator.llama_runtime as runtime

    store, _, holder = trained_store(300.0)
    folder = _adapter_copy(tiny_store, store)
    monkeypatch.setattr(runtime, "DERIVED_WAIT_S", 0.5)
    monkeypatch.setattr(base, "DERIVED_WAIT_S", 0.5)
    with pytest.raises(StoreBusyError, match=f"`ecr train generator` \\(pid {holder.pid}\\)"):
        runtime.exported_adapter(folder)  # `EmpatheticGenerator.load` falls back to torch on this
    assert not list(folder.glob("*.gguf")) and not list(folder.glob("*.partial"))
    with pytest.raises(StoreBusyError):  # no base model here to convert: it waits too, then says who holds the store
        base.ensure_base_checkpoint(Paths(data_dir=Path("."), store_dir=store))
    assert sorted(p.name for p in (store / "models").iterdir()) == ["generator"]
    assert (store / LOCK_FILE).exists()

"""Data-parallel training for real: two CPU processes started by ``accelerate launch`` train one emotion model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ecr_agent.config import Paths
from ecr_agent.emotion.dataset import annotated_examples, questionnaire_examples
from ecr_agent.emotion.inference import EmotionPredictor
from ecr_agent.emotion.training import PROFILES

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def json_objects(text: str) -> list[dict]:
    """The JSON reports printed one after another by the processes."""
    decoder, objects, position = json.JSONDecoder(), [], 0
    while (start := text.find("{", position)) >= 0:
        value, position = decoder.raw_decode(text, start)
        objects.append(value)
    return objects


def launch_two_processes(store: Path, *ecr_arguments: str) -> list[dict]:
    """``accelerate launch`` two CPU processes of ``ecr --json ...``; their reports, by rank."""
    launcher = Path(sys.executable).parent / "accelerate"
    command = [
        str(launcher), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
        "-m", "ecr_agent.cli", "--json", *ecr_arguments,
    ]  # fmt: skip
    env = os.environ | {"ECR_STORE_DIR": str(store), "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return sorted(json_objects(done.stdout), key=lambda r: r["rank"])


def test_two_cpu_processes_share_the_batches_and_rank_zero_saves(tmp_path: Path):
    reports = launch_two_processes(tmp_path, "train", "emotion", "--profile", "smoke")
    assert [r["rank"] for r in reports] == [0, 1] and all(r["processes"] == 2 for r in reports)
    profile = PROFILES["smoke"]
    paths = Paths.from_env()
    examples = len(annotated_examples("train", paths, limit=profile.limit_annotations)) + len(
        questionnaire_examples(paths)
    )
    batches = -(-examples // profile.batch_size)
    assert all(r["steps_per_process"] == batches // 2 for r in reports)  # each process took half, not all
    assert all(r["cpu_threads"] <= max(1, len(os.sched_getaffinity(0)) // 2) for r in reports)  # cores shared
    assert "valid" in reports[0] and "valid" not in reports[1]  # only the main process evaluates and saves

    predictor = EmotionPredictor.load(Paths(data_dir=paths.data_dir, store_dir=tmp_path))
    probabilities = predictor.predict(["I hated that movie, it was awful"])[0]
    assert abs(sum(probabilities.values()) - 1) < 1e-4
    assert json.loads((tmp_path / "models" / "emotion" / "report.json").read_text())["processes"] == 2


def test_generator_processes_average_gradients_and_one_saves(tmp_path: Path, tiny_store: Path):
    base = "smollm2-135m-instruct"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / base).symlink_to(tiny_store / "models" / base)  # converted once per session

    reports = launch_two_processes(tmp_path, "train", "generator", "--profile", "smoke")
    assert [r["rank"] for r in reports] == [0, 1] and all(r["processes"] == 2 for r in reports)
    # each process trained on its own batches: the adapters agree only because the gradients were averaged
    assert reports[0]["last_step_fingerprint"] == reports[1]["last_step_fingerprint"]
    assert (tmp_path / "models" / "generator" / "adapter_model.safetensors").exists()

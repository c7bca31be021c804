"""Which runtime writes the replies, and how many threads a call takes on a busy machine (no models needed)."""

from __future__ import annotations

import pytest

import ecr_agent.distributed as distributed
import ecr_agent.generator.llama_runtime as llama_runtime
from ecr_agent.generator.llama_runtime import model_files, runtime_note


@pytest.mark.parametrize(("others", "expected"), [(0.0, 4), (0.4, 4), (1.2, 3), (2.6, 1), (9.0, 1)])
def test_free_threads_leaves_the_cores_other_processes_use(monkeypatch, others: float, expected: int) -> None:
    monkeypatch.setattr(distributed, "available_cpus", lambda: 4)
    monkeypatch.setattr(distributed, "other_load", lambda: others)
    assert distributed.free_threads() == expected


def test_the_note_says_which_runtime_and_why_torch(monkeypatch) -> None:
    monkeypatch.setattr(llama_runtime, "llama_cpp_available", lambda: True)
    assert runtime_note("llama.cpp q8_0") == "replies written by llama.cpp q8_0"
    assert runtime_note("torch bfloat16") == "replies written by torch bfloat16"  # asked for explicitly
    monkeypatch.setattr(llama_runtime, "llama_cpp_available", lambda: False)
    note = runtime_note("torch bfloat16")
    assert "llama-cpp-python is not installed" in note and "bash run.sh setup" in note


def test_unknown_weight_format_is_refused(tmp_path, paths) -> None:
    with pytest.raises(ValueError, match="q8_0"):
        model_files(tmp_path, paths, "q3_k")


def test_asking_for_llama_cpp_without_it_names_the_fix(monkeypatch, tmp_path) -> None:
    from ecr_agent.config import Paths
    from ecr_agent.generator.model import EmpatheticGenerator

    monkeypatch.setattr(llama_runtime, "llama_cpp_available", lambda: False)
    with pytest.raises(ValueError, match="llama-cpp-python is not installed"):
        EmpatheticGenerator.load(Paths(data_dir=tmp_path, store_dir=tmp_path), runtime="llama.cpp")
    with pytest.raises(ValueError, match="runtime must be"):
        EmpatheticGenerator.load(Paths(data_dir=tmp_path, store_dir=tmp_path), runtime="onnx")

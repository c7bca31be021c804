from __future__ import annotations

import pytest

from ecr_agent.distributed import DataParallel


def test_a_single_process_keeps_everything():
    single = DataParallel()
    assert not single.enabled and single.is_main
    assert single.shard([1, 2, 3]) == [1, 2, 3]
    assert single.cpu_threads(8) == 8 and single.device("cuda") == "cuda"


def test_processes_take_disjoint_equal_shares():
    batches = list(range(11))
    shares = [DataParallel(world_size=3, rank=r, local_world_size=3).shard(batches) for r in range(3)]
    assert {len(s) for s in shares} == {3}  # the same number of steps everywhere, or DDP hangs
    assert not set(shares[0]) & set(shares[1]) and not set(shares[1]) & set(shares[2])
    assert DataParallel(world_size=3, rank=1, local_world_size=3).cpu_threads(8) == 2


def test_from_env_reads_the_launcher_variables(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}.items():
        monkeypatch.setenv(name, value)
    parallel = DataParallel.from_env()
    assert (parallel.world_size, parallel.rank, parallel.local_rank, parallel.local_world_size) == (4, 3, 1, 2)
    assert not parallel.is_main and parallel.device("cuda") == "cuda:1" and parallel.device("cpu") == "cpu"

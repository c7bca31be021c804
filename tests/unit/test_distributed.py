from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecr_agent.distributed import DataParallel, _CpuClock


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


def test_other_load_leaves_out_this_process(monkeypatch: pytest.MonkeyPatch):
    samples = iter([(0.0, 100.0, 10.0), (1.0, 101.9, 11.8), (1.1, 103.0, 12.0), (3.0, 103.4, 12.2)])
    monkeypatch.setattr(_CpuClock, "sample", staticmethod(lambda: next(samples)))
    clock = _CpuClock()  # the first window opens here
    assert clock.other_load() == pytest.approx(0.1)  # first reading: 1.9 busy core-seconds since then, 1.8 ours
    assert clock.other_load() == pytest.approx(0.1)  # 0.1 s later: too short a window, the last reading stands
    assert clock.other_load() == pytest.approx(0.55)  # since the last kept reading: (1.5 - 0.4) core-s over 2 s


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat")
def test_other_load_sees_a_busy_neighbour_but_not_our_own_work():
    skip_if_busy()
    clock = _CpuClock()
    spin(0.6)  # work before the first reading, like a demo that built its stores before training, is not counted
    first = clock.other_load()
    assert _CpuClock().other_load() is not None  # a reading right after the clock is made waits out its window
    spin(0.6)  # our own work
    ours = clock.other_load()
    code = "import time\nend = time.monotonic() + 1.2\nwhile time.monotonic() < end: pass"
    neighbour = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.6)
        theirs = clock.other_load()
    finally:
        neighbour.wait()
    assert first is not None and ours is not None and theirs is not None
    assert theirs > ours + 0.5 and theirs > first + 0.5


def skip_if_busy(limit: float = 0.3) -> None:
    """These tests start their own neighbour; another job already on the cores (a training run) hides its load."""
    load = _CpuClock().other_load()
    if load is not None and load > limit:
        pytest.skip(f"other processes already keep {load:.1f} cores busy: run this test on a quiet machine")


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.skipif(
    not Path("/proc/stat").exists() or not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2,
    reason="pins processes to CPUs (Linux, two CPUs or more)",
)
def test_load_on_a_cpu_we_may_not_use_is_not_counted():
    """A job pinned to another CPU (taskset, a container's cpuset, another test worker) leaves ours free."""
    before = os.sched_getaffinity(0)
    mine = min(before)
    other = next(cpu for cpu in range(os.cpu_count() or 2) if cpu != mine)
    code = "import time\nend = time.monotonic() + 1.2\nwhile time.monotonic() < end: pass"
    os.sched_setaffinity(0, {mine})
    try:
        skip_if_busy()
        clock = _CpuClock()
        neighbour = subprocess.Popen([sys.executable, "-c", code], preexec_fn=lambda: os.sched_setaffinity(0, {other}))
        try:
            time.sleep(0.6)
            load = clock.other_load()
        finally:
            neighbour.wait()
    finally:
        os.sched_setaffinity(0, before)
    assert load is not None and load < 0.5

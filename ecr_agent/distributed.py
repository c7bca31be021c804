"""Data-parallel training across processes: what a trainer needs when ``accelerate launch`` or ``torchrun`` starts it.

The launchers set ``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK`` (and ``MASTER_ADDR``/``MASTER_PORT``) in each process.
`DataParallel.from_env` reads them; with one process everything here is a no-op, so a trainer written against it runs
unchanged under ``ecr train``. With several, every process builds the same seeded batch order, takes its own share
(`shard`), and `wrap` puts the model in ``DistributedDataParallel`` so gradients are averaged at each step; only
the main process writes files. `idle_threads` says how many CPU threads a process should take on a machine that
other work may share (the trainers and the ranker's inference use it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import torch

T = TypeVar("T")


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def idle_threads() -> int:
    """Every CPU when other processes leave them idle, else 1.

    On a shared machine whose cores are already taken, torch's threads wait on each other at every barrier (on our
    2-core machine under load: a training step 0.5 s with 1 thread and 1.4–4 s with 2; one ranking 19 ms vs 350 ms),
    while on an idle one all threads are faster. The machine counts as busy when other processes keep
    ``CPUs - 0.5`` cores or more at work (`other_load`).
    """
    available = available_cpus()
    return 1 if other_load() >= available - 0.5 else available


def free_threads() -> int:
    """One thread per core that other processes leave free, at least one (for inference, asked on every call).

    A decoding step splits each matrix product across threads that meet at a barrier; a thread that shares its core
    with another process's work is descheduled for whole time slices while the others wait. On this 2-core machine
    with a competing torch job, 60 decoded tokens took ~95 s with 2 threads (issue #14).
    """
    return max(1, available_cpus() - round(other_load()))


class _CpuClock:
    """CPU time of the whole machine and of this process, to tell this process's own load from everyone else's."""

    min_window = 0.2  # seconds; shorter windows are too coarse for /proc/stat's 10 ms ticks

    def __init__(self) -> None:
        self.previous = self.sample()  # the first window opens here (at import), not at the first reading
        self.load: float | None = None

    @staticmethod
    def sample() -> tuple[float, float, float] | None:
        """(wall s, busy CPU s of the CPUs this process may run on, this process's CPU s), or None off Linux.

        Only our CPUs count: work pinned to the others (``taskset``, a container's cpuset) leaves ours free.
        """
        ours = {f"cpu{n}" for n in os.sched_getaffinity(0)} if hasattr(os, "sched_getaffinity") else None
        busy = 0
        try:
            with open("/proc/stat") as stat:
                for line in stat:
                    if not line.startswith("cpu"):
                        break  # the per-CPU lines come first; the long interrupt counts after them are not needed
                    name, *values = line.split()
                    if name == "cpu" or (ours is not None and name not in ours):
                        continue
                    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in values[:8])
                    busy += user + nice + system + irq + softirq + steal
        except (OSError, ValueError):
            return None
        own = os.times()
        return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system

    def other_load(self) -> float | None:
        """Cores other processes kept busy since the previous reading (at least `min_window` ago).

        The first reading covers the time since the clock was made; only if that is shorter than `min_window` does
        it wait for the rest rather than guess.
        """
        now = self.sample()
        if now is None or self.previous is None:
            return None
        if self.load is None and now[0] - self.previous[0] < self.min_window:
            time.sleep(self.min_window - (now[0] - self.previous[0]))
            now = self.sample() or now
        if now[0] - self.previous[0] >= self.min_window:
            wall, busy, own = (a - b for a, b in zip(now, self.previous, strict=True))
            self.load = max(0.0, (busy - own) / wall)
            self.previous = now
        return self.load


_CLOCK = _CpuClock()


def other_load() -> float:
    """How many cores other processes keep busy: measured from /proc/stat since the last call on Linux.

    The first call measures since this module was imported (waiting for the rest of 0.2 s if it came sooner). The
    1-minute load average (the fallback off Linux) counts this process too: a demo that has just built its stores,
    or a busy ranker server, would read its own work as someone else's and drop to one thread.
    """
    measured = _CLOCK.other_load()
    if measured is not None:
        return measured
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


@dataclass(frozen=True)
class DataParallel:
    """Where the current process stands among the training processes."""

    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    local_world_size: int = 1

    @classmethod
    def from_env(cls) -> DataParallel:
        """Read the launcher's variables (a single process when they are absent)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        return cls(
            world_size=world,
            rank=int(os.environ.get("RANK", "0")),
            local_rank=int(os.environ.get("LOCAL_RANK", "0")),
            local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", str(world))),
        )

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """The process that writes checkpoints, models and reports, and shows progress."""
        return self.rank == 0

    def device(self, requested: str) -> str:
        """``cuda`` becomes this process's own GPU (``cuda:<local rank>``); other devices are kept."""
        return f"cuda:{self.local_rank}" if self.enabled and requested == "cuda" else requested

    def start(self, device: str) -> None:
        """Join the process group (gloo on CPU, NCCL on GPUs) unless this is a single process or it is joined."""
        if self.enabled and not torch.distributed.is_initialized():
            backend = "nccl" if device.startswith("cuda") else "gloo"
            torch.distributed.init_process_group(backend, rank=self.rank, world_size=self.world_size)

    def cpu_threads(self, available: int) -> int:
        """The CPU threads each process may use when the processes of this machine share its cores."""
        return max(1, available // self.local_world_size) if self.enabled else available

    def wrap(self, model: torch.nn.Module, find_unused_parameters: bool = False) -> torch.nn.Module:
        """``DistributedDataParallel(model)`` when there are several processes, else the model itself.

        ``find_unused_parameters``: some trainable parameters get no gradient in a step (slower; DDP fails
        without it in that case).
        """
        if not self.enabled:
            return model
        parameter = next(model.parameters())
        device_ids = [parameter.device.index] if parameter.device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(
            model, device_ids=device_ids, find_unused_parameters=find_unused_parameters
        )

    def shard(self, batches: Sequence[T]) -> list[T]:
        """The batches of the current process: every ``world_size``-th from ``rank``, the same count on every process.

        DDP needs every process to take the same number of steps, so the few batches left over by the division
        are dropped (they are different ones each epoch, as the order is reshuffled).
        """
        if not self.enabled:
            return list(batches)
        per_process = len(batches) // self.world_size
        return list(batches[self.rank :: self.world_size][:per_process])

    def average_gradients(self, parameters: Sequence[torch.nn.Parameter]) -> None:
        """Average the gradients of ``parameters`` over the processes (one all-reduce of a flat buffer).

        For trainers whose loss does not go through ``model.forward`` (so DDP's hooks cannot see it), or whose
        trainable part is small: call after ``backward()``, before clipping and ``optimizer.step()``.
        """
        if not self.enabled:
            return
        grads = [p.grad for p in parameters if p.grad is not None]
        flat = torch.cat([g.reshape(-1) for g in grads])
        torch.distributed.all_reduce(flat)
        flat /= self.world_size
        offset = 0
        for grad in grads:
            grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
            offset += grad.numel()

    def any(self, flag: bool) -> bool:
        """True on every process when ``flag`` is true on at least one (e.g. a time budget ran out somewhere)."""
        if not self.enabled:
            return flag
        value = torch.tensor([float(flag)])
        torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
        return bool(value.item())

    def barrier(self) -> None:
        if self.enabled and torch.distributed.is_initialized():
            torch.distributed.barrier()

    def stop(self) -> None:
        """Leave the process group (the launcher expects it at exit)."""
        if self.enabled and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a ``DistributedDataParallel`` wrapper (or the model itself)."""
    return model.module if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model


__all__ = ["DataParallel", "available_cpus", "free_threads", "idle_threads", "other_load", "unwrap"]

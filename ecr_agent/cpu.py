"""Process settings for a small, shared CPU: torch threads per call and heap reuse (first measured on the ranker).

`torch_threads`: inference batches are small matrix products; with two OpenMP threads on a loaded 2-core machine
each product waits at a barrier for a descheduled thread (measured: single-context ranking 350 ms with 2 threads,
19 ms with 1), while on an idle one two threads are faster (12.7 ms vs 18.2). Inference therefore asks
`ecr_agent.distributed.idle_threads` on every call: every CPU when the machine is idle, one when it is busy.

Each step allocates and frees many 5–20 MB tensors (the R-GCN over ~33k nodes). glibc serves blocks that large
with ``mmap`` and returns them at ``free``, so every step page-faults fresh zeroed memory; measured on this 2-core
machine that tripled the step time. `keep_heap_memory` raises the mmap threshold to its maximum (32 MB) and keeps
freed memory in the heap, as PyTorch's CPU performance guide suggests (via jemalloc/tcmalloc there). It changes how
memory is reused, never results; it is a no-op off glibc.

Torch's thread count is kept per thread (OpenMP's team size) plus one process-wide count that a thread adopts on its
first torch call. `torch_threads` sets the calling thread's count, gives a call that starts while others run its
share of the cores (two calls asking for 2 threads on 2 cores: the second gets 1), and restores the process count
from before the first overlapping call when each call ends. Restoring "the count this call saw" instead left a
process that had ranked from several threads at one thread for good (tests/unit/test_cpu.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

logger = logging.getLogger(__name__)

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
_DONE = False
_threads_guard = threading.Lock()
_active_calls = 0
_process_threads = 0
_enclosing = threading.local()  # per thread: the counts of the calls this thread is inside, outermost first


def keep_heap_memory() -> bool:
    """Tune glibc's allocator for large, short-lived tensors (once per process); True when applied."""
    global _DONE
    if _DONE:
        return True
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        ok = all(
            libc.mallopt(option, value)
            for option, value in (
                (M_MMAP_THRESHOLD, 32 * 1024 * 1024),
                (M_TRIM_THRESHOLD, 1 << 30),
                (M_TOP_PAD, 64 << 20),
            )
        )
    except (OSError, AttributeError):
        return False
    _DONE = bool(ok)
    logger.debug("glibc allocator tuned for large tensors: %s", _DONE)
    return _DONE


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with at most ``count`` intra-op threads (None: leave as is); safe to nest and to overlap."""
    global _active_calls, _process_threads
    if count is None:
        yield
        return
    stack: list[int] = _enclosing.__dict__.setdefault("counts", [])
    with _threads_guard:
        torch.get_num_threads()  # a thread's first torch call adopts the process count: let it happen before ours
        if _active_calls == 0:
            _process_threads = torch.get_num_threads()
        _active_calls += 1
        share = max(1, count // _active_calls)
        torch.set_num_threads(share)
    stack.append(share)
    try:
        yield
    finally:
        stack.pop()
        with _threads_guard:
            _active_calls -= 1
            torch.set_num_threads(_process_threads)  # the process count, which a new thread adopts
            if stack:
                torch.set_num_threads(stack[-1])  # this thread is still inside an enclosing call

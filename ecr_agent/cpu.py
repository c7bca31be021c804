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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import torch

logger = logging.getLogger(__name__)

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
_DONE = False


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
    """Run the block with ``count`` intra-op threads (None: leave as is), restoring the previous count after."""
    previous = torch.get_num_threads()
    if count is None or count == previous:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)

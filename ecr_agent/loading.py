"""`paused_gc`: load a chain without Python's cyclic garbage collector re-scanning what it has just loaded.

Loading a chain creates ~700k long-lived objects (torch and its modules, the knowledge graph, the catalogue, the
fact book). With the collector on, every few thousand new objects start a collection, and the older generations
are re-scanned again and again as they grow: measured on 2 idle cores, 3.40 s to load a chain with the collector on
against 2.89 s with it paused and one full collection at the end, and the first turn after it 1.25 s against 1.05 s
(the collector no longer has a backlog to work through; benchmarks/chain). The collector's settings are the caller's
again afterwards; nothing is frozen or left disabled.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block, then collect once and enable it again.

    Nested or with the collector already disabled by the caller, it does nothing (the outermost block collects).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()

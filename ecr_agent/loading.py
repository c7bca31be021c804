"""`paused_gc`: load a chain without Python's cyclic garbage collector re-scanning what it has just loaded.

Loading a chain creates ~700k long-lived objects (torch and its modules, the knowledge graph, the catalogue, the
fact book). With the collector on, every few thousand new objects start a collection, and the older generations
are re-scanned again and again as they grow: measured on 2 idle cores, 3.40 s to load a chain with the collector on
against 2.89 s with it paused and one full collection at the end, and the first turn after it 1.25 s against 1.05 s
(the collector no longer has a backlog to work through; benchmarks/chain). That one collection then took 0.28 s of a
~3 s cold start, so the loaded objects now go straight to the oldest generation instead (`gc.freeze` then
`gc.unfreeze`): they are scanned at the next full collection, when Python decides one is due, as if they had
survived the young ones. The collector's settings are the caller's again afterwards; nothing stays frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block, then move what it made to the oldest generation and enable it again.

    Nested or with the collector already disabled by the caller, it does nothing (the outermost block acts). When the
    caller has frozen objects of their own (`gc.freeze`), unfreezing would release theirs too: it collects instead.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    frozen_before = gc.get_freeze_count()
    try:
        yield
    finally:
        if frozen_before:
            gc.collect()
        else:
            gc.freeze()
            gc.unfreeze()
        gc.enable()

from __future__ import annotations

import gc
import weakref

import pytest

from ecr_agent.loading import paused_gc


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_paused_while_loading_and_what_loaded_joins_the_oldest_generation():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: still paused, the outer block acts
            assert not gc.isenabled()
        assert not gc.isenabled()
        kept = Cycle()
        dropped = weakref.ref(Cycle())  # garbage only the cyclic collector frees
        assert gc.get_count()[0] > 0
    assert gc.isenabled() and gc.get_count()[0] == 0  # nothing left for a young collection to scan
    assert gc.get_freeze_count() == 0  # nothing stays frozen
    assert dropped() is not None  # not scanned yet: a full collection frees it, as it would any old garbage
    gc.collect()
    assert dropped() is None and kept.me is kept


def test_a_caller_who_froze_objects_keeps_them_frozen():
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        with paused_gc():
            Cycle()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_an_error_while_loading_gives_the_collector_back():
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("a damaged store")
    assert gc.isenabled()


def test_a_caller_who_disabled_the_collector_keeps_it_disabled():
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()

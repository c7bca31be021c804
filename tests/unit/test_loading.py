from __future__ import annotations

import gc

import pytest

from ecr_agent.loading import paused_gc


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_paused_while_loading_and_collects_once_after():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: still paused, the outer block collects
            assert not gc.isenabled()
        assert not gc.isenabled()
        Cycle()  # garbage only the cyclic collector frees
        pending = gc.get_count()[0]
    assert gc.isenabled() and gc.get_count()[0] < pending  # collected on the way out


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

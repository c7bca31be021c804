"""`torch_threads` under overlapping calls: torch's thread count is one setting for the whole process."""

from __future__ import annotations

import threading

import torch

from ecr_agent.cpu import torch_threads


def _in_thread(body) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if errors:
        raise errors[0]


def test_interleaved_calls_leave_the_process_count_as_it_was() -> None:
    """A asks for 1, B for 2, A ends, B ends: each restoring what it saw on entry used to leave 1 thread for good."""
    torch.set_num_threads(2)
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()

    def call_a() -> None:
        with torch_threads(1):
            a_inside.set()
            assert b_inside.wait(10)
        a_done.set()

    def call_b() -> None:
        assert a_inside.wait(10)
        with torch_threads(2):
            b_inside.set()
            assert a_done.wait(10)

    threads = [threading.Thread(target=call_a), threading.Thread(target=call_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert torch.get_num_threads() == 2
    seen: list[int] = []
    _in_thread(lambda: seen.append(torch.get_num_threads()))
    assert seen == [2], "a thread started after the calls must start with the process count"


def test_overlapping_calls_share_the_cores() -> None:
    """A call that starts while another runs gets its share of the cores; alone, a call gets what it asks."""
    torch.set_num_threads(2)
    both_inside = threading.Barrier(2, timeout=10)
    seen: list[int] = []

    def call() -> None:
        with torch_threads(2):
            both_inside.wait()
            seen.append(torch.get_num_threads())
            both_inside.wait()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(seen) == [1, 2]
    with torch_threads(1):
        assert torch.get_num_threads() == 1
        with torch_threads(2):
            assert torch.get_num_threads() == 1  # nested: two calls in flight, so half of 2
        assert torch.get_num_threads() == 1  # back to the enclosing call's count, not the process's
    assert torch.get_num_threads() == 2


def test_a_failing_call_still_restores_the_count() -> None:
    torch.set_num_threads(2)
    try:
        with torch_threads(1):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == 2

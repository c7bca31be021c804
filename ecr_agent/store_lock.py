"""One writer per store: ``ecr build`` and ``ecr train …`` hold ``<store>/.build.lock`` while they write.

Two processes writing the same Chroma collections, checkpoints or model folders at once would interleave their
files. The lock is an exclusive `fcntl.flock` taken without waiting: the second writer is refused at once with
the first one's pid and command. The kernel drops the lock when its holder exits, however it exits, so a crashed
build never leaves the store locked (the file stays; it is not the lock). Readers (``ecr chat``) do not lock, except
around the files they derive into the store on first use (the converted base model, the llama.cpp exports): those
wait up to `DERIVED_WAIT_S` for the lock, so they never write beside a training run or another reader doing the same.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ecr_agent.config import StoreBusyError

LOCK_FILE = ".build.lock"
DERIVED_WAIT_S = 120.0
"""How long a reader that must derive a file into the store (a conversion, an export) waits for the lock."""
POLL_S = 0.2

_held: dict[Path, tuple[IO[str], int]] = {}
"""Stores this process holds: the open lock file and the nesting depth (``ecr demo`` builds, then trains)."""
_guard = threading.Lock()


@contextmanager
def store_lock(store_dir: Path, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the store's write lock for the block, or raise `StoreBusyError` naming the process that holds it.

    ``wait``: seconds to keep trying before refusing (0: refuse at once). Re-entrant within a process. Under a
    data-parallel launch only the main process (``RANK`` 0) locks: the others write nothing and must not refuse their
    own run.
    """
    rank = os.environ.get("RANK", "0")
    if rank.isdigit() and int(rank) > 0:
        yield
        return
    key = Path(store_dir).resolve()
    with _guard:
        handle, depth = _held.get(key) or (_acquire(key, command, wait), 0)
        _held[key] = (handle, depth + 1)
    try:
        yield
    finally:
        with _guard:
            handle, depth = _held.pop(key)
            if depth > 1:
                _held[key] = (handle, depth - 1)
            else:
                _release(handle)


def _acquire(store_dir: Path, command: str, wait: float = 0.0) -> IO[str]:
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / LOCK_FILE
    handle = path.open("a+", encoding="utf-8")  # "a+": opening must not erase the holder's pid before we know
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() < deadline:
                time.sleep(POLL_S)
                continue
            handle.close()
            raise StoreBusyError(
                f"another {holder(path)} is writing {store_dir}; wait for it to finish, then run this again "
                f"(its lock on {path} goes when that process exits)"
            ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()} {command}\n")
    handle.flush()
    return handle


def _release(handle: IO[str]) -> None:
    handle.truncate(0)  # a refused writer must not read this pid while the next holder writes its own
    handle.flush()
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def holder(path: Path) -> str:
    """``"`ecr build` (pid 123)"``, read from the lock file; "process" when it cannot say (just being written)."""
    try:
        pid, _, command = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return "process"
    if not pid.isdigit():
        return "process"
    return f"`{command}` (pid {pid})" if command else f"process (pid {pid})"

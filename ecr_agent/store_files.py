"""Reading built files: one place turns "this file cannot be parsed" into a `StoreCorruptError` that names it.

The loaders of trained models, the Chroma store and the RDF graph read through `reading` (or `read_json`,
`read_tensors`, `check_tensors`), so a truncated or garbled file gives the same one-line error with the command that
rebuilds it, whichever library (json, safetensors, sqlite via chromadb, rdflib, torch) noticed the damage.
`replacing` gives a writer a temporary file that takes the real name only once whole, so a process killed while
writing never leaves a torn file under that name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ecr_agent.config import DataNotFoundError, StoreCorruptError, StoreNotBuiltError

REASON_CHARS = 200
"""Longest library message kept in the error (chromadb's run to several lines)."""


def describe(error: BaseException) -> str:
    """``"SafetensorError: header too small"``: the error's type and the first line of its message, shortened."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    text = text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@contextmanager
def reading(path: Path, command: str) -> Iterator[Path]:
    """Run a block that parses ``path``; whatever it raises becomes `StoreCorruptError(path, command)`.

    Keep the block to the parsing of that one file, so the error names the right one. A file that is missing (or
    removed while being read) raises a plain `StoreNotBuiltError`; store errors raised inside pass through.
    """
    try:
        yield path
    except (StoreNotBuiltError, DataNotFoundError):  # already say what is wrong, and with what
        raise
    except FileNotFoundError as error:
        raise StoreNotBuiltError(f"{path} is missing; build it with `{command}`") from error
    except Exception as error:  # json, safetensors, sqlite, rdflib and torch each raise their own types
        raise StoreCorruptError(path, command, describe(error)) from error


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the block to write; it replaces ``path`` (atomically) when the block ends.

    The name is unique to this process, so two processes writing the same file never write into one temporary file;
    a block that raises leaves ``path`` as it was and removes the temporary file.
    """
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def read_json(path: Path, command: str) -> Any:
    """The parsed JSON of a built file (UTF-8)."""
    with reading(path, command):
        return json.loads(path.read_text(encoding="utf-8"))


def read_tensors(path: Path, command: str) -> dict[str, Any]:
    """Every tensor of a built safetensors file (never a pickle)."""
    from safetensors.torch import load_file

    with reading(path, command):
        return load_file(str(path))


def check_tensors(path: Path, command: str) -> None:
    """Check a safetensors file's header and size without reading its tensors (milliseconds, even for 500 MB).

    safetensors checks that the header's offsets cover the file exactly, so a truncated file fails here.
    """
    from safetensors import safe_open

    with reading(path, command), safe_open(str(path), framework="pt") as handle:
        handle.keys()

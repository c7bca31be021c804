"""ONNX Runtime candidate for the generator's CPU runtime: export with a KV cache, a stepper, a check and a timing.

Usage: python benchmarks/runtime/onnx_candidate.py --out /tmp/onnx_candidate [--threads 2] [--no-int8]
       [--int8-method nbits|dynamic] [--runs 3] [--reuse]

The merged float32 model is exported through a small wrapper (`KVCacheLlama`) that takes and returns plain
tensors — ``input_ids`` plus ``past_key_i`` / ``past_value_i`` per layer in, last-position ``logits`` plus
``present_key_i`` / ``present_value_i`` out — so neither exporter has to trace transformers' cache objects or mask
builders. Positions and the causal mask are derived from the past length inside the graph, so one graph serves
both the prompt (empty past) and each decoding step. `OnnxRuntimeStepper` runs it with ``start`` / ``advance``,
the interface the decoding loop needs; ``main`` checks greedy tokens against the torch model and times it.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from ecr_agent.generator.decoding import TorchStepper

FP32_NAME = "generator_fp32.onnx"
INT8_NAME = "generator_int8.onnx"
CHECK_MESSAGE = "I loved Titanic, any ideas?"
LONG_MESSAGE = (
    "Last weekend I finally watched Titanic again with my sister and we both cried at the end, even though we "
    "knew exactly what was coming. I love big romantic dramas with a sad streak, especially ones set in the past, "
    "like The Notebook, Atonement or Pride and Prejudice, but I get bored by movies that are all explosions and "
    "no feelings. My sister prefers clever thrillers such as Gone Girl or Shutter Island, so we usually end up "
    "arguing for half an hour before picking anything. Tonight she is away, so I want something that will make "
    "me feel a lot, maybe a love story with a historical background, beautiful music and great acting. I have "
    "already seen Titanic, The Notebook, Atonement, Brooklyn and Little Women, and I did not like La La Land "
    "very much because the ending felt cold to me. Something from the nineties or two-thousands would be perfect, "
    "but I am open to older classics too if they are not too slow. What would you recommend for tonight?"
)


def layer_names(layers: int) -> tuple[list[str], list[str]]:
    """Graph input and output names of the KV cache, key then value per layer (the order the wrapper uses)."""
    past = [f"past_{kind}_{i}" for i in range(layers) for kind in ("key", "value")]
    present = [f"present_{kind}_{i}" for i in range(layers) for kind in ("key", "value")]
    return past, present


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """Llama's rotary helper: (x1, x2) -> (-x2, x1) on the last dimension's halves."""
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class KVCacheLlama(nn.Module):
    """A transformers LlamaForCausalLM's forward with the KV cache as plain tensors, so it exports to ONNX."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        config = model.config
        self.model = model
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        self.layers = config.num_hidden_layers
        rotary = model.model.rotary_emb
        self.register_buffer("inv_freq", rotary.inv_freq.detach().float().clone(), persistent=False)
        self.rope_scale = float(getattr(rotary, "attention_scaling", 1.0))

    def forward(self, input_ids: torch.Tensor, *past: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Logits of the last position (batch, vocab) and each layer's key and value after appending the new tokens."""
        inner = self.model.model
        batch, new = input_ids.shape[0], input_ids.shape[1]
        past_len = past[0].shape[2]
        positions = torch.arange(new, dtype=torch.float32) + past_len
        freqs = positions[:, None] * self.inv_freq[None, :]
        angles = torch.cat((freqs, freqs), dim=-1)
        cos = (angles.cos() * self.rope_scale)[None, None]
        sin = (angles.sin() * self.rope_scale)[None, None]
        query_pos = torch.arange(new)[:, None] + past_len
        key_pos = torch.arange(new + past_len)[None, :]
        bias = torch.zeros(new, new + past_len).masked_fill(key_pos > query_pos, float("-inf"))
        groups = self.heads // self.kv_heads
        scale = 1.0 / math.sqrt(self.head_dim)

        hidden = inner.embed_tokens(input_ids)
        presents: list[torch.Tensor] = []
        for index, layer in enumerate(inner.layers):
            attn = layer.self_attn
            x = layer.input_layernorm(hidden)
            q = attn.q_proj(x).view(batch, new, self.heads, self.head_dim).transpose(1, 2)
            k = attn.k_proj(x).view(batch, new, self.kv_heads, self.head_dim).transpose(1, 2)
            v = attn.v_proj(x).view(batch, new, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = torch.cat((past[2 * index], k), dim=2)
            v = torch.cat((past[2 * index + 1], v), dim=2)
            presents += [k, v]
            total = k.shape[2]
            k_all = k[:, :, None].expand(batch, self.kv_heads, groups, total, self.head_dim)
            v_all = v[:, :, None].expand(batch, self.kv_heads, groups, total, self.head_dim)
            k_all = k_all.reshape(batch, self.heads, total, self.head_dim)
            v_all = v_all.reshape(batch, self.heads, total, self.head_dim)
            scores = torch.matmul(q, k_all.transpose(2, 3)) * scale + bias
            context = torch.matmul(torch.softmax(scores, dim=-1), v_all)
            context = context.transpose(1, 2).reshape(batch, new, self.heads * self.head_dim)
            hidden = hidden + attn.o_proj(context)
            hidden = hidden + layer.mlp(layer.post_attention_layernorm(hidden))
        last = inner.norm(hidden[:, -1])
        return (self.model.lm_head(last), *presents)


def export_onnx(model: nn.Module, target: Path) -> Path:
    """Export the merged float32 model with a KV cache to ``target`` (one graph for prompt and steps)."""
    wrapper = KVCacheLlama(model.float().eval()).eval()
    past_names, present_names = layer_names(wrapper.layers)
    # example with a non-empty past and two new tokens so that no dimension is traced as a constant 0 or 1
    example_ids = torch.tensor([[1, 2]], dtype=torch.long)
    example_past = tuple(torch.zeros(1, wrapper.kv_heads, 3, wrapper.head_dim) for _ in past_names)
    dynamic = {"input_ids": {0: "batch", 1: "new"}, "logits": {0: "batch"}}
    dynamic |= {name: {0: "batch", 2: "past"} for name in past_names}
    dynamic |= {name: {0: "batch", 2: "total"} for name in present_names}
    target.parent.mkdir(parents=True, exist_ok=True)
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer warnings
        torch.onnx.export(
            wrapper,
            (example_ids, *example_past),
            str(target),
            input_names=["input_ids", *past_names],
            output_names=["logits", *present_names],
            dynamic_axes=dynamic,
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    return target


def tie_lm_head(path: Path) -> bool:
    """Rewrite ``path`` so the output layer reads the embedding table (Gemm, transB) instead of a transposed copy.

    The exporter folds SmolLM2's tied ``lm_head`` into its own [hidden, vocab] initializer: 113 MB stored twice.
    Returns False (file untouched) when no MatMul's weight is exactly the transposed embedding table.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    tables = {node.input[0] for node in graph.node if node.op_type == "Gather"}
    weights = {item.name: item for item in graph.initializer}
    for position, node in enumerate(graph.node):
        if node.op_type != "MatMul" or node.input[1] not in weights:
            continue
        weight = numpy_helper.to_array(weights[node.input[1]])
        for table in tables & weights.keys():
            if weight.shape[::-1] == tuple(weights[table].dims) and np.array_equal(
                weight.T, numpy_helper.to_array(weights[table])
            ):
                gemm = helper.make_node("Gemm", [node.input[0], table], list(node.output), name="lm_head", transB=1)
                graph.node.remove(node)
                graph.node.insert(position, gemm)
                graph.initializer.remove(weights[node.input[1]])
                onnx.save(model, str(path))
                return True
    return False


def quantize_int8(source: Path, target: Path, method: str = "nbits") -> Path:
    """An int8 copy of ``source``; quantise the untied export (before `tie_lm_head`) so the output layer is int8.

    ``nbits`` (default): weight-only int8 (``MatMulNBits``, blocks of 32, symmetric, accuracy level 4 = int8
    compute kernels); first-step logits stay within ~1 of float32. ``dynamic``: ``quantize_dynamic`` of the MatMul
    and embedding Gather ops, which also quantises activations per tensor; SmolLM2's activation outliers move the
    logits by ~10 (about as much as the torch int8 path), so greedy replies diverge after a token or two.
    """
    if method == "nbits":
        import onnx
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        logging.getLogger("onnxruntime.quantization").setLevel(logging.WARNING)  # it logs every node at INFO
        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(source)), bits=8, block_size=32, is_symmetric=True, accuracy_level=4
        )
        quantizer.process()
        quantizer.model.save_model_to_file(str(target), use_external_data_format=False)
    elif method == "dynamic":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"]
        )
    else:
        raise ValueError(f"unknown int8 method {method!r} (nbits or dynamic)")
    return target


class OnnxRuntimeStepper:
    """Runs an exported generator in ONNX Runtime on the CPU, one token at a time, keeping the KV cache."""

    def __init__(self, path: Path | str, threads: int = 2) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        inputs = self.session.get_inputs()
        self.past_names = [item.name for item in inputs if item.name.startswith("past_")]
        self.kv_heads, self.head_dim = inputs[1].shape[1], inputs[1].shape[3]
        self.output_names = [item.name for item in self.session.get_outputs()]
        self.past: list[np.ndarray] = []

    def reset(self) -> None:
        """Forget the KV cache (the next call must be ``start``)."""
        self.past = []

    def start(self, prompt_ids: list[int]) -> torch.Tensor:
        """Run the whole prompt from an empty cache; float32 logits (vocab,) for the next token."""
        empty = np.zeros((1, self.kv_heads, 0, self.head_dim), dtype=np.float32)
        self.past = [empty] * len(self.past_names)
        return self._run(np.asarray([prompt_ids], dtype=np.int64))

    def advance(self, token: int) -> torch.Tensor:
        """Append one token to the cache; float32 logits (vocab,) for the next token."""
        if not self.past:
            raise RuntimeError("call start(prompt_ids) before advance(token)")
        return self._run(np.asarray([[token]], dtype=np.int64))

    @property
    def cached_tokens(self) -> int:
        """Tokens held in the KV cache."""
        return int(self.past[0].shape[2]) if self.past else 0

    def _run(self, input_ids: np.ndarray) -> torch.Tensor:
        feed: dict[str, Any] = {"input_ids": input_ids, **dict(zip(self.past_names, self.past, strict=True))}
        logits, *self.past = self.session.run(self.output_names, feed)
        return torch.from_numpy(logits[0])


@torch.inference_mode()
def greedy(stepper: Any, prompt_ids: list[int], new_tokens: int) -> tuple[list[int], torch.Tensor]:
    """Plain greedy decoding of ``new_tokens`` tokens (no stop, no penalties); also the first step's logits."""
    logits = stepper.start(prompt_ids)
    first = logits.clone()
    tokens: list[int] = []
    for _ in range(new_tokens):
        tokens.append(int(torch.argmax(logits)))
        if len(tokens) < new_tokens:
            logits = stepper.advance(tokens[-1])
    return tokens, first


def check(reference: Any, candidate: Any, prompt_ids: list[int], new_tokens: int = 40) -> dict[str, Any]:
    """Greedy tokens of ``candidate`` against ``reference`` from one prompt, and the first step's logit gap."""
    want, want_logits = greedy(reference, prompt_ids, new_tokens)
    got, got_logits = greedy(candidate, prompt_ids, new_tokens)
    same = next((i for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b), None)
    return {
        "tokens_match": want == got,
        "first_mismatch": same,
        "matching_prefix": new_tokens if same is None else same,
        "max_abs_logit_diff_first_step": float((want_logits - got_logits).abs().max()),
        "same_first_argmax": int(want_logits.argmax()) == int(got_logits.argmax()),
    }


@torch.inference_mode()
def time_stepper(stepper: Any, prompt_ids: list[int], new_tokens: int = 60, runs: int = 3) -> dict[str, float]:
    """Median prompt seconds and decode tokens/s over ``runs`` runs after one warm-up (greedy, no stop)."""
    prompt_s: list[float] = []
    decode_tps: list[float] = []
    for run in range(runs + 1):
        started = time.perf_counter()
        logits = stepper.start(prompt_ids)
        prompted = time.perf_counter()
        for _ in range(new_tokens):
            logits = stepper.advance(int(torch.argmax(logits)))
        finished = time.perf_counter()
        if run > 0:
            prompt_s.append(prompted - started)
            decode_tps.append(new_tokens / (finished - prompted))
    return {
        "prompt_tokens": len(prompt_ids),
        "new_tokens": new_tokens,
        "prompt_s": round(float(np.median(prompt_s)), 4),
        "decode_tokens_per_s": round(float(np.median(decode_tps)), 2),
    }


def size_mb(path: Path) -> float:
    """Size of an .onnx file plus any external-data file next to it, in MB."""
    extra = path.with_name(path.name + ".data")
    return round((path.stat().st_size + (extra.stat().st_size if extra.exists() else 0)) / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/onnx_candidate"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-int8", action="store_true", help="skip the int8 quantised copy")
    parser.add_argument("--int8-method", choices=("nbits", "dynamic"), default="nbits", help="see quantize_int8")
    parser.add_argument("--reuse", action="store_true", help="reuse .onnx files already in --out")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from ecr_agent.config import Paths
    from ecr_agent.generator.model import EmpatheticGenerator

    torch.set_num_threads(args.threads)
    generator = EmpatheticGenerator.load(Paths.from_env(), dtype=torch.float32)
    model = generator.model
    result: dict[str, Any] = {"onnxruntime": ort.__version__, "torch": torch.__version__, "threads": args.threads}
    if not args.no_int8:
        result["int8_method"] = args.int8_method

    files = {"fp32": args.out / FP32_NAME}
    if not (args.reuse and files["fp32"].exists()):
        started = time.perf_counter()
        export_onnx(model, files["fp32"])
        result["export_s"] = round(time.perf_counter() - started, 1)
    if not args.no_int8:
        files["int8"] = args.out / INT8_NAME
        if not (args.reuse and files["int8"].exists()):
            try:
                quantize_int8(files["fp32"], files["int8"], args.int8_method)
            except Exception as error:  # report and carry on with fp32
                result["int8_error"] = f"{type(error).__name__}: {error}"
                del files["int8"]
    if not args.reuse:
        result["fp32_lm_head_tied"] = tie_lm_head(files["fp32"])

    check_ids = generator.encode([("user", CHECK_MESSAGE)])
    long_ids = generator.encode([("user", LONG_MESSAGE)])
    reference = TorchStepper(model)
    for label, path in files.items():
        started = time.perf_counter()
        stepper = OnnxRuntimeStepper(path, threads=args.threads)
        entry: dict[str, Any] = {"file_mb": size_mb(path), "session_load_s": round(time.perf_counter() - started, 3)}
        entry["check"] = check(reference, stepper, check_ids)
        entry["timing"] = time_stepper(stepper, long_ids, runs=args.runs)
        result[label] = entry
        print(label, json.dumps(entry), flush=True)
    result["torch_fp32"] = {"timing": time_stepper(reference, long_ids, runs=args.runs)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

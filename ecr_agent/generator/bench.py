"""Decoding speed of the generator: turn latency, first-token latency, tokens/s, peak memory, cold start.

Decoding one token reads every weight once (the tied embedding matrix doubles as the LM head), so memory
bandwidth bounds the speed from below: ``seconds/token >= weight bytes / bandwidth``. `memory_bandwidth` measures
bandwidth with a numpy copy and `bandwidth_bound` turns it into the fastest possible decode.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ecr_agent.generator.model import EmpatheticGenerator
from ecr_agent.generator.prompt import GenerationPrompt

COLD_START = """
import json, sys, time
started = time.perf_counter()
from ecr_agent.generator.bench import peak_rss_mb
from ecr_agent.generator.model import EmpatheticGenerator
from pathlib import Path
adapter = json.loads(sys.argv[1])
generator = EmpatheticGenerator.load(adapter=adapter if isinstance(adapter, bool) else Path(adapter))
generator.generate("Say hi.", max_new_tokens=1)
print(json.dumps({"cold_start_s": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}))
"""


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``; unlike ``ru_maxrss`` it is not inherited on exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux KB; an upper bound elsewhere


def measure_decoding(
    generator: EmpatheticGenerator,
    prompt: GenerationPrompt | str,
    new_tokens: int = 60,
    runs: int = 5,
    cold_start: bool = True,
) -> dict[str, Any]:
    """Time ``runs`` generations of exactly ``new_tokens`` tokens (stop rules off) after one warm-up run.

    Returns ``turn_latency_p50_s``, ``turn_latency_p95_s``, ``first_token_s`` (median), ``tokens_per_s`` (new tokens
    over the whole turn), ``decode_tokens_per_s`` (after the first token), ``prompt_tokens``, ``peak_rss_mb`` (this
    process so far), ``cold_start_s`` and ``cold_start_peak_rss_mb`` (a fresh Python process: imports, load, merge,
    first token — the generator's own footprint) and ``torch_threads``.
    """
    import torch

    fixed = {"ignore_eos": True, "stop_at_sentence_end": False, "trim_partial": False}
    list(generator.stream(prompt, max_new_tokens=new_tokens, **fixed))  # warm-up
    latencies, firsts, decode_rates, prompt_tokens = [], [], [], 0
    for _ in range(runs):
        stats: dict[str, Any] = {}
        started = time.perf_counter()
        for _piece in generator.stream(prompt, max_new_tokens=new_tokens, stats=stats, **fixed):
            pass
        latencies.append(time.perf_counter() - started)
        firsts.append(stats["first_token_s"])
        decode_rates.append((stats["new_tokens"] - 1) / max(stats["total_s"] - stats["first_token_s"], 1e-9))
        prompt_tokens = stats["prompt_tokens"]
    ordered = sorted(latencies)
    result: dict[str, Any] = {
        "new_tokens": new_tokens,
        "runs": runs,
        "prompt_tokens": prompt_tokens,
        "turn_latency_p50_s": round(statistics.median(ordered), 3),
        "turn_latency_p95_s": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3),
        "first_token_s": round(statistics.median(firsts), 3),
        "tokens_per_s": round(new_tokens / statistics.median(ordered), 2),
        "decode_tokens_per_s": round(statistics.median(decode_rates), 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "torch_threads": torch.get_num_threads(),
        "dtype": str(next(generator.model.parameters()).dtype).replace("torch.", ""),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if cold_start:
        result.update(measure_cold_start(generator))
    return result


def measure_cold_start(generator: EmpatheticGenerator) -> dict[str, float]:
    """Wall time of a fresh process that imports, loads the same generator and produces one token."""
    adapter = str(generator.adapter) if generator.adapter is not None else False
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD_START, json.dumps(adapter)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    wall = time.perf_counter() - started
    child = json.loads(done.stdout.strip().splitlines()[-1])
    return {"cold_start_s": round(wall, 2), "cold_start_peak_rss_mb": round(child["peak_rss_mb"], 1)}


def memory_bandwidth(megabytes: int = 256, repeats: int = 5) -> dict[str, float]:
    """Best-of-``repeats`` single-thread numpy bandwidth in GB/s: ``copy`` (read + write bytes) and ``read`` (sum)."""
    import numpy as np

    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    copy = read = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        copy = max(copy, 2 * source.nbytes / (time.perf_counter() - started) / 1e9)
        started = time.perf_counter()
        float(source.sum())
        read = max(read, source.nbytes / (time.perf_counter() - started) / 1e9)
    return {"copy_gb_s": round(copy, 2), "read_gb_s": round(read, 2)}


def bandwidth_bound(
    generator: EmpatheticGenerator, bandwidth_gb_s: float, new_tokens: int = 60, context: int = 260
) -> dict[str, float]:
    """Fastest possible decode if every token only had to stream the weights (+ KV cache) from memory once."""
    weights = sum(p.numel() * p.element_size() for p in generator.model.parameters())
    config = generator.model.config
    element = next(generator.model.parameters()).element_size()
    head_dim = getattr(config, "head_dim", config.hidden_size // config.num_attention_heads)
    kv_cache = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * context * element
    per_token = weights + kv_cache
    seconds = per_token / (bandwidth_gb_s * 1e9)
    return {
        "weight_mb": round(weights / 2**20, 1),
        "bytes_per_token_mb": round(per_token / 2**20, 1),
        "bound_tokens_per_s": round(1 / seconds, 1),
        "bound_turn_s": round(new_tokens * seconds, 3),
    }

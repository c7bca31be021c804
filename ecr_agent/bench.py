"""``ecr bench``: latency of a whole chat turn, time to first streamed token, throughput and memory."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

CONVERSATIONS = (
    [{"role": "user", "content": "I loved The Notebook and Titanic, any ideas for tonight?"}],
    [{"role": "user", "content": "I'm in the mood for a scary movie like The Conjuring."}],
    [
        {"role": "user", "content": "I like action movies with Tom Cruise."},
        {"role": "assistant", "content": "You should watch Top Gun (1986)."},
        {"role": "user", "content": "I hated Top Gun, it was boring."},
    ],
)
COLD_START = (
    "import time; t = time.perf_counter(); from ecr_agent import ECRChain; "
    "ECRChain.from_store(); print(time.perf_counter() - t)"
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cold_start_seconds() -> float:
    """Seconds for a fresh Python process to import ecr_agent and load every part of the chain."""
    out = subprocess.run([sys.executable, "-c", COLD_START], capture_output=True, text=True, check=True, env=os.environ)
    return float(out.stdout.strip().splitlines()[-1])


def run_bench(turns: int = 10, new_tokens: int = 60) -> dict[str, Any]:
    """Measure one chat turn end to end (DESIGN.md's ``ecr bench`` keys)."""
    from ecr_agent.chain import ECRChain

    chain = ECRChain.from_store()
    if hasattr(chain.chat_model, "max_new_tokens"):
        chain.chat_model.max_new_tokens = new_tokens
    chain.invoke({"messages": CONVERSATIONS[0]})  # warm-up
    latencies, first_tokens, token_rates = [], [], []
    for i in range(turns):
        messages = CONVERSATIONS[i % len(CONVERSATIONS)]
        started = time.perf_counter()
        turn = chain.prepare({"messages": messages})
        pieces, first = [], None
        for piece in chain.stream_prepared(turn):
            if first is None and len(pieces) >= 1 and piece:
                first = time.perf_counter() - started
            pieces.append(piece)
        elapsed = time.perf_counter() - started
        latencies.append(elapsed)
        first_tokens.append(first if first is not None else elapsed)
        generated = max(len(pieces) - 1, 1)
        token_rates.append(generated / max(elapsed - first_tokens[-1], 1e-6))
    result = {
        "turn_latency_p50_s": round(statistics.median(latencies), 3),
        "turn_latency_p95_s": round(_percentile(latencies, 0.95), 3),
        "first_token_s": round(statistics.median(first_tokens), 3),
        "tokens_per_s": round(statistics.median(token_rates), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cold_start_s": round(cold_start_seconds(), 2),
        "rank_contexts_per_s": rank_throughput(chain),
        "turns": turns,
        "new_tokens": new_tokens,
    }
    return result


def rank_throughput(chain: Any, contexts: int = 512) -> float | None:
    """Contexts ranked per second in batches (None without a trained ranker)."""
    ranker = chain.pipeline.ranker
    if ranker is None or not hasattr(ranker, "rank_batch"):
        return None
    from ecr_agent.chain import to_turns

    batch = [to_turns(CONVERSATIONS[i % len(CONVERSATIONS)]) for i in range(contexts)]
    ranker.rank_batch(batch[:32])
    started = time.perf_counter()
    ranker.rank_batch(batch)
    return round(contexts / (time.perf_counter() - started), 1)

"""``ecr bench``: latency of a whole chat turn, time to first streamed token, throughput and memory.

``--under-load`` times the same turns again while `CompetingLoad` keeps every core busy with a torch job (what a
laptop's other work, or a training run, does), and reports both side by side.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
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
CHAT = (
    "I loved The Notebook and Titanic, any ideas for tonight?",
    "I've seen that one already. Something else?",
    "Who is in it?",
    "Hmm, anything a bit funnier?",
    "What's it about?",
    "Anything older?",
    "Is it a romance too?",
)
"""One continuing chat: each turn's prompt starts with the last one's, as in a real conversation."""
COLD_START = (
    "import sys, time; t = time.perf_counter(); from ecr_agent import ECRChain; "
    "ECRChain.from_store(int8=sys.argv[1] == 'int8', runtime=sys.argv[2]); print(time.perf_counter() - t)"
)
COMPETITOR = (
    "import os, sys, torch; torch.set_num_threads(int(sys.argv[1])); a = torch.randn(768, 768)\n"
    "while os.getppid() == int(sys.argv[2]): a = torch.tanh(a @ a)"
)
"""A CPU-bound job shaped like training: dense matrix products on every core until the bench that started it ends
(also when the bench is killed: a competitor orphaned by a killed bench once kept both cores busy for half an hour)."""


class CompetingLoad:
    """Context manager: a separate process keeping ``threads`` cores busy (default: all) until the block ends."""

    def __init__(self, threads: int | None = None, settle_s: float = 2.0) -> None:
        from ecr_agent.distributed import available_cpus

        self.threads = threads or available_cpus()
        self.settle_s = settle_s
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> CompetingLoad:
        command = [sys.executable, "-c", COMPETITOR, str(self.threads), str(os.getpid())]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(self.settle_s)  # torch's import, then the products start
        if self.process.poll() is not None:
            raise RuntimeError("the competing load process exited at once")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def count_tokens(chat_model: Any, text: str) -> int:
    """Tokens in a streamed reply: the generator's own tokenizer when it has one, else whitespace words.

    Streamed pieces are not tokens (the decoder holds back a partial sentence), so they cannot be counted.
    """
    tokenizer = getattr(getattr(chat_model, "generator", None), "tokenizer", None)
    if tokenizer is None:
        return len(text.split())
    return len(tokenizer.encode(text.strip(), add_special_tokens=False))


def cold_start_seconds(int8: bool = False, runtime: str = "auto", runs: int = 3) -> list[float]:
    """Seconds for a fresh Python process to import ecr_agent and load every part of the chain, ``runs`` times.

    One run is not enough on a VM: right after the bench's turns the first fresh process took 5.1 s and the next
    ones 3.2-3.5 s (2026-12-04, 2 idle cores), so the bench reports the median and every run.
    """
    command = [sys.executable, "-c", COLD_START, "int8" if int8 else "bf16", runtime]
    seconds = []
    for _ in range(runs):
        out = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ)
        seconds.append(round(float(out.stdout.strip().splitlines()[-1]), 2))
    return seconds


def time_turns(chain: Any, turns: int) -> dict[str, list[float]]:
    """Stream ``turns`` chat turns (the bench conversations in turn) and time each one."""
    times: dict[str, list[float]] = {
        "latency": [], "prepare": [], "first_token": [], "first_generated": [], "tokens_per_s": [], "tokens": []
    }  # fmt: skip
    for i in range(turns):
        messages = CONVERSATIONS[i % len(CONVERSATIONS)]
        started = time.perf_counter()
        pieces: list[str] = []
        first = generated_first = None
        for chunk in chain.stream({"messages": messages}):
            now, piece = time.perf_counter() - started, chunk.reply
            if not pieces:  # the first chunk (movies, emotions, opening) comes as soon as the turn is prepared
                times["prepare"].append(now)
            if piece and first is None:
                first = now
            elif piece and generated_first is None and pieces:
                generated_first = now
            pieces.append(piece)
        elapsed = time.perf_counter() - started
        first = first if first is not None else elapsed
        generated = max(count_tokens(chain.chat_model, "".join(pieces[1:])), 1)
        times["latency"].append(elapsed)
        times["first_token"].append(first)
        times["first_generated"].append(generated_first if generated_first is not None else elapsed)
        times["tokens"].append(generated)
        times["tokens_per_s"].append(generated / max(elapsed - first, 1e-6))
    return times


def time_chat(chain: Any, messages: Sequence[str] = CHAT) -> list[float]:
    """Seconds of each reply, as shipped, after the first of one continuing chat (the reply before joins the history).

    The other figures switch conversation every turn, so llama.cpp re-reads each prompt but the system prompt; in a
    chat the history up to the user's previous message is still in its cache.
    """
    history: list[dict[str, str]] = []
    seconds = []
    for text in messages:
        history.append({"role": "user", "content": text})
        started = time.perf_counter()
        reply = "".join(chunk.reply for chunk in chain.stream({"messages": history}))
        seconds.append(time.perf_counter() - started)
        history.append({"role": "assistant", "content": reply})
    return seconds[1:]


def run_bench(
    turns: int = 10, new_tokens: int = 60, int8: bool = False, runtime: str = "auto", under_load: bool = False
) -> dict[str, Any]:
    """Measure one chat turn end to end (DESIGN.md's ``ecr bench`` keys), idle and, with ``under_load``, busy.

    The DESIGN keys time turns that generate exactly ``new_tokens`` tokens (stop rules off), so the figure does not
    depend on how soon a reply happens to end; ``reply_*`` keys time the replies as shipped (stop at sentence end);
    ``chat_reply_latency_p50_s`` the replies as shipped in the later turns of one continuing chat (`time_chat`).
    ``first_token_s`` is when the user sees the first text: the opening (acknowledgement, pick, facts), streamed as
    soon as the turn is prepared; ``first_generated_s`` is when the first generated sentence follows it (the
    `SentenceGate` releases whole sentences). ``prepare_*`` is everything before the language model (emotions,
    feedback, ranking, retrieval). ``under_load`` holds the same keys measured while `CompetingLoad` runs, and
    ``load_p95_ratio`` the busy turn p95 over the idle one.
    """
    from ecr_agent.chain import ECRChain

    chain = ECRChain.from_store(int8=int8, runtime=runtime)
    generator = getattr(chain.chat_model, "generator", None)
    if hasattr(chain.chat_model, "max_new_tokens"):
        chain.chat_model.max_new_tokens = new_tokens
    chain.invoke({"messages": CONVERSATIONS[0]})  # warm-up
    result = {
        **_turn_figures(chain, generator, turns),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **_cold_start_figures(int8, runtime),
        "chat_reply_latency_p50_s": round(statistics.median(time_chat(chain)), 3),
        "rank_contexts_per_s": rank_throughput(chain),
        "turns": turns,
        "new_tokens": new_tokens,
        "int8": int8,
        "runtime": getattr(generator, "runtime", type(chain.chat_model).__name__),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if under_load:
        with CompetingLoad() as load:
            busy = _turn_figures(chain, generator, turns)
            busy["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            busy |= _cold_start_figures(int8, runtime)
            busy["rank_contexts_per_s"] = rank_throughput(chain)
            busy["competitor_threads"] = load.threads
            busy["load_avg_1m"] = round(os.getloadavg()[0], 2)
        result["under_load"] = busy
        result["load_p95_ratio"] = round(busy["turn_latency_p95_s"] / result["turn_latency_p95_s"], 2)
    return result


def _cold_start_figures(int8: bool, runtime: str) -> dict[str, Any]:
    runs = cold_start_seconds(int8, runtime)
    return {"cold_start_s": statistics.median(runs), "cold_start_runs_s": runs}


def _turn_figures(chain: Any, generator: Any, turns: int) -> dict[str, Any]:
    """Time ``turns`` turns as shipped and ``turns`` with the token budget forced (stop rules off)."""
    from ecr_agent.generator.decoding import DecodingConfig

    shipped = time_turns(chain, turns)
    if generator is not None:
        default = generator.decoding
        generator.decoding = DecodingConfig(ignore_eos=True, stop_at_sentence_end=False, trim_partial=False)
        try:
            budget = time_turns(chain, turns)
        finally:
            generator.decoding = default
    else:
        budget = shipped  # a chat model of another kind: its own stop rules
    return {
        "turn_latency_p50_s": round(statistics.median(budget["latency"]), 3),
        "turn_latency_p95_s": round(_percentile(budget["latency"], 0.95), 3),
        "prepare_p50_s": round(statistics.median(budget["prepare"] + shipped["prepare"]), 3),
        "prepare_p95_s": round(_percentile(budget["prepare"] + shipped["prepare"], 0.95), 3),
        "first_token_s": round(statistics.median(budget["first_token"]), 3),
        "first_generated_s": round(statistics.median(budget["first_generated"]), 3),
        "tokens_per_s": round(statistics.median(budget["tokens_per_s"]), 1),
        "reply_latency_p50_s": round(statistics.median(shipped["latency"]), 3),
        "reply_latency_p95_s": round(_percentile(shipped["latency"], 0.95), 3),
        "reply_tokens_median": statistics.median(shipped["tokens"]),
    }


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

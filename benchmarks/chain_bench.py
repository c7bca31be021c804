"""One chat turn end to end, old and new runtime, idle and under load: regenerates benchmarks/chain/results.md.

Usage: python benchmarks/chain_bench.py [--turns 20]
Runs ``ecr --json bench --under-load --runtime R`` for R = torch (the decoder before llama.cpp) and llama.cpp, one
after the other in fresh processes, on the store in $ECR_STORE_DIR. Nothing else should run meanwhile; the page
records how many cores were busy just before each run. Earlier figures are in benchmarks/chain/history.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "chain"
RUNTIMES = ("torch", "llama.cpp")
TARGETS = {
    "turn_latency_p50_s": ("turn p50, 60 new tokens (s)", "≤ 0.7 s"),
    "turn_latency_p95_s": ("turn p95, 60 new tokens (s)", "–"),
    "prepare_p50_s": ("before the LM: emotions, feedback, ranking, retrieval, p50 (s)", "–"),
    "first_token_s": ("first text the user sees: the opening (s)", "≤ 0.15 s"),
    "first_generated_s": ("first generated sentence (s)", "–"),
    "tokens_per_s": ("tokens/s after the opening, the LM's prompt included", "–"),
    "reply_latency_p50_s": ("reply as shipped (stops at a sentence end), p50 (s)", "–"),
}


def busy_cores(seconds: float = 3.0) -> float:
    """Cores the machine kept busy over the last ``seconds`` (this script sleeps meanwhile), from /proc/stat."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
        return sum(fields) - fields[3] - fields[4], sum(fields)

    (busy0, total0), _ = sample(), time.sleep(seconds)
    busy1, total1 = sample()
    return round((busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1), 2)


def run(runtime: str, turns: int) -> dict[str, Any]:
    """``ecr --json bench`` for one runtime in a fresh process, with the cores busy just before it."""
    load = busy_cores()
    command = [sys.executable, "-m", "ecr_agent.cli", "--json", "bench", "--turns", str(turns), "--under-load"]
    done = subprocess.run([*command, "--runtime", runtime], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load_avg_before"] = load
    return figures


def store_profiles() -> str:
    """Which training profiles built the store's ranker and generator (read from their saved configs)."""
    from ecr_agent.config import Paths

    paths, found = Paths.from_env(), []
    for name, config, section in (("ranker", "config.json", "train"), ("generator", "generator_config.json", "config")):
        try:
            saved = json.loads((paths.model_dir(name) / config).read_text())
            found.append(f"{name} `{saved[section]['profile']}`")
        except (OSError, KeyError, TypeError, ValueError):
            found.append(f"{name} unknown")
    return ", ".join(found)


def write_markdown(results: dict[str, Any]) -> None:
    runs = results["runs"]
    header = " | ".join(f"{r} idle | {r} under load" for r in RUNTIMES)
    lines = [
        "# One chat turn, end to end (`ecr bench`)",
        "",
        f"Reproduce: `{results['command']}`. Taken {results['date']} on {results['machine']}; each runtime in a "
        f"fresh process, one after the other, on the store in `$ECR_STORE_DIR` ({results['store']}), nothing else "
        f"of ours running (cores busy in the 3 s before: "
        + ", ".join(f"{r} {runs[r]['load_avg_before']}" for r in RUNTIMES)
        + f"). {results['turns']} timed turns over three scripted conversations after a warm-up turn, twice: with "
        "the token budget forced (60 new tokens, stop rules off; the DESIGN keys) and as shipped. *Under load*: "
        "the same turns while another process multiplies matrices on both cores (`ecr_agent.bench.CompetingLoad`, "
        "like a training job). A turn = emotions of every user message, per-movie feedback, ranking, request, "
        "Chroma retrieval, the opening, the prompt and the streamed reply through the sentence gate.",
        "",
        f"Runtimes: **torch** = `{runs['torch']['runtime']}` (the decoder before #14); **llama.cpp** = "
        f"`{runs['llama.cpp']['runtime']}` (the default when `llama-cpp-python` is installed).",
        "",
        f"| figure | {header} | target |",
        "| --- | " + " | ".join("---" for _ in range(2 * len(RUNTIMES))) + " | --- |",
    ]
    for key, (label, target) in TARGETS.items():
        cells = []
        for runtime in RUNTIMES:
            cells += [str(runs[runtime][key]), str(runs[runtime]["under_load"][key])]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    ratio = " | ".join(f"– | {runs[r]['load_p95_ratio']}×" for r in RUNTIMES)
    lines.append(f"| turn p95 under load / idle p95 | {ratio} | ≤ 3× |")
    for key, label, target in (
        ("peak_rss_mb", "peak RSS of the process (MB)", "≤ 1,000"),
        ("cold_start_s", "cold start: fresh process, imports + load every part (s)", "≤ 3"),
        ("rank_contexts_per_s", "ranker inside the chain, batched (contexts/s)", "–"),
    ):
        cells = " | ".join(f"{runs[r][key]} | {runs[r]['under_load'][key]}" for r in RUNTIMES)
        lines.append(f"| {label} | {cells} | {target} |")
    lines += ["", "Raw figures: [results.json](results.json). Runtime candidates alone, with the bandwidth bound and "
              "the quality pairing: [../runtime/results.md](../runtime/results.md)."]  # fmt: skip
    (OUT / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--markdown-only", action="store_true", help="rewrite results.md from results.json")
    args = parser.parse_args()
    if args.markdown_only:
        write_markdown(json.loads((OUT / "results.json").read_text()))
        return
    results: dict[str, Any] = {
        "command": "python benchmarks/chain_bench.py" + (f" --turns {args.turns}" if args.turns != 20 else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "turns": args.turns,
        "store": store_profiles(),
        "runs": {runtime: run(runtime, args.turns) for runtime in RUNTIMES},
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    write_markdown(results)


if __name__ == "__main__":
    main()

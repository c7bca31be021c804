"""Generator benchmark: the eval table of the three systems, decoding speed, and the memory-bandwidth bound.

Usage: python benchmarks/generator_bench.py [--limit 150] [--redial 60] [--runs 5] [--skip-eval]
Needs a trained adapter (`ecr train generator`) and, for --redial, the knowledge store (`ecr build`) in
$ECR_STORE_DIR. Writes benchmarks/generator/results.json and results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

from ecr_agent.config import Paths
from ecr_agent.generator.bench import bandwidth_bound, measure_decoding, memory_bandwidth
from ecr_agent.generator.data import examples_for_split
from ecr_agent.generator.evaluation import evaluate_generator
from ecr_agent.generator.model import TRAINING_CONFIG, EmpatheticGenerator, adapter_dir
from ecr_agent.generator.training import choose_threads

OUT = Path(__file__).parent / "generator"
METRICS = (
    ("distinct_1", "distinct-1"),
    ("distinct_2", "distinct-2"),
    ("bleu_2", "BLEU-2"),
    ("bleu_4", "BLEU-4"),
    ("emotional_intensity", "emotion (non-neutral p)"),
    ("kg_coverage", "KG coverage"),
    ("fact_mention_rate", "mentions a fact"),
    ("hallucination_rate", "hallucination (names)"),
    ("replies_with_hallucination", "replies w/ halluc."),
    ("words_per_reply", "words/reply"),
    ("seconds_per_reply", "s/reply"),
)


def speed(paths: Paths, threads: int, runs: int) -> dict:
    torch.set_num_threads(threads)
    prompt = examples_for_split("test", paths)[0].prompt
    results = {}
    for name, dtype in (("bfloat16", torch.bfloat16), ("float32", torch.float32)):
        generator = EmpatheticGenerator.load(paths, adapter=True, dtype=dtype)
        results[name] = measure_decoding(generator, prompt, new_tokens=60, runs=runs, cold_start=(name == "bfloat16"))
        del generator
    bandwidth = memory_bandwidth()
    bounds = {}
    for name, dtype in (("bfloat16", torch.bfloat16), ("float32", torch.float32)):
        generator = EmpatheticGenerator.load(paths, adapter=False, dtype=dtype)
        context = results[name]["prompt_tokens"] + 30
        bounds[name] = bandwidth_bound(generator, bandwidth["read_gb_s"], new_tokens=60, context=context)
        bounds[name]["measured_share_of_bound"] = round(
            results[name]["decode_tokens_per_s"] / bounds[name]["bound_tokens_per_s"], 3
        )
    return {"threads": threads, "decoding": results, "bandwidth": bandwidth, "bound": bounds}


def table(source: dict) -> list[str]:
    systems = list(source["systems"])
    lines = ["| metric | " + " | ".join(systems) + " |", "| --- |" + " --- |" * len(systems)]
    for key, label in METRICS:
        cells = []
        for system in systems:
            value = source["systems"][system].get(key, "")
            cells.append(
                f"{value:.3f}" if isinstance(value, float) else ("n/a" if isinstance(value, str) else str(value))
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def markdown(results: dict) -> str:
    lines = ["# Generator benchmark", "", f"Reproduce: `{results['command']}`", ""]
    lines.append(
        f"Machine: {results['machine']}; torch threads {results['speed']['threads']}; "
        f"1-min load average at start {results['load_avg_1m']} (the 2 cores are shared with other jobs)."
    )
    lines.append("")
    training = results.get("training") or {}
    if training:
        lines += ["## Adapter", "", "```json", json.dumps(training, indent=1), "```", ""]
    evaluation = results.get("evaluation")
    if evaluation:
        lines += ["## Held-out evaluation", ""]
        lines.append(
            "Every system gets the same opening sentence ('You should watch X.'); the template baseline is that"
        )
        lines.append("sentence alone. Metrics are on the reply a user sees (opening + continuation).")
        for name, source in evaluation["sources"].items():
            lines += ["", f"### {name} ({source['examples']} turns, split {evaluation['split']})", ""]
            lines += table(source)
        lines += ["", "Sample replies:", ""]
        for sample in evaluation["samples"][:6]:
            lines.append(f"- **{sample['movie']}** ({sample['source']})")
            for key in ("reference", "base", "ecr"):
                if key in sample:
                    lines.append(f"  - {key}: {sample[key]}")
    speed_results = results["speed"]
    lines += ["", "## Decoding speed (60 new tokens, stop rules off)", ""]
    lines.append("| dtype | p50 turn s | p95 turn s | first token s | tokens/s | decode tokens/s | peak RSS MB |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for name, r in speed_results["decoding"].items():
        lines.append(
            f"| {name} | {r['turn_latency_p50_s']} | {r['turn_latency_p95_s']} | {r['first_token_s']} | "
            f"{r['tokens_per_s']} | {r['decode_tokens_per_s']} | {r['peak_rss_mb']} |"
        )
    bf16 = speed_results["decoding"]["bfloat16"]
    lines += [
        "",
        f"Cold start (fresh process: imports, load, merge, first token): {bf16['cold_start_s']} s, "
        f"peak RSS {bf16['cold_start_peak_rss_mb']} MB.",
    ]
    lines += ["", "## Memory-bandwidth bound", ""]
    band = speed_results["bandwidth"]
    lines.append(
        f"numpy single-thread bandwidth: copy {band['copy_gb_s']} GB/s (read + write), read {band['read_gb_s']} GB/s."
    )
    lines += [
        "",
        "| dtype | bytes/token MB | bound tokens/s | bound 60-token turn s | measured / bound |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, b in speed_results["bound"].items():
        lines.append(
            f"| {name} | {b['bytes_per_token_mb']} | {b['bound_tokens_per_s']} | {b['bound_turn_s']} | "
            f"{b['measured_share_of_bound']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=150, help="held-out review turns")
    parser.add_argument("--redial", type=int, default=60, help="ReDial test recommender turns (0 = skip)")
    parser.add_argument("--runs", type=int, default=5, help="timed decoding runs")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = the idle cores)")
    parser.add_argument("--skip-eval", action="store_true", help="re-measure speed only (keeps the last eval table)")
    args = parser.parse_args()
    load = round(os.getloadavg()[0], 2)
    threads = choose_threads(args.threads)
    started = time.perf_counter()
    results = {
        "command": "python benchmarks/generator_bench.py "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "skip_eval"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
        "load_avg_1m": load,
    }
    paths = Paths.from_env()
    record = adapter_dir(paths) / TRAINING_CONFIG
    if record.exists():
        saved = json.loads(record.read_text())["report"]
        results["training"] = {
            k: saved[k]
            for k in (
                "profile",
                "steps_done",
                "best_step",
                "valid_loss_base",
                "valid_loss_best",
                "train_tokens_per_s",
                "threads",
            )
        }
    previous = OUT / "results.json"
    if args.skip_eval and previous.exists():  # keep the last evaluation table, re-measure speed only
        results["evaluation"] = json.loads(previous.read_text()).get("evaluation")
    if not args.skip_eval:
        results["evaluation"] = evaluate_generator(
            split="test", limit=args.limit, paths=paths, redial_turns=args.redial, threads=threads
        )
    results["speed"] = speed(paths, threads, args.runs)
    results["seconds"] = round(time.perf_counter() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (OUT / "results.md").write_text(markdown(results))
    print(json.dumps(results["speed"], indent=2))


if __name__ == "__main__":
    main()

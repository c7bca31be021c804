"""The generator's runtimes side by side: torch (bf16, int8), llama.cpp (Q8_0, F16, Q4_1 + LoRA), ONNX Runtime.

Usage: python benchmarks/runtime_bench.py [--runs 5] [--limit 150] [--skip-quality] [--skip-onnx]
Needs a trained adapter (`ecr train generator`). Writes benchmarks/runtime/results.json and results.md.

Speed: each candidate runs in its own process (its load time and peak memory are its own) on the same five held-out
review prompts, 60 tokens forced (stop rules off), after one warm-up; first idle, then while `CompetingLoad` keeps
both cores busy with a torch job. The bound is memory bandwidth: a decoded token reads every weight once.
Quality: `evaluate_generator` on the held-out review turns, every system paired with the torch reference (``ecr``)
by a bootstrap over the same turns. ONNX Runtime needs ``pip install onnx onnxscript`` (benchmark only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "runtime"
sys.path.insert(0, str(OUT))

CANDIDATES: dict[str, dict[str, Any]] = {
    "torch bf16": {"runtime": "torch"},
    "torch int8": {"runtime": "torch", "int8": True},
    "llama.cpp Q8_0": {"runtime": "llama.cpp", "weights": "q8_0"},
    "llama.cpp Q4_0": {"runtime": "llama.cpp", "weights": "q4_0"},
    "llama.cpp F16": {"runtime": "llama.cpp", "weights": "f16"},
    "llama.cpp Q4_1 + LoRA": {"runtime": "llama.cpp", "weights": "q4_1+lora"},
    "onnxruntime fp32": {"onnx": "fp32"},
    "onnxruntime int8": {"onnx": "int8"},
}
FIXED_TWO = ("torch bf16", "llama.cpp Q8_0")
"""Also measured under load with two threads always (the old policy), to show what per-call threads buy."""
QUALITY = ("ecr", "ecr-llama.cpp", "ecr-llama.cpp-q4_0", "ecr-llama.cpp-f16", "ecr-llama.cpp-q4_1", "ecr-int8")
BOOTSTRAP = 500
"""Paired bootstrap resamples of the turns behind each interval."""
PAIRED = (("bleu_2", "BLEU-2"), ("fact_mention_rate", "mentions a fact"), ("hallucination_rate", "hallucination"))


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def onnx_files() -> tuple[Path, Path]:
    """The fine-tuned generator exported to ONNX, fp32 and weight-only int8 (cached under $ECR_STORE_DIR/cache/onnx)."""
    from ecr_agent.config import Paths

    folder = Paths.from_env().store_dir / "cache" / "onnx"
    return folder / "generator-fp32.onnx", folder / "generator-int8.onnx"


def prepare_exports(skip_onnx: bool) -> None:
    """Write every candidate's weight files before timing, so no worker's load time or memory includes an export."""
    import torch

    from ecr_agent.config import Paths
    from ecr_agent.generator.llama_runtime import WEIGHT_FORMATS, model_files
    from ecr_agent.generator.model import EmpatheticGenerator, adapter_dir

    paths = Paths.from_env()
    for weights in WEIGHT_FORMATS:
        model_files(adapter_dir(paths), paths, weights)
    fp32, int8 = onnx_files()
    if skip_onnx or (fp32.exists() and int8.exists()):
        return
    from onnx_candidate import export_onnx, quantize_int8, tie_lm_head

    fp32.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(EmpatheticGenerator.load(paths, runtime="torch", dtype=torch.float32).model, fp32)
    quantize_int8(fp32, int8)
    tie_lm_head(fp32)


def onnx_generator(kind: str, threads: int = 2) -> tuple[Any, float, int]:
    """ONNX Runtime behind our decoder (`OnnxRuntimeStepper`): the generator, its load seconds, its weight bytes."""
    from onnx_candidate import OnnxRuntimeStepper
    from transformers import AutoTokenizer

    from ecr_agent.config import Paths
    from ecr_agent.generator.base import ensure_base_checkpoint
    from ecr_agent.generator.model import EmpatheticGenerator

    path = onnx_files()[0 if kind == "fp32" else 1]
    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(ensure_base_checkpoint(Paths.from_env()))
    stepper = OnnxRuntimeStepper(path, threads=threads)
    generator = EmpatheticGenerator(None, tokenizer, stepper=stepper, runtime=f"onnxruntime {kind}")
    weights = sum(f.stat().st_size for f in path.parent.glob(path.name + "*"))
    return generator, time.perf_counter() - started, weights


def worker(name: str, runs: int, fixed_two: bool) -> dict[str, Any]:
    """Time one candidate in this process: load, idle decoding, decoding under load."""
    from ecr_agent.bench import CompetingLoad
    from ecr_agent.config import Paths
    from ecr_agent.generator.data import examples_for_split
    from ecr_agent.generator.model import EmpatheticGenerator

    paths = Paths.from_env()
    prompts = [e.prompt for e in examples_for_split("test", paths)[: runs + 1]]
    baseline = peak_rss_mb()
    settings = CANDIDATES[name]
    if "onnx" in settings:
        generator, load_s, weight_bytes = onnx_generator(settings["onnx"])
    else:
        started = time.perf_counter()
        generator = EmpatheticGenerator.load(paths, **settings)
        load_s = time.perf_counter() - started
        weight_bytes = model_bytes(generator)
    if fixed_two:
        import ecr_agent.generator.model as model_module

        model_module.free_threads = lambda: 2  # the old policy: every core, always
        if generator.stepper is not None and hasattr(generator.stepper, "threads"):
            generator.stepper.threads = 2
    fixed = {"ignore_eos": True, "stop_at_sentence_end": False, "trim_partial": False}
    list(generator.stream(prompts[0], max_new_tokens=60, **fixed))  # warm-up

    def timed() -> dict[str, float]:
        turns, firsts, rates = [], [], []
        for prompt in prompts[1:]:
            stats: dict[str, Any] = {}
            started = time.perf_counter()
            list(generator.stream(prompt, max_new_tokens=60, stats=stats, **fixed))
            turns.append(time.perf_counter() - started)
            firsts.append(stats["first_token_s"])
            rates.append((stats["new_tokens"] - 1) / max(stats["total_s"] - stats["first_token_s"], 1e-9))
        return {
            "turn_p50_s": round(statistics.median(turns), 3),
            "turn_max_s": round(max(turns), 3),
            "prompt_s": round(statistics.median(firsts), 3),
            "decode_tokens_per_s": round(statistics.median(rates), 1),
        }

    result: dict[str, Any] = {"name": name, "runtime": generator.runtime, "load_s": round(load_s, 2)}
    result["weight_mb"] = round(weight_bytes / 2**20, 1)
    if not fixed_two:
        result["idle"] = timed()
        result["generator_rss_mb"] = round(peak_rss_mb() - baseline, 1)
    with CompetingLoad():
        result["under_load"] = timed()
    return result


def model_bytes(generator: Any) -> int:
    """Bytes a decoded token reads: every projection and norm, and the LM head (a tied embedding matrix once).

    The input embedding is read one row per token, so it counts only as the (tied) LM head. torch's int8 layers
    unpack a fresh tensor on every ``weight()`` call, so those are counted per layer, not by address.
    """
    import torch

    if generator.model is None:
        files = [generator.stepper.llm.model_path, generator.stepper.llm.lora_path]
        return sum(Path(f).stat().st_size for f in files if f)
    seen, total = set(), 0
    for module in generator.model.modules():
        if isinstance(module, torch.nn.Embedding):
            continue
        if callable(getattr(module, "weight", None)):  # torch's dynamic int8 Linear
            total += module.weight().numel()
            continue
        for tensor in module.parameters(recurse=False):
            if tensor.data_ptr() not in seen:
                seen.add(tensor.data_ptr())
                total += tensor.numel() * tensor.element_size()
    return total


def bandwidth(threads: int, megabytes: int = 256, repeats: int = 5) -> float:
    """Best-of-``repeats`` read bandwidth in GB/s with ``threads`` threads each summing its own buffer."""
    import numpy as np

    buffers = [np.ones(megabytes * 2**20 // 8) for _ in range(threads)]
    best = 0.0
    for _ in range(repeats):
        workers = [threading.Thread(target=b.sum) for b in buffers]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best = max(best, sum(b.nbytes for b in buffers) / (time.perf_counter() - started) / 1e9)
    return round(best, 2)


def speed(runs: int, skip_onnx: bool) -> list[dict[str, Any]]:
    rows = []
    for name in CANDIDATES:
        if skip_onnx and name.startswith("onnx"):
            continue
        for fixed_two in (False, True) if name in FIXED_TWO else (False,):
            command = [sys.executable, __file__, "--worker", name, "--runs", str(runs)]
            command += ["--fixed-two"] if fixed_two else []
            done = subprocess.run(command, capture_output=True, text=True, env=os.environ)
            if done.returncode != 0:
                rows.append({"name": name, "error": done.stderr.strip().splitlines()[-1:]})
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["fixed_two_threads"] = fixed_two
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def paired(report: dict[str, Any], limit: int, samples: int = 500) -> dict[str, dict[str, Any]]:
    """Each system minus ``ecr`` (torch) on the same turns: the difference and its 95 % bootstrap interval."""
    from ecr_agent.config import Paths
    from ecr_agent.generator.evaluation import review_cases, system_metrics

    cases = review_cases("test", limit, Paths.from_env())
    replies = report["replies"]["reviews"]
    rng = random.Random(0)
    draws = [list(range(len(cases)))] + [[rng.randrange(len(cases)) for _ in cases] for _ in range(samples)]
    values = {  # values[system][draw] = the metrics of that system on that resample (draw 0 = every turn once)
        system: [system_metrics([outputs[i] for i in d], [cases[i] for i in d], None) for d in draws]
        for system, outputs in replies.items()
    }
    out: dict[str, dict[str, Any]] = {}
    for system in replies:
        if system == "ecr":
            continue
        out[system] = {}
        for key, _ in PAIRED:
            diffs = [float(a[key]) - float(b[key]) for a, b in zip(values[system], values["ecr"], strict=True)]
            ordered = sorted(diffs[1:])
            out[system][key] = {
                "difference": round(diffs[0], 4),
                "ci95": [round(ordered[int(0.025 * samples)], 4), round(ordered[int(0.975 * samples) - 1], 4)],
            }
        same = sum(a == b for a, b in zip(replies[system], replies["ecr"], strict=True))
        out[system]["identical_replies"] = round(same / len(cases), 3)
    return out


def quality(limit: int) -> dict[str, Any]:
    from ecr_agent.config import Paths
    from ecr_agent.generator.evaluation import evaluate_generator

    report = evaluate_generator(split="test", limit=limit, paths=Paths.from_env(), systems=QUALITY, keep_replies=True)
    systems = report["sources"]["reviews"]["systems"]
    (OUT / "replies.json").write_text(json.dumps(report["replies"], indent=0) + "\n")  # to re-pair without decoding
    pairs = paired(report, limit, samples=BOOTSTRAP)
    return {"examples": limit, "systems": systems, "paired_with_torch": pairs, "bootstrap_samples": BOOTSTRAP}


def write_markdown(results: dict[str, Any]) -> None:
    lines = [
        "# Generator runtimes side by side",
        "",
        f"Reproduce: `{results['command']}` ({results['minutes']} min). Taken {results['date']} on "
        f"{results['machine']}; nothing else of ours ran (1-min load average {results['load_before']} before).",
        "",
        "Five held-out review prompts (~200–260 tokens), 60 tokens forced, median of the five after a warm-up. "
        "*Under load*: the same while another process multiplies matrices on both cores (`ecr_agent.bench."
        "CompetingLoad`). Threads per call = cores the other processes leave free (`free_threads`), unless "
        "marked *2 threads always* (the old policy). The bound: a token reads every weight once, at the read "
        f"bandwidth of the whole machine ({results['bandwidth_gb_s']['2 threads']} GB/s with 2 threads, "
        f"{results['bandwidth_gb_s']['1 thread']} GB/s with 1; numpy sums).",
        "",
        "| runtime | weights read per token | load | prompt | decode | share of bound | 60-token turn, idle "
        "| turn under load (max) | generator RSS |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["speed"]:
        if "error" in row:
            lines.append(f"| {row['name']} | failed: {row['error']} | | | | | | | |")
            continue
        load = row["under_load"]
        if row["fixed_two_threads"]:
            lines.append(
                f"| {row['name']}, 2 threads always | | | | | | | {load['turn_p50_s']} s ({load['turn_max_s']} s) | |"
            )
            continue
        idle = row["idle"]
        bound = results["bandwidth_gb_s"]["2 threads"] * 1e9 / (row["weight_mb"] * 2**20)
        lines.append(
            f"| {row['name']} | {row['weight_mb']} MB | {row['load_s']} s | {idle['prompt_s']} s "
            f"| {idle['decode_tokens_per_s']} tok/s | {idle['decode_tokens_per_s'] / bound:.0%} of {bound:.0f} "
            f"| {idle['turn_p50_s']} s | {load['turn_p50_s']} s ({load['turn_max_s']} s) "
            f"| {row['generator_rss_mb']} MB |"
        )
    lines += [
        "",
        "*Generator RSS*: the worker's peak resident memory minus its peak after the imports (weights, caches and "
        "load-time copies). *Load*: the weights into a ready runtime (exports are written before timing).",
    ]
    if "quality" in results:
        q = results["quality"]
        lines += [
            "",
            f"## Quality on {q['examples']} held-out review turns (paired with the torch decoder, `ecr`)",
            "",
            f"From `{results.get('quality_command', results['command'])}`. `evaluate_generator` on the test movies "
            "of the review examples (never trained on), greedy, 60-token budget with the stop rules on; every "
            f"system answers the same prompts, and the intervals come from {q.get('bootstrap_samples', 1000):,} paired "
            "bootstrap resamples of the turns. `ecr` is the torch decoder in bfloat16.",
            "",
            "| system | BLEU-2 | mentions a fact | hallucination | identical replies | "
            + " | ".join(f"Δ {label} (95 % CI)" for _, label in PAIRED)
            + " |",
            "| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in PAIRED) + " |",
        ]
        for system, metrics in q["systems"].items():
            pair = q["paired_with_torch"].get(system)
            cells = [
                f"{pair[key]['difference']:+.3f} ({pair[key]['ci95'][0]:+.3f}, {pair[key]['ci95'][1]:+.3f})"
                if pair
                else "reference"
                for key, _ in PAIRED
            ]
            same = f"{pair['identical_replies']:.0%}" if pair else "–"
            lines.append(
                f"| {system} | {metrics['bleu_2']} | {metrics['fact_mention_rate']} | "
                f"{metrics['hallucination_rate']} | {same} | " + " | ".join(cells) + " |"
            )
    (OUT / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-onnx", action="store_true")
    parser.add_argument(
        "--speed-only", action="store_true", help="re-time the runtimes; keep the quality section of results.json"
    )
    parser.add_argument("--markdown-only", action="store_true", help="rewrite results.md from results.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--fixed-two", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.worker:
        print(json.dumps(worker(args.worker, args.runs, args.fixed_two)))
        return
    if args.markdown_only:
        write_markdown(json.loads((OUT / "results.json").read_text()))
        return
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": "python " + " ".join(["benchmarks/runtime_bench.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": round(os.getloadavg()[0], 2),
        "bandwidth_gb_s": {"1 thread": bandwidth(1), "2 threads": bandwidth(2)},
    }
    previous = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    prepare_exports(args.skip_onnx)
    results["speed"] = speed(args.runs, args.skip_onnx)
    if args.speed_only and "quality" in previous:
        results["quality"] = previous["quality"]
        results["quality_command"] = previous.get("quality_command", previous["command"])
    elif not args.skip_quality:
        results["quality"] = quality(args.limit)
        results["quality_command"] = results["command"]
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    write_markdown(results)


if __name__ == "__main__":
    main()

"""Ranker benchmark: train the ablation ladder over several seeds, evaluate it side by side, time inference.

Usage:
    python benchmarks/ranker_bench.py [--seeds 0 1 2] [--split test] [--skip-train] [--throughput-only]

Trains (or reuses) every variant for every seed with the ``full`` profile, runs ``evaluate_ranker`` on the split,
measures batched throughput and single-context latency of the inference default, and writes
benchmarks/ranker/results.json, results.md and side_by_side.png. Reported figures must come from a store whose
emotions are the trained classifier's (the script refuses the development placeholder).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from ecr_agent.config import Paths
from ecr_agent.data.redial import load_dialogues, render_mentions
from ecr_agent.data.samples import build_samples, merge_turns
from ecr_agent.ranker.config import VARIANTS
from ecr_agent.ranker.dataset import PLACEHOLDER_ENV
from ecr_agent.ranker.evaluation import ENSEMBLE
from ecr_agent.types import ChatTurn

OUT = Path(__file__).parent / "ranker"
COLUMNS = [
    ("auc", "AUC"),
    ("auc_batch32", "AUC@32"),
    ("recall_true@1", "RT@1"),
    ("recall_true@10", "RT@10"),
    ("recall_true@50", "RT@50"),
    ("recall@1", "R@1"),
    ("recall@10", "R@10"),
    ("recall@50", "R@50"),
    ("dedup_recall@1", "dR@1"),
    ("dedup_recall@10", "dR@10"),
    ("dedup_recall@50", "dR@50"),
]


def train_all(seeds: list[int], paths: Paths) -> tuple[dict, dict]:
    from ecr_agent.ranker.training import train_ranker

    runs, walls = {}, {}
    for seed in seeds:
        report = train_ranker("full", seed=seed, paths=paths, variants=tuple(VARIANTS))
        walls[f"seed{seed}"] = report["wall_s"]
        runs |= {run["run"]: run_summary(run) for run in report["runs"].values()}
    return runs, walls


def stored_runs(seeds: list[int]) -> dict:
    """The training reports of the runs in the store (``--skip-train``: the table shows what is evaluated)."""
    from ecr_agent.config import Paths
    from ecr_agent.ranker.assets import run_dir
    from ecr_agent.ranker.config import TrainConfig

    paths = Paths.from_env()
    names = [TrainConfig(variant=variant, seed=seed).run_name for seed in seeds for variant in VARIANTS]
    reports = [run_dir(paths, name) / "report.json" for name in names]
    return {report.parent.name: run_summary(json.loads(report.read_text())) for report in reports if report.exists()}


def run_summary(run: dict) -> dict:
    keys = ("train_seconds", "best_epoch", "valid", "emotion_source")
    return {key: run[key] for key in keys}


def conversations(split: str, count: int, paths: Paths) -> tuple[list[list[ChatTurn]], list[list[dict | None]]]:
    """The first ``count`` sample contexts of ``split`` as chats, with the classifier's emotions of user turns."""
    from ecr_agent.data.movies import MovieCatalog
    from ecr_agent.emotion.inference import load_utterance_emotions

    catalog = MovieCatalog.load(paths)
    emotions = load_utterance_emotions(split, paths)
    chats, feelings = [], []
    dialogues = {d.conversation_id: d for d in load_dialogues(split, paths)}
    for sample in build_samples(dialogues.values(), set(catalog.ids))[:count]:
        dialogue = dialogues[sample.conversation_id]
        turns, found = [], []
        for turn in merge_turns(dialogue)[: sample.turn_index]:
            for position in turn.positions:
                message = dialogue.messages[position]
                role = "user" if message.role == "seeker" else "assistant"
                turns.append(ChatTurn(role, render_mentions(message.text, dialogue.movie_mentions, catalog.titles)))
                found.append(emotions.get((dialogue.conversation_id, position)) if role == "user" else None)
        chats.append(turns)
        feelings.append(found)
    return chats, feelings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


@contextmanager
def minilm_in(bf16: bool) -> Iterator[None]:
    """Run the shared MiniLM encoder in bfloat16 or float32 for the block (the float32 baseline of the same run)."""
    from ecr_agent.text_encoder import SentenceEncoder, shared_encoder

    encoder = shared_encoder()
    kept = encoder.model, encoder.bf16
    if bf16 != encoder.bf16:
        encoder.model, encoder.bf16 = SentenceEncoder(bf16=bf16).model, bf16
    try:
        yield
    finally:
        encoder.model, encoder.bf16 = kept


def single_context_ms(ranker: Any, pairs: list[tuple[list, list]], detect: bool, in_chat: bool) -> list[float]:
    """Milliseconds to rank each conversation on its own.

    ``in_chat``: the ranker first saw the conversation without its last message (untimed), as in a live chat;
    ``detect``: the emotions are left to the classifier instead of given.
    """
    times = []
    for turns, found in pairs:
        given = None if detect else found
        if in_chat and len(turns) > 1:
            ranker.rank(turns[:-1], None if given is None else given[:-1], k=10)
        started = time.perf_counter()
        ranker.rank(turns, given, k=10)
        times.append(1000 * (time.perf_counter() - started))
    return times


def throughput(split: str, paths: Paths, count: int = 512) -> dict:
    """Contexts per second (batched) and single-context latency of the inference default model."""
    from ecr_agent.hardware import native_bfloat16
    from ecr_agent.ranker.inference import EmotionAwareRanker
    from ecr_agent.text_encoder import shared_encoder

    chats, feelings = conversations(split, 2 * count, paths)
    ranker = EmotionAwareRanker.load(paths)
    cold_by_precision = {}
    for bf16 in (False, True) if native_bfloat16() else (False,):
        with minilm_in(bf16):
            # Warm-up on other contexts: allocations, the linker, and the oneDNN kernels of MiniLM's shapes
            # (built once per process). A fresh ranker then has empty text caches: every message below is new.
            ranker.rank_batch(chats[count:], feelings[count:])
            ranker = EmotionAwareRanker(ranker.run, ranker.assets, ranker.detector)
            started = time.perf_counter()
            ranker.rank_batch(chats[:count], feelings[:count])
            cold_by_precision["bfloat16" if bf16 else "float32"] = count / (time.perf_counter() - started)
    chats, feelings = chats[:count], feelings[:count]
    precision = "bfloat16" if shared_encoder().bf16 else "float32"
    cold = cold_by_precision[precision]
    started = time.perf_counter()
    ranker.rank_batch(chats, feelings)
    warm = count / (time.perf_counter() - started)
    # Single context in a chat: a fresh ranker has seen every message but the last one (the previous call).
    pairs = list(zip(chats, feelings, strict=True))
    new_ranker = partial(EmotionAwareRanker, ranker.run, ranker.assets, ranker.detector)
    fresh = new_ranker()
    chat_ms = single_context_ms(new_ranker(), pairs[:200], detect=False, in_chat=True)
    fresh_ms = single_context_ms(fresh, pairs[200:300], detect=False, in_chat=False)
    detect_ms, chat_detect_ms = [], []
    if ranker.detector is not None:
        detect_ms = single_context_ms(fresh, pairs[300:400], detect=True, in_chat=False)
        # The same chat as above with emotions left to the detector: only the last message is new to it.
        chat_detect_ms = single_context_ms(new_ranker(), pairs[400:500], detect=True, in_chat=True)
    return {
        "contexts": count,
        "batched_cold_contexts_per_s": round(cold, 1),
        "minilm_precision": precision,
        "batched_cold_by_minilm_precision": {k: round(v, 1) for k, v in cold_by_precision.items()},
        "batched_warm_contexts_per_s": round(warm, 1),
        "single_chat_p50_ms": round(statistics.median(chat_ms), 2),
        "single_chat_p95_ms": round(percentile(chat_ms, 0.95), 2),
        "single_fresh_p50_ms": round(statistics.median(fresh_ms), 2),
        "single_detect_p50_ms": round(statistics.median(detect_ms), 2) if detect_ms else None,
        "single_chat_detect_p50_ms": round(statistics.median(chat_detect_ms), 2) if chat_detect_ms else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def cell(mean: float, spread: float, n: int) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "–"
    return f"{mean:.3f}" + (f" ± {spread:.3f}" if n > 1 else "")


def systems_table(table: dict) -> list[str]:
    """Markdown rows of every system in an `evaluate_ranker` result, then the paper's figures."""
    lines = [
        "| system | seeds | " + " | ".join(name for _, name in COLUMNS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in COLUMNS) + " |",
    ]
    for name, metrics in table["systems"].items():
        seeds = table["seeds"][name]
        seed_text = ",".join(map(str, seeds)) if name in (*VARIANTS.values(), ENSEMBLE) else "–"
        runs = 1 if name == ENSEMBLE else len(seeds)  # one model made of several seeds: no spread
        cells = [cell(metrics.get(k), table["spread"][name].get(k, 0.0), runs) for k, _ in COLUMNS]
        lines.append(f"| {name} | {seed_text} | " + " | ".join(cells) + " |")
    for name, metrics in table["paper"].items():
        cells = [f"{metrics[k]:.3f}" if k in metrics else "–" for k, _ in COLUMNS]
        lines.append(f"| *{name}* | – | " + " | ".join(cells) + " |")
    return lines


def markdown(results: dict) -> str:
    table = results["evaluation"]
    lines = [
        "# Ranker benchmark",
        "",
        f"Split `{table['split']}`: {table['samples']} samples ({table['dedup_samples']} deduplicated, "
        f"{table['liked']} liked, {table['disliked']} disliked labels; the dislike rule bans the label in "
        f"{table['label_banned_by_dislike_rule']} samples). Mean ± sample standard deviation over seeds; "
        "AUC is batch-free, AUC@32 the reference code's batch AUC (the paper's AUC column); dR@n is R@n on the "
        "deduplicated samples with the context's movies removed from the ranking.",
        "",
        *systems_table(table),
    ]
    kg = results.get("evaluation_kg_items")
    if kg:
        lines += [
            "",
            f"The same systems under the reference code's item set (`ecr eval ranker --items kg`): only the "
            f"{kg['samples']} samples whose label is a KG movie entity ({kg['dedup_samples']} deduplicated, "
            f"{kg['liked']} liked, {kg['disliked']} disliked labels), each ranked among the {kg['candidates']:,} KG "
            "movies alone, as ECR's and UniCRS's code rank `logits[:, kg['item_ids']]`. The models are the same; "
            "nothing was retrained for this table.",
            "",
            *systems_table(kg),
        ]
    free = table.get("without_dislike_rule")
    if free:
        lines += [
            "",
            "The same trained variants with the dislike rule switched off (it applies only to the emotion variants and "
            "inherits the emotion classifier's false *negative* labels), to compare the representations alone:",
            "",
            "| system | " + " | ".join(name for _, name in COLUMNS) + " |",
            "| --- | " + " | ".join("---" for _ in COLUMNS) + " |",
        ]
        for name, metrics in free["systems"].items():
            n = len(table["seeds"][name])
            cells = [cell(metrics.get(k), free["spread"][name].get(k, 0.0), n) for k, _ in COLUMNS]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    speed = results.get("throughput")
    if speed:
        lines += [
            "",
            '## Inference speed (inference default model, `threads="auto"`, this 2-core CPU)',
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| batched, fresh texts (link + MiniLM in {speed.get('minilm_precision', 'float32')} + model), contexts/s "
            f"| {speed['batched_cold_contexts_per_s']} |",
            *[
                f"| … the same with MiniLM in {name} (same run), contexts/s | {value} |"
                for name, value in speed.get("batched_cold_by_minilm_precision", {}).items()
                if name != speed.get("minilm_precision")
            ],
            f"| batched, texts seen before (model + evidence), contexts/s | {speed['batched_warm_contexts_per_s']} |",
            f"| single context in a chat (only the last message new), p50 / p95 ms | {speed['single_chat_p50_ms']} / "
            f"{speed['single_chat_p95_ms']} |",
            f"| single context, all its messages new, p50 ms | {speed['single_fresh_p50_ms']} |",
            f"| single context, emotions detected too, p50 ms | {speed['single_detect_p50_ms']} |",
            f"| single context in a chat, emotions detected (only the last message new), p50 ms "
            f"| {speed.get('single_chat_detect_p50_ms', '–')} |",
            f"| 1-minute load average while measuring | {speed['load_avg_1m']} |",
            f"| measured at | {speed.get('measured_at', '–')} |",
        ]
    runs = results.get("runs")
    if runs:
        lines += ["", "## Training runs (full profile)", "", "| run | best epoch | train s | valid R@10 | valid R@50 |"]
        lines.append("| --- | --- | --- | --- | --- |")
        for name, run in sorted(runs.items()):
            valid = run["valid"]
            lines.append(
                f"| {name} | {run['best_epoch']} | {run['train_seconds']} | {valid['recall@10']:.3f} | "
                f"{valid['recall@50']:.3f} |"
            )
    lines += ["", f"Reproduce: `{results['command']}`", ""]
    return "\n".join(lines)


def plot(table: dict, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        ("auc", "AUC"),
        ("recall_true@10", "RT@10"),
        ("recall_true@50", "RT@50"),
        ("recall@10", "R@10"),
        ("recall@50", "R@50"),
        ("dedup_recall@50", "dR@50"),
    ]
    names = list(table["systems"])
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    for i, name in enumerate(names):
        means = [table["systems"][name][m] for m, _ in metrics]
        spreads = [table["spread"][name][m] for m, _ in metrics]
        ax.bar([j + i * width for j in range(len(metrics))], means, width, yerr=spreads, capsize=2, label=name)
    paper = table["paper"]["ECR (paper, full ReDial train)"]
    for j, (m, _) in enumerate(metrics):
        if m in paper:
            ax.hlines(paper[m], j - 0.05, j + 0.85, colors="black", linestyles="dashed", linewidth=1)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(metrics))], [label for _, label in metrics])
    ax.set_title(
        f"Ranker on ReDial {table['split']} ({table['samples']} samples), mean ± sd over seeds; dashed: paper's ECR"
    )
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(target, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument("--skip-train", action="store_true", help="evaluate what is trained, train nothing")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true", help="keep the last speed figures (busy machine)")
    args = parser.parse_args()
    if os.environ.get(PLACEHOLDER_ENV) == "1":
        raise SystemExit(f"unset {PLACEHOLDER_ENV}: benchmark figures must use the trained emotion classifier")
    from ecr_agent.cpu import keep_heap_memory
    from ecr_agent.ranker.evaluation import evaluate_ranker

    keep_heap_memory()
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "results.json"
    results = json.loads(target.read_text()) if target.exists() else {}
    results["command"] = "python benchmarks/ranker_bench.py " + " ".join(
        [f"--seeds {' '.join(map(str, args.seeds))}", f"--split {args.split}"]
    )
    paths = Paths.from_env()
    results["store"] = str(paths.store_dir)
    if not args.throughput_only:
        if not args.skip_train:
            results["runs"], results["full_profile_wall_s"] = train_all(args.seeds, paths)
        else:
            results["runs"] = stored_runs(args.seeds)
        results["evaluation"] = evaluate_ranker(args.split, seeds=args.seeds, paths=paths)
        results["evaluation_kg_items"] = evaluate_ranker(args.split, seeds=args.seeds, paths=paths, items="kg")
        plot(results["evaluation"], OUT / "side_by_side.png")
    if not args.skip_throughput:
        results["throughput"] = throughput(args.split, paths)
    target.write_text(json.dumps(results, indent=2))
    (OUT / "results.md").write_text(markdown(results))
    print(json.dumps(results.get("throughput"), indent=2))


if __name__ == "__main__":
    main()

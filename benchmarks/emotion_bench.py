"""Emotion classifier benchmarks: recipe comparison on validation, test-set report, latency; markdown + JSON + PNG.

    python benchmarks/emotion_bench.py recipes --seeds 0 1 2            # validation table of the training recipes
    python benchmarks/emotion_bench.py test                             # the trained model on the 500 test annotations
    python benchmarks/emotion_bench.py latency                          # single-utterance p50, batch of 256
    python benchmarks/emotion_bench.py report                           # benchmarks/emotion/results.md from the JSON

``recipes`` can run on a machine without the data folder: ``export-bundle`` writes the examples (no test data) and a
float16 copy of the MiniLM encoder to a folder, and ``recipes --bundle FOLDER --device cuda`` reads them.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "emotion"


def load_sources(bundle: Path | None) -> dict[str, list]:
    from ecr_agent.config import Paths
    from ecr_agent.emotion.dataset import EmotionExample, annotated_examples, questionnaire_examples
    from ecr_agent.emotion.goemotions import load_goemotions

    if bundle is None:
        paths = Paths.from_env()
        return {
            "goemotions": load_goemotions("train", paths),
            "annotations": annotated_examples("train", paths),
            "questionnaire": questionnaire_examples(paths),
            "valid": annotated_examples("valid", paths),
        }
    return {
        name: [EmotionExample.from_json(json.loads(line)) for line in (bundle / f"{name}.jsonl").open()]
        for name in ("goemotions", "annotations", "questionnaire", "valid")
    }


def export_bundle(out: Path) -> None:
    import shutil

    from safetensors.torch import load_file, save_file

    from ecr_agent.emotion.model import encoder_path

    out.mkdir(parents=True, exist_ok=True)
    for name, examples in load_sources(None).items():
        with (out / f"{name}.jsonl").open("w") as handle:
            for example in examples:
                handle.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
    source, target = encoder_path(), out / "encoder"
    target.mkdir(exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(source / name, target / name)
    weights = load_file(str(source / "model.safetensors"))
    save_file({k: v.half().contiguous() for k, v in weights.items()}, str(target / "model.safetensors"))
    print(f"bundle written to {out}", file=sys.stderr)


def variant_sets() -> dict[str, dict[str, Any]]:
    from ecr_agent.emotion.recipes import standard_variants
    from ecr_agent.emotion.training import PROFILES

    base = replace(PROFILES["full"], goemotions=None, negative_weight=1.0, annotate=False)
    lora = replace(base, finetune="lora", lr=5e-4, goemotions_lr=5e-4)
    best = replace(base, questionnaire=True)
    extra = {
        "goemotions12k+annotations": replace(base, goemotions=12000, questionnaire=False),
        "goemotions12k+annotations+questionnaire": replace(best, goemotions=12000),
        "goemotions+annotations+questionnaire, negative weight 3": replace(best, negative_weight=3.0),
        "annotations+questionnaire, negative weight 3": replace(best, goemotions=0, negative_weight=3.0),
        "annotations, lr 1e-4": replace(base, goemotions=0, questionnaire=False, lr=1e-4),
        "goemotions+annotations+questionnaire, 8 epochs": replace(best, annotation_epochs=8),
        "annotations, word embeddings trained": replace(
            base, goemotions=0, questionnaire=False, freeze_word_embeddings=False
        ),
    }
    return {
        "main": standard_variants(base),
        "lora": {f"{k} (LoRA)": v for k, v in standard_variants(lora).items()},
        "extra": extra,
    }


def smoke(profile: Any) -> Any:
    return replace(profile, annotation_epochs=min(1, profile.annotation_epochs))


def run_recipes(args: argparse.Namespace) -> None:
    from ecr_agent.config import Paths
    from ecr_agent.emotion.model import load_tokenizer
    from ecr_agent.emotion.recipes import compare_recipes

    encoder = args.bundle / "encoder" if args.bundle else None
    sources = load_sources(args.bundle)
    if args.smoke:
        sources = {k: v[:48] for k, v in sources.items()}
    tokenizer = load_tokenizer(encoder)
    out = args.out / "recipes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results: list[dict] = json.loads(out.read_text())["runs"] if args.append and out.exists() else []
    sets = variant_sets()
    snapshots: dict = {}
    meta = {"device": args.device, "device_name": device_name(args.device), "seeds": args.seeds}

    def save(result: dict) -> None:
        results.append(result)
        out.write_text(json.dumps({"meta": meta, "runs": results}, indent=1))
        print(
            f"{result['variant']} seed {result['seed']}: R@2 {result['valid']['recall_at_2']:.4f} "
            f"({result['seconds']} s)",
            file=sys.stderr,
            flush=True,
        )

    for set_name in args.sets:
        variants = sets[set_name]
        if args.smoke:
            variants = {k: smoke(v) for k, v in list(variants.items())[:3]}
        for seed in args.seeds:
            compare_recipes(
                variants, [seed], sources, tokenizer, args.device, encoder, save, snapshots, paths=Paths.from_env()
            )


def device_name(device: str) -> str:
    import platform

    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(0)
    return f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def run_test(args: argparse.Namespace) -> None:
    from ecr_agent.config import Paths
    from ecr_agent.emotion.dataset import annotated_examples, write_gold_file
    from ecr_agent.emotion.evaluation import evaluate_gold_file

    paths = Paths.from_env()
    gold = write_gold_file(annotated_examples(args.split, paths), args.out / f"gold_{args.split}.jsonl.tmp")
    report = evaluate_gold_file(gold, paths)
    gold.unlink()
    report["gold"] = f"annotations, {args.split} split"
    (args.out / f"{args.split}.json").write_text(json.dumps(report, indent=1))
    plot_confusion(report["confusion"], args.out / f"confusion_{args.split}.png", f"{args.split} annotations")
    print(json.dumps({k: report[k] for k in ("recall_at_2", "macro_f1", "negative_recall")}), file=sys.stderr)


def plot_confusion(confusion: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels, counts = confusion["labels"], np.array(confusion["matrix"], dtype=float)
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    figure, axis = plt.subplots(figsize=(7.5, 6.5))
    axis.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    axis.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axis.set_yticks(range(len(labels)), [f"{lab} ({int(n)})" for lab, n in zip(labels, counts.sum(1), strict=True)])
    for i in range(len(labels)):
        for j in range(len(labels)):
            if counts[i, j]:
                axis.text(
                    j,
                    i,
                    int(counts[i, j]),
                    ha="center",
                    va="center",
                    color="white" if rates[i, j] > 0.5 else "black",
                    fontsize=8,
                )
    axis.set_xlabel("top-1 predicted label")
    axis.set_ylabel("first (most salient) gold label (count)")
    axis.set_title(f"Emotion classifier, {title}: top-1 accuracy {confusion['top1_accuracy']:.3f}")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def run_latency(args: argparse.Namespace) -> None:
    import os

    import torch

    from ecr_agent.config import Paths
    from ecr_agent.emotion.dataset import annotated_examples
    from ecr_agent.emotion.inference import EmotionPredictor
    from ecr_agent.tools.emotion import EmotionClassifierTool

    paths = Paths.from_env()
    started = time.perf_counter()
    predictor = EmotionPredictor.load(paths)
    load_s = time.perf_counter() - started
    texts = [e.text for e in annotated_examples("valid", paths)]
    for text in texts[:20]:
        predictor.detect([text])
    device = device_name("cpu")
    fast = EmotionPredictor(predictor.model, predictor.tokenizer, predictor.model_dir, bf16=True)
    default_threads = torch.get_num_threads()
    settings = {  # name: (predictor, torch threads)
        f"float32, {default_threads} threads": (predictor, default_threads),
        "float32, 1 thread": (predictor, 1),
        "bfloat16, 1 thread": (fast, 1),
    }
    rounds: dict[str, list[dict[str, list[float]]]] = {name: [] for name in settings}
    loads = []
    for _ in range(args.rounds):  # interleaved rounds: the machine is shared, so the load varies between them
        loads.append(round(os.getloadavg()[0], 2))
        for name, (model, threads) in settings.items():
            torch.set_num_threads(threads)
            tool = EmotionClassifierTool.from_store(predictor=model)
            single, tool_single = [], []
            for text in texts[: args.n]:
                started = time.perf_counter()
                model.detect([text])
                single.append(time.perf_counter() - started)
                started = time.perf_counter()
                tool.invoke({"text": text})
                tool_single.append(time.perf_counter() - started)
            started = time.perf_counter()
            model.detect(texts[:256])
            rounds[name].append({"single": single, "tool": tool_single, "batch": [time.perf_counter() - started]})
    result: dict[str, Any] = {
        "device": device,
        "load_s": round(load_s, 3),
        "utterances_per_round": args.n,
        "rounds": args.rounds,
        "load_average_per_round": loads,
        "settings": {},
    }
    for name, measured in rounds.items():
        every = {key: [v for r in measured for v in r[key]] for key in ("single", "tool", "batch")}
        result["settings"][name] = {
            "single_p50_ms": round(1000 * statistics.median(every["single"]), 2),
            "single_p95_ms": round(1000 * sorted(every["single"])[int(0.95 * len(every["single"]))], 2),
            "single_p50_ms_per_round": [round(1000 * statistics.median(r["single"]), 2) for r in measured],
            "tool_single_p50_ms": round(1000 * statistics.median(every["tool"]), 2),
            "batch256_median_s": round(statistics.median(every["batch"]), 3),
            "batch256_runs_s": [round(b, 3) for b in every["batch"]],
        }
    (args.out / "latency.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result), file=sys.stderr)


def load_average() -> list[float] | None:
    try:
        import os

        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def mean_sd(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def recipe_table(runs: list[dict]) -> list[str]:
    from ecr_agent.emotion.labels import EMOTIONS

    names = list(dict.fromkeys(r["variant"] for r in runs))
    lines = [
        "| recipe | seeds | Recall@2 | Recall@1 | macro-F1 | labels kept | negative recall "
        "| negative recall, calibrated | " + " | ".join(f"F1 {e}" for e in EMOTIONS) + " |",
        "| --- " * (8 + len(EMOTIONS)) + "|",
    ]
    for name in names:
        group = [r for r in runs if r["variant"] == name]
        cells = [
            name,
            str(len(group)),
            mean_sd([r["valid"]["recall_at_2"] for r in group]),
            mean_sd([r["valid"]["recall_at_1"] for r in group]),
            mean_sd([r["valid"]["macro_f1"] for r in group]),
            f"{statistics.mean(r['valid']['mean_labels_kept'] for r in group):.2f}",
            mean_sd([r["valid"]["negative_recall"] for r in group]),
            mean_sd([r["valid_calibrated"]["negative_recall"] for r in group]),
        ] + [f"{statistics.mean(r['valid']['per_label'][e]['f1'] for r in group):.2f}" for e in EMOTIONS]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def run_report(args: argparse.Namespace) -> None:
    lines = ["# Emotion classifier benchmarks", ""]
    recipes = args.out / "recipes.json"
    if recipes.exists():
        data = json.loads(recipes.read_text())
        lines += [
            "## Training recipes on the validation annotations (500 utterances of ReDial train dialogues)",
            "",
            f"Device: {data['meta']['device_name']}; mean ± standard deviation over seeds "
            f"{', '.join(map(str, data['meta']['seeds']))}. {data['meta'].get('note', '')} Reproduce: "
            "`python benchmarks/emotion_bench.py recipes --seeds 0 1 2 --sets main lora extra` "
            "(add `--device cuda` on a GPU).",
            "Per-label F1 and the negative recall use the labels the classifier keeps (p > β = 0.1). "
            "'calibrated': after the bias on the negative logit chosen on this same validation set (optimistic).",
            "",
            *recipe_table(data["runs"]),
            "",
        ]
    for split in ("valid", "test"):
        path = args.out / f"{split}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text())
        lines += [
            f"## The trained model on the {split} annotations ({report['n']} utterances)",
            "",
            f"Reproduce: `python benchmarks/emotion_bench.py test --split {split}` "
            f"(model: {report['model']['recipe']}).",
            "",
            f"Recall@2 **{report['recall_at_2']:.3f}**, Recall@1 {report['recall_at_1']:.3f}, "
            f"macro-F1 {report['macro_f1']:.3f}, negative recall **{report['negative_recall']:.3f}**, "
            f"labels kept per utterance {report['mean_labels_kept']:.2f}.",
            "",
            "| label | precision | recall | F1 | support |",
            "| --- | --- | --- | --- | --- |",
            *[
                f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |"
                for label, s in report["per_label"].items()
            ],
            "",
            "Most frequent confusions (first gold label → top-1 prediction): "
            + ", ".join(f"{c['gold']} → {c['predicted']} ({c['count']})" for c in report["confusion"]["top_confusions"])
            + ".",
            "",
            f"![confusion matrix](confusion_{split}.png)",
            "",
        ]
    latency = args.out / "latency.json"
    if latency.exists():
        result = json.loads(latency.read_text())
        lines += [
            "## Latency (CPU)",
            "",
            "Reproduce: `python benchmarks/emotion_bench.py latency` (rounds alternate the thread settings).",
            "",
            f"{result['device']}; 1-minute load average per round {result['load_average_per_round']} "
            "(the machine is shared with other jobs; with 2 busy cores, torch's threads wait on each other).",
            "",
            "| measure | " + " | ".join(result["settings"]) + " | target |",
            "| --- " * (2 + len(result["settings"])) + "|",
        ]
        rows = [
            ("one utterance, `EmotionPredictor.detect`, p50 (ms)", "single_p50_ms", "< 20 ms"),
            ("one utterance, p50 of each round (ms)", "single_p50_ms_per_round", ""),
            ("one utterance, p95 (ms)", "single_p95_ms", ""),
            ("one utterance, `detect_emotions` tool, p50 (ms)", "tool_single_p50_ms", ""),
            ("batch of 256 utterances, median (s)", "batch256_median_s", "< 1 s"),
        ]
        for title, key, target in rows:
            cells = [setting[key] for setting in result["settings"].values()]
            text = [", ".join(map(str, c)) if isinstance(c, list) else str(c) for c in cells]
            lines.append(f"| {title} | " + " | ".join(text) + f" | {target} |")
        lines += ["", f"Loading the model: {result['load_s']} s.", ""]
    (args.out / "results.md").write_text("\n".join(lines))
    print(f"wrote {args.out / 'results.md'}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("recipes", "test", "latency", "report", "export-bundle"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--bundle", type=Path, default=None, help="recipes: read examples/encoder from this folder")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--sets", nargs="+", default=["main"], choices=("main", "lora", "extra"))
    parser.add_argument("--append", action="store_true", help="recipes: add to the runs already in recipes.json")
    parser.add_argument("--smoke", action="store_true", help="recipes: tiny data, to check the script")
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument("-n", type=int, default=100, help="latency: utterances to time one by one per round")
    parser.add_argument("--rounds", type=int, default=5, help="latency: interleaved rounds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.command == "export-bundle":
        export_bundle(args.bundle or Path("build/emotion_bundle"))
    else:
        {"recipes": run_recipes, "test": run_test, "latency": run_latency, "report": run_report}[args.command](args)


if __name__ == "__main__":
    main()

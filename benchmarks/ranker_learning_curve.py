"""How ECR's recall grows with training dialogues: is the partial ReDial train split why we trail the paper?

Usage:
    python benchmarks/ranker_learning_curve.py --scratch /tmp/ecr_curve [--limits 388 775 1550] [--seed 0]

Trains the full ECR variant (``full`` profile settings, one seed) on the first N training dialogues for each N, in a
scratch store that borrows the main store's caches and emotion model (so the main store's runs are never touched),
evaluates each on the validation and test splits, adds the main store's all-data run of the same seed, and fits
recall ≈ a + b·log(dialogues) to say what 10,006 dialogues (the paper's full train split) would give if the trend
held. Writes benchmarks/ranker/learning_curve.json and .md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "ranker"
ECR = "ECR (+ feedback reweighting)"
METRICS = ("recall@1", "recall@10", "recall@50", "auc")
PAPER_TRAIN_DIALOGUES = 10006
CAVEAT = (
    "Caveats: one seed and four points; the smaller subsets keep the `full` profile's epochs, so they also get "
    "fewer optimisation steps, which may steepen the slope. An extrapolation, not a measurement."
)


def prepare_scratch(scratch: Path, main: Path) -> None:
    """A store that shares the main store's read-only inputs (caches, KG, emotion model) through links."""
    (scratch / "models").mkdir(parents=True, exist_ok=True)
    for part in ("cache", "kg", "models/emotion"):
        link = scratch / part
        if not link.exists():
            link.symlink_to((main / part).resolve())


def evaluate(split: str, seed: int) -> dict[str, float]:
    from ecr_agent.ranker.evaluation import evaluate_ranker

    result = evaluate_ranker(split=split, seeds=[seed])
    return {m: result["systems"][ECR][m] for m in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scratch", type=Path, required=True, help="an empty folder for the scratch store")
    parser.add_argument("--limits", type=int, nargs="+", default=[388, 775, 1550])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    main_store = Path(os.environ.get("ECR_STORE_DIR") or "stores").resolve()
    prepare_scratch(args.scratch, main_store)
    points = []
    for limit in args.limits:
        os.environ["ECR_STORE_DIR"] = str(args.scratch)
        from ecr_agent.ranker.training import train_ranker

        report = train_ranker("full", seed=args.seed, variants=("ecr",), train_limit=limit)
        run = report["runs"]["ecr"]
        points.append(
            {
                "dialogues": limit,
                "train_samples": run["train_samples"],
                "train_seconds": run["train_seconds"],
                "valid": evaluate("valid", args.seed),
                "test": evaluate("test", args.seed),
            }
        )
        print(json.dumps(points[-1]), flush=True)
    os.environ["ECR_STORE_DIR"] = str(main_store)
    runs = json.loads((OUT / "results.json").read_text())["runs"]
    everything = runs[f"ecr-seed{args.seed}"]
    points.append(
        {
            "dialogues": None,
            "train_samples": None,
            "train_seconds": everything["train_seconds"],
            "valid": evaluate("valid", args.seed),
            "test": evaluate("test", args.seed),
        }
    )
    from ecr_agent.config import Paths
    from ecr_agent.data.redial import load_dialogues

    points[-1]["dialogues"] = len(load_dialogues("train", Paths.from_env()))  # the train split, valid carved out
    fits = {}
    for metric in ("recall@10", "recall@50"):
        x = np.log([p["dialogues"] for p in points])
        y = np.array([p["test"][metric] for p in points])
        slope, intercept = np.polyfit(x, y, 1)
        fits[metric] = {
            "per_doubling": round(float(slope * math.log(2)), 4),
            "at_paper_size": round(float(intercept + slope * math.log(PAPER_TRAIN_DIALOGUES)), 4),
        }
    result = {"seed": args.seed, "points": points, "log_fit_test": fits, "paper_train_dialogues": PAPER_TRAIN_DIALOGUES}
    OUT.mkdir(exist_ok=True)
    (OUT / "learning_curve.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [
        "# ECR ranker: recall against training dialogues",
        "",
        f"Reproduce: `python benchmarks/ranker_learning_curve.py --scratch /tmp/ecr_curve` (seed {args.seed}, the",
        "`full` profile's settings, the first N training dialogues; the last row is the main store's run on all of",
        "them).",
        "",
        "| train dialogues | valid R@10 | valid R@50 | test R@1 | test R@10 | test R@50 | test AUC |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in points:
        v, t = p["valid"], p["test"]
        lines.append(
            f"| {p['dialogues']} | {v['recall@10']:.3f} | {v['recall@50']:.3f} | {t['recall@1']:.3f} | "
            f"{t['recall@10']:.3f} | {t['recall@50']:.3f} | {t['auc']:.3f} |"
        )
    lines += [
        "",
        "Log-linear fit on test, recall ≈ a + b·ln(dialogues), extrapolated to the paper's 10,006 dialogues:",
        "",
    ]
    for metric, fit in fits.items():
        lines.append(f"- {metric}: +{fit['per_doubling']:.3f} per doubling → {fit['at_paper_size']:.3f} at 10,006")
    lines += ["", CAVEAT]
    (OUT / "learning_curve.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(fits))


if __name__ == "__main__":
    main()

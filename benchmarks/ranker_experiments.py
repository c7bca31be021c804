"""Ranker experiments in a scratch store: learning curve, sweep, recency weighting, weight averaging, refit.

Usage:
    python benchmarks/ranker_experiments.py curve --scratch /tmp/ecr_curve [--limits 388 775 1550] [--seeds 0 1 2]
    python benchmarks/ranker_experiments.py sweep --scratch /tmp/ecr_sweep [--seed 0] [--only SETTING ...]
    python benchmarks/ranker_experiments.py recency --scratch /tmp/ecr_recency [--seeds 0 1]
    python benchmarks/ranker_experiments.py averaging --scratch /tmp/ecr_averaging [--seeds 0 1]
    python benchmarks/ranker_experiments.py refit --scratch /tmp/ecr_refit [--seeds 0 1 2]

``curve`` asks how ECR's recall grows with training dialogues (is the partial ReDial train split why we trail the
paper?). For each seed it trains the full ECR variant (``full`` profile settings) on a random N of the training
dialogues for each N (`TrainConfig.train_subset_seed`: the training file is in collection order, so the first N
would also be the oldest, further in time from the test dialogues) and on all of them, in a scratch store that
borrows the main store's caches and emotion model (the main store's runs are never touched). It evaluates each on
validation, on test and on test under the reference code's item set, and fits recall ≈ a + b·log(dialogues) to say
what 10,006 dialogues (the paper's full train split) would give if the trend held. Writes
benchmarks/ranker/learning_curve.json and .md.

``sweep`` trains full ECR (one seed, all training dialogues) once per setting in `SWEEP` — one change from the
defaults each — and reports validation metrics only (the test split never chooses anything). Writes
benchmarks/ranker/sweep.json and .md.

``recency`` trains full ECR with `TrainConfig.recency_half_life` in `RECENCY_HALF_LIVES` per seed and compares it
with the main store's unweighted run on validation, all of it and its later half. Writes benchmarks/ranker/recency.*.

``averaging`` does the same for `TrainConfig.average_decay` in `AVERAGE_DECAYS` (benchmarks/ranker/averaging.*);
``refit`` retrains each seed on train + validation and reports test (benchmarks/ranker/refit.*).
"""

from __future__ import annotations

import argparse
import json
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).parent / "ranker"
ECR = "ECR (+ feedback reweighting)"
METRICS = ("recall@1", "recall@10", "recall@50", "auc")
PAPER_TRAIN_DIALOGUES = 10006
CAVEAT = (
    "Caveats: four sizes; the smaller subsets keep the `full` profile's epochs (the best on validation), so they "
    "also get fewer optimisation steps; and the paper's other 6,548 dialogues may not add what ours do. An "
    "extrapolation, not a measurement."
)


def figures(metrics: dict[str, float], *names: str) -> list[str]:
    """The named metrics as table cells with three decimals."""
    return [f"{metrics[name]:.3f}" for name in names]


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """Markdown table lines."""
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def write_report(name: str, data: dict[str, Any], title: str, intro: str, body: list[str]) -> None:
    """``benchmarks/ranker/<name>.json`` from ``data`` and ``<name>.md``: a title, an intro paragraph, ``body``."""
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
    (OUT / f"{name}.md").write_text("\n".join([f"# {title}", "", intro, "", *body]) + "\n")


def prepare_scratch(scratch: Path, main: Path) -> None:
    """A store that shares the main store's read-only inputs (caches, KG, emotion model) through links."""
    (scratch / "models").mkdir(parents=True, exist_ok=True)
    for part in ("cache", "kg", "models/emotion"):
        link = scratch / part
        if not link.exists():
            link.symlink_to((main / part).resolve())


def evaluate(split: str, seed: int) -> dict[str, float]:
    from ecr_agent.config import Paths
    from ecr_agent.ranker.evaluation import evaluate_ranker

    result = evaluate_ranker(split=split, seeds=[seed], paths=Paths.from_env())  # the store ECR_STORE_DIR names now
    return {m: result["systems"][ECR][m] for m in METRICS}


def learning_curve(args: argparse.Namespace, main_store: Path) -> None:
    from ecr_agent.config import Paths
    from ecr_agent.data.redial import load_dialogues
    from ecr_agent.ranker.evaluation import evaluate_ranker
    from ecr_agent.ranker.training import train_ranker

    os.environ["ECR_STORE_DIR"] = str(args.scratch)
    everything = len(load_dialogues("train", Paths.from_env()))  # the train split, validation carved out
    points = []
    for seed in args.seeds:
        for limit in [*args.limits, everything]:
            subset = {"train_limit": limit, "train_subset_seed": seed} if limit < everything else {}
            report = train_ranker("full", seed=seed, paths=Paths.from_env(), variants=("ecr",), **subset)
            run = report["runs"]["ecr"]
            point: dict[str, Any] = {"seed": seed, "dialogues": limit, "train_samples": run["train_samples"]}
            point["train_seconds"] = run["train_seconds"]
            point["best_epoch"] = run["best_epoch"]
            point["valid"] = evaluate("valid", seed)
            point["test"] = evaluate("test", seed)
            kg = evaluate_ranker(split="test", seeds=[seed], paths=Paths.from_env(), items="kg")["systems"][ECR]
            point["test_kg_items"] = {m: kg[m] for m in METRICS}
            points.append(point)
            print(json.dumps(point), flush=True)
    os.environ["ECR_STORE_DIR"] = str(main_store)
    fits = {
        scope: {metric: log_fit(points, scope, metric) for metric in ("recall@10", "recall@50")}
        for scope in ("test", "test_kg_items")
    }
    result = {
        "seeds": args.seeds,
        "subsets": "random dialogues (seeded by the run's seed) from the whole training period",
        "points": points,
        "log_fit": fits,
        "paper_train_dialogues": PAPER_TRAIN_DIALOGUES,
    }
    (OUT / "learning_curve.json").write_text(json.dumps(result, indent=1) + "\n")
    sizes = sorted({p["dialogues"] for p in points})
    mean = {
        n: {scope: mean_metrics([p[scope] for p in points if p["dialogues"] == n]) for scope in SCOPES} for n in sizes
    }
    lines = [
        "# ECR ranker: recall against training dialogues",
        "",
        "Reproduce: `python benchmarks/ranker_experiments.py curve --scratch /tmp/ecr_curve --seeds 0 1 2` (the `full`",
        "profile's settings, full ECR only). Each smaller training set is a random draw of dialogues from the whole",
        "training period (seeded by the run's seed), so every point spans the same months; the validation split is the",
        f"same for all. Mean of seeds {', '.join(map(str, args.seeds))}; the KG-item columns score the reference "
        "code's item set (`--items kg`), the one the paper's figures use.",
        "",
        *table(
            [
                "train dialogues",
                "valid R@10",
                "valid R@50",
                "test R@1",
                "test R@10",
                "test R@50",
                "test AUC",
                "KG items R@10",
                "KG items R@50",
            ],
            [
                [n, *figures(mean[n]["valid"], "recall@10", "recall@50")]
                + figures(mean[n]["test"], "recall@1", "recall@10", "recall@50", "auc")
                + figures(mean[n]["test_kg_items"], "recall@10", "recall@50")
                for n in sizes
            ],
        ),
        "",
        f"Log-linear fit, recall ≈ a + b·ln(dialogues), over every run, extrapolated to the paper's "
        f"{PAPER_TRAIN_DIALOGUES:,} dialogues (paper: R@10 {PAPER_RECALL['recall@10']:.3f}, R@50 "
        f"{PAPER_RECALL['recall@50']:.3f}):",
        "",
    ]
    for scope, name in (("test", "all movies"), ("test_kg_items", "KG items")):
        for metric, fit in fits[scope].items():
            lines.append(
                f"- {name}, {metric}: {fit['per_doubling']:+.3f} per doubling → {fit['at_paper_size']:.3f} at "
                f"{PAPER_TRAIN_DIALOGUES:,} (fit per seed: {', '.join(f'{x:.3f}' for x in fit['per_seed'])})"
            )
    lines += ["", CAVEAT]
    (OUT / "learning_curve.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(fits))


SCOPES = ("valid", "test", "test_kg_items")
PAPER_RECALL = {"recall@10": 0.220, "recall@50": 0.428}


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each metric over ``rows``."""
    return {m: float(np.mean([r[m] for r in rows])) for m in rows[0]}


def log_fit(points: list[dict[str, Any]], scope: str, metric: str) -> dict[str, Any]:
    """Fit ``metric ≈ a + b·ln(dialogues)`` over ``points`` (all seeds, and each seed alone); the value at 10,006."""

    def fit(chosen: list[dict[str, Any]]) -> tuple[float, float]:
        slope, intercept = np.polyfit(np.log([p["dialogues"] for p in chosen]), [p[scope][metric] for p in chosen], 1)
        return float(slope), float(intercept + slope * math.log(PAPER_TRAIN_DIALOGUES))

    slope, at_paper = fit(points)
    per_seed = [fit([p for p in points if p["seed"] == seed])[1] for seed in sorted({p["seed"] for p in points})]
    return {
        "per_doubling": round(slope * math.log(2), 4),
        "at_paper_size": round(at_paper, 4),
        "per_seed": [round(x, 4) for x in per_seed],
    }


SWEEP: dict[str, dict[str, Any]] = {
    "defaults": {},
    "entity_dim 256": {"model": {"entity_dim": 256}},
    "dropout 0.3": {"model": {"dropout": 0.3}},
    "text_window 24": {"model": {"text_window": 24}},
    "global_top_k 200": {"model": {"global_top_k": 200}},
    "lr 1e-3": {"train": {"lr": 1e-3}},
    "node_lr_factor 0.3": {"train": {"node_lr_factor": 0.3}},
    "batch_size 128": {"train": {"batch_size": 128}},
    # added after batch 128 became the default: compare with the row above
    "batch 128 + seeker labels 0.5": {"train": {"batch_size": 128, "seeker_label_weight": 0.5}},
    "batch 128 + seeker labels 1.0": {"train": {"batch_size": 128, "seeker_label_weight": 1.0}},
}
"""Settings tried by ``sweep``: display name → RankerConfig (``model``) and TrainConfig (``train``) changes."""


def sweep(args: argparse.Namespace, main_store: Path) -> None:
    from ecr_agent.config import Paths
    from ecr_agent.ranker.config import RankerConfig
    from ecr_agent.ranker.training import train_ranker

    os.environ["ECR_STORE_DIR"] = str(args.scratch)
    previous = OUT / "sweep.json"
    rows = json.loads(previous.read_text())["rows"] if args.only and previous.exists() else {}
    for name, change in SWEEP.items():
        if args.only and name not in args.only:
            continue
        model = replace(RankerConfig(), **change.get("model", {}))
        report = train_ranker(
            "full",
            seed=args.seed,
            paths=Paths.from_env(),
            variants=("ecr",),
            model_config=model,
            **change.get("train", {}),
        )
        run = report["runs"]["ecr"]
        rows[name] = {"valid": {m: round(run["valid"][m], 4) for m in METRICS}, "best_epoch": run["best_epoch"]}
        rows[name]["train_seconds"] = run["train_seconds"]
        print(name, json.dumps(rows[name]), flush=True)
    os.environ["ECR_STORE_DIR"] = str(main_store)
    (OUT / "sweep.json").write_text(json.dumps({"seed": args.seed, "settings": SWEEP, "rows": rows}, indent=1) + "\n")
    lines = [
        "# ECR ranker: one-change hyper-parameter sweep on validation",
        "",
        f"Reproduce: `python benchmarks/ranker_experiments.py sweep --scratch /tmp/ecr_sweep` (seed {args.seed}, all",
        "training dialogues, the `full` profile otherwise; validation split only). `seeker labels w`: also train on "
        "the movies seekers name, each with its context, at loss weight w (the paper uses the recommender's only). "
        "`defaults` ran when the default batch was 256; batch 128 has been the default since.",
        "",
        *table(
            ["setting", "best epoch", "train s", "valid R@1", "valid R@10", "valid R@50", "valid AUC"],
            [
                [name, rows[name]["best_epoch"], rows[name]["train_seconds"]]
                + figures(rows[name]["valid"], "recall@1", "recall@10", "recall@50", "auc")
                for name in SWEEP
                if name in rows
            ],
        ),
    ]
    (OUT / "sweep.md").write_text("\n".join(lines) + "\n")


RECENCY_HALF_LIVES = (0.5, 0.25)


def late_and_all_valid(paths: Any, name: str) -> dict[str, dict[str, float]]:
    """Validation metrics of run ``name`` on every validation sample and on the later half by conversation id."""
    from ecr_agent.data.redial import load_dialogues
    from ecr_agent.ranker.assets import RankerAssets, load_run, run_dir
    from ecr_agent.ranker.dataset import SplitData, load_split
    from ecr_agent.ranker.training import evaluate_samples

    assets = RankerAssets(paths)
    run = load_run(run_dir(paths, name), assets)
    valid = load_split("valid", assets.linker, assets.nodes, paths)
    train_ids = sorted(int(d.conversation_id) for d in load_dialogues("train", paths))
    cut = train_ids[len(train_ids) // 2]
    late = [s for s in valid.samples if int(s.conversation_id) >= cut]
    parts = {"all": valid, "late": SplitData("valid", late, valid.dialogues, valid.embeddings, valid.emotion_source)}
    model = run.model.eval()
    return {
        part: {m: round(v, 4) for m, v in evaluate_samples(model, data, assets.item_index, run.cooccurrence).items()}
        for part, data in parts.items()
    }


def against_published(
    args: argparse.Namespace, main_store: Path, field: str, values: tuple[float, ...]
) -> list[dict[str, Any]]:
    """Per seed: ECR with `TrainConfig` ``field`` at 0, then one scratch run per value in ``values``.

    The run at 0 is the main store's when its published configs are exactly the defaults with the field at 0, else
    it is trained in the scratch store too. Each row holds the seed, the value, the best epoch and
    `late_and_all_valid` of the run (validation only).
    """
    from ecr_agent.config import Paths
    from ecr_agent.ranker.assets import run_dir
    from ecr_agent.ranker.config import RankerConfig, TrainConfig, config_hash, from_json, variant_configs
    from ecr_agent.ranker.training import train_ranker

    rows = []
    for seed in args.seeds:
        published = json.loads(
            (main_store / "models" / "ranker" / "runs" / f"ecr-seed{seed}" / "config.json").read_text()
        )
        baseline = (variant_configs("ecr")[0], TrainConfig(variant="ecr", seed=seed, **{field: 0.0}))
        published_hash = config_hash(
            from_json(RankerConfig, published["model"]), from_json(TrainConfig, published["train"])
        )
        for value in (0.0, *values):
            reuse = value == 0.0 and published_hash == config_hash(*baseline)
            os.environ["ECR_STORE_DIR"] = str(main_store if reuse else args.scratch)
            if not reuse:
                train_ranker("full", seed=seed, paths=Paths.from_env(), variants=("ecr",), **{field: value})
            paths, name = Paths.from_env(), f"ecr-seed{seed}"
            report = json.loads((run_dir(paths, name) / "report.json").read_text())
            rows.append(
                {"seed": seed, field: value, "best_epoch": report["best_epoch"], **late_and_all_valid(paths, name)}
            )
            print(json.dumps(rows[-1]), flush=True)
    os.environ["ECR_STORE_DIR"] = str(main_store)
    return rows


def recency(args: argparse.Namespace, main_store: Path) -> None:
    """Weigh later training dialogues more; judge on validation, all of it and its later half (test comes later)."""
    rows = [
        {"half_life": row.pop("recency_half_life"), **row}
        for row in against_published(args, main_store, "recency_half_life", RECENCY_HALF_LIVES)
    ]
    write_report(
        "recency",
        {"rows": rows},
        "ECR ranker: weighing later training dialogues more (validation only)",
        f"Reproduce: `python benchmarks/ranker_experiments.py recency --scratch /tmp/ecr_recency --seeds "
        f"{' '.join(map(str, args.seeds))}`. ReDial's test dialogues were all collected after the training ones, and "
        "popularity drifts over time, so `TrainConfig.recency_half_life` h halves a sample's loss weight every "
        "fraction h of the training dialogues (by conversation id) back from the latest; 0 is the default (no "
        "weighting; the main store's runs). Metrics on all validation samples and on the later half of validation "
        "(conversation ids at or above the training median), the part closest in time to test.",
        table(
            ["seed", "half-life", "valid R@10", "valid R@50", "late valid R@10", "late valid R@50", "late valid AUC"],
            [
                [row["seed"], row["half_life"] or "off", *figures(row["all"], "recall@10", "recall@50")]
                + figures(row["late"], "recall@10", "recall@50", "auc")
                for row in rows
            ],
        ),
    )


AVERAGE_DECAYS = (0.98, 0.99, 0.995)


def averaging(args: argparse.Namespace, main_store: Path) -> None:
    """Evaluate and save an exponential moving average of the weights (`TrainConfig.average_decay`); validation only."""
    from ecr_agent.ranker.config import TrainConfig

    rows = against_published(args, main_store, "average_decay", AVERAGE_DECAYS)
    write_report(
        "averaging",
        {"rows": rows},
        "ECR ranker: a moving average of the weights (validation only)",
        f"Reproduce: `python benchmarks/ranker_experiments.py averaging --scratch /tmp/ecr_averaging --seeds "
        f"{' '.join(map(str, args.seeds))}`. With `TrainConfig.average_decay` d, every epoch is evaluated (and the "
        "best one saved) with an exponential moving average of the parameters, decay d per step (~95 steps an epoch), "
        "bias-corrected (`ecr_agent/ranker/averaging.py`); `off` (0) keeps the raw weights, as the runs published "
        "before this experiment did. The rule, fixed before the runs with 0.98 and 0.99: adopt a decay if validation "
        "R@10 + R@50 improves for every seed (0.995 was tried afterwards, against the same rule). Gains over `off`: "
        + verdict(rows, "average_decay")
        + f". `TrainConfig`'s default: {TrainConfig().average_decay}.",
        table(
            ["seed", "decay", "best epoch", "valid R@1", "valid R@10", "valid R@50", "valid AUC", "late valid R@10"],
            [
                [row["seed"], row["average_decay"] or "off", row["best_epoch"]]
                + figures(row["all"], "recall@1", "recall@10", "recall@50", "auc")
                + figures(row["late"], "recall@10")
                for row in rows
            ],
        ),
    )


def verdict(rows: list[dict[str, Any]], field: str) -> str:
    """Per value of ``field``: its R@10 + R@50 gain over the value-0 row of each seed, and whether every seed gained."""

    def score(row: dict[str, Any]) -> float:
        return row["all"]["recall@10"] + row["all"]["recall@50"]

    base = {row["seed"]: score(row) for row in rows if row[field] == 0.0}
    parts = []
    for value in dict.fromkeys(row[field] for row in rows if row[field] != 0.0):
        gains = [score(row) - base[row["seed"]] for row in rows if row[field] == value]
        mark = "passes" if all(g > 0 for g in gains) else "fails"
        parts.append(f"{value}: {' / '.join(f'{g:+.3f}' for g in gains)} ({mark}, mean {np.mean(gains):+.3f})")
    return "; ".join(parts)


def refit(args: argparse.Namespace, main_store: Path) -> None:
    """Retrain ECR on train + validation for each main-store seed's best epoch count; report the test split."""
    from ecr_agent.config import Paths
    from ecr_agent.data.redial import load_dialogues
    from ecr_agent.data.samples import build_samples
    from ecr_agent.ranker.assets import RankerAssets
    from ecr_agent.ranker.evaluation import ENSEMBLE, evaluate_ranker
    from ecr_agent.ranker.training import train_ranker

    os.environ["ECR_STORE_DIR"] = str(args.scratch)
    paths = Paths.from_env()
    known = set(RankerAssets(paths).nodes.item_ids)
    samples = len(build_samples(load_dialogues("train_full", paths), known))
    main_results = json.loads((OUT / "results.json").read_text())["evaluation"]
    rows = []
    for seed in args.seeds:
        directory = main_store / "models" / "ranker" / "runs" / f"ecr-seed{seed}"
        report = json.loads((directory / "report.json").read_text())
        batch_size = json.loads((directory / "config.json").read_text())["train"]["batch_size"]
        steps = report["best_epoch"] * math.ceil(samples / batch_size)
        run = train_ranker(
            "full",
            seed=seed,
            paths=paths,
            variants=("ecr",),
            train_split="train_full",
            select_metric="last",
            max_steps=steps,
        )["runs"]["ecr"]
        before = main_results["per_seed"][ECR][str(seed)]
        rows.append(
            {
                "seed": seed,
                "epochs": report["best_epoch"],
                "train_samples": run["train_samples"],
                "steps": run["steps"],
                "test_before": {m: before[m] for m in METRICS},
            }
        )
    together = evaluate_ranker("test", seeds=args.seeds, paths=paths)  # every refit and their ensemble in one pass
    for row in rows:
        row["test"] = {m: together["per_seed"][ECR][str(row["seed"])][m] for m in METRICS}
        print(json.dumps(row), flush=True)
    ensemble = {m: together["systems"][ENSEMBLE][m] for m in METRICS} if ENSEMBLE in together["systems"] else None
    os.environ["ECR_STORE_DIR"] = str(main_store)
    result = {"rows": rows, "ensemble": ensemble, "ensemble_before": main_results["systems"].get(ENSEMBLE)}
    (OUT / "refit.json").write_text(json.dumps(result, indent=1) + "\n")
    columns = ("recall@1", "recall@10", "recall@50", "auc")
    lines = [
        "# ECR ranker: refit on train + validation",
        "",
        f"Reproduce: `python benchmarks/ranker_experiments.py refit --scratch /tmp/ecr_refit --seeds "
        f"{' '.join(map(str, args.seeds))}`. Each seed's ECR run chose its best epoch on validation; the refit "
        "trains the same recipe on train + validation (11 % more dialogues) for that many epochs (the learning rate "
        "decays over them) and keeps the last epoch, so nothing is chosen on the refit's own data or on test. "
        "Test split; `before` is the main store's run of the same seed.",
        "",
        *table(
            [
                "seed",
                "epochs",
                "train samples",
                "R@1",
                "R@10",
                "R@50",
                "AUC",
                "R@1 before",
                "R@10 before",
                "R@50 before",
                "AUC before",
            ],
            [
                [row["seed"], row["epochs"], row["train_samples"], *figures(row["test"], *columns)]
                + figures(row["test_before"], *columns)
                for row in rows
            ],
        ),
    ]
    previous = result["ensemble_before"]
    if ensemble and previous:
        lines += [
            "",
            f"Seed ensemble of the refits: {' · '.join(f'{m} {ensemble[m]:.3f}' for m in columns)} (before: "
            f"{' · '.join(f'{m} {previous[m]:.3f}' for m in columns)}).",
        ]
    (OUT / "refit.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment", choices=("curve", "sweep", "recency", "averaging", "refit"))
    parser.add_argument("--scratch", type=Path, required=True, help="an empty folder for the scratch store")
    parser.add_argument("--limits", type=int, nargs="+", default=[388, 775, 1550], help="curve: training dialogues")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="curve, recency, averaging, refit: seeds")
    parser.add_argument("--only", nargs="+", choices=list(SWEEP), help="sweep: train these settings, keep the others")
    args = parser.parse_args()
    main_store = Path(os.environ.get("ECR_STORE_DIR") or "stores").resolve()
    prepare_scratch(args.scratch, main_store)
    {"curve": learning_curve, "sweep": sweep, "recency": recency, "averaging": averaging, "refit": refit}[
        args.experiment
    ](args, main_store)


if __name__ == "__main__":
    main()

"""Feedback reader benchmark: train (``full``), then precision / recall on every held-out set, against two baselines.

    python benchmarks/feedback_bench.py                   # train the full profile into $ECR_STORE_DIR, evaluate, write
    python benchmarks/feedback_bench.py --skip-train      # evaluate the reader already in the store

Writes ``benchmarks/feedback/results.json`` and ``results.md``. Baselines on the same items: the cue rules alone
(`FeedbackReader.rules`, what the chain falls back to without a model) and the chain's old rule (a user turn turns
down its movies when its top emotion is *negative* with p ≥ 0.5), read with the emotion classifier trained in
``$ECR_STORE_DIR/models/emotion`` when there is one.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "feedback"
METRICS = ("turned_down", "accepted", "seen", "not_seen")
SET_NAMES = {
    "valid": "validation questionnaires (thresholds chosen here before 2026-12-03)",
    "valid_audited": "single-suggestion replies of the 357 validation dialogues labelled by our audit guideline "
    "(since 2026-12-03 the thresholds are chosen here and on `iard_audited`)",
    "test": "test questionnaires",
    "test_agreed": "test questionnaires where the recommender's answer agrees with the seeker's",
    "test_audited": "single-suggestion replies of 261 test dialogues labelled by our audit guideline "
    "(ecr_agent/feedback/data/IARD_AUDIT_GUIDELINE.md)",
    "iard": "IARD replies, REJ = turned down (the items of `iard_audited`)",
    "iard_broad": "IARD replies, REJ or CRI-F = turned down (the items of `iard_audited`)",
    "iard_audited": "IARD replies labelled by our audit (ecr_agent/feedback/data/IARD_AUDIT_GUIDELINE.md); since "
    "2026-11-30 18:25 the thresholds are chosen on it with `valid`, so for the trained reader it is validation data",
}
EXAMPLES = [
    ("Have you seen Avengers: Infinity War?", "I have. Did a binge to prepare for Avengers: Infinity War"),
    ("", "I loved Jeff Bridges in Tron: Legacy"),
    ("How about Avatar?", "I have seen it and loved it"),
    ("How about Avatar?", "I saw that and hated it"),
    ("", "I love The Shining, but I hated Titanic"),
    ("How about Avatar?", "Not a fan. Something else?"),
    ("How about Avatar?", "They made me cry, what a movie"),
]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def emotion_baseline(sets: dict[str, list], paths: Any) -> tuple[dict[str, Any] | None, str, Any]:
    """Scores of the old emotion rule per set, a note on where the classifier came from, and the predictor."""
    from ecr_agent.config import StoreNotBuiltError
    from ecr_agent.emotion.inference import EmotionPredictor
    from ecr_agent.feedback.evaluation import emotion_rule_verdicts, score_verdicts

    try:
        predictor = EmotionPredictor.load(paths)
    except StoreNotBuiltError as error:
        return None, f"not measured: {error}", None
    profile = "unknown profile"
    report = predictor.model_dir / "report.json" if predictor.model_dir else None
    if report and report.exists():
        try:
            profile = json.loads(report.read_text()).get("profile", {}).get("name", profile)
        except (json.JSONDecodeError, AttributeError):
            pass
    results = {
        name: score_verdicts(emotion_rule_verdicts(examples, predictor.predict), examples)
        for name, examples in sets.items()
    }
    return results, f"emotion classifier of {predictor.model_dir} ({profile})", predictor


def worked_examples(reader: Any, rules: Any, predictor: Any) -> list[dict[str, Any]]:
    """The motivating cases: what the trained reader, the rules and the old rule make of each."""
    from ecr_agent.feedback.evaluation import is_rejection
    from ecr_agent.types import ChatTurn

    rows = []
    for suggestion, reply in EXAMPLES:
        turns = [ChatTurn("user", "Any movie ideas?"), ChatTurn("assistant", suggestion)] if suggestion else []
        turns.append(ChatTurn("user", reply))
        row: dict[str, Any] = {"suggestion": suggestion, "reply": reply}
        for name, who in (("model", reader), ("rules", rules)):
            feedback = who.read(turns)
            row[name] = [
                {
                    "title": who.linker.catalog[m.movie_id].title,
                    "turned_down": m.turned_down,
                    "accepted": m.accepted,
                    "seen": m.seen,
                    "p_turned_down": round(m.p_turned_down, 3),
                }
                for m in feedback.latest()
            ]
        row["old_rule_negative"] = is_rejection(predictor.predict([reply])[0]) if predictor else None
        rows.append(row)
    return rows


def run(skip_train: bool, profile: str) -> dict[str, Any]:
    from ecr_agent.config import Paths
    from ecr_agent.feedback.evaluation import AGREEMENT_FILES, annotator_agreement, evaluate_reader, evaluation_sets
    from ecr_agent.feedback.reader import FeedbackReader
    from ecr_agent.feedback.training import train_feedback
    from ecr_agent.linking import EntityLinker

    paths = Paths.from_env()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}",
        "load_average_before": load_average(),
        "store": str(paths.store_dir),
    }
    if not skip_train:
        started = time.perf_counter()
        report = train_feedback(profile, paths=paths, progress=True)
        results["training"] = report | {"measured_wall_s": round(time.perf_counter() - started, 1)}
    linker = EntityLinker.load(paths)
    reader, rules = FeedbackReader.load(paths, linker), FeedbackReader.rules(linker)
    results["thresholds"] = {
        k: getattr(reader.model.config, k) for k in ("turned_down_threshold", "accepted_threshold", "seen_threshold")
    }
    results["training_record"] = reader.model.config.training
    sets = evaluation_sets(paths)
    results["sizes"] = {
        name: {"examples": len(ex), "turned_down": sum(e.turned_down for e in ex)} for name, ex in sets.items()
    }
    started = time.perf_counter()
    results["model"] = evaluate_reader(reader, sets)
    results["evaluation_s"] = round(time.perf_counter() - started, 1)
    results["rules"] = evaluate_reader(rules, sets)
    results["old_rule"], results["old_rule_source"], predictor = emotion_baseline(sets, paths)
    results["examples"] = worked_examples(reader, rules, predictor)
    results["agreement"] = {name: annotator_agreement(*files) for name, files in AGREEMENT_FILES.items()}
    results["load_average_after"] = load_average()
    return results


def fmt(scores: dict[str, Any] | None, metric: str) -> str:
    if not scores or metric not in scores:
        return "–"
    s = scores[metric]
    return f"{s['precision']:.2f} / {s['recall']:.2f}"


def threshold_sets(results: dict[str, Any]) -> str:
    """The sets the reader's thresholds were chosen on, from its training record."""
    profile = (results.get("training_record") or {}).get("profile", {})
    return "`valid_audited` and `iard_audited`" if profile.get("audited_valid") else "`valid` and `iard_audited`"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Target-aware feedback reader (`ecr_agent/feedback`)",
        "",
        "Reproduce: `python benchmarks/feedback_bench.py` (trains the `full` profile into `$ECR_STORE_DIR`, then "
        "evaluates).",
        "",
        f"Run {results['date']} on {results['machine']}; 1/5/15-min load average {results['load_average_before']} "
        f"before, {results['load_average_after']} after (other jobs shared the 2 cores).",
    ]
    training = results.get("training")
    if training:
        lines.append(
            f"Training (`{training['profile']}`): {training['train_examples']} train items, "
            f"{training['measured_wall_s']} s in all, of which {training['features_s']} s MiniLM features "
            + (
                "(read from the cache of an earlier run; a cold run embeds them in about a minute)"
                if training["features_s"] < 5
                else "(now cached)"
            )
            + f"; thresholds chosen on {threshold_sets(results)}: "
            + ", ".join(f"{k} {v:.3f}" for k, v in results["thresholds"].items())
            + "."
        )
    else:
        record = results.get("training_record") or {}
        lines.append(
            f"Reader evaluated as found in the store (profile `{record.get('profile', {}).get('name', '?')}`, "
            f"{record.get('train_examples', '?')} train items); thresholds chosen on {threshold_sets(results)}: "
            + ", ".join(f"{k} {v:.3f}" for k, v in results["thresholds"].items())
            + "."
        )
    lines += [
        "",
        "Sets (items = one movie in one reply); `test`, `test_agreed` and `test_audited` are held out from everything:",
        "",
    ]
    for name, size in results["sizes"].items():
        lines.append(f"- `{name}`: {SET_NAMES[name]}, {size['examples']} items, {size['turned_down']} turned down")
    for metric in METRICS:
        lines += ["", f"## {metric.replace('_', ' ')}: precision / recall", ""]
        lines += ["| set | trained reader | rules only | old emotion rule |", "| --- | --- | --- | --- |"]
        for name in results["sizes"]:
            old = (results["old_rule"] or {}).get(name) if metric == "turned_down" else None
            model = fmt(results["model"].get(name), metric)
            if model == "–" and metric == "not_seen":
                continue
            lines.append(f"| {name} | {model} | {fmt(results['rules'].get(name), metric)} | {fmt(old, metric)} |")
    lines += ["", f"Old emotion rule: {results['old_rule_source']}. It only ever says *turned down*.", ""]
    if results.get("agreement"):
        lines += [
            "## How far the labels can be trusted: a second annotation",
            "",
            "Each audited set was labelled twice, independently, by the same guideline (both annotators are language-"
            "model helpers that read every item; neither saw the other's labels nor any model output). Scores of the "
            "second annotation against the first, which the tables above use:",
            "",
            "| set | items | turned down P / R | accepted P / R | same *seen* answer |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, agreement in results["agreement"].items():
            lines.append(
                f"| {name} | {agreement['items']} | {fmt(agreement, 'turned_down')} | {fmt(agreement, 'accepted')} "
                f"| {agreement['seen_same']:.2f} |"
            )
        lines += [""]
    lines += ["## Turned down, by where the movie came from (trained reader)", ""]
    lines += ["| set | suggested by the recommender | named by the user |", "| --- | --- | --- |"]
    for name in results["sizes"]:
        scores = results["model"][name]
        lines.append(
            f"| {name} | {fmt(scores.get('suggested'), 'turned_down')} | {fmt(scores.get('named'), 'turned_down')} |"
        )
    lines += ["", "## Worked examples (verdicts on the last user turn)", ""]
    lines += [
        "| suggestion | reply | trained reader | rules | old rule: negative turn |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in results["examples"]:

        def show(verdicts: list[dict[str, Any]]) -> str:
            return "; ".join(
                f"{v['title']}: "
                + ("**turned down**" if v["turned_down"] else "accepted" if v["accepted"] else "no verdict")
                + (f", seen={v['seen']}" if v["seen"] is not None else "")
                for v in verdicts
            )

        lines.append(
            f"| {row['suggestion'] or '–'} | {row['reply']} | {show(row['model'])} | {show(row['rules'])} | "
            f"{row['old_rule_negative']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-train", action="store_true", help="evaluate the reader already in the store")
    parser.add_argument("--profile", default="full", choices=("smoke", "quick", "full"))
    parser.add_argument("--report", action="store_true", help="only rewrite results.md from results.json")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: fastest on the shared 2 cores)")
    args = parser.parse_args()
    if args.report:
        (OUT / "results.md").write_text(markdown(json.loads((OUT / "results.json").read_text())), encoding="utf-8")
        return
    import torch

    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    results = run(args.skip_train, args.profile)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    (OUT / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()

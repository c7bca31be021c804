"""Replies before and after a change, on the same held-out contexts: writes benchmarks/reply/results.{md,json}.

The "before" system is an earlier revision of this repository (default: afe102e, the main branch before the reply
work), checked out into a temporary git worktree and run in a subprocess against the same stores; its generator
adapter can be a different folder (``--before-generator``), since the reply work retrained the adapter. Both sets
of replies are scored by the current `ecr_agent.reply_eval.score_replies`, so the numbers compare like for like.

    .venv/bin/python benchmarks/reply_bench.py --limit 200 --before afe102e \
        --before-generator stores/models/generator_before
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.reply_eval import (
    ReplyContext,
    ReplyRow,
    apology_scores,
    chain_answer,
    iard_contexts,
    load_rows,
    play,
    reply_contexts,
    save_rows,
    score_replies,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "reply"
# Run by the earlier revision, so written against its API (prepare / stream_prepared / respond), not today's.
BEFORE_SCRIPT = """
import json, sys, time
from ecr_agent.chain import ECRChain
contexts, generate, out = json.load(open(sys.argv[1])), sys.argv[2] == "1", open(sys.argv[3], "w")
chain = ECRChain.from_store()
for context in contexts:
    started = time.perf_counter()
    if hasattr(chain, "respond"):  # revisions before the streamed chunks carried the subject (afe102e)
        turn = chain.prepare({"messages": context["messages"]})
        reply = chain.respond(turn, list(chain.stream_prepared(turn))).reply if generate else turn.opening
        opening, picks = turn.opening, [r.movie_id for r in turn.recommendations]
        subject = picks[0] if picks else None
    else:  # as `ecr_agent.reply_eval.chain_answer` reads a turn
        chunks = chain.stream({"messages": context["messages"]})
        first = next(chunks)
        reply = sum(chunks, first).reply if generate else first.reply
        chunks.close()
        opening, picks = first.reply, [r.movie_id for r in first.recommendations]
        subject = first.subject["movie_id"] if first.subject else None
    row = {"key": context["key"], "reply": reply, "opening": opening, "recommendations": picks,
           "subject": subject, "seconds": round(time.perf_counter() - started, 3)}
    out.write(json.dumps(row) + "\\n")
"""
SHOWN = 12
KEYS = (
    ("wrong_apology_rate", "wrong apologies (share of apologies), test questionnaire"),
    ("apology_recall", "turn-downs apologised for, test questionnaire"),
    ("iard_wrong_apology_rate", "wrong apologies, IARD intents"),
    ("iard_apology_recall", "turn-downs apologised for, IARD intents"),
    ("iard_broad_wrong_apology_rate", "wrong apologies, IARD intents with critiques (REJ or CRI-F)"),
    ("iard_broad_apology_recall", "turn-downs apologised for, IARD REJ or CRI-F"),
    ("request_satisfaction_at_1", "request satisfaction@1"),
    ("request_satisfaction_at_5", "request satisfaction@5"),
    ("fact_precision", "fact precision (whole reply)"),
    ("generated_fact_precision", "fact precision (generated part)"),
    ("relevant_fact_rate", "replies with a true fact about the movie"),
    ("invented_life_rate", "replies with an invented life"),
    ("top_opening_4gram_share", "most frequent opening 4-gram, share"),
    ("top_repeated_4gram_share", "most repeated 4-gram of the generated part, share"),
    ("distinct_2", "distinct-2"),
    ("emotion_non_neutral", "emotion strength (non-neutral p)"),
    ("top1_distinct", "distinct top-1 movies"),
    ("top1_most_frequent_share", "share of the most frequent top-1"),
    ("words_per_reply", "words per reply"),
    ("turn_p50_s", "turn p50 (s), replies as shipped (the two systems ran one after the other)"),
)


def before_rows(revision: str, contexts: list[ReplyContext], generate: bool, generator: Path | None) -> list[ReplyRow]:
    """Run ``revision``'s chain on ``contexts`` in a subprocess (its own package, the same stores)."""
    paths = Paths.from_env()
    with tempfile.TemporaryDirectory(prefix="ecr_before_") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), revision], check=True)
        try:
            store = paths.store_dir
            if generator is not None:  # the same store, with the earlier adapter in the generator's place
                store = Path(tmp) / "store"
                (store / "models").mkdir(parents=True)
                for item in paths.store_dir.iterdir():
                    if item.name != "models":
                        (store / item.name).symlink_to(item.resolve())
                for item in (paths.store_dir / "models").iterdir():
                    if item.name != "generator":
                        (store / "models" / item.name).symlink_to(item.resolve())
                (store / "models" / "generator").symlink_to(generator.resolve())
            given = Path(tmp) / "contexts.json"
            given.write_text(json.dumps([{"key": c.key, "messages": list(c.messages)} for c in contexts]))
            out = Path(tmp) / "rows.jsonl"
            env = {**os.environ, "PYTHONPATH": str(tree), "ECR_STORE_DIR": str(store)}
            command = [sys.executable, "-c", BEFORE_SCRIPT, str(given), "1" if generate else "0", str(out)]
            subprocess.run(command, check=True, env=env, cwd=tree)
            return load_rows(out)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def stored_rows(path: Path, contexts: list[ReplyContext]) -> list[ReplyRow]:
    """The rows an earlier run stored at ``path``, which must answer exactly ``contexts`` (in order)."""
    rows = load_rows(path)
    if [r.key for r in rows] != [c.key for c in contexts]:
        raise SystemExit(f"{path} answers other contexts than these: run without --reuse-before")
    return rows


def flatten(report: dict) -> dict:
    flat = {k: round(v, 3) if isinstance(v, float) else v for k, v in report.items() if not isinstance(v, dict)}
    for part in ("iard", "iard_broad"):
        flat.update({f"{part}_{k}": v for k, v in report.get(part, {}).items()})
    return flat


def write_markdown(results: dict, samples: list[dict]) -> str:
    before, after = flatten(results["before"]), flatten(results["after"])
    lines = [
        "# Replies before and after the reply work",
        "",
        f"Measured {results['date']} by `benchmarks/reply_bench.py` on {results['contexts']} held-out ReDial "
        f"**{results['split']}** contexts (fixed hash order) and {results['iard_contexts']} IARD contexts (seeker "
        f"replies to a suggestion, annotated with intents; openings only). Before: revision `{results['revision']}`; "
        f"after: the working tree. Machine: {results['machine']}.",
        "",
        "| metric | before | after |",
        "| --- | --- | --- |",
    ]
    for key, label in KEYS:
        if key in before or key in after:
            lines.append(f"| {label} | {before.get(key, '–')} | {after.get(key, '–')} |")
    lines += [
        "",
        f"Most frequent opening 4-gram: before `{before.get('top_opening_4gram')}`, after "
        f"`{after.get('top_opening_4gram')}`. Most repeated 4-gram of the generated part: before "
        f"`{before.get('top_repeated_4gram')}`, after `{after.get('top_repeated_4gram')}`.",
        "",
        f"Gold for apologies: the test questionnaire marks a movie of the seeker's last turn (or of the suggestion it "
        f"answers) *disliked* ({after.get('turned_down')} of {after.get('contexts')} contexts); the IARD intent "
        f"`REJ` ({after.get('iard_turned_down')} of {after.get('iard_contexts')}). Requests: "
        f"{after.get('request_contexts')} contexts whose last user message names a person, a genre or 'like X'.",
        "",
        "## Replies side by side",
        "",
    ]
    for sample in samples:
        lines += [
            f"**{sample['key']}** — user: {sample['user']}",
            "",
            f"- before: {sample['before']}",
            f"- after: {sample['after']}",
            f"- the ReDial recommender: {sample['human']}",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--before", default="afe102e", help="the git revision to compare with")
    parser.add_argument("--before-generator", type=Path, default=None, help="the earlier generator adapter folder")
    parser.add_argument("--machine", default="2-core CPU VM, nothing else running", help="what else was running")
    parser.add_argument(
        "--reuse-before",
        action="store_true",
        help="score the before replies stored in benchmarks/reply/ (same contexts) instead of running the revision",
    )
    args = parser.parse_args()

    from ecr_agent.chain import ECRChain
    from ecr_agent.generator.emotions import emotion_scorer

    paths = Paths.from_env()
    contexts = reply_contexts(args.split, args.limit, paths)
    iard = iard_contexts(paths)
    if args.reuse_before:
        rows = {"before": stored_rows(OUT / "replies_before.jsonl", contexts)}
        iard_rows = {"before": stored_rows(OUT / "iard_openings_before.jsonl", iard)}
    else:
        rows = {"before": before_rows(args.before, contexts, True, args.before_generator)}
        iard_rows = {"before": before_rows(args.before, iard, False, args.before_generator)}
    chain = ECRChain.from_store(paths=paths)
    rows["after"] = play(chain_answer(chain), contexts)
    iard_rows["after"] = play(chain_answer(chain, generate=False), iard)
    linker, book, emotions = chain.pipeline.linker, chain.pipeline.gate.book, emotion_scorer(paths)
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "split": args.split,
        "contexts": len(contexts),
        "iard_contexts": len(iard),
        "revision": args.before,
        "machine": args.machine,
    }
    for side in ("before", "after"):
        save_rows(rows[side], OUT / f"replies_{side}.jsonl")
        report = score_replies(rows[side], contexts, linker, book, emotions)
        save_rows(iard_rows[side], OUT / f"iard_openings_{side}.jsonl")
        report["iard"] = apology_scores(iard_rows[side], iard)
        report["iard_broad"] = apology_scores(iard_rows[side], iard, broad=True)
        results[side] = report
    by_key = {c.key: c for c in contexts}
    samples = [
        {
            "key": a.key,
            "user": by_key[a.key].messages[-1]["content"],
            "before": b.reply,
            "after": a.reply,
            "human": by_key[a.key].human_reply,
        }
        for b, a in list(zip(rows["before"], rows["after"], strict=True))[:SHOWN]
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (OUT / "results.md").write_text(write_markdown(results, samples) + "\n")
    print(json.dumps({side: flatten(results[side]) for side in ("before", "after")}, indent=2))


if __name__ == "__main__":
    main()

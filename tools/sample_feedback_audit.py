"""Write the single-suggestion replies of a ReDial split as annotation batches for the feedback audit guideline.

Usage: python tools/sample_feedback_audit.py --split valid --out DIR [--batches 4]

Each batch line is what `ecr_agent/feedback/data/IARD_AUDIT_GUIDELINE.md` describes: ``id``, ``assistant_before``
and ``reply`` (the judged movie written ``MovieX``, any other ``MovieY``) and ``movie_title``. The annotators' files
(``{"id", "turned_down", "accepted", "seen", "note"}`` per line) become an audit file with `merge`:

       python tools/sample_feedback_audit.py --merge DIR/labels_*.jsonl --out ecr_agent/feedback/data/FILE.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.feedback.dataset import redial_items


def batches(split: str, count: int, paths: Paths) -> list[list[dict]]:
    """The split's single-suggestion items as ``count`` batches of annotation rows, dialogues kept together."""
    titles = MovieCatalog.load(paths).titles
    rows = [
        {
            "id": f"{conversation_id}:{item.turn_index}:{item.movie_id}",
            "movie_title": titles.get(item.movie_id, ""),
            "assistant_before": item.suggestion,
            "reply": item.reply,
        }
        for conversation_id, item in redial_items(split, paths)
    ]
    size = -(-len(rows) // count)
    cuts = [0]
    for _ in range(count - 1):
        cut = min(len(rows), cuts[-1] + size)
        while 0 < cut < len(rows) and rows[cut]["id"].split(":")[0] == rows[cut - 1]["id"].split(":")[0]:
            cut += 1
        cuts.append(cut)
    cuts.append(len(rows))
    return [rows[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def merge(label_files: list[Path]) -> list[dict]:
    """The annotators' rows as audit rows (``conversation_id``, ``turn_index``, ``movie_id`` and the labels)."""
    merged = []
    for path in label_files:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            conversation_id, turn_index, movie_id = row["id"].split(":")
            if row["turned_down"] and row["accepted"]:
                raise ValueError(f"{path}: {row['id']} is both turned down and accepted")
            if row["seen"] not in ("yes", "no", "unsaid"):
                raise ValueError(f"{path}: {row['id']} has seen={row['seen']!r}")
            merged.append(
                {
                    "conversation_id": conversation_id,
                    "turn_index": int(turn_index),
                    "movie_id": movie_id,
                    "turned_down": bool(row["turned_down"]),
                    "accepted": bool(row["accepted"]),
                    "seen": row["seen"],
                    "note": row.get("note", ""),
                }
            )
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "valid", "test"), default="valid")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--merge", nargs="+", type=Path, help="annotators' label files to merge into --out")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.merge:
        rows = merge(args.merge)
        args.out.write_text("".join(json.dumps(row) + "\n" for row in rows))
        print(f"{len(rows)} labelled items -> {args.out}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for number, batch in enumerate(batches(args.split, args.batches, Paths.from_env()), start=1):
        target = args.out / f"batch_{number}.jsonl"
        target.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in batch))
        print(f"{len(batch)} items -> {target}")


if __name__ == "__main__":
    main()

"""Merge hand-annotation batches into the labels file shipped with the package.

Usage: python tools/merge_annotations.py --work DIR [--valid 500]
Writes ecr_agent/emotion/data/annotations.jsonl: conversation_id, position, split (train|valid|test), labels.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from ecr_agent.emotion.labels import EMOTIONS

SEED = 20241014
TARGET = Path(__file__).resolve().parents[1] / "ecr_agent/emotion/data/annotations.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--valid", type=int, default=500)
    args = parser.parse_args()
    rows = []
    for batch in sorted(args.work.glob("batch_*.jsonl")):
        labels_file = args.work / batch.name.replace("batch_", "labels_")
        items = [json.loads(line) for line in batch.read_text().splitlines()]
        labels = [json.loads(line) for line in labels_file.read_text().splitlines()]
        if len(items) != len(labels):
            raise SystemExit(f"{labels_file}: {len(labels)} labels for {len(items)} items")
        for item, label in zip(items, labels, strict=True):
            key = (item["conversation_id"], item["position"])
            if key != (label["conversation_id"], label["position"]):
                raise SystemExit(f"{labels_file}: order mismatch at {key}")
            if not 1 <= len(label["labels"]) <= 2 or not set(label["labels"]) <= set(EMOTIONS):
                raise SystemExit(f"{labels_file}: bad labels {label}")
            rows.append(
                {"conversation_id": key[0], "position": key[1], "split": item["split"], "labels": label["labels"]}
            )
    rows.sort(key=lambda r: (int(r["conversation_id"]), r["position"]))
    train = [r for r in rows if r["split"] == "train"]
    for row in random.Random(SEED).sample(train, args.valid):
        row["split"] = "valid"
    TARGET.write_text("".join(json.dumps(r) + "\n" for r in rows))
    counts = {s: sum(r["split"] == s for r in rows) for s in ("train", "valid", "test")}
    print(f"{len(rows)} annotations → {TARGET} {counts}")


if __name__ == "__main__":
    main()

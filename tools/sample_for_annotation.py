"""Draw the seeker utterances to annotate by hand (fixed seed) and write them with their context.

Usage: python tools/sample_for_annotation.py --out DIR [--train 3200] [--test 500] [--batches 7]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import Dialogue, load_dialogues

SEED = 20241014
CONTEXT_MESSAGES = 3


def candidates(dialogues: list[Dialogue]) -> list[tuple[Dialogue, int]]:
    return [(d, m.position) for d in dialogues for m in d.seeker_messages() if m.text.strip()]


def item(dialogue: Dialogue, position: int, titles: dict[str, str], split: str) -> dict:
    start = max(0, position - CONTEXT_MESSAGES)
    context = [f"{m.role}: {dialogue.render(m, titles)}" for m in dialogue.messages[start:position]]
    return {
        "conversation_id": dialogue.conversation_id,
        "position": position,
        "split": split,
        "context": context,
        "utterance": dialogue.render(dialogue.messages[position], titles),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--train", type=int, default=3200)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--batches", type=int, default=7)
    args = parser.parse_args()
    paths = Paths.from_env()
    titles = MovieCatalog.load(paths).titles
    rng = random.Random(SEED)
    train = rng.sample(candidates(load_dialogues("train_full", paths)), args.train)
    test = rng.sample(candidates(load_dialogues("test", paths)), args.test)
    items = [item(d, p, titles, "train") for d, p in train] + [item(d, p, titles, "test") for d, p in test]
    rng.shuffle(items)
    args.out.mkdir(parents=True, exist_ok=True)
    for b in range(args.batches):
        with (args.out / f"batch_{b:02d}.jsonl").open("w") as handle:
            for row in items[b :: args.batches]:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(items)} utterances in {args.batches} batches under {args.out} (seed {SEED})")


if __name__ == "__main__":
    main()

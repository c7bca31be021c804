"""Agreement between the main annotation and an independent second annotator on a random subset.

Usage: python tools/annotation_agreement.py [--out benchmarks/emotion/agreement.json]
Reports exact-set agreement, first-label agreement with Cohen's kappa, and the second annotator's Recall@2 against
the main labels: the human ceiling for the classifier's Recall@2 target.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ecr_agent.emotion.labels import ANNOTATIONS, EMOTIONS, load_annotations

SECOND = ANNOTATIONS.parent / "second_annotator.jsonl"


def cohen_kappa(a: list[str], b: list[str]) -> float:
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in EMOTIONS) / len(a) ** 2
    return (observed - expected) / (1 - expected)


def agreement() -> dict:
    main = {(a.conversation_id, a.position): a.labels for a in load_annotations()}
    second = [json.loads(line) for line in SECOND.read_text().splitlines() if line.strip()]
    pairs = [(main[(r["conversation_id"], r["position"])], tuple(r["labels"])) for r in second]
    recall = [len(set(gold) & set(other[:2])) / len(gold) for gold, other in pairs]
    firsts = ([g[0] for g, _ in pairs], [o[0] for _, o in pairs])
    negative = [(("negative" in g), ("negative" in o)) for g, o in pairs]
    both = sum(g and o for g, o in negative)
    return {
        "items": len(pairs),
        "exact_set_agreement": round(sum(set(g) == set(o) for g, o in pairs) / len(pairs), 3),
        "first_label_agreement": round(sum(x == y for x, y in zip(*firsts, strict=True)) / len(pairs), 3),
        "first_label_cohen_kappa": round(cohen_kappa(*firsts), 3),
        "second_annotator_recall_at_2": round(sum(recall) / len(recall), 3),
        "negative_main": sum(g for g, _ in negative),
        "negative_second": sum(o for _, o in negative),
        "negative_both": both,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/emotion/agreement.json"))
    args = parser.parse_args()
    result = agreement()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

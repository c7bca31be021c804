"""How the emotion classifier treats feelingless messages and *negative*: writes benchmarks/emotion/neutral_negative.md.

On the held-out test annotations: how often an utterance annotated *neutral* alone gets *neutral* outside its top
two labels (and which labels take its place), and the precision and recall of *negative* as the top label, at
p ≥ 0.5 (the old rejection rule) and at any probability. The chain no longer reads *negative* as "turned down"
(`ecr_agent.feedback` decides that per movie), so these figures now matter for the ranker's emotion features and
the reply's tone only.

    .venv/bin/python benchmarks/emotion_neutral_negative.py
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.emotion.dataset import annotated_examples
from ecr_agent.emotion.evaluation import top_k
from ecr_agent.emotion.inference import EmotionPredictor

OUT = Path(__file__).resolve().parent / "emotion"


def main() -> None:
    paths = Paths.from_env()
    examples = annotated_examples("test", paths)
    predictor = EmotionPredictor.load(paths)
    predicted = predictor.predict([e.text for e in examples])
    neutral = [(e, p) for e, p in zip(examples, predicted, strict=True) if list(e.labels) == ["neutral"]]
    outside = [(e, p) for e, p in neutral if "neutral" not in top_k(p, 2)]
    instead = Counter(top_k(p, 1)[0] for _, p in outside)
    rows = {}
    for name, threshold in (("top label, p >= 0.5 (the old rejection rule)", 0.5), ("top label, any p", 0.0)):
        called = [
            (e, p) for e, p in zip(examples, predicted, strict=True) if top_k(p, 1)[0] == "negative"
            and p["negative"] >= threshold
        ]  # fmt: skip
        right = sum("negative" in e.labels for e, _ in called)
        gold = sum("negative" in e.labels for e in examples)
        rows[name] = {
            "called": len(called),
            "precision": round(right / len(called), 3) if called else 0.0,
            "recall": round(right / gold, 3) if gold else 0.0,
            "gold": gold,
        }
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "model": str(paths.model_dir("emotion")),
        "test_utterances": len(examples),
        "neutral_only": len(neutral),
        "neutral_outside_top2": len(outside),
        "neutral_outside_top2_share": round(len(outside) / len(neutral), 3) if neutral else 0.0,
        "top_label_instead": dict(instead.most_common()),
        "examples_outside": [e.text for e, _ in outside[:8]],
        "negative": rows,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "neutral_negative.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Neutral messages and the *negative* label (held-out test annotations)",
        "",
        f"Measured {report['date']} by `benchmarks/emotion_neutral_negative.py` with the classifier in "
        f"`{report['model']}` on {len(examples)} annotated test utterances.",
        "",
        f"- Annotated *neutral* alone: {len(neutral)}; *neutral* outside the model's top two: {len(outside)} "
        f"({report['neutral_outside_top2_share']:.0%}); the top label instead: "
        + ", ".join(f"{label} {count}" for label, count in instead.most_common())
        + ".",
        "- Our guideline's rule 3 labels a plain request for a recommendation ('I want a comedy') *curious*, not "
        "*neutral*; an annotator who calls such requests neutral will find the model 'wrong' on them by design.",
        "",
        "| *negative* as | called | precision | recall |",
        "| --- | --- | --- | --- |",
        *(
            f"| {name} | {r['called']} | {r['precision']} | {r['recall']} (of {r['gold']}) |"
            for name, r in rows.items()
        ),  # noqa: E501
        "",
        "Examples of *neutral* utterances the model ranks otherwise: "
        + "; ".join(f'"{text}"' for text in report["examples_outside"]),
    ]
    (OUT / "neutral_negative.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

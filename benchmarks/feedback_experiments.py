"""What we tried to lift the feedback reader's "turned down" to the goal (P ≥ .90, R ≥ .85), and what each scored.

    python benchmarks/feedback_experiments.py           # all three (~30 min on 2 cores) → feedback/experiments.*
    python benchmarks/feedback_experiments.py mlp_iard    # or one of: mlp_iard, stacked, cross_encoder, in_domain

Every candidate is scored on two sets nobody trains on in that run:

- ``iard_audited`` by 5-fold cross-validation over its 207 dialogues (an outer fold is the test; the next fold picks the
  threshold with the validation questionnaires; the other three may be trained on);
- ``test_audited``, the audited ReDial test replies, with a model trained on all of IARD (thresholds as stated).

Candidates:

- ``mlp_iard``: the shipped head (frozen MiniLM features + MLP) with the IARD training folds added to the
  questionnaires, repeated 0 / 1 / 5 times;
- ``stacked``: a logistic regression on the shipped reader's probabilities and transparent cues (negative, positive,
  seen, "asks for something else", lukewarm, a leading "no"), fitted on the IARD training folds;
- ``cross_encoder``: MiniLM fine-tuned end to end on "suggestion [SEP] reply" (2 epochs of the questionnaires), then
  briefly on IARD's training folds with a replay of questionnaire items;
- ``in_domain`` (23 min): the shipped head and the cross-encoder with the 2,100 audited ReDial *train* replies added,
  scored by 5-fold cross-validation over those replies' dialogues (``taud_cv``) and once on ``test_audited``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

OUT = Path(__file__).resolve().parent / "feedback"
FOLDS = 5
REDIRECT = re.compile(
    r"\b(?:something|anything|one|ones|movies?|films?)\s+(?:else|more|newer|older|different|less|similar|like|along"
    r"|with(?:out)?|that'?s)\b|\bany\s*(?:thing|one)?\s*(?:other|else)\b|\banother\s+(?:one|suggestion|idea|option"
    r"|movie)\b|\b(?:other|more|different)\s+(?:suggestions?|ideas?|options?|recommendations?)\b|\bmore\s+(?:like"
    r"|into|of\s+a|along|recent|modern)\b|\bthinking\s+(?:more|of|about)\b|\blooking\s+for\b|\bi\s+want\b"
    r"|\bi'?d\s+rather\b|\brather\s+have\b|\bprefer\b|\btv\s+show\b|\bwhat\s+else\b|\binstead\b|\bhow\s+about\b"
    r"|\bwhat\s+about\b|\bone\s+more\b",
    re.I,
)
"""The reply moves on: asks for something else (the guideline's "I've seen it, something else?")."""
LUKEWARM = re.compile(r"\b(?:ok|okay|alright|so-so|decent|not\s+bad)\b", re.I)
LEADING_NO = re.compile(r"^\W*(?:no+|nope|nah|unfortunately)\b", re.I)


def scores(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, float]:
    from ecr_agent.feedback.evaluation import binary_scores

    return {k: round(v, 3) for k, v in binary_scores(list(predicted), list(gold)).items()}


class Data:
    """The questionnaire splits, the two audited sets and IARD's dialogue folds."""

    def __init__(self) -> None:
        from ecr_agent.config import Paths
        from ecr_agent.feedback.dataset import (
            audited_iard_examples,
            audited_test_examples,
            audited_train_examples,
            questionnaire_examples,
        )

        self.paths = Paths.from_env()
        self.train = questionnaire_examples("train", self.paths)
        self.valid = questionnaire_examples("valid", self.paths)
        self.iard = audited_iard_examples(self.paths)
        self.test = audited_test_examples(self.paths)
        dialogues = sorted({e.conversation_id for e in self.iard})
        random.Random(0).shuffle(dialogues)
        fold_of = {d: i % FOLDS for i, d in enumerate(dialogues)}
        self.fold = torch.tensor([fold_of[e.conversation_id] for e in self.iard])
        self.taud = audited_train_examples(self.paths)
        dialogues = sorted({e.conversation_id for e in self.taud})
        random.Random(0).shuffle(dialogues)
        taud_fold = {d: i % FOLDS for i, d in enumerate(dialogues)}
        self.taud_fold = [taud_fold[e.conversation_id] for e in self.taud]

    def taud_folds(self) -> list[tuple[list[int], list[int], list[int]]]:
        """(train, threshold, test) indices of the audited train replies per outer fold (by dialogue)."""
        out = []
        for k in range(FOLDS):
            inner = (k + 1) % FOLDS
            train = [i for i, f in enumerate(self.taud_fold) if f not in (k, inner)]
            out.append(
                (
                    train,
                    [i for i, f in enumerate(self.taud_fold) if f == inner],
                    [i for i, f in enumerate(self.taud_fold) if f == k],
                )
            )
        return out

    def folds(self) -> list[tuple[list[int], list[int], list[int]]]:
        """(train, threshold, test) IARD indices per outer fold."""
        out = []
        for k in range(FOLDS):
            inner = (k + 1) % FOLDS
            out.append(
                (
                    [i for i, f in enumerate(self.fold.tolist()) if f not in (k, inner)],
                    [i for i, f in enumerate(self.fold.tolist()) if f == inner],
                    [i for i, f in enumerate(self.fold.tolist()) if f == k],
                )
            )
        return out

    def gold(self, examples: Sequence[Any]) -> list[bool]:
        return [e.turned_down for e in examples]


def cross_validate(data: Data, fit_and_score: Callable[[list[int], list[int], list[int]], list[bool]]) -> dict:
    """Pool the outer folds' predictions on IARD into one precision / recall."""
    predicted, gold = [], []
    for train, tune, test in data.folds():
        predicted += fit_and_score(train, tune, test)
        gold += [data.iard[i].turned_down for i in test]
    return scores(predicted, gold)


# --- the shipped head with IARD added --------------------------------------------------------------------------------


def mlp_iard(data: Data) -> dict[str, Any]:
    from ecr_agent.feedback.model import FeedbackModelConfig
    from ecr_agent.feedback.training import PROFILES, best_threshold, cached_features, fit_head, predict_probabilities

    train_x, valid_x = cached_features(data.train, data.paths), cached_features(data.valid, data.paths)
    iard_x = cached_features(data.iard, data.paths)
    settings = PROFILES["full"]
    results = {}
    for repeat in (0, 1, 5):

        def run(train: list[int], tune: list[int], test: list[int], repeat: int = repeat) -> list[bool]:
            examples = list(data.train) + [data.iard[i] for i in train] * repeat
            features = torch.cat([train_x] + [iard_x[train]] * repeat)
            model = fit_head(FeedbackModelConfig(hidden=settings.hidden), features, examples, settings)
            liked, _ = predict_probabilities(model, torch.cat([iard_x[tune], valid_x]))
            gold = [data.iard[i].turned_down for i in tune] + data.gold(data.valid)
            threshold = best_threshold(liked[:, 0].tolist(), gold)
            liked, _ = predict_probabilities(model, iard_x[test])
            return (liked[:, 0] >= threshold).tolist()

        results[f"iard x{repeat}"] = {"iard_audited_cv": cross_validate(data, run)}
    return results


# --- a calibrator over the shipped reader's probabilities and cues ---------------------------------------------------


def stacked(data: Data) -> dict[str, Any]:
    from ecr_agent.feedback.reader import FeedbackReader
    from ecr_agent.feedback.rules import cues
    from ecr_agent.feedback.training import best_threshold

    reader = FeedbackReader.load(data.paths)

    def features(examples: Sequence[Any]) -> torch.Tensor:
        items = [e.item for e in examples]
        liked, seen = reader.probabilities(items)
        rows = []
        for item, p_liked, p_seen in zip(items, liked.tolist(), seen.tolist(), strict=True):
            said = cues(item.clause if item.named else item.reply).vector()
            flags = [bool(REDIRECT.search(item.reply)), bool(LUKEWARM.search(item.reply))]
            flags += [bool(LEADING_NO.search(item.reply)), item.named]
            rows.append([*p_liked, *p_seen, *said, *map(float, flags)])
        x = torch.tensor(rows)
        return torch.cat([x, x[:, :3] * x[:, 10:11]], 1)  # the liked probabilities when the reply moves on

    def fit(x: torch.Tensor, y: torch.Tensor, l2: float) -> Callable[[torch.Tensor], torch.Tensor]:
        weight = torch.zeros(x.shape[1], requires_grad=True)
        bias = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.LBFGS([weight, bias], max_iter=500)

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(x @ weight + bias, y) + l2 * (weight**2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        return lambda z: torch.sigmoid(z @ weight.detach() + bias.detach())

    iard_x, test_x = features(data.iard), features(data.test)
    y = torch.tensor([float(e.turned_down) for e in data.iard])
    results = {}
    for l2 in (1e-3, 1e-2, 3e-2):

        def run(train: list[int], tune: list[int], test: list[int], l2: float = l2) -> list[bool]:
            predict = fit(iard_x[train], y[train], l2)
            threshold = best_threshold(predict(iard_x[tune]).tolist(), y[tune].bool().tolist())
            return (predict(iard_x[test]) >= threshold).tolist()

        out_of_fold = torch.zeros(len(data.iard))
        for k in range(FOLDS):
            out_of_fold[data.fold == k] = fit(iard_x[data.fold != k], y[data.fold != k], l2)(iard_x[data.fold == k])
        threshold = best_threshold(out_of_fold.tolist(), y.bool().tolist())
        predict = fit(iard_x, y, l2)
        results[f"l2 {l2}"] = {
            "iard_audited_cv": cross_validate(data, run),
            "test_audited": scores((predict(test_x) >= threshold).tolist(), data.gold(data.test)),
            "threshold": threshold,
        }
    return results


# --- a fine-tuned cross-encoder --------------------------------------------------------------------------------------


class CrossEncoder(nn.Module):
    """MiniLM over "suggestion [SEP] reply", mean-pooled, with ``liked`` and ``seen`` heads."""

    def __init__(self) -> None:
        super().__init__()
        from ecr_agent.minilm import MiniLM
        from ecr_agent.text_encoder import minilm_path

        self.encoder = MiniLM.from_pretrained(minilm_path())
        self.liked = nn.Linear(384, 3)
        self.seen = nn.Linear(384, 3)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        from ecr_agent.minilm import mean_pool

        pooled = mean_pool(self.encoder(ids, mask).last_hidden_state.float(), mask)
        return self.liked(pooled), self.seen(pooled)


def pair_ids(examples: Sequence[Any]) -> list[list[int]]:
    from ecr_agent.minilm import WordPieceTokenizer
    from ecr_agent.text_encoder import minilm_path

    tokenizer = WordPieceTokenizer(minilm_path())
    return tokenizer.encode([f"{e.item.suggestion[-250:]} [SEP] {e.item.reply[:400]}" for e in examples], 128)


def train_cross_encoder(
    examples: Sequence[Any], ids: list[list[int]], steps: int, lr: float, seed: int, start: dict | None = None
) -> CrossEncoder:
    """AdamW with one-cycle schedule, batches of 32 under bf16 autocast, the shipped head's loss (class-weighted
    ``liked`` with 30 % of the recommender's answer, plus half the ``seen`` loss)."""
    from ecr_agent.feedback.training import labels
    from ecr_agent.minilm import pad_batch

    torch.manual_seed(seed)
    model = CrossEncoder()
    if start is not None:
        model.load_state_dict(start)
    model.train()
    liked, seen = labels(examples, 0.3)
    counts = liked.sum(0).clamp(min=1)
    class_weights = (counts.sum() / counts) ** 0.5
    class_weights = class_weights / class_weights.mean()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(1, steps), pct_start=0.1)
    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []
    for _ in range(steps):
        if not order:
            order = torch.randperm(len(examples), generator=generator).tolist()
        rows = [order.pop() for _ in range(min(32, len(order)))]
        batch, mask = pad_batch([ids[r] for r in rows])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            liked_logits, seen_logits = model(batch, mask)
        loss = F.cross_entropy(liked_logits.float(), liked[rows], weight=class_weights)
        loss = loss + 0.5 * F.cross_entropy(seen_logits.float(), seen[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    return model.eval()


@torch.inference_mode()
def turned_down_probability(model: CrossEncoder, ids: list[list[int]]) -> torch.Tensor:
    from ecr_agent.minilm import pad_batch

    out = torch.zeros(len(ids))
    for start in range(0, len(ids), 64):
        batch, mask = pad_batch(ids[start : start + 64])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            liked, _ = model(batch, mask)
        out[start : start + 64] = liked.float().softmax(-1)[:, 0]
    return out


def cross_encoder(data: Data) -> dict[str, Any]:
    from ecr_agent.feedback.training import best_threshold

    train_ids, valid_ids, iard_ids, test_ids = map(pair_ids, (data.train, data.valid, data.iard, data.test))
    started = time.perf_counter()
    stage_one = train_cross_encoder(data.train, train_ids, 2 * len(data.train) // 32, 5e-5, seed=0)
    stage_one_s = time.perf_counter() - started
    valid_p = turned_down_probability(stage_one, valid_ids)
    threshold = best_threshold(valid_p.tolist(), data.gold(data.valid))
    results: dict[str, Any] = {
        "questionnaires only": {
            "iard_audited (never trained on)": scores(
                (turned_down_probability(stage_one, iard_ids) >= threshold).tolist(), data.gold(data.iard)
            ),
            "test_audited": scores(
                (turned_down_probability(stage_one, test_ids) >= threshold).tolist(), data.gold(data.test)
            ),
            "threshold (valid questionnaires)": threshold,
            "train_s": round(stage_one_s),
        }
    }
    start = {k: v.clone() for k, v in stage_one.state_dict().items()}

    def second_stage(train: list[int], seed: int) -> CrossEncoder:
        replay = random.Random(seed).sample(range(len(data.train)), 2000)
        examples = [data.train[i] for i in replay] + [data.iard[i] for i in train] * 3
        ids = [train_ids[i] for i in replay] + [iard_ids[i] for i in train] * 3
        return train_cross_encoder(examples, ids, 120, 3e-5, seed=seed, start=start)

    def run(train: list[int], tune: list[int], test: list[int]) -> list[bool]:
        model = second_stage(train, seed=test[0])
        tuned = turned_down_probability(model, [iard_ids[i] for i in tune] + valid_ids)
        threshold = best_threshold(tuned.tolist(), [data.iard[i].turned_down for i in tune] + data.gold(data.valid))
        return (turned_down_probability(model, [iard_ids[i] for i in test]) >= threshold).tolist()

    model = second_stage(list(range(len(data.iard))), seed=99)
    test_p = turned_down_probability(model, test_ids)
    results["+ IARD (second stage)"] = {
        "iard_audited_cv": cross_validate(data, run),
        **{f"test_audited @ {t}": scores((test_p >= t).tolist(), data.gold(data.test)) for t in (0.3, 0.4, 0.5, 0.6)},
    }
    return results


# --- in-domain labels: the audited train replies -----------------------------------------------------------------


def in_domain(data: Data) -> dict[str, Any]:
    """The shipped head and the cross-encoder, each with the audited ReDial train replies added (5-fold CV over
    their dialogues: the outer fold is the test, the next fold picks the threshold), then trained on all of them and
    scored once on ``test_audited`` with the median of the folds' thresholds."""
    from ecr_agent.feedback.model import FeedbackModelConfig
    from ecr_agent.feedback.reader import item_rule_verdict
    from ecr_agent.feedback.training import PROFILES, best_threshold, cached_features, fit_head, predict_probabilities

    taud_gold = data.gold(data.taud)
    moved_on = {
        name: torch.tensor([item_rule_verdict(e.item).moved_on for e in examples])
        for name, examples in (("taud", data.taud), ("test", data.test))
    }
    results: dict[str, Any] = {}

    def pooled(run: Callable[[list[int], list[int], list[int]], tuple[list[bool], float]]) -> tuple[dict, float]:
        predicted, gold, thresholds = [], [], []
        for train, tune, test in data.taud_folds():
            fold_predicted, threshold = run(train, tune, test)
            predicted += fold_predicted
            gold += [taud_gold[i] for i in test]
            thresholds.append(threshold)
        return scores(predicted, gold), sorted(thresholds)[len(thresholds) // 2]

    train_x, taud_x, test_x = (cached_features(s, data.paths) for s in (data.train, data.taud, data.test))
    settings = PROFILES["full"]
    for repeat, with_moved_on in ((0, True), (0, False), (10, True), (10, False)):

        def fit(train: list[int], repeat: int = repeat) -> Any:
            torch.manual_seed(0)
            examples = list(data.train) + [data.taud[i] for i in train] * repeat
            features = torch.cat([train_x] + [taud_x[train]] * repeat)
            return fit_head(FeedbackModelConfig(hidden=settings.hidden), features, examples, settings)

        def down(model: Any, x: torch.Tensor, rule: torch.Tensor, with_moved_on: bool = with_moved_on) -> torch.Tensor:
            p = predict_probabilities(model, x)[0][:, 0]
            return p.masked_fill(rule, 1.0) if with_moved_on else p

        def run(train: list[int], tune: list[int], test: list[int], fit: Any = fit, down: Any = down) -> Any:
            model = fit(train)
            threshold = best_threshold(
                down(model, taud_x[tune], moved_on["taud"][tune]).tolist(), [taud_gold[i] for i in tune]
            )
            return (down(model, taud_x[test], moved_on["taud"][test]) >= threshold).tolist(), threshold

        cv, threshold = pooled(run)
        model = fit(list(range(len(data.taud))))
        test = scores((down(model, test_x, moved_on["test"]) >= threshold).tolist(), data.gold(data.test))
        variant = f"mlp, audited train x{repeat}" + (" + moved-on rule" if with_moved_on else "")
        results[variant] = {"taud_cv": cv, "test_audited": test, "threshold": threshold}
        print(variant, json.dumps(results[variant]), flush=True)

    train_ids, taud_ids, iard_ids, test_ids = map(pair_ids, (data.train, data.taud, data.iard, data.test))
    started = time.perf_counter()
    stage_one = train_cross_encoder(data.train, train_ids, 2 * len(data.train) // 32, 5e-5, seed=0)
    print("stage one", round(time.perf_counter() - started), "s", flush=True)
    start = {k: v.clone() for k, v in stage_one.state_dict().items()}

    def second_stage(train: list[int], seed: int) -> CrossEncoder:
        replay = random.Random(seed).sample(range(len(data.train)), 2000)
        examples = [data.train[i] for i in replay] + [data.taud[i] for i in train] * 3 + list(data.iard)
        ids = [train_ids[i] for i in replay] + [taud_ids[i] for i in train] * 3 + iard_ids
        return train_cross_encoder(examples, ids, 250, 3e-5, seed=seed, start=start)

    def run_cross(train: list[int], tune: list[int], test: list[int]) -> Any:
        model = second_stage(train, seed=test[0])
        tuned = turned_down_probability(model, [taud_ids[i] for i in tune])
        threshold = best_threshold(tuned.tolist(), [taud_gold[i] for i in tune])
        return (turned_down_probability(model, [taud_ids[i] for i in test]) >= threshold).tolist(), threshold

    cv, threshold = pooled(run_cross)
    model = second_stage(list(range(len(data.taud))), seed=99)
    test = scores((turned_down_probability(model, test_ids) >= threshold).tolist(), data.gold(data.test))
    results["cross-encoder, + audited train x3 + IARD"] = {"taud_cv": cv, "test_audited": test, "threshold": threshold}
    return results


EXPERIMENTS = {"mlp_iard": mlp_iard, "stacked": stacked, "cross_encoder": cross_encoder, "in_domain": in_domain}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        '# Feedback reader: what we tried for "turned down" (goal P ≥ .90, R ≥ .85)',
        "",
        "Reproduce: `python benchmarks/feedback_experiments.py` (see its docstring for the protocol).",
        "",
        f"Last run {results['date']}, {results['machine']}; load average {results['load_average']} before. "
        + "Each experiment's own run: "
        + ", ".join(f"{name} {date}" for name, date in results.get("dates", {}).items())
        + ".",
        "",
        "| experiment | variant | set | precision | recall | F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for experiment, variants in results["experiments"].items():
        for variant, sets in variants.items():
            for name, value in sets.items():
                if isinstance(value, dict):
                    row = f"| {experiment} | {variant} | {name} | {value['precision']:.2f} | {value['recall']:.2f}"
                    lines.append(f"{row} | {value['f1']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(EXPERIMENTS)} (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment {', '.join(unknown)}; choose from {', '.join(EXPERIMENTS)}")
    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPUs",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "experiments": {},
    }
    path = OUT / "experiments.json"
    if path.exists():  # a run of one experiment keeps the others' last results
        earlier = json.loads(path.read_text())
        results["experiments"] = earlier.get("experiments", {})
        results["dates"] = earlier.get("dates", dict.fromkeys(results["experiments"], earlier.get("date")))
    data = Data()
    for name in args.names or EXPERIMENTS:
        started = time.perf_counter()
        results["experiments"][name] = EXPERIMENTS[name](data)
        results.setdefault("dates", {})[name] = datetime.now(UTC).isoformat(timespec="minutes")
        print(name, f"{time.perf_counter() - started:.0f} s", json.dumps(results["experiments"][name]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "experiments.md").write_text(markdown(results))


if __name__ == "__main__":
    main()

"""Evaluate the ranker side by side with its baselines and ablations: ``ecr eval ranker --split test``.

Every system is scored on the same samples (each recommender turn's movies with the context before it):

- ``popularity`` — training-label counts (no context);
- ``text-only (MiniLM)`` — cosine between the last turns' MiniLM embedding and each movie's metadata-text embedding;
- ``co-occurrence only`` — the global emotion-aware co-occurrence matrix alone, ``Σ_j P(item | e_j)`` (no training);
- the trained variants in ablation order (no emotions → + local → + global → full ECR), every seed found in the store.

``ecr eval ranker --items kg`` scores the same systems under the reference code's item set: only samples whose
label is a KG movie entity, ranked among the KG movies (5,246 of our 6,924), as ECR's and UniCRS's code do
(``logits[:, kg['item_ids']]``), so our figures can be set beside the paper's on its own terms.

``ecr predict ranker --split test --out FILE`` writes one JSON line per sample for the inference default model.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecr_agent.config import Paths, StoreNotBuiltError
from ecr_agent.cpu import keep_heap_memory, torch_threads
from ecr_agent.data.redial import load_dialogues
from ecr_agent.data.samples import build_samples
from ecr_agent.evaluation.ranking import ranking_metrics
from ecr_agent.ranker.assets import (
    RUN_NAME,
    RankerAssets,
    TrainedRun,
    load_run,
    ranker_dir,
    run_dir,
    trained_runs,
)
from ecr_agent.ranker.config import VARIANTS
from ecr_agent.ranker.cooccurrence import Cooccurrence
from ecr_agent.ranker.dataset import PLACEHOLDER, SplitData, load_split
from ecr_agent.ranker.features import disliked_movies, entity_mentions
from ecr_agent.ranker.scoring import (
    BANNED,
    apply_bans,
    banned_items,
    label_ranks,
    log_probabilities,
    score_contexts,
)

logger = logging.getLogger(__name__)

PAPER = {
    "ECR (paper, full ReDial train)": {
        "auc_batch32": 0.541,
        "recall_true@1": 0.055,
        "recall_true@10": 0.238,
        "recall_true@50": 0.452,
        "recall@1": 0.049,
        "recall@10": 0.220,
        "recall@50": 0.428,
    },
    "UniCRS (paper, full ReDial train)": {
        "auc_batch32": 0.506,
        "recall@1": 0.047,
        "recall@10": 0.212,
        "recall@50": 0.414,
    },
}
"""Table 1 of the paper; its AUC is the reference code's batch AUC (our ``auc_batch32``)."""
POPULARITY, TEXT_ONLY, COOCCURRENCE = "popularity", "text-only (MiniLM)", "co-occurrence only (no training)"
ENSEMBLE = "ECR, seed ensemble"
TEXT_TURNS = 3
"""Turns averaged by the text-only baseline (chosen on validation among 1, 2, 3, 6: best R@50 and AUC)."""
ENTITY_WINDOW = 32
ITEM_SETS = ("all", "kg")
"""``all``: every ReDial movie is a candidate and a label (ours); ``kg``: KG movie entities only (the reference's)."""


def evaluate_ranker(
    split: str = "test",
    seeds: list[int] | None = None,
    *,
    paths: Paths,
    limit: int | None = None,
    items: str = "all",
) -> dict[str, Any]:
    """Metrics of the baselines and of every trained variant (mean and spread over seeds) on ``split``.

    Args:
        split: ``valid`` or ``test``.
        seeds: seeds to include (default: all full-profile runs found; quick runs only when no full run exists).
        paths: data and store locations.
        limit: only the first N dialogues of the split (quick checks; reported figures use the whole split).
        items: ``all`` (every ReDial movie) or ``kg`` (the reference code's item set, see the module docstring).

    Returns:
        ``systems`` (display name → metric → mean), ``spread`` (→ sample standard deviation over seeds), ``seeds``,
        ``per_seed``, ``without_dislike_rule`` (the trained variants' figures with the dislike rule off), the sample
        counts, the item set, the emotion source and the paper's figures for comparison.
    """
    if items not in ITEM_SETS:
        raise ValueError(f"items must be one of {', '.join(ITEM_SETS)}, not {items!r}")
    with torch_threads(1):
        return _evaluate(split, seeds, paths, limit, items)


def kg_candidates(assets: RankerAssets) -> torch.Tensor:
    """(num_items,) True for the movies that are KG entities (the reference code's candidates)."""
    return torch.tensor([node < assets.nodes.num_kg for node in assets.nodes.item_nodes])


def _evaluate(split: str, seeds: list[int] | None, paths: Paths, limit: int | None, items: str) -> dict[str, Any]:
    started = time.perf_counter()
    keep_heap_memory()
    assets = RankerAssets(paths)
    data = load_split(split, assets.linker, assets.nodes, paths, limit=limit)
    candidates = kg_candidates(assets) if items == "kg" else None
    if candidates is not None:
        kept = [s for s in data.samples if candidates[assets.item_index[s.label]]]
        data = replace(data, samples=kept)
    labels = torch.tensor([assets.item_index[s.label] for s in data.samples])
    feedback = [s.feedback.value for s in data.samples]
    dedup = [s.dedup for s in data.samples]
    runs = select_runs(paths, seeds)
    if not runs:
        raise StoreNotBuiltError(f"no trained ranker in {ranker_dir(paths)}; run `ecr train ranker` to train it")
    systems: dict[str, list[tuple[int, dict[str, float]]]] = {}
    popular = popularity_scores(assets, paths)
    systems[POPULARITY] = [(0, static_metrics(data, popular.expand(len(data.samples), -1), labels, assets, candidates))]
    notes = []
    first = next(name for found in runs.values() for _, name in found)
    kind = load_run(run_dir(paths, first), assets).model_config.movie_text
    if kind == "none":
        notes.append("text-only baseline skipped: these runs were trained without movie-text embeddings (smoke)")
    else:
        text = text_scores(data, assets.movie_text(kind))
        systems[TEXT_ONLY] = [(0, static_metrics(data, text, labels, assets, candidates))]
    global_run = next((name for v in ("ecr", "local_global") for _, name in runs.get(v, [])), None)
    if global_run is not None:
        matrix = load_run(run_dir(paths, global_run), assets).cooccurrence
        if matrix is not None:
            cooc = cooccurrence_scores(data, matrix, assets) + 1e-4 * popular / popular.max()
            systems[COOCCURRENCE] = [(0, static_metrics(data, cooc, labels, assets, candidates))]
    sources = {data.emotion_source}
    without_rule: dict[str, list[tuple[int, dict[str, float]]]] = {}
    for variant in VARIANTS:
        for seed, name in runs.get(variant, []):
            run = load_run(run_dir(paths, name), assets)
            sources.add(str(run.meta.get("emotion_source")))
            metrics, rule_free = model_metrics(run, data, labels, assets, candidates)
            systems.setdefault(VARIANTS[variant], []).append((seed, metrics))
            without_rule.setdefault(VARIANTS[variant], []).append((seed, rule_free))
            logger.info("ranker %s on %s: %s", name, split, metrics)
    ecr_runs = runs.get("ecr", [])
    if len(ecr_runs) > 1:
        members = [load_run(run_dir(paths, name), assets) for _, name in ecr_runs]
        systems[ENSEMBLE] = [(0, ensemble_metrics(members, data, labels, assets, candidates))]
    result = summarise(systems)
    if ENSEMBLE in result["seeds"]:
        result["seeds"][ENSEMBLE] = [seed for seed, _ in ecr_runs]  # one model made of these seeds
    free = summarise(without_rule)
    result["without_dislike_rule"] = {"systems": free["systems"], "spread": free["spread"]}
    if PLACEHOLDER in sources:
        notes.append("DEVELOPMENT ONLY: some emotions are the neutral placeholder, not the classifier; do not report")
    result.update(
        split=split,
        limit=limit,
        items=items,
        candidates=assets.nodes.num_items if candidates is None else int(candidates.sum()),
        samples=len(data.samples),
        dedup_samples=int(sum(dedup)),
        liked=feedback.count("like"),
        disliked=feedback.count("dislike"),
        label_banned_by_dislike_rule=sum(s.label in disliked_movies(s.context) for s in data.samples),
        emotion_source=sorted(s for s in sources if s != "None"),
        paper=PAPER,
        notes=notes,
        wall_s=round(time.perf_counter() - started, 1),
    )
    return result


def select_runs(paths: Paths, seeds: Sequence[int] | None) -> dict[str, list[tuple[int, str]]]:
    """Trained runs per variant as ``(seed, run name)`` of the most complete profile found (full, quick, smoke)."""
    found: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for name in trained_runs(paths):
        match = RUN_NAME.match(name)
        if match and match["variant"] in VARIANTS and (seeds is None or int(match["seed"]) in seeds):
            profile = match["profile"] or "full"
            found.setdefault(profile, {}).setdefault(match["variant"], []).append((int(match["seed"]), name))
    for profile in ("full", "quick", "smoke"):
        if profile in found:
            return {variant: sorted(runs) for variant, runs in found[profile].items()}
    return {}


def popularity_scores(assets: RankerAssets, paths: Paths) -> torch.Tensor:
    """(1, num_items) training-label counts (ties keep item order): what a context-free recommender knows."""
    counts = Counter(s.label for s in build_samples(load_dialogues("train", paths), set(assets.item_index)))
    scores = torch.zeros(1, assets.nodes.num_items)
    for movie_id, count in counts.items():
        scores[0, assets.item_index[movie_id]] = count
    return scores - torch.arange(assets.nodes.num_items) * 1e-6  # deterministic tie-break


def text_scores(data: SplitData, movie_text: torch.Tensor) -> torch.Tensor:
    """(samples, num_items) cosine of the mean of the last `TEXT_TURNS` turn embeddings with each movie's text."""
    contexts = torch.stack(
        [data.embeddings[[t.text_index for t in s.context[-TEXT_TURNS:]]].mean(0) for s in data.samples]
    )
    contexts = torch.nn.functional.normalize(contexts, dim=-1)
    return contexts @ torch.nn.functional.normalize(movie_text, dim=-1).T


def cooccurrence_scores(data: SplitData, matrix: Cooccurrence, assets: RankerAssets) -> torch.Tensor:
    """(samples, num_items) ``Σ_j P(item | e_j)`` over the context's entities: the global part alone, untrained."""
    node_item = {node: item for item, node in enumerate(assets.nodes.item_nodes)}
    scores = torch.zeros(len(data.samples), assets.nodes.num_items)
    for row, sample in enumerate(data.samples):
        for mention in entity_mentions(sample.context, ENTITY_WINDOW):
            for node, prob in matrix.row(mention.node).items():
                item = node_item.get(node)
                if item is not None:
                    scores[row, item] += prob
    return scores


def only_candidates(scores: torch.Tensor, candidates: torch.Tensor | None) -> torch.Tensor:
    """``scores`` with every non-candidate item at −inf (unchanged when ``candidates`` is None)."""
    return scores if candidates is None else scores.masked_fill(~candidates, BANNED)


def static_metrics(
    data: SplitData,
    scores: torch.Tensor,
    labels: torch.Tensor,
    assets: RankerAssets,
    candidates: torch.Tensor | None = None,
) -> dict:
    """Metrics of a baseline's score matrix (no ranking rules; dedup ranks drop the context's movies).

    ``candidates`` (num_items,) bool restricts the ranking to those items (None: every item).
    """
    contexts = [s.context for s in data.samples]
    scores = only_candidates(scores, candidates)
    ranks, probs = label_ranks(scores, labels)
    dedup_scores = apply_bans(scores, banned_items(contexts, assets.item_index, disliked=False, mentioned=True))
    dedup_ranks, _ = label_ranks(dedup_scores, labels)
    return ranking_metrics(
        ranks, probs, [s.feedback.value for s in data.samples], [s.dedup for s in data.samples], dedup_ranks
    )


def model_metrics(
    run: TrainedRun,
    data: SplitData,
    labels: torch.Tensor,
    assets: RankerAssets,
    candidates: torch.Tensor | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Metrics of a trained run with its ranking rules applied, and the same without the dislike rule.

    Dedup ranks also drop the context's movies. The rule-free figures separate what the emotion-aware
    representations do from what the dislike rule (which only emotion variants apply) does. ``candidates`` as in
    `static_metrics`.
    """
    contexts = [s.context for s in data.samples]
    feedback = [s.feedback.value for s in data.samples]
    dedup = [s.dedup for s in data.samples]
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ranks", "probs", "dedup", "free", "free_p", "free_dedup")}
    for scored in score_contexts(run.model, contexts, data.embeddings, assets.item_index, run.cooccurrence):
        size = scored.ranked.shape[0]
        batch_labels = labels[scored.start : scored.start + size]
        mentioned = banned_items(contexts[scored.start : scored.start + size], assets.item_index, False, True)
        for ranked, keys in (
            (only_candidates(scored.ranked, candidates), ("ranks", "probs", "dedup")),
            (only_candidates(scored.logits, candidates), ("free", "free_p", "free_dedup")),
        ):
            r, p = label_ranks(ranked, batch_labels)
            d, _ = label_ranks(apply_bans(ranked, mentioned), batch_labels)
            for key, value in zip(keys, (r, p, d), strict=True):
                parts[key].append(value)
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    with_rules = ranking_metrics(joined["ranks"], joined["probs"], feedback, dedup, joined["dedup"])
    rule_free = ranking_metrics(joined["free"], joined["free_p"], feedback, dedup, joined["free_dedup"])
    return with_rules, rule_free


def ensemble_metrics(
    members: Sequence[TrainedRun],
    data: SplitData,
    labels: torch.Tensor,
    assets: RankerAssets,
    candidates: torch.Tensor | None = None,
) -> dict[str, float]:
    """Metrics of the runs' mean log-probability per movie (one model from several seeds), rules applied."""
    contexts = [s.context for s in data.samples]
    total = sum(
        log_probabilities(run.model, contexts, data.embeddings, assets.item_index, run.cooccurrence) for run in members
    )
    disliked = banned_items(contexts, assets.item_index, disliked=True, mentioned=False)
    return static_metrics(data, apply_bans(total / len(members), disliked), labels, assets, candidates)


def summarise(systems: dict[str, list[tuple[int, dict[str, float]]]]) -> dict[str, Any]:
    """Mean and sample standard deviation of each metric over seeds, per system."""
    out: dict[str, Any] = {"systems": {}, "spread": {}, "seeds": {}, "per_seed": {}}
    for name, results in systems.items():
        metrics = results[0][1].keys()
        values = {m: [r[m] for _, r in results] for m in metrics}
        out["systems"][name] = {m: _round(float(np.mean(v))) for m, v in values.items()}
        out["spread"][name] = {m: _round(float(np.std(v, ddof=1)) if len(v) > 1 else 0.0) for m, v in values.items()}
        out["seeds"][name] = [seed for seed, _ in results]
        out["per_seed"][name] = {str(seed): {m: _round(v) for m, v in r.items()} for seed, r in results}
    return out


def _round(value: float) -> float:
    return value if math.isnan(value) else round(value, 4)


def predict_ranker(split: str, out: Path, paths: Paths, limit: int | None = None) -> dict[str, Any]:
    """Write one JSON line per sample of ``split`` for the inference default model (DESIGN.md contract).

    Each line: ``conversation_id``, ``turn_index``, ``label``, ``feedback``, ``label_score`` (the model's probability
    of the label), ``label_rank`` (1-based, among all 6,924 movies, ranking rules applied), ``top50`` (movie ids) and
    ``dedup``. Returns the path, the sample count, the run used and its metrics on these samples.
    ``limit`` keeps only the first N dialogues of the split (quick checks).
    """
    with torch_threads(1):
        return _predict(split, Path(out), paths, limit)


def _predict(split: str, out: Path, paths: Paths, limit: int | None) -> dict[str, Any]:
    keep_heap_memory()
    assets = RankerAssets(paths)
    run = load_run(ranker_dir(paths), assets)
    data = load_split(split, assets.linker, assets.nodes, paths, limit=limit)
    contexts = [s.context for s in data.samples]
    labels = torch.tensor([assets.item_index[s.label] for s in data.samples])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    ranks, probs = [], []
    with partial.open("w", encoding="utf-8") as handle:
        for scored in score_contexts(run.model, contexts, data.embeddings, assets.item_index, run.cooccurrence):
            size = scored.ranked.shape[0]
            rank, prob = label_ranks(scored.ranked, labels[scored.start : scored.start + size])
            top = scored.ranked.topk(50, dim=1).indices.tolist()
            for row in range(size):
                sample = data.samples[scored.start + row]
                handle.write(
                    json.dumps(
                        {
                            "conversation_id": sample.conversation_id,
                            "turn_index": sample.turn_index,
                            "label": sample.label,
                            "feedback": sample.feedback.value,
                            "label_score": round(float(prob[row]), 8),
                            "label_rank": int(rank[row]),
                            "top50": [assets.nodes.item_ids[i] for i in top[row]],
                            "dedup": sample.dedup,
                        }
                    )
                    + "\n"
                )
            ranks.append(rank)
            probs.append(prob)
    partial.replace(out)
    metrics = ranking_metrics(np.concatenate(ranks), np.concatenate(probs), [s.feedback.value for s in data.samples])
    return {
        "path": str(out),
        "samples": len(data.samples),
        "run": run.meta.get("run"),
        "emotion_source": data.emotion_source,
        "metrics": {k: _round(v) for k, v in metrics.items()},
    }

"""Explicit requests on ReDial test: does the ranker give what the seeker asks for, before and after honour_request?

Usage:
    ECR_STORE_DIR=stores python benchmarks/requests_bench.py [--limit N] [--collapse 1000] [--seed 0]

For every test recommendation context (the turns before a recommender turn, as `ecr eval ranker` builds them) the
inference default ranker scores all movies (ranking rules applied); its top 200 go through `read_request` (on the
seeker turns, as the live chat would see them) and `honour_request` (k=5, fillers by popularity, turned-down movies
excluded). Measured, before (ranker alone) and after:

- request satisfaction@1 (top-1 satisfies the request), @5 (share of the top 5 that do) and hit@5 (any of the top 5),
  on the contexts whose latest seeker turn makes a request (or continues one);
- popularity collapse: distinct top-1 movies over ``--collapse`` random test contexts, and the top one's share;
- recall: R@1/10/50 over all samples and the dedup protocol (context movies removed, samples whose label was
  mentioned before dropped), ranks read from the re-ordered top-200 lists (a label outside them keeps its rank);
- how often test seeker turns make a request, by kind; 10 examples; 20 random detected requests to judge precision.

Writes benchmarks/ranker/requests.md and requests.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecr_agent.config import Paths
from ecr_agent.data.redial import load_dialogues
from ecr_agent.data.samples import merge_turns
from ecr_agent.evaluation.ranking import recall_at
from ecr_agent.ranker.assets import RankerAssets, load_run, ranker_dir
from ecr_agent.ranker.dataset import load_split
from ecr_agent.ranker.features import disliked_movies, mentioned_movies
from ecr_agent.ranker.requests import Request, honour_request, read_request, satisfies
from ecr_agent.ranker.scoring import apply_bans, banned_items, score_contexts
from ecr_agent.types import ChatTurn, Recommendation

OUT = Path(__file__).parent / "ranker"
TOP = 200
K = 5
CUTOFFS = (1, 10, 50)


def kind(request: Request | None) -> str:
    if request is None:
        return "none"
    if request.implied:
        return "liked (implied)"
    return "+".join(
        n
        for n, v in (
            ("person", request.people),
            ("genre", request.genres),
            ("studio", request.studios),
            ("like", request.like_movies),
            ("avoid", request.avoid_genres),
            ("avoid person", request.avoid_people),
            ("avoid topic", request.avoid_topics),
            ("avoid studio", request.avoid_studios),
            ("era", request.years),
            ("topic", request.topics),
        )
        if v
    )


def chat(turns: list, upto: int) -> list[ChatTurn]:
    return [ChatTurn("user" if t.role == "seeker" else "assistant", t.text) for t in turns[:upto]]


def satisfaction(lists: list[list[Recommendation]], requests: list[Request], assets: RankerAssets) -> dict[str, float]:
    at1, at5, hit5 = [], [], []
    for recs, request in zip(lists, requests, strict=True):
        ok = [satisfies(r.movie_id, request, assets.kg, assets.catalog) for r in recs[:K]]
        at1.append(ok[0] if ok else False)
        at5.append(float(np.mean(ok)) if ok else 0.0)
        hit5.append(any(ok))
    return {
        "satisfaction@1": round(float(np.mean(at1)), 4) if at1 else float("nan"),
        "satisfaction@5": round(float(np.mean(at5)), 4) if at5 else float("nan"),
        "hit@5": round(float(np.mean(hit5)), 4) if hit5 else float("nan"),
        "contexts": len(at1),
    }


def collapse(top1: list[str], titles: dict[str, str]) -> dict[str, Any]:
    counts = Counter(top1)
    movie, count = counts.most_common(1)[0]
    return {
        "contexts": len(top1),
        "distinct_top1": len(counts),
        "most_frequent": titles[movie],
        "most_frequent_share": round(count / len(top1), 4),
    }


def new_rank(reordered: list[str], label: str, old: int) -> int:
    try:
        return reordered.index(label) + 1
    except ValueError:
        return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N test dialogues (quick checks)")
    parser.add_argument("--collapse", type=int, default=1000, help="contexts drawn for the popularity collapse")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--split", default="test", help="'valid' to choose a design, 'test' (default) to report")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    load_before = os.getloadavg()
    paths = Paths.from_env()
    assets = RankerAssets(paths)
    run = load_run(ranker_dir(paths), assets)
    data = load_split(args.split, assets.linker, assets.nodes, paths, limit=args.limit)
    raw = {d.conversation_id: merge_turns(d) for d in load_dialogues(args.split, paths)[: args.limit]}
    titles = assets.catalog.titles
    item_ids = assets.nodes.item_ids

    # one entry per context (several samples share a context: one per movie of the recommender turn)
    keys = list(dict.fromkeys((s.conversation_id, s.turn_index) for s in data.samples))
    position = {key: i for i, key in enumerate(keys)}
    first = {}
    for s in data.samples:
        first.setdefault((s.conversation_id, s.turn_index), s)
    contexts = [first[key].context for key in keys]
    requests = [read_request(chat(raw[cid], turn), assets.linker) for cid, turn in keys]
    print(f"{len(keys)} contexts, {sum(r is not None for r in requests)} with a request", flush=True)

    samples_of: dict[int, list[int]] = {}
    for j, s in enumerate(data.samples):
        samples_of.setdefault(position[(s.conversation_id, s.turn_index)], []).append(j)
    labels = [assets.item_index[s.label] for s in data.samples]
    full_ranks = np.zeros(len(data.samples), dtype=int)
    dedup_ranks = np.zeros(len(data.samples), dtype=int)
    tops: list[list[str]] = []
    dedup_tops: list[list[str]] = []
    top_probs: list[dict[str, float]] = []
    full_probs: dict[int, np.ndarray] = {}
    for scored in score_contexts(run.model, contexts, data.embeddings, assets.item_index, run.cooccurrence):
        size = scored.ranked.shape[0]
        chunk = contexts[scored.start : scored.start + size]
        dedup = apply_bans(scored.ranked, banned_items(chunk, assets.item_index, False, True))
        soft = torch.softmax(scored.ranked, dim=1)
        best = soft.topk(TOP, dim=1)
        for row in range(size):
            i = scored.start + row
            movies = [item_ids[m] for m in best.indices[row].tolist()]
            tops.append(movies)
            top_probs.append(dict(zip(movies, best.values[row].tolist(), strict=True)))
            dedup_tops.append([item_ids[m] for m in dedup[row].topk(TOP).indices.tolist()])
            if requests[i] is not None:
                full_probs[i] = soft[row].numpy()
            for j in samples_of[i]:
                full_ranks[j] = int((scored.ranked[row] >= scored.ranked[row, labels[j]]).sum())
                dedup_ranks[j] = int((dedup[row] >= dedup[row, labels[j]]).sum())

    def recs(movies: list[str], row: int) -> list[Recommendation]:
        return [Recommendation(m, titles[m], top_probs[row].get(m, 0.0)) for m in movies]

    after, dedup_after, found = list(tops), list(dedup_tops), [False] * len(keys)
    after_recs: dict[int, list[Recommendation]] = {}
    by_score_after: list[list[str]] = list(tops)
    for i, request in enumerate(requests):
        if request is None:
            continue
        disliked = disliked_movies(contexts[i])
        ordered, ok = honour_request(recs(tops[i], i), request, assets.kg, assets.catalog, k=K, exclude=disliked)
        after_recs[i], after[i], found[i] = ordered, [r.movie_id for r in ordered], ok
        exclude = set(disliked) | set(mentioned_movies(contexts[i]))
        ordered, _ = honour_request(recs(dedup_tops[i], i), request, assets.kg, assets.catalog, k=K, exclude=exclude)
        dedup_after[i] = [r.movie_id for r in ordered]
        scores = dict(zip(item_ids, full_probs[i].tolist(), strict=True))
        ordered, _ = honour_request(recs(tops[i], i), request, assets.kg, assets.catalog, scores, K, disliked)
        by_score_after[i] = [r.movie_id for r in ordered]

    # satisfaction on request contexts
    asked = [i for i, r in enumerate(requests) if r is not None]
    asked_requests = [requests[i] for i in asked]  # type: ignore[misc]
    sat = {
        "before": satisfaction([recs(tops[i][:K], i) for i in asked], asked_requests, assets),
        "after": satisfaction([after_recs[i][:K] for i in asked], asked_requests, assets),
        "honour_request_found": round(float(np.mean([found[i] for i in asked])), 4) if asked else float("nan"),
    }
    by_kind: dict[str, dict] = {}
    for name in sorted({kind(requests[i]) for i in asked}):
        rows = [i for i in asked if kind(requests[i]) == name]
        reqs = [requests[i] for i in rows]
        by_kind[name] = {
            "before": satisfaction([recs(tops[i][:K], i) for i in rows], reqs, assets),  # type: ignore[arg-type]
            "after": satisfaction([after_recs[i][:K] for i in rows], reqs, assets),  # type: ignore[arg-type]
            "found": round(float(np.mean([found[i] for i in rows])), 4),
        }
    sat["by_kind"] = by_kind

    # popularity collapse over random contexts
    drawn = random.Random(args.seed).sample(range(len(keys)), min(args.collapse, len(keys)))
    pop = {
        "before": collapse([tops[i][0] for i in drawn], titles),
        "after": collapse([after[i][0] for i in drawn], titles),
        "drawn_with_request": sum(requests[i] is not None for i in drawn),
    }

    # recall over samples, ranks from the re-ordered lists
    row_of = [position[(s.conversation_id, s.turn_index)] for s in data.samples]
    dedup_mask = np.array([s.dedup for s in data.samples])
    asked_mask = np.array([requests[r] is not None for r in row_of])

    def reranked(lists: list[list[str]], old: np.ndarray) -> np.ndarray:
        return np.array([new_rank(lists[row_of[j]], s.label, int(old[j])) for j, s in enumerate(data.samples)])

    systems = {
        "before": (full_ranks, dedup_ranks),
        "after": (reranked(after, full_ranks), reranked(dedup_after, dedup_ranks)),
        "after, fillers by ranker score": (reranked(by_score_after, full_ranks), None),
    }
    recall: dict[str, dict[str, float]] = {}
    for name, (ranks, d_ranks) in systems.items():
        row = {f"recall@{n}": round(recall_at(ranks, n), 4) for n in CUTOFFS}
        row |= {f"request_recall@{n}": round(recall_at(ranks[asked_mask], n), 4) for n in CUTOFFS}
        if d_ranks is not None:
            row |= {f"dedup_recall@{n}": round(recall_at(d_ranks[dedup_mask], n), 4) for n in CUTOFFS}
        recall[name] = row
    changed = int(sum(systems["after"][0] != full_ranks))

    # how often seeker turns make a request (each seeker turn with the conversation before it)
    seeker_turns = kinds = 0
    kind_counts: Counter[str] = Counter()
    for turns in raw.values():
        for index, turn in enumerate(turns):
            if turn.role != "seeker":
                continue
            seeker_turns += 1
            found_kind = kind(read_request(chat(turns, index + 1), assets.linker))
            kind_counts[found_kind] += 1
    kinds = seeker_turns - kind_counts["none"]

    # examples and a precision sample
    rng = random.Random(args.seed)
    moved = [i for i in asked if after[i][0] != tops[i][0]]
    examples = []
    for i in rng.sample(moved, min(10, len(moved))):
        cid, turn = keys[i]
        top = after_recs[i][0]
        examples.append(
            {
                "conversation_id": cid,
                "seeker": raw[cid][turn - 1].text if raw[cid][turn - 1].role == "seeker" else "",
                "request": requests[i].describe(),  # type: ignore[union-attr]
                "before": titles[tops[i][0]],
                "after": top.title,
                "evidence": top.evidence[0] if top.evidence else "",
            }
        )
    precision_sample = []
    for i in rng.sample(asked, min(20, len(asked))):
        cid, turn = keys[i]
        seeker = [t.text for t in raw[cid][:turn] if t.role == "seeker"]
        precision_sample.append({"seeker": seeker[-1] if seeker else "", "request": requests[i].describe()})  # type: ignore[union-attr]

    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch threads 1",
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "run": run.meta.get("run"),
        "emotion_source": data.emotion_source,
        "limit": args.limit,
        "contexts": len(keys),
        "samples": len(data.samples),
        "dedup_samples": int(dedup_mask.sum()),
        "request_contexts": len(asked),
        "request_samples": int(asked_mask.sum()),
        "samples_whose_label_rank_changed": changed,
        "satisfaction": sat,
        "collapse": pop,
        "recall": recall,
        "seeker_turns": seeker_turns,
        "seeker_turns_with_request": kinds,
        "seeker_turn_request_kinds": dict(kind_counts.most_common()),
        "examples": examples,
        "precision_sample": precision_sample,
        "wall_s": round(time.perf_counter() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "requests.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (args.out / "requests.md").write_text(render(result))
    print(json.dumps({k: result[k] for k in ("satisfaction", "collapse", "recall")}, indent=1))


def render(r: dict[str, Any]) -> str:
    s, c = r["satisfaction"], r["collapse"]
    lines = [
        "# Explicit requests: the ranker alone vs `honour_request`",
        "",
        f"`python benchmarks/requests_bench.py` on {r['date']}, {r['machine']}; load average "
        f"{r['load_average_start'][0]} at the start, {r['load_average_end'][0]} at the end; ranker `{r['run']}` "
        f"(the store's inference default), emotions: {r['emotion_source']}; {r['wall_s']} s.",
        "",
        "Every ReDial test recommendation context (the turns before a recommender turn) is ranked by the ranker "
        "(ranking rules applied); `read_request` reads the seeker turns, and where it finds a request "
        f"`honour_request` re-orders the top {TOP} (k = {K}, fillers by popularity, turned-down movies excluded). "
        "A movie satisfies a request when it has the person (KG role or catalogue director/writer/star), the genre "
        "(catalogue genres: the KG gives a genre to 26 movies only) or shares a genre and a core person with the "
        '"like X" movie (or is in its series).',
        "",
        f"## Request satisfaction ({s['before']['contexts']} of {r['contexts']} test contexts make a request)",
        "",
        "| | satisfaction@1 | satisfaction@5 (share of top 5) | hit@5 (any of top 5) |",
        "| --- | --- | --- | --- |",
    ]
    for name in ("before", "after"):
        row = s[name]
        label = "ranker alone" if name == "before" else "after `honour_request`"
        lines.append(f"| {label} | {row['satisfaction@1']:.3f} | {row['satisfaction@5']:.3f} | {row['hit@5']:.3f} |")
    lines += [
        "",
        f"`honour_request` found a satisfying movie for {s['honour_request_found']:.1%} of them "
        "(otherwise it returns False and the caller says so).",
        "",
        "| kind | contexts | sat@1 before → after | sat@5 before → after | found |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in s["by_kind"].items():
        b, a = row["before"], row["after"]
        lines.append(
            f"| {name} | {b['contexts']} | {b['satisfaction@1']:.3f} → {a['satisfaction@1']:.3f} | "
            f"{b['satisfaction@5']:.3f} → {a['satisfaction@5']:.3f} | {row['found']:.3f} |"
        )
    lines += [
        "",
        f"## Popularity collapse ({c['before']['contexts']} random test contexts, "
        f"{c['drawn_with_request']} with a request)",
        "",
        "| | distinct top-1 movies | most frequent top-1 | its share |",
        "| --- | --- | --- | --- |",
    ]
    for name in ("before", "after"):
        row = c[name]
        label = "ranker alone" if name == "before" else "after `honour_request`"
        lines.append(
            f"| {label} | {row['distinct_top1']} | {row['most_frequent']} | {row['most_frequent_share']:.3f} |"
        )
    lines += [
        "",
        f"## Recall ({r['samples']} test samples, {r['dedup_samples']} in the dedup protocol, "
        f"{r['request_samples']} whose context makes a request)",
        "",
        "| | R@1 | R@10 | R@50 | dedup R@1 | dedup R@10 | dedup R@50 | request R@1 | request R@10 | request R@50 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in r["recall"].items():
        cells = [row.get(f"{p}recall@{n}") for p in ("", "dedup_", "request_") for n in CUTOFFS]
        lines.append(f"| {name} | " + " | ".join("–" if v is None else f"{v:.4f}" for v in cells) + " |")
    lines += [
        "",
        f"{r['samples_whose_label_rank_changed']} samples' label rank changed. Ranks come from the re-ordered "
        f"top-{TOP} "
        'lists; a label outside them keeps its rank. "Fillers by ranker score" passes the ranker\'s probabilities '
        "as `fallback_scores`, so the added movies are the ranker's best satisfying ones beyond its top 200.",
        "",
        "## How often seekers make a request",
        "",
        f"{r['seeker_turns_with_request']} of {r['seeker_turns']} test seeker turns "
        f"({r['seeker_turns_with_request'] / r['seeker_turns']:.1%}) make or continue a request: "
        + ", ".join(f"{k} {v}" for k, v in r["seeker_turn_request_kinds"].items() if k != "none")
        + ".",
        "",
        "## Examples (random request contexts whose top-1 changed)",
        "",
        "| seeker turn | request read | top-1 before | top-1 after (why) |",
        "| --- | --- | --- | --- |",
    ]
    for e in r["examples"]:
        lines.append(
            f"| {_cell(e['seeker'])} | {_cell(e['request'])} | {_cell(e['before'])} | "
            f"{_cell(e['after'])} ({_cell(e['evidence'])}) |"
        )
    lines += [
        "",
        "## Precision sample (20 random request contexts: the latest seeker turn and the request read)",
        "",
        "| seeker turn | request read |",
        "| --- | --- |",
    ]
    lines += [f"| {_cell(p['seeker'])} | {_cell(p['request'])} |" for p in r["precision_sample"]]
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":
    main()

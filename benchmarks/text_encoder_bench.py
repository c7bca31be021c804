"""MiniLM sentence-encoder benchmark: float32 vs bfloat16, fixed-size vs token-budget batches.

Usage:
    python benchmarks/text_encoder_bench.py [--dialogues 300] [--repeats 3]

Encodes the chat messages of the first test dialogues (as a client sends them, titles in place of ``@ids``) and the
merged turns the ranker embeds, each way, in one process (best of ``--repeats`` after a warm-up on other texts), and
compares every embedding with float32's. Writes benchmarks/ranker/text_encoder.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import load_dialogues, render_mentions
from ecr_agent.data.samples import merge_turns
from ecr_agent.hardware import native_bfloat16
from ecr_agent.minilm import mean_pool, pad_batch
from ecr_agent.text_encoder import SentenceEncoder

OUT = Path(__file__).parent / "ranker"


def test_texts(count: int) -> tuple[list[str], list[str]]:
    """Unique messages and unique merged turns of the first ``count`` test dialogues (then of the next ``count``)."""
    paths = Paths.from_env()
    titles = MovieCatalog.load(paths).titles
    messages, turns = [], []
    for dialogue in load_dialogues("test", paths)[:count]:
        render = [render_mentions(m.text, dialogue.movie_mentions, titles) for m in dialogue.messages]
        messages += render
        turns += [" ".join(render[p] for p in turn.positions) for turn in merge_turns(dialogue)]
    return list(dict.fromkeys(messages)), list(dict.fromkeys(turns))


@torch.inference_mode()
def encode_fixed_batches(encoder: SentenceEncoder, texts: list[str], batch_size: int = 128) -> torch.Tensor:
    """The previous scheme: texts sorted by characters, fixed batches of 128, float32."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.empty(len(texts), encoder.dim)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        input_ids, mask = pad_batch(encoder.tokenizer.encode([texts[i] for i in rows], encoder.max_tokens))
        hidden = encoder.model(input_ids, mask).last_hidden_state
        out[torch.tensor(rows)] = mean_pool(hidden, mask)
    return torch.nn.functional.normalize(out, dim=-1)


def best_rate(encode: Callable[[list[str]], torch.Tensor], texts: list[str], warm: list[str], repeats: int) -> float:
    encode(warm)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        encode(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dialogues", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    messages, turns = test_texts(args.dialogues)
    warm_messages, _ = test_texts(2 * args.dialogues)
    warm = warm_messages[len(messages) :]
    float32 = SentenceEncoder(bf16=False)
    ways: dict[str, Callable[[list[str]], torch.Tensor]] = {
        "float32, fixed batches of 128 (before)": lambda t: encode_fixed_batches(float32, t),
        "float32, token-budget batches": float32.encode,
    }
    if native_bfloat16():
        bf16 = SentenceEncoder(bf16=True)
        ways["bfloat16, token-budget batches (default here)"] = bf16.encode
    results: dict = {
        "messages": len(messages),
        "merged_turns": len(turns),
        "mean_tokens": {
            name: round(sum(map(len, float32.tokenizer(texts)["input_ids"])) / len(texts), 1)
            for name, texts in (("messages", messages), ("merged_turns", turns))
        },
        "native_bfloat16": native_bfloat16(),
        "threads": torch.get_num_threads(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "ways": {},
    }
    reference = {name: float32.encode(texts) for name, texts in (("messages", messages), ("merged_turns", turns))}
    for way, encode in ways.items():
        row = {}
        for name, texts in (("messages", messages), ("merged_turns", turns)):
            similarity = torch.nn.functional.cosine_similarity(encode(texts), reference[name])
            row[f"{name}_per_s"] = round(best_rate(encode, texts, warm, args.repeats), 1)
            row[f"{name}_min_cosine"] = round(similarity.min().item(), 5)
        results["ways"][way] = row
    baseline = results["ways"]["float32, fixed batches of 128 (before)"]
    lines = [
        "# MiniLM text encoder: precision and batching",
        "",
        f"Reproduce: `python benchmarks/text_encoder_bench.py --dialogues {args.dialogues}` "
        f"({results['measured_at']}, {results['threads']} threads, load {results['load_avg_1m']}). "
        f"{results['messages']} unique chat messages (mean {results['mean_tokens']['messages']} tokens) and "
        f"{results['merged_turns']} merged turns (mean {results['mean_tokens']['merged_turns']} tokens) of the "
        "first test dialogues; best of "
        f"{args.repeats} after a warm-up on other texts; cosine similarity against float32 embeddings.",
        "",
        "| encoder | messages/s | × before | merged turns/s | × before | min cosine to float32 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for way, row in results["ways"].items():
        lines.append(
            f"| {way} | {row['messages_per_s']} | {row['messages_per_s'] / baseline['messages_per_s']:.2f} "
            f"| {row['merged_turns_per_s']} | {row['merged_turns_per_s'] / baseline['merged_turns_per_s']:.2f} "
            f"| {min(row['messages_min_cosine'], row['merged_turns_min_cosine'])} |"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "text_encoder.json").write_text(json.dumps(results, indent=2))
    (OUT / "text_encoder.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Recall@10 / @50 of the ranker through its chat path (`EmotionAwareRanker.rank_batch` on rendered ReDial turns).

Usage: python tools/inference_recall.py [LIMIT]

Each ReDial test recommender message that brings up movies not named before gives one sample per such movie, with
the messages before it as the chat. It scores the shipped ranker as a chat sees it (linking, emotions, the
assistant-turn rules of `ranker.cache.link_turn`), and again with an assistant turn's facts about its own picks
kept as context, the rule before 2026-12-01 08:00 UTC. `benchmarks/ranker_bench.py` scores the cached training
features instead, which never go through this path.
"""

from __future__ import annotations

import sys
import time

import ecr_agent.ranker.inference as inference
from ecr_agent.config import Paths
from ecr_agent.data.redial import load_dialogues
from ecr_agent.linking import EntityLinker
from ecr_agent.ranker.cache import link_turn
from ecr_agent.ranker.inference import EmotionAwareRanker
from ecr_agent.types import ChatTurn


def samples(paths: Paths, limit: int) -> tuple[list[list[ChatTurn]], list[str]]:
    chats, labels = [], []
    for dialogue in load_dialogues("test", paths):
        named: set[str] = set()
        turns: list[ChatTurn] = []
        for message in dialogue.messages:
            role = "user" if message.role == "seeker" else "assistant"
            if role == "assistant" and turns:
                for movie in dict.fromkeys(m for m in message.movie_ids if m not in named):
                    chats.append(list(turns))
                    labels.append(movie)
            named |= set(message.movie_ids)
            turns.append(ChatTurn(role, dialogue.render(message)))
    return chats[:limit], labels[:limit]


def recall(ranker: EmotionAwareRanker, chats: list[list[ChatTurn]], labels: list[str], name: str) -> None:
    started = time.perf_counter()
    ranked = [[r.movie_id for r in top] for top in ranker.rank_batch(chats, k=50)]
    at = {k: sum(label in top[:k] for top, label in zip(ranked, labels, strict=True)) / len(labels) for k in (10, 50)}
    print(
        f"{name}: {len(labels)} samples, R@10 {at[10]:.4f}, R@50 {at[50]:.4f} ({time.perf_counter() - started:.0f} s)"
    )


def main() -> None:
    paths = Paths.from_env()
    linker = EntityLinker.load(paths)
    ranker = EmotionAwareRanker.load(paths, linker=linker)
    chats, labels = samples(paths, int(sys.argv[1]) if len(sys.argv) > 1 else 10**9)
    recall(ranker, chats, labels, "shipped")
    inference.link_turn = lambda *args, **kwargs: link_turn(*args, **{**kwargs, "movie_facts": True})
    ranker._links.clear()
    recall(ranker, chats, labels, "assistant turns' movie facts kept")


if __name__ == "__main__":
    main()

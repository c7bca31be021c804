"""Play ReDial conversations through `ECRChain` and print what it answers at every seeker turn, to read by hand.

Usage: python tools/replay_redial.py CONVERSATION_ID [CONVERSATION_ID ...] [--split test]

At each seeker turn the chain answers after the dialogue's real history (the ReDial recommender's own turns, not
ECR's earlier replies), with ``@ids`` written as titles, as a user would type them (a misread id as the movie meant:
"The Notebook (2004)", not ReDial's "The Notebook (2013)"); each ECR reply is followed by the
feedback it read and by what the ReDial recommender said. Consecutive messages of one speaker are merged. Needs the
store `bash run.sh demo` builds (``ECR_STORE_DIR``) and the data (``ECR_DATA_DIR``).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from ecr_agent import ECRChain
from ecr_agent.config import Paths
from ecr_agent.data.movies import MovieCatalog
from ecr_agent.data.redial import MOVIE_MENTION, SPLITS, Dialogue, load_dialogues


def turns_of(dialogue: Dialogue, catalog: MovieCatalog) -> list[dict[str, str]]:
    """The dialogue as chat messages: ``@ids`` as the titles meant, consecutive messages of one speaker merged."""
    turns: list[dict[str, str]] = []
    for message in dialogue.messages:
        meant = replace(message, text=MOVIE_MENTION.sub(lambda m: f"@{catalog.meant(m.group(1))}", message.text))
        role, text = "user" if message.role == "seeker" else "assistant", dialogue.render(meant, catalog.titles)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += " " + text
        else:
            turns.append({"role": role, "content": text})
    return turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="+", help="ReDial conversation ids (e.g. 21012)")
    parser.add_argument("--split", default="test", choices=SPLITS)
    args = parser.parse_args()
    paths = Paths.from_env()
    dialogues = {d.conversation_id: d for d in load_dialogues(args.split, paths) if d.conversation_id in args.ids}
    chain = ECRChain.from_store(paths=paths)
    catalog = MovieCatalog.load(paths)
    for conversation in args.ids:
        if conversation not in dialogues:
            print(f"==================== {conversation}: not in the {args.split} split")
            continue
        turns = turns_of(dialogues[conversation], catalog)
        print(f"==================== {conversation}")
        for index, turn in enumerate(turns):
            if turn["role"] != "user":
                continue
            started = time.perf_counter()
            result = chain.invoke({"messages": turns[: index + 1]})
            print(f"\nUSER: {turn['content']}\nECR ({time.perf_counter() - started:.2f}s): {result.reply}")
            read = {k: [m["title"] for m in getattr(result, k)] for k in ("turned_down", "accepted", "seen")}
            if any(read.values()):
                print(f"   feedback: { {k: v for k, v in read.items() if v} }")
            if index + 1 < len(turns):
                print(f"REDIAL: {turns[index + 1]['content']}")


if __name__ == "__main__":
    main()

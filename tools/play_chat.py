"""Play scripted user messages through `ECRChain`, keeping ECR's own replies in the history, to read by hand.

Usage: python tools/play_chat.py SCRIPTS.json [NAME ...]
       python tools/play_chat.py --say "Hi!" --say "Something by Stephen King?"

SCRIPTS.json maps a chat's name to its user messages ({"sad_today": ["Hi", "I'm sad today", ...]}); with names
after it, only those chats play. Unlike `replay_redial.py`, each reply answers the chat as ECR itself played it, so
what a user meets is what is printed: the reply, its top picks, and the feedback it read. Needs the store
`bash run.sh demo` builds (``ECR_STORE_DIR``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ecr_agent import ECRChain
from ecr_agent.config import Paths


def play(chain: ECRChain, name: str, messages: list[str]) -> None:
    """Print one chat: each user message, ECR's reply with its time, picks and the feedback it read."""
    print(f"==================== {name}")
    history: list[dict[str, str]] = []
    for text in messages:
        history.append({"role": "user", "content": text})
        started = time.perf_counter()
        result = chain.invoke({"messages": history})
        print(f"\nUSER: {text}\nECR ({time.perf_counter() - started:.2f}s): {result.reply}")
        print(f"   picks: {[rec.title for rec in result.recommendations[:3]]}")
        read = {k: [m["title"] for m in getattr(result, k)] for k in ("turned_down", "accepted", "seen")}
        if any(read.values()):
            print(f"   feedback: { {k: v for k, v in read.items() if v} }")
        history.append({"role": "assistant", "content": result.reply})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="?", type=Path, help="JSON file: chat name -> list of user messages")
    parser.add_argument("names", nargs="*", help="play only these chats of the file")
    parser.add_argument("--say", action="append", default=[], help="a user message (repeat for a chat)")
    args = parser.parse_args()
    chats: dict[str, list[str]] = json.loads(args.scripts.read_text()) if args.scripts else {}
    if args.names:
        chats = {name: chats[name] for name in args.names}
    if args.say:
        chats["command line"] = args.say
    if not chats:
        parser.error("give a scripts file or --say messages")
    chain = ECRChain.from_store(paths=Paths.from_env())
    for name, messages in chats.items():
        play(chain, name, messages)


if __name__ == "__main__":
    main()

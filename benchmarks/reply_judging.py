"""Blind judging of replies, as issue #13 scored them: the paper's five 0–9 dimensions plus yes/no flags.

`make` draws contexts from the reply bench's held-out test contexts (benchmarks/reply/replies_{before,after}.jsonl)
and writes a packet per judge: each context's conversation, then three replies under the letters A, B, C in an
order shuffled per context and per judge: before the reply work, after it, and the ReDial human recommender.
Which letter is which system is kept in a separate key file that judges never read. `score` unblinds the judges'
answers and writes benchmarks/reply/judged.{md,json}: mean scores and flag rates per system, and how often the
judges agree on each flag.

    .venv/bin/python benchmarks/reply_judging.py make --contexts 40 --judges 2
    # each judge reads benchmarks/reply/judging/packet_<n>.md and GUIDE.md, writes judge_<n>.jsonl
    .venv/bin/python benchmarks/reply_judging.py score
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from ecr_agent.config import Paths
from ecr_agent.reply_eval import load_rows, reply_contexts

ROOT = Path(__file__).resolve().parents[1]
REPLY = ROOT / "benchmarks" / "reply"
JUDGING = REPLY / "judging"
SYSTEMS = ("before", "after", "human")
DIMENSIONS = ("emo_int", "emo_pers", "log_pers", "info", "life")
FLAGS = ("fits_turn", "false_claim", "invented_life", "wrong_apology")
SHOWN_MESSAGES = 10
GUIDE = """# How to judge a reply

You see part of a movie-recommendation chat between a user (the seeker) and a recommender, then three candidate
next replies of the recommender, A, B and C. Judge each candidate on its own, as the next message of that chat.

Scores, 0 (none) to 9 (excellent), as in the ECR paper (RecSys 2024):
- `emo_int` emotional intensity: the strength of the emotions conveyed to the user.
- `emo_pers` emotional persuasiveness: how well it connects with the user emotionally to persuade them.
- `log_pers` logic persuasiveness: logical reasoning and coherent arguments that persuade (reasons that fit what
  the user said they want).
- `info` informativeness: useful information (what the movie is, who made it or is in it, why it fits).
- `life` lifelikeness: how vivid, engaging and natural it reads, like a person in this chat.

Flags, true or false:
- `fits_turn`: it answers what the user just said or asked (a question gets an answer, a rejection is not
  ignored, a request is honoured or addressed, thanks and goodbyes are answered in kind).
- `false_claim`: it states something about a movie you are confident is false (wrong director, cast, role, year,
  genre, plot). Mark only what you are sure of; opinions are not claims.
- `invented_life`: the recommender claims personal experiences it cannot have had: an age, a childhood, family,
  going to the theater, watching a movie N times, a wish list. Liking or feeling about a movie is not a life.
- `wrong_apology`: it apologises for, or treats as disliked, a movie the user did not turn down.

Write one JSON object per line to your output file, one per (context, letter), with exactly these keys:
`{"context": "<key>", "letter": "A", "emo_int": 0-9, "emo_pers": 0-9, "log_pers": 0-9, "info": 0-9, "life": 0-9,
"fits_turn": true, "false_claim": false, "invented_life": false, "wrong_apology": false, "note": "<a few words>"}`
Judge every letter of every context. Do not try to guess which system wrote which reply.
"""


def make(contexts_wanted: int, judges: int, seed: int) -> None:
    rows = {name: {r.key: r for r in load_rows(REPLY / f"replies_{name}.jsonl")} for name in ("before", "after")}
    contexts = [c for c in reply_contexts("test", 10_000, Paths.from_env()) if c.key in rows["after"]]
    chosen = random.Random(seed).sample(contexts, contexts_wanted)
    JUDGING.mkdir(parents=True, exist_ok=True)
    (JUDGING / "GUIDE.md").write_text(GUIDE)
    key: dict[str, dict[str, dict[str, str]]] = {}
    for judge in range(1, judges + 1):
        shuffle = random.Random(seed * 100 + judge)
        lines = [f"# Packet {judge}: {len(chosen)} contexts\n"]
        key[str(judge)] = {}
        for context in chosen:
            replies = {
                "before": rows["before"][context.key].reply,
                "after": rows["after"][context.key].reply,
                "human": context.human_reply,
            }
            order = list(SYSTEMS)
            shuffle.shuffle(order)
            key[str(judge)][context.key] = {letter: system for letter, system in zip("ABC", order, strict=True)}
            lines.append(f"## Context {context.key}\n")
            for message in context.messages[-SHOWN_MESSAGES:]:
                speaker = "User" if message["role"] == "user" else "Recommender"
                lines.append(f"- **{speaker}:** {message['content']}")
            lines.append("")
            for letter, system in zip("ABC", order, strict=True):
                lines.append(f"**{letter}:** {replies[system]}\n")
        (JUDGING / f"packet_{judge}.md").write_text("\n".join(lines))
    (JUDGING / "key.json").write_text(json.dumps({"seed": seed, "key": key}, indent=2) + "\n")


def score() -> None:
    key = json.loads((JUDGING / "key.json").read_text())["key"]
    by_system: dict[str, dict[str, list[float]]] = {s: defaultdict(list) for s in SYSTEMS}
    flags_by_judge: dict[str, dict[tuple[str, str], dict[str, bool]]] = {}
    for judge, mapping in key.items():
        answers = [json.loads(line) for line in (JUDGING / f"judge_{judge}.jsonl").read_text().splitlines() if line]
        seen = {(a["context"], a["letter"]) for a in answers}
        wanted = {(c, letter) for c, letters in mapping.items() for letter in letters}
        if seen != wanted:
            raise ValueError(f"judge {judge} answered {len(seen)} of {len(wanted)} replies (missing or extra items)")
        flags_by_judge[judge] = {}
        for answer in answers:
            system = mapping[answer["context"]][answer["letter"]]
            for name in DIMENSIONS:
                by_system[system][name].append(float(answer[name]))
            for name in FLAGS:
                by_system[system][name].append(float(bool(answer[name])))
            flags_by_judge[judge][(answer["context"], system)] = {f: bool(answer[f]) for f in FLAGS}
    means = {s: {name: sum(v) / len(v) for name, v in values.items()} for s, values in by_system.items()}
    judges = sorted(flags_by_judge)
    agreement = {}
    if len(judges) >= 2:
        first, second = flags_by_judge[judges[0]], flags_by_judge[judges[1]]
        for flag in FLAGS:
            agreement[flag] = sum(first[k][flag] == second[k][flag] for k in first) / len(first)
    contexts = len(next(iter(key.values())))
    report = {
        "scored": datetime.now(UTC).isoformat(timespec="seconds"),
        "contexts": contexts,
        "judges": len(judges),
        "means": means,
        "flag_agreement": agreement,
    }
    (REPLY / "judged.json").write_text(json.dumps(report, indent=2) + "\n")
    header = (
        "| reply | Emo Int | Emo Pers | Log Pers | Info | Life | fits the turn | false claim | invented life "
        "| wrong apology |"
    )
    lines = [
        "# Replies judged blind on the paper's five dimensions (issue #13's protocol)",
        "",
        f"Scored {report['scored']}: {contexts} held-out ReDial test contexts drawn from the reply bench's 200, "
        f"{len(judges)} independent judges, each with its own shuffle of the three replies per context (letters A–C; "
        "the key stayed out of their reach). Packets, guide, answers and key: [judging/](judging/). Reproduce: "
        "`python benchmarks/reply_judging.py make` then `score`.",
        "",
        header,
        "| --- " * 10 + "|",
    ]
    names = {"before": "before (afe102e)", "after": "after (replies_after.jsonl)", "human": "ReDial human recommender"}
    for system in SYSTEMS:
        m = means[system]
        scores = " | ".join(f"{m[d]:.1f}" for d in DIMENSIONS)
        flags = " | ".join(f"{100 * m[f]:.0f} %" for f in FLAGS)
        lines.append(f"| {names[system]} | {scores} | {flags} |")
    if agreement:
        lines += ["", "Judges agree on " + ", ".join(f"{f} {100 * a:.0f} %" for f, a in agreement.items()) + "."]
    (REPLY / "judged.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make", help="write the blinded packets, the guide and the key")
    made.add_argument("--contexts", type=int, default=40)
    made.add_argument("--judges", type=int, default=2)
    made.add_argument("--seed", type=int, default=13)
    commands.add_parser("score", help="unblind the judges' answers and write judged.{md,json}")
    args = parser.parse_args()
    if args.command == "make":
        make(args.contexts, args.judges, args.seed)
    else:
        score()


if __name__ == "__main__":
    main()

"""Blind judging of replies, as issue #13 scored them: the paper's five 0–9 dimensions plus yes/no flags.

`make` draws contexts from the reply bench's held-out test contexts (benchmarks/reply/replies_{before,after}.jsonl)
and writes a packet per judge: each context's conversation, then three replies under the letters A, B, C in an
order shuffled per context and per judge: before the reply work, after it, and the ReDial human recommender.
Which letter is which system is kept in a separate key file that judges never read. `score` unblinds the judges'
answers and writes benchmarks/reply/judged.{md,json}: mean scores and flag rates per system, and how often the
judges agree on each flag.

    .venv/bin/python benchmarks/reply_judging.py make --round <name> --contexts 40 --judges 2
    # each judge reads benchmarks/reply/judging/<name>/packet_<n>.md and GUIDE.md, writes judge_<n>.jsonl
    .venv/bin/python benchmarks/reply_judging.py score --round <name>

Each round keeps its own folder (the replies it judged are in its packets), and `score` adds the round to
benchmarks/reply/judged.md, keeping the rounds scored before.
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


def make(folder: Path, contexts_wanted: int, judges: int, seed: int) -> None:
    rows = {name: {r.key: r for r in load_rows(REPLY / f"replies_{name}.jsonl")} for name in ("before", "after")}
    contexts = [c for c in reply_contexts("test", 10_000, Paths.from_env()) if c.key in rows["after"]]
    chosen = random.Random(seed).sample(contexts, contexts_wanted)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "GUIDE.md").write_text(GUIDE)
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
        (folder / f"packet_{judge}.md").write_text("\n".join(lines))
    (folder / "key.json").write_text(json.dumps({"seed": seed, "key": key}, indent=2) + "\n")


def score(folder: Path, label: str) -> None:
    key = json.loads((folder / "key.json").read_text())["key"]
    by_system: dict[str, dict[str, list[float]]] = {s: defaultdict(list) for s in SYSTEMS}
    flags_by_judge: dict[str, dict[tuple[str, str], dict[str, bool]]] = {}
    for judge, mapping in key.items():
        answers = [json.loads(line) for line in (folder / f"judge_{judge}.jsonl").read_text().splitlines() if line]
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
    rounds = (
        json.loads((REPLY / "judged.json").read_text()).get("rounds", {}) if (REPLY / "judged.json").exists() else {}
    )
    rounds[folder.name] = {
        "label": label,
        "scored": datetime.now(UTC).isoformat(timespec="seconds"),
        "contexts": contexts,
        "judges": len(judges),
        "means": means,
        "flag_agreement": agreement,
    }
    (REPLY / "judged.json").write_text(json.dumps({"rounds": rounds}, indent=2) + "\n")
    (REPLY / "judged.md").write_text(render(rounds))
    print(render({folder.name: rounds[folder.name]}))


def render(rounds: dict[str, dict]) -> str:
    """judged.md: one table per round, newest last."""
    lines = [
        "# Replies judged blind on the paper's five dimensions (issue #13's protocol)",
        "",
        "Each round: held-out ReDial test contexts drawn from the reply bench's 200, independent language-model judges,"
        " each with its own shuffle of the three replies per context (letters A–C; the key stayed out of their reach),"
        " scoring the paper's five 0–9 dimensions and four yes/no flags. Packets, guide, answers and key per round:"
        " [judging/](judging/). Reproduce: `python benchmarks/reply_judging.py make --round <name>`, then `score`.",
    ]
    header = (
        "| reply | Emo Int | Emo Pers | Log Pers | Info | Life | fits the turn | false claim | invented life "
        "| wrong apology |"
    )
    for name, report in rounds.items():
        lines += [
            "",
            f"## Round `{name}`: {report['label']}",
            "",
            f"Scored {report['scored']}: {report['contexts']} contexts, {report['judges']} judges.",
            "",
            header,
            "| --- " * 10 + "|",
        ]
        names = {"before": "before (afe102e)", "after": f"after ({report['label']})", "human": "ReDial human"}
        for system in SYSTEMS:
            m = report["means"][system]
            scores = " | ".join(f"{m[d]:.1f}" for d in DIMENSIONS)
            flags = " | ".join(f"{100 * m[f]:.0f} %" for f in FLAGS)
            lines.append(f"| {names[system]} | {scores} | {flags} |")
        if report["flag_agreement"]:
            agreed = ", ".join(f"{f} {100 * a:.0f} %" for f, a in report["flag_agreement"].items())
            lines += ["", f"Judges agree on {agreed}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("make", help="write the blinded packets, the guide and the key")
    made.add_argument("--round", required=True, help="the round's folder name under benchmarks/reply/judging")
    made.add_argument("--contexts", type=int, default=40)
    made.add_argument("--judges", type=int, default=2)
    made.add_argument("--seed", type=int, default=13)
    scored = commands.add_parser("score", help="unblind the judges' answers and add the round to judged.{md,json}")
    scored.add_argument("--round", required=True)
    scored.add_argument("--label", required=True, help="what the 'after' replies are, e.g. the revision")
    args = parser.parse_args()
    if args.command == "make":
        make(JUDGING / args.round, args.contexts, args.judges, args.seed)
    else:
        score(JUDGING / args.round, args.label)


if __name__ == "__main__":
    main()

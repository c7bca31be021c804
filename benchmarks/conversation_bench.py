"""One conversation played turn by turn through `ECRChain`, with the dialogue window sliding by one turn or in jumps.

    python benchmarks/conversation_bench.py            # both windows, 5 runs each, in fresh processes (~3 min)

`ecr bench` times single contexts; a real chat grows, and its prompt grows with it. Each turn forces 60 new tokens
(as the bench does) and records the turn's wall time, the prompt's length and how many of its tokens llama.cpp found
in its cache. Writes ``benchmarks/chain/conversation.{md,json}`` with the date and the machine's load; run it on an
idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "chain"
USERS = (
    "Hi! I love scary movies like The Shining.",
    "I've seen that one, loved it. Something newer?",
    "Hmm, not a fan of that. Any with aliens?",
    "Who is in it?",
    "Sounds good. Anything funny too?",
    "I hated that one. Something else?",
    "Great, thanks! One more thriller?",
    "Any with Tom Hanks?",
    "Seen it. What else?",
)
WINDOWS = {"sliding by one turn": 1, "in jumps of four (shipped)": 4}


def play(step: int) -> dict:
    """Play `USERS` in this process with the window's first turn moving in jumps of ``step``."""
    import ecr_agent.generator.prompt as prompt_module
    from ecr_agent import ECRChain

    window = prompt_module.dialogue_window
    prompt_module.dialogue_window = lambda turns, size=prompt_module.DIALOGUE_WINDOW, _=0: window(turns, size, step)
    chain = ECRChain.from_store()
    generator = chain.chat_model.generator
    stepper = getattr(generator, "stepper", None)
    if stepper is None:
        raise SystemExit("this benchmark needs the llama.cpp runtime (install llama-cpp-python)")
    prompts: list[tuple[int, int]] = []
    start = stepper.start

    def counted(ids):  # noqa: ANN001, ANN202 - wraps the runtime's own method
        result = start(ids)
        prompts.append((len(ids), stepper.reused))
        return result

    stepper.start = counted
    generator.decoding = generator.decoding.with_(ignore_eos=True, stop_at_sentence_end=False)
    history: list[dict[str, str]] = []
    turns = []
    for text in USERS:
        history.append({"role": "user", "content": text})
        started = time.perf_counter()
        reply = chain.invoke({"messages": history}).reply
        turns.append({"user": text, "reply": reply, "s": round(time.perf_counter() - started, 3)})
        history.append({"role": "assistant", "content": reply})
    for turn, (tokens, reused) in zip(turns, prompts, strict=False):
        turn |= {"prompt_tokens": tokens, "reused": reused}
    later = [t["s"] for t in turns[1:]]
    return {
        "turns": turns,
        "p50_after_first": round(statistics.median(later), 3),
        "mean": round(statistics.mean(later), 3),
    }


def markdown(results: dict) -> str:
    lines = [
        "# One conversation, turn by turn",
        "",
        "Reproduce: `python benchmarks/conversation_bench.py` (each variant in fresh processes, alternating).",
        "",
        f"Run {results['date']}, {results['machine']}; load average {results['load_before']} before, "
        f"{results['load_after']} after. Nine user turns, ECR's own replies in the history, 60 new tokens forced.",
        "",
        "| dialogue window | median of the runs' p50 | turn p50 after the first, per run | mean, per run "
        "| cached prompt tokens reused per turn |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, runs in results["variants"].items():
        reused = sorted({t["reused"] for run in runs for t in run["turns"][1:]})
        p50 = " / ".join(f"{run['p50_after_first']:.2f} s" for run in runs)
        mean = " / ".join(f"{run['mean']:.2f} s" for run in runs)
        middle = statistics.median(run["p50_after_first"] for run in runs)
        lines.append(f"| {name} | **{middle:.2f} s** | {p50} | {mean} | {', '.join(map(str, reused))} |")
    lines += ["", "## The conversation (shipped window, first run)", ""]
    for turn in results["variants"][next(reversed(WINDOWS))][0]["turns"]:
        timing = f"{turn['s']:.2f} s, {turn['prompt_tokens']} prompt tokens, {turn['reused']} cached"
        lines += [f"- **User:** {turn['user']}", f"  **ECR** ({timing}): {turn['reply']}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--play", type=int, help=argparse.SUPPRESS)  # one variant, in a child process
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--report", action="store_true", help="only rewrite conversation.md from conversation.json")
    args = parser.parse_args()
    if args.report:
        (OUT / "conversation.md").write_text(markdown(json.loads((OUT / "conversation.json").read_text())))
        return
    if args.play is not None:
        print(json.dumps(play(args.play)))
        return
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{os.cpu_count()} CPUs",
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "variants": {name: [] for name in WINDOWS},
    }
    for _ in range(args.repeats):
        for name, step in WINDOWS.items():
            child = subprocess.run(
                [sys.executable, __file__, "--play", str(step)], capture_output=True, text=True, check=True
            )
            results["variants"][name].append(json.loads(child.stdout.strip().splitlines()[-1]))
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "conversation.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "conversation.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()

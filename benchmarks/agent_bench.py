"""Play the 20 scripted agent threads on the built store and record what a user meets: checks passed, latency.

Usage: python benchmarks/agent_bench.py   (writes benchmarks/agent/results.md and transcript.md)

The threads and their checks are the test suite's (tests/integration/test_agent_threads.py); here they run on
``$ECR_STORE_DIR`` (the demo's store, full knowledge) instead of the tiny test store, and every turn is timed.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "agent"


def _threads_module():
    spec = importlib.util.spec_from_file_location("agent_threads", ROOT / "tests/integration/test_agent_threads.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["agent_threads"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class TimedAgent:
    """The agent, recording each turn's intent, seconds and final message."""

    def __init__(self, agent) -> None:
        self.agent = agent
        self.turns: list[tuple[str, str, float, str, list[str]]] = []

    def invoke(self, state, config):
        from ecr_agent.agent import classify

        text = state["messages"][-1]["content"]
        before = len(self.agent.get_state(config).values.get("messages", []))
        started = time.perf_counter()
        result = self.agent.invoke(state, config)
        seconds = time.perf_counter() - started
        tools = [c["name"] for m in result["messages"][before:] if m.type == "ai" for c in m.tool_calls]
        self.turns.append((text, classify(text).intent, seconds, str(result["messages"][-1].content), tools))
        return result


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from ecr_agent import ECRChain
    from ecr_agent.agent import build_agent

    threads = _threads_module()
    started = time.perf_counter()
    chain = ECRChain.from_store()
    load_seconds = time.perf_counter() - started
    timed = TimedAgent(build_agent(chain=chain))
    outcomes, transcript = {}, []
    for name in threads.THREADS:
        first = len(timed.turns)
        try:
            threads.test_scripted_thread(name, timed, chain)
            outcomes[name] = "pass"
        except AssertionError as error:
            outcomes[name] = f"FAIL: {str(error)[:200]}"
        transcript.append(f"### {name} ({outcomes[name]})\n")
        for text, _, seconds, final, tools in timed.turns[first:]:
            transcript.append(
                f"- **user:** {text}\n  **agent:** {final} `[{', '.join(tools) or 'router'}, {seconds:.2f} s]`"
            )
        transcript.append("")
    write(outcomes, timed.turns, load_seconds, transcript)


def write(outcomes: dict[str, str], turns, load_seconds: float, transcript: list[str]) -> None:
    taken = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    by_intent: dict[str, list[float]] = {}
    for _, intent, seconds, _, _ in turns:
        by_intent.setdefault(intent, []).append(seconds)
    passed = sum(v == "pass" for v in outcomes.values())
    rows = ["| intent | turns | p50 s | max s |", "| --- | --- | --- | --- |"]
    for intent, times in sorted(by_intent.items()):
        rows.append(f"| {intent} | {len(times)} | {statistics.median(times):.2f} | {max(times):.2f} |")
    failures = [f"- {name}: {outcome}" for name, outcome in outcomes.items() if outcome != "pass"]
    page = f"""# The agent a user meets: 20 scripted threads on the demo store

Taken {taken} on {os.cpu_count()} CPU cores, 1-minute load average {load:.2f} when it finished; store
`{os.environ.get("ECR_STORE_DIR", "stores")}` (the demo's `quick` models, full knowledge stores). Regenerate with
`python benchmarks/agent_bench.py`. The threads and checks are those of `tests/integration/test_agent_threads.py`
(tool called, movie acted on, worded answer, facts true against the KG, turn-downs never back, requests held).

**{passed} of {len(outcomes)} threads pass every check** ({len(turns)} turns). Loading the chain took
{load_seconds:.1f} s (the first turn's time excludes it).

{chr(10).join(failures) or "No failures."}

Seconds per turn by intent (the router's own answers and fact look-ups take no generation):

{chr(10).join(rows)}

The full transcript is in [transcript.md](transcript.md).
"""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(page, encoding="utf-8")
    (OUT / "transcript.md").write_text(
        f"# Agent transcript ({taken}, demo store)\n\n" + "\n".join(transcript), encoding="utf-8"
    )
    print(page)


if __name__ == "__main__":
    sys.exit(main())

from __future__ import annotations

import pytest

from ecr_agent.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "chat", "--once", "I hated it"],
        ["chat", "--once", "I hated it", "--json"],
        ["eval", "reply", "--limit", "5", "--json"],
    ],
)
def test_json_is_accepted_before_or_after_the_subcommand(argv):
    args = build_parser().parse_args(argv)
    assert args.json is True


def test_without_json_the_flag_is_off_and_train_knows_the_feedback_reader():
    args = build_parser().parse_args(["train", "feedback", "--profile", "quick"])
    assert getattr(args, "json", False) is False and args.target == "feedback"


def test_the_competing_load_dies_with_a_killed_bench():
    """`ecr bench --under-load` killed mid-run must not leave its competitor spinning on every core."""
    import os
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import time; from ecr_agent.bench import CompetingLoad\n"
        "with CompetingLoad(threads=1, settle_s=0.5) as load:\n"
        "    print(load.process.pid, flush=True); time.sleep(60)"
    )
    bench = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    competitor = int(bench.stdout.readline())
    os.kill(competitor, 0)  # running
    bench.send_signal(signal.SIGKILL)
    bench.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(competitor, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(competitor, signal.SIGKILL)
    raise AssertionError("the competing load outlived the bench that started it")

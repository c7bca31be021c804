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

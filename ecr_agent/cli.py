"""The ``ecr`` command: parse arguments, call one library function, print its result (JSON with ``--json``).

Each subcommand's work lives in the package that owns the step; this module only wires arguments to it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ecr_agent.config import DataNotFoundError, Paths, StoreBusyError, StoreNotBuiltError, force_offline

force_offline()

PROFILES = ("quick", "full", "smoke")


def _build(args: argparse.Namespace) -> dict[str, Any]:
    from ecr_agent.knowledge.build import build_knowledge

    return build_knowledge(Paths.from_env(), limit_movies=args.limit_movies)


def _train(args: argparse.Namespace) -> dict[str, Any]:
    targets = ("emotion", "feedback", "ranker", "generator") if args.target == "all" else (args.target,)
    report: dict[str, Any] = {}
    paths = Paths.from_env()
    for target in targets:
        if target == "emotion":
            from ecr_agent.emotion.training import train_emotion as train
        elif target == "feedback":
            from ecr_agent.feedback.training import train_feedback as train
        elif target == "ranker":
            from ecr_agent.ranker.training import train_ranker as train
        else:
            from ecr_agent.generator.training import train_generator as train
        seeded = {} if target == "feedback" else {"seed": args.seed}  # the feedback head is tiny: no seeds
        report[target] = train(profile=args.profile, paths=paths, **seeded)
    return report if len(targets) > 1 else report[targets[0]]


def _eval(args: argparse.Namespace) -> dict[str, Any]:
    paths = Paths.from_env()
    if args.target == "emotion":
        from ecr_agent.emotion.evaluation import evaluate_gold_file

        if args.gold is None:
            raise SystemExit("ecr eval emotion needs --gold FILE (JSON lines with `text` and `labels`)")
        return evaluate_gold_file(Path(args.gold), paths)
    if args.target == "reply":
        from ecr_agent.reply_eval import evaluate_replies

        out = Path(args.out) if args.out else None
        return evaluate_replies(split=args.split, limit=args.limit, out=out, paths=paths)
    if args.target == "ranker":
        from ecr_agent.ranker.evaluation import evaluate_ranker

        return evaluate_ranker(split=args.split, seeds=args.seeds, paths=paths, items=args.items)
    from ecr_agent.generator.evaluation import evaluate_generator

    return evaluate_generator(split=args.split, limit=args.limit, paths=paths)


def _predict(args: argparse.Namespace) -> dict[str, Any]:
    from ecr_agent.ranker.evaluation import predict_ranker

    return predict_ranker(split=args.split, out=Path(args.out), paths=Paths.from_env())


def _chat(args: argparse.Namespace) -> dict[str, Any] | None:
    from ecr_agent.terminal import chat_once, chat_repl

    if args.once is None:
        chat_repl()
        return None
    history = json.loads(Path(args.history).read_text()) if args.history else []
    return chat_once(args.once, history=history)


def _bench(args: argparse.Namespace) -> dict[str, Any]:
    from ecr_agent.bench import run_bench

    return run_bench(turns=args.turns, int8=args.int8, runtime=args.runtime, under_load=args.under_load)


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    from ecr_agent.demo import run_demo

    return run_demo(profile=args.profile)


def build_parser() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)  # accepted before or after the subcommand (DESIGN.md)
    shared.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object")
    shared.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log progress details")
    parser = argparse.ArgumentParser(
        prog="ecr", description="Empathetic Conversational Recommender (ECR), offline.", parents=[shared]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = partial(commands.add_parser, parents=[shared])

    build = command("build", help="build the RDF graph and the Chroma collections into $ECR_STORE_DIR")
    build.add_argument("--limit-movies", type=int, default=None, help="only the first N movies (for a quick try)")
    build.set_defaults(run=_build)

    train = command("train", help="train a model into $ECR_STORE_DIR/models")
    train.add_argument("target", choices=("emotion", "feedback", "ranker", "generator", "all"))
    train.add_argument("--profile", choices=PROFILES, default="full")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(run=_train)

    evaluate = command("eval", help="evaluate a trained model")
    evaluate.add_argument("target", choices=("emotion", "ranker", "generator", "reply"))
    evaluate.add_argument("--gold", help="emotion: JSON lines with `text` and `labels`")
    evaluate.add_argument("--split", default="test", choices=("valid", "test"))
    evaluate.add_argument("--seeds", type=int, nargs="*", default=None, help="ranker: trained seeds to report")
    evaluate.add_argument("--limit", type=int, default=200, help="generator, reply: held-out turns to evaluate")
    evaluate.add_argument("--out", help="reply: also write the replies here (JSON lines)")
    evaluate.add_argument(
        "--items",
        default="all",
        choices=("all", "kg"),
        help="ranker: rank every ReDial movie (all) or, as the reference code does, only the KG movies (kg)",
    )
    evaluate.set_defaults(run=_eval)

    predict = command("predict", help="write per-sample ranker predictions as JSON lines")
    predict.add_argument("target", choices=("ranker",))
    predict.add_argument("--split", default="test", choices=("valid", "test"))
    predict.add_argument("--out", required=True)
    predict.set_defaults(run=_predict)

    chat = command("chat", help="talk to ECR (interactive, or one turn with --once)")
    chat.add_argument("--once", metavar="TEXT", help="answer one user message and exit")
    chat.add_argument("--history", metavar="FILE", help='JSON list of {"role": "user"|"assistant", "content": str}')
    chat.set_defaults(run=_chat)

    bench = command("bench", help="latency, throughput and memory of one chat turn")
    bench.add_argument("--turns", type=int, default=10)
    bench.add_argument("--int8", action="store_true", help="the torch generator with int8 weights")
    bench.add_argument(
        "--runtime", choices=("auto", "llama.cpp", "torch"), default="auto", help="the generator's runtime"
    )
    bench.add_argument(
        "--under-load", action="store_true", help="also time the turns while another process keeps every core busy"
    )
    bench.set_defaults(run=_bench)

    demo = command("demo", help="build and train what is missing, then play a short conversation")
    demo.add_argument("--profile", choices=PROFILES, default="quick")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    args = build_parser().parse_args(argv)
    args.json, args.verbose = getattr(args, "json", False), getattr(args, "verbose", False)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        result = args.run(args)
    except (DataNotFoundError, StoreNotBuiltError, StoreBusyError) as error:  # one line, no traceback
        print(f"ecr: {error}", file=sys.stderr)
        return 2
    if result is not None:
        out(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

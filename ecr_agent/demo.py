"""``ecr demo``: build and train whatever is missing (with progress bars), then play a short scripted conversation."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from ecr_agent.config import Paths, StoreNotBuiltError

SCRIPT = (
    "Hi there!",
    "I really loved The Notebook and Titanic, they made me cry in the best way.",
    "Hmm, I watched that one last year and honestly hated it. Too slow for me.",
    "Oh that sounds lovely, thank you! Anything a bit funnier too?",
)


def _missing(paths: Paths) -> list[str]:
    """Which steps have no artefact yet, in build order."""
    from ecr_agent.knowledge.stores import KnowledgeStore

    missing = []
    try:
        store = KnowledgeStore.connect(paths)
        store.check("triples")
        store.check("reviews")
    except StoreNotBuiltError:
        missing.append("build")
    checks = {
        "emotion": lambda: __import__("ecr_agent.emotion.inference", fromlist=["x"]).EmotionPredictor.load(paths),
        "feedback": lambda: __import__("ecr_agent.feedback", fromlist=["x"]).FeedbackReader.load(paths),
        "ranker": lambda: __import__("ecr_agent.ranker.inference", fromlist=["x"]).EmotionAwareRanker.load(
            paths, detector=None
        ),
        "generator": lambda: _check_generator(paths),
    }
    for name, check in checks.items():
        try:
            check()
        except StoreNotBuiltError:
            missing.append(name)
    return missing


def _check_generator(paths: Paths) -> None:
    from ecr_agent.generator.model import adapter_dir, check_adapter

    check_adapter(adapter_dir(paths))


def ensure_built(paths: Paths, profile: str, log: Callable[[str], None]) -> dict[str, float]:
    """Run ``ecr build`` / ``ecr train X`` for each missing artefact; return seconds per step."""
    seconds: dict[str, float] = {}
    for step in _missing(paths):
        log(f"[demo] {step}: not found under {paths.store_dir}, building it now ({profile} profile)...")
        started = time.perf_counter()
        if step == "build":
            from ecr_agent.knowledge.build import build_knowledge

            build_knowledge(paths)
        elif step == "emotion":
            from ecr_agent.emotion.training import train_emotion

            train_emotion(profile=profile, paths=paths)
        elif step == "feedback":
            from ecr_agent.feedback.training import train_feedback

            train_feedback(profile=profile, paths=paths)
        elif step == "ranker":
            from ecr_agent.ranker.training import train_ranker

            train_ranker(profile=profile, paths=paths)
        else:
            from ecr_agent.generator.training import train_generator

            train_generator(profile=profile, paths=paths)
        seconds[step] = round(time.perf_counter() - started, 1)
    return seconds


def run_demo(profile: str = "quick", out: TextIO = sys.stdout, script: tuple[str, ...] = SCRIPT) -> dict[str, Any]:
    """Build what is missing, then play ``script`` turn by turn, streaming each reply; return a summary."""
    from ecr_agent.chain import ECRChain
    from ecr_agent.terminal import format_emotions

    def log(line: str) -> None:
        print(line, file=out, flush=True)

    paths = Paths.from_env()
    built = ensure_built(paths, profile, log)
    log("[demo] loading ECR...")
    chain = ECRChain.from_store(paths=paths, strict=True)
    history: list[dict[str, str]] = []
    turns = []
    for text in script:
        history.append({"role": "user", "content": text})
        log(f"\nuser> {text}")
        response = None
        for chunk in chain.stream({"messages": history}):
            if response is None:  # the first chunk: the emotions and movies, and the opening sentence
                log(f"      [emotions: {format_emotions(chunk.emotions[-1] if chunk.emotions else {})}]")
                print("ecr>  ", end="", file=out, flush=True)
            response = chunk if response is None else response + chunk
            print(chunk.reply, end="", file=out, flush=True)
        assert response is not None
        log("")
        for rec in response.recommendations[:3]:
            log(f"      * {rec.title} — {'; '.join(rec.evidence[:2]) or 'popular pick'}")
        history.append({"role": "assistant", "content": response.reply})
        turns.append({"user": text, **response.to_dict()})
    return {"built": built, "turns": [{"user": t["user"], "reply": t["reply"]} for t in turns]}

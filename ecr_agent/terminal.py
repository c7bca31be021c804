"""``ecr chat``: talk to ECR in a terminal (streamed replies, the top movies with why, the detected emotions)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from ecr_agent.chain import ECRChain, to_turns

HELP = "Commands: /why (evidence for the picks), /reset (forget the conversation), /quit"


def chat_once(text: str, history: list[dict[str, str]] | None = None, chain: ECRChain | None = None) -> dict[str, Any]:
    """One turn after ``history`` (``[{"role": "user"|"assistant", "content": str}]``); the ``--json`` contract."""
    if not isinstance(history, list) or not all(isinstance(m, dict) for m in history):
        raise ValueError('--history must be a JSON list of {"role": "user"|"assistant", "content": str}')
    chain = chain or ECRChain.from_store()
    return chain.invoke({"messages": [*history, {"role": "user", "content": text}]}).to_dict()


def format_emotions(emotions: dict[str, float]) -> str:
    return ", ".join(f"{label} {prob:.2f}" for label, prob in emotions.items()) or "unknown"


def chat_repl(
    chain: ECRChain | None = None,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
) -> list[dict[str, str]]:
    """Interactive loop until ``/quit`` or end of input; returns the conversation."""
    if chain is None:
        print("Loading ECR (emotion classifier, ranker, knowledge, generator)...", file=out, flush=True)
        chain = ECRChain.from_store()
    history: list[dict[str, str]] = []
    last = None
    print(f"ECR is ready. Tell me about movies you like or dislike. {HELP}", file=out, flush=True)
    while True:
        try:
            text = read("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not text:
            continue
        if text == "/quit":
            break
        if text == "/reset":
            history, last = [], None
            print("(conversation forgotten)", file=out, flush=True)
            continue
        if text == "/why":
            explain(last, out)
            continue
        if text.startswith("/"):
            print(HELP, file=out, flush=True)
            continue
        messages = [*history, {"role": "user", "content": text}]
        chunks = chain.stream({"messages": messages})
        try:
            last = next(chunks)  # the movies, emotions and opening sentence, shown while the rest is generated
        except ValueError as error:
            print(f"(could not use that: {error})", file=out, flush=True)
            continue
        print(f"  [you feel: {format_emotions(last.emotions[-1] if last.emotions else {})}]", file=out, flush=True)
        print(f"ecr> {last.reply}", end="", file=out, flush=True)
        for chunk in chunks:
            last += chunk
            print(chunk.reply, end="", file=out, flush=True)
        print(file=out, flush=True)
        for rec in last.recommendations[:3]:
            why = "; ".join(rec.evidence[:3]) or ("popular pick" if rec.popular_fallback else "")
            print(f"  * {rec.title} ({rec.score:.2f}) {why}", file=out, flush=True)
        history = [*messages, {"role": "assistant", "content": last.reply}]
    return history


def explain(response: Any, out: TextIO) -> None:
    """Print the evidence and knowledge behind the last answer."""
    if response is None:
        print("(nothing to explain yet)", file=out, flush=True)
        return
    for rec in response.recommendations:
        print(f"  {rec.title}: {', '.join(rec.evidence) or 'no evidence recorded'}", file=out, flush=True)
    for item in response.knowledge:
        print(f"  knowledge: {item['text'][:160]}", file=out, flush=True)
    for note in response.notes:
        print(f"  note: {note}", file=out, flush=True)


__all__ = ["chat_once", "chat_repl", "to_turns"]

"""LLM-as-judge with the paper's five dimensions (Sec. 5.3), each scored 0-9, by any LangChain chat model.

The judge needs only ``chat_model.invoke(messages)`` returning a message with text content, so this module does
not import LangChain: pass ``ChatOpenAI(model="gpt-4-turbo", temperature=0)`` (the paper's scorer), a local chat
model, or a fake one in tests. Replies are parsed robustly: a JSON object anywhere in the text, else
``name: score`` lines; a dimension the judge left out comes back as NaN (never a made-up value).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

DIMENSIONS: dict[str, str] = {
    "emotional_intensity": "the strength of the emotions the reply conveys to the user",
    "emotional_persuasiveness": "how well it connects with the user emotionally to persuade them",
    "logic_persuasiveness": "how well it uses logical reasoning and coherent arguments to persuade",
    "informativeness": "how much useful information about the recommended movie it gives",
    "lifelikeness": "how vivid and engaging it is, how much it resembles natural human conversation",
}
SCALE = (0.0, 9.0)
ALIASES = {
    "emo_int": "emotional_intensity",
    "emo_pers": "emotional_persuasiveness",
    "log_pers": "logic_persuasiveness",
    "logical_persuasiveness": "logic_persuasiveness",
    "info": "informativeness",
    "life": "lifelikeness",
    "lifelike": "lifelikeness",
}
SYSTEM = (
    "You are an impartial judge of a conversational movie recommender. Given the conversation and the "
    "recommender's reply, score the reply from 0 (none) to 9 (excellent) on each dimension:\n"
    + "\n".join(f"- {name}: {meaning}" for name, meaning in DIMENSIONS.items())
    + "\nAnswer with one JSON object and nothing else, e.g. "
    + json.dumps(dict.fromkeys(DIMENSIONS, 5))
)


class LLMJudge:
    """Scores replies with a chat model on the five ECR dimensions.

    Usage:
        .. code-block:: python

            from langchain_openai import ChatOpenAI          # any LangChain chat model works
            from ecr_agent.evaluation.judge import LLMJudge

            judge = LLMJudge(ChatOpenAI(model="gpt-4-turbo", temperature=0))
            judge.score("User: I loved Titanic (1997)!", "You should watch The Notebook (2004). I cried ...")
            # {"emotional_intensity": 7.0, "emotional_persuasiveness": 6.0, ...}
    """

    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    def messages(self, context: str, response: str) -> list[tuple[str, str]]:
        user = f"Conversation:\n{context.strip()}\n\nRecommender's reply:\n{response.strip()}\n\nScores (JSON):"
        return [("system", SYSTEM), ("human", user)]

    def score(self, context: str, response: str) -> dict[str, float]:
        """Scores of one reply, ``{dimension: 0..9}``; NaN where the judge gave none."""
        answer = self.chat_model.invoke(self.messages(context, response))
        return parse_scores(message_text(answer))

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
        """Mean score per dimension over ``(context, response)`` pairs (NaNs skipped) and ``parsed`` (share)."""
        rows = [self.score(context, response) for context, response in pairs]
        means: dict[str, float] = {}
        for name in DIMENSIONS:
            values = [r[name] for r in rows if not math.isnan(r[name])]
            means[name] = sum(values) / len(values) if values else math.nan
        complete = sum(all(not math.isnan(v) for v in r.values()) for r in rows)
        means["parsed"] = complete / len(rows) if rows else 0.0
        return means


def message_text(message: Any) -> str:
    """Text of a chat-model answer: a string, a message with ``content`` (string or content blocks)."""
    if isinstance(message, str):
        return message
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return str(content)


def parse_scores(text: str) -> dict[str, float]:
    """Scores from a judge's answer: the first JSON object with known keys, else ``name: number`` pairs."""
    scores = dict.fromkeys(DIMENSIONS, math.nan)
    for candidate in re.findall(r"\{[^{}]*\}", text, flags=re.S):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        found = {_dimension(k): v for k, v in data.items() if _dimension(k)}
        if found:
            for name, value in found.items():
                scores[name] = _clamp(value)
            return scores
    pattern = r"([A-Za-z][A-Za-z _\-]+?)\s*[\"']?\s*[:=\-]\s*\"?(\d+(?:\.\d+)?)"
    for key, value in re.findall(pattern, text):
        name = _dimension(key)
        if name and math.isnan(scores[name]):
            scores[name] = _clamp(value)
    if any(math.isnan(v) for v in scores.values()):
        logger.warning("the judge's answer lacks some scores: %r", text[:200])
    return scores


def _dimension(key: object) -> str | None:
    name = re.sub(r"[\s\-]+", "_", str(key).strip().strip("\"'").lower())
    name = ALIASES.get(name, name)
    return name if name in DIMENSIONS else None


def _clamp(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    if math.isnan(number):
        return math.nan
    return min(SCALE[1], max(SCALE[0], number))

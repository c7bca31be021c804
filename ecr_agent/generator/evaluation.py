"""``ecr eval generator``: the template baseline, the base LM and the fine-tuned ECR generator side by side.

Held-out data: the ``test`` (or ``valid``) movies of the review examples — never trained on — with the review's
leading sentences as the reference; optionally ReDial test recommender turns, whose prompts come from the Chroma
store through `build_prompt` exactly as in a chat turn (reference: the human recommender's turn). Every system gets
the same opening sentence ("You should watch X."), so the template baseline is that sentence alone and the LMs
are judged on what they add. Metrics are computed on the reply a user sees (opening + continuation).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ecr_agent.config import Paths, force_offline
from ecr_agent.evaluation.generation import corpus_bleu, distinct_n, fact_targets, hallucination_stats, kg_coverage
from ecr_agent.generator.data import examples_for_split
from ecr_agent.generator.emotions import EmotionScorer, emotion_scorer, non_neutral
from ecr_agent.generator.prompt import GenerationPrompt, build_prompt
from ecr_agent.types import ChatTurn, Recommendation

force_offline()

logger = logging.getLogger(__name__)

SYSTEMS = ("template", "base", "ecr")
GENERATORS: dict[str, dict[str, Any]] = {
    "base": {"adapter": False, "runtime": "torch"},
    "ecr": {"runtime": "torch"},
    "ecr-int8": {"runtime": "torch", "int8": True},
    "ecr-llama.cpp": {"runtime": "llama.cpp", "weights": "q8_0"},
    "ecr-llama.cpp-f16": {"runtime": "llama.cpp", "weights": "f16"},
    "ecr-llama.cpp-q4_1": {"runtime": "llama.cpp", "weights": "q4_1+lora"},
    "ecr-llama.cpp-q4_0": {"runtime": "llama.cpp", "weights": "q4_0"},
}
"""How each LM system loads: ``ecr`` is the fine-tuned generator on the torch decoder (bfloat16 where native), the
reference the llama.cpp weight formats are paired against (docs/generator.md)."""


@dataclass(frozen=True)
class EvalCase:
    """One held-out turn: the prompt, the reference reply, and where it came from (``reviews`` / ``redial``)."""

    prompt: GenerationPrompt
    reference: str
    source: str


def review_cases(split: str, limit: int, paths: Paths, emotions: EmotionScorer | None = None) -> list[EvalCase]:
    """Held-out review examples (movies never trained on), at most ``limit``; ``emotions`` labels the seeker lines."""
    examples = examples_for_split(split, paths, emotions=emotions)  # type: ignore[arg-type]
    return [EvalCase(e.prompt, e.response, "reviews") for e in examples[:limit]]


def redial_cases(limit: int, paths: Paths, emotions: EmotionScorer | None = None) -> list[EvalCase]:
    """ReDial test recommender turns, prompts built from the Chroma store as a chat turn would build them."""
    from ecr_agent.data.movies import MovieCatalog
    from ecr_agent.data.redial import load_dialogues, render_mentions
    from ecr_agent.data.samples import dialogue_samples
    from ecr_agent.knowledge.stores import KnowledgeStore

    catalog = MovieCatalog.load(paths)
    store = KnowledgeStore.connect(paths)
    cases: list[EvalCase] = []
    for dialogue in load_dialogues("test", paths):
        for sample in dialogue_samples(dialogue, set(catalog.movies)):
            if not sample.dedup or sample.context[-1].role != "seeker":
                continue
            titles = {**catalog.titles, **dialogue.movie_mentions}
            turns = [
                ChatTurn("user" if t.role == "seeker" else "assistant", render_mentions(t.text, titles))
                for t in sample.context
            ]
            movie = catalog[sample.label]
            knowledge = store.search(turns[-1].content, "triples", k=8, movie_ids=[sample.label])
            knowledge += store.search(turns[-1].content, "reviews", k=1, movie_ids=[sample.label])
            feeling = emotions([turns[-1].content])[0] if emotions else {}
            recommendation = Recommendation(movie_id=sample.label, title=movie.title, score=1.0)
            prompt = build_prompt(turns, feeling, recommendation, knowledge)
            reply_turn = _turn_text(dialogue, sample.turn_index)
            cases.append(EvalCase(prompt, render_mentions(reply_turn, titles), "redial"))
            break  # one sample per dialogue keeps the set diverse
        if len(cases) >= limit:
            break
    return cases


def system_metrics(
    replies: Sequence[str], cases: Sequence[EvalCase], emotions: EmotionScorer | None
) -> dict[str, float | str]:
    """Distinct-1/2, BLEU-2/4, emotional-intensity proxy, KG coverage and hallucination of one system's replies."""
    references = [c.reference for c in cases]
    metrics: dict[str, float | str] = {
        "distinct_1": distinct_n(replies, 1),
        "distinct_2": distinct_n(replies, 2),
        "bleu_2": corpus_bleu(replies, references, max_n=2),
        "bleu_4": corpus_bleu(replies, references, max_n=4),
        "words_per_reply": statistics.mean(len(r.split()) for r in replies) if replies else 0.0,
    }
    if emotions is not None:
        metrics["emotional_intensity"] = statistics.mean(non_neutral(e) for e in emotions(list(replies)))
    else:
        metrics["emotional_intensity"] = "unavailable (no trained emotion classifier: run `ecr train emotion`)"
    metrics.update(kg_coverage(replies, [fact_targets(c.prompt.triples, c.prompt.entities) for c in cases]))
    metrics.update(hallucination_stats(replies, [c.prompt.knowledge_text() for c in cases]))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}


def evaluate_generator(
    split: str = "test",
    limit: int = 200,
    *,
    paths: Paths,
    systems: Sequence[str] = SYSTEMS,
    max_new_tokens: int = 60,
    redial_turns: int = 0,
    judge: Any | None = None,
    threads: int = 0,
    keep_replies: bool = False,
) -> dict[str, Any]:
    """Evaluate the systems on held-out turns; return metrics per source and system, and a few sample replies.

    Args:
        split: ``test`` (reported) or ``valid`` (model selection) review movies.
        limit: review examples to evaluate.
        paths: where the data and the stores are.
        systems: ``template`` or any of `GENERATORS`: ``base`` (no fine-tuning), ``ecr`` (fine-tuned, torch; needs
            ``ecr train generator``), ``ecr-int8`` (torch, int8 weights), ``ecr-llama.cpp`` (Q8_0), ``-f16``,
            ``-q4_1``, ``-q4_0``.
        max_new_tokens: generation budget per reply.
        redial_turns: also evaluate this many ReDial test recommender turns (needs ``ecr build``).
        judge: an `LLMJudge` to add the five 0-9 judge scores per system (optional).
        threads: torch threads (0 = the idle cores).
        keep_replies: add every reply, ``report["replies"][source][system]`` (for paired comparisons).
    """
    import torch

    from ecr_agent.generator.model import EmpatheticGenerator
    from ecr_agent.generator.training import choose_threads

    torch.set_num_threads(choose_threads(threads))
    scorer = emotion_scorer(paths)
    sources = {"reviews": review_cases(split, limit, paths, scorer)}
    if redial_turns > 0:
        sources["redial"] = redial_cases(redial_turns, paths, scorer)
    report: dict[str, Any] = {"split": split, "max_new_tokens": max_new_tokens, "sources": {}, "samples": []}
    replies: dict[str, dict[str, list[str]]] = {name: {} for name in sources}
    for system in systems:
        generator = None
        if system != "template":
            if system not in GENERATORS:
                raise ValueError(f"unknown system {system!r}; choose from template, {', '.join(GENERATORS)}")
            generator = EmpatheticGenerator.load(paths, **GENERATORS[system])
        for source, cases in sources.items():
            started = time.perf_counter()
            outputs = [_reply(generator, case.prompt, max_new_tokens) for case in cases]
            seconds = time.perf_counter() - started
            replies[source][system] = outputs
            metrics = system_metrics(outputs, cases, scorer)
            metrics["seconds_per_reply"] = round(seconds / max(len(cases), 1), 3)
            if judge is not None:
                pairs = [(_context(case.prompt), reply) for case, reply in zip(cases, outputs, strict=True)]
                metrics.update({f"judge_{k}": round(v, 3) for k, v in judge.score_many(pairs).items()})
            report["sources"].setdefault(source, {"examples": len(cases), "systems": {}})["systems"][system] = metrics
            logger.info("generator eval %s/%s: %s", source, system, metrics)
    if keep_replies:
        report["replies"] = replies
    for source, cases in sources.items():
        for index, case in enumerate(cases[:5]):
            sample = {"source": source, "movie": case.prompt.movie, "reference": case.reference}
            sample.update({system: replies[source][system][index] for system in systems})
            report["samples"].append(sample)
    return report


def _reply(generator: Any, prompt: GenerationPrompt, max_new_tokens: int) -> str:
    if generator is None:
        return prompt.opening
    return prompt.compose(generator.generate(prompt, max_new_tokens))


def _context(prompt: GenerationPrompt) -> str:
    lines = [f"{'User' if t.role == 'user' else 'Recommender'}: {t.content}" for t in prompt.dialogue]
    return "\n".join(lines) or f"User: Can you recommend a movie? (the recommender picked {prompt.movie})"


def _turn_text(dialogue: Any, turn_index: int) -> str:
    from ecr_agent.data.samples import merge_turns

    return merge_turns(dialogue)[turn_index].text

"""`ECRChain`: one empathetic recommendation turn as a LangChain runnable (a thin adapter over `ECRPipeline`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import patch_config, run_in_executor

from ecr_agent.config import Paths, StoreCorruptError, StoreNotBuiltError
from ecr_agent.loading import paused_gc
from ecr_agent.pipeline import ECRPipeline, KnowledgeSearch, PreparedTurn, StepRun, StepTracer, untraced
from ecr_agent.sentences import STOCK_PHRASES
from ecr_agent.types import ChatTurn, Emotions, Recommendation

logger = logging.getLogger(__name__)

ROLES: dict[str, Literal["user", "assistant"] | None] = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": None,
}


@dataclass
class ECRResponse:
    """What one turn returns: the reply, the ranked movies with evidence, emotions per user message, knowledge used."""

    reply: str
    recommendations: list[Recommendation] = field(default_factory=list)
    emotions: list[Emotions] = field(default_factory=list)
    knowledge: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    turned_down: list[dict[str, str]] = field(default_factory=list)
    """Movies the user turned down in the conversation, ``[{"movie_id", "title"}]`` (never recommended again)."""
    accepted: list[dict[str, str]] = field(default_factory=list)
    """Movies the user accepted (wants to watch, or liked)."""
    seen: list[dict[str, str]] = field(default_factory=list)
    """Movies the user said they have seen."""
    subject: dict[str, str] | None = None
    """The movie the reply talks about, ``{"movie_id", "title"}``: the first recommendation, or the movie the user
    asked about; None when the reply recommends nothing (small talk, a farewell)."""

    def __add__(self, other: ECRResponse) -> ECRResponse:
        """Streamed chunks add up to the whole response: the replies join, the first chunk carries the rest."""
        if not isinstance(other, ECRResponse):
            return NotImplemented
        return ECRResponse(
            reply=self.reply + other.reply,
            recommendations=self.recommendations or other.recommendations,
            emotions=self.emotions or other.emotions,
            knowledge=self.knowledge or other.knowledge,
            notes=[*self.notes, *(n for n in other.notes if n not in self.notes)],
            turned_down=self.turned_down or other.turned_down,
            accepted=self.accepted or other.accepted,
            seen=self.seen or other.seen,
            subject=self.subject or other.subject,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``ecr chat --once --json`` contract)."""
        return {
            "reply": self.reply,
            "recommendations": [
                {
                    "movie_id": r.movie_id,
                    "title": r.title,
                    "score": r.score,
                    "evidence": r.evidence,
                    "popular_fallback": r.popular_fallback,
                }
                for r in self.recommendations
            ],
            "emotions": self.emotions,
            "knowledge": [
                {"text": k["text"], "kind": k.get("kind"), "movie_id": k["metadata"].get("movie_id")}
                for k in self.knowledge
            ],
            "notes": self.notes,
            "turned_down": self.turned_down,
            "accepted": self.accepted,
            "seen": self.seen,
            "subject": self.subject,
        }


def to_turns(messages: Sequence[BaseMessage | dict[str, Any]]) -> list[ChatTurn]:
    """Normalise LangChain messages or ``{"role", "content"}`` dicts; system messages are dropped.

    Raises:
        ValueError: on an empty list, an unknown role, non-text content, or no user message at all.
    """
    if not messages:
        raise ValueError("messages is empty: pass at least one user message, e.g. [{'role': 'user', 'content': 'hi'}]")
    turns: list[ChatTurn] = []
    for number, message in enumerate(messages):
        if isinstance(message, BaseMessage):
            role, content = message.type, message.content
        elif isinstance(message, dict) and "content" in message:
            role, content = str(message.get("role", "")), message["content"]
        else:
            raise ValueError(f"message {number} is neither a LangChain message nor a {{'role', 'content'}} dict")
        if role not in ROLES:
            raise ValueError(f"message {number} has unknown role {role!r}; use one of {sorted(ROLES)}")
        if not isinstance(content, str):
            raise ValueError(f"message {number}: content must be text, got {type(content).__name__}")
        if (speaker := ROLES[role]) is not None:
            turns.append(ChatTurn(speaker, content))
    if not any(t.role == "user" for t in turns):
        raise ValueError("the conversation has no user message to answer")
    return turns


class ECRChain(Runnable[dict, ECRResponse]):
    """Empathetic Conversational Recommender: emotions → emotion-aware ranking → knowledge → empathetic reply.

    Setup:
        ``bash run.sh demo`` (or ``ecr build`` and ``ecr train all``) builds what the chain loads.

    Instantiate:
        .. code-block:: python

            from ecr_agent import ECRChain

            chain = ECRChain.from_store()                      # local SmolLM2 + LoRA generator
            chain = ECRChain.from_store(chat_model=my_llm)     # or any LangChain chat model

    Invoke, stream, batch:
        .. code-block:: python

            result = chain.invoke({"messages": [{"role": "user", "content": "I loved Titanic, any ideas?"}]})
            result.reply, result.recommendations[0].title, result.emotions
            for chunk in chain.stream({"messages": [...]}):       # ECRResponse chunks that add up to the result
                print(chunk.reply, end="")
            for piece in chain.stream_text({"messages": [...]}):  # or just the reply's text as it is generated
                print(piece, end="")

    Tracing: every call is one LangChain run named ``ECRChain`` with a child run per step (``emotions``,
    ``feedback``, ``ranking``, ``retrieval``, ``generation``; the chat model's own run inside ``generation``), so
    any callback handler or tracer shows where a turn spent its time.
    """

    def __init__(self, pipeline: ECRPipeline, chat_model: BaseChatModel, notes: Sequence[str] = ()) -> None:
        self.pipeline = pipeline
        self.chat_model = chat_model
        self.notes = list(notes)

    @classmethod
    def from_store(
        cls,
        path: str | None = None,
        chat_model: BaseChatModel | None = None,
        strict: bool = False,
        k: int = 5,
        int8: bool = False,
        runtime: str = "auto",
        knowledge: KnowledgeSearch | None = None,
        paths: Paths | None = None,
    ) -> ECRChain:
        """Load every built part from ``path`` (default ``$ECR_STORE_DIR``); missing parts degrade unless ``strict``.

        ``paths``: the data folder and the store to read, ``Paths(data_dir=..., store_dir=...)`` (default: from
        ``ECR_DATA_DIR``, ``ECR_STORE_DIR`` and ``ECR_CHROMA_HOST``); ``path`` replaces its store folder.

        ``runtime``: our generator on ``llama.cpp`` (the default when `llama-cpp-python` is installed) or ``torch``;
        ``int8``: the torch generator with int8 weights (see docs/generator.md). ``result.notes`` says which runs.
        ``knowledge``: where facts and review snippets come from instead of our Chroma stores, e.g. your own
        LangChain vector stores as `ecr_agent.integrations.VectorStoreKnowledge`.
        """
        with paused_gc():  # 0.5 s of a 3.4 s load went to re-scanning what was just loaded (ecr_agent/loading.py)
            return cls._load(path, chat_model, strict, k, int8, runtime, knowledge, paths)

    @classmethod
    def _load(
        cls,
        path: str | None,
        chat_model: BaseChatModel | None,
        strict: bool,
        k: int,
        int8: bool,
        runtime: str,
        knowledge: KnowledgeSearch | None,
        paths: Paths | None,
    ) -> ECRChain:
        paths = paths or Paths.from_env()
        if path is not None:
            paths = replace(paths, store_dir=Path(path).resolve())
        pipeline = ECRPipeline.from_store(paths, strict=strict, k=k, knowledge=knowledge)
        notes = []
        if chat_model is None:
            from ecr_agent.generator.llama_runtime import runtime_note
            from ecr_agent.generator.model import EmpatheticGenerator
            from ecr_agent.integrations.chat_model import ECRChatModel

            try:
                generator = EmpatheticGenerator.load(paths, int8=int8, runtime=runtime)
            except StoreNotBuiltError as error:
                if strict:
                    raise
                damaged = isinstance(error, StoreCorruptError)
                why = str(error) if damaged else "generator adapter not trained (`ecr train generator`)"
                notes.append(f"{why}: base SmolLM2 without fine-tuning")
                generator = EmpatheticGenerator.load(paths, adapter=False, int8=int8, runtime=runtime)
            notes.append(runtime_note(generator.runtime, generator.runtime_problem))
            chat_model = ECRChatModel(generator=generator)
        return cls(pipeline, chat_model, notes)

    def prepare(self, input: dict[str, Any], step: StepTracer | None = None) -> PreparedTurn:
        """Everything before the language model (emotions, ranking, knowledge, prompt) for ``{"messages": [...]}``."""
        if not isinstance(input, dict) or "messages" not in input:
            raise ValueError("ECRChain expects {'messages': [...]}")
        turns = to_turns(input["messages"])
        return self.pipeline.prepare(turns, step or untraced)

    def _prompt_messages(self, turn: PreparedTurn) -> list[BaseMessage]:
        fit = getattr(getattr(self.chat_model, "generator", None), "fit", None)
        if fit is not None:  # our generator reads at most MAX_PROMPT_TOKENS: shed the oldest turns to fit
            turn.prompt = fit(turn.prompt)
        kinds = {"system": SystemMessage, "user": HumanMessage}
        return [kinds[role](content) for role, content in turn.prompt.messages()]

    def _decoding(self, turn: PreparedTurn) -> dict[str, Any]:
        """Decoding constraints for a chat model that declares ``supports_decoding_constraints`` (ours does): do not
        name the movies turned down or picked before (a small model copies them from the dialogue), and do not repeat
        earlier replies. A chat model without the flag gets plain calls."""
        if turn.prompt is None or not getattr(self.chat_model, "supports_decoding_constraints", False):
            return {}
        current = turn.prompt.movie.lower()  # "Toy Story" must stay writable when recommending "Toy Story 2"
        return {
            "avoid_phrases": tuple(sorted(n for n in set(turn.avoid_names) if n and n.lower() not in current)),
            # earlier replies, and the user's last message ("I am a movie of family types or horror" came back
            # word for word as a generated sentence, replayed ReDial test 22977)
            "avoid_echo_of": tuple(t.content for t in turn.turns if t.role == "assistant") + (turn.turns[-1].content,),
            "avoid_sequences": STOCK_PHRASES,
        }

    def _response(self, turn: PreparedTurn, continuation: str, opening_only: bool = False) -> ECRResponse:
        if turn.prompt is None or opening_only:
            reply = turn.opening
        else:
            reply = turn.prompt.compose(self.pipeline.gate.filter(continuation, turn.subject_id, turn.opening))
        return ECRResponse(
            reply=reply,
            recommendations=turn.recommendations,
            emotions=[e or {} for e, t in zip(turn.emotions, turn.turns, strict=True) if t.role == "user"],
            knowledge=turn.knowledge,
            notes=[*self.notes, *turn.notes],
            turned_down=self._movies(turn.rejected),
            accepted=self._movies(turn.accepted),
            seen=self._movies(turn.seen),
            subject=self._movie(turn.subject_id),
        )

    def _movies(self, movie_ids: Sequence[str]) -> list[dict[str, str]]:
        return [movie for movie in map(self._movie, movie_ids) if movie is not None]

    def _movie(self, movie_id: str | None) -> dict[str, str] | None:
        movie = self.pipeline.linker.catalog.get(movie_id) if movie_id is not None else None
        return {"movie_id": movie.movie_id, "title": movie.title} if movie is not None else None

    def invoke(self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> ECRResponse:
        return self._call_with_config(self._invoke, input, config, **kwargs)

    def _invoke(
        self, input: dict[str, Any], run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> ECRResponse:
        step = step_tracer(run_manager)
        turn = self.prepare(input, step)
        if turn.prompt is None:
            return self._response(turn, "")
        with step("generation", {"prompt": turn.prompt.render()}) as run:
            messages = self._prompt_messages(turn)
            message = self.chat_model.invoke(messages, config=_inside(config, run), **self._decoding(turn))
            run.outputs["text"] = str(message.content)
        return self._response(turn, str(message.content))

    async def ainvoke(self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> ECRResponse:
        return await run_in_executor(config, self.invoke, input, config)

    def stream(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[ECRResponse]:
        """Yield `ECRResponse` chunks that add up to what `invoke` returns: the first carries the movies, the subject,
        emotions, knowledge, notes, the feedback read and the opening sentence; each later one a generated sentence
        (``chunk.reply``). The first comes as soon as the turn is prepared, before the language model runs."""
        yield from self._transform_stream_with_config(iter([input]), self._stream_chunks, config, **kwargs)

    async def astream(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[ECRResponse]:
        """`stream`, for asyncio (the turn runs in an executor thread)."""

        async def one() -> AsyncIterator[dict[str, Any]]:
            yield input

        async for chunk in self._atransform_stream_with_config(one(), self._astream_chunks, config, **kwargs):
            yield chunk

    def stream_text(self, input: dict[str, Any], config: RunnableConfig | None = None) -> Iterator[str]:
        """The reply's text as it is generated: the opening sentence first, then each kept sentence (traced as
        `stream`)."""
        for chunk in self.stream(input, config):
            yield chunk.reply

    async def astream_text(self, input: dict[str, Any], config: RunnableConfig | None = None) -> AsyncIterator[str]:
        """`stream_text`, for asyncio."""
        async for chunk in self.astream(input, config):
            yield chunk.reply

    def _stream_chunks(
        self, inputs: Iterator[dict[str, Any]], run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> Iterator[ECRResponse]:
        for input in inputs:
            yield from self._chunks(input, run_manager, config)

    async def _astream_chunks(
        self,
        inputs: AsyncIterator[dict[str, Any]],
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> AsyncIterator[ECRResponse]:
        async for input in inputs:
            chunks = self._chunks(input, run_manager.get_sync(), config)
            while (chunk := await run_in_executor(config, next, chunks, None)) is not None:
                yield chunk

    def _chunks(
        self, input: dict[str, Any], run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> Iterator[ECRResponse]:
        step = step_tracer(run_manager)
        turn = self.prepare(input, step)
        yield self._response(turn, "", opening_only=True)
        if turn.prompt is not None:
            with step("generation", {"prompt": turn.prompt.render()}) as run:
                pieces = self._generate(turn, _inside(config, run))
                for piece in pieces:
                    yield ECRResponse(reply=piece)
                run.outputs["text"] = "".join(pieces.seen)

    def _generate(self, turn: PreparedTurn, config: RunnableConfig | None) -> _Pieces:
        """The generated sentences the gate keeps, streamed from the chat model."""
        assert turn.prompt is not None
        chunks = self.chat_model.stream(self._prompt_messages(turn), config=config, **self._decoding(turn))
        pieces = (str(chunk.content) for chunk in chunks)
        return _Pieces(self.pipeline.gate.stream(pieces, turn.subject_id, turn.opening))


class _Pieces:
    """The gate's kept sentences as they stream, remembering them (the generation step's output)."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces
        self.seen: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            self.seen.append(piece)
            yield piece


def step_tracer(run_manager: CallbackManagerForChainRun) -> StepTracer:
    """A `StepTracer` that opens each step as a named child run of ``run_manager``'s run."""

    @contextmanager
    def step(name: str, inputs: dict[str, Any]) -> Iterator[StepRun]:
        child = run_manager.get_child().on_chain_start(None, inputs, name=name)
        run = StepRun(callbacks=child.get_child())
        try:
            yield run
        except BaseException as error:
            child.on_chain_error(error)
            raise
        child.on_chain_end(run.outputs)

    return step


def _inside(config: RunnableConfig | None, run: StepRun) -> RunnableConfig:
    """``config`` for a call made inside a traced step (its runs become the step's children)."""
    return patch_config(config, callbacks=run.callbacks) if run.callbacks is not None else (config or {})


__all__ = ["ECRChain", "ECRResponse", "to_turns"]

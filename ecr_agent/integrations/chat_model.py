"""`ECRChatModel`: the empathetic generator as a LangChain chat model (a thin edge adapter).

Because the generator is a ``BaseChatModel`` like any other, the ECR chain can take any chat model in its place —
a hosted LLM, say — and send it the same messages (`GenerationPrompt.messages`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from ecr_agent.config import Paths
from ecr_agent.generator.model import EmpatheticGenerator

ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ECRChatModel(BaseChatModel):
    """The LoRA-tuned SmolLM2 reply generator behind LangChain's chat-model interface.

    Setup:
        ``ecr train generator --profile quick`` (the adapter), under ``$ECR_STORE_DIR``.

    Instantiate:
        .. code-block:: python

            from ecr_agent.integrations.chat_model import ECRChatModel

            llm = ECRChatModel.from_env(max_new_tokens=60)

    Invoke with the generation prompt (or any chat):
        .. code-block:: python

            from ecr_agent.generator import build_prompt

            prompt = build_prompt(turns, emotions, recommendation, knowledge)
            llm.invoke(prompt.messages()).content      # the continuation after prompt.opening
            for chunk in llm.stream(prompt.messages()):
                print(chunk.content, end="")

    Usage: a reply's ``usage_metadata`` counts the prompt's and the generated tokens, and ``response_metadata`` names
    the model (``model_name``) and why decoding stopped (``stop_reason``: ``eos``, ``sentence``, ``newline``,
    ``budget`` or ``stop_sequence``); a stream carries them on its last chunk (``chunk_position="last"``).

    Decoding constraints: a call may pass ``avoid_phrases`` (never write these, e.g. titles the user turned down),
    ``avoid_echo_of`` (earlier replies whose n-grams are not written again) and ``avoid_sequences`` (phrases never
    written whole); see `ecr_agent.generator.decoding.DecodingConfig`. `ECRChain` passes them to any chat model whose
    ``supports_decoding_constraints`` is True, this one included.

    A hosted model can stand in with the same messages, e.g. ``ChatOpenAI(model="gpt-4o-mini")``.
    """

    supports_decoding_constraints: ClassVar[bool] = True
    """Takes ``avoid_phrases`` / ``avoid_echo_of`` / ``avoid_sequences`` per call (the chain checks this flag)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    generator: EmpatheticGenerator
    """The loaded generator (base + merged adapter)."""
    max_new_tokens: int = 60
    """Token budget per reply."""
    model: str = "ecr-smollm2"
    """The model's name in traces (LangSmith's ``ls_model_name``)."""
    max_tokens: int | None = None
    """LangChain's standard name for the budget; when set it wins over ``max_new_tokens``."""
    temperature: float = 0.0
    """0 = greedy (the default); otherwise nucleus sampling at this temperature."""
    stop: list[str] | None = None
    """Stop sequences used when a call passes none."""
    streaming: bool = False
    """LangChain's standard flag; ``invoke`` streams internally either way, so it changes nothing here."""

    @classmethod
    def from_env(cls, adapter: bool = True, **kwargs: Any) -> ECRChatModel:
        """Load the generator from ``$ECR_STORE_DIR`` (``adapter=False``: the base model without fine-tuning)."""
        return cls(generator=EmpatheticGenerator.load(Paths.from_env(), adapter=adapter), **kwargs)

    @property
    def _llm_type(self) -> str:
        return "ecr-smollm2"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.generator.name, "max_new_tokens": self.budget, "runtime": self.generator.runtime}

    @property
    def budget(self) -> int:
        return self.max_tokens if self.max_tokens is not None else self.max_new_tokens

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        name = kwargs.get("model") if isinstance(kwargs.get("model"), str) else self.model
        params = LangSmithParams(ls_provider="ecr-agent", ls_model_type="chat", ls_model_name=name)
        params["ls_temperature"] = float(kwargs.get("temperature", self.temperature))
        params["ls_max_tokens"] = int(kwargs.get("max_tokens", self.budget))
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        full = AIMessageChunk(content="")
        for chunk in self._stream(messages, stop, run_manager, **kwargs):
            full += chunk.message
        message = AIMessage(
            content=str(full.content).strip(),
            usage_metadata=full.usage_metadata,
            response_metadata=full.response_metadata,
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        pairs = [(ROLES.get(m.type, "user"), str(m.text)) for m in messages]
        stop = stop or self.stop
        budget = int(kwargs.pop("max_new_tokens", kwargs.pop("max_tokens", self.budget)))
        kwargs.setdefault("temperature", self.temperature)
        stats: dict[str, Any] = {}
        text = ""
        stopped = False
        for piece in self.generator.stream_messages(pairs, max_new_tokens=budget, stats=stats, **kwargs):
            piece, stopped = _cut_at_stop(text, piece, stop)
            text += piece
            if piece:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager is not None:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
            if stopped:
                break  # the decoding loop is closed here, releasing the generator for the next call
        yield ChatGenerationChunk(message=self._last_chunk(stats, text, stopped))

    def _last_chunk(self, stats: dict[str, Any], text: str, stopped: bool) -> AIMessageChunk:
        """The stream's closing chunk: no text, the token usage, the model's name and why decoding stopped."""
        if "total_s" in stats:
            output = int(stats["new_tokens"])
        else:  # a stop sequence closed decoding before it counted its tokens: count the text kept
            output = len(self.generator.tokenizer.encode(text, add_special_tokens=False))
        prompt = int(stats.get("prompt_tokens", 0))
        reason = "stop_sequence" if stopped else str(stats.get("stop_reason", "eos"))
        return AIMessageChunk(
            content="",
            chunk_position="last",
            usage_metadata=UsageMetadata(input_tokens=prompt, output_tokens=output, total_tokens=prompt + output),
            response_metadata={"model_name": self.generator.name, "stop_reason": reason},
        )


def _cut_at_stop(text: str, piece: str, stop: list[str] | None) -> tuple[str, bool]:
    """Trim ``piece`` where a stop sequence starts in ``text + piece``; say whether one was hit."""
    if not stop:
        return piece, False
    combined = text + piece
    positions = [combined.find(s, max(0, len(text) - len(s) + 1)) for s in stop if s]
    positions = [p for p in positions if p >= 0]
    if not positions:
        return piece, False
    return combined[len(text) : max(min(positions), len(text))], True

"""LangChain's own standard suites (`langchain-tests`) on our chat model, embeddings, retriever and four tools: the
contracts users of any LangChain component rely on.

The parts are the real ones on the tiny store; what the chat model does not support (tool calling, structured
output, JSON mode, image/audio/PDF/video input, a per-call model override, recorded HTTP) is declared, so only those
tests are skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
    ToolsIntegrationTests,
)
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests, ToolsUnitTests

from ecr_agent.integrations import MiniLMEmbeddings
from ecr_agent.integrations.chat_model import ECRChatModel
from ecr_agent.integrations.retriever import KnowledgeRetriever
from ecr_agent.tools import get_tools

pytestmark = pytest.mark.slow

_LOADED: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def generator(tiny_store) -> Any:
    from ecr_agent.config import Paths
    from ecr_agent.generator.model import EmpatheticGenerator
    from ecr_agent.knowledge.stores import KnowledgeStore

    _LOADED["generator"] = EmpatheticGenerator.load(Paths.from_env(), adapter=True)
    _LOADED["store"] = KnowledgeStore.connect(Paths.from_env())
    _LOADED["tools"] = {tool.name: tool for tool in get_tools()}
    return _LOADED["generator"]


class _ECRChatModelSuite:
    """The suites' hooks for `ECRChatModel`: the tiny store's generator, 8 tokens a reply, what it does not do."""

    @property
    def chat_model_class(self) -> type[ECRChatModel]:
        return ECRChatModel

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        """The suite's standard parameters minus those of hosted models: a local model has no key, timeout or retry."""
        params = super().standard_chat_model_params
        for hosted in ("api_key", "timeout", "max_retries"):
            params.pop(hosted, None)
        return params

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"generator": _LOADED["generator"], "max_new_tokens": 8}

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_tool_choice(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def supports_json_mode(self) -> bool:
        return False

    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_model_override(self) -> bool:
        """One generator is loaded per model object: ``model=`` on a call cannot switch to another."""
        return False

    @property
    def enable_vcr_tests(self) -> bool:
        """VCR replays recorded HTTP; a local model makes no HTTP calls to record."""
        return False


class TestECRChatModelUnit(_ECRChatModelSuite, ChatModelUnitTests):
    pass


class TestECRChatModelIntegration(_ECRChatModelSuite, ChatModelIntegrationTests):
    pass


def test_usage_counts_the_prompt_and_the_reply() -> None:
    """The suite checks usage's types; here its numbers: the prompt's tokens, the reply's, and a stop's effect."""
    generator = _LOADED["generator"]
    llm = ECRChatModel(generator=generator, max_new_tokens=8)
    messages = [HumanMessage("I loved Titanic, any ideas?")]
    result = llm.invoke(messages)
    usage = result.usage_metadata
    assert usage is not None and usage["input_tokens"] == len(generator.encode([("user", messages[0].text)]))
    assert 0 < usage["output_tokens"] <= 8 and usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert result.response_metadata["model_name"] == generator.name

    chunks = list(llm.stream(messages))
    assert chunks[-1].chunk_position == "last" and chunks[-1].usage_metadata == usage
    assert all(c.usage_metadata is None for c in chunks[:-1])  # usage is counted once

    words = result.text.split()
    assert len(words) >= 2
    stopped = llm.invoke(messages, stop=[words[-1]])
    assert stopped.response_metadata["stop_reason"] == "stop_sequence"
    assert stopped.usage_metadata is not None and stopped.usage_metadata["output_tokens"] < usage["output_tokens"]


class TestMiniLMEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[MiniLMEmbeddings]:
        return MiniLMEmbeddings


class TestMiniLMEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[MiniLMEmbeddings]:
        return MiniLMEmbeddings


class TestKnowledgeRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[KnowledgeRetriever]:
        return KnowledgeRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"store": _LOADED["store"]}

    @property
    def retriever_query_example(self) -> str:
        return "a romantic movie that made me cry"


TOOL_EXAMPLES = {
    "detect_emotions": {"text": "I hated that movie, it was way too long"},
    "recommend_movies": {"messages": [{"role": "user", "content": "I loved Toy Story, but horror scares me"}], "k": 3},
    "search_movie_knowledge": {"query": "who directed it", "movie": "The Exorcist"},
    "empathetic_reply": {"messages": [{"role": "user", "content": "I love romantic movies like The Notebook"}]},
}
"""One valid call per tool, as a tool-calling model would make it."""


class _OurTool:
    """The suites' hooks for one of our tools, taken from one `get_tools()` (the parts shared, as users get them)."""

    name: str

    @property
    def tool_constructor(self) -> BaseTool:
        return _LOADED["tools"][self.name]

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return TOOL_EXAMPLES[self.name]


for _name in TOOL_EXAMPLES:  # one unit and one integration suite per tool, e.g. TestDetectEmotionsToolsUnitTests
    for _suite in (ToolsUnitTests, ToolsIntegrationTests):
        _class = f"Test{_name.title().replace('_', '')}{_suite.__name__}"
        globals()[_class] = type(_class, (_OurTool, _suite), {"name": _name, "__module__": __name__})

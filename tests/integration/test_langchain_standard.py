"""LangChain's own standard suites (`langchain-tests`) on our chat model: the contract users of any chat model rely on.

The generator is the real one on the tiny store; what it does not support (tool calling, structured output, image
input) is declared, so only those tests are skipped.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from ecr_agent.generator.chat_model import ECRChatModel
from ecr_agent.knowledge.retriever import KnowledgeRetriever

pytestmark = pytest.mark.slow

_LOADED: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def generator(tiny_store) -> Any:
    from ecr_agent.config import Paths
    from ecr_agent.generator.model import EmpatheticGenerator
    from ecr_agent.knowledge.stores import KnowledgeStore

    _LOADED["generator"] = EmpatheticGenerator.load(Paths.from_env(), adapter=True)
    _LOADED["store"] = KnowledgeStore.connect(Paths.from_env())
    return _LOADED["generator"]


class TestECRChatModelUnit(ChatModelUnitTests):
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
    def has_structured_output(self) -> bool:
        return False


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

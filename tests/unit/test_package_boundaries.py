from __future__ import annotations

import subprocess
import sys

import ecr_agent
import ecr_agent.integrations
import ecr_agent.tools

SCIENCE = [
    "ecr_agent.data.samples",
    "ecr_agent.data.linking",
    "ecr_agent.knowledge.graph",
    "ecr_agent.knowledge.stores",
    "ecr_agent.emotion.inference",
    "ecr_agent.emotion.training",
    "ecr_agent.ranker.inference",
    "ecr_agent.ranker.training",
    "ecr_agent.generator.model",
    "ecr_agent.generator.training",
    "ecr_agent.pipeline",
]


def test_public_api_is_pinned():
    assert sorted(ecr_agent.__all__) == sorted(["ECRChain", "ECRResponse", "__version__"])
    assert sorted(ecr_agent.tools.__all__) == sorted(
        ["EmotionClassifierTool", "EmotionAwareRankerTool", "MovieKnowledgeTool", "EmpatheticReplyTool", "get_tools"]
    )
    assert sorted(ecr_agent.integrations.__all__) == sorted(
        ["MiniLMEmbeddings", "VectorStoreKnowledge", "knowledge_vector_store"]
    )
    assert all(callable(getattr(ecr_agent.integrations, name)) for name in ecr_agent.integrations.__all__)


def test_science_modules_do_not_import_langchain():
    code = (
        "import importlib, sys\n"
        f"for name in {SCIENCE!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('langchain')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

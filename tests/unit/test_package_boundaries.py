from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import ecr_agent
import ecr_agent.integrations
import ecr_agent.tools

PACKAGE = Path(ecr_agent.__file__).parent
LANGCHAIN = ("langchain", "langgraph", "langsmith")
EDGES = {
    "ecr_agent/__init__.py": "exports ECRChain",
    "ecr_agent/chain.py": "ECRChain is a Runnable",
    "ecr_agent/agent": "the LangGraph agent and its rule-based chat model",
    "ecr_agent/tools": "the four BaseTools",
    "ecr_agent/integrations": "chat model, retriever, embeddings and vector-store adapters",
}
"""The only modules that may import LangChain, LangGraph or LangSmith, each with why; every other module is science."""
ENVIRONMENT_EDGES = {
    "ecr_agent/config.py": "defines `Paths.from_env`, which reads the Chroma server with `ChromaServer.from_env`",
    "ecr_agent/cli.py": "the `ecr` command resolves the paths once per command",
    "ecr_agent/chain.py": "`ECRChain.from_store()` called without paths",
    "ecr_agent/demo.py": "`ecr demo`",
    "ecr_agent/tools/shared.py": "tools built without paths (`resolve_paths`)",
    "ecr_agent/agent/router.py": "the rule-based router built without a linker",
    "ecr_agent/integrations/retriever.py": "`KnowledgeRetriever.from_env`",
    "ecr_agent/integrations/chat_model.py": "`ECRChatModel.from_env`",
}
"""The only modules that may call ``X.from_env()``, each with why: everything else is given its `Paths` (issue #15)."""
LAUNCHER = "DataParallel"
"""`DataParallel.from_env` reads the rank and world size torchrun gives each worker process, not a location."""
LOCATION_VARIABLES = {"ECR_DATA_DIR", "ECR_STORE_DIR", "ECR_CHROMA_HOST", "ECR_CHROMA_PORT"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def dotted(path: Path) -> str:
    return name_of(path).removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def environment_reads(path: Path) -> set[str]:
    """What ``path``'s code calls ``from_env`` on (``Paths``, ``ChromaServer``, ...); docstrings do not count."""
    return {
        ast.unparse(node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "from_env"
    }


def code_strings(path: Path) -> set[str]:
    """String constants of ``path``'s code (a string statement, such as a docstring, is no code)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
    }


def is_edge(path: Path) -> bool:
    name = name_of(path)
    return any(name == edge or name.startswith(edge + "/") for edge in EDGES)


def test_only_the_edges_import_langchain():
    leaks = {
        name_of(path): sorted(m for m in imports(path) if m.split(".")[0].startswith(LANGCHAIN))
        for path in modules()
        if not is_edge(path)
    }
    assert {name: found for name, found in leaks.items() if found} == {}
    assert all(any(is_edge(path) and name_of(path).startswith(edge) for path in modules()) for edge in EDGES)


def test_only_the_edges_read_the_environment():
    """Science code takes the `Paths` it is given, so ``paths=`` reaches every file read and written (#15)."""
    reads = {name_of(path): sorted(environment_reads(path) - {LAUNCHER}) for path in modules()}
    assert {name: found for name, found in reads.items() if found and name not in ENVIRONMENT_EDGES} == {}
    assert all(reads[name] for name in ENVIRONMENT_EDGES)  # the list stays as short as the code allows
    named = {name_of(path): sorted(code_strings(path) & LOCATION_VARIABLES) for path in modules()}
    assert {name: found for name, found in named.items() if found} == {
        "ecr_agent/config.py": sorted(LOCATION_VARIABLES)
    }


def test_the_packages_import_each_other_without_cycles():
    """Subpackages and top-level modules of ecr_agent form a DAG (imports inside functions count too)."""

    def unit(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else "ecr_agent"

    graph: dict[str, set[str]] = {}
    for path in modules():
        source = unit(dotted(path))
        if source == "ecr_agent":
            continue  # the package root re-exports ECRChain
        targets = {unit(m) for m in imports(path) if m.startswith("ecr_agent.")} - {source, "ecr_agent"}
        graph.setdefault(source, set()).update(targets)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError naming the cycle
    assert set(graph) <= set(order)


def test_public_api_is_pinned():
    assert sorted(ecr_agent.__all__) == sorted(["ECRChain", "ECRResponse", "__version__"])
    assert sorted(ecr_agent.tools.__all__) == sorted(
        ["EmotionClassifierTool", "EmotionAwareRankerTool", "MovieKnowledgeTool", "EmpatheticReplyTool", "get_tools"]
    )
    assert sorted(ecr_agent.integrations.__all__) == sorted(
        ["ECRChatModel", "KnowledgeRetriever", "MiniLMEmbeddings", "VectorStoreKnowledge", "knowledge_vector_store"]
    )
    assert all(callable(getattr(ecr_agent.integrations, name)) for name in ecr_agent.integrations.__all__)


def test_science_modules_do_not_load_langchain_at_run_time():
    """The static walk above, confirmed by importing every science package in a fresh interpreter."""
    science = sorted(
        {
            name_of(p).removesuffix(".py").replace("/", ".").removesuffix(".__init__")
            for p in modules()
            if not is_edge(p)
        }
        - {"ecr_agent.__main__", "ecr_agent.cli", "ecr_agent.terminal", "ecr_agent.demo", "ecr_agent.bench"}
    )
    code = (
        "import importlib, sys\n"
        f"for name in {science!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('langchain', 'langgraph'))}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

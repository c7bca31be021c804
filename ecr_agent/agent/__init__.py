"""The agent a user meets: ECR's tools in a LangGraph agent, with a transparent rule-based router offline.

- `build_agent` (graph): the agent, its memory and the example `find_showtimes` tool;
- `RuleBasedToolCaller` (router): the offline brain, a rule-based router, not a language model;
- `INTENT_RULES` (intents): the phrases each intent matches, the table docs/agent.md prints;
- `MovieFocus` (focus): the movie a message acts on, named or "it".
"""

from ecr_agent.agent.focus import MovieFocus
from ecr_agent.agent.graph import SYSTEM_PROMPT, build_agent, find_showtimes
from ecr_agent.agent.intents import INTENT_RULES, IntentRule, classify
from ecr_agent.agent.router import RuleBasedToolCaller, conversation, word_tool_result

__all__ = [
    "INTENT_RULES",
    "SYSTEM_PROMPT",
    "IntentRule",
    "MovieFocus",
    "RuleBasedToolCaller",
    "build_agent",
    "classify",
    "conversation",
    "find_showtimes",
    "word_tool_result",
]

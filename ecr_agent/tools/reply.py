"""`EmpatheticReplyTool` (``empathetic_reply``): a whole ECR turn (emotions → ranking → knowledge → reply) as a tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ecr_agent.tools.ranker import ChatMessageArg
from ecr_agent.tools.shared import UsesSharedChain

if TYPE_CHECKING:
    from ecr_agent.config import Paths
    from ecr_agent.tools.shared import SharedChain


class ReplyRequest(BaseModel):
    """Arguments of ``empathetic_reply``."""

    messages: list[ChatMessageArg] = Field(description="The conversation so far, ending with the user's message")


class EmpatheticReplyTool(UsesSharedChain, BaseTool):
    """Answer a movie conversation with an empathetic, knowledge-grounded recommendation.

    The tool's content is the reply text; its artifact is the full turn (movies with evidence, emotions, knowledge).

    Instantiate:
        .. code-block:: python

            from ecr_agent.tools import EmpatheticReplyTool

            tool = EmpatheticReplyTool.from_store()
            tool.invoke({"messages": [{"role": "user", "content": "I loved Titanic, what next?"}]})
    """

    name: str = "empathetic_reply"
    description: str = (
        "Write the recommender's next reply in a movie conversation: it reads the user's emotions, picks a movie they "
        "will like (never one they rejected), and answers warmly with facts about it. Input: the whole conversation."
    )
    args_schema: type[BaseModel] = ReplyRequest
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    model_config = ConfigDict(arbitrary_types_allowed=True)
    paths: Any = None
    _chain: Any = PrivateAttr(default=None)
    _shared: SharedChain | None = PrivateAttr(default=None)

    @classmethod
    def from_store(cls, paths: Paths | None = None, chain: Any = None) -> EmpatheticReplyTool:
        """A tool that loads `ECRChain` on first use (or uses ``chain``)."""
        tool = cls(paths=paths)
        tool._chain = chain
        return tool

    def _run(self, messages: list[ChatMessageArg | dict], **_: Any) -> tuple[str, dict[str, Any]]:
        if self._chain is None:
            from ecr_agent.tools.shared import SharedChain

            self._chain = (self._shared or SharedChain(self.paths)).get()
        plain = [m.model_dump() if isinstance(m, BaseModel) else dict(m) for m in messages]
        result = self._chain.invoke({"messages": plain}).to_dict()
        return result["reply"], result

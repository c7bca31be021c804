"""`EmotionAwareRankerTool` (``recommend_movies``): the emotion-aware ranker as an agent tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ecr_agent.tools.shared import UsesSharedChain, resolve_paths

if TYPE_CHECKING:
    from ecr_agent.config import Paths
    from ecr_agent.tools.shared import SharedChain


class ChatMessageArg(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    """``user`` is the person looking for a movie, ``assistant`` the recommender."""
    content: str


class RecommendRequest(BaseModel):
    """Arguments of ``recommend_movies``."""

    model_config = ConfigDict(extra="forbid")
    messages: list[ChatMessageArg] = Field(
        default_factory=list, description="The conversation so far, oldest first (may be empty)"
    )
    emotions: list[dict[str, float] | None] | None = Field(
        default=None,
        description="Optional emotions already detected, one {label: probability} (or null) per message",
    )
    k: int = Field(default=5, ge=1, le=50, description="How many movies to return")
    exclude_mentioned: bool = Field(default=False, description="Leave out movies already named in the conversation")


class EmotionAwareRankerTool(UsesSharedChain, BaseTool):
    """Recommend movies from a conversation, using the emotions the user expressed (ECR's emotion-aware ranker).

    Returns ``{"recommendations": [{movie_id, title, score, evidence, popular_fallback}], "notes": [...]}``.
    Evidence names the context entities (movies, people, genres) and emotions that raised each movie's score.
    An empty conversation, or a store without a trained ranker, gives popular movies flagged ``popular_fallback``.

    Instantiate:
        .. code-block:: python

            from ecr_agent.tools import EmotionAwareRankerTool

            tool = EmotionAwareRankerTool.from_store()
            tool.invoke({"messages": [{"role": "user", "content": "I loved Toy Story, but horror scares me"}], "k": 3})
            # {"recommendations": [{"title": "Toy Story 2 (1999)", "score": 0.08,
            #                       "evidence": ["Toy Story (you mentioned it; like 0.91)"], ...}, ...], "notes": []}
    """

    name: str = "recommend_movies"
    description: str = (
        "Rank movies for the user from the conversation so far, taking into account which movies, people and genres "
        "they mentioned and how they felt about them. Never returns movies the user said they disliked. "
        "Input: the messages (role user/assistant, content), optionally emotions per message, and k."
    )
    args_schema: type[BaseModel] = RecommendRequest
    model_config = ConfigDict(arbitrary_types_allowed=True)
    paths: Any = None
    _ranker: Any = PrivateAttr(default=None)
    _missing: str | None = PrivateAttr(default=None)
    _catalog: Any = PrivateAttr(default=None)
    _shared: SharedChain | None = PrivateAttr(default=None)

    @classmethod
    def from_store(cls, paths: Paths | None = None, ranker: Any = None) -> EmotionAwareRankerTool:
        """A tool that loads `EmotionAwareRanker` from ``paths`` (default: the environment's) on first use."""
        tool = cls(paths=paths)
        tool._ranker = ranker
        return tool

    def _load(self) -> None:
        if self._ranker is None and self._missing is None and self._shared is not None:
            pipeline = self._shared.get().pipeline
            self._ranker, self._catalog = pipeline.ranker, pipeline.linker.catalog
            self._missing = None if self._ranker is not None else "not trained: run `ecr train ranker`"
        if self._ranker is None and self._missing is None:
            from ecr_agent.config import StoreNotBuiltError
            from ecr_agent.data.movies import MovieCatalog
            from ecr_agent.ranker.inference import EmotionAwareRanker

            paths = resolve_paths(self.paths)
            try:
                self._ranker = EmotionAwareRanker.load(paths)
            except StoreNotBuiltError as error:
                self._missing = str(error)
                self._catalog = MovieCatalog.load(paths)

    def _run(
        self,
        messages: list[ChatMessageArg | dict] | None = None,
        emotions: list[dict[str, float] | None] | None = None,
        k: int = 5,
        exclude_mentioned: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        from ecr_agent.ranker.inference import popular_movies
        from ecr_agent.types import ChatTurn

        turns = [
            ChatTurn(**(m.model_dump() if isinstance(m, BaseModel) else ChatMessageArg(**m).model_dump()))
            for m in messages or []
        ]
        if emotions is not None and len(emotions) != len(turns):
            raise ValueError(f"emotions has {len(emotions)} entries for {len(turns)} messages; give one per message")
        self._load()
        if self._ranker is None:
            return {
                "recommendations": [r.to_dict() for r in popular_movies(self._catalog, k)],
                "notes": [f"ranker unavailable ({self._missing}): popular movies instead"],
            }
        ranked = self._ranker.rank(turns, emotions, k=k, exclude_mentioned=exclude_mentioned)
        notes = ["no user message yet: popular movies"] if ranked and ranked[0].popular_fallback else []
        return {"recommendations": [r.to_dict() for r in ranked], "notes": notes}

"""`EmotionClassifierTool` (``detect_emotions``): the trained emotion classifier as an agent tool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ecr_agent.tools.shared import UsesSharedChain, resolve_paths

if TYPE_CHECKING:
    from ecr_agent.config import Paths
    from ecr_agent.emotion.inference import EmotionPredictor
    from ecr_agent.tools.shared import SharedChain

EMPTY_NOTE = "empty text: nothing to classify, so it is neutral"


class EmotionQuery(BaseModel):
    """Arguments of ``detect_emotions``."""

    model_config = ConfigDict(extra="forbid")
    text: str | list[str] = Field(
        description="One user utterance, or a list of utterances to classify in one batch (e.g. the user's turns)"
    )
    """One utterance or a list of them."""


class EmotionClassifierTool(UsesSharedChain, BaseTool):
    """Detect the emotions a user expresses in movie talk (ECR's nine labels, probabilities above β = 0.1).

    Setup:
        Train the classifier once: ``ecr train emotion`` (writes ``$ECR_STORE_DIR/models/emotion``).

    Instantiate:
        .. code-block:: python

            from ecr_agent.tools import EmotionClassifierTool

            tool = EmotionClassifierTool.from_store()
            tool.invoke({"text": "I hated Titanic, way too long"})
            # {'text': 'I hated Titanic, way too long', 'emotions': {'negative': 0.9869}, 'top': 'negative'}
            tool.invoke({"text": ["Hi!", "Thanks, I'll watch it tonight"]})   # a list → a list, batched

    Empty or blank text gives ``neutral`` with a note; text longer than the model reads (64 tokens) is truncated
    and noted; any language gets an answer (the model was trained on English, so expect less from others).
    """

    name: str = "detect_emotions"
    description: str = (
        "Detect the emotions in a user's message about movies: like, curious, happy, grateful, negative, neutral, "
        "nostalgia, agreement, surprise, each with a probability (sorted, highest first). Use it to tell whether the "
        "user liked or rejected something. Input: one text, or a list of texts."
    )
    args_schema: type[BaseModel] = EmotionQuery
    model_config = ConfigDict(arbitrary_types_allowed=True)
    paths: Any = None
    """Where the trained model is (default ``$ECR_STORE_DIR``)."""
    _predictor: Any = PrivateAttr(default=None)
    _shared: SharedChain | None = PrivateAttr(default=None)

    @classmethod
    def from_store(cls, paths: Paths | None = None, predictor: EmotionPredictor | None = None) -> EmotionClassifierTool:
        """A tool that loads the classifier from ``paths`` on first use (or uses ``predictor``)."""
        tool = cls(paths=paths)
        tool._predictor = predictor
        return tool

    @property
    def predictor(self) -> EmotionPredictor:
        if self._predictor is None and self._shared is not None:
            self._predictor = self._shared.get().pipeline.detector
            if self._predictor is None:
                from ecr_agent.config import StoreNotBuiltError

                raise StoreNotBuiltError("the emotion classifier is not trained: run `ecr train emotion`")
        if self._predictor is None:
            from ecr_agent.emotion.inference import EmotionPredictor

            self._predictor = EmotionPredictor.load(resolve_paths(self.paths))
        return self._predictor

    def _run(self, text: str | list[str], **_: Any) -> dict[str, Any] | list[dict[str, Any]]:
        texts = [text] if isinstance(text, str) else [str(t) for t in text]
        detected = self.predictor.detect(texts)
        long = self.predictor.truncated(texts)
        results = [self._result(*row) for row in zip(texts, detected, long, strict=True)]
        return results[0] if isinstance(text, str) else results

    def _result(self, text: str, emotions: dict[str, float], truncated: bool) -> dict[str, Any]:
        result: dict[str, Any] = {
            "text": text,
            "emotions": {label: round(p, 4) for label, p in emotions.items()},
            "top": next(iter(emotions)),
        }
        if not text.strip():
            result["note"] = EMPTY_NOTE
        elif truncated:
            result["note"] = f"text longer than {self.predictor.config.max_length} tokens: only its start was read"
        return result

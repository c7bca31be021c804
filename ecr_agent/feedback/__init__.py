"""Target-aware feedback: per movie the assistant suggested or the user named, accepted / turned down / seen.

`FeedbackReader.load(paths)` reads with the trained head (``ecr train feedback``); `FeedbackReader.rules(linker)` reads
with transparent cue rules when no model is trained. Training lives in `ecr_agent.feedback.training`, evaluation in
`ecr_agent.feedback.evaluation`. Plain Python and PyTorch: no LangChain here.
"""

from __future__ import annotations

from ecr_agent.feedback.reader import DialogueFeedback, FeedbackReader, MovieFeedback

__all__ = ["DialogueFeedback", "FeedbackReader", "MovieFeedback"]

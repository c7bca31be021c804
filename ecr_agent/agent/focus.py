"""Which movie a message is about: the one it names, else ("it", "that one", or no title) the thread's last movie.

Titles are found by the entity linker, the same one the chain uses. Short titles that are also common words ("Up",
"It", "Her") link only capitalised and inside a sentence ("Who is in Up?"), never as the first word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from ecr_agent.data.movies import Movie
from ecr_agent.linking import STOPWORDS, EntityLinker, title_key

CANDIDATE = re.compile(
    r"\b(?:about|directed|made|stars?|starring|in|wrote|of|is|was|for|see|watch)\s+"
    r"(?P<title>[A-Z0-9][\w'’:&.-]*(?:\s+[A-Z0-9][\w'’:&.-]*)*)"
)
"""A capitalised phrase after a verb or preposition: the title a fact question names, even one we do not know."""
SHOWING = re.compile(
    r"\b(?:is|are|for|of|see|watch|where's|when's)\s+(?P<title>[A-Z0-9][\w'’:&.-]*(?:\s+[\w'’:&.-]+)*?)"
    r"\s+(?:playing|showing|on|tonight|today|in\s+(?:theat|cinema))"
)
"""A title named in a showtimes question ("Where is Zzyzx playing tonight?"), capitalised as people type titles."""
SHORT_WORD = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{1,3})\b")
NOT_TITLES = frozenset({"I", "A", "Hi", "Hey", "Ok", "Okay", "Oh", "Yes", "No", "So"})


class MovieFocus:
    """Resolves the movie a message acts on (`about`), from the message itself or from the thread before it."""

    def __init__(self, linker: EntityLinker) -> None:
        self.linker = linker
        self.short_titles = {
            movie.name: movie.movie_id
            for movie in sorted(linker.catalog.movies.values(), key=lambda m: m.mentions)
            if title_key(movie.name) in STOPWORDS and movie.name not in NOT_TITLES
        }

    def named(self, text: str) -> Movie | None:
        """The first movie ``text`` names, None when it names none."""
        movies = self._all_named(text)
        return movies[0] if movies else None

    def _all_named(self, text: str) -> list[Movie]:
        linked = self.linker.link(text).movie_ids
        if not linked:
            short = (m.group(1) for m in SHORT_WORD.finditer(text.strip()))
            linked = tuple(self.short_titles[word] for word in short if word in self.short_titles)
        return [self.linker.catalog[movie_id] for movie_id in linked]

    def in_thread(self, messages: Sequence[BaseMessage]) -> Movie | None:
        """The thread's most recent movie: the last pick, a movie a tool acted on, or one the user named."""
        catalog = self.linker.catalog
        for message in reversed(messages):
            if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
                picks = message.artifact.get("recommendations") or []
                if picks and picks[0].get("movie_id") in catalog:
                    return catalog[picks[0]["movie_id"]]
            elif isinstance(message, AIMessage):
                for call in message.tool_calls:
                    title = call["args"].get("movie") or call["args"].get("title")
                    if isinstance(title, str) and (movie := self.named(title) or self._exact(title)):
                        return movie
            elif isinstance(message, HumanMessage) and (movie := self._last_named(str(message.content))):
                return movie
        return None

    def about(
        self, text: str, history: Sequence[BaseMessage], candidates: re.Pattern[str] = CANDIDATE
    ) -> Movie | str | None:
        """The movie ``text`` acts on: named in it; else the unknown title it names (a str, for a plain "not
        found"); else the thread's last movie ("Who is in it?"); None when the thread has none either."""
        if movie := self.named(text):
            return movie
        candidate = candidates.search(text)
        if candidate and candidate.group("title").lower() not in STOPWORDS:
            return candidate.group("title").strip(" ?.!")
        return self.in_thread(history)

    def _last_named(self, text: str) -> Movie | None:
        movies = self._all_named(text)
        return movies[-1] if movies else None

    def _exact(self, title: str) -> Movie | None:
        movie_id = self.linker.titles.get(title_key(title))
        return self.linker.catalog[movie_id] if movie_id else None

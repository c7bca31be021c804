"""What a user message asks the agent to do: a transparent, rule-based intent table (no learning).

The offline agent routes each message by the first rule whose pattern matches; `INTENT_RULES` is that table, with the
tool each intent calls and example phrases. docs/agent.md prints the same table, and a test checks that every example
there routes as documented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["showtimes", "fact", "goodbye", "reject", "thanks", "small_talk", "recommend"]


@dataclass(frozen=True)
class IntentRule:
    """One row of the router's table: the intent, the phrases it matches, and what answers it."""

    intent: Intent
    pattern: re.Pattern[str]
    action: str
    """The tool called, or ``router`` when the router answers itself."""
    examples: tuple[str, ...]
    phrases: str
    """The pattern in words, for the docs' table."""


_TITLE = r".{1,60}?"
INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule(
        "showtimes",
        re.compile(
            r"\b(show ?times?|(?<!who is )(?<!who's )playing|showing|cinemas?|theat(er|re)s?|tickets?"
            r"|on the big screen)\b",
            re.I,
        ),
        "find_showtimes",
        ("Where is Titanic playing tonight?", "Any showtimes tonight?", "Can I get tickets for it?"),
        'showtime(s), playing (not "who is playing"), showing, cinema, theater/theatre, ticket(s), on the big screen',
    ),
    IntentRule(
        "fact",
        re.compile(
            r"\bwho (directed|made|wrote|stars|starred|plays|played|acts|is in|was in|are in|were in|is playing)\b"
            r"|\bwho'?s (in|playing)\b"
            r"|\b(director|cast|actors|writer|plot|genre) of\b"
            r"|\b(what|who)('s| is| are| was| were) (the )?(director|cast|actors|writer|plot|story|genre)\b"
            rf"|\bwhat('s| is| was) {_TITLE} about\W*$|\bwhat happens in\b"
            rf"|\bwhen (did|was) {_TITLE} (come out|released|made)\b|\bwhat year\b|\bhow old is\b"
            rf"|\bwhat (genre|kind of (movie|film)) is\b"
            rf"|\bis ({_TITLE} )?(a )?(scary|funny|comedy|horror|sad) ?(movie|one)?\W*$"
            r"|\btell me (more )?about\b",
            re.I,
        ),
        "search_movie_knowledge",
        (
            "Who directed Titanic?",
            "Who is in it?",
            "Who stars in The Notebook?",
            "What is Up about?",
            "When did it come out?",
            "What year was Jaws made?",
            "What genre is Inception?",
            "Who wrote that one?",
        ),
        (
            "who directed / made / wrote / stars / plays / is in; director, cast, actors, writer, "
            "plot or genre of; what is … about; what happens in; when did … come out / was … released; what year; "
            "how old is; what genre is; is it scary / funny / sad; tell me about"
        ),
    ),
    IntentRule(
        "goodbye",
        re.compile(r"\b(bye|goodbye|good ?night|see you|see ya|take care|that'?s all|gotta go)\b", re.I),
        "empathetic_reply",
        ("Thanks, bye!", "Good night", "That's all, see you"),
        "bye, goodbye, good night, see you, take care, that's all, gotta go",
    ),
    IntentRule(
        "reject",
        re.compile(
            r"\b(hated?|didn'?t (like|enjoy)|don'?t (like|want)|not (for me|interested|a fan|really into|that one)"
            r"|no thanks|something else|anything else|another one|something different|boring|dislike[sd]?"
            r"|too (scary|sad|long|violent))\b",
            re.I,
        ),
        "empathetic_reply",
        ("I hated that one. Something else?", "Nah, not that one", "Not for me", "Something different please"),
        (
            "hate(d), didn't / don't like, not for me, not interested, not a fan, not that one, no thanks, "
            "something / anything else, another one, something different, boring, dislike, "
            "too scary / sad / long / violent"
        ),
    ),
    IntentRule(
        "thanks",
        re.compile(r"\b(thanks|thank you|thx|appreciate it|sounds good|great (pick|idea)|i'?ll watch)\b", re.I),
        "empathetic_reply",
        ("Thank you so much!", "Sounds good, I'll watch it tonight"),
        "thanks, thank you, thx, appreciate it, sounds good, great pick, I'll watch",
    ),
    IntentRule(
        "small_talk",
        re.compile(
            r"^\W*(how are you|how'?s it going|how do you do|what'?s up|who are you|what are you|what'?s your name"
            r"|are you (a bot|a robot|an ai|human|a person|real)|tell me a joke|good (morning|afternoon|evening))\b",
            re.I,
        ),
        "router",
        ("How are you today?", "Are you a bot?", "What's your name?", "Tell me a joke"),
        (
            "a message opening with how are you, how's it going, what's up, who / what are you, what's your name, "
            "are you a bot / human / real, tell me a joke, good morning / afternoon / evening"
        ),
    ),
    IntentRule(
        "recommend",
        re.compile(r""),
        "empathetic_reply",
        ("I love romantic movies like The Notebook", "Something scary please", "Hi there!", "Any good comedies?"),
        "anything else (the chain reads requests, feedback and greetings itself)",
    ),
)
"""The router's table, first match wins; ``recommend`` matches anything (the chain reads the rest itself)."""


def classify(text: str) -> IntentRule:
    """The first rule of `INTENT_RULES` that ``text`` matches."""
    return next(rule for rule in INTENT_RULES if rule.pattern.search(text))


def intent_table() -> str:
    """`INTENT_RULES` as the Markdown table printed in docs/agent.md."""
    rows = ["| intent | matches | answered by | examples |", "| --- | --- | --- | --- |"]
    for rule in INTENT_RULES:
        action = "the router itself (no tool)" if rule.action == "router" else f"`{rule.action}`"
        examples = " · ".join(f"“{e}”" for e in rule.examples)
        rows.append(f"| {rule.intent} | {rule.phrases} | {action} | {examples} |")
    return "\n".join(rows)

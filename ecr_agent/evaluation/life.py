"""Invented-life detection: a reply that claims a life the recommender does not have (pure text, no models).

The generator was tuned on first-person IMDb reviews, so it copies their biography: "I was 12 years old when this
movie came out", "my kids love it", "I saw it in theaters", "I have watched this film 10 times". Feelings about the
movie are welcome ("I loved the ending", "it made me cry"); claimed experiences are not. Each pattern of
`LIFE_PATTERNS` names one kind of claimed experience; `invented_life` returns the phrases they match and
`drop_invented_life` removes whole sentences that hold one, so the chain can clean a reply before the user sees it.

Decided border cases: "I loved it as a kid" is invented life (a childhood); "the kids in the movie", "a story about
a family" and "my favourite scene" are not (no claimed relative); "I cried in the theater scene" is not a theater
visit ("theater" followed by "scene"/"sequence" is a place in the film), while "I cried in the theater" is; "you
should see it in theaters" is advice, not a visit (the viewing patterns need "I" or "we").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ecr_agent.sentences import split_sentences

_NUMBER = (
    r"(?:\d{1,2}|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen"
    r"|nineteen|twenty)"
)
_COUNT = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty|a\s+hundred|a\s+dozen"
    r"|dozens\s+of|hundreds\s+of|a\s+million|a\s+few|several|many|multiple|countless|so\s+many|a\s+bunch\s+of"
    r"|too\s+many)"
)
_RELATIVE = (
    r"(?:mom|mum|mommy|mother|dad|daddy|father|parents?|kids?|children|child|sons?|daughters?|wife|husband|hubby"
    r"|boyfriend|girlfriend|fianc[ée]e?|partner|spouse|family|brothers?|sisters?|siblings?|grandma|granny"
    r"|grandmother|grandpa|grandfather|grandparents?|aunts?|uncles?|cousins?|nieces?|nephews?|in-laws|baby|toddler)"
)
_SCREEN = r"(?:the\s+|a\s+)?(?:movie\s+)?(?:theaters?|theatres?|cinemas?|movies|imax|drive-in|big\s+screen)"
_NOT_A_VISIT = r"(?!\s+(?:scenes?|sequences?|shots?)\b)"
_VIEWED = r"(?:saw|seen|watched|viewed|rewatched|re-watched|caught)"

LIFE_PATTERNS: dict[str, str] = {
    "age": (
        rf"\b(?:I\s+was|I['’]m|I\s+am|when\s+I\s+was|since\s+I\s+was)\s+(?:only\s+|just\s+|about\s+|around\s+"
        rf"|barely\s+)?{_NUMBER}(?:\s*-?\s*years?\s*-?\s*old)?\b"
        r"(?!\s*(?:%|percent|minutes?|mins?|seconds?|hours?|episodes?|times|out\s+of|/|stars?))"
    ),
    "childhood": (
        r"\b(?:when|since|while)\s+I\s+was\s+(?:(?:just|only|still)\s+)?(?:an?\s+)?(?:little|young|younger|small"
        r"|kid|child|boy|girl|teen|teenager|baby|toddler|growing\s+up|in\s+(?:high|middle|grade|elementary|primary"
        r"|junior\s+high)\s+school|in\s+college)\b"
        r"|\bI\b[^.!?]{0,60}?\bas\s+an?\s+(?:little\s+|young\s+|small\s+)?(?:kid|child|teen|teenager|boy|girl"
        r"|youngster)\b"
        r"|\bas\s+an?\s+(?:little\s+|young\s+)?(?:kid|child|teen|teenager|boy|girl),?\s+I\b"
        r"|\b(?:my|our)\s+childhood\b|\bI\s+grew\s+up\b|\bgrowing\s+up,?\s+I\b"
        r"|\bback\s+in\s+(?:high\s+school|college|the\s+day|my\s+day)\b"
    ),
    "family": rf"\b(?:my|our)\s+(?:(?:little|big|older|younger|baby|late|dear|own|whole)\s+)?{_RELATIVE}\b",
    "friends": (
        r"\bmy\s+(?:(?:best|close|old|good)\s+)?(?:friends?|buddies|buddy|pals?|mates|classmates|roommates?"
        r"|coworkers|co-workers|colleagues)\b|\bwith\s+(?:some\s+|a\s+few\s+)?friends\b|\ba\s+friend\s+and\s+I\b"
    ),
    "theater": (
        rf"\b(?:I|we)\b[^.!?]{{0,30}}?\b(?:{_VIEWED}|see|watch|went\s+to\s+see)\b[^.!?]{{0,30}}?\b(?:in|at|on)\s+"
        rf"{_SCREEN}\b{_NOT_A_VISIT}"
        rf"|\b(?:I|we)\s+(?:was|were)\s+(?:in|at)\s+{_SCREEN}\b{_NOT_A_VISIT}"
        r"|\b(?:I|we)\b[^.!?]{0,20}?\bwent\s+to\s+(?:the\s+|a\s+)?(?:theaters?|theatres?|cinemas?|movies|drive-in)\b"
        rf"|\b(?:cried|laughed|wept|screamed|cheered|clapped|jumped)\b[^.!?]{{0,20}}?\bin\s+the\s+(?:theaters?"
        rf"|theatres?|cinemas?)\b{_NOT_A_VISIT}"
        r"|\bat\s+the\s+(?:cinema|movies|drive-in)\b|\bopening\s+(?:night|day|weekend)\b"
        r"|\bmidnight\s+(?:showing|screening|premiere)\b|\b(?:whole|entire)\s+(?:theater|theatre|audience|cinema)\b"
        r"|\bthe\s+audience\s+(?:was|were|cheered|clapped|applauded|laughed|cried|gasped)\b"
    ),
    "viewings": (
        rf"\b{_VIEWED}\s+(?:(?:it|this|that|the)(?:\s+(?:movie|film|one))?\s+)?(?:at\s+least\s+|over\s+|about\s+"
        rf"|like\s+|probably\s+|more\s+than\s+)?{_COUNT}\s+times\b"
        rf"|\b{_VIEWED}\s+(?:it|this|that)(?:\s+(?:movie|film|one))?\s+(?:twice|again\s+and\s+again"
        r"|over\s+and\s+over)\b"
        r"|\bmore\s+times\s+than\s+I\s+can\s+count\b|\blost\s+count\b"
        # "one of the best movies I've seen in years" (a played chat, 2026-12-01 08:10)
        r"|\bI(?:['’]ve|\s+have)\s+(?:ever\s+)?(?:seen|watched)\b"
        # "I would have been happy to see it again" (the demo conversation, 2026-12-01 07:47)
        r"|\bI\b[^.!?]{0,40}?\b(?:see|watch|seeing|watching)\s+(?:it|this|that)(?:\s+(?:movie|film|one))?\s+again\b"
        # "I think it's the best of the year and will be watching again for sure!" (the 2026-12-02 reply bench)
        r"|\b(?:will|['’]ll)\s+(?:definitely\s+|surely\s+)?be\s+(?:watching|seeing)\s+(?:it\s+|this\s+)?again\b"
        r"|\b(?:I|we)\s+(?:have|['’]ve)\s+been\s+(?:watching|seeing)\b[^!?\n]{0,60}?\bfor\s+(?:a\s+long\s+time|years"
        r"|ages|decades|a\s+while)\b"
        r"|\b(?:every|each)\s+(?:Christmas|Halloween|Thanksgiving|Easter|holiday(?:\s+season)?|year|summer|winter"
        r"|weekend|birthday)\b"
    ),
    "ownership": (
        r"\bI\s+(?:own|bought|have|purchased|got)\s+(?:it|this|the)(?:\s+(?:movie|film))?\s+on\s+(?:DVD|Blu-?ray"
        r"|VHS|tape)\b|\bmy\s+(?:DVD|Blu-?ray|VHS|copy|collection)\b|\bon\s+VHS\b"
    ),
    "wish_list": (
        r"\bon\s+my\s+(?:wish\s*-?\s*list|watch\s*-?\s*list|bucket\s+list|to-?watch\s+list"
        r"|(?:top\s+(?:\d+|ten|five|three)\s+)?list)\b"
        r"|\bmy\s+(?:wish|watch)\s*-?\s*list\b|\bon\s+my\s+radar\b"
    ),
    "waiting": (
        r"\b(?:I|we)\b[^.!?]{0,15}?\b(?:been|was|were)\s+waiting\s+(?:for|to\s+see|on)\b"
        r"|\bwaited\s+(?:for\s+)?(?:years|months|so\s+long|a\s+long\s+time|forever)\b"
        r"|\bwanted\s+to\s+(?:see|watch)\s+(?:it|this)[^.!?]{0,30}?\bfor\s+(?:years|months|ages|so\s+long"
        r"|a\s+long\s+time)\b"
        r"|\bI\s+finally\s+(?:got\s+to\s+)?(?:saw|see|watched|watch)\b"
    ),
    "anticipation": (
        r"\bI\s+was\s+(?:so\s+|really\s+|very\s+|super\s+|extremely\s+)?(?:excited|thrilled|stoked|pumped|eager"
        r"|psyched|dying)\s+(?:to\s+(?:see|watch)|for\s+(?:this|it|the\s+(?:movie|film|release))"
        r"|when\s+(?:I\s+heard|it\s+came\s+out))\b"
        r"|\bI\s+couldn['’]?t\s+wait\s+(?:to\s+(?:see|watch)|for)\b"
        # "I am so excited to see this movie." said of the pick (a scripted chat, 2026-12-02)
        r"|\bI(?:\s+am|['’]m)\s+(?:so\s+|really\s+|very\s+|super\s+)?(?:excited|thrilled|stoked|pumped|eager|psyched)"
        r"\s+to\s+(?:see|watch)\b"
        r"|\bI\s+(?:was|had\s+been)\s+looking\s+forward\s+to\b"
    ),
    "past_viewing": (
        r"\b(?:the\s+first\s+time|when)\s+I\s+(?:first\s+)?(?:saw|watched)\s+(?:it|this)\b"
        r"|\bI\s+remember\s+(?:watching|seeing|going)\b"
        rf"|\bI\b[^.!?]{{0,40}}?\b(?:{_VIEWED}|see|watch)\b[^.!?]{{0,25}}?\b(?:in\s+(?:the\s+)?(?:19|20)?\d0['’]?s"
        r"|(?:back\s+)?in\s+(?:19|20)\d\d|(?:(?:\d+|many|a\s+few|some|several)\s+)?years\s+ago|last\s+(?:night|week"
        r"|weekend|month|year)|yesterday)\b"
        r"|\bI\b[^.!?]{0,40}?\bwhen\s+(?:it|this(?:\s+(?:movie|film))?)\s+(?:first\s+)?(?:came\s+out"
        r"|was\s+released|premiered)\b"
    ),
    "viewing_claim": (
        r"\b(?:I|we)(?:\s+have|['’]ve|\s+had)\s+(?:(?:never|not|already|just|finally|also|both|recently|only)\s+)?"
        # "I have never seen a film that is as well-made" (a scripted chat, 2026-12-03)
        r"(?:seen|watched|rewatched)\s+(?:(?:it|this|that|the\s+(?:movie|film)|one|an?\s+(?:\w+\s+)?(?:film|movie"
        # "I have never seen a musical that is as beautiful" (replayed ReDial test 21787)
        r"|musical|comedy|drama|thriller|romance|horror\s+movie|cartoon|documentary|western|war\s+movie))\b"
        r"|(?-i:[A-Z0-9])"
        # "as if I had seen the first 10 minutes of the movie" (replayed ReDial test 21403)
        r"|the\s+(?:first|last|whole|entire|beginning|end|ending|trailer)\b)"
        r"|\b(?:I|we)\s+(?:haven['’]?t|have\s+not|hadn['’]?t|never)\s+(?:\w+\s+)?(?:seen|watched|saw)\b"
        r"|\bnever\s+(?:had|got)\s+the\s+chance\s+to\s+(?:see|watch)\b"
        r"|\b(?:I|we)(?:\s+have|['’]ve)\s+never\s+been\s+so\s+\w+\s+to\s+(?:see|watch)\b"
        r"|\b(?:I|we)\s+(?:saw|watched|rewatched)\s+(?:(?:it|this|that)(?:\s+(?:movie|film|one))?\b|(?-i:[A-Z0-9]))"
    ),
    "fandom": (
        # "I have been a fan of Thor: Ragnarok for years" (a scripted chat, 2026-12-02)
        r"\bI(?:\s+am|['’]m|\s+was|\s+have\s+(?:always\s+)?been|['’]ve\s+(?:always\s+)?been)\s+(?:\w+\s+){0,3}?fans?\b"
        r"|\bone\s+of\s+my\s+(?:all[- ]time\s+|personal\s+)?favou?rites?\b"
        r"|\bmy\s+(?:all[- ]time\s+|personal\s+)?favou?rite\s+(?:movies?|films?)\b"
        r"|\bI(?:\s+have|['’]ve)\s+been\s+(?:watching|following)\b"
        # "for audiences who love action movies as much as I do!" (replayed ReDial test 22996)
        r"|\bas\s+much\s+as\s+I\s+do\b|\bI\s+(?:really\s+|just\s+)?love\s+(?:him|her)\b"
        # "his work has been so inspiring to me over many years!" (the 07:32 reply bench)
        r"|\b(?:to|for)\s+me\s+(?:over|for)\s+(?:many|so\s+many|the|all\s+these)\s+years\b"
        # "Trust me, I'm the type of person who watches horror movies just to relax." (a scripted chat, 2026-12-02)
        r"|\bI(?:\s+am|['’]m)\s+(?:the\s+(?:type|kind|sort)\s+of\s+(?:person|guy|girl)|someone|a\s+person)\s+who\b"
    ),
    "life_events": (
        r"\bon\s+(?:my|our)\s+(?:birthday|first\s+date|honeymoon|anniversary|wedding)\b"
        r"|\bon\s+a\s+(?:date|plane|flight)\b|\bat\s+a\s+sleepover\b"
        r"|\bmy\s+(?:school|teacher|class|job|boss|dog|cat|hometown)\b"
        # "it has inspired me to write this blog post about it" (replayed ReDial test 21641, 2026-12-03)
        r"|\binspired\s+me\b|\bblog(?:\s+post)?\b"
        r"|\b(?:best|worst|funniest|scariest|saddest|greatest)\b[^.!?]{0,40}?\b(?:in|of)\s+my\s+(?:life|lifetime)\b"
        # "it was a great way to end my holiday" (a scripted chat, 2026-12-02)
        r"|\b(?:start|end|spend|begin|finish)\s+(?:my|our)\s+(?:day|night|evening|morning|weekend|holidays?"
        r"|vacation|summer|week)\b"
        # "the movie was able to make a huge impact on my life" (a scripted chat, 2026-12-02)
        r"|\b(?:changed|touched|shaped|impacted|saved)\s+my\s+life\b|\bin\s+my\s+life\b"
        r"|\b(?:impact|impression|influence|mark|effect)\b[^.!?]{0,30}?\bon\s+(?:my\s+life|me)\b|\bme\s+personally\b"
        r"|\bmeans?\s+(?:a\s+lot|so\s+much|everything)\s+to\s+me\b"
        # "it will be great to have you with me tonight!" (a scripted chat, 2026-12-02)
        r"|\bhave\s+you\s+with\s+me\b|\b(?:watch|see)\s+(?:it|this|that)\s+with\s+me\b"
        r"|\bwith\s+me\s+(?:tonight|today|this\s+(?:weekend|evening))\b"
    ),
}
"""Name → regular expression (case-insensitive) of each kind of claimed experience; docs/replies.md lists them."""

COMPILED_LIFE_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE) for name, pattern in LIFE_PATTERNS.items()
}


def invented_life_matches(text: str) -> list[tuple[str, str]]:
    """``(pattern name, matched phrase)`` for every claimed experience in ``text``, in pattern-table order."""
    found: list[tuple[str, str]] = []
    for name, pattern in COMPILED_LIFE_PATTERNS.items():
        found.extend((name, match.group(0)) for match in pattern.finditer(text))
    return found


def invented_life(text: str) -> list[str]:
    """The phrases of ``text`` that claim a life experience (age, family, theater visits, viewing counts, ...).

    Example:
        >>> invented_life("I was 12 years old when this movie came out. I loved the ending.")
        ['I was 12 years old', 'I was 12 years old when this movie came out']
    """
    return [phrase for _, phrase in invented_life_matches(text)]


def invented_life_rate(replies: Sequence[str]) -> float:
    """Share of ``replies`` with at least one invented-life phrase (0 for no replies)."""
    if not replies:
        return 0.0
    return sum(bool(invented_life(reply)) for reply in replies) / len(replies)


def drop_invented_life(text: str) -> str:
    """``text`` without the sentences that claim a life experience (the others keep their order).

    Cheap enough for every turn: about a dozen regular-expression scans per sentence. A text without such
    sentences comes back unchanged; otherwise the kept sentences are joined by single spaces.
    """
    sentences = split_sentences(text)
    kept = [sentence for sentence in sentences if not invented_life(sentence)]
    return text if len(kept) == len(sentences) else " ".join(kept)

"""Transparent cues for the clear cases: "I've seen it", "haven't seen it", "not a fan", "sounds good", "what else?".

`cues` reads a text (a marked reply or the clause naming the target) into a few named booleans. They are features of
the trained reader and, on their own, the rule-only reader used when no model is trained (`rule_verdict`).
Negated positives ("didn't like", "not a big fan") are negative cues, never positive ones. A reply that moves on
from a suggestion without a good word for it ("I've seen that one. Do you have one more?", "That's a TV show, I'm
looking for a feature film") turns it down in both readers: the trained head, fitted on questionnaires that rarely
record such replies as a dislike, misses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecr_agent.opening import COMPLAINT, FINE_THANKS

TARGET = "MovieX"
"""Placeholder of the movie a verdict is about (a token MiniLM reads as "movie" + a marker)."""
OTHER = "MovieY"
"""Placeholder of every other movie in a feedback item's texts (the target is ``MovieX``)."""

_SEE = r"(?:seen|saw|watched|see|watch|heard of)"
NOT_SEEN = re.compile(
    rf"\b(?:have\s*n[o']t|has\s*n[o']t|have'?t|never|not|did\s*n[o']t|didnt|havent|not\s+yet)\s+(?:\w+\s+)?{_SEE}\b"
    r"|\bnew to me\b|\bnot familiar\b|\bnever heard\b|\bhaven'?t\b(?!\s+(?:liked|enjoyed))"
    # "hmm I don't belive I seen The Town" (replayed ReDial test 22844 said "Ah, you've already seen The Town")
    r"|\bdon'?t\s+(?:think|believe|belive|beleive|recall|remember)\s+(?:that\s+)?i(?:'?ve|\s+have)?\s+(?:ever\s+)?"
    r"(?:seen|saw|watched|heard\s+of)\b"
    r"|\bdon'?t\s+think\s+i(?:'?ve|\s+have)\b|\bhave\s+yet\s+to\b|\b(?:saw|seen)\s+(?:the\s+)?(?:trailers?|previews?)\b"
    # "I don't think he seen that one" (replayed ReDial test 21387 said "Ah, you've already seen Mulan (1998).")
    r"|\bdon'?t\s+think\s+(?:he|she|they|we|my\s+\w+)(?:'?ve|\s+(?:has|have|had))?\s+(?:ever\s+)?(?:seen|saw|watched)\b"
    # "I saw Iron Man (2008) but not Thor" (an IARD opening said "you've already seen Iron Man (2008) and Thor")
    r"|\b(?:saw|seen|watched)\b[^.!?\n]{1,60}?\bbut\s+not\s+(?=(?-i:[A-Z])|MovieX)",
    re.I,
)
UNSURE_SEEN = re.compile(
    r"\b(?:can'?t|cannot|don'?t|do\s+not)\s+(?:really\s+)?(?:remember|recall)\s+(?:if|whether)\s+(?:i|we)\b[^.!?]*",
    re.I,
)
""""I can't remember if I've seen that." says neither (replayed ReDial valid 13544 said "Ah, you've already seen
Bridesmaids")."""
_TARGET = r"(?:it|that|this|them|those|MovieX)"
SEEN = re.compile(
    r"\b(?:i'?ve|i\s+have|have|already|i|we|we'?ve|both)\s+(?:\w+\s+)?(?:seen|saw|watched)\b"
    r"|\b(?:seen|saw|watched)\s+(?:it|that|this|them|those|MovieX)\b"
    r"|\bi\s+(?:really\s+|also\s+|absolutely\s+|just\s+)?(?:love|loved|liked|enjoyed|hated|remember)\b"
    r"|\bgreat movie\b|\b(?:one\s+of\s+)?my\s+(?:absolute\s+|all[- ]time\s+)?favou?rites?\b"
    # "I have." / "lol, I did!" answering "have you seen it?"; "I did see that one"
    # "I have and he certainly did a superb job with the voice too" (replayed ReDial valid 13076 said nothing of it)
    r"|\bi\s+(?:have|did)\s*(?:[.!,;]|$|and\b)|\bi\s+did\s+(?:\w+\s+)?(?:see|watch)\b"
    # a verdict on the movie in the past tense, or a past liking denied: the user knows it
    # ("I heard that MovieX was good" has not seen it: IARD 19664)
    rf"|(?<!heard\s)(?<!heard\sthat\s)\b{_TARGET}\s+(?:one\s+|movie\s+|film\s+)?was\s+(?:\w+\s+){{0,2}}(?:good|great|funny|fun|amazing|awesome"
    r"|hilarious|sad|scary|boring|terrible|awful|ok|okay|so-so|inspiring|cute|one)\b"
    rf"|\b(?:loved|liked|enjoyed|hated)\s+{_TARGET}\b"
    r"|\b(?:did\s*n[o']t|didnt)\s+(?:really\s+|much\s+)?(?:like|love|enjoy|care\s+(?:much\s+)?for)\b",
    re.I | re.M,
)
NEGATIVE = re.compile(
    r"(?:\bnot|n't|\bnever|\b(?:dont|didnt|did't|doesnt|wasnt|isnt|cant|cannot|can\s+not))\s+(?:\w+\s+){0,2}(?:fan|like|liked|enjoy|enjoyed|love|loved|into|interested|keen|fond|good|great"
    r"|my\s+(?:thing|style|type|cup|genre)|for\s+me|care|big\s+on|impressed|funny|scary|appeal|stand|want|up\s+for"
    # "I do not think she would be into that" (audited train)
    r"|sound|interested|think\s+(?:i|she|he|they|we|my\s+\w+|the\s+kids)(?:'d|\s+would|\s+will)?\s+(?:be\s+)?"
    r"(?:like|enjoy|want|into|interested))"
    r"|\b(?:hate|hated|hates|dislike|disliked|boring|bored|awful|terrible|horrible|worst|stupid|lame|overrated"
    r"|meh|ehh+|no\s+thanks|pass\s+on|i'?ll\s+pass|give\s+(?:it|that|this|them|MovieX)\s+a\s+pass|not\s+a\s+fan|can'?t\s+stand|disappoint\w*|annoying|dumb|cheesy|too\s+(?:scary|gory|violent"
    r"|long|slow|sad|dark|weird|much)|not\s+really(?!\s+(?:picky|particular|fussy|sure|seen|watched|heard))|no\s+interest|rather\s+not|wasn'?t\s+(?:a\s+)?(?:fan|good|great))\b"
    # "ugh\npass", "No thank you", "I will not watch that ever", "not one of my favorites", "not such a big fan"
    r"|(?:^|\n)\s*(?:ugh\s*)?pass\s*(?:[.!,;]|$)|\bno\s+thank\s*(?:s|you)\b|\b(?:will\s+not|won'?t|wont|never)\s+(?:\w+\s+)?watch\b"
    r"|(?:\bnot|n't)\s+(?:\w+\s+){0,2}my\s+favou?rites?\b|\bnot\s+such\s+a\s+(?:big\s+)?fan\b"
    # "not a big Vin Diesel fan", "not what I'm in the mood for", "it does not interest me", "a little young for them"
    r"|\bnot\s+(?:really\s+)?(?:much\s+of\s+)?an?\s+(?:\w+\s+){1,3}fan\b|\bnot\s+(?:really\s+|exactly\s+)?what\s+i'?m\b"
    r"|(?:n't|\bnot)\s+interest\s+(?:me|us|them)\b|\bboycott\w*|\b(?:a\s+(?:little|bit)|kind\s+of|kinda)\s+\w+\s+for"
    r"\s+(?:my\s+tastes?|me|us|them|him|her|MovieX)\b"
    # "don't think it is my cup of tea", "a little too slapstick for me"
    r"|(?:n'?t|\bnot)\s+think\s+(?:it'?s|it\s+is|that'?s|that\s+is|it\s+would\s+be)\s+(?:\w+\s+){0,2}(?:my|for\s+me)\b"
    r"|\btoo\s+\w+(?:\s+\w+)?\s+for\s+(?:me|us|my|MovieX)\b"
    # "They are a bit old for MovieX", "I saw the trailer and was afraid it would be like a musical" (audited
    # validation replies, 2026-12-03 night)
    r"|\bafraid\s+(?:that\s+)?(?:it|that|this|MovieX)\s+(?:would|will|might|may)\s+be\b"
    # "nah, too sappy", "a bit too predictable", "so no MovieX"
    # "That one sucked", "made no sense to me", "hot garbage", "MovieX not so much", "did't love that one" (audited
    # train replies, 2026-12-01 11:50)
    r"|\bsuck(?:s|ed)\b(?!\s+(?:me|you|us|them)\s+in)|\b(?:garbage|trash)\b|\bmade\s+no\s+sense\b|\bnot\s+so\s+much\b"
    # ("you too Hey you too and thanks" is thanks: replayed ReDial test 23145 apologised for the movie before it)
    r"|^\W*nah\b|\bno\s+MovieX\b|\btoo\s+(?!(?:good|great|cool|fun|funny|many|they|today|really|pretty|early|only"
    r"|anyway|everybody)\b)\w{3,}(?:y|ish|ic|ent|ous|al|ive|ed|ing|ble|ful|ant)\b"
    # "they are good but not quite right" (replayed ReDial test 22065 took both movies up)
    r"|\bnot\s+quite\s+(?:right|it|there|what\s+i)\b"
    # read from the audited train replies the reader missed (2026-12-02 15:00): "I'm really really tired of remakes",
    # "i kind of avoid DC movies", "Rotten Tomatoes kept me away", "That movie was strange" ("weird" left out: "that
    # was weird though" is no), "I wasnt a very big fan of MovieX", "Those two movies aren't really thrillers", "its
    # not a Suspense", "not sure I can watch that one more time"
    r"|\b(?:tired|sick)\s+of\b|\bavoid(?:ed|ing|s)?\b|\bkept\s+(?:me|us|them)\s+away\b"
    r"|\b(?:was|is|seems?|seemed|looks?|looked)\s+(?:kind\s+of\s+|kinda\s+|a\s+bit\s+|pretty\s+|really\s+)?strange\b"
    r"|(?:n't|\bnot|\bwasnt|\bisnt)\s+(?:a\s+)?(?:very|really|that|so)\s+(?:big\s+|huge\s+)?fan\b"
    r"|(?:n't|\bnot|\bisnt|\barent)\s+(?:really\s+|exactly\s+|even\s+)?(?:an?\s+)?(?:thrillers?|comed(?:y|ies)|horrors?"
    r"|dramas?|suspense|romances?|rom[\s-]?coms?|musicals?|westerns?|documentar(?:y|ies)|action\s+(?:movies?|films?))\b"
    r"|\bnot\s+sure\s+(?:if\s+|whether\s+)?(?:i|we|they)\s+(?:really\s+)?(?:can|could|would|want)\b|\bforgettable\b"
    # "Not too sure about Wall Street (1987) though, think i'll give it a pass" (IARD 19664 took Wall Street up)
    r"|\bnot\s+(?:too|that|so)\s+sure\s+about\b"
    # "what about Les Misérables (2012) ??" → "its depressing" (replayed ReDial valid 1107 took nothing from it)
    r"|\b(?:it'?s|it\s+is|that'?s|that\s+is|was|looks|seems|sounds|so|too|kinda|kind\s+of|a\s+bit)\s+depressing\b"
    # "I thought it would be alot scarier than it was, which is a let down" (replayed ReDial valid 4322 read it as
    # seen only); "never let me down" is praise (`PRAISE_BY_DENIAL`)
    r"|\b(?:a|such\s+a|big|huge|real|total)\s+let\s*-?\s*down\b|\bletdown\b"
    # the audited validation replies' misses (2026-12-03): "They didn't really enthuse me", "I'm going to hold off on
    # seeing it", "I am not sure about MovieX", "it didn't seem to be for me", "Pff.."
    r"|(?:n't|\bnot|\bdidnt|\bdoesnt)\s+(?:really\s+|quite\s+)?(?:enthuse|excite|grab|hook|thrill)\w*\s+(?:me|us)\b"
    r"|\bhold(?:ing)?\s+off\b|\bnot\s+(?:so\s+|too\s+|really\s+)?sure\s+about\b"
    r"|(?:n't|\bnot|\bdidnt|\bdoesnt)\s+seem\s+(?:\w+\s+){0,3}(?:for\s+me|my\s+(?:thing|style|type|cup))\b|^\W*pff+t?\b"
    # the audited IARD replies' misses (2026-12-04): "Haven't really wanted to", "Its not something i'd watch again",
    # "I probably lost my interest in it"
    r"|(?:n't|\bnever|\bhavent)\s+(?:really\s+|ever\s+)?(?:wanted|cared)\s+to\b"
    # "sounds weird" of a plot just told (a played chat got another pick and no word for the turn-down, 2026-12-04)
    r"|\b(?:sounds?|looks?|seems?)\s+(?:kind\s+of\s+|kinda\s+|a\s+(?:bit|little)\s+|pretty\s+|really\s+|too\s+|so\s+)?"
    r"(?:weird|strange|odd|boring|dumb|stupid|lame|silly|bad|awful|terrible)\b"
    r"|(?:n't|\bnot|\bnever)\s+(?:[\w']+\s+){0,4}watch\s+(?:\w+\s+)?again\b|\blost\s+(?:my\s+|all\s+|our\s+)?interest\b",
    re.I | re.M,
)
_SOUNDS_GOOD = (
    r"good|great|interesting|fun|awesome|cool|perfect|cute|lovely|sweet|wonderful|nice|amazing|fantastic|excellent|neat"
    r"|promising|intriguing"
)
"""What a pick "sounds" or "looks" when it is taken up ("that sounds nice": a played chat got another pick and no word
for it, 2026-12-04)."""
_GOES_TO_WATCH = (
    r"\b(?:i|we)(?:\s+will\s+|'ll\s+|ll\s+|\s+)go\s+(?:to\s+)?(?:watch|see|rent)\s+(?:it|that|this|them|MovieX)\b"
)
""""i go watch it" (replayed ReDial test 22638 got another pick and no word for it), "I'll go see it"."""
POSITIVE = re.compile(
    rf"\b(?:sounds?\s+(?:\w+\s+)?(?:{_SOUNDS_GOOD}|like)|check\s+(?:it|that|them|this|those"
    r"|MovieX)?\s*out|(?:i|we)'?ll\s+(?:watch|try|look|give|add|have|definitely|check)"
    r"|will\s+(?:definitely\s+|def\s+|surely\s+)?(?:have\s+to\s+)?(?:watch|check|try|look|see)"
    r"|(?:have|need|want|going)\s+to\s+(?:watch|see|check)|appreciate|add\s+(?:\S+\s+){0,6}?to\s+my\s+(?:watch\s*)?list"
    r"|add\s+(?:it|that|them|this|MovieX)\s+to|good\s+(?:one|idea|choice|suggestion|pick|movie|call)s?|great"
    r"\s+(?:one|idea|choice|suggestion|pick|movie)s?|love|loved|like|liked|enjoy|enjoyed|favou?rites?|awesome|amazing"
    r"|perfect|excellent|interesting|interested|nice|thanks|thank\s+you|good|great|fun|funny|cool|more\s+like\s+it"
    r"|superb|fantastic|brilliant|wonderful|terrific|incredible|outstanding|masterpiece"
    r"|can'?t\s+wait|cannot\s+wait)\b"
    # "Those are exactly the kind of movie I'm looking for!", "just what I was after"
    r"|\b(?:exactly|just)\s+(?:the\s+(?:kind|sort|type)\s+of|what)\b"
    # wanting to see it, said after "I haven't seen it" (audited train replies): "but I want to!", "I've been
    # meaning to for years", "I will be sure to watch it", "I'll give it a go", "I could try", "adding it to my list"
    r"|\b(?:want|wanting|wanted|meaning|intending|dying|hope|hoping|planning)\s+(?:to|too)\b"
    r"(?!\s+(?:go|find|know|get|ask)\b|\s+(?:\w+\s+)?(?:something|anything|some|a\s+movie|movies|one\s+that)\b)"
    r"|\bgive\s+(?:it|that|this|them|MovieX)(?:\s+one)?\s+a\s+(?:go|try|shot|watch|look|chance)\b|\btake\s+a\s+look\b"
    r"|\b(?:go|going|goes)\s+with\s+(?:that|it|this|MovieX)\b|\b(?:that|it|this)\s+works\b|\bworks\s+for\s+(?:me|us)\b"
    r"|\bwill\s+(?:\w+\s+){0,3}?(?:watch|rent|try|see|check)\s+(?:it|that|this|them|MovieX)\b"
    r"|\b(?:should|going\s+to|could|might|can)\s+(?:\w+\s+)?(?:see|watch|try|rent)\s+(?:it|that|this|them|MovieX)\b"
    r"|\b(?:have|need|got)\s+to\s+(?:look\s+(?:for|up|into)|find|get|rent)\s+(?:it|that|this|them|MovieX)\b"
    r"|\b(?:might|may|could|should)\s+(?:\w+\s+)?look\s+(?:for|up|into)\s+(?:it|that|this|them|MovieX)\b"
    rf"|{_GOES_TO_WATCH}"
    r"|\b(?:up\s+(?:for|to)\s+)?trying\s+(?:it|that|this|MovieX)\b|\btake\s+your\s+(?:recommendation|suggestion|advice|word)"
    r"|\badding\s+(?:it|that|this|them|MovieX)\b"
    r"|\b(?:going\s+to|gonna)\s+(?:show|put\s+on)\s+(?:them|her|him|the\s+kids|my\s+\w+|it|that|this|MovieX)\b",
    re.I,
)
TAKES_IT_UP = re.compile(
    rf"\b(?:sounds?|looks?)\s+(?:\w+\s+)?(?:{_SOUNDS_GOOD})\b|\bcheck\s+(?:it|that|this|MovieX)?\s*out\b|\bmore\s+like\s+it\b"
    r"|\b(?:i'?ll|we'?ll|will)\s+(?:have\s+to\s+)?(?:watch|try|give|add|definitely|check|look\s+(?:it|into))"
    r"|\bgive\s+(?:it|that|this|MovieX)(?:\s+one)?\s+a\s+(?:go|try|shot|watch|look|chance)\b"
    r"|\b(?:good|great|nice)\s+(?:one|idea|choice|suggestion|pick|call)s?\b|^\W*(?:perfect|excellent|awesome)\b"
    # "great" alone after a pick (a played chat got another pick and no word for it; "cool" and "nice" alone answer a
    # fact as often as a pick in the audited train replies)
    r"|^\W*(?:ok(?:ay)?\W+)?great\W*$"
    # "ok we'll go with that" (a scripted chat got another pick and no word for the one taken, 2026-12-03)
    r"|\b(?:go|going|goes)\s+with\s+(?:that|it|this|MovieX)\b|\b(?:that|it|this)\s+works\b|\bworks\s+for\s+(?:me|us)\b"
    # "I guess i could try it." (replayed ReDial test 20850 took nothing up)
    r"|\b(?:i|we)\s+(?:could|might|should|can)\s+(?:\w+\s+)?(?:try|watch|see|rent)\s+(?:it|that|this|MovieX)\b"
    rf"|{_GOES_TO_WATCH}"
    # "I will have to add it to my list" (replayed ReDial valid 13982)
    r"|\badd\s+(?:it|that|this|them|MovieX)\s+to\s+(?:my|the|our)\s+(?:watch\s*)?list\b"
    # "I think I'm going to show them Finding Nemo (2003)." (replayed ReDial valid 10711 got a new pick, no word for it)
    r"|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:going\s+to|gonna)\s+(?:show|put\s+on)\s+(?:them|her|him|the\s+kids|my\s+\w+"
    r"|it|that|this|MovieX)\b"
    # "I have to look for that one." (replayed ReDial test 22364 got a new pick and no word for it)
    r"|\b(?:i|we)\s+(?:have|need|got)\s+to\s+(?:look\s+(?:for|up|into)|find|get|rent)\s+(?:it|that|this|them|MovieX)\b",
    re.I,
)
"""The positive cues that take a suggestion up on their own ("Sounds good", "I'll check it out", "Perfect!"), not
only a good word near it: the head gave "Sounds good" after a suggestion p = 0.47 and the movie was not taken up."""
_IS_THE_PICK = r"\b(?:is|was|isn'?t|wasn'?t)\s+(?:it|that|this)(?:\s+one|\s+movie|\s+film)?\s+"
"""The start of a question whether the suggestion is something ("is that …", "was it …")."""
LIKE_NOT_LIKING = re.compile(
    r"\b(?:like|prefer|want)\s+more\s+(?:\w+\s+)?like\b"  # first: "i like more movies like MovieY" is one wish
    r"|\b(?:would\s+|'d\s+)?like\s+(?:something|anything|some|a\s+movie|movies)\b"
    r"|\b(?:movies?|films?|something|anything|ones?|stuff|more|things?|similar|just)\s+like\b(?!\s+it\s*(?:[.!]|$))"
    r"|[,(]\s*like\b"  # "something older maybe, like 80s?": "such as"
    # "Is it like Titanic?": whether the suggestion resembles another movie (a scripted chat took Titanic up on it)
    rf"|{_IS_THE_PICK}(?:\w+\s+)?like\b"
    # "something funny but also romantic": a kind asked for (a scripted chat took Thor: Ragnarok up on it)
    r"|\b(?:something|anything)\s+(?:\w+\s+)?(?:funny|fun|good|great|cool|nice|interesting|exciting|sweet|cute)\b"
    # "we like romantic comedies": a kind of movie, not the one suggested (a played chat took It (2017) up on it)
    r"|\b(?:like|love|enjoy|prefer)\s+(?:\w+\s+)?(?:comedies|dramas|thrillers|horrors|romances|rom[\s-]*coms|westerns"
    r"|musicals|documentaries|cartoons|movies|films|flicks)\b"
    # "I actually haven't seen any of those you liked them?": the assistant's taste (replayed ReDial test 23055)
    r"|\b(?:you|u)\s+(?:really\s+|also\s+|all\s+)?(?:liked|like|loved|love|enjoyed)\b"
    # "So many good part twos coming out": a good word for many other movies (a played chat took Frozen up on it)
    r"|\b(?:so\s+many|lots\s+of|a\s+lot\s+of|plenty\s+of)\s+(?:\w+\s+)?(?:good|great|cool|fun|nice|awesome)\b"
    # a wish, not praise (audited train replies, 2026-12-03 night): "I'm interested in more adult stuff", "i like more
    # movies like MovieY", "do you know of any good ones?", "any mystery movies that are good"
    r"|\binterested\s+in\s+(?:more|something|anything|some)\b"
    # "she already saw frozen like 50 times" (a scripted chat answered "Ah, Frozen (2013), good choice.")
    r"|\blike\s+(?:\d+|a\s+(?:hundred|thousand|million|dozen|billion)|a\s+(?:bunch|lot)\s+of)\s+times\b"
    r"|\bany\s+(?:\w+\s+){0,2}?(?:good|great|funny|fun)\s+(?:ones?|movies?|films?|flicks?)\b"
    r"|\b(?:movies?|films?|ones?)\s+that\s+(?:are|is)\s+(?:really\s+)?(?:good|great|funny|fun)\b",
    re.I,
)
""""like" asking or comparing ("I'd like something newer", "more like MovieY") or said of a kind of movie ("we like
romantic comedies"), which says nothing good of the movie suggested."""
WANTS_MORE_LIKE = re.compile(
    # "Do you know of any movies similar to MovieX …? I'm not so much into teenage movies" had turned Mean Girls down
    # (replayed ReDial test 22152)
    r"(?:\b(?:something|anything|any\s+(?:movies?|films?))\s+(?:\w+\s+)?|\b(?:looking\s+for|want|wanting)\s+(?:\w+\s+){0,4}?)"
    r"(?:like|similar\s+to)\s+(?:the\s+)?(?:MovieY\s*(?:,|or|and|&)\s*(?:the\s+)?)*MovieX\b",
    re.I,
)
"""Asking for movies like the target: the user likes it, whatever else the clause says ("Something like the MovieX
Or MovieY I dont like the movie get out" had turned Titanic down, replayed ReDial test 20392)."""
LIKENED = re.compile(rf"{_IS_THE_PICK}$", re.I)
"""The words before "anything like MovieX" that make it a question whether the suggestion is like the target ("is
that anything like Titanic?"), not a wish for movies like it (a scripted chat took Titanic up on it)."""
ASKS_FOR_MORE = re.compile(
    r"\b(?:any|anything|something|some|one|another|what|wat|wut)\s+(?:else|other|others|more)\b"
    r"|\bother\s+(?:suggestions?|ideas?|recommendations?|options?|movies?|films?|titles?)\b|^\W*others?\W*$"
    r"|\b(?:which|what)\s+other\s+ones\b"
    # "seen it, another one" (a scripted chat took Inside Out up on it, 2026-12-03)
    r"|\banother\s+(?:one|pick|suggestion|recommendation|idea|movie|film|title)\b",
    re.I | re.M,
)
"""Asking for more options ("any other ideas?", "one more suggestion please"): collecting, not declining, unless the
user has seen the movie ("I have seen / Other?")."""
BARE_YES = re.compile(r"^\W*(?:(?:lol|haha+|oh|um+|well)\W+)?(?:yes+|yeah+|yep|yup|ya|i\s+have|i\s+did)\W*$", re.I)
BARE_NO = re.compile(
    r"^\W*(?:(?:lol|haha+|hmm+|um+|uh+|well)\W+)?(?:(?:no+|nope|nop)(?:\W+not\s+at\s+all)?|not\s+at\s+all)\W*$", re.I
)
"""A reply that is only a "no" ("No, not at all."): it turns down an offer ("ok, how about MovieX" → "lol no") but
only says "not seen" after "Have you seen MovieX?" (`ecr_agent.feedback.reader.item_rule_verdict` tells the two
apart)."""
BARE_SEEN = re.compile(
    r"^\W*(?:(?:oh|yes+|yeah+|yep|yup|ya|ok(?:ay)?|um+|well|lol|haha+)\W+)?(?:i(?:'?ve|\s+have)\s+)?(?:already\s+)?"
    r"(?:seen|saw|watched)\s+(?:it|that|this|them|those|(?:that|this)\s+one|MovieX)(?:\s+(?:already|before))?\W*$",
    re.I,
)
"""A reply that only says the movie was seen ("seen it", "I've already watched that one"): neither taken up nor turned
down (the head took "seen it" for liking it, so the ranker counted the movie among the user's likes)."""
NO_SEEN_IT = re.compile(r"^\W*(?:no+|nope)\b", re.I)
""""No, they have seen that a hundred times", "no, already seen": a "no" that leads a reply saying the movie was seen
moves on from it (the head took Hook up in a played chat, and the opening said nothing of the turn-down)."""
OFFER = re.compile(
    r"\b(?:how|what)\s+about\b|\btry\b|\b(?:suggest|recommend)\b|\bcheck\s+out\b"
    r"|\byou\s+(?:might|may|would|should|could)\s+(?:also\s+)?(?:like|enjoy|love|try|watch|want)\b",
    re.I,
)
"""An assistant turn that offers a movie."""
LIKES_TARGET = re.compile(
    rf"\b(?:i|we)\s+(?:\w+\s+)?(?:like|love|liked|loved|enjoy|enjoyed|adore)\s+(?:the\s+)?(?:{OTHER}\s*(?:,|and|&|or)\s*)*"
    rf"{TARGET}\b",
    re.I,
)
"""A liking said of the named target itself: words against something before it are not about the target ("but I do
not like it so much it, is good I like Saw (2004)", replayed ReDial valid 13564, turned Saw down)."""
CHOSEN = re.compile(rf"^\W*(?:the\s+)?{TARGET}\s*(?:[.!\n]|$)", re.I)
"""A reply that opens with the target's title alone, as a sentence: the user picks it (`RuleVerdict.chosen`)."""
OFFERS_A_CHOICE = re.compile(rf"{TARGET}[^.?!\n]*\bor\b[^.?!\n]*{OTHER}|{OTHER}[^.?!\n]*\bor\b[^.?!\n]*{TARGET}")
"""An assistant turn offering the target or another movie ("How about Elf (2003) or Step Brothers (2008)?")."""
ASKS_IF_SEEN = re.compile(
    r"\b(?:have|did|do)\s+(?:you|u)\s+(?:ever\s+|already\s+)?(?:seen|see|saw|watched|watch|heard)\b", re.I
)
"""An assistant turn that asks whether the user has seen a movie."""
SAYS_IT_IS_FOR_KIDS = (
    r"\b(?:that|it|this)(?:'?s|\s+is)\s+(?:a\s+|for\s+)?(?:kids?|children'?s?)(?:\s+(?:movie|film|one))?\b"
)
""""lol no that's a kids movie": the user is after something for grown-ups (`ecr_agent.ranker.requests` turns family
and animation away on it too)."""
REDIRECTS = re.compile(
    r"\b(?:any|anything|something|some|one)\s+(?:more\s+|a\s+(?:little|bit)\s+)?(?:different|newer|older|recent|less"
    r"|lighter)\b"
    r"|\b(?:was|am|i'?m)\s+(?:\w+\s+)?(?:thinking|looking|hoping)\s+(?:more\s+)?(?:of|for|about|along|like)\b"
    # "Is there movies more masculine?" (audited IARD)
    r"|\b(?:movies?|films?|something|anything)\s+(?:a\s+(?:little|bit)\s+)?more\s+(?!like\b|of\b|along\b)\w+"
    r"|\bthinking\s+more\b|\bmore\s+(?:into|like(?!\s+it\b)|along)\b|\bmore\s+of\s+an?\b|\bmore\s+(?:on|of)\s+the\s+\w+\s+side\b|\b(?:tv|television)\s+(?:show|series)\b"
    # "i like more movies like MovieY" (audited train)
    r"|\b(?:like|prefer|want)\s+more\s+(?:\w+\s+)?like\b"
    r"|^\W*(?:just\s+)?looking\s+for\b|\bthan\s+what\s+i\b|\bwhat\s+i'?m\s+(?:after|looking)\b|\bin\s+the\s+mood\s+for\b|\bi'?d\s+(?:rather|prefer)\b"
    r"|\bi\s+(?:would\s+|'d\s+|really\s+)?(?:like|want|wanted|prefer)\s+(?:something|one|a\s+movie)\b|\bpreferably\b"
    r"|\binterested\s+in\s+more\b|\bsomething\s+(?:i\s+have\s*n'?t|i\s+haven'?t|from\s+the)\b"
    r"|\b(?:what|how)\s+about\s+(?:something|anything|some|one|movies?)\b"
    # "no, something actually good" (a scripted chat kept the pick unread and the opening said nothing of it)
    r"|^\W*(?:no+|nope|nah)\b[\s,.!-]+(?:\w+\s+)?(?:something|anything|another|different|else|other)\b"
    rf"|{SAYS_IT_IS_FOR_KIDS}",
    re.I,
)
"""Describing what the user is after instead ("something more recent", "more like MovieY", "That's a TV show",
"lol no that's a kids movie": a scripted chat laughed back and kept the pick's kind; "what about something with Tom
Hanks": the opening said "Fair enough, The Avengers (2012) isn't for everyone")."""
PRAISE_BY_DENIAL = re.compile(
    r"(?:\bnever|\bnot|n't|\b(?:dont|didnt|doesnt|wont|cant))\s+(?:\w+\s+)?(?:disappoint\w*|lets?\s+(?:me|us|you)\s+down"
    r"|go\s+wrong|fails?\s+to\s+(?:impress|deliver|entertain))"
    r"|\bwho\s+(?:does\s*n'?t|does\s+not|doesnt)\s+(?:like|love)\b|\bwhat'?s?\s+(?:is\s+)?(?:there\s+)?not\s+to\s+(?:like|love)\b"
    r"|\b(?:don'?t|do\s+not)\s+make\s+(?:\w+\s+){0,2}like\s+(?:that|this|it|them|those)\s+any\s*more\b"
    # "It doesn't sound too bad." (IARD 11372 got "Sorry Hot Fuzz (2007) didn't work for you.")
    r"|(?:\bnot|n't|\b(?:doesnt|isnt|wasnt))\s+(?:sound|look|seem)?s?\s*(?:too|that|so|half|all)?\s*bad\b",
    re.I,
)
"""Praise that denies a negative ("Hitchcock never disappoints", "you can't go wrong", "who doesn't like gnomes?",
"doesn't sound too bad", "not bad"): positive, not negative."""
ASKS_ABOUT_IT = re.compile(
    r"\b(?:is|was|are|were|does|did|would|will)\s+(?:it|that|this|they|i|MovieX|the\s+(?:movie|film|one))\b[^.!?\n]*\?"
    # asked in a statement's word order: "Lady Bird (2017) is good as well?" (an IARD opening said "Glad you enjoyed")
    r"|(?:\b(?:it|that|this|MovieX)|\))\s+(?:is|was)\s+(?:\w+\s+){0,2}?(?:good|great|funny|scary|worth\s+\w+)\b[^.!?\n]{0,20}\?"
    # a title as typed: "Was Thor any good?" (an IARD opening said "Glad you enjoyed Thor!")
    r"|\b(?:is|was)\s+(?-i:[A-Z])[^.!?\n]{0,60}?\b(?:any\s+good|good|great|funny|scary|worth\s+\w+)\b[^.!?\n]{0,20}\?",
    re.I,
)
"""A yes/no question about the movie ("Is it interesting?", "Would I like it?"): its good words ask, not praise."""
ASKS_A_FACT = re.compile(r"^\W*(?:who|what|when|where|which|how|is|was|are|were|does|did|has|have)\b[^?]*\?\W*$", re.I)
"""A reply that is one question ("Who wrote it?", "What year is it from?"): it asks about the movie, it does not
answer the suggestion, so only words against it can turn it down."""
ASKS_IF_IT_IS = re.compile(
    r"\b(?:is|was|would|will)(?:n'?t)?\s+(?:it|that|this|that\s+one|this\s+one)\s+(?:be\s+)?[^.!?]*\?", re.I
)
"""A yes/no question about the movie ("is it too scary for a 6 year old?"): a worry to answer, not a critique (a
played chat turned Sing down on it and the reply said "Got it, Sing (2016) is off the list")."""
SEEN_DENIAL = re.compile(
    r"\b(?:have|has|had)(?:\s*n[o']?t|'?t)\b(?!\s+(?:\w+\s+)?(?:liked|enjoyed|loved|cared|been|wanted))|\bhavent\b|\bnot\s+yet\b"
    r"|(?:\bdid\s*n[o']?t|\bdidnt|\bnever)\s+(?:\w+\s+)?(?:seen|see|saw|heard|watched)\b"
    r"|\b(?:did\s*n[o']?t|didnt|never\s+did)\s+(?:\w+\s+)?watch\b",
    re.I,
)
""""I haven't", "didn't see it", "not yet": about having seen the movie, so the words after them ("No, I haven't, it
sounds great") are not negated."""
NOT_A_NO = re.compile(
    r"\bnothing\s+too\b|\bnot\s+too\s+much\b|\bbeen\s+too\s+long\b|(?:\bnot|n't)\s+(?:quite\s+)?as\s+\w+\s+as\b"
    # "ive watched that one not too long ago", "Im really not too picky" (audited validation replies, 2026-12-03)
    r"|\bnot\s+(?:really\s+|all\s+)?(?:too|that)\s+(?!keen|fond|crazy|big|into|interested|much\b|good|great|funny|sure"
    r"|fun\b|interesting|exciting|impressive|entertaining|memorable|special|enjoyable)\w+"
    r"|\b(?:like|liked|love|loved|enjoy|enjoyed)\s+(?:\w+\s+){0,3}too\s+much\b"
    r"|\bnever\s+(?:get|gets|got|grow|grew)\s+(?:tired|sick)\s+of\b"
    # a mood, not a verdict: "I don't want to cry tonight" after "is it sad?" (a played chat turned Mamma Mia! down)
    r"|(?:n't|\bnot)\s+(?:really\s+)?(?:want|wanna)\s+(?:to\s+)?(?:cry|be\s+sad|feel\s+(?:sad|down|bad)"
    r"|get\s+(?:sad|scared|depressed)|be\s+(?:scared|depressed)|think\s+(?:too\s+)?much)\b"
    # "Any genre is great I am just bored watching Netflix" (the user's mood), "I liked that movie, but I didn't
    # exactly love it" (lukewarm): audited validation replies, 2026-12-03 night
    r"|\b(?:i'?m|i\s+am|we'?re|we\s+are|get|getting)\s+(?:just\s+|so\s+|really\s+|kinda\s+|a\s+(?:little|bit)\s+)?bored\b"
    r"|(?:\bdid\s*n'?t|\bdidnt)\s+(?:exactly|quite|necessarily)\s+love\b"
    # another movie of the series: "300 was good too. I didn't really like the sequel" (replayed ReDial valid 13905
    # got "Fair enough, 300 (2007) isn't for everyone")
    r"|(?:n't|\bnot|\bdidnt|\bdont)\s+(?:really\s+|much\s+|particularly\s+)?(?:like|love|enjoy|care\s+for)\s+"
    r"(?:the|its|that)\s+(?:sequels?|prequels?|remakes?|second(?:\s+one)?|third(?:\s+one)?|other\s+ones|rest|reboot)\b",
    re.I,
)
"""Words a negative cue would misread: a wish ("nothing too serious"), a comparison ("not as good as MovieY"), an
idiom ("it's been too long", "I never get tired of it"), or "I liked that one too much"."""
CONCESSION = re.compile(r"\b(?:but|although|overall)\b|\b(?:though|however)\b(?!\s*(?:[.!?\n]|$))", re.I)
"""A concession; "though" or "however" that ends a sentence concedes to what came before it ("Not a huge fan of
Katherine Heigel though. I really enjoy Sandra Bullock movies": audited IARD)."""
LEAD_IN = re.compile(
    r"(?:\b(?:and|also|too|or|but|i|we|he|she|they|you|really|just|always|recently|first|the|movie|film|is|was|as"
    r"|good|such|like|liked|love|loved|enjoy|enjoyed|watch|watched|see|saw|seen|want|wanted|to|have|has|did|do|of"
    r"|called|named|in|with|prefer|mean|ll|will|check|out|try|go|give|add|rent|pick|choose|think|going|gonna|show|put"
    r"|on|them|for|might|could|may|should)\b\s*)+$",
    re.I,
)
"""The words that lead into another movie ("I also loved ", "have you seen the movie ", "as good as "): about it,
not about the target."""
WORD = re.compile(r"\w{2,}")
THANKS = re.compile(r"\bthanks?(?:\s+you)?\b", re.I)
ELSEWHERE = re.compile(
    r"\b(?:others?|the\s+rest|MovieY|ones|couple|few|chat|chatting|talking)\b|\bthis\s+was\s+(?:fun|nice|great)\b", re.I
)
"""A concession about other movies ("…, but I'll check out the others!", "But you've given a couple good ones") or
about the chat ("No thanks my platoon would hate it … but this was fun") takes nothing back for the target."""
RUN_TOGETHER = re.compile(r"\bi(love|loved|like|liked|enjoyed|hate|hated)\b", re.I)
""""yess ilove it" (replayed ReDial test 22638 read nothing of it): "I" typed onto the verb."""
CUE_NAMES = ("seen", "not_seen", "negative", "positive")
"""The cues the trained head reads as features (`Cues.vector`); ``moves_on`` is decided by rule only."""


@dataclass(frozen=True)
class Cues:
    """What a text says in so many words (each independently)."""

    seen: bool
    not_seen: bool
    negative: bool
    positive: bool
    moves_on: bool = False
    asks: bool = False
    conceded: bool = False
    """A critique the words take back ("never was a fan of any of it but I enjoy them now")."""

    def vector(self) -> list[float]:
        return [float(getattr(self, name)) for name in CUE_NAMES]


def cues(text: str) -> Cues:
    """Read the cues of ``text``; a negated positive ("didn't like it") counts as negative only."""
    # "I'm good, thanks for asking" answers "how are you?": no thanks for the suggestion
    text = FINE_THANKS.sub(" ", PRAISE_BY_DENIAL.sub(" great ", RUN_TOGETHER.sub(r"i \1", text.replace("\u2019", "'"))))
    not_seen = bool(NOT_SEEN.search(text))
    criticised, conceded = _critique(text)
    # "your suggestions are bad" says no to the picks on the table (a scripted chat kept It (2017) among the options)
    negative = (criticised and not conceded) or bool(COMPLAINT.search(text))
    # "I haven't seen either Good choices": the "haven't" is about having seen them, it negates no good word
    unasked = SEEN_DENIAL.sub(" ", ASKS_ABOUT_IT.sub(" ", text))
    positive = bool(POSITIVE.search(LIKE_NOT_LIKING.sub(" ", NEGATIVE.sub(" ", unasked))))
    seen = _says_seen(text)
    redirects, more = bool(REDIRECTS.search(text)), bool(ASKS_FOR_MORE.search(text))
    # moving on: the movie does not fit, so the reply says what it is after instead, or has seen the movie and asks
    # for more ("I have seen / Other?"); a good word for the movie takes it up, unless a concession after it moves on
    moves_on = (
        not negative
        and (redirects or (seen and not not_seen and more))
        and (not positive or _moves_on_after_concession(text))
    )
    asks = bool(ASKS_A_FACT.search(text.strip())) and not (more or redirects) and not negative
    return Cues(
        seen=seen,
        not_seen=not_seen,
        negative=negative,
        positive=positive,
        moves_on=moves_on,
        asks=asks,
        conceded=conceded,
    )


def _moves_on_after_concession(text: str) -> bool:
    """Whether the words after the last concession move on with no good word of their own: "I love that one, but want
    something newer", "Great choice, but again I have seen it. Anything newer?" (the audited validation and train
    replies turn these down: a good word, then a reason the movie does not fit)."""
    *before, last = CONCESSION.split(text)
    if not before or _good_word(last):
        return False
    seen = _says_seen(last) and not NOT_SEEN.search(last)
    return bool(REDIRECTS.search(last) or (seen and ASKS_FOR_MORE.search(last)))


def _says_seen(text: str) -> bool:
    """Whether ``text`` says the movie was seen, its "haven't seen", "can't remember if I saw" and "have you seen it?"
    (asked of the recommender, not said of the user: a scripted chat's "Have you seen it?" marked two movies seen)
    read first."""
    return bool(SEEN.search(UNSURE_SEEN.sub(" ", NOT_SEEN.sub(" ", ASKS_IF_SEEN.sub(" ", text)))))


def _says_anything(text: str) -> bool:
    """Whether ``text`` holds any cue: the words after the last other movie of "I love MovieY, can you recommend
    anything like that?" or "I liked MovieY starring leonardo Dicaprio" speak of it, not of the suggestion (replayed
    ReDial test 21692 marked Deadpool 2 taken up and seen on the first; the audited train replies label such words
    "nothing said" 17 times in 19)."""
    if not WORD.search(text):
        return False
    said = cues(text)
    return said.seen or said.not_seen or said.negative or said.positive or said.moves_on


def _good_word(text: str) -> bool:
    """Whether the words after a concession say something good of the target: thanks and "like" asking or comparing
    are not that."""
    return bool(POSITIVE.search(LIKE_NOT_LIKING.sub(" ", THANKS.sub(" ", text))))


def _critique(text: str) -> tuple[bool, bool]:
    """Whether ``text`` holds a negative cue, and whether a concession after it takes it back: something good of the
    target and nothing bad ("some scenes I didn't like, but overall pretty good")."""
    text = NOT_A_NO.sub(" ", SEEN_DENIAL.sub(" ", ASKS_IF_IT_IS.sub(" ", text)))
    if not NEGATIVE.search(text):
        return False, False
    *before, last = CONCESSION.split(text)
    taken_back = bool(before and _good_word(last) and not NEGATIVE.search(last) and not ELSEWHERE.search(last))
    return True, taken_back


@dataclass(frozen=True)
class RuleVerdict:
    """The rule reader's verdict on one item."""

    turned_down: bool
    accepted: bool
    seen: bool | None
    moved_on: bool = False
    """The reply answers the suggestion just before it by asking for something else, with no word for or against it."""
    asks: bool = False
    """The reply only asks a question about the movie ("Who wrote it?"): the head may not turn it down."""
    said_no: bool = False
    """Words against the target itself ("not a fan", "seen it, didn't really like it"): turned down whatever the head
    says (it gave "Sounds boring" after a plot summary no verdict, and "seen it. didn't really like it" p = 0.35)."""
    took_back: bool = False
    """Words against the target that a concession takes back ("never was a fan of any of it but I enjoy them now"):
    not turned down whatever the head says."""
    seen_only: bool = False
    """A bare "yes" or "no" to "have you seen MovieX?": seen or not, and nothing said for or against it (the head took
    "yes" up, and the opening said "I think you'll like Jumanji (2017)!" to someone who had seen it; after "no" it
    said nothing of the movie)."""
    wants_more_like: bool = False
    """The target's clause asks for movies like it (`WANTS_MORE_LIKE`): accepted and not turned down whatever the head
    says."""
    takes_it_up: bool = False
    """A cue that takes the target up on its own (`TAKES_IT_UP`) in a reply naming no other movie, or in the target's
    own clause: accepted whatever the head says."""
    chosen: bool = False
    """The reply opens with the target's title alone, answering an offer of it or another ("How about Elf (2003) or
    Step Brothers (2008)?" → "Step Brothers! Not into Will Ferrell though"): taken up whatever the rest says. Replayed
    ReDial valid 779 ("Kingsman. I dont care for superhero films") turned both down; its short title links nothing."""
    silent: bool = False
    """The reply names other movies and has no words about the target, neither before the first other movie (less
    those leading into it) nor a cue after the last ("I liked MovieY", "I love MovieY, anything like that?" after a
    suggestion of MovieX): the head, which reads the whole reply, may not take the target up, turn it down or call it
    seen."""


def _about_the_target(clause: str, reply: str) -> str:
    """The words of a reply that does not name the target which speak of it: the whole reply when it names no other
    movie (so "…, but overall pretty good" concedes), else its clauses naming no other movie (``clause``); when every
    clause names one, the words before the first other movie less those that lead into it (`LEAD_IN`) and less a
    concession ("Not a fan, any others like MovieY?" says no, "boring, but I love MovieY" too; "I liked MovieY" and
    "I liked MovieY but…" say nothing of it)."""
    if OTHER not in reply:
        return reply
    before = LEAD_IN.sub("", clause.split(OTHER)[0]) if OTHER in clause else clause
    breaks = list(CONCESSION.finditer(before))
    return before[: breaks[-1].start()] if breaks else before


def rule_verdict(clause: str, reply: str, named: bool, just_suggested: bool = False) -> RuleVerdict:
    """Verdict from cues: the clause naming the target when the reply names it, else the whole reply.

    Turned down: a negative cue in the words about the target (the clause naming it, or, when the reply does not name
    it, the clauses naming no other movie), or, when the assistant suggested the target in the turn just before
    (``just_suggested``), a reply that moves on from it without naming it (`Cues.moves_on`);
    accepted: a positive cue without a negative one; seen: "seen it" → True, "haven't seen" → False, neither → None.
    """
    read = clause if named else reply
    found = cues(read)
    liking = LIKES_TARGET.search(read) if named else None
    about = (read[liking.start() :] if liking else read) if named else _about_the_target(clause, reply)
    said = found if about == read else cues(about)  # each distinct text is read once
    seen = False if said.not_seen else True if said.seen else None
    # a reply naming the target speaks of it in its own clause ("MovieX is more what I'm after" takes it up), so
    # a reply that names it moves on only after a concession ("I liked MovieX more than most disney offerings but I
    # guess I was looking for Anime", replayed ReDial valid 4596 got "Oh nice, you've already seen Moana")
    if named:  # the clause has lost the concession ("…offerings I guess…"): read from the target to another movie
        after = reply[reply.find(TARGET) :].split(OTHER)[0]
        moved_on = just_suggested and not found.negative and _moves_on_after_concession(after)
    else:  # a reply naming other movies moves on in the words about the target too ("What about something for
        # fictional. Maybe science fiction. MovieY is nice.": the whole reply's good word is MovieY's)
        moved_on = just_suggested and (found.moves_on or (OTHER in reply and said.moves_on))
    asked = WANTS_MORE_LIKE.search(read) if named else None
    wanted = (
        asked is not None and not NEGATIVE.search(read[: asked.start()]) and not LIKENED.search(read[: asked.start()])
    )
    negative = said.negative and not wanted  # "I didn't like MovieY" says nothing against the target
    whole = found if read == reply else cues(reply)
    # a reply naming other movies but not the target takes it up only in the words about it ("I liked MovieY"
    # says nothing of the suggestion)
    elsewhere = not named and OTHER in reply
    positive = wanted or (said.positive if elsewhere else found.positive)
    return RuleVerdict(
        turned_down=negative or moved_on,
        accepted=positive and not negative and not moved_on,
        seen=seen,
        moved_on=moved_on,
        asks=whole.asks,
        said_no=negative,
        took_back=said.conceded,
        takes_it_up=wanted
        or (positive and not negative and not moved_on and bool(TAKES_IT_UP.search(about if elsewhere else read))),
        wants_more_like=wanted,
        silent=elsewhere and not WORD.search(about) and not _says_anything(clause.rsplit(OTHER, 1)[-1]),
    )

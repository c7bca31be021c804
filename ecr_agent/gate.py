"""`SentenceGate`: hold back generated sentences that invent a life or state a false fact about the movie.

Fine-tuning on first-person reviews teaches a small model to claim experiences ("I was 12 when I first saw it") and
it garbles the facts it is given. The gate reads the generated continuation sentence by sentence and drops a
sentence that the invented-life detector flags, whose claims the fact book proves false
(`ecr_agent.evaluation.life`, `ecr_agent.evaluation.claims`), that doubts what the movie is (`MUDDLE`), that runs
it down (`TALKS_DOWN`), that weighs it as if the assistant were to watch it (`AS_ITS_VIEWER`), that apologises
(`APOLOGY`: the opening answers a turn-down), that reports how the movie was received (`HEARSAY`), that takes the
pick as seen by the user (`PRESUMES_SEEN`), that praises nothing in particular (`BOILERPLATE`), that makes up a time
(`TIME_TALK`), that takes the movie for an actor (`CALLED_AN_ACTOR`), that names a movie with a year the catalogue
lacks (`TITLE_YEAR`) or that garbles the name of one of the movie's people (`GARBLED`); the lead-in "I am glad to
say that" is cut (`GLAD_TO_SAY`), and a bracketed aside is cut from its sentence first (`ASIDE`). A film person
named in passing must be in the movie (the claim checker's *person* claim), and a plot it tells must share at least
half its words with the movie's plot (`unsupported_plot`).
Streaming releases each sentence once it is complete, so what streams is exactly what `filter` returns. A last
sentence the model left unfinished ('The user is: "I loved it') is dropped too: a reply never ends mid-sentence.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from ecr_agent.data.movies import YEAR_SUFFIX
from ecr_agent.evaluation.claims import FactBook, false_claims, name_key, people_named
from ecr_agent.evaluation.life import invented_life
from ecr_agent.sentences import is_sentence_end, split_sentences

MUDDLE = re.compile(
    r"\bnot\s+sure\s+(?:if|whether)\s+(?:this|it)\s+is\s+(?:a|an|the)\s+(?:movie|film)\b|\bor\s+an?\s+episode\s+of\b"
    r"|\bnot\s+sure\s+(?:if|whether)\s+(?:this|it|the)\s+(?:movie\s+|film\s+)?is\s+(?:a|an)\s+[\w-]+(?:\s+[\w-]+)?\s+or\b"
    r"|\bnot\s+sure\s+what\s+[^.!?]{1,60}?\s+(?:is|was)\s+about\b"
    r"|\bnot\s+sure\s+what\s+to\s+say\b"
    r"|\bnot\s+sure\s+(?:if|whether)\s+(?:it|this|the\s+\w+)\s+(?:was|is)\s+(?:even\s+)?(?:directed|written|made)\b"
    r"|^(?:He|She)\s+(?:is|was)\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,2}?(?:movie|film)\b"
    r"|\b(?:first|second|third|last|new|next|latest)\s+season\b|\bseason\s+\d"
    r"|\(\s*\d{0,4}\s*\.{2,}|^\s*[)\]]"
    # a run of single words between commas ("this amazing, talented, wonderful, beautiful, incredible, awesome, …":
    # replayed ReDial test 22359), and "It's not just about sex" (said of Pretty Woman and Sleepless in Seattle)
    r"|(?:\b[\w-]+,\s+){5,}|\bsex(?:ual|y)?\b"
    # the kind doubted or denied: "I'm not sure if it's a horror film", "it's not a horror film!" (of Annabelle)
    r"|\bnot\s+sure\s+(?:if|whether)\s+(?:this|it|the\s+\w+)(?:'s|\s+is|\s+was)\s+(?:really\s+)?(?:a|an)\s+[\w-]+\s+(?:movie|film)\b"
    r"|\b(?:it|this|that)(?:'s|\s+is|\s+was)\s+not\s+(?:a|an)\s+[\w-]+\s+(?:movie|film)\b"
    # "This is a comedy that has nothing to do with time travel" (after "time travel movies like Looper")
    r"|\bnothing\s+to\s+do\s+with\b",
    re.I,
)
"""A sentence that doubts what the movie is ("I'm not sure if this is a movie or an episode of the series, but it's
definitely one": three of about fifteen replayed turns on 2026-12-01; "I am not sure if this movie is a comedy or an
action film", "I am not sure what Avengers: The Last Stand is about, but it's a great movie", replayed ReDial test
20458; "(and I'm not sure if it was even directed by Edgar Wright)", "She is the best movie ever made", 21269):
dropped like a false claim, and so is "I'm not sure what to say about this movie" (twice in the 08:56 reply bench),
one that takes it for a series ("I loved the first season of Aliens": replayed ReDial test 21352),
and a title cut short ("The Heat (20... ) was a great movie": the demo, 07:47)."""

APOLOGY = re.compile(
    r"\b(?:I['’]?m|I\s+am)\s+(?:so\s+|very\s+|really\s+|truly\s+)?sorry\b|\bapologi[sz]e\b|\binconvenience\b", re.I
)
"""A generated apology ("I am so sorry for the inconvenience this caused.", after the user turned a pick down: the
demo conversation, 2026-12-01 07:47): the opening already answers a turn-down, and the generated part is about the
new pick, so the sentence is dropped."""

TALKS_DOWN = re.compile(
    r"\b(?:boring|dull|tedious|clumsy|lazy|annoying|bland|mediocre|forgettable)\b"
    r"|(?<!not\s)\btoo\s+(?:slow|long|predictable|confusing|dark|violent|gory|depressing)\b"
    r"|\bhard\s+to\s+(?:follow|keep\s+track|enjoy|watch)\b|\bno\s+(?:real\s+|good\s+|great\s+)?(?:direction|substance|plot|story)\b"
    r"|(?:n't|\bnot)\s+(?:really\s+|very\s+)?(?:interesting|exciting|entertaining)\b"
    r"|\bnot\s+(?:too\s+|very\s+|that\s+)?much\s+fun\b|\bnot\s+as\s+good\b|\bnot\s+for\s+everyone\b"
    r"|\blots\s+of\s+bad\b|\bnot\s+always\s+(?:funny|good|well[- ]made|entertaining)\b"
    r"|\bbad\s+(?:acting|writing|dialogue|effects)\b|\black\s+of\b|\bclich[eé]d?\b|\bflaws\b"
    r"|\bcould\s+(?:have\s+been|be)\s+(?:improved|better)\b"
    r"|\b(?:lots|a\s+lot|plenty)\s+of\s+(?:violence|gore|blood)\b"
    # the 2026-12-03 15:28 reply bench: "too many plot holes in this one" (of Thor: Ragnarok), "the main character is
    # not very believable", "it doesn't have any great plot points"
    r"|\bplot\s+holes?\b|(?:n't|\bnot)\s+(?:very\s+|really\s+|that\s+)?believable\b"
    r"|\b(?:does\s*n['’]?t|doesnt|does\s+not)\s+have\s+(?:any|much)\s+(?:great|good|real)\b",
    re.I,
)
"""A sentence that runs the recommended movie down ("It's not a bad film, but it is too slow and boring for me to enjoy
it", right after the user turned a movie down as too slow: the 2026-12-01 demo; "It's too long and … hard to keep
track of the plot points"; Stalingrad "has no real story to tell and … many other things … that aren't really
interesting or exciting enough", replayed ReDial test 23102; "It's funny, but not too much fun to watch", 22044;
"it's not as good in terms of plot or direction", 21960; "It is too dark and violent, it has no good story to be
told in this film" of Natural Born Killers, replayed ReDial valid 625; "some really bad acting by the actors",
"quite cliched in many ways", the 08:56 reply bench; "some scenes which could be improved for better pacing",
twice in the scripted chats of 2026-12-02; "with lots of violence but it has some good moments too!" right after
"too violent for me", 15:00): dropped, since the reply recommends the movie."""

AS_ITS_VIEWER = re.compile(
    r"\b(?:choice|pick|fit|option|must(?:-see)?)\s+for\s+me\b|\bfor\s+me\s+(?:not\s+)?to\s+(?:watch|enjoy|see|like)\b"
    r"|\bnot\s+sure\s+(?:if|whether)\s+(?:this|it|the)\s+(?:\w+\s+)?(?:is|was|would\s+be)\s+(?:worth|a\s+good|the\s+right"
    r"|right|for\s+me)\b"
    r"|\b(?:I['’]m|I\s+am)\s+(?:not\s+)?(?:really\s+)?(?:a|an)\s+(?:[\w-]+\s+){0,2}?(?:fan|person|guy|girl|type)\b"
    # "it will be hard for me not watching this one!" (the 2026-12-03 15:28 reply bench)
    r"|\bhard\s+for\s+me\b"
    # "not too long or complicated for me - just enough so that my imagination can work" (the 2026-12-02 bench)
    r"|\btoo\s+[\w-]+(?:\s+(?:or|and)\s+[\w-]+)?\s+for\s+me\b|\bmy\s+(?:imagination|mind|brain|heart)\b"
    # favourites of its own, which the assistant says it has none of ("still a favorite of mine", the 14:16 bench),
    # and a viewer's persona ("I am a movie lover, and this is the best.", replayed ReDial test 22977)
    r"|\bfavou?rites?\s+of\s+mine\b|\bmy\s+(?:all[- ]time\s+|personal\s+)?favou?rites?\b"
    r"|\bI(?:['’]m|\s+am)\s+(?:a\s+)?(?:huge\s+|big\s+|real\s+)?(?:movie|film|cinema)\s+(?:lover|buff|fan|addict|nerd|geek)"
    # the opening's honest "I'm a movie recommender, a program" echoed as a persona ("I'm a movie recommender, and this
    # is the best Jumanji ever!", a scripted chat of 2026-12-03)
    r"|\bI(?:['’]m|\s+am)\s+(?:a|an|your)\s+(?:[\w-]+\s+){0,2}?(?:recommender|program|bot|assistant|ai)\b"
    # "the movie was able to make a difference for me." (a scripted chat of 2026-12-02)
    r"|\bfor\s+me\W*$",
    re.I,
)
"""A sentence that weighs the pick as if the assistant were to watch it, or doubts it ("I am not sure if this movie is
a good choice for me", "the movie was a great choice for me", "it will be very hard for me not to enjoy it": 8 of
the 200 replies of the 2026-12-01 05:06 reply bench, and four of 30 turns replayed at 07:10; "I'm not a big horror
fan, but I do enjoy the movie" after Reservoir Dogs, the 08:56 bench): dropped, since the reply recommends the movie
to the user."""

ASIDE = re.compile(r"\s*\((?!\s*(?:19|20)\d\d\s*\))[^()]*\)")
"""A bracketed aside other than a year. In the generated part it was garble in 17 of 21 cases of the 2026-12-01
08:56 reply bench ("great performances by Ken Watanabe (The Monsters) and Tom Berenger (Inception)", "Javier Bardem
(the only female in the entire cast)", "Click (209) is a great movie", "from both men (Jackman) and women
(Morgan)"), so it is cut from the sentence, which is then checked like any other ("the wonderful Regina Hall (who was
amazing in this movie)" keeps "the wonderful Regina Hall"). A bracket left open drops the sentence."""

GLAD_TO_SAY = re.compile(
    r"^\s*(?:I\s+am|I['’]m)\s+(?:so\s+|very\s+)?glad\s+to\s+(?:say|report|see)\s+that\s+(?=\S+\s+\S+\s+\S+)", re.I
)
"""A lead-in the fine-tuned model opens one generated part in seven with (15 of the 97 of the 2026-12-02 14:16 reply
bench: "I am glad to say that this movie is a great comedy."): cut, so the sentence says what follows it."""

HEARSAY = re.compile(
    r"\b(?:praised|acclaimed|recogni[sz]ed|well[- ]received|received\s+(?:very\s+)?well)\b"
    # "the franchise is still alive and thriving", "this film has been made into an entertaining TV show" (12-02)
    r"|\bstill\s+alive\b|\bthriving\b|\bbeen\s+made\s+into\b"
    r"|\b(?:was|is|been)\s+(?:a\s+)?(?:(?:great|huge|big|box[- ]office|major)\s+)?(?:hit|success|successful)\b"
    r"|\bgoing\s+strong\b|\balive\s+and\s+kicking\b|\bremembered\s+for\b|\bstill\s+being\s+watched\b"
    # "one of the most beloved and well-loved movies ever made", "has been around for years" (replayed ReDial test
    # 22359), "this isn't just another one-star rated film" (21061)
    r"|\b(?:beloved|well[- ]loved)\b|\bbeen\s+around\s+for\b|\b(?:one|two|three|four|five|\d)[- ]stars?\b"
    # "the first comedy in a long time which has been made by a female director" (replayed ReDial test 21142)
    r"|\bfirst\s+(?:\w+\s+){0,3}in\s+(?:a\s+long\s+time|years|decades|ages)\b"
    # "it has become an iconic franchise", "the franchise has continued its journey" (scripted chats, 2026-12-02)
    r"|\bbec(?:o|a)me\s+(?:an?\s+)?(?:\w+\s+)?(?:iconic|classic|cult|phenomenon)\b|\bcontinued\s+its\b"
    r"|\bglad\b[^.!?]*\breleased\b|\bstill\s+(?:being\s+made|popular|around|relevant|available|in\s+theaters)\b"
    r"|\b(?:will\s+be|was|being|been)\s+released\b|\b(?:into|in)\s+(?:the\s+)?(?:\w+\s+)?(?:theaters?|theatres?|cinemas?)\b"
    r"|\bnominat(?:ed|ion|ions)\b|\b(?:academy\s+awards?|oscars?|golden\s+globes?|emmys?|award[- ]winning)\b"
    # "The movie has been watched by so many people.", "an audience of 10,528 viewers" (a scripted chat, 2026-12-03)
    r"|\b(?:watched|seen|enjoyed|loved)\s+by\s+(?:so\s+)?(?:many|millions|thousands|lots|\d)"
    r"|\b(?:audience|viewers)\s+of\s+(?:over\s+)?\d|\b\d[\d,.]*\s+(?:viewers|fans|views)\b"
    # "this genre of movies, which has been growing in popularity over the years" (replayed ReDial test 20850)
    r"|\b(?:growing|grown|gaining|gained|rising)\s+in\s+popularity\b|\bpopular\s+over\s+the\s+years\b"
    # "The Lego movie is now available on DVD." (a scripted chat, 2026-12-03)
    r"|\bavailable\s+(?:on|to\s+(?:stream|rent|buy)|for\s+(?:streaming|rent|purchase))\b|\bnot\s+(?:yet\s+)?available\b"
    # "it has been shown in many countries around the world" (a scripted chat, 2026-12-03)
    r"|\bbeen\s+shown\s+(?:in|on|at|to)\b"
    r"|\bon\s+(?:dvd|blu[- ]?ray|netflix|hulu|amazon|disney\+)\b",
    re.I,
)
"""What the sources cannot back: how the movie was received ("it has been praised by many people who have watched it
in their lifetime", "I am glad to say that the movie was a great success", "the movie is still going strong", "I am
so glad that the movie was released in 2017": 19 of 200 replies of the 2026-12-01 08:56 reply bench, Good Cheer (1926)
"was a hit" among them; "I'm glad to see that the movie is still being made", "Coco … will be released in 2017",
"glad that this one was able to make it into theaters", eight replayed ReDial test chats at 11:25; awards, which no
source here records: "he has been nominated for 10 Academy Awards", 22119; "the movie has been recognized for its
horror and mystery elements", a scripted chat of 2026-12-02): dropped like a false claim."""

PRESUMES_SEEN = re.compile(
    r"\b(?:glad|happy|grateful|thankful)\s+(?:that\s+)?you\s+(?:enjoyed|liked|loved|saw|watched|have\s+seen)\b"
    r"|\byou(?:['’]ve|\s+have)\s+(?:already\s+)?(?:seen|watched)\s+(?:it|this|the\s+movie|the\s+film)\b"
    # "You enjoyed the movie." after a pick the user had only asked about (a scripted chat, 2026-12-03)
    r"|^\W*you(?:['’]re|\s+are)?\s+(?:really\s+|must\s+have\s+|clearly\s+)?(?:enjoyed|liked|loved|enjoying|loving)"
    r"\s+(?:it|this|that|the\s+(?:movie|film))\b",
    re.I,
)
"""A sentence that takes the new pick as seen by the user ("I'm glad you enjoyed it." right after "Have you seen The
River Wild (1994)?": replayed ReDial test 22102): the generated part is about a movie the user is only being
offered, so it is dropped."""

BOILERPLATE = re.compile(
    r"\b(?:a\s+)?(?:great|good|perfect|fine)\s+example\s+of\s+(?:how|what|the\s+best)\b|\bbest\s+use\s+of\s+your\b"
    # "I'm glad to see that he was able to make this movie without any major mistakes" (The Shining and Mamma Mia! in
    # played chats, 2026-12-04)
    r"|\bwithout\s+any\s+(?:major\s+|big\s+|real\s+)?(?:mistakes|errors|flaws)\b",
    re.I,
)
"""Praise that says nothing about the movie ("I think this movie is a great example of how to make the best use of
your time", "a great example of how the best can be made": 18 of the 200 replies of the 2026-12-02 11:27 reply bench,
and twice in the scripted chats of 2026-12-02 15:00): dropped."""

TIME_TALK = re.compile(
    r"\b(?:\d{2})?\d[1-9]['’]?s\b|\bthis\s+year\b|\b(?:next|coming)\s+(?:few\s+|couple\s+(?:of\s+)?|\d+\s+)?(?:years?|decades?)\b"
    r"|\b(?:film|movie)\s+for\s+me\b|\b(?:best|worst)\s+(?:\w+\s+)?of\s+(?:the\s+(?:year|decade)|(?:19|20)\d\d)\b",
    re.I,
)
"""Time the model makes up, or a film weighed for itself: a decade that does not exist ("all the charm of the 95s"),
"this year" and "in the next few years" (no source dates the chat: "this year has been an excellent film for me!",
"it will be very popular in the next few years!", the scripted chats of 2026-12-02 15:00; "in the next 2 years",
replayed ReDial test 20943; "the best movie of 2018" said of The Circle (2017), 22104): dropped."""

BARE_YEAR = re.compile(r"(?<!\()\b(?:18|19|20)\d\d\b(?!\s*\))")
"""A year said outright, not in a title's brackets: only the movie's own year may be (the 2026-12-03 scripted chats:
"his stories are just as inspiring … as they were when he first wrote them down in 1947!" of The Shining)."""
TITLE_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)")
MAX_TITLE_WORDS = 12
"""A year in brackets after a title: the words before it must name a catalogue movie. The model invents some ("the
same themes … from movies like Forrest Gumps' "The Lion King" or Forrest Games (2013)", replayed ReDial test 22104),
and a sentence with one is dropped like a false claim."""

GARBLED = 0.75
"""Least `difflib` ratio at which a name that is nobody reads as a garbled name of the movie's own people ("great
acting by Kristen Wiigs", "Humphry Bogie is the best actor of his generation": scripted chats of 2026-12-03); the
sentence is dropped."""
CAPITALISED_NAME = re.compile(r"\b[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)+")

WORD = re.compile(r"[A-Za-z][\w'’-]*")
"""A word of a sentence (`lone_names`)."""

LEADING_PRONOUN = re.compile(r"^(?:He|She)\b")
"""A sentence about "he" or "she" right after one that names no person: nobody can tell who it means ("Cast Away
came out in 2000. He is the best director in my opinion", a played chat about Tom Hanks): dropped."""

UNSAYABLE = (
    MUDDLE,
    TALKS_DOWN,
    AS_ITS_VIEWER,
    APOLOGY,
    HEARSAY,
    PRESUMES_SEEN,
    BOILERPLATE,
    TIME_TALK,
    re.compile(r"\((?!\s*(?:19|20)\d\d\s*\))"),
)
"""The patterns of a sentence the gate drops whatever the facts say."""

CALLED_AN_ACTOR = r"\s+(?:is|was)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:actor|actress)\b"
"""What follows the movie's own name in a sentence that takes the movie for a person ("Simon Birch is a great actor.
He has been nominated for 10 Academy Awards": replayed ReDial test 22367)."""


class SentenceGate:
    """Keeps the finished sentences of a reply that claim no life and no false fact (``book`` None: facts unchecked)."""

    def __init__(self, book: FactBook | None = None) -> None:
        self.book = book

    def keep(self, sentence: str, movie_id: str | None, previous: str = "") -> bool:
        """Whether ``sentence`` may be shown; ``previous`` is the sentence before it ("He" may be its subject)."""
        if invented_life(sentence) or any(p.search(sentence) for p in UNSAYABLE):
            return False
        if self.book is None or movie_id is None:
            return True
        if LEADING_PRONOUN.match(sentence) and not people_named(previous, self.book):
            return False
        title = self.book.title_of(movie_id)
        name = YEAR_SUFFIX.sub("", title).strip()
        if name and re.search(re.escape(name) + CALLED_AN_ACTOR, sentence, re.I):
            return False
        if any(
            not self._known_title(sentence[: year.start()], year.group(0)) for year in TITLE_YEAR.finditer(sentence)
        ):
            return False
        own_year = YEAR_SUFFIX.search(title)
        if any(own_year is None or year.group(0) != own_year.group(1) for year in BARE_YEAR.finditer(sentence)):
            return False
        if self._garbles_a_name(sentence, movie_id) or self._names_a_stranger(sentence, movie_id):
            return False
        return not false_claims(sentence, movie_id, self.book, previous, plot_must_match=True)

    def _garbles_a_name(self, sentence: str, movie_id: str) -> bool:
        """Whether ``sentence`` names nobody the sources know by a name within `GARBLED` of one of the movie's own
        director, cast or writers, or by a real person's name with an "s" stuck on ("Kristen Wiigs"; a real person or
        an exact name is left to the claim checker)."""
        assert self.book is not None
        keys = self.book.keys(movie_id)
        own = {" ".join(key) for key in (*keys.director, *keys.cast, *keys.writer) if len(key) >= 2}
        for match in CAPITALISED_NAME.finditer(sentence):
            said = " ".join(name_key(match.group(0)))
            if said in own or self.book.is_person(match.group(0)) or self.book.resolve(match.group(0)):
                continue
            if difflib.get_close_matches(said, own, n=1, cutoff=GARBLED):
                return True
            # "great acting by Kristen Wiigs" of Jumanji (a scripted chat): a real name with an "s" stuck on it
            if match.group(0).endswith("s") and self.book.is_person(match.group(0)[:-1]):
                return True
        return False

    def _names_a_stranger(self, sentence: str, movie_id: str) -> bool:
        """Whether ``sentence`` calls someone by one name (`LONE_NAME`) that is a first or family name of a film
        person but of nobody credited on the movie, and no word of its title or plot (a character's name)."""
        assert self.book is not None
        keys = self.book.keys(movie_id)
        own = {word for key in (*keys.director, *keys.cast, *keys.writer) for word in key} | keys.story_words
        for name in lone_names(sentence):
            word = name_key(name)
            if len(word) == 1 and word[0] not in own and word[0] in self.book.name_words:
                return True
        return False

    def _known_title(self, before: str, year: str) -> bool:
        """Whether the last words of ``before`` (up to `MAX_TITLE_WORDS`), with or without the ``year`` after them,
        name a movie of the fact book."""
        assert self.book is not None
        words = before.split()
        titles = (" ".join(words[-n:]) for n in range(1, min(MAX_TITLE_WORDS, len(words)) + 1))
        return any(self.book.resolve(title + year) or self.book.resolve(title) for title in titles)

    def filter(self, text: str, movie_id: str | None, context: str = "") -> str:
        """``text`` without its dropped sentences and asides (unchanged when nothing is cut); ``context`` is the
        text before it (the opening), whose last sentence a leading "He" / "She" may refer to."""
        sentences = split_sentences(text)
        finished = [_tidied(s) for s in _finished(sentences)]
        kept = [s for i, s in enumerate(finished) if self.keep(s, movie_id, _before(finished, i, context))]
        return text.strip() if kept == sentences else " ".join(kept)

    def stream(self, pieces: Iterable[str], movie_id: str | None, context: str = "") -> Iterator[str]:
        """Release the kept sentences of a streamed text as each one completes, each led by a space."""
        text, released = "", 0
        for piece in pieces:
            text += piece
            sentences = [_tidied(s) for s in split_sentences(text)]
            for i in range(released, len(sentences) - 1):
                if self.keep(sentences[i], movie_id, _before(sentences, i, context)):
                    yield " " + sentences[i]
            released = max(released, len(sentences) - 1)
        sentences = [_tidied(s) for s in _finished(split_sentences(text))]
        for i in range(released, len(sentences)):
            if self.keep(sentences[i], movie_id, _before(sentences, i, context)):
                yield " " + sentences[i]


def lone_names(sentence: str) -> list[str]:
    """Capitalised words inside ``sentence`` with no capitalised word beside them: people called by one name ("the
    acting by Sandra and Michael are excellent" of Red; "the cast including Alcott, Lovejoy, Nicholson" of The
    Shining, whose Alcott and Lovejoy shot and cut it: played chats of 2026-12-04). Not its first word, nor one after
    a stop or a quote."""
    words = list(WORD.finditer(sentence))
    names = []
    for i, match in enumerate(words):
        word = match.group(0)
        if i == 0 or not word[0].isupper() or word.isupper() or len(word) < 3:
            continue
        before = sentence[words[i - 1].end() : match.start()]
        if re.search(r"[.!?:\"“”]", before):
            continue
        if any(_joined(sentence, words, i, j) and words[j].group(0)[0].isupper() for j in (i - 1, i + 1)):
            continue  # a word of a longer name ("Sandra Bullock"), which the claim checker reads whole
        names.append(word)
    return names


def _joined(sentence: str, words: list[re.Match[str]], i: int, j: int) -> bool:
    """Whether ``words[j]`` exists and only spaces part it from its neighbour ``words[i]``."""
    if not 0 <= j < len(words):
        return False
    left, right = sorted((i, j))
    return sentence[words[left].end() : words[right].start()].isspace()


def _tidied(sentence: str) -> str:
    """``sentence`` without its asides (`ASIDE`) and its "I am glad to say that" (`GLAD_TO_SAY`)."""
    plain = ASIDE.sub("", sentence)
    if lead := GLAD_TO_SAY.match(plain):
        rest = plain[lead.end() :]
        return rest[:1].upper() + rest[1:]
    return plain


def _before(sentences: list[str], index: int, context: str) -> str:
    """The sentence before ``sentences[index]``: the last of ``context`` for the first one."""
    if index:
        return sentences[index - 1]
    opening = split_sentences(context)
    return opening[-1] if opening else ""


def _finished(sentences: list[str]) -> list[str]:
    """``sentences`` without a last one that does not end in ``.``, ``!`` or ``?``."""
    return sentences[:-1] if sentences and not is_sentence_end(sentences[-1]) else sentences

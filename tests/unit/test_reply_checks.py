"""Reply checks: fact claims against the real KG and metadata, invented life, boilerplate, the generation filter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecr_agent.config import Paths
from ecr_agent.evaluation import replies as checks
from ecr_agent.evaluation.replies import (
    CLAIM_PATTERNS,
    LIFE_PATTERNS,
    FactBook,
    drop_invented_life,
    fact_report,
    false_claims,
    find_claims,
    invented_life,
    invented_life_matches,
    invented_life_rate,
    opening_ngram_share,
    repeated_ngram_share,
    verify,
)

FORREST_GUMP = "162882"
PRETTY_WOMAN = "84798"
THIRTEEN_GOING_ON_30 = "81660"
TITANIC_1997 = "175096"
ZOOLANDER = "Zoolander (2001)"
IT_2017 = "187028"
ROCKY_HORROR = "93310"
ACTING_BY_THREE = "Great acting by Susan Sarandon, Tim Curry and Peter Suschitzky."
ACTING_BY_ASIDE = (
    "It has such good acting by Susan Sarandon, Tim Curry (and Peter Suschitzky) as well as the wonderful Judy Garland."
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "replies.md"


@pytest.fixture(scope="module")
def book(paths: Paths) -> FactBook:
    return FactBook.load(paths)


def verdicts(reply: str, movie: str, book: FactBook) -> dict[tuple[str, str], bool | None]:
    return {(c.kind, c.value): verify(c, book) for c in find_claims(reply, movie, book)}


def test_public_names_are_pinned():
    assert sorted(checks.__all__) == sorted(
        [
            "CLAIM_PATTERNS",
            "LIFE_PATTERNS",
            "Claim",
            "FactBook",
            "MovieFacts",
            "drop_invented_life",
            "fact_report",
            "false_claims",
            "find_claims",
            "invented_life",
            "invented_life_matches",
            "invented_life_rate",
            "opening_ngram_share",
            "repeated_ngram_share",
            "verify",
        ]
    )


def test_docs_list_every_pattern():
    text = DOCS.read_text()
    for name in [*LIFE_PATTERNS, *CLAIM_PATTERNS]:
        assert f"`{name}`" in text, name


# --- invented life -------------------------------------------------------------------------------------------------

INVENTED = [
    ("I am a huge Jumanji fan.", "fandom"),
    # scripted chats of 2026-12-02
    ("I have been a fan of Thor: Ragnarok for years, and this film is the best.", "fandom"),
    ("Trust me, I'm the type of person who watches horror movies just tp relax.", "fandom"),
    ("It is a must see for any fans of this film, and it will be great to have you with me tonight!", "life_events"),
    ("I am so glad that the movie was able to make a huge impact on my life.", "life_events"),
    ("I am so happy that this movie was able make a huge impression on me.", "life_events"),
    ("This movie means a lot to me.", "life_events"),
    ("It has inspired me to write this blog post about it.", "life_events"),  # replayed ReDial test 21641
    ("It is hard to put into words how much of an emotional impact it has on me personally.", "life_events"),
    ("I'm a huge fan of the X-Men franchise.", "fandom"),
    ("This film is one of my favorites, and the best action movie ever made!", "fandom"),
    ("I've been watching the movies since they first came out.", "fandom"),
    ("It will thrill audiences who love action movies as much as I do!", "fandom"),
    ("He is the best director ever, and his work has been so inspiring to me over many years!", "fandom"),
    ("It was a great movie, and I would have been happy to see it again if it had not happened!", "viewings"),
    ("He has been doing this for years now, that's why I love him so much!", "fandom"),
    ("It's also one of the best movies I've seen in years, if not decades!", "viewings"),
    ("This movie is one that has been on my radar for quite some time now, and it's really good!", "wish_list"),
    ("I was 12 years old when this movie came out.", "age"),
    ("I was only ten when I first saw it.", "age"),
    ("I loved it as a kid.", "childhood"),
    ("When I was little I watched it with the lights on.", "childhood"),
    ("It reminds me of when I was in high school.", "childhood"),
    ("It brings back my childhood.", "childhood"),
    ("My mom and I cried at the end.", "family"),
    ("My kids ask for it every week.", "family"),
    ("My wife thinks it is the best romance ever.", "family"),
    ("My husband laughed so hard.", "family"),
    ("My whole family loves it.", "family"),
    ("My grandma introduced me to it.", "family"),
    ("My friends and I quote it all the time.", "friends"),
    ("I watched it with friends last summer.", "friends"),
    ("I saw it in theaters and was blown away.", "theater"),
    ("I was in the theater when everyone gasped.", "theater"),
    ("We watched it at the cinema.", "theater"),
    ("I went on opening night.", "theater"),
    ("I cried in the theater.", "theater"),
    ("The whole theater was laughing.", "theater"),
    ("I have watched this film 10 times.", "viewings"),
    ("I have been watching this movie for a while now and it's just the best.", "viewings"),
    ("I have seen it three times already.", "viewings"),
    ("We watch it every Christmas.", "viewings"),
    ("I've seen it over and over.", "viewings"),
    ("I own it on DVD.", "ownership"),
    ("It has been on my wish list for years.", "wish_list"),
    ("This movie will be on my top 10 list for this year.", "wish_list"),
    ("The whole movie had some of the best performances in my life!", "life_events"),
    ("I have been waiting for this movie for years.", "waiting"),
    ("I finally got to see it.", "waiting"),
    ("I was so excited to see this movie.", "anticipation"),
    ("I couldn't wait to see it.", "anticipation"),
    ("I was a little surprised to see this movie in the 80s, but it is actually quite good.", "past_viewing"),
    ("I remember watching it on a rainy day.", "past_viewing"),
    ("I saw it years ago and still love it.", "past_viewing"),
    ("We watched it on our first date.", "life_events"),
    ("I loved the movie, and it was a great way to end my holiday.", "life_events"),
    ("I am so excited to see this movie.", "anticipation"),
    ("It made me feel like I had seen the first 10 minutes of the movie before.", "viewing_claim"),
    ("I think it's the best of the year and will be watching again for sure!", "viewings"),
    ("I have seen this movie before, but never had the chance to see it again.", "viewing_claim"),
    ("I've watched it and it was great.", "viewing_claim"),
    ("I have never seen a film that is as well-made, so realistic and beautiful.", "viewing_claim"),  # 2026-12-03
    ("I have never seen a musical that is as beautiful, so true to its genre.", "viewing_claim"),  # 21787
    ("I have never been so happy to see Humphrey Bogart's character.", "viewing_claim"),
    ("I haven't seen it yet, but it looks good.", "viewing_claim"),
    ("I saw it and loved it.", "viewing_claim"),
    ("I have seen Commando (1985) and it was a great movie.", "viewing_claim"),  # replayed ReDial test 22068
    ("We watched Jaws twice.", "viewing_claim"),
]

NOT_INVENTED = [
    "I loved the ending.",
    "Fans of the franchise will love it.",
    "If you are a fan of Jim Carrey, this is for you.",
    "It made me cry.",
    "I laughed so hard at the dinner scene.",
    "The kids in the movie are adorable.",
    "My favourite scene is the dance at the end.",
    "My heart broke when he left.",
    "I cried in the theater scene.",
    "The theater scene is breathtaking.",
    "You should see it in theaters if you can.",
    "It is a story about a family that falls apart.",
    "The mother in the film is terrifying.",
    "As a child, Forrest was bullied.",
    "It was 12 years in the making.",
    "I was 10 minutes in and already hooked.",
    "I was on the edge of my seat.",
    "I was so moved by the story.",
    "It made a huge impression on audiences.",
    "It is about a man whose life changed overnight.",
    "Many fans love it.",
    "I was so glad to see the film end on a hopeful note.",
    "I could watch it over and over.",
    "It is a great movie to watch with your kids.",
    "Tom Hanks plays a father who would do anything for his son.",
    "It was in theaters in 1994.",
    "It is a coming-of-age story about growing up in the South.",
    "Have you seen it?",
    "If you have seen it, you know the ending.",
    "It is worth seeing if you haven't watched it.",
    "You have never seen a film like it.",
]


@pytest.mark.parametrize(("text", "pattern"), INVENTED)
def test_invented_life_is_caught(text: str, pattern: str):
    found = invented_life_matches(text)
    assert pattern in {name for name, _ in found}, found
    assert all(phrase in text for phrase in invented_life(text))


@pytest.mark.parametrize("text", NOT_INVENTED)
def test_feelings_and_plot_are_not_invented_life(text: str):
    assert invented_life(text) == []


def test_life_patterns_compile_and_are_named():
    assert set(LIFE_PATTERNS) >= {"age", "childhood", "family", "friends", "theater", "viewings", "wish_list"}
    for pattern in LIFE_PATTERNS.values():
        re.compile(pattern)


def test_invented_life_rate():
    replies = ["I was so excited to see this movie.", "I loved the ending.", "My kids love it.", "It made me cry."]
    assert invented_life_rate(replies) == 0.5
    assert invented_life_rate([]) == 0.0


def test_drop_invented_life_removes_whole_sentences():
    reply = (
        "You should watch Happy Death Day (2017). I was 12 years old when this movie came out. "
        "It is a great film, with all its twists and turns! My friends and I loved it."
    )
    assert drop_invented_life(reply) == (
        "You should watch Happy Death Day (2017). It is a great film, with all its twists and turns!"
    )
    clean = "You should watch Titanic.  I loved the ending."
    assert drop_invented_life(clean) == clean
    assert drop_invented_life("I was in the theater.") == ""


# --- boilerplate ---------------------------------------------------------------------------------------------------


def test_opening_ngram_share_finds_the_stock_opening():
    replies = ["I was so excited to see this movie. It's a great story."] * 11
    replies += [f"Reply {i} is about another movie, and it is great." for i in range(29)]
    assert opening_ngram_share(replies) == ("i was so excited", 11 / 40)
    assert opening_ngram_share(["Wow!", "Great"], n=4) == ("", 0.0)
    assert opening_ngram_share([]) == ("", 0.0)


def test_opening_ngram_ignores_case_and_punctuation():
    gram, share = opening_ngram_share(["I, was so EXCITED!", "i was so excited to watch", "Nope it is not"])
    assert (gram, share) == ("i was so excited", 2 / 3)


def test_repeated_ngram_share_counts_each_reply_once():
    replies = [
        "Great cast. It is one of the best movies ever made, one of the best movies ever made.",
        "You will laugh. It's still one of the best movies ever created.",
        "A quiet drama about grief.",
        "Nothing repeated here at all.",
    ]
    gram, share = repeated_ngram_share(replies)
    assert gram in {"one of the best", "of the best movies", "the best movies ever"}
    assert share == 0.5
    assert repeated_ngram_share([]) == ("", 0.0)


def test_repeated_ngrams_do_not_cross_sentences():
    gram, share = repeated_ngram_share(["I cried a lot. So did he", "I cried a lot. So did she"], n=3)
    assert gram in {"i cried a", "cried a lot"}
    assert share == 1.0


# --- claims: finding (no data needed) ------------------------------------------------------------------------------

FOUND = [
    ("It was directed by Robert Zemeckis.", "director", "Robert Zemeckis"),
    ("Directed by Robert Zemeckis, it soars.", "director", "Robert Zemeckis"),
    ("Robert Zemeckis directed it with care.", "director", "Robert Zemeckis"),
    ("Zemeckis's direction is superb.", "director", "Zemeckis"),
    ("The director, Robert Zemeckis, did a great job.", "director", "Robert Zemeckis"),
    ("It was written by Eric Roth.", "writer", "Eric Roth"),
    ("Eric Roth wrote a moving script.", "writer", "Eric Roth"),
    ("The screenplay by Eric Roth is sharp.", "writer", "Eric Roth"),
    ("Tom Hanks plays Forrest.", "cast", "Tom Hanks"),
    ("Tom Hanks plays Forrest.", "role", "Forrest"),
    ("Watching Tom Hanks as Forrest Gump was a joy.", "role", "Forrest Gump"),
    ("Watching Tom Hanks as Forrest Gump was a joy.", "cast", "Tom Hanks"),
    ("Tom Hanks stars as a simple man.", "cast", "Tom Hanks"),
    ("It stars Tom Hanks and Robin Wright.", "cast", "Robin Wright"),
    ("Starring Tom Hanks, it is a classic.", "cast", "Tom Hanks"),
    ("Nora Ephron's performance is great.", "cast", "Nora Ephron"),
    ("It has some of the best acting by Jon Voight.", "cast", "Jon Voight"),
    ("Forrest, played by Tom Hanks, is unforgettable.", "cast", "Tom Hanks"),
    ("Julia Roberts in the role of Joan Cusack is wonderful.", "role", "Joan Cusack"),
    ("Julia Roberts in the role of Joan Cusack is wonderful.", "cast", "Julia Roberts"),
    ("Jennifer Garner (Jason Bateman) is hilarious.", "role", "Jason Bateman"),
    ("Robert Downey Jr. plays Tony Stark.", "cast", "Robert Downey Jr."),
    ("It was released in 1997.", "year", "1997"),
    ("The film came out in 2004.", "year", "2004"),
    ("It is a 1997 film about love.", "year", "1997"),
    ("It is a comedy about growing up.", "genre", "comedy"),
    ("This horror film kept me awake.", "genre", "horror"),
    ("It is a sweet romantic comedy.", "genre", "romantic comedy"),
    ("It is a romantic drama.", "genre", "romantic drama"),
    ("A true gem of the horror genre.", "genre", "horror"),
    ("It is very funny and sweet.", "genre", "funny"),
    ("This movie was so scary!", "genre", "scary"),
    ("It's a really funny movie.", "genre", "funny"),
    ("I loved the acting by Susan Sarandon, Tim Curry and Peter Suschitzky.", "cast", "Peter Suschitzky"),
    ("Great performances by the cast including Simei, Pippa Middleton, and Sissy Spacek.", "cast", "Pippa Middleton"),
    ("The premise, so well-developed by Mary Lambert (the director), works.", "director", "Mary Lambert"),
    ("The story of a slow-witted man who runs across America.", "plot", "a slow-witted man who runs across America"),
    ("This is a movie that will make you laugh.", "genre", "laugh"),
    ("It tells the story of a slow-witted man.", "plot", "a slow-witted man"),
]

NOT_FOUND = [
    "He plays a lawyer who loses everything.",
    "I love comedies and horror movies.",
    "The action scenes are amazing.",
    "The drama between them is intense.",
    "It has a lot of comedy in it.",
    "It is a comedy of errors.",
    "It is funny how time flies.",
    "I saw it in 1997.",
    "I was 12 years old when this movie came out.",
    "It was so good as a whole.",
    "Movies such as this one are rare.",
    "You should watch Titanic.",
    "Sure, a comedy or action movie.",
    "A comedy or drama it is!",
    "Good idea, an action or horror movie.",
    "The story was very well told.",
]


@pytest.mark.parametrize(("reply", "kind", "value"), FOUND)
def test_claims_are_found(reply: str, kind: str, value: str):
    claims = find_claims(reply, FORREST_GUMP)
    assert (kind, value) in {(c.kind, c.value) for c in claims}, claims
    claim = next(c for c in claims if (c.kind, c.value) == (kind, value))
    assert reply[claim.span[0] : claim.span[1]] == claim.text
    assert claim.movie == FORREST_GUMP and claim.about_recommended


@pytest.mark.parametrize("reply", NOT_FOUND)
def test_no_claims_in_plain_sentences(reply: str):
    assert find_claims(reply, FORREST_GUMP) == []


def test_recommended_title_with_its_year_is_not_a_claim():
    reply = "You should watch Zoolander (2001). It came out in 2001."
    claims = find_claims(reply, ZOOLANDER)
    assert [(c.kind, c.value, c.pattern) for c in claims] == [("year", "2001", "released in YEAR")]


def test_a_name_found_twice_counts_once():
    claims = find_claims("Tom Hanks plays Forrest, and Tom Hanks's performance is moving.", FORREST_GUMP)
    assert sum(c.kind == "cast" for c in claims) == 1


def test_claim_patterns_compile_and_cover_every_kind():
    kinds = {kind for kind, _ in CLAIM_PATTERNS.values()}
    assert kinds == {"director", "cast", "role", "writer", "year", "genre", "plot"}


# --- claims: verification against the real KG and metadata -------------------------------------------------------


def test_factbook_merges_kg_and_metadata(book: FactBook):
    forrest = book.facts[FORREST_GUMP]
    assert forrest.directors == ("Robert Zemeckis",)
    assert {"Tom Hanks", "Robin Wright", "Gary Sinise"} <= set(forrest.cast)
    assert len(forrest.cast) > 3  # id2info lists three stars, the KG adds more
    assert {"Eric Roth", "Winston Groom"} <= set(forrest.writers)
    assert forrest.genres >= {"drama", "romance"} and forrest.years == {1994}
    assert set(book.resolve("Titanic")) >= {TITANIC_1997, "99584"}
    assert book.resolve("the titanic (1997)") == [TITANIC_1997]  # the year picks the movie
    assert book.is_person("Joan Cusack") and not book.is_person("Forrest")


@pytest.mark.parametrize(
    ("movie", "reply", "kind", "value", "expected"),
    [
        (FORREST_GUMP, "Tom Hanks plays Forrest.", "cast", "Tom Hanks", True),
        (FORREST_GUMP, "Tom Hanks plays Forrest.", "role", "Forrest", True),
        (FORREST_GUMP, "Watching Tom Hanks as Forrest Gump was a joy.", "role", "Forrest Gump", True),
        (FORREST_GUMP, "It was directed by Robert Zemeckis.", "director", "Robert Zemeckis", True),
        (FORREST_GUMP, "Zemeckis's direction is superb.", "director", "Zemeckis", True),
        (FORREST_GUMP, "Steven Spielberg directed it.", "director", "Steven Spielberg", False),
        (FORREST_GUMP, "Eric Roth wrote a moving script.", "writer", "Eric Roth", True),
        (FORREST_GUMP, "It was written by Nora Ephron.", "writer", "Nora Ephron", False),
        (FORREST_GUMP, "It stars Tom Hanks and Robin Wright.", "cast", "Robin Wright", True),
        (FORREST_GUMP, "Meg Ryan's performance is luminous.", "cast", "Meg Ryan", False),
        (FORREST_GUMP, "It was released in 1994.", "year", "1994", True),
        (FORREST_GUMP, "It is a 1997 film about love.", "year", "1997", False),
        (FORREST_GUMP, "It is a romantic drama.", "genre", "romantic drama", True),
        (FORREST_GUMP, "This horror film kept me awake.", "genre", "horror", False),
        (FORREST_GUMP, "Forrest Gump's performance moved me.", "cast", "Forrest Gump", None),
        (FORREST_GUMP, "Hanks' performance is perfect.", "cast", "Hanks", True),
        (PRETTY_WOMAN, "Julia Roberts in the role of Joan Cusack is wonderful.", "role", "Joan Cusack", False),
        (PRETTY_WOMAN, "Julia Roberts in the role of Joan Cusack is wonderful.", "cast", "Julia Roberts", True),
        (PRETTY_WOMAN, "JULIA ROBERTS' performance is great.", "cast", "JULIA ROBERTS", True),
        (PRETTY_WOMAN, "It is a sweet romantic comedy.", "genre", "romantic comedy", True),
        (PRETTY_WOMAN, "Richard Gere plays Edward.", "role", "Edward", None),
        (THIRTEEN_GOING_ON_30, "Jennifer Garner (Jason Bateman) is hilarious.", "role", "Jason Bateman", False),
        (THIRTEEN_GOING_ON_30, "Jenna (Jennifer Garner) is hilarious.", "role", "Jennifer Garner", None),
        (THIRTEEN_GOING_ON_30, "Nora Ephron's performance is great.", "cast", "Nora Ephron", False),
        (THIRTEEN_GOING_ON_30, "The film came out in 2004.", "year", "2004", True),
        (ZOOLANDER, "Jerry Stiller in the role of Will Ferrell.", "role", "Will Ferrell", False),
        (ZOOLANDER, "It is very funny.", "genre", "funny", True),
        (IT_2017, "It is very funny.", "genre", "funny", False),
        (ZOOLANDER, "It will make you laugh.", "genre", "laugh", True),
        (IT_2017, "This is a movie that will make you laugh.", "genre", "laugh", False),
        (IT_2017, "It is so scary!", "genre", "scary", True),
        (FORREST_GUMP, "The movie is terrifying.", "genre", "terrifying", False),
        # a denied genre is true when the movie is not of it (a scripted chat said Daddy's Home "is not a comedy")
        (ZOOLANDER, "It is not a comedy, but it has heart.", "genre", "comedy", False),
        (ZOOLANDER, "It's not just a comedy, it has heart.", "genre", "comedy", True),
        (IT_2017, "It is not a comedy.", "genre", "comedy", True),
        (ROCKY_HORROR, ACTING_BY_THREE, "cast", "Tim Curry", True),
        (ROCKY_HORROR, ACTING_BY_THREE, "cast", "Peter Suschitzky", False),  # the cinematographer
        (ROCKY_HORROR, ACTING_BY_ASIDE, "cast", "Peter Suschitzky", False),  # a name in brackets joins the list
        (ROCKY_HORROR, ACTING_BY_ASIDE, "cast", "Judy Garland", False),  # and one after "as well as (the …)"
    ],
)
def test_verify_against_the_kg_and_metadata(book, movie, reply, kind, value, expected):
    assert verdicts(reply, movie, book)[(kind, value)] is expected


def test_names_match_loosely(book: FactBook):
    assert verdicts("Michael Fox plays Marty.", "100043", book)[("cast", "Michael Fox")] is True
    assert verdicts("It was directed by ROBERT ZEMECKIS.", FORREST_GUMP, book)[("director", "ROBERT ZEMECKIS")]
    amelie = next(i for i, m in book.facts.items() if m.title.startswith("Amélie"))
    director = book.facts[amelie].directors[0]
    plain = director.replace("é", "e")
    assert verdicts(f"It was directed by {plain}.", amelie, book)[("director", plain)] is True


def test_names_tolerate_a_typo_initials_and_honorifics(book: FactBook):
    assert verdicts("Robert Zemekis's direction is superb.", FORREST_GUMP, book)[("director", "Robert Zemekis")]
    assert verdicts("Written by JF Lawton.", PRETTY_WOMAN, book)[("writer", "JF Lawton")] is True
    assert verdicts("Mr. Hanks's performance is perfect.", FORREST_GUMP, book)[("cast", "Mr. Hanks")] is True
    assert verdicts("Tom Banks plays him.", FORREST_GUMP, book)[("cast", "Tom Banks")] is False  # short: exact
    assert verdicts("Robin Wrigth plays Jenny.", FORREST_GUMP, book)[("cast", "Robin Wrigth")] is True


def test_cast_missing_from_a_three_star_list_cannot_be_checked(book: FactBook):
    first_avenger = "119149"  # no KG cast: the metadata's three stars only
    assert not book.facts[first_avenger].full_cast and book.facts[FORREST_GUMP].full_cast
    found = verdicts("Tommy Lee Jones as Colonel Phillips is great.", first_avenger, book)
    assert found[("cast", "Tommy Lee Jones")] is None
    director = book.facts[first_avenger].directors[0]
    assert verdicts(f"{director}'s performance is great.", first_avenger, book)[("cast", director)] is False


def test_claims_about_another_movie(book: FactBook):
    claims = find_claims("Titanic is directed by James Cameron, who is no Zemeckis.", FORREST_GUMP, book)
    director = next(c for c in claims if c.kind == "director")
    assert director.movie == "Titanic" and not director.about_recommended
    assert verify(director, book) is True
    year = next(c for c in find_claims("Like Titanic (1997), it is sweeping.", FORREST_GUMP, book) if c.kind == "year")
    assert year.movie == "Titanic" and verify(year, book) is True
    role = find_claims("Julia Roberts's performance in Pretty Woman is iconic.", FORREST_GUMP, book)
    assert [(c.kind, c.movie, verify(c, book)) for c in role] == [("cast", "Pretty Woman", True)]
    # a sentence whose subject is a titled movie is about it ("Have you seen Clue?" is answered with what Clue is,
    # then the pick follows: the 16:24 reply bench had called "directed by Jonathan Lynn" false of the pick)
    said = "I can't watch movies myself! Titanic (1997) is a drama and romance movie directed by James Cameron."
    director = next(c for c in find_claims(said, FORREST_GUMP, book) if c.kind == "director")
    assert director.movie == "Titanic" and verify(director, book) is True


def test_fact_report(book: FactBook):
    replies = [
        "You should watch Forrest Gump (1994). Tom Hanks plays Forrest, and Steven Spielberg directed it.",
        "You should watch Pretty Woman (1990). Julia Roberts in the role of Joan Cusack is wonderful.",
        "You should watch 13 Going on 30 (2004). I was so excited to see this movie.",
        "You should watch Forrest Gump (1994). Titanic is directed by James Cameron.",
    ]
    report = fact_report(replies, [FORREST_GUMP, PRETTY_WOMAN, THIRTEEN_GOING_ON_30, FORREST_GUMP], book)
    assert report["claims"] == 6
    assert report["checkable"] == 6 and report["true_claims"] == 4
    assert report["fact_precision"] == pytest.approx(4 / 6)
    assert report["relevant_fact_rate"] == 0.5  # the Titanic fact is true but not about the recommended movie
    assert {(f["reply"], f["value"]) for f in report["false_claims"]} == {(0, "Steven Spielberg"), (1, "Joan Cusack")}
    assert report["by_kind"]["director"] == {"claims": 2, "checkable": 2, "true": 1}
    assert fact_report([], [], book)["fact_precision"] == 0.0
    with pytest.raises(ValueError):
        fact_report(["one"], [], book)


def test_false_claims_returns_the_sentences_to_drop(book: FactBook):
    reply = (
        "You should watch Zoolander (2001). I was so glad to see Jerry Stiller in the role of Will Ferrell. "
        "Ben Stiller directed it, and it is a comedy."
    )
    assert false_claims(reply, "Zoolander (2001)", book) == [
        "I was so glad to see Jerry Stiller in the role of Will Ferrell."
    ]
    assert false_claims("Tom Hanks plays Forrest. It is a romantic drama.", FORREST_GUMP, book) == []


def test_he_or_she_is_the_person_the_sentence_before_opens_with(book: FactBook):
    from ecr_agent.gate import SentenceGate

    reply = "Tom Hanks is the best actor in this film. He's a great director too."
    assert false_claims(reply, FORREST_GUMP, book) == ["He's a great director too."]
    assert false_claims("Robert Zemeckis is a great director.", FORREST_GUMP, book) == []
    assert false_claims("Tom Hanks is a great actor. He plays Forrest.", FORREST_GUMP, book) == []
    gate = SentenceGate(book)
    assert gate.filter(reply, FORREST_GUMP) == "Tom Hanks is the best actor in this film."
    assert "".join(gate.stream([reply[:45], reply[45:]], FORREST_GUMP)).strip() == gate.filter(reply, FORREST_GUMP)


def test_unknown_movie_cannot_be_checked(book: FactBook):
    assert [verify(c, book) for c in find_claims("It was directed by Robert Zemeckis.", "no-such-movie", book)] == [
        None
    ]


def test_a_saved_fact_book_is_the_book_it_was_built_from(tmp_path: Path, data_dir: Path) -> None:
    paths = Paths(data_dir=data_dir, store_dir=tmp_path)
    built = FactBook.load(paths)
    saved = tmp_path / "cache" / "factbook.json"
    assert saved.exists() and not built.complete
    read = FactBook.load(paths)
    assert read.complete
    assert read.facts == built.facts and read.people == built.people and read.titles == built.titles
    saved.write_text("{broken")
    assert not FactBook.load(paths).complete  # a corrupt copy is rebuilt from the data, not trusted
    assert json.loads(saved.read_text())["fingerprint"]


def test_the_gate_never_ends_a_reply_mid_sentence():
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    cut = 'It is a sharp comedy. The user is: "I loved Scariest Movie, it was so dumb"'
    assert gate.filter(cut, None) == "It is a sharp comedy."
    assert "".join(gate.stream([cut[:30], cut[30:]], None)).strip() == "It is a sharp comedy."
    whole = 'It is a sharp comedy. Paul Rudd said "I loved it."'
    assert gate.filter(whole, None) == whole
    assert "".join(gate.stream([whole], None)).strip() == whole
    assert gate.filter("I was 12 when I saw it. It is funny.", None) == "It is funny."
    muddled = (
        "It is a great film. I'm not sure if this is a movie or an episode of the series, but it's definitely one."
    )
    assert gate.filter(muddled, None) == "It is a great film."
    genres = "It is a great film. I am not sure if this movie is a comedy or an action film, but it is funny."
    assert gate.filter(genres, None) == "It is a great film."
    unsure = "It is a great film. I am not sure what Avengers: The Last Stand is about, but it's a great movie."
    assert gate.filter(unsure, None) == "It is a great film."
    # a played chat about It (2017) and Annabelle (2014): the kind doubted or denied
    doubted = "I'm not sure if it's a horror film, but the story is very interesting. It is scary."
    assert gate.filter(doubted, None) == "It is scary."
    denied = "The story is very well-written and interesting, but it's not a horror film! It is scary."
    assert gate.filter(denied, None) == "It is scary."
    assert gate.filter("It's not just a horror film. It is scary.", None) == "It's not just a horror film. It is scary."
    improved = "It is scary. But there are some scenes which could be improved for better pacing."
    assert gate.filter(improved, None) == "It is scary."
    recognized = "It is scary. I'm glad to see that the movie has been recognized for its horror elements."
    assert gate.filter(recognized, None) == "It is scary."
    for said in (
        "I'm glad to see that the franchise is still alive and thriving.",
        "I'm glad to see that this film has been made into an entertaining TV show!",
        "It is not too long or complicated for me - just enough so that my imagination can work through it.",
    ):  # the 2026-12-02 reply bench
        assert gate.filter(f"It is scary. {said}", None) == "It is scary.", said
    aside = "It is a great film. The cast is great (and I'm not sure if it was even directed by Edgar Wright)."  # 21269
    assert gate.filter(aside, None) == "It is a great film. The cast is great."  # the doubt is cut, since 12-01 11:10
    for said in ("She is the best movie ever made, and it's one that has been missed by many people!",):
        assert gate.filter(f"It is a great film. {said}", None) == "It is a great film.", said


def test_the_gate_drops_a_sentence_that_runs_the_pick_down():
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    demo = "I'm glad that the movie was funny. It's not a bad film, but it is too slow and boring for me."
    assert gate.filter(demo, None) == "I'm glad that the movie was funny."
    assert gate.filter("It is a great film. I am glad it was not too long.", None).endswith("not too long.")
    stalingrad = "It's about the battle of Stalingrad, but it has no real story to tell and it isn't really exciting."
    assert gate.filter(f"It is a war film. {stalingrad}", None) == "It is a war film."
    for said in (
        "It's funny, but not too much fun to watch.",
        "It's not as good in terms of plot or direction.",
        "It's not for everyone, but it does have some great performances.",
        "It's not a bad film, but it is very clumsy and has some of those lazy jokes.",
        "It has some good moments, but also lots of bad ones that are not always funny or even well-made.",
        "It is very funny, but also some really bad acting by the actors who played them.",  # 08:56 reply bench
        "The dialogue is hilarious, but it's also quite cliched in many ways.",
    ):
        assert gate.filter(f"It is a war film. {said}", None) == "It is a war film.", said


@pytest.mark.parametrize(
    "sentence",
    [
        "I am not sure if this movie is a good choice for me.",  # replayed ReDial test 22632
        "I am glad to say that this movie was a great choice for me.",  # 21988
        "It's a great film, and it will be very hard for me not to enjoy it!",  # 21785
        "I'm not sure if this movie is worth the money, but it's a great film.",  # 20743
        "This movie was an absolute must for me, and it's one of the best movies ever made!",  # a played chat
        "I'm not a big horror fan, but I do enjoy the movie.",  # Reservoir Dogs, the 08:56 reply bench
        "I'm a movie recommender, and this is the best Jumanji ever!",  # the opening's words as a persona
    ],
)
def test_the_gate_drops_a_sentence_that_weighs_the_pick_as_its_viewer(sentence):
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    assert gate.filter(f"It is a moving film. {sentence}", None) == "It is a moving film."
    kept = "It is a great choice for a family night. I'm sure you will enjoy it."
    assert gate.filter(kept, None) == kept


def test_a_leading_he_refers_to_the_only_person_the_opening_names(book: FactBook):
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    # replayed ReDial test 22073: the opening named Ryan Gosling for "a good Ryan Gosling movie like Drive"
    movie = next(m for m, facts in book.facts.items() if facts.title == "Only God Forgives (2013)")
    opening = "Have you seen Only God Forgives (2013)? It's an action and crime movie with Ryan Gosling."
    generated = "He is the best director in this genre, and his performances are just incredible! It is dark."
    assert gate.filter(generated, movie, context=opening) == "It is dark."
    pieces = [word + " " for word in generated.split(" ")]
    assert list(gate.stream(iter(pieces), movie, context=opening)) == [" It is dark."]
    # two people named: whom "He" means is unclear, so the sentence is not read as a claim about either
    two = "It's a crime movie directed by Nicolas Winding Refn, with Ryan Gosling and Kristin Scott Thomas."
    assert gate.filter(generated, movie, context=two) == generated
    # nobody named before it: "He" means no one the user can tell (a played chat about Tom Hanks' Cast Away)
    answered = "Cast Away came out in 2000."
    assert (
        gate.filter("He is the best director in my opinion. It is moving.", movie, context=answered) == "It is moving."
    )


def test_the_gate_drops_a_year_that_is_not_the_movies(book: FactBook):
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    # a scripted chat (2026-12-03 night) recommending The Shining (1980): Stephen King wrote nothing in 1947
    movie = next(m for m, facts in book.facts.items() if facts.title.endswith("(1980)"))
    made_up = "His stories are as inspiring as when he first wrote them down in 1947!"
    assert gate.filter(f"It is a classic. {made_up}", movie) == "It is a classic."
    kept = "It came out in 1980 and it still holds up. The 1980s loved it."
    assert gate.filter(kept, movie) == kept


def test_the_gate_drops_a_generated_apology_and_a_title_cut_short():
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    # the demo conversation after "I watched that one last year and honestly hated it. Too slow for me."
    demo = "I am so sorry for the inconvenience this caused. The Heat (20... ) was a great movie. It is very funny."
    assert gate.filter(demo, None) == "It is very funny."
    assert gate.filter("It came out in 2013. It is very funny.", None) == "It came out in 2013. It is very funny."


def test_the_gate_drops_a_sentence_that_takes_the_movie_for_an_actor(book: FactBook):
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    # replayed ReDial test 22367, recommending Simon Birch (1998)
    said = "Simon Birch is a great actor. It is a moving film."
    movie = next(m for m, facts in book.facts.items() if facts.title == "Simon Birch (1998)")
    assert gate.filter(said, movie) == "It is a moving film."
    assert gate.filter("Simon Birch is a great film.", movie) == "Simon Birch is a great film."


@pytest.mark.parametrize(
    "sentence",
    [
        "It has been praised by many people who have watched it in their lifetime!",
        "I am glad to say that the movie was a great success.",
        "I'm glad to see that the movie is still going strong.",
        "I am so glad that the movie was released in 2017.",
        "I am glad to say that the movie was a hit.",
        "It has the best story of all time, and this film will make you feel (the ending.",
        "I'm glad to see that the movie is still being made.",  # replayed ReDial test 22102
        "It's a great film and it will be released in 2017, which means we can expect more soon!",  # 21203
        "I'm glad that this one was able to make it into theaters!",  # 21203
        "I'm glad you enjoyed it.",  # 22102, after "Have you seen The River Wild (1994)?"
        "I am so grateful that you enjoyed Jumanji.",  # a scripted chat, 2026-12-03
        "You enjoyed the movie.",  # a scripted chat, 2026-12-03, after "why would you recommend that?"
        "The movie has been watched by so many people.",  # a scripted chat, 2026-12-03
        "It's not too bad for an audience of 10,528 viewers who are fans of horror movies!",
        "The Lego movie is now available on DVD.",
        "You're enjoying the movie.",  # scripted chats, 2026-12-03
        "It is a great film, and it has been shown in many countries around the world!",
        "I loved Shrek (2001) and it was a great movie, but the sequel is not available.",
        "It will be enjoyed by everyone who loves this genre, which has been growing in popularity over the years!",
        "I'm glad to see that the movie is still available.",  # 20733
        "I loved the first season of Aliens.",  # 21352
        "He is the best actor in this film, he has been nominated for 10 Academy Awards!",  # 22119
    ],
)
def test_the_gate_drops_hearsay_and_an_open_bracket(sentence):
    """From the generated part of the 2026-12-01 08:56 reply bench and replayed chats: reception the sources cannot
    back, and a pick taken as seen."""
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    assert gate.filter(f"It is a moving film. {sentence} It is sad.", None) == "It is a moving film. It is sad."


@pytest.mark.parametrize(
    "sentence",
    [
        "I think this movie is a great example of how to make the best use of your time.",
        "I am glad to say that this movie is a great example of how the best can be made.",
        "It's not too long, and it has all the charm of the 95s that you love so much!",
        "I think it's the best of the 1990s, and this year has been an excellent film for me!",
        "It is a great film, and it will be very popular in the next few years!",
        "It is an excellent film and it will be very popular in the next 2 years!",  # replayed ReDial test 20943
        "It's an action and adventures film, with lots of violence but it has some good moments too!",
        "I am glad that the movie was able to make a difference for me.",
        "I am glad that it has become an iconic franchise in this modern world!",
        "I'm glad to see that the franchise has continued its journey.",
        "It's a great film and it has been shown in numerous theaters around the world!",  # replayed 21839
        "It's a great film, and it will keep you on your toes as long as you are in the theater!",
        "It's a comedy, and the best one of the year!",
        "I'm not sure if this is the best movie of 2018, but it's a great film.",  # replayed 22104, of The Circle
        "This is a comedy that has nothing to do with time travel, but it's very funny.",
        "I am a movie lover, and this is the best.",  # replayed ReDial test 22977
        "This is the first comedy in a long time which has been made by a female director.",  # 21142
        "It has the best acting in all of the movies that have been released since 2013.",  # replayed 22180
        "It's still one of the most beloved and well-loved movies ever made.",  # replayed 22359
        "I'm glad to see that this isn't just another one-star rated film!",  # replayed 21061
        "It will make you feel the love for this amazing, talented, wonderful, beautiful, incredible, awesome, great.",
        "It's not just about sex, it has romance and drama in there too!",
    ],
)
def test_the_gate_drops_empty_praise_made_up_time_and_violence_talk(sentence):
    """From the 2026-12-02 11:27 reply bench and the scripted chats of 15:00."""
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    assert gate.filter(f"It is a moving film. {sentence} It is sad.", None) == "It is a moving film. It is sad."
    kept = "It is set in the 1980s, a good example of its kind."
    assert gate.filter(kept, None) == kept


def test_the_gate_cuts_i_am_glad_to_say_that_and_drops_favourites_of_its_own():
    """From the 2026-12-02 14:16 reply bench: "I am glad to say that" led 15 of 97 generated parts."""
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    said = "I am glad to say that this movie is a great comedy. It is fun."
    assert gate.filter(said, None) == "This movie is a great comedy. It is fun."
    assert "".join(gate.stream([said[:12], said[12:]], None)).strip() == gate.filter(said, None)
    assert gate.filter("It is fun. I am glad to say that this movie is still a favorite of mine.", None) == "It is fun."
    seen = "I am glad to see that the movie was not too heavy on plot."
    assert gate.filter(seen, None) == "The movie was not too heavy on plot."


def test_the_gate_cuts_bracketed_asides_but_not_years():
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate()
    said = (
        "It has great performances by Ken Watanabe (The Monsters) and Tom Berenger (Inception). Click (209) is a "
        "great movie. Like Titanic (1997), it is sweeping."
    )
    cut = (
        "It has great performances by Ken Watanabe and Tom Berenger. Click is a great movie. "
        "Like Titanic (1997), it is sweeping."
    )
    assert gate.filter(said, None) == cut
    pieces = [word + " " for word in said.split(" ")]
    assert "".join(gate.stream(iter(pieces), None)).strip() == cut


def test_a_film_person_named_in_passing_must_be_in_the_movie(book: FactBook):
    found = verdicts("It has Tom Hanks and Meg Ryan at their best.", FORREST_GUMP, book)
    assert found == {("person", "Tom Hanks"): True, ("person", "Meg Ryan"): False}
    # the cast list of a claim pattern is not read twice; a request echoed and another movie's sentence are skipped
    assert set(verdicts("It stars Tom Hanks and Robin Wright.", FORREST_GUMP, book)) == {
        ("cast", "Tom Hanks"),
        ("cast", "Robin Wright"),
    }
    assert verdicts("Something with Meg Ryan it is! Try Forrest Gump (1994).", FORREST_GUMP, book) == {}
    assert verdicts("Sleepless in Seattle (1993) has Meg Ryan.", FORREST_GUMP, book) == {("year", "1993"): True}
    assert verdicts("Great chemistry between Sid and Nancy.", FORREST_GUMP, book) == {}  # nobody the sources list


def test_the_gate_drops_a_sentence_naming_someone_not_in_the_movie(book: FactBook):
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    generated = "It's hilarious and has great chemistry between Tom Hanks and Meg Ryan! It is moving."
    assert gate.filter(generated, FORREST_GUMP) == "It is moving."
    assert gate.filter("Tom Hanks is wonderful in it. It is moving.", FORREST_GUMP).startswith("Tom Hanks")


def test_a_plot_claim_must_share_words_with_the_plot(book: FactBook):
    sleepless = book.resolve("Sleepless in Seattle (1993)")[0]
    # the generator's invented plot in a played chat (2026-12-01 session note): no word of it is in the plot
    assert verdicts("It's about sleep paralysis and a haunted house.", sleepless, book) == {
        ("plot", "sleep paralysis and a haunted house"): False
    }
    told = "The movie is about a widowed man whose son calls a radio show."
    assert verdicts(told, sleepless, book) == {("plot", "a widowed man whose son calls a radio show"): True}
    assert verdicts(told, FORREST_GUMP, book)[("plot", "a widowed man whose son calls a radio show")] is None  # "man"
    assert verdicts("It's about love.", sleepless, book) == {("plot", "love"): None}  # too little to check
    said = "This is a romantic comedy about sleep paralysis."
    assert verdicts(said, sleepless, book)[("plot", "sleep paralysis")] is False
    from ecr_agent.gate import SentenceGate

    assert SentenceGate(book).filter("It is moving. It's about sleep paralysis.", sleepless) == "It is moving."


def test_the_gate_drops_a_plot_the_movies_plot_does_not_support(book: FactBook):
    from ecr_agent.evaluation.claims import unsupported_plot
    from ecr_agent.gate import SentenceGate

    # the 2026-12-02 demo: Safe Haven's plot has one "young woman" and a widower
    haven = book.resolve("Safe Haven (2013)")[0]
    told = "It's about the love of two young women, and it has all that you want in a story."
    assert verdicts(told, haven, book) == {
        ("plot", "the love of two young women, and it has all that you want in a story"): None
    }
    assert [unsupported_plot(c, book) for c in find_claims(told, haven, book)] == [True]
    assert SentenceGate(book).filter(f"It is moving. {told}", haven) == "It is moving."
    paraphrase = "It's about a young woman with a mysterious past and a widower."
    assert SentenceGate(book).filter(paraphrase, haven) == paraphrase
    assert not false_claims(told, haven, book)  # the fact metric still counts a loose plot as unknown, not false


def test_a_wrong_year_after_the_recommended_title_is_false(book: FactBook):
    # replayed ReDial test 21941: the generated part wrote "I, Robot (2014) is a great movie." after "I, Robot (2004)"
    robot = book.resolve("I, Robot (2004)")[0]
    assert verdicts("I, Robot (2014) is a great movie.", robot, book) == {("year", "2014"): False}
    assert verdicts("I, Robot (2004) is a great movie.", robot, book) == {}


def test_not_just_about_is_a_plot_claim(book: FactBook):
    # a played chat (2026-12-02): "It's not just about time travel" said of The Shining
    from ecr_agent.gate import SentenceGate

    shining = book.resolve("The Shining (1980)")[0]
    said = "It's not just about time travel, it has an interesting moral message."
    assert verdicts(said, shining, book) == {("plot", "time travel"): False}
    assert SentenceGate(book).filter(f"It is scary. {said}", shining) == "It is scary."


def test_a_row_of_genres_and_a_titled_movie_about_x_are_checked(book: FactBook):
    # scripted chats (2026-12-02): "an action and thriller movie" of Shutter Island, and a made-up Prestige plot
    shutter, prestige = book.resolve("Shutter Island (2010)")[0], book.resolve("The Prestige (2006)")[0]
    assert verdicts("It is an action and thriller movie.", shutter, book) == {("genre", "action and thriller"): False}
    assert verdicts("It is a mystery and thriller movie.", shutter, book) == {("genre", "mystery and thriller"): True}
    said = "I had no idea that the Prestige was a film about a young girl's life and how she is raised."
    assert [kind for kind, _ in verdicts(said, prestige, book)] == ["plot"]
    assert not any(verdicts(said, prestige, book).values())
    assert verdicts("I was looking for a film about love.", prestige, book) == {}  # "I" is no title
    # a played chat (2026-12-04) said of Why Him? (2016): "… you'd expect from a 2016 film about two young women …"
    why_him = book.resolve("Why Him? (2016)")[0]
    said = "It has all the charm you'd expect from a 2016 film about two young women who grow up together."
    assert verdicts(said, why_him, book).get(("plot", "two young women who grow up together")) is False


def test_the_gate_drops_a_movie_with_a_year_the_catalogue_lacks(book: FactBook):
    # replayed ReDial test 22104: "… from movies like Forrest Gumps' "The Lion King" or Forrest Games (2013)."
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    gump = book.resolve("Forrest Gump (1994)")[0]
    invented = "It has the same themes as movies like Forrest Games (2013)."
    assert gate.filter(f"It is moving. {invented}", gump) == "It is moving."
    known = "It is as good as Cast Away (2000), a great film."
    assert gate.filter(f"It is moving. {known}", gump) == f"It is moving. {known}"


def test_the_gate_drops_a_garbled_name_of_the_movie_s_own_people(book: FactBook):
    # scripted chats (2026-12-03): "Humphry Bogie is the best actor of his generation" said of Key Largo (1948)
    from ecr_agent.gate import SentenceGate

    gate = SentenceGate(book)
    key_largo = book.resolve("Key Largo (1948)")[0]
    assert not gate.keep("Humphry Bogie is the best actor of his generation!", key_largo)
    assert gate.keep("Humphrey Bogart is the best actor of his generation!", key_largo)
    assert gate.keep("It is a great crime movie.", key_largo)
    # "it has great acting by Kristen Wiigs" said of Jumanji (2017), a scripted chat (2026-12-03)
    jumanji = book.resolve("Jumanji (2017)")[0]
    assert not gate.keep("It is a comedy, and it has great acting by Kristen Wiigs.", jumanji)
    assert gate.keep("It has great acting by Dwayne Johnson.", jumanji)


def test_the_gate_drops_praise_for_making_no_mistakes():
    from ecr_agent.gate import BOILERPLATE

    said = "I am glad that the director has been able to make this film without any major mistakes and it's well done!"
    assert BOILERPLATE.search(said)
    assert not BOILERPLATE.search("It is a great comedy with a big heart.")


def test_the_gate_drops_a_person_called_by_one_name_who_is_not_in_the_movie(book: FactBook):
    # played chats (2026-12-04): Red (2010) and The Hitman's Bodyguard got Miss Congeniality's "Sandra and Michael"
    from ecr_agent.gate import SentenceGate, lone_names

    gate = SentenceGate(book)
    red = book.resolve("Red (2010)")[0]
    assert lone_names("and the acting by Sandra and Michael are excellent.") == ["Sandra", "Michael"]
    assert lone_names("It has great acting by Sandra Bullock and Michael Caine.") == []  # whole names
    assert not gate.keep("This movie is a great comedy, and the acting by Sandra and Michael are excellent.", red)
    assert gate.keep("This movie is a great comedy, and the acting by Bruce and Helen is excellent.", red)
    congeniality = book.resolve("Miss Congeniality (2000)")[0]
    assert gate.keep("The acting by Sandra and Michael is excellent.", congeniality)
    assert gate.keep("It is a great comedy.", red)


def test_the_gate_drops_a_viewer_persona_and_a_pick_run_down():
    from ecr_agent.gate import AS_ITS_VIEWER, TALKS_DOWN

    # sentences of the 2026-12-03 15:28 reply bench
    for sentence in (
        "I'm not a big horror person otherwise, but I do enjoy the movie.",
        "It's a great film, and it will be hard for me not watching this one!",
        "The story is a little too dark and claustrophobic for me, but the characters are so well-developed.",
    ):
        assert AS_ITS_VIEWER.search(sentence), sentence
    for sentence in (
        "There are too many plot holes in this one.",
        "The main character is not very believable.",
        "It is too dark and violent, it has no good story to be told in this film....",  # replayed ReDial valid 625
    ):
        assert TALKS_DOWN.search(sentence), sentence
    assert not AS_ITS_VIEWER.search("It is a great film for anyone who loves horror.")
    assert not TALKS_DOWN.search("The twist is believable and earned.")

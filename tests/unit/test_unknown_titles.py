from __future__ import annotations

import pytest

from ecr_agent.linking import EntityLinker
from ecr_agent.unknown_titles import UnknownTitles


@pytest.fixture(scope="module")
def unknown(paths) -> UnknownTitles:
    return UnknownTitles(EntityLinker.load(paths))


def test_a_name_the_user_liked_that_matches_nothing_is_unknown(unknown):
    # a scripted chat (2026-12-02): "I loved Zorblax Returns, anything like that?" got Black Panther, no word of it
    assert unknown.read("I loved Zorblax Returns, anything like that?") == ("Zorblax Returns",)
    assert unknown.read("Have you seen The Banshees of Inisherin?") == ("The Banshees of Inisherin",)
    assert unknown.read("I liked Encanto a lot") == ("Encanto",)  # 2021
    assert unknown.read("I loved Knives Out") == ("Knives Out",)  # 2019; a played chat praised the last pick for it


@pytest.mark.parametrize(
    "said",
    [
        "I really loved The Notebook and Titanic, they made me cry",
        "I love Tom Hanks and Meg Ryan",
        "I like Chris",  # an everyday word alone: nobody we can tell
        "I love Pixar movies",
        "I like A Lot of action",
        "i loved zorblax returns",  # typed in lower case: no name to tell
        "Oh I haven't seen Nice Guys will look into it",  # The Nice Guys (2016) said short: replayed ReDial 22073
        # what a first reading flagged in ReDial train seeker messages: misspelt people and titles, decades, genres,
        # acronyms, possessives
        "like Seth Rogan",
        "Oh I did like that one.  I like Nick Cage.",
        "I like 90s movies, any kind",
        "I really like Comedys",
        "I love NPH, didn't even realize he was in it",
        "ive seen Psyco but a long time ago",
        "I seen Jumanhi",
        "wow! sounds really interesting. I love Stephen King's movies and books",
        "Yes, like Tarrantino too.",
        "I like WW2 movies, too.",
        # and in test seeker messages (read for false alarms only): a typo of Elf, initials, a misspelt Tolkien
        "I have not seen Elg",
        "Oh yep, love DDl",
        "I love Tokien's movies.",
    ],
)
def test_what_is_no_unknown_movie(unknown, said):
    assert unknown.read(said) == ()

from __future__ import annotations

from ecr_agent.reply_eval import treats_as_turn_down


def test_a_catalogue_apology_is_not_a_turn_down():
    assert treats_as_turn_down("Sorry Click (2006) didn't work for you. You might enjoy The Wedding Singer (1998).")
    assert treats_as_turn_down("No problem, let's skip The Lion King (1994). Try Inception (2010).")
    # an unmet request is said with "sorry" too; before 2026-12-01 it counted as 4 of 9 apologies in 200 replies
    assert not treats_as_turn_down("I couldn't find something like Frozen in my catalogue, sorry. How about Hatchet?")
    assert treats_as_turn_down("I couldn't find a comedy in my catalogue, sorry. Sorry Up (2009) didn't work for you.")


def test_an_opening_skipping_two_movies_counts_as_an_apology():
    from ecr_agent.opening import TURNED_DOWN
    from ecr_agent.reply_eval import treats_as_turn_down

    for template in TURNED_DOWN:  # every turn-down opening, for one movie and for two
        assert treats_as_turn_down(template.format(movie="Elf (2003)", verb="is")), template
        assert treats_as_turn_down(template.format(movie="Elf (2003) and Up (2009)", verb="are")), template


def test_a_request_echo_turning_a_kind_away_is_not_a_turn_down():
    # the evening reply bench (2026-12-04, test 22858): "Know anything that's not too heavy?" counted as an apology
    assert not treats_as_turn_down("Something other than horror or war movies it is! I'd suggest Jumanji (2017).")
    assert treats_as_turn_down("Sure, something other than It (2017) then. Try Up (2009).")

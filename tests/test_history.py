"""The session's back/forward stack, alone: visits, steps back and forward, places kept."""

from __future__ import annotations

from reader.history import History
from reader.models import ReadingPosition as At


def test_back_and_forward_return_to_each_post_where_it_was_left() -> None:
    history = History()
    history.visit(At("a"))
    history.visit(At("b"), here=At("a", "part", 40))
    history.visit(At("c"), here=At("b", "", 7))
    assert history.back(here=At("c", "end", 90)) == At("b", "", 7)
    assert history.back(here=At("b", "", 12)) == At("a", "part", 40)
    assert history.back() is None
    assert history.forward() == At("b", "", 12)
    assert history.forward() == At("c", "end", 90)
    assert history.forward() is None


def test_a_new_visit_after_going_back_drops_the_newer_ones() -> None:
    history = History()
    for slug in "abc":
        history.visit(At(slug))
    history.back()
    history.back()
    history.visit(At("d"))
    assert not history.can_go_forward
    assert history.back() == At("a")
    assert len(history) == 2


def test_visiting_the_current_post_again_adds_nothing() -> None:
    history = History()
    history.visit(At("a"))
    history.visit(At("a"))
    history.visit(At("a", "section"))
    assert len(history) == 1 and not history.can_go_back
    assert history.current == At("a", "section")


def test_a_place_for_another_post_is_not_kept_on_the_current_visit() -> None:
    history = History()
    history.visit(At("a"))
    history.visit(At("b"), here=At("x", "", 5))
    assert history.back() == At("a")


def test_the_oldest_visits_are_forgotten_past_the_limit() -> None:
    history = History(limit=3)
    for slug in "abcde":
        history.visit(At(slug))
    assert len(history) == 3
    assert history.back() == At("d")
    assert history.back() == At("c")
    assert history.back() is None


def test_the_post_read_before_the_first_visit_is_where_back_returns() -> None:
    history = History()
    history.visit(At("b"), here=At("a", "", 3))
    assert history.back() == At("a", "", 3)

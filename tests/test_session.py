"""The reading session and the list filter, without a screen."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from reader.library import Library
from reader.models import Filter, ReadingPosition
from reader.session import ReadingSession, Snapshot
from reader.state import StateStore
from tests.conftest import RANKED


@pytest.fixture
def ranking(ranking_library: Library) -> Library:
    return ranking_library


@pytest.fixture
def session(ranking: Library) -> Iterator[ReadingSession]:
    session = ReadingSession(ranking)
    yield session
    session.close()


def slug_of(library: Library, title: str) -> str:
    return next(s.slug for s in library.summaries() if s.title == title)


def on_disk(library: Library) -> StateStore:
    """A second reader of the same state file, as another process would be."""
    return StateStore(library.state.path)


# -- the filter ------------------------------------------------------------------


@pytest.mark.parametrize("filter_id", ["all", "unread", "bookmarks", "tag:Machine Learning"])
def test_filter_ids_round_trip(filter_id: str) -> None:
    parsed = Filter.from_id(filter_id)
    assert parsed is not None and parsed.id == filter_id


@pytest.mark.parametrize("filter_id", ["", "tag:", "stars", "all:x", "tags:x"])
def test_unknown_filter_ids_name_no_filter(filter_id: str) -> None:
    assert Filter.from_id(filter_id) is None


def test_a_filter_is_checked_when_made() -> None:
    with pytest.raises(ValueError):
        Filter("stars")
    with pytest.raises(ValueError):
        Filter(Filter.TAG)
    with pytest.raises(ValueError):
        Filter(Filter.ALL, "redis")


# -- changes show at once and reach the disk in order ----------------------------------


def test_a_bookmark_shows_at_once_and_is_saved(session: ReadingSession, ranking: Library) -> None:
    slug = slug_of(ranking, "Beta Notes")
    assert session.toggle_bookmark(slug, section="intro") is True
    assert session.is_bookmarked(slug) and session.bookmarks[slug].section == "intro"
    session.writes.drain()
    saved = on_disk(ranking).bookmark(slug)
    assert saved is not None and saved.section == "intro"


def test_quick_toggles_land_in_the_order_made(session: ReadingSession, ranking: Library) -> None:
    slug = slug_of(ranking, "Beta Notes")
    gate = threading.Event()
    session.writes.submit("a slow write", lambda: gate.wait(10))  # the writer is busy
    for _ in range(5):
        session.toggle_bookmark(slug)
    assert session.is_bookmarked(slug)  # odd number of toggles
    gate.set()
    session.writes.drain()
    assert on_disk(ranking).bookmark(slug) is not None
    session.toggle_bookmark(slug)
    session.writes.drain()
    assert on_disk(ranking).bookmark(slug) is None


def test_newest_bookmark_first_and_a_missing_post_kept(
    session: ReadingSession, ranking: Library
) -> None:
    first, second = slug_of(ranking, "Beta Notes"), slug_of(ranking, "Moths at Night")
    session.toggle_bookmark(first)
    session.toggle_bookmark("gone-post")
    session.toggle_bookmark(second)
    listed = session.posts(Filter(Filter.BOOKMARKS))
    assert [p.slug for p in listed] == [second, "gone-post", first]
    assert listed[1].title == "gone-post (missing from the library)"


def test_a_note_bookmarks_the_post_or_keeps_the_bookmark_date(
    session: ReadingSession, ranking: Library
) -> None:
    slug = slug_of(ranking, "Alpha Camping")
    session.set_note(slug, "tent pegs", section="kit")
    created = session.bookmarks[slug].created
    session.set_note(slug, "more pegs")
    mark = session.bookmarks[slug]
    assert (mark.note, mark.section, mark.created) == ("more pegs", "kit", created)
    session.writes.drain()
    saved = on_disk(ranking).bookmark(slug)
    assert saved is not None and (saved.note, saved.section) == ("more pegs", "kit")


def test_read_marks_and_the_unread_filter(session: ReadingSession, ranking: Library) -> None:
    slug = slug_of(ranking, "Zulu Quillwort Guide")
    session.set_read(slug, True)
    assert not session.is_unread(slug)
    assert slug not in {p.slug for p in session.posts(Filter(Filter.UNREAD))}
    assert len(session.posts(Filter(Filter.UNREAD))) == 3
    session.set_read(slug, False)
    assert len(session.posts(Filter(Filter.UNREAD))) == 4
    session.writes.drain()
    assert slug not in on_disk(ranking).read_slugs()


def test_tag_filter_lists_the_tag(session: ReadingSession) -> None:
    assert [p.title for p in session.posts(Filter(Filter.TAG, "moths"))] == ["Moths at Night"]
    assert len(session.posts(Filter())) == 4


def test_positions_open_where_left_and_bookmarks_at_their_section(
    session: ReadingSession, ranking: Library
) -> None:
    slug = slug_of(ranking, "Moths at Night")
    assert session.opening_position(slug, Filter()) is None
    session.set_position(ReadingPosition(slug, "quillwort-light", 3))
    assert session.opening_position(slug, Filter()) == ReadingPosition(slug, "quillwort-light", 3)
    session.toggle_bookmark(slug, section="intro")
    at_bookmark = session.opening_position(slug, Filter(Filter.BOOKMARKS))
    assert at_bookmark == ReadingPosition(slug, "intro", 0)
    session.writes.drain()
    assert on_disk(ranking).position(slug) == ReadingPosition(slug, "quillwort-light", 3)


# -- search under a filter: before ranking and the limit ---------------------------------


def test_bookmarks_filter_applies_before_the_limit(
    session: ReadingSession, ranking: Library
) -> None:
    last = slug_of(ranking, "Beta Notes")  # ranks last for the query
    session.toggle_bookmark(last)  # shown at once, not yet on disk
    results = session.search("quillwort", Filter(Filter.BOOKMARKS), limit=1)
    assert [h.title for h in results.hits] == ["Beta Notes"]
    assert results.total == 1
    everything = session.search("quillwort", Filter(), limit=1)
    assert [h.title for h in everything.hits] == RANKED[:1] and everything.total == 4


def test_unread_and_tag_filters_apply_inside_the_search(
    session: ReadingSession, ranking: Library
) -> None:
    for title in RANKED[:3]:
        session.set_read(slug_of(ranking, title), True)
    unread = session.search("quillwort", Filter(Filter.UNREAD), limit=1)
    assert [h.title for h in unread.hits] == ["Beta Notes"] and unread.total == 1
    tagged = session.search("quillwort", Filter(Filter.TAG, "camping"), limit=1)
    assert [h.title for h in tagged.hits] == ["Alpha Camping"] and tagged.total == 1


@pytest.mark.parametrize(
    ("query", "within"),
    [("quillwort -is:bookmarked", Filter.BOOKMARKS), ("quillwort is:read", Filter.UNREAD)],
)
def test_a_query_against_its_filter_finds_nothing(
    session: ReadingSession, ranking: Library, query: str, within: str
) -> None:
    session.toggle_bookmark(slug_of(ranking, "Beta Notes"))
    session.set_read(slug_of(ranking, "Zulu Quillwort Guide"), True)
    results = session.search(query, Filter(within), limit=10)
    assert results.hits == () and results.total == 0


def test_the_filter_and_the_query_narrow_together(
    session: ReadingSession, ranking: Library
) -> None:
    for title in ("Beta Notes", "Moths at Night"):
        session.toggle_bookmark(slug_of(ranking, title))
    results = session.search("quillwort tag:moths", Filter(Filter.BOOKMARKS), limit=10)
    assert [h.title for h in results.hits] == ["Moths at Night"]


# -- changes made elsewhere ---------------------------------------------------------


def test_a_change_made_elsewhere_is_picked_up(session: ReadingSession, ranking: Library) -> None:
    slug = slug_of(ranking, "Alpha Camping")
    on_disk(ranking).add_bookmark(slug, note="from the other window")
    snapshot = session.read_from_disk().result()
    assert isinstance(snapshot, Snapshot)
    assert session.apply(snapshot) is True
    assert session.bookmarks[slug].note == "from the other window"
    again = session.read_from_disk().result()
    assert isinstance(again, Snapshot) and session.apply(again) is False  # nothing new


def test_a_read_older_than_a_change_never_undoes_it(
    session: ReadingSession, ranking: Library
) -> None:
    slug = slug_of(ranking, "Alpha Camping")
    gate = threading.Event()
    session.writes.submit("a slow write", lambda: gate.wait(10))
    pending = session.read_from_disk()
    session.toggle_bookmark(slug)  # after the read was queued
    gate.set()
    snapshot = pending.result()
    assert isinstance(snapshot, Snapshot)
    assert session.apply(snapshot) is False
    assert session.is_bookmarked(slug)


def test_a_failed_write_is_reported_with_what_failed(ranking: Library) -> None:
    failures: list[tuple[str, str]] = []
    session = ReadingSession(
        ranking, on_error=lambda what, error: failures.append((what, str(error)))
    )

    def boom() -> None:
        raise OSError("disk full")

    session.writes.submit("the bookmark", boom)
    session.close()
    assert failures == [("the bookmark", "disk full")]

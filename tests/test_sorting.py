"""The browse orders in the core, the CLI's `list --sort`, and telling repeated titles apart."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.listing import places, short_date, source_parts
from reader.models import Filter, Post, PostSummary
from reader.session import ReadingSession
from reader.sorting import (
    PostOrders,
    SortOrder,
    date_value,
    default_order,
    natural_key,
    sort_posts,
)
from tests.dated import (
    BY_NEWEST,
    BY_OLDEST,
    BY_TIME,
    BY_TITLE,
    IMPORTED,
    dated_library,
    dated_posts,
)

EXPECTED = {
    SortOrder.NEWEST: BY_NEWEST,
    SortOrder.OLDEST: BY_OLDEST,
    SortOrder.TITLE: BY_TITLE,
    SortOrder.TIME: BY_TIME,
    SortOrder.IMPORTED: IMPORTED,
}


def slugs(posts: list[PostSummary]) -> list[str]:
    return [p.slug for p in posts]


def titled(*titles: str) -> list[str]:
    """`titles` in title order."""
    posts = [PostSummary(slug=str(i), title=t) for i, t in enumerate(titles)]
    return [p.title for p in sort_posts(posts, SortOrder.TITLE)]


# -- the keys ----------------------------------------------------------------------


def test_titles_sort_naturally_ignoring_case_and_accents() -> None:
    assert titled("Rust 1.10", "Rust 1.2", "Rust 1.9") == ["Rust 1.2", "Rust 1.9", "Rust 1.10"]
    assert titled("Zebra", "émile", "Apple", "eagle") == ["Apple", "eagle", "émile", "Zebra"]
    assert titled("Part 10", "Part 9", "Part 010b", "Part 2") == [
        "Part 2",
        "Part 9",
        "Part 10",
        "Part 010b",
    ]
    assert titled("2 Fast", "10 Things", "Alpha") == ["2 Fast", "10 Things", "Alpha"]


def test_a_huge_number_in_a_title_sorts_without_error() -> None:
    huge = "Pi is 3." + "1" * 5000  # `int()` refuses over 4300 digits
    assert titled(huge, "Pi is 3.2", "Pi is 3") == ["Pi is 3", "Pi is 3.2", huge]
    assert natural_key("Rust 1.2") < natural_key("rust 1.10")


def test_dates_compare_as_moments_whatever_their_form() -> None:
    day = date_value("2024-05-02")
    late_evening_in_chicago = date_value("2024-05-01T23:00:00-05:00")  # 04:00 UTC on the 2nd
    assert day is not None and late_evening_in_chicago is not None
    assert late_evening_in_chicago > day
    assert date_value("2024-05-01T10:00:00Z") == date_value("2024-05-01T12:00:00+02:00")
    assert date_value(None) is None and date_value("") is None
    assert date_value("last tuesday") is None  # not ISO 8601: sorted as undated


def test_each_order_of_the_dated_posts() -> None:
    posts = [p.without_body() for p in dated_posts()]
    for order, expected in EXPECTED.items():
        assert slugs(sort_posts(posts, order)) == expected, order


def test_a_date_that_cannot_be_read_sorts_with_the_undated() -> None:
    posts = [
        PostSummary(slug="bad", title="Bad", date="sometime"),
        PostSummary(slug="old", title="Old", date="2001-01-01"),
        PostSummary(slug="none", title="None"),
        PostSummary(slug="new", title="New", date="2020-01-01"),
    ]
    assert slugs(sort_posts(posts, SortOrder.NEWEST)) == ["new", "old", "bad", "none"]
    assert slugs(sort_posts(posts, SortOrder.OLDEST)) == ["old", "new", "bad", "none"]


def test_the_default_is_newest_only_when_a_post_has_a_date() -> None:
    posts = [p.without_body() for p in dated_posts()]
    assert default_order(posts) is SortOrder.NEWEST
    assert default_order([PostSummary(slug="a", title="A")]) is SortOrder.IMPORTED
    assert default_order([]) is SortOrder.IMPORTED


def test_s_cycles_through_every_order_and_back() -> None:
    seen = [SortOrder.NEWEST]
    while (following := seen[-1].next()) is not SortOrder.NEWEST:
        seen.append(following)
    assert seen == ["newest", "oldest", "title", "time", "imported"]
    assert SortOrder.from_name("title") is SortOrder.TITLE
    assert SortOrder.from_name("sideways") is None and SortOrder.from_name(3) is None


# -- once per library load ---------------------------------------------------------


def test_each_order_is_sorted_once_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.sorting

    calls: list[SortOrder] = []
    real = reader.sorting.sort_posts

    def counting(posts: list[PostSummary], order: SortOrder) -> list[PostSummary]:
        calls.append(order)
        return real(posts, order)

    monkeypatch.setattr(reader.sorting, "sort_posts", counting)
    orders = PostOrders([p.without_body() for p in dated_posts()])
    for _ in range(3):
        assert slugs(orders.sorted(SortOrder.TITLE)) == BY_TITLE
        assert slugs(orders.sorted(SortOrder.NEWEST)) == BY_NEWEST
    assert calls == [SortOrder.TITLE, SortOrder.NEWEST]


def test_the_orders_hold_only_the_very_same_posts() -> None:
    posts = [p.without_body() for p in dated_posts()]
    orders = PostOrders(posts)
    assert orders.holds(list(posts))
    assert not orders.holds(posts[:-1])
    assert not orders.holds([*posts[1:], posts[0]])
    assert not orders.holds([replace(p) for p in posts])  # equal copies: a reload, sorted again


def test_the_library_sorts_again_after_its_posts_change(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "data")
    assert slugs(library.summaries(order=SortOrder.NEWEST)) == BY_NEWEST
    kept = library.orders()
    assert library.orders() is kept  # nothing changed: nothing sorted again
    newer = Post(slug="newest", title="Newest", date="2026-01-01", source="/n.md", body="x")
    library.posts.upsert([newer])
    assert slugs(library.summaries(order=SortOrder.NEWEST)) == ["newest", *BY_NEWEST]
    assert library.orders() is not kept


def test_a_tag_and_an_order_together(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "data")
    library.posts.upsert(
        [Post(slug="other", title="Aaa", date="2030-01-01", tags=("other",), body="x")]
    )
    assert slugs(library.summaries("notes", SortOrder.NEWEST)) == BY_NEWEST
    assert slugs(library.summaries("other", SortOrder.TITLE)) == ["other"]
    listed = library.summaries(order=SortOrder.TITLE)
    listed.clear()  # the caller's copy: the kept order is untouched
    assert slugs(library.summaries(order=SortOrder.TITLE))[:2] == ["other", "apple"]


def test_the_session_lists_in_the_order_but_bookmarks_as_bookmarked(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "data")
    session = ReadingSession(library)
    try:
        session.set_read("apple", True)
        unread = [s for s in BY_TITLE if s != "apple"]
        assert slugs(session.posts(Filter(Filter.UNREAD), SortOrder.TITLE)) == unread
        assert slugs(session.posts(Filter(Filter.TAG, "notes"), SortOrder.OLDEST)) == BY_OLDEST
        assert slugs(session.posts(Filter(), None)) == IMPORTED
        session.toggle_bookmark("weekly-c")
        session.toggle_bookmark("apple")
        bookmarks = Filter(Filter.BOOKMARKS)
        for order in SortOrder:
            assert slugs(session.posts(bookmarks, order)) == ["apple", "weekly-c"]
    finally:
        session.close()


# -- telling repeated titles apart -------------------------------------------------


def test_repeated_titles_get_a_date_else_a_folder() -> None:
    posts = [p.without_body() for p in dated_posts()]
    # Weekly Notes A has the only date among the three; B and C only their folders.
    assert places(posts) == {"weekly-b": "week-b", "weekly-c": "week-c"}
    assert places(posts[:5]) == {}  # one Weekly Notes: nothing to tell apart


def test_a_shared_date_or_folder_is_not_enough() -> None:
    def post(slug: str, source: str, date: str | None = None) -> PostSummary:
        return PostSummary(slug=slug, title="Index", source=source, date=date)

    same_day = [post("a", "/x/a/index.md", "2024-01-01"), post("b", "/x/b/index.md", "2024-01-01")]
    assert places(same_day) == {"a": "a", "b": "b"}
    same_folder = [post("a", "/docs/intro.md"), post("b", "/docs/setup.md")]
    assert places(same_folder) == {"a": "intro.md", "b": "setup.md"}
    deeper = [post("a", "/one/guide/index.md"), post("b", "/two/guide/index.md")]
    assert places(deeper) == {"a": "one/guide", "b": "two/guide"}
    digest = [post("a", "/d/digest.txt#1"), post("b", "/d/digest.txt#2")]
    assert places(digest) == {"a": "#1", "b": "#2"}


def test_source_parts_and_short_dates() -> None:
    assert source_parts("bundled:redis.md") == ["bundled", "redis.md"]
    assert source_parts("/a/b/c.md") == ["a", "b", "c.md"]
    assert source_parts("/a/digest.txt#3") == ["a", "digest.txt", "#3"]
    assert source_parts("/a/we#ird/c.md") == ["a", "we#ird", "c.md"]
    assert short_date("2024-05-01T10:00:00+02:00") == "2024-05-01"
    assert short_date("2024-05-01") == "2024-05-01"
    assert short_date(None) == ""


# -- the CLI -----------------------------------------------------------------------


def listed(data: Path, *args: str) -> list[str]:
    """The slugs `reader list` prints, in order (its first column)."""
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "list", *args])
    assert result.exit_code == 0, result.output
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


@pytest.mark.parametrize(("key", "expected"), [(o.value, e) for o, e in EXPECTED.items()])
def test_cli_list_sort(tmp_path: Path, key: str, expected: list[str]) -> None:
    dated_library(tmp_path / "data")
    assert listed(tmp_path / "data", "--sort", key) == expected
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "list", "--sort", key, "--json"]
    )
    assert [p["slug"] for p in json.loads(result.stdout)] == expected


def test_cli_list_is_newest_first_when_posts_have_dates(tmp_path: Path) -> None:
    dated_library(tmp_path / "data")
    assert listed(tmp_path / "data") == BY_NEWEST
    assert listed(tmp_path / "data", "--tag", "notes", "--sort", "title") == BY_TITLE


def test_cli_list_keeps_import_order_without_dates(library: Library) -> None:
    assert listed(library.root) == [p.slug for p in library.summaries()]


def test_cli_list_refuses_an_unknown_order(tmp_path: Path) -> None:
    dated_library(tmp_path / "data")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "list", "--sort", "sideways"]
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert "'sideways' is not one of 'newest', 'oldest', 'title', 'time', 'imported'" in (
        result.stderr
    )

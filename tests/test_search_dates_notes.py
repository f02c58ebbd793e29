"""Search by date (`after:`, `before:`, `year:`) and by bookmark note (`note:`, `is:noted`).

Dates and notes are not in the index: the library passes the posts within the
dates and the notes as shown, and both narrow the search before ranking and
the limit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.models import Filter
from reader.search import QueryError, parse_query
from reader.session import ReadingSession
from tests.dated import dated_library


def _slugs(library: Library, query: str, **kw: object) -> set[str]:
    results = library.search(query, limit=50, **kw)  # type: ignore[arg-type]
    slugs = {hit.slug for hit in results.hits}
    assert results.total == len(slugs)  # the count is what the list can show
    return slugs


# Dated: rust-1-2 2023-01-15 (with a time), weekly-a 2024-03-03, rust-1-10 2024-05-01,
# apple 2025-02-02; ecrire, weekly-b and weekly-c have no date. Every body says "words".


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("words year:2023", {"rust-1-2"}),
        ("words year:2024", {"weekly-a", "rust-1-10"}),
        ("words after:2024", {"weekly-a", "rust-1-10", "apple"}),
        ("words after:2024-03", {"weekly-a", "rust-1-10", "apple"}),  # March is in
        ("words after:2024-03-04", {"rust-1-10", "apple"}),
        ("words before:2024-03", {"rust-1-2", "weekly-a"}),  # up to 2024-03-31
        ("words before:2024-03-02", {"rust-1-2"}),
        ("words before:2023-01-15", {"rust-1-2"}),  # the day itself, a time or not
        ("words after:2024-01 before:2024-12-31", {"weekly-a", "rust-1-10"}),
        ("words year:2022", set()),
        ("year:2025", {"apple"}),  # a date filter alone
        ("after:2000", {"rust-1-2", "weekly-a", "rust-1-10", "apple"}),  # never the undated
    ],
)
def test_date_filters(tmp_path: Path, query: str, expected: set[str]) -> None:
    library = dated_library(tmp_path / "lib")
    assert _slugs(library, query) == expected


def test_a_date_filter_applies_before_the_limit(tmp_path: Path) -> None:
    library = dated_library(tmp_path / "lib")
    results = library.search("words after:2025", limit=1)
    assert [h.slug for h in results.hits] == ["apple"] and results.total == 1


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("after:2024-13", "no month 13"),
        ("before:2025-02-30", "has 28 days"),
        ("year:2023-01", "year:YYYY"),
        ("after:soon", "after:YYYY"),
        ("before:", "needs a date"),
        ("-year:2023", "cannot exclude"),
    ],
)
def test_a_bad_date_is_a_query_error(query: str, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert says in raised.value.message


def test_cli_date_filter_and_bad_date(isolated_data_dir: Path) -> None:
    dated_library(isolated_data_dir)
    result = CliRunner().invoke(cli, ["search", "words", "year:2024"])
    assert result.exit_code == 0
    assert {line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line} == {
        "weekly-a",
        "rust-1-10",
    }
    bad = CliRunner().invoke(cli, ["search", "words", "after:2024-13"])
    assert bad.exit_code == 2 and "no month 13" in bad.stderr


# -- notes -----------------------------------------------------------------------


def _noted(tmp_path: Path) -> Library:
    library = dated_library(tmp_path / "lib")
    library.state.set_note("apple", "Grandmother's recipe, try with cinnamon")
    library.state.set_note("weekly-a", "cinnamon rolls for the weekend")
    library.state.add_bookmark("rust-1-2")  # bookmarked, no note
    return library


def test_note_filter_and_is_noted(tmp_path: Path) -> None:
    library = _noted(tmp_path)
    assert _slugs(library, "note:cinnamon") == {"apple", "weekly-a"}
    assert _slugs(library, "note:recipe") == {"apple"}
    assert _slugs(library, 'note:"cinnamon rolls"') == {"weekly-a"}
    assert _slugs(library, "is:noted") == {"apple", "weekly-a"}
    assert _slugs(library, "words -is:noted") == {
        "rust-1-2",
        "rust-1-10",
        "ecrire",
        "weekly-b",
        "weekly-c",
    }
    assert _slugs(library, "note:cinnamon year:2025") == {"apple"}


def test_a_plain_query_matches_note_words_after_text_matches(tmp_path: Path) -> None:
    library = _noted(tmp_path)
    assert _slugs(library, "grandmother") == {"apple"}  # only in the note
    results = library.search("cinnamon OR weekly", limit=10)
    slugs = [h.slug for h in results.hits]
    # weekly-a's title says Weekly and its note cinnamon; apple only by its note: last.
    assert slugs[-1] == "apple" and set(slugs) == {"weekly-a", "weekly-b", "weekly-c", "apple"}
    assert results.total == 4
    assert _slugs(library, "grandmother -pie") == set()  # its title says pie
    assert _slugs(library, "grandmother -cinnamon") == set()  # so does its note


def test_the_session_searches_the_notes_as_shown(tmp_path: Path) -> None:
    library = _noted(tmp_path)
    session = ReadingSession(library)
    try:
        session.set_note("rust-1-10", "benchmarks to redo")
        found = session.search("benchmarks", Filter(Filter.ALL), 20)
        assert [h.slug for h in found.hits] == ["rust-1-10"]
        noted = session.search("is:noted", Filter(Filter.ALL), 20)
        assert {h.slug for h in noted.hits} == {"apple", "weekly-a", "rust-1-10"}
    finally:
        session.close()

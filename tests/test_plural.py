"""Counts agree with their nouns: "0 posts", "1 post", "2 posts", in what the user reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.feeds.refresh import RefreshReport
from reader.post_load import damaged_posts
from reader.text import plural


@pytest.mark.parametrize(
    ("count", "said"), [(0, "0 posts"), (1, "1 post"), (2, "2 posts"), (1000, "1000 posts")]
)
def test_the_noun_agrees_with_the_count(count: int, said: str) -> None:
    assert plural(count, "post") == said


def test_an_irregular_plural_is_given() -> None:
    assert [plural(n, "entry", "entries") for n in (0, 1, 2)] == [
        "0 entries",
        "1 entry",
        "2 entries",
    ]


@pytest.mark.parametrize(
    ("errors", "said"),
    [(0, "0 feeds with errors"), (1, "1 feed with errors"), (2, "2 feeds with errors")],
)
def test_the_refresh_line(errors: int, said: str) -> None:
    report = RefreshReport(errors=[("feed", "reason")] * errors)
    assert report.line() == f"0 new, 0 updated, {said}"


def test_damaged_posts_agree_with_their_verb(tmp_path: Path) -> None:
    one = damaged_posts(tmp_path / "posts.json", ["7"], "a copy is kept")
    two = damaged_posts(tmp_path / "posts.json", ["7", "9"], "a copy is kept")
    assert one.startswith("1 of the posts in ") and "was damaged (#7) and is left out" in one
    assert "were damaged (#7, #9) and are left out" in two

"""A small library of dated posts whose five orders all differ, for the sorting tests.

The posts go into the store directly: what they hold (dates with and without
a time, no date, titles that repeat, accents, numbers) is the point, not how
the importer reads it. Each order below is spelled out by hand, not computed.
"""

from __future__ import annotations

from pathlib import Path

from reader.library import Library
from reader.models import Post

__all__ = [
    "BY_NEWEST",
    "BY_OLDEST",
    "BY_TIME",
    "BY_TITLE",
    "IMPORTED",
    "ROWS",
    "dated_library",
    "dated_posts",
    "rows_in",
]


def dated_posts(folder: str = "/notes") -> list[Post]:
    """The seven posts, in import order. `folder` is where their sources claim to be."""

    def post(slug: str, title: str, words: int, date: str | None, source: str) -> Post:
        body = f"# {title}\n\nSome words about {title}.\n"
        return Post(
            slug=slug,
            title=title,
            words=words,
            date=date,
            source=f"{folder}/{source}",
            tags=("notes",),
            body=body,
        )

    return [
        post("rust-1-10", "Rust 1.10 Released", 2000, "2024-05-01", "rust/1-10.md"),
        post("rust-1-2", "Rust 1.2 Released", 300, "2023-01-15T09:00:00+02:00", "rust/1-2.md"),
        post("ecrire", "Écrire en Français", 5000, None, "ecrire.md"),
        post("apple", "apple pie notes", 50, "2025-02-02", "apple.md"),
        post("weekly-a", "Weekly Notes", 1000, "2024-03-03", "week-a/index.md"),
        post("weekly-b", "Weekly Notes", 700, None, "week-b/index.md"),
        post("weekly-c", "Weekly Notes", 1500, None, "week-c/index.md"),
    ]


IMPORTED = ["rust-1-10", "rust-1-2", "ecrire", "apple", "weekly-a", "weekly-b", "weekly-c"]
BY_NEWEST = ["apple", "rust-1-10", "weekly-a", "rust-1-2", "ecrire", "weekly-b", "weekly-c"]
"""Dated first, newest first; then the undated, in import order."""
BY_OLDEST = ["rust-1-2", "weekly-a", "rust-1-10", "apple", "ecrire", "weekly-b", "weekly-c"]
BY_TITLE = ["apple", "ecrire", "rust-1-2", "rust-1-10", "weekly-a", "weekly-b", "weekly-c"]
"""Case and accents ignored (`apple` before `Écrire` before `Rust`), 1.2 before 1.10."""
BY_TIME = ["apple", "rust-1-2", "weekly-b", "weekly-a", "weekly-c", "rust-1-10", "ecrire"]
"""Shortest first."""


def dated_library(root: Path) -> Library:
    """A library of only the seven dated posts, in `root`."""
    library = Library.open(root, seed=False)
    library.posts.upsert(dated_posts())
    return library


ROWS = {
    "rust-1-10": ("Rust 1.10 Released", "2024-05-01 · notes · 9 min"),
    "rust-1-2": ("Rust 1.2 Released", "2023-01-15 · notes · 2 min"),
    "ecrire": ("Écrire en Français", "notes · 22 min"),
    "apple": ("apple pie notes", "2025-02-02 · notes · 1 min"),
    "weekly-a": ("Weekly Notes", "2024-03-03 · notes · 5 min"),
    "weekly-b": ("Weekly Notes", "week-b · notes · 4 min"),
    "weekly-c": ("Weekly Notes", "week-c · notes · 7 min"),
}
"""Each post's row as the list draws it: the title, then the dim line under it. The
one dated Weekly Notes is told apart by its date, the other two by their folders."""


def rows_in(order: list[str]) -> list[tuple[str, str]]:
    """The rows the list shows for the slugs `order`, top to bottom."""
    return [ROWS[slug] for slug in order]

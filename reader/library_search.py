"""Searching the library: a query narrowed by the list's filter, the user's marks and drafts.

`Library.search` delegates here. The query is parsed (`reader.search.query`),
then narrowed *before ranking and the limit*: by the list's `Filter` (a tag,
Bookmarks, Unread), by the bookmarked and read slugs (as the caller shows
them, else as the state file has them), by the posts' dates (`after:`,
`before:`, `year:`), and without the drafts unless the query asks for them
or `show_drafts` is on. The bookmark notes (as the caller shows them, else
from the state) go along for `note:`, `is:noted` and plain words in a note;
the index holds neither dates nor notes. The index runs it
(`LibraryIndex.run`, which rebuilds a damaged index and tries again).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from reader.library_index import LibraryIndex
from reader.models import Filter

if TYPE_CHECKING:
    from reader.library import Library
    from reader.search import SearchIndex, SearchResults

# The search engine is imported where it is used: `reader` with no command
# must paint its first screen fast, and needs none of it.

__all__ = ["search"]


def search(
    library: Library,
    index: LibraryIndex,
    query: str,
    limit: int = 20,
    tag: str | None = None,
    all_slugs: bool = False,
    snippets: bool = True,
    *,
    within: Filter | None = None,
    bookmarked: Collection[str] | None = None,
    read: Collection[str] | None = None,
    typing: bool = False,
    notes: Mapping[str, str] | None = None,
) -> SearchResults:
    """Posts of `library` matching `query`, best first, from its `index`.

    The arguments are those of `Library.search`, which says what each does.
    """
    from reader.search import parse_query

    parsed = parse_query(query, typing=typing)
    if within is not None and within.kind == Filter.TAG:
        if tag is None:
            tag = within.tag
        else:
            parsed = replace(parsed, tags=(*parsed.tags, within.tag))
    elif within is not None and within.kind == Filter.BOOKMARKS:
        if parsed.bookmarked is False:  # `-is:bookmarked` under Bookmarks: nothing
            bookmarked = ()
        parsed = replace(parsed, bookmarked=True)
    elif within is not None and within.kind == Filter.UNREAD:
        if parsed.unread is False:  # `is:read` under Unread: nothing
            read = {s.slug for s in library.summaries()}
        parsed = replace(parsed, unread=True)
    marked: set[str] = set()
    done: set[str] = set()
    if parsed.bookmarked is not None:
        marked = set(
            bookmarked if bookmarked is not None else (b.slug for b in library.state.bookmarks())
        )
    if parsed.unread is not None:
        done = set(read if read is not None else library.state.read_slugs())
    dated: set[str] | None = None
    if parsed.dated:
        dated = {s.slug for s in library.summaries() if parsed.in_dates(s.date)}
    if notes is None and (parsed.positive or parsed.note_terms or parsed.noted is not None):
        notes = {b.slug: b.note for b in library.state.bookmarks() if b.note}
    drafts = library.draft_slugs()
    if parsed.draft is None and not library.show_drafts and (tag or not parsed.is_empty):
        parsed = replace(parsed, draft=False)

    def run(engine: SearchIndex) -> SearchResults:
        return engine.search(
            parsed,
            limit=limit,
            tag=tag,
            bookmarked=marked,
            read=done,
            all_slugs=all_slugs,
            snippets=snippets,
            drafts=drafts,
            dated=dated,
            notes=notes,
        )

    return index.run(run)

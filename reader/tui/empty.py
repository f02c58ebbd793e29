"""What an empty post list says: why it is empty, and what to do about it (plain text)."""

from __future__ import annotations

from reader.models import Filter

__all__ = ["empty_list", "nothing_found_hint"]


def empty_list(chosen: Filter, library_empty: bool) -> str:
    """The line an empty list shows when browsing under `chosen`."""
    if library_empty:
        return "The library is empty: add posts with `reader import PATH` (a file or a folder)."
    if chosen.kind == Filter.BOOKMARKS:
        return "No bookmarks yet. Bookmarks: press b on a post."
    if chosen.kind == Filter.UNREAD:
        return "Nothing unread. Press m on a post to mark it unread again."
    if chosen.kind == Filter.TAG:
        return f"No post has the tag {chosen.tag} now. Press t and choose All to see every post."
    return "No posts to show."


def nothing_found_hint(chosen: Filter) -> str:
    """What to try when a search found nothing, after the core's own words."""
    if chosen.kind != Filter.ALL:
        return "The list is narrowed: press esc, then t and choose All to search every post."
    return "Try fewer words, or press esc to go back to the list."

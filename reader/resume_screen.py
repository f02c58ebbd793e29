"""The list as the user left it, kept so that a start can paint it before reading every post.

`reader.first_screen` holds the first rows in the default order: enough for
most starts. A user who left the reader on a tag, in another order, or far
down the list needs other rows, and without them the whole library is read
before the first frame (1.5 s at 50,000 posts). `resume-screen.cache`,
beside `posts.json`, holds those rows: the list of one *view* (a tag or every
post, an order, drafts shown or not) from its top to a screenful past the
post the cursor was on, and how many posts the view has in all.

The TUI writes it when it quits with every post read; a start uses it only
if it is of the view being restored and was made from the very version of
`posts.json` on disk (see `reader.sealed`). Views that depend on the user's
state (Unread, Bookmarks) are not kept: read marks and bookmarks can change
in another process between two runs, and the posts alone cannot say which
rows they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.models import PostSummary
from reader.post_cache import decode_rows, encode_rows
from reader.sealed import Identity, seal_made_from, unseal_made_from

__all__ = ["PAST", "RESUME_SCREEN_NAME", "ResumeScreen", "decode_resume", "encode_resume"]

RESUME_SCREEN_NAME = "resume-screen.cache"
"""The file's name, beside `posts.json`."""

PAST = 200
"""Rows kept past the one the cursor was on."""

_MAGIC = b"reader-resume-screen\x00"
_VERSION = 1
"""Bump when the layout below or `PostSummary`'s fields change."""


@dataclass(frozen=True, slots=True)
class ResumeScreen:
    """The first rows of one view of the list, and its length."""

    view: str
    """Which list: see `view_key`."""
    rows: tuple[PostSummary, ...]
    """The view's posts from its top, as the list shows them."""
    total: int
    """Posts in the whole view."""


def view_key(filter_id: str, order: str, drafts: bool) -> str:
    """The name of a view: its filter's id, its order's value and whether drafts show."""
    return f"{filter_id}\n{order}\n{int(drafts)}"


def resume_of(view: str, posts: Sequence[PostSummary], at: int) -> ResumeScreen:
    """What to keep of the view `view` listing `posts`, its cursor on row `at`."""
    return ResumeScreen(view, tuple(posts[: max(0, at) + 1 + PAST]), len(posts))


def encode_resume(identity: Identity, screen: ResumeScreen) -> bytes:
    """The bytes of the file for `screen`, made from the version `identity` of `posts.json`."""
    keys, rows = encode_rows(screen.rows, {})
    return seal_made_from(_MAGIC, _VERSION, identity, (screen.view, keys, rows, screen.total))


def decode_resume(path: Path, identity: Identity | None) -> ResumeScreen | None:
    """The resume screen in the file at `path`, or None when it is missing, unreadable,
    damaged, of another version, or not made from the version `identity` of `posts.json`."""
    found = unseal_made_from(path, _MAGIC, _VERSION, identity)
    if found is None:
        return None
    try:
        view, keys, rows, total = found
        return ResumeScreen(
            str(view), tuple(post for _, post in decode_rows(keys, rows)), int(total)
        )
    except (ValueError, TypeError, IndexError):
        return None

"""Editing a post's source file: which file that is, whether it may be edited, and with what.

`e` in the TUI opens the file in the user's editor, then imports it again
(`Library.import_paths`, which keeps the post's slug and marks). A bundled
sample lives inside the package, and a feed entry is written by each
refresh: neither is the user's to edit, and each says so.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from reader.library import Library
from reader.library_import import BUNDLED_PREFIX
from reader.models import PostSummary
from reader.paths import library_dir

__all__ = ["FEED_PREFIX", "NotEditable", "editor_command", "source_file"]

FEED_PREFIX = "feed:"
"""How a feed entry's source starts (`reader.feeds.refresh.source_prefix`, not imported
here: it would bring the HTTP client into the TUI's start)."""


class NotEditable(Exception):
    """The post has no source file the user can edit; the message says why."""


def source_file(library: Library, post: PostSummary) -> Path:
    """The file `post` was imported from, if the user may edit it (`NotEditable` if not)."""
    source = post.source
    if source.startswith(BUNDLED_PREFIX) or not source:
        raise NotEditable(
            f"{post.title!r} is a sample post shipped with reader: it has no file of yours "
            "to edit (import your own with `reader import PATH`)"
        )
    path = Path(source.partition("#")[0] if "#" in source else source)
    if source.startswith(FEED_PREFIX) or path.is_relative_to(library_dir(library.root).resolve()):
        raise NotEditable(
            f"{post.title!r} comes from a feed: each refresh writes it again, so it is not "
            "edited here"
        )
    if not path.is_file():
        raise NotEditable(f"the file of {post.title!r} is gone: {path}")
    if not os.access(path, os.W_OK):
        raise NotEditable(f"the file of {post.title!r} cannot be written: {path}")
    return path


def editor_command(configured: str | None) -> list[str]:
    """The editor to run: the config's `editor`, else `$VISUAL`, else `$EDITOR`, else vi."""
    for command in (configured, os.environ.get("VISUAL"), os.environ.get("EDITOR")):
        if command and command.strip():
            return shlex.split(command)
    return ["vi"]

"""Posts an import has read but not stored yet, their bodies kept on disk until the commit.

A big import reads tens of thousands of posts before it stores them in one
commit (`PostStore.commit`). Holding every body until then cost about 1 GB
at 50,000 posts; a `PostSpill` keeps each post's metadata (which the store
holds anyway once the commit is done) and writes its body to an unnamed
temporary file beside the library, from which the commit reads them back one
body file at a time. The file has no name (`tempfile.TemporaryFile`), so it
goes with the process, however it ends: a killed import leaves nothing behind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from reader.models import Post, PostSummary

__all__ = ["PostSpill"]


class PostSpill:
    """The posts of one import, in the order added; bodies in a temporary file."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._file: IO[bytes] | None = None
        """Made when the first post is added: an import that changes nothing makes none."""
        self._posts: dict[str, PostSummary] = {}
        self._at: dict[str, tuple[int, int]] = {}
        """Where each body is in the file: (offset, length in bytes)."""
        self._end = 0

    def __len__(self) -> int:
        return len(self._posts)

    def __iter__(self) -> Iterator[PostSummary]:
        return iter(self._posts.values())

    def add(self, post: Post) -> PostSummary:
        """Keep `post` (a later post of the same slug replaces it); its summary."""
        data = post.body.encode("utf-8", "surrogatepass")
        if self._file is None:
            self._directory.mkdir(parents=True, exist_ok=True)
            # No `with`: the file lives until `close`, after the commit.
            self._file = tempfile.TemporaryFile(dir=self._directory, prefix=".import-")  # noqa: SIM115
        self._file.seek(self._end)
        self._file.write(data)
        self._at[post.slug] = (self._end, len(data))
        self._end += len(data)
        self._posts.pop(post.slug, None)  # in the order last added, as a list of posts would be
        summary = self._posts[post.slug] = post.without_body()
        return summary

    def body(self, post: PostSummary) -> str:
        """The body of a post added here."""
        offset, length = self._at[post.slug]
        assert self._file is not None
        self._file.seek(offset)
        return self._file.read(length).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Remove the file (it goes with the process anyway)."""
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> PostSpill:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

"""Parsed documents of the posts read lately, so going back to a post shows it at once.

The app owns one `DocumentCache` and hands it down to the reader pane. Only
complete documents are kept; a long post still being parsed is started with
`begin_document` and stored once it is finished.
"""

from __future__ import annotations

from collections import OrderedDict

from reader.models import Post
from reader.tui.document import Document
from reader.tui.markdown_lines import DocumentBuilder, split_chunks

__all__ = ["DocumentCache", "begin_document"]

_Key = tuple[str, int, str, tuple[str, ...], str]


class DocumentCache:
    """Complete documents by post (slug, body, title, tags and the bookmark's note), the
    least recent dropped first."""

    def __init__(self, size: int = 12) -> None:
        self.size = size
        """How many documents are kept."""
        self._documents: OrderedDict[_Key, Document] = OrderedDict()

    @staticmethod
    def _key(post: Post, note: str) -> _Key:
        # The title, tags and note are drawn in the document's first lines: part of it.
        return (post.slug, hash(post.body), post.title, tuple(post.tags), note)

    def get(self, post: Post, note: str = "") -> Document | None:
        """The document of `post` (with `note`) as it is now, or None when it is not kept."""
        key = self._key(post, note)
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def put(self, post: Post, document: Document, note: str = "") -> None:
        """Keep `document` (complete) for `post` with `note`."""
        key = self._key(post, note)
        self._documents[key] = document
        self._documents.move_to_end(key)
        while len(self._documents) > self.size:
            self._documents.popitem(last=False)

    def clear(self) -> None:
        """Forget every document (the benchmark measures cold opens this way)."""
        self._documents.clear()

    def __len__(self) -> int:
        return len(self._documents)


def begin_document(post: Post, note: str = "") -> tuple[DocumentBuilder, list[str]]:
    """A builder fed the first chunk of `post` (its bookmark's `note` under the title), and
    the chunks still to feed it."""
    chunks = split_chunks(post.body)
    sections = [(s.heading, s.anchor) for s in post.sections]
    builder = DocumentBuilder(post.title, post.tags, sections, note)
    builder.feed(chunks[0])
    return builder, chunks[1:]

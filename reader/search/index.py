"""The search index: an inverted index with per-field BM25, kept up to date and on disk.

`SearchIndex` is a facade over parts that each do one job (`IndexParts`):

* `vocabulary`: every term with an integer id; prefix and typo expansion;
* `documents`: slug, title, tags, signature and field lengths per post;
* `forward`: each post's term ids in order, for phrases and re-weighting;
* `postings`: each term's posts and impacts, sparse or dense (`scoring`
  computes the impacts, `matchers` read them);
* `pairs`: bitmaps of the posts holding two common terms side by side;
* `records`: each post's snippet record, in the file or pending a save.

`evaluate` answers a query from them and `file_format` saves and loads them
(the layout is documented there and in docs/SEARCH_INDEX.md). The facade
keeps the parts in step: a post added or removed touches each of them.

Updates are incremental: a re-imported post is removed (its forward terms
say which postings to touch) and added again under a new id. Ids only grow,
so postings stay sorted by appending; holes are compacted on save, and a big
import recomputes every weight.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path
from typing import BinaryIO

from reader.models import Post, PostSummary, Section
from reader.search import file_format, scoring
from reader.search.evaluate import evaluate, highlight_patterns
from reader.search.forward import PostTerms
from reader.search.matches import Matches
from reader.search.parts import IndexParts
from reader.search.query import Query, QueryError, parse_query
from reader.search.records import encode_record, snippet
from reader.search.results import SearchHit, SearchResults
from reader.search.snippets import Highlight, Snippet, find_marks
from reader.search.suggest import suggestions
from reader.search.weighing import reweigh
from reader.storage import atomic_writer

__all__ = ["FORMAT_VERSION", "SearchHit", "SearchIndex", "SearchResults"]

FORMAT_VERSION = 6
"""Bumped whenever the saved layout (`file_format`, `records`) or the tokenizer changes;
a file of another version is not loaded, so the index is rebuilt from the posts."""
COMPACT_RATIO = 0.2
"""Compact document ids on save when more than this share of them are holes."""
_SNIPPET_DAMAGE = (
    OSError,
    EOFError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    struct.error,
    zlib.error,
)
"""What reading a damaged snippet record can raise."""


class SearchIndex:
    """An inverted index over posts. Safe to search from several threads; one writer at a time."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._parts = IndexParts()
        self._unweighed: list[int] = []
        """Documents `insert` added whose postings are not made yet."""

    # -- building ----------------------------------------------------------

    @classmethod
    def build(cls, posts: Iterable[Post]) -> SearchIndex:
        """A new index over `posts`."""
        index = cls()
        for post in posts:
            index._insert(post)
        index._reweigh()
        return index

    def __len__(self) -> int:
        return len(self._parts.documents)

    def __contains__(self, slug: object) -> bool:
        return slug in self._parts.documents.doc_of

    def slugs(self) -> list[str]:
        """Every indexed slug, in index order."""
        return [s for s in self._parts.documents.slugs if s is not None]

    def stale(self, summaries: Iterable[PostSummary]) -> tuple[list[str], list[str]]:
        """Compare with the store: (slugs to (re)index, slugs to drop)."""
        return self._parts.documents.stale(summaries)

    def update(self, posts: Iterable[Post], remove: Iterable[str] = ()) -> None:
        """Index new or changed `posts` (replacing older versions) and drop `remove`."""
        with self._lock:
            self._weigh_inserted()
            for slug in remove:
                self._remove(slug)
            self._weigh_added([self._insert(post) for post in posts])

    def insert(self, posts: Iterable[Post], texts: Iterable[PostTerms | None] = ()) -> None:
        """Index new or changed `posts` without making their postings yet.

        A big import adds its posts a batch at a time, as it reads them, and
        the postings of all of them are made at once by the next `update` or
        `save` (every weight computed once, not once per batch). Until then a
        search does not find them. `texts` are the posts' `post_terms`, when
        found already (None for one that was not).
        """
        with self._lock:
            unweighed = self._unweighed
            doc_of = self._parts.documents.doc_of
            for post, text in zip_longest(posts, texts):
                if unweighed and doc_of.get(post.slug, -1) >= unweighed[0]:
                    self._weigh_inserted()  # replacing a post not weighed yet
                    unweighed = self._unweighed
                unweighed.append(self._insert(post, text))

    def _weigh_inserted(self) -> None:
        """Make the postings of the posts `insert` added."""
        added, self._unweighed = self._unweighed, []
        self._weigh_added(added)

    def _weigh_added(self, added: list[int]) -> None:
        """Make the postings of the documents just `added`."""
        if not added:
            return
        if len(added) > max(50, len(self._parts.documents) // 4):
            self._reweigh()  # a big import: recompute every weight
            return
        averages = self._parts.documents.averages()
        for doc_id in added:
            self._weigh(doc_id, averages)

    def _insert(self, post: Post, text: PostTerms | None = None) -> int:
        """Add a post's document (not its postings), replacing any older one; its id."""
        self._remove(post.slug)
        parts = self._parts
        added = parts.forward.add_post(post, parts.vocabulary, text)
        parts.postings.reserve(len(parts.vocabulary))
        parts.postings.add_document()
        doc_id = parts.documents.add(post, added.lengths)
        sections = tuple((s.heading, s.anchor, s.level, s.line) for s in post.sections)
        parts.records.append(encode_record(added.pieces, sections, added.pieces_at))
        return doc_id

    def _remove(self, slug: str) -> None:
        parts = self._parts
        doc_id = parts.documents.remove(slug)
        if doc_id is None:
            return
        parts.postings.remove(doc_id, parts.forward.terms(doc_id))
        if parts.pairs:
            parts.pairs.remove(doc_id, parts.forward.pairs(doc_id))
        parts.forward.clear(doc_id)
        parts.records.drop(doc_id)

    def _weigh(self, doc_id: int, averages: tuple[float, ...]) -> None:
        """Compute a document's impacts and add them to its terms' postings."""
        parts = self._parts
        if parts.documents.slugs[doc_id] is None:
            return
        fields = parts.forward.field_counts(doc_id)
        lengths = parts.documents.field_lengths(doc_id)
        parts.postings.add(doc_id, scoring.impacts(fields, lengths, averages))
        if parts.pairs:
            parts.pairs.add(doc_id, parts.forward.pairs(doc_id))

    def _reweigh(self) -> None:
        """Recompute every posting from the forward sequences, compacting ids."""
        parts = self._parts
        live = parts.documents.compact()
        if live is not None:
            parts.forward.compact(live)
            parts.records.compact(live)
        reweigh(parts)

    # -- persistence -------------------------------------------------------

    def close(self) -> None:
        """Close the index file (snippets of saved posts are empty afterwards).

        On Linux the file's map goes with the last view of it; Windows cannot
        replace a mapped file, so there the parts are copied out of it now.
        """
        with self._lock:
            if os.name == "nt":
                self._parts.copy_out()
            self._parts.records.close()

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically (compacting it first if it has many holes)."""
        with self._lock:
            self._weigh_inserted()
            parts = self._parts
            docs = parts.documents
            if docs.holes() > COMPACT_RATIO * len(docs.slugs):
                self._reweigh()
            else:
                parts.postings.pack(len(docs.slugs))
            records = parts.records
            previous = records.path
            # Windows cannot replace a file that is open or mapped: there the parts
            # are copied out of the map first, and the records file is closed just
            # before, and reopened after (or again on failure).
            windows = os.name == "nt"
            if windows:
                parts.copy_out()
            try:
                with atomic_writer(
                    path, keep_open=True, before_replace=records.close if windows else None
                ) as out:
                    at, length, region = file_format.write(out, parts, FORMAT_VERSION)
            except BaseException:
                if windows and previous is not None and records.closed:
                    with contextlib.suppress(OSError):
                        records.attach(previous.open("rb"), previous)
                raise
            handle = path.open("rb") if out.closed else out
            records.attach(handle, path)
            records.saved(at, length, region)
            self._map(handle)

    def _map(self, handle: BinaryIO) -> None:
        """Use the file just saved as loaded, mapped, rather than the arrays built in memory
        (the old file's map, if any, goes with the last view of it)."""
        try:
            mapped = file_format.read(handle, FORMAT_VERSION)
        except Exception:  # unreadable as written: keep the parts in memory
            return
        mapped.records = self._parts.records
        self._parts = mapped

    @classmethod
    def load(cls, path: Path) -> SearchIndex | None:
        """The index saved at `path`, or None if missing, damaged or of another format."""
        try:
            handle = path.open("rb")
        except OSError:
            return None
        try:
            parts = file_format.read(handle, FORMAT_VERSION)
        except Exception:
            # Any damage at all (a wrong type in the table of contents, a count too
            # big to allocate...): the index is a cache, rebuilt from the posts.
            handle.close()
            return None
        index = cls()
        index._parts = parts
        parts.records.attach(handle, path)
        return index

    # -- searching ---------------------------------------------------------

    def search(
        self,
        query: str | Query,
        limit: int = 20,
        tag: str | None = None,
        bookmarked: Collection[str] = (),
        read: Collection[str] = (),
        snippets: bool = True,
        all_slugs: bool = False,
        drafts: Collection[str] = (),
        typing: bool = False,
        dated: Collection[str] | None = None,
        notes: Mapping[str, str] | None = None,
    ) -> SearchResults:
        """Posts matching `query`, best first; raises only `QueryError` on query text.

        `tag` narrows to one tag (the sidebar's choice) on top of any `tag:`
        in the query; `bookmarked` and `read` are the user's slugs, needed
        only for `is:bookmarked` and `is:unread`; `drafts` the drafts' slugs,
        for `is:draft` and `-is:draft`. Snippets are made for the
        `limit` hits returned (pass `snippets=False` to skip them).
        `all_slugs=True` also returns every match (`SearchResults.matches`: their
        slugs, and the sidebar's counts, made when asked for). `typing`
        reads a text query as still being typed (see `parse_query`). The
        index knows neither dates nor notes: `dated` are the slugs of the posts
        within the query's dates (`Query.in_dates`; without it a date filter
        matches nothing), `notes` the bookmark notes by slug (for `note:`,
        `is:noted`, and plain words found in a note).
        """
        parsed = parse_query(query, typing=typing) if isinstance(query, str) else query
        with self._lock:
            parts = self._parts
            found = evaluate(
                parts, parsed, max(0, limit), tag, bookmarked, read, all_slugs, drafts, dated, notes
            )
            highlight = found.highlight
            hits = tuple(self._hit(d, score, highlight, snippets) for score, d in found.top)
            matches = None
            if all_slugs and found.matched is not None:
                matches = Matches(found.matched, parts.documents, self._lock)
            better: tuple[str, ...] = ()
            if not found.total and parsed.positive:

                def finds(text: str) -> bool:
                    try:
                        other = parse_query(text)
                    except QueryError:  # a replaced word made a field of it (`tis:` -> `is:`)
                        return False
                    args = (tag, bookmarked, read, False, drafts, dated, notes)
                    return evaluate(parts, other, 0, *args).total > 0

                offered = suggestions(parsed, parts.vocabulary, parts.postings.df)
                better = tuple(text for text in offered if finds(text))
        return SearchResults(parsed, hits, found.total, highlight, matches, better)

    def _hit(self, doc_id: int, score: float, highlight: Highlight, snippets: bool) -> SearchHit:
        snippet = Snippet("")
        section: Section | None = None
        if snippets:
            snippet, section = self._snippet_of(doc_id, highlight)
        docs = self._parts.documents
        title = docs.titles[doc_id]
        exact = int(score // scoring.EXACT)
        return SearchHit(
            slug=docs.slugs[doc_id] or "",
            title=title,
            tags=docs.tags[doc_id],
            score=round(score - exact * scoring.EXACT, 4),
            snippet=snippet,
            section=section,
            title_marks=find_marks(title, highlight),
            exact=exact,
        )

    def _snippet_of(self, doc_id: int, highlight: Highlight) -> tuple[Snippet, Section | None]:
        """A post's snippet and its section; empty when its record is missing or damaged.

        Caller holds `_lock` (the records are read through a shared handle).
        """
        parts = self._parts
        read = parts.records.reader(doc_id)
        if read is None:
            return Snippet(""), None
        patterns = highlight_patterns(parts, highlight)
        try:
            return snippet(read, parts.forward.sequences[doc_id], patterns, highlight)
        except _SNIPPET_DAMAGE:
            return Snippet(""), None  # a damaged index: the next save or rebuild repairs it

    def with_snippet(self, hit: SearchHit, highlight: Highlight) -> SearchHit:
        """`hit` with its snippet and section filled in (for hits fetched with `snippets=False`).

        Snippets cost a record read and a scan each: a list can show its first
        screen of hits at once and fill the rest afterwards.
        """
        with self._lock:
            doc_id = self._parts.documents.doc_of.get(hit.slug)
            if doc_id is None:
                return hit
            snippet, section = self._snippet_of(doc_id, highlight)
        return replace(hit, snippet=snippet, section=section)

    def snippet(self, slug: str, highlight: Highlight) -> Snippet | None:
        """The snippet of one post for a highlight (for hits fetched with `snippets=False`)."""
        with self._lock:
            doc_id = self._parts.documents.doc_of.get(slug)
            if doc_id is None:
                return None
            return self._snippet_of(doc_id, highlight)[0]

"""The documents: what the index keeps of each post besides its terms, by document id.

A document id is a post's row in the index. Ids only grow, so postings stay
sorted by appending; a removed post leaves a hole (slug None) until the ids
are compacted. Each document keeps its slug, title and tags (for hits and
`tag:` filters), a signature of its summary (to notice a stale entry), its
length in terms per field (for BM25's length normalisation) and the stemmer
of its language (`reader.search.stemming`).
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from reader.models import PostSummary
from reader.search.forward import FIELDS
from reader.search.query import Query
from reader.search.stemming import stemmer_name
from reader.text import fold

__all__ = ["Documents", "StringTable", "signature", "tag_key"]


def signature(post: PostSummary) -> int:
    """A checksum of what the index holds about `post`, to notice stale entries."""
    parts = [post.title, "\x1f".join(post.tags), str(post.words), post.lang]
    parts.extend(f"{s.heading}\x1e{s.anchor}\x1e{s.level}\x1e{s.line}" for s in post.sections)
    return zlib.crc32("\x1d".join(parts).encode("utf-8", "surrogatepass"))


def tag_key(tag: str) -> str:
    """A tag as `tag:` compares it: folded, runs of spaces as one."""
    return " ".join(fold(tag).split())


class StringTable(Sequence[str]):
    """Strings as saved: one text and where each string ends in it, a string sliced out
    when asked for (a title is read for a hit only; 50,000 `str` objects are not made)."""

    __slots__ = ("_bounds", "_text")

    def __init__(self, text: str, ends: array[int]) -> None:
        self._text = text
        self._bounds = array(ends.typecode, [0])
        """Where each string starts in `text`, in characters, and where the last ends."""
        self._bounds.extend(ends)

    def __len__(self) -> int:
        return len(self._bounds) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        bounds = self._bounds
        if isinstance(i, slice):
            start, stop, step = i.indices(len(bounds) - 1)
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            ends = bounds[start + 1 : stop + 1]
            return list(map(self._text.__getitem__, map(slice, bounds[start:stop], ends)))
        if i < 0:
            i += len(bounds) - 1
            if i < 0:
                raise IndexError("string out of range")
        return self._text[bounds[i] : bounds[i + 1]]  # IndexError past the end

    def __iter__(self) -> Iterator[str]:
        return iter(self[:])


class Documents:
    """Every document's slug, title, tags, signature, field lengths and stemmer."""

    def __init__(self) -> None:
        self.slugs: list[str | None] = []
        """None for a removed post (a hole)."""
        self.titles: list[str] | StringTable = []
        self.tags: list[tuple[str, ...]] = []
        self.sigs = array("I")
        self.lengths = array("I")
        """`FIELDS` per document: title, tags, headings and body lengths in terms."""
        self.doc_of: dict[str, int] = {}
        """Document id by slug, of the live posts."""
        self.length_sums = [0] * FIELDS
        """Total terms per field over the live posts."""
        self._tag_docs: dict[str, set[int]] | None = {}
        """Live document ids by `tag_key` (None: not made yet, see `tag_docs`)."""
        self.stemmer_names: list[str] = []
        """Every stemmer (Snowball algorithm name, "" for none) a document has had."""
        self.stemmer_of = array("B")
        """Each document's stemmer, as an index into `stemmer_names`."""
        self._stemmer_counts: Counter[int] = Counter()
        """Live documents per index into `stemmer_names`."""
        self._stemmer_docs: dict[str, set[int]] = {}
        """The live documents of each stemmer, made when first asked for."""
        self.numbering = 0
        """Counts the renumberings of the ids (`compact`): an id of another numbering
        may name another post."""
        self._tag_table: tuple[list[str], npt.NDArray[np.intp], npt.NDArray[np.intp]] | None
        self._tag_table = None
        """Every (tag, document) pair as two arrays, and the tag names (see `tag_counts`)."""
        self._masks: list[tuple[Collection[str], npt.NDArray[np.bool_]]] = []
        """The last few `mask_of` answers, with the collections asked about."""

    def __len__(self) -> int:
        """How many live posts."""
        return len(self.doc_of)

    @property
    def tag_docs(self) -> dict[str, set[int]]:
        """Live document ids by `tag_key`; made from `tags` when first asked for (a search
        with a tag), not when the index opens."""
        if self._tag_docs is None:
            by_name: dict[str, list[int]] = {}
            for doc_id, tags in enumerate(self.tags):
                for tag in tags:
                    by_name.setdefault(tag, []).append(doc_id)
            found: dict[str, set[int]] = {}
            for name, ids in by_name.items():  # a few dozen names: fold each once
                found.setdefault(tag_key(name), set()).update(ids)
            self._tag_docs = found
        return self._tag_docs

    @classmethod
    def restore(
        cls,
        slugs: list[str | None],
        titles: list[str] | StringTable,
        tags: list[tuple[str, ...]],
        sigs: array[int],
        lengths: array[int],
        stemmer_names: list[str],
        stemmer_of: array[int],
    ) -> Documents:
        """Documents as saved (the sums and lookups are recomputed)."""
        found = cls()
        found.slugs, found.titles, found.tags = slugs, titles, tags
        found.sigs, found.lengths = sigs, lengths
        found.stemmer_names, found.stemmer_of = stemmer_names, stemmer_of
        found._index()
        found.length_sums = (
            np.frombuffer(lengths, dtype=np.uint32).reshape(-1, FIELDS).sum(axis=0).tolist()
            if lengths
            else [0] * FIELDS
        )
        if found.holes():
            for doc_id, slug in enumerate(slugs):
                if slug is None:  # a hole keeps its lengths until compacted
                    for i in range(FIELDS):
                        found.length_sums[i] -= lengths[FIELDS * doc_id + i]
        return found

    def tag_counts(self, ids: npt.NDArray[np.int64]) -> list[tuple[str, int]]:
        """How many of the documents `ids` carry each tag (those carried at all), by tag
        name as the posts spell it, in no order. A pass over arrays, not over posts: the
        sidebar's counts follow every keystroke of a search."""
        table = self._tag_table
        if table is None:
            names: dict[str, int] = {}
            tag_ids: list[int] = []
            doc_ids: list[int] = []
            for doc_id, tags in enumerate(self.tags):
                for tag in tags:
                    tag_ids.append(names.setdefault(tag, len(names)))
                    doc_ids.append(doc_id)
            table = self._tag_table = (
                list(names),
                np.array(tag_ids, dtype=np.intp),
                np.array(doc_ids, dtype=np.intp),
            )
        names_of, tag_of, doc_of = table
        chosen = np.zeros(len(self.slugs), dtype=bool)
        chosen[ids] = True
        counts = np.bincount(tag_of[chosen[doc_of]], minlength=len(names_of))
        return [(names_of[i], int(counts[i])) for i in np.flatnonzero(counts).tolist()]

    def mask_of(self, slugs: Collection[str]) -> npt.NDArray[np.bool_]:
        """For each document id, whether its slug is one of `slugs`.

        Kept for the last few collections asked about, by identity: the session
        replaces its sets of marks when they change, never edits them, so a search
        as the user types looks up the read posts once, not on every keystroke.
        """
        for asked, mask in self._masks:
            if asked is slugs:
                return mask
        mask = np.zeros(len(self.slugs), dtype=bool)
        doc_of = self.doc_of
        mask[[doc_of[s] for s in slugs if s in doc_of]] = True
        self._masks = [(slugs, mask), *self._masks[:2]]
        return mask

    def _changed(self) -> None:
        """Forget what was worked out from the documents as they were."""
        self._tag_table = None
        self._masks = []

    def _index(self) -> None:
        self._changed()
        self.doc_of = dict(zip(self.slugs, range(len(self.slugs)), strict=True))  # type: ignore[arg-type]
        self.doc_of.pop(None, None)  # type: ignore[call-overload]
        self._tag_docs = None
        of = self.stemmer_of
        if self.holes():
            self._stemmer_counts = Counter(of[d] for d in self.doc_of.values())
        else:
            self._stemmer_counts = Counter(of)
        self._stemmer_docs = {}

    def _lists(self) -> tuple[list[str], list[tuple[str, ...]]]:
        """The titles and tags, to change (the titles made a list, if the table loaded)."""
        if not isinstance(self.titles, list):
            self.titles = list(self.titles)
        return self.titles, self.tags

    def add(self, post: PostSummary, lengths: Sequence[int]) -> int:
        """Add a post (its slug not indexed already) with its field lengths; its new id."""
        doc_id = len(self.slugs)
        titles, all_tags = self._lists()
        self.slugs.append(post.slug)
        titles.append(post.title)
        # A library repeats a few dozen tag names thousands of times.
        tags = tuple(sys.intern(t) for t in post.tags)
        all_tags.append(tags)
        self.sigs.append(signature(post))
        self.lengths.extend(lengths)
        stemmer = stemmer_name(post.lang)
        if stemmer not in self.stemmer_names:
            self.stemmer_names.append(stemmer)
        number = self.stemmer_names.index(stemmer)
        self.stemmer_of.append(number)
        self._stemmer_counts[number] += 1
        self._stemmer_docs.pop(stemmer, None)
        self.doc_of[post.slug] = doc_id
        self._changed()
        if self._tag_docs is not None:
            for tag in tags:
                self._tag_docs.setdefault(tag_key(tag), set()).add(doc_id)
        for i, n in enumerate(lengths):
            self.length_sums[i] += n
        return doc_id

    def remove(self, slug: str) -> int | None:
        """Make a hole of the post `slug`; its id, or None if it is not indexed."""
        doc_id = self.doc_of.pop(slug, None)
        if doc_id is None:
            return None
        self._changed()
        for i in range(FIELDS):
            self.length_sums[i] -= self.lengths[FIELDS * doc_id + i]
        if self._tag_docs is not None:
            for tag in self.tags[doc_id]:
                self._tag_docs.get(tag_key(tag), set()).discard(doc_id)
        number = self.stemmer_of[doc_id]
        self._stemmer_counts[number] -= 1
        self._stemmer_docs.pop(self.stemmer_names[number], None)
        titles, tags = self._lists()
        self.slugs[doc_id] = None
        titles[doc_id] = ""
        tags[doc_id] = ()
        return doc_id

    def holes(self) -> int:
        """How many ids are holes."""
        return len(self.slugs) - len(self.doc_of)

    def compact(self) -> list[int] | None:
        """Renumber the live posts 0..n-1; their old ids in order, or None if no holes."""
        live = [d for d, slug in enumerate(self.slugs) if slug is not None]
        if len(live) == len(self.slugs):
            return None
        self.slugs = [self.slugs[d] for d in live]
        self.titles = [self.titles[d] for d in live]
        self.tags = [self.tags[d] for d in live]
        self.sigs = array("I", [self.sigs[d] for d in live])
        self.stemmer_of = array("B", [self.stemmer_of[d] for d in live])
        lengths = self.lengths
        self.lengths = array("I", [lengths[FIELDS * d + i] for d in live for i in range(FIELDS)])
        self.numbering += 1
        self._index()
        return live

    def stemmers(self) -> list[str]:
        """The stemmers of the live documents (Snowball algorithm names), most used first."""
        names = self.stemmer_names
        return [names[i] for i, n in self._stemmer_counts.most_common() if n and names[i]]

    def stemmed_by(self, name: str) -> set[int] | None:
        """The live documents whose stemmer is `name`; None when that is every one."""
        if name not in self.stemmer_names:
            return set()
        number = self.stemmer_names.index(name)
        if self._stemmer_counts[number] == len(self.doc_of):
            return None
        found = self._stemmer_docs.get(name)
        if found is None:
            of = self.stemmer_of
            found = self._stemmer_docs[name] = {d for d in self.doc_of.values() if of[d] == number}
        return found

    def field_lengths(self, doc_id: int) -> array[int]:
        """A document's length in terms, per field."""
        return self.lengths[FIELDS * doc_id : FIELDS * (doc_id + 1)]

    def averages(self) -> tuple[float, ...]:
        """The average length of each field over the live posts (at least 1)."""
        n = max(1, len(self.doc_of))
        return tuple(max(1.0, total / n) for total in self.length_sums)

    def stale(self, summaries: Iterable[PostSummary]) -> tuple[list[str], list[str]]:
        """Compare with the store: (slugs to (re)index, slugs to drop)."""
        seen: set[str] = set()
        changed: list[str] = []
        sigs, doc_of = self.sigs, self.doc_of
        for summary in summaries:
            seen.add(summary.slug)
            doc_id = doc_of.get(summary.slug)
            if doc_id is None or sigs[doc_id] != signature(summary):
                changed.append(summary.slug)
        gone = [slug for slug in doc_of if slug not in seen]
        return changed, gone

    def allowed(
        self,
        query: Query,
        tag: str | None,
        bookmarked: Collection[str],
        read: Collection[str],
        drafts: Collection[str] = (),
        among: Iterable[Collection[str]] = (),
        outside: Collection[str] = (),
    ) -> set[int] | None:
        """Ids allowed by the tag and is: filters, or None when every post is.

        `drafts` are the slugs of the drafts, for `is:draft` (`-is:draft`, the
        usual case, is left to `evaluate`, which keeps its fast path). A post
        must also be in each of `among` (the posts of a date range, those with
        a note) and not in `outside` (`-is:noted`).
        """
        allowed: set[int] | None = None

        def narrow(ids: set[int]) -> None:
            nonlocal allowed
            allowed = set(ids) if allowed is None else allowed & ids

        def all_ids() -> set[int]:
            return set(self.doc_of.values()) if allowed is None else allowed

        def ids_of(slugs: Collection[str]) -> set[int]:
            return {self.doc_of[s] for s in slugs if s in self.doc_of}

        for name in [*([tag] if tag else []), *query.tags]:
            narrow(self.tag_docs.get(tag_key(name), set()))
        for name in query.excluded_tags:
            allowed = all_ids() - self.tag_docs.get(name, set())
        if query.bookmarked is True:
            narrow(ids_of(bookmarked))
        elif query.bookmarked is False:
            allowed = all_ids() - ids_of(bookmarked)
        if query.unread is True:
            allowed = all_ids() - ids_of(read)
        elif query.unread is False:
            narrow(ids_of(read))
        if query.draft is True:
            narrow(ids_of(drafts))
        for slugs in among:
            narrow(ids_of(slugs))
        if outside:
            allowed = all_ids() - ids_of(outside)
        return allowed

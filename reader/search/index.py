"""The search index: an inverted index with per-field BM25, kept up to date and on disk.

Layout, chosen so that 10,000 posts stay small in memory and fast to load:

* every distinct term gets an integer id; each term has two flat arrays,
  the ids of the posts that contain it (ascending) and each post's *impact*:
  the weighted sum over fields (title, tags, headings, body) of that field's
  BM25 term-frequency part. The idf is applied at query time, so it follows
  the library as it grows;
* every post keeps its *forward* term-id sequence (title, tags, headings,
  body, with barrier ids between fields and between tags or headings), which
  gives phrase matching (a `bytes.find` of the phrase's ids) and lets a post
  be removed or the weights recomputed without reading any post again;
* every post keeps its plain text, zlib-compressed, for snippets.

Updates are incremental: a re-imported post is removed (its forward terms
say which postings to touch) and added again under a new id. Ids only grow,
so postings stay sorted by appending; holes are compacted on save.

Weights: title 5, tags and headings 2.5, body 1, each saturated on its own
(BM25 per field, then summed), so a word in a title outranks any number of
mentions in a body with the same rarity. k1 = 1.2; b is lower for short
fields.
"""

from __future__ import annotations

import heapq
import marshal
import math
import threading
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reader.models import Post, PostSummary, Section
from reader.search.query import Clause, Query, parse_query
from reader.search.snippets import Highlight, Snippet, find_marks, make_snippet
from reader.search.tokenize import fold, is_cjk, markdown_to_plain, terms
from reader.storage import atomic_write_bytes

__all__ = ["FORMAT_VERSION", "SearchHit", "SearchIndex", "SearchResults"]

FORMAT_VERSION = 1
"""Bumped whenever the saved layout or the tokenizer changes; older files are rebuilt."""
_MAGIC = "reader-search-index"

_BARRIER = 0
"""Between two tags or two headings: a phrase never spans it."""
_FIELD = 1
"""Between two fields."""
_FIRST_TERM = 2

TITLE, TAGS, HEADINGS, BODY = range(4)
WEIGHTS = (5.0, 2.5, 2.5, 1.0)
B = (0.3, 0.3, 0.5, 0.75)
K1 = 1.2

PREFIX_FACTOR = 0.9
"""A longer word found by prefix scores a little below the typed word itself."""
FUZZY_FACTOR = 0.5
"""A word one or two edits away scores well below an exact match."""
MAX_EXPANSIONS = 40
"""At most this many words per prefix or typo, the most frequent first."""
MAX_EXPANSION_POSTINGS = 40_000
"""...and no more postings than this between them, so `a` stays fast on 10k posts."""
COMPACT_RATIO = 0.2
"""Compact post ids when more than this share of them are holes."""


def signature(post: PostSummary) -> int:
    """A checksum of what the index holds about `post`, to notice stale entries."""
    parts = [post.title, "\x1f".join(post.tags), str(post.words)]
    parts.extend(f"{s.heading}\x1e{s.anchor}\x1e{s.level}\x1e{s.line}" for s in post.sections)
    return zlib.crc32("\x1d".join(parts).encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked result."""

    slug: str
    title: str
    tags: tuple[str, ...]
    score: float
    """BM25 score; 0.0 when the query had only filters (no words to rank by)."""
    snippet: Snippet
    """The best passage of the body with the matched words' spans."""
    section: Section | None
    """The section the snippet is in (None before the first heading or without a match)."""
    title_marks: tuple[tuple[int, int], ...] = ()
    """Spans of matched words in `title`."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    """The outcome of a search: the top hits, how many matched, and what to highlight."""

    query: Query
    hits: tuple[SearchHit, ...]
    total: int
    """Posts matching, of which `hits` are the best `limit`."""
    highlight: Highlight
    """The folded words (and prefixes) that matched: highlight these when opening a post."""
    slugs: frozenset[str] | None = field(default=None, repr=False)
    """Every matching slug, in no order, when asked for with `all_slugs=True` (tag counts)."""

    @property
    def problems(self) -> tuple[str, ...]:
        """What was wrong with the query text and how it was read anyway."""
        return self.query.problems


@dataclass(slots=True)
class _Doc:
    slug: str
    title: str
    tags: tuple[str, ...]
    sections: tuple[tuple[str, str, int, int], ...]
    text: bytes
    """Plain body text, zlib-compressed."""
    forward: bytes
    """Term ids (array 'I') of every field, with barriers."""
    lengths: tuple[int, int, int, int]
    sig: int


def _field_counts(forward: array[int]) -> list[Counter[int]]:
    counts: list[Counter[int]] = [Counter(), Counter(), Counter(), Counter()]
    current = 0
    for term in forward:
        if term == _FIELD:
            current += 1
        elif term != _BARRIER:
            counts[min(current, BODY)][term] += 1
    return counts


class SearchIndex:
    """An inverted index over posts. Safe to search from several threads; one writer at a time."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._term_ids: dict[str, int] = {}
        self._terms: list[str] = ["", ""]
        self._post_docs: list[array[int]] = [array("I"), array("I")]
        self._post_impacts: list[array[float]] = [array("f"), array("f")]
        self._docs: list[_Doc | None] = []
        self._doc_of: dict[str, int] = {}
        self._tag_docs: dict[str, set[int]] = {}
        self._length_sums = [0, 0, 0, 0]
        self._sorted_terms: list[str] | None = None
        self._by_length: dict[int, list[str]] | None = None

    # -- building ----------------------------------------------------------

    @classmethod
    def build(cls, posts: Iterable[Post]) -> SearchIndex:
        """A new index over `posts`."""
        index = cls()
        for post in posts:
            index._insert_doc(post)
        index._rebuild_postings()
        return index

    def __len__(self) -> int:
        return len(self._doc_of)

    def __contains__(self, slug: object) -> bool:
        return slug in self._doc_of

    def slugs(self) -> list[str]:
        """Every indexed slug, in index order."""
        return [d.slug for d in self._docs if d is not None]

    def stale(self, summaries: Iterable[PostSummary]) -> tuple[list[str], list[str]]:
        """Compare with the store: (slugs to (re)index, slugs to drop)."""
        seen: set[str] = set()
        changed: list[str] = []
        for summary in summaries:
            seen.add(summary.slug)
            doc_id = self._doc_of.get(summary.slug)
            doc = self._docs[doc_id] if doc_id is not None else None
            if doc is None or doc.sig != signature(summary):
                changed.append(summary.slug)
        gone = [slug for slug in self._doc_of if slug not in seen]
        return changed, gone

    def update(self, posts: Iterable[Post], remove: Iterable[str] = ()) -> None:
        """Index new or changed `posts` (replacing older versions) and drop `remove`."""
        with self._lock:
            for slug in remove:
                self._remove_doc(slug)
            added = [self._insert_doc(post) for post in posts]
            if not added:
                return
            if len(added) > max(50, len(self._doc_of) // 4):
                self._rebuild_postings()  # a big import: recompute every weight
                return
            averages = self._averages()
            for doc_id in added:
                self._post_doc(doc_id, averages)

    def _term_id(self, term: str) -> int:
        term_id = self._term_ids.get(term)
        if term_id is None:
            term_id = self._term_ids[term] = len(self._terms)
            self._terms.append(term)
            self._post_docs.append(array("I"))
            self._post_impacts.append(array("f"))
            self._sorted_terms = None
            self._by_length = None
        return term_id

    def _ids(self, text: str, out: array[int]) -> int:
        found = terms(text)
        get = self._term_ids.get
        new = self._term_id
        out.extend([get(t) or new(t) for t in found])
        return len(found)

    def _insert_doc(self, post: Post) -> int:
        """Add a post's document (not its postings); return its id."""
        self._remove_doc(post.slug)
        forward: array[int] = array("I")
        lengths = [self._ids(post.title, forward), 0, 0, 0]
        forward.append(_FIELD)
        for i, tag in enumerate(post.tags):
            if i:
                forward.append(_BARRIER)
            lengths[TAGS] += self._ids(tag, forward)
        forward.append(_FIELD)
        for i, section in enumerate(post.sections):
            if i:
                forward.append(_BARRIER)
            lengths[HEADINGS] += self._ids(section.heading, forward)
        forward.append(_FIELD)
        plain = markdown_to_plain(post.body)
        lengths[BODY] = self._ids(plain, forward)
        doc_id = len(self._docs)
        self._docs.append(
            _Doc(
                slug=post.slug,
                title=post.title,
                tags=tuple(post.tags),
                sections=tuple((s.heading, s.anchor, s.level, s.line) for s in post.sections),
                text=zlib.compress(plain.encode("utf-8", "surrogatepass"), 1),
                forward=forward.tobytes(),
                lengths=(lengths[0], lengths[1], lengths[2], lengths[3]),
                sig=signature(post),
            )
        )
        self._doc_of[post.slug] = doc_id
        for tag in post.tags:
            self._tag_docs.setdefault(" ".join(fold(tag).split()), set()).add(doc_id)
        for i, n in enumerate(lengths):
            self._length_sums[i] += n
        return doc_id

    def _remove_doc(self, slug: str) -> None:
        doc_id = self._doc_of.pop(slug, None)
        if doc_id is None:
            return
        doc = self._docs[doc_id]
        self._docs[doc_id] = None
        if doc is None:
            return
        for i, n in enumerate(doc.lengths):
            self._length_sums[i] -= n
        for tag in doc.tags:
            self._tag_docs.get(" ".join(fold(tag).split()), set()).discard(doc_id)
        forward: array[int] = array("I")
        forward.frombytes(doc.forward)
        for term_id in set(forward):
            if term_id < _FIRST_TERM:
                continue
            docs = self._post_docs[term_id]
            i = bisect_left(docs, doc_id)
            if i < len(docs) and docs[i] == doc_id:
                del docs[i]
                del self._post_impacts[term_id][i]

    def _averages(self) -> tuple[float, ...]:
        n = max(1, len(self._doc_of))
        return tuple(max(1.0, total / n) for total in self._length_sums)

    def _post_doc(self, doc_id: int, averages: tuple[float, ...]) -> None:
        doc = self._docs[doc_id]
        if doc is None:
            return
        forward: array[int] = array("I")
        forward.frombytes(doc.forward)
        impacts: dict[int, float] = {}
        for f, counts in enumerate(_field_counts(forward)):
            if not counts:
                continue
            norm = K1 * (1 - B[f] + B[f] * doc.lengths[f] / averages[f])
            weight = WEIGHTS[f] * (K1 + 1)
            for term_id, tf in counts.items():
                impacts[term_id] = impacts.get(term_id, 0.0) + weight * tf / (tf + norm)
        for term_id, impact in impacts.items():
            self._post_docs[term_id].append(doc_id)
            self._post_impacts[term_id].append(impact)

    def _rebuild_postings(self) -> None:
        """Recompute every posting from the forward sequences, compacting ids."""
        live = [d for d in self._docs if d is not None]
        self._docs = list(live)
        self._doc_of = {d.slug: i for i, d in enumerate(live)}
        self._tag_docs = {}
        for i, d in enumerate(live):
            for tag in d.tags:
                self._tag_docs.setdefault(" ".join(fold(tag).split()), set()).add(i)
        self._post_docs = [array("I") for _ in self._terms]
        self._post_impacts = [array("f") for _ in self._terms]
        averages = self._averages()
        for doc_id in range(len(live)):
            self._post_doc(doc_id, averages)
        self._drop_unused_terms()

    def _drop_unused_terms(self) -> None:
        keep = [t for t in range(_FIRST_TERM, len(self._terms)) if self._post_docs[t]]
        if len(keep) == len(self._terms) - _FIRST_TERM:
            return
        remap = array("I", [0]) * len(self._terms)
        remap[_FIELD] = _FIELD
        for new, old in enumerate(keep, start=_FIRST_TERM):
            remap[old] = new
        self._terms = ["", "", *(self._terms[t] for t in keep)]
        self._term_ids = {t: i for i, t in enumerate(self._terms) if i >= _FIRST_TERM}
        self._post_docs = [array("I"), array("I"), *(self._post_docs[t] for t in keep)]
        self._post_impacts = [array("f"), array("f"), *(self._post_impacts[t] for t in keep)]
        for doc in self._docs:
            if doc is not None:
                forward: array[int] = array("I")
                forward.frombytes(doc.forward)
                doc.forward = array("I", [remap[t] for t in forward]).tobytes()
        self._sorted_terms = None
        self._by_length = None

    # -- persistence -------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to `path` atomically (compacting it first if it has many holes)."""
        with self._lock:
            holes = len(self._docs) - len(self._doc_of)
            if holes and holes > COMPACT_RATIO * len(self._docs):
                self._rebuild_postings()
            docs = [
                None
                if d is None
                else (d.slug, d.title, d.tags, d.sections, d.text, d.forward, d.lengths, d.sig)
                for d in self._docs
            ]
            payload = (
                _MAGIC,
                FORMAT_VERSION,
                self._terms,
                [a.tobytes() for a in self._post_docs],
                [a.tobytes() for a in self._post_impacts],
                docs,
                self._length_sums,
            )
            data = marshal.dumps(payload)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, zlib.compress(data, 1))

    @classmethod
    def load(cls, path: Path) -> SearchIndex | None:
        """The index saved at `path`, or None if missing, corrupt or of another format."""
        try:
            payload = marshal.loads(zlib.decompress(path.read_bytes()))
            magic, version, names, docs_bytes, impact_bytes, docs, length_sums = payload
            if magic != _MAGIC or version != FORMAT_VERSION:
                return None
            index = cls()
            index._terms = list(names)
            index._term_ids = {t: i for i, t in enumerate(names) if i >= _FIRST_TERM}
            index._post_docs = []
            for raw in docs_bytes:
                a: array[int] = array("I")
                a.frombytes(raw)
                index._post_docs.append(a)
            index._post_impacts = []
            for raw in impact_bytes:
                f: array[float] = array("f")
                f.frombytes(raw)
                index._post_impacts.append(f)
            for i, row in enumerate(docs):
                if row is None:
                    index._docs.append(None)
                    continue
                slug, title, tags, sections, text, forward, lengths, sig = row
                doc = _Doc(slug, title, tuple(tags), tuple(sections), text, forward, lengths, sig)
                index._docs.append(doc)
                index._doc_of[slug] = i
                for tag in doc.tags:
                    index._tag_docs.setdefault(" ".join(fold(tag).split()), set()).add(i)
            index._length_sums = list(length_sums)
            if not (len(index._terms) == len(index._post_docs) == len(index._post_impacts)):
                return None
            return index
        except (OSError, EOFError, ValueError, TypeError, zlib.error, IndexError):
            return None

    # -- searching ---------------------------------------------------------

    def _idf(self, term_id: int) -> float:
        n = len(self._doc_of)
        df = len(self._post_docs[term_id])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _prefix_terms(self, prefix: str) -> list[int]:
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self._terms[_FIRST_TERM:])
        names = self._sorted_terms
        found: list[int] = []
        i = bisect_left(names, prefix)
        while i < len(names) and names[i].startswith(prefix):
            if names[i] != prefix:
                found.append(self._term_ids[names[i]])
            i += 1
        return found

    def _fuzzy_terms(self, word: str) -> list[int]:
        from rapidfuzz.distance import Levenshtein
        from rapidfuzz.process import extract

        if self._by_length is None:
            by_length: dict[int, list[str]] = {}
            for name in self._terms[_FIRST_TERM:]:
                by_length.setdefault(len(name), []).append(name)
            self._by_length = by_length
        limit = 2 if len(word) >= 9 else 1
        candidates = [
            name
            for n in range(len(word) - limit, len(word) + limit + 1)
            for name in self._by_length.get(n, ())
        ]
        found = extract(
            word,
            candidates,
            scorer=Levenshtein.distance,
            score_cutoff=limit,
            limit=None,
        )
        return [self._term_ids[name] for name, _, _ in found]

    def _cap(self, term_ids: list[int]) -> list[int]:
        """The most frequent expansions, within the caps."""
        ranked = sorted(term_ids, key=lambda t: -len(self._post_docs[t]))[:MAX_EXPANSIONS]
        kept: list[int] = []
        total = 0
        for term_id in ranked:
            total += len(self._post_docs[term_id])
            if kept and total > MAX_EXPANSION_POSTINGS:
                break
            kept.append(term_id)
        return kept

    def _expand(self, clause: Clause) -> tuple[list[tuple[int, float]], set[str], list[str]]:
        """The (term id, factor) pairs a one-word clause matches, the terms, the prefixes."""
        word = clause.terms[0]
        exact = self._term_ids.get(word)
        pairs: list[tuple[int, float]] = []
        names: set[str] = set()
        prefixes: list[str] = []
        if exact is not None:
            pairs.append((exact, 1.0))
            names.add(word)
        if clause.prefix or (is_cjk(word) and len(word) == 1):
            longer = self._cap(self._prefix_terms(word))
            pairs.extend((t, PREFIX_FACTOR) for t in longer)
            if longer:
                prefixes.append(word)
        if not pairs and len(word) >= 5 and not clause.negated:
            fuzzy = self._cap(self._fuzzy_terms(word))
            pairs.extend((t, FUZZY_FACTOR) for t in fuzzy)
            names.update(self._terms[t] for t in fuzzy)
        return pairs, names, prefixes

    def _clause_scores(self, pairs: list[tuple[int, float]]) -> dict[int, float]:
        """Post id -> idf-weighted impact, the best expansion per post."""
        if len(pairs) == 1:
            term_id, factor = pairs[0]
            weight = factor * self._idf(term_id)
            return dict(
                zip(
                    self._post_docs[term_id],
                    map(weight.__mul__, self._post_impacts[term_id]),
                    strict=True,
                )
            )
        scores: dict[int, float] = {}
        for term_id, factor in pairs:
            weight = factor * self._idf(term_id)
            get = scores.get
            for doc_id, impact in zip(
                self._post_docs[term_id], self._post_impacts[term_id], strict=True
            ):
                value = weight * impact
                if value > get(doc_id, 0.0):
                    scores[doc_id] = value
        return scores

    def _has_phrase(self, doc_id: int, pattern: bytes) -> bool:
        doc = self._docs[doc_id]
        if doc is None:
            return False
        forward = doc.forward
        at = forward.find(pattern)
        while at >= 0:
            if at % 4 == 0:
                return True
            at = forward.find(pattern, at + 1)
        return False

    def _phrase(self, clause: Clause) -> tuple[dict[int, float], bytes] | None:
        """Scores of the posts holding every term of a phrase, and its id pattern."""
        ids = [self._term_ids.get(t) for t in clause.terms]
        if any(i is None for i in ids):
            return None
        present = [i for i in ids if i is not None]
        parts = sorted((self._clause_scores([(i, 1.0)]) for i in set(present)), key=len)
        scores = parts[0]
        for part in parts[1:]:
            scores = {d: s + part[d] for d, s in scores.items() if d in part}
        return scores, array("I", present).tobytes()

    def _filter(
        self,
        query: Query,
        tag: str | None,
        bookmarked: Collection[str],
        read: Collection[str],
    ) -> set[int] | None:
        """Ids allowed by the tag and is: filters, or None when every post is."""
        allowed: set[int] | None = None

        def narrow(ids: set[int]) -> None:
            nonlocal allowed
            allowed = set(ids) if allowed is None else allowed & ids

        def all_ids() -> set[int]:
            return set(self._doc_of.values()) if allowed is None else allowed

        def ids_of(slugs: Collection[str]) -> set[int]:
            return {self._doc_of[s] for s in slugs if s in self._doc_of}

        for name in [*([tag] if tag else []), *query.tags]:
            narrow(self._tag_docs.get(" ".join(fold(name).split()), set()))
        for name in query.excluded_tags:
            allowed = all_ids() - self._tag_docs.get(name, set())
        if query.bookmarked is True:
            narrow(ids_of(bookmarked))
        elif query.bookmarked is False:
            allowed = all_ids() - ids_of(bookmarked)
        if query.unread is True:
            allowed = all_ids() - ids_of(read)
        elif query.unread is False:
            narrow(ids_of(read))
        return allowed

    def search(
        self,
        query: str | Query,
        limit: int = 20,
        tag: str | None = None,
        bookmarked: Collection[str] = (),
        read: Collection[str] = (),
        snippets: bool = True,
        all_slugs: bool = False,
    ) -> SearchResults:
        """Posts matching `query`, best first; never raises on any query text.

        `tag` narrows to one tag (the sidebar's choice) on top of any `tag:`
        in the query; `bookmarked` and `read` are the user's slugs, needed
        only for `is:bookmarked` and `is:unread`. Snippets are made for the
        `limit` hits returned (pass `snippets=False` to skip them).
        `all_slugs=True` also returns every matching slug (for the sidebar's
        counts), which costs about a millisecond per 5,000 matches.
        """
        parsed = parse_query(query) if isinstance(query, str) else query
        with self._lock:
            return self._search(parsed, max(0, limit), tag, bookmarked, read, snippets, all_slugs)

    def _search(
        self,
        query: Query,
        limit: int,
        tag: str | None,
        bookmarked: Collection[str],
        read: Collection[str],
        snippets: bool,
        all_slugs: bool,
    ) -> SearchResults:
        empty = SearchResults(query, (), 0, Highlight())
        if query.is_empty and tag is None:
            return empty
        allowed = self._filter(query, tag, bookmarked, read)
        names: set[str] = set()
        prefixes: list[str] = []
        clause_scores: list[dict[int, float]] = []
        phrases: list[bytes] = []
        for clause in query.positive:
            if clause.phrase:
                found = self._phrase(clause)
                if found is None:
                    return SearchResults(query, (), 0, Highlight())
                clause_scores.append(found[0])
                phrases.append(found[1])
                names.update(clause.terms)
                continue
            pairs, matched, more = self._expand(clause)
            if not pairs:
                return SearchResults(query, (), 0, Highlight())
            clause_scores.append(self._clause_scores(pairs))
            names.update(matched)
            prefixes.extend(more)

        clause_scores.sort(key=len)
        if clause_scores:
            candidates = set(clause_scores[0])
            for part in clause_scores[1:]:
                candidates.intersection_update(part)
            if allowed is not None:
                candidates &= allowed
        else:
            candidates = allowed if allowed is not None else set(self._doc_of.values())
        for pattern in phrases:
            candidates = {d for d in candidates if self._has_phrase(d, pattern)}
        for clause in query.clauses:
            if clause.negated and candidates:
                candidates -= self._matching(clause, candidates)

        highlight = Highlight(frozenset(names), tuple(prefixes))
        if not clause_scores:
            top = sorted(candidates)[:limit]
            scores: dict[int, float] = {}
        else:
            if len(clause_scores) == 1:
                scores = clause_scores[0]
            else:
                scores = {d: sum(part[d] for part in clause_scores) for d in candidates}
            top = heapq.nlargest(limit, candidates, key=scores.__getitem__)
            top.sort(key=lambda d: (-scores[d], d))
        hits = tuple(self._hit(d, scores.get(d, 0.0), highlight, snippets) for d in top)
        slugs: frozenset[str] | None = None
        if all_slugs:
            docs = self._docs
            slugs = frozenset(doc.slug for d in candidates if (doc := docs[d]) is not None)
        return SearchResults(query, hits, len(candidates), highlight, slugs)

    def _matching(self, clause: Clause, among: set[int]) -> set[int]:
        """Which of `among` contain the (negated) clause, exactly."""
        ids = [self._term_ids.get(t) for t in clause.terms]
        if any(i is None for i in ids):
            return set()
        present = [i for i in ids if i is not None]
        found = set(among)
        for term_id in set(present):
            found.intersection_update(self._post_docs[term_id])
        if len(present) > 1:
            pattern = array("I", present).tobytes()
            found = {d for d in found if self._has_phrase(d, pattern)}
        return found

    def _hit(self, doc_id: int, score: float, highlight: Highlight, snippets: bool) -> SearchHit:
        doc = self._docs[doc_id]
        assert doc is not None
        snippet = Snippet("")
        section: Section | None = None
        if snippets:
            snippet = make_snippet(
                zlib.decompress(doc.text).decode("utf-8", "surrogatepass"), highlight
            )
            if snippet.line is not None:
                for heading, anchor, level, line in doc.sections:
                    if line > snippet.line:
                        break
                    section = Section(heading, anchor, level, line)
        return SearchHit(
            slug=doc.slug,
            title=doc.title,
            tags=doc.tags,
            score=round(score, 4),
            snippet=snippet,
            section=section,
            title_marks=find_marks(doc.title, highlight),
        )

    def snippet(self, slug: str, highlight: Highlight) -> Snippet | None:
        """The snippet of one post for a highlight (for hits fetched with `snippets=False`)."""
        with self._lock:
            doc_id = self._doc_of.get(slug)
            doc = self._docs[doc_id] if doc_id is not None else None
            if doc is None:
                return None
            text = zlib.decompress(doc.text).decode("utf-8", "surrogatepass")
        return make_snippet(text, highlight)

    def iter_docs(self) -> Iterator[tuple[str, str]]:
        """(slug, plain body text) of every post: the benchmark's linear-scan baseline."""
        for doc in self._docs:
            if doc is not None:
                yield doc.slug, zlib.decompress(doc.text).decode("utf-8", "surrogatepass")

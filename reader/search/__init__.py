"""Full-text search over the library: query language, inverted index, snippets.

Part of the core: no Textual here. `Library.search` is the usual way in; the
TUI loads the index in a worker with `Library.search_index()` so the first
paint never waits for it. `SearchIndex` (in `index`) is a facade over parts
with one job each (vocabulary, documents, forward lists, postings, pair
bitmaps, scoring, matchers, snippet records, the file format); the layout
and the file are described in docs/SEARCH_INDEX.md.
"""

from __future__ import annotations

from reader.search.index import FORMAT_VERSION, SearchHit, SearchIndex, SearchResults
from reader.search.query import Clause, Query, QueryError, parse_query
from reader.search.snippets import Highlight, Snippet, find_marks, make_snippet
from reader.search.tokenize import fold, terms

__all__ = [
    "FORMAT_VERSION",
    "Clause",
    "Highlight",
    "Query",
    "QueryError",
    "SearchHit",
    "SearchIndex",
    "SearchResults",
    "Snippet",
    "find_marks",
    "fold",
    "make_snippet",
    "parse_query",
    "terms",
]

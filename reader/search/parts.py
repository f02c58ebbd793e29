"""The parts of a search index, held together: what a query reads and a save writes.

Each part has one job and its own module; `SearchIndex` keeps them in step
(a post added or removed touches each), `reader.search.evaluate` answers a
query from them and `reader.search.file_format` saves and loads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.search.documents import Documents
from reader.search.forward import ForwardLists
from reader.search.pairs import PairBitmaps
from reader.search.postings import Postings
from reader.search.record_file import RecordFile
from reader.search.vocabulary import Vocabulary

__all__ = ["IndexParts"]


@dataclass(eq=False)
class IndexParts:
    """Everything an index holds, by part."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    """Terms and their ids."""
    documents: Documents = field(default_factory=Documents)
    """Slugs, titles, tags, signatures and field lengths, by document id."""
    forward: ForwardLists = field(default_factory=ForwardLists)
    """Each document's terms in order."""
    postings: Postings = field(default_factory=Postings)
    """Each term's documents and impacts, and its document frequency."""
    pairs: PairBitmaps = field(default_factory=PairBitmaps)
    """Bitmaps of the documents holding two common terms side by side."""
    records: RecordFile = field(default_factory=RecordFile)
    """Each document's snippet record."""

    def copy_out(self) -> None:
        """Copy whatever is a view of the index file's map into memory, so that no part
        holds the map (Windows cannot replace a mapped file)."""
        self.forward.own()
        self.postings.own()
        self.pairs.own()

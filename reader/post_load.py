"""Reading `posts.json`: its table of posts, checked document by document.

`PostStore` reads the file when the library is opened and again when
another process changed it (`file_identity` tells one version from
another with one `stat`). The functions here only read and check; what to
do with a damaged file (set it aside, keep a copy, say so) is the store's,
which writes every file itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.models import PostSummary, Section
from reader.post_bodies import describe, strerror
from reader.post_docs import SectionKey, summary_from_doc
from reader.storage import CorruptFileError, decode_json_object, file_identity

__all__ = ["PostTable", "damaged_posts", "file_identity", "read_table", "reread", "table_of"]


@dataclass(slots=True)
class PostTable:
    """The posts read from a table of `posts.json`, by slug, and what could not be read."""

    posts: dict[str, PostSummary] = field(default_factory=dict)
    doc_ids: dict[str, int] = field(default_factory=dict)
    """The document id of each post, by slug."""
    bad_doc_ids: list[str] = field(default_factory=list)
    """The ids of the documents that are damaged, in file order (left out, and dropped
    at the next commit)."""
    lost_sources: list[str] = field(default_factory=list)
    """The sources the damaged documents still name: re-import to get them back."""


def table_of(path: Path, raw: bytes) -> dict[str, Any]:
    """The table of posts in the bytes of `posts.json` (`path`); raises `CorruptFileError`."""
    data = decode_json_object(path, raw)
    table = data.get("posts", {})
    if not isinstance(table, dict):
        raise CorruptFileError(path, "no table of posts in it")
    return table


def read_table(table: dict[str, Any]) -> PostTable:
    """The posts of `table`, each document checked; a damaged one is left out."""
    # Read the raw table rather than through TinyDB, which wraps every row
    # in a `Document` first: this runs before the first paint, and at 10k
    # posts the wrapping alone costs ~20 ms.
    sections: dict[SectionKey, Section] = {}
    read = PostTable()
    for doc_id, doc in table.items():
        try:
            summary = summary_from_doc(doc, sections)
            number = int(doc_id)
        except (KeyError, TypeError, ValueError, AttributeError):
            read.bad_doc_ids.append(doc_id)
            source = doc.get("source") if isinstance(doc, dict) else None
            if isinstance(source, str) and source:
                read.lost_sources.append(source)
            continue
        read.posts[summary.slug] = summary
        read.doc_ids[summary.slug] = number
    return read


def damaged_posts(path: Path, bad_doc_ids: list[str], kept: str) -> str:
    """What `recoveries` says of the damaged documents of `posts.json` (`path`), left out;
    `kept` says where a copy of the file is."""
    bad = [f"#{doc_id}" for doc_id in bad_doc_ids]
    shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    were = "was" if len(bad) == 1 else "were"
    left = "is" if len(bad) == 1 else "are"
    return f"{len(bad)} of the posts in {path} {were} damaged ({shown}) and {left} left out; " + (
        f"{kept}."
    )


def reread(path: Path) -> dict[str, Any] | str:
    """The table of posts in `posts.json` (`path`) as it is now (empty when it is gone),
    or why it cannot be read."""
    try:
        return table_of(path, path.read_bytes())
    except FileNotFoundError:
        return {}
    except CorruptFileError as error:
        return describe(error)
    except OSError as error:
        return strerror(error)

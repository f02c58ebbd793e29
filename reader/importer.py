"""Find and read the documents to import: Markdown files, folders, digests.

This module only reads and parses; `reader.library` decides slugs and writes
to the store. A file that cannot be read or parsed becomes an
`ImportProblem` naming the file (and the line, when known); the others go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reader.digest import is_digest, parse_digest, render_markdown
from reader.models import ImportProblem
from reader.parsing import ParsedPost, ParseError, parse_markdown
from reader.text import slugify, unique_slug

__all__ = ["MARKDOWN_SUFFIXES", "Candidate", "find_files", "read_documents"]

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed document ready to become a post."""

    source: str
    """Stable identity of the document: re-importing it updates the same post."""
    parsed: ParsedPost


def find_files(paths: Iterable[Path]) -> Iterator[Path | ImportProblem]:
    """Expand folders (recursively, Markdown files only) and check that paths exist."""
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file()
            )
            if not found:
                yield ImportProblem(str(path), "no .md or .markdown files in this folder")
            yield from found
        elif path.is_file():
            yield path
        elif path.exists():
            yield ImportProblem(str(path), "not a regular file")
        else:
            yield ImportProblem(str(path), "no such file or folder")


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise ParseError("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ParseError(f"not UTF-8 (byte 0x{raw[error.start]:02x})", line) from None


def read_document(path: Path, source: str | None = None) -> list[Candidate]:
    """Read one file: a digest gives several candidates, Markdown gives one.

    `source` overrides the identity (the bundled posts use `bundled:NAME`).
    Raises `ParseError` or `OSError`.
    """
    identity = source or str(path.resolve())
    text = _decode(path, path.read_bytes())
    if is_digest(text):
        candidates = []
        seen: set[str] = set()
        for post in parse_digest(text):
            # Identity by title, not position, so editing the digest keeps slugs.
            key = unique_slug(slugify(post.title), seen)
            seen.add(key)
            body = render_markdown(post)
            parsed = parse_markdown(body, default_title=post.title)
            parsed = ParsedPost(
                title=post.title,
                body=parsed.body,
                tags=(post.tag,),
                sections=parsed.sections,
                words=parsed.words,
            )
            candidates.append(Candidate(f"{identity}#{key}", parsed))
        return candidates
    return [Candidate(identity, parse_markdown(text, default_title=path.stem))]


def read_documents(
    paths: Iterable[Path], source_prefix: str | None = None
) -> Iterator[Candidate | ImportProblem]:
    """Read every document under `paths`, yielding candidates and problems in order."""
    for item in find_files(paths):
        if isinstance(item, ImportProblem):
            yield item
            continue
        source = f"{source_prefix}{item.name}" if source_prefix else None
        try:
            yield from read_document(item, source)
        except ParseError as error:
            yield ImportProblem(str(item), error.reason, error.line)
        except OSError as error:
            yield ImportProblem(str(item), error.strerror or str(error))

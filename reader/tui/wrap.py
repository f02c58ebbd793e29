"""Word wrapping in terminal cells, and cutting Markdown into chunks that parse alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from rich.cells import cell_len

__all__ = ["fold_ranges", "split_chunks", "wrap_ranges"]

_LIST_MARKER = re.compile(r"^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@lru_cache(maxsize=64)
def _wrap_pattern(width: int) -> re.Pattern[str]:
    # Greedy: a run of at most `width` chars that starts and ends on a non-space and
    # is followed by a space or the end; else a word longer than the line, cut.
    if width == 1:
        return re.compile(r"[^ ]")
    return re.compile(rf"[^ ](?:.{{0,{width - 2}}}[^ ])?(?= |$)|[^ ]{{{width}}}")


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Word-wrap `text` at `width` cells: `(start, end)` offsets of each line.

    Newlines force a break; spaces at a break are dropped; words longer than a
    line are cut. ASCII text takes a regex fast path; other text is measured in cells.
    """
    width = max(1, width)
    ranges: list[tuple[int, int]] = []
    base = 0
    for segment in text.split("\n"):
        if not segment.strip(" "):
            ranges.append((base, base))
        elif segment.isascii():
            if len(segment) <= width:
                start = len(segment) - len(segment.lstrip(" "))
                ranges.append((base + start, base + len(segment.rstrip(" "))))
            else:
                for match in _wrap_pattern(width).finditer(segment):
                    ranges.append((base + match.start(), base + match.end()))
        else:
            ranges.extend(_wrap_cells(segment, width, base))
        base += len(segment) + 1
    return ranges


_WORD = re.compile(r"[^ ]+")


def _wrap_cells(segment: str, width: int, base: int) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    line_start = -1
    line_end = 0
    used = 0
    for match in _WORD.finditer(segment):
        word_start, word_end = match.span()
        cells = cell_len(match.group())
        gap = word_start - line_end if line_start >= 0 else 0
        if line_start >= 0 and used + gap + cells <= width:
            used += gap + cells
            line_end = word_end
            continue
        if line_start >= 0:
            ranges.append((base + line_start, base + line_end))
        if cells <= width:
            line_start, line_end, used = word_start, word_end, cells
            continue
        # A word wider than the line: cut it into pieces of at most `width` cells.
        for start, end in _fold_cells(segment, word_start, word_end, width):
            ranges.append((base + start, base + end))
        line_start = -1
        line_end = word_end
        used = 0
    if line_start >= 0:
        ranges.append((base + line_start, base + line_end))
    return ranges


def _fold_cells(text: str, start: int, end: int, width: int) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most `width` cells (at least one char each)."""
    piece_start = start
    used = 0
    for position in range(start, end):
        cells = cell_len(text[position])
        if used + cells > width and position > piece_start:
            yield piece_start, position
            piece_start, used = position, 0
        used += cells
    if piece_start < end:
        yield piece_start, end


def fold_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Cut code into lines at newlines, and lines wider than `width` at `width` cells."""
    width = max(1, width)
    ranges: list[tuple[int, int]] = []
    base = 0
    for segment in text.split("\n"):
        if not segment:
            ranges.append((base, base))
        elif segment.isascii():
            for start in range(0, len(segment), width):
                ranges.append((base + start, base + min(len(segment), start + width)))
        else:
            ranges.extend(_fold_cells(text, base, base + len(segment), width))
        base += len(segment) + 1
    return ranges


# -- chunking -----------------------------------------------------------------


def split_chunks(text: str, size: int = 16_000, first: int = 4_000) -> list[str]:
    """Cut Markdown into pieces that parse the same alone as together.

    Cuts only at a blank line followed by an unindented line that is not a list
    item, outside fenced code, so no block straddles a cut. Documents with
    reference-style link definitions are not cut (a definition may follow its use).
    """
    if len(text) <= first or _REF_DEFINITION.search(text):
        return [text]
    lines = text.split("\n")
    chunks: list[str] = []
    start = 0
    size_so_far = 0
    target = first
    fence = ""
    for i, line in enumerate(lines):
        size_so_far += len(line) + 1
        match = _FENCE.match(line)
        if fence:
            closing = match.group(1) if match else ""
            if closing[:1] == fence[0] and len(closing) >= len(fence) and not line.strip(" `~"):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        if size_so_far < target or line.strip() or i + 1 >= len(lines):
            continue
        following = lines[i + 1]
        if not following or following[0] in " \t>|<" or _LIST_MARKER.match(following):
            continue
        chunks.append("\n".join(lines[start : i + 1]))
        start = i + 1
        size_so_far = 0
        target = size
    chunks.append("\n".join(lines[start:]))
    return [chunk for chunk in chunks if chunk]

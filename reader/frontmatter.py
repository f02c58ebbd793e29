"""Split a document's front matter from its body: YAML `---`, TOML `+++` or JSON `{ … }`.

Hugo, Jekyll, Zola and Obsidian put a block of metadata at the top of each
file. This module finds that block, reads it into a plain mapping and says
where the body starts; what the keys mean is `reader.metadata`'s job. Real
sites are forgiving, so are we: blank lines before the opening fence and
spaces after a fence are allowed (the Zola theme pages have both). A block
that does not parse is a `FrontMatterError` with the 1-based line in the
file, so the importer can name the file and the line.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FrontMatter", "FrontMatterError", "split_front_matter"]


class FrontMatterError(ValueError):
    """The front-matter block cannot be read; `line` is 1-based in the whole file."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A document split in two: its metadata (maybe empty) and its body."""

    data: dict[str, Any] = field(default_factory=dict)
    """The block's keys and values, as the YAML/TOML/JSON reader gave them."""
    body: str = ""
    """The text after the block (the whole text when there is none)."""
    kind: str = ""
    """"yaml", "toml" or "json"; "" when the document has no front matter."""


_TOML_LINE = re.compile(r"at line (\d+)")
_JSON_START = re.compile(r"\{\s*[\"}]")
"""A JSON block opens with `{` and then a quoted key (or `}`): never `{{<` or `{%`."""


def split_front_matter(text: str) -> FrontMatter:
    """Split `text` into front matter and body. Raises `FrontMatterError` on a bad block.

    A `---` with no closing `---` is not front matter (a file may open with a
    thematic break); a `+++` with no closing `+++` is an error, since it can
    be nothing else.
    """
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return FrontMatter(body=text)
    fence = lines[start].rstrip()
    if fence == "---":
        end = _closing(lines, start, ("---", "..."))
        if end is None:
            return FrontMatter(body=text)
        data = _yaml(lines[start + 1 : end], start)
        return FrontMatter(data, "\n".join(lines[end + 1 :]), "yaml")
    if fence == "+++":
        end = _closing(lines, start, ("+++",))
        if end is None:
            raise FrontMatterError("bad front matter: the '+++' block is never closed", start + 1)
        data = _toml(lines[start + 1 : end], start, end)
        return FrontMatter(data, "\n".join(lines[end + 1 :]), "toml")
    if fence.startswith("{") and _JSON_START.match("\n".join(lines[start : start + 3])):
        return _json(lines, start)
    return FrontMatter(body=text)


def _closing(lines: list[str], start: int, fences: tuple[str, ...]) -> int | None:
    """The index of the line closing the block opened at `start`, if any."""
    for i in range(start + 1, len(lines)):
        if lines[i].rstrip() in fences:
            return i
    return None


def _mapping(data: object, line: int) -> dict[str, Any]:
    """`data` if it is a table of keys (an empty block is an empty table)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("bad front matter: expected key: value pairs", line)
    return data


def _yaml(block: list[str], start: int) -> dict[str, Any]:
    import yaml  # here, not at the top: the TUI renders posts without reading YAML

    source = "\n".join(block)
    # libyaml's loader when PyYAML was built with it: ten times faster on a big import.
    # A block it refuses is read again by the pure-Python loader, whose error marks
    # point at the line at fault more often.
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with contextlib.suppress(yaml.YAMLError):
        return _mapping(yaml.load(source, Loader=fast), start + 2)
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # The mark is 0-based within the block, which starts after the fence line.
        line = start + 2 + mark.line if mark is not None else start + 1
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise FrontMatterError(f"bad front matter: {problem}", line) from None
    return _mapping(data, start + 2)


def _toml(block: list[str], start: int, end: int) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads("\n".join(block))
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        # No line means "at end of document": the block's last line.
        line = start + 1 + int(found[1]) if found else max(start + 1, end)
        reason = re.sub(r"\s*\(at [^)]*\)", "", str(error)).strip() or "invalid TOML"
        raise FrontMatterError(f"bad front matter: {reason}", line) from None


def _json(lines: list[str], start: int) -> FrontMatter:
    text = "\n".join(lines[start:])
    try:
        data, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as error:
        raise FrontMatterError(f"bad front matter: {error.msg}", start + error.lineno) from None
    rest = text[end:]
    first, newline, body = rest.partition("\n")
    if first.strip():
        line = start + text.count("\n", 0, end) + 1
        raise FrontMatterError("bad front matter: text after the closing '}'", line)
    return FrontMatter(_mapping(data, start + 1), body if newline else "", "json")

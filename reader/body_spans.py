"""Where each body lies in its body file, so one post's text is read without the rest.

A body file of a 50,000-post library holds some 1,500 posts (7 MB of JSON):
decoding it whole to show one of them took ~50 ms, and kept 15 MB of text
in memory for each file touched (ten posts opened: ten files). Beside each
body file `NN.json`, `NN.spans` says where each post's body string starts
in it and how many bytes it takes; showing a post reads those bytes and
decodes that one JSON string.

Derived data, like `reader.post_cache`: a spans file is used only when it
names the very version of its body file (`file_identity`) and its checksum
holds; otherwise the body file is read whole, as before, and the spans
worked out again. They are known exactly when the file is written
(`encode_with_spans`, which lays out the same bytes as `encode_json` would), and
a body file read whole gets them by encoding it again, if that gives back
its bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from reader.sealed import Identity, seal, unseal

__all__ = [
    "Spans",
    "decode_spans",
    "encode_spans",
    "encode_with_spans",
    "read_span",
    "spans_path",
]

Spans = dict[str, tuple[int, int]]
"""Each slug's body in a body file: (offset of its JSON string, its length in bytes)."""

_MAGIC = b"reader-body-spans\x00"
_VERSION = 1


def spans_path(body_file: Path) -> Path:
    """The spans file of `body_file`."""
    return body_file.with_suffix(".spans")


def encode_with_spans(bodies: Mapping[str, str]) -> tuple[bytes, Spans]:
    """The bytes of a body file holding `bodies` (by slug), in TinyDB's layout, and where
    each body lies in them.

    The bytes are those of `reader.storage.encode_json` of the same table:
    compact UTF-8 JSON, or all of it escaped to ASCII when a body or slug has a
    lone surrogate, which UTF-8 cannot encode.
    """
    try:
        return _encode(bodies, ascii_only=False)
    except UnicodeEncodeError:
        return _encode(bodies, ascii_only=True)


def _encode(bodies: Mapping[str, str], ascii_only: bool) -> tuple[bytes, Spans]:
    codec = "ascii" if ascii_only else "utf-8"
    start = b'{"bodies":{'
    parts = [start]
    at = len(start)
    spans: Spans = {}
    for number, (slug, body) in enumerate(bodies.items(), 1):
        comma = "," if number > 1 else ""
        slug_json = json.dumps(slug, ensure_ascii=ascii_only)
        head = f'{comma}"{number}":{{"slug":{slug_json},"body":'.encode(codec)
        text = json.dumps(body, ensure_ascii=ascii_only).encode(codec)
        spans[slug] = (at + len(head), len(text))
        parts += (head, text, b"}")
        at += len(head) + len(text) + 1
    parts.append(b"}}")
    return b"".join(parts), spans


def encode_spans(identity: Identity, spans: Spans) -> bytes:
    """The bytes of the spans file for the version `identity` of its body file."""
    slugs = list(spans)
    starts = [spans[s][0] for s in slugs]
    lengths = [spans[s][1] for s in slugs]
    return seal(_MAGIC, (_VERSION, tuple(identity), slugs, starts, lengths))


def decode_spans(path: Path, identity: Identity | None) -> Spans | None:
    """The spans in the file at `path`, or None when it is missing, damaged, of another
    version, or not made for the version `identity` of its body file."""
    if identity is None:
        return None
    found = unseal(path, _MAGIC)
    try:
        version, made_for, slugs, starts, lengths = found
        if version != _VERSION or tuple(made_for) != tuple(identity):
            return None
        if not all(type(s) is str for s in slugs):
            return None
        spans = {s: (int(a), int(n)) for s, a, n in zip(slugs, starts, lengths, strict=True)}
    except (ValueError, TypeError):
        return None
    return spans


def read_span(body_file: Path, span: tuple[int, int]) -> str | None:
    """The body at `span` in `body_file`, or None when the bytes there are not a JSON
    string (the file is damaged: read it whole to find out). Raises OSError."""
    start, length = span
    with body_file.open("rb") as file:
        file.seek(start)
        raw = file.read(length)
    try:
        text = json.loads(raw)
    except ValueError:
        return None
    return text if type(text) is str and len(raw) == length else None

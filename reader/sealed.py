"""Small derived files in `marshal`'s format behind a magic and a CRC-32: the caches
beside the library (`posts.cache`, `first-screen.cache`, the body spans).

Each is made from one version of another file, named by its `Identity`
(`reader.storage.file_identity`), and read back only through `unseal`, which
returns None for anything missing, foreign or damaged.
"""

from __future__ import annotations

import marshal
import zlib
from pathlib import Path
from typing import Any

__all__ = ["Identity", "seal", "seal_made_from", "unseal", "unseal_made_from"]

Identity = tuple[int, int, int, int]
"""A version of a file: inode, device, size, mtime in nanoseconds."""


def seal(magic: bytes, payload: Any) -> bytes:
    """`payload` in marshal's format, after `magic` and a CRC-32 of it."""
    data = marshal.dumps(payload)
    return magic + zlib.crc32(data).to_bytes(4, "big") + data


def unseal(path: Path, magic: bytes) -> Any:
    """What `seal` put in the file at `path`, or None when it is missing, unreadable,
    not made with `magic` or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    start = len(magic) + 4
    if not raw.startswith(magic) or zlib.crc32(raw[start:]) != int.from_bytes(
        raw[len(magic) : start], "big"
    ):
        return None
    try:
        return marshal.loads(raw[start:])
    except (ValueError, TypeError, EOFError):
        return None


def seal_made_from(
    magic: bytes, version: int, identity: Identity, fields: tuple[Any, ...]
) -> bytes:
    """`seal` of `fields`, after the layout's `version` and the `identity` of the file
    they were made from: for a cache of that file, read with `unseal_made_from`."""
    return seal(magic, (version, tuple(identity), *fields))


def unseal_made_from(
    path: Path, magic: bytes, version: int, identity: Identity | None
) -> tuple[Any, ...] | None:
    """The fields `seal_made_from` put in the file at `path`, or None when it is missing,
    unreadable, damaged, of another `version`, or not made from the version `identity`
    of its source (None: a source that cannot be read has no cache)."""
    if identity is None:
        return None
    found = unseal(path, magic)
    try:
        found_version, made_from, *fields = found
        if found_version != version or tuple(made_from) != tuple(identity):
            return None
    except (ValueError, TypeError):
        return None
    return tuple(fields)

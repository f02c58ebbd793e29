"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own `JSONStorage` truncates and rewrites its file in place, so a
crash or a full disk mid-write leaves it corrupt. `AtomicJSONStorage` writes
a temporary file beside the target, fsyncs it, `os.replace`s the target and
fsyncs the directory, so a reader sees either the old file or the new one.
`atomic_writer` is that write as a context manager yielding the file handle,
for a writer that streams (the search index); `atomic_write_bytes` is the
same for bytes in hand. Every atomic write in `reader` goes through it.
With `backup=True` the previous good version is kept as `NAME.bak` (a hard
link, so it costs no copy) for recovery from a file damaged outside our
control.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from tinydb.storages import Storage

__all__ = [
    "AtomicJSONStorage",
    "CorruptFileError",
    "aside_path",
    "atomic_write_bytes",
    "atomic_writer",
    "decode_json_object",
    "encode_json",
    "file_identity",
    "fsync_dir",
    "read_json_file",
]


class CorruptFileError(ValueError):
    """A data file exists but does not hold valid JSON of the expected shape."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


def fsync_dir(directory: Path) -> None:
    """Make renames in `directory` durable (not possible on every platform, e.g. Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_writer(
    path: Path,
    backup: bool = False,
    keep_open: bool = False,
    before_replace: Callable[[], None] | None = None,
    durable: bool = True,
) -> Iterator[BinaryIO]:
    """Write a new version of `path` through a handle, replacing the file only on success.

    Yields a temporary file beside `path` (opened `w+b`, so the writer may seek
    back and read). When the block ends without an exception the file is
    flushed and fsynced, the old `path` is kept as `NAME.bak` if `backup`,
    the temporary file replaces `path` and the directory is fsynced: a reader
    sees the old file or the new one, never half of either. If the block
    raises, the temporary file is removed and `path` is left as it was.

    With `keep_open` the handle stays open after the replace, reading the new
    file (the search index reads its records through it, so no other writer
    can swap the file between the replace and a reopen). Windows cannot
    replace a file that is open, so there the handle is closed anyway: check
    `handle.closed`. `before_replace` runs just before the replace (there, to
    close other handles on `path`). Without `durable`, nothing is fsynced: still never
    half a file, but a crash may lose the new one (for caches, rebuilt when missing).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    bak_tmp = path.with_name(f".{path.name}.bak.tmp")
    handle = os.fdopen(fd, "w+b")
    try:
        yield handle
        handle.flush()
        if durable:
            os.fsync(handle.fileno())
        if not keep_open or os.name == "nt":
            handle.close()
        if before_replace is not None:
            before_replace()
        if backup and path.exists():
            with contextlib.suppress(FileNotFoundError):
                bak_tmp.unlink()
            os.link(path, bak_tmp)
            os.replace(bak_tmp, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)
    except BaseException:
        # Closing flushes what is buffered, which fails again on a full disk:
        # the temporary file must go all the same.
        with contextlib.suppress(OSError):
            handle.close()
        for leftover in (tmp, bak_tmp) if backup else (tmp,):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes, backup: bool = False, durable: bool = True) -> None:
    """Replace `path` with `data` atomically, and durably unless not `durable` (see
    `atomic_writer`)."""
    with atomic_writer(path, backup=backup, durable=durable) as handle:
        handle.write(data)


def aside_path(path: Path, label: str = "corrupt") -> Path:
    """A free name beside `path` to keep a damaged copy: `NAME.LABEL-20250102T030405Z`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
        n += 1
    return candidate


def read_json_file(path: Path) -> dict[str, Any] | None:
    """Read a JSON object from `path`; None when the file is missing or empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    return decode_json_object(path, raw)


def decode_json_object(path: Path, raw: bytes) -> dict[str, Any]:
    """Decode `raw` (the bytes of `path`) as a JSON object, or raise `CorruptFileError`.

    `path` only names the file in the error, which carries the line when known.
    """
    if not raw.strip():
        raise CorruptFileError(path, "the file is empty (truncated?)", 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise CorruptFileError(path, f"not UTF-8 ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise CorruptFileError(path, f"invalid JSON: {error.msg}", error.lineno) from None
    if not isinstance(data, dict):
        raise CorruptFileError(path, "expected a JSON object at the top level", 1)
    return data


def encode_json(data: object) -> bytes:
    """`data` as compact UTF-8 JSON, lone surrogates included.

    A file name that is not UTF-8 reaches us with lone surrogates in it
    (Python's surrogateescape), which UTF-8 cannot encode. Then the whole
    document is written with `\\uXXXX` escapes (`ensure_ascii`), which
    `json.loads` turns back into the same string, so the name round-trips.
    """
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":")).encode("ascii")


class AtomicJSONStorage(Storage):
    """TinyDB storage writing JSON through `atomic_write_bytes`."""

    def __init__(self, path: str | Path, backup: bool = False) -> None:
        self.path = Path(path)
        self.backup = backup

    def read(self) -> dict[str, dict[str, Any]] | None:
        """Return the whole database, or None for a new one."""
        return read_json_file(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the whole database on disk atomically."""
        atomic_write_bytes(self.path, encode_json(data), backup=self.backup)

    def close(self) -> None:
        """Nothing to close: every write opens and closes its own file."""


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells one version of `path` from another without reading it: inode, device,
    size and mtime (every write replaces the file, so a new version has a new inode)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns)

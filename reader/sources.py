"""What was imported: the folders and files given to `reader import`, and what each file was.

`library/sources.json` remembers each path given to `reader import` (so that
`reader sync` can import again what changed under it) and, for every file
read, its size, modification time and a hash of its bytes when it was last
imported (so that `reader sync` can skip a file that has not changed without
reading it, and tell a file that was only touched from one that was edited).
It also remembers that the bundled sample posts were removed, so that they
are not put back.

The file is written atomically through `reader.storage`, after the posts it
describes are committed: a process killed in between leaves fingerprints that
are older than the posts, and the next sync reads those files again. Like
`posts.json`, damage never stops the library opening and is never written
over: a damaged file is moved aside, `SourceStore.recoveries` says so, and
the library goes on with no remembered sources (`reader import` remembers
them again). Every write reads the file again first, so what another process
remembered since is kept.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.post_bodies import describe, set_aside, strerror
from reader.storage import CorruptFileError, atomic_write_bytes, decode_json_object, encode_json

__all__ = ["FILE", "FOLDER", "Fingerprint", "Source", "SourceStore", "fingerprint", "is_under"]

FOLDER = "folder"
FILE = "file"


@dataclass(frozen=True, slots=True)
class Source:
    """A path given to `reader import`, as an absolute path."""

    path: str
    kind: str
    """`FOLDER` or `FILE`."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a file was when it was last imported."""

    size: int
    mtime_ns: int
    digest: str
    """A hash of the file's bytes (BLAKE2b, hex)."""


def fingerprint(path: Path) -> Fingerprint:
    """The size, modification time and hash of `path` now. Raises OSError.

    The size and time are taken before the bytes are read: a file changed while
    being read then has a newer time than the one kept, and is read again next time.
    """
    info = os.stat(path)
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return Fingerprint(info.st_size, info.st_mtime_ns, digest)


def is_under(file: str, source: str) -> bool:
    """True when `file` is the path `source` names, or inside it."""
    return file == source or file.startswith(source.rstrip(os.sep) + os.sep)


class SourceStore:
    """The remembered sources and file fingerprints of one library, read on first use."""

    def __init__(self, path: Path, recoveries: list[str]) -> None:
        self.path = path
        self._recoveries = recoveries
        """The library's list of repairs, to which ours are added."""
        self._lock = threading.Lock()
        self._loaded = False
        self._sources: dict[str, Source] = {}
        self._files: dict[str, Fingerprint] = {}
        self._samples_removed = False

    # -- reading -------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            self._take(self._read())
        except OSError as error:
            # Never stops the library: it goes on as if nothing were remembered, and
            # `remember` reads the file again (and fails, rather than write over it).
            self._recoveries.append(
                f"The list of imported sources {self.path} cannot be read "
                f"({strerror(error)}): `reader sources` and `reader sync` do not know "
                "your folders until it can."
            )

    def _read(self) -> dict[str, Any]:
        """The document on disk ({} when missing); a damaged one is moved aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            if isinstance(error, IsADirectoryError):
                where = set_aside(self.path)
                self._recoveries.append(
                    f"The list of imported sources {self.path} is not a file. {where}"
                    "Import your folders again to sync them."
                )
                return {}
            raise
        try:
            data = decode_json_object(self.path, raw)
            _check(self.path, data)
        except CorruptFileError as error:
            where = set_aside(self.path)
            self._recoveries.append(
                f"The list of imported sources {self.path} was damaged ({describe(error)}). "
                f"{where}Your posts are all there; import your folders again "
                "(`reader import PATH`) for `reader sync` to know them."
            )
            return {}
        return data

    def _take(self, data: dict[str, Any]) -> None:
        self._sources = {path: Source(path, kind) for path, kind in data.get("sources", {}).items()}
        self._files = {
            path: Fingerprint(size, mtime, digest)
            for path, (size, mtime, digest) in data.get("files", {}).items()
        }
        self._samples_removed = bool(data.get("samples_removed", False))

    def sources(self) -> list[Source]:
        """The remembered sources, in the order first imported."""
        with self._lock:
            self._load()
            return list(self._sources.values())

    def source(self, path: str) -> Source | None:
        """The remembered source at `path` (absolute), if any."""
        with self._lock:
            self._load()
            return self._sources.get(path)

    def fingerprint(self, path: str) -> Fingerprint | None:
        """What the file at `path` was when last imported, if known."""
        with self._lock:
            self._load()
            return self._files.get(path)

    @property
    def samples_removed(self) -> bool:
        """True once the sample posts were removed (by `reader remove --samples`, or
        replaced by a first import): they are not seeded again."""
        with self._lock:
            self._load()
            return self._samples_removed

    # -- writing -------------------------------------------------------------------

    def remember(
        self,
        sources: Iterable[Source] = (),
        files: dict[str, Fingerprint] | None = None,
        forget: Iterable[str] = (),
        forget_files: Iterable[str] = (),
        samples_removed: bool | None = None,
    ) -> None:
        """Add `sources` and `files`, drop the sources `forget` and the files
        `forget_files` names, and write the file. Raises OSError.

        The file is read again first, so that what another process remembered
        since is kept; a file found damaged then is set aside and written anew.
        """
        sources = list(sources)
        forget, forget_files = set(forget), set(forget_files)
        files = files or {}
        if not (sources or files or forget or forget_files or samples_removed is not None):
            return
        with self._lock:
            self._loaded = True
            self._take(self._read())
            for source in sources:
                self._sources.setdefault(source.path, source)
            for path in forget:
                self._sources.pop(path, None)
            for path in forget_files:
                self._files.pop(path, None)
            self._files.update(files)
            if samples_removed is not None:
                self._samples_removed = samples_removed
            document = {
                "version": 1,
                "sources": {s.path: s.kind for s in self._sources.values()},
                "files": {path: [f.size, f.mtime_ns, f.digest] for path, f in self._files.items()},
                "samples_removed": self._samples_removed,
            }
            atomic_write_bytes(self.path, encode_json(document))

    def try_remember(self, on_error: Callable[[str], None], **changes: Any) -> None:
        """`remember`, telling `on_error` rather than raising when the file cannot be written.

        Used after posts are committed: the posts are in, and fingerprints that
        are out of date only make the next sync read more files; a source that
        could not be forgotten is still synced, and the message says the list
        is as it was.
        """
        try:
            self.remember(**changes)
        except OSError as error:
            on_error(
                f"The list of imported sources {self.path} could not be saved "
                f"({strerror(error)}): it is as it was before (the posts are changed)."
            )


def _check(path: Path, data: dict[str, Any]) -> None:
    """Raise `CorruptFileError` unless `data` has the shape `SourceStore` writes."""
    sources = data.get("sources", {})
    files = data.get("files", {})
    if not isinstance(sources, dict) or not all(
        isinstance(k, str) and v in (FOLDER, FILE) for k, v in sources.items()
    ):
        raise CorruptFileError(path, "the table of sources is not a table of paths")
    if not isinstance(files, dict):
        raise CorruptFileError(path, "the table of files is not a table")
    for value in files.values():
        if not (
            isinstance(value, list)
            and len(value) == 3
            and type(value[0]) is int
            and type(value[1]) is int
            and isinstance(value[2], str)
        ):
            raise CorruptFileError(path, "a file's size, time or hash is not what it should be")

"""A fault at every step of every write of user state and of the library leaves old or new.

Each test prepares real files, then a child process (forked by
`tests/crash_child.py`, which has imported the app already) does one real
operation through the public API with a fault at one step of one file's
write: half the bytes written, before the fsync, before the replace, after it
(before the directory fsync). The fault is an `OSError` raised in the child or
a SIGKILL, after the real OS call. The parent then reads the files on disk,
which must parse and hold exactly the old content (the fault came before the
replace) or the new one (after it), and opens them again through the public
API, which must show the same, lose nothing the user had, and take the next
write. One more run per write (`in-place-write`) kills the child only if it
writes into the target itself, as a non-atomic writer does after its replace.

What cannot be seen here: a missing fsync loses data only on power loss. The
`before-fsync` cases notice one only because their fault then never fires.

Only the search index's public API is used (`SearchIndex.load`, `slugs`,
`Library.search`): its writer is being reworked elsewhere.
"""

from __future__ import annotations

import copy
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reader.bookmark_io import read_bookmarks_file
from reader.cli import cli
from reader.importer import read_document
from reader.library import Library
from reader.models import ReadingPosition
from reader.search import SearchIndex
from reader.state import StateStore
from reader.store import PostStore
from tests.crash_child import FAULT_FIRED, FAULTS, IN_PLACE, STATE_OPS, STEPS, WRITE_FAILED

CHILD = Path(__file__).with_name("crash_child.py")
REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"
"""A bundled post."""
LANDED = ("after-replace", IN_PLACE)
"""The steps after which the target holds its new content."""


# -- child processes ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How a child ended."""

    code: int
    stdout: str
    stderr: str


class Children:
    """The process that forks the children (`tests/crash_child.py`), one per job."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "READER_DATA_DIR"}
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        self.buffer = b""

    def run(self, job: dict[str, Any], timeout: float = 60.0) -> Outcome:
        """Run one job in a new child; how it ended."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        self.proc.stdin.flush()
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise AssertionError(f"no word from the child after {timeout} s: {job}")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise AssertionError(f"the forking process died ({self.proc.wait()})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        reply = json.loads(line)
        return Outcome(reply["code"], reply["stdout"], reply["stderr"])

    def close(self) -> None:
        """End the forking process: it stops at the end of its input."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def children() -> Iterator[Children]:
    pool = Children()
    yield pool
    pool.close()


def hurt(
    children: Children, data: Path, target: Path, step: str, fault: str, op: str, **job: Any
) -> Outcome:
    """Run `op` in a child with `fault` at `step` of the write of `target`; check it fired.

    At `IN_PLACE` the fault must not fire (nothing writes into the target itself),
    and the operation must succeed.
    """
    tmp = data.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    outcome = children.run(
        {
            "data": str(data),
            "tmp": str(tmp),
            "target": str(target),
            "step": step,
            "fault": fault,
            "op": op,
            **job,
        },
    )
    if step == IN_PLACE:
        assert FAULT_FIRED not in outcome.stderr, f"the target was written in place: {outcome}"
        assert outcome.code == 0 and "Traceback" not in outcome.stderr, outcome
        return outcome
    assert FAULT_FIRED in outcome.stderr, f"the fault never fired: {outcome}"
    if fault == "kill":
        assert outcome.code == -signal.SIGKILL, outcome
    else:
        assert "Traceback" not in outcome.stderr, outcome
    return outcome


def leftovers(data: Path) -> list[Path]:
    """Temporary files and previous versions of files under `data`."""
    return sorted([*data.rglob(".*.tmp"), *data.rglob(".*.previous-*")])


def matrix(
    writes: list[str], steps: tuple[str, ...] = STEPS, known: dict[str, str] | None = None
) -> list[Any]:
    """Every (write, step, fault), named in that order in the test id; and for each
    write, a run where only a write into the target itself is killed (`IN_PLACE`).

    `known` maps an id to a bug not fixed yet: that case must fail (strict xfail).
    """
    known = known or {}
    cases = [(write, step, fault) for write in writes for step in steps for fault in FAULTS]
    cases += [(write, IN_PLACE, "kill") for write in writes]
    return [
        pytest.param(
            write,
            step,
            fault,
            id=name,
            marks=[pytest.mark.xfail(reason=known[name], strict=True)] if name in known else [],
        )
        for write, step, fault in cases
        if (name := f"{write}-{step}-{fault}")
    ]


# -- the user state -------------------------------------------------------------------

Summary = dict[str, Any]
SLUGS = ("kept", "gone", "seen", "new")


@pytest.fixture(scope="module")
def state_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state with a bookmark that must survive, written five times (so a `.bak` exists)."""
    path = tmp_path_factory.mktemp("state") / "state.json"
    store = StateStore(path)
    store.add_bookmark("kept", note="precious")
    store.add_bookmark("gone")
    store.set_read("seen")
    store.set_position(ReadingPosition("kept", "intro", 3))
    store.set_setting("theme", "light")
    # The backup is the state before the latest write: known here, not read from the
    # code under test, so a backup that is a copy of the state itself fails.
    before_last = state_file(path)
    before_last["settings"] = {}
    assert state_file(path.with_name("state.json.bak")) == before_last
    return path


def prepare_state(template: Path, data: Path) -> Path:
    """A copy of the template state (and its backup) in `data`; the state file."""
    data.mkdir()
    for name in ("state.json", "state.json.bak"):
        shutil.copy2(template.with_name(name), data / name)
    return data / "state.json"


def state_file(path: Path) -> Summary:
    """What a state file on disk holds; it must parse."""
    tables = json.loads(path.read_bytes())

    def by_slug(name: str) -> dict[str, dict[str, Any]]:
        return {doc["slug"]: doc for doc in tables.get(name, {}).values()}

    return {
        "bookmarks": {s: d["note"] for s, d in by_slug("bookmarks").items()},
        "read": sorted(by_slug("read")),
        "positions": {s: [d["anchor"], d["offset"]] for s, d in by_slug("positions").items()},
        "settings": tables.get("settings", {}).get("1", {}),
    }


def state_seen(store: StateStore) -> Summary:
    """What a reopened store shows, in the same shape."""
    return {
        "bookmarks": {b.slug: b.note for b in store.bookmarks()},
        "read": sorted(store.read_slugs()),
        "positions": {
            slug: [p.anchor, p.offset] for slug in SLUGS if (p := store.position(slug)) is not None
        },
        "settings": store.settings(),
    }


def _bookmark(s: Summary) -> None:
    s["bookmarks"]["new"] = "fresh"


def _unbookmark(s: Summary) -> None:
    del s["bookmarks"]["gone"]


def _note(s: Summary) -> None:
    s["bookmarks"]["kept"] = "changed"


def _read(s: Summary) -> None:
    s["read"] = sorted([*s["read"], "kept"])


def _position(s: Summary) -> None:
    s["positions"]["kept"] = ["later", 7]


def _settings(s: Summary) -> None:
    s["settings"]["theme"] = "dark"


def _merge(s: Summary) -> None:
    s["bookmarks"]["merged"] = "imported"


CHANGES: dict[str, Callable[[Summary], None]] = {
    "bookmark": _bookmark,
    "unbookmark": _unbookmark,
    "note": _note,
    "read": _read,
    "position": _position,
    "settings": _settings,
    "merge": _merge,
}
"""What each of the child's `STATE_OPS` does to the state."""
assert CHANGES.keys() == STATE_OPS.keys()


@pytest.mark.parametrize(("write", "step", "fault"), matrix(list(CHANGES)))
def test_state_write(
    children: Children, state_template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """Each change of the state, hurt in its write of `state.json`."""
    data = tmp_path / "data"
    path = prepare_state(state_template, data)
    backup = data / "state.json.bak"
    old, old_backup = state_file(path), state_file(backup)
    new = copy.deepcopy(old)
    CHANGES[write](new)

    outcome = hurt(children, data, path, step, fault, write)
    if fault == "raise":
        assert outcome.code == WRITE_FAILED, outcome  # told, never silently lost
        assert leftovers(data) == []  # an error is cleaned up at once

    replaced = step in LANDED
    assert state_file(path) == (new if replaced else old)
    # The backup is the version before the latest write, kept just before the replace.
    kept = step in ("before-replace", *LANDED)
    assert state_file(backup) == (old if kept else old_backup)
    check_next_start(path, new if replaced else old)


@pytest.mark.parametrize(
    ("write", "step", "fault"), matrix(["state-backup"], ("before-replace", "after-replace"))
)
def test_state_backup_write(
    children: Children, state_template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """`state.json.bak` is replaced (by a hard link to the old file) before `state.json`."""
    data = tmp_path / "data"
    path = prepare_state(state_template, data)
    backup = data / "state.json.bak"
    old, old_backup = state_file(path), state_file(backup)
    new = copy.deepcopy(old)
    CHANGES["bookmark"](new)

    outcome = hurt(children, data, backup, step, fault, "bookmark")
    if fault == "raise":
        assert outcome.code == WRITE_FAILED, outcome
        assert leftovers(data) == []

    done = step == IN_PLACE  # no fault: the write of state.json follows
    assert state_file(path) == (new if done else old)
    assert state_file(backup) == (old if step in LANDED else old_backup)
    check_next_start(path, new if done else old)


@pytest.mark.parametrize(("write", "step", "fault"), matrix(["state-recovery"]))
def test_state_recovery_write(
    children: Children, state_template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """A damaged state file is moved aside, then the backup written in its place."""
    data = tmp_path / "data"
    path = prepare_state(state_template, data)
    backup = data / "state.json.bak"
    saved = state_file(backup)
    path.write_bytes(b'{"bookmarks": {"1": ')  # torn by something other than reader

    outcome = hurt(children, data, path, step, fault, "open")
    if fault == "raise":
        assert outcome.code == 0 and "damaged" in outcome.stdout, outcome
        assert leftovers(data) == []

    (aside,) = data.glob("state.json.corrupt-*")
    assert aside.read_bytes() == b'{"bookmarks": {"1": '  # kept byte for byte
    assert state_file(backup) == saved
    if step in LANDED:
        assert state_file(path) == saved
    else:
        assert not path.exists()  # moved aside, not yet replaced: the backup is the state
        (recovery,) = StateStore(path).recoveries
        assert recovery.restored_from == backup and "missing" in recovery.reason
    check_next_start(path, saved)


def check_next_start(path: Path, expected: Summary) -> None:
    """A new store shows `expected`, with nothing to recover, cleans up and takes a write."""
    store = StateStore(path)
    assert store.recoveries == [] and store.unreadable is None
    assert state_seen(store) == expected
    assert store.bookmark("kept") is not None  # the bookmark the user had
    assert not list(path.parent.glob(f".{path.name}.*.tmp"))  # a killed write's leftovers
    store.add_bookmark("after")
    assert state_file(path)["bookmarks"] == {**expected["bookmarks"], "after": ""}
    assert StateStore(path).bookmarked_slugs() == {*expected["bookmarks"], "after"}


# -- the recovery file of unsaved changes -----------------------------------------------


@pytest.mark.parametrize(("write", "step", "fault"), matrix(["unsaved"]))
def test_unsaved_changes_file(
    children: Children, state_template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """`save_unsaved` writes a new file, which must be whole or absent, never half."""
    data = tmp_path / "data"
    path = prepare_state(state_template, data)
    path.chmod(0o444)  # writes are refused, so the change goes to a recovery file
    before = path.read_bytes()
    pattern = "state.json.unsaved-*.json"

    outcome = hurt(children, data, data / pattern, step, fault, write)
    if fault == "raise":
        assert outcome.code == 0, outcome

    assert path.read_bytes() == before
    beside = sorted(data.glob(pattern))
    fallback = sorted((tmp_path / "tmp").glob(pattern))
    # Killed: the file was made (after the replace) or not. An error: the file is
    # tried again in the temporary folder, which works, so the change is kept there.
    assert len(beside) == (1 if step in LANDED else 0)
    assert len(fallback) == (1 if fault == "raise" else 0)
    for found in beside + fallback:
        (mark,) = read_bookmarks_file(found)  # whole: `reader import-bookmarks` takes it
        assert (mark.slug, mark.note) == ("new", "fresh")
    if fault == "raise":
        assert outcome.stdout.strip() == str(fallback[0])
        assert leftovers(data) == leftovers(tmp_path / "tmp") == []

    path.chmod(0o644)
    store = StateStore(path)
    assert store.recoveries == [] and store.bookmark("kept") is not None
    assert not list(data.glob(".*.tmp"))  # the killed write's temporary file is cleaned
    for found in beside + fallback:
        store.merge_bookmarks(read_bookmarks_file(found))
    assert StateStore(path).bookmarked_slugs() == {"kept", "gone"} | (
        {"new"} if beside or fallback else set()
    )


# -- the library: posts.json, the body files and the search index ---------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the bundled posts, their search index and a bookmark."""
    root = tmp_path_factory.mktemp("template") / "data"
    Library.open(root).state.add_bookmark(REDIS, note="keep me")
    assert (root / "library" / "search-index.bin").is_file()
    return root


@dataclass(frozen=True)
class Change:
    """An import, and what the library shows before and after it."""

    source: Path
    slug: str
    word: str
    """Found in the post only after the change."""
    old: dict[str, str]
    """Slug -> title before."""
    new: dict[str, str]
    old_body: str | None
    new_body: str
    bookmarks: dict[str, str]
    """Slug -> note of every bookmark, which no fault may touch."""


def prepare_library(template: Path, tmp_path: Path, op: str) -> tuple[Path, Change]:
    """A copy of the template, and the change `op` makes: a new post, or one of the
    user's own (imported and bookmarked here) changed."""
    data = tmp_path / "data"
    shutil.copytree(template, data)
    notes = tmp_path / "notes"
    notes.mkdir()
    library = Library.open(data)
    if op == "import":
        source, slug, word = notes / "added.md", "added", "aardvark"
        source.write_text("# Added\n\nAn aardvark arrives.\n")
        old = {p.slug: p.title for p in library.summaries()}
        new = {**old, slug: "Added"}
        old_body = None
    else:
        source, slug, word = notes / "mine.md", "mine", "quokkas"
        source.write_text("# Mine\n\nMy own words about zebras.\n")
        library.import_paths([source])
        library.state.add_bookmark(slug, note="mine")
        old = {p.slug: p.title for p in library.summaries()}
        old_post = library.get(slug)
        assert old_post is not None
        old_body = old_post.body
        source.write_text("# Mine, revised\n\nQuokkas now.\n")
        new = {**old, slug: "Mine, revised"}
    new_body = read_document(source)[0].parsed.body
    bookmarks = {b.slug: b.note for b in library.state.bookmarks()}
    return data, Change(source, slug, word, old, new, old_body, new_body, bookmarks)


LIBRARY_WRITES = ["import-posts", "import-body", "import-index", "reimport-posts", "reimport-body"]
"""An import of a new post and of a changed one, hurt in each file they write."""


@pytest.mark.parametrize(
    ("write", "step", "fault"),
    matrix(LIBRARY_WRITES),
)
def test_library_write(
    children: Children, template: Path, tmp_path: Path, write: str, step: str, fault: str
) -> None:
    """`reader import` of a new or changed post, hurt in one of the files it writes."""
    op, part = write.split("-")
    data, change = prepare_library(template, tmp_path, op)
    folder = data / "library"
    target = {
        "posts": folder / "posts.json",
        "body": folder / "bodies" / f"{PostStore.shard_of(change.slug):02d}.json",
        "index": folder / "search-index.bin",
    }[part]
    old_bodies = {p.name: shard_bodies(p) for p in (folder / "bodies").glob("*.json")}

    outcome = hurt(children, data, target, step, fault, "cli", args=["import", str(change.source)])
    left = leftovers(data)
    # The posts are in once posts.json is replaced; the index, a cache, comes after.
    committed = step == IN_PLACE or part == "index" or (part == "posts" and step == "after-replace")
    if fault == "raise":
        assert outcome.code == (0 if committed else 1), outcome  # exit 1: "nothing was imported"
    posts = json.loads((folder / "posts.json").read_bytes())["posts"]
    assert {d["slug"]: d["title"] for d in posts.values()} == (
        change.new if committed else change.old
    )
    for shard in (folder / "bodies").glob("*.json"):
        bodies = shard_bodies(shard)  # parses
        was = old_bodies.get(shard.name, {})
        assert bodies in (was, {**was, change.slug: change.new_body}), shard.name
    if part == "index":
        index = SearchIndex.load(target)
        assert index is not None  # whole: it loads
        new = step in LANDED
        assert set(index.slugs()) == set(change.new if new else change.old)
        index.close()

    # The next start: the same posts through the CLI and the API, nothing lost.
    expected = change.new if committed else change.old
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "list", "--json"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert {p["slug"]: p["title"] for p in json.loads(result.stdout)} == expected
    library = Library.open(data)
    assert library.problems == []
    assert not list(data.rglob(".*.previous-*"))  # settled at the first open
    check_post(library, change, committed)
    assert {b.slug: b.note for b in library.state.bookmarks()} == change.bookmarks
    # And the import, done again, works.
    library.import_paths([change.source])
    check_post(library, change, True)
    check_post(Library.open(data), change, True)
    if fault == "raise":
        assert left == []  # an error is cleaned up at once (checked last: see INDEX_TEMP_LEFT)


def shard_bodies(path: Path) -> dict[str, str]:
    """Slug -> body in a body file on disk; it must parse."""
    table = json.loads(path.read_bytes())["bodies"]
    return {doc["slug"]: doc["body"] for doc in table.values()}


def check_post(library: Library, change: Change, new: bool) -> None:
    """The changed post is wholly old or wholly new: title, body, search."""
    post = library.get(change.slug)
    titles = change.new if new else change.old
    if change.slug not in titles:
        assert post is None
    else:
        assert post is not None and post.title == titles[change.slug]
        assert post.body == (change.new_body if new else change.old_body)
    assert {p.slug: p.title for p in library.summaries()} == titles
    hits = [h.slug for h in library.search(change.word).hits]
    assert hits == ([change.slug] if new else [])

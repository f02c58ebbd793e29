"""Bookmark benchmark: how long a bookmark toggle blocks its caller, with a 10k-post library.

Ours: `StateStore.toggle_bookmark` on `state.json`, a file apart from the
library (atomic write: temporary file, fsync, replace, fsync of the
directory, plus the `.bak` hard link), with a small state and with a heavy
one (10,000 read marks, 500 bookmarks). Also the time the TUI's event loop is
blocked when the toggle goes through its single-thread state writer, which is
what the TUI does (`WriteQueue` in reader/session.py): the submit only.

Baselines, measured in the same run: the bookmark inserted into (or removed
from) a TinyDB file that also holds the posts (slug, title, tags, body), with
TinyDB's own `JSONStorage` and with our atomic storage.

The posts are `bench/generate.py`'s deterministic library (generated once and
cached under bench/out/). Medians over `--rounds` toggles after one warm-up.

    python bench/bench_bookmarks.py [--posts 10000] [--rounds 21]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

from bench.generate import ensure_content
from reader.state import StateStore
from reader.storage import AtomicJSONStorage

TARGET_MS = 5.0


def post_docs(posts: int) -> list[dict[str, object]]:
    """The generated posts as TinyDB documents: slug, title, tags and body."""
    folder = ensure_content(posts)
    docs: list[dict[str, object]] = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text("utf-8")
        _, front, body = text.split("---\n", 2)
        meta = dict(line.split(": ", 1) for line in front.splitlines() if ": " in line)
        docs.append(
            {
                "slug": meta.get("slug", path.stem),
                "title": meta.get("title", ""),
                "tags": meta.get("tags", ""),
                "body": body,
            }
        )
    return docs


def time_calls(call: Callable[[int], object], rounds: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    call(-1)
    times = []
    for n in range(rounds):
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def baseline(db_path: Path, docs: list[dict[str, object]], atomic: bool, rounds: int) -> float:
    """Median ms to toggle a bookmark in a TinyDB file that also holds every post."""
    if atomic:
        db = TinyDB(db_path, storage=AtomicJSONStorage)
    else:
        db = TinyDB(db_path, storage=JSONStorage)
    db.table("posts").insert_multiple(docs)
    bookmarks = db.table("bookmarks")
    slug = str(docs[0]["slug"])

    def toggle(n: int) -> None:
        if bookmarks.contains(Query().slug == slug):
            bookmarks.remove(Query().slug == slug)
        else:
            bookmarks.insert({"slug": slug, "created": str(n), "note": "", "section": ""})

    result = statistics.median(time_calls(toggle, rounds))
    db.close()
    db_path.unlink()
    return result


def ours(directory: Path, slugs: list[str], heavy: bool, rounds: int) -> float:
    """Median ms of `StateStore.toggle_bookmark`, the call the TUI's writer thread makes."""
    path = directory / "state.json"
    if heavy:
        # The file a long-time user would have: every post read, 500 bookmarks.
        # Written directly in the state file's (TinyDB) layout to save 10k writes.
        stamp = "2026-01-01T00:00:00.000000+00:00"
        tables = {
            "bookmarks": {
                str(i): {"slug": s, "created": stamp, "note": "a note worth keeping", "section": ""}
                for i, s in enumerate(slugs[:500], 1)
            },
            "read": {str(i): {"slug": s, "at": stamp} for i, s in enumerate(slugs, 1)},
            "settings": {"1": {"last_tag": "python", "last_post": slugs[0]}},
        }
        directory.mkdir(parents=True)
        path.write_text(json.dumps(tables), "utf-8")
    store = StateStore(path)
    if heavy:
        assert len(store.read_slugs()) == len(slugs)
    slug = slugs[-1]
    return statistics.median(time_calls(lambda n: store.toggle_bookmark(slug), rounds))


def ours_without_fsync(directory: Path, slugs: list[str], heavy: bool, rounds: int) -> float:
    """Like `ours` with fsync made a no-op: what is left besides waiting for the disk."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        return ours(directory, slugs, heavy, rounds)
    finally:
        os.fsync = real


def ours_submitted(directory: Path, slugs: list[str], rounds: int) -> float:
    """Median ms the event loop spends handing a toggle to the single-thread writer."""
    store = StateStore(directory / "state.json")
    writer = ThreadPoolExecutor(max_workers=1)
    slug = slugs[1]
    futures = []

    def submit(n: int) -> None:
        futures.append(writer.submit(store.toggle_bookmark, slug))

    times = time_calls(submit, rounds)
    for future in futures:
        future.result()
    writer.shutdown()
    return statistics.median(times)


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()

    docs = post_docs(args.posts)
    slugs = [str(d["slug"]) for d in docs]
    size_mb = sum(len(str(d["body"])) for d in docs) / 1e6
    print(f"{len(docs)} posts, {size_mb:.0f} MB of Markdown; {args.rounds} toggles each, medians")

    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "out") as tmp:
        work = Path(tmp)
        rows: list[tuple[str, float]] = []
        rows.append(
            ("ours: state.json apart, small state", ours(work / "a", slugs, False, args.rounds))
        )
        rows.append(
            (
                "ours: state.json apart, 10k read marks + 500 bookmarks",
                ours(work / "b", slugs, True, args.rounds),
            )
        )
        rows.append(
            (
                "ours, small state, fsync made a no-op (all but the disk)",
                ours_without_fsync(work / "d", slugs, False, args.rounds),
            )
        )
        rows.append(
            (
                "ours, heavy state, fsync made a no-op (all but the disk)",
                ours_without_fsync(work / "e", slugs, True, args.rounds),
            )
        )
        rows.append(
            (
                "ours via the TUI's writer thread: event loop blocked",
                ours_submitted(work / "c", slugs, args.rounds),
            )
        )
        base_rounds = max(5, args.rounds // 3)
        plain = baseline(work / "one.json", docs, False, base_rounds)
        atomic = baseline(work / "one-atomic.json", docs, True, base_rounds)

    small = rows[0][1]
    rows.append((f"baseline: one TinyDB file with {len(docs)} posts (JSONStorage)", plain))
    rows.append((f"baseline: one TinyDB file with {len(docs)} posts (atomic storage)", atomic))
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    print()
    print("| bookmark toggle | median ms | vs ours (small state) | <= 5 ms |")
    print("|---|---:|---:|---|")
    for name, ms in rows:
        ratio = ms / small
        print(f"| {name} | {ms:.3f} | {ratio:.2f}x | {'yes' if ms <= TARGET_MS else 'no'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

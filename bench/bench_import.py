"""Import and sync benchmark: a generated library, imported, then synced with nothing changed.

Figures, medians of `--rounds` runs (each in a new process, the import
pairs interleaved and each first in turn), beside baselines measured in
the same run:

* `reader import DIR` into a new data directory (`import_sources`: it also
  hashes each file and remembers the folder), beside `Library.import_paths`,
  the import as it was before sources were remembered;
* `reader sync` with nothing changed (`sync`, in a library opened afresh as
  the command does), beside what keeping a library in step cost before it:
  importing the folder again (`Library.import_paths`, every file read and
  parsed, all found unchanged), and beside the floor, walking the folder
  and `stat`ing every file;
* the whole `python -m reader sync` command in a new process (start-up and
  reading `posts.json` included), beside `python -m reader sources`, which
  opens the same library and lists one line.

    python bench/bench_import.py [--posts 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import ensure_content
from reader.importer import find_files
from reader.library import Library
from reader.library_sources import import_sources, sync
from reader.models import ImportProblem


def timed(call: Callable[[], object]) -> float:
    """Seconds `call()` takes."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def fresh(work: Path, name: str) -> Path:
    """An empty data directory under `work`."""
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    return root


def import_ours(root: Path, content: Path, posts: int) -> None:
    report = import_sources(Library.open(root, seed=False), [content])
    assert len(report.added) == posts and not report.problems, report.problems[:3]


def import_plain(root: Path, content: Path, posts: int) -> None:
    report = Library.open(root, seed=False).import_paths([content])
    assert len(report.added) == posts and not report.problems, report.problems[:3]


def sync_ours(root: Path, posts: int) -> None:
    report = sync(Library.open(root, seed=False))
    assert len(report.unchanged) == posts and not (report.added or report.updated), report


def reimport(root: Path, content: Path, posts: int) -> None:
    report = Library.open(root, seed=False).import_paths([content])
    assert len(report.unchanged) == posts, report


def walk_and_stat(content: Path) -> None:
    for item in find_files([content]):
        if not isinstance(item, ImportProblem):
            os.stat(item)


def command(root: Path, *args: str) -> None:
    env = {**os.environ, "READER_DATA_DIR": str(root)}
    subprocess.run(
        [sys.executable, "-m", "reader", *args], env=env, check=True, capture_output=True
    )


def one(kind: str, root: Path, content: Path, posts: int) -> float:
    """Seconds one measurement of `kind` takes, in this process."""
    calls: dict[str, Callable[[], object]] = {
        "import-ours": lambda: import_ours(root, content, posts),
        "import-plain": lambda: import_plain(root, content, posts),
        "sync-ours": lambda: sync_ours(root, posts),
        "reimport": lambda: reimport(root, content, posts),
        "walk": lambda: walk_and_stat(content),
    }
    return timed(calls[kind])


def measure(kind: str, root: Path, content: Path, posts: int) -> float:
    """`one(kind, ...)` in a new process, so that no run inherits another's heap."""
    result = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(root), str(content), str(posts)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip())


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--one":
        kind, root, content, posts = sys.argv[2:]
        print(one(kind, Path(root), Path(content), int(posts)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    content = ensure_content(args.posts)
    size_mb = sum(p.stat().st_size for p in content.rglob("*.md")) / 1e6
    print(f"{args.posts} posts, {size_mb:.0f} MB of Markdown; {args.rounds} rounds, medians")
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        ours: list[float] = []
        plain: list[float] = []
        for n in range(args.rounds):  # interleaved, and each first in turn
            pair = [("import-ours", ours, "ours"), ("import-plain", plain, "plain")]
            for kind, into, name in pair if n % 2 == 0 else pair[::-1]:
                into.append(measure(kind, fresh(work, name), content, args.posts))
        rows.append(("reader import (hashes and remembers the files)", statistics.median(ours)))
        rows.append(
            ("baseline: Library.import_paths (the import before)", statistics.median(plain))
        )

        synced: list[float] = []
        again: list[float] = []
        walked: list[float] = []
        for _ in range(args.rounds):
            synced.append(measure("sync-ours", work / "ours", content, args.posts))
            again.append(measure("reimport", work / "plain", content, args.posts))
            walked.append(measure("walk", work, content, args.posts))
        rows.append(("reader sync, nothing changed", statistics.median(synced)))
        rows.append(("baseline: importing the folder again", statistics.median(again)))
        rows.append(("floor: walking the folder, stat of every file", statistics.median(walked)))

        whole: list[float] = []
        listing: list[float] = []
        for _ in range(args.rounds):
            whole.append(timed(lambda: command(work / "ours", "sync")))
            listing.append(timed(lambda: command(work / "ours", "sources")))
        rows.append(("python -m reader sync (new process)", statistics.median(whole)))
        rows.append(
            ("baseline: python -m reader sources (new process)", statistics.median(listing))
        )

    width = max(len(name) for name, _ in rows)
    print(f"| {'what':<{width}} | median s |")
    print(f"|{'-' * (width + 2)}|---------:|")
    for name, seconds in rows:
        print(f"| {name:<{width}} | {seconds:8.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Import and sync benchmark: a generated library, imported, then synced with nothing changed.

Each figure is the median of `--rounds` runs, each in a new process (the
kinds of one round interleaved, and each first in turn), with its peak
resident memory, beside baselines measured in the same run:

* `reader import DIR` into a new data directory (`import_sources`: parse,
  index, store, hash each file and remember the folder), beside the floor
  of any import, a bare loop in one process that reads every file and runs
  markdown-it on it once (nothing stored, nothing indexed), and, with
  `--before CHECKOUT`, beside the same import run with another checkout's
  code;
* `reader sync` with nothing changed (`sync`, in a library opened afresh as
  the command does), beside walking the folder with a `stat` of every file
  (the floor of any sync), and beside `--before`'s sync.

The machine this runs on is shared: compare the ratios in one run, not
seconds between runs.

    python bench/bench_import.py [--posts 10000] [--rounds 3] [--before CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh(work: Path, name: str) -> Path:
    """An empty data directory under `work`."""
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    return root


def one(kind: str, root: Path, content: Path, posts: int) -> float:
    """Seconds one measurement of `kind` takes, in this process (reader from `sys.path`)."""
    from reader.importer import find_files
    from reader.library import Library
    from reader.library_sources import import_sources, sync
    from reader.models import ImportProblem

    started = time.perf_counter()
    if kind == "import":
        report = import_sources(Library.open(root, seed=False), [content])
        assert len(report.added) == posts and not report.problems, report.problems[:3]
    elif kind == "sync":
        synced = sync(Library.open(root, seed=False))
        assert len(synced.unchanged) == posts and not (synced.added or synced.updated)
    elif kind == "floor-import":
        from reader.parsing import markdown_parser

        parser = markdown_parser()
        for item in find_files([content]):
            if not isinstance(item, ImportProblem):
                parser.parse(item.read_text(encoding="utf-8"))
    elif kind == "floor-sync":
        for item in find_files([content]):
            if not isinstance(item, ImportProblem):
                os.stat(item)
    else:
        raise ValueError(kind)
    return time.perf_counter() - started


def measure(
    kind: str, code: Path, root: Path, content: Path, posts: int
) -> tuple[float, float, float]:
    """(seconds, peak RSS MB, CPU seconds of the process and its pool) of `one(kind)` in a
    new process running the `reader` of the checkout `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    args = [sys.executable, __file__, "--one", kind, str(root), str(content), str(posts)]
    result = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd=code)
    seconds, rss, cpu = result.stdout.split()
    return float(seconds), float(rss), float(cpu)


def peak_mb() -> float:
    """The peak resident set of this process or any of its children (the parse pool), MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, pool) / 1024


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and its children (the parse pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    pool = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + pool.ru_utime + pool.ru_stime


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--one":
        kind, root, content, posts = sys.argv[2:]
        seconds = one(kind, Path(root), Path(content), int(posts))
        print(f"{seconds} {peak_mb()} {cpu_seconds()}")
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout, run in the same rounds")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.generate import ensure_content

    content = ensure_content(args.posts)
    size_mb = sum(p.stat().st_size for p in content.rglob("*.md")) / 1e6
    print(f"{args.posts} posts, {size_mb:.0f} MB of Markdown; {args.rounds} rounds, medians")
    codes = {"ours": ROOT}
    if args.before is not None:
        codes["before"] = args.before.resolve()
    figures: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        for n in range(args.rounds):
            runs = [(f"import {name}", "import", code, name) for name, code in codes.items()]
            runs.append(("floor-import", "floor-import", ROOT, "floor"))
            for label, kind, code, name in runs if n % 2 == 0 else runs[::-1]:
                root = fresh(work, name)
                figures.setdefault(label, []).append(measure(kind, code, root, content, args.posts))
            runs = [(f"sync {name}", "sync", code, name) for name, code in codes.items()]
            runs.append(("floor-sync", "floor-sync", ROOT, "floor"))
            for label, kind, code, name in runs if n % 2 == 0 else runs[::-1]:
                root = work / name
                figures.setdefault(label, []).append(measure(kind, code, root, content, args.posts))

    def median(label: str) -> tuple[float, float, float]:
        runs = figures[label]
        return (
            statistics.median(s for s, _, _ in runs),
            statistics.median(m for _, m, _ in runs),
            statistics.median(c for _, _, c in runs),
        )

    rows = [
        ("reader import (ours)", "import ours", "floor-import"),
        ("reader import (before)", "import before", "floor-import"),
        ("floor: read every file, markdown-it once", "floor-import", "floor-import"),
        ("reader sync, nothing changed (ours)", "sync ours", "floor-sync"),
        ("reader sync, nothing changed (before)", "sync before", "floor-sync"),
        ("floor: walk the folder, stat every file", "floor-sync", "floor-sync"),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"| {'what':<{width}} | median s | x floor | CPU s | peak RSS MB |")
    print(f"|{'-' * (width + 2)}|---------:|--------:|------:|------------:|")
    for name, label, floor in rows:
        if label not in figures:
            continue
        seconds, rss, cpu = median(label)
        ratio = seconds / median(floor)[0]
        print(f"| {name:<{width}} | {seconds:8.2f} | {ratio:7.2f} | {cpu:5.1f} | {rss:11.0f} |")
    if "import before" in figures:
        ours, before = median("import ours")[0], median("import before")[0]
        print(f"import: ours / before = {ours / before:.2f}")
        ours, before = median("sync ours")[0], median("sync before")[0]
        print(f"sync: ours / before = {ours / before:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

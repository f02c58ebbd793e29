"""Opening the search index on big libraries: how long, and how long it keeps the app waiting.

Each measurement is a fresh child process (so the index's pages are not
already in it) that opens a generated library's `search-index.bin` with
`SearchIndex.load`, and times:

* *open*: the load itself, median of `--runs` loads in that process;
* *longest stall*: the load in a thread, as the TUI runs it, while the main
  thread ticks every millisecond like an event loop waiting for keys: the
  longest gap between two ticks during the load, minus the tick. A key
  pressed while the index opens waits about this long at worst.

With `--before CHECKOUT` the same runs with another checkout's code
(`PYTHONPATH`), interleaved with ours, on the same files.

    python bench/bench_index_open.py [--sizes 10000 50000] [--runs 7] [--before ../main]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
TICK = 0.001


def child(path: str, runs: int) -> None:
    """Time the loads in this process; print the figures as JSON on stdout."""
    import threading
    import time

    from reader.search import SearchIndex

    index_path = Path(path)
    loads = []
    for _ in range(runs):
        started = time.perf_counter()
        index = SearchIndex.load(index_path)
        loads.append(time.perf_counter() - started)
        assert index is not None, "the index did not load"
        index.close()
        del index
    stalls = []
    for _ in range(runs):
        done = threading.Event()

        def load(done: threading.Event) -> None:
            found = SearchIndex.load(index_path)
            assert found is not None
            found.close()
            done.set()

        worker = threading.Thread(target=load, args=(done,))
        longest = 0.0
        last = time.perf_counter()
        worker.start()
        while not done.is_set():
            time.sleep(TICK)
            now = time.perf_counter()
            longest = max(longest, now - last - TICK)
            last = now
        worker.join()
        stalls.append(longest)
    print(
        json.dumps(
            {"open": statistics.median(loads) * 1000, "stall": statistics.median(stalls) * 1000}
        )
    )


def measure(code: Path, path: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=code,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=7, help="loads per process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per checkout")
    parser.add_argument("--before", type=Path, help="another checkout to run beside ours")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.runs)
        return 0

    sys.path.insert(0, str(REPO))
    from bench.generate import ensure_data_dir

    checkouts = {"ours": REPO}
    if args.before:
        checkouts["before"] = args.before.resolve()
    print("| posts | figure | " + " | ".join(checkouts) + (" | ratio |" if args.before else ""))
    print("|---|---|" + "---:|" * (len(checkouts) + bool(args.before)))
    for size in args.sizes:
        path = ensure_data_dir(size) / "library" / "search-index.bin"
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
        for _ in range(args.rounds):
            for name, code in checkouts.items():
                runs[name].append(measure(code, path, args.runs))
        for figure, label in (("open", "open, ms"), ("stall", "longest stall, ms")):
            medians = {n: statistics.median(r[figure] for r in runs[n]) for n in checkouts}
            cells = " | ".join(f"{medians[n]:.1f}" for n in checkouts)
            ratio = f" | {medians['ours'] / medians['before']:.2f}x |" if args.before else ""
            print(f"| {size:,} | {label} | {cells}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

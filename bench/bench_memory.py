"""Memory of the TUI on big libraries: resident set after start, a search, a bookmark, ten posts.

Each measurement is a fresh child process running `ReaderApp` headless
(Textual's `run_test`, 120x40) on a generated library; it reads its own
`VmRSS` from /proc after each step, once the workers are done:

1. *start*: the first screen, and the search index preloaded after it;
2. *search*: `/`, a word, the results listed;
3. *bookmark*: `b` on the post shown;
4. *ten posts*: ten posts opened one after another (`down`, each shown).

With `--before CHECKOUT` the same steps run with another checkout's code
(`PYTHONPATH`), interleaved with ours, so both see the same machine. With
`--trace` the child also runs `tracemalloc` and prints the top allocation
sites after the last step (slower: tracing doubles the time and adds its own
memory, so its figures are not the RSS ones).

    python bench/bench_memory.py [--sizes 1000 10000 50000] [--rounds 3] [--before ../main]
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
STEPS = ("start", "search", "bookmark", "ten posts")
GOAL_MB = 150.0


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    line = next(ln for ln in status.splitlines() if ln.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def child(data_dir: str, trace: bool) -> None:
    """Run the steps in this process; print the figures as JSON on stdout."""
    import asyncio
    import contextlib
    import tracemalloc

    from textual.worker import WorkerCancelled

    if trace:
        tracemalloc.start(8)
    from reader.library import Library
    from reader.tui.app import ReaderApp

    figures: dict[str, float] = {}

    async def steps() -> None:
        try:  # as the TUI opens it: lazily, where the checkout can
            library = Library.open(data_dir, lazy=True)  # type: ignore[call-arg]
        except TypeError:
            library = Library.open(data_dir)
        app = ReaderApp(library)
        async with app.run_test(size=(120, 40)) as pilot:

            async def settle() -> None:
                # Until no worker is left: one may start another (the posts, then the index).
                await pilot.pause()
                while any(not w.is_finished for w in app.workers):
                    # A worker the app cancels (a newer load in its group) is done too.
                    with contextlib.suppress(WorkerCancelled):
                        await app.workers.wait_for_complete()
                    await pilot.pause()
                await pilot.pause()

            await settle()
            figures["start"] = _rss_mb()
            await pilot.press("slash", *"cache")
            await settle()
            figures["search"] = _rss_mb()
            await pilot.press("escape", "escape")
            await settle()
            await pilot.press("b")
            await settle()
            app.state_writer.drain()
            figures["bookmark"] = _rss_mb()
            for _ in range(10):
                await pilot.press("down")
                await settle()
            figures["ten posts"] = _rss_mb()
            await pilot.press("b")  # the bookmark goes again: the library is shared
            await settle()
            app.state_writer.drain()

    asyncio.run(steps())
    if trace:
        snapshot = tracemalloc.take_snapshot()
        figures["traced"] = sum(s.size for s in snapshot.statistics("filename")) / 2**20
        for kind, count in (("filename", 12), ("lineno", 25)):
            print(f"# top {count} by {kind}: MB, blocks, where")
            for stat in snapshot.statistics(kind)[:count]:
                print(f"# {stat.size / 2**20:7.1f} MB  {stat.count:8d}  {stat.traceback[0]}")
    print(json.dumps(figures))


def measure(code: Path, data_dir: Path, trace: bool = False) -> dict[str, float]:
    """One child run with the checkout `code` on `data_dir`."""
    for leftover in data_dir.glob("state.json*"):
        leftover.unlink()
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir)]
    done = subprocess.run(
        command + (["--trace"] if trace else []),
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    figures: dict[str, float] = json.loads(lines[-1])
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Print the median resident set after each step, ours beside before."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout to run beside ours")
    parser.add_argument("--trace", action="store_true", help="tracemalloc top entries too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.trace)
        return 0
    sys.path.insert(0, str(REPO))
    from bench.generate import ensure_data_dir

    checkouts = [("ours", REPO)]
    if args.before:
        checkouts.append(("before", args.before.resolve()))
    print("| posts | step | " + " | ".join(f"{n} RSS MB" for n, _ in checkouts) + " | goal |")
    print("|---|---|" + "---:|" * len(checkouts) + "---|")
    for size in args.sizes:
        data_dir = ensure_data_dir(size)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in checkouts}
        for _ in range(args.rounds):
            for name, code in checkouts:
                runs[name].append(measure(code, data_dir, args.trace))
        for step in STEPS:
            cells = [statistics.median(r[step] for r in runs[name]) for name, _ in checkouts]
            shown = " | ".join(f"{c:.0f}" for c in cells)
            print(f"| {size:,} | {step} | {shown} | < {GOAL_MB:g} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

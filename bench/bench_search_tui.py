"""Benchmark: from a keystroke in the search bar to the updated result list.

Types queries one character at a time into the TUI (headless, `App.run_test`)
and times each keystroke from the key press to the moment the post list shows
the results for the new text (debounce, search worker, list refill). The same
keystrokes on the bundled 10-post library are the baseline, measured in the
same run: the difference is what 10,000 posts cost. The search index is
loaded before timing starts, as the app does after its first frame.

Run: `python bench/bench_search_tui.py [--posts 10000] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_FPS", "1000")  # measure work, not 60 fps frame pacing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.message import Message
from textual.worker import WorkerCancelled

from bench.generate import ensure_bundled_data_dir, ensure_data_dir
from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.search_bar import SearchBar

QUERIES = ("monitoring", "cost optim", "database conection", "tag:caching error")
"""Typed a character at a time: words, a prefix, a typo, a tag with a word."""


async def settle(app: ReaderApp) -> None:
    """Wait for the app's workers; one cancelled by a newer one (a search, a count) is fine."""
    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def keystroke_times(root: Path, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds from each keystroke's text change to the list repainted with its results,
    and the event loop's CPU seconds in that span.

    Timed inside the app: the clock starts when the search bar reports the
    new text (the key has been handled) and stops after the first screen
    refresh that follows the list being refilled with that text's results.
    The debounce and the search worker are inside that span. The CPU time is
    the main thread's (`time.thread_time`): what the app's own work costs,
    which other processes on a busy machine do not inflate the way they do
    the wall-clock span.
    """
    library = Library(root)
    library.search_index()
    app = ReaderApp(library)
    times: list[float] = []
    cpu: list[float] = []
    started: dict[str, tuple[float, float]] = {}

    def hook(message: Message) -> None:
        # Called as each message is handled: time from the bar's new text to
        # the refresh after the matching results were shown.
        if isinstance(message, SearchBar.QueryChanged):
            started[message.query.strip()] = (time.perf_counter(), time.thread_time())
        elif isinstance(message, MainScreen.SearchFinished) and message.query in started:
            wall, spent = started.pop(message.query)

            def stop() -> None:
                times.append(time.perf_counter() - wall)
                cpu.append(time.thread_time() - spent)

            app.call_after_refresh(stop)

    async with app.run_test(size=(160, 45), message_hook=hook) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(rounds):
            for query in QUERIES:
                await pilot.press("slash")
                for char in query:
                    await pilot.press("space" if char == " " else char)
                    await settle(app)
                    while screen.shown_query != screen.search_query:
                        await asyncio.sleep(0.001)
                        await settle(app)
                    await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
    return times, cpu


def describe(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    large = ensure_data_dir(args.posts)
    bundled = ensure_bundled_data_dir()
    ours, ours_cpu = asyncio.run(keystroke_times(large, args.rounds))
    base, base_cpu = asyncio.run(keystroke_times(bundled, args.rounds))
    print(f"keystrokes timed: {len(ours)} per library (debounce included)")
    print()
    print(
        "| library | keystroke to list, median ms | p95 ms | event loop CPU, median ms | p95 ms |"
    )
    print("|---|---:|---:|---:|---:|")
    rows = [
        (f"generated ({args.posts:,} posts)", ours, ours_cpu),
        ("bundled (10 posts), baseline", base, base_cpu),
    ]
    for name, wall, cpu in rows:
        print(
            f"| {name} | {describe(wall)[0]:.1f} | {describe(wall)[1]:.1f} "
            f"| {describe(cpu)[0]:.1f} | {describe(cpu)[1]:.1f} |"
        )
    ratio = [
        describe(a)[i] / describe(b)[i]
        for a, b in ((ours, base), (ours_cpu, base_cpu))
        for i in (0, 1)
    ]
    print(f"| ratio | {ratio[0]:.2f}x | {ratio[1]:.2f}x | {ratio[2]:.2f}x | {ratio[3]:.2f}x |")


if __name__ == "__main__":
    main()

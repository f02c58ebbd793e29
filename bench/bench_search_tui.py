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


async def keystroke_times(root: Path, rounds: int) -> list[float]:
    """Seconds from each keystroke's text change to the list repainted with its results.

    Timed inside the app: the clock starts when the search bar reports the
    new text (the key has been handled) and stops after the first screen
    refresh that follows the list being refilled with that text's results.
    The debounce and the search worker are inside that span.
    """
    library = Library(root)
    library.search_index()
    app = ReaderApp(library)
    times: list[float] = []
    started: dict[str, float] = {}

    def hook(message: Message) -> None:
        # Called as each message is handled: time from the bar's new text to
        # the refresh after the matching results were shown.
        if isinstance(message, SearchBar.QueryChanged):
            started[message.query.strip()] = time.perf_counter()
        elif isinstance(message, MainScreen.SearchFinished) and message.query in started:
            begun = started.pop(message.query)
            app.call_after_refresh(lambda: times.append(time.perf_counter() - begun))

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
    return times


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
    ours = asyncio.run(keystroke_times(large, args.rounds))
    base = asyncio.run(keystroke_times(bundled, args.rounds))
    ours_median, ours_p95 = describe(ours)
    base_median, base_p95 = describe(base)
    print(f"keystrokes timed: {len(ours)} per library (debounce included)")
    print()
    print("| library | keystroke to list, median ms | p95 ms |")
    print("|---|---:|---:|")
    print(f"| generated ({args.posts:,} posts) | {ours_median:.1f} | {ours_p95:.1f} |")
    print(f"| bundled (10 posts), baseline | {base_median:.1f} | {base_p95:.1f} |")
    print(f"| ratio | {ours_median / base_median:.2f}x | {ours_p95 / base_p95:.2f}x |")


if __name__ == "__main__":
    main()

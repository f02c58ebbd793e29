"""Switching posts in the whole app on big libraries, beside a small one in the same run.

`bench/bench_render.py` times the reader pane alone; this runs the real
`ReaderApp` (headless, `run_test`, 120x40, the frame timer at 1000 fps so
the figures are work, not frame pacing) on generated libraries, opened
lazily as the TUI opens them, a child process each, and times:

* *while loading*: the cursor moved down in the list right after the first
  frame, while the posts and then the search index load in workers: from
  the move to the screen painted with that post in the reader;
* *switch*: the same once every worker is done, over 2-5 KB posts;
* *page down*: one page down in the library's longest post (~300 KB), once
  it is laid out, to painted.

The baseline is the same steps on the smallest library of the run (by
default 1,000 posts): switching should not grow with the library.

    python bench/bench_switch.py [--sizes 1000 10000 50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SWITCHES = 20
LOADING_SWITCHES = 8
PAGES = 20


def child(data_dir: str) -> None:
    """Run the steps in this process; print the figures (ms) as JSON."""
    os.environ["TEXTUAL_FPS"] = "1000"
    import asyncio

    sys.path.insert(0, str(REPO))
    from bench.bench_render import PaintClock
    from reader.library import Library
    from reader.tui.app import ReaderApp
    from reader.tui.screens.main import MainScreen
    from reader.tui.widgets.post_list import PostList
    from reader.tui.widgets.reader_pane import ReaderPane

    figures: dict[str, list[float]] = {"loading": [], "switch": [], "page down": []}
    busy_during: list[bool] = []

    async def steps() -> None:
        library = Library.open(data_dir, lazy=True)
        app = ReaderApp(library)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, MainScreen)
            clock = PaintClock(screen)
            post_list = screen.query_one(PostList)
            pane = screen.query_one(ReaderPane)

            async def switch() -> float:
                start = time.perf_counter()
                post_list.action_cursor_down()
                wanted = post_list.highlighted_slug

                def shown() -> bool:
                    return pane.post is not None and pane.post.slug == wanted

                return await clock.painted_after(start, shown)

            for _ in range(LOADING_SWITCHES):
                busy_during.append(any(not w.is_finished for w in app.workers))
                figures["loading"].append(await switch())
            while any(not w.is_finished for w in app.workers):
                await app.workers.wait_for_complete()
                await pilot.pause()
            for _ in range(SWITCHES):
                figures["switch"].append(await switch())
                await pilot.pause()
            longest = max(library.summaries(), key=lambda p: p.words)
            screen.open_slug(longest.slug)
            await clock.painted_after(
                time.perf_counter(),
                lambda: (
                    pane.post is not None and pane.post.slug == longest.slug and not pane.is_loading
                ),
                timeout=120,
            )
            for _ in range(PAGES):
                start = time.perf_counter()
                pane.action_scroll_pages(1)
                figures["page down"].append(await clock.painted_after(start))
                await pilot.pause()
            figures["longest KB"] = [len(pane.post.body) / 1000 if pane.post else 0.0]

    asyncio.run(steps())
    result = {k: [v * 1000 for v in vs] if k != "longest KB" else vs for k, vs in figures.items()}
    result["loading busy"] = [float(sum(busy_during))]
    print(json.dumps(result))


def main(argv: Sequence[str] | None = None) -> int:
    """Print medians per library, each beside the smallest library's."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    sys.path.insert(0, str(REPO))
    from bench.generate import ensure_data_dir

    dirs = {size: ensure_data_dir(size) for size in args.sizes}
    runs: dict[int, list[dict[str, list[float]]]] = {size: [] for size in args.sizes}
    for _ in range(args.rounds):
        for size, data_dir in dirs.items():  # interleaved: each round sees the same machine
            for leftover in data_dir.glob("state.json*"):
                leftover.unlink()
            command = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir)]
            done = subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
            runs[size].append(json.loads(done.stdout.strip().splitlines()[-1]))

    def median(size: int, step: str) -> float:
        return statistics.median(v for run in runs[size] for v in run[step])

    base = min(args.sizes)
    print(
        "| posts | while loading ms (moves with workers running) | switch ms | "
        "page down ms (longest post) | switch x smallest | page down x smallest |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        busy = statistics.median(run["loading busy"][0] for run in runs[size])
        longest = statistics.median(run["longest KB"][0] for run in runs[size])
        print(
            f"| {size:,} | {median(size, 'loading'):.1f} ({busy:.0f} of {LOADING_SWITCHES}) "
            f"| {median(size, 'switch'):.1f} | {median(size, 'page down'):.1f} ({longest:.0f} KB) "
            f"| {median(size, 'switch') / median(base, 'switch'):.2f}x "
            f"| {median(size, 'page down') / median(base, 'page down'):.2f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The palette's post titles: rapidfuzz over 50,000 titles, beside Textual's own fuzzy matcher.

Prints, measured in the same run, the median time of one query (`lakhouse`):
ours as the provider runs it on a keystroke (the store hands a fresh list of
the same summary objects, the kept titles are checked and reused), ours just
after the library changed (the titles taken again), and Textual's `Matcher`
over every title, which is what a provider using `self.matcher` would do.

Then what a keystroke waits for: the longest the event loop is held without
a turn while the palette's search runs (`TitleIndex.search`, slices of
`CHUNK` titles), beside the whole match in one call, which is how long the
loop was held before the search was sliced.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from textual.fuzzy import Matcher

from reader.models import PostSummary
from reader.tui.palette import TitleIndex

WORDS = [
    "data",
    "lakehouse",
    "redis",
    "caching",
    "streaming",
    "pipelines",
    "docker",
    "browser",
    "rust",
    "cdn",
]
QUERY = "lakhouse"


def posts(count: int) -> list[PostSummary]:
    """Titles made of the ten words in turn: one in ten or so holds `Lakehouse`."""
    return [
        PostSummary(f"p{i}", f"Post {i}: {WORDS[i % 10]} {WORDS[(i * 7) % 10]} notes")
        for i in range(count)
    ]


def median(run: Callable[[], object], times: int) -> float:
    """The median wall time of `run()` in milliseconds."""
    seen = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        seen.append((time.perf_counter() - start) * 1000)
    return statistics.median(seen)


def longest_hold(index: TitleIndex, summaries: list[PostSummary]) -> float:
    """The longest stretch, in ms, between two turns of the event loop during one search."""

    async def measure() -> float:
        gaps: list[float] = []
        done = False

        async def ticker() -> None:
            last = time.perf_counter()
            while not done:
                await asyncio.sleep(0)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        await index.search(QUERY, list(summaries))
        done = True
        await task
        return max(gaps) * 1000

    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    summaries = posts(args.posts)
    index = TitleIndex()
    index.match("warm", summaries)

    def keystroke() -> object:
        return index.match(QUERY, list(summaries))  # the store's summaries() is a new list

    def changed() -> object:
        return TitleIndex().match(QUERY, list(summaries))

    matcher = Matcher(QUERY)
    ours = median(keystroke, args.runs)
    cold = median(changed, args.runs)
    baseline = median(lambda: [matcher.match(p.title) for p in summaries], max(3, args.runs // 2))
    holds = [longest_hold(index, summaries) for _ in range(args.runs)]
    hold = statistics.median(holds)
    found = index.match(QUERY, summaries)
    print(f"{args.posts} titles, query {QUERY!r}, median ms of {args.runs} runs")
    print(f"  ours, a keystroke (titles kept):   {ours:8.1f}")
    print(f"  ours, after a library change:      {cold:8.1f}")
    print(f"  textual Matcher over every title:  {baseline:8.1f}  ({baseline / ours:.0f}x ours)")
    print(f"  loop held at most, sliced search:  {hold:8.1f}  (one call: {ours / hold:.0f}x)")
    print(f"  best hit: {found[0][0].title!r} ({found[0][1]:.2f})")


if __name__ == "__main__":
    main()

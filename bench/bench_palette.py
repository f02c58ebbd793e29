"""The palette's post titles: rapidfuzz over 50,000 titles, beside Textual's own fuzzy matcher.

Prints the median time of one query (`lakhouse`) both ways, measured in the same run.
"""

from __future__ import annotations

import statistics
import time

from textual.fuzzy import Matcher

from reader.models import PostSummary
from reader.tui.palette import match_titles

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
COUNT = 50_000


def posts() -> list[PostSummary]:
    """Titles made of ten words in turn, one of them `Lakehouse`-like every few."""
    return [
        PostSummary(f"p{i}", f"Post {i}: {WORDS[i % 10]} {WORDS[(i * 7) % 10]} notes")
        for i in range(COUNT)
    ]


def median(run: object, times: int = 7) -> float:
    """The median wall time of `run()` in milliseconds."""
    seen = []
    for _ in range(times):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        seen.append((time.perf_counter() - start) * 1000)
    return statistics.median(seen)


def main() -> None:
    summaries = posts()
    match_titles("warm", summaries)  # the title list is built once per library change
    ours = median(lambda: match_titles("lakhouse", summaries))
    matcher = Matcher("lakhouse")
    baseline = median(lambda: [matcher.match(p.title) for p in summaries], times=3)
    print(f"{COUNT} titles, query 'lakhouse' (median ms)")
    print(f"  rapidfuzz process.extract: {ours:8.1f}")
    print(f"  textual Matcher, each title: {baseline:8.1f}  ({baseline / ours:.0f}x ours)")


if __name__ == "__main__":
    main()

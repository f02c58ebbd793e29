"""Sorting benchmark: each browse order of 50,000 post summaries, and a refill after it.

Ours: `reader.sorting.sort_posts` for each order (the first time an order is
asked for in a library load: folding and splitting every title for the
natural order, parsing every date), then what every later refill of the list
costs (`PostOrders` finds the posts unchanged and hands out a copy of the
kept order), and `reader.listing.Places` (telling repeated titles apart: made
on every refill, asked for the rows drawn).

Baselines, measured in the same run: the copy of the list in import order
(all a refill did before there were orders), and Python's sort of the same
posts by their raw title string.

The summaries are built in memory, like `bench/generate.py`'s posts: its title
shapes and tags, its dates (`post_date`: one in twenty undated, some with an
offset), 1-5 KB of words. Medians over `--rounds` after one warm-up.

    python bench/bench_sort.py [--posts 50000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import ROLES, TITLE_SHAPES, load_vocabulary, post_date
from reader.listing import Places, places
from reader.models import PostSummary
from reader.sorting import PostOrders, SortOrder, sort_posts


def summaries(count: int, seed: int = 0) -> list[PostSummary]:
    """`count` post summaries with the generator's titles, tags and dates."""
    vocab = load_vocabulary()
    rng = random.Random(seed)
    dates = random.Random(f"dates-{seed}")
    posts = []
    for index in range(count):
        tags = tuple(rng.sample(vocab.tags, rng.randint(1, 4)))
        title = rng.choice(TITLE_SHAPES).format(
            topic=rng.choice(vocab.topics).title(),
            other=rng.choice(vocab.topics).title(),
            n=rng.randint(3, 12),
            year=rng.randint(2019, 2027),
            role=rng.choice(ROLES),
        )
        when = post_date(dates)
        date = None if when is None else when.isoformat()
        if isinstance(when, datetime):
            date = when.isoformat(timespec="seconds")
        posts.append(
            PostSummary(
                slug=f"post-{index}",
                title=title,
                tags=tags,
                words=rng.randint(150, 800),
                source=f"/library/{index // 1000:03d}/{index:06d}.md",
                date=date,
            )
        )
    return posts


def median_ms(call: Callable[[], object], rounds: int) -> float:
    """Median milliseconds per call, after one warm-up call."""
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    posts = summaries(args.posts)
    rounds = args.rounds
    print(f"{args.posts} post summaries; Python {platform.python_version()}; medians, ms")
    print()
    copy = median_ms(lambda: list(posts), rounds)
    raw = median_ms(lambda: sorted(posts, key=lambda p: p.title), rounds)
    print(f"{'baseline: copy in import order':<44} {copy:8.1f}")
    print(f"{'baseline: sorted by raw title':<44} {raw:8.1f}")
    print()
    for order in SortOrder:
        took = median_ms(lambda order=order: sort_posts(posts, order), rounds)
        print(f"{'first sort: ' + order.value:<44} {took:8.1f}")
    orders = PostOrders(posts)
    for order in SortOrder:
        orders.sorted(order)

    def refill() -> list[PostSummary]:
        current = list(posts)  # what `PostStore.summaries` hands out
        assert orders.holds(current)
        return list(orders.sorted(SortOrder.TITLE))

    print()
    print(f"{'refill after: unchanged check + copy':<44} {median_ms(refill, rounds):8.1f}")

    def screenful() -> None:
        telling = Places(posts)  # on every refill
        for post in posts[:20]:  # the rows drawn
            telling.of(post)

    print(f"{'places: a refill and a screenful drawn':<44} {median_ms(screenful, rounds):8.1f}")
    every = median_ms(lambda: places(posts), rounds)
    print(f"{'places: every row (worst case, not the TUI)':<44} {every:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

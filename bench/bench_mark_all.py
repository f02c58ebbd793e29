"""Bulk read-mark benchmark: `M` on a 10,000-post list, as the state store writes it.

Ours: `StateStore.set_read_many` of N slugs on `state.json` (one atomic write,
TinyDB's `insert_multiple`), then the undo (`set_read_many(..., read=False)`,
one write). Baselines, measured in the same run on the same kind of file: the
same N marks as N `set_read` calls (a write per post, what `M` would cost
without a bulk method), and the N marks put in one change by a `Table.insert`
per document (one write, but TinyDB rebuilds the table at each insert). The
first two baselines are cut to `--sample` posts and scaled up, so the run stays
short; the figure printed says so.

    python bench/bench_mark_all.py [--posts 10000] [--rounds 5] [--sample 500]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.state import StateStore
from reader.state.codec import READ


def fresh(folder: Path, name: str, read: int) -> StateStore:
    """A store whose file holds `read` read marks already (a library half read)."""
    store = StateStore(folder / name / "state.json")
    (folder / name).mkdir(exist_ok=True)
    store.set_read_many(f"old-{i}" for i in range(read))
    return store


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def each_alone(store: StateStore, slugs: list[str]) -> None:
    """A `set_read` (and a write) per mark."""
    for slug in slugs:
        store.set_read(slug)


def per_insert(store: StateStore, slugs: list[str]) -> None:
    """One change, a TinyDB `insert` per mark (what `add_many` replaces)."""
    from reader.state.journal import Op

    def decide(state):  # type: ignore[no-untyped-def]
        def apply(target):  # type: ignore[no-untyped-def]
            for slug in slugs:
                target.put(READ, {"slug": slug, "at": "2026-01-01T00:00:00+00:00"})

        return None, Op(apply, "marks")

    store._state.change(decide)  # the store's own transaction: no public way to do it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    posts, sample = args.posts, min(args.sample, args.posts)
    ours, undo, each, inserts = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for r in range(args.rounds):
            slugs = [f"p-{r}-{i}" for i in range(posts)]
            store = fresh(folder, f"ours{r}", posts)
            ours.append(timed(partial(store.set_read_many, slugs)))
            undo.append(timed(partial(store.set_read_many, slugs, read=False)))
            one = fresh(folder, f"each{r}", posts)
            part = slugs[:sample]
            each.append(timed(partial(each_alone, one, part)) * posts / sample)
            two = fresh(folder, f"insert{r}", posts)
            inserts.append(timed(partial(per_insert, two, part)) * posts / sample)
    print(f"python {platform.python_version()}, {posts} posts marked, {posts} read before")
    print(f"  ours  set_read_many (one write)            {statistics.median(ours):9.1f} ms")
    print(f"  ours  undo, set_read_many(read=False)      {statistics.median(undo):9.1f} ms")
    print(f"  base  a set_read per post                  {statistics.median(each):9.1f} ms")
    print(f"  base  one write, an insert per post        {statistics.median(inserts):9.1f} ms")
    print(f"  (both baselines timed on {sample} posts and scaled to {posts})")
    print(
        f"  ratio a write per post / ours: {statistics.median(each) / statistics.median(ours):.0f}x"
    )


if __name__ == "__main__":
    main()

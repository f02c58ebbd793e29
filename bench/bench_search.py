"""Search benchmark: the index against a plain linear scan, on generated libraries.

For each library size it prints the median and p95 time of one-word,
three-word, prefix, phrase and typo queries through `SearchIndex.search`
(ranking only, and one-word with the top 20 snippets), beside a linear scan
over the same posts' folded text held in memory (substring tests: the
cheapest scan there is, and looser than the index). Also the index build
time and the memory it takes while building (tracemalloc), its file size,
its save and load times, and the memory a loaded index holds: tracemalloc
after `SearchIndex.load`, and the growth of the resident set (VmRSS) of a
fresh process that loads it.

    python bench/bench_search.py [--sizes 1000 10000] [--queries 60]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import ensure_content
from reader.models import Post
from reader.parsing import parse_markdown
from reader.search import SearchIndex, fold, parse_query, terms
from reader.search.tokenize import markdown_to_plain


def load_posts(count: int) -> list[Post]:
    """The generated library of `count` posts, parsed (not imported: no TinyDB here)."""
    folder = ensure_content(count)
    posts: list[Post] = []
    for path in sorted(folder.rglob("*.md")):
        parsed = parse_markdown(path.read_text(encoding="utf-8"))
        posts.append(
            Post(
                slug=parsed.slug or path.stem,
                title=parsed.title,
                tags=parsed.tags,
                sections=parsed.sections,
                words=parsed.words,
                body=parsed.body,
            )
        )
    return posts


def make_queries(posts: Sequence[Post], n: int, seed: int = 0) -> dict[str, list[str]]:
    """Deterministic queries of each kind, drawn from the posts' own words."""
    rng = random.Random(seed)
    kinds: dict[str, list[str]] = {k: [] for k in ("one", "three", "prefix", "phrase", "typo")}
    vocabulary = set()
    sample = rng.sample(list(posts), min(len(posts), 200))
    for post in sample:
        vocabulary.update(terms(post.body))
    while min(len(v) for v in kinds.values()) < n:
        post = rng.choice(sample)
        words = [w for w in terms(markdown_to_plain(post.body)) if len(w) >= 4 and w.isalpha()]
        if len(words) < 10:
            continue
        kinds["one"].append(rng.choice(words) + " ")
        kinds["three"].append(" ".join(rng.sample(words, 3)) + " ")
        kinds["prefix"].append(rng.choice(words)[:4] + "*")
        body_words = terms(markdown_to_plain(post.body))
        at = rng.randrange(len(body_words) - 1)
        kinds["phrase"].append(f'"{body_words[at]} {body_words[at + 1]}"')
        long_words = [w for w in words if len(w) >= 6]
        if long_words:
            word = rng.choice(long_words)
            i = rng.randrange(1, len(word))
            typo = word[:i] + ("x" if word[i] != "x" else "z") + word[i + 1 :]
            if typo not in vocabulary:
                kinds["typo"].append(typo + " ")
    return {k: v[:n] for k, v in kinds.items()}


def scan_texts(posts: Sequence[Post]) -> list[tuple[str, str]]:
    """Each post's searchable text, folded once up front (in the scan's favour)."""
    return [
        (
            p.slug,
            fold(
                " ".join(
                    [p.title, *p.tags, *(s.heading for s in p.sections), markdown_to_plain(p.body)]
                )
            ),
        )
        for p in posts
    ]


def linear_scan(texts: Sequence[tuple[str, str]], query: str) -> list[str]:
    """The baseline: every post whose folded text contains every word (or the phrase)."""
    parsed = parse_query(query)
    needles = [" ".join(c.terms) for c in parsed.positive]
    return [slug for slug, text in texts if all(n in text for n in needles)]


def timed(function: Callable[[], object], repeat: int = 1) -> float:
    """Best-of-`repeat` wall time of one call, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def p95(values: Sequence[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


_RSS_PROBE = """
import gc, sys
from pathlib import Path
from reader.search import SearchIndex

def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
    return 0.0

gc.collect()
before = rss()
index = SearchIndex.load(Path(sys.argv[1]))
gc.collect()
print(rss() - before if index is not None else -1)
"""


def loaded_rss_mb(path: Path) -> float | None:
    """Resident-set growth of a fresh process that loads the index at `path` (Linux only)."""
    if not Path("/proc/self/status").exists():
        return None
    done = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(done.stdout.strip())


def loaded_memory_mb(path: Path) -> float:
    """What a loaded index holds, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = SearchIndex.load(path)
    gc.collect()
    held = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    tracemalloc.stop()
    del index
    return held


def bench_size(count: int, n_queries: int) -> list[str]:
    """Run every measurement on a library of `count` posts; return table rows."""
    posts = load_posts(count)
    gc.collect()
    started = time.perf_counter()
    index = SearchIndex.build(posts)
    build_s = time.perf_counter() - started

    del index
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = SearchIndex.build(posts)
    gc.collect()
    memory_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    tracemalloc.stop()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search-index.bin"
        save_ms = timed(lambda: index.save(path))
        size_mb = path.stat().st_size / 1e6
        load_ms = timed(lambda: SearchIndex.load(path), repeat=3)
        held_mb = loaded_memory_mb(path)
        rss_mb = loaded_rss_mb(path)

    texts = scan_texts(posts)
    queries = make_queries(posts, n_queries)
    rss = f", RSS +{rss_mb:.0f} MB" if rss_mb is not None else ""
    rows = [
        f"| {count:,} | build {build_s:.2f} s (memory {memory_mb:.0f} MB), file {size_mb:.1f} MB,"
        f" save {save_ms:.0f} ms, load {load_ms:.0f} ms, loaded {held_mb:.0f} MB{rss} | | | |"
    ]
    for kind, batch in queries.items():
        for query in batch[:3]:  # warm caches (sorted vocabulary, length buckets)
            index.search(query, snippets=False)
        ours = [timed(lambda q=q: index.search(q, snippets=False)) for q in batch]  # type: ignore[misc]
        scan = [timed(lambda q=q: linear_scan(texts, q)) for q in batch]  # type: ignore[misc]
        ratio = statistics.median(scan) / statistics.median(ours)
        rows.append(
            f"| {count:,} | {kind} | {statistics.median(ours):.2f} / {p95(ours):.2f}"
            f" | {statistics.median(scan):.1f} / {p95(scan):.1f} | {ratio:.0f}x |"
        )
    snippet_ms = [timed(lambda q=q: index.search(q, limit=20)) for q in queries["one"]]  # type: ignore[misc]
    rows.append(
        f"| {count:,} | one + 20 snippets | {statistics.median(snippet_ms):.2f} /"
        f" {p95(snippet_ms):.2f} | | |"
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Print the Markdown table for docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=60, help="queries of each kind")
    args = parser.parse_args(argv)
    print("| posts | query kind | index median / p95 (ms) | scan median / p95 (ms) | speed-up |")
    print("|---|---|---|---|---|")
    for count in args.sizes:
        for row in bench_size(count, args.queries):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

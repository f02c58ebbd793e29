"""Refreshing feeds: 50 local feeds of 100 entries each, cold and when nothing changed.

The feeds are served from 127.0.0.1 by `http.server` (which answers
If-Modified-Since with 304). Printed beside a baseline measured in the same
run: plain `feedparser.parse` of the same 50 files from disk, with no
fetching, converting or importing. Medians of `--repeat` runs.

    PYTHONPATH=. python bench/bench_feeds.py [--feeds 50] [--entries 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser

from reader.feeds.refresh import refresh
from reader.feeds.subscribe import add_feeds
from reader.library import Library


def write_feeds(folder: Path, feeds: int, entries: int) -> list[Path]:
    paths = []
    for f in range(feeds):
        items = "".join(
            f"<item><title>Feed {f} entry {e}</title><link>http://127.0.0.1/{f}/{e}</link>"
            f"<guid>f{f}-e{e}</guid><pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>"
            f"<description><![CDATA[<h2>Part one</h2><p>Entry {e} of feed {f}, about tides "
            f"and <em>moons</em>.</p><h2>Part two</h2><p>{'More words here. ' * 20}</p>]]>"
            "</description></item>"
            for e in range(entries)
        )
        path = folder / f"feed{f}.xml"
        path.write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>'
            f"{items}</channel></rss>",
            "utf-8",
        )
        paths.append(path)
    return paths


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def timed(call: functools.partial[object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served"
        served.mkdir()
        paths = write_feeds(served, args.feeds, args.entries)
        handler = functools.partial(Quiet, directory=str(served))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        baseline, cold, warm = [], [], []
        for run in range(args.repeat):
            baseline.append(timed(functools.partial(lambda: [feedparser.parse(p) for p in paths])))
            library = Library.open(Path(tmp) / f"data{run}", seed=False)
            add_feeds(library, [(f"{base}/{p.name}", "") for p in paths])
            cold.append(timed(functools.partial(refresh, library)))
            warm.append(timed(functools.partial(refresh, library)))
        server.shutdown()
    b, c, w = (statistics.median(x) for x in (baseline, cold, warm))
    total = args.feeds * args.entries
    print(f"{args.feeds} feeds x {args.entries} entries ({total} posts), median of {args.repeat}")
    print(f"baseline feedparser.parse of the files: {b:8.3f} s")
    print(f"refresh, cold (fetch+parse+convert+import): {c:8.3f} s  ({c / b:.2f}x baseline)")
    print(f"refresh, nothing changed (all 304):     {w:8.3f} s  ({w / b:.2f}x baseline)")


if __name__ == "__main__":
    main()

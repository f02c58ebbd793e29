"""Relevance benchmark: precision@3 of `reader search` on a judged set of queries.

The library is `bench/relevance_posts/` (38 short posts written for this:
`git` beside `gitlint` and `gitmoji`, `ls` beside `lsof` and `lsp`, word
forms, CVE numbers, versions, tags; most are dated, and a few get a
bookmark note, `NOTES`, before the queries run). Each query below lists the posts judged
relevant to it, by reading them. A query is run as the CLI runs it
(`Library.search`, not while typing), and its precision@3 is the share of
its first three results that are relevant, out of at most three (a query with
one relevant post scores 1 when that post comes first... or second or third).

    python bench/relevance.py            # a table per query kind and overall
    python bench/relevance.py --queries  # also every query with what it found

Run it on another checkout (PYTHONPATH=that checkout) for a "before" figure:
it uses only `Library.open`, `import_paths` and `search`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.library import Library

POSTS = Path(__file__).resolve().parent / "relevance_posts"
K = 3

JUDGED: list[tuple[str, str, set[str]]] = [
    # kind, query, the posts relevant to it
    ("exact", "git", {"git-basics", "git-hooks"}),
    ("exact", "ls", {"ls-command"}),
    ("exact", "lsp", {"lsp-servers"}),
    ("exact", "redis", {"redis-caching", "memcached-vs-redis", "rate-limiting"}),
    ("exact", "rust", {"rust-1-54", "rust-1-45", "cve-2023-38497"}),
    ("exact", "docker", {"docker-images"}),
    ("exact", "kafka", {"streaming-pipelines"}),
    ("exact", "canary", {"canary-releases"}),
    ("exact", "obsidian", {"obsidian-vault"}),
    ("exact", "pipelines", {"gitlab-ci", "streaming-pipelines"}),
    ("exact", "cli", {"cli-tools"}),
    ("exact", "hooks", {"git-hooks"}),
    ("forms", "cache redis", {"redis-caching", "memcached-vs-redis"}),
    ("forms", "deployments", {"blue-green", "canary-releases"}),
    ("forms", "deploy", {"blue-green", "canary-releases"}),
    ("forms", "monitor", {"monitoring-alerts", "observability"}),
    ("forms", "alert", {"monitoring-alerts"}),
    ("forms", "indexing postgres", {"postgres-indexes"}),
    ("forms", "caches", {"redis-caching", "memcached-vs-redis", "cache-stampede", "cdn-caching"}),
    ("forms", "flaky test", {"testing-flaky"}),
    ("forms", "probe", {"kubernetes-probes"}),
    ("forms", "packages python", {"python-packaging"}),
    ("forms", "embedding", {"rag-architecture", "vector-databases"}),
    ("forms", "commit messages", {"gitlint-config", "gitmoji-guide", "git-hooks"}),
    ("forms", "lint", {"gitlint-config", "git-hooks"}),
    ("forms", "upgrade rust", {"rust-1-54", "rust-1-45", "cve-2023-38497"}),
    ("forms", "expired key", {"cache-stampede"}),
    ("typos", "stampeed", {"cache-stampede"}),
    ("typos", "obsidain", {"obsidian-vault"}),
    ("typos", "kuberentes", {"kubernetes-probes", "canary-releases"}),
    ("typos", "memcahced", {"memcached-vs-redis"}),
    ("typos", "lakehosue", {"lakehouse"}),
    ("typos", "monitorign", {"monitoring-alerts", "observability"}),
    ("typos", "pipleines", {"gitlab-ci", "streaming-pipelines"}),
    ("typos", "pgbounser", {"connection-pooling"}),
    ("typos", "gitlnit", {"gitlint-config"}),
    ("typos", "dokcer", {"docker-images"}),
    ("phrases", '"connection pool"', {"connection-pooling"}),
    ("phrases", '"cache invalidation"', {"redis-caching"}),
    ("phrases", '"vector database"', {"vector-databases", "rag-architecture"}),
    ("phrases", '"thundering herd"', {"cache-stampede"}),
    ("phrases", '"token bucket"', {"rate-limiting"}),
    ("phrases", '"machine learning"', {"machine-learning-intro"}),
    ("phrases", '"git log"', {"git-basics"}),
    ("identifiers", "CVE-2023-38497", {"cve-2023-38497", "security-roundup-2023"}),
    ("identifiers", "CVE-2023-4863", {"cve-2023-4863", "security-roundup-2023"}),
    ("identifiers", "1.54", {"rust-1-54"}),
    ("identifiers", "rust 1.45", {"rust-1-45"}),
    ("identifiers", "pre-commit", {"git-hooks"}),
    ("identifiers", "PgBouncer", {"connection-pooling"}),
    ("identifiers", "v3", {"browser-extensions"}),
    ("identifiers", "429", {"rate-limiting"}),
    ("identifiers", "HNSW", {"vector-databases"}),
    ("tags", "tag:caching redis", {"redis-caching", "memcached-vs-redis"}),
    ("tags", "tag:rust 1.54", {"rust-1-54"}),
    ("tags", "tag:security cargo", {"cve-2023-38497", "security-roundup-2023"}),
    ("tags", "tag:kubernetes deploy", {"canary-releases"}),
    ("tags", "tag:python cli", {"cli-tools"}),
    ("tags", "tag:databases postgres", {"postgres-indexes", "connection-pooling"}),
    ("or", "redis OR memcached", {"redis-caching", "memcached-vs-redis", "rate-limiting"}),
    ("or", "sqlite OR pgbouncer", {"sqlite-tips", "connection-pooling"}),
    ("or", "(canary OR blue-green) rollback", {"blue-green"}),
    ("exclusion", "caching -redis", {"cdn-caching", "cache-stampede"}),
    ("dates", "rust year:2021", {"rust-1-54"}),
    ("dates", "rust before:2020-12", {"rust-1-45"}),
    ("dates", "caching after:2024-06", {"cdn-caching", "cache-stampede"}),
    ("dates", "security year:2023", {"cve-2023-38497", "cve-2023-4863", "security-roundup-2023"}),
    ("dates", "deploy after:2024", {"canary-releases"}),
    ("dates", "redis before:2023-12-31", {"memcached-vs-redis"}),
    ("dates", "git after:2022 before:2023-06", {"git-hooks"}),  # as for `git`: not gitlint
    ("notes", "note:rollout", {"canary-releases"}),
    ("notes", "is:noted caching", {"redis-caching", "cdn-caching"}),
    ("notes", "session store", {"redis-caching"}),
    ("notes", "purge", {"cdn-caching"}),
    ("notes", "incremental builds", {"rust-1-54"}),
    ("notes", "note:ci", {"rust-1-54", "gitlab-ci"}),
]
"""At least 40 queries of every kind, with the posts judged relevant to each."""

NOTES = {
    "redis-caching": "use this for the session store migration",
    "cdn-caching": "ask ops about the purge API",
    "canary-releases": "our rollout plan follows this",
    "rust-1-54": "incremental builds fixed our CI times",
    "gitlab-ci": "compare with our CI config",
}
"""Bookmark notes set before the queries run (the "notes" queries match them)."""


def precision(found: Sequence[str], relevant: set[str]) -> float:
    """Relevant posts among the first `K` found, out of at most `K`."""
    return sum(slug in relevant for slug in found[:K]) / min(K, len(relevant))


def run(show: bool) -> dict[str, list[float]]:
    """Every query's precision@3, by kind."""
    by_kind: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp), seed=False)
        library.import_paths([POSTS])
        for slug, note in NOTES.items():
            library.state.set_note(slug, note)
        for kind, query, relevant in JUDGED:
            try:
                found = [hit.slug for hit in library.search(query, limit=K).hits]
            except Exception as error:  # a query the code cannot read scores 0
                found = [f"({type(error).__name__})"]
            score = precision(found, relevant)
            by_kind.setdefault(kind, []).append(score)
            if show:
                print(f"{score:.2f}  {kind:<12} {query:<34} {', '.join(found)}")
    return by_kind


def main(argv: Sequence[str] | None = None) -> int:
    """Print precision@3 per kind and overall (a Markdown table)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--queries", action="store_true", help="also show every query")
    args = parser.parse_args(argv)
    by_kind = run(args.queries)
    print("| kind | queries | precision@3 |")
    print("|---|---|---|")
    every: list[float] = []
    for kind, scores in by_kind.items():
        every += scores
        print(f"| {kind} | {len(scores)} | {sum(scores) / len(scores):.2f} |")
    print(f"| all | {len(every)} | {sum(every) / len(every):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every posting at once (`reader.search.weighing`) against one post at a time.

`SearchIndex._reweigh` fills the postings with numpy; a small update weighs
each post in Python (`SearchIndex._weigh`, `scoring.impacts`). Both must
give the same stored impact to every (post, term), bit for bit, the same
document frequencies, the same dense rows, and pair bitmaps that hold
exactly the posts where the pair stands. The library is generated (seeded,
Zipf-like, so common terms get dense rows and common pairs get bitmaps).
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from reader.models import Post, Section
from reader.search import SearchIndex, scoring
from reader.search.forward import OVERFLOW_CHAR, ForwardLists
from reader.search.pairs import PAIR_MIN, PAIR_SHARE, PairBitmaps
from reader.search.parts import IndexParts
from reader.search.postings import DENSE_MIN, DENSE_SHARE
from reader.search.scoring import SCALE
from reader.search.vocabulary import BARRIER, FIELD, FIRST_TERM

_WORDS = [
    "the",
    "of",
    "and",
    "cache",
    "data",
    "redis",
    "stampede",
    "pipeline",
    "lake",
    "query",
    "index",
    "graph",
    "tokyo",
    "café",
    "naïve",
    "token",
    "shard",
    "replica",
    "leader",
    "quorum",
    "vector",
    "latency",
    "queue",
    "worker",
    "retry",
    "backoff",
    "jitter",
    "window",
    "bloom",
    "filter",
    "merge",
    "compaction",
    "snapshot",
    "東京",
    "キャッシュ",
]


def _words(rng: random.Random, count: int) -> str:
    weights = [1 / (i + 1) for i in range(len(_WORDS))]
    return " ".join(rng.choices(_WORDS, weights=weights, k=count))


def _posts(rng: random.Random, count: int) -> list[Post]:
    posts = []
    for i in range(count):
        sections = tuple(
            Section(_words(rng, rng.randrange(1, 4)), f"s{j}", 2, j)
            for j in range(rng.randrange(4))
        )
        body = "\n\n".join(_words(rng, rng.randrange(0, 60)) for _ in range(rng.randrange(1, 4)))
        # Some rare words, so that a removal leaves terms no post holds.
        body += f" rare{rng.randrange(count)} word{i}"
        posts.append(
            Post(
                slug=f"p{i}",
                title=_words(rng, rng.randrange(0, 6)),
                tags=tuple(rng.sample(["ops", "data", "café", "ml"], rng.randrange(0, 3))),
                sections=sections,
                body=body,
                source=f"/{i}.md",
            )
        )
    return posts


def _postings(parts: IndexParts) -> dict[int, dict[int, int]]:
    """Every term's stored impact by post, whatever the layout."""
    postings = parts.postings
    found: dict[int, dict[int, int]] = {}
    for term in range(len(postings.df)):
        row = postings.dense.get(term)
        if row is not None:
            found[term] = {d: v for d, v in enumerate(row) if v}
        else:
            ids, impacts = postings.sparse(term)
            found[term] = dict(zip(ids, impacts, strict=True))
    return {t: p for t, p in found.items() if p}


def _one_at_a_time(parts: IndexParts) -> dict[int, dict[int, int]]:
    """What weighing each post on its own gives, by term and post."""
    averages = parts.documents.averages()
    found: dict[int, dict[int, int]] = {}
    for doc_id in range(len(parts.documents.slugs)):
        fields = parts.forward.field_counts(doc_id)
        lengths = parts.documents.field_lengths(doc_id)
        for term, impact in scoring.impacts(fields, lengths, averages).items():
            found.setdefault(term, {})[doc_id] = int(impact * SCALE + 0.5) or 1
    return found


def _pairs_expected(forward: ForwardLists, posts: int) -> dict[str, set[int]]:
    """The pairs a sample makes common, and the posts holding each."""
    step = PairBitmaps.sample_step(posts)
    sampled = Counter(k for d in range(0, posts, step) for k in forward.pairs(d))
    size = (posts + step - 1) // step
    special = {chr(BARRIER), chr(FIELD), OVERFLOW_CHAR}
    common = {
        k
        for k, c in sampled.items()
        if c * step >= PAIR_MIN and c * PAIR_SHARE >= size and not set(k) & special
    }
    return {k: {d for d in range(posts) if k in forward.pairs(d)} for k in common}


def _bitmap_posts(bitmap: bytearray | memoryview) -> set[int]:
    return {i * 8 + b for i, byte in enumerate(bitmap) for b in range(8) if byte >> b & 1}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("code_limit", [None, 40])
def test_every_posting_at_once_is_what_each_post_alone_gives(
    seed: int, code_limit: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if code_limit is not None:  # term ids past it overflow their sequence's characters
        monkeypatch.setattr("reader.search.forward.CODE_LIMIT", code_limit)
    rng = random.Random(seed)
    posts = _posts(rng, 700)
    index = SearchIndex.build(posts)
    # Removing posts leaves holes and unused terms: the next reweigh compacts both.
    index.update([], remove=[p.slug for p in posts[::3]])
    index._reweigh()
    parts = index._parts
    if code_limit is not None:
        assert parts.forward.overflow
    n = len(parts.documents.slugs)
    assert n == len(posts) - len(posts[::3])

    expected = _one_at_a_time(parts)
    assert _postings(parts) == expected
    df = parts.postings.df
    assert all(df[t] == 0 for t in range(FIRST_TERM))
    assert {t: df[t] for t in range(FIRST_TERM, len(df))} == {
        t: len(expected.get(t, ())) for t in range(FIRST_TERM, len(df))
    }
    # Every term left is held by a post, and dense exactly when it is common.
    assert len(df) == len(parts.vocabulary) == FIRST_TERM + len(expected)
    dense = {
        t for t in expected if len(expected[t]) >= DENSE_MIN and len(expected[t]) * DENSE_SHARE > n
    }
    assert dense and set(parts.postings.dense) == dense

    pairs = _pairs_expected(parts.forward, n)
    assert pairs and set(parts.pairs.bitmaps) == set(pairs)
    for key, holders in pairs.items():
        assert len(parts.pairs.bitmaps[key]) == (n + 7) >> 3
        assert _bitmap_posts(parts.pairs.bitmaps[key]) == holders

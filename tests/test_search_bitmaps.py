"""Common words are intersected as bitmaps: the same answers as one by one, kept up to date."""

from __future__ import annotations

from array import array

import pytest

from reader.models import Post
from reader.search import SearchIndex, bitsets
from reader.search import evaluate as evaluation
from reader.search.bitsets import BitmapCache, dense_bits, sparse_bits


def test_bitmaps_of_dense_and_sparse_postings() -> None:
    row = array("H", [0, 3, 0, 0, 256, 0, 1])
    assert dense_bits(row) == 0b1010010  # a high byte counts too (256)
    assert sparse_bits(array("I", [1, 4, 6])) == 0b1010010
    assert sparse_bits(array("I")) == 0 and dense_bits(array("H")) == 0


def test_the_cache_keeps_the_recent_within_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bitsets, "CACHE_BYTES", 100)
    cache = BitmapCache()
    cache.put(1, 1 << 600)
    cache.put(2, 1 << 600)
    assert cache.get(1) is None and cache.get(2) == 1 << 600


def _posts(n: int) -> list[Post]:
    words = ["alpha", "beta", "gamma", "delta"]
    return [
        Post(
            slug=f"p{i}",
            title=f"Post {i}",
            body=" ".join(w for k, w in enumerate(words) if i % (k + 2) == 0) + " common",
            words=5,
        )
        for i in range(n)
    ]


def test_bitmaps_answer_as_the_one_by_one_path(monkeypatch: pytest.MonkeyPatch) -> None:
    index = SearchIndex.build(_posts(400))
    queries = ["alpha beta", "common alpha gamma", "beta delta common", "alpha -beta common"]
    with_bitmaps = {q: index.search(q, limit=500) for q in queries}
    monkeypatch.setattr(evaluation, "BITMAP_SHARE", 0)  # never bitmaps
    for query in queries:
        one_by_one = index.search(query, limit=500)
        assert [h.slug for h in with_bitmaps[query].hits] == [h.slug for h in one_by_one.hits]
        assert with_bitmaps[query].total == one_by_one.total > 0


def test_cached_bitmaps_follow_updates() -> None:
    index = SearchIndex.build(_posts(100))
    assert index.search("alpha beta").total == 17  # multiples of 6 below 100
    index.update([Post(slug="p1", title="Post 1", body="alpha beta", words=2)])
    assert index.search("alpha beta").total == 18
    index.update([], remove=["p0"])
    assert index.search("alpha beta").total == 17

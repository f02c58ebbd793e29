"""The index against a naive oracle: a scan of every post that knows nothing of the layout.

Over a generated library (seeded, Zipf-like words, so the common terms get
dense rows and the common pairs get bitmaps), the oracle tokenizes each post
with the same `terms` and answers AND, phrase and negated queries by looking
at every post; its BM25 is the documented formula (per field, saturated,
weighted, summed) in floating point, without the index's 16-bit impacts.
The index must return exactly the oracle's match sets, built, updated in
place, and saved and loaded; on a fresh build its scores and top hits must
agree too.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from reader.models import Post, Section
from reader.search import SearchIndex, terms
from reader.search.tokenize import markdown_to_plain

_VOCABULARY = """
the of and cache data redis stampede pipeline lake query index graph tokyo café naïve
résumé token shard replica leader follower quorum vector latency budget queue worker
retry backoff jitter window bloom filter merge compaction snapshot
"""
_WORDS = _VOCABULARY.split()
_TAGS = ("ops", "data", "Machine Learning", "databases", "distributed systems", "café")

# The ranking function as documented in reader/search/scoring.py, restated.
_WEIGHTS = (5.0, 2.5, 2.5, 1.0)
_B = (0.3, 0.3, 0.5, 0.75)
_K1 = 1.2


def _text(rng: random.Random, count: int) -> str:
    """`count` words, Zipf-like, with some capitals and punctuation."""
    words = rng.choices(_WORDS, weights=[1 / (i + 1) for i in range(len(_WORDS))], k=count)
    out = []
    for i, word in enumerate(words):
        if rng.random() < 0.1:
            word = word.title()
        if i and rng.random() < 0.08:
            word += rng.choice([".", ",", ";", "\n\n"])
        out.append(word)
    return " ".join(out)


def _library(rng: random.Random, count: int, prefix: str = "p") -> list[Post]:
    posts = []
    for i in range(count):
        long = rng.random() < 0.02  # a few posts of several body chunks
        sections = tuple(
            Section(_text(rng, rng.randrange(1, 4)), f"s{j}", 2, j * 3)
            for j in range(rng.randrange(0, 4))
        )
        posts.append(
            Post(
                slug=f"{prefix}{i}",
                title=_text(rng, rng.randrange(1, 6)),
                tags=tuple(rng.sample(_TAGS, rng.randrange(0, 4))),
                sections=sections,
                body=_text(rng, rng.randrange(3000, 6000) if long else rng.randrange(0, 120)),
            )
        )
    return posts


_LONGEST = 3
"""The longest phrase asked for."""


@dataclass(frozen=True)
class _Doc:
    """A post as the oracle sees it: its terms per field, and the runs a phrase can match."""

    grams: frozenset[tuple[str, ...]]
    """Every run of 1 to `_LONGEST` terms in a row within the title, one tag, one
    heading or the body (a phrase never spans two fields, tags or headings)."""
    counts: tuple[Counter[str], ...]
    """Title, tags, headings, body: how often each term occurs."""
    lengths: tuple[int, ...]
    """Title, tags, headings, body: terms in all."""

    @classmethod
    def of(cls, post: Post) -> _Doc:
        fields = (
            [terms(post.title)],
            [terms(t) for t in post.tags],
            [terms(s.heading) for s in post.sections],
            [terms(markdown_to_plain(post.body))],
        )
        grams = {
            tuple(run[i : i + n])
            for runs in fields
            for run in runs
            for n in range(1, _LONGEST + 1)
            for i in range(len(run) - n + 1)
        }
        return cls(
            frozenset(grams),
            tuple(Counter(t for run in runs for t in run) for runs in fields),
            tuple(sum(map(len, runs)) for runs in fields),
        )

    def has(self, phrase: tuple[str, ...]) -> bool:
        assert len(phrase) <= _LONGEST
        return phrase in self.grams


class _Oracle:
    """Answers queries by looking at every post."""

    def __init__(self, posts: list[Post]) -> None:
        self.docs = {p.slug: _Doc.of(p) for p in posts}
        n = max(1, len(self.docs))
        self.averages = [
            max(1.0, sum(d.lengths[f] for d in self.docs.values()) / n) for f in range(4)
        ]
        self.df: Counter[str] = Counter(
            g[0] for d in self.docs.values() for g in d.grams if len(g) == 1
        )

    def matches(
        self,
        words: list[str],
        phrases: list[tuple[str, ...]],
        negated: list[tuple[str, ...]],
    ) -> set[str]:
        """Posts with every word and phrase, and none of the negated words or phrases."""
        wanted = [(w,) for w in words] + phrases
        return {
            slug
            for slug, doc in self.docs.items()
            if all(doc.has(p) for p in wanted) and not any(doc.has(p) for p in negated)
        }

    def score(self, slug: str, clauses: list[tuple[str, ...]]) -> float:
        """BM25 per field, summed over the distinct terms of each positive clause."""
        doc = self.docs[slug]
        n = len(self.docs)
        total = 0.0
        for clause in clauses:
            for term in dict.fromkeys(clause):
                df = self.df[term]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                impact = 0.0
                for f in range(4):
                    tf = doc.counts[f][term]
                    if tf:
                        norm = _K1 * (1 - _B[f] + _B[f] * doc.lengths[f] / self.averages[f])
                        impact += _WEIGHTS[f] * (_K1 + 1) * tf / (tf + norm)
                total += idf * impact
        return total


@dataclass(frozen=True)
class _Case:
    """A query, and what it means in plain terms."""

    text: str
    words: list[str]
    phrases: list[tuple[str, ...]]
    negated: list[tuple[str, ...]]

    @property
    def positive(self) -> list[tuple[str, ...]]:
        return [(w,) for w in self.words] + self.phrases


def _cases(rng: random.Random, oracle: _Oracle, count: int) -> list[_Case]:
    """AND queries of present words, phrases seen in posts or made up, and exclusions."""
    grams = sorted({g for doc in oracle.docs.values() for g in doc.grams})
    present = [g[0] for g in grams if len(g) == 1]
    seen = [g for g in grams if len(g) > 1]
    cases = []

    def seen_phrase() -> tuple[str, ...]:
        return rng.choice(seen)

    for _ in range(count):
        kind = rng.randrange(5)
        words: list[str] = []
        phrases: list[tuple[str, ...]] = []
        negated: list[tuple[str, ...]] = []
        if kind == 0:  # one to three words
            words = rng.sample(present, rng.randrange(1, 4))
        elif kind == 1:  # a phrase from a post
            phrases = [seen_phrase()]
        elif kind == 2:  # a phrase of any two or three words (often nowhere)
            phrases = [tuple(rng.choices(present, k=rng.choice([2, 3])))]
        elif kind == 3:  # a word and a phrase
            words = [rng.choice(present)]
            phrases = [seen_phrase()]
        else:  # exclusions, of a word or a phrase
            words = rng.sample(present, rng.randrange(0, 3))
            negated = [(rng.choice(present),) if rng.random() < 0.5 else seen_phrase()]
        parts = [*words, *(f'"{" ".join(p)}"' for p in phrases)]
        parts += [f"-{n[0]}" if len(n) == 1 else f'-"{" ".join(n)}"' for n in negated]
        rng.shuffle(parts)
        # A trailing space: the last word is not a prefix still being typed.
        cases.append(_Case(" ".join(parts) + " ", words, phrases, negated))
    return cases


def _check_matches(index: SearchIndex, oracle: _Oracle, cases: list[_Case]) -> None:
    for case in cases:
        results = index.search(case.text, limit=5, snippets=False, all_slugs=True)
        expected = oracle.matches(case.words, case.phrases, case.negated)
        found = results.slugs if results.slugs is not None else frozenset()
        assert found == expected, case.text
        assert results.total == len(expected), case.text


def _check_scores(index: SearchIndex, oracle: _Oracle, cases: list[_Case]) -> None:
    for case in cases:
        if not case.positive:
            continue
        results = index.search(case.text, limit=10, snippets=False, all_slugs=True)
        if not results.hits:
            continue
        clauses = case.positive
        # Impacts are stored in 16 bits (1/2600) and scores rounded to 4 places.
        tolerance = 1e-3 * sum(len(set(c)) for c in clauses) * 10
        for hit in results.hits:
            assert hit.score == pytest.approx(oracle.score(hit.slug, clauses), abs=tolerance)
        # Nothing left out scores above the last hit shown.
        assert results.slugs is not None
        lowest = results.hits[-1].score
        shown = {h.slug for h in results.hits}
        for slug in results.slugs - shown:
            assert oracle.score(slug, clauses) <= lowest + 2 * tolerance, (case.text, slug)


def _apply(
    index: SearchIndex,
    by_slug: dict[str, Post],
    changed: list[Post],
    removed: list[str],
    added: list[Post],
) -> _Oracle:
    """Update `index` and `by_slug` alike; the oracle of the posts left."""
    index.update([*changed, *added], remove=removed)
    for post in [*changed, *added]:
        by_slug[post.slug] = post
    for slug in removed:
        del by_slug[slug]
    return _Oracle(list(by_slug.values()))


@pytest.mark.parametrize("seed", [1, 2])
def test_index_agrees_with_a_naive_oracle(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    posts = _library(rng, 360)
    index = SearchIndex.build(posts)
    parts = index._parts
    # The generated library exercises the compact layouts, not just sparse lists.
    assert parts.postings.dense and parts.pairs.bitmaps
    oracle = _Oracle(posts)
    cases = _cases(rng, oracle, 120)
    _check_matches(index, oracle, cases)
    _check_scores(index, oracle, cases[:60])

    # In place: some posts re-imported with new text, some removed, some new.
    by_slug = {p.slug: p for p in posts}
    changed = _library(rng, 25)  # the same slugs p0..p24, new content
    removed = [f"p{i}" for i in rng.sample(range(25, 360), 20)]
    added = _library(rng, 15, prefix="new")
    oracle = _apply(index, by_slug, changed, removed, added)
    cases = _cases(rng, oracle, 120)
    _check_matches(index, oracle, cases)

    path = tmp_path / "index.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    _check_matches(loaded, oracle, cases)
    for case in cases[:10]:  # snippets too, read back from the file
        assert loaded.search(case.text, limit=5) == index.search(case.text, limit=5)

    # A loaded index reads its file in place: changed, it copies what it changes, and
    # saved over that very file, it reads the new one.
    changed = _library(rng, 5)
    removed = rng.sample(sorted(set(by_slug) - {p.slug for p in changed}), 8)
    oracle = _apply(loaded, by_slug, changed, removed, _library(rng, 6, prefix="more"))
    cases = _cases(rng, oracle, 120)
    _check_matches(loaded, oracle, cases)
    loaded.save(path)
    _check_matches(loaded, oracle, cases)
    again = SearchIndex.load(path)
    assert again is not None
    _check_matches(again, oracle, cases)
    for case in cases[:10]:
        assert again.search(case.text, limit=5) == loaded.search(case.text, limit=5)

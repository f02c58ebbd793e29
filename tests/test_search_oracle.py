"""Search answers what a slow, obvious implementation of the query language answers.

Random posts over a few common words (in most posts, so they get the compact
layouts of a big library) and some rare ones; for each query, the posts found
are exactly those a scan of every post finds, best first with ties in index
order, and a post's score is the sum of the scores its words get alone. The
same holds after posts are changed and removed, and after a save and a load.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from reader.models import Post, Section
from reader.search import SearchIndex, SearchResults, terms

COMMON = ("the", "of", "data", "cache", "lake", "stream")
RARE = ("okapi", "zebra", "quokka", "tapir", "heron", "marten", "stoat", "bison")
TAGS = ("ops", "data science", "Field Notes")


@dataclass(frozen=True)
class Q:
    """A query, by construction: its text and what a scan must find."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    without: tuple[str, ...] = ()
    without_phrases: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    without_tags: tuple[str, ...] = ()
    prefix: str = ""
    """A last word still being typed: matches every word it starts."""
    either: tuple[tuple[str, ...], ...] = ()
    """An OR group: posts with all the words of at least one of these alternatives."""

    @property
    def text(self) -> str:
        parts = [*self.words]
        if self.either:
            parts.append(" OR ".join(f"({' '.join(a)})" for a in self.either))
        parts += [f'"{" ".join(p)}"' for p in self.phrases]
        parts += [f"-{w}" for w in self.without]
        parts += [f'-"{" ".join(p)}"' for p in self.without_phrases]
        parts += [f'tag:"{t}"' for t in self.tags]
        parts += [f'-tag:"{t}"' for t in self.without_tags]
        text = " ".join(parts)
        return f"{text} {self.prefix}*" if self.prefix else text + " "

    def scored(self) -> list[str]:
        """The query of each clause that adds to the score, alone (but the OR group's)."""
        alone = [f"{w} " for w in self.words]
        alone += [f"{w} " for p in self.phrases for w in dict.fromkeys(p)]
        return alone + ([f"{self.prefix}*"] if self.prefix else [])


QUERIES = [
    Q(words=("okapi",)),
    Q(words=("the",)),
    Q(words=("cache", "lake")),
    Q(words=("okapi", "the")),
    Q(words=("zebra", "data", "stream")),
    Q(words=("the", "of", "cache", "lake")),
    Q(words=("okapi", "zebra", "quokka", "the")),
    Q(phrases=(("the", "data"),)),
    Q(phrases=(("cache", "lake", "stream"),)),
    Q(words=("heron",), phrases=(("of", "the"),)),
    Q(words=("the",), without=("okapi",)),
    Q(words=("data",), without_phrases=(("the", "cache"),)),
    Q(words=("lake",), without=("zebra", "tapir")),
    Q(tags=("ops",)),
    Q(words=("stream",), tags=("data science",)),
    Q(words=("cache",), without_tags=("ops",)),
    Q(tags=("ops", "Field Notes"), without=("the",)),
    Q(prefix="qu"),
    Q(words=("the",), prefix="ta"),
    Q(words=("marten", "stoat")),
    Q(words=("bison",), phrases=(("stream", "of"),), without_tags=("data science",)),
    Q(either=(("okapi",), ("zebra",))),
    Q(words=("cache",), either=(("heron", "the"), ("lake", "stream"))),
    Q(either=(("quokka",), ("tapir",), ("bison", "of"))),
    Q(words=("the",), without=("okapi",), either=(("marten",), ("stoat",))),
]


def corpus(count: int, seed: int, start: int = 0) -> list[Post]:
    rng = random.Random(seed)
    posts = []
    for i in range(start, start + count):
        body = [rng.choice(COMMON) for _ in range(rng.randrange(4, 30))]
        for _ in range(rng.randrange(0, 4)):
            body.insert(rng.randrange(len(body) + 1), rng.choice(RARE))
        title = f"Post {i}" + (f" {rng.choice(RARE)}" if rng.random() < 0.2 else "")
        sections: tuple[Section, ...] = ()
        if rng.random() < 0.3:
            sections = (Section(f"About {rng.choice(RARE + COMMON)}", "about", 2, 0),)
        tags = tuple(rng.sample(TAGS, rng.randrange(0, 3)))
        text = " ".join(body)
        posts.append(
            Post(
                slug=f"p{i}", title=title, tags=tags, sections=sections, words=len(body), body=text
            )
        )
    return posts


@dataclass(frozen=True)
class Scanned:
    """A post as a scan sees it: each field's terms, every term, the folded tags."""

    slug: str
    fields: tuple[tuple[str, ...], ...]
    """Separately: a phrase never runs from one field (or tag, or heading) into the next."""
    words: frozenset[str]
    tags: frozenset[str]

    @classmethod
    def of(cls, post: Post) -> Scanned:
        texts = (post.title, *post.tags, *(s.heading for s in post.sections), post.body)
        fields = tuple(tuple(terms(t)) for t in texts)
        tags = frozenset(" ".join(terms(t)) for t in post.tags)
        return cls(post.slug, fields, frozenset(t for f in fields for t in f), tags)

    def has(self, phrase: tuple[str, ...]) -> bool:
        n = len(phrase)
        return any(f[i : i + n] == phrase for f in self.fields for i in range(len(f) - n + 1))


def scan(posts: list[Scanned], query: Q) -> set[str]:
    """The slugs a query must find, by looking at every post."""
    wanted = {" ".join(terms(t)) for t in query.tags}
    unwanted = {" ".join(terms(t)) for t in query.without_tags}
    return {
        post.slug
        for post in posts
        if post.words.issuperset(query.words)
        and all(post.has(p) for p in query.phrases)
        and post.words.isdisjoint(query.without)
        and not any(post.has(p) for p in query.without_phrases)
        and post.tags >= wanted
        and post.tags.isdisjoint(unwanted)
        and (not query.prefix or any(w.startswith(query.prefix) for w in post.words))
        and (not query.either or any(post.words.issuperset(a) for a in query.either))
    }


def scores(index: SearchIndex, query: str) -> dict[str, float]:
    hits = index.search(query, limit=10_000, snippets=False).hits
    return {hit.slug: hit.score for hit in hits}


def check(index: SearchIndex, posts: list[Post]) -> None:
    scanned = [Scanned.of(p) for p in posts]
    assert sorted(index.slugs()) == sorted(p.slug for p in posts)
    alone_cache: dict[str, dict[str, float]] = {}
    for query in QUERIES:
        results: SearchResults = index.search(
            query.text, limit=10_000, all_slugs=True, snippets=False
        )
        expected = scan(scanned, query)
        assert results.slugs == frozenset(expected), query.text
        assert results.total == len(expected), query.text
        found = [hit.slug for hit in results.hits]
        assert sorted(found) == sorted(expected), query.text
        listed = [(hit.exact, hit.score) for hit in results.hits]
        assert listed == sorted(listed, reverse=True), query.text
        for q in [*query.scored(), *(f"{w} " for a in query.either for w in a)]:
            if q not in alone_cache:
                alone_cache[q] = scores(index, q)
        alone = [alone_cache[q] for q in query.scored()]
        by_slug = {p.slug: p for p in scanned}
        for hit in results.hits:
            # An OR group scores the sum of the alternatives the post has.
            words = by_slug[hit.slug].words
            having = [a for a in query.either if words.issuperset(a)]
            score = sum(s[hit.slug] for s in alone)
            score += sum(alone_cache[f"{w} "][hit.slug] for a in having for w in a)
            assert hit.score == pytest.approx(score, abs=1e-3), (query.text, hit.slug)
            exact = len(query.words) + len(query.phrases) + sum(map(len, having))
            assert hit.exact == exact, (query.text, hit.slug)
        if alone or query.either:
            assert all(hit.score > 0 for hit in results.hits), query.text
        else:
            assert all(hit.score == 0 for hit in results.hits), query.text
        top = index.search(query.text, limit=5, snippets=False)
        assert [h.slug for h in top.hits] == found[:5] and top.total == len(expected)


def test_the_queries_find_something_and_leave_something_out() -> None:
    posts = corpus(240, seed=15)
    scanned = [Scanned.of(p) for p in posts]
    sizes = [len(scan(scanned, q)) for q in QUERIES]
    assert all(0 < n < len(posts) for n in sizes), sizes


def test_equal_scores_come_in_index_order() -> None:
    twins = [
        Post(slug=f"t{i}", title="Twin", tags=(), words=4, body="okapi data lake wombat")
        for i in (3, 1, 4, 0, 2)
    ]
    index = SearchIndex.build([*corpus(40, seed=2), *twins])
    for query in ("wombat ", "wombat data ", '"data lake" wombat', "womb*"):
        hits = index.search(query, limit=100).hits
        assert [h.slug for h in hits] == ["t3", "t1", "t4", "t0", "t2"], query
        assert len({h.score for h in hits}) == 1
        assert [h.slug for h in index.search(query, limit=2).hits] == ["t3", "t1"], query


def test_a_small_library_answers_like_a_scan() -> None:
    posts = corpus(12, seed=4)
    check(SearchIndex.build(posts), posts)


def test_a_big_library_answers_like_a_scan() -> None:
    posts = corpus(240, seed=15)
    check(SearchIndex.build(posts), posts)


def test_changed_and_removed_posts_answer_like_a_scan(tmp_path: Path) -> None:
    posts = corpus(240, seed=15)
    index = SearchIndex.build(posts)
    changed = corpus(30, seed=16, start=100)  # new text for p100..p129
    removed = {f"p{i}" for i in range(0, 40, 3)}
    index.update(changed, remove=removed)
    live = {p.slug: p for p in posts if p.slug not in removed}
    live.update({p.slug: p for p in changed})
    check(index, list(live.values()))

    path = tmp_path / "index.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    check(loaded, list(live.values()))


def test_a_save_after_many_removals_still_answers_like_a_scan(tmp_path: Path) -> None:
    posts = corpus(240, seed=15)
    index = SearchIndex.build(posts)
    removed = {f"p{i}" for i in range(0, 240, 3)}  # a third: the save compacts the ids
    index.update([], remove=removed)
    path = tmp_path / "index.bin"
    index.save(path)
    live = [p for p in posts if p.slug not in removed]
    loaded = SearchIndex.load(path)
    assert loaded is not None
    check(loaded, live)


def test_a_limit_of_zero_still_counts_the_matches() -> None:
    posts = corpus(240, seed=15)
    index = SearchIndex.build(posts)
    scanned = [Scanned.of(p) for p in posts]
    for query in QUERIES[:8]:
        results = index.search(query.text, limit=0, all_slugs=True)
        assert results.hits == () and results.slugs == frozenset(scan(scanned, query))


def bm25_idf(posts: int, having: int) -> float:
    """BM25's idf, as documented in reader.search: log(1 + (N - df + 0.5) / (df + 0.5))."""
    return math.log(1 + (posts - having + 0.5) / (having + 0.5))


def test_removing_posts_rescales_the_others_scores_by_the_new_idf() -> None:
    posts = corpus(240, seed=15)
    index = SearchIndex.build(posts)
    words = ("okapi", "zebra", "the", "cache")
    before = {word: scores(index, f"{word} ") for word in words}
    removed = [f"p{i}" for i in range(0, 240, 4)]
    index.update([], remove=removed)
    everyone = [Scanned.of(p) for p in posts]
    left = [p for p in everyone if p.slug not in removed]
    for word in words:
        df_before = sum(word in p.words for p in everyone)
        df_after = sum(word in p.words for p in left)
        ratio = bm25_idf(len(left), df_after) / bm25_idf(len(everyone), df_before)
        after = scores(index, f"{word} ")
        assert after.keys() == {p.slug for p in left if word in p.words}
        for slug, score in after.items():
            expected = before[word][slug] * ratio
            assert score == pytest.approx(expected, rel=1e-3, abs=2e-4), (word, slug)


def test_posts_added_after_removals_score_as_if_the_removed_never_were() -> None:
    posts = corpus(240, seed=15)
    removed = {f"p{i}" for i in range(0, 240, 5)}
    extra = corpus(5, seed=17, start=500)
    after_removals = SearchIndex.build(posts)
    after_removals.update([], remove=removed)
    after_removals.update(extra)
    never = SearchIndex.build([p for p in posts if p.slug not in removed])
    never.update(extra)
    new = {p.slug for p in extra}
    for word in ("post", "the", "cache", "okapi", "zebra", "heron"):
        ours = {s: v for s, v in scores(after_removals, f"{word} ").items() if s in new}
        theirs = {s: v for s, v in scores(never, f"{word} ").items() if s in new}
        assert ours.keys() == theirs.keys()
        assert ours == pytest.approx(theirs, abs=1e-4), word


def test_word_forms_score_like_the_forms_alone() -> None:
    """A word's forms (its stem's) count at 0.8 of their own score, below the word itself."""
    rng = random.Random(7)
    posts = corpus(300, seed=21)
    forms = ("cache", "caching", "cached")
    # Some posts get a form of `cache` in place of it, some in few, some in many posts.
    posts = [
        replace(p, body=p.body.replace("cache", rng.choice(forms)))
        if rng.random() < (0.9 if i % 2 else 0.2)
        else p
        for i, p in enumerate(posts)
    ]
    index = SearchIndex.build(posts)
    scanned = {p.slug: Scanned.of(p) for p in posts}
    alone = {w: scores(index, f"{w} ") for w in (*forms, "stream")}
    for query, with_stream in (("cache ", False), ("cache stream ", True)):
        hits = index.search(query, limit=10_000, snippets=False).hits
        expected = {}
        for slug, post in scanned.items():
            if with_stream and "stream" not in post.words:
                continue
            if "cache" in post.words:
                expected[slug] = (1 + with_stream, alone["cache"][slug])
            elif others := [alone[f][slug] for f in forms[1:] if f in post.words]:
                expected[slug] = (int(with_stream), 0.8 * max(others))
            else:
                continue
            if with_stream:
                exact, score = expected[slug]
                expected[slug] = (exact, score + alone["stream"][slug])
        assert {h.slug for h in hits} == set(expected), query
        for hit in hits:
            exact, score = expected[hit.slug]
            assert hit.exact == exact and hit.score == pytest.approx(score, abs=1e-3), query
        listed = [(h.exact, h.score) for h in hits]
        assert listed == sorted(listed, reverse=True)

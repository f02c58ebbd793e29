"""Search: relevance on the bundled posts, the query parser, updates, persistence, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.models import Post, Section
from reader.search import (
    Highlight,
    SearchIndex,
    find_marks,
    fold,
    make_snippet,
    parse_query,
    terms,
)
from reader.search.tokenize import markdown_to_plain, query_terms
from tests.conftest import RANKED, RANKING_POSTS


def _post(slug: str, title: str, body: str, tags: tuple[str, ...] = (), **kw: object) -> Post:
    return Post(slug=slug, title=title, tags=tags, body=body, words=len(body.split()), **kw)  # type: ignore[arg-type]


def _slugs(library: Library, query: str) -> list[str]:
    return [hit.slug for hit in library.search(query, limit=100).hits]


def _containing(library: Library, word: str) -> set[str]:
    """Slugs of the posts whose title, tags, headings or body hold `word` (the slow way)."""
    found: set[str] = set()
    for summary in library.summaries():
        post = library.get(summary.slug)
        assert post is not None
        text = " ".join([post.title, *post.tags, *(s.heading for s in post.sections), post.body])
        if word in terms(markdown_to_plain(text)):
            found.add(post.slug)
    return found


# -- tokenizer -------------------------------------------------------------


def test_fold_matches_the_core_fold() -> None:
    from reader.text import fold as core_fold

    for text in [
        "Café",
        "ÀÉÎÕÜ straße",
        "\ufb01ne \uff26\uff55\uff4c\uff4c",
        "हिन्दी",
        "plain ascii",
    ]:
        assert fold(text) == core_fold(text)


def test_terms_split_words_fold_accents_and_bigram_cjk() -> None:
    assert terms("Café snake_case well-known") == ["cafe", "snake", "case", "well", "known"]
    assert terms("हिन्दी") == [fold("हिन्दी")]  # vowel signs do not split the word
    assert terms("東京タワー") == ["東京", "京タ", "タワ", "ワー", "ー"]
    assert query_terms("東京タワー") == ["東京", "京タ", "タワ", "ワー"]


# -- relevance on the bundled posts ---------------------------------------


def test_ranking_fixture_orders_all_differ(ranking_library: Library) -> None:
    listed = [s.title for s in ranking_library.summaries()]
    assert listed == ["Beta Notes", "Alpha Camping", "Zulu Quillwort Guide", "Moths at Night"]
    assert len({tuple(listed), tuple(sorted(listed)), tuple(RANKED)}) == 3
    assert list(reversed(listed)) != RANKED


@pytest.mark.parametrize("query", ["quillwort", "quillwort ", "QUILLWORT", "quillw*"])
def test_results_come_in_score_order(ranking_library: Library, query: str) -> None:
    results = ranking_library.search(query)
    assert [hit.title for hit in results.hits] == RANKED
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_title_matches_rank_above_body_matches(library: Library) -> None:
    word = "caching"
    in_title = {s.slug for s in library.summaries() if word in terms(s.title)}
    found = _slugs(library, word + " ")  # trailing space: no prefix expansion
    assert in_title and set(found) > in_title, "the test needs title and body matches"
    assert set(found[: len(in_title)]) == in_title


def test_rare_word_returns_exactly_the_posts_containing_it(library: Library) -> None:
    for word in ("stampede", "lakehouse", "sunset"):
        expected = _containing(library, word)
        assert expected, word
        assert set(_slugs(library, word + " ")) == expected


@pytest.mark.parametrize(("whole", "partial"), [("caching", "cachin"), ("lakehouse", "lakeh")])
def test_prefix_finds_what_the_whole_word_finds(library: Library, whole: str, partial: str) -> None:
    assert set(_slugs(library, partial + "*")) >= set(_slugs(library, whole + " "))


@pytest.mark.parametrize(
    ("whole", "typo"),
    [("caching", "cachng"), ("lakehouse", "lakehuose"), ("monitoring", "monitorign")],
)
def test_one_typo_finds_what_the_whole_word_finds(library: Library, whole: str, typo: str) -> None:
    exact = set(_slugs(library, whole + " "))
    assert exact
    assert set(_slugs(library, typo + " ")) >= exact


def test_typo_ranks_below_exact_and_short_words_are_not_fuzzy() -> None:
    index = SearchIndex.build(
        [_post("a", "Graph", "graphs everywhere"), _post("b", "Other", "nothing here")]
    )
    assert index.search("grah ").total == 0  # four letters: no typo tolerance
    assert index.search("grapf ").total == 1
    typo = index.search("grapz ").hits[0].score
    exact = index.search("graph ").hits[0].score
    assert 0 < typo < exact


def test_phrases_exclusions_tags_and_state_filters(library: Library) -> None:
    phrase = set(_slugs(library, '"cost optimization"'))
    loose = set(_slugs(library, "cost optimization "))
    assert phrase and phrase <= loose
    for slug in phrase:
        post = library.get(slug)
        assert post is not None and "cost optimization" in fold(post.body)
    redis = set(_slugs(library, "redis "))
    assert redis and not redis & set(_slugs(library, "caching -redis"))
    tag = library.tags()[-1].name
    tagged = {s.slug for s in library.summaries(tag)}
    assert set(_slugs(library, f'tag:"{tag}"')) == tagged
    assert set(_slugs(library, f'tag:"{fold(tag).upper()}"')) == tagged
    assert set(_slugs(library, f'-tag:"{tag}"')).isdisjoint(tagged)

    some = library.summaries()[0].slug
    library.state.add_bookmark(some)
    library.state.set_read(some)
    assert _slugs(library, "is:bookmarked") == [some]
    assert some not in _slugs(library, "is:unread")
    assert _slugs(library, "is:read") == [some]
    assert len(_slugs(library, "-is:bookmarked")) == len(library.summaries()) - 1


def test_hits_carry_snippet_marks_and_section(library: Library) -> None:
    results = library.search("stampede")
    hit = results.hits[0]
    marked = [hit.snippet.text[a:b] for a, b in hit.snippet.marks]
    assert marked and all(fold(m).startswith("stampede") for m in marked)
    assert hit.section is not None
    post = library.get(hit.slug)
    assert post is not None and hit.section in post.sections
    assert "stampede" in results.highlight.prefixes or "stampede" in results.highlight.terms


def test_tag_argument_narrows_like_the_sidebar(library: Library) -> None:
    tag = "architecture"
    tagged = {s.slug for s in library.summaries(tag)}
    everything = {h.slug for h in library.search("the", limit=100).hits}
    results = library.search("the", limit=100, tag=tag)
    assert len(tagged) == 2 and len(everything) > len(tagged)
    assert {h.slug for h in results.hits} == tagged & everything == tagged
    assert results.total == 2


# -- query parser ----------------------------------------------------------


def test_parser_reads_every_construct() -> None:
    words = 'Redis "Cache Stampede" -legacy -"old way"'
    filters = 'tag:"Machine  Learning" tag:ops is:bookmarked -is:unread'
    q = parse_query(f"{words} {filters} caf", typing=True)
    assert [c.terms for c in q.clauses] == [
        ("redis",),
        ("cache", "stampede"),
        ("legacy",),
        ("old", "way"),
        ("caf",),
    ]
    assert [c.phrase for c in q.clauses] == [False, True, False, True, False]
    assert [c.negated for c in q.clauses] == [False, False, True, True, False]
    assert [c.prefix for c in q.clauses] == [False, False, False, False, True]
    assert q.tags == ("machine learning", "ops")
    assert q.bookmarked is True and q.unread is False
    assert q.problems == ()


def test_parser_prefix_only_while_typing_the_last_word() -> None:
    assert parse_query("redis cach", typing=True).clauses[-1].prefix
    assert not parse_query("redis cach ", typing=True).clauses[-1].prefix
    assert not parse_query('redis "cach"', typing=True).clauses[-1].prefix
    assert not parse_query("redis -cach", typing=True).clauses[-1].prefix
    assert not parse_query("redis cach").clauses[-1].prefix  # the CLI: only with `*`


def test_parser_star_makes_a_prefix_anywhere() -> None:
    query = parse_query("git* hooks -old* e-mail*")
    assert [(c.terms, c.prefix) for c in query.clauses] == [
        (("git",), True),
        (("hooks",), False),
        (("old",), False),
        (("e", "mail"), False),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('"unclosed phrase', "unbalanced quote"),
        ("-", "lone '-'"),
        ("tag:", "tag:"),
        ('tag:"', "tag:"),
        ("(unclosed", "unbalanced parenthesis"),
        (") x", "')' without a '('"),
        ("x OR", "OR without a word"),
        ("OR x", "OR without a word"),
        ("tag:x OR y", "OR without a word"),
        ("(tag:x y)", "apply to the whole query"),
    ],
)
def test_bad_queries_are_repaired_with_a_message(text: str, problem: str) -> None:
    q = parse_query(text)
    assert any(problem in p for p in q.problems)
    index = SearchIndex.build([_post("a", "Alpha", "unclosed phrase here")])
    index.search(text)  # never raises


def test_unclosed_quote_still_searches() -> None:
    index = SearchIndex.build([_post("a", "Alpha", "unclosed phrase here")])
    assert [h.slug for h in index.search('"unclosed phrase').hits] == ["a"]


def test_empty_and_junk_queries_find_nothing() -> None:
    index = SearchIndex.build([_post("a", "Alpha", "body")])
    for text in ["", "   ", "!!!", "-", "tag:"]:
        assert index.search(text).total == 0


# -- CJK and accents ---------------------------------------------------------


def test_cjk_and_accents_are_searchable() -> None:
    index = SearchIndex.build(
        [
            _post("jp", "東京タワーの夜景", "東京タワーは美しい。"),
            _post("fr", "Le café", "Un crème brûlée au café."),
        ]
    )
    assert [h.slug for h in index.search("東京 ").hits] == ["jp"]
    assert [h.slug for h in index.search("タワー ").hits] == ["jp"]
    assert [h.slug for h in index.search("東").hits] == ["jp"]
    assert [h.slug for h in index.search("夜景 ").hits] == ["jp"]
    assert [h.slug for h in index.search("creme brulee ").hits] == ["fr"]
    hit = index.search("CAFE ").hits[0]
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.marks] == ["café"]
    assert [hit.title[a:b] for a, b in hit.title_marks] == ["café"]


# -- updates and persistence ----------------------------------------------


def test_reimport_updates_only_changed_posts(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("# Apples\n\nRed fruit.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Bananas\n\nYellow fruit.\n", encoding="utf-8")
    library = Library(tmp_path / "data")
    library.import_paths([folder])
    assert len(_slugs(library, "fruit ")) == 2
    index = library.search_index()

    (folder / "a.md").write_text("# Apples\n\nGreen fruit now.\n", encoding="utf-8")
    report = library.import_paths([folder])
    assert len(report.updated) == 1 and len(report.unchanged) == 1
    assert library.search_index() is index  # updated in place, not rebuilt
    assert _slugs(library, "red ") == []
    assert _slugs(library, "green ") == [report.updated[0]]

    reopened = Library(tmp_path / "data")  # loads the saved index
    assert _slugs(reopened, "green ") == [report.updated[0]]
    assert _slugs(reopened, "red ") == []


def test_persistence_round_trip(tmp_path: Path) -> None:
    posts = [
        _post("a", "Alpha", "one two three", ("x",), sections=(Section("Two", "two", 2, 0),)),
        _post("b", "Beta", "two three four", ("Y Z",)),
    ]
    index = SearchIndex.build(posts)
    index.update([_post("a", "Alpha", "one two five", ("x",))])
    path = tmp_path / "index.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    for query in ["two", "five", "three", 'tag:"y z"', '"two three"', "alph", "fiv"]:
        assert index.search(query) == loaded.search(query)


def test_missing_corrupt_or_old_index_is_rebuilt(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data")
    path = library.search_index_path
    assert path.exists()
    expected = _slugs(library, "caching ")
    for damage in [b"", b"not an index", path.read_bytes()[:100]]:
        path.write_bytes(damage)
        assert SearchIndex.load(path) is None
        assert _slugs(Library(tmp_path / "data"), "caching ") == expected
    path.unlink()
    fresh = Library(tmp_path / "data")
    assert not fresh.search_index_loaded
    assert _slugs(fresh, "caching ") == expected
    assert fresh.search_index_loaded and path.exists()


def test_old_format_version_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.search import index as index_module

    path = tmp_path / "index.bin"
    SearchIndex.build([_post("a", "Alpha", "body")]).save(path)
    monkeypatch.setattr(index_module, "FORMAT_VERSION", index_module.FORMAT_VERSION + 1)
    assert SearchIndex.load(path) is None


# -- snippets ------------------------------------------------------------------


def test_snippet_picks_the_densest_passage_and_marks_words() -> None:
    filler = " ".join(f"word{i}" for i in range(100))
    text = f"alpha at the start. {filler} here alpha and beta together. {filler}"
    snippet = make_snippet(text, Highlight(frozenset({"alpha", "beta"})))
    marked = [snippet.text[a:b] for a, b in snippet.marks]
    assert marked == ["alpha", "beta"]
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert find_marks("Alpha, BETA!", Highlight(frozenset({"beta"}), ("alp",))) == ((0, 5), (7, 11))


# -- CLI -------------------------------------------------------------------------


def test_cli_search_json_and_text(isolated_data_dir: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", str(RANKING_POSTS)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(cli, ["search", "quillwort", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["title"] for row in rows] == RANKED[:3]
    assert {"slug", "title", "tags", "score", "snippet", "section"} <= set(rows[0])
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)

    text = runner.invoke(cli, ["search", "quillwort"])
    assert text.exit_code == 0
    rows_shown = [line.split("\t") for line in text.output.splitlines() if "\t" in line]
    assert [row[1] for row in rows_shown] == RANKED
    assert "\x1b[" not in text.output


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"redis caching', "closed an unbalanced quote"),
        ("redis tag:", "ignored 'tag:' without a name"),
        ("redis -", "ignored a lone '-'"),
    ],
)
def test_cli_bad_query_says_what_it_repaired(samples: Path, query: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["search", "--", query])
    assert result.exit_code == 0
    assert "debugging-redis-caching" in result.stdout
    assert message in result.stderr
    assert message not in result.stdout  # a pipe gets results only


def test_all_slugs_on_request(library: Library) -> None:
    assert library.search("the").slugs is None
    results = library.search("the", limit=1, all_slugs=True)
    assert results.slugs is not None and len(results.slugs) == results.total > 1


# -- storage layouts give the same answers -------------------------------------------

_WORDS = [
    *("alpha", "beta", "gamma", "delta", "cache", "stampede", "redis"),
    *("pipeline", "data", "lake", "the", "of", "and"),
]


def _corpus(count: int, seed: int) -> list[Post]:
    import random

    rng = random.Random(seed)
    posts = []
    for i in range(count):
        body = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(3, 40)))
        title = " ".join(rng.choice(_WORDS) for _ in range(3))
        tags = tuple(rng.sample(["ops", "data", "Machine Learning"], rng.randrange(0, 3)))
        sections = (Section(rng.choice(_WORDS).title(), "s", 2, 0),)
        posts.append(_post(f"p{i}", title, body, tags, sections=sections))
    return posts


_LAYOUT_QUERIES = [
    "alpha ",
    "cache stampede ",
    "the of and ",
    '"cache stampede"',
    '"the data lake"',
    '"of the" -redis',
    'data -"the of"',
    "sta",
    "pipelin",
    "stampeed ",
    "tag:ops redis ",
    "-tag:data the ",
]


def _answers(index: SearchIndex) -> list[object]:
    found: list[object] = []
    for query in _LAYOUT_QUERIES:
        results = index.search(query, limit=15, all_slugs=True)
        found.append(
            (
                results.total,
                results.slugs,
                [(h.slug, pytest.approx(h.score, abs=1e-3), h.snippet) for h in results.hits],
            )
        )
    return found


def _phrase_slugs(posts: list[Post], phrase: str) -> set[str]:
    wanted = terms(phrase)
    found = set()
    for post in posts:
        for part in [post.title, markdown_to_plain(post.body)]:
            seq = terms(part)
            if any(seq[i : i + len(wanted)] == wanted for i in range(len(seq))):
                found.add(post.slug)
    return found


def test_dense_postings_pair_bitmaps_and_overflow_answer_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compact layouts (dense rows, phrase bitmaps, overflow ids) change no answer."""
    from reader.search import forward, pairs, postings

    posts = _corpus(120, seed=3)
    changed = [_post("p5", "new title", "redis cache stampede of the lake")]
    plain = SearchIndex.build(posts)
    plain.update(changed, remove=["p7", "p8"])
    expected = _answers(plain)
    assert set(_slugs_of(plain, '"cache stampede"')) == _phrase_slugs(
        [p for p in [*posts, *changed] if p.slug not in {"p7", "p8", "p5"} or p in changed],
        "cache stampede",
    )

    monkeypatch.setattr(postings, "DENSE_MIN", 1)
    monkeypatch.setattr(pairs, "PAIR_MIN", 1)
    monkeypatch.setattr(forward, "CODE_LIMIT", 8)  # most words overflow
    compact = SearchIndex.build(posts)
    parts = compact._parts
    assert parts.postings.dense and parts.pairs.bitmaps and parts.forward.overflow
    compact.update(changed, remove=["p7", "p8"])
    assert _answers(compact) == expected
    path = tmp_path / "index.bin"
    compact.save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    assert _answers(loaded) == expected
    # Changes after loading go to the open file's records and into the next save.
    loaded.update([_post("p9", "fresh", "gamma stampede")], remove=["p10"])
    plain.update([_post("p9", "fresh", "gamma stampede")], remove=["p10"])
    loaded.save(path)
    again = SearchIndex.load(path)
    assert again is not None
    assert _answers(loaded) == _answers(again) == _answers(plain)


def _slugs_of(index: SearchIndex, query: str) -> list[str]:
    return [h.slug for h in index.search(query, limit=1000).hits]


def _scanned_counts(
    posts: list[Post], slugs: set[str], read: set[str], marked: set[str]
) -> tuple[list[tuple[str, int]], int, int]:
    """The sidebar's counts of the posts `slugs`, by a pass over the posts."""
    from collections import Counter

    chosen = [p for p in posts if p.slug in slugs]
    tags = Counter(t for p in chosen for t in p.tags)
    ordered = sorted(tags.items(), key=lambda i: (-i[1], i[0]))
    unread = sum(1 for p in chosen if p.slug not in read)
    return ordered, unread, sum(1 for p in chosen if p.slug in marked)


def test_match_counts_agree_with_a_pass_over_the_posts() -> None:
    posts = _corpus(80, seed=3)
    index = SearchIndex.build(posts)
    read = {p.slug for p in posts[::3]}
    marked = {p.slug for p in posts[::7]} | {"gone-long-ago"}

    def check(query: str, live: list[Post]) -> None:
        results = index.search(query, limit=5, all_slugs=True)
        assert results.matches is not None and results.slugs is not None
        counts = results.matches.counts(frozenset(read), frozenset(marked))
        tags, unread, bookmarked = _scanned_counts(live, set(results.slugs), read, marked)
        assert [(t.name, t.count) for t in counts.tags] == tags, query
        assert (counts.unread, counts.bookmarked) == (unread, bookmarked), query
        assert len(results.slugs) == results.total

    for query in ("data", "sta*", "stampeed", "cache stampede", "-tag:data the", '"the data lake"'):
        check(query, posts)
    # Asked again with the same marks (kept, by identity) and with new ones.
    results = index.search("the", limit=5, all_slugs=True)
    assert results.matches is not None
    first = results.matches.counts(frozenset(read), frozenset(marked))
    read.add(posts[1].slug)
    again = results.matches.counts(frozenset(read), frozenset(marked))
    assert again.unread == first.unread - (posts[1].slug in results.matches.slugs)
    # Posts removed since the search: a hole is neither counted nor unread...
    removed = [p.slug for p in posts[:4]]
    index.update([], remove=removed)
    live = posts[4:]
    counts = results.matches.counts(frozenset(read), frozenset(marked))
    tags, unread, bookmarked = _scanned_counts(live, set(results.matches.slugs), read, marked)
    found = ([(t.name, t.count) for t in counts.tags], counts.unread, counts.bookmarked)
    assert found == (tags, unread, bookmarked)
    # ...and after the ids are renumbered (a big update compacts them), the same posts.
    index.update([_post(f"n{i}", "fresh", "the") for i in range(60)])
    counts = results.matches.counts(frozenset(read), frozenset(marked))
    found = ([(t.name, t.count) for t in counts.tags], counts.unread, counts.bookmarked)
    assert found == (tags, unread, bookmarked)

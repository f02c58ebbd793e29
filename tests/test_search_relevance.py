"""Relevance: what users of search see first (issue 11), through the CLI and the session.

Exact words before longer words they start, word forms and typos; the
query language as written on the command line; snippets of CJK text.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.models import Filter, Post
from reader.search import SearchIndex
from reader.session import ReadingSession
from tests.conftest import GIT_POSTS


def _slugs(library: Library, query: str, **kw: object) -> list[str]:
    return [hit.slug for hit in library.search(query, limit=50, **kw).hits]  # type: ignore[arg-type]


def _cli(*args: str) -> tuple[int, list[str], str]:
    """Exit code, the slugs listed (in order) and stderr of `reader ARGS`."""
    result = CliRunner().invoke(cli, list(args))
    slugs = [line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line]
    return result.exit_code, slugs, result.stderr


# -- exact first ---------------------------------------------------------------


def test_cli_exact_word_only_and_first(isolated_data_dir: Path, exact_posts: Path) -> None:
    assert CliRunner().invoke(cli, ["import", str(exact_posts)]).exit_code == 0
    code, slugs, _ = _cli("search", "git")
    assert code == 0
    assert slugs[: len(GIT_POSTS)] == list(GIT_POSTS)
    assert set(slugs) >= set(GIT_POSTS)
    assert not any(s.startswith(("gitlint", "gitmoji")) for s in slugs)  # no `*`: no prefix


def test_cli_star_matches_longer_words_below_the_exact_ones(
    isolated_data_dir: Path, exact_posts: Path
) -> None:
    assert CliRunner().invoke(cli, ["import", str(exact_posts)]).exit_code == 0
    code, slugs, _ = _cli("search", "git*", "--limit", "50")
    assert code == 0 and len(slugs) == 12
    assert slugs[:3] == list(GIT_POSTS)
    rows = json.loads(CliRunner().invoke(cli, ["search", "git*", "--json"]).stdout)
    assert [row["exact"] for row in rows[:4]] == [1, 1, 1, 0]


def test_typing_in_the_tui_puts_exact_matches_first(exact_library: Library) -> None:
    session = ReadingSession(exact_library)
    try:
        results = session.search("git", Filter(Filter.ALL), 50)
    finally:
        session.close()
    found = [hit.slug for hit in results.hits]
    assert len(found) == 12  # as typed: `git` also finds gitlint and gitmoji
    assert found[:3] == list(GIT_POSTS)
    assert results.hits[2].exact == 1 and results.hits[3].exact == 0


# -- the command line ----------------------------------------------------------


def test_cli_takes_minus_words_as_written(samples: Path) -> None:
    code, with_rag, _ = _cli("search", "architecture")
    assert code == 0 and "the-underrated-argument-for-rag-architectures-in-2026" in with_rag
    code, slugs, stderr = _cli("search", "architecture", "-rag")
    assert code == 0, stderr
    assert slugs == [s for s in with_rag if "rag" not in s]
    # Options still work anywhere, and a word that starts like one stays a word.
    code, slugs, _ = _cli("search", "-n", "1", "architecture", "-rag", "--limit", "1")
    assert code == 0 and slugs == [s for s in with_rag if "rag" not in s][:1]
    code, slugs, _ = _cli("search", "architecture", "-nginx", "--tag=architecture")
    assert code == 0 and slugs and all("architecture" in s for s in slugs)


def test_cli_exits_1_when_nothing_matches(samples: Path) -> None:
    code, slugs, stderr = _cli("search", "zzyzx")
    assert (code, slugs) == (1, []) and "no matches" in stderr
    result = CliRunner().invoke(cli, ["search", "zzyzx", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    assert _cli("search", "redis")[0] == 0


# -- typos ---------------------------------------------------------------------


def test_swapped_letters_are_one_typo(library: Library) -> None:
    exact = _slugs(library, "stampede")
    assert exact
    assert _slugs(library, "stampeed") == exact
    code, slugs, _ = _cli("search", "stampeed")
    assert code == 0 and slugs == exact


def test_typo_length_rule_counts_a_swap_as_one_edit() -> None:
    words = "graph obsidian database lakehouses"
    index = SearchIndex.build([Post(slug="a", title="A", body=words), Post(slug="b", title="B")])
    assert index.search("obsidain").total == 1  # 8 letters, one swap
    assert index.search("databaes").total == 1
    assert index.search("grpah").total == 1  # 5 letters: one edit allowed
    assert index.search("rgpah").total == 0  # two swaps at 5 letters: too far
    assert index.search("ohbsdiain").total == 0  # 9 letters, three edits
    assert index.search("lakehuoses").total == 1 and index.search("alkehuoses").total == 1


# -- word forms ----------------------------------------------------------------


def test_cache_redis_finds_the_redis_caching_post_first(library: Library) -> None:
    assert (
        _slugs(library, "cache redis")[0] == "debugging-redis-caching-7-techniques-you-need-to-know"
    )
    code, slugs, _ = _cli("search", "cache", "redis")
    assert code == 0 and slugs[0] == "debugging-redis-caching-7-techniques-you-need-to-know"


def test_word_forms_find_each_other_exact_forms_first(library: Library) -> None:
    deploy = _slugs(library, "deploy")
    assert "zero-to-blue-green-deployments-a-weekend-project-retrospective" in deploy
    assert set(_slugs(library, "deployments")) == set(deploy)
    results = library.search("cache", limit=50)
    assert [h.slug for h in results.hits] == [
        "the-underrated-argument-for-rag-architectures-in-2026",  # `cache` as written
        "debugging-redis-caching-7-techniques-you-need-to-know",  # only `caching`
    ]
    assert [h.exact for h in results.hits] == [1, 0]
    assert "caching" in results.highlight.terms  # the forms found are marked
    hit = results.hits[1]
    assert any(hit.title[a:b].lower() == "caching" for a, b in hit.title_marks)


def _lang_index() -> SearchIndex:
    return SearchIndex.build(
        [
            Post(slug="de", title="Die Katzen", body="Katzen im Garten.", lang="de"),
            Post(slug="en", title="Cats", body="Katzen is a German word; cats.", lang="en"),
            Post(slug="xx", title="Cats again", body="Katzen, in a post of no known language."),
            Post(slug="ja", title="猫たち", body="猫たちと猫 caching", lang="ja"),
        ]
    )


def test_the_posts_language_picks_its_stemmer() -> None:
    index = _lang_index()
    # German stems `katze` and `katzen` alike; English (also the default) does not.
    assert [h.slug for h in index.search("katze").hits] == ["de"]
    assert {h.slug for h in index.search("katzen").hits} == {"de", "en", "xx"}
    assert {h.slug for h in index.search("cat").hits} == {"en", "xx"}  # `cats`, in English
    assert index.search("cache").total == 0  # Japanese: no stemmer, `caching` stays as it is
    assert {h.slug for h in index.search("猫た").hits} == {"ja"}  # CJK: bigrams, never stemmed


def test_the_stemmer_survives_a_save_and_a_load(tmp_path: Path) -> None:
    path = tmp_path / "index.bin"
    _lang_index().save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    assert [h.slug for h in loaded.search("katze").hits] == ["de"]
    assert {h.slug for h in loaded.search("cat").hits} == {"en", "xx"}


# -- CJK snippets --------------------------------------------------------------

_CJK_POSTS = {
    "hotkeys.md": (
        "ja",
        "ホットキー",
        "設定の前に。\n\nホットキーの設定は簡単です。東京タワーは美しい。",
    ),
    "cache.md": ("zh", "缓存指南", "我们使用缓存来提高性能。缓存很重要。"),
}


def test_cjk_snippets_show_each_character_once(tmp_path: Path) -> None:
    folder = tmp_path / "cjk"
    folder.mkdir()
    for name, (lang, title, body) in _CJK_POSTS.items():
        front = f"---\ntitle: {title}\nlang: {lang}\n---\n\n"
        (folder / name).write_text(front + body + "\n", encoding="utf-8")
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([folder])
    flat = [" ".join(body.split()) for _, _, body in _CJK_POSTS.values()]
    for query, marked in [
        ("ホットキー", ["ホットキー"]),
        ("東京タワー", ["東京タワー"]),
        ("缓存", ["缓存", "缓存"]),
        ("性能", ["性能"]),
    ]:
        hit = library.search(query).hits[0]
        text = hit.snippet.text.removeprefix("… ")
        assert any(text in body for body in flat), (query, hit.snippet.text)
        assert text.endswith("。")  # closing punctuation kept, as after a Latin word
        assert [hit.snippet.text[a:b] for a, b in hit.snippet.marks] == marked


# -- OR, groups, and what the parser cannot guess ---------------------------------


def test_or_finds_either_and_both_rank_first(library: Library) -> None:
    redis, lakehouse = set(_slugs(library, "redis")), set(_slugs(library, "lakehouse"))
    assert redis and lakehouse and not redis & lakehouse
    assert set(_slugs(library, "redis OR lakehouse")) == redis | lakehouse
    assert set(_slugs(library, "redis OR zzyzx")) == redis
    assert _slugs(library, "zzyzx OR qqxqq") == []
    # OR binds closer than the spaces: `monitoring (redis OR lakehouse)`.
    monitoring = set(_slugs(library, "monitoring"))
    assert set(_slugs(library, "monitoring redis OR lakehouse")) == monitoring & (redis | lakehouse)
    # A group: both words of one alternative, or the other.
    both = set(_slugs(library, "redis monitoring")) | lakehouse
    assert set(_slugs(library, "(redis monitoring) OR lakehouse")) == both
    assert (
        set(_slugs(library, "architecture -(redis OR lakehouse)"))
        == set(_slugs(library, "architecture")) - redis - lakehouse
    )
    hits = library.search("pipelines OR streaming", limit=50).hits
    has_both = set(_slugs(library, "pipelines streaming"))
    assert {h.slug for h in hits[: len(has_both)]} == has_both  # both words beat one


def test_or_in_the_cli(samples: Path) -> None:
    code, slugs, _ = _cli("search", "redis", "OR", "lakehouse")
    assert code == 0 and len(slugs) == 2
    code, slugs, _ = _cli("search", "(redis", "OR", "lakehouse)", "-rag")
    assert code == 0 and len(slugs) == 2


def test_unknown_is_value_or_field_says_the_nearest(samples: Path) -> None:
    from reader.search import QueryError, parse_query

    for text, nearest in [
        ("is:bookmrk", "is:bookmark"),
        ("is:unred", "is:unread"),
        ("redis tga:ops", "tag:"),
        ("foo:bar", "tag:"),
    ]:
        try:
            parse_query(text)
        except QueryError as error:
            assert error.suggestion == nearest and nearest in str(error)
        else:
            raise AssertionError(f"{text!r} was read anyway")
    for text in ["https://example.com", "16:9", "C:\\Users", "TODO:", '"foo:bar"']:
        parse_query(text)  # not fields
    code, slugs, stderr = _cli("search", "redis", "is:bookmrk")
    assert (code, slugs) == (2, [])
    assert stderr.startswith("reader: error: unknown 'is:bookmrk', did you mean is:bookmark? (")
    assert "is:bookmarked, is:bookmark, is:unread, is:read" in stderr
    assert len(stderr.splitlines()) == 1
    code, _, stderr = _cli("search", "foo:bar")
    assert code == 2 and "did you mean tag:?" in stderr


def test_language_codes_pick_snowball_stemmers() -> None:
    from reader.search.stemming import stemmer_name

    assert stemmer_name("") == "english"  # unknown: English
    assert stemmer_name("en-GB") == "english"
    assert stemmer_name("de-AT") == stemmer_name("German") == "german"
    assert stemmer_name("pt_BR") == "portuguese"
    assert stemmer_name("nb") == stemmer_name("nn") == "norwegian"
    for none in ("ja", "zh-Hans", "ko", "xx"):
        assert stemmer_name(none) == ""  # no Snowball stemmer: words as written only

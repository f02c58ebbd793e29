"""Search answers in full: every word a prefix or a typo names, words a dash parts,
long posts without a space, big vocabularies, snippets filled in later, the first of
two equal passages, a tag chosen inside a tag filter, removed posts forgotten, a
saved index loading as it was, and a post opened as it was imported.

Each test kills mutants that survived the core's fast test selection
(docs/TESTING.md), asserting on what the search returns.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reader.library import Library
from reader.models import Filter, Post
from reader.search import Highlight, SearchIndex, Snippet, make_snippet


def post(slug: str, body: str, tags: tuple[str, ...] = ()) -> Post:
    return Post(slug=slug, title=slug.title(), tags=tags, body=body, words=len(body.split()))


# -- a prefix names every word it starts ----------------------------------------


def test_a_prefix_finds_each_word_it_starts_and_marks_them_all() -> None:
    index = SearchIndex.build(
        [post("pen", "the quill pen"), post("bed", "a quilt here"), post("room", "quiet room")]
    )
    results = index.search("quil*")
    assert sorted(h.slug for h in results.hits) == ["bed", "pen"]
    assert results.total == 2
    marked = {h.slug: h.snippet for h in results.hits}
    assert marked["pen"] == Snippet("the quill pen", ((4, 9),), 0)
    assert marked["bed"] == Snippet("a quilt here", ((2, 7),), 0)


def test_a_misspelt_word_finds_each_close_word() -> None:
    index = SearchIndex.build(
        [post("a", "one moth flew"), post("b", "two moths flew"), post("c", "a mouse")]
    )
    # "mothz" is one edit from both "moth" and "moths", and no word of any post.
    assert sorted(h.slug for h in index.search("mothz").hits) == ["a", "b"]


def test_a_word_with_a_prefix_whose_common_word_is_only_in_earlier_posts() -> None:
    # "quill" is in the first twenty posts, "rare" only in the last: looking the
    # last post up among the twenty must not run off the end of "quill"'s posts.
    posts = [post(f"p{i:02d}", "a quill here") for i in range(20)]
    index = SearchIndex.build([*posts, post("last", "rare quilt")])
    assert [h.slug for h in index.search("rare quil*").hits] == ["last"]
    assert index.search("rare quill").hits == ()


def test_a_removed_post_no_longer_counts_for_a_phrase_of_common_words() -> None:
    # Seventy posts with "quiet lantern": the pair is common enough for a bitmap.
    posts = [post(f"p{i:02d}", f"the quiet lantern number{i}") for i in range(70)]
    index = SearchIndex.build(posts)
    index.update([], remove=["p03"])
    results = index.search('"quiet lantern"', limit=100)
    assert results.total == 69 and len(results.hits) == 69
    assert "p03" not in {h.slug for h in results.hits}
    index.update([post("p03", "the lantern is quiet")])
    assert index.search('"quiet lantern"', limit=100).total == 69


def test_a_dash_between_accented_words_still_parts_them() -> None:
    index = SearchIndex.build([post("cafe", "le café—bar ouvert")])
    assert [h.slug for h in index.search("bar").hits] == ["cafe"]
    assert [h.slug for h in index.search("café").hits] == ["cafe"]


def test_a_long_post_without_a_space_is_indexed_whole() -> None:
    # 20,000 characters of Japanese, no space or line break: longer than one
    # chunk of the snippet records, so it is cut where no word ends.
    index = SearchIndex.build([post("tokyo", "東京タワー" * 4000 + " lantern")])
    assert [h.slug for h in index.search("lantern").hits] == ["tokyo"]
    assert [h.slug for h in index.search("タワー").hits] == ["tokyo"]


def test_a_vocabulary_past_the_surrogate_code_points_is_indexed() -> None:
    # Term ids are stored as characters: 60,000 distinct words take ids through
    # U+D800-U+DFFF, which UTF-8 can only hold as "surrogatepass" bytes.
    words = " ".join(f"w{i:05d}" for i in range(60_000))
    index = SearchIndex.build([post("big", words), post("small", "w59999 lantern")])
    assert [h.slug for h in index.search("w59999").hits] == ["small", "big"]
    assert [h.slug for h in index.search("w56000").hits] == ["big"]


# -- snippets filled in after the hits ------------------------------------------


def test_with_snippet_fills_in_what_a_search_without_snippets_left_out() -> None:
    index = SearchIndex.build([post("pen", "the quill pen\n\nsecond line of text")])
    results = index.search("quill", snippets=False)
    (hit,) = results.hits
    assert hit.snippet == Snippet("")
    filled = index.with_snippet(hit, results.highlight)
    assert filled.slug == "pen" and filled.score == hit.score
    assert filled.snippet == Snippet("the quill pen second line of text", ((4, 9),), 0)
    assert index.snippet("pen", results.highlight) == filled.snippet


def test_with_snippet_of_a_post_since_removed_keeps_the_hit(library: Library) -> None:
    results = library.search("redis", snippets=False)
    hit = results.hits[0]
    index = library.search_index()
    index.update([], remove=[hit.slug])
    assert index.with_snippet(hit, results.highlight) == hit
    assert index.snippet(hit.slug, results.highlight) is None


# -- which passage a snippet shows ----------------------------------------------


def test_of_two_equally_good_passages_the_snippet_shows_the_first() -> None:
    text = "alpha one two three four five six alpha seven"
    snippet = make_snippet(text, Highlight(frozenset({"alpha"})), window=3)
    assert snippet == Snippet("alpha one two …", ((0, 5),), 0)


# -- a tag chosen in the sidebar inside a tag filter -----------------------------


def test_a_tag_and_a_tag_filter_both_narrow_a_search(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "lib", seed=False)
    folder = tmp_path / "posts"
    folder.mkdir()
    for name, tags in [("both", "[moths, night]"), ("moths", "[moths]"), ("night", "[night]")]:
        (folder / f"{name}.md").write_text(
            f"---\ntitle: {name}\ntags: {tags}\n---\n\nlantern text\n", "utf-8"
        )
    library.import_paths([folder])
    within = Filter(Filter.TAG, "night")
    assert [h.slug for h in library.search("lantern", tag="moths", within=within).hits] == ["both"]
    assert sorted(h.slug for h in library.search("lantern", within=within).hits) == [
        "both",
        "night",
    ]
    assert sorted(h.slug for h in library.search("lantern", tag="moths").hits) == [
        "both",
        "moths",
    ]


# -- opening a post ---------------------------------------------------------------


def test_opening_a_post_shows_what_was_imported_not_the_file_edited_since(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    source = tmp_path / "note.md"
    source.write_text("# Note\n\nfirst words\n", "utf-8")
    library = Library.open(isolated_data_dir)
    library.import_paths([source])
    source.write_text("# Note\n\nedited words\n", "utf-8")
    opened = library.get("note")
    assert opened is not None and "first words" in opened.body
    assert "edited" not in opened.body
    assert library.get("no-such-post") is None


# -- scores after a save and a load -----------------------------------------------


def test_a_post_added_after_a_load_scores_as_without_the_save(tmp_path: Path) -> None:
    posts = [post(f"p{i:02d}", "lantern " + "filler words " * i) for i in range(20)]
    added = post("added", "lantern in a short new post")

    def after_changes(index: SearchIndex) -> list[tuple[str, float]]:
        index.update([added])
        return [(h.slug, h.score) for h in index.search("lantern", limit=25).hits]

    kept = SearchIndex.build(posts)
    kept.update([], remove=["p19"])  # one hole in twenty: saved as a hole, not compacted
    kept.save(tmp_path / "index.bin")
    loaded = SearchIndex.load(tmp_path / "index.bin")
    assert loaded is not None
    unsaved = SearchIndex.build(posts)
    unsaved.update([], remove=["p19"])
    expected = after_changes(unsaved)
    assert "added" in [slug for slug, _ in expected]
    # The removed post's lengths no longer count in the average post length.
    assert after_changes(loaded) == expected


def test_a_saved_index_of_posts_with_empty_titles_loads(tmp_path: Path) -> None:
    posts = [Post(slug=s, title="", tags=(), body="okapi", words=1) for s in "abc"]
    SearchIndex.build(posts).save(tmp_path / "index.bin")
    loaded = SearchIndex.load(tmp_path / "index.bin")
    assert loaded is not None
    assert sorted(h.slug for h in loaded.search("okapi").hits) == ["a", "b", "c"]


# -- what is indexed again ---------------------------------------------------------


def test_only_changed_new_and_removed_posts_are_indexed_again(library: Library) -> None:
    index = library.search_index()
    assert index.stale(library.summaries()) == ([], [])
    first, second, *rest = library.summaries()
    changed = replace(first, title="A New Title")
    assert index.stale([changed, *rest, post("new", "text")]) == (
        [first.slug, "new"],
        [second.slug],
    )

"""Snippets: which passage is shown, where its dots go, which words are marked.

Short texts go through `make_snippet` and `find_marks`; long posts (several
chunks of text in the index) through `SearchIndex`, so the passage chosen is
the one with the query's words even when it is far from the start.
"""

from __future__ import annotations

from reader.models import Post, Section
from reader.search import Highlight, SearchIndex, Snippet, find_marks, make_snippet


def words(*terms: str, prefixes: tuple[str, ...] = ()) -> Highlight:
    return Highlight(frozenset(terms), prefixes)


def post(body: str, slug: str = "long", title: str = "Long") -> Post:
    return Post(slug=slug, title=title, tags=(), body=body, words=len(body.split()))


def lines(start: int, stop: int) -> str:
    """Short numbered lines of filler, 33 characters each."""
    return "".join(f"line{i:04d} plain filler words here\n" for i in range(start, stop))


def snippet_of(body: str, query: str) -> Snippet:
    (hit,) = SearchIndex.build([post(body)]).search(query).hits
    return hit.snippet


# -- short texts -------------------------------------------------------------


def test_a_whole_short_text_has_no_dots_and_marks_its_last_word() -> None:
    assert make_snippet("alpha beta", words("beta")) == Snippet("alpha beta", ((6, 10),), 0)


def test_a_text_ending_in_capitals_keeps_its_last_letters() -> None:
    assert make_snippet("see the BOX", words("see")) == Snippet("see the BOX", ((0, 3),), 0)


def test_without_a_match_the_snippet_is_the_start_of_the_text() -> None:
    assert make_snippet("alpha beta gamma", words("zebra")) == Snippet("alpha beta gamma")


def test_punctuation_after_the_last_word_stays_and_the_next_word_does_not() -> None:
    snippet = make_snippet("one two.three four", words("one"), window=2)
    assert snippet == Snippet("one two. …", ((0, 3),), 0)


def test_cjk_marks_cover_the_two_characters_of_a_bigram() -> None:
    assert find_marks("東京タワー", words("東京")) == ((0, 2),)
    assert find_marks("京都の東京タワー", words("東京")) == ((3, 5),)


def test_a_half_width_kana_that_folds_shorter_does_not_stop_the_marks() -> None:
    assert find_marks("ｶﾞ okapi", words("okapi")) == ((3, 8),)
    assert find_marks("ｶﾞ okapi", words("カ")) == ((0, 2),)


def test_a_prefix_alone_marks_the_words_it_starts() -> None:
    assert find_marks("Quillwort guide", words(prefixes=("quil",))) == ((0, 9),)
    assert find_marks("Quillwort guide", words("guide", prefixes=("zz",))) == ((10, 15),)


# -- long posts: the passage is found in the right chunk -----------------------


def test_the_first_of_two_distant_mentions_is_shown() -> None:
    body = lines(0, 10) + "zebra first mention\n" + lines(10, 1200) + "zebra last mention\n"
    snippet = snippet_of(body, "zebra ")
    assert "zebra first mention" in snippet.text and snippet.line == 10


def test_a_word_only_near_the_end_of_a_long_post_is_shown() -> None:
    body = lines(0, 1200) + "okapi at the end\n"
    snippet = snippet_of(body, "okapi ")
    assert "okapi at the end" in snippet.text and snippet.line == 1200


def test_the_passage_with_more_of_the_words_wins_over_an_earlier_one() -> None:
    body = lines(0, 10) + "zebra alone\n" + lines(10, 1200) + "zebra and okapi together\n"
    snippet = snippet_of(body, "zebra okapi ")
    assert "zebra and okapi together" in snippet.text
    assert len(snippet.marks) == 2 and snippet.line == 1201


def test_context_runs_on_into_the_next_chunk() -> None:
    long_line = " ".join(f"long{i:04d}" for i in range(3000)) + "\n"
    body = lines(0, 470) + "zebra closes the short lines\n" + long_line
    snippet = snippet_of(body, "zebra ")
    assert "zebra closes the short lines long0000 long0001" in snippet.text
    assert snippet.text.endswith(" …")


def test_a_passage_reaching_the_end_of_a_long_post_has_no_trailing_dots() -> None:
    body = lines(0, 495) + "zebra closes the short lines\n" + "a short tail of words at the end\n"
    assert len(body) > 16_384  # two chunks: the tail is in the second
    snippet = snippet_of(body, "zebra ")
    assert snippet.text.startswith("… ")
    assert snippet.text.endswith("zebra closes the short lines a short tail of words at the end")


def test_a_word_in_the_title_and_near_the_end_shows_the_end() -> None:
    body = lines(0, 1200) + "okapi at the end\n"
    (hit,) = SearchIndex.build([post(body, title="Okapi notes")]).search("okapi ").hits
    assert "okapi at the end" in hit.snippet.text and hit.snippet.line == 1200


def test_a_word_only_in_the_title_shows_the_start_of_a_long_post() -> None:
    (hit,) = SearchIndex.build([post(lines(0, 1200), title="Okapi")]).search("okapi ").hits
    assert hit.snippet.text.startswith("line0000 plain filler words here line0001")
    assert hit.snippet.marks == () and hit.title_marks == ((0, 5),)


def test_dots_say_the_post_goes_on_even_when_the_next_chunk_adds_no_words() -> None:
    one_long_token = "x" * 1000 + "\n"
    body = lines(0, 470) + "zebra closes the short lines\n" + one_long_token + lines(470, 900)
    snippet = snippet_of(body, "zebra ")
    assert snippet.text.endswith("zebra closes the short lines …")


def test_a_passage_far_from_any_heading_is_in_the_section_it_started_in() -> None:
    body = "## Opening\n\n" + lines(0, 1200) + "okapi at the end\n"
    sections = (Section("Opening", "opening", 2, 0),)
    long = Post(slug="s", title="S", tags=(), body=body, words=1, sections=sections)
    (hit,) = SearchIndex.build([long]).search("okapi ").hits
    assert hit.section == Section("Opening", "opening", 2, 0)
    assert hit.snippet.line == 1202


def test_a_word_only_in_the_second_of_two_chunks_is_shown() -> None:
    body = lines(0, 600) + "okapi in the second chunk\n"
    assert 16_384 < len(body) < 2 * 16_384  # exactly two chunks
    snippet = snippet_of(body, "okapi ")
    assert "okapi in the second chunk" in snippet.text and snippet.line == 600

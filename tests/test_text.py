"""Slugs, folding and the control-character filter."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reader.text import clean_text, fold, fold_with_map, slugify, unique_slug, word_count


def test_slugify_is_lowercase_dashes_and_keeps_letters() -> None:
    assert (
        slugify("Debugging Redis Caching: 7 Techniques") == "debugging-redis-caching-7-techniques"
    )
    assert slugify("Café crème") == "cafe-creme"
    assert slugify("!!!") == "post"
    assert slugify("日本語") == "日本語"
    assert slugify("ホットキー") == "ホットキー"
    assert slugify("Руководство по API") == "руководство-по-api"
    assert slugify("हिन्दी भाषा") == "हिन्दी-भाषा"  # its combining marks are kept
    assert slugify("a_b/c\u200bd 🎉") == "a-b-c-d"
    assert len(slugify("word " * 100)) <= 80


def test_unique_slug_counts_up() -> None:
    assert unique_slug("a", set()) == "a"
    assert unique_slug("a", {"a"}) == "a-2"
    assert unique_slug("a", {"a", "a-2"}) == "a-3"


def test_clean_text_strips_terminal_controls_but_keeps_layout() -> None:
    hostile = "a\x1b[31mred\x1b]8;;http://x\x07link\x9b2J\x7f\tb\r\nc\rd"
    assert clean_text(hostile) == "a[31mred]8;;http://xlink2J\tb\nc\nd"


def test_fold_drops_case_and_accents() -> None:
    assert fold("Café ÉCOLE") == "cafe ecole"
    # Capitals that only appear once decomposed (mathematical letters, Ⓐ) fold too.
    math_and_circled = "\U0001d468\U0001d483 \u24b8"  # bold italic A and b, circled C
    assert fold(math_and_circled) == "ab c" == fold_with_map(math_and_circled)[0]


def test_word_count() -> None:
    assert word_count("one, two — three's") == 4


def test_word_count_reads_cjk_by_characters() -> None:
    # 100 Japanese characters at 500 a minute read as long as 46 words at 230.
    assert word_count("読" * 100) == 46
    assert word_count("ひらがなカタカナ漢字" * 10 + " and three words") == 46 + 3
    assert word_count("한국어 문장") == 2  # Hangul is written with spaces: words


@given(st.text(max_size=60))
def test_fold_with_map_folds_exactly_like_fold(text: str) -> None:
    folded, mapping = fold_with_map(text)
    assert folded == fold(text)
    if mapping is None:
        assert text.isascii()
    else:
        assert len(mapping) == len(folded) + 1 and mapping[-1] == len(text)
        assert mapping == sorted(mapping)

"""Front matter as people write it: three formats, hostile values, dates, titles and inline tags."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.metadata import SUMMARY_MAX_CHARS, iso_date, name_hints
from reader.parsing import ParseError, parse_markdown
from reader.text import clean_text


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("\n\n+++\ntitle = 'x'\ntags = [\n+++\nbody\n", "bad front matter", 5),
        ("+++\ntitle = 'never closed'\n", "never closed", 1),
        ('\n{\n  "title": "x",\n  "tags": [1,\n}\n\nbody\n', "bad front matter", 5),
        ('{"title": "x"} trailing\nbody\n', "text after the closing", 1),
        ("\n---\ntitle: ok\ntags: [a\n---\nbody\n", "bad front matter", 4),
        ("---\naliases: LifeOS\n- a\n---\nbody\n", "bad front matter", 3),
    ],
)
def test_a_bad_block_names_its_line_in_the_file(text: str, reason: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_markdown(text)
    assert reason in caught.value.reason
    assert caught.value.line == line


def test_fences_may_have_blank_lines_before_and_spaces_after() -> None:
    for text in ("\n\n---  \ntitle: Y\n---   \nBody\n", "\n+++ \ntitle = 'Y'\n+++\t\nBody\n"):
        parsed = parse_markdown(text)
        assert parsed.title == "Y" and parsed.body == "Body\n"


def test_a_body_that_opens_with_braces_or_a_rule_is_not_front_matter() -> None:
    shortcode = parse_markdown("{{< alert >}}\nCareful\n{{< /alert >}}\n", "f")
    assert shortcode.title == "f" and "Careful" in shortcode.body
    rule = parse_markdown("---\n\nA file that opens with a rule.\n", "g")
    assert rule.title == "g" and "opens with a rule" in rule.body


def test_values_of_the_wrong_type_are_coerced_or_dropped() -> None:
    parsed = parse_markdown(
        "---\n"
        "title: 42\n"
        "date: not a date\n"
        "updated: 2014\n"
        "tags: [null, 3, {x: 1}, '#hashed', [nested], '', ' spaced  out ']\n"
        "categories: {a: b}\n"
        "author: {name: Ada, email: a@example.org}\n"
        "summary: [a, list]\n"
        "aliases: [null, '', /old/]\n"
        "slug: {a: 1}\n"
        "lang: 'not a language'\n"
        "url: 'two words'\n"
        "draft: 'yes'\n"
        "---\nBody\n",
        "fallback",
    )
    assert parsed.title == "42"
    assert parsed.date is None and parsed.updated is None
    assert parsed.tags == ("3", "hashed", "spaced out")
    assert parsed.authors == ("Ada",)
    assert parsed.summary == "" and parsed.aliases == ("/old/",)
    assert parsed.slug is None and parsed.lang == "" and parsed.url == ""
    assert parsed.draft is True
    dropped = parse_markdown("---\ntitle: {a: 1}\ntags: 7\n---\nBody\n", "fallback")
    assert dropped.title == "fallback" and dropped.tags == ("7",)


def test_an_alias_bomb_is_never_expanded_into_text() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [{', '.join([f'*{previous}'] * 9)}]\n"
    bomb += "title: *i\ntags: *i\nauthors: *i\n---\nBody\n"
    parsed = parse_markdown(bomb, "safe")
    assert parsed.title == "safe" and parsed.tags == () and parsed.authors == ()


def test_control_characters_in_front_matter_never_reach_a_field() -> None:
    parsed = parse_markdown(
        '+++\ntitle = "T\\u001b[2J"\nauthors = ["A\\u0007"]\ndescription = "D\\u009b"\n'
        'tags = ["x\\u001b]8;;"]\n+++\nBody\n'
    )
    fields = (parsed.title, *parsed.authors, parsed.summary, *parsed.tags)
    assert not any(c in field for field in fields for c in "\x1b\x07\x9b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2014, 5, 14), "2014-05-14"),
        (dt.datetime(2014, 5, 14, 11, 2), "2014-05-14T11:02:00"),
        (
            dt.datetime(2014, 5, 14, 11, 2, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
            "2014-05-14T11:02:00-04:00",
        ),
        ("2014-05-14", "2014-05-14"),
        ("2014-05-14T11:02:00-04:00", "2014-05-14T11:02:00-04:00"),
        ("2014-05-14 11:02:00 -0400", "2014-05-14T11:02:00-04:00"),
        ("2021-03-04T05:06:07Z", "2021-03-04T05:06:07+00:00"),
        ("2014-5-4", "2014-05-04"),
        ("May 14, 2014", "2014-05-14"),
        ("14 May 2014", "2014-05-14"),
        ("2014/05/14", "2014-05-14"),
        ("soon", None),
        ("2014-13-45", None),
        ("", None),
        (2014, None),
        (True, None),
        (dt.time(10, 30), None),
        (["2014-05-14"], None),
    ],
)
def test_dates_become_iso_8601_or_none(value: object, expected: str | None) -> None:
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("path", "title", "date", "lang"),
    [
        ("_posts/2014-05-14-hello-world.md", "hello-world", "2014-05-14", ""),
        ("_posts/2014-99-14-not-a-date.md", "2014-99-14-not-a-date", None, ""),
        ("posts/my-trip/index.md", "my-trip", None, ""),
        ("posts/my-trip/index.de.md", "my-trip", None, "de"),
        ("docs/_index.zh-CN.md", "docs", None, "zh-CN"),
        ("notes/release.v1.md", "release.v1", None, ""),
        ("notes/meeting.old.md", "meeting.old", None, ""),
        ("Vault Note.md", "Vault Note", None, ""),
    ],
)
def test_what_a_file_name_says(path: str, title: str, date: str | None, lang: str) -> None:
    hints = name_hints(PurePath(path))
    assert (hints.title, hints.date, hints.lang) == (title, date, lang)


def test_a_heading_is_dropped_only_when_it_is_the_title() -> None:
    same = parse_markdown("---\ntitle: Café Notes\n---\n\n# cafe   notes\n\nText.\n")
    assert same.body == "Text.\n"
    other = parse_markdown("---\ntitle: Café Notes\n---\n\n# Something else\n\nText.\n")
    assert other.body.startswith("# Something else")
    assert [s.heading for s in other.sections] == ["Something else"]
    later = parse_markdown("---\ntitle: T\n---\n\nIntro.\n\n# T\n\nText.\n")
    assert "# T" in later.body  # not at the top: it is part of the text


def test_a_setext_title_leaves_no_underline_behind() -> None:
    parsed = parse_markdown("The Title\n=========\n\nText.\n\n## Part\n")
    assert parsed.title == "The Title"
    assert parsed.body.startswith("Text.") and "===" not in parsed.body
    assert parsed.body.split("\n")[parsed.sections[0].line] == "## Part"


def test_inline_tags_only_in_prose() -> None:
    parsed = parse_markdown(
        "---\ntags: [Idea]\n---\n"
        "A #idea, #tag/sub and (#paren) and #日本語.\n\n"
        "Not: a#b C# #123 #2024/05 `#code` #dcddde &#35;entity \\#escaped "
        "<https://x.org/#frag> [link](https://x.org/#anchor) ![#img](p.png) "
        "[[#Heading|here]] [[Note#Part]] [[Note|see #alias]]\n\n"
        "# Heading #nope\n\n"
        "    #indented code\n\n"
        "<div>#html</div>\n\n"
        "| a |\n|---|\n| #cell |\n",
        "t",
    )
    assert parsed.tags == ("Idea", "tag/sub", "paren", "日本語", "cell")


def test_sections_are_found_after_the_front_matter_whatever_its_format() -> None:
    for head in ("---\ntitle: T\n---", "+++\ntitle = 'T'\n+++", '{"title": "T"}'):
        parsed = parse_markdown(f"{head}\n\nIntro.\n\n## One\n\ntext\n\n## Two\n")
        lines = parsed.body.split("\n")
        assert [lines[s.line] for s in parsed.sections] == ["## One", "## Two"]


def test_the_summary_is_plain_text_and_short() -> None:
    both = parse_markdown("---\ndescription: For search engines.\nsummary: For the list.\n---\nB\n")
    assert both.summary == "For the list."
    html = parse_markdown(
        "---\nexcerpt: '<p>One &amp; two</p><script>alert(1)</script><p>three</p>'\n---\nB\n"
    )
    assert html.summary == "One & two three"
    long = parse_markdown("---\nsummary: " + "word " * 400 + "\n---\nB\n")
    assert len(long.summary) <= SUMMARY_MAX_CHARS + 1 and long.summary.endswith("word…")


KEYS = [
    "title",
    "date",
    "publishDate",
    "updated",
    "lastmod",
    "author",
    "authors",
    "summary",
    "description",
    "excerpt",
    "tags",
    "categories",
    "category",
    "keywords",
    "series",
    "taxonomies",
    "draft",
    "published",
    "slug",
    "aliases",
    "lang",
    "url",
    "link",
    "canonical",
    "extra",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=8))
def test_any_front_matter_values_give_clean_fields(data: dict[str, object]) -> None:
    parsed = parse_markdown(json.dumps(data) + "\nBody.\n", "fallback")
    texts = [parsed.title, parsed.summary, parsed.lang, parsed.url, parsed.slug or ""]
    texts += [*parsed.tags, *parsed.authors, *parsed.aliases]
    assert parsed.title and all(isinstance(t, str) for t in texts)
    assert not any(clean_text(t) != t or "\n" in t for t in texts)
    for date in (parsed.date, parsed.updated):
        assert date is None or dt.datetime.fromisoformat(date)
    assert parsed.body == "Body.\n"


def test_headings_in_other_scripts_get_anchors_the_reader_agrees_with() -> None:
    from reader.tui.markdown_lines import build_document

    parsed = parse_markdown("---\ntitle: T\n---\n\n## 設定\n\n## Настройки\n\n## 設定\n\n## !!!\n")
    anchors = [s.anchor for s in parsed.sections]
    assert anchors == ["設定", "настройки", "設定-2", "section"]
    for known in ([(s.heading, s.anchor) for s in parsed.sections], []):
        document = build_document(parsed.body, parsed.title, known_sections=known)
        assert [s.anchor for s in document.sections] == anchors

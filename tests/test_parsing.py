"""Markdown parsing: front matter, titles, sections from heading tokens."""

from __future__ import annotations

import pytest

from reader.parsing import ParseError, parse_markdown


def test_front_matter_and_sections() -> None:
    parsed = parse_markdown(
        "---\ntitle: Hello\nslug: Custom Slug\ntags: [a, b, a]\n---\n\nIntro\n\n"
        "## First\n\ntext\n\n```\n## not a heading\n```\n\n### First\n"
    )
    assert parsed.title == "Hello"
    assert parsed.slug == "custom-slug"
    assert parsed.tags == ("a", "b")
    assert [(s.heading, s.anchor, s.level) for s in parsed.sections] == [
        ("First", "first", 2),
        ("First", "first-2", 3),
    ]
    lines = parsed.body.split("\n")
    assert [lines[s.line] for s in parsed.sections] == ["## First", "### First"]


def test_title_from_leading_heading_is_removed_from_body() -> None:
    parsed = parse_markdown("# The *Title*\n\nBody text.\n\n## Part\n")
    assert parsed.title == "The Title"
    assert "The" not in parsed.body.split("\n")[0]
    assert [s.heading for s in parsed.sections] == ["Part"]
    assert parsed.body.split("\n")[parsed.sections[0].line] == "## Part"


def test_default_title_and_comma_tags() -> None:
    parsed = parse_markdown("---\ntags: x, y\n---\nJust text.\n", default_title="file-stem")
    assert parsed.title == "file-stem"
    assert parsed.tags == ("x", "y")


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("", "empty file", None),
        ("  \n\n", "empty file", None),
        ("---\ntitle: [unclosed\n---\nbody\n", "bad front matter", 2),
        ("---\n- a list\n---\nbody\n", "expected key: value", 2),
    ],
)
def test_bad_documents_raise_with_reason_and_line(text: str, reason: str, line: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse_markdown(text)
    assert reason in caught.value.reason
    assert caught.value.line == line


def test_control_characters_never_reach_the_body() -> None:
    parsed = parse_markdown('---\ntitle: "T\\e[2J"\n---\nX\x1b[31mY\x07\n')
    assert "\x1b" not in parsed.title and "\x1b" not in parsed.body and "\x07" not in parsed.body

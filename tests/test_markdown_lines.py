"""Unit tests for the Markdown-to-lines renderer (no app needed)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content

from reader.parsing import parse_markdown
from reader.tui.markdown_lines import (
    Document,
    DocumentBuilder,
    Piece,
    build_document,
    fold_with_map,
    link_scheme,
    split_chunks,
    wrap_ranges,
)


def plain_lines(document: Document, width: int) -> list[str]:
    """The layout's text, without styles (pads applied)."""
    out: list[str] = []
    for line in document.layout_at(width).lines:
        parts: list[str] = []
        for piece in line:
            if isinstance(piece, Content):
                parts.append(piece.plain)
            else:
                assert isinstance(piece, Piece)
                text = document.units[piece.unit].text[piece.start : piece.end]
                if piece.pad:
                    room = piece.pad - cell_len(text)
                    text = " " * room + text if piece.align == "right" else text + " " * room
                parts.append(text)
        out.append("".join(parts).rstrip())
    return out


def test_wrap_ranges_breaks_at_spaces_and_cuts_long_words() -> None:
    text = "the quick brown fox jumps over a lazy dog"
    lines = [text[s:e] for s, e in wrap_ranges(text, 10)]
    assert lines == ["the quick", "brown fox", "jumps over", "a lazy dog"]
    long = "abcdefghij klm"
    assert [long[s:e] for s, e in wrap_ranges(long, 4)] == ["abcd", "efgh", "ij", "klm"]


def test_wrap_ranges_keeps_hard_breaks_and_blank_lines() -> None:
    text = "one\n\ntwo three"
    assert [text[s:e] for s, e in wrap_ranges(text, 20)] == ["one", "", "two three"]


def test_wrap_ranges_measures_wide_characters_in_cells() -> None:
    text = "漢字" * 20 + " café ünïcode"
    for start, end in wrap_ranges(text, 15):
        assert 0 < cell_len(text[start:end]) <= 15


def test_fold_with_map_points_back_to_the_original() -> None:
    folded, mapping = fold_with_map("Ça Café")
    assert folded == "ca cafe"
    assert mapping is not None
    start = folded.find("cafe")
    assert "Ça Café"[mapping[start] : mapping[start + 3] + 1] == "Café"
    assert fold_with_map("ASCII") == ("ascii", None)


def test_link_scheme() -> None:
    assert link_scheme("HTTPS://x.org") == "https"
    assert link_scheme("mailto:a@b.c") == "mailto"
    assert link_scheme("relative/path") == ""


def test_split_chunks_rejoins_and_never_cuts_code() -> None:
    fence = "```\n" + "\n\n".join(f"code line {n}" for n in range(400)) + "\n```\n"
    prose = "\n\n".join(f"Paragraph {n} with some words in it." for n in range(800))
    text = prose + "\n\n" + fence + "\n" + prose
    chunks = split_chunks(text, size=2_000, first=1_000)
    assert len(chunks) > 5
    assert "\n".join(chunks) == text
    assert sum(chunk.count("```") for chunk in chunks if "```" in chunk) == 2
    assert any(chunk.count("```") == 2 for chunk in chunks)


def test_split_chunks_keeps_documents_with_reference_links_whole() -> None:
    text = "[a][ref]\n\n" + "word " * 5_000 + "\n\n[ref]: https://x.org\n"
    assert split_chunks(text, size=100, first=100) == [text]


def test_chunked_build_equals_whole_build() -> None:
    parts = []
    for n in range(300):
        parts.append(f"## Part {n}\n\nText *{n}* with `code`.\n\n- a\n- b\n\n> quote {n}\n")
    text = "\n".join(parts)
    whole = build_document(text, "Title")
    builder = DocumentBuilder("Title")
    for chunk in split_chunks(text, size=3_000, first=1_000):
        builder.feed(chunk)
    chunked = builder.finish()
    assert plain_lines(chunked, 50) == plain_lines(whole, 50)
    assert [s.anchor for s in chunked.sections] == [s.anchor for s in whole.sections]


ELEMENTS = """\
Para with *emph*, **strong**, ~~gone~~ and `code`.

## Second level

### Third level

#### Fourth level

- one
- two
  1. nested a
  2. nested b

> quoted *text*

```python
def f():
    return 1
```

    indented code

| Left | Right |
|:-----|------:|
| a | 1 |

---

A [link](https://example.com/a) and ![pic](https://example.com/p.png).
"""


def test_every_element_is_rendered() -> None:
    document = build_document(ELEMENTS, "The Title", ("t1", "t2"))
    lines = plain_lines(document, 60)
    text = "\n".join(lines)
    assert lines[0] == "The Title"
    assert lines[1] == "#t1  #t2"
    assert "Para with emph, strong, gone and code." in text
    assert "Second level" in lines and "─" * len("Second level") in lines
    assert "• one" in lines and "  1. nested a" in lines and "  2. nested b" in lines
    assert "▌ quoted text" in lines
    assert " def f():" in lines and "     return 1" in lines
    assert " indented code" in lines
    assert "│ Left │ Right │" in lines and "│ a    │     1 │" in lines
    assert "─" * 60 in lines
    assert "A link <https://example.com/a> and [image: pic] <https://example.com/p.png>." in (
        plain_lines(document, 100)
    )
    assert [s.heading for s in document.sections] == ["Second level", "Third level", "Fourth level"]
    assert [link.url for link in document.links] == [
        "https://example.com/a",
        "https://example.com/p.png",
    ]


def test_styles_follow_the_markup() -> None:
    document = build_document("*e* **s** ~~x~~ `c`\n\n## H2\n\n### H3\n")
    paragraph = document.units[0]
    styles = {paragraph.text[s.start : s.end]: s.style for s in paragraph.spans}
    assert styles["e"] == "italic" and styles["s"] == "bold" and styles["x"] == "strike"
    assert styles["c"] == "post-view--code-inline"
    assert document.units[1].spans[0].style == "post-view--h2"
    assert document.units[2].spans[0].style == "post-view--h3"


def test_markup_in_posts_stays_text() -> None:
    document = build_document("[bold]x[/bold] [@click=app.quit]y[/] [red]")
    assert document.units[0].text == "[bold]x[/bold] [@click=app.quit]y[/] [red]"
    assert all(
        not isinstance(s.style, str)
        or s.style.startswith("post-view")
        or s.style in ("bold", "italic", "strike")
        for s in document.units[0].spans
    )


def test_control_characters_are_stripped() -> None:
    document = build_document("red \x1b[31mtext\x07 here\x9b")
    assert document.units[0].text == "red [31mtext here"


def test_unsafe_links_carry_no_hyperlink() -> None:
    document = build_document("[m](mailto:a@b.c) [w](https://x.org) [f](ftp://x.org/f)")
    links = {link.url: link for link in document.links}
    assert links["https://x.org"].safe
    assert not links["mailto:a@b.c"].safe and not links["ftp://x.org/f"].safe
    hyperlinks = [s.style.link for s in document.units[0].spans if not isinstance(s.style, str)]
    assert hyperlinks.count("https://x.org") == 1
    assert all(link in (None, "https://x.org") for link in hyperlinks)


def test_sections_take_the_anchors_of_the_post() -> None:
    parsed = parse_markdown("# T\n\n## Intro\n\ntext\n\n## Intro\n\n## Café & co\n")
    document = build_document(
        parsed.body, parsed.title, known_sections=[(s.heading, s.anchor) for s in parsed.sections]
    )
    assert [s.anchor for s in document.sections] == [s.anchor for s in parsed.sections]
    assert [s.anchor for s in document.sections] == ["intro", "intro-2", "cafe-co"]


def test_tables_fit_the_width() -> None:
    text = "| a | b |\n|---|---|\n| " + "long words " * 20 + "| short |\n"
    document = build_document(text)
    for width in (30, 60, 120):
        for line in plain_lines(document, width):
            assert cell_len(line) <= width


def test_layout_is_cached_per_width() -> None:
    document = build_document("word " * 200)
    assert document.layout_at(40) is document.layout_at(40)
    assert len(document.layout_at(40).lines) > len(document.layout_at(80).lines)


def test_repeated_headings_get_distinct_anchors_in_order() -> None:
    body = "".join(f"## Same heading\n\nText {n}.\n\n" for n in range(3000))
    builder = DocumentBuilder("Title", (), [])
    for chunk in split_chunks(body):
        builder.feed(chunk)
    anchors = [s.anchor for s in builder.finish().sections]
    assert anchors[:3] == ["same-heading", "same-heading-2", "same-heading-3"]
    assert len(set(anchors)) == 3000 and anchors[-1] == "same-heading-3000"

"""Snippets never show Markdown debris or doubled CJK, and still mark every matched form."""

from __future__ import annotations

import re

import pytest

from reader.models import Post
from reader.search import SearchIndex
from reader.search.plain import markdown_to_plain

MARKUP = """---
title: Left in the body
draft: false
---

# Heading with **bold** zebras #

Some *emphasis*, __strong__ and ~~struck~~ text about zebra crossings, with a
[link to zebra](https://example.com/zebra?x=1) and an ![image of a zebra](img/z.png "Z").

```python
def zebra_herd():
    return "zebra" * 2
```

| Animal | Stripes |
|--------|:-------:|
| zebra  | many    |

<div class="note"><span>zebra in <b>html</b></span></div>
<!-- a zebra comment -->

> quoted zebra line
> > nested

- [ ] task about zebra
* [x] done zebra
1. numbered zebra item

Reference [zebra][ref] and <https://zebra.example.org> autolink.

[ref]: https://example.com/ref "Ref"

Setext zebra heading
====================

***

Inline `zebra_code()` and a line\\
break \\#1 \\_kept\\_. Zebra &amp; horse, C# and a > b! 東京タワーの夜景 zebra.
"""

DEBRIS = re.compile(
    r"```|~~~|\|\s|\s\||\]\(|!\[|\[[^\]]*\]|</?[a-z]|<!--|^---|\n---|\*\*|\*\w|\w\*|__|~~|"
    r"(?:^|\s)#{1,6}\s|>\s*(?:quoted|nested)|={3,}|-{3,}|&amp;|\\\\|https?://|\bpython\b|\s-\s"
)


def _index() -> SearchIndex:
    body = MARKUP
    return SearchIndex.build([Post(slug="m", title="Markup", body=body, words=100)])


@pytest.mark.parametrize(
    "query",
    [
        "zebra",
        "zebras",  # a stem: zebra
        "zebar",  # a typo... of five letters: zebra
        "zeb*",  # a prefix
        "crossings",
        "stripes",
        "html",
        "quoted",
        "task",
        "numbered",
        "autolink",
        "setext",
        "break",
        "horse",
        "herd",
        "東京",
        "夜景",
    ],
)
def test_snippets_hold_no_markup(query: str) -> None:
    results = _index().search(query)
    assert results.hits, query
    text = results.hits[0].snippet.text
    assert DEBRIS.search(text) is None, (query, text, DEBRIS.search(text))


def test_no_doubled_cjk() -> None:
    text = _index().search("東京").hits[0].snippet.text
    assert "東京タワーの夜景" in text and "東東" not in text and "京京" not in text


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("zebras", {"zebra", "zebras", "Zebra"}),  # the stem's forms
        ("zebar", {"zebra", "Zebra"}),  # the typo's word
        ("zeb*", {"zebra", "zebras", "Zebra"}),  # words the prefix starts
        ("stripes", {"Stripes"}),
    ],
)
def test_marks_fall_on_every_matched_form(query: str, marked: set[str]) -> None:
    snippet = _index().search(query).hits[0].snippet
    words = {snippet.text[a:b] for a, b in snippet.marks}
    assert words and words <= marked, (words, snippet.text)
    # every shown form of the word is marked
    shown = set(re.findall(r"\b[Zz]ebras?\b", snippet.text)) if "zeb" in query else set()
    assert shown <= words


def test_plain_text_keeps_lines_and_prose() -> None:
    plain = markdown_to_plain(MARKUP)
    assert plain.count("\n") == MARKUP.count("\n")  # a line still finds its section
    assert "C# and a > b!" in plain and "zebra_code()" in plain
    assert "Zebra & horse" in plain and "#1 _kept_" in plain
    assert "a b" in markdown_to_plain("a*b")  # a marker inside a word leaves a space

"""Feed HTML is hostile: sanitise it, then convert it to Markdown with markdownify."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdownify import markdownify

from reader.text import clean_text

__all__ = ["clean_text", "safe_url", "sanitise", "to_markdown"]

_DROP_WITH_CONTENT = frozenset(
    """
    script style iframe object embed noscript template svg math frame frameset form
    head title
    """.split()  # noqa: SIM905
)
_VOID = frozenset(
    """
    br hr img input meta link area base col source wbr
    """.split()  # noqa: SIM905
)
_KEEP = frozenset(
    """
    a p br hr img h1 h2 h3 h4 h5 h6 ul ol li em strong b i code pre blockquote table
    thead tbody tr th td del s sup sub dl dt dd figure figcaption div span
    """.split()  # noqa: SIM905
)
_URL_ATTRS = {"a": "href", "img": "src"}


def safe_url(url: str) -> str:
    """`url` when it is http or https, else ''."""
    value = clean_text(url).strip()
    return value if re.match(r"(?i)https?://", value) else ""


def _pixel(attrs: dict[str, str]) -> bool:
    sizes = (attrs.get("width", ""), attrs.get("height", ""))
    return any(s.strip().rstrip("px") in {"0", "1"} for s in sizes)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _DROP_WITH_CONTENT:
            if tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag not in _KEEP:
            return
        values = {k.lower(): v or "" for k, v in attrs}
        kept: list[str] = []
        if tag in _URL_ATTRS:
            url = safe_url(values.get(_URL_ATTRS[tag], ""))
            if tag == "img" and (not url or _pixel(values)):
                return
            if url:
                kept.append(f'{_URL_ATTRS[tag]}="{_attr(url)}"')
        if tag == "img" and values.get("alt"):
            kept.append(f'alt="{_attr(values["alt"])}"')
        self.out.append(f"<{tag}{''.join(' ' + k for k in kept)}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in _KEEP and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            from html import escape

            self.out.append(escape(clean_text(data), quote=False))


def _attr(value: str) -> str:
    from html import escape

    return escape(value, quote=True)


def sanitise(html: str) -> str:
    """`html` with only harmless tags and http(s) links left."""
    parser = _Sanitiser()
    parser.feed(clean_text(html))
    parser.close()
    return "".join(parser.out)


def to_markdown(html: str) -> str:
    """Sanitised `html` as Markdown, with ATX headings so they become sections."""
    markdown = markdownify(sanitise(html), heading_style="ATX", bullets="-")
    return clean_text(re.sub(r"\n{3,}", "\n\n", markdown)).strip() + "\n"

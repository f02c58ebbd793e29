"""One inline token (a paragraph's, a heading's, a cell's text) as a `Unit`: text, spans, links.

Emphasis, code, links and images, footnote references (`[1]`), task boxes
(☐/☑), math as written in code style, and inline HTML without its tags (the
text between them kept, `<br>` a line break). Links are recorded in the
document as they are met. Post text only ever becomes the text of a unit.
"""

from __future__ import annotations

import html
import re

from markdown_it.token import Token
from textual.content import Span
from textual.style import Style

from reader.parsing import inline_text
from reader.text import clean_text
from reader.tui.document import (
    S_CODE_INLINE,
    S_FOOTNOTE,
    S_LINK,
    S_LINK_TARGET,
    S_TASK,
    SAFE_SCHEMES,
    Document,
    Link,
    Unit,
    link_scheme,
)

__all__ = ["html_text", "inline_unit"]

_EMPHASIS = {"em_open": "italic", "strong_open": "bold", "s_open": "strike"}
_BREAK = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>", re.DOTALL)
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_BLOCK_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)


def html_text(source: str) -> str:
    """The text of some HTML, without its tags, comments, scripts and styles."""
    text = _HIDDEN.sub("", source)
    text = _BLOCK_BREAK.sub("\n", text)
    text = clean_text(html.unescape(_TAG.sub("", text)))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def inline_unit(token: Token, document: Document, base: str = "") -> Unit:
    """Turn an inline token into a unit of `document` (its links appended to the document)."""
    parts: list[str] = []
    spans: list[Span | None] = []
    open_spans: list[tuple[int, int, str]] = []  # (span slot, start, style)
    link_stack: list[tuple[int, str, int, bool]] = []  # (span slot, url, start, wikilink)
    position = 0
    unit_index = len(document.units)

    def add(text: str, style: str = "") -> None:
        nonlocal position
        if not text:
            return
        parts.append(text)
        if style:
            spans.append(Span(position, position + len(text), style))
        position += len(text)

    for child in token.children or ():
        kind = child.type
        if kind == "text":
            add(child.content.replace("\t", " "))
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "code_inline":
            add(child.content.replace("\n", " "), S_CODE_INLINE)
        elif kind in ("math_inline", "math_inline_double"):
            dollars = "$$" if kind == "math_inline_double" else "$"
            add(f"{dollars}{child.content.replace(chr(10), ' ')}{dollars}", S_CODE_INLINE)
        elif kind == "footnote_ref":
            add(f"[{int(child.meta.get('id', 0)) + 1}]", S_FOOTNOTE)
        elif kind in _EMPHASIS:
            spans.append(None)
            open_spans.append((len(spans) - 1, position, _EMPHASIS[kind]))
        elif kind in ("em_close", "strong_close", "s_close") and open_spans:
            slot, start, style = open_spans.pop()
            if position > start:
                spans[slot] = Span(start, position, style)
        elif kind == "link_open":
            spans.append(None)
            wiki = bool(child.meta.get("wikilink"))
            link_stack.append((len(spans) - 1, str(child.attrGet("href") or ""), position, wiki))
        elif kind == "link_close" and link_stack:
            slot, url, start, wiki = link_stack.pop()
            label = "".join(parts)[start:position]
            if url and not wiki and label not in (url, url.removeprefix("mailto:")):
                add(" ")
                add(f"<{url}>", S_LINK_TARGET)
            if position > start:
                spans[slot] = Span(start, position, S_LINK)
                link = Link(url, unit_index, start, position, wiki)
                spans.append(Span(start, position, _record(document, link)))
        elif kind == "image":
            url = str(child.attrGet("src") or "")
            alt = inline_text(child).strip() or child.content
            start = position
            add(f"[image: {alt}]" if alt else "[image]", S_LINK)
            if url:
                add(" ")
                add(f"<{url}>", S_LINK_TARGET)
                link = Link(url, unit_index, start, position)
                spans.append(Span(start, position, _record(document, link)))
        elif kind == "html_inline":
            content = child.content
            if "task-list-item-checkbox" in content:
                add("☑" if "checked" in content else "☐", S_TASK)
            elif _BREAK.match(content.strip()):
                add("\n")
            elif (media := _media(content)) is not None:
                label, url = media
                start = position
                add(label, S_LINK)
                if url:
                    add(" ")
                    add(f"<{url}>", S_LINK_TARGET)
                    link = Link(url, unit_index, start, position)
                    spans.append(Span(start, position, _record(document, link)))
            # Any other tag is dropped; the text between tags is text tokens.
        elif child.content:
            add(child.content)
    text = "".join(parts)
    final = [span for span in spans if span is not None]
    if base and text:
        final.insert(0, Span(0, len(text), base))
    return Unit(text, final)


_MEDIA = re.compile(r"^<(img|video|iframe|audio)\b([^>]*)>$", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_MEDIA_NAMES = {"img": "image", "video": "video", "iframe": "embedded page", "audio": "audio"}


def _media(tag: str) -> tuple[str, str] | None:
    """An inline `<img>`, `<video>`, `<iframe>` or `<audio>` tag as a label and its address."""
    match = _MEDIA.match(tag.strip())
    if match is None:
        return None
    attrs = {
        key.lower(): clean_text(html.unescape(double or single or bare))
        for key, double, single, bare in _ATTR.findall(match.group(2))
    }
    name = _MEDIA_NAMES[match.group(1).lower()]
    text = " ".join((attrs.get("alt") or attrs.get("title") or "").split())
    label = f"[{name}: {text}]" if text else f"[{name}]"
    return label, attrs.get("src", "").strip()


def _record(document: Document, link: Link) -> Style:
    """Record a link; return the style that marks its text (OSC 8 only for http/https)."""
    links = document.links
    links.append(link)
    target = link.url if link.safe and link_scheme(link.url) in SAFE_SCHEMES else None
    return Style(link=target) + Style.from_meta({"reader_link": len(links) - 1})

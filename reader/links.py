"""Links between posts: which post (and section) a link in a post points at.

A `LinkResolver` is built once from the library's summaries and answers for
any number of links: wikilinks by title, alias or file name (case-insensitive,
as Obsidian does), `#Heading` by the section, relative Markdown links
(`../other.md`, `other.md#part`, `./sub/x/`) against the linking post's own
file, and site paths (`/docs/x/`, Zola's `@/docs/x.md`) by the end of the
posts' file paths (`…/content/docs/x.md`, `…/docs/x/index.md`, `_index.md`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from urllib.parse import unquote

from reader.models import PostSummary
from reader.text import fold, slugify

__all__ = ["LinkResolver", "Target"]

Target = tuple[str, str]
"""A post's slug and a section anchor in it ("" for the top)."""

_BUNDLED = "bundled:"
_INDEX = re.compile(r"^_?index(?:\.[\w-]+)?$")
"""A page bundle's or section's own file: `index`, `_index`, `index.de`."""
_PAGE_SUFFIX = re.compile(r"\.(?:md|markdown|html?)$", re.IGNORECASE)


def _source_path(source: str) -> str:
    """The post's file as a POSIX path without `#n` digest numbers ("" when none)."""
    if source.startswith(_BUNDLED):
        return source[len(_BUNDLED) :]
    path = source.replace("\\", "/")
    head, sep, tail = path.rpartition("#")
    if sep and tail.isdigit():
        path = head
    return path


def _page_parts(path: str) -> list[str]:
    """A file path as the page path it publishes: no suffix, no `index`, lower case."""
    parts = [p for p in _PAGE_SUFFIX.sub("", path).lower().split("/") if p and p != "."]
    if parts and _INDEX.match(parts[-1]):
        parts.pop()
    return parts


class LinkResolver:
    """Maps a link target in one post to a post of the library and a section."""

    def __init__(self, posts: Sequence[PostSummary]) -> None:
        self._posts = {post.slug: post for post in posts}
        self._names: dict[str, str] = {}
        """Folded titles, aliases and file names, to slugs (the first post keeps a name)."""
        self._paths: dict[str, str] = {}
        """Whole page paths (lower case, no suffix) to slugs."""
        self._tails: dict[str, str] = {}
        """Every tail of every page path (`docs/x`, `x`) to a slug."""
        for post in posts:
            path = _source_path(post.source)
            parts = _page_parts(path)
            stem = posixpath.basename(_PAGE_SUFFIX.sub("", path))
            names = [post.title, *post.aliases, stem, parts[-1] if parts else ""]
            for name in names:
                key = fold(name).strip()
                if key:
                    self._names.setdefault(key, post.slug)
            if parts:
                self._paths.setdefault("/".join(parts), post.slug)
                for n in range(len(parts) - 1, -1, -1):
                    self._tails.setdefault("/".join(parts[n:]), post.slug)

    def resolve(
        self, target: str, current: PostSummary | None, wiki: bool = False
    ) -> Target | None:
        """The post and section `target` points at, from the post `current`; None if not one."""
        if wiki:
            return self._wiki(target, current)
        url = target.strip()
        if not url or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url) or url.startswith("//"):
            return None  # a URL with a scheme (or a host) is not a post of ours
        url, _, fragment = url.partition("#")
        url = unquote(url.partition("?")[0])
        fragment = unquote(fragment)
        if not url:
            return self._at(current.slug, fragment) if current is not None else None
        slug = self._by_path(url, current)
        return self._at(slug, fragment) if slug is not None else None

    def _wiki(self, target: str, current: PostSummary | None) -> Target | None:
        name, _, heading = target.partition("#")
        name = name.strip()
        if not name:
            return self._at(current.slug, heading) if current is not None else None
        slug = self._names.get(fold(_PAGE_SUFFIX.sub("", name)).strip())
        if slug is None and "/" in name:
            slug = self._tails.get("/".join(_page_parts(name)))
        return self._at(slug, heading) if slug is not None else None

    def _by_path(self, url: str, current: PostSummary | None) -> str | None:
        if url.startswith("@/"):
            return self._tails.get("/".join(_page_parts(url[2:])))
        if url.startswith("/"):
            return self._tails.get("/".join(_page_parts(url)))
        here = _source_path(current.source) if current is not None else ""
        if here:
            folder = posixpath.dirname(here)
            # Against the file's folder, then against its page's address (a page
            # `posts/a.md` is published as `posts/a/`, where `../b/` is `posts/b/`).
            bases = [folder]
            if not _INDEX.match(posixpath.basename(_PAGE_SUFFIX.sub("", here))):
                bases.append(_PAGE_SUFFIX.sub("", here))
            for base in bases:
                joined = posixpath.normpath(posixpath.join(base, url))
                slug = self._paths.get("/".join(_page_parts(joined)))
                if slug is not None:
                    return slug
        # A Hugo `ref` or a bare name: the end of a page path.
        return self._tails.get("/".join(_page_parts(url)))

    def _at(self, slug: str, heading: str) -> Target:
        """`slug` and the anchor of its section named `heading` (by anchor or heading text)."""
        heading = heading.strip().lstrip("^")
        post = self._posts.get(slug)
        if not heading or post is None:
            return (slug, "")
        wanted = fold(heading)
        slugged = slugify(heading, "")
        for section in post.sections:
            if section.anchor in (heading, slugged) or fold(section.heading) == wanted:
                return (slug, section.anchor)
        return (slug, "")

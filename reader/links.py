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
_INDEX = re.compile(r"^_?index$")
"""A page bundle's or section's own file: `index`, `_index`."""
_PAGE_SUFFIX = re.compile(r"\.(?:md|markdown|html?)$", re.IGNORECASE)
_LANG = re.compile(r"\.([a-z]{2}(?:-[a-z]{2,4})?)$")
"""Hugo's language in a file name: `index.de`, `about.zh-hans`."""


def _source_path(source: str) -> str:
    """The post's file as a POSIX path without `#n` digest numbers ("" when none)."""
    if source.startswith(_BUNDLED):
        return source[len(_BUNDLED) :]
    path = source.replace("\\", "/")
    head, sep, tail = path.rpartition("#")
    if sep and tail.isdigit():
        path = head
    return path


def _page(path: str) -> tuple[list[str], str]:
    """A file path as the page it publishes: its parts (no suffix, no `index`, lower
    case) and its language (`de` for `index.de.md`, "" when none)."""
    parts = [p for p in _PAGE_SUFFIX.sub("", path).lower().split("/") if p and p != "."]
    lang = ""
    if parts:
        found = _LANG.search(parts[-1])
        if found is not None:
            lang = found.group(1)
            parts[-1] = parts[-1][: found.start()]
        if _INDEX.match(parts[-1]):
            parts.pop()
    return parts, lang


def _page_parts(path: str) -> list[str]:
    return _page(path)[0]


class LinkResolver:
    """Maps a link target in one post to a post of the library and a section."""

    def __init__(self, posts: Sequence[PostSummary]) -> None:
        self._posts = {post.slug: post for post in posts}
        self._names: dict[str, str] = {}
        """Folded titles, aliases and file names, to slugs (the first post keeps a name)."""
        self._paths: dict[str, dict[str, str]] = {}
        """Whole page paths (lower case, no suffix) to slugs, by language."""
        self._tails: dict[str, dict[str, str]] = {}
        """Every tail of every page path (`docs/x`, `x`) to slugs, by language."""
        self._langs: dict[str, str] = {}
        for post in posts:
            path = _source_path(post.source)
            parts, lang = _page(path)
            self._langs[post.slug] = lang
            stem = posixpath.basename(_PAGE_SUFFIX.sub("", path))
            names = [post.title, *post.aliases, stem, parts[-1] if parts else ""]
            for name in names:
                key = fold(name).strip()
                if key:
                    self._names.setdefault(key, post.slug)
            if parts:
                self._paths.setdefault("/".join(parts), {}).setdefault(lang, post.slug)
                for n in range(len(parts) - 1, -1, -1):
                    self._tails.setdefault("/".join(parts[n:]), {}).setdefault(lang, post.slug)
                if parts[-1] == "content" and _page_parts(stem) == []:
                    # `content/_index.md` is the site's home page: `/` and `@/_index.md`.
                    self._tails.setdefault("", {}).setdefault(lang, post.slug)

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

    def _pick(
        self, table: dict[str, dict[str, str]], key: str, current: PostSummary | None
    ) -> str | None:
        """The page at `key` in the current post's language, else in none, else any."""
        found = table.get(key)
        if not found:
            return None
        lang = self._langs.get(current.slug, "") if current is not None else ""
        return found.get(lang) or found.get("") or next(iter(found.values()))

    def _wiki(self, target: str, current: PostSummary | None) -> Target | None:
        name, _, heading = target.partition("#")
        name = name.strip()
        if not name:
            return self._at(current.slug, heading) if current is not None else None
        slug = self._names.get(fold(_PAGE_SUFFIX.sub("", name)).strip())
        if slug is None and "/" in name:
            slug = self._pick(self._tails, "/".join(_page_parts(name)), current)
        return self._at(slug, heading) if slug is not None else None

    def _by_path(self, url: str, current: PostSummary | None) -> str | None:
        if url.startswith("@/"):
            return self._pick(self._tails, "/".join(_page_parts(url[2:])), current)
        if url.startswith("/"):
            return self._pick(self._tails, "/".join(_page_parts(url)), current)
        here = _source_path(current.source) if current is not None else ""
        if here:
            folder = posixpath.dirname(here)
            # Against the file's folder, then against its page's address (a page
            # `posts/a.md` is published as `posts/a/`, where `../b/` is `posts/b/`).
            bases = [folder]
            name = _LANG.sub("", posixpath.basename(_PAGE_SUFFIX.sub("", here)).lower())
            if not _INDEX.match(name):
                bases.append(posixpath.join(folder, name))
            for base in bases:
                joined = posixpath.normpath(posixpath.join(base, url))
                slug = self._pick(self._paths, "/".join(_page_parts(joined)), current)
                if slug is not None:
                    return slug
        # A Hugo `ref` or a bare name: the end of a page path.
        return self._pick(self._tails, "/".join(_page_parts(url)), current)

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

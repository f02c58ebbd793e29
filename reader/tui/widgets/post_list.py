"""The post list: one two-line row per post (title; date, tags and reading time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.listing import Places, short_date
from reader.models import Bookmark, PostSummary
from reader.text import clean_text
from reader.tui.look import MUTED, NOTE_MARK
from reader.tui.widgets.paged_list import PagedList

if TYPE_CHECKING:
    from reader.search import SearchHit

__all__ = [
    "BOOKMARK_HEIGHT",
    "MARK_WIDTH",
    "RESULTS_TITLE",
    "RESULT_HEIGHT",
    "ROW_HEIGHT",
    "BookmarkRow",
    "FixedRow",
    "PostList",
    "PostRow",
    "ResultRow",
    "post_row",
    "row_mark",
]

EMPTY: Mapping[str, Bookmark] = MappingProxyType({})
"""No bookmarks."""


ROW_HEIGHT = 2
"""Every row is two lines: the title, then date, tags and reading time."""

BOOKMARK_HEIGHT = 3
"""A row of the Bookmarks view has a third line: when and where it was bookmarked, its note."""

MARK_WIDTH = 3
"""Columns before a title: the unread mark, the bookmark mark, a space. Every row has them
all, so titles line up whatever marks a row has."""

INDENT = " " * MARK_WIDTH
"""What the lines under a title start with."""


def row_mark(bookmark: Bookmark | None, unread: bool) -> Content:
    """The marks before a title, always `MARK_WIDTH` columns: • unread, then ★ bookmarked
    (✎ when the bookmark has a note)."""
    kept = " " if bookmark is None else NOTE_MARK if bookmark.note else "★"
    return Content.assemble(("•" if unread else " ", "$primary"), (kept, "$accent"), " ")


def one_line(text: str) -> str:
    """`text` on one line, without control characters: a note written elsewhere may hold
    newlines (or anything) and the row's lines are fixed."""
    return " ".join(clean_text(text).split())


def bookmark_line(bookmark: Bookmark, post: PostSummary) -> Content:
    """The Bookmarks view's third line: the note first (what a narrow list keeps), then
    the day it was bookmarked and the section it was bookmarked at."""
    headings = {s.anchor: s.heading for s in post.sections}
    section = headings.get(bookmark.section, bookmark.section)
    parts = [f"bookmarked {short_date(bookmark.created)}" if bookmark.created else "bookmarked"]
    if section:
        parts.append(f"§ {one_line(section)}")
    when = (" · ".join(parts), MUTED)
    if not bookmark.note:
        return Content.assemble(INDENT, when)
    note = f"{NOTE_MARK} {one_line(bookmark.note)}"
    return Content.assemble(INDENT, (note, "italic"), (" · ", MUTED), when)


def post_row(
    post: PostSummary,
    bookmark: Bookmark | None = None,
    unread: bool = False,
    place: str = "",
    details: bool = False,
) -> Content:
    """A post's row. Built from plain text: a title is never read as markup.

    The second line, dim: the post's day when it has a date, `place` (the
    folder that tells it from a post of the same title), its tags, and its
    reading time. With `details` (the Bookmarks view), a third: `bookmark_line`.
    """
    facts = " · ".join(
        part
        for part in (
            "draft" if post.draft else "",
            short_date(post.date),
            place,
            ", ".join(post.tags),
            f"{post.reading_minutes} min",
        )
        if part
    )
    row = Content.assemble(
        row_mark(bookmark, unread),
        (post.title, "bold" if unread else ""),
        "\n" + INDENT,
        (facts, MUTED),
    )
    if details and bookmark is not None:
        row = Content("\n").join([row, bookmark_line(bookmark, post)])
    return row


class FixedRow(Visual):
    """A list row whose height is known without laying it out.

    `OptionList` asks every option for its height when it fills or resizes,
    which wraps every row's text: about a second for 10,000 posts. Our rows
    never wrap, so each kind says its height, and builds its `Content` only
    when it is drawn.
    """

    __slots__ = ("_content", "bookmark", "unread")

    HEIGHT = 1
    """Lines per row."""

    def __init__(self, bookmark: Bookmark | None, unread: bool) -> None:
        self.bookmark = bookmark
        """The post's bookmark (its note gives the mark), or None."""
        self.unread = unread
        self._content: Content | None = None

    @property
    def title(self) -> str:
        """The post's title."""
        raise NotImplementedError

    def build(self) -> Content:
        """The row's text, from plain strings only."""
        raise NotImplementedError

    @property
    def content(self) -> Content:
        """The row's text, built on first use."""
        if self._content is None:
            self._content = self.build()
        return self._content

    def __str__(self) -> str:
        return self.content.plain

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        """Draw the row (only called for rows in view)."""
        return self.content.render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """Wide enough for the title and the marks."""
        return len(self.title) + MARK_WIDTH

    def get_height(self, rules: RulesMap, width: int) -> int:
        """Always `HEIGHT` lines."""
        return self.HEIGHT


class PostRow(FixedRow):
    """A post in the list: title, then date, tags and reading time."""

    __slots__ = ("places", "post")

    HEIGHT = ROW_HEIGHT

    def __init__(
        self,
        post: PostSummary,
        bookmark: Bookmark | None,
        unread: bool,
        places: Places | None = None,
    ) -> None:
        super().__init__(bookmark, unread)
        self.post = post
        self.places = places
        """What tells the listed posts of one title apart (asked only when drawn)."""

    def again(self, bookmark: Bookmark | None, unread: bool, places: Places | None) -> PostRow:
        """The same kind of row for this post, with other marks or places."""
        return type(self)(self.post, bookmark, unread, places)

    @property
    def title(self) -> str:
        """The post's title."""
        return self.post.title

    def build(self) -> Content:
        """Mark, title; date, place, tags and reading time."""
        place = self.places.of(self.post) if self.places is not None else ""
        return post_row(self.post, self.bookmark, self.unread, place)


class BookmarkRow(PostRow):
    """A post in the Bookmarks view: a `PostRow`, then when and where it was bookmarked
    and the bookmark's note."""

    __slots__ = ()

    HEIGHT = BOOKMARK_HEIGHT

    def build(self) -> Content:
        """Mark, title; date, place, tags and reading time; bookmark date, section, note."""
        place = self.places.of(self.post) if self.places is not None else ""
        return post_row(self.post, self.bookmark, self.unread, place, details=True)


RESULT_HEIGHT = 3
"""A search result is three lines: title, snippet, then tags and section."""


def _marked(text: str, marks: Sequence[tuple[int, int]], style: str = "") -> Content:
    """`text` with the spans in `marks` highlighted. Plain text in, never markup."""
    content = Content(text).stylize(style) if style else Content(text)
    for start, end in marks:
        content = content.stylize("bold not dim reverse $accent", start, end)
    return content


RESULTS_TITLE = "Results · best match first"
"""The border of a list of search results: they keep their ranking."""


class ResultRow(FixedRow):
    """A search result: its title and snippet with the matched words highlighted."""

    __slots__ = ("hit",)

    HEIGHT = RESULT_HEIGHT

    def __init__(self, hit: SearchHit, bookmark: Bookmark | None, unread: bool) -> None:
        super().__init__(bookmark, unread)
        self.hit = hit

    @property
    def title(self) -> str:
        """The post's title."""
        return self.hit.title

    def build(self) -> Content:
        """Mark and title; snippet; tags and section."""
        hit = self.hit
        mark = row_mark(self.bookmark, self.unread)
        snippet = " ".join(hit.snippet.text.split("\n"))
        where = ", ".join(hit.tags)
        if hit.section is not None:
            where += f" · § {hit.section.heading}"
        return Content("\n").join(
            [
                Content.assemble(mark, _marked(hit.title, hit.title_marks, "bold")),
                Content.assemble(INDENT, _marked(snippet, hit.snippet.marks, MUTED)),
                Content.assemble(INDENT, (where, MUTED)),
            ]
        )


class PostList(PagedList):
    """Lists posts. Posts `PostHighlighted` as the cursor moves, `PostOpened` on enter."""

    DEFAULT_CSS = """
    PostList { text-wrap: nowrap; text-overflow: ellipsis; }
    PostList.-nothing { text-wrap: wrap; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g", "first", "First", show=False, id="list.first"),
        Binding("G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]
    """List keys; arrows, home/end and page keys come from `OptionList`."""

    @dataclass
    class PostHighlighted(Message):
        """The cursor moved to the post with `slug`."""

        slug: str

    @dataclass
    class PostOpened(Message):
        """The user opened the post with `slug` (enter or click)."""

        slug: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.slugs: list[str] = []
        """Slugs of the rows, in order."""
        self._listed: frozenset[str] = frozenset()
        self.row_height = 0
        """Height of every row (0 when rows may differ)."""
        self.generation = 0
        """Counts the fills of the list: rows added later belong to the fill they continue."""
        self._row: type[PostRow] = PostRow
        """The kind of row of the posts shown (`add_posts` adds more of it)."""

    def _update_lines(self) -> None:
        """Lay out every row at once: they all have the same height.

        `OptionList` measures rows one by one on every fill and resize
        (~35 ms per pass at 10,000 posts); with uniform rows the line table
        is a single comprehension. What remains (the virtual size) is left to
        `OptionList`, which then finds nothing more to measure. The line
        cache is private to Textual and has no public counterpart:
        tests/test_textual_contract.py pins the shape relied on here.
        """
        cache = self._line_cache
        count = len(self.options)
        height = self.row_height
        if height and count and not cache.lines and self.scrollable_content_region:
            cache.lines.extend((i, line) for i in range(count) for line in range(height))
            cache.heights.update(dict.fromkeys(range(count), height))
            cache.index_to_line.update({i: i * height for i in range(count)})
        super()._update_lines()

    def show_posts(
        self,
        posts: Sequence[PostSummary],
        bookmarks: Mapping[str, Bookmark] = EMPTY,
        unread: set[str] | frozenset[str] = frozenset(),
        keep: str | None = None,
        title: str = "Posts",
        details: bool = False,
    ) -> None:
        """Replace the rows; keep the cursor on `keep` if it is still listed.

        `title` goes in the border: what is listed, and in which order. With
        `details` (the Bookmarks view), each row also says when and where its
        post was bookmarked, and the bookmark's note.
        """
        self.generation += 1
        self.slugs = [p.slug for p in posts]
        self._listed = frozenset(self.slugs)
        row = BookmarkRow if details else PostRow
        self._row = row
        self.row_height = row.HEIGHT
        self.set_class(False, "-nothing")
        self.border_title = Content(title)
        places = Places(posts)
        self.set_options(
            Option(row(p, bookmarks.get(p.slug), p.slug in unread, places), id=p.slug)
            for p in posts
        )
        index = self.slugs.index(keep) if keep in self.slugs else 0
        self.highlighted = index if self.slugs else None

    def add_posts(
        self,
        posts: Sequence[PostSummary],
        bookmarks: Mapping[str, Bookmark],
        unread: set[str] | frozenset[str],
        places: Places,
    ) -> None:
        """Add rows after those `show_posts` put in (the rest of a list shown in parts);
        the cursor stays where it is."""
        slugs = [p.slug for p in posts]
        self.slugs.extend(slugs)
        self._listed = self._listed.union(slugs)
        row = self._row
        self.add_options(
            Option(row(p, bookmarks.get(p.slug), p.slug in unread, places), id=p.slug)
            for p in posts
        )

    def take_places(self, places: Places) -> None:
        """Tell repeated titles apart by `places` from now on (made from more of the list
        than the rows shown so far); rows it changes are drawn again."""
        for index, option in enumerate(self.options):
            row = option.prompt
            if isinstance(row, PostRow):
                old = row.places.of(row.post) if row.places is not None else ""
                if places.of(row.post) != old:
                    self.replace_option_prompt_at_index(
                        index, row.again(row.bookmark, row.unread, places)
                    )
                else:
                    row.places = places

    def show_results(
        self,
        hits: Sequence[SearchHit],
        bookmarks: Mapping[str, Bookmark] = EMPTY,
        unread: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Replace the rows with ranked search results, the cursor on the best.

        Results keep their ranking whatever the browse order, and the border says so.
        """
        self.generation += 1
        self.slugs = [h.slug for h in hits]
        self._listed = frozenset(self.slugs)
        self.row_height = RESULT_HEIGHT
        self.set_class(False, "-nothing")
        self.border_title = Content(RESULTS_TITLE)
        self.set_options(
            Option(ResultRow(h, bookmarks.get(h.slug), h.slug in unread), id=h.slug) for h in hits
        )
        self.highlighted = 0 if self.slugs else None

    def show_nothing(self, message: str, title: str = RESULTS_TITLE) -> None:
        """Replace the rows with one line saying, in words, that nothing matched.

        `message` is plain text (it quotes the query, which is never read as markup);
        the line cannot be highlighted or opened.
        """
        self.generation += 1
        self.slugs = []
        self._listed = frozenset()
        self.row_height = 0
        self.set_class(True, "-nothing")  # the message wraps, where rows are cut short
        self.border_title = Content(title)
        self.set_options([Option(Content(message), disabled=True)])
        self.highlighted = None

    def update_hits(self, hits: Sequence[SearchHit]) -> None:
        """Redraw result rows with fuller hits (their snippets filled in).

        Hits no longer listed (a filter or a newer list came first) are skipped.
        """
        for hit in hits:
            if hit.slug not in self._listed:
                continue
            prompt = self.get_option(hit.slug).prompt
            if isinstance(prompt, ResultRow):
                self.replace_option_prompt(hit.slug, ResultRow(hit, prompt.bookmark, prompt.unread))

    def refresh_post(self, slug: str, bookmark: Bookmark | None, unread: bool) -> None:
        """Redraw one post's row after its marks changed; nothing if it is not listed.

        A read mark or a bookmark can land after the list has changed (a timer,
        a search typed meanwhile): a post no longer listed has no row to redraw.
        """
        if slug not in self._listed:
            return
        prompt = self.get_option(slug).prompt
        if isinstance(prompt, PostRow):
            self.replace_option_prompt(slug, prompt.again(bookmark, unread, prompt.places))
        elif isinstance(prompt, ResultRow):
            self.replace_option_prompt(slug, ResultRow(prompt.hit, bookmark, unread))

    @property
    def highlighted_slug(self) -> str | None:
        """Slug of the post under the cursor."""
        option = self.highlighted_option
        return option.id if option is not None else None

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.PostHighlighted(event.option.id))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.PostOpened(event.option.id))

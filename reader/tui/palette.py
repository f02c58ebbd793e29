"""The command palette's providers (ctrl+p): posts, tags, saved searches, sections, actions.

Textual's own commands (themes, quit, keys) stay beside them. Titles are
matched with rapidfuzz over a list kept until the library's posts change, a
slice of `CHUNK` titles per `process.extract` call, and the search gives the
event loop back between slices: the next keystroke is read (and cancels the
search) within a slice's time, not the whole list's. rapidfuzz holds the GIL
while it scores, so a thread worker would block the loop just the same.
Post text is shown
as plain `Content`, never markup; the help line under a command (which
Textual reads as markup) carries our own words and escaped key names only.
"""

from __future__ import annotations

import asyncio
import operator
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from reader.text import plural
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import TAG_PREFIX, TagSidebar

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from reader.models import PostSummary

__all__ = [
    "PROVIDERS",
    "ActionCommands",
    "PostCommands",
    "SavedSearchCommands",
    "SectionCommands",
    "TagCommands",
    "TitleIndex",
]

POST_HITS = 20
"""Posts offered for one query."""
CUTOFF = 60
"""The lowest rapidfuzz score (0 to 100) a title needs to be offered."""
CHUNK = 2_000
"""Titles scored between two returns to the event loop (about 1 ms of a keystroke's time)."""


class TitleIndex:
    """The titles of the posts the list shows, rebuilt only when the library's posts change."""

    def __init__(self) -> None:
        self._source: Sequence[PostSummary] = ()
        self._drafts = False
        self._posts: list[PostSummary] = []
        self._titles: list[str] = []

    def _take(self, posts: Sequence[PostSummary], drafts: bool) -> None:
        """Take the titles again unless `posts` are the objects taken last time."""
        source = self._source
        same = len(posts) == len(source) and all(map(operator.is_, posts, source))
        if not same or drafts != self._drafts:
            self._source, self._drafts = posts, drafts
            self._posts = [p for p in posts if drafts or not p.draft]
            # Lower-cased, punctuation dropped, once: a third of a query's time at 50,000.
            self._titles = [utils.default_process(p.title) for p in self._posts]

    def _steps(self, query: str) -> Iterator[list[tuple[PostSummary, float]]]:
        """Score `CHUNK` titles a step; the last step yields the best hits, best first.

        The titles and posts are the ones kept when the search began, so a
        library change between two steps does not mix two lists.
        """
        posts, titles = self._posts, self._titles
        wanted = utils.default_process(query)
        found: list[tuple[float, int]] = []
        for start in range(0, len(titles), CHUNK):
            # Once POST_HITS are found, a title must reach the last of them to count.
            cutoff = found[-1][0] if len(found) >= POST_HITS else CUTOFF
            scored = process.extract(
                wanted,
                titles[start : start + CHUNK],
                scorer=fuzz.partial_ratio,
                processor=None,
                limit=POST_HITS,
                score_cutoff=cutoff,
            )
            found += [(score, start + index) for _title, score, index in scored]
            found.sort(key=lambda hit: (-hit[0], hit[1]))
            del found[POST_HITS:]
            if start + CHUNK < len(titles):
                yield []
        yield [(posts[index], score / 100) for score, index in found]

    def match(
        self, query: str, posts: Sequence[PostSummary], *, drafts: bool = False
    ) -> list[tuple[PostSummary, float]]:
        """The `posts` whose titles best match `query`, best first, with a score from 0 to 1.

        `posts` are the store's summaries, which keep their objects until a
        post changes: the titles are taken again only when these are other
        objects (one pass of identity checks, in C), or when `drafts` (whether
        drafts are offered) changes. All at once: the palette runs `search`.
        """
        self._take(posts, drafts)
        *_, best = self._steps(query)
        return best

    async def search(
        self, query: str, posts: Sequence[PostSummary], *, drafts: bool = False
    ) -> list[tuple[PostSummary, float]]:
        """What `match` gives, the event loop run between two slices of `CHUNK` titles.

        A keystroke read meanwhile cancels the palette's search, which then
        ends here, at the next slice, instead of scoring every title first.
        """
        self._take(posts, drafts)
        best: list[tuple[PostSummary, float]] = []
        for step in self._steps(query):
            best = step  # empty but for the last
            await asyncio.sleep(0)
        return best


TITLES = TitleIndex()
"""Kept across palette openings: each opening makes new providers."""


class _MainProvider(Provider):
    """A provider that works on the main screen (none elsewhere)."""

    @property
    def main(self) -> MainScreen | None:
        """The main screen, when the palette was opened over it."""
        screen = self.screen
        return screen if isinstance(screen, MainScreen) else None


class PostCommands(_MainProvider):
    """Open a post by its title, fuzzily: `lakhouse` finds "…Data Lakehouse…"."""

    async def search(self, query: str) -> Hits:
        """Posts by title."""
        main = self.main
        if main is None:
            return
        library = main.library
        for post, score in await TITLES.search(
            query, library.posts.summaries(), drafts=library.show_drafts
        ):
            yield Hit(
                score,
                Content(post.title),
                partial(main.open_slug, post.slug),
                text=post.title,
                help="Open post",
            )


class TagCommands(_MainProvider):
    """Narrow the list to a tag."""

    async def search(self, query: str) -> Hits:
        """Tags by name."""
        main = self.main
        if main is None:
            return
        matcher = self.matcher(query)
        for tag in main.library.tags():
            label = f"Tag: {tag.name}"
            score = matcher.match(label)
            if score > 0:
                chosen = TagSidebar.TagChosen(TAG_PREFIX + tag.name)
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(main.post_message, chosen),
                    text=label,
                    help=plural(tag.count, "post"),
                )


class SavedSearchCommands(_MainProvider):
    """Run a saved search, as enter on its row in the sidebar does."""

    def _hits(self, query: str) -> list[tuple[float, Content, str]]:
        main = self.main
        if main is None:
            return []
        matcher = self.matcher(query) if query else None
        found = []
        for saved in main.session.saved_searches:
            label = f"Saved search: {saved}"
            if matcher is None:
                found.append((0.0, Content(label), saved))
            elif (score := matcher.match(label)) > 0:
                found.append((score, matcher.highlight(label), saved))
        return found

    def _run(self, saved: str) -> None:
        main = self.main
        if main is not None:
            main.post_message(TagSidebar.SavedChosen(saved))

    async def search(self, query: str) -> Hits:
        """Saved searches by their query."""
        for score, label, saved in self._hits(query):
            yield Hit(score, label, partial(self._run, saved), text=label.plain, help="Search")

    async def discover(self) -> Hits:
        """Every saved search, before anything is typed."""
        for _score, label, saved in self._hits(""):
            yield DiscoveryHit(label, partial(self._run, saved), text=label.plain, help="Search")


class SectionCommands(_MainProvider):
    """Go to a section of the open post."""

    def _sections(self) -> list[tuple[int, str]]:
        main = self.main
        if main is None:
            return []
        document = main.query_one(ReaderPane).document
        return [] if document is None else [(i, s.heading) for i, s in enumerate(document.sections)]

    def _go(self, index: int) -> None:
        main = self.main
        if main is not None:
            reader = main.query_one(ReaderPane)
            main.focus_now(reader)
            reader.scroll_to_section(index)

    async def search(self, query: str) -> Hits:
        """Sections by heading."""
        matcher = self.matcher(query)
        for index, heading in self._sections():
            label = f"§ {heading}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._go, index), text=label)


class ActionCommands(_MainProvider):
    """Every key active where the palette was opened, by what it does, with its key."""

    async def search(self, query: str) -> Hits:
        """Actions by description."""
        async for hit in self._hits(query):
            yield hit

    async def discover(self) -> Hits:
        """Every action, before anything is typed."""
        async for hit in self._hits(""):
            yield hit

    async def _hits(self, query: str) -> Hits:
        matcher = self.matcher(query) if query else None
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            label = binding.description
            if not label or not active.enabled or label in seen:
                continue
            seen.add(label)
            shown = escape(f"key: {self.app.get_key_display(binding)}")  # `[` is a key
            run = partial(self.app.run_action, binding.action, active.node)
            if matcher is None:
                yield DiscoveryHit(Content(label), run, text=label, help=shown)
            elif (score := matcher.match(label)) > 0:
                yield Hit(score, matcher.highlight(label), run, text=label, help=shown)


PROVIDERS = frozenset(
    {PostCommands, TagCommands, SavedSearchCommands, SectionCommands, ActionCommands}
)
"""Our providers, for `App.COMMANDS`."""

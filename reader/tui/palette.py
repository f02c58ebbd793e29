"""The command palette's providers (ctrl+p): posts by title, tags, sections, actions.

Textual's own commands (themes, quit, keys) stay beside them. Titles are
matched with rapidfuzz over a list kept per library change, so a query over
50,000 titles is one `process.extract` call; post text is shown as plain
`Content`, never markup.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.tui.screens.main import MainScreen
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import TAG_PREFIX, TagSidebar

if TYPE_CHECKING:
    from reader.models import PostSummary

__all__ = ["ActionCommands", "PostCommands", "SectionCommands", "TagCommands"]

POST_HITS = 20
"""Posts offered for one query."""
CUTOFF = 60
"""The lowest rapidfuzz score (0 to 100) a title needs to be offered."""

_titles: tuple[int, list[PostSummary], list[str]] = (0, [], [])
"""The posts last listed and their titles, by the identity of the summaries list."""


def titles_of(summaries: list[PostSummary]) -> list[str]:
    """The titles of `summaries`, kept until the library gives another list."""
    global _titles
    if _titles[0] != id(summaries) or _titles[1] is not summaries:
        _titles = (id(summaries), summaries, [p.title for p in summaries])
    return _titles[2]


def match_titles(query: str, summaries: list[PostSummary]) -> list[tuple[PostSummary, float]]:
    """The posts whose titles best match `query`, best first, with a score from 0 to 1."""
    found = process.extract(
        query,
        titles_of(summaries),
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        limit=POST_HITS,
        score_cutoff=CUTOFF,
    )
    return [(summaries[index], score / 100) for _title, score, index in found]


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
        for post, score in match_titles(query, main.library.summaries()):
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
                    help=f"{tag.count} posts",
                )


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
            shown = self.app.get_key_display(binding)
            run = partial(self.app.run_action, binding.action, active.node)
            if matcher is None:
                yield DiscoveryHit(Content(label), run, text=label, help=f"key: {shown}")
            elif (score := matcher.match(label)) > 0:
                yield Hit(score, matcher.highlight(label), run, text=label, help=f"key: {shown}")

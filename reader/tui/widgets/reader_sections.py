"""Moving through the post in the reader pane, and showing where the reader is.

A part of `ReaderPane` (which derives from it and declares its keys), kept
apart so the pane's showing and restoring read on one page: the scroll keys,
`[` and `]` between sections, the outline, and the section and percent in the
pane's border. Which section is being read is `opening.current_section`.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer

from reader.models import Post
from reader.text import clean_text
from reader.tui import opening
from reader.tui.opening import HeldSection
from reader.tui.screens.outline import OutlineScreen
from reader.tui.timings import Timings
from reader.tui.widgets.post_view import PostView

__all__ = ["SectionPart"]


class SectionPart(Vertical):
    """Scrolling, sections and the border's title: where the reader is in the post."""

    post: Post | None
    view: PostView
    timings: Timings

    section_title = ""
    """Heading of the section being read ("" before the first one)."""
    current_anchor = ""
    """Anchor of the section being read ("" before the first one)."""
    progress = 0
    """How far through the post the reader is, in percent."""
    _held: HeldSection | None = None
    """The section a jump went to, while its heading cannot reach the top."""
    _titles = ("", "")
    _title_timer: Timer | None = None

    def _update_titles(self) -> None:
        """Put the section being read in the border title and the percent in the subtitle."""
        view = self.view
        document = view.document
        if self.post is None or document is None:
            self.section_title = ""
            self.current_anchor = ""
            self.progress = 0
            self._titles = ("", "")
            self.border_title = None
            self.border_subtitle = None
            return
        section = self.current_section()
        info = document.sections[section] if section >= 0 else None
        self.section_title = info.heading if info else ""
        self.current_anchor = info.anchor if info else ""
        self.progress = view.progress
        title = self._pane_title()
        if title != self._titles[0]:
            self._show_titles()
        elif self._title_timer is None:
            # Setting a border title repaints the whole pane: while the reader scrolls,
            # the percent follows a moment later instead of doubling every frame's work.
            self._title_timer = self.set_timer(self.timings.title_delay, self._show_titles)

    def _pane_title(self) -> str:
        """The section being read; the post's title once its own heading is scrolled away.

        At the top the title is drawn by the post itself: not twice.
        """
        if self.section_title or self.post is None:
            return self.section_title
        return self.post.title if self.view.scroll_y > 0 else ""

    def _show_titles(self) -> None:
        if self._title_timer is not None:
            self._title_timer.stop()
            self._title_timer = None
        if self.post is None:
            return
        document = self.view.document
        title = self._pane_title()
        loading = document is not None and not document.complete
        subtitle = "loading…" if loading else f"{self.progress}%"
        if (title, subtitle) != self._titles:
            self._titles = (title, subtitle)
            self.border_title = Content(clean_text(title))
            self.border_subtitle = Content(subtitle)

    # -- scrolling ---------------------------------------------------------------

    def _scroll(self, y: float) -> None:
        # Titles are updated at once so the scroll and the new percent share one paint.
        self.view.scroll_to(y=y, animate=False, immediate=True)
        self._update_titles()

    def action_scroll_lines(self, lines: int) -> None:
        """Scroll by `lines` lines."""
        self._scroll(self.view.scroll_y + lines)

    def action_scroll_pages(self, pages: int) -> None:
        """Scroll by whole screens (one line of overlap)."""
        step = max(1, self.view.scrollable_content_region.height - 1)
        self._scroll(self.view.scroll_y + pages * step)

    def action_scroll_half(self, halves: int) -> None:
        """Scroll by half a screen."""
        step = max(1, self.view.scrollable_content_region.height // 2)
        self._scroll(self.view.scroll_y + halves * step)

    def action_scroll_edge(self, end: int) -> None:
        """Go to the top (0) or the bottom (1)."""
        self._scroll(self.view.max_scroll_y if end else 0)

    # -- sections -----------------------------------------------------------------

    def current_section(self) -> int:
        """Index of the section being read (-1 before the first heading).

        See `opening.current_section`: the heading at (or just above) the top,
        the last heading in view at the end of a long post, or the section a
        jump went to while its heading cannot reach the top and the view stays.
        """
        view = self.view
        lines = view.section_lines()
        viewport = view.viewport
        held = self._held
        if held is not None and not held.holds(view.document, viewport.top, len(lines)):
            self._held = held = None  # the view moved, or another post is shown
        return opening.current_section(lines, viewport, held, view.document)

    def _go_to_section(self, index: int) -> None:
        lines = self.view.section_lines()
        if not 0 <= index < len(lines):
            return
        self.view.scroll_to_line(lines[index])
        self._hold_section(index)
        self._update_titles()

    def _hold_section(self, index: int) -> None:
        """Make section `index` the current one even if its heading cannot reach the top."""
        view = self.view
        self._held = opening.hold_section(view.section_lines(), view.viewport, index, view.document)

    def action_next_section(self) -> None:
        """Scroll the next section's heading to the top."""
        self._go_to_section(self.current_section() + 1)

    def action_previous_section(self) -> None:
        """Go to the heading of this section, or of the previous one when already there."""
        current = self.current_section()
        view = self.view
        target = opening.previous_section(view.section_lines(), view.viewport.top, current)
        if target >= 0:
            self._go_to_section(target)
        else:
            self._held = None
            self._scroll(0)

    def action_outline(self) -> None:
        """Show the sections of the post; choosing one scrolls there."""
        document = self.view.document
        if document is None:
            return
        current = self.current_section()
        sections = [(s.heading, s.level) for s in document.sections]
        self.app.push_screen(OutlineScreen(sections, current), self._outline_chosen)

    def _outline_chosen(self, index: int | None) -> None:
        if index is not None:
            self.scroll_to_section(index)

    def scroll_to_section(self, index: int) -> None:
        """Scroll section `index` (in `Document.sections`) to the top."""
        self._go_to_section(index)

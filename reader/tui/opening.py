"""Where the reader pane opens a post and where the reader is in it, as pure decisions.

The pane hands these functions plain numbers (the line of each section's
heading, the line of each hit or link, the top and height of the view) and
applies what they return. They never touch a widget, so the rules are tested
without an app: which line a saved position comes back to, which section is
being read, where a post opened from a search scrolls, and which hit or link
`n`, `N`, `l` and `L` go to.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.models import ReadingPosition

__all__ = [
    "HeldSection",
    "Highlight",
    "Opening",
    "Viewport",
    "choose_hit",
    "current_section",
    "hold_section",
    "next_link",
    "open_at_highlight",
    "open_at_position",
    "position_line",
    "previous_section",
    "step_hit",
]


@dataclass(frozen=True)
class Viewport:
    """What the view shows: its top line, its height in lines, and the furthest top it can reach."""

    top: int
    height: int
    max_top: int

    @property
    def bottom(self) -> int:
        """The first line below the view."""
        return self.top + self.height


@dataclass(frozen=True)
class HeldSection:
    """A section made current by a jump although its heading cannot reach the top.

    Near the end of a post the last headings stay below the top of the view;
    after a jump (or a restore) to one of them, that section is the one being
    read. It holds in the document it was taken in, at the top it was taken
    at, and nowhere else: the next post, or any scroll, ends it.
    """

    document: object
    """The document it was taken in, compared by identity."""
    index: int
    """The section, in `Document.sections`."""
    top: int
    """The top line of the view when it was taken."""

    def holds(self, document: object, top: int, sections: int) -> bool:
        """True while it still applies: same document, same top, a section that is laid out."""
        return self.document is document and self.top == top and 0 <= self.index < sections


@dataclass(frozen=True)
class Highlight:
    """Open at the first of these words (folded) instead of at a saved position."""

    terms: tuple[str, ...]


@dataclass(frozen=True)
class Opening:
    """Where a post opens: the line to scroll to, and the section to hold there."""

    line: int | None
    """The line to put at the top (None: stay at the top of the post)."""
    center: bool = False
    """Put `line` a third of the way down instead, with some context above it."""
    section: int = -1
    """The section the reader is in, even if its heading cannot reach the top (-1: none)."""


def position_line(
    position: ReadingPosition,
    anchors: Sequence[str],
    section_lines: Sequence[int],
    line_count: int,
    final: bool,
) -> int | None:
    """The line a saved position comes back to, or None while that part is not laid out.

    `anchors` are the anchors of all the document's sections, `section_lines`
    the lines of the headings laid out so far, `final` says the document is
    complete. The offset was taken at some width: it is trusted only while it
    still falls in its section, otherwise the section's heading is used. A
    position whose section is gone keeps its offset, within the post.
    """
    laid_out = list(anchors[: len(section_lines)])
    if position.anchor:
        if position.anchor not in laid_out:
            if not final:
                return None
            return min(position.offset, max(0, line_count - 1))
        n = laid_out.index(position.anchor)
        start = section_lines[n]
        if n + 1 < len(section_lines):
            end = section_lines[n + 1]
        elif final:
            end = line_count
        else:
            return None if position.offset >= start else start
        return position.offset if start <= position.offset < end else start
    if position.offset >= line_count and not final:
        return None
    return position.offset


def open_at_position(
    position: ReadingPosition,
    anchors: Sequence[str],
    section_lines: Sequence[int],
    line_count: int,
    final: bool,
) -> Opening | None:
    """Where a post opens at a saved position (None while that part is not laid out yet).

    The position's section is held, so a last section whose heading cannot
    reach the top is still named as the one being read.
    """
    line = position_line(position, anchors, section_lines, line_count, final)
    if line is None:
        return None
    section = anchors.index(position.anchor) if position.anchor in anchors else -1
    return Opening(line, section=section)


def open_at_highlight(first_hit_line: int | None, final: bool) -> Opening | None:
    """Where a post opened from a search opens: at its first highlighted word.

    With no hit yet, None (wait for more of the post) until the document is
    complete; then the post opens at its top.
    """
    if first_hit_line is None:
        return Opening(None) if final else None
    return Opening(first_hit_line, center=True)


def current_section(
    section_lines: Sequence[int],
    view: Viewport,
    held: HeldSection | None = None,
    document: object = None,
) -> int:
    """The section being read (-1 before the first heading).

    The section whose heading is at, or just above, the top of the view (a
    heading one line below the top counts too). With the view scrolled to its
    end, the last heading in view. A `held` section that still holds in
    `document` wins over both.
    """
    if held is not None and held.holds(document, view.top, len(section_lines)):
        return held.index
    section = bisect_right(section_lines, view.top + 1) - 1
    if section_lines and view.max_top > 0 and view.top >= view.max_top:
        section = max(section, bisect_right(section_lines, view.bottom - 1) - 1)
    return section


def hold_section(
    section_lines: Sequence[int], view: Viewport, index: int, document: object
) -> HeldSection | None:
    """The held section that makes `index` current at this view (None when it already is)."""
    if not 0 <= index < len(section_lines):
        return None
    if current_section(section_lines, view) == index:
        return None
    return HeldSection(document, index, view.top)


def previous_section(section_lines: Sequence[int], top: int, current: int) -> int:
    """Where `[` goes: this section's heading if it is above the top, else the previous one.

    -1 means the top of the post (before the first heading, or already there).
    """
    if 0 <= current < len(section_lines) and section_lines[current] < top:
        return current
    return min(current, len(section_lines)) - 1 if current > 0 else -1


def choose_hit(count: int, hit_lines: Iterable[int], top: int, keep: int = -1) -> int:
    """The hit to make current for a new query (-1 with none).

    `keep` (when it is still a hit) stays current: the query was run again over
    more of the post. Otherwise the first hit at or below the top of the view,
    or the first hit of all when every hit is above it. `hit_lines` is read
    only as far as needed.
    """
    if count <= 0:
        return -1
    if 0 <= keep < count:
        return keep
    return next((n for n, line in enumerate(hit_lines) if line >= top), 0)


def step_hit(count: int, index: int, step: int) -> int:
    """The hit `step` away from `index`, wrapping around at either end (-1 with none)."""
    if count <= 0:
        return -1
    return (index + step) % count


def next_link(link_lines: Sequence[int], focused: int, view: Viewport, step: int) -> int:
    """The link `l` (step 1) or `L` (step -1) focuses, or -1 to leave the focus as it is.

    From a focused link in view, the next or previous one; otherwise the first
    link from the top of the view (`l`) or the last one above its bottom (`L`).
    There is no wrapping: past the last link, nothing changes.
    """
    if 0 <= focused < len(link_lines) and view.top <= link_lines[focused] < view.bottom:
        index = focused + step
    elif step > 0:
        index = next((n for n, y in enumerate(link_lines) if y >= view.top), len(link_lines))
    else:
        index = max((n for n, y in enumerate(link_lines) if y < view.bottom), default=-1)
    return index if 0 <= index < len(link_lines) else -1

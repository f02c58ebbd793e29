"""What a Pilot test can read off the screen: widgets as drawn, and styled text.

Tests assert on these, on what the user sees, rather than on a widget's
attributes: a feature that computes the right value but draws nothing fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.style import Style
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget

from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.post_list import MARK_WIDTH
from reader.tui.widgets.post_view import PostView

__all__ = [
    "background_runs",
    "bookmark_lines",
    "find_counter",
    "lines_of",
    "list_rows",
    "marked_runs",
    "marks_of",
    "notices",
    "reverse_runs",
    "styled_runs",
    "text_of",
]


def notices(app: App[Any]) -> str:
    """The notifications the app was asked to show (Textual has no public reader for them)."""
    return " ".join(n.message for n in app._notifications)


def lines_of(widget: Widget) -> list[str]:
    """The widget as drawn, border and titles included, one string per line."""
    width, height = widget.outer_size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def list_rows(post_list: Widget) -> list[tuple[str, str]]:
    """The post list's rows as drawn, top to bottom: (title, the line under it).

    Without the border, the marks before the title (•, ★, ✎), the blank lines
    below the last row, and the third line of a Bookmarks row (see `bookmark_lines`).
    """
    rows = _rows(post_list)
    left = post_list.styles.padding.left
    return [(row[0][left + MARK_WIDTH :].strip(), row[1].strip()) for row in rows if len(row) > 1]


def bookmark_lines(post_list: Widget) -> list[str]:
    """The third line of each row of the Bookmarks view as drawn (date, section, note)."""
    return [row[2].strip() for row in _rows(post_list) if len(row) > 2]


def marks_of(post_list: Widget) -> list[str]:
    """The mark column of each row as drawn ("•★", " ✎", "  "...), top to bottom."""
    left = post_list.styles.padding.left
    return [row[0][left : left + MARK_WIDTH].rstrip() for row in _rows(post_list)]


def _rows(post_list: Widget) -> list[list[str]]:
    height = getattr(post_list, "row_height", 0) or 2
    inside = [line[1:-1].rstrip() for line in lines_of(post_list)[1:-1]]
    return [
        inside[start : start + height]
        for start in range(0, len(inside), height)
        if inside[start].strip()
    ]


def text_of(widget: Widget) -> str:
    """The widget as drawn, as one string."""
    return "\n".join(lines_of(widget))


def styled_runs(widget: Widget, wanted: Callable[[Style], bool]) -> list[str]:
    """The runs of text drawn in a style that `wanted` accepts, in screen order."""
    width, height = widget.outer_size
    runs: list[str] = []
    for strip in widget.render_lines(Region(0, 0, width, height)):
        run = ""
        for segment in strip:
            if segment.style is not None and wanted(segment.style):
                run += segment.text
            elif run:
                runs.append(run.strip())
                run = ""
        if run:
            runs.append(run.strip())
    return [r for r in runs if r]


def reverse_runs(widget: Widget) -> list[str]:
    """Text drawn in reverse video: matched words in the list, the focused link."""
    return styled_runs(widget, lambda style: bool(style.reverse))


def background_runs(view: PostView, component: str) -> list[str]:
    """Text in the reader drawn on the background of `component` (highlights, hits)."""
    background = view.get_visual_style(component).rich_style.bgcolor
    assert background is not None and background != view.rich_style.bgcolor
    return styled_runs(view, lambda style: style.bgcolor == background)


def marked_runs(view: PostView) -> list[str]:
    """Text in the reader drawn on any background but the page's own."""
    page = view.rich_style.bgcolor
    return styled_runs(view, lambda style: style.bgcolor not in (None, page))


def find_counter(bar: FindBar) -> str:
    """The find bar's counter as drawn ("3/14"), or "" when the bar is closed."""
    if not bar.display or bar.region.height == 0:
        return ""
    return text_of(bar.query_one("#find-counter")).strip()

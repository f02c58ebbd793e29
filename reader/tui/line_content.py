"""One laid-out line of a post as `Content`: text, its styles, the reader's marks, padding.

`PostView` turns the `Content` into a `Strip` with its own styles. The marks
(find hits, the current hit, words highlighted from a search, the focused
link) are spans laid over the text at render time, so none of them re-wraps
anything. Everything here is built from plain text: nothing is read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content, Span

from reader.tui.document import Document, Line, Link, Piece, Unit
from reader.tui.find_state import FindState, Hit

__all__ = ["Mark", "line_content", "marks_by_unit", "piece_content"]

Mark = tuple[int, int, str]
"""A mark over a unit's text: start, end and the component class it is drawn in."""


def marks_by_unit(
    find: FindState, highlight: Sequence[Hit], focused_link: Link | None
) -> dict[int, list[Mark]]:
    """The marks of each unit, later ones drawn over earlier ones (the focused link on top)."""
    by_unit: dict[int, list[Mark]] = {}
    for hit in highlight:
        by_unit.setdefault(hit.unit, []).append((hit.start, hit.end, "post-view--highlight"))
    for n, hit in enumerate(find.hits):
        style = "post-view--find-current" if n == find.index else "post-view--find-hit"
        by_unit.setdefault(hit.unit, []).append((hit.start, hit.end, style))
    if focused_link is not None:
        link = focused_link
        by_unit.setdefault(link.unit, []).append((link.start, link.end, "post-view--link-focus"))
    return by_unit


def _unit_spans(unit: Unit) -> list[Span]:
    if unit.highlighted:
        return [*unit.highlighted, *unit.spans]
    return unit.spans


def piece_content(unit: Unit, piece: Piece, marks: Sequence[Mark] = ()) -> Content:
    """The slice of `unit` that `piece` places on a line, with its spans, marks and padding."""
    start, end = piece.start, piece.end
    spans = [
        Span(max(s.start, start) - start, min(s.end, end) - start, s.style)
        for s in _unit_spans(unit)
        if s.end > start and s.start < end
    ]
    for mark_start, mark_end, style in marks:
        if mark_end > start and mark_start < end:
            spans.append(Span(max(mark_start, start) - start, min(mark_end, end) - start, style))
    content = Content(unit.text[start:end], spans, strip_control_codes=False)
    if piece.pad:
        room = piece.pad - content.cell_length
        if room > 0:
            fill = piece.pad_style or None
            if piece.align == "right":
                content = Content.blank(room, fill) + content
            elif piece.align == "center":
                left = room // 2
                content = Content.assemble(
                    Content.blank(left, fill), content, Content.blank(room - left, fill)
                )
            else:
                content = content + Content.blank(room, fill)
    return content


def line_content(document: Document, line: Line, marks: dict[int, list[Mark]]) -> Content:
    """A whole line: its literal parts and its pieces of units, left to right."""
    parts = [
        part
        if isinstance(part, Content)
        else piece_content(document.units[part.unit], part, marks.get(part.unit, ()))
        for part in line
    ]
    return Content.assemble(*parts, strip_control_codes=False)

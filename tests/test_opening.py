"""Unit tests of the reader pane's decisions, without an app: plain numbers in, numbers out.

Where a saved position or a search opens a post, which section is being read
(with a section held after a jump), which hit `n`/`N` and which link `l`/`L`
go to, the find state, the marks drawn over a line, and the document cache.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.content import Content

from reader.models import Post, ReadingPosition
from reader.parsing import parse_markdown
from reader.tui.document import Link, Piece, Unit
from reader.tui.document_cache import DocumentCache, begin_document
from reader.tui.find_state import FindState, Hit, find_hits
from reader.tui.line_content import line_content, marks_by_unit, piece_content
from reader.tui.markdown_lines import DocumentBuilder
from reader.tui.opening import (
    HeldSection,
    Opening,
    Viewport,
    choose_hit,
    current_section,
    hold_section,
    next_link,
    open_at_highlight,
    open_at_position,
    position_line,
    previous_section,
    step_hit,
)

ANCHORS = ["intro", "middle", "end"]
LINES = [10, 40, 90]
"""Three sections whose headings are on lines 10, 40 and 90 of a 100-line post."""
COUNT = 100


def at(anchor: str, offset: int) -> ReadingPosition:
    return ReadingPosition("post", anchor, offset)


# -- where a saved position opens -------------------------------------------------


@pytest.mark.parametrize(
    ("position", "line"),
    [
        (at("middle", 55), 55),  # inside its section: kept
        (at("middle", 40), 40),  # on the heading
        (at("middle", 95), 40),  # taken at another width, now in the next section: the heading
        (at("middle", 5), 40),  # before the section: the heading
        (at("end", 99), 99),  # the last section runs to the end of the post
        (at("end", 100), 90),  # past the end of the post: the heading
        (at("", 33), 33),  # no section: the offset as it is
        (at("gone", 33), 33),  # a section no longer in the post: the offset...
        (at("gone", 500), COUNT - 1),  # ...within the post
    ],
)
def test_a_complete_post_opens_at_the_saved_line_or_its_section(
    position: ReadingPosition, line: int
) -> None:
    assert position_line(position, ANCHORS, LINES, COUNT, final=True) == line


def test_a_position_waits_until_its_section_is_laid_out() -> None:
    # Only the first two headings are laid out, in 60 lines so far.
    lines, count = LINES[:2], 60
    assert position_line(at("end", 95), ANCHORS, lines, count, final=False) is None
    assert position_line(at("gone", 5), ANCHORS, lines, count, final=False) is None
    # The last laid-out section may still grow: an offset inside it waits...
    assert position_line(at("middle", 55), ANCHORS, lines, count, final=False) is None
    # ...but one before its heading can only mean the heading.
    assert position_line(at("middle", 5), ANCHORS, lines, count, final=False) == 40
    # A section followed by a laid-out one is known in full.
    assert position_line(at("intro", 20), ANCHORS, lines, count, final=False) == 20
    assert position_line(at("", 70), ANCHORS, lines, count, final=False) is None
    assert position_line(at("", 50), ANCHORS, lines, count, final=False) == 50


def test_a_position_in_an_empty_post_opens_at_the_top() -> None:
    assert position_line(at("gone", 12), [], [], 0, final=True) == 0


def test_opening_at_a_position_holds_its_section() -> None:
    assert open_at_position(at("end", 95), ANCHORS, LINES, COUNT, True) == Opening(95, section=2)
    assert open_at_position(at("", 3), ANCHORS, LINES, COUNT, True) == Opening(3, section=-1)
    assert open_at_position(at("gone", 3), ANCHORS, LINES, COUNT, True) == Opening(3, section=-1)
    assert open_at_position(at("end", 95), ANCHORS, LINES[:2], 60, False) is None


def test_a_post_from_a_search_opens_at_its_first_hit() -> None:
    assert open_at_highlight(42, final=False) == Opening(42, center=True)
    assert open_at_highlight(None, final=False) is None  # more of the post may hold one
    assert open_at_highlight(None, final=True) == Opening(None)  # none at all: the top


# -- which section is being read ---------------------------------------------------


def view(top: int, height: int = 20, max_top: int = COUNT - 20) -> Viewport:
    return Viewport(top, height, max_top)


@pytest.mark.parametrize(
    ("top", "section"),
    [(0, -1), (8, -1), (9, 0), (10, 0), (38, 0), (39, 1), (60, 1), (79, 1)],
)
def test_the_section_is_the_heading_at_or_above_the_top(top: int, section: int) -> None:
    assert current_section(LINES, view(top)) == section


def test_at_the_end_the_last_heading_in_view_is_read() -> None:
    # Scrolled to the end (top 80 of a 100-line post): heading 90 never reaches the top.
    assert current_section(LINES, view(80)) == 2
    assert current_section([10, 40, 99], view(80)) == 2  # on the last line in view
    assert current_section([10, 40, 100], view(80)) == 1  # below the view


def test_a_post_that_fits_on_screen_reads_by_its_top() -> None:
    assert current_section(LINES, view(0, height=200, max_top=0)) == -1
    assert current_section([], view(0)) == -1


def test_a_held_section_wins_while_the_view_stays() -> None:
    document = object()
    held = HeldSection(document, 2, 60)
    assert current_section(LINES, view(60), held, document) == 2
    assert current_section(LINES, view(61), held, document) == 1  # the view moved


def test_a_held_section_from_another_document_is_ignored() -> None:
    held = HeldSection(object(), 2, 60)
    assert current_section(LINES, view(60), held, object()) == 1


def test_a_held_section_past_the_end_is_ignored() -> None:
    # Held in a post with more sections; the lines are of one with two.
    document = object()
    held = HeldSection(document, 5, 60)
    assert not held.holds(document, 60, 2)
    assert current_section(LINES[:2], view(60), held, document) == 1
    assert current_section(LINES, view(60), HeldSection(document, -1, 60), document) == 1


def test_a_zero_height_view_still_names_a_section() -> None:
    assert current_section(LINES, Viewport(95, 0, 100)) == 2
    assert current_section(LINES, Viewport(0, 0, 100)) == -1
    assert current_section(LINES, Viewport(100, 0, 100)) == 2


def test_a_jump_holds_a_section_only_when_its_heading_cannot_reach_the_top() -> None:
    document = object()
    assert hold_section(LINES, view(80), 2, document) is None  # already read at the end
    assert hold_section(LINES, view(80), 1, document) == HeldSection(document, 1, 80)
    assert hold_section(LINES, view(40), 1, document) is None  # its heading is at the top
    assert hold_section(LINES, view(40), 3, document) is None  # no such section
    assert hold_section(LINES, view(40), -1, document) is None


@pytest.mark.parametrize(
    ("top", "current", "target"),
    [
        (50, 1, 1),  # inside a section: its own heading
        (40, 1, 0),  # on its heading: the previous one
        (10, 0, -1),  # on the first heading: the top of the post
        (5, -1, -1),  # before the first heading
        (80, 2, 1),  # a last section whose heading is below the top: the one before
        (95, 5, 2),  # a section past the end (held in another post): the last one there is
    ],
)
def test_previous_section_goes_to_this_heading_then_the_one_before(
    top: int, current: int, target: int
) -> None:
    assert previous_section(LINES, top, current) == target


# -- find -----------------------------------------------------------------------


def test_a_new_query_starts_at_the_first_hit_from_the_top() -> None:
    assert choose_hit(4, [5, 30, 30, 70], top=25) == 1
    assert choose_hit(4, [5, 30, 30, 70], top=30) == 1
    assert choose_hit(4, [5, 30, 30, 70], top=71) == 0  # all above: back to the first
    assert choose_hit(0, [], top=0) == -1


def test_a_query_run_again_keeps_its_hit() -> None:
    assert choose_hit(4, [5, 30, 30, 70], top=0, keep=3) == 3
    assert choose_hit(4, [5, 30, 30, 70], top=25, keep=4) == 1  # past the end: from the top
    assert choose_hit(4, [5, 30, 30, 70], top=25, keep=-1) == 1


def test_hit_lines_are_read_only_as_far_as_needed() -> None:
    def lines() -> Iterator[int]:
        yield 5
        yield 30
        raise AssertionError("read past the hit in view")

    assert choose_hit(1000, lines(), top=20) == 1


@pytest.mark.parametrize(
    ("index", "step", "to"),
    [(0, 1, 1), (2, 1, 0), (0, -1, 2), (1, -1, 0), (-1, 1, 0), (7, 1, 2), (7, -1, 0)],
)
def test_stepping_through_hits_wraps_around(index: int, step: int, to: int) -> None:
    assert step_hit(3, index, step) == to


def test_stepping_with_no_hits_goes_nowhere() -> None:
    assert step_hit(0, -1, 1) == -1
    assert step_hit(0, 3, -1) == -1


def test_the_find_state_counts_and_steps() -> None:
    hits = (Hit(0, 0, 1), Hit(1, 2, 3), Hit(4, 0, 2))
    state = FindState("x", hits, 0)
    assert state.counter == "1/3" and state.current == hits[0] and state.active
    assert state.stepped(-1).counter == "3/3"
    assert state.stepped(-1).stepped(1) == state
    assert FindState("nothing").counter == "0/0" and FindState("nothing").current is None
    assert FindState().counter == "" and not FindState().active
    assert FindState("x", hits, 9).current is None  # an index past the end is no hit


def test_hits_are_found_folded_and_in_reading_order() -> None:
    builder = DocumentBuilder()
    builder.feed("Café and cafe.\n\nA CAFÉ again.")
    document = builder.finish()
    hits = find_hits(document, ["cafe"])
    assert [(h.unit, h.start, h.end) for h in hits] == [(0, 0, 4), (0, 9, 13), (1, 2, 6)]
    assert find_hits(document, ["", ""]) == []


def test_hits_are_spans_of_the_text_as_written_when_folding_changes_its_length() -> None:
    builder = DocumentBuilder()
    builder.feed("Die Straße und ﬁx.")
    document = builder.finish()
    text = document.units[0].text
    hits = find_hits(document, ["und", "strasse", "fix"])
    assert [text[h.start : h.end] for h in hits] == ["Straße", "und", "ﬁx"]


# -- links ------------------------------------------------------------------------

LINKS = [3, 25, 30, 60]


@pytest.mark.parametrize(
    ("focused", "top", "step", "to"),
    [
        (-1, 0, 1, 0),  # none focused: the first from the top
        (-1, 20, 1, 1),
        (-1, 20, -1, 2),  # `L`: the last above the bottom (line 40)
        (1, 20, 1, 2),  # focused and in view: the next
        (1, 20, -1, 0),  # ...or the previous, even above the view
        (3, 50, 1, -1),  # past the last: nothing changes (no wrapping)
        (0, 0, -1, -1),  # before the first: nothing changes
        (0, 20, 1, 1),  # focused but scrolled away: from the top again
        (9, 20, 1, 1),  # a focused index past the end counts as none
        (-1, 70, 1, -1),  # no link from the top down: nothing changes
        (-1, 10, -1, 1),  # the link on the line below the view is not in it
    ],
)
def test_link_keys_move_from_the_focused_link_or_the_view(
    focused: int, top: int, step: int, to: int
) -> None:
    assert next_link(LINKS, focused, view(top), step) == to


def test_link_keys_with_no_links_or_no_height() -> None:
    assert next_link([], -1, view(0), 1) == -1
    assert next_link(LINKS, -1, Viewport(20, 0, 100), 1) == 1
    assert next_link(LINKS, 1, Viewport(20, 0, 100), 1) == 1  # not in view: from the top
    assert next_link(LINKS, -1, Viewport(20, 0, 100), -1) == 0


# -- marks drawn over a line ---------------------------------------------------------


def test_marks_are_highlights_then_hits_then_the_focused_link() -> None:
    find = FindState("a", (Hit(0, 0, 1), Hit(2, 3, 4)), 1)
    marks = marks_by_unit(find, [Hit(0, 5, 6)], Link("https://x", 2, 0, 9))
    assert marks == {
        0: [(5, 6, "post-view--highlight"), (0, 1, "post-view--find-hit")],
        2: [(3, 4, "post-view--find-current"), (0, 9, "post-view--link-focus")],
    }
    assert marks_by_unit(FindState(), [], None) == {}


def test_a_piece_is_sliced_marked_and_padded() -> None:
    unit = Unit("hello world", [])
    content = piece_content(unit, Piece(1, 6, 11), [(0, 8, "post-view--find-hit")])
    assert content.plain == "world"
    assert [(s.start, s.end, s.style) for s in content.spans] == [(0, 2, "post-view--find-hit")]
    assert piece_content(unit, Piece(1, 0, 5, pad=8, align="right")).plain == "   hello"
    assert piece_content(unit, Piece(1, 0, 5, pad=8, align="center")).plain == " hello  "
    assert piece_content(unit, Piece(1, 0, 5, pad=8)).plain == "hello   "
    assert piece_content(unit, Piece(1, 0, 5, pad=3)).plain == "hello"  # never cut


def test_a_line_joins_literal_parts_and_pieces() -> None:
    builder = DocumentBuilder()
    builder.feed("[bold]not markup[/bold]")
    document = builder.finish()
    line = (Content("> "), Piece(0, 0, len(document.units[0].text)))
    assert line_content(document, line, {}).plain == "> [bold]not markup[/bold]"


# -- the document cache ------------------------------------------------------------


def make_post(slug: str, body: str = "# Title\n\nSome text.\n", title: str = "Title") -> Post:
    parsed = parse_markdown(body)
    return Post(
        slug=slug,
        title=title,
        tags=("tag",),
        sections=parsed.sections,
        words=parsed.words,
        body=parsed.body,
    )


def test_the_cache_keeps_the_most_recent_documents() -> None:
    cache = DocumentCache(size=2)
    posts = [make_post(f"p{n}") for n in range(3)]
    documents = [begin_document(post)[0].finish() for post in posts]
    cache.put(posts[0], documents[0])
    cache.put(posts[1], documents[1])
    assert cache.get(posts[0]) is documents[0]  # now the most recent
    cache.put(posts[2], documents[2])
    assert cache.get(posts[1]) is None and len(cache) == 2
    assert cache.get(posts[0]) is documents[0] and cache.get(posts[2]) is documents[2]
    cache.clear()
    assert cache.get(posts[0]) is None and len(cache) == 0


def test_an_edited_post_is_not_served_from_the_cache() -> None:
    cache = DocumentCache()
    post = make_post("p")
    cache.put(post, begin_document(post)[0].finish())
    assert cache.get(make_post("p")) is not None
    assert cache.get(make_post("p", body="# Title\n\nOther text.\n")) is None
    assert cache.get(make_post("p", title="Renamed")) is None


def test_a_long_post_begins_with_its_first_chunk() -> None:
    body = "\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(200))
    builder, rest = begin_document(make_post("long", body=body))
    assert rest and not builder.document.complete
    texts = [unit.text for unit in builder.document.units]
    assert any("Paragraph 0 " in text for text in texts)
    assert not any("Paragraph 199 " in text for text in texts)
    short_builder, short_rest = begin_document(make_post("short"))
    assert short_rest == [] and short_builder.document.units

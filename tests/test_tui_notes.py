"""Read marks and notes you can see: the marks column, the note in the reader and in the
Bookmarks view, `M` (mark what the list shows read) and `u` (undo it), and the on-end rule
for a post that fits on screen."""

from __future__ import annotations

from textual.pilot import Pilot

from reader.library import Library
from reader.models import Filter
from reader.tui import ReaderApp
from reader.tui.widgets.post_list import MARK_WIDTH, PostList
from reader.tui.widgets.post_view import PostView
from tests.screen import bookmark_lines, lines_of, list_rows, marks_of, text_of
from tests.test_keys import STEADY, settle

WIDE = (140, 40)
HOSTILE = "[bold]loud[/bold] \x1b[31mred\x1b[0m $accent"
"""A note as another program may have written it: markup and an escape sequence."""
SHOWN = "[bold]loud[/bold] [31mred[0m $accent"
"""The same note as it must be drawn: the markup as text, the escape character gone."""


def reader_text(app: ReaderApp) -> str:
    return " ".join(text_of(app.screen.query_one(PostView)).split())


async def test_marks_column_holds_both_marks_and_keeps_titles_aligned(library: Library) -> None:
    slugs = [p.slug for p in library.summaries()]
    state = library.state
    state.add_bookmark(slugs[0], note="keep")  # unread, bookmarked with a note
    state.add_bookmark(slugs[1])  # read, bookmarked
    state.set_read(slugs[1])
    state.set_read(slugs[2])  # read
    state.add_bookmark(slugs[4])  # unread, bookmarked
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert marks_of(post_list)[:5] == ["•✎", " ★", "", "•", "•★"]
        # Every title starts in the same column, whatever marks come before it.
        titles = {p.slug: p.title for p in library.summaries()}
        left = 1 + post_list.styles.padding.left  # the border, then the padding
        inside = [line[left:] for line in lines_of(post_list)[1:-1]]
        for slug, line in zip(slugs[:5], inside[::2], strict=False):
            assert line.index(titles[slug][:20]) == MARK_WIDTH
        # Search results carry the same marks.
        await pilot.press("slash", *titles[slugs[0]].split()[1])
        await settle(app, pilot)
        rows = marks_of(post_list)
        assert rows and rows[0] == "•✎"


async def test_the_note_is_under_the_title_in_the_reader_as_plain_text(library: Library) -> None:
    slug = library.summaries()[0].slug
    library.state.add_bookmark(slug, note=HOSTILE)
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.screen.query_one(PostView)
        lines = [line.strip() for line in lines_of(view)]
        title = library.summaries()[0].title
        at = next(i for i, line in enumerate(lines) if line.startswith(title[:20]))
        assert f"✎ {SHOWN}" in " ".join(lines[at + 1 : at + 4])  # under the title (and tags)
        assert "\x1b" not in text_of(view)
        # A new note shows at once; removing the bookmark takes it away.
        await pilot.press("B", "ctrl+a", "ctrl+k", *"second thoughts", "enter")
        await settle(app, pilot)
        assert "✎ second thoughts" in reader_text(app)
        assert "loud" not in reader_text(app)
        await pilot.press("b")
        await settle(app, pilot)
        assert "✎" not in reader_text(app)


async def test_bookmarks_view_gives_each_bookmarks_date_section_and_note(
    library: Library,
) -> None:
    posts = library.summaries()
    with_sections = next(p for p in posts if p.sections)
    section = with_sections.sections[0]
    plain = next(p for p in posts if p is not with_sections)
    state = library.state
    state.add_bookmark(plain.slug)
    state.add_bookmark(with_sections.slug, note=HOSTILE, section=section.anchor)
    created = state.bookmark(with_sections.slug)
    assert created is not None
    state.update_settings({"last_filter": Filter(Filter.BOOKMARKS).id})
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=(320, 30)) as pilot:  # a list wide enough for the notes
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        shown = [title.rstrip("…") for title, _ in list_rows(post_list)]
        assert len(shown) == 2
        assert with_sections.title.startswith(shown[0]) and plain.title.startswith(shown[1])
        day = created.created[:10]
        assert bookmark_lines(post_list) == [
            f"bookmarked {day} · § {section.heading} · ✎ {SHOWN}",
            f"bookmarked {state.bookmarks()[1].created[:10]}",
        ]
        assert marks_of(post_list) == ["•✎", "•★"]


async def open_first(app: ReaderApp, pilot: Pilot[None]) -> None:
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)

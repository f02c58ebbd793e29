"""Read marks and notes you can see: the marks column, the note in the reader and in the
Bookmarks view, `M` (mark what the list shows read) and `u` (undo it), and the on-end rule
for a post that fits on screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList

from reader.library import Library
from reader.models import Filter
from reader.sorting import SortOrder
from reader.state import StateStore
from reader.tui import ReaderApp
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.settings import load_for_tui
from reader.tui.widgets.post_list import MARK_WIDTH, PostList
from reader.tui.widgets.post_view import PostView
from tests.screen import bookmark_lines, lines_of, list_rows, marks_of, notices, text_of
from tests.test_keys import STEADY, footer_text, settle, wait_until
from tests.test_palette import choices, steady

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
            f"✎ {SHOWN} · bookmarked {day} · § {section.heading}",
            f"bookmarked {state.bookmarks()[1].created[:10]}",
        ]
        assert marks_of(post_list) == ["•✎", "•★"]


async def open_first(app: ReaderApp, pilot: Pilot[None]) -> None:
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)


# -- M marks what the list shows read, u undoes it -----------------------------------


def write_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every atomic replace of `state.json` from now on."""
    calls: list[str] = []
    real = os.replace

    def counting(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith("state.json"):
            calls.append(str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    return calls


def read_on_disk(library: Library) -> set[str]:
    return StateStore(library.root / "state.json").read_slugs()


async def mark_all(app: ReaderApp, pilot: Pilot[None], expected: str) -> None:
    """Press M, check the question gives the count, and say yes."""
    await pilot.press("M")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmScreen)
    assert expected in text_of(app.screen.query_one("#question"))
    await pilot.press("y")
    await settle(app, pilot)


async def test_capital_m_marks_the_unread_filter_read_in_one_write_and_u_undoes_it(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    slugs = [p.slug for p in library.summaries()]
    library.state.set_read(slugs[0])  # read before: must stay read after the undo
    library.state.update_settings({"last_filter": Filter(Filter.UNREAD).id})
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert len(list_rows(post_list)) == 9
        assert "u Undo" not in footer_text(app)  # nothing to undo yet
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("escape")  # no: nothing changes
        await settle(app, pilot)
        assert len(list_rows(post_list)) == 9
        writes = write_count(monkeypatch)
        await mark_all(app, pilot, "Mark 9 posts read?")
        await wait_until(pilot, lambda: len(read_on_disk(library)) == 10, "all read on disk")
        assert len(writes) == 1  # one write for the batch
        assert "Press m on a post" in " ".join(text_of(post_list).split())  # the list is empty
        assert "Marked 9 posts read" in notices(app)
        assert "u Undo all read" in footer_text(app)
        await pilot.press("u")
        await settle(app, pilot)
        await wait_until(pilot, lambda: read_on_disk(library) == {slugs[0]}, "undone on disk")
        assert len(writes) == 2
        assert len(list_rows(post_list)) == 9
        assert "9 posts unread again" in notices(app)
        assert "u Undo" not in footer_text(app)


async def test_capital_m_marks_only_the_tag_filter(library: Library) -> None:
    tag = next(t for t in library.tags() if t.name == "architecture")
    tagged = {p.slug for p in library.summaries(tag.name)}
    assert 1 < len(tagged) < len(library.summaries())
    library.state.set_read(min(tagged))  # read already: not counted
    library.state.update_settings({"last_filter": Filter(Filter.TAG, tag.name).id})
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        count = len(tagged) - 1
        await mark_all(app, pilot, f"Mark {count} post{'s' if count > 1 else ''} read?")
        await wait_until(pilot, lambda: read_on_disk(library) == tagged, "the tag read on disk")
        assert marks_of(app.screen.query_one(PostList)) == [""] * len(tagged)


async def test_capital_m_during_a_search_marks_every_match(library: Library) -> None:
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        await pilot.press("slash", *"redis")
        await wait_until(pilot, lambda: "Results" in lines_of(post_list)[0], "the results")
        await settle(app, pilot)
        matched = set(post_list.slugs)
        assert 0 < len(matched) < len(library.summaries())
        await pilot.press("tab")  # to the results: M in the search bar is typed
        await mark_all(app, pilot, f"Mark {len(matched)} post")
        await wait_until(pilot, lambda: read_on_disk(library) == matched, "the matches read")
        await pilot.press("u")
        await wait_until(pilot, lambda: read_on_disk(library) == set(), "the undo on disk")


async def test_m_and_u_are_in_the_help_and_the_palette_with_their_keys(library: Library) -> None:
    app = ReaderApp(library, timings=STEADY)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(text_of(app.screen.query_one("#help-text")).split())
        assert "M Mark every post listed read (asks first)" in shown
        assert "u Undo the last M: its posts unread again" in shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
        await pilot.press(*"mark all")
        await wait_until(pilot, lambda: "Mark all read" in choices(app), "M offered")
        await steady(app, pilot)
        options = app.screen.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(r.startswith("Mark all read") and "key: M" in r for r in rows), rows
        options.highlighted = choices(app).index("Mark all read")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert "Mark 10 posts read?" in text_of(app.screen.query_one("#question"))
        await pilot.press("enter")
        await settle(app, pilot)
        # Now there is something to undo, the palette offers it too.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "palette open")
        await pilot.press(*"undo all")
        await wait_until(pilot, lambda: "Undo all read" in choices(app), "u offered")


NOTES_KEY_TESTS = {
    ("everywhere", "`M`"): test_capital_m_marks_the_unread_filter_read_in_one_write_and_u_undoes_it,
    ("everywhere", "`u`"): test_capital_m_marks_the_unread_filter_read_in_one_write_and_u_undoes_it,
}
"""The README's rows for `M` and `u`, and the test that presses them."""


# -- on-end, for a post that fits on screen --------------------------------------------


def short_and_long(root: Path) -> Library:
    """A library of two posts that fit on screen (a, c) and one that does not (b)."""
    folder = root.parent / "posts"
    folder.mkdir()
    (folder / "a-short.md").write_text("# A short one\n\nTwo lines.\n", encoding="utf-8")
    long = "# B long one\n\n" + "".join(f"Paragraph {n}.\n\n" for n in range(200))
    (folder / "b-long.md").write_text(long, encoding="utf-8")
    (folder / "c-short.md").write_text("# C short too\n\nOne line.\n", encoding="utf-8")
    library = Library.open(root, seed=False)
    library.import_paths([folder])
    return library


def on_end_app(library: Library, tmp_path: Path) -> ReaderApp:
    config = tmp_path / "config.toml"
    config.write_text('mark_read = "on-end"\n', encoding="utf-8")
    loaded, moved = load_for_tui(library.state, config)
    return ReaderApp(library, timings=STEADY, config=loaded, moved=moved)


async def test_on_end_marks_a_post_that_fits_read_when_opened(tmp_path: Path) -> None:
    library = short_and_long(tmp_path / "data")
    a, b, c = (p.slug for p in library.summaries(order=SortOrder.TITLE))
    library.state.update_settings({"sort": "title"})
    app = on_end_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        post_list = app.screen.query_one(PostList)
        assert post_list.highlighted_slug == a
        assert marks_of(post_list) == ["•", "•", "•"]  # a shown at start: never read by itself
        await pilot.press("j", "j")  # c highlighted only: it fits, but it is not opened
        await settle(app, pilot)
        assert marks_of(post_list) == ["•", "•", "•"]
        await pilot.press("enter")  # c, shown already, opened: its end is on screen
        await wait_until(pilot, lambda: read_on_disk(library) == {c}, "c read")
        await pilot.press("escape", "k", "enter")  # b opens at its top: not read
        await settle(app, pilot)
        assert marks_of(post_list) == ["•", "•", ""]
        await pilot.press("K")  # a, opened from the reader, loaded after it was opened
        await wait_until(pilot, lambda: read_on_disk(library) == {a, c}, "a read")
        await pilot.press("J", "G")  # b, to its end
        await wait_until(pilot, lambda: read_on_disk(library) == {a, b, c}, "b read at its end")

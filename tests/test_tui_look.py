"""How the main screen looks: contrast in several themes, pane titles, fitting small terminals."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color
from rich.style import Style
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.find_bar import FindBar
from reader.tui.widgets.key_footer import KeyFooter
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import PLACEHOLDERS, SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.screen import find_counter, lines_of, text_of
from tests.test_tui_search import settle, type_query

THEMES = ["textual-dark", "textual-light", "solarized-light", "nord", "ansi-dark"]
"""A dark and a light theme, one with its own palette, and one of the terminal's colours."""


def style_of(widget: Widget, text: str, after: str = "") -> tuple[Style, Color | None]:
    """The style of the first drawn segment holding `text`, and the background under it.

    With `after`, only from the first line holding `after` on (the same row of a list).
    """
    width, height = widget.outer_size
    lines = list(widget.render_lines(Region(0, 0, width, height)))
    start = next(i for i, line in enumerate(lines) if after in line.text)
    for strip in lines[start:]:
        for segment in strip:
            if text in segment.text and segment.style is not None:
                return segment.style, segment.style.bgcolor
    raise AssertionError(f"{text!r} is not drawn in {widget!r}")


def luminance(color: Color) -> float:
    red, green, blue = color.get_truecolor()
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(widget: Widget, text: str, after: str = "") -> float:
    """How far the text stands out from its background (0 for none); dim halves it.

    The ANSI themes draw in the terminal's default colours, which cannot be
    compared: there only the dim attribute tells secondary text apart.
    """
    style, background = style_of(widget, text, after)
    color = style.color
    if color is None or color.is_default or background is None or background.is_default:
        return 50.0 if style.dim else 100.0
    return abs(luminance(color) - luminance(background)) * (0.5 if style.dim else 1.0)


def assert_dimmer(widget: Widget, title: str, secondary: str, theme: str) -> None:
    strong, weak = contrast(widget, title), contrast(widget, secondary, after=title)
    assert weak < strong, (
        f"{theme}: {secondary!r} ({weak:.0f}) not dimmer than {title!r} ({strong:.0f})"
    )
    # Dimmer, and still there to read.
    assert weak > strong * 0.3, f"{theme}: {secondary!r} ({weak:.0f}) is hardly visible"


@pytest.mark.parametrize("theme", THEMES)
async def test_secondary_text_is_dimmer_than_titles(library: Library, theme: str) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 40)) as pilot:
        app.theme = theme
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        # The second row, not under the cursor: its title, then its tags and minutes.
        assert_dimmer(post_list, "Debugging Redis", "redis, cach", theme)
        assert_dimmer(post_list, "Debugging Redis", "min", theme)
        sidebar = app.screen.query_one(TagSidebar)
        assert_dimmer(sidebar, "Unread", " 10", theme)
        assert_dimmer(sidebar, "redis", " 1", theme)
        reader = app.screen.query_one(PostView)
        # The post's tags, dimmer than its text (the title stands out by colour and bold).
        text, tags = contrast(reader, "We started"), contrast(reader, "#streaming")
        assert text * 0.3 < tags < text, (theme, text, tags)
        assert style_of(reader, "The Hard-Won Playbook")[0].bold

        await type_query(app, pilot, "redis")
        await settle(app, pilot)
        # A result's title, then the context of its snippet and its tags.
        assert_dimmer(post_list, "Debugging", "Machine Learning", theme)
        rows = list(post_list.render_lines(Region(0, 0, *post_list.outer_size)))
        context = rows[2].text.strip("│ ").split()[0]
        assert "redis" not in context.lower()
        assert_dimmer(post_list, "Debugging", context, theme)


async def test_unfocused_pane_borders_stay_visible_in_every_theme(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(160, 40)) as pilot:
        themes = [t for t in app.available_themes if not t.startswith("ansi")]
        assert len(themes) > 10
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            sidebar = app.screen.query_one(TagSidebar)
            assert not sidebar.has_focus
            style, _ = style_of(sidebar, "╭")
            assert style.color is not None and style.bgcolor is not None
            seen = abs(luminance(style.color) - luminance(style.bgcolor))
            assert seen > 30, f"{theme}: the unfocused border is hardly visible ({seen:.0f})"


async def test_panes_have_titles_and_the_post_title_is_shown_once(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    body = "\n\n".join(f"Paragraph {i} of the introduction." for i in range(30))
    (folder / "same.md").write_text(
        f"---\ntitle: Same Title Here\ntags: [x]\n---\n\n# Same Title Here\n\n{body}\n"
    )
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([folder])
    app = ReaderApp(library)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "Tags" in lines_of(screen.query_one(TagSidebar))[0]
        assert "Posts" in lines_of(screen.query_one(PostList))[0]
        reader = screen.query_one(ReaderPane)

        def drawn() -> str:
            """The pane's border (with its title) and the post inside it."""
            return lines_of(reader)[0] + "\n" + text_of(reader.query_one(PostView))

        # The border, the header and the Markdown H1 would make three.
        assert drawn().count("Same Title Here") == 1
        await pilot.press("enter", *"jjjjj")
        await pilot.pause()
        # Its header scrolled away, the title goes to the border: still once.
        assert drawn().count("Same Title Here") == 1
        assert "Same Title Here" in lines_of(reader)[0]


TOGGLES = {
    "tags shown": ["t"],
    "tags shown then hidden": ["t", "t"],
    "tags from the list": ["shift+tab"],
    "tags shown, then a tag chosen": ["t", "down", "enter"],
    "search bar open": ["slash", "r", "e", "d"],
    "find bar open": ["enter", "f", "t", "h", "e"],
    "tags shown, then the find bar": ["t", "escape", "enter", "f"],
}
"""Every way of showing or hiding a part of the main screen, as keys."""


@pytest.mark.parametrize("keys", TOGGLES.values(), ids=TOGGLES.keys())
async def test_at_80x24_every_toggle_keeps_all_panes_on_screen(
    library: Library, keys: list[str]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen.region
        reader = app.screen.query_one(ReaderPane)
        assert reader.region.width > 0 and screen.contains_region(reader.region), reader.region
        for pane in app.screen.query("#sidebar, #middle, #reader").results(Widget):
            if pane.display:
                assert screen.contains_region(pane.region), (pane.id, pane.region)
        # Whichever pane has the focus is one the user can see.
        focused = app.focused
        assert focused is not None and focused.region.width > 0


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (80, 24), (120, 40), (200, 50)])
async def test_the_search_placeholder_fits_its_width(
    library: Library, size: tuple[int, int]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(SearchBar)
        drawn = text_of(bar).strip()
        assert drawn in PLACEHOLDERS, drawn
        if size[0] >= 200:
            assert drawn == PLACEHOLDERS[0]


def footer_on_screen(app: ReaderApp) -> list[str]:
    """The footer's keys drawn wholly on screen, as their text."""
    screen = app.screen.region
    keys = app.screen.query_one(KeyFooter).query(FooterKey)
    return [" ".join(text_of(k).split()) for k in keys if screen.contains_region(k.region)]


@pytest.mark.parametrize("size", [(40, 12), (59, 20)])
@pytest.mark.parametrize(
    "keys", [[], ["enter"], ["t"], ["slash"]], ids=["list", "reader", "tags", "search"]
)
async def test_below_60_columns_the_footer_keeps_quit_help_and_back(
    library: Library, size: tuple[int, int], keys: list[str]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        shown = footer_on_screen(app)
        if keys != ["slash"]:  # in the search bar q and ? are typed, not keys
            assert "q Quit" in shown and "? Help" in shown, shown
        assert any(k.startswith("esc ") for k in shown), shown


async def test_a_wide_footer_keeps_its_order(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.pause()
        shown = footer_on_screen(app)
        # Textual's palette key stands apart at the right end; ours end with q and ?.
        assert shown[-1].endswith("^p Commands"), shown
        assert shown[-3:-1] == ["q Quit", "? Help"], shown


def list_says(app: ReaderApp) -> str:
    """The post list's lines as drawn, joined (a message may wrap)."""
    inside = [line.strip("│ ") for line in lines_of(app.screen.query_one(PostList))[1:-1]]
    return " ".join(" ".join(inside).split())


async def choose(app: ReaderApp, pilot: Pilot[None], label: str) -> None:
    """Pick the sidebar row that starts with `label`."""
    sidebar = app.screen.query_one(TagSidebar)
    await pilot.press("t")
    rows = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
    sidebar.highlighted = next(i for i, row in enumerate(rows) if row.startswith(label))
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_empty_lists_say_what_to_do(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "Bookmarks")
        assert "Bookmarks: press b on a post" in list_says(app)
        await choose(app, pilot, "Unread")
        for _ in range(10):
            await pilot.press("m")  # the highlighted post read: it leaves the list
            await pilot.pause()
        assert "Nothing unread. Press m on a post" in list_says(app), list_says(app)


async def test_a_tag_with_no_posts_left_says_what_to_do(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "redis")
        assert library.remove([library.summaries("redis")[0].slug])
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.refresh_lists()  # as the library watch does when another process removed it
        await pilot.pause()
        assert "No post has the tag redis now. Press t and choose All" in list_says(app)


async def test_a_search_with_no_result_says_what_to_try(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await type_query(app, pilot, "zzyzx")
        assert 'No matches for "zzyzx". Try fewer words, or press esc' in list_says(app)
        await pilot.press("escape")
        await choose(app, pilot, "redis")
        await type_query(app, pilot, "zzyzx")
        assert "narrowed: press esc, then t and choose All" in list_says(app)


MUTED_POST = """# Muted parts

Body words here.

> Quoted words here.

---

| head | col |
|---|---|
| cell | two |

###### Small heading

See [the page](https://example.com/target) for more.
"""
"""A post with each part the reader draws as secondary text."""


@pytest.mark.parametrize("theme", THEMES)
async def test_the_readers_secondary_parts_are_dimmer_than_its_text(
    tmp_path: Path, theme: str
) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "muted.md").write_text(MUTED_POST, encoding="utf-8")
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([folder])
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.pause()
        reader = app.screen.query_one(PostView)
        body = contrast(reader, "Body words")
        for part in ("Quoted words", "───", "┌", "Small heading", "<https://example.com/target>"):
            weak = contrast(reader, part)
            assert body * 0.3 < weak < body, (theme, part, body, weak)
        # The find bar's counter is secondary too: dimmer than what was typed.
        await pilot.press("enter", "f", *"words")  # open it, then find
        await settle(app, pilot)
        bar = app.screen.query_one(FindBar)
        assert find_counter(bar) == "1/2"
        typed = contrast(bar.query_one("#find-input"), "words")
        counter = contrast(bar.query_one("#find-counter"), "1/2")
        assert typed * 0.3 < counter < typed, (theme, typed, counter)

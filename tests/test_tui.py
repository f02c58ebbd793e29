"""Pilot tests for the main screen: every binding, the panes, and terminal sizes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import OptionList

from reader.library import Library
from reader.models import Post
from reader.tui import ReaderApp
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.search_bar import SearchBar
from reader.tui.widgets.tag_sidebar import TagSidebar

FIRST = "The Hard-Won Playbook for Shipping Streaming Pipelines Fast"
SECOND = "Debugging Redis Caching: 7 Techniques You Need to Know"


def shown(app: ReaderApp) -> Post | None:
    return app.screen.query_one(ReaderPane).post


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (200, 50)])
async def test_starts_with_first_post_highlighted_and_shown(
    library: Library, size: tuple[int, int]
) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        assert post_list.highlighted == 0
        assert post_list.highlighted_slug == library.summaries()[0].slug
        post = shown(app)
        assert post is not None and post.title == FIRST
        assert app.focused is post_list


async def test_sidebar_lists_all_tags_with_counts(library: Library) -> None:
    app = ReaderApp(library, timings=Timings())  # "Unread 10" on a slow machine
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(TagSidebar)
        labels = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert labels[:3] == ["All 10", "Unread 10", "Bookmarks 0"]
        assert "Machine Learning 10" in labels and "redis 1" in labels
        assert len(labels) == 3 + len(library.tags())


@pytest.mark.parametrize(("down", "up"), [("j", "k"), ("down", "up")])
async def test_moving_in_the_list_shows_the_post(library: Library, down: str, up: str) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(down)
        await app.workers.wait_for_complete()
        await pilot.pause()
        post = shown(app)
        assert post is not None and post.title == SECOND
        await pilot.press(up)
        await app.workers.wait_for_complete()
        await pilot.pause()
        post = shown(app)
        assert post is not None and post.title == FIRST


async def test_enter_opens_the_post_in_the_reader(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        assert app.focused is reader or reader.has_focus_within
        post = shown(app)
        assert post is not None and post.title == SECOND
        await pilot.press("escape")
        assert app.focused is app.screen.query_one(PostList)


async def test_tab_and_shift_tab_move_between_panes(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        post_list = screen.query_one(PostList)
        order = []
        for _ in range(8):
            await pilot.press("tab")
            order.append(app.focused)
            if app.focused is post_list:
                break
        assert order[-1] is post_list
        assert screen.query_one(TagSidebar) in order
        assert screen.query_one(SearchBar) in order
        reader = screen.query_one(ReaderPane)
        assert any(w is not None and (w is reader or reader in w.ancestors) for w in order)
        await pilot.press("tab", "shift+tab")  # from the reader, back to the list
        assert app.focused is post_list
        await pilot.press("shift+tab")  # from the list: to the tags
        assert screen.query_one(TagSidebar).has_focus


async def test_choosing_a_tag_filters_the_list(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(TagSidebar)
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("tag:redis")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        assert post_list.option_count == 1
        assert app.focused is post_list
        post = shown(app)
        assert post is not None and post.title == SECOND
        # Back to All with the keyboard: k up to the top row, enter.
        sidebar.focus()
        await pilot.press("home", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert post_list.option_count == 10
        assert post_list.highlighted_slug == post.slug  # the cursor stays on the post


async def test_footer_shows_the_main_keys(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown_keys = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"q", "question_mark", "enter", "t"} <= shown_keys


async def test_q_quits(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_held_key_renders_only_the_latest_post(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = ReaderApp(library)
    gate = threading.Event()
    real_get = library.get

    def slow_get(slug: str) -> Post | None:
        gate.wait(timeout=10)
        return real_get(slug)

    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        rendered: list[str] = []
        reader = app.screen.query_one(ReaderPane)
        real_show = reader.show_post

        def spy(post: Post | None, *args: object, **kwargs: object) -> None:
            rendered.append(post.slug if post else "")
            real_show(post, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(reader, "show_post", spy)
        monkeypatch.setattr(library, "get", slow_get)
        await pilot.press(*("j" * 5))
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rendered == [library.summaries()[5].slug]


@pytest.mark.parametrize(
    "size", [(20, 6), (30, 8), (45, 10), (60, 15), (89, 24), (120, 30), (250, 70)]
)
async def test_no_crash_at_any_size(library: Library, size: tuple[int, int]) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in ("j", "tab", "t", "enter", "escape", "tab", "shift+tab", "k"):
            await pilot.press(key)
        await pilot.resize_terminal(20, 6)
        await pilot.pause()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert app.is_running
        screen = app.screen.region
        shown = [w for w in app.screen.query(OptionList) if w.display and w.region.width]
        assert shown, "no list is on screen"
        for widget in shown:
            assert screen.contains_region(widget.region), (widget, widget.region, screen)
        focused = app.focused
        assert focused is not None and focused.region.width > 0  # the focus is somewhere seen


async def test_narrow_terminal_collapses_the_sidebar(library: Library) -> None:
    app = ReaderApp(library)
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(TagSidebar)
        assert not sidebar.display or sidebar.region.width == 0
        await pilot.press("t")
        await pilot.pause()
        assert sidebar.region.width > 0
        assert app.focused is sidebar


async def test_long_list_lays_out_every_row(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "many", seed=False)
    folder = tmp_path / "posts"
    folder.mkdir()
    for i in range(300):
        (folder / f"p{i:03d}.md").write_text(f"# Post {i:03d}\n\nBody {i}.\n")
    library.import_paths([folder])
    app = ReaderApp(library)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        assert post_list.virtual_size.height == 600
        await pilot.press("end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        post = shown(app)
        assert post is not None and post.title == "Post 299"
        assert post_list.scroll_offset.y >= 600 - post_list.scrollable_content_region.height
        await pilot.resize_terminal(60, 15)
        await pilot.pause()
        assert post_list.virtual_size.height == 600

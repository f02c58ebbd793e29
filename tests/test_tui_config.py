"""The config in the TUI: each read-marking rule, the post shown at start never marked read,
the theme remembered, the reading width, the order and drafts at start, a bad file named.

The app is started as `reader` starts it: the config file read with
`load_for_tui`, then `ReaderApp(library, config=...)`. A test that says a
post was not marked read first waits for the state polls to come back three
times, well past the rule's own timer (`mark_read_seconds` is 0.02 here).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.library import Library
from reader.tui import ReaderApp
from reader.tui.settings import load_for_tui
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.post_view import PostView
from reader.tui.widgets.reader_pane import ReaderPane
from tests.screen import lines_of, notices
from tests.test_tui_state import (
    POLL,
    StatePolls,
    mark,
    position_on_disk,
    settings_on_disk,
    settle,
    slugs_on_disk,
    wait_until,
)

SIZE = (120, 30)


def app_for(library: Library, config: Path, text: str | None = None) -> ReaderApp:
    """The app as `reader` starts it, on the config file `config` (written first if given)."""
    if text is not None:
        config.write_text(text, encoding="utf-8")
    loaded, moved = load_for_tui(library.state, config)
    return ReaderApp(library, timings=Timings(state_poll=POLL), config=loaded, moved=moved)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


async def polls_pass(pilot: Pilot[None], polls: StatePolls) -> None:
    """Wait for three more state polls: any rule's timer (0.02 s) has fired by then."""
    target = polls.count + 3
    await wait_until(pilot, lambda: polls.count >= target, "three state polls")


def at_bottom(library: Library, slug: str) -> bool:
    """True once the reader's place in `slug`, saved on disk, is past its start."""
    saved = position_on_disk(library, slug)
    return saved is not None and saved[1] > 0


def rule(name: str) -> str:
    return f'mark_read = "{name}"\nmark_read_seconds = 0.02\n'


# -- the post shown at start ---------------------------------------------------------


@pytest.mark.parametrize("name", ["on-open", "on-end", "after-seconds", "manual"])
@pytest.mark.parametrize(("keys", "index"), [((), 0), (("j",), 1)], ids=["at-start", "highlighted"])
async def test_a_post_shown_but_not_opened_is_never_marked_read(
    library: Library, config: Path, name: str, keys: tuple[str, ...], index: int
) -> None:
    """The post shown at start, or one only highlighted in the list, under every rule."""
    shown = library.summaries()[index].slug
    polls = StatePolls()
    app = app_for(library, config, rule(name))
    async with app.run_test(size=SIZE, message_hook=polls) as pilot:
        await settle(app)
        await pilot.press(*keys)
        await settle(app)
        assert app.screen.query_one(ReaderPane).post.slug == shown  # type: ignore[union-attr]
        await polls_pass(pilot, polls)
        await settle(app)
        assert mark(app, shown) == "•"  # shown, and still unread
    assert slugs_on_disk(library, "read") == set()


# -- each rule -------------------------------------------------------------------------


async def test_on_open_marks_read_on_enter(library: Library, config: Path) -> None:
    first = library.summaries()[0].slug
    app = app_for(library, config)  # no file: on-open is the default
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        assert mark(app, first) == ""
    assert slugs_on_disk(library, "read") == {first}


async def test_on_end_marks_read_at_the_end_only(library: Library, config: Path) -> None:
    first = library.summaries()[0].slug
    app = app_for(library, config, rule("on-end"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        await pilot.press("j", "j")
        await wait_until(pilot, lambda: at_bottom(library, first), "the place saved")
        await settle(app)
        assert mark(app, first) == "•"  # opened and scrolled, not to the end
        await pilot.press("G")
        await wait_until(pilot, lambda: first in slugs_on_disk(library, "read"), "read at end")
        assert mark(app, first) == ""


async def test_after_seconds_marks_read_once_open_that_long(library: Library, config: Path) -> None:
    first, second = (p.slug for p in library.summaries()[:2])
    app = app_for(library, config, rule("after-seconds"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: first in slugs_on_disk(library, "read"), "read in time")
        assert mark(app, first) == "" and mark(app, second) == "•"


async def test_after_seconds_forgets_a_post_left_before_its_time(
    library: Library, config: Path
) -> None:
    first = library.summaries()[0].slug
    config.write_text('mark_read = "after-seconds"\nmark_read_seconds = 5\n', encoding="utf-8")
    loaded, _ = load_for_tui(library.state, config)
    # No state poll here, so the keys are handled at once: well within the five seconds,
    # even on a loaded machine (two seconds were not always enough there).
    app = ReaderApp(library, timings=Timings(state_poll=3600), config=loaded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        # Opened, then another only highlighted, then back to it: only highlighted now.
        await pilot.press("enter", "escape", "j", "k")
        passed: list[bool] = []
        app.set_timer(5.5, lambda: passed.append(True))  # past the rule's five seconds
        await wait_until(pilot, lambda: bool(passed), "five seconds and a half")
        await settle(app)
        assert mark(app, first) == "•"
    assert slugs_on_disk(library, "read") == set()


async def test_manual_marks_read_only_with_m(library: Library, config: Path) -> None:
    first = library.summaries()[0].slug
    polls = StatePolls()
    app = app_for(library, config, rule("manual"))
    async with app.run_test(size=SIZE, message_hook=polls) as pilot:
        await settle(app)
        await pilot.press("enter")  # opened...
        await settle(app)
        await pilot.press("G")  # ...and read to the end: saved as the place it was left
        await wait_until(pilot, lambda: at_bottom(library, first), "the end position saved")
        await settle(app)
        assert mark(app, first) == "•"
        await pilot.press("m")
        await settle(app)
        assert mark(app, first) == ""
    assert slugs_on_disk(library, "read") == {first}


# -- the theme -------------------------------------------------------------------------


async def test_a_theme_picked_is_remembered(library: Library, config: Path) -> None:
    app = app_for(library, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what the command palette's "Change theme" does
        await pilot.pause()
        await settle(app)
    assert settings_on_disk(library)["theme"] == "nord"
    again = app_for(Library.open(library.root), config)  # the next start, same data dir
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_the_configs_theme_wins_over_the_one_picked(library: Library, config: Path) -> None:
    library.state.update_settings({"theme": "nord"})  # picked last time
    app = app_for(library, config, 'theme = "gruvbox"\n')
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"
        app.theme = "dracula"
        await pilot.pause()
        assert "config.toml sets theme = 'gruvbox'" in notices(app)


# -- the reading width, the order and drafts at start -------------------------------------


async def test_the_text_is_capped_and_centred_in_a_wide_reader(
    library: Library, config: Path
) -> None:
    app = app_for(library, config, "reading_width = 40\n")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        view = reader.query_one(PostView)
        assert view.size.width <= 41 < reader.size.width - 20
        body = [line.rstrip() for line in lines_of(view) if line.strip()]
        assert body and max(len(line) for line in body) <= 41
        left = view.region.x - reader.content_region.x
        right = reader.content_region.right - view.region.right
        assert left > 10 and abs(left - right) <= 1  # centred


async def test_no_cap_fills_the_pane(library: Library, config: Path) -> None:
    app = app_for(library, config, "reading_width = 0\n")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        reader = app.screen.query_one(ReaderPane)
        assert reader.query_one(PostView).size.width == reader.content_region.width


async def test_the_configs_sort_is_the_order_at_start(library: Library, config: Path) -> None:
    library.state.update_settings({"sort": "imported"})  # chosen with `s` last time
    app = app_for(library, config, 'sort = "title"\n')
    titles = sorted(p.title for p in library.summaries())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.pause()
        post_list = app.screen.query_one(PostList)
        assert post_list.border_title == "Posts · by title"
        assert post_list.slugs[0] == next(
            p.slug for p in library.summaries() if p.title == titles[0]
        )


async def test_show_drafts_from_the_config(library: Library, config: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("---\ntitle: A Draft Of Mine\ndraft: true\n---\n\nNot yet.\n", "utf-8")
    library.import_paths([draft])
    for text, shown in (("", False), ("show_drafts = true\n", True)):
        app = app_for(library, config, text)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app)
            await pilot.pause()
            rows = " ".join(str(o.prompt) for o in app.screen.query_one(PostList).options)
            assert ("A Draft Of Mine" in rows) is shown


# -- a bad file, and the move out of state.json ------------------------------------------


async def test_a_bad_file_starts_on_defaults_and_says_where(library: Library, config: Path) -> None:
    app = app_for(library, config, 'reading_width = 60\n[keymap]\n"main.bookmrk" = "ctrl+b"\n')
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.pause()
        said = notices(app)
        assert (
            f"{config}:3: keymap.main.bookmrk: unknown binding id 'main.bookmrk' "
            "(did you mean 'main.bookmark'?), ignored"
        ) in said
        await pilot.press("b")  # the built-in key still works
        await settle(app)
        assert mark(app, library.summaries()[0].slug) == "•★"


async def test_a_keymap_in_state_json_moves_and_still_works(library: Library, config: Path) -> None:
    first = library.summaries()[0].slug
    library.state.update_settings({"keymap": {"main.bookmark": "ctrl+b"}})
    app = app_for(library, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.pause()
        assert f"moved keymap from state.json to {config}" in notices(app)
        await pilot.press("ctrl+b")
        await settle(app)
        assert mark(app, first) == "•★"
    assert "keymap" not in settings_on_disk(library)
    assert '"main.bookmark" = "ctrl+b"' in config.read_text(encoding="utf-8")

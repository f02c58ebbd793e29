"""The first screen of a big library (`first-screen.cache`): shown before every post is
read, used only when it matches `posts.json`, rebuilt when stale or damaged, and the
keys pressed before the rest is read work (or wait for it), never crash. And the list as
the user left it (`resume-screen.cache`): a start that resumes a tag, another order or a
post far down the list paints it before reading every post, and never uses a stale or
damaged one."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.first_screen import ROWS
from reader.library import Library
from reader.models import Post
from reader.resume_screen import RESUME_SCREEN_NAME
from reader.store import PostStore
from reader.tui import ReaderApp
from reader.tui.timings import Timings
from reader.tui.widgets.post_list import PostList
from reader.tui.widgets.reader_pane import ReaderPane
from reader.tui.widgets.tag_sidebar import TagSidebar
from tests.screen import list_rows, text_of

POSTS = ROWS + 60
"""More posts than the first screen keeps, so the rest is added after it."""
STEADY = Timings()
NEWEST = [f"Post {n:04d}" for n in reversed(range(POSTS)) if n % 5 != 4]
"""The titles as the list shows them: newest first, drafts left out."""


def post(n: int) -> Post:
    """Post `n`: newer as `n` grows, every fifth a draft, tags by remainder."""
    return Post(
        slug=f"p{n:04d}",
        title=f"Post {n:04d}",
        tags=("even",) if n % 2 == 0 else ("odd", "rare") if n % 7 == 0 else ("odd",),
        words=100 + n,
        source=f"/notes/p{n:04d}.md",
        date=f"2020-01-01T00:{n // 60:02d}:{n % 60:02d}",
        draft=n % 5 == 4,
        body=f"# Post {n:04d}\n\nThe text of post number {n}.\n",
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A data directory of `POSTS` posts, their first screen written with them."""
    root = tmp_path / "data"
    Library(root).posts.upsert([post(n) for n in range(POSTS)])
    return root


def first_file(root: Path) -> Path:
    return root / "library" / "first-screen.cache"


def test_a_lazy_open_reads_only_the_first_screen_and_it_matches_the_library(root: Path) -> None:
    lazy = Library.open(root, lazy=True)
    assert lazy.first_screen is not None
    assert len(lazy.posts) == POSTS
    eager = Library.open(root)
    newest = eager.summaries(order=eager.orders().default)
    assert lazy.first_screen.listed(False) == newest[:ROWS]
    assert lazy.tags() == eager.tags()
    lazy.show_drafts = eager.show_drafts = True
    assert lazy.tags() == eager.tags()
    assert lazy.default_order() == eager.orders().default
    # A post of the first screen reads without reading every post; any other one waits.
    assert lazy.get(newest[0].slug) == eager.get(newest[0].slug)
    assert lazy.first_screen is not None
    assert lazy.get("p0000") == eager.get("p0000")
    assert lazy.first_screen is None
    assert lazy.summaries() == eager.summaries()


def test_a_stale_first_screen_is_not_used_and_is_rebuilt(root: Path) -> None:
    old = first_file(root).read_bytes()
    Library(root).posts.upsert([post(POSTS)])  # a newer post: first in the list
    first_file(root).write_bytes(old)  # as if the process died before writing it
    lazy = Library.open(root, lazy=True)
    assert lazy.first_screen is None  # read from posts.json instead
    assert lazy.summaries()[-1].slug == f"p{POSTS:04d}"
    assert first_file(root).read_bytes() != old
    again = Library.open(root, lazy=True).first_screen
    assert again is not None
    assert again.rows[0].slug == f"p{POSTS:04d}"
    assert again.total == POSTS + 1


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "missing"])
def test_a_damaged_or_missing_first_screen_is_not_used_and_is_rebuilt(
    root: Path, damage: str
) -> None:
    path = first_file(root)
    good = path.read_bytes()
    if damage == "flip":
        raw = bytearray(good)
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(bytes(raw))
    elif damage == "truncate":
        path.write_bytes(good[: len(good) // 3])
    elif damage == "garbage":
        path.write_bytes(b"not a cache at all")
    else:
        path.unlink()
    lazy = Library.open(root, lazy=True)
    assert lazy.first_screen is None
    assert len(lazy.posts.summaries()) == POSTS
    assert path.read_bytes() == good
    assert Library.open(root, lazy=True).first_screen is not None


def test_the_posts_cache_rebuilt_alone_leaves_a_stale_first_screen_rebuilt_too(
    root: Path,
) -> None:
    # posts.cache valid but no first screen (a library made before it existed).
    first_file(root).unlink()
    store = PostStore(root / "library", lazy=True)
    assert store.first_screen is None and store.loaded
    assert first_file(root).exists()


# -- the TUI -----------------------------------------------------------------------


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Hold the worker's read of every post until the event is set (or the event loop
    itself asks for every post, which then reads them rather than wait forever)."""
    gate = threading.Event()
    original = PostStore.load
    main = threading.main_thread()

    def load(self: PostStore) -> None:
        if threading.current_thread() is main:
            gate.set()
        elif not self.loaded:
            assert gate.wait(30), "the test never let the posts load"
        original(self)

    monkeypatch.setattr(PostStore, "load", load)
    yield gate
    gate.set()


def open_lazily(root: Path) -> tuple[Library, ReaderApp]:
    """The library opened as the TUI opens it, and the app over it."""
    library = Library.open(root, lazy=True)
    return library, ReaderApp(library, timings=STEADY)


def titles(app: ReaderApp) -> list[str]:
    return [title for title, _ in list_rows(app.screen.query_one(PostList))]


def reader_title(app: ReaderApp) -> str:
    reader = app.screen.query_one(ReaderPane)
    return reader.post.title if reader.post is not None else ""


async def settle(app: ReaderApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def settle_held(app: ReaderApp, pilot: Pilot[None]) -> None:
    """Wait for every worker but the one held reading the posts."""
    await pilot.pause()
    others = [w for w in app.workers if w.group != "library-load"]
    if others:  # none: `wait_for_complete` would wait for every worker
        await app.workers.wait_for_complete(others)
    await pilot.pause()


async def test_the_first_screen_shows_before_every_post_is_read(
    root: Path, held: threading.Event
) -> None:
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not library.posts.loaded
        shown = POSTS - POSTS // 5
        assert titles(app)[:3] == NEWEST[:3]
        sidebar = text_of(app.screen.query_one(TagSidebar))
        assert f"All {shown}" in sidebar and f"Unread {shown}" in sidebar
        assert "even " in sidebar and "rare " in sidebar
        assert reader_title(app) == NEWEST[0]
        held.set()
        await settle(app, pilot)
        assert library.posts.loaded
        await pilot.press("end")
        await settle(app, pilot)
        assert titles(app)[-1] == "Post 0000"  # the rest of the list, after the first screen


async def test_keys_pressed_while_the_posts_load_work(root: Path, held: threading.Event) -> None:
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Moving, opening, marking, bookmarking, the sidebar: none waits for the load.
        await pilot.press("down", "j", "down", "k", "m", "b", "enter", "escape")
        await pilot.press("t", "down", "escape")
        await pilot.press("pagedown", "down")
        await pilot.pause()
        assert not library.posts.loaded
        listed = app.screen.query_one(PostList)
        at = listed.highlighted_slug
        assert at is not None
        await settle_held(app, pilot)
        assert not library.posts.loaded
        assert reader_title(app) == library.posts.summary(at).title  # type: ignore[union-attr]
        sidebar = text_of(app.screen.query_one(TagSidebar))
        assert "Bookmarks 1" in sidebar
        held.set()
        await settle(app, pilot)
        assert library.posts.loaded
        assert listed.highlighted_slug == at  # the rows added after it left the cursor
        unread = POSTS - POSTS // 5 - 1
        assert f"Unread {unread}" in text_of(app.screen.query_one(TagSidebar))
        await pilot.press("end")
        await settle(app, pilot)
        assert titles(app)[-1] == "Post 0000"


async def test_keys_that_need_every_post_wait_for_them(root: Path, held: threading.Event) -> None:
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not library.posts.loaded
        # `s` sorts every post (by oldest), a search reads them all: both wait for the load.
        await pilot.press("s", "down", "slash", *"post", "escape", "escape")
        await settle(app, pilot)
        assert library.posts.loaded
        await pilot.press("home")
        await settle(app, pilot)
        assert titles(app)[0] == "Post 0000"
        assert "oldest first" in text_of(app.screen.query_one(PostList))


async def test_a_search_typed_before_the_index_is_open_says_so_and_then_finds(
    root: Path, held: threading.Event
) -> None:
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"number")
        # The search waits for the posts and the index, which are held: the list says so.
        for _ in range(200):
            await pilot.pause()
            if "indexing…" in text_of(app.screen.query_one(PostList)):
                break
        assert not library.search_index_loaded
        assert "indexing…" in text_of(app.screen.query_one(PostList))
        await pilot.press("down")  # keys still work meanwhile
        held.set()
        await settle(app, pilot)
        listed = text_of(app.screen.query_one(PostList))
        assert "indexing…" not in listed
        assert "Results" in listed and "Post " in listed


# -- resuming another list -----------------------------------------------------------

OLDEST = "Post 0000"
"""The last row of the default list, past the first screen's rows."""
RARE = [f"Post {n:04d}" for n in reversed(range(POSTS)) if n % 7 == 0 and n % 2 and n % 5 != 4]
"""The titles under the tag `rare`, newest first."""


async def quit_after(root: Path, keys: Iterable[str], gate: threading.Event) -> str:
    """Run the app on the whole library, press `keys`, quit as `q` does; the post shown."""
    gate.set()  # this run reads every post
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*keys)
        await settle(app, pilot)
        shown = reader_title(app)
        await app.action_quit()
    library.state.flush()
    gate.clear()  # the next run's load waits for the test
    return shown


async def test_a_post_past_the_first_screen_is_resumed_before_every_post_is_read(
    root: Path, held: threading.Event
) -> None:
    assert await quit_after(root, ["end"], held) == OLDEST
    assert (root / "library" / RESUME_SCREEN_NAME).exists()
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not library.posts.loaded  # painted from the kept rows
        assert reader_title(app) == OLDEST
        assert app.screen.query_one(PostList).highlighted_slug == "p0000"
        assert titles(app)[-1] == OLDEST  # the list scrolled to its end
        held.set()
        await settle(app, pilot)
        await pilot.press("home")
        await settle(app, pilot)
        assert titles(app)[0] == NEWEST[0]


async def test_a_tag_is_resumed_before_every_post_is_read(
    root: Path, held: threading.Event
) -> None:
    Library(root).state.set_setting("last_filter", "tag:rare")
    await quit_after(root, [], held)
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not library.posts.loaded
        assert titles(app) == RARE
        assert reader_title(app) == RARE[0]
        held.set()
        await settle(app, pilot)
        assert titles(app) == RARE
        assert "rare" in text_of(app.screen.query_one(TagSidebar))


async def test_another_order_is_resumed_before_every_post_is_read(
    root: Path, held: threading.Event
) -> None:
    await quit_after(root, ["s"], held)  # oldest first
    library, app = open_lazily(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not library.posts.loaded
        assert "oldest first" in text_of(app.screen.query_one(PostList))
        assert titles(app)[:3] == NEWEST[::-1][:3]
        held.set()
        await settle(app, pilot)


@pytest.mark.parametrize("change", ["new post", "damaged"])
async def test_a_stale_or_damaged_resume_screen_is_not_used(
    root: Path, held: threading.Event, change: str
) -> None:
    await quit_after(root, ["s"], held)
    path = root / "library" / RESUME_SCREEN_NAME
    if change == "new post":
        Library(root).posts.upsert([post(POSTS)])  # the oldest-first list has it last
    else:
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(bytes(raw))
    library, app = open_lazily(root)
    assert library.resume_screen is None
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert library.posts.loaded  # read before the first frame, as without it
        assert "oldest first" in text_of(app.screen.query_one(PostList))
        await pilot.press("end")
        await settle(app, pilot)
        last = f"Post {POSTS:04d}" if change == "new post" else NEWEST[0]
        assert titles(app)[-1] == last

"""Links between posts: which post and section a link points at, and following one in the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.library import Library
from reader.links import LinkResolver
from reader.models import PostSummary, Section
from reader.tui import ReaderApp
from reader.tui.screens.main import MainScreen
from reader.tui.screens.open_link import OpenLinkScreen
from reader.tui.widgets.post_view import PostView
from tests.screen import notices, reverse_runs, text_of
from tests.test_keys import STEADY, WIDE, reader_shows, settle, top_line

MARKUP = Path(__file__).parent / "data" / "markup"

GARDEN = PostSummary(
    "garden", "Garden Index", source="/lib/vault/Garden Index.md", aliases=("Garden Home",)
)
SOIL = PostSummary(
    "soil",
    "Soil Notes",
    source="/lib/vault/sub/Soil Notes.md",
    sections=(Section("Loam", "loam"), Section("Compost Heaps", "compost-heaps")),
)
X = PostSummary(
    "x", "X Doc", source="/site/content/docs/x.md", sections=(Section("The Part", "the-part"),)
)
Y = PostSummary("y", "Y", source="/site/content/docs/y/index.md")
DOCS = PostSummary("docs", "Docs", source="/site/content/docs/_index.md")
BLOG = PostSummary("blog", "A Blog Post", source="/site/content/blog/post.md")
Y_DE = PostSummary("y-de", "Y auf Deutsch", source="/site/content/docs/y/index.de.md")
BLOG_DE = PostSummary("blog-de", "Ein Beitrag", source="/site/content/blog/post.de.md")
HOME = PostSummary("home", "Home", source="/site/content/_index.md")
DIGEST = PostSummary("d2", "Digest Two", source="/lib/digest.txt#2")
BUNDLED = PostSummary("b", "Bundled", source="bundled:lanterns.md")
# The German page comes first, as `index.de.md` sorts before `index.md`.
RESOLVER = LinkResolver([GARDEN, SOIL, X, Y_DE, Y, DOCS, BLOG, BLOG_DE, HOME, DIGEST, BUNDLED])


@pytest.mark.parametrize(
    ("target", "current", "expected"),
    [
        ("Soil Notes", GARDEN, ("soil", "")),
        ("soil notes", GARDEN, ("soil", "")),
        ("Garden Home", SOIL, ("garden", "")),
        ("Soil Notes#compost heaps", GARDEN, ("soil", "compost-heaps")),
        ("Soil Notes#Nowhere", GARDEN, ("soil", "")),
        ("#Loam", SOIL, ("soil", "loam")),
        ("sub/Soil Notes", GARDEN, ("soil", "")),
        ("Soil Notes.md", GARDEN, ("soil", "")),
        ("post", X, ("blog", "")),
        ("lanterns", X, ("b", "")),
        ("Nowhere Note", GARDEN, None),
    ],
)
def test_wikilinks_by_title_alias_or_file_name(
    target: str, current: PostSummary, expected: tuple[str, str] | None
) -> None:
    assert RESOLVER.resolve(target, current, wiki=True) == expected


@pytest.mark.parametrize(
    ("target", "current", "expected"),
    [
        ("../docs/x.md#the-part", BLOG, ("x", "the-part")),
        ("../docs/x.md#The Part", BLOG, ("x", "the-part")),
        ("./y/", X, ("y", "")),
        ("y/index.md", X, ("y", "")),
        ("../../docs/y/", BLOG, ("y", "")),  # from the page's address, /blog/post/
        ("../docs/y/", BLOG_DE, ("y-de", "")),  # in the linking page's language
        ("/docs/y/", BLOG_DE, ("y-de", "")),
        ("/docs/y/", X, ("y", "")),
        ("../Garden%20Index.md", SOIL, ("garden", "")),
        ("#the-part", X, ("x", "the-part")),
        ("/docs/x/", BLOG, ("x", "")),
        ("/docs/x/#the-part", BLOG, ("x", "the-part")),
        ("/docs/y", BLOG, ("y", "")),
        ("/docs/", BLOG, ("docs", "")),
        ("@/docs/x.md", BLOG, ("x", "")),
        ("@/docs/_index.md", BLOG, ("docs", "")),
        ("/", BLOG, ("home", "")),
        ("@/_index.md", BLOG, ("home", "")),
        ("docs/x#the-part", BLOG, ("x", "the-part")),  # a Hugo `ref`
        ("https://example.com/docs/x/", BLOG, None),
        ("mailto:me@example.com", BLOG, None),
        ("//example.com/docs/x/", BLOG, None),
        ("/nowhere/", BLOG, None),
        ("../missing.md", BLOG, None),
    ],
)
def test_relative_links_and_site_paths(
    target: str, current: PostSummary, expected: tuple[str, str] | None
) -> None:
    assert RESOLVER.resolve(target, current) == expected


def test_the_library_builds_its_resolver_once_per_change(
    isolated_data_dir: Path, tmp_path: Path
) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "obsidian"])
    first = library.links()
    assert library.links() is first
    garden = next(p for p in library.summaries() if p.title == "Garden Index")
    assert first.resolve("Installation", garden, wiki=True) is None
    library.import_paths([MARKUP / "hugo"])
    assert library.links() is not first
    assert library.links().resolve("Installation", garden, wiki=True) == ("installation", "")


def make_app(library: Library) -> ReaderApp:
    return ReaderApp(library, timings=STEADY)


async def open_first(app: ReaderApp, pilot: Pilot[None], title: str, downs: int = 0) -> None:
    await settle(app, pilot)
    await pilot.press(*["down"] * downs, "enter")
    await settle(app, pilot)
    assert reader_shows(app, title)


async def focus_link(app: ReaderApp, pilot: Pilot[None], count: int) -> str:
    """Press `l` `count` times; the focused link's text as drawn (without its target)."""
    await pilot.press(*["l"] * count)
    await pilot.pause()
    runs = reverse_runs(app.screen.query_one(PostView))
    return " ".join(runs).split(" <")[0]


def shown_at(app: ReaderApp, title: str, section: str) -> bool:
    """The reader shows the post `title`, opened at `section` (named in the pane's border)."""
    text = text_of(app.screen.query_one(PostView))
    return reader_shows(app, section or title) and (title in text or section == top_line(app))


async def test_enter_on_a_wikilink_opens_the_other_note_at_its_heading(
    isolated_data_dir: Path,
) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "obsidian"])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await open_first(app, pilot, "Garden Index")
        assert await focus_link(app, pilot, 3) == "Soil Notes > Compost Heaps"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)  # no browser dialog
        assert shown_at(app, "Soil Notes", "Compost Heaps")
        # And back: the other note links to this one.
        assert await focus_link(app, pilot, 1) == "index"
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown_at(app, "Garden Index", "")


async def test_a_link_to_a_post_not_in_the_library_says_so(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "obsidian"])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await open_first(app, pilot, "Garden Index")
        assert await focus_link(app, pilot, 5) == "Nowhere Note"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert reader_shows(app, "Garden Index")
        assert "Not a post in the library: Nowhere Note" in notices(app)


async def test_enter_on_a_relative_link_opens_the_other_post(
    isolated_data_dir: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(MARKUP / "hugo", site)
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([site])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        titles = [p.title for p in library.summaries()]
        await open_first(app, pilot, "Hugo Shortcodes", titles.index("Hugo Shortcodes"))
        assert await focus_link(app, pilot, 2) == "install page"
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown_at(app, "Installation", "")
        # And back by the site path, which names the section.
        await pilot.press("escape")
        await settle(app, pilot)
        await open_first(app, pilot, "Hugo Shortcodes", 0)
        assert await focus_link(app, pilot, 3) == "site path"
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown_at(app, "Installation", "Requirements")


async def test_a_web_link_still_asks_before_the_browser(isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "jekyll"])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await open_first(app, pilot, "Liquid and HTML")
        assert await focus_link(app, pilot, 3) == "Lantern video"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OpenLinkScreen)


async def test_a_link_followed_from_a_search_opens_at_its_section(
    isolated_data_dir: Path,
) -> None:
    library = Library.open(isolated_data_dir, seed=False)
    library.import_paths([MARKUP / "hugo"])
    app = make_app(library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"percent", "enter")
        await settle(app, pilot)
        assert reader_shows(app, "Hugo Shortcodes")
        assert await focus_link(app, pilot, 3) == "site path"
        await pilot.press("enter")
        await settle(app, pilot)
        assert shown_at(app, "Installation", "Requirements")

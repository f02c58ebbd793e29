"""Pilot tests of the reader pane: rendering, sections, outline, find, links, positions."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from reader.models import Post, ReadingPosition
from reader.parsing import parse_markdown
from reader.tui.screens.open_link import OpenLinkScreen
from reader.tui.screens.outline import OutlineScreen
from reader.tui.widgets.reader_pane import ReaderPane
from tests.screen import find_counter

SIZES = [(40, 12), (80, 24), (200, 50)]

DOC = (
    """\
# A Post About Things

Intro with *emph*, **strong**, ~~gone~~, `code` and a Café. Literal [bold]markup[/bold],
[@click=app.quit]click[/] and [red] stay text. A [web link](https://example.com/page).

## First Section

- bullet one
- bullet two
  1. nested one
  2. nested two

> A quote about the cafe.

```python
def greet():
    return "hi"
```

    indented code

| Name | Qty |
|:-----|----:|
| pears | 12 |

---

## Second Section

![a picture](https://example.com/pic.png) and [mail me](mailto:me@example.com),
[ftp](ftp://example.com/f) [bad](javascript:alert(1)) [file](file:///etc/passwd).

### Deeper Heading

"""
    + "\n\n".join(f"Filler paragraph {n} about CAFÉ culture and more." for n in range(40))
    + """

## Third Section

The end.
"""
)


def make_post(text: str = DOC, slug: str = "post") -> Post:
    parsed = parse_markdown(text)
    return Post(
        slug=slug,
        title=parsed.title,
        tags=("alpha", "beta"),
        sections=parsed.sections,
        words=parsed.words,
        body=parsed.body,
    )


class PaneApp(App[None]):
    """Just a reader pane, recording what it reports."""

    def __init__(self) -> None:
        super().__init__()
        self.positions: list[ReaderPane.PositionChanged] = []
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield ReaderPane(id="reader")

    def on_reader_pane_position_changed(self, event: ReaderPane.PositionChanged) -> None:
        self.positions.append(event)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)


def all_lines(pane: ReaderPane) -> list[str]:
    view = pane.view
    return [view.line_text(y) for y in range(view.line_count)]


async def open_pane(pilot_app: PaneApp, post: Post | None = None, **kwargs: object) -> ReaderPane:
    pane = pilot_app.query_one(ReaderPane)
    pane.show_post(post or make_post(), **kwargs)  # type: ignore[arg-type]
    pane.focus()
    await pilot_app.workers.wait_for_complete()
    return pane


@pytest.mark.parametrize("size", SIZES)
async def test_every_element_is_shown_within_the_width(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app)
        await pilot.pause()
        lines = all_lines(pane)
        text = " ".join(" ".join(lines).split())
        width = pane.view.wrap_width
        assert all(cell_len(line) <= width for line in lines)
        assert lines[0].startswith("A Post About")
        assert "#alpha" in text and "#beta" in text
        for expected in (
            "emph",
            "strong",
            "gone",
            "code",
            "bullet one",
            "nested two",
            "A quote about",
            'return "hi"',
            "indented code",
            "pears",
            "12",
            "Second Section",
            "[image: a picture]",
            "Deeper Heading",
            "The end.",
        ):
            assert expected in text, expected
        assert "•" in text and "1." in text and "▌" in text
        assert any(set(line) == {"─"} for line in lines)  # the horizontal rule
        assert "┌" in text and "┘" in text  # the table
        assert "<https://example.com/page>" in text.replace(" ", "")


async def test_markup_in_a_post_is_shown_literally() -> None:
    app = PaneApp()
    async with app.run_test(size=(200, 50)) as pilot:
        pane = await open_pane(app)
        await pilot.pause()
        text = " ".join(all_lines(pane))
        assert "[bold]markup[/bold]" in text
        assert "[@click=app.quit]click[/]" in text
        assert "[red]" in text
        # The rendered screen shows the brackets too, and the app is still running.
        rendered = "".join(pane.view.render_line(y).text for y in range(10))
        assert "[@click=app.quit]" in rendered
        assert app.is_running


async def test_heading_levels_and_inline_styles_differ() -> None:
    app = PaneApp()
    text = "# T\n\n## Two\n\n### Three\n\n#### Four\n\n*em* **st** ~~del~~ `co`\n"
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, make_post(text))
        await pilot.pause()
        view = pane.view

        def style_of(word: str) -> object:
            for y in range(view.line_count):
                for segment in view.line_strip(y):
                    if segment.text.strip() == word:
                        return segment.style
            raise AssertionError(word)

        heading_styles = {str(style_of(word)) for word in ("Two", "Three", "Four")}
        assert len(heading_styles) == 3
        em, st, de = style_of("em"), style_of("st"), style_of("del")
        assert em.italic and st.bold and de.strike  # type: ignore[attr-defined]
        assert style_of("co") != style_of("em")


@pytest.mark.parametrize("size", SIZES)
async def test_brackets_jump_between_sections(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app)
        await pilot.pause()
        assert pane.section_title == ""
        await pilot.press("right_square_bracket")
        assert pane.section_title == "First Section"
        await pilot.press("right_square_bracket")
        assert pane.section_title == "Second Section"
        await pilot.press("right_square_bracket")
        assert pane.section_title == "Deeper Heading"
        await pilot.press("left_square_bracket")
        assert pane.section_title == "Second Section"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert pane.section_title == ""
        assert pane.view.scroll_y == 0


async def test_outline_lists_sections_and_scrolls_to_the_choice() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutlineScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 4
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, OutlineScreen)
        assert pane.section_title == "Third Section"
        assert pane.current_anchor == "third-section"


async def test_outline_closes_with_escape_without_moving() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("down", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, OutlineScreen)
        assert pane.view.scroll_y == 0


@pytest.mark.parametrize("size", SIZES)
async def test_find_counts_and_steps_through_hits(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app)
        await pilot.press("f")
        await pilot.pause()
        assert pane.find_bar.is_open
        await pilot.press(*"cafe")  # matches Café, cafe and CAFÉ
        await pilot.pause()
        total = len(pane.view.find_hits)
        assert total == 42
        assert find_counter(pane.find_bar) == f"1/{total}"
        await pilot.press("enter")  # back to the text, hits kept
        assert app.focused is pane
        await pilot.press("n", "n")
        assert find_counter(pane.find_bar) == f"3/{total}"
        y = pane.view.line_of(*pane.view.find_hits[2][:2])
        assert pane.view.scroll_y <= y < pane.view.scroll_y + pane.view.size.height
        await pilot.press("N", "N", "N")
        assert find_counter(pane.find_bar) == f"{total}/{total}"  # wraps around
        await pilot.press("escape")
        await pilot.pause()
        assert not pane.find_bar.is_open
        assert pane.view.find_hits == []
        assert find_counter(pane.find_bar) == ""


async def test_find_with_no_match_shows_zero() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        await pilot.press("f", *"zzzz")
        await pilot.pause()
        assert find_counter(pane.find_bar) == "0/0"
        await pilot.press("escape")
        await pilot.pause()
        assert not pane.find_bar.is_open


async def test_http_link_opens_after_confirmation() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        await pilot.press("l")
        assert pane.view.focused_link == 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OpenLinkScreen)
        assert app.opened == []
        await pilot.press("enter")  # the focused "Open in browser" button
        await pilot.pause()
        assert app.opened == ["https://example.com/page"]


async def test_cancelling_the_dialog_opens_nothing() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app)
        await pilot.press("l", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, OpenLinkScreen)
        assert app.opened == []


async def test_other_schemes_are_shown_but_never_opened() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        document = pane.document
        assert document is not None
        urls = [link.url for link in document.links]
        # javascript: and file: never become links; their text is shown as written.
        assert not any(u.startswith(("javascript:", "file:")) for u in urls)
        text = " ".join(all_lines(pane))
        assert "[bad](javascript:alert(1))" in text and "file:///etc/passwd" in text
        for index, url in enumerate(urls):
            if url.startswith("http"):
                continue
            pane.view.set_focused_link(index)
            pane.refresh_bindings()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, OpenLinkScreen)
            assert not app.screen.can_open
            assert not app.screen.query("#link-open")
            await pilot.press("enter")  # the only button: Close
            await pilot.pause()
            assert not isinstance(app.screen, OpenLinkScreen)
        assert app.opened == []


async def test_clicking_a_link_asks_first() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        pane = await open_pane(app)
        await pilot.pause()
        view = pane.view
        for y in range(view.size.height):
            text = view.render_line(y).text
            if "web link" in text:
                x = text.index("web link") + 2
                break
        else:
            raise AssertionError("link not on screen")
        await pilot.click(view, offset=(x, y))
        await pilot.pause()
        assert isinstance(app.screen, OpenLinkScreen)
        assert app.screen.url == "https://example.com/page"
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == ["https://example.com/page"]


async def test_only_http_links_become_terminal_hyperlinks() -> None:
    app = PaneApp()
    async with app.run_test(size=(200, 50)) as pilot:
        pane = await open_pane(app)
        await pilot.pause()
        view = pane.view
        links = {
            segment.style.link
            for y in range(view.line_count)
            for segment in view.line_strip(y)
            if segment.style is not None and segment.style.link
        }
        assert links == {"https://example.com/page", "https://example.com/pic.png"}


@pytest.mark.parametrize("size", SIZES)
async def test_position_is_restored_and_reported(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        post = make_post()
        pane = await open_pane(app, post)
        await pilot.press("right_square_bracket", "right_square_bracket", "j")
        pane.flush_position()
        await pilot.pause()
        assert app.positions, "no PositionChanged"
        saved = app.positions[-1].position
        assert saved.slug == post.slug and saved.anchor == "second-section"
        assert saved.offset == round(pane.view.scroll_y)
        # Another post, then back with the saved position: same place.
        pane.show_post(make_post("# Other\n\nshort\n", slug="other"))
        await pilot.pause()
        pane.show_post(post, saved)
        await pilot.pause()
        assert round(pane.view.scroll_y) == saved.offset
        assert pane.current_anchor == "second-section"


async def test_switching_posts_reports_the_pending_position() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        post = make_post()
        pane = await open_pane(app, post)
        await pilot.press("right_square_bracket")
        pane.show_post(make_post("# Other\n\nshort\n", slug="other"))
        await pilot.pause()
        assert [e.position.anchor for e in app.positions] == ["first-section"]


async def test_position_from_another_width_falls_back_to_the_section() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        post = make_post()
        pane = await open_pane(app, post, position=ReadingPosition(post.slug, "third-section", 3))
        await pilot.pause()
        assert pane.current_anchor == "third-section"
        heading = pane.view.section_lines()[3]
        assert round(pane.view.scroll_y) == min(heading, pane.view.max_scroll_y)
        # Restoring is not a move: nothing is reported.
        pane.flush_position()
        assert app.positions == []


async def test_highlight_marks_words_and_scrolls_to_the_first() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, highlight=("DEEPER",))
        await pilot.pause()
        hits = pane.view.highlight_hits
        assert len(hits) == 1
        y = pane.view.line_of(hits[0].unit, hits[0].start)
        assert pane.view.scroll_y <= y < pane.view.scroll_y + pane.view.size.height
        styles = {
            str(segment.style) for segment in pane.view.line_strip(y) if "Deeper" in segment.text
        }
        plain = {str(segment.style) for segment in pane.view.line_strip(0)}
        assert styles and not styles <= plain


async def test_resize_rewraps_and_keeps_the_place() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        pane = await open_pane(app)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        wide_lines = pane.view.line_count
        await pilot.resize_terminal(50, 30)
        await pilot.pause()
        assert pane.view.line_count > wide_lines
        assert pane.section_title == "Deeper Heading"
        assert all(cell_len(line) <= pane.view.wrap_width for line in all_lines(pane))


async def test_a_huge_post_shows_at_once_and_finishes_in_the_background() -> None:
    paragraphs = "\n\n".join(f"Paragraph {n} " + "with words " * 30 for n in range(1_000))
    text = f"# Huge\n\n## Start\n\n{paragraphs}\n\n## Finale\n\nLast words.\n"
    post = make_post(text, slug="huge")
    assert len(post.body) > 300_000
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ReaderPane)
        pane.show_post(post, ReadingPosition("huge", "finale", 0))
        assert pane.is_loading  # first screen only
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not pane.is_loading
        assert pane.current_anchor == "finale"
        assert "Last words." in " ".join(all_lines(pane)[-5:])


async def test_none_clears_the_pane() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        pane.show_post(None)
        await pilot.pause()
        assert pane.post is None
        assert pane.view.line_count == 0
        await pilot.press("o", "f", "right_square_bracket")
        assert not isinstance(app.screen, OutlineScreen)


async def test_scroll_keys_move_the_view() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        view = pane.view
        await pilot.press("j", "j", "down")
        assert view.scroll_y == 3
        await pilot.press("k", "up")
        assert view.scroll_y == 1
        await pilot.press("pagedown")
        assert view.scroll_y > 10
        await pilot.press("pageup")
        assert view.scroll_y == 1
        await pilot.press("space")
        assert view.scroll_y > 10
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y
        await pilot.pause()
        assert pane.progress == 100
        await pilot.press("home")
        assert view.scroll_y == 0


async def test_section_and_percent_show_in_the_border() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        pane._show_titles()
        assert pane.border_title == "Second Section"
        assert pane.border_subtitle == f"{pane.progress}%"
        assert 0 < pane.progress < 100


async def test_fenced_code_is_highlighted_after_the_first_paint() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, make_post("# T\n\n```python\ndef f():\n    return 1\n```\n"))
        await pilot.pause()
        await pilot.pause()
        document = pane.document
        assert document is not None
        code = next(unit for unit in document.units if unit.code)
        assert code.highlighted
        assert any(code.text[s.start : s.end] == "def" for s in code.highlighted)


async def test_control_characters_never_reach_the_screen() -> None:
    app = PaneApp()
    post = Post(slug="ctl", title="Bad\x1b]0;pwned\x07 title", body="text \x1b[31mred\x9b here\n")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, post)
        await pilot.pause()
        for y in range(pane.view.line_count):
            for segment in pane.view.line_strip(y):
                assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in segment.text)

"""What the reader pane draws for footnotes, tasks, definitions, math, inline HTML,
wikilinks and callouts: lines and styles as on screen, at three sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from reader.importer import Candidate, read_documents
from reader.models import Post
from reader.tui.document import S_CALLOUT_TITLE, S_CODE_INLINE, S_DEF_TERM, S_FOOTNOTE
from reader.tui.widgets.reader_pane import ReaderPane
from tests.screen import styled_runs
from tests.test_reader_pane import SIZES, PaneApp, all_lines, make_post, open_pane

MARKUP = Path(__file__).parent / "data" / "markup"


def imported(*parts: str) -> Post:
    """The post a fixture file becomes on import (its markup already made Markdown)."""
    (item,) = read_documents([MARKUP.joinpath(*parts)], None)
    assert isinstance(item, Candidate), item
    parsed = item.parsed
    return Post(
        slug="fixture",
        title=parsed.title,
        sections=parsed.sections,
        words=parsed.words,
        body=parsed.body,
        source=item.source,
    )


def flat(pane: ReaderPane) -> str:
    return " ".join(" ".join(all_lines(pane)).split())


def drawn_in(pane: ReaderPane, component: str) -> list[str]:
    """Text drawn in the colour and text style of a component class of the view."""
    wanted = pane.view.get_visual_style(component).rich_style

    def same(style: Style) -> bool:
        return (
            style.color == wanted.color
            and bool(style.bold) == bool(wanted.bold)
            and (wanted.bgcolor is None or style.bgcolor == wanted.bgcolor)
        )

    return styled_runs(pane.view, same)


@pytest.mark.parametrize("size", SIZES)
async def test_footnotes_tasks_definitions_and_math(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app, imported("extras.md"))
        await pilot.pause()
        lines = all_lines(pane)
        text = flat(pane)
        assert "A claim with a footnote[1] and math $E = mc^2$ inline." in text
        assert "[^1]" not in text
        assert any(line.strip().startswith("[1] The footnote's") for line in lines)
        assert lines.index(next(ln for ln in lines if "[1] The" in ln)) > lines.index(
            next(ln for ln in lines if "Mulch" in ln)
        )  # the footnotes come at the end
        assert "☐ Buy seeds" in text and "☑ Dig the bed" in text and "[ ]" not in text
        mulch = next(n for n, ln in enumerate(lines) if ln.strip() == "Mulch")
        assert lines[mulch + 1].startswith("    A layer of")
        assert "$$" in text and "a^2 + b^2 = c^2" in text
        if size[1] >= 24:
            assert "Mulch" in drawn_in(pane, S_DEF_TERM)
            assert "$E = mc^2$" in drawn_in(pane, S_CODE_INLINE)
            assert "[1]" in drawn_in(pane, S_FOOTNOTE)


async def test_inline_html_shows_its_text_not_its_tags() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, imported("jekyll", "_posts", "2024-01-02-liquid-and-html.md"))
        await pilot.pause()
        lines = all_lines(pane)
        text = flat(pane)
        assert "Press Ctrl+C, see HTML," in text
        assert any(line.strip() == "then stop." for line in lines)  # <br> breaks the line
        assert "<kbd>" not in text and "<abbr" not in text and "<br>" not in text
        # Inline media leave a line to what they show.
        assert "A demo: [video: The demo] <https://example.com/demo.mp4> and" in text
        assert "an icon [image: gear] <icon.png>." in text
        document = pane.document
        assert document is not None
        assert "https://example.com/demo.mp4" in [link.url for link in document.links]


async def test_a_nested_html_block_shows_its_text() -> None:
    app = PaneApp()
    body = "- item\n\n  <div class='x'>\n  <b>Bold</b> words &amp; [red]more[/red]&#27;\n  </div>\n"
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, make_post(f"# T\n\n{body}"))
        await pilot.pause()
        text = flat(pane)
        assert "Bold words & [red]more[/red]" in text and "<" not in text  # text, not markup
        assert "\x1b" not in "".join(unit.text for unit in pane.document.units)  # type: ignore[union-attr]


@pytest.mark.parametrize("size", SIZES)
async def test_wikilinks_and_embeds_render_as_links(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app, imported("obsidian", "Garden Index.md"))
        await pilot.pause()
        text = flat(pane)
        assert "[[" not in text.split("%% comments in code")[0]
        assert "Start with Soil Notes, or read the soil page and jump to" in text
        assert "Soil Notes > Compost Heaps" in text and "The logo: garden-logo.png." in text
        document = pane.document
        assert document is not None
        wiki = [(link.url, link.wiki) for link in document.links]
        assert wiki[:5] == [
            ("Soil Notes", True),
            ("Soil Notes", True),
            ("Soil Notes#Compost Heaps", True),
            ("garden-logo.png", True),
            ("Nowhere Note", True),
        ]
        assert "[[Not A Link]]" in text  # in code: as written, not a link
        assert len(document.links) == 5


@pytest.mark.parametrize("size", SIZES)
async def test_callouts_and_alerts_are_titled_boxes(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        pane = await open_pane(app, imported("obsidian", "Garden Index.md"))
        await pilot.pause()
        lines = [line.strip() for line in all_lines(pane)]
        text = flat(pane)
        for title, body in [
            ("┃ Tip: Water early", "┃ Plants drink best"),
            ("┃ Warning", "┃ Slugs eat"),
            ("┃ Note: Folded away", "┃ This body is"),
            ("┃ Note", "┃ A GitHub alert."),
        ]:
            at = lines.index(title)
            assert lines[at + 1].startswith(body), (title, lines[at : at + 3])
        assert "┃ Hint: SRD means starter" in lines  # a title keeps its inline markup
        assert "[!" not in text
        pane.view.scroll_to_line(lines.index("┃ Tip: Water early"))
        await pilot.pause()
        assert "Tip: Water early" in drawn_in(pane, S_CALLOUT_TITLE)


async def test_box_shortcodes_are_drawn_as_boxes() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, imported("hugo", "content", "posts", "shortcodes", "index.md"))
        await pilot.pause()
        lines = [line.strip() for line in all_lines(pane)]
        at = lines.index("┃ Note")
        assert lines[at + 1] == "┃ Alerts keep their text."
        assert "┃ Percent shortcodes keep theirs." in lines

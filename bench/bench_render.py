"""Benchmark: switching posts in the reader pane, ours against Textual's `Markdown` widget.

Measures, in one run and one headless app each (`App.run_test`):

* post switch, from `show_post` (ours) / `Markdown.update` (baseline) to the
  screen painted, for ~3 KB, ~30 KB and ~300 KB posts. Ours is measured cold
  (document cache cleared: parse + lay out) and warm (post seen before). For a
  long post ours paints the first screen at once and parses the rest between
  frames, so "complete" (whole post parsed, laid out and painted) is shown too;
* one page down in the 300 KB post, to painted.

"Painted" is the moment the screen's compositor has rendered the update. The
screen's frame timer is set to 1000 fps (TEXTUAL_FPS) for both sides so the
figures measure work, not the 60 fps frame pacing (which adds up to 17 ms to
any UI). Posts are generated from the bundled posts plus code blocks, nested
lists, quotes and tables. Run: `python bench/bench_render.py [--quick]`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TEXTUAL_FPS", "1000")

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from reader.models import Post
from reader.parsing import parse_markdown
from reader.tui.widgets.reader_pane import ReaderPane

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)

EXTRA = """
### Notes on the {n}th attempt

Some `inline code`, **strong words**, *emphasis*, ~~struck~~ text and a
[link to the docs](https://example.com/docs/{n}) in one paragraph.

```python
def handler_{n}(event, retries=3):
    \"\"\"Retry the event a few times.\"\"\"
    for attempt in range(retries):
        if process(event):  # success
            return attempt
    raise RuntimeError("gave up")
```

- First point with a little text
- Second point
  1. nested step one
  2. nested step two
- Third point

> A quote that makes a point about **caching**
> and spans two lines.

| Setting | Value | Notes |
|:--------|------:|-------|
| workers | {n} | one per core |
| timeout | 30 | seconds, before a retry |

---
"""


def make_post(size: int, variant: int) -> Post:
    """A post of about `size` characters built from the bundled posts and extras."""
    bodies = [
        parse_markdown(path.read_text(encoding="utf-8")).body
        for path in sorted((ROOT / "content").glob("*.md"))
    ]
    parts: list[str] = []
    total = 0
    n = variant
    while total < size:
        # Mostly prose, like the bundled posts; every third part brings the other elements.
        part = bodies[n % len(bodies)] + (EXTRA.format(n=n) if n % 3 == 0 else "")
        parts.append(part)
        total += len(part) + 1
        n += 1
    body = "\n".join(parts)[:size]
    body = body[: body.rfind("\n\n")] + "\n"
    parsed = parse_markdown(f"# Post {variant} of {size // 1000} KB\n\n{body}")
    return Post(
        slug=f"bench-{size}-{variant}",
        title=parsed.title,
        tags=("bench", f"{size // 1000}kb"),
        sections=parsed.sections,
        words=parsed.words,
        body=parsed.body,
    )


class PaintClock:
    """Records when the screen's compositor paints."""

    def __init__(self, screen: Screen[object]) -> None:
        self.times: list[float] = []
        self.screen = screen
        original = screen._compositor_refresh

        def wrapped() -> None:
            original()
            self.times.append(time.perf_counter())

        screen._compositor_refresh = wrapped  # type: ignore[method-assign]

    def busy(self) -> bool:
        screen = self.screen
        return bool(
            screen._layout_required
            or screen._dirty_widgets
            or screen._repaint_required
            or screen._scroll_required
        )

    async def painted_after(
        self, start: float, done: Callable[[], bool] = lambda: True, timeout: float = 30
    ) -> float:
        """Seconds from `start` to the first paint after which nothing is pending."""
        limit = time.perf_counter() + timeout
        while time.perf_counter() < limit:
            await asyncio.sleep(0)
            if self.times and self.times[-1] >= start and done() and not self.busy():
                return self.times[-1] - start
        raise TimeoutError("no paint")


# Both sides get the frame the main screen gives the reader pane.
PANE_CSS = """
#reader { border: round $panel; padding: 0 1; height: 1fr; }
"""


class OursApp(App[None]):
    CSS = PANE_CSS

    def compose(self) -> ComposeResult:
        yield ReaderPane(id="reader")


class BaselineApp(App[None]):
    CSS = PANE_CSS

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reader"):
            yield Markdown()


def ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


async def bench_ours(posts: dict[int, tuple[Post, Post]], runs: dict[int, int]) -> dict[str, float]:
    results: dict[str, float] = {}
    app = OursApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = PaintClock(app.screen)
        pane = app.query_one(ReaderPane)
        for size, (a, b) in posts.items():
            cold: list[float] = []
            complete: list[float] = []
            warm: list[float] = []
            for run in range(runs[size]):
                post = a if run % 2 else b
                pane.documents.clear()
                start = time.perf_counter()
                pane.show_post(post)
                cold.append(await clock.painted_after(start))
                complete.append(await clock.painted_after(start, lambda: not pane.is_loading))
                await pilot.pause()
            for run in range(runs[size]):
                post = a if run % 2 else b
                start = time.perf_counter()
                pane.show_post(post)
                warm.append(await clock.painted_after(start))
                await pilot.pause()
            results[f"cold {size}"] = ms(cold)
            results[f"complete {size}"] = ms(complete)
            results[f"warm {size}"] = ms(warm)
        big = posts[max(posts)][0]
        pane.show_post(big)
        await clock.painted_after(time.perf_counter(), lambda: not pane.is_loading)
        pages: list[float] = []
        for _ in range(30):
            start = time.perf_counter()
            pane.action_scroll_pages(1)
            pages.append(await clock.painted_after(start))
            await pilot.pause()
        results["page down"] = ms(pages)
    return results


async def bench_baseline(
    posts: dict[int, tuple[Post, Post]], runs: dict[int, int]
) -> dict[str, float]:
    results: dict[str, float] = {}
    app = BaselineApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = PaintClock(app.screen)
        markdown = app.query_one(Markdown)
        for size, (a, b) in posts.items():
            times: list[float] = []
            for run in range(runs[size]):
                post = a if run % 2 else b
                start = time.perf_counter()
                await markdown.update(f"# {post.title}\n\n{post.body}")
                times.append(await clock.painted_after(start))
                await pilot.pause()
            results[f"switch {size}"] = ms(times)
        scroller = app.query_one(VerticalScroll)
        pages: list[float] = []
        for _ in range(10):
            start = time.perf_counter()
            scroller.scroll_page_down(animate=False)
            pages.append(await clock.painted_after(start))
            await pilot.pause()
        results["page down"] = ms(pages)
    return results


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = (3_000, 30_000, 300_000)
    posts = {size: (make_post(size, 0), make_post(size, 5)) for size in sizes}
    ours_runs = {3_000: 21, 30_000: 15, 300_000: 7} if not quick else dict.fromkeys(sizes, 3)
    base_runs = {3_000: 11, 30_000: 7, 300_000: 3} if not quick else dict.fromkeys(sizes, 2)
    ours = asyncio.run(bench_ours(posts, ours_runs))
    base = asyncio.run(bench_baseline(posts, base_runs))
    print(
        f"Textual FPS cap {os.environ['TEXTUAL_FPS']}, screen {SIZE[0]}x{SIZE[1]}, medians in ms\n"
    )
    print(
        "| post | ours: first screen | ours: whole post | ours: seen before "
        "| Markdown widget | ratio (first screen) | ratio (whole post) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        label = f"{len(posts[size][0].body) / 1000:.0f} KB"
        cold = ours[f"cold {size}"]
        complete = ours[f"complete {size}"]
        baseline = base[f"switch {size}"]
        print(
            f"| {label} | {cold:.1f} | {complete:.1f} | {ours[f'warm {size}']:.1f} | "
            f"{baseline:.1f} | {baseline / cold:.0f}x | {baseline / complete:.0f}x |"
        )
    print(
        f"| page down, 300 KB | {ours['page down']:.2f} | | | {base['page down']:.2f} | "
        f"{base['page down'] / ours['page down']:.1f}x | |"
    )


if __name__ == "__main__":
    main()

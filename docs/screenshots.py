"""Regenerate docs/screenshots/: the main screen at 80x24 and 160x45, in two themes.

Run: `python docs/screenshots.py` (uses a temporary data directory, seeded with the
bundled posts). The files are named `main-WIDTHxHEIGHT-THEME.svg`.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from reader.library import Library
from reader.tui import ReaderApp

SIZES = [(80, 24), (160, 45)]
THEMES = ["textual-dark", "textual-light"]
OUT = Path(__file__).parent / "screenshots"


async def shoot(data: str, size: tuple[int, int], theme: str) -> Path:
    """One screenshot of the main screen, as a new user first sees it."""
    app = ReaderApp(Library.open(data))
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await app.workers.wait_for_complete()
        await pilot.pause()
        name = f"main-{size[0]}x{size[1]}-{theme}.svg"
        app.save_screenshot(filename=name, path=str(OUT))
    return OUT / name


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        for theme in THEMES:
            with tempfile.TemporaryDirectory() as data:
                print(await shoot(data, size, theme))


if __name__ == "__main__":
    asyncio.run(main())

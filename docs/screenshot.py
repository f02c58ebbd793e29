"""Regenerate docs/screenshot.svg: the app on the bundled posts, 120x32.

Run: `python docs/screenshot.py` (uses a temporary data directory).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from reader.library import Library
from reader.tui import ReaderApp


async def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        app = ReaderApp(Library.open(data))
        async with app.run_test(size=(120, 32)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot(filename="screenshot.svg", path=str(Path(__file__).parent))


if __name__ == "__main__":
    asyncio.run(main())

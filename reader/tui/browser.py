"""Handing a URL to the system browser, and saying so when there is none (ssh, a container)."""

from __future__ import annotations

import webbrowser

from textual.app import App

__all__ = ["open_in_browser"]


def open_in_browser(app: App[object], url: str) -> bool:
    """Open `url` with the system browser; when none can be opened, say so and offer `c`.

    True when a browser took it.
    """
    try:
        webbrowser.get()
    except webbrowser.Error:
        app.notify(
            f"No browser can be opened here. Press c to copy the URL instead: {url}",
            title="Browser",
            severity="warning",
            timeout=10,
            markup=False,
        )
        return False
    app.open_url(url)  # through Textual's driver, which asks `webbrowser`
    opened = True
    return opened

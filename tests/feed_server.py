"""A local HTTP server on 127.0.0.1 answering several requests at once, for the feed tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytest_httpserver import HTTPServer


@contextmanager
def threaded_server() -> Iterator[HTTPServer]:
    """A stuck request does not hold the others up (pytest-httpserver's default is serial)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()

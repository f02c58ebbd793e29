"""Fetching feeds over HTTP with httpx: conditional GET, a timeout, a size cap."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from reader import __version__

__all__ = ["USER_AGENT", "FetchResult", "Request", "client", "fetch"]

USER_AGENT = f"reader-tui/{__version__} (+https://github.com/reader-tui/reader; feed reader)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PERMANENT = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    etag: str = ""
    modified: str = ""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch gave: a body, "not modified", or an error."""

    url: str
    """The address asked for."""
    body: bytes | None = None
    not_modified: bool = False
    error: str = ""
    etag: str = ""
    modified: str = ""
    moved_to: str = ""
    """The address a permanent redirect pointed at, to remember."""
    content_type: str = ""


def _error_text(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect ({error})"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    return str(error) or type(error).__name__


def fetch(
    client: httpx.Client, request: Request, max_bytes: int = DEFAULT_MAX_BYTES
) -> FetchResult:
    """Fetch one feed; never raises for what the network or server does."""
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.modified:
        headers["If-Modified-Since"] = request.modified
    try:
        with client.stream("GET", request.url, headers=headers) as response:
            moved = ""
            for step in response.history:
                if step.status_code in PERMANENT:
                    moved = str(response.url)
                else:
                    break
            if response.status_code == 304:
                return FetchResult(
                    request.url,
                    not_modified=True,
                    etag=request.etag,
                    modified=request.modified,
                    moved_to=moved,
                )
            if response.status_code >= 400:
                reason = response.reason_phrase or ""
                return FetchResult(
                    request.url, error=f"HTTP {response.status_code} {reason}".strip()
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return FetchResult(request.url, error=_too_large(max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return FetchResult(request.url, error=_too_large(max_bytes))
                chunks.append(chunk)
            return FetchResult(
                request.url,
                body=b"".join(chunks),
                etag=response.headers.get("ETag", ""),
                modified=response.headers.get("Last-Modified", ""),
                moved_to=moved,
                content_type=response.headers.get("Content-Type", ""),
            )
    except httpx.HTTPError as error:
        return FetchResult(request.url, error=_error_text(error))


def _too_large(max_bytes: int) -> str:
    return f"response too large (over {max_bytes} bytes)"


def client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An httpx client that follows redirects and says who it is."""
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})

"""The feeds' settings, read through one function each: from the config file (`[feeds]`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reader.feeds.subscriptions import Subscription
from reader.library import Library

__all__ = ["refresh_due", "refresh_on_start_minutes"]


def refresh_on_start_minutes(library: Library) -> int | None:
    """`[feeds] refresh_on_start_minutes`: refresh on start when the last refresh is
    older than this many minutes; None when off (the default)."""
    return library.config.feeds_refresh_on_start_minutes


def refresh_due(
    subscriptions: list[Subscription], minutes: int, now: datetime | None = None
) -> bool:
    """True when some feed was never fetched, or the last fetch is older than `minutes`."""
    if not subscriptions:
        return False
    times = [s.fetched for s in subscriptions]
    if not all(times):
        return True
    last = max(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for t in times)
    return (now or datetime.now(UTC)) - last > timedelta(minutes=minutes)

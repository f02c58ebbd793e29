"""The feeds' settings, read through one function each so they can move (config.toml)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reader.feeds.subscriptions import Subscription
from reader.library import Library

__all__ = ["REFRESH_ON_START", "refresh_due", "refresh_on_start_minutes"]

REFRESH_ON_START = "feeds_refresh_on_start_minutes"
"""The setting: refresh on start when the last refresh is older than this many minutes."""


def refresh_on_start_minutes(library: Library) -> int | None:
    """The setting's minutes, or None when off (the default)."""
    value = library.state.settings().get(REFRESH_ON_START)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


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

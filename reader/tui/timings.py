"""How long the TUI waits before it acts on its own: one set of delays, passed down.

The app hands one `Timings` to the main screen, which hands it to the reader
pane. The defaults are what users get; tests pass short ones to
`ReaderApp(..., timings=...)` so the real timers fire within a test.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Timings"]


@dataclass(frozen=True)
class Timings:
    """Delays, in seconds, of the TUI's timers."""

    state_poll: float = 2.0
    """How often to look for changes another reader process made to the user state."""
    library_poll: float = 2.0
    """How often to look for posts another process imported, synced or removed."""
    search_debounce: float = 0.01
    """Wait this long after a keystroke before searching, so fast typing searches once."""
    preview_delay: float = 0.12
    """While typing a search, how long the keys must rest before the reader shows the top
    result: the list follows every keystroke, the reader (tens of ms a post) only a
    pause in the typing (0: at once)."""
    save_place: float = 0.5
    """How long the cursor must rest before the filter and post to come back to are saved."""
    position_settle: float = 0.4
    """How long the reader must rest before its position is reported for saving."""
    title_delay: float = 0.1
    """How soon the percent in the reader's border follows a scroll within the same section."""

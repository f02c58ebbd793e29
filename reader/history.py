"""Back and forward through the posts read in a session, each with where the reader was.

A pure value kept by the main screen: every post opened or link followed is
`visit`ed; `back` and `forward` step through the visits, and each step first
records where the reader is in the post being left, so coming back to it
returns to that place. Nothing is saved: the history lasts for the session.
"""

from __future__ import annotations

from reader.models import ReadingPosition

__all__ = ["History"]

HISTORY_LIMIT = 500
"""The oldest visits are forgotten past this many."""


class History:
    """A back/forward stack of reading positions, one per post visited."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._visits: list[ReadingPosition] = []
        self._index = -1
        self._limit = max(1, limit)

    @property
    def current(self) -> ReadingPosition | None:
        """The visit the reader is on, or None before the first."""
        return self._visits[self._index] if self._visits else None

    @property
    def can_go_back(self) -> bool:
        """True when there is an older visit."""
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        """True when `back` was used and a newer visit is left."""
        return 0 <= self._index < len(self._visits) - 1

    def __len__(self) -> int:
        return len(self._visits)

    def note(self, here: ReadingPosition | None) -> None:
        """Keep where the reader is in the current visit, if it is the same post."""
        current = self.current
        if here is not None and current is not None and here.slug == current.slug:
            self._visits[self._index] = here

    def visit(self, to: ReadingPosition, here: ReadingPosition | None = None) -> None:
        """Go to `to`, leaving `here` (where the reader is now); newer visits are dropped.

        Visiting the post already current only moves its place.
        """
        self.note(here)
        current = self.current
        if current is None and here is not None and here.slug != to.slug:
            self._visits.append(here)  # the post being read before anything was opened
            self._index = 0
            current = here
        if current is not None and current.slug == to.slug:
            self._visits[self._index] = to if to.anchor or to.offset else current
            del self._visits[self._index + 1 :]
            return
        del self._visits[self._index + 1 :]
        self._visits.append(to)
        if len(self._visits) > self._limit:
            del self._visits[: len(self._visits) - self._limit]
        self._index = len(self._visits) - 1

    def back(self, here: ReadingPosition | None = None) -> ReadingPosition | None:
        """The previous visit, where the reader left it (None at the oldest)."""
        if not self.can_go_back:
            return None
        self.note(here)
        self._index -= 1
        return self._visits[self._index]

    def forward(self, here: ReadingPosition | None = None) -> ReadingPosition | None:
        """The next visit after going back (None at the newest)."""
        if not self.can_go_forward:
            return None
        self.note(here)
        self._index += 1
        return self._visits[self._index]

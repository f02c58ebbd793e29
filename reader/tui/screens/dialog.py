"""The base of every dialog: a modal screen that dismisses once.

Keys arrive in batches (a paste, fast typing, a busy moment): two Enters in
one read reach a dialog's handlers after its first dismissal, and Textual's
`dismiss` pops whatever screen is on top, so the second one would pop the
main screen too. A dialog that is no longer on top ignores further dismissals.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

__all__ = ["Dialog"]

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen whose `dismiss` takes effect once, and only while it is on top."""

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        """Close the dialog with `result`; a no-op once it has left the top of the stack."""
        if not self.is_active:
            return AwaitComplete()  # nothing to wait for
        return super().dismiss(result)

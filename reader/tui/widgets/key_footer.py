"""The footer: Textual's, which on a narrow terminal puts quit, help and back first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["FIRST_ACTIONS", "NARROW_FOOTER", "KeyFooter"]

NARROW_FOOTER = 60
"""Below this many columns the footer cannot show every key: the ones to get out go first."""

FIRST_ACTIONS = ("quit", "help")
"""Kept in view whatever else the footer has to show, in this order."""

BACK = ("escape", "esc", "Back", "back")
"""Escape, which goes back to the list (and ends a search): said in words when narrow."""


class KeyFooter(Footer):
    """Lists the keys of the focused widget; narrow, quit, help and back come first.

    Textual's footer cuts off on the right, where the app-wide keys (`q`, `?`) are.
    """

    _shown: tuple[object, ...] | None = None
    """The keys the footer was last built for: what `bindings_changed` compares against."""

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]  # Textual's
        """Rebuild the keys only when the keys shown changed.

        The screen signals a change of bindings on every focus and highlight
        move; Textual's footer then remounts every key, which lays out the
        whole screen again (about a third of a keystroke's time in the search
        bar). The same keys, enabled alike, need no new footer.
        """
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = tuple(
                (
                    binding.key,
                    binding.key_display,
                    binding.action,
                    binding.description,
                    enabled,
                    tooltip,
                )
                for (_, binding, enabled, tooltip) in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)

    async def on_resize(self, event: Resize) -> None:
        narrow = 0 < event.size.width < NARROW_FOOTER
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.compact = narrow
            await self.recompose()

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        if not self.has_class("-narrow"):
            yield from keys
            return
        first: list[Widget] = [
            key
            for action in FIRST_ACTIONS
            for key in keys
            if isinstance(key, FooterKey) and key.action == action
        ]
        if not any(isinstance(k, FooterKey) and k.key == "escape" for k in keys):
            first.append(FooterKey(*BACK).data_bind(compact=Footer.compact))
        self.styles.grid_size_columns = len(keys) + len(first)
        yield from first
        yield from (key for key in keys if key not in first)

"""The config file as the TUI reads it: checked against the app's own binding ids and themes.

`reader.config` knows nothing of Textual, so the names a keymap and a
theme may use are gathered here, from the bindings declared on the app's
classes (and Textual's own, which the keymap can remap too) and Textual's
themes. The CLI's `reader config` uses the same, so both say the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.theme import BUILTIN_THEMES

from reader.config import LoadedConfig
from reader.config_file import load_and_move
from reader.state import StateStore

__all__ = ["binding_ids", "default_keys", "load_for_tui", "theme_names"]


def _classes(root: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in root.__subclasses__():
        yield sub
        yield from _classes(sub)


def binding_ids() -> frozenset[str]:
    """Every binding id a keymap may name: the app's and Textual's."""
    import reader.tui.app  # noqa: F401  (imports every screen and widget)

    ids = {
        binding.id
        for cls in {DOMNode, *_classes(DOMNode)}
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    }
    return frozenset(ids)


def default_keys() -> dict[str, str]:
    """The app's own binding ids and their built-in keys, for `reader config` to list."""
    import reader.tui.app  # noqa: F401  (imports every screen and widget)

    return {
        binding.id: binding.key
        for cls in _classes(DOMNode)
        if cls.__module__.startswith("reader.")
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    }


def theme_names() -> frozenset[str]:
    """The themes `theme` may name: Textual's built-in ones."""
    return frozenset(BUILTIN_THEMES)


def load_for_tui(state: StateStore, path: Path) -> tuple[LoadedConfig, str | None]:
    """The config file, checked, after the one-time move of old settings out of the state."""
    return load_and_move(state, path, binding_ids(), theme_names())

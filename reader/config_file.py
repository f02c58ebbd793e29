"""The config file on disk: its commented default text, the effective settings as text,
and the one-time move of the settings an older `reader` kept in `state.json`.

The file is the user's: `reader` writes it only on `reader config --init`
(never over an existing one) and once, to move the keymap and the other
settings out of `state.json` (atomically, with a comment saying so, never
into a file it cannot read). Nothing is lost in the move: a value the file
already sets, or one that is not valid, goes in as a comment.
"""

from __future__ import annotations

import contextlib
import json
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.config import Config, LoadedConfig, is_table_header, key_lines, load_config
from reader.state import StateStore, StateWriteError
from reader.storage import atomic_write_bytes

__all__ = [
    "DEFAULT_TEXT",
    "MOVED_SETTINGS",
    "ConfigExists",
    "describe",
    "load_and_move",
    "move_state_settings",
    "write_default",
]

DEFAULT_TEXT = """\
# reader's settings. This file is yours: reader writes it only when asked
# (`reader config --init`) or once, to move old settings out of state.json.
# Every line below is commented out: uncomment one to change that setting.
# `reader config` prints the settings in effect; a bad line is named on start.

# A Textual theme: textual-dark, textual-light, nord, gruvbox, dracula, ...
# Unset: the theme last picked with the command palette, else textual-dark.
# Set here, it wins over the one picked.
# theme = "nord"

# The widest the reader's text gets, in columns, centred in a wider pane (0: no cap).
# reading_width = 80

# When a post counts as read: "on-open" (opened in the reader), "on-end"
# (scrolled to its end), "after-seconds" (mark_read_seconds open in the reader),
# or "manual" (only m). The post shown at start is never marked by itself.
# mark_read = "on-open"
# mark_read_seconds = 4

# The list's order at start: newest, oldest, title, time or imported.
# Unset: the order s chose last (newest first when the posts have dates).
# sort = "newest"

# Show drafts among the other posts, in the list, the tags and search.
# show_drafts = false

# The command e opens a post's file with. Unset: $VISUAL, then $EDITOR, then vi.
# editor = "vim"

[feeds]
# Refresh the feeds on start when the last refresh is older than this
# many minutes (0: never).
# refresh_on_start_minutes = 60

[keymap]
# A binding id (the help screen lists them) and its key or keys, comma-separated.
# "main.bookmark" = "ctrl+b"
"""
"""What `reader config --init` writes: every setting, commented out at its default."""

MOVED_SETTINGS = {
    "keymap": ("keymap",),
    "show_drafts": ("show_drafts",),
    "feeds_refresh_on_start_minutes": ("feeds", "refresh_on_start_minutes"),
}
"""The settings an older `reader` kept in `state.json`, and where they go in the file."""


class ConfigExists(Exception):
    """`reader config --init` found a file there already: it is never written over."""


def write_default(path: Path) -> None:
    """Write the commented default file; `ConfigExists` if there is one."""
    if path.exists():
        raise ConfigExists(str(path))
    atomic_write_bytes(path, DEFAULT_TEXT.encode("utf-8"))


# -- the settings in effect --------------------------------------------------------


def toml_value(value: Any) -> str:
    """`value` written as TOML (strings, numbers, booleans: what settings hold)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _unset(name: str) -> str:
    return {
        "theme": "the theme last picked, else textual-dark",
        "sort": "the order s chose last, else newest first",
        "editor": "$VISUAL, then $EDITOR, then vi",
        "feeds_refresh_on_start_minutes": "never",
    }[name]


def describe(loaded: LoadedConfig, keys: Mapping[str, str] | None = None) -> str:
    """The settings in effect, as TOML with comments: what `reader config` prints.

    `keys` (binding ids to their built-in keys) are listed, commented out, under
    `[keymap]`, so the user sees every id there is to remap.
    """
    config = loaded.config
    state = "" if loaded.exists else " (there is none: every setting is default)"
    out = [f"# {loaded.path}{state}"]
    table = ""
    for item in fields(Config):
        name = item.name
        if name == "keymap":
            continue
        if name.startswith("feeds_") and table != "feeds":
            table = "feeds"
            out.append("\n[feeds]")
        value = getattr(config, name)
        key = name.removeprefix("feeds_")
        how = "" if name in loaded.given else "  # default"
        if value is None:
            out.append(f"# {key} unset: {_unset(name)}")
        else:
            out.append(f"{key} = {toml_value(value)}{how}")
    out.append("\n[keymap]")
    if not config.keymap:
        out.append("# no key remapped")
    out.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in sorted(config.keymap.items()))
    built_in = {k: v for k, v in (keys or {}).items() if k not in config.keymap}
    if built_in:
        out.append("# the other bindings, with their built-in keys:")
        out.extend(f"# {json.dumps(k)} = {toml_value(v)}" for k, v in sorted(built_in.items()))
    return "\n".join(out) + "\n"


# -- the move out of state.json ------------------------------------------------------


@dataclass
class _Edit:
    """Lines to put into the file: at the top, after a table's header, or as a new table."""

    top: list[str]
    tables: dict[str, list[str]]


def _entries(name: str, value: Any) -> list[tuple[tuple[str, ...], Any]]:
    """The (path, value) pairs a state setting becomes in the file."""
    where = MOVED_SETTINGS[name]
    if name == "keymap" and isinstance(value, Mapping):
        return [((*where, str(k)), v) for k, v in value.items()]
    return [(where, value)]


def _valid(path: tuple[str, ...], value: Any) -> bool:
    if path[0] == "keymap":
        return isinstance(value, str) and bool(value.strip())
    if path[-1] == "show_drafts":
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _line(path: tuple[str, ...], value: Any) -> str:
    key = json.dumps(path[-1]) if path[0] == "keymap" else path[-1]
    return f"{key} = {toml_value(value)}"


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = data
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _plan(data: Mapping[str, Any], moved: Mapping[str, Any], stamp: str) -> _Edit:
    edit = _Edit([], {})
    for name, value in moved.items():
        for path, item in _entries(name, value):
            present, current = _lookup(data, path)
            if present and current == item:
                continue  # moved already (a move cut short before state.json changed)
            shown = ".".join(path)
            if not _valid(path, item) or present:
                why = "this file sets it" if present else "not a valid value"
                line = f"# state.json had {shown} = {json.dumps(item)} ({why}; kept here)"
            else:
                line = _line(path, item)
            if len(path) == 1:
                edit.top.append(line)
            else:
                edit.tables.setdefault(path[0], []).append(line)
    note = f"# Moved from state.json on {stamp}:"
    if edit.top:
        edit.top.insert(0, note)
    for lines in edit.tables.values():
        lines.insert(0, note)
    return edit


def _apply(text: str, edit: _Edit) -> str | None:
    """`text` with the edit's lines put in, or None when they cannot go in safely."""
    lines = text.splitlines()
    where = key_lines(text)
    after: dict[int, list[str]] = {}
    tail: list[str] = []
    for table, added in edit.tables.items():
        header = where.get((table,))
        if header is None:
            tail += ["", f"[{table}]", *added]
        elif is_table_header(lines[header - 1]):
            after[header] = added
        else:
            return None  # an inline or dotted table: no place to add keys to
    out = [*edit.top, *([""] if edit.top and lines else [])]
    for number, line in enumerate(lines, start=1):
        out.append(line)
        out.extend(after.get(number, []))
    return "\n".join([*out, *tail]) + "\n"


def move_state_settings(state: StateStore, loaded: LoadedConfig) -> str | None:
    """Move the settings an older `reader` kept in `state.json` into the config file, once.

    The file is written first (atomically), then the settings are dropped from
    `state.json`: a move cut short between the two is finished next time
    without writing anything twice. Nothing happens when the state cannot be
    read or the config file cannot be used. Returns what was done, to tell
    the user, or None when there was nothing to move.
    """
    if state.unreadable is not None or not loaded.readable:
        return None
    settings = state.settings()
    moved = {k: settings[k] for k in MOVED_SETTINGS if k in settings}
    if not moved:
        return None
    path = loaded.path
    text = path.read_text(encoding="utf-8") if loaded.exists else DEFAULT_TEXT
    data = tomllib.loads(text)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    edit = _plan(data, moved, stamp)
    if edit.top or edit.tables:
        new = _apply(text, edit)
        if new is None:
            return (
                f"{', '.join(sorted(moved))} in state.json not moved to {path}: "
                "it has no [table] header to add them under"
            )
        tomllib.loads(new)  # never write a file this module could not read back
        try:
            atomic_write_bytes(path, new.encode("utf-8"))
        except OSError as error:
            return f"could not move your settings from state.json to {path}: {error.strerror}"
    # A refused write is kept and retried by the store; the file has the settings
    # already, so nothing moves twice.
    with contextlib.suppress(StateWriteError):
        state.remove_settings(moved)
    return f"moved {', '.join(sorted(moved))} from state.json to {path}"


def load_and_move(
    state: StateStore,
    path: Path,
    binding_ids: Collection[str] | None = None,
    themes: Collection[str] | None = None,
) -> tuple[LoadedConfig, str | None]:
    """Read the config file, after moving the old settings into it (see above)."""
    message = move_state_settings(state, load_config(path))
    return load_config(path, binding_ids, themes), message

"""The user's settings: `config.toml`, read into a frozen `Config`, every problem named.

What the user writes lives here; what the app writes (where you were, the
order `s` chose, the theme picked at run time) lives in `state.json`. The file
is read with `tomllib`; a bad value, an unknown key or a syntax error never
stops the app: that setting keeps its default and a `ConfigProblem` names the
file, the line and the key, with the nearest valid name when one was
misspelt. The keymap's binding ids and the theme names belong to the TUI, so
the caller passes them in (`binding_ids`, `themes`): this module never
imports Textual. The file's place, its default text and the move of old
settings out of `state.json` are in `reader.config_file`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reader.sorting import SortOrder

__all__ = [
    "DEFAULT_READING_WIDTH",
    "Config",
    "ConfigProblem",
    "LoadedConfig",
    "ReadRule",
    "is_table_header",
    "key_lines",
    "load_config",
    "nearest",
    "parse_config",
]

DEFAULT_READING_WIDTH = 80
"""The reading width cap, in columns, when the config does not set one."""


class ReadRule(StrEnum):
    """When a post counts as read (`mark_read` in the config)."""

    ON_OPEN = "on-open"
    """Opening it in the reader (enter, a link, next/previous post, the history)."""
    ON_END = "on-end"
    """Scrolling the reader to its end."""
    AFTER_SECONDS = "after-seconds"
    """`mark_read_seconds` open in the reader (never just highlighted in the list)."""
    MANUAL = "manual"
    """Only `m`."""


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Config:
    """The settings in effect: the file's valid values over the defaults."""

    theme: str | None = None
    """A Textual theme name; None: the one picked last at run time, else Textual's default."""
    reading_width: int = DEFAULT_READING_WIDTH
    """The widest the reader's text gets, in columns, centred in a wider pane; 0: no cap."""
    mark_read: ReadRule = ReadRule.ON_OPEN
    """When a post counts as read."""
    mark_read_seconds: float = 4.0
    """With `mark_read = "after-seconds"`: how long a post must be open in the reader."""
    sort: SortOrder | None = None
    """The list's order at start; None: the one `s` chose last, else newest first."""
    show_drafts: bool = False
    """Show drafts among the other posts, in the list, the tags and search."""
    editor: str | None = None
    """The command `e` opens a post's file with; None: `$VISUAL`, then `$EDITOR`."""
    feeds_refresh_on_start_minutes: int | None = None
    """Refresh the feeds on start when the last refresh is older than this; None: never."""
    keymap: Mapping[str, str] = field(default_factory=_frozen)
    """Binding ids to keys (`"main.bookmark" = "ctrl+b"`), over the built-in keys."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the config file, and what was done about it."""

    path: Path
    line: int | None
    """1-based line of the problem, when known."""
    key: str
    """The setting's dotted name (`keymap.main.bookmrk`), or "" for the whole file."""
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


@dataclass(frozen=True)
class LoadedConfig:
    """A config file as read: the settings in effect, what was wrong, and what it set."""

    path: Path
    config: Config
    problems: tuple[ConfigProblem, ...] = ()
    exists: bool = False
    given: frozenset[str] = frozenset()
    """The settings the file sets with a valid value (`theme`, `sort`...)."""
    readable: bool = True
    """False when the file exists but cannot be used at all (a syntax error, not UTF-8):
    it must never be written over."""


_TABLES = {"feeds": {"refresh_on_start_minutes": "feeds_refresh_on_start_minutes"}}
"""Settings kept in a table, by table and key, to their `Config` field."""
_KEYMAP = "keymap"
_TOP = [f.name for f in fields(Config) if f.name != _KEYMAP and not f.name.startswith("feeds_")]


def nearest(word: str, choices: Collection[str]) -> str | None:
    """The choice closest to `word` (fewest edits), or None when nothing is close."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extractOne(word, list(choices), scorer=OSA.distance)
    if found is None or found[1] > max(2, len(word) // 2):
        return None
    return str(found[0])


def _unknown(what: str, word: str, choices: Collection[str]) -> str:
    guess = nearest(word, choices)
    return f"unknown {what} {word!r}" + (f" (did you mean {guess!r}?)" if guess else "")


# -- where a key is written --------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\-\s])+?)\s*=""")


def is_table_header(line: str) -> bool:
    """True for a `[table]` line."""
    return _HEADER.match(line) is not None


def _key_parts(text: str) -> list[str]:
    """`a."b.c".d` as ["a", "b.c", "d"] (a TOML dotted key, quotes kept apart)."""
    return [
        part.strip().strip("\"'")
        for part in re.findall(r"""\s*(?:"[^"]*"|'[^']*'|[^.]+)\s*""", text)
        if part.strip()
    ]


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of each key or table in a TOML text, by its path.

    A plain line scan: good enough to point the user at a line, and where it
    is fooled (a key inside a multi-line string) the problem is named without one.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = tuple(_key_parts(header.group(1)))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = table + tuple(_key_parts(key.group(1)))
            for end in range(len(table) + 1, len(path) + 1):
                lines.setdefault(path[:end], number)
    return lines


# -- reading ----------------------------------------------------------------------


def _flatten(
    table: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The keymap's entries: `main.bookmark = "x"` unquoted is a nested table in TOML."""
    for key, value in table.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, (*prefix, key))
        else:
            yield (*prefix, key), value


class _Reader:
    """Checks one parsed file, collecting the good values and the problems."""

    def __init__(
        self,
        path: Path,
        text: str,
        binding_ids: Collection[str] | None,
        themes: Collection[str] | None,
    ) -> None:
        self.path = path
        self.lines = key_lines(text)
        self.binding_ids = binding_ids
        self.themes = themes
        self.values: dict[str, Any] = {}
        self.problems: list[ConfigProblem] = []

    def problem(self, path: tuple[str, ...], message: str) -> None:
        line = self.lines.get(path)
        self.problems.append(ConfigProblem(self.path, line, ".".join(path), message))

    def read(self, data: Mapping[str, Any]) -> None:
        known = [*_TOP, *_TABLES, _KEYMAP]
        for key, value in data.items():
            if key in _TOP:
                self.setting(key, (key,), value)
            elif key in _TABLES:
                self.table(key, value)
            elif key == _KEYMAP:
                self.keymap(value)
            else:
                self.problem((key,), _unknown("setting", key, known) + ", ignored")

    def table(self, name: str, value: object) -> None:
        names = _TABLES[name]
        if not isinstance(value, Mapping):
            self.problem((name,), f"must be a table ([{name}]); ignored")
            return
        for key, item in value.items():
            if key in names:
                self.setting(names[key], (name, key), item)
            else:
                self.problem((name, key), _unknown(f"[{name}] setting", key, names) + ", ignored")

    def keymap(self, value: object) -> None:
        if not isinstance(value, Mapping):
            self.problem((_KEYMAP,), 'must be a table: [keymap] then "binding.id" = "key"')
            return
        keymap: dict[str, str] = {}
        for parts, keys in _flatten(value):
            binding = ".".join(parts)
            where = (_KEYMAP, *parts)
            if self.binding_ids is not None and binding not in self.binding_ids:
                self.problem(where, _unknown("binding id", binding, self.binding_ids) + ", ignored")
            elif not isinstance(keys, str) or not keys.strip() or " " in keys.strip():
                self.problem(
                    where, f'must be a key or keys, like "ctrl+b" or "b,ctrl+b", not {keys!r}'
                )
            else:
                keymap[binding] = keys.strip()
        self.values[_KEYMAP] = _frozen(keymap)

    def setting(self, name: str, where: tuple[str, ...], value: object) -> None:
        try:
            self.values[name] = _CHECKS[name](self, value)
        except ValueError as error:
            self.problem(where, f"{error}; the default is used")


def _theme(reader: _Reader, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a theme name, not {value!r}")
    if reader.themes is not None and value not in reader.themes:
        raise ValueError(_unknown("theme", value, reader.themes))
    return value


def _width(reader: _Reader, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (value == 0 or value >= 20):
        raise ValueError(f"must be a number of columns, 20 or more (0: no cap), not {value!r}")
    return value


def _rule(reader: _Reader, value: object) -> ReadRule:
    names = [r.value for r in ReadRule]
    if not isinstance(value, str) or value not in names:
        raise ValueError(_unknown("rule", str(value), names) + f": one of {', '.join(names)}")
    return ReadRule(value)


def _seconds(reader: _Reader, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"must be a number of seconds, not {value!r}")
    return float(value)


def _sort(reader: _Reader, value: object) -> SortOrder:
    order = SortOrder.from_name(value)
    if order is None:
        names = [o.value for o in SortOrder]
        raise ValueError(_unknown("order", str(value), names) + f": one of {', '.join(names)}")
    return order


def _bool(reader: _Reader, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _editor(reader: _Reader, value: object) -> str | None:
    if not isinstance(value, str):
        raise ValueError(f'must be a command, like "vim" or "code --wait", not {value!r}')
    return value.strip() or None


def _minutes(reader: _Reader, value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number of minutes (0: never), not {value!r}")
    return value or None


_CHECKS = {
    "theme": _theme,
    "reading_width": _width,
    "mark_read": _rule,
    "mark_read_seconds": _seconds,
    "sort": _sort,
    "show_drafts": _bool,
    "editor": _editor,
    "feeds_refresh_on_start_minutes": _minutes,
}


ALL_DEFAULT = "every setting is default"


def _syntax_line(error: tomllib.TOMLDecodeError, text: str) -> int | None:
    found = re.search(r"at line (\d+)", str(error))
    if found:
        return int(found.group(1))
    return len(text.splitlines()) or None if "end of document" in str(error) else None


def parse_config(
    text: str,
    path: Path,
    binding_ids: Collection[str] | None = None,
    themes: Collection[str] | None = None,
) -> LoadedConfig:
    """The settings a config text holds, over the defaults, and what is wrong in it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(error))
        problem = ConfigProblem(
            path,
            _syntax_line(error, text),
            "",
            f"not valid TOML ({message}); every setting is default",
        )
        return LoadedConfig(path, Config(), (problem,), exists=True, readable=False)
    reader = _Reader(path, text, binding_ids, themes)
    reader.read(data)
    config = Config(**reader.values)
    return LoadedConfig(
        path, config, tuple(reader.problems), exists=True, given=frozenset(reader.values)
    )


def load_config(
    path: Path,
    binding_ids: Collection[str] | None = None,
    themes: Collection[str] | None = None,
) -> LoadedConfig:
    """Read the config file at `path`; the defaults when there is none.

    Never raises for a bad file: see `LoadedConfig.problems` and `readable`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedConfig(path, Config())
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        problem = ConfigProblem(
            path, None, "", f"cannot be read ({reason}); every setting is default"
        )
        return LoadedConfig(path, Config(), (problem,), exists=True, readable=False)
    return parse_config(text, path, binding_ids, themes)

"""`config.toml`: a good file, each kind of bad one, the move out of `state.json`, `reader config`.

The file is read the way the TUI reads it (`load_for_tui`: the real binding
ids and themes); what is asserted is what the user sees: the settings in
effect, the message naming file, line and key, the files on disk, exit codes.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.config import Config, ReadRule, load_config
from reader.config_file import DEFAULT_TEXT
from reader.library import Library
from reader.sorting import SortOrder
from reader.state import StateStore
from reader.tui.settings import load_for_tui

GOOD = """\
theme = "nord"
reading_width = 72
mark_read = "after-seconds"
mark_read_seconds = 2.5
sort = "title"
show_drafts = true
editor = "nano -w"

[feeds]
refresh_on_start_minutes = 30

[keymap]
"main.bookmark" = "ctrl+b"
reader.find = "ctrl+f"
"""


@pytest.fixture
def config_file(isolated_data_dir: Path) -> Path:
    """Where `READER_CONFIG` points (conftest): not there until a test writes it."""
    return Path(os.environ["READER_CONFIG"])


@pytest.fixture
def state(isolated_data_dir: Path) -> StateStore:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    return StateStore(isolated_data_dir / "state.json")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def problems_of(config_file: Path, state: StateStore) -> list[str]:
    loaded, _ = load_for_tui(state, config_file)
    return [str(p) for p in loaded.problems]


# -- a good file, and none -----------------------------------------------------------


def test_no_file_is_every_default(config_file: Path, state: StateStore) -> None:
    loaded, moved = load_for_tui(state, config_file)
    assert loaded.config == Config() and not loaded.problems and moved is None
    assert not config_file.exists()  # reading never makes one


def test_a_good_file_sets_every_setting(config_file: Path, state: StateStore) -> None:
    config_file.write_text(GOOD, encoding="utf-8")
    loaded, _ = load_for_tui(state, config_file)
    config = loaded.config
    assert not loaded.problems
    assert config.theme == "nord" and config.reading_width == 72
    assert config.mark_read is ReadRule.AFTER_SECONDS and config.mark_read_seconds == 2.5
    assert config.sort is SortOrder.TITLE and config.show_drafts is True
    assert config.editor == "nano -w" and config.feeds_refresh_on_start_minutes == 30
    # An unquoted dotted id is a nested table in TOML: it means the same binding.
    assert dict(config.keymap) == {"main.bookmark": "ctrl+b", "reader.find": "ctrl+f"}


def test_the_default_file_is_valid_and_every_default(config_file: Path, state: StateStore) -> None:
    config_file.write_text(DEFAULT_TEXT, encoding="utf-8")
    loaded, _ = load_for_tui(state, config_file)
    assert loaded.config == Config() and not loaded.problems


# -- bad files: defaults for what is bad, and the file, line and key named --------------


def test_a_syntax_error_names_the_line_and_the_file_is_never_written(
    config_file: Path, state: StateStore
) -> None:
    text = 'theme = "nord"\nreading_width = 72,\n'
    config_file.write_text(text, encoding="utf-8")
    state.update_settings({"keymap": {"main.bookmark": "ctrl+b"}})  # waiting to be moved
    loaded, moved = load_for_tui(state, config_file)
    assert loaded.config == Config()
    assert [str(p) for p in loaded.problems] == [
        f"{config_file}:2: not valid TOML (Expected newline or end of document after a "
        "statement); every setting is default"
    ]
    assert moved is None
    assert config_file.read_text(encoding="utf-8") == text
    assert state.settings()["keymap"] == {"main.bookmark": "ctrl+b"}  # kept where it was


def test_an_unknown_key_names_the_nearest(config_file: Path, state: StateStore) -> None:
    config_file.write_text('theme = "nord"\n\nreading_widht = 60\n', encoding="utf-8")
    loaded, _ = load_for_tui(state, config_file)
    assert [str(p) for p in loaded.problems] == [
        f"{config_file}:3: reading_widht: unknown setting 'reading_widht' "
        "(did you mean 'reading_width'?), ignored"
    ]
    assert loaded.config.theme == "nord" and loaded.config.reading_width == 80


def test_an_unknown_binding_id_names_the_nearest(config_file: Path, state: StateStore) -> None:
    config_file.write_text(
        '[keymap]\n"main.bookmrk" = "ctrl+b"\n"app.quit" = "ctrl+q"\n', encoding="utf-8"
    )
    loaded, _ = load_for_tui(state, config_file)
    assert [str(p) for p in loaded.problems] == [
        f"{config_file}:2: keymap.main.bookmrk: unknown binding id 'main.bookmrk' "
        "(did you mean 'main.bookmark'?), ignored"
    ]
    assert dict(loaded.config.keymap) == {"app.quit": "ctrl+q"}  # the good one is kept


@pytest.mark.parametrize(
    ("line", "key", "says"),
    [
        ("reading_width = 'wide'", "reading_width", "must be a number of columns"),
        ("reading_width = 5", "reading_width", "must be a number of columns"),
        ("mark_read = 'on_end'", "mark_read", "unknown rule 'on_end' (did you mean 'on-end'?)"),
        ("mark_read_seconds = -1", "mark_read_seconds", "must be a number of seconds"),
        ("sort = 'newst'", "sort", "unknown order 'newst' (did you mean 'newest'?)"),
        ("show_drafts = 'yes'", "show_drafts", "must be true or false, not 'yes'"),
        ("theme = 'nrod'", "theme", "unknown theme 'nrod' (did you mean 'nord'?)"),
        ("editor = 3", "editor", "must be a command"),
        ("[feeds]\nrefresh_on_start_minutes = 1.5", "feeds.refresh_on_start_minutes", "minutes"),
        ("[keymap]\n'app.quit' = 'ctrl q'", "keymap.app.quit", "must be a key or keys"),
        ("keymap = 'ctrl+b'", "keymap", "must be a table"),
        ("feeds = 30", "feeds", "must be a table"),
    ],
)
def test_a_bad_value_is_named_and_its_default_used(
    config_file: Path, state: StateStore, line: str, key: str, says: str
) -> None:
    config_file.write_text(f"# settings\n{line}\n", encoding="utf-8")
    loaded, _ = load_for_tui(state, config_file)
    (problem,) = loaded.problems
    assert problem.path == config_file and problem.key == key and says in problem.message
    assert problem.line == line.count("\n") + 2
    assert loaded.config == Config()


def test_a_file_that_cannot_be_read_is_named(config_file: Path, state: StateStore) -> None:
    config_file.write_bytes(b'theme = "\xff"\n')
    loaded, _ = load_for_tui(state, config_file)
    assert loaded.config == Config()
    assert str(loaded.problems[0]).startswith(f"{config_file}: cannot be read")


# -- the move out of state.json ------------------------------------------------------


def old_state(state: StateStore) -> None:
    """Settings as an older reader kept them, beside what the app itself writes."""
    state.update_settings(
        {
            "keymap": {"main.bookmark": "ctrl+b", "app.help": "f1"},
            "show_drafts": True,
            "feeds_refresh_on_start_minutes": 15,
            "sort": "oldest",
            "last_slug": "some-post",
        }
    )
    state.add_bookmark("some-post", note="keep me")
    state.set_read("other-post", True)


def test_the_keymap_moves_once_and_nothing_is_lost(config_file: Path, state: StateStore) -> None:
    old_state(state)
    loaded, moved = load_for_tui(state, config_file)
    names = "feeds_refresh_on_start_minutes, keymap, show_drafts"
    assert moved == f"moved {names} from state.json to {config_file}"
    config = loaded.config
    assert dict(config.keymap) == {"main.bookmark": "ctrl+b", "app.help": "f1"}
    assert config.show_drafts is True and config.feeds_refresh_on_start_minutes == 15
    text = config_file.read_text(encoding="utf-8")
    assert "# Moved from state.json on " in text and "# A Textual theme" in text
    # state.json keeps everything else, and the user's marks.
    on_disk = json.loads((state.path).read_text(encoding="utf-8"))
    assert on_disk["settings"]["1"] == {"sort": "oldest", "last_slug": "some-post"}
    fresh = StateStore(state.path)
    assert fresh.bookmark("some-post") is not None
    assert fresh.bookmark("some-post").note == "keep me"  # type: ignore[union-attr]
    assert fresh.read_slugs() == {"other-post"}
    # Not moved twice: the next start writes nothing.
    again, moved_again = load_for_tui(fresh, config_file)
    assert moved_again is None and again.config == config
    assert config_file.read_text(encoding="utf-8") == text


def test_a_move_into_the_users_own_file_keeps_both(config_file: Path, state: StateStore) -> None:
    mine = '# mine\ntheme = "nord"\nshow_drafts = false\n\n[keymap]\n"app.quit" = "ctrl+q"\n'
    config_file.write_text(mine, encoding="utf-8")
    old_state(state)
    loaded, moved = load_for_tui(state, config_file)
    assert moved is not None and not loaded.problems
    config = loaded.config
    assert config.theme == "nord"
    assert config.show_drafts is False  # the file's own value wins...
    text = config_file.read_text(encoding="utf-8")
    assert "# state.json had show_drafts = true (this file sets it; kept here)" in text  # ...kept
    assert dict(config.keymap) == {
        "app.quit": "ctrl+q",
        "main.bookmark": "ctrl+b",
        "app.help": "f1",
    }
    assert config.feeds_refresh_on_start_minutes == 15  # a new [feeds] table at the end
    assert text.startswith("# Moved from state.json on ")
    ours = [line for line in mine.splitlines() if line]
    assert [line for line in text.splitlines() if line in ours] == ours  # all, in order


def test_a_move_cut_short_is_finished_without_writing_twice(
    config_file: Path, state: StateStore
) -> None:
    old_state(state)
    load_for_tui(state, config_file)
    text = config_file.read_text(encoding="utf-8")
    state.update_settings({"keymap": {"main.bookmark": "ctrl+b", "app.help": "f1"}})  # as if
    _, moved = load_for_tui(state, config_file)  # the state write had not landed
    assert moved is not None and "keymap" not in state.settings()
    assert config_file.read_text(encoding="utf-8") == text


def test_the_cli_moves_the_settings_too(config_file: Path, isolated_data_dir: Path) -> None:
    library = Library.open(isolated_data_dir)
    library.state.update_settings({"show_drafts": True})
    code, _, err = run("list")
    assert code == 0 and f"reader: moved show_drafts from state.json to {config_file}" in err
    assert load_config(config_file).config.show_drafts is True


# -- reader config ----------------------------------------------------------------------


def test_reader_config_prints_the_path_and_the_settings(config_file: Path) -> None:
    config_file.write_text(GOOD, encoding="utf-8")
    code, out, err = run("config")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == f"# {config_file}"
    for line in ('theme = "nord"', "reading_width = 72", 'mark_read = "after-seconds"'):
        assert line in out
    assert "refresh_on_start_minutes = 30" in out and '"main.bookmark" = "ctrl+b"' in out


def test_reader_config_with_no_file_says_every_setting_is_default(config_file: Path) -> None:
    code, out, _ = run("config")
    assert code == 0
    assert out.splitlines()[0] == f"# {config_file} (there is none: every setting is default)"
    assert "reading_width = 80  # default" in out and 'mark_read = "on-open"  # default' in out


def test_reader_config_names_each_problem_and_exits_1(config_file: Path) -> None:
    config_file.write_text('mark_read = "sometimes"\n', encoding="utf-8")
    code, out, err = run("config")
    assert code == 1 and 'mark_read = "on-open"  # default' in out
    assert f"reader: {config_file}:1: mark_read: unknown rule 'sometimes'" in err


def test_the_config_option_and_variable_name_the_file(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("reading_width = 100\n", encoding="utf-8")
    code, out, _ = run("--config", str(other), "config")
    assert code == 0 and out.startswith(f"# {other}\n") and "reading_width = 100\n" in out
    code, out, _ = run("config", env={"READER_CONFIG": str(other)})
    assert out.startswith(f"# {other}\n")


def test_config_init_writes_the_commented_defaults_once(config_file: Path) -> None:
    code, out, _ = run("config", "--init")
    assert code == 0 and out == f"wrote {config_file}\n"
    assert config_file.read_text(encoding="utf-8") == DEFAULT_TEXT
    config_file.write_text("reading_width = 100\n", encoding="utf-8")
    code, _, err = run("config", "--init")
    assert code == 1 and "exists already; not written over" in err
    assert config_file.read_text(encoding="utf-8") == "reading_width = 100\n"


def test_config_edit_opens_the_editor_and_shows_the_result(
    config_file: Path, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i '1i reading_width = 66' \"$1\"\n", encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    code, out, _ = run("config", "--edit", env={"EDITOR": str(editor), "VISUAL": ""})
    assert code == 0, out
    text = config_file.read_text(encoding="utf-8")
    assert text == "reading_width = 66\n" + DEFAULT_TEXT
    assert "reading_width = 66\n" in out  # the settings in effect, after the edit

"""The `reader` command: the TUI when run bare, and subcommands for scripts and pipes.

Every subcommand calls the same `reader.library.Library` the TUI uses.
Results go to stdout; errors go to stderr with a non-zero exit code. This
module holds the `cli` group and what its commands share (opening the
library once, the JSON of a post, problem reports); the commands live by
job in `posts`, `importing`, `bookmarks`, `search` and `configuring`, each registering
itself on the group when imported below.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from reader import __version__
from reader.library import Library, LibraryError
from reader.models import PostSummary
from reader.paths import config_path
from reader.state import StateStore, StateWriteError

__all__ = ["cli", "main"]


def summary_json(post: PostSummary) -> dict[str, Any]:
    """The JSON object for a post in `list` and friends."""
    return {
        "slug": post.slug,
        "title": post.title,
        "tags": list(post.tags),
        "sections": [s.heading for s in post.sections],
        "words": post.words,
        "reading_minutes": post.reading_minutes,
        "source": post.source,
        "date": post.date,
        "updated": post.updated,
        "authors": list(post.authors),
        "summary": post.summary,
        "draft": post.draft,
        "lang": post.lang,
        "url": post.url,
    }


def echo_json(data: object) -> None:
    """Print `data` as indented JSON."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


STATE_COMMANDS = frozenset({"bookmark", "unbookmark", "bookmarks", "import-bookmarks"})
"""Subcommands that show or change the user state: they stop when it cannot be read."""
READING_COMMANDS = frozenset({"list", "tags", "show", "search"})
"""Subcommands that show posts: on an empty library they say how to add some."""


def open_library(ctx: click.Context) -> Library:
    """The library for this invocation, opened once."""
    if "library" not in ctx.meta:
        try:
            # Only the TUI seeds an empty library with the sample posts: `reader
            # import` into a new data directory imports only what it is given.
            # The TUI reads what its first screen shows first, the rest after it.
            tui = ctx.parent is None
            ctx.meta["library"] = Library.open(
                ctx.find_root().params.get("data_dir"), seed=tui, lazy=tui
            )
        except LibraryError as error:
            raise click.ClickException(error.message) from None
        report_problems(ctx)
        if ctx.parent is not None:  # the TUI reads the config its own way (checking keys)
            use_config(ctx, ctx.meta["library"])
        for recovery in ctx.meta["library"].state.recoveries:
            click.echo(f"reader: {recovery}", err=True)
        if ctx.parent is not None:  # a subcommand: the TUI shows these its own way
            check_state(ctx.meta["library"].state, ctx.command.name in STATE_COMMANDS)
            if ctx.command.name in READING_COMMANDS and not len(ctx.meta["library"].posts):
                click.echo(f"reader: {EMPTY}", err=True)
    library: Library = ctx.meta["library"]
    return library


NOT_A_TERMINAL = (
    "the reader needs a terminal, and its output is not one; in a script or a pipe use "
    "`reader list`, `reader show SLUG` or `reader search QUERY`"
)
"""What a bare `reader` says when its output is redirected, instead of drawing into it."""

EMPTY = (
    "the library is empty: add posts with `reader import PATH` "
    "(a Markdown file, a folder of them or a digest)"
)
"""What the reading commands say on an empty library."""


def use_config(ctx: click.Context, library: Library) -> None:
    """Read the config file (after moving old settings out of the state) for a subcommand;
    say on stderr what is wrong in it."""
    from reader.config_file import load_and_move

    loaded, moved = load_and_move(library.state, config_path(ctx.find_root().params.get("config")))
    if moved:
        click.echo(f"reader: {moved}", err=True)
    for problem in loaded.problems:
        click.echo(f"reader: {problem}", err=True)
    library.use_config(loaded.config)


def report_problems(ctx: click.Context) -> None:
    """Print, once each, what the library found damaged and did about it."""
    problems = ctx.meta["library"].problems
    for problem in problems[ctx.meta.get("problems_shown", 0) :]:
        click.echo(f"reader: {problem}", err=True)
    ctx.meta["problems_shown"] = len(problems)


def check_state(state: StateStore, needed: bool) -> None:
    """Stop (exit 1) when the state cannot be read and the command needs it, else warn.

    Also says on stderr when a write waits for another process's lock.
    """
    state.on_wait = lambda message: click.echo(f"reader: {message}", err=True)
    if state.unreadable is None:
        return
    problem = f"cannot read your state file {state.path}: {state.unreadable.reason}"
    if needed:
        raise click.ClickException(f"{problem}; nothing changed")
    click.echo(f"reader: warning: {problem}", err=True)


def fail(message: str) -> str:
    """An error line, in the one style every command uses: `reader: error: ...`."""
    return f"reader: error: {message}"


def quiet_closed_pipe() -> None:
    """The reader of our stdout went away (`reader list | head -1`): stop quietly.

    Further writes, and the flush at exit, go to /dev/null instead of raising again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class ReaderGroup(click.Group):
    """The `reader` group: click's errors in our one style, a closed pipe is no error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; `reader: error: ...` on stderr for what click reports as `Error:`."""
        run: Any = super().main  # click's overloads cannot see through *args
        if not kwargs.pop("standalone_mode", True):
            return run(*args, standalone_mode=False, **kwargs)
        try:
            code = run(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo(fail("aborted"), err=True)
            sys.exit(1)
        except click.ClickException as error:
            if isinstance(error, click.UsageError) and error.ctx is not None:
                ctx = error.ctx
                click.echo(ctx.get_usage(), err=True)
                click.echo(
                    f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.", err=True
                )
            click.echo(fail(error.format_message()), err=True)
            sys.exit(error.exit_code)
        try:
            sys.stdout.flush()  # a pipe closed after the last write shows only here
        except BrokenPipeError:
            quiet_closed_pipe()
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a closed pipe ends it with success, as `head` meant it to."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            quiet_closed_pipe()
            ctx.exit(0)


@click.group(
    cls=ReaderGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="READER_DATA_DIR",
    help="Where the library and your bookmarks live (default: the user data directory).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="READER_CONFIG",
    help="The settings file (default: config.toml in the user config directory).",
)
@click.version_option(__version__, "--version", prog_name="reader")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, config: Path | None) -> None:
    """Read, search and keep a collection of posts.

    Run without a command to open the reader in the terminal.
    """
    if ctx.invoked_subcommand is None:
        # Under `reader serve` the app draws to a browser, through textual-serve's driver.
        if not os.environ.get("TEXTUAL_DRIVER") and not (
            sys.stdout.isatty() and sys.stdin.isatty()
        ):
            click.echo(fail(NOT_A_TERMINAL), err=True)
            ctx.exit(2)
        from reader.tui import run_app  # Textual loads only for the TUI.
        from reader.tui.settings import load_for_tui

        library = open_library(ctx)
        loaded, moved = load_for_tui(library.state, config_path(config))
        run_app(library, loaded, moved)


def save_error(error: StateWriteError) -> click.ClickException:
    """The CLI's message for a failed state write: the process ends, so nothing is retried.

    The change goes to a recovery file, which the message names.
    """
    library = click.get_current_context().meta.get("library")
    unsaved = ""
    if isinstance(library, Library):
        unsaved = library.state.describe_unsaved(library.state.save_unsaved())
    return click.ClickException(
        f"could not save to {error.path}: {error.reason}; {unsaved or 'nothing changed'}"
    )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="reader")


# The commands register themselves on `cli` when imported: after the group exists.
from reader.cli import (  # noqa: E402, F401
    bookmarks,
    configuring,
    feeds,
    importing,
    posts,
    search,
    serve,
)

"""`reader config`: where the settings file is, the settings in effect, and editing it."""

from __future__ import annotations

import click

from reader.cli import cli
from reader.config import LoadedConfig
from reader.config_file import ConfigExists, describe, write_default
from reader.paths import config_path, data_dir, state_path
from reader.state import StateStore

__all__ = ["config_command"]


def _load(ctx: click.Context) -> LoadedConfig:
    """The config file, checked as the TUI checks it, after the one-time move from the state."""
    from reader.tui.settings import load_for_tui  # the binding ids and themes are the TUI's

    root = ctx.find_root().params
    state = StateStore(state_path(data_dir(root.get("data_dir"))))
    loaded, moved = load_for_tui(state, config_path(root.get("config")))
    state.flush()
    if moved:
        click.echo(f"reader: {moved}", err=True)
    return loaded


def _say_problems(loaded: LoadedConfig) -> None:
    for problem in loaded.problems:
        click.echo(f"reader: {problem}", err=True)


@cli.command("config")
@click.option(
    "--edit", is_flag=True, help="Open the file in $VISUAL or $EDITOR (made first if need be)."
)
@click.option(
    "--init", is_flag=True, help="Write a commented file of the defaults (never over one)."
)
@click.pass_context
def config_command(ctx: click.Context, edit: bool, init: bool) -> None:
    """Print the settings file's path and the settings in effect.

    Exits with 1 when the file has problems (each named on stderr, with its line).
    """
    path = config_path(ctx.find_root().params.get("config"))
    if init:
        try:
            write_default(path)
        except ConfigExists:
            raise click.ClickException(
                f"{path} exists already; not written over (`reader config --edit` opens it)"
            ) from None
        except OSError as error:
            raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
        click.echo(f"wrote {path}")
        return
    if edit:
        loaded = _load(ctx)
        if not path.exists():
            write_default(path)
        click.edit(filename=str(path), editor=loaded.config.editor)
    from reader.tui.settings import default_keys

    loaded = _load(ctx)
    click.echo(describe(loaded, default_keys()), nl=False)
    _say_problems(loaded)
    if loaded.problems:
        ctx.exit(1)

"""`reader serve`: the same app in a browser, through textual-serve."""

from __future__ import annotations

import shlex
import sys

import click

from reader.cli import cli

__all__ = ["serve"]


@cli.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Loopback by default: anyone who can reach it can read and "
    "change your library.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the reader to a web browser: each browser tab runs its own reader.

    Open the address it prints. Stop it with ctrl+c.
    """
    from textual_serve.server import Server  # loaded only here: the web server is big

    data_dir = ctx.find_root().params.get("data_dir")
    command = [sys.executable, "-m", "reader"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    Server(shlex.join(command), host=host, port=port, title="reader").serve()

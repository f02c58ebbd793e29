"""The `reader` command: the TUI when run bare, and subcommands for scripts and pipes.

Every subcommand calls the same `reader.library.Library` the TUI uses.
Results go to stdout; errors go to stderr with a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from reader import __version__
from reader.library import Library
from reader.models import PostSummary

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
    }


def echo_json(data: object) -> None:
    """Print `data` as indented JSON."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def open_library(ctx: click.Context) -> Library:
    """The library for this invocation, opened once."""
    if "library" not in ctx.meta:
        ctx.meta["library"] = Library.open(ctx.find_root().params.get("data_dir"))
    library: Library = ctx.meta["library"]
    return library


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="READER_DATA_DIR",
    help="Where the library and your bookmarks live (default: the user data directory).",
)
@click.version_option(__version__, "--version", prog_name="reader")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Read, search and keep a collection of posts.

    Run without a command to open the reader in the terminal.
    """
    if ctx.invoked_subcommand is None:
        from reader.tui import run_app  # Textual loads only for the TUI.

        run_app(open_library(ctx))


@cli.command("list")
@click.option("--tag", help="Only posts with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_posts(ctx: click.Context, tag: str | None, as_json: bool) -> None:
    """List the posts in the library."""
    posts = open_library(ctx).summaries(tag)
    if as_json:
        echo_json([summary_json(p) for p in posts])
        return
    for post in posts:
        click.echo(f"{post.slug}\t{post.title}\t{', '.join(post.tags)}\t{post.reading_minutes} min")


@cli.command("tags")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_tags(ctx: click.Context, as_json: bool) -> None:
    """List every tag with its number of posts."""
    tags = open_library(ctx).tags()
    if as_json:
        echo_json([{"name": t.name, "count": t.count} for t in tags])
        return
    for tag in tags:
        click.echo(f"{tag.count}\t{tag.name}")


@cli.command("show")
@click.argument("slug")
@click.pass_context
def show(ctx: click.Context, slug: str) -> None:
    """Show one post: rendered in a terminal, plain Markdown in a pipe."""
    post = open_library(ctx).get(slug)
    if post is None:
        raise click.ClickException(f"no post with slug {slug!r} (try `reader list`)")
    if not sys.stdout.isatty():
        click.echo(f"# {post.title}\n\nTags: {', '.join(post.tags)}\n\n{post.body}", nl=False)
        return
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

    console = Console()
    console.print(Text(post.title, style="bold"))
    console.print(Text(", ".join(post.tags), style="dim"))
    console.print()
    console.print(Markdown(post.body, hyperlinks=False))


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import Markdown files, folders of them, or digests.

    Importing the same file again updates its post. Files that cannot be read
    are listed on stderr and the others are still imported; the exit code is
    1 when any failed.
    """
    library = open_library(ctx)
    show_progress = sys.stderr.isatty()

    def progress(count: int, current: str) -> None:
        if show_progress and count % 50 == 0:
            click.echo(f"\rread {count} documents…", nl=False, err=True)

    report = library.import_paths(paths, progress=progress)
    if show_progress:
        click.echo("\r\033[K", nl=False, err=True)
    for problem in report.problems:
        click.echo(f"reader: skipped {problem}", err=True)
    click.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.problems)} failed"
    )
    if report.problems:
        ctx.exit(1)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="reader")

"""`reader bookmark`, `unbookmark`, `bookmarks` and `import-bookmarks`: the user's marks."""

from __future__ import annotations

from pathlib import Path

import click

from reader.cli import cli, echo_json, open_library, save_error
from reader.cli.complete import complete_slugs
from reader.state import StateWriteError
from reader.storage import CorruptFileError

__all__ = ["bookmark", "bookmarks", "import_bookmarks", "unbookmark"]


@cli.command("bookmark")
@click.argument("slug", shell_complete=complete_slugs)
@click.option("--note", help="A note to keep with the bookmark (replaces an existing note).")
@click.pass_context
def bookmark(ctx: click.Context, slug: str, note: str | None) -> None:
    """Bookmark a post by its slug, or change the note of a bookmark."""
    library = open_library(ctx)
    existing = library.state.bookmark(slug)
    if library.posts.summary(slug) is None and existing is None:
        raise click.ClickException(f"no post with slug {slug!r} (try `reader list`)")
    try:
        library.state.add_bookmark(slug, note=note)
    except StateWriteError as error:
        raise save_error(error) from None
    click.echo(f"{'updated' if existing else 'bookmarked'} {slug}")


@cli.command("unbookmark")
@click.argument("slug", shell_complete=complete_slugs)
@click.pass_context
def unbookmark(ctx: click.Context, slug: str) -> None:
    """Remove the bookmark on a post."""
    try:
        removed = open_library(ctx).state.remove_bookmark(slug)
    except StateWriteError as error:
        raise save_error(error) from None
    if not removed:
        raise click.ClickException(f"no bookmark on {slug!r} (try `reader bookmarks`)")
    click.echo(f"removed bookmark on {slug}")


@cli.command("bookmarks")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option(
    "--export",
    "export",
    type=click.Choice(["md", "json"]),
    help="Print an export: a Markdown list, or JSON for `reader import-bookmarks`.",
)
@click.pass_context
def bookmarks(ctx: click.Context, as_json: bool, export: str | None) -> None:
    """List bookmarks, newest first. Bookmarks of posts no longer in the library show as missing."""
    if as_json and export:
        raise click.UsageError("use either --json or --export")
    from reader.bookmark_io import bookmark_json, export_json, export_markdown

    entries = open_library(ctx).bookmarked()
    if export == "md":
        click.echo(export_markdown(entries), nl=False)
    elif export == "json":
        click.echo(export_json(entries), nl=False)
    elif as_json:
        echo_json([bookmark_json(e) for e in entries])
    else:
        for entry in entries:
            title = f"(missing) {entry.title}" if entry.missing else entry.title
            note = " ".join(entry.bookmark.note.split())
            click.echo(f"{entry.bookmark.slug}\t{title}\t{entry.bookmark.created[:10]}\t{note}")


@cli.command("import-bookmarks")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_bookmarks(ctx: click.Context, file: Path) -> None:
    """Add the bookmarks of a JSON export (`reader bookmarks --export json`).

    Merges with the bookmarks you have: none is dropped, and a note you have is
    kept. Bookmarks of posts not in the library are kept too, shown as missing.
    """
    from reader.bookmark_io import read_bookmarks_file

    library = open_library(ctx)
    try:
        marks = read_bookmarks_file(file)
    except CorruptFileError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{file}: {error.strerror or error}") from None
    try:
        report = library.state.merge_bookmarks(marks)
    except StateWriteError as error:
        raise save_error(error) from None
    missing = len({m.slug for m in marks if library.posts.summary(m.slug) is None})
    line = f"{len(report.added)} added, {len(report.updated)} merged, "
    line += f"{len(report.unchanged)} unchanged"
    if missing:
        line += f" ({missing} for posts not in the library)"
    click.echo(line)

"""`reader import`, `sources`, `sync` and `remove`: what goes into the library."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from reader.cli import cli, echo_json, open_library, report_problems
from reader.cli.complete import complete_slugs, complete_sources
from reader.library import INDEXING, LibraryError, ProgressCallback
from reader.text import plural

__all__ = ["import_", "progress_line", "remove", "sources", "sync"]


def progress_line(
    verb: str, total: Callable[[], int] | None = None
) -> tuple[ProgressCallback, Callable[[], None]]:
    """A progress callback drawing on stderr when it is a terminal (nothing in a pipe or a
    file), and a call that clears it.

    With `total` (called only on a terminal: counting the files costs a walk of
    the folders), a bar with the documents read, their rate and the time left
    (`click.progressbar`); otherwise one line with the count.
    """
    show = sys.stderr.isatty()
    length = total() if show and total is not None else 0
    started = time.perf_counter()
    bar = (
        click.progressbar(
            length=length,
            label=verb,
            file=sys.stderr,
            show_eta=True,
            show_pos=True,
            item_show_func=lambda rate: rate,
        )
        if length
        else None
    )

    def progress(count: int, current: str) -> None:
        if not show:
            return
        if current == INDEXING:
            if bar is not None:
                bar.render_finish()
            click.echo(f"\r\033[Ksaving and indexing {plural(count, 'post')}…", nl=False, err=True)
        elif bar is not None:
            if count % 20 == 0 or count >= length:
                rate = count / max(time.perf_counter() - started, 1e-6)
                bar.update(min(count, length) - bar.pos, f"{rate:,.0f} documents/s")
        elif count % 50 == 0:
            click.echo(f"\r{verb} {plural(count, 'document')}…", nl=False, err=True)

    def clear() -> None:
        if show:
            click.echo("\r\033[K", nl=False, err=True)

    return progress, clear


def count_files(paths: tuple[Path, ...]) -> int:
    """How many files `reader import` will read from `paths` (a digest counts as one)."""
    from reader.importer import find_files

    return sum(1 for found in find_files(paths) if isinstance(found, Path))


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import Markdown files, folders of them, digests, feed files or OPML.

    Importing the same file again updates its post. The folders and files are
    remembered (`reader sources`) for `reader sync`. The first import into a
    library holding only the sample posts replaces them. Files that cannot be
    read are listed on stderr and the others are still imported; the exit code
    is 1 when any failed.
    """
    from reader.cli.feeds import import_feed_paths
    from reader.library_sources import import_sources

    rest, feeds_failed = import_feed_paths(ctx, paths)
    if not rest:
        ctx.exit(1 if feeds_failed else 0)
    paths = tuple(rest)
    library = open_library(ctx)
    progress, clear = progress_line("reading", lambda: count_files(paths))
    try:
        report = import_sources(library, paths, progress=progress)
    except LibraryError as error:
        clear()
        raise click.ClickException(error.message) from None
    clear()
    report_problems(ctx)
    for problem in report.problems:
        click.echo(f"reader: skipped {problem}", err=True)
    click.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.problems)} failed"
    )
    if report.samples_removed:
        click.echo(
            f"the {plural(len(report.samples_removed), 'sample post')} "
            f"{'was' if len(report.samples_removed) == 1 else 'were'} removed: "
            "the library holds only what you import now"
        )
    if report.problems or feeds_failed:
        ctx.exit(1)


@cli.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the folders and files imported, with their number of posts."""
    from reader.library_sources import source_counts

    counts = source_counts(open_library(ctx))
    report_problems(ctx)
    if as_json:
        echo_json(
            [
                {"path": c.source.path, "kind": c.source.kind, "posts": c.posts, "exists": c.exists}
                for c in counts
            ]
        )
        return
    if not counts:
        click.echo("reader: no sources yet: add some with `reader import PATH`", err=True)
    for count in counts:
        missing = "" if count.exists else "\t(missing)"
        click.echo(f"{count.posts}\t{count.source.path}{missing}")


@cli.command("sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Import again what changed in the folders and files imported (`reader sources`).

    Unchanged files are skipped, new ones added, and the posts of files that
    are gone removed; their bookmarks are kept and shown as missing. The exit
    code is 1 when something could not be read.
    """
    from reader.library_sources import sync as sync_sources

    library = open_library(ctx)
    if not library.sources.sources():
        click.echo(
            "reader: nothing to sync: `reader import PATH` remembers what it imports", err=True
        )
    progress, clear = progress_line("checked")
    try:
        report = sync_sources(library, progress=progress)
    except LibraryError as error:
        clear()
        raise click.ClickException(error.message) from None
    clear()
    report_problems(ctx)
    for problem in report.problems:
        click.echo(f"reader: skipped {problem}", err=True)
    for path in report.forgotten:
        click.echo(
            f"reader: {path} was deleted: its posts are removed and it is forgotten", err=True
        )
    click.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
        f"{plural(len(report.problems), 'problem')}"
    )
    if report.problems:
        ctx.exit(1)


@cli.command("remove")
@click.argument("slugs", nargs=-1, shell_complete=complete_slugs)
@click.option(
    "--source",
    "source",
    type=click.Path(path_type=Path),
    shell_complete=complete_sources,
    help="Remove every post from this file or folder, and forget it (see `reader sources`).",
)
@click.option("--samples", is_flag=True, help="Remove the sample posts (they do not come back).")
@click.pass_context
def remove(ctx: click.Context, slugs: tuple[str, ...], source: Path | None, samples: bool) -> None:
    """Remove posts by slug, from a source, or the sample posts.

    All or nothing: an unknown slug removes none. Bookmarks of removed posts
    are kept and shown as missing; importing the post again brings them back.
    A post removed by slug from a folder `reader sync` watches comes back at
    the next sync while its file is there.
    """
    from reader.library_sources import posts_of_source, remove_samples, remove_source

    if sum((bool(slugs), source is not None, samples)) != 1:
        raise click.UsageError("give slugs, --source PATH or --samples (one of them)")
    library = open_library(ctx)
    try:
        if samples:
            removed = remove_samples(library)
        elif source is not None:
            path = str(source.resolve())
            if library.sources.source(path) is None and not posts_of_source(library, path):
                raise click.ClickException(
                    f"{source} is not a source of the library (see `reader sources`)"
                )
            removed = remove_source(library, path)
        else:
            unknown = [s for s in slugs if library.posts.summary(s) is None]
            if unknown:
                raise click.ClickException(
                    f"no post with slug {', '.join(map(repr, unknown))}: nothing removed "
                    "(try `reader list`)"
                )
            removed = library.remove(slugs)
    except LibraryError as error:
        raise click.ClickException(error.message) from None
    report_problems(ctx)
    marked = library.state.bookmarked_slugs() & set(removed)
    line = f"removed {plural(len(removed), 'post')}"
    if marked:
        line += f"; {plural(len(marked), 'bookmark')} kept, shown as missing"
    click.echo(line)

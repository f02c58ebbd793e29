"""Feed commands: `add`, `feeds`, `unsubscribe`, `refresh`, `export --opml`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.cli import cli, echo_json, open_library
from reader.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from reader.feeds.subscriptions import Subscription
from reader.storage import CorruptFileError
from reader.text import plural

__all__ = ["add", "export", "feeds", "import_feed_paths", "refresh", "unsubscribe"]

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each feed.",
)
size_option = click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="The largest response read, in bytes.",
)


def _stop(error: Exception) -> click.ClickException:
    if isinstance(error, CorruptFileError):
        return click.ClickException(f"{error}; nothing changed")
    if isinstance(error, OSError):
        return click.ClickException(f"{error.filename or ''}: {error.strerror or error}")
    return click.ClickException(str(error))


FAILURES = (OSError, CorruptFileError)


@cli.command("add")
@click.argument("url")
@timeout_option
@size_option
@click.pass_context
def add(ctx: click.Context, url: str, timeout: float, max_size: int) -> None:
    """Subscribe to a feed (RSS, Atom, JSON Feed), or the feed a web page links to."""
    from reader.feeds.subscribe import FeedError, subscribe

    library = open_library(ctx)
    try:
        sub, report = subscribe(library, url, timeout, max_size)
    except (FeedError, *FAILURES) as error:
        raise _stop(error) from None
    click.echo(f"subscribed to {sub.name} ({sub.url}): {plural(len(report.added), 'new post')}")
    for name, reason in report.errors:
        click.echo(f"reader: {name}: {reason}", err=True)


def _count(ctx: click.Context, sub: Subscription) -> int:
    from reader.feeds.refresh import feed_posts

    return len(feed_posts(open_library(ctx), sub.key))


@cli.command("feeds")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """List the subscriptions: title, URL, posts, last fetched, last error."""
    from reader.feeds.refresh import store_for

    library = open_library(ctx)
    try:
        subs = store_for(library).load()
    except FAILURES as error:
        raise _stop(error) from None
    rows = [
        {
            "title": s.title,
            "url": s.url,
            "posts": _count(ctx, s),
            "fetched": s.fetched or None,
            "error": s.error or None,
        }
        for s in subs
    ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no subscriptions: add one with `reader add URL`", err=True)
    for row, sub in zip(rows, subs, strict=True):
        posts = plural(int(row["posts"] or 0), "post")
        line = f"{sub.name}\t{sub.url}\t{posts}\t{sub.fetched or 'never fetched'}"
        click.echo(line + (f"\terror: {sub.error}" if sub.error else ""))


@cli.command("unsubscribe")
@click.argument("feed")
@click.pass_context
def unsubscribe(ctx: click.Context, feed: str) -> None:
    """Unsubscribe from a feed (URL or name): its posts go, bookmarks stay as missing."""
    from reader.feeds.subscribe import FeedError
    from reader.feeds.subscribe import unsubscribe as drop

    library = open_library(ctx)
    try:
        sub, removed = drop(library, feed)
    except (FeedError, *FAILURES) as error:
        raise _stop(error) from None
    click.echo(f"unsubscribed from {sub.name}: {plural(len(removed), 'post')} removed")


@cli.command("refresh")
@click.argument("names", nargs=-1)
@timeout_option
@size_option
@click.pass_context
def refresh(ctx: click.Context, names: tuple[str, ...], timeout: float, max_size: int) -> None:
    """Fetch every subscription (or the named ones) and import what is new.

    Every feed that fails is named with the reason on stderr, and the others go
    on; the exit code is 1 when any failed.
    """
    from reader.feeds.refresh import refresh as run

    library = open_library(ctx)
    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=1, label="refreshing", file=sys.stderr)

    def progress(count: int, total: int, sub: Subscription) -> None:
        if bar is not None:
            bar.length = total
            bar.label = sub.name
            bar.update(1)

    try:
        report = run(library, names, timeout, max_size, progress)
    except FAILURES as error:
        raise _stop(error) from None
    finally:
        if bar is not None:
            bar.render_finish()
    for name, reason in report.errors:
        click.echo(f"reader: {name}: {reason}", err=True)
    click.echo(report.line())
    if report.errors:
        ctx.exit(1)


@cli.command("export")
@click.option("--opml", is_flag=True, required=True, help="The subscriptions as OPML.")
@click.pass_context
def export(ctx: click.Context, opml: bool) -> None:
    """Print the subscriptions as OPML, for another feed reader."""
    from reader.feeds.opml import write_opml
    from reader.feeds.refresh import store_for

    try:
        subs = store_for(open_library(ctx)).load()
    except FAILURES as error:
        raise _stop(error) from None
    click.echo(write_opml(subs), nl=False)


def import_feed_paths(ctx: click.Context, paths: tuple[Path, ...]) -> tuple[list[Path], bool]:
    """Import the feed and OPML files among `paths`; the other paths, and whether any failed."""
    from reader.feeds.subscribe import OPML, FeedError, import_feed_file, is_feed_file

    rest: list[Path] = []
    failed = False
    for path in paths:
        if not is_feed_file(path):
            rest.append(path)
            continue
        try:
            added, updated, warning = import_feed_file(open_library(ctx), path)
        except (FeedError, *FAILURES) as error:
            click.echo(f"reader: skipped {_stop(error).message}", err=True)
            failed = True
            continue
        if warning == OPML:
            feeds = plural(len(added), "feed")
            click.echo(f"{path}: {feeds} subscribed (`reader refresh` fetches them)")
            continue
        if warning:
            click.echo(f"reader: {path}: {warning}", err=True)
        click.echo(f"{path}: {len(added)} added, {len(updated)} updated")
    return rest, failed

"""The `reader` command: the TUI when run bare, and subcommands for scripts and pipes.

Every subcommand calls the same `reader.library.Library` the TUI uses.
Results go to stdout; errors go to stderr with a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from reader.search import SearchHit

from reader import __version__
from reader.library import INDEXING, Library, LibraryError, ProgressCallback
from reader.models import PostSummary
from reader.sorting import SortOrder
from reader.state import StateStore, StateWriteError
from reader.storage import CorruptFileError

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
            ctx.meta["library"] = Library.open(
                ctx.find_root().params.get("data_dir"), seed=ctx.parent is None
            )
        except LibraryError as error:
            raise click.ClickException(error.message) from None
        report_problems(ctx)
        opened: Library = ctx.meta["library"]
        opened.show_drafts = opened.state.settings().get("show_drafts") is True
        for recovery in ctx.meta["library"].state.recoveries:
            click.echo(f"reader: {recovery}", err=True)
        if ctx.parent is not None:  # a subcommand: the TUI shows these its own way
            check_state(ctx.meta["library"].state, ctx.command.name in STATE_COMMANDS)
            if ctx.command.name in READING_COMMANDS and not len(ctx.meta["library"].posts):
                click.echo(f"reader: {EMPTY}", err=True)
    library: Library = ctx.meta["library"]
    return library


EMPTY = (
    "the library is empty: add posts with `reader import PATH` "
    "(a Markdown file, a folder of them or a digest)"
)
"""What the reading commands say on an empty library."""


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
@click.option(
    "--sort",
    "order",
    type=click.Choice([o.value for o in SortOrder]),
    help="newest or oldest first (undated posts last), title (natural order), "
    "time (shortest first) or imported. Default: newest when any post has a date, "
    "else imported.",
)
@click.option("--drafts", is_flag=True, help="Include drafts (hidden by default).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_posts(
    ctx: click.Context, tag: str | None, order: str | None, drafts: bool, as_json: bool
) -> None:
    """List the posts in the library (drafts only with --drafts or the show_drafts setting)."""
    library = open_library(ctx)
    chosen = SortOrder(order) if order is not None else library.orders().default
    posts = library.summaries(tag, chosen, drafts=drafts or None)
    if tag is not None and not posts:
        click.echo(f"reader: no post has the tag {tag!r} (see `reader tags`)", err=True)
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
    report_problems(ctx)  # a body file is read, and may be found damaged, only now
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


def progress_line(verb: str) -> tuple[ProgressCallback, Callable[[], None]]:
    """A progress callback drawing one line on stderr when it is a terminal, and a call
    that clears the line."""
    show = sys.stderr.isatty()

    def progress(count: int, current: str) -> None:
        if not show:
            return
        if current == INDEXING:
            click.echo(f"\r\033[Ksaving and indexing {count} posts…", nl=False, err=True)
        elif count % 50 == 0:
            click.echo(f"\r{verb} {count} documents…", nl=False, err=True)

    def clear() -> None:
        if show:
            click.echo("\r\033[K", nl=False, err=True)

    return progress, clear


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import Markdown files, folders of them, or digests.

    Importing the same file again updates its post. The folders and files are
    remembered (`reader sources`) for `reader sync`. The first import into a
    library holding only the sample posts replaces them. Files that cannot be
    read are listed on stderr and the others are still imported; the exit code
    is 1 when any failed.
    """
    from reader.library_sources import import_sources

    library = open_library(ctx)
    progress, clear = progress_line("read")
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
            f"the {len(report.samples_removed)} sample posts were removed: "
            "the library holds only what you import now"
        )
    if report.problems:
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
        f"{len(report.problems)} problems"
    )
    if report.problems:
        ctx.exit(1)


@cli.command("remove")
@click.argument("slugs", nargs=-1)
@click.option(
    "--source",
    "source",
    type=click.Path(path_type=Path),
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
    line = f"removed {len(removed)} post{'' if len(removed) == 1 else 's'}"
    if marked:
        line += f"; {len(marked)} bookmarks kept, shown as missing"
    click.echo(line)


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


@cli.command("bookmark")
@click.argument("slug")
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
@click.argument("slug")
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


@cli.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--tag", help="Only posts with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def search(
    ctx: click.Context, query: tuple[str, ...], limit: int, tag: str | None, as_json: bool
) -> None:
    """Search the library, best matches first.

    Words must all match (the last also as a prefix); "quoted phrases";
    -word excludes; tag:NAME or tag:"Two Words"; is:bookmarked, is:unread;
    is:draft (drafts are left out otherwise).
    """
    results = open_library(ctx).search(" ".join(query), limit=limit, tag=tag)
    report_problems(ctx)  # a damaged search index is found, and rebuilt, only now
    for problem in results.problems:
        click.echo(f"reader: {problem}", err=True)
    if as_json:
        echo_json([hit_json(hit) for hit in results.hits])
        return
    bold = sys.stdout.isatty()
    for hit in results.hits:
        where = f" § {hit.section.heading}" if hit.section else ""
        click.echo(f"{hit.slug}\t{hit.title}\t{hit.score:.2f}{where}")
        if hit.snippet.text:
            click.echo(f"    {marked(hit.snippet.text, hit.snippet.marks, bold)}")
    if not results.hits:
        click.echo("no matches", err=True)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """The JSON object for one search result."""
    return {
        "slug": hit.slug,
        "title": hit.title,
        "tags": list(hit.tags),
        "score": hit.score,
        "snippet": hit.snippet.text,
        "marks": [list(span) for span in hit.snippet.marks],
        "section": hit.section.heading if hit.section else None,
        "anchor": hit.section.anchor if hit.section else None,
    }


def marked(text: str, marks: tuple[tuple[int, int], ...], bold: bool) -> str:
    """`text` with its marked spans in ANSI bold when `bold`; unchanged otherwise."""
    if not bold:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in marks:
        pieces.append(f"{text[last:start]}\033[1m{text[start:end]}\033[22m")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="reader")

"""`reader list`, `reader tags` and `reader show`: the posts of the library."""

from __future__ import annotations

import shutil
import sys

import click

from reader.cli import cli, echo_json, open_library, report_problems, summary_json
from reader.cli.complete import complete_slugs, complete_tags
from reader.sorting import SortOrder

__all__ = ["list_posts", "list_tags", "show"]


@cli.command("list")
@click.option("--tag", help="Only posts with this tag.", shell_complete=complete_tags)
@click.option(
    "--sort",
    "order",
    type=click.Choice([o.value for o in SortOrder]),
    help="newest or oldest first (undated posts last), title (natural order), "
    "time (shortest first) or imported. Default: the config's sort, else newest when "
    "any post has a date, else imported.",
)
@click.option("--drafts", is_flag=True, help="Include drafts (hidden by default).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_posts(
    ctx: click.Context, tag: str | None, order: str | None, drafts: bool, as_json: bool
) -> None:
    """List the posts in the library (drafts only with --drafts or the show_drafts setting)."""
    library = open_library(ctx)
    default = library.config.sort or library.orders().default
    chosen = SortOrder(order) if order is not None else default
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
@click.argument("slug", shell_complete=complete_slugs)
@click.pass_context
def show(ctx: click.Context, slug: str) -> None:
    """Show one post: rendered and paged ($PAGER) in a terminal, plain Markdown in a pipe."""
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

    # Rendered at the terminal's width, then paged: $PAGER, else less or more.
    console = Console(force_terminal=True, width=shutil.get_terminal_size().columns)
    with console.capture() as page:
        console.print(Text(post.title, style="bold"))
        console.print(Text(", ".join(post.tags), style="dim"))
        console.print()
        console.print(Markdown(post.body, hyperlinks=False))
    click.echo_via_pager(page.get())

"""`reader search`: a query as written, with `-word` a word and not an option."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from reader.cli import cli, echo_json, fail, open_library, report_problems
from reader.cli.complete import complete_tags

if TYPE_CHECKING:
    from reader.search import SearchHit

__all__ = ["QueryCommand", "hit_json", "marked", "search"]


class QueryCommand(click.Command):
    """A command whose arguments are a query as written: `-word` is a word, not an option.

    Only this command's own options (`--limit 5`, `-n 5`, `--tag=x`, `--json`,
    `--help`) are read as options, wherever they stand; everything else,
    `-rag` and `-nginx` included, goes to the query in order. A `--` still
    ends the options.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with_value: set[str] = set()
        flags = set(self.get_help_option_names(ctx))
        for param in self.params:
            if isinstance(param, click.Option):
                names = [*param.opts, *param.secondary_opts]
                (flags if param.is_flag else with_value).update(names)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            name = arg.split("=", 1)[0]
            if arg == "--":
                words.extend(rest)
            elif arg in flags:
                options.append(arg)
            elif arg in with_value:
                value = next(rest, None)
                if value is None:  # the last argument: click says its value is missing
                    return super().parse_args(ctx, [arg])
                options.extend([arg, value])
            elif name in with_value and name.startswith("--"):
                options.append(arg)  # --limit=5
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@cli.command("search", cls=QueryCommand)
@click.argument("query", nargs=-1)
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--tag", help="Only posts with this tag.", shell_complete=complete_tags)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--saved", is_flag=True, help="List the saved searches with their counts.")
@click.option("--save", is_flag=True, help="Save QUERY (as ctrl+s in the search bar does).")
@click.option("--unsave", is_flag=True, help="Remove QUERY from the saved searches.")
@click.pass_context
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    limit: int,
    tag: str | None,
    as_json: bool,
    saved: bool,
    save: bool,
    unsave: bool,
) -> None:
    """Search the library, best matches first; exit 1 when nothing matches.

    Words must all match, as written first (word* also finds longer words,
    other forms of a word and typos match too); "quoted phrases"; -word
    excludes; a OR b, (a b) OR c; tag:NAME or tag:"Two Words"; is:bookmarked,
    is:unread; is:draft (drafts are left out otherwise); note:WORD, is:noted;
    after:2024-01, before:2025-06-30, year:2023 (a period is inside the range).
    An unknown is: value or field, or a bad date, exits with 2.

    --saved lists the saved searches (query and how many posts each finds);
    --save QUERY and --unsave QUERY pin and unpin one.
    """
    from reader.search import QueryError

    if saved or save or unsave:
        from reader.cli.saved_searches import saved_searches

        saved_searches(ctx, " ".join(query), as_json, save=save, unsave=unsave)
        return
    if not query:
        raise click.UsageError("Missing argument 'QUERY...'.")

    try:
        results = open_library(ctx).search(" ".join(query), limit=limit, tag=tag)
    except QueryError as error:
        click.echo(fail(error.message), err=True)
        ctx.exit(2)
    report_problems(ctx)  # a damaged search index is found, and rebuilt, only now
    for problem in results.problems:
        click.echo(f"reader: {problem}", err=True)
    if as_json:
        echo_json([hit_json(hit) for hit in results.hits])
    else:
        bold = sys.stdout.isatty()
        for hit in results.hits:
            where = f" § {hit.section.heading}" if hit.section else ""
            click.echo(f"{hit.slug}\t{hit.title}\t{hit.score:.2f}{where}")
            if hit.snippet.text:
                click.echo(f"    {marked(hit.snippet.text, hit.snippet.marks, bold)}")
    if not results.hits:
        if not as_json:
            click.echo(results.nothing_found(), err=True)
        ctx.exit(1)  # as grep does


def hit_json(hit: SearchHit) -> dict[str, Any]:
    """The JSON object for one search result."""
    return {
        "slug": hit.slug,
        "title": hit.title,
        "tags": list(hit.tags),
        "score": hit.score,
        "exact": hit.exact,
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

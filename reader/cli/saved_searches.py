"""`reader search --saved`, `--save QUERY`, `--unsave QUERY`: the pinned searches."""

from __future__ import annotations

import click

from reader.cli import echo_json, open_library, report_problems, save_error
from reader.state import StateWriteError

__all__ = ["saved_searches"]


def saved_searches(
    ctx: click.Context, query: str, as_json: bool, *, save: bool, unsave: bool
) -> None:
    """List the saved searches, or pin (`save`) or unpin (`unsave`) `query`.

    Exit codes: 0 done; 1 nothing to list, or `--unsave` of a query not
    saved; 2 a bad use (both or neither of query and action, an empty query);
    a failed write says where the change was kept, as the bookmark commands do.
    """
    if save and unsave:
        raise click.UsageError("--save and --unsave cannot be used together.")
    library = open_library(ctx)
    if save or unsave:
        if not query.strip():
            raise click.UsageError("an empty search cannot be saved; give the query to save.")
        try:
            changed = library.save_search(query) if save else library.remove_saved_search(query)
        except StateWriteError as error:
            raise save_error(error) from None
        if save:
            click.echo("saved" if changed else "already saved", err=True)
        else:
            click.echo("removed" if changed else "not a saved search", err=True)
            if not changed:
                ctx.exit(1)
        return
    if query.strip():
        raise click.UsageError("--saved takes no query; use --save QUERY to save one.")
    rows = [(s, library.saved_search_count(s.query)) for s in library.saved_searches()]
    report_problems(ctx)
    if as_json:
        echo_json([{"query": s.query, "count": n, "created": s.created} for s, n in rows])
    else:
        for s, n in rows:
            click.echo(f"{'?' if n is None else n}\t{s.query}")
    if not rows:
        if not as_json:
            click.echo("no saved searches", err=True)
        ctx.exit(1)

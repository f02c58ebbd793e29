"""Shell completion of the values the library knows: slugs, tags and sources.

Click calls these while the user presses tab (see "Shell completion" in the
README); they never print and never fail, and an unusable library completes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from click.shell_completion import CompletionItem

from reader.library import Library
from reader.text import plural

__all__ = ["complete_slugs", "complete_sources", "complete_tags"]


def _library(ctx: click.Context) -> Library | None:
    try:
        return Library.open(ctx.find_root().params.get("data_dir"), seed=False)
    except Exception:  # completing is best effort: a broken library offers nothing
        return None


def _completer(
    values: Callable[[Library], list[tuple[str, str]]],
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        library = _library(ctx)
        if library is None:
            return []
        try:
            found = values(library)
        except Exception:  # as above: never a traceback in the user's shell
            return []
        return [CompletionItem(v, help=h or None) for v, h in found if v.startswith(incomplete)]

    return complete


complete_slugs = _completer(lambda library: [(p.slug, p.title) for p in library.summaries()])
"""Completes a post's slug, with its title as the help (zsh and fish show it)."""

complete_tags = _completer(
    lambda library: [(t.name, plural(t.count, "post")) for t in library.tags()]
)
"""Completes a tag name."""

complete_sources = _completer(lambda library: [(s.path, s.kind) for s in library.sources.sources()])
"""Completes an imported file or folder (`reader sources`)."""

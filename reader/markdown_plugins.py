"""The Markdown extensions posts are written with, added to the shared markdown-it parser.

Footnotes, task lists, definition lists and `$…$`/`$$…$$` math come from
mdit-py-plugins. Obsidian's wikilinks (`[[Note]]`, `[[Note|alias]]`,
`[[Note#Heading]]`, `![[embed]]`) are our own inline rule, which makes them
ordinary `link_open`/`text`/`link_close` tokens, so everything that reads
links (headings' text, the reader's link list) reads them too; the link's
`meta` says it is a wikilink.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = ["use_plugins", "wikilink_label"]


def use_plugins(parser: MarkdownIt) -> MarkdownIt:
    """`parser` with footnotes, task lists, definition lists, math and wikilinks."""
    parser.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    # Not `$5 and $10`: no space inside the dollars, no digit right after the closing one.
    parser.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    parser.inline.ruler.before("link", "wikilink", _wikilink)
    return parser


def wikilink_label(target: str, alias: str = "") -> str:
    """What a wikilink shows: its alias, else the note and heading (`Note > Heading`)."""
    if alias.strip():
        return alias.strip()
    note, _, heading = target.partition("#")
    note, heading = note.strip(), heading.strip().lstrip("^")
    if note and heading:
        return f"{note} > {heading}"
    return note or heading or target


def _wikilink(state: StateInline, silent: bool) -> bool:
    src = state.src
    start = state.pos
    embed = src.startswith("!", start)
    opening = start + 1 if embed else start
    if not src.startswith("[[", opening):
        return False
    end = src.find("]]", opening + 2)
    if end < 0:
        return False
    inner = src[opening + 2 : end]
    if not inner.strip() or "\n" in inner or "[" in inner:
        return False
    target, _, alias = inner.partition("|")
    target = target.strip()
    if embed and alias.strip().replace("x", "").isdigit():
        alias = ""  # `![[image.png|300]]` is a size, not a name
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": target}
        token.meta = {"wikilink": True, "embed": embed}
        text = state.push("text", "", 0)
        text.content = wikilink_label(target, alias)
        state.push("link_close", "a", -1)
    state.pos = end + 2
    return True

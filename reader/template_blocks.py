"""Template tags that stand for whole blocks, on lines of their own, made Markdown blocks.

Hugo's `highlight` (and `mermaid`, `chart`, `code`) and Liquid's `highlight`
become fenced code keeping their lines; box shortcodes (Hugo's `alert` and
`notice`, Zola's `admonition`) become callouts (`> [!tip] Title`), which the
reader draws as titled boxes. Both work on the lines of a body with each
line's kind (code, text, HTML block) from `reader.markup`, in place; lines of
code are never looked into.
"""

from __future__ import annotations

import re
from functools import cache

from reader.markup import CODE, HTML, TEXT
from reader.templates import fence_open

__all__ = ["boxes", "code_blocks"]

# A line that opens or closes a block of code written as a template tag: Hugo's
# `highlight` (and the shortcodes that draw code: mermaid, chart, code), Liquid's
# `highlight`. Matched line by line, only on lines outside code.
_CODE_OPEN = re.compile(
    r"^\s*(?:\{\{[<%]-?\s*(highlight|mermaid|chart|code)\b([^}]*?)-?[>%]\}\}"
    r"|\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}"
    r"|\{%-?\s*(mermaid)\s*\([^)]*\)\s*-?%\})\s*$"
)
_CODE_CLOSE = {
    "hugo": re.compile(r"^\s*\{\{[<%]-?\s*/\s*(highlight|mermaid|chart|code)\s*-?[>%]\}\}\s*$"),
    "liquid": re.compile(r"^\s*\{%-?\s*endhighlight\s*-?%\}\s*$"),
    "zola": re.compile(r"^\s*\{%-?\s*end\s*-?%\}\s*$"),
}
_FIRST_WORD = re.compile(r"""["']?([\w+#.-]+)""")


def code_blocks(lines: list[str], kinds: list[int]) -> None:
    """Turn `{{< highlight go >}}…{{< /highlight >}}` and the like into fenced code, in place."""
    i = 0
    while i < len(lines):
        if kinds[i] == CODE or "{" not in lines[i]:
            i += 1
            continue
        match = _CODE_OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        dialect = "hugo" if match.group(1) else "liquid" if match.group(3) else "zola"
        closer = _CODE_CLOSE[dialect]
        end = next((j for j in range(i + 1, len(lines)) if closer.match(lines[j])), -1)
        if end < 0:
            i += 1
            continue
        if match.group(1):
            name = match.group(1)
            word = _FIRST_WORD.match(match.group(2).strip())
            lang = name if name in ("mermaid", "chart") else (word.group(1) if word else "")
            if "=" in lang:
                lang = ""
        else:
            lang = match.group(3) or match.group(4)
        inner = lines[i + 1 : end]
        fence = fence_open(inner)
        lines[i : end + 1] = [f"{fence}{lang}", *inner, fence]
        kinds[i : end + 1] = [CODE] * (len(inner) + 2)
        i += len(inner) + 2


def boxes(lines: list[str], kinds: list[int]) -> None:
    """Turn box shortcodes on lines of their own (Hugo's `alert`, `notice`; Zola's
    `admonition`) into callouts (`> [!tip] Title`), which the reader draws as boxes."""
    i = 0
    while i < len(lines):
        match = None if kinds[i] != TEXT or "{" not in lines[i] else _BOX_OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        name = match.group(1) or match.group(3)
        closer = _BOX_CLOSE_ZOLA if match.group(3) else _box_close(name)
        end = next(
            (j for j in range(i + 1, len(lines)) if kinds[j] != CODE and closer.match(lines[j])),
            -1,
        )
        inner = range(i + 1, end)
        if end < 0 or any(kinds[j] == HTML or _BOX_OPEN.match(lines[j]) for j in inner):
            i += 1
            continue
        kind, title = _box_kind(name, match.group(2) or match.group(4) or "")
        lines[i] = f"> [!{kind}]{' ' + title if title else ''}"
        for j in inner:
            lines[j] = f"> {lines[j]}" if lines[j].strip() else ">"
        lines[end] = ""
        kinds[end] = TEXT
        i = end + 1


_BOX_NAMES = "alert|notice|admonition|callout|hint|tip|warning|note|info|caution|important"
_BOX_OPEN = re.compile(
    rf"^ {{0,3}}(?:\{{\{{[<%]-?\s*({_BOX_NAMES})\b([^}}]*?)-?[>%]\}}\}}"
    rf"|\{{%-?\s*(admonition)\s*\(([^)]*)\)\s*-?%\}})\s*$"
)
_BOX_CLOSE_ZOLA = re.compile(r"^\s*\{%-?\s*end\s*-?%\}\s*$")
_BOX_TYPES = frozenset(
    [
        "note",
        "tip",
        "hint",
        "info",
        "warning",
        "caution",
        "important",
        "danger",
        "error",
        "success",
        "question",
        "quote",
        "example",
        "abstract",
        "summary",
        "bug",
        "failure",
        "attention",
    ]
)


@cache
def _box_close(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\{{\{{[<%]-?\s*/\s*{name}\s*-?[>%]\}}\}}\s*$")


def _box_kind(name: str, args: str) -> tuple[str, str]:
    """The callout type and title a box shortcode asks for (`note` and none by default)."""
    named = dict(
        (key.lower(), double or single or bare)
        for key, double, single, bare in re.findall(
            r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s,)]+))""", args
        )
    )
    words = re.findall(
        r"""["']?([\w-]+)["']?""", re.sub(r"\w+\s*=\s*(\"[^\"]*\"|'[^']*'|\S+)", "", args)
    )
    kind = (named.get("type") or "").lower() or next(
        (w.lower() for w in words if w.lower() in _BOX_TYPES), ""
    )
    if not kind:
        kind = name if name in _BOX_TYPES else "note"
    title = " ".join((named.get("title") or "").split()).replace("[", "(").replace("]", ")")
    return kind, title

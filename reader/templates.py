"""Template tags in Markdown text, replaced by what a reader of the built site sees.

Hugo shortcodes (`{{< x >}}`, `{{% x %}}`), Liquid tags (`{% tag %}`,
`{{ output }}`), Zola shortcodes (`{{ f(a=1) }}`, `{% f() %}…{% end %}`),
Obsidian comments (`%% … %%`) and kramdown attribute lists (`{: .class }`).
What a paired tag wraps is kept; a tag that only produces output when the
site is built goes, or leaves what it points at (a `ref` its path, a figure
its image). `TemplateScanner.text` is given text outside code blocks and
skips the code spans in it; its state (inside `{% raw %}`, a comment) carries
over from one piece of text to the next, as the tags do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["TemplateScanner", "fence_open"]

_IN_PARAGRAPH = r"(?:(?!\n[ \t]*\n)[^{}])"
"""A character of a tag's arguments: tags may run over lines, never over a blank one."""

# Code spans first, so that a tag inside one is passed over with it.
_TOKEN = re.compile(
    r"(?P<code>(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<escaped>\{\{(?P<eo>[<%]?)\s*/\*(?P<einner>.*?)\*/\s*(?P<ec>[>%]?)\}\})"
    r"|(?P<zescaped>\{%\s*/\*(?P<zinner>.*?)\*/\s*%\})"
    r"|(?P<hugo>\{\{(?P<hd>[<%])-?\s*(?P<hclose>/)?\s*(?P<hname>[A-Za-z_][\w./-]*)"
    rf"(?P<hargs>{_IN_PARAGRAPH}*?)-?\s*(?P<hself>/)?[>%]\}}\}})"
    rf"|(?P<ltag>\{{%-?\s*(?P<lname>[A-Za-z_]\w*)\s*(?P<largs>{_IN_PARAGRAPH}*?)-?%\}})"
    rf"|(?P<output>\{{\{{-?\s*(?P<oexpr>{_IN_PARAGRAPH}*?)-?\}}\}})"
    r"|(?P<comment>%%)"
    r"|(?P<ial>\{:[^\n}]*\})",
    re.DOTALL,
)
_MARKS = ("`", "{", "%")
_START = re.compile(r"`+|[{%]")
_ARG = re.compile(r"""(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s,)]+))""")
_FIRST_STRING = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=]+)(?:\s|$))""")
_POSITIONAL = re.compile(r""""([^"]*)"|'([^']*)'|(\S+)""")
_IMAGE_SRC = ("src", "path", "light_src", "default_src", "url", "image")
_IMAGE_ALT = ("alt", "default_alt", "caption", "title")
_REF = ("ref", "relref")
_BLOCK_COMMENT = ("comment",)


class TemplateScanner:
    """Replaces template tags in text, remembering open `raw` and comment regions."""

    def __init__(self, closers_after: Sequence[int] = ()) -> None:
        self.mode = ""
        """"raw" (text kept as is), "liquid-comment", "comment" (Obsidian), or ""."""
        self._closers_after = closers_after
        """For each piece of text, how many `%%` the pieces after it hold."""
        self._piece = -1

    @property
    def hiding(self) -> bool:
        """True inside a comment: code in it is hidden with it."""
        return self.mode in ("comment", "liquid-comment")

    def text(self, text: str) -> str:
        """`text` (the next piece) with its tags replaced (code spans in it kept as written)."""
        self._piece += 1
        if not self.mode and not any(mark in text for mark in _MARKS):
            return text
        out: list[str] = []
        position = 0
        length = len(text)
        while position < length:
            if self.mode:
                position = self._skip(text, position, out)
                continue
            start = _START.search(text, position)
            if start is None:
                out.append(text[position:])
                break
            match = _TOKEN.match(text, start.start())
            if match is None:
                out.append(text[position : start.end()])
                position = start.end()
                continue
            out.append(text[position : match.start()])
            replaced = self._replace(match, text)
            out.append(replaced)
            position = match.end()
            # A tag that went between two spaces leaves one space, not two.
            if not replaced and text.startswith(" ", position) and out[-2].endswith(" "):
                position += 1
        return "".join(out)

    def _skip(self, text: str, position: int, out: list[str]) -> int:
        """Pass over (raw: keep) text until the end of the open region."""
        if self.mode == "comment":
            end = text.find("%%", position)
            if end < 0:
                return len(text)
            self.mode = ""
            return end + 2
        pattern = _END_RAW if self.mode == "raw" else _END_COMMENT
        match = pattern.search(text, position)
        stop = match.start() if match else len(text)
        if self.mode == "raw":
            out.append(text[position:stop])
        if match is None:
            return len(text)
        self.mode = ""
        return match.end()

    def _replace(self, match: re.Match[str], text: str) -> str:
        if match.group("code") is not None:
            return match.group(0)
        if match.group("escaped") is not None:
            # What Hugo prints for `{{</* alert */>}}`: the shortcode as written.
            inner = match.group("einner").strip()
            return "{{" + match.group("eo") + " " + inner + " " + match.group("ec") + "}}"
        if match.group("zescaped") is not None:  # Zola's `{%/* end */%}`
            return "{% " + match.group("zinner").strip() + " %}"
        if match.group("hugo") is not None:
            return _hugo(match)
        if match.group("ltag") is not None:
            name = match.group("lname")
            if name == "raw":
                self.mode = "raw"
            elif name in _BLOCK_COMMENT:
                self.mode = "liquid-comment"
            elif match.group("largs").startswith("("):
                return _call(name, match.group("largs"))  # a Zola body shortcode opening
            return ""
        if match.group("output") is not None:
            line_start = text.rfind("\n", 0, match.start()) + 1
            alone = not text[line_start : match.start()].strip()
            return _output(match.group("oexpr"), alone)
        if match.group("comment") is not None:
            # Obsidian hides up to the next `%%`, further on if need be; a lone one is text.
            if text.find("%%", match.end()) < 0 and not self._closer_later():
                return "%%"
            self.mode = "comment"
            return ""
        return ""  # a kramdown attribute list: styling for the built site

    def _closer_later(self) -> bool:
        closers = self._closers_after
        return 0 <= self._piece < len(closers) and closers[self._piece] > 0


_END_RAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_END_COMMENT = re.compile(r"\{%-?\s*endcomment\s*-?%\}")


def _hugo(match: re.Match[str]) -> str:
    """A Hugo shortcode: openers and closers vanish (their content stays), some leave a value."""
    if match.group("hclose"):
        return ""
    name = match.group("hname").lower()
    args = match.group("hargs")
    if name in _REF:
        first = _FIRST_STRING.match(args)
        return next((g for g in first.groups() if g), "") if first else ""
    if name in _EMBEDS:
        return _embed(name, args)
    return _image(args)


_EMBEDS = {
    "youtube": ("YouTube video", "https://www.youtube.com/watch?v={0}", ("id",)),
    "vimeo": ("Vimeo video", "https://vimeo.com/{0}", ("id",)),
    "vimeo_simple": ("Vimeo video", "https://vimeo.com/{0}", ("id",)),
    "gist": ("Gist", "https://gist.github.com/{0}/{1}", ("user", "id")),
    "tweet": ("Post on X", "https://x.com/{0}/status/{1}", ("user", "id")),
    "twitter": ("Post on X", "https://x.com/{0}/status/{1}", ("user", "id")),
    "twitter_simple": ("Post on X", "https://x.com/{0}/status/{1}", ("user", "id")),
    "instagram": ("Instagram post", "https://www.instagram.com/p/{0}/", ("id",)),
}
"""Hugo's embed shortcodes: what they embed, as a link to it (label, address, arguments)."""


def _embed(name: str, args: str) -> str:
    """A link to what an embed shortcode shows (`{{< youtube ID >}}`), or "" without its ids."""
    label, address, wanted = _EMBEDS[name]
    named = {
        key.lower(): double or single or bare for key, double, single, bare in _ARG.findall(args)
    }
    positional = [
        double or single or bare for double, single, bare in _POSITIONAL.findall(_ARG.sub("", args))
    ]
    values = [named.get(key) or (positional.pop(0) if positional else "") for key in wanted]
    if not all(re.fullmatch(r"[\w.-]+", value) for value in values):
        return ""
    return f"[{label}]({address.format(*values)})"


def _call(name: str, args: str, alone: bool = False) -> str:
    """A Zola shortcode call `name(a=1, …)`: its text, an image when it shows one, or nothing.

    A call with a `text` (tabi's `admonition(type="tip", text="…")`) keeps it, as
    a callout box when it is alone on its line.
    """
    named = _named(args)
    text = named.get("text") or named.get("body") or named.get("content") or ""
    if not text:
        return _image(args)
    text = " ".join(text.split())
    if not alone:
        return text
    kind = (named.get("type") or (name if name != "admonition" else "") or "note").lower()
    kind = re.sub(r"[^\w-]", "", kind) or "note"
    title = " ".join(named.get("title", "").split())
    return f"> [!{kind}]{' ' + title if title else ''}\n> {text}"


def _named(args: str) -> dict[str, str]:
    """A call's named arguments (`a="x"`, `b='y'`, `c=3`), quotes and escapes undone."""
    found: dict[str, str] = {}
    for key, double, single, bare in _ARG.findall(args):
        value = double or single or bare
        found.setdefault(key.lower(), re.sub(r"\\(.)", r"\1", value))
    return found


def _image(args: str) -> str:
    """`![alt](src)` when the arguments name an image source, else ""."""
    found = _named(args)
    src = next((found[k] for k in _IMAGE_SRC if found.get(k)), "")
    if not src:
        return ""
    alt = next((found[k] for k in _IMAGE_ALT if found.get(k)), "")
    alt = alt.replace("[", "(").replace("]", ")")
    return f"![{alt}]({src.replace(' ', '%20')})"


def _output(expression: str, alone: bool = False) -> str:
    """A Liquid `{{ … }}` or a Zola `{{ f(…) }}`: a quoted string is kept, the rest goes."""
    expression = expression.strip()
    call = re.match(r"([A-Za-z_]\w*)\s*\((.*)\)\s*$", expression, re.DOTALL)
    if call is not None:
        return _call(call.group(1), call.group(2), alone)
    literal = re.match(r"""^(?:"([^"]*)"|'([^']*)')\s*(?:\|.*)?$""", expression, re.DOTALL)
    if literal is not None:
        return literal.group(1) if literal.group(1) is not None else literal.group(2)
    return ""


def fence_open(lines: list[str]) -> str:
    """A backtick fence longer than any run of backticks that starts one of `lines`."""
    longest = 2
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("```"):
            longest = max(longest, len(stripped) - len(stripped.lstrip("`")))
    return "`" * (longest + 1)

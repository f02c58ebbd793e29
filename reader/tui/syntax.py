"""Syntax highlighting of fenced code: Pygments tokens as spans of our component classes."""

from __future__ import annotations

from textual.content import Span

__all__ = ["syntax_spans"]

# Pygments token types (by name prefix) to our component classes, most specific first.
_SYNTAX = (
    ("Token.Comment", "post-view--syntax-comment"),
    ("Token.Literal.String", "post-view--syntax-string"),
    ("Token.Literal.Number", "post-view--syntax-number"),
    ("Token.Keyword", "post-view--syntax-keyword"),
    ("Token.Name.Builtin", "post-view--syntax-builtin"),
    ("Token.Name.Function", "post-view--syntax-function"),
    ("Token.Name.Class", "post-view--syntax-function"),
    ("Token.Name.Decorator", "post-view--syntax-builtin"),
    ("Token.Name.Tag", "post-view--syntax-keyword"),
    ("Token.Name.Attribute", "post-view--syntax-builtin"),
    ("Token.Operator.Word", "post-view--syntax-keyword"),
)


def syntax_spans(code: str, lang: str) -> list[Span]:
    """Syntax-highlighting spans for `code` in `lang` (empty when the language is unknown)."""
    try:
        from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pygments ships with Rich
        return []
    try:
        lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return []
    spans: list[Span] = []
    position = 0
    for token_type, value in lexer.get_tokens(code):
        end = position + len(value)
        name = str(token_type)
        for prefix, style in _SYNTAX:
            if name.startswith(prefix):
                if value.strip():
                    spans.append(Span(position, end, style))
                break
        position = end
    if position != len(code):  # the lexer changed the text; don't risk misplaced spans
        return []
    return spans

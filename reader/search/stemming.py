"""Word forms: which Snowball stemmer a post's language takes, and stems of folded terms.

`cache` should find "caching" and `deployments` "deploy". The index keeps
every word as written; a query word also matches the words of the
vocabulary that share its stem, under the stemmer of each language the
library's posts are in (`Vocabulary.stem_terms`). A post's `lang` picks its
stemmer: English when unknown, none for a language Snowball has no stemmer
for, and CJK text is never stemmed (it is indexed by characters).

Stems are of folded terms (lower case, accents removed), on both sides, so
they agree with each other even where Snowball expects accents.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import Stemmer

from reader.search.tokenize import is_cjk

__all__ = ["DEFAULT", "LANGUAGES", "stem_words", "stemmable", "stemmer_name"]

DEFAULT = "english"
"""The stemmer of a post whose language is not known."""

LANGUAGES = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
"""ISO 639-1 codes (and Norwegian's two written forms) to Snowball's algorithm names."""

_ALGORITHMS = frozenset(Stemmer.algorithms())
_local = threading.local()  # a Stemmer object is not safe to share between threads


def stemmer_name(lang: str) -> str:
    """The Snowball algorithm for a language code (`en`, `de-AT`, `pt_BR`, `German`).

    English for "" (unknown); "" (no stemming) for a language Snowball has
    no stemmer for, such as Japanese or Chinese.
    """
    code = lang.strip().lower().replace("_", "-")
    if not code:
        return DEFAULT
    if code in _ALGORITHMS:
        return code
    name = LANGUAGES.get(code.split("-", 1)[0], "")
    return name if name in _ALGORITHMS else ""


def stemmable(term: str) -> bool:
    """True for a folded term a stemmer may cut: letters, not CJK, three or more of them."""
    return len(term) >= 3 and not is_cjk(term) and not term.isdigit()


def stem_words(name: str, words: Sequence[str]) -> list[str]:
    """The stems of folded `words` under the Snowball algorithm `name`."""
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(name)
    if stemmer is None:
        stemmer = stemmers[name] = Stemmer.Stemmer(name)
    return list(stemmer.stemWords(words))

"""Scoring: BM25 per field, stored as 16-bit impacts, and picking the best scores.

A post's *impact* for a term is the weighted sum over its fields (title,
tags, headings, body) of that field's BM25 term-frequency part, stored as
`round(impact * SCALE)` in 16 bits. Each field saturates on its own (BM25
per field, then summed), so a word in a title outranks any number of
mentions in a body with the same rarity. The idf is applied at query time,
so it follows the library as it grows: a term's score in a post is
`idf * impact`.

Posts holding more of the query's words as written come first, whatever
their BM25 scores (`EXACT`).

Weights: title 5, tags and headings 2.5, body 1; k1 = 1.2; b is lower for
short fields.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reader.search.forward import BODY, FIELDS

__all__ = ["EXACT", "K1", "SCALE", "WEIGHTS", "B", "idf", "impacts"]

WEIGHTS = (5.0, 2.5, 2.5, 1.0)
"""Per field, in the order of `reader.search.forward.FIELDS`."""
B = (0.3, 0.3, 0.5, 0.75)
K1 = 1.2
SCALE = 2600.0
"""Impacts are stored as round(impact * SCALE): the largest, 11 * (K1 + 1) = 24.2, fits 16 bits."""
assert len(WEIGHTS) == len(B) == FIELDS
EXACT = 65536.0
"""Added to a post's score for each word of the query it holds as written (not only by
prefix, stem or typo), so a post with more exact words always ranks first: a word's
BM25 score stays below 300 (24.2 times an idf of at most 12), far below this."""


def idf(posts: int, df: int) -> float:
    """BM25's idf of a term found in `df` of `posts` posts (never negative)."""
    return math.log(1 + (posts - df + 0.5) / (df + 0.5))


def impacts(
    fields: list[dict[int, int]], lengths: Sequence[int], averages: Sequence[float]
) -> dict[int, float]:
    """Each term's impact in a post, from its counts and lengths per field.

    The postings store `round(impact * SCALE)`, never 0.
    """
    # The body has most terms: one comprehension for it, then add the short fields.
    f = BODY
    norm = K1 * (1 - B[f] + B[f] * lengths[f] / averages[f])
    weight = WEIGHTS[f] * (K1 + 1)
    found = {t: weight * tf / (tf + norm) for t, tf in fields[BODY].items()}
    get = found.get
    for f, counts in enumerate(fields[:BODY]):
        if counts:
            norm = K1 * (1 - B[f] + B[f] * lengths[f] / averages[f])
            weight = WEIGHTS[f] * (K1 + 1)
            for term_id, tf in counts.items():
                found[term_id] = get(term_id, 0.0) + weight * tf / (tf + norm)
    return found

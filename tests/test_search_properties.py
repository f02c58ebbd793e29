"""Property tests: no text given to the query parser or the indexer raises.

(But `QueryError`, for an unknown `is:` value or field, which the front ends show.)
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.models import Post, Section
from reader.search import QueryError, SearchIndex, parse_query, terms

# Query-ish alphabet: the syntax characters come up far more than at random.
_query_text = st.lists(
    st.one_of(
        st.sampled_from(
            [*'"-: tagis:bookmarkedunread東京é\u0301()*', "OR ", " OR ", "is:", "xy:z"]
        ),
        st.characters(),
    ),
    max_size=30,
).map("".join)
_text = st.text(max_size=200)

_INDEX = SearchIndex.build(
    [
        Post(slug="a", title="Café Tokyo 東京", tags=("Machine Learning",), body="graphs and tags"),
        Post(slug="b", title="Bookmarks", tags=("ops",), body='"quoted" -minus tag:x is:unread'),
    ]
)


@settings(max_examples=150, deadline=None)
@given(_query_text)
def test_parser_and_search_never_raise(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        said = str(error)
        assert any(
            reason in said
            for reason in ("did you mean", "needs a value", "needs a date", "is not a date")
        ) or ("cannot exclude" in said), said
        return
    assert query.text == text
    results = _INDEX.search(text, bookmarked={"a"}, read={"b"})
    assert results.total >= len(results.hits)
    for hit in results.hits:
        for start, end in hit.snippet.marks:
            assert 0 <= start < end <= len(hit.snippet.text)


def test_a_suggestion_that_reads_as_a_field_is_not_offered() -> None:
    assert _INDEX.search("tis:").suggestions == ()  # `is:` would not be a query


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=_text, body=_text, tags=st.lists(_text, max_size=3), heading=_text, query=_query_text)
def test_indexer_takes_any_text(
    tmp_path: Path, title: str, body: str, tags: list[str], heading: str, query: str
) -> None:
    post = Post(
        slug="p",
        title=title,
        tags=tuple(tags),
        sections=(Section(heading, "h", 2, 0),),
        body=body,
    )
    index = SearchIndex.build([post])
    index.update([post])
    for word in terms(title)[:3]:
        assert index.search(word).total == 1
    try:
        parse_query(query)
    except QueryError:
        return
    path = tmp_path / "index.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert loaded is not None
    assert loaded.search(query) == index.search(query)

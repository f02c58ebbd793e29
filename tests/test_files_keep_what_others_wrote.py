"""The files on disk keep what another writer put there and say who wrote last: posts
another process imported since we opened the library, the token of the upsert that
wrote `posts.json`, and text as the user typed it, not escaped.

Each test kills mutants that survived the core's fast test selection
(docs/TESTING.md).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from reader.models import Post
from reader.store import PostStore


def note(slug: str, body: str) -> Post:
    return Post(slug=slug, title=slug.upper(), tags=(), words=1, body=body, source=slug)


def test_posts_another_store_imported_since_we_opened_are_kept(tmp_path: Path) -> None:
    ours, theirs = PostStore(tmp_path), PostStore(tmp_path)
    theirs.upsert([note("theirs", "their text\n")])
    ours.upsert([note("ours", "our text\n")])
    again = PostStore(tmp_path)
    assert [s.slug for s in again.summaries()] == ["theirs", "ours"]
    assert (again.body("theirs"), again.body("ours")) == ("their text\n", "our text\n")


def test_posts_json_names_the_upsert_that_wrote_it(tmp_path: Path) -> None:
    PostStore(tmp_path).upsert([note("a", "text\n")])
    document = json.loads((tmp_path / "posts.json").read_text("utf-8"))
    (record,) = document["commit"].values()
    assert set(record) == {"token"}
    assert re.fullmatch(rf"{os.getpid()}-[0-9a-f]+", record["token"]), record


def test_the_posts_and_their_texts_are_stored_as_typed(tmp_path: Path) -> None:
    post = Post(slug="cafe", title="Café naïve", tags=("été",), words=2, body="déjà vu\n")
    PostStore(tmp_path).upsert([post])
    for file in [tmp_path / "posts.json", *(tmp_path / "bodies").glob("*.json")]:
        raw = file.read_bytes()
        assert b"\\u" not in raw, file
    assert "Café naïve".encode() in (tmp_path / "posts.json").read_bytes()
    assert PostStore(tmp_path).body("cafe") == "déjà vu\n"

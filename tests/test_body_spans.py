"""Body spans (`bodies/NN.spans`): one post's text read alone from its body file, used
only for the very version of that file, rebuilt when missing, stale or damaged, and
never hiding a damaged body file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.body_spans import encode_with_spans, spans_path
from reader.models import Post
from reader.post_bodies import BodyFiles
from reader.storage import encode_json
from reader.store import PostStore


def post(n: int, body: str = "") -> Post:
    return Post(slug=f"p{n}", title=f"Post {n}", body=body or f"Text of post {n} — é\n")


def table(bodies: dict[str, str]) -> object:
    numbered = enumerate(bodies.items(), 1)
    return {"bodies": {str(i): {"slug": k, "body": v} for i, (k, v) in numbered}}


@pytest.mark.parametrize(
    "bodies",
    [
        {},
        {"a": "one"},
        {"a": 'quotes " and \\ and \n and é 漢字', "b-c": "two"},
        {"lone": "a lone surrogate \udcff here", "b": "ok"},
    ],
)
def test_the_bytes_are_those_of_encode_json_and_the_spans_point_at_each_body(
    bodies: dict[str, str],
) -> None:
    import json

    data, spans = encode_with_spans(bodies)
    assert data == encode_json(table(bodies))
    for slug, (start, length) in spans.items():
        assert json.loads(data[start : start + length]) == bodies[slug]


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    directory = tmp_path / "lib"
    PostStore(directory).upsert([post(n) for n in range(40)])
    return directory


def shard_file(lib: Path, slug: str) -> Path:
    return lib / "bodies" / f"{BodyFiles.shard_of(slug):02d}.json"


def test_a_body_is_read_alone_once_its_file_has_spans(
    lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert spans_path(shard_file(lib, "p3")).exists()

    def whole(self: BodyFiles, shard: int) -> dict[str, str]:
        raise AssertionError("the whole body file was read")

    monkeypatch.setattr(BodyFiles, "_read", whole)
    store = PostStore(lib)
    assert [store.body(f"p{n}") for n in range(40)] == [post(n).body for n in range(40)]
    assert store.body("nobody") is None


@pytest.mark.parametrize("damage", ["missing", "flip", "stale"])
def test_missing_damaged_or_stale_spans_are_not_used_and_are_made_again(
    lib: Path, damage: str
) -> None:
    spans = spans_path(shard_file(lib, "p3"))
    good = spans.read_bytes()
    if damage == "missing":
        spans.unlink()
    elif damage == "flip":
        raw = bytearray(good)
        raw[-3] ^= 0xFF
        spans.write_bytes(bytes(raw))
    else:  # another writer changed the bodies; these spans are of the old file
        PostStore(lib).upsert([post(3, "A much longer new text for post three.\n" * 3)])
        spans.write_bytes(good)
    store = PostStore(lib)
    expected = post(3).body if damage != "stale" else "A much longer new text for post three.\n" * 3
    assert store.body("p3") == expected
    assert spans.read_bytes() != (good if damage == "stale" else b"")
    assert PostStore(lib).body("p3") == expected


def test_a_body_file_damaged_under_valid_spans_is_still_set_aside(lib: Path) -> None:
    path = shard_file(lib, "p3")
    info = path.stat()
    raw = bytearray(path.read_bytes())
    at = raw.index(b"Text of post 3")
    raw[at - 1 : at] = b"\x00"  # the body's opening quote: no JSON string there now
    with path.open("r+b") as file:  # in place: same inode, size and (below) mtime
        file.write(bytes(raw))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    store = PostStore(lib)
    post3 = store.get("p3")
    assert post3 is not None and "could not be read" in post3.body
    assert not path.exists()
    assert any("is damaged" in r for r in store.recoveries)

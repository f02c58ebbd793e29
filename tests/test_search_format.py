"""The search index file: its documented layout, its versions, and damage to any section."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from reader.library import Library
from reader.models import Post, Section
from reader.search import FORMAT_VERSION, SearchIndex
from reader.search.toc import BULK, HEADER, MAGIC, SECTIONS, Toc


def _posts() -> list[Post]:
    return [
        Post(
            slug=f"p{i}",
            title=f"Post {i} about caching",
            tags=("ops", "Machine Learning") if i % 2 else ("data",),
            sections=(Section("Intro", "intro", 2, 0), Section("Redis", "redis", 2, 3)),
            body=f"cache stampede {i} and redis\n\n## Redis\n\nmore redis text {i}",
        )
        for i in range(12)
    ]


def _saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes, Toc]:
    """A saved index with something in every section: dense rows, pair bitmaps, overflow."""
    from reader.search import forward, pairs, postings

    monkeypatch.setattr(postings, "DENSE_MIN", 1)
    monkeypatch.setattr(pairs, "PAIR_MIN", 1)
    monkeypatch.setattr(forward, "CODE_LIMIT", 16)
    index = SearchIndex.build(_posts())
    index.update([], remove=["p3"])  # a hole, kept through the save
    path = tmp_path / "index.bin"
    index.save(path)
    data = path.read_bytes()
    _, _, _, toc_at, toc_len = HEADER.unpack_from(data)
    return path, data, Toc.decode(data[toc_at : toc_at + toc_len])


def test_the_file_is_as_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, data, toc = _saved(tmp_path, monkeypatch)
    magic, version, crc, toc_at, toc_len = HEADER.unpack_from(data)
    assert (magic, version) == (MAGIC, FORMAT_VERSION)
    assert toc_at + toc_len == len(data) and zlib.crc32(data[toc_at:]) == crc
    raw = json.loads(data[toc_at:])
    assert raw["format"] == "reader-search-index" and raw["version"] == FORMAT_VERSION
    assert [(s["name"], s["type"]) for s in raw["sections"]] == [(n, k.value) for n, k in SECTIONS]
    assert toc.records[0] == HEADER.size
    at = toc.records[1]
    for section in toc.sections:
        assert section.offset == at
        body = data[at : at + section.size]
        assert section.crc == (None if section.name in BULK else zlib.crc32(body))
        assert section.size > 0, section.name
        at += section.size
    slugs = next(s for s in toc.sections if s.name == "slugs")
    assert slugs.count == 12  # p3 is a hole until ids are compacted
    loaded = SearchIndex.load(path)
    assert loaded is not None and "p3" not in loaded and len(loaded) == 11


def test_a_file_of_format_3_is_rebuilt(isolated_data_dir: Path) -> None:
    library = Library.open()
    path = library.search_index_path
    expected = [h.slug for h in library.search("redis").hits]
    # The header of format 3 (magic, version, TOC offset and length), with a marshal'd TOC.
    path.write_bytes(struct.pack("<8sIQQ", MAGIC, 3, 28, 5) + b"\xfb0\x00\x00\x00")
    assert SearchIndex.load(path) is None
    again = Library(isolated_data_dir)
    assert [h.slug for h in again.search("redis").hits] == expected
    assert HEADER.unpack_from(path.read_bytes())[1] == FORMAT_VERSION  # saved anew


@pytest.mark.parametrize("name", [name for name, _ in SECTIONS if name not in BULK])
def test_damage_to_a_checked_section_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path, data, toc = _saved(tmp_path, monkeypatch)
    section = next(s for s in toc.sections if s.name == name)
    damaged = bytearray(data)
    damaged[section.offset + section.size // 2] ^= 0x40
    path.write_bytes(bytes(damaged))
    assert SearchIndex.load(path) is None


def test_a_failed_save_leaves_the_saved_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data, _ = _saved(tmp_path, monkeypatch)
    index = SearchIndex.load(path)
    assert index is not None
    index.update([Post(slug="new", title="Fresh", body="zebra crossing")])

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.search.file_format._Writer.blob", broken)
    with pytest.raises(OSError):
        index.save(path)
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    # The index still reads its records from the old file.
    hit = index.search("stampede", limit=1).hits[0]
    assert "stampede" in hit.snippet.text

"""Bad input to `reader import`: odd names, failed writes, folders we cannot read, loops."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

import pytest
from click.testing import CliRunner

import reader.storage
import reader.store
from reader.cli import cli
from reader.library import Library
from reader.parsing import parse_markdown
from reader.text import SlugClaims, unique_slug


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_file_name_that_is_not_utf8_is_imported_with_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsencode(folder) + b"/caf\xe9.md"  # Latin-1, not UTF-8
    with open(odd, "w", encoding="utf-8") as handle:
        handle.write("no heading here, so the title is the file name\n")
    write(folder / "good.md", "# Good\n\ntext\n")

    code, out, err = run("import", str(folder))
    assert code == 0, err
    assert "2 added" in out and "0 failed" in out
    code, out, _ = run("list")
    assert code == 0
    assert "caf\tcaf\N{REPLACEMENT CHARACTER}\t" in out  # shown with U+FFFD for the bad byte
    assert "\tGood\t" in out
    # The name survives exactly, so importing again finds the same posts.
    code, out, _ = run("import", str(folder))
    assert code == 0 and "2 unchanged" in out
    sources = {p.source for p in Library.open().summaries()}
    assert os.fsdecode(odd) in sources


def test_a_batch_that_fails_midway_leaves_the_library_as_it_was(
    tmp_path: Path, isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("list")[0] == 0  # the bundled posts
    library_dir = isolated_data_dir / "library"
    before = snapshot(library_dir)
    files = [
        write(tmp_path / "in" / f"post{i}.md", f"# Post {i}\n\n{'word ' * 5000}\n")
        for i in range(40)
    ]
    real_write = reader.storage.atomic_write_bytes

    def full_disk(path: Path, data: bytes, backup: bool = False) -> None:
        if path.name == "posts.json":  # the bodies are written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data, backup)

    monkeypatch.setattr(reader.store, "atomic_write_bytes", full_disk)
    code, out, err = run("import", *map(str, files))
    assert code == 1 and out == ""
    assert "No space left on device" in err and "posts.json" in err
    assert "nothing was imported" in err and "Traceback" not in err
    assert snapshot(library_dir) == before  # no orphan bodies, no temporary files

    monkeypatch.setattr(reader.store, "atomic_write_bytes", real_write)
    code, out, _ = run("import", *map(str, files))
    assert code == 0 and "40 added" in out


def test_a_failed_write_keeps_the_open_library_consistent(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = library.summaries()[0].slug
    body = library.get(slug)
    path = write(tmp_path / "new.md", "# New\n\ntext\n")
    real_write = reader.storage.atomic_write_bytes

    def full_disk(target: Path, data: bytes, backup: bool = False) -> None:
        if target.name == "posts.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real_write(target, data, backup)

    monkeypatch.setattr(reader.store, "atomic_write_bytes", full_disk)
    with pytest.raises(OSError, match="nothing was imported"):
        library.import_paths([path])
    assert len(library.summaries()) == 10 and library.get(slug) == body
    monkeypatch.setattr(reader.store, "atomic_write_bytes", real_write)
    assert library.import_paths([path]).added == ("new",)
    assert Library.open().get("new") is not None and len(Library.open().summaries()) == 11


@pytest.mark.timeout(60)  # quadratic slugs take minutes here: fail fast
def test_many_identical_headings_get_distinct_anchors() -> None:
    count = 30_000
    parsed = parse_markdown("# Title\n\n" + "## Same\n\n" * count)
    anchors = [s.anchor for s in parsed.sections]
    assert anchors[:3] == ["same", "same-2", "same-3"]
    assert anchors[-1] == f"same-{count}" and len(set(anchors)) == count


def test_slug_claims_match_unique_slug() -> None:
    bases = ["a", "a", "a-2", "a", "b", "a-3", "a", "b", "b-2", "b"]
    claims = SlugClaims({"b"})
    taken = {"b"}
    for base in bases:
        expected = unique_slug(base, taken)
        taken.add(expected)
        assert claims.claim(base) == expected


def test_a_folder_that_cannot_be_read_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    write(folder / "one.md", "# One\n\ntext\n")
    locked = folder / "locked"
    write(locked / "two.md", "# Two\n\ntext\n")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        # Root reads every folder, so a permission error has to be simulated.
        if os.fspath(path) == str(locked):  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run("import", str(folder))
    assert code == 1 and "1 added" in out and "1 failed" in out
    assert f"reader: skipped {locked}: cannot read this folder: Permission denied" in err


def test_symlink_loops_are_reported_as_loops(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "real.md", "# Real\n\ntext\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder)  # a folder loop
    (folder / "a.md").symlink_to(folder / "b.md")  # a file loop
    (folder / "b.md").symlink_to(folder / "a.md")
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")

    code, out, err = run("import", str(folder), str(tmp_path / "self.md"))
    assert code == 1 and "1 added" in out and "4 failed" in out
    assert f"{folder / 'sub' / 'back'}: symlink loop: leads back to {folder}" in err
    assert f"{folder / 'a.md'}: symlink loop" in err and f"{folder / 'b.md'}: symlink loop" in err
    assert f"{tmp_path / 'self.md'}: symlink loop" in err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.md"
    path.write_bytes("\ufeff# Wide café\n\n## Part\n\nText.\n".encode(encoding))
    code, _, err = run("import", str(path))
    assert code == 0, err
    post = Library.open().get("wide-cafe")
    assert post is not None and post.title == "Wide café" and post.body == "## Part\n\nText.\n"


def test_a_utf16_file_that_is_cut_short_is_called_utf16(tmp_path: Path) -> None:
    path = tmp_path / "cut.md"
    path.write_bytes("# Cut\n".encode("utf-16") + b"\x00")
    code, _, err = run("import", str(path))
    assert code == 1 and "not valid UTF-16" in err and "binary" not in err


class CountingFile:
    """A read-only file that counts the bytes read from it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.read_bytes = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.read_bytes += len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def test_a_snippet_of_a_huge_post_reads_only_a_little_of_it(tmp_path: Path) -> None:
    lines = [f"Line {i} says nothing much at all, again and again." for i in range(60_000)]
    lines[30_000] = "## Deep Down"
    lines[40_000] = "Here the aardvark finally appears, once."
    path = tmp_path / "huge.md"
    path.write_text("# Huge\n\n" + "\n".join(lines) + "\n")  # about 3 MB
    library = Library.open(seed=False)
    assert library.import_paths([path]).added == ("huge",)
    library = Library.open(seed=False)  # read the saved index back, as a new session does
    results = library.search("aardvark", snippets=False)
    index = library.search_index()
    records = index._parts.records
    counting = CountingFile(records._file)  # type: ignore[arg-type]
    records._file = counting  # type: ignore[assignment]
    hit = index.with_snippet(results.hits[0], results.highlight)
    assert (
        hit.snippet.text.startswith("… ")
        and "the aardvark finally appears, once." in hit.snippet.text
    )
    start, end = hit.snippet.marks[0]
    assert hit.snippet.text[start:end] == "aardvark"
    assert hit.snippet.line == 40_000 and hit.section is not None
    assert hit.section.heading == "Deep Down" and hit.section.line == 30_000
    assert 0 < counting.read_bytes < 64_000  # not the megabytes of the whole post


def test_a_snippet_at_the_edge_of_a_chunk_keeps_its_context(tmp_path: Path) -> None:
    from reader.search.records import CHUNK_CHARS, split_text

    words = " ".join(f"w{i}" for i in range(CHUNK_CHARS // 2))  # one long line: cut at spaces
    first, second, *_ = split_text(words)
    text = first + "zebra" + second[second.index(" ") :] + "".join(_)
    path = tmp_path / "edge.md"
    path.write_text(f"# Edge\n\n{text}\n")
    library = Library.open(seed=False)
    library.import_paths([path])
    hit = library.search("zebra").hits[0]
    before = hit.snippet.text.split("zebra")[0].split()
    assert before == ["…", *first.split()[-4:]]  # four words of context, from the chunk before
    assert hit.snippet.text.endswith(" …") and len(hit.snippet.text.split()) == 30

"""A big import: parsed in a pool of processes, indexed a batch at a time, stored in one
commit from a spill file, and a sync of an unchanged library that writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import reader.library_import
from reader import importer
from reader.importer import read_documents
from reader.library import Library
from reader.library_sources import import_sources, sync
from reader.models import Post
from reader.parsing import import_parser, markdown_parser, parse_markdown
from reader.paths import bundled_content_dir
from reader.search import SearchIndex

POSTS = 12


@pytest.fixture(name="small_batches")
def small_batches_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    small_batches(monkeypatch)


def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pool and batches as a big import has them, at a size a test can afford."""
    monkeypatch.setattr(importer, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(importer, "CHUNK_FILES", 2)
    monkeypatch.setattr(reader.library_import, "IMPORT_WORKERS", 2)
    monkeypatch.setattr(reader.library_import, "INDEX_BATCH", 5)
    if not importer._can_fork():
        pytest.skip("one process parses here: no pool to test")


def folder_of_posts(root: Path, count: int = POSTS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (root / f"post-{n:02d}.md").write_text(
            f"# Post {n}\n\nThe word kestrel{n} is only here. #tag{n % 3}\n\n"
            f"## Part {n}\n\nMore.\n",
            encoding="utf-8",
        )
    return root


def library_files(library: Library) -> list[str]:
    return sorted(p.name for p in library.posts.directory.iterdir())


@pytest.mark.usefixtures("small_batches")
def test_an_import_bigger_than_a_batch_is_all_there(tmp_path: Path) -> None:
    folder = folder_of_posts(tmp_path / "in")
    library = Library.open(tmp_path / "data", seed=False)
    report = library.import_paths([folder])
    assert sorted(report.added) == sorted(f"post-{n}" for n in range(POSTS))
    assert report.problems == ()
    for opened in (library, Library.open(tmp_path / "data", seed=False)):
        assert len(opened.summaries()) == POSTS
        for n in range(POSTS):
            post = opened.get(f"post-{n}")
            assert post is not None and f"kestrel{n}" in post.body
            assert post.tags == (f"tag{n % 3}",) and post.sections[0].heading == f"Part {n}"
            # Every batch reached the index, the last one too.
            assert opened.search(f"kestrel{n}").hits[0].slug == f"post-{n}"
    # The spill file had no name: nothing is left beside the library.
    assert not [n for n in library_files(library) if n.startswith(".")]


@pytest.mark.usefixtures("small_batches")
def test_a_bad_file_is_named_and_the_others_are_imported(tmp_path: Path) -> None:
    folder = folder_of_posts(tmp_path / "in")
    bad = folder / "post-05.md"
    bad.write_bytes(b"\x00\x01binary")
    library = Library.open(tmp_path / "data", seed=False)
    report = library.import_paths([folder])
    (problem,) = report.problems
    assert problem.path == str(bad) and "binary" in problem.reason
    assert len(report.added) == POSTS - 1 and "post-5" not in report.added
    assert len(Library.open(tmp_path / "data", seed=False).summaries()) == POSTS - 1


@pytest.mark.usefixtures("small_batches")
def test_pool_reads_in_order_as_one_process_does(tmp_path: Path) -> None:
    folder = folder_of_posts(tmp_path / "in")
    (folder / "post-03.md").write_text("", encoding="utf-8")  # a problem, in its place
    pooled = list(read_documents([folder], workers=2))
    alone = list(read_documents([folder], workers=1))
    assert pooled == alone and len(pooled) == POSTS


@pytest.mark.usefixtures("small_batches")
def test_a_failed_commit_stores_nothing_and_indexes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([folder_of_posts(tmp_path / "first", 1)])
    assert library.search("kestrel0").hits  # the index is in memory
    (tmp_path / "first" / "post-00.md").unlink()
    folder = folder_of_posts(tmp_path / "in")

    def full_disk(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.store.atomic_write_bytes", full_disk)
    with pytest.raises(OSError, match="nothing was imported"):
        library.import_paths([folder])
    monkeypatch.undo()
    assert [p.slug for p in library.summaries()] == ["post-0"]
    assert [h.slug for h in library.search("kestrel0").hits] == ["post-0"]
    # Read, indexed, then forgotten when the commit failed.
    assert "post-7" not in [h.slug for h in library.search("kestrel7").hits]
    reopened = Library.open(tmp_path / "data", seed=False)
    assert [p.slug for p in reopened.summaries()] == ["post-0"]
    assert "post-7" not in [h.slug for h in reopened.search("kestrel7").hits]


def test_a_sync_of_an_unchanged_library_writes_nothing(tmp_path: Path) -> None:
    folder = folder_of_posts(tmp_path / "in")
    library = Library.open(tmp_path / "data", seed=False)
    import_sources(library, [folder])
    files = [p for p in library.posts.directory.rglob("*") if p.is_file()]
    before = {p: (os.stat(p).st_ino, os.stat(p).st_mtime_ns) for p in files}
    report = sync(Library.open(tmp_path / "data", seed=False))
    assert len(report.unchanged) == POSTS and not (report.added or report.updated)
    after = {p: (os.stat(p).st_ino, os.stat(p).st_mtime_ns) for p in files}
    assert after == before  # posts.json, the bodies and the index: not one rewritten


TRICKY = [
    "# Title\n\nText with a footnote[^1].\n\n[^1]: A note with #noted inside.\n",
    "Unreferenced footnote.\n\n[^2]: Has #orphan in it.\n",
    "An inline one ^[with #inline tag] here.\n",
    "- [ ] task with #todo\n- [x] done #done\n",
    "## Heading with *emphasis* and \\*escape\\* and `code`\n\nBody #tag.\n",
    "# A [link](http://x) title\n\n> quote #quoted\n\n| a | #b |\n|---|---|\n| #c | d |\n",
    "Term\n: definition with #deftag\n\n$x#y$ and #math\n\n[[Note#Heading]] #wiki\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_import_parser_reads_what_the_full_parser_reads(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse_markdown(text)
    monkeypatch.setattr("reader.parsing.import_parser", markdown_parser)
    assert parse_markdown(text) == fast


def test_import_parser_on_the_bundled_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(bundled_content_dir().glob("*.md"))]
    assert texts
    fast = [parse_markdown(t) for t in texts]
    monkeypatch.setattr("reader.parsing.import_parser", markdown_parser)
    assert [parse_markdown(t) for t in texts] == fast
    assert import_parser() is not markdown_parser()


def test_the_pool_builds_the_index_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search terms found in the parse processes index as those the index finds itself."""
    folder = folder_of_posts(tmp_path / "in")
    (folder / "cjk.md").write_text("# 東京の夜\n\n東京タワー #旅\n\n## Ünïcödé Straße\n", "utf-8")
    alone = Library.open(tmp_path / "alone", seed=False)
    alone.import_paths([folder])
    small_batches(monkeypatch)
    pooled = Library.open(tmp_path / "pooled", seed=False)
    pooled.import_paths([folder])
    assert pooled.search_index_path.read_bytes() == alone.search_index_path.read_bytes()


def test_snippet_records_spilled_to_a_file_show_and_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `SPILL_BYTES`, records pending a save wait in a temporary file: snippets
    still show before the save, after it, and after a re-import drops some."""
    monkeypatch.setattr("reader.search.record_file.SPILL_BYTES", 200)
    folder = folder_of_posts(tmp_path / "in")
    posts = [
        Post(slug=f"p{n}", title=f"P{n}", body=f"The word kestrel{n} is here.\n") for n in range(9)
    ]
    index = SearchIndex()
    index.update(posts)  # not saved: every record pending, most in the file
    for n in (0, 8):
        (hit,) = [h for h in index.search(f"kestrel{n}").hits if h.slug == f"p{n}"]
        assert f"kestrel{n}" in hit.snippet.text
    index.close()
    library = Library.open(tmp_path / "data", seed=False)
    library.import_paths([folder])
    (folder / "post-03.md").write_text("# Post 3\n\nNow about ospreys.\n", encoding="utf-8")
    library.import_paths([folder])
    for opened in (library, Library.open(tmp_path / "data", seed=False)):
        for n in (0, 7, 11):
            (hit,) = [h for h in opened.search(f"kestrel{n}").hits if h.slug == f"post-{n}"]
            assert f"kestrel{n}" in hit.snippet.text
        (hit,) = opened.search("ospreys").hits
        assert hit.slug == "post-3" and "ospreys" in hit.snippet.text

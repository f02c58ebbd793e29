"""The benchmark's library generator is deterministic and makes importable posts."""

from __future__ import annotations

from pathlib import Path

from bench.generate import generate, load_vocabulary
from reader.library import Library


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    vocab = load_vocabulary()
    generate(20, tmp_path / "a", seed=7, vocab=vocab)
    generate(20, tmp_path / "b", seed=7, vocab=vocab)
    generate(20, tmp_path / "c", seed=8, vocab=vocab)
    first = _tree(tmp_path / "a")
    assert len(first) == 20
    assert first == _tree(tmp_path / "b")
    assert first != _tree(tmp_path / "c")


def test_generated_library_imports(tmp_path: Path) -> None:
    generate(20, tmp_path / "posts", seed=1)
    library = Library(tmp_path / "data")
    report = library.import_paths([tmp_path / "posts"])
    assert report.ok
    assert len(report.added) == 20
    summaries = library.summaries()
    assert len(summaries) == 20
    assert all(1 <= len(p.tags) <= 4 for p in summaries)
    assert any(p.sections for p in summaries)
    # Slugs come from the front matter, so they are stable across imports.
    assert summaries[0].slug.endswith("-1")

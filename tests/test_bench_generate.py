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


def test_generated_posts_are_dated_in_their_front_matter(tmp_path: Path) -> None:
    import datetime

    import yaml

    paths = generate(100, tmp_path / "posts", seed=3)
    dates = [
        yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]).get("date") for p in paths
    ]
    dated = [d for d in dates if d is not None]
    assert 80 <= len(dated) < 100  # one in twenty has none
    assert all(isinstance(d, datetime.date) for d in dated)  # unquoted YAML, read as dates
    assert any(isinstance(d, datetime.datetime) and d.tzinfo is not None for d in dated)
    assert dated != sorted(dated, key=str)  # not in file order

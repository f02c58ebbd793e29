"""The bundled posts are the seed digest, faithfully."""

from __future__ import annotations

from pathlib import Path

from reader.library import Library
from reader.paths import bundled_content_dir
from tests.conftest import SEED_DIGEST


def test_bundled_posts_match_the_digest(tmp_path: Path) -> None:
    bundled = Library.open(tmp_path / "bundled")
    digest = Library.open(tmp_path / "digest", seed=False)
    digest.import_paths([SEED_DIGEST])
    ours = bundled.summaries()
    theirs = digest.summaries()
    assert len(ours) == len(theirs) == 10
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.slug == other.slug
        assert mine.title == other.title
        assert mine.sections == other.sections
        mine_post, other_post = bundled.get(mine.slug), digest.get(other.slug)
        assert mine_post is not None and other_post is not None
        assert mine_post.body == other_post.body
        assert mine.tags[0] == "Machine Learning" == other.tags[0]
        assert 2 <= len(mine.tags) <= 4


def test_every_digest_paragraph_is_kept_exactly() -> None:
    text = SEED_DIGEST.read_text(encoding="utf-8")
    bodies = "\n".join(p.read_text(encoding="utf-8") for p in bundled_content_dir().glob("*.md"))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Tag:", "•")):
            assert line in bodies, line


def test_streaming_post_sections(library: Library) -> None:
    (post,) = [p for p in library.summaries() if "Streaming Pipelines" in p.title]
    assert [s.heading for s in post.sections] == ["The Migration Path", "Monitoring Setup"]

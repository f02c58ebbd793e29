"""The service both front ends call: posts, tags, imports, bookmarks.

`Library.open()` finds the data directory, opens both stores and, when the
library is empty, imports the bundled posts, so `reader` shows posts on a
fresh machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from reader.importer import Candidate, read_documents
from reader.models import ImportProblem, ImportReport, Post, PostSummary, TagCount
from reader.paths import bundled_content_dir, data_dir, library_dir, state_path
from reader.store import PostStore, StateStore
from reader.text import slugify, unique_slug

__all__ = ["BUNDLED_PREFIX", "Library", "ProgressCallback"]

BUNDLED_PREFIX = "bundled:"
ProgressCallback = Callable[[int, str], None]
"""Called with the number of documents read so far and the current file."""


class Library:
    """Posts and the user's state, behind one object."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = PostStore(library_dir(root))
        self.state = StateStore(state_path(root))

    @classmethod
    def open(cls, override: str | Path | None = None, seed: bool = True) -> Library:
        """Open the library in the data directory, importing the bundled posts if empty."""
        library = cls(data_dir(override))
        if seed and len(library.posts) == 0:
            library.import_bundled()
        return library

    # -- reading -----------------------------------------------------------

    def summaries(self, tag: str | None = None) -> list[PostSummary]:
        """Posts without bodies, in library order, optionally only those with `tag`."""
        posts = self.posts.summaries()
        if tag is None:
            return posts
        return [p for p in posts if tag in p.tags]

    def get(self, slug: str) -> Post | None:
        """One post with its body."""
        return self.posts.get(slug)

    def tags(self) -> list[TagCount]:
        """Every tag with its number of posts, most used first, then by name."""
        counts = Counter(tag for post in self.posts.summaries() for tag in post.tags)
        return [TagCount(n, c) for n, c in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]

    # -- importing ---------------------------------------------------------

    def import_bundled(self) -> ImportReport:
        """Import the posts shipped with the package."""
        return self.import_paths([bundled_content_dir()], source_prefix=BUNDLED_PREFIX)

    def import_paths(
        self,
        paths: Iterable[Path],
        progress: ProgressCallback | None = None,
        source_prefix: str | None = None,
    ) -> ImportReport:
        """Import files, folders and digests. Re-importing a source updates its post."""
        by_source = {p.source: p for p in self.posts.summaries()}
        taken: set[str] = {p.slug for p in self.posts.summaries()}
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        problems: list[ImportProblem] = []
        to_write: list[Post] = []
        for count, item in enumerate(read_documents(paths, source_prefix), start=1):
            if isinstance(item, ImportProblem):
                problems.append(item)
                if progress:
                    progress(count, item.path)
                continue
            post, existing = self._post_for(item, by_source, taken)
            if progress:
                progress(count, item.source)
            if existing is None:
                taken.add(post.slug)
                by_source[post.source] = post
                added.append(post.slug)
                to_write.append(post)
            elif self.posts.get(post.slug) == post:
                unchanged.append(post.slug)
            else:
                updated.append(post.slug)
                to_write.append(post)
        self.posts.upsert(to_write)
        return ImportReport(tuple(added), tuple(updated), tuple(unchanged), tuple(problems))

    @staticmethod
    def _post_for(
        item: Candidate, by_source: dict[str, PostSummary], taken: set[str]
    ) -> tuple[Post, PostSummary | None]:
        existing = by_source.get(item.source)
        parsed = item.parsed
        if existing is not None:
            slug = existing.slug
        else:
            slug = unique_slug(parsed.slug or slugify(parsed.title), taken)
        post = Post(
            slug=slug,
            title=parsed.title,
            tags=parsed.tags,
            sections=parsed.sections,
            words=parsed.words,
            source=item.source,
            body=parsed.body,
        )
        return post, existing

"""Deterministic synthetic libraries for benchmarks, built from the bundled posts.

The bundled posts (`reader.paths.bundled_content_dir()`) hold the same text as
the seed digest, and they ship with the package, so the generator works on any
machine that can import `reader`. From them it takes the paragraphs, the
sentences, the `##` section headings and the tags; the shapes of the titles
are those of the seed's titles. Each generated post is a Markdown file with
YAML front matter (`title`, `slug`, `date`, `tags`) like `content/*.md`. The
dates are spread over ten years in no relation to the file order, as in a
real collection: most are a day (`date: 2021-03-04`), some a time with an
offset, and one post in twenty has none.

The same `--posts` and `--seed` give the same bytes on every run.

    python bench/generate.py --posts 10000 --out /tmp/lib10k [--seed 0]
    python bench/generate.py --posts 10000 --data     # generate + import, cached

`ensure_data_dir(posts, seed)` builds (once) a ready data directory under
`bench/out/` for the start-up benchmark; later runs reuse it.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml

__all__ = [
    "GENERATOR_VERSION",
    "Vocabulary",
    "ensure_bundled_data_dir",
    "ensure_content",
    "ensure_data_dir",
    "generate",
    "load_vocabulary",
    "post_date",
    "render_post",
]

GENERATOR_VERSION = 2
"""Bump when the output changes, so cached libraries under bench/out/ are rebuilt."""

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE = Path(os.environ.get("READER_BENCH_CACHE") or BENCH_DIR / "out")
"""Where `ensure_data_dir` keeps generated libraries (gitignored): `bench/out/`, or the
folder `READER_BENCH_CACHE` names (to share libraries between checkouts)."""

LONG_POST_SHARE = 100
"""One post in this many is long (30-300 KB); the others are 1-5 KB."""
FIRST_DAY = date(2016, 1, 1)
DAYS = 3650
"""Posts are dated over ten years from `FIRST_DAY`."""
UNDATED_SHARE = 20
"""One post in this many has no date."""
TAG_TARGET = 48
"""Distinct tags in a generated library: the seed's tags plus frequent words of its text."""

# The shapes of the seed's ten titles, with the topic (and a number) left open.
TITLE_SHAPES = (
    "The Hard-Won Playbook for Shipping {topic} Fast",
    "Debugging {topic}: {n} Techniques You Need to Know",
    "Understanding {topic}: Key Concepts Explained",
    "{topic} vs {other}: Which Is Right for You?",
    "The Contrarian Argument for {topic} in {year}",
    "Revisiting {topic} After {n} Quarters in Production",
    "Benchmarking {topic}: Real Numbers from Real Projects",
    "Rethinking {topic} for the Modern {role}",
    "Zero to {topic}: A Weekend Project Retrospective",
    "The Underrated Argument for {topic} in {year}",
)
ROLES = ("Security Engineer", "Data Engineer", "Platform Team", "Backend Developer", "SRE")
ACRONYMS = {"api", "cdn", "cli", "ml", "rag", "sre", "ci", "cd"}
# Frequent words that make poor tags.
NOT_TAGS = {
    "actionable",
    "because",
    "between",
    "different",
    "entirely",
    "everyone",
    "expected",
    "initially",
    "immediately",
    "something",
    "significant",
    "through",
    "instead",
    "approach",
    "breaking",
    "consider",
    "decision",
    "experience",
}

# A sentence ends before whitespace and a capital or an opening quote (\u2018, \u201c).
_SENTENCE_END = re.compile("(?<=[.!?])\\s+(?=[A-Z\u2018\u201c'\"])")
_WORD = re.compile(r"[a-z][a-z-]+")

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the generator draws from, all taken from the bundled posts."""

    paragraphs: tuple[str, ...]
    sentences: tuple[str, ...]
    headings: tuple[str, ...]
    tags: tuple[str, ...]
    """Most common first: the order the Zipf-like tag choice ranks them in."""
    topics: tuple[str, ...]
    """The seed's own tags: what titles are about."""


def load_vocabulary(content_dir: Path | None = None) -> Vocabulary:
    """Read paragraphs, sentences, headings and tags from the bundled posts."""
    from reader.parsing import parse_markdown  # the core parser, so sections match the app's
    from reader.paths import bundled_content_dir

    directory = content_dir or bundled_content_dir()
    paragraphs: list[str] = []
    headings: list[str] = []
    tag_counts: Counter[str] = Counter()
    for path in sorted(directory.glob("*.md")):
        parsed = parse_markdown(path.read_text(encoding="utf-8"), default_title=path.stem)
        tag_counts.update(parsed.tags)
        for section in parsed.sections:
            if section.heading not in headings:
                headings.append(section.heading)
        for block in parsed.body.split("\n\n"):
            block = block.strip()
            if block and not block.startswith("#") and block not in paragraphs:
                paragraphs.append(block)
    if not paragraphs or not headings:
        raise RuntimeError(f"no posts with sections in {directory}")
    sentences = sorted({s for p in paragraphs for s in _SENTENCE_END.split(p) if s})
    tags = [t for t, _ in sorted(tag_counts.items(), key=lambda i: (-i[1], i[0]))]
    topics = tuple(tags)
    # Top up with the text's frequent longer words, so the sidebar has a realistic length.
    words = Counter(w for p in paragraphs for w in _WORD.findall(p.lower()))
    for word, _ in sorted(words.items(), key=lambda i: (-i[1], i[0])):
        if len(tags) >= TAG_TARGET:
            break
        if len(word) < 8 or word in NOT_TAGS or word in tags or word.endswith(("ly", "ed")):
            continue
        tags.append(word)
    return Vocabulary(tuple(paragraphs), tuple(sentences), tuple(headings), tuple(tags), topics)


def _topic(tag: str) -> str:
    return " ".join(w.upper() if w in ACRONYMS else w.capitalize() for w in tag.split())


def _zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


def _pick_tags(rng: random.Random, vocab: Vocabulary, weights: Sequence[float]) -> list[str]:
    count = rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 1))[0]
    chosen: list[str] = []
    while len(chosen) < count:
        tag = rng.choices(vocab.tags, weights=weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def _title(rng: random.Random, tags: Sequence[str], vocab: Vocabulary) -> str:
    # The title is about the post's most specific seed tag, else about any seed tag.
    about = [t for t in tags if t in vocab.topics]
    topic = _topic(about[-1] if about else rng.choice(vocab.topics))
    other = _topic(rng.choice([t for t in vocab.topics if t not in tags]))
    shape = rng.choice(TITLE_SHAPES)
    return shape.format(
        topic=topic,
        other=other,
        n=rng.randint(3, 12),
        year=rng.randint(2019, 2027),
        role=rng.choice(ROLES),
    )


def _paragraph(rng: random.Random, vocab: Vocabulary) -> str:
    if rng.random() < 0.7:
        return rng.choice(vocab.paragraphs)
    return " ".join(rng.sample(vocab.sentences, rng.randint(2, 4)))


def _body(rng: random.Random, vocab: Vocabulary, target: int, long: bool) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < target:
        paragraph = _paragraph(rng, vocab)
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    # Headings go before some paragraphs, never before the first (the seed's intro).
    slots = list(range(1, len(paragraphs)))
    if long:
        at = set(slots[3::4])
    else:
        at = set(rng.sample(slots, min(len(slots), rng.choice((0, 1, 1, 2, 2, 3, 4)))))
    headings = list(vocab.headings)
    rng.shuffle(headings)
    out: list[str] = []
    part = 0
    for i, paragraph in enumerate(paragraphs):
        if i in at:
            heading = headings[part % len(headings)]
            part += 1
            if long:
                heading = f"Part {part}: {heading}"
            out.append(f"## {heading}")
        out.append(paragraph)
    return "\n\n".join(out) + "\n"


def post_date(rng: random.Random) -> date | datetime | None:
    """A post's `date`: mostly a day, a quarter of them a time with an offset, or None.

    YAML writes them unquoted (`2021-03-04`, `2021-03-04 10:20:00+02:00`), as
    people write them, and reads them back as dates rather than strings.
    """
    if rng.randrange(UNDATED_SHARE) == 0:
        return None
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    if rng.random() < 0.75:
        return day
    offset = timezone(timedelta(hours=rng.randint(-8, 9)))
    return datetime(
        day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), 0, 0, offset
    )


def render_post(
    index: int,
    rng: random.Random,
    vocab: Vocabulary,
    long: bool,
    when: date | datetime | None = None,
) -> tuple[str, str]:
    """Return `(slug, file text)` for post number `index` (0-based), dated `when`."""
    from reader.text import slugify

    weights = _zipf_weights(len(vocab.tags))
    tags = _pick_tags(rng, vocab, weights)
    title = _title(rng, tags, vocab)
    # The index keeps slugs unique: titles repeat in a large library, as they do in life.
    slug = f"{slugify(title)}-{index + 1}"
    if long:
        target = int(math.exp(rng.uniform(math.log(30_000), math.log(300_000))))
    else:
        target = rng.randint(1_000, 5_000)
    body = _body(rng, vocab, target, long)
    meta: dict[str, object] = {"title": title, "slug": slug}
    if when is not None:
        meta["date"] = when
    meta["tags"] = tags
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000)
    return slug, f"---\n{front}---\n\n{body}"


def generate(
    posts: int,
    out: Path,
    seed: int = 0,
    progress: Progress | None = None,
    vocab: Vocabulary | None = None,
) -> list[Path]:
    """Write `posts` Markdown files under `out` (1,000 per folder); return them in order.

    Files sort in generation order, so an import sees them in that order.
    """
    vocab = vocab or load_vocabulary()
    rng = random.Random(seed)
    # Dates from their own stream: the rest of each post is what it was before dates.
    dates = random.Random(f"dates-{seed}")
    long_posts = set(rng.sample(range(posts), posts // LONG_POST_SHARE))
    written: list[Path] = []
    for index in range(posts):
        slug, text = render_post(index, rng, vocab, index in long_posts, post_date(dates))
        folder = out / f"{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index + 1:06d}-{slug[:60]}.md"
        with path.open("w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
        if progress and (index + 1) % 1000 == 0:
            progress(f"generated {index + 1}/{posts} posts")
    return written


def _core_fingerprint() -> str:
    """A hash of the core modules that decide the on-disk library format."""
    import reader

    package = Path(reader.__file__).resolve().parent
    digest = hashlib.sha256()
    # The modules that decide what a post's document holds, not how the files are
    # written or read back (a derived cache beside `posts.json` is rebuilt by itself).
    for name in ("post_docs", "models", "parsing", "importer", "text"):
        module = package / f"{name}.py"
        if module.exists():
            digest.update(module.read_bytes())
    return digest.hexdigest()[:10]


def ensure_content(
    posts: int, seed: int = 0, cache: Path = DEFAULT_CACHE, progress: Progress | None = _stderr
) -> Path:
    """The folder of generated Markdown for `posts`/`seed`, generated on first use."""
    folder = cache / f"content-{posts}-seed{seed}-g{GENERATOR_VERSION}"
    if (folder / ".ready").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    if progress:
        progress(f"generating {posts} posts into {folder}")
    generate(posts, folder, seed, progress)
    (folder / ".ready").write_text("ok\n", encoding="utf-8")
    return folder


def _import(root: Path, paths: list[Path], total: int, progress: Progress | None) -> None:
    from reader.library import Library

    def report(count: int, _source: str) -> None:
        if progress and count % 1000 == 0:
            progress(f"imported {count}/{total} posts")

    started = time.perf_counter()
    result = Library(root).import_paths(paths, progress=report)
    if result.problems:
        raise RuntimeError(f"import failed: {result.problems[0]}")
    if progress:
        progress(f"imported {len(result.added)} posts in {time.perf_counter() - started:.1f} s")


def ensure_data_dir(
    posts: int, seed: int = 0, cache: Path = DEFAULT_CACHE, progress: Progress | None = _stderr
) -> Path:
    """A data directory holding the `posts`/`seed` library, built once and cached.

    The cache key includes a hash of the core's storage code, so a change of
    the on-disk format rebuilds it rather than benchmarking a stale file.
    Stale data directories of the same size and seed are removed.
    """
    content = ensure_content(posts, seed, cache, progress)
    prefix = f"data-{posts}-seed{seed}-g{GENERATOR_VERSION}-"
    root = cache / f"{prefix}{_core_fingerprint()}"
    if (root / ".ready").exists():
        return root
    for stale in cache.glob(f"{prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)
    if progress:
        progress(f"importing {posts} posts into {root}")
    _import(root, [content], posts, progress)
    (root / ".ready").write_text("ok\n", encoding="utf-8")
    return root


def ensure_bundled_data_dir(cache: Path = DEFAULT_CACHE) -> Path:
    """A data directory holding only the bundled posts, as on a user's first run."""
    prefix = "data-bundled-"
    root = cache / f"{prefix}{_core_fingerprint()}"
    if (root / ".ready").exists():
        return root
    for stale in cache.glob(f"{prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)
    from reader.library import Library

    report = Library(root).import_bundled()
    if report.problems:
        raise RuntimeError(f"import failed: {report.problems[0]}")
    (root / ".ready").write_text("ok\n", encoding="utf-8")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate a library into a folder, or build a cached data directory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="number of posts (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="write the Markdown files into this folder")
    where.add_argument(
        "--data",
        action="store_true",
        help="generate and import into a cached data directory under bench/out/; print its path",
    )
    args = parser.parse_args(argv)
    if args.data:
        print(ensure_data_dir(args.posts, args.seed))
        return 0
    started = time.perf_counter()
    paths = generate(args.posts, args.out, args.seed, _stderr)
    size = sum(p.stat().st_size for p in paths)
    _stderr(
        f"wrote {len(paths)} posts, {size / 1e6:.1f} MB, to {args.out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

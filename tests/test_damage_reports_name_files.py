"""What the user is told about damage names the files, and lists what was lost.

A bookmarks file that is not ours, a `posts.json` whose posts' sources are
gone (or live in a digest), a body missing from its file, and the names
damaged files are moved aside under.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from reader.models import Post
from reader.storage import aside_path
from reader.store import PostStore

REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"
DIGEST = """Tag: Field Notes

  • Okapi Sightings

    Okapis were seen near the river twice this week.

  • Quiet Marshes

    The marsh was quiet apart from the herons.
"""


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time nine hours ahead of UTC, so a local timestamp cannot pass for UTC."""
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def damage(posts_json: Path) -> None:
    """Make `posts.json` invalid JSON while every post's source stays legible."""
    posts_json.write_bytes(b"X" + posts_json.read_bytes())


# -- a bookmarks file that is not ours -------------------------------------------


def test_a_bad_bookmarks_file_is_named_even_without_a_line(tmp_path: Path) -> None:
    export = tmp_path / "marks.json"
    export.write_text(json.dumps({"bookmarks": ["not an object"]}), "utf-8")
    result = CliRunner().invoke(cli, ["import-bookmarks", str(export)])
    assert result.exit_code == 1
    assert f"reader: error: {export}: bookmark 1 is not a JSON object" in result.stderr


# -- a damaged posts.json whose sources are gone, or in a digest ---------------------


def test_a_rebuild_lists_the_first_three_sources_that_are_gone(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    files = [folder / f"n{i}.md" for i in range(4)]
    for i, file in enumerate(files):
        file.write_text(f"# Note {i}\n\nwords {i}\n", "utf-8")
    Library.open(isolated_data_dir).import_paths(files)
    for file in files:
        file.unlink()
    damage(isolated_data_dir / "library" / "posts.json")

    told = " ".join(Library.open(isolated_data_dir).problems)
    gone = [str(file.resolve()) for file in files]
    assert f"4 files no longer exist ({', '.join(gone[:3])} and 1 more)." in told
    assert "Rebuilding the library: The bundled posts were imported again." in told


def test_a_rebuild_with_two_sources_gone_lists_both(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    files = [tmp_path / "a.md", tmp_path / "b.md"]
    for file in files:
        file.write_text(f"# {file.stem}\n\ntext\n", "utf-8")
    Library.open(isolated_data_dir).import_paths(files)
    for file in files:
        file.unlink()
    damage(isolated_data_dir / "library" / "posts.json")

    told = " ".join(Library.open(isolated_data_dir).problems)
    a, b = (str(file.resolve()) for file in files)
    assert f"2 files no longer exist ({a}, {b})." in told


def test_a_rebuild_says_in_full_what_it_did_and_what_it_cannot_know(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    gone = tmp_path / "gone.md"
    gone.write_text("# Gone\n\ntext\n", "utf-8")
    Library.open(isolated_data_dir).import_paths([gone])
    gone.unlink()
    damage(isolated_data_dir / "library" / "posts.json")

    damaged, told = Library.open(isolated_data_dir).problems
    assert damaged.startswith("The list of posts ") and "is damaged" in damaged
    assert told == (
        "Rebuilding the library: The bundled posts were imported again. "
        f"1 file no longer exists ({gone.resolve()}). "
        "Any other post you imported is not listed any more: "
        "re-import it with `reader import PATH`."
    )


def test_a_source_garbled_in_a_damaged_posts_file_is_listed_as_gone(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    kept, garbled = tmp_path / "kept.md", tmp_path / "garbled.md"
    for file in (kept, garbled):
        file.write_text(f"# {file.stem}\n\ntext\n", "utf-8")
    Library.open(isolated_data_dir).import_paths([kept, garbled])
    posts_json = isolated_data_dir / "library" / "posts.json"
    raw = posts_json.read_bytes()
    name = json.dumps(str(garbled.resolve())).encode()[1:-1]
    assert name in raw
    # A byte that is not UTF-8 inside the source's name, and the file cut short.
    posts_json.write_bytes(b"X" + raw.replace(name, name.replace(b"garbled", b"garb\xffled")))

    library = Library.open(isolated_data_dir)
    assert "kept" in {s.title for s in library.summaries()}
    told = " ".join(library.problems)
    assert "1 of your posts was imported again from their files." in told
    assert "1 file no longer exists (" in told and "garb" in told


def test_posts_from_a_digest_are_imported_again_from_it(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    digest = tmp_path / "notes #2" / "digest.txt"  # a '#' before the one naming the post
    digest.parent.mkdir()
    digest.write_text(DIGEST, "utf-8")
    report = Library.open(isolated_data_dir).import_paths([digest])
    assert len(report.added) == 2
    damage(isolated_data_dir / "library" / "posts.json")

    library = Library.open(isolated_data_dir)
    titles = {s.title for s in library.summaries()}
    assert {"Okapi Sightings", "Quiet Marshes"} <= titles
    assert "2 of your posts were imported again from their files." in " ".join(library.problems)


# -- a body missing from its body file --------------------------------------------


def drop_body(directory: Path, slug: str) -> None:
    """Take `slug`'s entry out of its body file, leaving the file itself valid."""
    shard = directory / "bodies" / f"{PostStore.shard_of(slug):02d}.json"
    data = json.loads(shard.read_text("utf-8"))
    data["bodies"] = {k: v for k, v in data["bodies"].items() if v["slug"] != slug}
    shard.write_text(json.dumps(data), "utf-8")


def test_a_bundled_post_without_its_text_says_where_and_how_to_restore(
    isolated_data_dir: Path,
) -> None:
    Library.open(isolated_data_dir)
    directory = isolated_data_dir / "library"
    drop_body(directory, REDIS)
    post = PostStore(directory).get(REDIS)
    assert post is not None
    shard = directory / "bodies" / f"{PostStore.shard_of(REDIS):02d}.json"
    assert post.body == (
        f"*The text of this post could not be read:* it is missing from {shard}.\n\n"
        "It is one of the bundled posts: run reader again to restore it.\n"
    )


def test_an_imported_post_without_its_text_names_the_command_to_restore(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    source = tmp_path / "mine.md"
    source.write_text("# Mine\n\nMy words.\n", "utf-8")
    (slug,) = Library.open(isolated_data_dir).import_paths([source]).added
    directory = isolated_data_dir / "library"
    drop_body(directory, slug)
    post = PostStore(directory).get(slug)
    assert post is not None
    assert post.body.endswith(
        f"Import its source again to restore it: `reader import {source.resolve()}`.\n"
    )


# -- a damaged body file names the posts it costs --------------------------------------


def same_shard(count: int) -> list[str]:
    """`count` slugs whose bodies share one body file."""
    by_shard: dict[int, list[str]] = {}
    for i in range(10_000):
        slugs = by_shard.setdefault(PostStore.shard_of(f"p{i}"), [])
        slugs.append(f"p{i}")
        if len(slugs) == count:
            return slugs
    raise AssertionError("no shard got enough slugs")


@pytest.mark.parametrize(
    ("count", "listed"), [(3, "'P0', 'P1', 'P2'"), (4, "'P0', 'P1', 'P2' and 1 more")]
)
def test_a_damaged_body_file_names_up_to_three_of_its_posts(
    tmp_path: Path, count: int, listed: str
) -> None:
    slugs = same_shard(count)
    store = PostStore(tmp_path / "library")
    store.upsert(
        Post(slug=s, title=f"P{i}", tags=(), words=1, body="text\n", source=s)
        for i, s in enumerate(slugs)
    )
    shard = tmp_path / "library" / "bodies" / f"{PostStore.shard_of(slugs[0]):02d}.json"
    shard.write_bytes(b"\x00 not json")
    reopened = PostStore(tmp_path / "library")
    post = reopened.get(slugs[0])
    assert post is not None and "could not be read" in post.body
    (told,) = reopened.recoveries
    assert told.startswith(f"The text of {count} posts could not be read: {shard} is damaged")
    assert f"({listed}); importing their files again restores them." in told


# -- the names damaged files are moved aside under -----------------------------------


def test_the_first_copy_set_aside_in_a_second_gets_number_two(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    for moment in (now, now + timedelta(seconds=1)):
        (tmp_path / f"posts.json.corrupt-{moment:%Y%m%dT%H%M%SZ}").write_text("taken", "utf-8")
    name = aside_path(tmp_path / "posts.json").name
    assert re.fullmatch(r"posts\.json\.corrupt-\d{8}T\d{6}Z-2", name), name


def test_each_copy_set_aside_in_one_second_gets_the_next_number(tmp_path: Path) -> None:
    target = tmp_path / "posts.json"
    now = datetime.now(UTC)
    for moment in (now, now + timedelta(seconds=1)):  # in case the second turns meanwhile
        stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        for name in (f"posts.json.corrupt-{stamp}", f"posts.json.corrupt-{stamp}-2"):
            (tmp_path / name).write_text("taken", "utf-8")
    assert re.fullmatch(r"posts\.json\.corrupt-\d{8}T\d{6}Z-3", aside_path(target).name)


def test_a_copy_set_aside_is_stamped_in_utc(tmp_path: Path, far_from_utc: None) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    name = aside_path(tmp_path / "posts.json", "label").name
    after = datetime.now(UTC)
    found = re.fullmatch(r"posts\.json\.label-(\d{8}T\d{6})Z", name)
    assert found is not None, name
    stamp = datetime.strptime(found.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    assert before <= stamp <= after

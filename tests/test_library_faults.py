"""A damaged library: bad `posts.json`, body files, search index, or a disk we cannot write.

None of them may crash a command or `Library.open()`, or cost a bookmark; the
bad file is kept aside, and what can be rebuilt from the sources is.
"""

from __future__ import annotations

import errno
import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import reader.storage
import reader.store
from reader.cli import cli
from reader.library import Library, LibraryError
from reader.store import PostStore

REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def mine(tmp_path: Path, isolated_data_dir: Path) -> Path:
    """A library of the bundled posts plus one imported file, with a bookmark on it."""
    source = tmp_path / "notes" / "mine.md"
    source.parent.mkdir()
    source.write_text("# Mine\n\nMy own words about zebras.\n")
    Library.open()  # the sample posts, as the TUI seeds them
    assert run("bookmark", REDIS)[0] == 0  # a bookmarked sample is kept by an import
    assert run("import", str(source))[0] == 0
    assert run("bookmark", "mine", "--note", "keep me")[0] == 0
    return isolated_data_dir / "library"


def asides(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.corrupt-*"))


def bookmarks() -> set[str]:
    code, out, _ = run("bookmarks", "--json")
    assert code == 0
    return {b["slug"] for b in json.loads(out) if not b["missing"]}


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="half-written"),
        pytest.param(lambda raw: b"\x00garbage\xff" * 10, id="garbage"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: b'{"posts": [1, 2]}', id="wrong-shape"),
    ],
)
def test_a_damaged_posts_file_is_set_aside_and_rebuilt(mine: Path, damage: object) -> None:
    posts = mine / "posts.json"
    raw = posts.read_bytes()
    posts.write_bytes(damage(raw))  # type: ignore[operator]
    bad = posts.read_bytes()

    code, out, err = run("list")
    assert code == 0 and "Traceback" not in err
    (kept,) = asides(mine, "posts.json")
    assert kept.read_bytes() == bad
    assert f"{posts} is damaged" in err and str(kept) in err
    assert REDIS in out  # the bundled posts come back
    if b'"source"' in bad and str(mine.parent.parent / "notes") in bad.decode(errors="replace"):
        assert "mine" in out and "imported again" in err  # its source is still there
    else:
        assert "re-import" in err and "reader import PATH" in err  # never silently
    assert REDIS in bookmarks()
    # Later commands see a good library, and say nothing more.
    code, _, err = run("list")
    assert code == 0 and err == ""


def test_a_half_written_posts_file_rebuilds_imported_posts(mine: Path) -> None:
    posts = mine / "posts.json"
    data = json.loads(posts.read_bytes())
    # The user's post last, then cut in its `words`: its source is still legible.
    docs = data["posts"]
    ours = next(k for k, d in docs.items() if d["slug"] == "mine")
    docs[ours] = docs.pop(ours)
    text = json.dumps(data)
    source = json.dumps(docs[ours]["source"])
    posts.write_text(text[: text.rindex(source) + len(source)])
    code, out, err = run("list")
    assert code == 0 and "mine\tMine" in out and REDIS in out
    assert "imported again" in err
    assert bookmarks() == {"mine", REDIS}


def test_an_empty_posts_file_does_not_reseed_silently_over_a_big_library(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"p{i}.md").write_text(f"# P {i}\n\ntext\n")
    assert run("import", str(folder))[0] == 0
    posts = isolated_data_dir / "library" / "posts.json"
    posts.write_bytes(b"")
    library = Library.open()
    assert not library.posts.is_new
    told = " ".join(library.problems)
    assert "empty" in told and "reader import PATH" in told
    assert len(library.summaries()) == 10  # the samples; the 30 are named as lost
    assert asides(posts.parent, "posts.json")


def test_a_post_without_a_slug_costs_only_itself(mine: Path) -> None:
    posts = mine / "posts.json"
    data = json.loads(posts.read_bytes())
    victim = next(k for k, d in data["posts"].items() if d["slug"] == "mine")
    del data["posts"][victim]["slug"]
    posts.write_text(json.dumps(data))
    library = Library.open()
    assert len(library.summaries()) == 11  # rebuilt from its source
    assert library.get("mine") is not None
    assert any("1 of the posts" in p and "posts.json" in p for p in library.problems)
    assert asides(mine, "posts.json")
    code, out, err = run("list")
    assert code == 0 and out.count("\n") == 11 and err == ""


def test_a_garbled_body_file_names_itself_and_the_posts_it_holds(mine: Path) -> None:
    library = Library.open()
    mine_shard = mine / "bodies" / f"{PostStore.shard_of('mine'):02d}.json"
    neighbours = [
        s for s in library.summaries() if PostStore.shard_of(s.slug) == PostStore.shard_of("mine")
    ]
    Path(library.summaries()[-1].source).unlink()  # "mine" cannot be imported again
    original = mine_shard.read_bytes()
    mine_shard.write_bytes(original[:-40])

    code, out, err = run("list")
    assert code == 0 and "mine\tMine" in out  # body files are read on demand only
    code, out, err = run("show", "mine")
    assert code == 0 and "Traceback" not in err
    (kept,) = asides(mine / "bodies", mine_shard.name)
    assert kept.read_bytes() == original[:-40]
    assert "could not be read" in out and str(mine_shard) in out and "reader import" in out
    assert str(mine_shard) in err and str(kept) in err and "'Mine'" in err
    # A later import into the same body file keeps the set-aside copy as it was.
    other = mine.parent.parent / "again.md"
    other.write_text("# Again\n\ntext\n")
    assert run("import", str(other))[0] == 0
    assert kept.read_bytes() == original[:-40]
    for post in neighbours:  # bundled neighbours are read again from the package
        if post.slug != "mine":
            code, out, _ = run("show", post.slug)
            assert code == 0 and "could not be read" not in out
    assert "mine" in bookmarks()


def test_a_body_file_that_is_a_folder_does_not_crash(mine: Path) -> None:
    shard = mine / "bodies" / f"{PostStore.shard_of(REDIS):02d}.json"
    shard.unlink()
    shard.mkdir()
    code, out, err = run("show", REDIS)
    assert code == 0 and "Debugging Redis Caching" in out and "Traceback" not in err
    assert shard.is_file()  # rebuilt from the bundled posts
    assert asides(mine / "bodies", shard.name)


def damaged_indexes(good: bytes) -> list[bytes]:
    rnd = random.Random(7)
    found = [b"", b"rdsearch", good[: len(good) // 2], good[:-1], good + b"x"]
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        found.append(bytes(data))
    return found


def test_a_damaged_search_index_is_rebuilt(isolated_data_dir: Path) -> None:
    Library.open()
    assert run("search", "redis")[0] == 0
    path = isolated_data_dir / "library" / "search-index.bin"
    good = path.read_bytes()
    for damaged in damaged_indexes(good):
        path.write_bytes(damaged)
        library = Library.open()
        results = library.search("redis cach")
        assert [h.slug for h in results.hits] == [REDIS]
        library.search_index().with_snippet(results.hits[0], results.highlight)
        assert library.search('"machine learning" -redis').hits
        assert library.search("pipeline -redis").hits


def test_an_index_that_fails_while_searching_is_rebuilt_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = library.search_index()

    def broken(*args: object, **kwargs: object) -> object:
        raise IndexError("array index out of range")

    monkeypatch.setattr(index, "search", broken)
    assert [h.slug for h in library.search("redis").hits] == [REDIS]
    assert any("search index" in p and "rebuilt" in p for p in library.problems)
    assert library.search_index() is not index


def test_a_directory_in_place_of_the_index_does_not_stop_search(isolated_data_dir: Path) -> None:
    Library.open()
    (isolated_data_dir / "library" / "search-index.bin").unlink()
    (isolated_data_dir / "library" / "search-index.bin").mkdir(parents=True)
    code, out, err = run("search", "redis")
    assert code == 0 and REDIS in out and "Traceback" not in err


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    ],
)
@pytest.mark.parametrize("command", [["list"], ["tags"], ["search", "redis"], ["bookmarks"]])
def test_a_fresh_library_on_a_disk_we_cannot_write(
    monkeypatch: pytest.MonkeyPatch,
    isolated_data_dir: Path,
    error: OSError,
    reason: str,
    command: list[str],
) -> None:
    def refuse(path: Path, data: bytes, backup: bool = False) -> None:
        raise OSError(error.errno, error.strerror, str(path))

    monkeypatch.setattr(reader.store, "atomic_write_bytes", refuse)
    # The CLI writes nothing to show an empty library: it says it is empty.
    code, out, err = run(*command)
    assert code == 0 and out.strip() in ("", "[]") and "Traceback" not in err
    assert "the library is empty" in err or command == ["bookmarks"]
    # The TUI seeds it with the sample posts, which the disk refuses: it says why.
    with pytest.raises(LibraryError) as caught:
        Library.open()
    line = caught.value.message
    assert line.startswith("cannot open the library: ") and line.endswith(reason)
    assert str(isolated_data_dir / "library" / "bodies") in line
    assert not list((isolated_data_dir / "library").rglob("*.json"))


def test_a_file_in_place_of_the_library_folder(isolated_data_dir: Path) -> None:
    isolated_data_dir.mkdir()
    (isolated_data_dir / "library").write_text("not a folder")
    code, out, err = run("list")
    assert code == 1 and out == "" and "Traceback" not in err
    assert str(isolated_data_dir / "library") in err and len(err.splitlines()) == 1
    with pytest.raises(LibraryError) as caught:
        Library.open()
    assert caught.value.path is not None and str(isolated_data_dir) in caught.value.message


def test_a_data_directory_that_is_a_file(tmp_path: Path) -> None:
    where = tmp_path / "file"
    where.write_text("")
    code, _, err = run("--data-dir", str(where), "list")
    assert code == 2 and "is a file" in err  # click says so before we look
    with pytest.raises(LibraryError, match="cannot open the library") as caught:
        Library.open(where)
    assert caught.value.path == where


def test_bookmarks_survive_every_kind_of_damage(mine: Path) -> None:
    state = mine.parent / "state.json"
    before = state.read_bytes()
    (mine / "posts.json").write_bytes(b"{")
    for shard in (mine / "bodies").iterdir():
        shard.write_bytes(b"[")
    (mine / "search-index.bin").write_bytes(b"junk")
    for command in (["list"], ["show", REDIS], ["search", "zebras"], ["tags"], ["bookmarks"]):
        code, _, err = run(*command)
        assert code == 0 and "Traceback" not in err, (command, err)
    assert bookmarks() >= {REDIS}
    assert state.read_bytes() == before
    shutil.rmtree(mine)
    assert run("list")[0] == 0  # the CLI never seeds: the bookmark is kept, shown as missing
    code, out, _ = run("bookmarks", "--json")
    assert code == 0 and REDIS in {b["slug"] for b in json.loads(out) if b["missing"]}
    Library.open()  # the TUI puts the sample posts back
    assert bookmarks() >= {REDIS}

"""What was imported, and keeping it in step: `reader sources`, `sync`, `remove`, the samples.

Everything is asserted through what the user sees: the CLI's output and exit
code, and the files on disk.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.library import Library
from tests.conftest import SEED_DIGEST

REDIS = "debugging-redis-caching-7-techniques-you-need-to-know"
"""A sample post."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def titles() -> dict[str, str]:
    code, out, _ = run("list", "--json")
    assert code == 0
    return {p["slug"]: p["title"] for p in json.loads(out)}


def hits(query: str) -> list[str]:
    code, out, _ = run("search", query, "--json")
    found = [h["slug"] for h in json.loads(out)]
    assert code == (0 if found else 1)  # as grep: 1 when nothing matched
    return found


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A folder of three notes, one in a sub-folder."""
    folder = tmp_path / "notes"
    write(folder / "alpha.md", "# Alpha\n\nAbout aardvarks.\n")
    write(folder / "beta.md", "# Beta\n\nAbout badgers.\n")
    write(folder / "deep" / "gamma.md", "# Gamma\n\nAbout geckos.\n")
    return folder


def test_sources_lists_each_folder_and_file_with_its_posts(notes: Path, tmp_path: Path) -> None:
    single = write(tmp_path / "single.md", "# Single\n\nOne file.\n")
    assert run("import", str(notes))[0] == 0
    assert run("import", str(single))[0] == 0
    code, out, err = run("sources")
    assert code == 0 and err == ""
    assert out == f"3\t{notes}\n1\t{single}\n"
    code, out, _ = run("sources", "--json")
    assert json.loads(out) == [
        {"path": str(notes), "kind": "folder", "posts": 3, "exists": True},
        {"path": str(single), "kind": "file", "posts": 1, "exists": True},
    ]
    assert (notes.parent / "data" / "library" / "sources.json").is_file()


def test_sources_on_a_new_library_says_how_to_add_one() -> None:
    code, out, err = run("sources")
    assert code == 0 and out == "" and "reader import PATH" in err


def test_sync_adds_updates_and_removes(notes: Path) -> None:
    assert run("import", str(notes))[0] == 0
    assert run("bookmark", "beta", "--note", "keep")[0] == 0
    write(notes / "alpha.md", "# Alpha, revised\n\nAbout armadillos.\n")
    write(notes / "deep" / "delta.md", "# Delta\n\nAbout dingoes.\n")
    (notes / "beta.md").unlink()

    code, out, err = run("sync")
    assert code == 0, err
    assert out == "1 added, 1 updated, 1 removed, 1 unchanged, 0 problems\n"
    assert titles() == {"alpha": "Alpha, revised", "gamma": "Gamma", "delta": "Delta"}
    assert hits("armadillos") == ["alpha"] and hits("aardvarks") == []
    assert hits("badgers") == [] and hits("dingoes") == ["delta"]
    code, out, _ = run("bookmarks")
    assert out == f"beta\t(missing) beta\t{bookmark_day()}\tkeep\n"
    assert run("sources")[1] == f"3\t{notes}\n"
    # Nothing changed since: nothing to do.
    assert run("sync")[1] == "0 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n"
    # The deleted file comes back, and so does its bookmark.
    write(notes / "beta.md", "# Beta\n\nAbout badgers.\n")
    assert run("sync")[1] == "1 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n"
    assert "(missing)" not in run("bookmarks")[1]


def bookmark_day() -> str:
    out = run("bookmarks", "--json")[1]
    day: str = json.loads(out)[0]["created"][:10]
    return day


def test_sync_reads_only_files_whose_size_or_time_changed(notes: Path) -> None:
    assert run("import", str(notes))[0] == 0
    alpha, beta = notes / "alpha.md", notes / "beta.md"
    # Same size and time, other bytes: not read, so its post keeps the old text.
    before = alpha.stat()
    alpha.write_text("# Alpha\n\nAbout aardwolfs.\n", "utf-8")
    assert alpha.stat().st_size == before.st_size
    os.utime(alpha, ns=(before.st_atime_ns, before.st_mtime_ns))
    # Touched only: read and hashed, found the same, not imported again.
    os.utime(beta, ns=(before.st_atime_ns, before.st_mtime_ns + 5_000_000_000))
    assert run("sync") == (0, "0 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n", "")
    assert hits("aardvarks") == ["alpha"] and hits("aardwolfs") == []
    # Its time moves on: now it is read, and updated.
    alpha.touch()
    assert run("sync")[1] == "0 added, 1 updated, 0 removed, 2 unchanged, 0 problems\n"
    assert hits("aardwolfs") == ["alpha"]


def test_sync_of_a_digest_that_lost_a_post(tmp_path: Path) -> None:
    digest = tmp_path / "digest.txt"
    shutil.copy(SEED_DIGEST, digest)
    assert run("import", str(digest))[0] == 0
    assert len(titles()) == 10
    text = digest.read_text("utf-8")
    first = text.index("\n  • Debugging Redis")  # the second post, to the third
    second = text.index("\n  • ", first + 1)
    digest.write_text(text[:first] + text[second:], "utf-8")
    code, out, err = run("sync")
    assert code == 0, err
    assert ", 1 removed," in out and len(titles()) == 9


def test_a_deleted_source_is_forgotten_but_an_unmounted_one_is_kept(
    notes: Path, tmp_path: Path
) -> None:
    drive = tmp_path / "drive" / "posts"
    write(drive / "far.md", "# Far\n\nAway.\n")
    assert run("import", str(notes))[0] == 0
    assert run("import", str(drive))[0] == 0
    shutil.rmtree(tmp_path / "drive")  # the folder that held it is gone too: not mounted
    shutil.rmtree(notes)  # its parent is still there: deleted
    code, out, err = run("sync")
    assert code == 1
    assert out == "0 added, 0 updated, 3 removed, 0 unchanged, 1 problem\n"
    assert f"{drive}: missing, and so is the folder that held it" in err
    assert f"{notes} was deleted" in err
    assert titles() == {"far": "Far"}
    assert run("sources")[1] == f"1\t{drive}\t(missing)\n"


def test_remove_by_slug(notes: Path) -> None:
    assert run("import", str(notes))[0] == 0
    assert run("bookmark", "alpha")[0] == 0
    code, out, _ = run("remove", "alpha", "gamma")
    assert code == 0 and out == "removed 2 posts; 1 bookmark kept, shown as missing\n"
    assert titles() == {"beta": "Beta"}
    assert hits("aardvarks") == [] and hits("geckos") == []
    assert "alpha\t(missing) alpha" in run("bookmarks")[1]
    assert run("sources")[1] == f"1\t{notes}\n"


def test_remove_an_unknown_slug_names_it_and_removes_nothing(notes: Path) -> None:
    assert run("import", str(notes))[0] == 0
    code, out, err = run("remove", "alpha", "no-such-post")
    assert code == 1 and out == ""
    assert "'no-such-post'" in err and "nothing removed" in err
    assert len(titles()) == 3
    assert run("remove")[0] == 2  # nothing to remove is a usage error
    assert run("remove", "alpha", "--samples")[0] == 2


def test_remove_a_source_removes_its_posts_and_forgets_it(notes: Path, tmp_path: Path) -> None:
    single = write(tmp_path / "single.md", "# Single\n\nOne file.\n")
    assert run("import", str(notes), str(single))[0] == 0
    # A folder inside a source is not one, but its posts can be removed all the same;
    # the source still holds its files, so the next sync brings them back.
    assert run("remove", "--source", str(notes / "deep"))[1] == "removed 1 post\n"
    assert titles().keys() == {"alpha", "beta", "single"}
    assert run("sync")[1] == "1 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n"
    code, out, _ = run("remove", "--source", str(notes))
    assert code == 0 and out == "removed 3 posts\n"
    assert titles() == {"single": "Single"}
    assert hits("badgers") == []
    assert run("sources")[1] == f"1\t{single}\n"
    assert run("sync")[1] == "0 added, 0 updated, 0 removed, 1 unchanged, 0 problems\n"
    code, _, err = run("remove", "--source", str(tmp_path / "elsewhere"))
    assert code == 1 and "is not a source of the library" in err


def test_the_cli_never_seeds_and_says_the_library_is_empty(notes: Path) -> None:
    code, out, err = run("list")
    assert code == 0 and out == "" and "the library is empty" in err
    assert "reader import PATH" in err
    code, out, _ = run("import", str(notes / "alpha.md"))
    assert code == 0 and out == "1 added, 0 updated, 0 unchanged, 0 failed\n"  # nothing else
    assert titles() == {"alpha": "Alpha"}


def test_the_tui_seeds_an_empty_library_only(notes: Path, isolated_data_dir: Path) -> None:
    assert len(Library.open(isolated_data_dir).summaries()) == 10  # a new library: the samples
    assert run("remove", "--samples")[1] == "removed 10 posts\n"
    assert Library.open(isolated_data_dir).summaries() == []  # removed: they stay removed
    assert run("import", str(notes))[0] == 0
    assert len(Library.open(isolated_data_dir).summaries()) == 3


def test_the_first_import_replaces_the_untouched_samples(
    notes: Path, isolated_data_dir: Path
) -> None:
    Library.open(isolated_data_dir)
    code, out, _ = run("import", str(notes))
    assert code == 0
    assert out == (
        "3 added, 0 updated, 0 unchanged, 0 failed\n"
        "the 10 sample posts were removed: the library holds only what you import now\n"
    )
    assert titles().keys() == {"alpha", "beta", "gamma"}
    assert hits("redis") == []
    assert Library.open(isolated_data_dir).summaries() != []  # and never come back
    assert len(titles()) == 3


def test_bookmarked_samples_are_kept_by_an_import(notes: Path, isolated_data_dir: Path) -> None:
    Library.open(isolated_data_dir)
    assert run("bookmark", REDIS)[0] == 0
    code, out, _ = run("import", str(notes))
    assert code == 0 and out == "3 added, 0 updated, 0 unchanged, 0 failed\n"
    assert len(titles()) == 13
    # Removed by hand, at any time; their bookmark is kept, shown as missing.
    code, out, _ = run("remove", "--samples")
    assert out == "removed 10 posts; 1 bookmark kept, shown as missing\n"
    assert titles().keys() == {"alpha", "beta", "gamma"}
    assert f"{REDIS}\t(missing)" in run("bookmarks")[1]
    assert hits("redis") == []


def test_a_failed_import_keeps_the_samples(tmp_path: Path, isolated_data_dir: Path) -> None:
    Library.open(isolated_data_dir)
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff not text")
    code, out, _ = run("import", str(bad))
    assert code == 1 and "sample" not in out
    assert len(titles()) == 10


def test_a_damaged_sources_file_is_set_aside(notes: Path, isolated_data_dir: Path) -> None:
    assert run("import", str(notes))[0] == 0
    path = isolated_data_dir / "library" / "sources.json"
    path.write_bytes(b'{"sources": ')
    code, out, err = run("sources")
    assert code == 0 and out == ""
    (aside,) = path.parent.glob("sources.json.corrupt-*")
    assert aside.read_bytes() == b'{"sources": '
    assert f"{path} was damaged" in err and str(aside) in err
    assert len(titles()) == 3  # the posts are all there
    assert run("import", str(notes))[1] == "0 added, 0 updated, 3 unchanged, 0 failed\n"
    assert run("sources")[1] == f"3\t{notes}\n"


def test_a_file_that_cannot_be_read_now_keeps_its_post(notes: Path) -> None:
    assert run("import", str(notes))[0] == 0
    (notes / "alpha.md").write_bytes(b"\xff not text any more")
    code, out, err = run("sync")
    assert code == 1
    assert out == "0 added, 0 updated, 0 removed, 2 unchanged, 1 problem\n"
    assert f"{notes / 'alpha.md'}:1: not UTF-8" in err
    assert titles()["alpha"] == "Alpha" and hits("aardvarks") == ["alpha"]
    # Mended, it is read again: the failed read was not remembered as the file's state.
    write(notes / "alpha.md", "# Alpha\n\nAbout aardvarks.\n")
    assert run("sync")[1] == "0 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n"


def test_sync_with_nothing_imported_says_so() -> None:
    code, out, err = run("sync")
    assert code == 0 and out == "0 added, 0 updated, 0 removed, 0 unchanged, 0 problems\n"
    assert "nothing to sync" in err


def test_a_library_open_elsewhere_reads_the_changes(notes: Path, isolated_data_dir: Path) -> None:
    """What the TUI does on its timer (see tests/test_tui_library_watch.py for the screen)."""
    shown = Library.open(isolated_data_dir, seed=False)
    shown.search_index()  # loaded, as the TUI has it
    assert shown.reload_if_changed() is None
    assert run("import", str(notes))[0] == 0
    assert shown.reload_if_changed() == ({"alpha", "beta", "gamma"}, set())
    assert shown.reload_if_changed() is None  # once
    assert [h.slug for h in shown.search("geckos").hits] == ["gamma"]
    post = shown.get("alpha")
    assert post is not None and "aardvarks" in post.body  # its body file is read now
    write(notes / "alpha.md", "# Alpha\n\nAbout axolotls, and longer.\n")
    assert run("sync")[0] == 0
    assert shown.reload_if_changed() == ({"alpha"}, set())
    post = shown.get("alpha")
    assert post is not None and "axolotls" in post.body
    assert [h.slug for h in shown.search("axolotls").hits] == ["alpha"]
    assert run("remove", "gamma")[0] == 0
    assert shown.reload_if_changed() == (set(), {"gamma"})
    assert shown.get("gamma") is None and not shown.search("geckos").hits


def test_sync_through_links_finds_the_posts_it_imported(notes: Path, tmp_path: Path) -> None:
    elsewhere = write(tmp_path / "elsewhere" / "far.md", "# Far\n\nAway.\n")
    (notes / "linked").symlink_to(elsewhere.parent, target_is_directory=True)
    (notes / "shortcut.md").symlink_to(notes / "deep" / "gamma.md")  # the same file twice
    link = tmp_path / "via-link"
    link.symlink_to(notes, target_is_directory=True)
    assert run("import", str(link))[1] == "4 added, 0 updated, 0 unchanged, 0 failed\n"
    assert run("sync")[1] == "0 added, 0 updated, 0 removed, 4 unchanged, 0 problems\n"
    assert len(titles()) == 4


def test_a_sources_file_that_cannot_be_read_is_never_written_over(
    notes: Path, isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", str(notes / "alpha.md"))[0] == 0
    path = isolated_data_dir / "library" / "sources.json"
    before = path.read_bytes()
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    with monkeypatch.context() as patch:  # root reads any file: refused by hand
        patch.setattr(Path, "read_bytes", refuse)
        code, out, err = run("sources")
        assert code == 0 and out == ""
        assert f"{path} cannot be read (Permission denied)" in err
        code, out, err = run("import", str(notes))
        assert code == 0 and out.startswith("2 added") and "could not be saved" in err
    assert path.read_bytes() == before  # never written over
    assert run("sources")[1] == f"1\t{notes / 'alpha.md'}\n"


def test_a_folder_in_place_of_the_sources_file_is_set_aside(
    notes: Path, isolated_data_dir: Path
) -> None:
    assert run("import", str(notes / "alpha.md"))[0] == 0
    path = isolated_data_dir / "library" / "sources.json"
    path.unlink()
    path.mkdir()
    code, out, err = run("sources")
    assert code == 0 and out == "" and "is not a file" in err
    (aside,) = path.parent.glob("sources.json.corrupt-*")
    assert aside.is_dir()
    assert run("import", str(notes))[0] == 0
    assert run("sources")[1] == f"3\t{notes}\n"


def test_drafts_are_synced_and_removed_like_any_post(notes: Path) -> None:
    write(notes / "draft.md", "---\ntitle: Unfinished\ndraft: true\n---\n\nAbout dodos.\n")
    assert run("import", str(notes))[1] == "4 added, 0 updated, 0 unchanged, 0 failed\n"
    assert run("sources")[1] == f"4\t{notes}\n"
    assert run("sync")[1] == "0 added, 0 updated, 0 removed, 4 unchanged, 0 problems\n"
    (notes / "draft.md").unlink()
    assert run("sync")[1] == "0 added, 0 updated, 1 removed, 3 unchanged, 0 problems\n"
    write(notes / "draft.md", "---\ntitle: Unfinished\ndraft: true\n---\n\nAbout dodos.\n")
    assert run("sync")[1] == "1 added, 0 updated, 0 removed, 3 unchanged, 0 problems\n"
    assert run("remove", "--source", str(notes))[1] == "removed 4 posts\n"
